// SPDX-License-Identifier: BSD-2-Clause
/*
 * LDSX: a sign-extending byte load of unknown stack data is [-128,127]
 * (possibly negative as an offset), a zero-extending one [0,255]; loading
 * back a stored constant with sign extension gives the constant's value.
 */
// EXPECT(ldsx_negative): REJECT R1 min value is negative, either use unsigned index or do a if (index >=0) check.
// RETVAL(ldsx_negative): none
// EXPECT(ldx_unsigned): ACCEPT
// RETVAL(ldx_unsigned): 0
// EXPECT(ldsx_value): ACCEPT
// RETVAL(ldsx_value): 2
#include "k_common.h"

struct val256 {
	__u8 b[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct val256);
} arr SEC(".maps");

SEC("syscall")
__naked int ldsx_negative(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "*(u64 *)(r10 - 16) = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = *(s8 *)(r10 - 16);"
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
__naked int ldx_unsigned(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "*(u64 *)(r10 - 16) = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = *(u8 *)(r10 - 16);"
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

/* (s16)0xfffe = -2, negated: 2 */
SEC("syscall")
__naked int ldsx_value(void)
{
	asm volatile("r1 = 0xfffe;"
		     "*(u16 *)(r10 - 8) = r1;"
		     "r0 = *(s16 *)(r10 - 8);"
		     "r0 = -r0;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
