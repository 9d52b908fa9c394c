// SPDX-License-Identifier: BSD-2-Clause
/*
 * may_goto / can_loop: a loop on an unknown bound is accepted when each
 * iteration passes a may_goto (the verifier explores the exit first and
 * prunes the looping side at the next visit); without it the same loop is
 * too large.  may_goto needs imm 0.
 */
// EXPECT(may_goto_loop): ACCEPT
// RETVAL(may_goto_loop): 0
// EXPECT(can_loop_c): ACCEPT
// RETVAL(can_loop_c): 36
// EXPECT(no_may_goto): REJECT BPF program is too large
// RETVAL(no_may_goto): none
#include "k_common.h"

/* loops while a random value is nonzero; terminates at run time because
 * may_goto's hidden counter runs out */
SEC("syscall")
__naked int may_goto_loop(void)
{
	asm volatile("r6 = 0;"
		     "1: may_goto 2f;"
		     "r6 += 1;"
		     "call %[bpf_get_prandom_u32];"
		     "if r0 != 0 goto 1b;"
		     "2: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

/* can_loop as bpf_experimental.h spells it: true until may_goto fires */
#define can_loop                                                             \
	({                                                                    \
		__label__ l_break, l_continue;                                \
		int ret = 1;                                                  \
		asm volatile goto("may_goto %l[l_break]" :: ::l_break);       \
		goto l_continue;                                              \
l_break:                                                                      \
		ret = 0;                                                      \
l_continue:;                                                                  \
		ret;                                                          \
	})

SEC("syscall")
int can_loop_c(void *ctx)
{
	volatile int n = 9;
	int i = 0, sum = 0;

	while (i < n && can_loop)
		sum += i++;
	return sum;
}

SEC("syscall")
__naked int no_may_goto(void)
{
	asm volatile("r6 = 0;"
		     "1: r6 += 1;"
		     "call %[bpf_get_prandom_u32];"
		     "if r0 != 0 goto 1b;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
