// SPDX-License-Identifier: BSD-2-Clause
/*
 * A signed upper bound (`if r6 s> 63`) leaves the index possibly negative:
 * rejected with the "min value is negative" hint; the unsigned compare
 * bounds it from both sides.  A signed check on both ends also works.  A
 * minimum below -2^29 is refused already at the pointer addition.
 */
// EXPECT(signed_only_upper): REJECT R1 min value is negative, either use unsigned index or do a if (index >=0) check.
// RETVAL(signed_only_upper): none
// EXPECT(signed_far_negative): REJECT value -2147483648 makes map_value pointer be out of bounds
// RETVAL(signed_far_negative): none
// EXPECT(unsigned_upper): ACCEPT
// RETVAL(unsigned_upper): 0
// EXPECT(signed_both_ends): ACCEPT
// RETVAL(signed_both_ends): 0
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int signed_only_upper(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = (s8)r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "if r6 s> 63 goto 1f;"
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
__naked int signed_far_negative(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r6 <<= 32;"
		     "r6 s>>= 32;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "if r6 s> 63 goto 1f;"
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
__naked int unsigned_upper(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r6 <<= 32;"
		     "r6 s>>= 32;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "if r6 > 63 goto 1f;"
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
__naked int signed_both_ends(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r6 <<= 32;"
		     "r6 s>>= 32;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "if r6 s> 63 goto 1f;"
		     "if r6 s< 0 goto 1f;"
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
