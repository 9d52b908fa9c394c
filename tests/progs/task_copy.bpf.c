// SPDX-License-Identifier: BSD-2-Clause
/*
 * Copies from a task's memory: bpf_copy_from_user_task_str and the
 * dynptr forms bpf_copy_from_user_task(_str)_dynptr (sleepable; the
 * dynptr ones take a trusted task).  On the calling task, from NULL: the
 * kernel's -EFAULT and what a fault leaves behind (returned as
 * -r * 10 + whether buf[0] is still 'x' / was zeroed), -E2BIG outside
 * the dynptr, -EINVAL for unknown flags; and NULL checks on the task.
 */
// EXPECT(t_str): ACCEPT
// RETVAL(t_str): 141
// EXPECT(t_str_nopad): ACCEPT
// RETVAL(t_str_nopad): 140
// EXPECT(t_dyn): ACCEPT
// RETVAL(t_dyn): 141
// EXPECT(t_sdyn): ACCEPT
// RETVAL(t_sdyn): 140
// EXPECT(t_e2big): ACCEPT
// RETVAL(t_e2big): 7
// EXPECT(t_flags): ACCEPT
// RETVAL(t_flags): 22
// EXPECT(t_dyn_maybe_null): REJECT Possibly NULL pointer passed to trusted arg4
// EXPECT(t_sdyn_maybe_null): REJECT Possibly NULL pointer passed to trusted arg4
#include "task_common.h"

extern int bpf_copy_from_user_task_str(void *dst, __u32 dst__sz,
				       const void *unsafe_ptr__ign,
				       struct task_struct *tsk,
				       __u64 flags) __ksym;
extern int bpf_copy_from_user_task_dynptr(struct bpf_dynptr *dptr, __u32 off,
					  __u32 size,
					  const void *unsafe_ptr__ign,
					  struct task_struct *tsk) __ksym;
extern int bpf_copy_from_user_task_str_dynptr(struct bpf_dynptr *dptr,
					      __u32 off, __u32 size,
					      const void *unsafe_ptr__ign,
					      struct task_struct *tsk) __ksym;

char buf[16];

SEC("syscall")
int t_str(void *ctx)
{
	char b[8];
	int r;

	__builtin_memset(b, 'x', sizeof(b));
	r = bpf_copy_from_user_task_str(b, sizeof(b), 0,
					bpf_get_current_task_btf(), 1);
	return -r * 10 + (b[1] == 0);
}

SEC("syscall")
int t_str_nopad(void *ctx)
{
	char b[8];
	int r;

	__builtin_memset(b, 'x', sizeof(b));
	r = bpf_copy_from_user_task_str(b, sizeof(b), 0,
					bpf_get_current_task_btf(), 0);
	return -r * 10 + (b[0] == 'x');
}

SEC("syscall")
int t_dyn(void *ctx)
{
	struct bpf_dynptr d;
	int r;

	__builtin_memset(buf, 'x', sizeof(buf));
	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_copy_from_user_task_dynptr(&d, 0, 4, 0,
					   bpf_get_current_task_btf());
	return -r * 10 + (buf[0] == 'x');
}

SEC("syscall")
int t_sdyn(void *ctx)
{
	struct bpf_dynptr d;
	int r;

	__builtin_memset(buf, 'x', sizeof(buf));
	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_copy_from_user_task_str_dynptr(&d, 0, 4, 0,
					       bpf_get_current_task_btf());
	return -r * 10 + (buf[0] == 'x');
}

SEC("syscall")
int t_e2big(void *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	return -bpf_copy_from_user_task_dynptr(&d, 14, 4, 0,
					       bpf_get_current_task_btf());
}

SEC("syscall")
int t_flags(void *ctx)
{
	char b[8];

	return -bpf_copy_from_user_task_str(b, sizeof(b), 0,
					    bpf_get_current_task_btf(), 2);
}

SEC("syscall")
int t_dyn_maybe_null(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	struct bpf_dynptr d;
	int r;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_copy_from_user_task_dynptr(&d, 0, 4, 0, t);
	if (t)
		bpf_task_release(t);
	return r;
}

SEC("syscall")
int t_sdyn_maybe_null(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	struct bpf_dynptr d;
	int r;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	r = bpf_copy_from_user_task_str_dynptr(&d, 0, 4, 0, t);
	if (t)
		bpf_task_release(t);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
