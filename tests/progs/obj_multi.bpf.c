// SPDX-License-Identifier: BSD-2-Clause
/* Several programs in different SEC()s and in one section, calling static
 * and global subprograms in .text, and a callback passed by address (BPF_PSEUDO_FUNC). */
// RETVAL(multi_a): 42
// RETVAL(multi_b): 7
// RETVAL(multi_c): 11
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int add_one(int x)
{
	return x + 1;
}

__noinline int twice(int x)
{
	return add_one(x) * 2 - 2;
}

static __noinline int leaf(int x)
{
	return x + 3;
}

static int count_cb(__u32 idx, void *data)
{
	*(int *)data += 1;
	return 0;
}

SEC("syscall")
int multi_a(void *ctx)
{
	/* twice(20) = 40, add_one(1) = 2 */
	return twice(20) + add_one(1);
}

volatile int four = 4;

SEC("syscall")
int multi_b(void *ctx)
{
	return leaf(four);
}

SEC("syscall/other")
int multi_c(void *ctx)
{
	int n = 0;

	bpf_loop(11, count_cb, &n, 0);
	return n;
}

char LICENSE[] SEC("license") = "GPL";
