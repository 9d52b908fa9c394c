// SPDX-License-Identifier: BSD-2-Clause
/* A bounded loop the compiler keeps as a loop: sum of 1..n, n from a global. */
// RETVAL: 5050
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile int n = 100;

SEC("syscall")
int loop_sum(void *ctx)
{
	int sum = 0;

	for (int i = 1; i <= n && i <= 1000; i++)
		sum += i;
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
