// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kfunc contract rules on kernel-named kfuncs, with the 6.18 kernel's
 * verdicts (kload): release needs a reference, trusted arguments reject
 * NULL, a released pointer must be at offset 0, RCU read sections
 * (unmatched unlock, nesting, sleepable kfuncs inside), RCU-protected
 * kfuncs, sleepable kfuncs from non-sleepable programs.
 */
// EXPECT(release_unreferenced): REJECT release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID
// RETVAL(release_unreferenced): none
// EXPECT(acquire_null): REJECT Possibly NULL pointer passed to trusted arg0
// RETVAL(acquire_null): none
// EXPECT(release_offset): REJECT R1 must have zero offset when passed to release func or trusted arg to kfunc
// RETVAL(release_offset): none
// EXPECT(rcu_unmatched): REJECT unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)
// RETVAL(rcu_unmatched): none
// EXPECT(rcu_nested): REJECT nested rcu read lock (kernel function bpf_rcu_read_lock)
// RETVAL(rcu_nested): none
// EXPECT(sleep_in_rcu): REJECT kernel func bpf_copy_from_user_str is sleepable within rcu_read_lock region
// RETVAL(sleep_in_rcu): none
// EXPECT(rcu_ok): ACCEPT
// RETVAL(rcu_ok): 1
#include "task_common.h"

SEC("syscall")
int release_unreferenced(void *ctx)
{
	bpf_task_release(bpf_get_current_task_btf());
	return 0;
}

SEC("syscall")
int acquire_null(void *ctx)
{
	struct task_struct *t = bpf_task_acquire((struct task_struct *)0);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("syscall")
int release_offset(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	bpf_task_release((struct task_struct *)((char *)t + 8));
	return 0;
}

SEC("syscall")
int rcu_unmatched(void *ctx)
{
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int rcu_nested(void *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int sleep_in_rcu(void *ctx)
{
	char buf[8];

	bpf_rcu_read_lock();
	bpf_copy_from_user_str(buf, sizeof(buf), 0, 0);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int rcu_ok(void *ctx)
{
	struct task_struct *t;
	int ret = 0;

	bpf_rcu_read_lock();
	t = bpf_task_acquire(bpf_get_current_task_btf());
	bpf_rcu_read_unlock();
	if (t) {
		ret = 1;
		bpf_task_release(t);
	}
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
