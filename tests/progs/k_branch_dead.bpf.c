// SPDX-License-Identifier: BSD-2-Clause
/*
 * Dead code is not checked: an arm that constant conditions make
 * unreachable may contain invalid accesses.  Instructions the CFG can never
 * reach at all are an error (`unreachable insn`), and so are jumps outside
 * the program or into the middle of an ld_imm64.
 */
// EXPECT(const_cond_dead_arm): ACCEPT
// RETVAL(const_cond_dead_arm): 4
// EXPECT(range_decides): ACCEPT
// RETVAL(range_decides): 0
// EXPECT(unreachable): REJECT unreachable insn 2
// RETVAL(unreachable): none
// EXPECT(into_ldimm64): REJECT jump into the middle of ldimm64 insn 2
// RETVAL(into_ldimm64): none
// EXPECT(signed_decides): ACCEPT
// RETVAL(signed_decides): 1
#include "k_common.h"

SEC("syscall")
__naked int const_cond_dead_arm(void)
{
	asm volatile("r0 = 4;"
		     "if r0 > 3 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "r1 = *(u64 *)(r0 + 0);"
		     "1: exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int range_decides(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 0xf;"
		     "if r0 < 16 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

SEC("syscall")
__naked int unreachable(void)
{
	asm volatile("r0 = 0;"
		     "exit;"
		     "r0 = 1;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int into_ldimm64(void)
{
	asm volatile("r0 = 0;"
		     "if r0 == 0 goto +1;"
		     "r1 = 0x100000000 ll;"
		     "exit;" ::: __clobber_all);
}

/* -1 is signed-less than 0 but unsigned-greater */
SEC("syscall")
__naked int signed_decides(void)
{
	asm volatile("r1 = -1;"
		     "r0 = 1;"
		     "if r1 s< 0 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: if r1 > 0 goto 2f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "2: exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
