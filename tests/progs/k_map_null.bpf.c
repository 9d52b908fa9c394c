// SPDX-License-Identifier: BSD-2-Clause
/*
 * Map lookup results: a hash lookup may return NULL and must be checked
 * before use; an array lookup with a constant in-range key is known
 * non-NULL (6.13+) -- if the verifier can see the key as a constant: a
 * u32 key spilled at the start of a stack slot (fp-8) is, a nonzero u32
 * stored at fp-4 (not a slot start: STACK_MISC bytes) is not.  An
 * out-of-range constant key is again maybe-NULL.
 */
// EXPECT(hash_no_check): REJECT R1 invalid mem access 'map_value_or_null'
// RETVAL(hash_no_check): none
// EXPECT(hash_checked): ACCEPT
// RETVAL(hash_checked): 2
// EXPECT(array_const_key): ACCEPT
// RETVAL(array_const_key): 0
// EXPECT(array_key_not_slot_start): REJECT R0 invalid mem access 'map_value_or_null'
// RETVAL(array_key_not_slot_start): none
// EXPECT(array_key_out_of_range): REJECT R0 invalid mem access 'map_value_or_null'
// RETVAL(array_key_out_of_range): none
#include "k_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

SEC("syscall")
int hash_no_check(void *ctx)
{
	__u32 k = 1;
	__u64 *v;

	v = bpf_map_lookup_elem(&hash, &k);
	asm volatile("r0 = *(u64 *)(%[v] + 0);" ::[v] "r"(v) : "r0");
	return 0;
}

SEC("syscall")
int hash_checked(void *ctx)
{
	__u32 k = 1;
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&hash, &k);
	if (!v) {
		bpf_map_update_elem(&hash, &k, &one, BPF_ANY);
		return 2;
	}
	return (int)*v;
}

SEC("syscall")
__naked int array_const_key(void)
{
	asm volatile("r1 = 3;"
		     "*(u32 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int array_key_not_slot_start(void)
{
	asm volatile("r1 = 3;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

SEC("syscall")
__naked int array_key_out_of_range(void)
{
	asm volatile("r1 = 4;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[arr] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     :
		     : __imm(bpf_map_lookup_elem), __imm_addr(arr)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
