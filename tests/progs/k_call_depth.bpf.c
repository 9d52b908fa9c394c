// SPDX-License-Identifier: BSD-2-Clause
/*
 * Call-chain limits: 8 frames are allowed, a 9th is too deep; the stack
 * depths of all frames on one chain (each its deepest access, rounded up)
 * must add up to at most 512 bytes.
 */
// EXPECT(eight_frames): ACCEPT
// RETVAL(eight_frames): 6
// EXPECT(nine_frames): REJECT the call stack of 9 frames is too deep
// RETVAL(nine_frames): none
// EXPECT(stack_too_large): REJECT combined stack size of 3 calls is
// RETVAL(stack_too_large): none
// EXPECT(stack_fits): ACCEPT
// RETVAL(stack_fits): 0
#include "k_common.h"

#define LEVEL(name, next)                                                     \
	static __naked __noinline __attribute__((used)) int name(void)        \
	{                                                                     \
		asm volatile("call " #next ";"                               \
			     "r0 += 1;"                                       \
			     "exit;" ::: __clobber_all);                      \
	}

static __naked __noinline __attribute__((used)) int lvl_leaf(void)
{
	asm volatile("r0 = 0;"
		     "exit;" ::: __clobber_all);
}

LEVEL(lvl7, lvl_leaf)
LEVEL(lvl6, lvl7)
LEVEL(lvl5, lvl6)
LEVEL(lvl4, lvl5)
LEVEL(lvl3, lvl4)
LEVEL(lvl2, lvl3)
LEVEL(lvl1, lvl2)

/* main + lvl2..lvl7 + leaf = 8 frames */
SEC("syscall")
__naked int eight_frames(void)
{
	asm volatile("call lvl2;"
		     "exit;" ::: __clobber_all);
}

/* main + lvl1..lvl7 + leaf = 9 frames */
SEC("syscall")
__naked int nine_frames(void)
{
	asm volatile("call lvl1;"
		     "exit;" ::: __clobber_all);
}

static __naked __noinline __attribute__((used)) int big_leaf(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 200) = r0;"
		     "exit;" ::: __clobber_all);
}

static __naked __noinline __attribute__((used)) int big_mid(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 200) = r0;"
		     "call big_leaf;"
		     "exit;" ::: __clobber_all);
}

/* 3 frames of 200 bytes each */
SEC("syscall")
__naked int stack_too_large(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 200) = r0;"
		     "call big_mid;"
		     "exit;" ::: __clobber_all);
}

/* 2 frames of 200 bytes plus 1 of 64 */
static __naked __noinline __attribute__((used)) int small_leaf(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 64) = r0;"
		     "exit;" ::: __clobber_all);
}

static __naked __noinline __attribute__((used)) int mid_small(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 200) = r0;"
		     "call small_leaf;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int stack_fits(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 200) = r0;"
		     "call mid_small;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
