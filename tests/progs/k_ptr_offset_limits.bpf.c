// SPDX-License-Identifier: BSD-2-Clause
/*
 * Limits on pointer offsets: a scalar without a lower bound may not be
 * added, a constant of 2^29 or more may not be added, and a known offset
 * past the end of the value fails at the access, not at the add.
 */
// EXPECT(unbounded_min): REJECT math between map_value pointer and register with unbounded min value is not allowed
// RETVAL(unbounded_min): none
// EXPECT(huge_const): REJECT math between map_value pointer and 536870912 is not allowed
// RETVAL(huge_const): none
// EXPECT(past_end_no_access): ACCEPT
// RETVAL(past_end_no_access): 0
// EXPECT(past_end_access): REJECT invalid access to map value, value_size=64 off=64 size=1
// RETVAL(past_end_access): none
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int unbounded_min(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r6 <<= 32;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r0 += r6;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32), __imm(bpf_map_lookup_elem),
		       __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int huge_const(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r1 = 0x20000000;"
		     "r0 += r1;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int past_end_no_access(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r0 += 1000;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int past_end_access(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r0 += 64;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
