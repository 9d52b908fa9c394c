// SPDX-License-Identifier: BSD-2-Clause
/*
 * Spills and fills: an 8-byte spill of a pointer or a bounded scalar
 * restores the register exactly; a narrower fill of a spilled pointer or a
 * narrower spill of a pointer is refused; a 4-byte spill read back as 8
 * bytes is an unknown scalar (its bounds are lost, even its minimum).
 */
// EXPECT(spill_ptr_fill): ACCEPT
// RETVAL(spill_ptr_fill): 6
// EXPECT(spill_bounds_kept): ACCEPT
// RETVAL(spill_bounds_kept): 0
// EXPECT(fill_ptr_narrow): REJECT invalid size of register fill
// RETVAL(fill_ptr_narrow): none
// EXPECT(spill_ptr_narrow): REJECT invalid size of register spill
// RETVAL(spill_ptr_narrow): none
// EXPECT(partial_spill_wide_fill): REJECT math between map_value pointer and register with unbounded min value is not allowed
// RETVAL(partial_spill_wide_fill): none
// EXPECT(u32_fill_keeps_bounds): ACCEPT
// RETVAL(u32_fill_keeps_bounds): 0
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int spill_ptr_fill(void)
{
	asm volatile("r1 = 6;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "*(u64 *)(r10 - 16) = r2;"
		     "r3 = *(u64 *)(r10 - 16);"
		     "r0 = *(u64 *)(r3 + 0);"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int spill_bounds_kept(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 63;"
		     "*(u64 *)(r10 - 16) = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = *(u64 *)(r10 - 16);"
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
__naked int fill_ptr_narrow(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r10;"
		     "r0 = *(u32 *)(r10 - 8);"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int spill_ptr_narrow(void)
{
	asm volatile("*(u32 *)(r10 - 8) = r10;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int partial_spill_wide_fill(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 63;"
		     "*(u32 *)(r10 - 16) = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = *(u64 *)(r10 - 16);"
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
__naked int u32_fill_keeps_bounds(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 63;"
		     "*(u64 *)(r10 - 16) = r0;"
		     K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = *(u32 *)(r10 - 16);"
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
