// SPDX-License-Identifier: BSD-2-Clause
/*
 * MOVSX: sign-extending [0,255] from s8 gives [-128,127], so the result is
 * possibly negative as an offset; [0,127] stays [0,127]; (s32) of a value
 * that fits keeps its range.
 */
// EXPECT(movsx8_negative): REJECT R1 min value is negative, either use unsigned index or do a if (index >=0) check.
// RETVAL(movsx8_negative): none
// EXPECT(movsx8_fits): ACCEPT
// RETVAL(movsx8_fits): 0
// EXPECT(movsx32_keeps): ACCEPT
// RETVAL(movsx32_keeps): 0
// EXPECT(movsx_value): ACCEPT
// RETVAL(movsx_value): 1
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int movsx8_negative(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 0xff;"
		     "r6 = (s8)r6;"
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
__naked int movsx8_fits(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 0x3f;"
		     "r6 = (s8)r6;"
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
__naked int movsx32_keeps(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 0x3f;"
		     "r7 = (s32)r6;"
		     "r0 += r7;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32), __imm(bpf_map_lookup_elem),
		       __imm_addr(arr)
		     : __clobber_all);
}

/* (s8)0xff = -1, (s16)0x8000 = -32768: -1 - -32768 = 32767; 32767 >> 14 = 1 */
SEC("syscall")
__naked int movsx_value(void)
{
	asm volatile("r1 = 0xff;"
		     "r1 = (s8)r1;"
		     "w2 = 0x8000;"
		     "w2 = (s16)w2;"
		     "r2 = (s32)r2;"
		     "r1 -= r2;"
		     "r1 >>= 14;"
		     "r0 = r1;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
