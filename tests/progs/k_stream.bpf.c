// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_stream_vprintk_impl (bpf_stream_printk's kfunc): its format is a
 * __str argument, a constant NUL-terminated string in frozen read-only
 * data, and its arguments a mem/__sz pair of u64s.  The rejections are
 * the kernel's __str rules; the errors (bad stream, bad length, bad
 * format) are returned negated.  A successful print is not run here: the
 * 6.18 kernel's test run cannot allocate stream memory (-ENOMEM), and
 * bpfhost's output is checked in test_memkf.
 */
// EXPECT(s_ok): ACCEPT
// RETVAL(s_ok): none
// EXPECT(s_bad_stream): ACCEPT
// RETVAL(s_bad_stream): 2
// EXPECT(s_bad_len): ACCEPT
// RETVAL(s_bad_len): 22
// EXPECT(s_bad_fmt): ACCEPT
// RETVAL(s_bad_fmt): 22
// EXPECT(s_stack): REJECT arg#1 doesn't point to a const string
// EXPECT(s_data): REJECT R2 does not point to a readonly map'
// EXPECT(s_varoff): REJECT R2 is not a constant address'
// EXPECT(s_unterminated): REJECT string is not zero-terminated
// EXPECT(s_null_args): REJECT Possibly NULL pointer passed to trusted arg2
// EXPECT(s_short_args): REJECT arg#2 arg#3 memory, len pair leads to invalid memory access
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str,
				   const void *args, __u32 len__sz,
				   void *aux__prog) __ksym;

const char fmt[] = "v=%d\n";
const char badfmt[] = "v=%q\n";
char dfmt[8] = "v=%d\n";
const char nonterm[4] SEC(".rodata.nonterm") = {'a', 'b', 'c', 'd'};
volatile int pick;

SEC("syscall")
int s_ok(void *ctx)
{
	__u64 a[1] = {42};

	return bpf_stream_vprintk_impl(1, fmt, a, sizeof(a), 0);
}

SEC("syscall")
int s_bad_stream(void *ctx)
{
	__u64 a[1] = {42};

	return -bpf_stream_vprintk_impl(7, fmt, a, sizeof(a), 0);
}

SEC("syscall")
int s_bad_len(void *ctx)
{
	__u64 a[1] = {42};

	return -bpf_stream_vprintk_impl(1, fmt, a, 4, 0);
}

SEC("syscall")
int s_bad_fmt(void *ctx)
{
	__u64 a[1] = {42};

	return -bpf_stream_vprintk_impl(2, badfmt, a, sizeof(a), 0);
}

SEC("syscall")
int s_stack(void *ctx)
{
	char f[8] = "v=%d\n";
	__u64 a[1] = {42};

	return bpf_stream_vprintk_impl(1, f, a, sizeof(a), 0);
}

SEC("syscall")
int s_data(void *ctx)
{
	__u64 a[1] = {42};

	return bpf_stream_vprintk_impl(1, dfmt, a, sizeof(a), 0);
}

SEC("syscall")
int s_varoff(void *ctx)
{
	__u64 a[1] = {42};

	return bpf_stream_vprintk_impl(1, fmt + (pick & 1), a, sizeof(a), 0);
}

SEC("syscall")
int s_unterminated(void *ctx)
{
	__u64 a[1] = {42};

	return bpf_stream_vprintk_impl(1, nonterm, a, sizeof(a), 0);
}

SEC("syscall")
int s_null_args(void *ctx)
{
	return bpf_stream_vprintk_impl(1, fmt, 0, 0, 0);
}

SEC("syscall")
int s_short_args(void *ctx)
{
	__u64 a[1] = {42};

	return bpf_stream_vprintk_impl(1, fmt, a, 16, 0);
}

char LICENSE[] SEC("license") = "GPL";
