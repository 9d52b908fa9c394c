// SPDX-License-Identifier: BSD-2-Clause
/*
 * A global function is verified on its own and its callers see only its
 * prototype, so a bpf_throw inside it unwinds past whatever the caller
 * holds.  Linux 6.18 accepts such calls (checked with kload: both programs
 * below load) and leaks the caller's references; bpfhost, whose references
 * are host objects and whose sections are per-thread state, checks the
 * caller at the call as the throw would: held references and open RCU /
 * irq / preemption sections are rejected.  Without them the call is fine.
 */
// KERNEL: skip bpfhost is stricter than Linux 6.18 here (the kernel accepts throw_global_leak and throw_global_rcu and leaks)
// EXPECT(throw_global_leak): REJECT Unreleased reference id=2 alloc_insn=0
// EXPECT(throw_global_rcu): REJECT calling global function global_thrower() that may throw cannot be used inside bpf_rcu_read_lock-ed region
// EXPECT(throw_global_ok): ACCEPT
// RETVAL(throw_global_ok): 21
#include "k_common.h"

extern void bpf_throw(__u64 cookie) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;
struct cpumask {
	unsigned long bits[1];
} __attribute__((preserve_access_index));
struct bpf_cpumask {
	struct cpumask cpumask;
	int usage;
} __attribute__((preserve_access_index));
extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;

/* a value the verifier does not know */
volatile int k_zero;

__noinline int global_thrower(int x)
{
	if (x > 20)
		bpf_throw(21);
	return x;
}

SEC("syscall")
int throw_global_leak(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	int r;

	if (!m)
		return 0;
	r = global_thrower(k_zero + 30);
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
int throw_global_rcu(void *ctx)
{
	int r;

	bpf_rcu_read_lock();
	r = global_thrower(k_zero + 30);
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
int throw_global_ok(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	int r;

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	r = global_thrower(k_zero + 30);
	return r + 1;
}

char _license[] SEC("license") = "GPL";
