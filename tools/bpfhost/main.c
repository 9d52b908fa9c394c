// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpfhost command-line tool: dispatches to one file per subcommand.  The
 * CLI uses only the public API (include/bpfhost/), like any host would.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} cmds[] = {
	{"dump", cmd_dump,
	 "dump OBJ                 programs, maps, BTF summary, disassembly "
	 "with source"},
	{"verify", cmd_verify,
	 "verify OBJ [-p PROG] [--log-level 1|2] [--json]  verdict per "
	 "program"},
	{"run", cmd_run,
	 "run OBJ [-p PROG] [--ctx FILE | --ctx-hex HEX] [--repeat N] "
	 "[--unverified]"},
	{"kfunc", cmd_kfunc,
	 "kfunc list [--prog-type T] [--deprecated] [--json]   kfuncs on "
	 "offer"},
	{"btf", cmd_btf,
	 "btf dump [--format c]    host types + extern __ksym decls (a "
	 "vmlinux.h)"},
	{"conformance-plugin", cmd_conformance_plugin,
	 "conformance-plugin [MEMHEX] [--elf]   bpf_conformance plugin "
	 "protocol"},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bpfhost [--plugin LIB.so]... COMMAND [ARGS]\n\n"
		"  --plugin LIB.so  load a host library first: kfunc sets it\n"
		"                   registers (from constructors) are offered\n"
		"                   to programs, as in the host itself\n\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s\n", cmds[i].usage);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	/* The conformance runner execs its plugin path with the test's memory
	 * as argv[1], so the plugin is this binary under another name. */
	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "bpfhost-conformance-plugin"))
		return cmd_conformance_plugin(argc, argv);
	while (argc >= 3 && !strcmp(argv[1], "--plugin")) {
		if (!dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL)) {
			fprintf(stderr, "bpfhost: --plugin %s: %s\n", argv[2],
				dlerror());
			return 1;
		}
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "bpfhost: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
