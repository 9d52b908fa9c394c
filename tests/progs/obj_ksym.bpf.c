// SPDX-License-Identifier: BSD-2-Clause
/* Extern kfuncs (strong and __weak) and an extern __ksym variable. */
// LOAD-ERROR: ksym variables are not supported
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bh_test_kfunc(int x) __ksym;
extern int bh_test_weak_kfunc(int x) __ksym __weak;
extern const int bh_test_ksym_var __ksym;

SEC("syscall")
int use_ksym(void *ctx)
{
	int r = bh_test_kfunc(1);

	if (bh_test_weak_kfunc)
		r += bh_test_weak_kfunc(2);
	return r + (long)&bh_test_ksym_var;
}

char LICENSE[] SEC("license") = "GPL";
