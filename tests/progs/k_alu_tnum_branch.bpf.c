// SPDX-License-Identifier: BSD-2-Clause
/*
 * Branches decided by known bits: after `r1 &= 0xfe` the low bit is known
 * zero, so `r1 == 3` can never be true and the arm with an invalid stack
 * read is dead; `r1 |= 1` makes `r1 & 1` always set (JSET decided).  With
 * `r1 &= 0xff` the compare is undecided and the bad arm is checked.
 */
// EXPECT(and_decides_jeq): ACCEPT
// RETVAL(and_decides_jeq): 0
// EXPECT(or_decides_jset): ACCEPT
// RETVAL(or_decides_jset): 1
// EXPECT(undecided_checked): REJECT invalid read from stack R10 off=8 size=8
// RETVAL(undecided_checked): none
#include "k_common.h"

SEC("syscall")
__naked int and_decides_jeq(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 0xfe;"
		     "if r0 == 3 goto 1f;"
		     "r0 = 0;"
		     "exit;"
		     "1: r0 = *(u64 *)(r10 + 8);"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

SEC("syscall")
__naked int or_decides_jset(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 |= 1;"
		     "if r0 & 1 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "exit;"
		     "1: r0 = 1;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

SEC("syscall")
__naked int undecided_checked(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 0xff;"
		     "if r0 == 3 goto 1f;"
		     "r0 = 0;"
		     "exit;"
		     "1: r0 = *(u64 *)(r10 + 8);"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
