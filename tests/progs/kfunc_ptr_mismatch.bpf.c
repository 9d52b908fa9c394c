// SPDX-License-Identifier: BSD-2-Clause
/* A pointer where the host takes an integer: incompatible prototypes. */
// LOAD-ERROR: incompatible with
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bh_test_kfunc(int *x) __ksym;

SEC("syscall")
int ptr_mismatch(void *ctx)
{
	int x = 1;

	return bh_test_kfunc(&x);
}

char LICENSE[] SEC("license") = "GPL";
