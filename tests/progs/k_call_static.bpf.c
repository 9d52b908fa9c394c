// SPDX-License-Identifier: BSD-2-Clause
/*
 * Static subprograms are verified per call site with the caller's
 * arguments: a callee may write through a stack pointer from its caller;
 * a callee must set R0 before exit; R1-R5 are clobbered after the call.
 */
// EXPECT(static_calls): ACCEPT
// RETVAL(static_calls): 30
// EXPECT(callee_no_r0): REJECT R0 !read_ok
// RETVAL(callee_no_r0): none
// EXPECT(r1_after_call): REJECT R1 !read_ok
// RETVAL(r1_after_call): none
// EXPECT(main_no_r0): REJECT R0 !read_ok
// RETVAL(main_no_r0): none
// EXPECT(callee_writes_caller_stack): ACCEPT
// RETVAL(callee_writes_caller_stack): 9
#include "k_common.h"

static __noinline int twice(int x)
{
	return x * 2;
}

SEC("syscall")
int static_calls(void *ctx)
{
	volatile int a = 5;

	return twice(a) + twice(a + 5);
}

static __naked __noinline __attribute__((used)) int no_r0(void)
{
	asm volatile("r1 = 1;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int callee_no_r0(void)
{
	asm volatile("call no_r0;"
		     "exit;" ::: __clobber_all);
}

static __naked __noinline __attribute__((used)) int ret_one(void)
{
	asm volatile("r0 = 1;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int r1_after_call(void)
{
	asm volatile("r1 = 1;"
		     "call ret_one;"
		     "r0 = r1;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int main_no_r0(void)
{
	asm volatile("r1 = 1;"
		     "exit;" ::: __clobber_all);
}

static __naked __noinline __attribute__((used)) int store_nine(void)
{
	asm volatile("r2 = 9;"
		     "*(u64 *)(r1 + 0) = r2;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int callee_writes_caller_stack(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "call store_nine;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
