// SPDX-License-Identifier: BSD-2-Clause
/*
 * Register rules: R10 is read only; reading a register never written
 * (R2-R5 at entry, R6-R9 too) is `!read_ok`; R1 at entry is the ctx.
 */
// EXPECT(write_r10): REJECT frame pointer is read only
// RETVAL(write_r10): none
// EXPECT(read_uninit_r2): REJECT R2 !read_ok
// RETVAL(read_uninit_r2): none
// EXPECT(read_uninit_r7): REJECT R7 !read_ok
// RETVAL(read_uninit_r7): none
// EXPECT(copy_fp_ok): ACCEPT
// RETVAL(copy_fp_ok): 5
#include "k_common.h"

SEC("syscall")
__naked int write_r10(void)
{
	asm volatile("r10 = 0;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int read_uninit_r2(void)
{
	asm volatile("r0 = r2;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int read_uninit_r7(void)
{
	asm volatile("r0 = 1;"
		     "r0 += r7;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int copy_fp_ok(void)
{
	asm volatile("r1 = r10;"
		     "r2 = 5;"
		     "*(u64 *)(r1 - 8) = r2;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
