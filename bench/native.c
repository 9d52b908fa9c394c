// SPDX-License-Identifier: BSD-2-Clause
/* The benchmark programs' logic as native C, the baseline for the ratios. */
#include <stdint.h>

#include "bench.h"

__attribute__((noinline)) int native_arith(struct bench_ctx *c)
{
	uint64_t x = c->seed, n = c->n;

	for (uint64_t i = 0; i < n && i < MAX_ITERS; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		x ^= x >> 33;
	}
	return (int)(x ^ (x >> 32));
}

__attribute__((noinline)) int native_checksum(struct bench_ctx *c)
{
	const uint64_t *data = (const uint64_t *)c->buf;
	uint32_t a = 1, b = 0;

	for (uint32_t i = 0; i < 65536 / 8; i++) {
		uint64_t w = data[i & 8191];

		for (int k = 0; k < 8; k++) {
			a += (uint32_t)(w >> (8 * k)) & 0xff;
			b += a;
		}
	}
	return (int)((b << 16) | (a & 0xffff));
}

__attribute__((noinline)) int native_branchy(struct bench_ctx *c)
{
	uint64_t x = c->seed, n = c->n;
	int odd = 0, big = 0, small = 0;

	for (uint64_t i = 0; i < n && i < MAX_ITERS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x & 1)
			odd++;
		else if ((x & 0xff) > 0xc0)
			big++;
		else if ((x & 0xff) < 0x10)
			small++;
		else
			odd--;
	}
	return odd * 3 + big * 5 + small;
}

__attribute__((noinline)) int native_calls(struct bench_ctx *c,
					   uint64_t (*fn)(uint64_t, uint64_t,
							  uint64_t, uint64_t,
							  uint64_t))
{
	uint64_t n = c->n;
	uint32_t acc = 0;

	for (uint64_t i = 0; i < n && i < MAX_ITERS; i++)
		acc += (uint32_t)fn(0, 0, 0, 0, 0) & 0xff;
	return acc != 0;
}
