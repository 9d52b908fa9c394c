// SPDX-License-Identifier: BSD-2-Clause
/* The cgroup kfuncs over the host's cgroup v2 tree: the calling thread's
 * cgroup by id and through its task, its ancestors, task_under_cgroup.
 * Checks what holds on any host with cgroup v2 and returns 1 (the kernel
 * returns the same: kload, 6.18). */
// EXPECT: ACCEPT
// RETVAL: 1
#include "task_common.h"

SEC("syscall")
int cgroup_self(void *ctx)
{
	__u64 id = bpf_get_current_cgroup_id();
	struct cgroup *cg, *root, *past, *self;
	int ret = 1;

	cg = bpf_cgroup_from_id(id);
	if (!cg)
		return 2;
	if (cg->kn->id != id)
		ret = 3;
	/* ancestors[level] is the cgroup itself */
	self = bpf_cgroup_ancestor(cg, cg->level);
	if (self) {
		if (self != cg)
			ret = 7;
		bpf_cgroup_release(self);
	} else {
		ret = 8;
	}
	root = bpf_cgroup_ancestor(cg, 0);
	if (!root) {
		ret = 4;
	} else {
		if (root->level != 0 || (cg->level == 0 && root != cg))
			ret = 5;
		bpf_cgroup_release(root);
	}
	past = bpf_cgroup_ancestor(cg, cg->level + 1);
	if (past) {
		ret = 6;
		bpf_cgroup_release(past);
	}
	bpf_cgroup_release(cg);
	return ret;
}

/* the task's default cgroup is the one bpf_get_current_cgroup_id names */
SEC("syscall")
int cgroup_of_task(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct cgroup *cg, *root;
	int ret = 1;

	bpf_rcu_read_lock();
	cg = bpf_cgroup_acquire(cur->cgroups->dfl_cgrp);
	bpf_rcu_read_unlock();
	if (!cg)
		return 2;
	if (cg->kn->id != bpf_get_current_cgroup_id())
		ret = 3;
	root = bpf_cgroup_ancestor(cg, 0);
	if (root) {
		if (bpf_task_under_cgroup(cur, root) != 1 ||
		    bpf_task_under_cgroup(cur, cg) != 1)
			ret = 4;
		bpf_cgroup_release(root);
	} else {
		ret = 5;
	}
	bpf_cgroup_release(cg);
	return ret;
}

SEC("syscall")
int cgroup_bad_id(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(0);

	if (cg) {
		bpf_cgroup_release(cg);
		return 2;
	}
	cg = bpf_cgroup_from_id(~0ull);
	if (cg) {
		bpf_cgroup_release(cg);
		return 3;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
