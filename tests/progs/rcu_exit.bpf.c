// SPDX-License-Identifier: BSD-2-Clause
/* Exit with an RCU read-side section still held: refused, as the kernel does. */
// EXPECT: REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region
// RETVAL: none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
SEC("syscall")
int rcu_exit(void *ctx)
{
	bpf_rcu_read_lock();
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
