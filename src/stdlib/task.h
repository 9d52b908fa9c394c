/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host's processes and cgroup v2 tree as the kernel's struct
 * task_struct and struct cgroup, for the task and cgroup kfuncs
 * (task.c, cgroup.c) and the helpers around them (task.c, probe.c).
 *
 * The types carry the kernel's names and field names, so BPF programs
 * written against vmlinux.h read them unchanged (with CO-RE; until then
 * with the same layout declared program-side).  Fields after the kernel
 * ones are bpfhost's own.
 *
 * Objects are snapshots: every field is read from /proc (or the cgroup
 * file system) once, when the object is created, and never changes after.
 * They are refcounted (atomic `usage`) and cached by pid or cgroup id
 * while referenced, so one pid gives one object as long as anyone holds
 * it; a task holds its real_parent and its default cgroup, a cgroup its
 * parent.  The cache is checked against the live system on each lookup
 * (a dead process or a reused pid, a removed cgroup, is not returned).
 */
#ifndef BPFHOST_STDLIB_TASK_H
#define BPFHOST_STDLIB_TASK_H

#include <stdbool.h>
#include <stdint.h>

#define TASK_COMM_LEN 16

/* PF_* bits of task_struct.flags that programs commonly test */
#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000

typedef struct {
	uint32_t val;
} kuid_t;

typedef struct {
	uint32_t val;
} kgid_t;

/* real, effective, saved and fs ids, from /proc/<pid>/status */
struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
};

/* A cgroup's directory: id is its inode number, as kernfs ids on 64-bit */
struct kernfs_node {
	struct kernfs_node *parent;
	const char *name;
	uint64_t id;
};

struct cgroup;

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
};

struct cgroup {
	struct cgroup_subsys_state self;
	unsigned long flags;
	int level; /* 0 for the root of the mount */
	int max_depth;
	struct kernfs_node *kn;
	/* bpfhost */
	int usage;		/* references; atomic */
	char *path;		/* below the mount, "" for the root */
	struct cgroup *bh_next; /* cache chain */
	struct kernfs_node bh_kn;
	/* ancestors[0] is the root, ancestors[level] this cgroup */
	struct cgroup *ancestors[];
};

struct css_set {
	struct cgroup *dfl_cgrp; /* NULL without cgroup v2 */
};

struct task_struct {
	unsigned int __state; /* TASK_* from the state letter in stat */
	unsigned int flags;   /* PF_* */
	int prio;
	int static_prio;
	int normal_prio;
	unsigned int rt_priority;
	unsigned int policy;
	int exit_state;
	int pid;
	int tgid;
	struct task_struct *real_parent; /* the parent process's leader */
	struct task_struct *parent;	 /* same as real_parent */
	struct task_struct *group_leader;
	uint64_t utime;		 /* ns */
	uint64_t stime;		 /* ns */
	uint64_t start_time;	 /* ns, CLOCK_MONOTONIC (clock-tick grain) */
	uint64_t start_boottime; /* ns, CLOCK_BOOTTIME */
	const struct cred *real_cred;
	const struct cred *cred;
	char comm[TASK_COMM_LEN];
	struct css_set *cgroups;
	/* bpfhost */
	int usage;			 /* references; atomic */
	unsigned long long bh_starttime; /* stat field 22: identity */
	struct task_struct *bh_next;	 /* cache chain */
	struct cred bh_cred;
	struct css_set bh_css;
};

/* A memory area of a process, from /proc/<pid>/maps (vma.c) */
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL

struct qstr {
	uint32_t hash;
	uint32_t len;
	const unsigned char *name;
};

struct dentry {
	struct qstr d_name;
};

struct path {
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	/* bpfhost: the path as /proc/<pid>/maps shows it */
	const char *bh_path;
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
	/* bpfhost */
	struct file bh_file;
	struct dentry bh_dentry;
};

struct bpf_iter_task_vma {
	uint64_t __opaque[1];
} __attribute__((aligned(8)));

/* ---- internal API (all return new references, or NULL) ---- */

struct bpfhost_rt;
/* kfunc sets of cgroup.c and probe.c; bh_stdlib_task_add calls them */
int bh_stdlib_cgroup_add(struct bpfhost_rt *rt);
int bh_stdlib_probe_add(struct bpfhost_rt *rt);

struct task_struct *bh_task_get(int pid);
struct task_struct *bh_task_get_ref(struct task_struct *t);
void bh_task_put(struct task_struct *t);
/* the calling thread's task; a borrowed reference, valid until the thread
 * exits */
struct task_struct *bh_task_current(void);
/* the idle task, pid 0, its own parent (never freed) */
struct task_struct *bh_task_idle(void);
/* live objects in the task cache (tests) */
unsigned int bh_task_cached(void);

/* cgroup v2 mount point, "" when the host has none */
/* the deepest cgroup level looked at */
#define BH_CGROUP_MAX_LEVEL 64
const char *bh_cgroup_mount(void);
struct cgroup *bh_cgroup_get_path(const char *rel);
struct cgroup *bh_cgroup_get_id(uint64_t id);
/* the default cgroup of pid ("self" or "thread-self" allowed) */
struct cgroup *bh_cgroup_of(const char *pid);
struct cgroup *bh_cgroup_get_ref(struct cgroup *cg);
void bh_cgroup_put(struct cgroup *cg);
unsigned int bh_cgroup_cached(void);

/* Fault-tolerant copies of this process's memory (probe.c), with the
 * kernel's bpf_probe_read_{kernel,user}{,_str} results: 0 (the _str ones:
 * the length with the NUL), or -EFAULT/-ERANGE with dst zeroed. */
long bh_probe_read(void *dst, uint32_t size, const void *src, bool kernel);
long bh_probe_read_str(void *dst, uint32_t size, const void *src, bool kernel);

/* Helpers, in the bh_fn shape, for src/exec/helpers.c */
uint64_t bh_helper_get_current_pid_tgid(uint64_t, uint64_t, uint64_t, uint64_t,
					uint64_t);
uint64_t bh_helper_get_current_comm(uint64_t, uint64_t, uint64_t, uint64_t,
				    uint64_t);
uint64_t bh_helper_get_current_task(uint64_t, uint64_t, uint64_t, uint64_t,
				    uint64_t);
uint64_t bh_helper_get_current_cgroup_id(uint64_t, uint64_t, uint64_t, uint64_t,
					 uint64_t);
uint64_t bh_helper_probe_read_kernel(uint64_t, uint64_t, uint64_t, uint64_t,
				     uint64_t);
uint64_t bh_helper_probe_read_kernel_str(uint64_t, uint64_t, uint64_t, uint64_t,
					 uint64_t);
uint64_t bh_helper_probe_read_user(uint64_t, uint64_t, uint64_t, uint64_t,
				   uint64_t);
uint64_t bh_helper_probe_read_user_str(uint64_t, uint64_t, uint64_t, uint64_t,
				       uint64_t);

/* Take a reference unless the count already reached zero (the object is
 * being freed), as the kernel's refcount_inc_not_zero. */
static inline bool bh_ref_get_unless_zero(int *usage)
{
	int v = __atomic_load_n(usage, __ATOMIC_RELAXED);

	while (v > 0)
		if (__atomic_compare_exchange_n(usage, &v, v + 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

#endif
