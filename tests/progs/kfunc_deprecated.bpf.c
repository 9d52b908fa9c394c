// SPDX-License-Identifier: BSD-2-Clause
/* A deprecated kfunc still links, with a warning naming its replacement. */
// RETVAL: 42
// WARN: prog 'deprecated': kfunc 'bh_test_old' is deprecated; use 'bh_test_kfunc' instead: scales by 10
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bh_test_old(int x) __ksym;

SEC("syscall")
int deprecated(void *ctx)
{
	return bh_test_old(41);
}

char LICENSE[] SEC("license") = "GPL";
