// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_rcu_read_lock/unlock in a sleepable (syscall) program: RCU-safe
 * members walked inside a section are RCU pointers (readable, usable as
 * kfunc arguments), and the section rules the verifier enforces.
 */
// EXPECT(rcu_parent_pid): ACCEPT
// RETVAL(rcu_parent_pid): 1
// EXPECT(rcu_leader_acquire): ACCEPT
// RETVAL(rcu_leader_acquire): 1
// EXPECT(rcu_unlock_unmatched): REJECT unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)
// EXPECT(rcu_nested): REJECT nested rcu read lock (kernel function bpf_rcu_read_lock)
// EXPECT(rcu_exit_locked): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region
// EXPECT(rcu_sleep_inside): REJECT kernel func bpf_copy_from_user_str is sleepable within rcu_read_lock region
// EXPECT(rcu_ptr_after_unlock): REJECT R1 must be a rcu pointer
#include "kfuncs.h"

SEC("syscall")
int rcu_parent_pid(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	int ppid, ret = 1;
	struct task_struct *p;

	bpf_rcu_read_lock();
	ppid = cur->real_parent->tgid;
	bpf_rcu_read_unlock();
	/* the parent is a live process: it can be looked up */
	p = bpf_task_from_pid(ppid);
	if (!p)
		return 2;
	if (p->pid != ppid)
		ret = 3;
	bpf_task_release(p);
	return ret;
}

SEC("syscall")
int rcu_leader_acquire(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *l;
	int ret;

	bpf_rcu_read_lock();
	l = bpf_task_acquire(cur->group_leader);
	bpf_rcu_read_unlock();
	if (!l)
		return 2;
	ret = l->pid == (int)(bpf_get_current_pid_tgid() >> 32) ? 1 : 3;
	bpf_task_release(l);
	return ret;
}

SEC("syscall")
int rcu_unlock_unmatched(void *ctx)
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
int rcu_exit_locked(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();

	bpf_rcu_read_lock();
	if (cur->real_parent->pid == 1)
		return 1;
	bpf_rcu_read_unlock();
	return 0;
}

char buf[16];

SEC("syscall")
int rcu_sleep_inside(void *ctx)
{
	int n;

	bpf_rcu_read_lock();
	n = bpf_copy_from_user_str(buf, sizeof(buf), ctx, 0);
	bpf_rcu_read_unlock();
	return n;
}

/* an RCU pointer loses its protection at the unlock */
SEC("syscall")
int rcu_ptr_after_unlock(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *p;

	bpf_rcu_read_lock();
	p = cur->real_parent;
	bpf_rcu_read_unlock();
	p = bpf_task_acquire(p);
	if (p)
		bpf_task_release(p);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
