// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_cgroup_read_xattr: a "user." extended attribute of a cgroup into a
 * dynptr, its name a __str constant.  The root cgroup has no
 * "user.bpfhost_none" (-ENODATA), other namespaces are refused (-EPERM);
 * errors are returned negated.  The same answers from the 6.18 kernel.
 */
// EXPECT(xattr_missing): ACCEPT
// RETVAL(xattr_missing): 61
// EXPECT(xattr_not_user): ACCEPT
// RETVAL(xattr_not_user): 1
// EXPECT(xattr_stack_name): REJECT arg#1 doesn't point to a const string
// EXPECT(xattr_no_dynptr): REJECT Expected an initialized dynptr as arg #2
// EXPECT(xattr_null_cgroup): REJECT Possibly NULL pointer passed to trusted arg0
#include "task_common.h"

extern int bpf_cgroup_read_xattr(struct cgroup *cgroup, const char *name__str,
				 struct bpf_dynptr *value_p) __ksym;

const char missing[] = "user.bpfhost_none";
const char not_user[] = "trusted.bpfhost";
char buf[16];

SEC("syscall")
int xattr_missing(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct bpf_dynptr d;
	int r;

	if (!cg)
		return 1000;
	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_cgroup_read_xattr(cg, missing, &d);
	bpf_cgroup_release(cg);
	return -r;
}

SEC("syscall")
int xattr_not_user(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct bpf_dynptr d;
	int r;

	if (!cg)
		return 1000;
	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_cgroup_read_xattr(cg, not_user, &d);
	bpf_cgroup_release(cg);
	return -r;
}

SEC("syscall")
int xattr_stack_name(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	char name[16] = "user.x";
	struct bpf_dynptr d;
	int r;

	if (!cg)
		return 1000;
	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_cgroup_read_xattr(cg, name, &d);
	bpf_cgroup_release(cg);
	return -r;
}

SEC("syscall")
int xattr_no_dynptr(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct bpf_dynptr d;
	int r;

	if (!cg)
		return 1000;
	r = bpf_cgroup_read_xattr(cg, missing, &d);
	bpf_cgroup_release(cg);
	return -r;
}

SEC("syscall")
int xattr_null_cgroup(void *ctx)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct bpf_dynptr d;
	int r;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_cgroup_read_xattr(cg, missing, &d);
	if (cg)
		bpf_cgroup_release(cg);
	return -r;
}

char LICENSE[] SEC("license") = "GPL";
