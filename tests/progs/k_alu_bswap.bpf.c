// SPDX-License-Identifier: BSD-2-Clause
/*
 * Byte swaps are tracked: bswap32 of [0,255] moves the unknown byte to the
 * top (umax 0xff000000: an unbounded offset), bswap16 of a constant is a constant, le16
 * on little endian is a truncation that keeps [0,255].
 */
// EXPECT(bswap32_moves_byte): REJECT R1 unbounded memory access, make sure to bounds check any such access
// RETVAL(bswap32_moves_byte): none
// EXPECT(le16_keeps): ACCEPT
// RETVAL(le16_keeps): 0
// EXPECT(bswap_values): ACCEPT
// RETVAL(bswap_values): 13330
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
__naked int bswap32_moves_byte(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 0xff;"
		     "r6 = bswap32 r6;"
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
__naked int le16_keeps(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r6 = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 &= 0xff;"
		     "r6 = le16 r6;"
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

/* be16 0x1234 = 0x3412 = 13330; bswap64 twice is the identity */
SEC("syscall")
__naked int bswap_values(void)
{
	asm volatile("r0 = 0x1234;"
		     "r0 = be16 r0;"
		     "r1 = 0x0102030405060708 ll;"
		     "r1 = bswap64 r1;"
		     "r1 = bswap64 r1;"
		     "r2 = 0x0102030405060708 ll;"
		     "if r1 == r2 goto 1f;"
		     "r0 = 0;"
		     "1: exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
