// SPDX-License-Identifier: BSD-2-Clause
/* Sleepable and destructive kfuncs under host program types (test_progtypes). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int pt_sleepy(int x) __ksym;
extern int pt_destroy(int x) __ksym;

SEC("gated")
int sleepy_in_plain(void *ctx)
{
	return pt_sleepy(1);
}

SEC("gated.s")
int sleepy_in_sleepable(void *ctx)
{
	return pt_sleepy(2);
}

SEC("gated")
int destructive(void *ctx)
{
	return pt_destroy(3);
}

char LICENSE[] SEC("license") = "GPL";
