// SPDX-License-Identifier: BSD-2-Clause
/*
 * The cgroup tree walked as kernel programs walk it: bpf_for_each(css)
 * below and above the calling task's cgroup inside an RCU section, and
 * bpf_for_each(css_task) over the processes of that cgroup; the misuses.
 * The two systems see the same cgroup v2 tree, but not always the same
 * process in it, so the programs check properties, not counts.
 */
// EXPECT(css_pre_self_first): ACCEPT
// RETVAL(css_pre_self_first): 1
// EXPECT(css_post_self_last): ACCEPT
// RETVAL(css_post_self_last): 1
// EXPECT(css_ancestors_to_root): ACCEPT
// RETVAL(css_ancestors_to_root): 1
// EXPECT(css_task_finds_self): ACCEPT
// RETVAL(css_task_finds_self): 1
// EXPECT(css_bad_order): ACCEPT
// RETVAL(css_bad_order): 1
// EXPECT(css_no_rcu): REJECT kernel func bpf_iter_css_new requires RCU critical section protection
// EXPECT(css_untrusted_start): REJECT R2 must be referenced or trusted
// EXPECT(css_task_leak): REJECT Unreleased reference
#include "kfuncs.h"

/* globals, so the loop's states stay imprecise and converge */
__u32 seen, first_self, last_self, max_level, top;

static __always_inline struct cgroup *my_cgroup(void)
{
	return bpf_cgroup_from_id(bpf_get_current_cgroup_id());
}

SEC("syscall")
int css_pre_self_first(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct cgroup *cg = my_cgroup();

	if (!cg)
		return 0;
	seen = first_self = 0;
	bpf_rcu_read_lock();
	bpf_for_each(css, pos, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE) {
		if (!seen && pos->cgroup == cg)
			first_self = 1;
		seen++;
	}
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return first_self && seen >= 1;
}

SEC("syscall")
int css_post_self_last(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct cgroup *cg = my_cgroup();

	if (!cg)
		return 0;
	seen = last_self = 0;
	bpf_rcu_read_lock();
	bpf_for_each(css, pos, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_POST) {
		last_self = pos->cgroup == cg;
		seen++;
	}
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return last_self && seen >= 1;
}

/* level, level - 1, ..., 0: one per level, the root last */
SEC("syscall")
int css_ancestors_to_root(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct cgroup *cg = my_cgroup();
	int level;

	if (!cg)
		return 0;
	level = cg->level;
	seen = top = 0;
	bpf_rcu_read_lock();
	bpf_for_each(css, pos, &cg->self, BPF_CGROUP_ITER_ANCESTORS_UP) {
		top = pos->cgroup->level;
		seen++;
	}
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return seen == level + 1 && top == 0;
}

/* our process is among its cgroup's processes */
SEC("syscall")
int css_task_finds_self(void *ctx)
{
	int tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *pos;
	struct cgroup *cg = my_cgroup();

	if (!cg)
		return 0;
	seen = 0;
	bpf_for_each(css_task, pos, &cg->self, CSS_TASK_ITER_PROCS)
		if (pos->pid == tgid)
			seen = 1;
	bpf_cgroup_release(cg);
	return seen;
}

/* an unknown order is refused at _new; _next then returns NULL */
SEC("syscall")
int css_bad_order(void *ctx)
{
	struct bpf_iter_css it;
	struct cgroup *cg = my_cgroup();
	int err, none;

	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	err = bpf_iter_css_new(&it, &cg->self, 0);
	none = !bpf_iter_css_next(&it);
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return err == -22 && none;
}

SEC("syscall")
int css_no_rcu(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct cgroup *cg = my_cgroup();

	if (!cg)
		return 0;
	bpf_for_each(css, pos, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE)
		seen++;
	bpf_cgroup_release(cg);
	return 0;
}

/* a cgroup walked out of a task is not trusted */
SEC("syscall")
int css_untrusted_start(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_css_task it;

	bpf_iter_css_task_new(&it, &task->cgroups->dfl_cgrp->self,
			      CSS_TASK_ITER_PROCS);
	bpf_iter_css_task_destroy(&it);
	return 0;
}

SEC("syscall")
int css_task_leak(void *ctx)
{
	struct bpf_iter_css_task it;
	struct cgroup *cg = my_cgroup();

	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	bpf_cgroup_release(cg);
	return 0;
}

char _license[] SEC("license") = "GPL";
