// SPDX-License-Identifier: BSD-2-Clause
/*
 * BPF ring buffers: bpf_ringbuf_reserve/submit/discard, output and query,
 * with the reference the reservation is (released by submit or discard,
 * dropped in the null branch), and the kernel's refusals: a leaked or
 * unchecked reservation, a size it cannot know, a moved pointer, writes
 * past the record, use after submit, a ring buffer passed to the map
 * helpers and a hash map to the ring buffer ones.  test_maps reads what
 * rb_events wrote through the host API.
 */
// EXPECT(rb_reserve_submit): ACCEPT
// RETVAL(rb_reserve_submit): 1
// EXPECT(rb_discard): ACCEPT
// RETVAL(rb_discard): 2
// EXPECT(rb_output_query): ACCEPT
// RETVAL(rb_output_query): 1
// EXPECT(rb_events): ACCEPT
// RETVAL(rb_events): 4
// EXPECT(rb_too_big): ACCEPT
// RETVAL(rb_too_big): 0
// EXPECT(rb_leak): REJECT Unreleased reference id=
// EXPECT(rb_no_null_check): REJECT invalid mem access 'ringbuf_mem_or_null'
// EXPECT(rb_submit_null): REJECT R1 type=ringbuf_mem_or_null expected=ringbuf_mem
// EXPECT(rb_var_size): REJECT R2 is not a known constant
// EXPECT(rb_moved): REJECT R1 must have zero offset when passed to release func
// EXPECT(rb_past_end): REJECT invalid access to memory, mem_size=8 off=8 size=4
// EXPECT(rb_use_after_submit): REJECT R6 invalid mem access 'scalar'
// EXPECT(rb_double_submit): REJECT R1 type=scalar expected=ringbuf_mem
// EXPECT(rb_lookup): REJECT invalid zero-sized read
// EXPECT(rb_output_hash): REJECT cannot pass map_type 1 into func bpf_ringbuf_output#130
// EXPECT(rb_submit_stack): REJECT R1 type=fp expected=ringbuf_mem
#include "k_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} h SEC(".maps");

struct event {
	int seq;
	int pid;
	long val;
};

volatile int sz = 16;

SEC("syscall")
int rb_reserve_submit(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	e->seq = 1;
	e->pid = 42;
	e->val = 100;
	bpf_ringbuf_submit(e, 0);
	return 1;
}

SEC("syscall")
int rb_discard(void *ctx)
{
	long *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!p)
		return 0;
	*p = 7;
	bpf_ringbuf_discard(p, BPF_RB_NO_WAKEUP);
	return 2;
}

SEC("syscall")
int rb_output_query(void *ctx)
{
	struct event e = {.seq = 2, .pid = 43, .val = 200};
	long before = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);

	if (bpf_ringbuf_output(&rb, &e, sizeof(e), 0))
		return 0;
	/* a record is its data plus an 8-byte header */
	if (bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) - before != 24)
		return 0;
	return bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE) == 4096;
}

/* four records, the third discarded: the host reads 0, 1, 3 */
SEC("syscall")
int rb_events(void *ctx)
{
	int n = 0;

	for (int i = 0; i < 4; i++) {
		struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

		if (!e)
			break;
		e->seq = i;
		e->pid = 7;
		e->val = i * 10;
		if (i == 2)
			bpf_ringbuf_discard(e, 0);
		else
			bpf_ringbuf_submit(e, 0);
		n++;
	}
	return n;
}

/* more than the ring can ever hold: NULL, not an error */
SEC("syscall")
int rb_too_big(void *ctx)
{
	void *p = bpf_ringbuf_reserve(&rb, 8192, 0);

	if (!p)
		return 0;
	bpf_ringbuf_discard(p, 0);
	return 1;
}

SEC("syscall")
int rb_leak(void *ctx)
{
	long *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!p)
		return 0;
	*p = 1;
	return 1;
}

SEC("syscall")
int rb_no_null_check(void *ctx)
{
	long *p = bpf_ringbuf_reserve(&rb, 8, 0);

	*p = 1;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

SEC("syscall")
int rb_submit_null(void *ctx)
{
	long *p = bpf_ringbuf_reserve(&rb, 8, 0);

	bpf_ringbuf_submit(p, 0);
	return 0;
}

SEC("syscall")
int rb_var_size(void *ctx)
{
	long *p = bpf_ringbuf_reserve(&rb, sz, 0);

	if (!p)
		return 0;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

SEC("syscall")
int rb_moved(void *ctx)
{
	char *p = bpf_ringbuf_reserve(&rb, 16, 0);

	if (!p)
		return 0;
	bpf_ringbuf_submit(p + 8, 0);
	return 0;
}

SEC("syscall")
int rb_past_end(void *ctx)
{
	int *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!p)
		return 0;
	p[2] = 1;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

SEC("syscall")
__naked int rb_use_after_submit(void *ctx)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8;"
		     "r3 = 0;"
		     "call %[bpf_ringbuf_reserve];"
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[bpf_ringbuf_submit];"
		     "r0 = *(u64 *)(r6 + 0);"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm_addr(rb), __imm(bpf_ringbuf_reserve),
		       __imm(bpf_ringbuf_submit)
		     : __clobber_all);
}

SEC("syscall")
__naked int rb_double_submit(void *ctx)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8;"
		     "r3 = 0;"
		     "call %[bpf_ringbuf_reserve];"
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[bpf_ringbuf_submit];"
		     "r1 = r6;"
		     "r2 = 0;"
		     "call %[bpf_ringbuf_submit];"
		     "1: r0 = 0;"
		     "exit;"
		     :
		     : __imm_addr(rb), __imm(bpf_ringbuf_reserve),
		       __imm(bpf_ringbuf_submit)
		     : __clobber_all);
}

SEC("syscall")
int rb_lookup(void *ctx)
{
	int k = 0;

	return bpf_map_lookup_elem(&rb, &k) != 0;
}

SEC("syscall")
int rb_output_hash(void *ctx)
{
	long v = 1;

	return bpf_ringbuf_output(&h, &v, sizeof(v), 0);
}

SEC("syscall")
int rb_submit_stack(void *ctx)
{
	long v = 1;

	bpf_ringbuf_submit(&v, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
