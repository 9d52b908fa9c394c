// SPDX-License-Identifier: BSD-2-Clause
/*
 * .rodata is a frozen read-only map: stores into it are rejected, and its
 * constants are known at verification time, so a branch on one is decided
 * (the other arm, with an invalid read, is dead).  The same branch on a
 * .data variable is not decided and the bad arm is checked.
 */
// EXPECT(rodata_write): REJECT write into map forbidden, value_size=
// RETVAL(rodata_write): none
// EXPECT(rodata_decides): ACCEPT
// RETVAL(rodata_decides): 7
// EXPECT(data_undecided): REJECT invalid read from stack R10 off=8 size=8
// RETVAL(data_undecided): none
// EXPECT(rodata_c_read): ACCEPT
// RETVAL(rodata_c_read): 3
#include "k_common.h"

const volatile __u64 mode = 7;
const volatile __u32 small_k = 3;
__u64 data_mode = 7;

SEC("syscall")
__naked int rodata_write(void)
{
	asm volatile("r1 = %[mode] ll;"
		     "r2 = 1;"
		     "*(u64 *)(r1 + 0) = r2;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm_addr(mode)
		     : __clobber_all);
}

SEC("syscall")
__naked int rodata_decides(void)
{
	asm volatile("r1 = %[mode] ll;"
		     "r0 = *(u64 *)(r1 + 0);"
		     "if r0 == 7 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;"
		     :
		     : __imm_addr(mode)
		     : __clobber_all);
}

SEC("syscall")
__naked int data_undecided(void)
{
	asm volatile("r1 = %[data_mode] ll;"
		     "r0 = *(u64 *)(r1 + 0);"
		     "if r0 == 7 goto 1f;"
		     "r0 = *(u64 *)(r10 + 8);"
		     "1: exit;"
		     :
		     : __imm_addr(data_mode)
		     : __clobber_all);
}

SEC("syscall")
int rodata_c_read(void *ctx)
{
	return small_k;
}

char LICENSE[] SEC("license") = "GPL";
