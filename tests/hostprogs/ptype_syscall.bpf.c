// SPDX-License-Identifier: BSD-2-Clause
/* A syscall program calling a kfunc registered only for the host type
 * "filter": refused at load; and one using a "*" kfunc: fine. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int pt_filter_only(int x) __ksym;

SEC("syscall")
int wrong_type(void *ctx)
{
	return pt_filter_only(1);
}

char LICENSE[] SEC("license") = "GPL";
