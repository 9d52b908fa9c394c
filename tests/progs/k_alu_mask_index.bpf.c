// SPDX-License-Identifier: BSD-2-Clause
/*
 * Indexing a map value with an unknown scalar: masking the index to the
 * value's size makes the access provably in bounds; no mask leaves it
 * unbounded, a too-wide mask lets it run past the end.
 */
// EXPECT(mask_ok): ACCEPT
// RETVAL(mask_ok): 0
// EXPECT(no_mask): REJECT R1 unbounded memory access, make sure to bounds check any such access
// RETVAL(no_mask): none
// EXPECT(mask_too_wide): REJECT R1 max value is outside of the allowed memory range
// RETVAL(mask_too_wide): none
#include "k_common.h"

struct val {
	__u8 bytes[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct val);
} arr SEC(".maps");

SEC("syscall")
__naked int mask_ok(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f;"
		     "r6 &= 15;"
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
__naked int no_mask(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f;"
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

SEC("syscall")
__naked int mask_too_wide(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     "r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto 1f;"
		     "r6 &= 31;"
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
