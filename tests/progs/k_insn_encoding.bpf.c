// SPDX-License-Identifier: BSD-2-Clause
/*
 * Encodings the verifier refuses before simulation: reserved fields set,
 * an unknown opcode, an ld_imm64 whose second half is malformed.  Emitted
 * as raw 8-byte words (little endian: code, regs, off, imm).
 */
// EXPECT(neg_reserved): REJECT BPF_NEG uses reserved fields
// RETVAL(neg_reserved): none
// EXPECT(alu_reserved): REJECT BPF_ALU uses reserved fields
// RETVAL(alu_reserved): none
// EXPECT(unknown_opcode): REJECT unknown opcode
// RETVAL(unknown_opcode): none
// EXPECT(end_bad_imm): REJECT BPF_END uses reserved fields
// RETVAL(end_bad_imm): none
#include "k_common.h"

/* r0 = 0; r0 = -r0 with imm 1 */
SEC("syscall")
__naked int neg_reserved(void)
{
	asm volatile("r0 = 0;"
		     ".8byte 0x0000000100000087;"
		     "exit;" ::: __clobber_all);
}

/* r0 = 0; r0 += 1 (BPF_K) with src_reg 1 */
SEC("syscall")
__naked int alu_reserved(void)
{
	asm volatile("r0 = 0;"
		     ".8byte 0x0000000100001007;"
		     "exit;" ::: __clobber_all);
}

/* opcode 0xff */
SEC("syscall")
__naked int unknown_opcode(void)
{
	asm volatile("r0 = 0;"
		     ".8byte 0x00000000000000ff;"
		     "exit;" ::: __clobber_all);
}

/* r0 = le24 r0 */
SEC("syscall")
__naked int end_bad_imm(void)
{
	asm volatile("r0 = 0;"
		     ".8byte 0x00000018000000d4;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
