// SPDX-License-Identifier: BSD-2-Clause
/*
 * Pointer arithmetic by kind and operator: constant and bounded variable
 * offsets on a map value are fine; ALU32 on a pointer, operators other
 * than add/sub (bitwise ones have their own message), pointer + pointer and scalar - pointer are not; two stack
 * pointers may be subtracted (privileged) giving a scalar.
 */
// EXPECT(map_value_const_off): ACCEPT
// RETVAL(map_value_const_off): 0
// EXPECT(ptr_alu32): REJECT R1 32-bit pointer arithmetic prohibited
// RETVAL(ptr_alu32): none
// EXPECT(ptr_mul): REJECT R1 pointer arithmetic with *= operator prohibited
// RETVAL(ptr_mul): none
// EXPECT(ptr_and): REJECT R1 bitwise operator &= on pointer prohibited
// RETVAL(ptr_and): none
// EXPECT(ptr_plus_ptr): REJECT R1 pointer += pointer prohibited
// RETVAL(ptr_plus_ptr): none
// EXPECT(scalar_minus_ptr): REJECT R1 tried to subtract pointer from scalar
// RETVAL(scalar_minus_ptr): none
// EXPECT(ptr_minus_ptr): ACCEPT
// RETVAL(ptr_minus_ptr): 24
// EXPECT(scalar_plus_ptr): ACCEPT
// RETVAL(scalar_plus_ptr): 9
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int map_value_const_off(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r0 += 56;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int ptr_alu32(void)
{
	asm volatile("r1 = r10;"
		     "w1 += -8;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ptr_mul(void)
{
	asm volatile("r1 = r10;"
		     "r1 *= 2;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ptr_and(void)
{
	asm volatile("r1 = r10;"
		     "r1 &= -8;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ptr_plus_ptr(void)
{
	asm volatile("r1 = r10;"
		     "r2 = r10;"
		     "r1 += r2;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int scalar_minus_ptr(void)
{
	asm volatile("r1 = 100;"
		     "r1 -= r10;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ptr_minus_ptr(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r0 = r10;"
		     "r0 += -32;"
		     "r1 -= r0;"
		     "r0 = r1;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int scalar_plus_ptr(void)
{
	asm volatile("r1 = 9;"
		     "*(u64 *)(r10 - 16) = r1;"
		     "r2 = -16;"
		     "r2 += r10;"
		     "r0 = *(u64 *)(r2 + 0);"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
