// SPDX-License-Identifier: BSD-2-Clause
/*
 * `bpfhost kfunc list` and `bpfhost btf dump`: what a runtime offers BPF
 * programs — the built-in kfuncs, and those of any --plugin libraries the
 * CLI loaded (their constructors register sets as a host's would).
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/kfunc.h"
#include "cli.h"

static void print_text(const struct bpfhost_kfunc_info *ki)
{
	printf("%s  [%s]", ki->name,
	       strcmp(ki->prog_type, "*") ? ki->prog_type
					  : "all program types");
	if (ki->removed) {
		printf("  REMOVED");
	} else if (ki->flags_str[0]) {
		printf("  %s", ki->flags_str);
	}
	printf("\n");
	if (ki->removed || ki->deprecated) {
		printf("    %s", ki->removed ? "removed" : "deprecated");
		if (ki->replacement)
			printf(": use %s", ki->replacement);
		if (ki->message)
			printf(" (%s)", ki->message);
		printf("\n");
	}
	if (ki->removed)
		return;
	printf("    %s\n", ki->proto);
	for (uint32_t a = 0; a < ki->nargs; a++) {
		const struct bpfhost_kfunc_arg_info *ai = &ki->args[a];
		const char *fl = ai->flags_str;

		if (!ai->annotations[0] && !fl[0])
			continue;
		printf("    arg#%u %s:%s%s%s%s\n", a, ai->name,
		       ai->annotations[0] ? " " : "", ai->annotations,
		       fl[0] ? " contract " : "", fl);
	}
}

static void print_json(const struct bpfhost_kfunc_info *ki, bool first)
{
	printf("%s\n  {\"name\": ", first ? "" : ",");
	cli_json_str(ki->name);
	printf(", \"prog_type\": ");
	cli_json_str(ki->prog_type);
	printf(", \"flags\": %u, \"flags_str\": ", ki->flags);
	cli_json_str(ki->flags_str);
	printf(", \"removed\": %s, \"deprecated\": %s",
	       ki->removed ? "true" : "false",
	       ki->deprecated ? "true" : "false");
	printf(", \"replacement\": ");
	if (ki->replacement)
		cli_json_str(ki->replacement);
	else
		printf("null");
	printf(", \"message\": ");
	if (ki->message)
		cli_json_str(ki->message);
	else
		printf("null");
	if (!ki->removed) {
		printf(", \"proto\": ");
		cli_json_str(ki->proto);
		printf(", \"btf_source\": ");
		cli_json_str(ki->origin);
		printf(", \"btf_id\": %u, \"args\": [", ki->btf_id);
		for (uint32_t a = 0; a < ki->nargs; a++) {
			const struct bpfhost_kfunc_arg_info *ai = &ki->args[a];

			printf("%s{\"name\": ", a ? ", " : "");
			cli_json_str(ai->name);
			printf(", \"type\": ");
			cli_json_str(ai->type);
			printf(", \"annotations\": ");
			cli_json_str(ai->annotations);
			printf(", \"contract\": ");
			cli_json_str(ai->flags_str);
			printf("}");
		}
		printf("]");
	}
	printf("}");
}

int cmd_kfunc(int argc, char **argv)
{
	static const struct option opts[] = {
		{"prog-type", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"deprecated", no_argument, NULL, 'd'},
		{"name", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *type = NULL, *name = NULL;
	bool json = false, deprecated = false, first = true;
	struct bpfhost_rt *rt;
	size_t shown = 0;
	int c;

	if (argc < 2 || strcmp(argv[1], "list")) {
		fprintf(stderr,
			"usage: bpfhost [--plugin LIB] kfunc list [--prog-type "
			"T] [--name GLOB] [--deprecated] [--json]\n");
		return 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			type = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			deprecated = true;
			break;
		case 'n':
			name = optarg;
			break;
		default:
			return 2;
		}
	}
	rt = bpfhost_rt_new(NULL);
	if (!rt)
		return 1;
	if (json)
		printf("[");
	for (size_t i = 0; i < bpfhost_kfunc_count(rt); i++) {
		struct bpfhost_kfunc_info ki;

		if (bpfhost_kfunc_info(rt, i, &ki))
			continue;
		if (type && strcmp(ki.prog_type, "*") &&
		    strcmp(ki.prog_type, type))
			continue;
		if (deprecated && !ki.deprecated && !ki.removed)
			continue;
		if (name && fnmatch(name, ki.name, 0))
			continue;
		if (json)
			print_json(&ki, first);
		else
			print_text(&ki);
		first = false;
		shown++;
	}
	if (json)
		printf("\n]\n");
	else if (!shown)
		printf("no kfuncs%s%s\n", type ? " for " : "",
		       type ? type : "");
	bpfhost_rt_free(rt);
	return 0;
}

int cmd_btf(int argc, char **argv)
{
	struct bpfhost_rt *rt;
	int ret;

	if (argc < 2 || strcmp(argv[1], "dump") ||
	    (argc > 2 && (argc != 4 || strcmp(argv[2], "--format") ||
			  strcmp(argv[3], "c")))) {
		fprintf(stderr, "usage: bpfhost [--plugin LIB] btf dump "
				"[--format c]\n");
		return 2;
	}
	rt = bpfhost_rt_new(NULL);
	if (!rt)
		return 1;
	ret = bpfhost_btf_dump_c(rt, stdout);
	if (ret)
		fprintf(stderr, "bpfhost: btf dump: %s\n", strerror(-ret));
	bpfhost_rt_free(rt);
	return ret ? 1 : 0;
}
