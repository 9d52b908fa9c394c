// SPDX-License-Identifier: BSD-2-Clause
/*
 * Variable-offset stack accesses (privileged): a bounded variable offset
 * may write and read; one that can reach above fp or below fp-512 cannot.
 * A partial overwrite of a spilled pointer leaves a scalar behind.
 */
// EXPECT(varoff_write_read): ACCEPT
// RETVAL(varoff_write_read): 0
// EXPECT(varoff_too_high): REJECT invalid variable-offset write to stack R1
// RETVAL(varoff_too_high): none
// EXPECT(clobbered_spill_deref): REJECT R0 invalid mem access 'scalar'
// RETVAL(clobbered_spill_deref): none
#include "k_common.h"

SEC("syscall")
__naked int varoff_write_read(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 8;"
		     "r1 = r10;"
		     "r1 += -16;"
		     "r1 += r0;"
		     "r2 = 0;"
		     "*(u64 *)(r1 - 8) = r2;"
		     "r0 = *(u64 *)(r1 - 8);"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

SEC("syscall")
__naked int varoff_too_high(void)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "r0 &= 24;"
		     "r1 = r10;"
		     "r1 += -16;"
		     "r1 += r0;"
		     "r2 = 0;"
		     "*(u64 *)(r1 - 8) = r2;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

SEC("syscall")
__naked int clobbered_spill_deref(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r10;"
		     "r1 = 0;"
		     "*(u8 *)(r10 - 8) = r1;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "r0 = *(u64 *)(r0 - 8);"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
