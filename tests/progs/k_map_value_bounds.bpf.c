// SPDX-License-Identifier: BSD-2-Clause
/*
 * Map value bounds at both ends, fixed offsets: the last 8 bytes are
 * readable, one byte more is not, nor is any byte before the value.
 */
// EXPECT(last_u64): ACCEPT
// RETVAL(last_u64): 0
// EXPECT(past_end): REJECT invalid access to map value, value_size=64 off=60 size=8
// RETVAL(past_end): none
// EXPECT(before_start): REJECT invalid access to map value, value_size=64 off=-1 size=1
// RETVAL(before_start): none
// EXPECT(write_then_read): ACCEPT
// RETVAL(write_then_read): 77
#include "k_common.h"

K_ARRAY_MAP(arr);

SEC("syscall")
__naked int last_u64(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r0 + 56);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int past_end(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r0 + 60);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int before_start(void)
{
	asm volatile(K_LOOKUP_KEY0(arr)
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u8 *)(r0 - 1);"
		     "exit;"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
int write_then_read(void *ctx)
{
	__u32 k = 0;
	struct k_val *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	v->v[7] = 77;
	return (int)v->v[7];
}

char LICENSE[] SEC("license") = "GPL";
