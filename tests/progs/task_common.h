/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the task_*.bpf.c corpus: the kernel types the programs read,
 * declared as vmlinux.h would (preserve_access_index, so the kernel's
 * libbpf relocates them against vmlinux), in the layout of bpfhost's
 * host types (src/stdlib/task.h) until bpfhost's CO-RE lands, and the
 * task/cgroup kfuncs.
 */
#ifndef TASK_COMMON_H
#define TASK_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __pai __attribute__((preserve_access_index))

typedef struct {
	__u32 val;
} kuid_t;

typedef struct {
	__u32 val;
} kgid_t;

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
} __pai;

struct kernfs_node {
	void *__bh_parent;
	const char *name;
	__u64 id;
} __pai;

struct cgroup;

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
} __pai;

struct cgroup {
	struct cgroup_subsys_state self;
	unsigned long flags;
	int level;
	int max_depth;
	struct kernfs_node *kn;
	int __bh_usage;
	char *__bh_path;
	struct cgroup *__bh_next;
	struct kernfs_node __bh_kn;
	struct cgroup *ancestors[];
} __pai;

struct css_set {
	struct cgroup *dfl_cgrp;
} __pai;

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int prio;
	int static_prio;
	int normal_prio;
	unsigned int rt_priority;
	unsigned int policy;
	int exit_state;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct task_struct *group_leader;
	__u64 utime;
	__u64 stime;
	__u64 start_time;
	__u64 start_boottime;
	const struct cred *real_cred;
	const struct cred *cred;
	char comm[16];
	struct css_set *cgroups;
} __pai;

struct bpf_iter_task {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

#define BPF_TASK_ITER_ALL_PROCS 0
#define BPF_TASK_ITER_ALL_THREADS 1
#define BPF_TASK_ITER_PROC_THREADS 2
#define PF_KTHREAD 0x00200000

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern struct task_struct *bpf_task_from_vpid(__s32 vpid) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern int bpf_iter_task_new(struct bpf_iter_task *it,
			     struct task_struct *task__nullable,
			     unsigned int flags) __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern long bpf_task_under_cgroup(struct task_struct *task,
				  struct cgroup *ancestor) __ksym;
extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz,
				  const void *unsafe_ptr__ign, __u64 flags) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

#endif
