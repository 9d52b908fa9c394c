// SPDX-License-Identifier: BSD-2-Clause
/*
 * Null checks propagate to copies: a copy made before the check, in a
 * register or spilled to the stack, becomes non-NULL with the original.
 * A copy made and then checked instead of the original also clears both.
 * Checking an unrelated pointer proves nothing.  The NULL arm sees 0.
 */
// EXPECT(copy_before_check): ACCEPT
// RETVAL(copy_before_check): 0
// EXPECT(spilled_copy): ACCEPT
// RETVAL(spilled_copy): 0
// EXPECT(check_the_copy): ACCEPT
// RETVAL(check_the_copy): 0
// EXPECT(wrong_reg_checked): REJECT R7 invalid mem access 'map_value_or_null'
// RETVAL(wrong_reg_checked): none
// EXPECT(null_arm_is_zero): ACCEPT
// RETVAL(null_arm_is_zero): 5
#include "k_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

SEC("syscall")
__naked int copy_before_check(void)
{
	asm volatile(K_LOOKUP_KEY0(hash)
		     "r6 = r0;"
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r6 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

SEC("syscall")
__naked int spilled_copy(void)
{
	asm volatile(K_LOOKUP_KEY0(hash)
		     "*(u64 *)(r10 - 16) = r0;"
		     "if r0 == 0 goto 1f;"
		     "r1 = *(u64 *)(r10 - 16);"
		     "r0 = *(u64 *)(r1 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

SEC("syscall")
__naked int check_the_copy(void)
{
	asm volatile(K_LOOKUP_KEY0(hash)
		     "r6 = r0;"
		     "if r6 != 0 goto 1f;"
		     "r0 = 0;"
		     "exit;"
		     "1: r0 = *(u64 *)(r0 + 0);"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

SEC("syscall")
__naked int wrong_reg_checked(void)
{
	asm volatile(K_LOOKUP_KEY0(hash)
		     "r7 = r0;"
		     K_LOOKUP_KEY0(hash)
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r7 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

/* in the NULL arm r0 is the constant 0, so r0 + 5 is exactly 5 */
SEC("syscall")
__naked int null_arm_is_zero(void)
{
	asm volatile(K_LOOKUP_KEY0(hash)
		     "if r0 != 0 goto 1f;"
		     "r0 += 5;"
		     "exit;"
		     "1: r0 = 5;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
