// SPDX-License-Identifier: BSD-2-Clause
/*
 * ADD/SUB wrapping (6.17+ rules): [-16,-1] + 32 wraps entirely and stays
 * the exact interval [16,31]; 0 - [-20,-5] is [5,20].  Both are in range of
 * a 64-byte value.  [0,31] - 16 loses its unsigned bounds (only the
 * minimum wraps) but keeps signed [-16,15], and + 16 brings it back to
 * [0,31] through the signed bounds.
 */
// EXPECT(add_both_wrap): ACCEPT
// RETVAL(add_both_wrap): 0
// EXPECT(sub_both_wrap): ACCEPT
// RETVAL(sub_both_wrap): 0
// EXPECT(signed_rescues): ACCEPT
// RETVAL(signed_rescues): 0
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int add_both_wrap(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 15;"
		     "r6 -= 16;"
		     "r6 += 32;"
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
__naked int sub_both_wrap(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 15;"
		     "r6 -= 20;"
		     "if r6 s> -5 goto 1f;"
		     "r7 = 0;"
		     "r7 -= r6;"
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

SEC("syscall")
__naked int signed_rescues(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 31;"
		     "r6 -= 16;"
		     "r6 += 16;"
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

char LICENSE[] SEC("license") = "GPL";
