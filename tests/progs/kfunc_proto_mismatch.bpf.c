// SPDX-License-Identifier: BSD-2-Clause
/* Declared with the wrong parameter count: refused like libbpf refuses. */
// LOAD-ERROR: extern (func ksym) 'bh_test_add': func_proto
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u64 bh_test_add(__u64 a) __ksym;

SEC("syscall")
int mismatch(void *ctx)
{
	return bh_test_add(5);
}

char LICENSE[] SEC("license") = "GPL";
