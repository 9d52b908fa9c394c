// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stack bounds and alignment: accesses must lie in [fp-512, fp) and be
 * aligned to their size (alignment is checked first: an 8-byte store at
 * fp-4 is reported as misaligned); fp-512 itself is the last valid slot.
 */
// EXPECT(write_below_512): REJECT invalid write to stack R10 off=-520 size=8
// RETVAL(write_below_512): none
// EXPECT(read_above_fp): REJECT invalid read from stack R10 off=0 size=8
// RETVAL(read_above_fp): none
// EXPECT(write_straddles_fp): REJECT misaligned stack access off 0+0+-4 size 8
// RETVAL(write_straddles_fp): none
// EXPECT(write_at_fp): REJECT invalid write to stack R10 off=0 size=4
// RETVAL(write_at_fp): none
// EXPECT(misaligned_u32): REJECT misaligned stack access off 0+0+-6 size 4
// RETVAL(misaligned_u32): none
// EXPECT(misaligned_via_reg): REJECT misaligned stack access off 0+-3+0 size 2
// RETVAL(misaligned_via_reg): none
// EXPECT(lowest_slot): ACCEPT
// RETVAL(lowest_slot): 11
#include "k_common.h"

SEC("syscall")
__naked int write_below_512(void)
{
	asm volatile("r1 = 1;"
		     "*(u64 *)(r10 - 520) = r1;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int read_above_fp(void)
{
	asm volatile("r0 = *(u64 *)(r10 + 0);"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int write_straddles_fp(void)
{
	asm volatile("r1 = 1;"
		     "*(u64 *)(r10 - 4) = r1;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int write_at_fp(void)
{
	asm volatile("*(u32 *)(r10 + 0) = 0;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int misaligned_u32(void)
{
	asm volatile("r1 = 1;"
		     "*(u32 *)(r10 - 6) = r1;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int misaligned_via_reg(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -3;"
		     "r2 = 1;"
		     "*(u16 *)(r1 + 0) = r2;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int lowest_slot(void)
{
	asm volatile("r1 = 11;"
		     "*(u64 *)(r10 - 512) = r1;"
		     "r0 = *(u64 *)(r10 - 512);"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
