// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_for_each(task_vma, ...) over the calling process's memory map, as
 * the kernel selftests walk it: areas in address order, iteration from an
 * address, a file mapping's name through vm_file, and the misuses.
 * Memory maps differ between the kernel's view and a user-space host
 * only in content, so the programs check properties, not values.
 */
// EXPECT(vma_walk_self): ACCEPT
// RETVAL(vma_walk_self): 1
// EXPECT(vma_from_addr): ACCEPT
// RETVAL(vma_from_addr): 1
// EXPECT(vma_file_name): ACCEPT
// RETVAL(vma_file_name): 1
// EXPECT(vma_leak): REJECT Unreleased reference
// EXPECT(vma_untrusted_task): REJECT R2 must be a rcu pointer
// EXPECT(vma_next_after_destroy): REJECT expected an initialized iter_task_vma as arg #0
// EXPECT(vma_write_area): REJECT only read is supported
#include "kfuncs.h"

/* what the walk finds, kept in globals: registers compared inside the
 * loop would be made precise and keep every iteration's state apart */
unsigned long prev_end;
__u32 areas, exec_areas, out_of_order;

/* areas come in address order and do not overlap; at least one is
 * executable (the program's own code) */
SEC("syscall")
int vma_walk_self(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;

	prev_end = 0;
	areas = exec_areas = out_of_order = 0;
	bpf_for_each(task_vma, vma, task, 0) {
		if (vma->vm_start < prev_end || vma->vm_start >= vma->vm_end)
			out_of_order++;
		if (vma->vm_flags & VM_EXEC)
			exec_areas++;
		prev_end = vma->vm_end;
		areas++;
	}
	return areas > 0 && exec_areas > 0 && !out_of_order;
}

static __always_inline unsigned long first_start(struct task_struct *task,
						 __u64 addr,
						 unsigned long *end)
{
	struct vm_area_struct *vma;
	unsigned long start = 0;

	*end = 0;
	bpf_for_each(task_vma, vma, task, addr) {
		start = vma->vm_start;
		*end = vma->vm_end;
		break;
	}
	return start;
}

/* starting at an address returns the area containing it, or the next */
SEC("syscall")
int vma_from_addr(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	unsigned long s0, e0, s1, e1, s2, e2;

	s0 = first_start(task, 0, &e0);
	if (!e0)
		return 0;
	s1 = first_start(task, e0 - 1, &e1);
	s2 = first_start(task, e0, &e2);
	return s1 == s0 && e1 == e0 && (!e2 || s2 >= e0);
}

/* an executable file mapping has a name */
SEC("syscall")
int vma_file_name(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;
	char name[32] = "";
	long len = 0;

	bpf_for_each(task_vma, vma, task, 0) {
		struct file *f = vma->vm_file;

		if (!(vma->vm_flags & VM_EXEC) || !f)
			continue;
		len = bpf_probe_read_kernel_str(name, sizeof(name),
						f->f_path.dentry->d_name.name);
		break;
	}
	return len > 1 && name[0] != 0;
}

SEC("syscall")
int vma_leak(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, bpf_get_current_task_btf(), 0);
	return bpf_iter_task_vma_next(&it) != 0;
}

/* a pointer walked out of a task is not trusted outside RCU */
SEC("syscall")
int vma_untrusted_task(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task->group_leader, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("syscall")
int vma_next_after_destroy(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, bpf_get_current_task_btf(), 0);
	bpf_iter_task_vma_destroy(&it);
	return bpf_iter_task_vma_next(&it) != 0;
}

SEC("syscall")
int vma_write_area(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;

	bpf_for_each(task_vma, vma, task, 0) {
		vma->vm_pgoff = 0;
		break;
	}
	return 0;
}

char _license[] SEC("license") = "GPL";
