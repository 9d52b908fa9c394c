// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_loop with a static callback: the callback is verified as a frame of
 * its own, iterations converge by pruning; it must return 0 or 1 (a return
 * of 5 is rejected), and it may read its ctx argument only within bounds.
 */
// EXPECT(loop_sum): ACCEPT
// RETVAL(loop_sum): 45
// EXPECT(loop_break): ACCEPT
// RETVAL(loop_break): 4
// EXPECT(bad_cb_return): REJECT At callback return the register R0 has smin=5 smax=5 should have been in [0, 1]
// RETVAL(bad_cb_return): none
// EXPECT(cb_ctx_oob): REJECT invalid read from stack R2 off=0 size=8
// RETVAL(cb_ctx_oob): none
#include "k_common.h"

struct sum_ctx {
	__u64 sum;
};

static int add_index(__u32 i, void *data)
{
	struct sum_ctx *c = data;

	c->sum += i;
	return 0;
}

SEC("syscall")
int loop_sum(void *ctx)
{
	struct sum_ctx c = { 0 };

	bpf_loop(10, add_index, &c, 0);
	return (int)c.sum;
}

static int stop_at_four(__u32 i, void *data)
{
	struct sum_ctx *c = data;

	c->sum = i;
	return i >= 4;
}

SEC("syscall")
int loop_break(void *ctx)
{
	struct sum_ctx c = { 0 };

	bpf_loop(100, stop_at_four, &c, 0);
	return (int)c.sum;
}

static __naked __noinline __attribute__((used)) int return_five(void)
{
	asm volatile("r0 = 5;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int bad_cb_return(void)
{
	asm volatile("r1 = 3;"
		     "r2 = return_five ll;"
		     "r3 = 0;"
		     "r4 = 0;"
		     "call %[bpf_loop];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_loop)
		     : __clobber_all);
}

/* ctx is 8 bytes on the caller's stack; the callback reads 8 past it */
static __naked __noinline __attribute__((used)) int read_past_ctx(void)
{
	asm volatile("r0 = *(u64 *)(r2 + 8);"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

SEC("syscall")
__naked int cb_ctx_oob(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r1 = 3;"
		     "r2 = read_past_ctx ll;"
		     "r3 = r10;"
		     "r3 += -8;"
		     "r4 = 0;"
		     "call %[bpf_loop];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_loop)
		     : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
