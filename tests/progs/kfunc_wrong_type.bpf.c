// SPDX-License-Identifier: BSD-2-Clause
/* A kfunc registered for tracing programs only, called from syscall. */
// LOAD-ERROR: calling kernel function bh_test_tracing_only is not allowed
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bh_test_tracing_only(int x) __ksym;

SEC("syscall")
int wrong_type(void *ctx)
{
	return bh_test_tracing_only(1);
}

char LICENSE[] SEC("license") = "GPL";
