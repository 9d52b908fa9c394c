// SPDX-License-Identifier: BSD-2-Clause
/* Reads the ctx buffer byte by byte (syscall programs get a caller buffer). */
// CTX-HEX: 01 02 03 04 05 06 07 08 09 0a
// RETVAL: 55
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	unsigned char b[10];
};

SEC("syscall")
int ctx_sum(struct args *a)
{
	int sum = 0;

	for (int i = 0; i < 10; i++)
		sum += a->b[i];
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
