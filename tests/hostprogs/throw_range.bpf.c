// SPDX-License-Identifier: BSD-2-Clause
/* Programs of a host type ("ranged", return range [0, 10]) with bpf_throw,
 * for test_throw: without an exception callback the cookie of a throw in
 * any frame is the program's return value and must be in the range (in a
 * global function too, which Linux 6.18 does not check); with a callback,
 * the callback's return is held to the range. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_throw(__u64 cookie) __ksym;

#define __exception_cb(name)                                                  \
	__attribute__((btf_decl_tag("exception_callback:" #name)))

volatile int zero;

SEC("ranged")
int cookie_in_range(void *ctx)
{
	if (!zero)
		bpf_throw(5);
	return 1;
}

SEC("ranged")
int cookie_out_of_range(void *ctx)
{
	if (!zero)
		bpf_throw(50);
	return 1;
}

static __attribute__((noinline)) int sub_throw(int x)
{
	if (x < 100)
		bpf_throw(50);
	return 0;
}

SEC("ranged")
int cookie_in_subprog(void *ctx)
{
	return sub_throw(zero);
}

__attribute__((noinline)) int global_throw(int x)
{
	if (x < 100)
		bpf_throw(50);
	return 0;
}

SEC("ranged")
int cookie_in_global(void *ctx)
{
	return global_throw(zero) ? 1 : 0;
}

__attribute__((noinline)) int cb_in_range(__u64 cookie)
{
	return cookie > 10 ? 10 : (int)cookie;
}

SEC("ranged")
__exception_cb(cb_in_range)
int cb_clamps(void *ctx)
{
	if (!zero)
		bpf_throw(50);
	return 1;
}

__attribute__((noinline)) int cb_out_of_range(__u64 cookie)
{
	return 42;
}

SEC("ranged")
__exception_cb(cb_out_of_range)
int cb_bad_return(void *ctx)
{
	if (!zero)
		bpf_throw(1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
