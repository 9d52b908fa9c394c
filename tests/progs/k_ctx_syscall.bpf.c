// SPDX-License-Identifier: BSD-2-Clause
/*
 * A syscall program's ctx is the caller's buffer: any aligned read inside
 * it is allowed (the test run must pass at least that many bytes);
 * misaligned reads, negative offsets and a ctx pointer with a variable
 * offset are rejected.
 */
// CTX-HEX: 05 00 00 00 07 00 00 00 01 02 03 04 05 06 07 08
// EXPECT(ctx_sum): ACCEPT
// RETVAL(ctx_sum): 12
// EXPECT(ctx_u64): ACCEPT
// RETVAL(ctx_u64): 8
// EXPECT(ctx_misaligned): REJECT invalid bpf_context access off=2 size=4
// RETVAL(ctx_misaligned): none
// EXPECT(ctx_negative): REJECT invalid bpf_context access off=-4 size=4
// RETVAL(ctx_negative): none
// EXPECT(ctx_var_off): REJECT variable ctx access var_off=(0x0; 0x4) disallowed
// RETVAL(ctx_var_off): none
#include "k_common.h"

SEC("syscall")
__naked int ctx_sum(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0);"
		     "r2 = *(u32 *)(r1 + 4);"
		     "r0 += r2;"
		     "exit;" ::: __clobber_all);
}

/* bytes 8..15 little endian, top byte is 8 */
SEC("syscall")
__naked int ctx_u64(void)
{
	asm volatile("r0 = *(u64 *)(r1 + 8);"
		     "r0 >>= 56;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ctx_misaligned(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 2);"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ctx_negative(void)
{
	asm volatile("r0 = *(u32 *)(r1 - 4);"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int ctx_var_off(void)
{
	asm volatile("r6 = r1;"
		     "call %[bpf_get_prandom_u32];"
		     "r0 &= 4;"
		     "r6 += r0;"
		     "r0 = *(u32 *)(r6 + 0);"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
