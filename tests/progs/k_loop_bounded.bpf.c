// SPDX-License-Identifier: BSD-2-Clause
/*
 * Loops: a loop whose exit condition becomes decidable is simulated to the
 * end and accepted; a loop that returns to an identical state is an
 * infinite loop; a loop on an unknown bound that never converges runs into
 * the 1M processed-instruction limit.
 */
// EXPECT(count_to_ten): ACCEPT
// RETVAL(count_to_ten): 10
// EXPECT(c_loop): ACCEPT
// RETVAL(c_loop): 4950
// EXPECT(infinite): REJECT infinite loop detected at insn 1
// RETVAL(infinite): none
// EXPECT(too_many_insns): REJECT BPF program is too large. Processed 1000001 insn
// RETVAL(too_many_insns): none
#include "k_common.h"

SEC("syscall")
__naked int count_to_ten(void)
{
	asm volatile("r0 = 0;"
		     "1: r0 += 1;"
		     "if r0 < 10 goto 1b;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
int c_loop(void *ctx)
{
	volatile int n = 100;
	int sum = 0;

	for (int i = 0; i < n && i < 200; i++)
		sum += i;
	return sum;
}

SEC("syscall")
__naked int infinite(void)
{
	asm volatile("r0 = 0;"
		     "1: r1 = 0;"
		     "goto 1b;" ::: __clobber_all);
}

/* the counter is precise (it decides the branch), so no state repeats */
SEC("syscall")
__naked int too_many_insns(void)
{
	asm volatile("r0 = 0;"
		     "1: r0 += 1;"
		     "if r0 != 0x7fffffff goto 1b;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
