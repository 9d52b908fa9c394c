// SPDX-License-Identifier: BSD-2-Clause
/* __weak externs: a missing one is left unresolved and bpf_ksym_exists()
 * sees 0; a present one resolves. */
// RETVAL: 7
// KERNEL: skip bh_test_kfunc is a bpfhost test kfunc: the kernel resolves the __weak extern to 0 and the result differs
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bh_no_such_kfunc(int x) __ksym __weak;
extern int bh_test_kfunc(int x) __ksym __weak;

SEC("syscall")
int weak(void *ctx)
{
	int r = 0;

	if (bh_no_such_kfunc)
		r += bh_no_such_kfunc(1) + 100;
	if (bh_test_kfunc)
		r += bh_test_kfunc(0) + 7;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
