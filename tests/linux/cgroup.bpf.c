// SPDX-License-Identifier: BSD-2-Clause
/*
 * The cgroup kfuncs: bpf_cgroup_from_id, bpf_cgroup_ancestor,
 * bpf_cgroup_acquire/release and bpf_task_under_cgroup over the caller's
 * own cgroup (cgroup v2), and their misuses.
 */
// EXPECT(cgroup_from_id_ancestor): ACCEPT
// RETVAL(cgroup_from_id_ancestor): 1
// EXPECT(cgroup_acquire_release): ACCEPT
// RETVAL(cgroup_acquire_release): 1
// EXPECT(cgroup_of_current): ACCEPT
// RETVAL(cgroup_of_current): 1
// EXPECT(cgroup_ancestor_unchecked): REJECT Possibly NULL pointer passed to trusted arg0
// EXPECT(cgroup_ancestor_leak): REJECT Unreleased reference
// EXPECT(cgroup_release_borrowed): REJECT R1 must be referenced or trusted
// EXPECT(cgroup_use_after_release): REJECT invalid mem access 'scalar'
// EXPECT(cgroup_ancestor_untrusted): REJECT R1 must be a rcu pointer
#include "kfuncs.h"

SEC("syscall")
int cgroup_from_id_ancestor(void *ctx)
{
	__u64 id = bpf_get_current_cgroup_id();
	struct cgroup *cg, *root, *self;
	int ret = 1;

	cg = bpf_cgroup_from_id(id);
	if (!cg)
		return 2;
	if (cg->kn->id != id)
		ret = 3;
	root = bpf_cgroup_ancestor(cg, 0);
	if (root) {
		if (root->level != 0)
			ret = 4;
		bpf_cgroup_release(root);
	} else {
		ret = 5;
	}
	self = bpf_cgroup_ancestor(cg, cg->level);
	if (self) {
		if (self != cg)
			ret = 6;
		bpf_cgroup_release(self);
	} else {
		ret = 7;
	}
	bpf_cgroup_release(cg);
	return ret;
}

SEC("syscall")
int cgroup_acquire_release(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	struct cgroup *a;
	int ret = 1;

	if (!cg)
		return 2;
	a = bpf_cgroup_acquire(cg);
	if (!a)
		ret = 3;
	else if (a != cg)
		ret = 4;
	if (a)
		bpf_cgroup_release(a);
	bpf_cgroup_release(cg);
	return ret;
}

/* the current task's default cgroup, under RCU, and task_under_cgroup */
SEC("syscall")
int cgroup_of_current(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct cgroup *cg, *root;
	int ret = 1;

	bpf_rcu_read_lock();
	cg = bpf_cgroup_acquire(cur->cgroups->dfl_cgrp);
	bpf_rcu_read_unlock();
	if (!cg)
		return 2;
	root = bpf_cgroup_ancestor(cg, 0);
	if (!root) {
		bpf_cgroup_release(cg);
		return 3;
	}
	if (bpf_task_under_cgroup(cur, cg) != 1 ||
	    bpf_task_under_cgroup(cur, root) != 1)
		ret = 4;
	bpf_cgroup_release(root);
	bpf_cgroup_release(cg);
	return ret;
}

SEC("syscall")
int cgroup_ancestor_unchecked(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	struct cgroup *root = bpf_cgroup_ancestor(cg, 0);

	if (root)
		bpf_cgroup_release(root);
	if (cg)
		bpf_cgroup_release(cg);
	return 0;
}

SEC("syscall")
int cgroup_ancestor_leak(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	struct cgroup *root;

	if (!cg)
		return 0;
	root = bpf_cgroup_ancestor(cg, 0);
	bpf_cgroup_release(cg);
	return root != 0;
}

/* a cgroup read out of a task under RCU is trusted, not owned */
SEC("syscall")
int cgroup_release_borrowed(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();

	bpf_rcu_read_lock();
	bpf_cgroup_release(cur->cgroups->dfl_cgrp);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int cgroup_use_after_release(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(bpf_get_current_cgroup_id());

	if (!cg)
		return 0;
	bpf_cgroup_release(cg);
	return cg->level;
}

/* outside RCU, in a sleepable program, the walked pointer is untrusted */
SEC("syscall")
int cgroup_ancestor_untrusted(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct cgroup *root = bpf_cgroup_ancestor(cur->cgroups->dfl_cgrp, 0);

	if (root)
		bpf_cgroup_release(root);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
