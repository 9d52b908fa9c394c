// SPDX-License-Identifier: BSD-2-Clause
/* Fault-tolerant reads: bpf_probe_read_kernel(_str) and
 * bpf_probe_read_user(_str) of NULL and of a string, and
 * bpf_copy_from_user_str's errors, with the kernel's return codes
 * (-ERANGE for a kernel read of the NULL page, -EFAULT for a user one,
 * the buffer zeroed) and lengths.  The kernel returns the same (kload,
 * 6.18).  Reads of the stack as user memory differ (in the kernel the
 * stack is not user memory) and are tested on the host side only. */
// EXPECT: ACCEPT
// RETVAL(stack_str): 403
// RETVAL(null_kernel): 1
// RETVAL(null_kernel_str): 1
// RETVAL(null_user): 1
// RETVAL(null_user_str): 1
// RETVAL(copy_errors): 1
#include "task_common.h"

static __always_inline int zeroed(const char *b)
{
	for (int i = 0; i < 8; i++)
		if (b[i])
			return 0;
	return 1;
}

SEC("syscall")
int stack_str(void *ctx)
{
	char src[8] = "abc", buf[8];
	long a = bpf_probe_read_kernel_str(buf, sizeof(buf), src);
	long b = bpf_probe_read_kernel_str(buf, 3, src);

	return a * 100 + b + (buf[2] != 0) * 1000;
}

SEC("syscall")
int null_kernel(void *ctx)
{
	char buf[8] = "1234567";
	long r = bpf_probe_read_kernel(buf, sizeof(buf), NULL);

	return r == -34 && zeroed(buf);
}

SEC("syscall")
int null_kernel_str(void *ctx)
{
	char buf[8] = "1234567";
	long r = bpf_probe_read_kernel_str(buf, sizeof(buf), NULL);

	return r == -34 && zeroed(buf);
}

SEC("syscall")
int null_user(void *ctx)
{
	char buf[8] = "1234567";
	long r = bpf_probe_read_user(buf, sizeof(buf), NULL);

	return r == -14 && zeroed(buf);
}

SEC("syscall")
int null_user_str(void *ctx)
{
	char buf[8] = "1234567";
	long r = bpf_probe_read_user_str(buf, sizeof(buf), NULL);

	return r == -14 && zeroed(buf);
}

/* -EFAULT (dst zeroed with BPF_F_PAD_ZEROS), -EINVAL for unknown flags */
SEC("syscall")
int copy_errors(void *ctx)
{
	char buf[8] = "1234567";
	int a, b;

	a = bpf_copy_from_user_str(buf, sizeof(buf), NULL, 0);
	if (a != -14 || buf[0] != '1')
		return 2;
	b = bpf_copy_from_user_str(buf, sizeof(buf), NULL, 1);
	if (b != -14 || !zeroed(buf))
		return 3;
	return bpf_copy_from_user_str(buf, sizeof(buf), NULL, 2) == -22;
}

char LICENSE[] SEC("license") = "GPL";
