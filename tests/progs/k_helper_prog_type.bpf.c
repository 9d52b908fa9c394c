// SPDX-License-Identifier: BSD-2-Clause
/*
 * Helpers not offered to the program type: a syscall program cannot use
 * the skb helpers; bpf_get_current_pid_tgid it can.
 */
// EXPECT(skb_helper): REJECT program of this type cannot use helper bpf_skb_load_bytes#26
// RETVAL(skb_helper): none
// EXPECT(pid_helper): ACCEPT
// RETVAL(pid_helper): 1
#include "k_common.h"

SEC("syscall")
__naked int skb_helper(void)
{
	asm volatile("r2 = 0;"
		     "r3 = r10;"
		     "r3 += -8;"
		     "r4 = 8;"
		     "call %[bpf_skb_load_bytes];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_skb_load_bytes)
		     : __clobber_all);
}

SEC("syscall")
int pid_helper(void *ctx)
{
	return bpf_get_current_pid_tgid() != 0;
}

char LICENSE[] SEC("license") = "GPL";
