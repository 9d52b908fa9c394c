// SPDX-License-Identifier: BSD-2-Clause
/*
 * NEG and MUL are tracked: -[0,15] + 15 is [0,15]; [0,15] * 3 is [0,45]
 * (a byte load at 45 fits a 64-byte value), [0,15] * 5 = [0,75] runs past
 * its end; -[0,15] alone may be negative.
 */
// EXPECT(neg_then_add): ACCEPT
// RETVAL(neg_then_add): 0
// EXPECT(mul_fits): ACCEPT
// RETVAL(mul_fits): 0
// EXPECT(mul_too_big): REJECT R1 max value is outside of the allowed memory range
// RETVAL(mul_too_big): none
// EXPECT(neg_unbounded_below): REJECT R1 min value is negative
// RETVAL(neg_unbounded_below): none
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int neg_then_add(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 15;"
		     "r6 = -r6;"
		     "r6 += 15;"
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
__naked int mul_fits(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 15;"
		     "r6 *= 3;"
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
__naked int mul_too_big(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 15;"
		     "r6 *= 5;"
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
__naked int neg_unbounded_below(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 15;"
		     "r6 = -r6;"
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
