// SPDX-License-Identifier: BSD-2-Clause
/* Static and global subprograms, called in a chain and from two programs. */
// RETVAL(calls_a): 126
// RETVAL(calls_b): 40
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int twice(int x)
{
	return x * 2;
}

static __attribute__((noinline)) int add_twice(int a, int b)
{
	return twice(a) + twice(b);
}

__attribute__((noinline)) int global_sum3(int a, int b, int c)
{
	return add_twice(a, b) + c;
}

SEC("syscall")
int calls_a(void *ctx)
{
	/* (10*2 + 20*2) + 66 = 126 */
	return global_sum3(10, 20, 66);
}

SEC("syscall")
int calls_b(void *ctx)
{
	return add_twice(5, 15);
}

char LICENSE[] SEC("license") = "GPL";
