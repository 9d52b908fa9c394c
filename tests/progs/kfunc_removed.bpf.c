// SPDX-License-Identifier: BSD-2-Clause
/* A kfunc the runtime no longer provides: the error names its replacement. */
// LOAD-ERROR: kfunc 'bh_test_gone' has been removed from this runtime (program type 'syscall'); use 'bh_test_add' instead: merged into bh_test_add
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bh_test_gone(int x) __ksym;

SEC("syscall")
int removed(void *ctx)
{
	return bh_test_gone(1);
}

char LICENSE[] SEC("license") = "GPL";
