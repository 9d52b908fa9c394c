// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which pointer kinds allow arithmetic: a maybe-NULL map value must be
 * null-checked first; a map pointer (ld_imm64 of a map) allows none; a
 * ctx pointer may be moved but not dereferenced once moved; the stack
 * pointer may be moved by adding a negative constant but not by `-=`.
 */
// EXPECT(or_null_arith): REJECT R0 pointer arithmetic on map_value_or_null prohibited, null-check it first
// RETVAL(or_null_arith): none
// EXPECT(map_ptr_arith): REJECT R1 pointer arithmetic on map_ptr prohibited
// RETVAL(map_ptr_arith): none
// EXPECT(stack_sub_const): REJECT R1 subtraction from stack pointer prohibited
// RETVAL(stack_sub_const): none
// EXPECT(stack_add_neg): ACCEPT
// RETVAL(stack_add_neg): 3
// EXPECT(ctx_moved_deref): REJECT dereference of modified ctx ptr R1 off=4 disallowed
// RETVAL(ctx_moved_deref): none
#include "k_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

SEC("syscall")
__naked int or_null_arith(void)
{
	asm volatile(K_LOOKUP_KEY0(hash)
		     "r0 += 8;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

SEC("syscall")
__naked int map_ptr_arith(void)
{
	asm volatile("r1 = %[hash] ll;"
		     "r1 += 8;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm_addr(hash)
		     : __clobber_all);
}

SEC("syscall")
__naked int stack_sub_const(void)
{
	asm volatile("r1 = r10;"
		     "r1 -= 8;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int stack_add_neg(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r2 = 3;"
		     "*(u64 *)(r1 + 0) = r2;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ctx_moved_deref(void)
{
	asm volatile("r1 += 4;"
		     "r0 = *(u32 *)(r1 + 0);"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
