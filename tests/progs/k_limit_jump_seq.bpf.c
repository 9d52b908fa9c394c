// SPDX-License-Identifier: BSD-2-Clause
/*
 * More than 8192 states queued at once: each iteration of a long counted
 * loop forks on an unknown value; the fall-through keeps going (the counter
 * is precise, so nothing is pruned) while every fork waits in the queue.
 * A short loop of the same shape is fine.
 */
// EXPECT(too_complex): REJECT The sequence of 8193 jumps is too complex.
// RETVAL(too_complex): none
// EXPECT(short_enough): ACCEPT
// RETVAL(short_enough): 0
#include "k_common.h"

SEC("syscall")
__naked int too_complex(void)
{
	asm volatile("r6 = 0;"
		     "1: call %[bpf_get_prandom_u32];"
		     "if r0 == 0 goto 2f;"
		     "2: r6 += 1;"
		     "if r6 < 10000 goto 1b;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

SEC("syscall")
__naked int short_enough(void)
{
	asm volatile("r6 = 0;"
		     "1: call %[bpf_get_prandom_u32];"
		     "if r0 == 0 goto 2f;"
		     "2: r6 += 1;"
		     "if r6 < 100 goto 1b;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
