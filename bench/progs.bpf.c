// SPDX-License-Identifier: BSD-2-Clause
/*
 * Benchmark programs.  Each takes its work size from the ctx (so nothing is
 * constant-folded) and mirrors one function of native.c line for line.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_ITERS (1 << 24)

/*
 * The kernel's may_goto loop guard (as in its bpf_experimental.h): the
 * verifier need not walk each iteration, and the runtime stops the loop
 * after a budget of iterations.
 */
#define can_loop                                                      \
	({                                                            \
		__label__ l_break, l_continue;                        \
		int ret = 1;                                          \
		asm volatile goto("may_goto %l[l_break]" :::: l_break); \
		goto l_continue;                                      \
	l_break:                                                      \
		ret = 0;                                              \
	l_continue:;                                                  \
		ret;                                                  \
	})

struct bench_ctx {
	__u64 n;	/* iterations */
	__u64 seed;
	unsigned char buf[65536];
};

SEC("syscall")
int arith(struct bench_ctx *c)
{
	__u64 x = c->seed, n = c->n;

	for (__u64 i = 0; i < n && can_loop; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		x ^= x >> 33;
	}
	return (int)(x ^ (x >> 32));
}

/* filled by the host through the ".bss" map: a program cannot index its
 * ctx with a variable offset.  Read 8 bytes at a time so the verifier
 * walks 8192 iterations, not 65536. */
__u64 data[65536 / 8];

SEC("syscall")
int checksum(struct bench_ctx *c)
{
	__u32 a = 1, b = 0;

	for (__u32 i = 0; i < 65536 / 8 && can_loop; i++) {
		__u64 w = data[i & 8191];

		for (int k = 0; k < 8; k++) {
			a += (__u32)(w >> (8 * k)) & 0xff;
			b += a;
		}
	}
	return (int)((b << 16) | (a & 0xffff));
}

SEC("syscall")
int branchy(struct bench_ctx *c)
{
	__u64 x = c->seed, n = c->n;
	int odd = 0, big = 0, small = 0;

	for (__u64 i = 0; i < n && can_loop; i++) {
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

SEC("syscall")
int calls(struct bench_ctx *c)
{
	__u64 n = c->n;
	__u32 acc = 0;

	for (__u64 i = 0; i < n && can_loop; i++)
		acc += bpf_get_prandom_u32() & 0xff;
	return acc != 0;
}

char LICENSE[] SEC("license") = "GPL";
