// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_for_each(task, ...) over the host's processes and threads, inside
 * an RCU read section as a sleepable program needs, and its misuses.
 */
// EXPECT(task_iter_finds_self): ACCEPT
// RETVAL(task_iter_finds_self): 1
// EXPECT(task_iter_own_threads): ACCEPT
// RETVAL(task_iter_own_threads): 1
// EXPECT(task_iter_acquire_elem): ACCEPT
// RETVAL(task_iter_acquire_elem): 1
// EXPECT(task_iter_no_rcu): REJECT kernel func bpf_iter_task_new requires RCU critical section protection
// EXPECT(task_iter_release_elem): REJECT R1 must be referenced or trusted
// EXPECT(task_iter_bad_flags): ACCEPT
// RETVAL(task_iter_bad_flags): 1
// EXPECT(task_iter_register_counts): REJECT The sequence of 8193 jumps is too complex
// RETVAL(task_iter_register_counts): none
#include "kfuncs.h"

/* counters kept in globals: what a program reads back after the loop
 * does not make the loop's states precise */
__u32 procs, selves, threads, strangers;

/* every process is seen once; the caller's among them, no kthread has
 * the caller's tgid */
SEC("syscall")
int task_iter_finds_self(void *ctx)
{
	int tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *pos;

	procs = selves = 0;
	bpf_rcu_read_lock();
	bpf_for_each(task, pos, NULL, BPF_TASK_ITER_ALL_PROCS) {
		procs++;
		if (pos->pid == tgid && !(pos->flags & PF_KTHREAD))
			selves++;
	}
	bpf_rcu_read_unlock();
	return procs > 1 && selves == 1 ? 1 : 2;
}

/* the threads of the calling process all share its tgid */
SEC("syscall")
int task_iter_own_threads(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *pos;
	int tgid = bpf_get_current_pid_tgid() >> 32;

	threads = strangers = 0;
	bpf_rcu_read_lock();
	bpf_for_each(task, pos, cur, BPF_TASK_ITER_PROC_THREADS) {
		threads++;
		if (pos->tgid != tgid)
			strangers++;
	}
	bpf_rcu_read_unlock();
	return threads >= 1 && !strangers ? 1 : 2;
}

/* the same with the counters in registers: compared after the loop they
 * become precise, the loop's states never converge and the kernel gives
 * up ("The sequence of 8193 jumps is too complex"; listed in
 * tests/linux-gaps.txt while bpfhost's precision differs) */
SEC("syscall")
int task_iter_register_counts(void *ctx)
{
	int tgid = bpf_get_current_pid_tgid() >> 32, n = 0, found = 0;
	struct task_struct *pos;

	bpf_rcu_read_lock();
	bpf_for_each(task, pos, NULL, BPF_TASK_ITER_ALL_PROCS) {
		n++;
		if (pos->pid == tgid && !(pos->flags & PF_KTHREAD))
			found++;
	}
	bpf_rcu_read_unlock();
	return n > 1 && found == 1 ? 1 : 2;
}

/* an element is RCU-protected: acquiring it gives a reference that
 * outlives the section */
SEC("syscall")
int task_iter_acquire_elem(void *ctx)
{
	int tgid = bpf_get_current_pid_tgid() >> 32, ret;
	struct task_struct *pos, *mine = NULL;

	bpf_rcu_read_lock();
	bpf_for_each(task, pos, NULL, BPF_TASK_ITER_ALL_PROCS) {
		if (pos->pid == tgid) {
			mine = bpf_task_acquire(pos);
			break;
		}
	}
	bpf_rcu_read_unlock();
	if (!mine)
		return 2;
	ret = mine->tgid == tgid ? 1 : 3;
	bpf_task_release(mine);
	return ret;
}

SEC("syscall")
int task_iter_no_rcu(void *ctx)
{
	struct task_struct *pos;
	int n = 0;

	bpf_for_each(task, pos, NULL, BPF_TASK_ITER_ALL_PROCS)
		n++;
	return n;
}

SEC("syscall")
int task_iter_release_elem(void *ctx)
{
	struct task_struct *pos;

	bpf_rcu_read_lock();
	bpf_for_each(task, pos, NULL, BPF_TASK_ITER_ALL_PROCS) {
		bpf_task_release(pos);
		break;
	}
	bpf_rcu_read_unlock();
	return 0;
}

/* the flags are checked at run time (-EINVAL), not by the verifier */
SEC("syscall")
int task_iter_bad_flags(void *ctx)
{
	struct bpf_iter_task it;
	int err;

	bpf_rcu_read_lock();
	err = bpf_iter_task_new(&it, NULL, 7);
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return err == -22 ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
