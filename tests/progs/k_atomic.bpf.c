// SPDX-License-Identifier: BSD-2-Clause
/*
 * Atomics: allowed on the stack (even never-written stack, privileged) and
 * map values; fetch forms and xchg return the old value, cmpxchg uses R0;
 * the ctx is not a valid target; cmpxchg needs R0 initialised.
 */
// EXPECT(stack_add_fetch): ACCEPT
// RETVAL(stack_add_fetch): 13
// EXPECT(map_xchg_cmpxchg): ACCEPT
// RETVAL(map_xchg_cmpxchg): 3
// EXPECT(atomic_on_ctx): REJECT BPF_ATOMIC stores into R1 ctx is not allowed
// RETVAL(atomic_on_ctx): none
// EXPECT(cmpxchg_no_r0): REJECT R0 !read_ok
// RETVAL(cmpxchg_no_r0): none
// EXPECT(atomic_uninit_stack): ACCEPT
// RETVAL(atomic_uninit_stack): 0
#include "k_common.h"

K_ARRAY_MAP(arr);

/* 10 + 3 stored; fetch returns 10; reload 13 */
SEC("syscall")
__naked int stack_add_fetch(void)
{
	asm volatile("r1 = 10;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r2 = 3;"
		     "r2 = atomic_fetch_add((u64 *)(r10 - 8), r2);"
		     "r0 = *(u64 *)(r10 - 8);"
		     "exit;" ::: __clobber_all);
}

/* v = xchg(v, 5) (old 0); cmpxchg(v, 5 -> 3) */
SEC("syscall")
__naked int map_xchg_cmpxchg(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "r1 = 0;"
		     "*(u64 *)(r6 + 8) = r1;"
		     "r1 = 5;"
		     "r1 = xchg_64(r6 + 8, r1);"
		     "r0 = 5;"
		     "r2 = 3;"
		     "r0 = cmpxchg_64(r6 + 8, r0, r2);"
		     "r0 = *(u64 *)(r6 + 8);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int atomic_on_ctx(void)
{
	asm volatile("r2 = 1;"
		     "lock *(u64 *)(r1 + 0) += r2;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int cmpxchg_no_r0(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r2 = 1;"
		     "r0 = cmpxchg_64(r10 - 8, r0, r2);"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int atomic_uninit_stack(void)
{
	asm volatile("r1 = 1;"
		     "lock *(u64 *)(r10 - 8) += r1;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
