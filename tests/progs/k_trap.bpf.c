// SPDX-License-Identifier: BSD-2-Clause
/*
 * __bpf_trap: clang's trap (emitted for an uninitialised variable) as a
 * kfunc call.  A reachable call is refused; one on a branch the verifier
 * proves dead is never visited and the program loads.
 */
// EXPECT(trap_reached): REJECT unexpected __bpf_trap() due to uninitialized variable?
// EXPECT(trap_dead): ACCEPT
// RETVAL(trap_dead): 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void __bpf_trap(void) __ksym;

SEC("syscall")
int trap_reached(void *ctx)
{
	__bpf_trap();
	return 0;
}

SEC("syscall")
int trap_dead(void *ctx)
{
	__u32 x = bpf_get_prandom_u32() & 1;

	/* hide the mask from clang; the verifier still knows x <= 1 */
	asm volatile("" : "+r"(x));
	if (x > 5)
		__bpf_trap();
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
