/* SPDX-License-Identifier: BSD-2-Clause */
/* What the benchmark programs and their native twins share. */
#ifndef BPFHOST_BENCH_H
#define BPFHOST_BENCH_H

#include <stdint.h>

#define MAX_ITERS (1 << 24)

struct bench_ctx {
	uint64_t n;
	uint64_t seed;
	unsigned char buf[65536] __attribute__((aligned(8)));
};

int native_arith(struct bench_ctx *c);
int native_checksum(struct bench_ctx *c);
int native_branchy(struct bench_ctx *c);
int native_calls(struct bench_ctx *c,
		 uint64_t (*fn)(uint64_t, uint64_t, uint64_t, uint64_t,
				uint64_t));

#endif
