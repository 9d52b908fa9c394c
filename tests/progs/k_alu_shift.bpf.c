// SPDX-License-Identifier: BSD-2-Clause
/*
 * Shifts: a constant right shift keeps bounds ([0,255] >> 2 is [0,63]), a
 * shift by a register holding a known constant is the same, a shift by an
 * unknown register makes the result unknown, an immediate shift by the
 * operand width or more is an encoding error.
 */
// EXPECT(rsh_const): ACCEPT
// RETVAL(rsh_const): 0
// EXPECT(rsh_by_const_reg): ACCEPT
// RETVAL(rsh_by_const_reg): 0
// EXPECT(rsh_by_unknown_reg): REJECT math between map_value pointer and register with unbounded min value is not allowed
// RETVAL(rsh_by_unknown_reg): none
// EXPECT(lsh_64): REJECT invalid shift 64
// RETVAL(lsh_64): none
// EXPECT(lsh32_32): REJECT invalid shift 32
// RETVAL(lsh32_32): none
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int rsh_const(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 255;"
		     "r6 >>= 2;"
		     "r0 += r6;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32), __imm(bpf_map_lookup_elem),
		       __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int rsh_by_const_reg(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 255;"
		     "r2 = 2;"
		     "r6 >>= r2;"
		     "r0 += r6;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32), __imm(bpf_map_lookup_elem),
		       __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int rsh_by_unknown_reg(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r7 = r0;"
		     "r7 >>= 8;"
		     "r7 &= 7;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 255;"
		     "r6 >>= r7;"
		     "r1 = r0;"
		     "r1 += r6;"
		     "r0 = *(u8 *)(r1 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32), __imm(bpf_map_lookup_elem),
		       __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int lsh_64(void)
{
	asm volatile("r0 = 1;"
		     "r0 <<= 64;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int lsh32_32(void)
{
	asm volatile("w0 = 1;"
		     "w0 <<= 32;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
