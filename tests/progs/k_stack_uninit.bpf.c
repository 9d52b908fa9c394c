// SPDX-License-Identifier: BSD-2-Clause
/*
 * Privileged programs may read stack never written (an unknown scalar),
 * fully or partly; a map lookup key on never-written stack is accepted.
 * Zero bytes read back as a known 0 -- but order matters: a u32 zero store
 * (immediate or register) at a slot's start is a 4-byte spill of 0
 * (fp-8=????0), and a later u32 zero store at fp-4 turns the spilled bytes
 * into STACK_MISC (fp-8=0000mmmm), so the u64 read is unknown.  Storing
 * fp-4 first (STACK_ZERO) and then fp-8 gives fp-8=00000, still unknown
 * when read as u64: a read spanning a partial spill is known zero only if
 * all its bytes are spill bytes of a 0 or all are STACK_ZERO.  A u64 zero
 * store, or a u32 read of the STACK_ZERO half, is a known 0.
 */
// EXPECT(read_uninit_u64): ACCEPT
// RETVAL(read_uninit_u64): 0
// EXPECT(read_half_init): ACCEPT
// RETVAL(read_half_init): 0
// EXPECT(uninit_key): ACCEPT
// RETVAL(uninit_key): 0
// EXPECT(zero_imm_halves): REJECT invalid read from stack R10 off=8 size=8
// RETVAL(zero_imm_halves): none
// EXPECT(zero_high_then_low): REJECT invalid read from stack R10 off=8 size=8
// RETVAL(zero_high_then_low): none
// EXPECT(zero_u64_imm): ACCEPT
// RETVAL(zero_u64_imm): 0
// EXPECT(zero_u32_read): ACCEPT
// RETVAL(zero_u32_read): 0
// EXPECT(zero_reg_halves): REJECT invalid read from stack R10 off=8 size=8
// RETVAL(zero_reg_halves): none
#include "k_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u64);
	__type(value, __u64);
} hash SEC(".maps");

SEC("syscall")
__naked int read_uninit_u64(void)
{
	asm volatile("r0 = *(u64 *)(r10 - 64);"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int read_half_init(void)
{
	asm volatile("r1 = 0;"
		     "*(u32 *)(r10 - 8) = r1;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "r0 &= 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int uninit_key(void)
{
	asm volatile("r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[hash] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

/* the dead arm's out-of-bounds read is checked only if r0 is not known 0 */
SEC("syscall")
__naked int zero_imm_halves(void)
{
	asm volatile("*(u32 *)(r10 - 8) = 0;"
		     "*(u32 *)(r10 - 4) = 0;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int zero_high_then_low(void)
{
	asm volatile("*(u32 *)(r10 - 4) = 0;"
		     "*(u32 *)(r10 - 8) = 0;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int zero_u64_imm(void)
{
	asm volatile("*(u64 *)(r10 - 8) = 0;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int zero_u32_read(void)
{
	asm volatile("*(u32 *)(r10 - 4) = 0;"
		     "r0 = *(u32 *)(r10 - 4);"
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int zero_reg_halves(void)
{
	asm volatile("r1 = 0;"
		     "*(u32 *)(r10 - 8) = r1;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
