// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_send_signal_task, only with signal 0 (the permission check alone:
 * nothing is delivered) or refused arguments, so that running it in the
 * kernel's test run and in bpfhost is harmless: 0 for the calling task's
 * thread and process, -EINVAL (returned negated) for another pid type or
 * a bad signal, and a trusted (non-NULL) task required.
 */
// EXPECT(s_zero_tgid): ACCEPT
// RETVAL(s_zero_tgid): 0
// EXPECT(s_zero_pid): ACCEPT
// RETVAL(s_zero_pid): 0
// EXPECT(s_bad_type): ACCEPT
// RETVAL(s_bad_type): 22
// EXPECT(s_bad_sig): ACCEPT
// RETVAL(s_bad_sig): 22
// EXPECT(s_maybe_null): REJECT Possibly NULL pointer passed to trusted arg0
#include "task_common.h"

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

extern int bpf_send_signal_task(struct task_struct *task, int sig,
				enum pid_type type, __u64 value) __ksym;

SEC("syscall")
int s_zero_tgid(void *ctx)
{
	return -bpf_send_signal_task(bpf_get_current_task_btf(), 0,
				     PIDTYPE_TGID, 0);
}

SEC("syscall")
int s_zero_pid(void *ctx)
{
	return -bpf_send_signal_task(bpf_get_current_task_btf(), 0,
				     PIDTYPE_PID, 7);
}

SEC("syscall")
int s_bad_type(void *ctx)
{
	return -bpf_send_signal_task(bpf_get_current_task_btf(), 0,
				     PIDTYPE_PGID, 0);
}

SEC("syscall")
int s_bad_sig(void *ctx)
{
	return -bpf_send_signal_task(bpf_get_current_task_btf(), 99,
				     PIDTYPE_TGID, 0);
}

SEC("syscall")
int s_maybe_null(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	int r = bpf_send_signal_task(t, 0, PIDTYPE_TGID, 0);

	if (t)
		bpf_task_release(t);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
