// SPDX-License-Identifier: BSD-2-Clause
/*
 * A 32-bit compare bounds only the low half: after `if w6 > 7` the 64-bit
 * value is still unbounded above, so using r6 as an offset is rejected;
 * zero-extending first (w6 = w6) makes the 32-bit bound the 64-bit one.
 * (The kernel rejects the add itself: smin is hugely negative.)
 */
// EXPECT(jmp32_zext): ACCEPT
// RETVAL(jmp32_zext): 0
// EXPECT(jmp32_upper_unknown): REJECT value -9223372036854775803 makes map_value pointer be out of bounds
// RETVAL(jmp32_upper_unknown): none
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int jmp32_zext(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "w6 = w6;"
		     "if w6 > 63 goto 1f;"
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
__naked int jmp32_upper_unknown(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r6 <<= 32;"
		     "r6 |= 5;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "if w6 > 63 goto 1f;"
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

char LICENSE[] SEC("license") = "GPL";
