// SPDX-License-Identifier: BSD-2-Clause
/* A ___flavor suffix is ignored when linking, as libbpf does. */
// RETVAL: 12
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u64 bh_test_add___v2(__u64 a, __u64 b) __ksym;

SEC("syscall")
int flavor(void *ctx)
{
	return bh_test_add___v2(5, 7);
}

char LICENSE[] SEC("license") = "GPL";
