// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_trace_printk: the format is checked at run time (a bad conversion
 * makes the helper return -EINVAL), the verifier only checks that the
 * format memory is readable for the given size.  bpf_snprintf checks its
 * format at load time and needs it in a read-only map.
 */
// EXPECT(printk_ok): ACCEPT
// RETVAL(printk_ok): 1
// EXPECT(printk_bad_fmt_runtime): ACCEPT
// RETVAL(printk_bad_fmt_runtime): 1
// EXPECT(printk_size_past_buf): REJECT invalid read from stack R1 off=-8 size=16
// RETVAL(printk_size_past_buf): none
// EXPECT(snprintf_bad_fmt): REJECT Invalid format string
// RETVAL(snprintf_bad_fmt): none
// EXPECT(snprintf_ok): ACCEPT
// RETVAL(snprintf_ok): 3
#include "k_common.h"

SEC("syscall")
int printk_ok(void *ctx)
{
	char fmt[] = "k %d\n";

	return bpf_trace_printk(fmt, sizeof(fmt), 7) > 0;
}

SEC("syscall")
int printk_bad_fmt_runtime(void *ctx)
{
	char fmt[] = "k %y\n";

	return bpf_trace_printk(fmt, sizeof(fmt), 7) == -22;
}

SEC("syscall")
__naked int printk_size_past_buf(void)
{
	asm volatile("r1 = 0x0a6b;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r2 = 16;"
		     "call %[bpf_trace_printk];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_trace_printk)
		     : __clobber_all);
}

static const char bad_fmt[] = "%y";
static const char ok_fmt[] = "%d";

SEC("syscall")
int snprintf_bad_fmt(void *ctx)
{
	char out[16];
	__u64 args[1] = { 1 };

	return bpf_snprintf(out, sizeof(out), bad_fmt, args, sizeof(args));
}

/* "42" plus the NUL */
SEC("syscall")
int snprintf_ok(void *ctx)
{
	char out[16];
	__u64 args[1] = { 42 };

	return bpf_snprintf(out, sizeof(out), ok_fmt, args, sizeof(args));
}

char LICENSE[] SEC("license") = "GPL";
