// SPDX-License-Identifier: BSD-2-Clause
/*
 * Global (non-static) subprograms are verified once against their BTF
 * prototype: an int argument is an unknown scalar; a pointer argument is
 * maybe-NULL memory of the pointee's size, so the callee must check it.
 * At the call site the result is an unknown scalar.
 */
// EXPECT(global_scalar): ACCEPT
// RETVAL(global_scalar): 11
// EXPECT(global_ptr_unchecked): REJECT invalid mem access 'mem_or_null'
// RETVAL(global_ptr_unchecked): none
// EXPECT(global_ptr_checked): ACCEPT
// RETVAL(global_ptr_checked): 8
// EXPECT(global_result_unknown): REJECT invalid read from stack R10 off=8 size=8
// RETVAL(global_result_unknown): none
#include "k_common.h"

__noinline int k_glob_add_one(int x)
{
	return x + 1;
}

SEC("syscall")
int global_scalar(void *ctx)
{
	return k_glob_add_one(10);
}

__noinline int k_glob_deref(__u64 *p)
{
	return (int)*p;
}

SEC("syscall")
int global_ptr_unchecked(void *ctx)
{
	__u64 v = 8;

	return k_glob_deref(&v);
}

__noinline int k_glob_deref_checked(__u64 *p)
{
	if (!p)
		return 0;
	return (int)*p;
}

SEC("syscall")
int global_ptr_checked(void *ctx)
{
	__u64 v = 8;

	return k_glob_deref_checked(&v);
}

/* k_glob_add_one(1) is 2 at run time, but the verifier does not know it */
SEC("syscall")
__naked int global_result_unknown(void)
{
	asm volatile("r1 = 1;"
		     "call k_glob_add_one;"
		     "if r0 == 2 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
