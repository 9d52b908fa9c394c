// SPDX-License-Identifier: BSD-2-Clause
/* The task kfuncs over the host's processes, as kernel programs use them:
 * bpf_task_from_pid/vpid, acquire/release, bpf_get_current_task_btf, the
 * real_parent chain and the task iterator.  Every program checks what
 * holds on any system and returns 1 (the kernel returns the same through
 * BPF_PROG_TEST_RUN: kload, 6.18). */
// EXPECT: ACCEPT
// RETVAL: 1
#include "task_common.h"

static __always_inline int same_comm(const char *a, const char *b)
{
	for (int i = 0; i < 16; i++) {
		if (a[i] != b[i])
			return 0;
		if (!a[i])
			break;
	}
	return 1;
}

SEC("syscall")
int from_pid_self(void *ctx)
{
	__u64 pt = bpf_get_current_pid_tgid();
	int tgid = pt >> 32, ret = 1;
	struct task_struct *t = bpf_task_from_pid(tgid);
	char comm[16];

	if (!t)
		return 2;
	bpf_get_current_comm(comm, sizeof(comm));
	if (t->pid != tgid || t->tgid != tgid)
		ret = 3;
	else if (t->group_leader != t)
		ret = 4;
	else if (!same_comm(t->comm, comm))
		ret = 5;
	else if (t->flags & PF_KTHREAD)
		ret = 6;
	bpf_task_release(t);
	return ret;
}

/* no such pid: NULL, and pid 0 (the idle task) cannot be looked up */
SEC("syscall")
int from_pid_missing(void *ctx)
{
	struct task_struct *t;

	t = bpf_task_from_pid(0);
	if (t) {
		bpf_task_release(t);
		return 2;
	}
	t = bpf_task_from_pid(-1);
	if (t) {
		bpf_task_release(t);
		return 3;
	}
	t = bpf_task_from_vpid(0x3ffffff0);
	if (t) {
		bpf_task_release(t);
		return 4;
	}
	return 1;
}

/* one process, one object: acquire gives the same pointer, so does a
 * second lookup */
SEC("syscall")
int acquire_release(void *ctx)
{
	int tgid = bpf_get_current_pid_tgid() >> 32, ret = 1;
	struct task_struct *t = bpf_task_from_pid(tgid), *a, *b;

	if (!t)
		return 2;
	a = bpf_task_acquire(t);
	if (!a) {
		bpf_task_release(t);
		return 3;
	}
	b = bpf_task_from_vpid(tgid);
	if (a != t)
		ret = 4;
	if (b && b != t)
		ret = 5;
	if (t->pid != tgid)
		ret = 6;
	if (b)
		bpf_task_release(b);
	bpf_task_release(a);
	bpf_task_release(t);
	return ret;
}

SEC("syscall")
int current_btf(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *t;
	__u64 pt = bpf_get_current_pid_tgid();
	char comm[16];
	int ret = 1;

	if (cur->pid != (__u32)pt || cur->tgid != pt >> 32)
		return 2;
	bpf_get_current_comm(comm, sizeof(comm));
	if (!same_comm(cur->comm, comm))
		return 3;
	t = bpf_task_from_pid(cur->pid);
	if (!t)
		return 4;
	if (t != cur)
		ret = 5;
	bpf_task_release(t);
	return ret;
}

/* real_parent ends at the idle task, pid 0, whose parent is itself */
SEC("syscall")
int parent_chain(void *ctx)
{
	struct task_struct *p = bpf_get_current_task_btf();
	int i;

	for (i = 0; i < 64; i++) {
		if (p->pid == 0)
			break;
		p = p->real_parent;
	}
	if (i == 64 || i < 1)
		return 2;
	if (p->real_parent->pid != 0 || p->comm[0] != 's')
		return 3;
	return 1;
}

/* a reference to the parent, taken inside an RCU section */
SEC("syscall")
int acquire_parent(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *p;
	int ret = 1;

	bpf_rcu_read_lock();
	p = bpf_task_acquire(cur->real_parent);
	bpf_rcu_read_unlock();
	if (!p)
		return 2;
	if (p->pid != cur->real_parent->pid || p->pid <= 0)
		ret = 3;
	bpf_task_release(p);
	return ret;
}

/* every process: the idle task first, then us among them, and only
 * group leaders (flags, not counters, so the loop's states converge) */
SEC("syscall")
int iter_procs(void *ctx)
{
	int tgid = bpf_get_current_pid_tgid() >> 32;
	int self = 0, other = 0, thread = 0, first_idle;
	struct bpf_iter_task it;
	struct task_struct *pos;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	pos = bpf_iter_task_next(&it);
	first_idle = pos && pos->pid == 0;
	while ((pos = bpf_iter_task_next(&it))) {
		if (pos->pid == tgid)
			self = 1;
		else
			other = 1;
		if (pos->pid != pos->tgid)
			thread = 1;
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return first_idle && self && other && !thread;
}

/* the threads of our process, starting with us */
SEC("syscall")
int iter_threads(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *pos;
	int first_self, others = 0;
	struct bpf_iter_task it;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, cur, BPF_TASK_ITER_PROC_THREADS);
	pos = bpf_iter_task_next(&it);
	first_self = pos && pos->pid == cur->pid;
	while ((pos = bpf_iter_task_next(&it)))
		if (pos->tgid != cur->tgid)
			others = 1;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return first_self && !others;
}

/* unknown flags, and PROC_THREADS without a task: -EINVAL, and next()
 * of a failed iterator is NULL */
SEC("syscall")
int iter_bad_flags(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *pos;
	int a, b;

	bpf_rcu_read_lock();
	a = bpf_iter_task_new(&it, NULL, 7);
	pos = bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	if (pos) {
		bpf_rcu_read_unlock();
		return 2;
	}
	b = bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_PROC_THREADS);
	pos = bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	if (pos)
		return 3;
	return a == -22 && b == -22;
}

char LICENSE[] SEC("license") = "GPL";
