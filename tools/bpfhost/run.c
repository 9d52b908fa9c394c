// SPDX-License-Identifier: BSD-2-Clause
/*
 * `bpfhost run OBJ`: load an object and run one program on a context
 * buffer, printing r0 and the time per run, then what the program wrote
 * into the object's ring buffers (up to 16 records each, in hex).
 *
 * Programs are verified before they run; --unverified skips the proof (a
 * debug option: such a program can read or write any memory of this
 * process), for trying programs the verifier cannot handle yet.  With -p
 * only that program is verified and loaded.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct rb_print {
	unsigned total;
};

static int print_record(void *ctx, void *data, size_t size)
{
	struct rb_print *p = ctx;
	const uint8_t *b = data;

	if (p->total++ >= 16)
		return 0;
	printf("  record %u, %zu bytes:", p->total - 1, size);
	for (size_t i = 0; i < size && i < 64; i++)
		printf("%s%02x", i % 16 ? " " : "\n    ", b[i]);
	printf("%s\n", size > 64 ? " ..." : "");
	return 0;
}

static void print_ringbufs(struct bpfhost_obj *obj)
{
	for (size_t i = 0; i < bpfhost_obj_map_count(obj); i++) {
		struct bpfhost_map *m = bpfhost_obj_map_at(obj, i);
		struct bpfhost_map_info info;
		struct rb_print p = {0};

		bpfhost_map_info(m, &info);
		if (info.type != 27) /* BPF_MAP_TYPE_RINGBUF */
			continue;
		printf("ring buffer '%s':\n", info.name);
		if (bpfhost_ringbuf_consume(m, print_record, &p) < 0)
			continue;
		if (p.total > 16)
			printf("  ... %u more\n", p.total - 16);
		printf("  %u record%s\n", p.total, p.total == 1 ? "" : "s");
	}
}

static void run_usage(void)
{
	fprintf(stderr, "usage: bpfhost run OBJ [-p PROG] [--ctx FILE | "
			"--ctx-hex HEX] [--repeat N] [--unverified]\n");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"prog", required_argument, NULL, 'p'},
		{"ctx", required_argument, NULL, 'c'},
		{"ctx-hex", required_argument, NULL, 'x'},
		{"repeat", required_argument, NULL, 'r'},
		{"unverified", no_argument, NULL, 'u'},
		{NULL, 0, NULL, 0},
	};
	const char *prog_name = NULL, *ctx_file = NULL, *ctx_hex = NULL;
	unsigned long repeat = 1;
	bool unverified = false;
	uint8_t *ctx = NULL;
	size_t ctx_len = 0;
	char log[8192];
	struct bpfhost_rt *rt = NULL;
	struct bpfhost_obj *obj = NULL;
	struct bpfhost_prog *prog;
	uint64_t r0 = 0, t0, t1;
	int c, ret = 1, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			prog_name = optarg;
			break;
		case 'c':
			ctx_file = optarg;
			break;
		case 'x':
			ctx_hex = optarg;
			break;
		case 'r': {
			char *end;

			repeat = strtoul(optarg, &end, 0);
			if (*end || !repeat) {
				fprintf(stderr, "bpfhost: bad --repeat '%s'\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'u':
			unverified = true;
			break;
		default:
			run_usage();
			return 2;
		}
	}
	if (optind != argc - 1 || (ctx_file && ctx_hex)) {
		run_usage();
		return 2;
	}
	if (ctx_file && (err = cli_read_file(ctx_file, &ctx, &ctx_len))) {
		fprintf(stderr, "bpfhost: %s: %s\n", ctx_file, strerror(-err));
		return 1;
	}
	if (ctx_hex && cli_parse_hex(ctx_hex, &ctx, &ctx_len)) {
		fprintf(stderr, "bpfhost: --ctx-hex: not hex bytes\n");
		return 2;
	}
	if (unverified)
		fprintf(stderr, "bpfhost: warning: --unverified: running "
				"without the verifier's proof; the program can "
				"read and write any memory of this process\n");

	rt = bpfhost_rt_new(NULL);
	if (!rt)
		goto out;
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log,
			     .log_size = sizeof(log), .unverified = unverified);

		obj = bpfhost_obj_open(rt, argv[optind], &oo);
	}
	if (!obj)
		goto out;
	if (prog_name) {
		prog = bpfhost_obj_prog(obj, prog_name);
		if (!prog) {
			fprintf(stderr, "bpfhost: no program '%s' in %s\n",
				prog_name, argv[optind]);
			goto out;
		}
		for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
			struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);

			bpfhost_prog_set_autoload(p, p == prog);
		}
	}
	if (bpfhost_obj_load(obj))
		goto out;
	if (!prog_name) {
		if (bpfhost_obj_prog_count(obj) == 0) {
			fprintf(stderr, "bpfhost: %s has no programs\n",
				argv[optind]);
			goto out;
		}
		if (bpfhost_obj_prog_count(obj) > 1)
			fprintf(stderr,
				"bpfhost: %zu programs, running the first; "
				"choose with -p\n",
				bpfhost_obj_prog_count(obj));
		prog = bpfhost_obj_prog_at(obj, 0);
	}
	t0 = now_ns();
	for (unsigned long i = 0; i < repeat; i++) {
		err = bpfhost_prog_run(prog, ctx, ctx_len, &r0);
		if (err) {
			fprintf(stderr, "bpfhost: prog '%s': run failed: %s\n",
				bpfhost_prog_name(prog), strerror(-err));
			goto out;
		}
	}
	t1 = now_ns();
	printf("prog '%s': r0 = %" PRIu64 " (0x%" PRIx64 ")\n",
	       bpfhost_prog_name(prog), r0, r0);
	printf("%lu run%s, %.1f ns per run\n", repeat, repeat == 1 ? "" : "s",
	       (double)(t1 - t0) / (double)repeat);
	print_ringbufs(obj);
	ret = 0;
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(ctx);
	return ret;
}
