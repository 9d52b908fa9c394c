// SPDX-License-Identifier: BSD-2-Clause
/*
 * `make bench`: each benchmark program run in bpfhost's interpreter and its
 * native C twin (-O2) side by side in one process, best of several rounds,
 * reported as ns per loop iteration and the interpreter/native ratio.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "bpfhost/bpfhost.h"
#include "exec/exec.h"

#define ROUNDS 5

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bh_fn prandom;

static int native_calls_fn(struct bench_ctx *c)
{
	return native_calls(c, prandom);
}

static const struct bench {
	const char *name;
	const char *what;
	uint64_t n; /* loop iterations per run */
	int (*native)(struct bench_ctx *c);
} benches[] = {
	{ "arith", "tight 64-bit arithmetic loop", 1 << 20, native_arith },
	{ "checksum", "Adler-style checksum over 64 KiB", 65536,
	  native_checksum },
	{ "branchy", "xorshift + 4-way data-dependent branches", 1 << 20,
	  native_branchy },
	{ "calls", "call a host function (bpf_get_prandom_u32) per iteration",
	  1 << 20, native_calls_fn },
};

int main(int argc, char **argv)
{
	const char *obj_path = argc > 1 ? argv[1] : "build/bench/progs.bpf.o";
	struct bench_ctx *ctx = calloc(1, sizeof(*ctx));
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	int fails = 0;

	BPFHOST_OPTS(bpfhost_open_opts, oo, .unverified = true);
	prandom = bh_helper_by_id(7)->fn;
	obj = bpfhost_obj_open(rt, obj_path, &oo);
	if (!ctx || !obj || bpfhost_obj_load(obj)) {
		fprintf(stderr, "bench: cannot load %s\n", obj_path);
		return 1;
	}
	srand(1);
	for (size_t i = 0; i < sizeof(ctx->buf); i++)
		ctx->buf[i] = (unsigned char)rand();
	ctx->seed = 0x9e3779b97f4a7c15ull;
	{
		struct bpfhost_map *bss = bpfhost_obj_map(obj, ".bss");
		uint32_t zero = 0;

		if (!bss || bpfhost_map_update(bss, &zero, ctx->buf, 0)) {
			fprintf(stderr, "bench: cannot fill .bss\n");
			return 1;
		}
	}

	printf("%-10s %-10s %14s %14s %8s\n", "benchmark", "iters/run",
	       "interp ns/it", "native ns/it", "ratio");
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		const struct bench *bn = &benches[b];
		struct bpfhost_prog *prog = bpfhost_obj_prog(obj, bn->name);
		uint64_t best_i = UINT64_MAX, best_n = UINT64_MAX, r0 = 0;
		int nat = 0;

		ctx->n = bn->n;
		if (!prog) {
			fprintf(stderr, "bench: no program '%s'\n", bn->name);
			return 1;
		}
		for (int r = 0; r < ROUNDS; r++) {
			uint64_t t0 = now_ns(), t1;

			bpfhost_prog_run(prog, ctx, sizeof(*ctx), &r0);
			t1 = now_ns();
			if (t1 - t0 < best_i)
				best_i = t1 - t0;
			t0 = now_ns();
			nat = bn->native(ctx);
			t1 = now_ns();
			if (t1 - t0 < best_n)
				best_n = t1 - t0;
		}
		/* same logic, same answer (calls: random values, only != 0) */
		if ((int)r0 != nat) {
			fprintf(stderr, "bench: %s: interpreter %d != native %d\n",
				bn->name, (int)r0, nat);
			fails++;
		}
		printf("%-10s %-10" PRIu64 " %14.2f %14.2f %7.1fx   %s\n",
		       bn->name, bn->n, (double)best_i / (double)bn->n,
		       (double)best_n / (double)bn->n,
		       (double)best_i / (double)(best_n ? best_n : 1), bn->what);
	}
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(ctx);
	return fails ? 1 : 0;
}
