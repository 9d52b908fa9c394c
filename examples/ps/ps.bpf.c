// SPDX-License-Identifier: BSD-2-Clause
/*
 * A process table, the way a Linux BPF program walks tasks: the open-coded
 * task iterator inside an RCU section, fields read through a partial
 * struct task_struct (CO-RE relocates them to whatever layout the running
 * kernel, or bpfhost, has), one row per process into an array map.
 * The same object loads in Linux.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_ROWS 1024

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct bpf_iter_task {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

extern int bpf_iter_task_new(struct bpf_iter_task *it,
			     struct task_struct *task__nullable,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct row {
	__u32 pid;
	__u32 ppid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_ROWS);
	__type(key, __u32);
	__type(value, struct row);
} rows SEC(".maps");

SEC("syscall")
int ps(void *ctx)
{
	struct task_struct *t;
	__u32 n = 0;

	bpf_rcu_read_lock();
	bpf_for_each(task, t, NULL, 0 /* BPF_TASK_ITER_ALL_PROCS */) {
		__u32 key = n;
		struct row *r;

		if (n >= MAX_ROWS)
			break;
		r = bpf_map_lookup_elem(&rows, &key);
		if (!r)
			break;
		r->pid = t->tgid;
		r->ppid = t->real_parent ? t->real_parent->tgid : 0;
		bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), t->comm);
		n++;
	}
	bpf_rcu_read_unlock();
	return n;
}

char LICENSE[] SEC("license") = "GPL";
