// SPDX-License-Identifier: BSD-2-Clause
/*
 * DIV and MOD results are unknown scalars even for constant operands, so
 * `100 / 3` used as an offset is unbounded; a divisor register that is zero
 * at run time is fine (x / 0 = 0, x % 0 = x); an immediate zero divisor is
 * an error.
 */
// EXPECT(div_const_unknown): REJECT math between map_value pointer and register with unbounded min value is not allowed
// RETVAL(div_const_unknown): none
// EXPECT(div_reg_zero): ACCEPT
// RETVAL(div_reg_zero): 7
// EXPECT(div_imm_zero): REJECT div by zero
// RETVAL(div_imm_zero): none
// EXPECT(mod_imm_zero): REJECT div by zero
// RETVAL(mod_imm_zero): none
// EXPECT(div_then_mask): ACCEPT
// RETVAL(div_then_mask): 0
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int div_const_unknown(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = 100;"
		     "r6 /= 3;"
		     "r1 = r0;"
		     "r1 += r6;"
		     "r0 = *(u8 *)(r1 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

/* 9 / 0 = 0, then 7 % 0 = 7: 0 + 7 */
SEC("syscall")
__naked int div_reg_zero(void)
{
	asm volatile("r1 = 0;"
		     "r0 = 9;"
		     "r0 /= r1;"
		     "r2 = 7;"
		     "r2 %%= r1;"
		     "r0 += r2;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int div_imm_zero(void)
{
	asm volatile("r0 = 9;"
		     "r0 /= 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int mod_imm_zero(void)
{
	asm volatile("w0 = 9;"
		     "w0 %%= 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int div_then_mask(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = 100;"
		     "r6 /= 3;"
		     "r6 &= 63;"
		     "r0 += r6;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
