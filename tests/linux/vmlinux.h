/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel types the tests/linux programs use, as a vmlinux.h gives them
 * to a BPF program: the uapi from <linux/bpf.h>, and for kernel-internal
 * structs only the members read, in an order of their own, with
 * preserve_access_index.  libbpf relocates every member access against
 * the running kernel's BTF and bpfhost against its own host types (CO-RE),
 * so the same object reads the same fields in both.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#include <stdbool.h>
#include <linux/bpf.h>

#define __pai __attribute__((preserve_access_index))

struct kernfs_node {
	__u64 id;
} __pai;

struct cgroup;

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
} __pai;

struct cgroup {
	struct cgroup_subsys_state self;
	struct kernfs_node *kn;
	int level;
} __pai;

struct bpf_iter_css {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

struct bpf_iter_css_task {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

#define BPF_CGROUP_ITER_DESCENDANTS_PRE 2
#define BPF_CGROUP_ITER_DESCENDANTS_POST 3
#define BPF_CGROUP_ITER_ANCESTORS_UP 4
#define CSS_TASK_ITER_PROCS 1

struct css_set {
	struct cgroup *dfl_cgrp;
} __pai;

struct task_struct {
	char comm[16];
	int tgid;
	int pid;
	unsigned int flags;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct css_set *cgroups;
} __pai;

struct cpumask {
	unsigned long bits[1];
} __pai;

struct bpf_cpumask {
	struct cpumask cpumask;
} __pai;

/* opaque iterator states, sized as the kernel's */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

struct bpf_iter_task {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

#define BPF_TASK_ITER_ALL_PROCS 0
#define BPF_TASK_ITER_ALL_THREADS 1
#define BPF_TASK_ITER_PROC_THREADS 2
#define PF_KTHREAD 0x00200000

/* a process's memory map (bpf_iter_task_vma) */
struct qstr {
	const unsigned char *name;
} __pai;

struct dentry {
	struct qstr d_name;
} __pai;

struct path {
	struct dentry *dentry;
} __pai;

struct file {
	struct path f_path;
} __pai;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
} __pai;

struct bpf_iter_task_vma {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

#define VM_READ 0x00000001
#define VM_EXEC 0x00000004

#endif
