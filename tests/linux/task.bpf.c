// SPDX-License-Identifier: BSD-2-Clause
/*
 * The task kfuncs as kernel programs use them: bpf_task_from_pid with its
 * NULL check, bpf_task_acquire/release, the trusted current task, and the
 * misuses the verifier refuses (leaks, unchecked NULL, use after release,
 * releasing what was not acquired, writes into a task).
 * An acquired pointer's trust comes from its reference: R0 is a plain
 * 'ptr_or_null_' in both verifiers.
 */
// EXPECT(task_from_pid_checked): ACCEPT
// RETVAL(task_from_pid_checked): 1
// EXPECT(task_acquire_release): ACCEPT
// RETVAL(task_acquire_release): 1
// EXPECT(task_current_acquire): ACCEPT
// RETVAL(task_current_acquire): 1
// EXPECT(task_from_pid_unchecked): REJECT R0 invalid mem access 'ptr_or_null_'
// EXPECT(task_release_unchecked): REJECT Possibly NULL pointer passed to trusted arg0
// EXPECT(task_leak): REJECT Unreleased reference
// EXPECT(task_use_after_release): REJECT invalid mem access 'scalar'
// EXPECT(task_double_release): REJECT arg#0 pointer type STRUCT task_struct must point to scalar, or struct with scalar
// EXPECT(task_release_current): REJECT release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID
// EXPECT(task_write_field): REJECT only read is supported
// EXPECT(task_acquire_untrusted): REJECT R1 must be a rcu pointer
#include "kfuncs.h"

static __always_inline int tgid_self(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

SEC("syscall")
int task_from_pid_checked(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(tgid_self());
	int ret;

	if (!t)
		return 2;
	ret = t->pid == tgid_self() && t->group_leader == t ? 1 : 3;
	bpf_task_release(t);
	return ret;
}

SEC("syscall")
int task_acquire_release(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(tgid_self()), *a;
	int ret = 1;

	if (!t)
		return 2;
	a = bpf_task_acquire(t);
	if (!a) {
		bpf_task_release(t);
		return 3;
	}
	if (a != t || a->tgid != tgid_self())
		ret = 4;
	bpf_task_release(t);
	bpf_task_release(a);
	return ret;
}

/* the current task is trusted: it can be acquired without RCU */
SEC("syscall")
int task_current_acquire(void *ctx)
{
	struct task_struct *a = bpf_task_acquire(bpf_get_current_task_btf());
	int ret;

	if (!a)
		return 2;
	ret = a->pid == (__u32)bpf_get_current_pid_tgid() ? 1 : 3;
	bpf_task_release(a);
	return ret;
}

SEC("syscall")
int task_from_pid_unchecked(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	int pid = t->pid;

	bpf_task_release(t);
	return pid;
}

SEC("syscall")
int task_release_unchecked(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	bpf_task_release(t);
	return 0;
}

SEC("syscall")
int task_leak(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	return t->pid;
}

SEC("syscall")
int task_use_after_release(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	bpf_task_release(t);
	return t->pid;
}

SEC("syscall")
int task_double_release(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1), *a;

	if (!t)
		return 0;
	a = bpf_task_acquire(t);
	if (a)
		bpf_task_release(a);
	bpf_task_release(t);
	bpf_task_release(t);
	return 0;
}

/* bpf_get_current_task_btf() is trusted but not a reference */
SEC("syscall")
int task_release_current(void *ctx)
{
	bpf_task_release(bpf_get_current_task_btf());
	return 0;
}

SEC("syscall")
int task_write_field(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	t->pid = 2;
	bpf_task_release(t);
	return 0;
}

/* a pointer walked out of a task in a sleepable program, outside RCU, is
 * neither referenced nor trusted */
SEC("syscall")
int task_acquire_untrusted(void *ctx)
{
	struct task_struct *p;

	p = bpf_task_acquire(bpf_get_current_task_btf()->real_parent);
	if (p)
		bpf_task_release(p);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
