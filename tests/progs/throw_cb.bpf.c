// SPDX-License-Identifier: BSD-2-Clause
/*
 * The exception callback: the global function the main program names with
 * the decl tag `exception_callback:<name>` (bpf_experimental.h's
 * __exception_cb).  A throw from any frame returns the callback's result
 * for the cookie; a program that does not throw returns as usual.  The
 * callback must be `int cb(u64)` (a scalar return, one integer argument)
 * and may not be called directly.
 *
 * Checked by hand against Linux 6.18 (same verdicts, messages and
 * retvals) with kload built on libbpf 1.7: Debian 12's libbpf 1.1, which
 * the oracle test uses, predates exception callbacks and does not append
 * a function nothing calls, so the kernel would see none.
 */
// KERNEL: skip libbpf 1.1 cannot append exception callbacks (checked by hand with libbpf 1.7)
// EXPECT(throw_with_cb): ACCEPT
// RETVAL(throw_with_cb): 15
// EXPECT(throw_sub_with_cb): ACCEPT
// RETVAL(throw_sub_with_cb): 34
// EXPECT(no_throw_with_cb): ACCEPT
// RETVAL(no_throw_with_cb): 2
// EXPECT(cb_two_args): REJECT exception cb only supports single integer argument
// EXPECT(cb_no_args): REJECT exception cb only supports single integer argument
// EXPECT(cb_void): REJECT Global function void_cb() doesn't return scalar. Only those are supported.
// EXPECT(cb_called): REJECT cannot call exception cb directly
// EXPECT(cb_throws): REJECT cannot be called from callback subprog 1
// EXPECT(cb_multi): REJECT multiple exception callback tags for main subprog
// EXPECT(cb_static): REJECT exception callback 'static_cb' must have global linkage
#include "k_common.h"

extern void bpf_throw(__u64 cookie) __ksym;

#define __exception_cb(name)                                                  \
	__attribute__((btf_decl_tag("exception_callback:" #name)))

/* a value the verifier does not know */
volatile int k_zero;

static __noinline int level3(int x)
{
	if (x == 33)
		bpf_throw(33);
	return x;
}

static __noinline int level2(int x)
{
	return level3(x + 11) + 1;
}

__noinline int double_plus_one(__u64 cookie)
{
	return (int)cookie * 2 + 1;
}

SEC("syscall")
__exception_cb(double_plus_one)
int throw_with_cb(void *ctx)
{
	bpf_throw(7);
	return 1;
}

__noinline int plus_one(__u64 cookie)
{
	return (int)cookie + 1;
}

SEC("syscall")
__exception_cb(plus_one)
int throw_sub_with_cb(void *ctx)
{
	return level2(22 + k_zero) + 100;
}

SEC("syscall")
__exception_cb(plus_one)
int no_throw_with_cb(void *ctx)
{
	return 2;
}

__noinline int two_args(__u64 cookie, int x)
{
	return (int)cookie + x;
}

SEC("syscall")
__exception_cb(two_args)
int cb_two_args(void *ctx)
{
	bpf_throw(1);
	return 0;
}

__noinline int no_args(void)
{
	return k_zero;
}

SEC("syscall")
__exception_cb(no_args)
int cb_no_args(void *ctx)
{
	bpf_throw(1);
	return 0;
}

__noinline void void_cb(__u64 cookie)
{
	k_zero = (int)cookie;
}

SEC("syscall")
__exception_cb(void_cb)
int cb_void(void *ctx)
{
	bpf_throw(1);
	return 0;
}

SEC("syscall")
__exception_cb(plus_one)
int cb_called(void *ctx)
{
	return plus_one(k_zero);
}

__noinline int throwing_cb(__u64 cookie)
{
	if (cookie > 5)
		bpf_throw(1);
	return (int)cookie;
}

SEC("syscall")
__exception_cb(throwing_cb)
int cb_throws(void *ctx)
{
	bpf_throw(7);
	return 0;
}

SEC("syscall")
__exception_cb(plus_one)
__exception_cb(double_plus_one)
int cb_multi(void *ctx)
{
	bpf_throw(7);
	return 0;
}

/* libbpf 1.7 refuses this one before the kernel sees it */
static __noinline __attribute__((used)) int static_cb(__u64 cookie)
{
	return (int)cookie;
}

SEC("syscall")
__exception_cb(static_cb)
int cb_static(void *ctx)
{
	bpf_throw(7);
	return 0;
}

char _license[] SEC("license") = "GPL";
