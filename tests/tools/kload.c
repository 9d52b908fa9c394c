// SPDX-License-Identifier: BSD-2-Clause
/*
 * kload: the Linux kernel as an oracle.  Loads a BPF object into the running
 * kernel with libbpf and prints, per program, its verdict; with --run, also
 * runs SEC("syscall") programs through BPF_PROG_TEST_RUN on a ctx and prints
 * r0.  Only hand-written programs whose behaviour is known may be run;
 * generated or adversarial programs are only loaded.
 *
 *   kload OBJ [--run] [--ctx-hex HEX] [--log] [--log2] [--stats]
 *   (--log2: the level-2 log of every program, accepted or not)
 *   output lines: "PROG <name> ACCEPT|REJECT [retval N]" and, with --log,
 *   the verifier log of rejected programs; exit 2 if bpf() is refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static char vlog[64 << 20];

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	unsigned char ctx[4096];
	size_t ctx_len = 0;
	int run = 0, show_log = 0, log2 = 0, stats = 0, any = 0;
	struct bpf_object *obj;
	struct bpf_program *p;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--run"))
			run = 1;
		else if (!strcmp(argv[i], "--log"))
			show_log = 1;
		else if (!strcmp(argv[i], "--log2"))
			show_log = log2 = 1;
		else if (!strcmp(argv[i], "--stats"))
			stats = 1;
		else if (!strcmp(argv[i], "--ctx-hex") && i + 1 < argc) {
			char *s = argv[++i], *end;

			while (*s && ctx_len < sizeof(ctx)) {
				unsigned long b = strtoul(s, &end, 16);

				if (end == s)
					break;
				ctx[ctx_len++] = (unsigned char)b;
				s = end;
			}
		} else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: kload OBJ [--run] [--ctx-hex HEX] [--log] [--log2] [--stats]\n");
		return 1;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "kload: cannot open %s\n", path);
		return 1;
	}
	/* load each program alone, from a fresh open, so one rejection does
	 * not hide the rest (libbpf loads an object only once) */
	char names[64][128];
	int n = 0;

	bpf_object__for_each_program(p, obj)
		if (n < 64)
			snprintf(names[n++], sizeof(names[0]), "%s",
				 bpf_program__name(p));
	for (int i = 0; i < n; i++) {
		struct bpf_program *q;

		if (i) {
			bpf_object__close(obj);
			obj = bpf_object__open_file(path, NULL);
			if (!obj)
				return 1;
		}
		p = bpf_object__find_program_by_name(obj, names[i]);
		bpf_object__for_each_program(q, obj)
			bpf_program__set_autoload(q, q == p);
		bpf_program__set_log_buf(p, vlog, sizeof(vlog));
		/* level 1 for the path to an error; 4 adds the statistics
		 * line, which --stats prints for accepted programs too */
		bpf_program__set_log_level(p, log2 ? 2 : stats ? 1 | 4 : 1);
		vlog[0] = '\0';
		if (bpf_object__load(obj)) {
			if (errno == EPERM && !vlog[0]) {
				printf("SKIP bpf() refused\n");
				return 2;
			}
			printf("PROG %s REJECT\n", names[i]);
			if (show_log)
				printf("%s\n", vlog);
		} else {
			printf("PROG %s ACCEPT", names[i]);
			if (run) {
				LIBBPF_OPTS(bpf_test_run_opts, o,
					    .ctx_in = ctx_len ? ctx : NULL,
					    .ctx_size_in = (unsigned)ctx_len);
				int err = bpf_prog_test_run_opts(
					bpf_program__fd(p), &o);

				if (err)
					printf(" run-error %d", -errno);
				else
					printf(" retval %" PRIu32, o.retval);
			}
			if (stats) {
				const char *st = strstr(vlog, "processed ");
				const char *vt = strstr(vlog, "verification time ");

				if (vt)
					printf(" %.*s;", (int)strcspn(vt, "\n"), vt);
				if (st)
					printf(" %.*s", (int)strcspn(st, "\n"), st);
			}
			printf("\n");
			if (log2)
				printf("%s\n", vlog);
		}
		any = 1;
	}
	bpf_object__close(obj);
	return any ? 0 : 1;
}
