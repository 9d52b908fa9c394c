// SPDX-License-Identifier: BSD-2-Clause
/* A strong extern the runtime does not provide: a load error naming it. */
// LOAD-ERROR: prog 'missing': kfunc 'bh_no_such_kfunc' is not provided by this runtime for program type 'syscall'
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bh_no_such_kfunc(int x) __ksym;

SEC("syscall")
int missing(void *ctx)
{
	return bh_no_such_kfunc(1);
}

char LICENSE[] SEC("license") = "GPL";
