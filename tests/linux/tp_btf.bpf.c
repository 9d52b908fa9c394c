// SPDX-License-Identifier: BSD-2-Clause
/*
 * A BTF tracepoint, tp_btf/sched_switch: its task arguments are trusted
 * pointers, usable with the task, cgroup and cpumask kfuncs in a
 * non-sleepable program, where RCU-safe members walked from them are RCU
 * pointers.  bpfhost has no scheduler: test_linux verifies these against
 * a host hook "sched_switch" with the tracepoint's arguments
 * (bool preempt, struct task_struct *prev, struct task_struct *next,
 * unsigned int prev_state).  Loaded, not run, in the kernel.
 */
// EXPECT(switch_acquire_prev): ACCEPT
// EXPECT(switch_walk_next): ACCEPT
// EXPECT(switch_cgroup_of_next): ACCEPT
// EXPECT(switch_cpumask): ACCEPT
// EXPECT(switch_release_arg): REJECT release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID
// EXPECT(switch_write_arg): REJECT only read is supported
// EXPECT(switch_leak): REJECT Unreleased reference
// EXPECT(switch_sleepable_kfunc): REJECT program must be sleepable to call sleepable kfunc bpf_copy_from_user_str
// EXPECT(switch_no_such_arg): REJECT invalid bpf_context access off=32 size=8
// EXPECT(switch_css_task): REJECT css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable progs
// RETVAL: none
#include "kfuncs.h"
#include <bpf/bpf_tracing.h>

__u64 switches, same_parent;

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_acquire_prev, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct task_struct *t = bpf_task_acquire(prev);

	if (!t)
		return 0;
	if (t->pid)
		switches++;
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_walk_next, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct task_struct *p = bpf_task_acquire(next->real_parent);

	if (!p)
		return 0;
	if (p->pid == prev->real_parent->pid)
		same_parent++;
	bpf_task_release(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_cgroup_of_next, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct cgroup *cg = bpf_cgroup_acquire(next->cgroups->dfl_cgrp);

	if (!cg)
		return 0;
	if (bpf_task_under_cgroup(prev, cg))
		same_parent++;
	bpf_cgroup_release(cg);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_cpumask, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_set_cpu(bpf_get_smp_processor_id(), m);
	switches += bpf_cpumask_weight(cast(m));
	bpf_cpumask_release(m);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_release_arg, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	bpf_task_release(prev);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_write_arg, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	next->pid = 0;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_leak, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct task_struct *t = bpf_task_acquire(next);

	return t ? 1 : 0;
}

char ubuf[16];

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_sleepable_kfunc, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	return bpf_copy_from_user_str(ubuf, sizeof(ubuf), prev, 0);
}

/* the tracepoint has four arguments */
SEC("tp_btf/sched_switch")
int switch_no_such_arg(__u64 *ctx)
{
	return ctx[4] != 0;
}

char LICENSE[] SEC("license") = "GPL";

/* a cgroup's task list is for sleepable programs only */
SEC("tp_btf/sched_switch")
int BPF_PROG(switch_css_task, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct cgroup *cg = bpf_cgroup_acquire(next->cgroups->dfl_cgrp);
	struct bpf_iter_css_task it;

	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return 0;
}
