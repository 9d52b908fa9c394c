// SPDX-License-Identifier: BSD-2-Clause
/*
 * The string kfuncs on the caller's comm and constants, and
 * bpf_copy_from_user_str, whose destination is checked as memory of the
 * given size.
 */
// EXPECT(str_comm): ACCEPT
// RETVAL(str_comm): 1
// EXPECT(str_search): ACCEPT
// RETVAL(str_search): 1
// EXPECT(str_copy_uninit_dst): ACCEPT
// RETVAL(str_copy_uninit_dst): 1
// EXPECT(str_copy_size_too_big): REJECT arg#0 arg#1 memory, len pair leads to invalid memory access
// EXPECT(str_copy_size_unknown): REJECT arg#0 arg#1 memory, len pair leads to invalid memory access
#include "kfuncs.h"

SEC("syscall")
int str_comm(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	char comm[16];

	if (bpf_get_current_comm(comm, sizeof(comm)))
		return 2;
	if (bpf_strcmp(comm, cur->comm))
		return 3;
	if (bpf_strlen(comm) != bpf_strlen(cur->comm))
		return 4;
	return 1;
}

SEC("syscall")
int str_search(void *ctx)
{
	char s[16] = "sched_switch";

	if (bpf_strchr(s, '_') != 5)
		return 2;
	if (bpf_strstr(s, "switch") != 6)
		return 3;
	if (bpf_strstr(s, "wake") != -2)
		return 4;
	if (bpf_strlen(s) != 12)
		return 5;
	return 1;
}

/* the destination may be uninitialised stack (a privileged loader); from
 * a bad user address (here: no ctx, NULL) the copy fails with -EFAULT,
 * and BPF_F_PAD_ZEROS (1) zeroes the destination then */
SEC("syscall")
int str_copy_uninit_dst(void *ctx)
{
	char dst[16];
	int n = bpf_copy_from_user_str(dst, sizeof(dst), ctx, 1);

	return n == -14 && dst[0] == 0 && dst[15] == 0 ? 1 : 2;
}

SEC("syscall")
int str_copy_size_too_big(void *ctx)
{
	char dst[16];

	return bpf_copy_from_user_str(dst, 32, ctx, 0);
}

SEC("syscall")
int str_copy_size_unknown(void *ctx)
{
	char dst[16];
	__u32 n = bpf_get_prandom_u32();

	return bpf_copy_from_user_str(dst, n, ctx, 0);
}

char LICENSE[] SEC("license") = "GPL";
