// SPDX-License-Identifier: BSD-2-Clause
/*
 * ALU32 results are zero-extended: `w6 += 1` on an unknown value is
 * [0,0xffffffff] in 64 bits (too large an offset), while `w6 &= 63` is
 * exactly [0,63] in 64 bits.  A 32-bit move of a pointer is a scalar.
 */
// EXPECT(alu32_unbounded): REJECT R1 unbounded memory access
// RETVAL(alu32_unbounded): none
// EXPECT(alu32_and_bounds): ACCEPT
// RETVAL(alu32_and_bounds): 0
// EXPECT(mov32_ptr_is_scalar): REJECT R1 invalid mem access 'scalar'
// RETVAL(mov32_ptr_is_scalar): none
// EXPECT(alu32_wraps): ACCEPT
// RETVAL(alu32_wraps): 1
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int alu32_unbounded(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "w6 += 1;"
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
__naked int alu32_and_bounds(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "w6 &= 63;"
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
__naked int mov32_ptr_is_scalar(void)
{
	asm volatile("w1 = w10;"
		     "r0 = *(u64 *)(r1 - 8);"
		     "exit;" ::: __clobber_all);
}

/* 0xffffffff + 2 in 32 bits is 1, upper half zero */
SEC("syscall")
__naked int alu32_wraps(void)
{
	asm volatile("w0 = -1;"
		     "w0 += 2;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
