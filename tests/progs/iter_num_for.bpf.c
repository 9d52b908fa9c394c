// SPDX-License-Identifier: BSD-2-Clause
/* bpf_for and bpf_repeat over the built-in bpf_iter_num, as on Linux
 * (the kernel returns the same 545 through BPF_PROG_TEST_RUN). */
// RETVAL(sum_for): 545
// RETVAL(iter_errors): 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("syscall")
int sum_for(void *ctx)
{
	int i, s = 0;

	bpf_for(i, 0, 10)
		s += i;
	bpf_repeat(5)
		s += 100;
	return s;
}

/* the kernel's constructor errors: start > end, and more than 8M steps */
SEC("syscall")
int iter_errors(void *ctx)
{
	struct bpf_iter_num it;
	int a, b;

	a = bpf_iter_num_new(&it, 5, 1);
	bpf_iter_num_destroy(&it);
	b = bpf_iter_num_new(&it, 0, (1 << 23) + 1);
	bpf_iter_num_destroy(&it);
	return a == -22 && b == -7;
}

char LICENSE[] SEC("license") = "GPL";
