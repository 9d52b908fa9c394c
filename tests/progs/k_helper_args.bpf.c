// SPDX-License-Identifier: BSD-2-Clause
/*
 * Helper argument checks: the map argument must be a map pointer, the key
 * a pointer to readable memory, arguments must be initialised; an unknown
 * helper id is rejected.
 */
// EXPECT(map_arg_is_ctx): REJECT R1 type=ctx expected=map_ptr
// RETVAL(map_arg_is_ctx): none
// EXPECT(key_arg_scalar): REJECT R2 type=scalar expected=
// RETVAL(key_arg_scalar): none
// EXPECT(key_uninit_reg): REJECT R2 !read_ok
// RETVAL(key_uninit_reg): none
// EXPECT(unknown_helper): REJECT invalid func unknown#100000
// RETVAL(unknown_helper): none
// EXPECT(update_ok): ACCEPT
// RETVAL(update_ok): 0
// EXPECT(value_too_small): REJECT invalid read from stack R3 off=-4 size=8
// RETVAL(value_too_small): none
#include "k_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

SEC("syscall")
__naked int map_arg_is_ctx(void)
{
	asm volatile("r2 = r10;"
		     "r2 += -8;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem)
		     : __clobber_all);
}

SEC("syscall")
__naked int key_arg_scalar(void)
{
	asm volatile("r1 = %[hash] ll;"
		     "r2 = 8;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

SEC("syscall")
__naked int key_uninit_reg(void)
{
	asm volatile("r1 = %[hash] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(hash)
		     : __clobber_all);
}

SEC("syscall")
__naked int unknown_helper(void)
{
	asm volatile("call 100000;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
int update_ok(void *ctx)
{
	__u32 k = 2;
	__u64 v = 5;

	return bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
}

/* the value pointer leaves only 4 bytes before fp for an 8-byte value */
SEC("syscall")
__naked int value_too_small(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r3 = r10;"
		     "r3 += -4;"
		     "r4 = 0;"
		     "r1 = %[hash] ll;"
		     "call %[bpf_map_update_elem];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_map_update_elem), __imm_addr(hash)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
