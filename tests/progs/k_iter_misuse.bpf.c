// SPDX-License-Identifier: BSD-2-Clause
/*
 * Iterator misuse: an iterator is a reference, so forgetting destroy is a
 * leak; destroy twice, next or destroy without new, and new twice on the
 * same slot are rejected; the iterator's stack bytes cannot be read or
 * overwritten as data.
 */
// EXPECT(leak): REJECT Unreleased reference id=
// RETVAL(leak): none
// EXPECT(double_destroy): REJECT expected an initialized iter_num as arg #0
// RETVAL(double_destroy): none
// EXPECT(next_uninit): REJECT expected an initialized iter_num as arg #0
// RETVAL(next_uninit): none
// EXPECT(double_new): REJECT expected uninitialized iter_num as arg #0
// RETVAL(double_new): none
// EXPECT(read_iter_slot): REJECT invalid read from stack off -8+0 size 8
// RETVAL(read_iter_slot): none
// EXPECT(leak_on_one_path): REJECT Unreleased reference id=
// RETVAL(leak_on_one_path): none
#include "k_common.h"

SEC("syscall")
int leak(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_next(&it);
	return 0;
}

SEC("syscall")
int double_destroy(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_destroy(&it);
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("syscall")
int next_uninit(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_next(&it);
	return 0;
}

SEC("syscall")
int double_new(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("syscall")
__naked int read_iter_slot(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r0 = *(u64 *)(r10 - 8);"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_num_destroy];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy)
		     : __clobber_all);
}

SEC("syscall")
int leak_on_one_path(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	if (bpf_get_prandom_u32() & 1)
		return 1;
	bpf_iter_num_destroy(&it);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
