// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ring buffer records as dynptrs: bpf_ringbuf_reserve_dynptr makes a
 * RINGBUF dynptr holding a reference, which bpf_ringbuf_submit_dynptr or
 * _discard_dynptr releases (also when the reservation failed and the
 * dynptr is null), clones share it, and slices die with it; with the
 * kernel's refusals.  Return values are the running 6.18 kernel's.
 * (A bpf_dynptr_slice taken before the submit outlives it in the
 * kernel; bpfhost refuses that: ringbuf_strict.bpf.c.)
 */
// EXPECT(rbd_write_submit): ACCEPT
// RETVAL(rbd_write_submit): 1
// EXPECT(rbd_failed_still_released): ACCEPT
// RETVAL(rbd_failed_still_released): 1
// EXPECT(rbd_clone_slice): ACCEPT
// RETVAL(rbd_clone_slice): 1
// EXPECT(rbd_leak): REJECT Unreleased reference id=
// EXPECT(rbd_local_submit): REJECT arg 1 is an unacquired reference
// EXPECT(rbd_data_after_submit): REJECT invalid mem access 'scalar'
// EXPECT(rbd_clone_after_submit): REJECT Expected an initialized dynptr as arg #0
// EXPECT(rbd_overwrite): REJECT cannot overwrite referenced dynptr
// EXPECT(rbd_double_init): REJECT cannot overwrite referenced dynptr
// EXPECT(rbd_hash): REJECT cannot pass map_type 1 into func bpf_ringbuf_reserve_dynptr#198
#include <stdbool.h>
#include "k_common.h"

extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset,
			      void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p,
			    struct bpf_dynptr *clone__uninit) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rbd SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} hd SEC(".maps");

char scratch[16];

SEC("syscall")
int rbd_write_submit(void *ctx)
{
	struct bpf_dynptr d;
	long v = 0x1234;
	int ok;

	if (bpf_ringbuf_reserve_dynptr(&rbd, 16, 0, &d)) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	ok = !bpf_dynptr_write(&d, 8, &v, sizeof(v), 0) &&
	     bpf_dynptr_write(&d, 12, &v, sizeof(v), 0) == -7 /* E2BIG */ &&
	     bpf_dynptr_size(&d) == 16;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return ok;
}

/* a reservation the ring cannot hold fails with -EINVAL and a null
 * dynptr, which must still be released */
SEC("syscall")
int rbd_failed_still_released(void *ctx)
{
	struct bpf_dynptr d;
	long r = bpf_ringbuf_reserve_dynptr(&rbd, 8192, 0, &d);
	int ok = r == -22 && bpf_dynptr_is_null(&d);

	bpf_ringbuf_discard_dynptr(&d, 0);
	return ok;
}

SEC("syscall")
int rbd_clone_slice(void *ctx)
{
	struct bpf_dynptr d, c;
	long v = 99, *p;
	int ok = 0;

	bpf_ringbuf_reserve_dynptr(&rbd, 16, 0, &d);
	if (bpf_dynptr_clone(&d, &c) || bpf_dynptr_write(&c, 8, &v, 8, 0))
		goto out;
	p = bpf_dynptr_slice(&d, 8, NULL, 8);
	if (!p)
		goto out;
	ok = *p == 99;
out:
	/* releasing the original releases the clone too */
	bpf_ringbuf_submit_dynptr(&d, 0);
	return ok;
}

SEC("syscall")
int rbd_leak(void *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&rbd, 8, 0, &d);
	return 0;
}

SEC("syscall")
int rbd_local_submit(void *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(scratch, sizeof(scratch), 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("syscall")
int rbd_data_after_submit(void *ctx)
{
	struct bpf_dynptr d;
	long *p;

	bpf_ringbuf_reserve_dynptr(&rbd, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	if (!p) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&d, 0);
	return *p;
}

SEC("syscall")
int rbd_clone_after_submit(void *ctx)
{
	struct bpf_dynptr d, c;

	bpf_ringbuf_reserve_dynptr(&rbd, 16, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_ringbuf_submit_dynptr(&d, 0);
	/* the clone died with its parent's reference */
	bpf_dynptr_clone(&c, &d);
	return 0;
}

SEC("syscall")
__naked int rbd_overwrite(void *ctx)
{
	asm volatile("r1 = %[rbd] ll;"
		     "r2 = 8;"
		     "r3 = 0;"
		     "r4 = r10;"
		     "r4 += -16;"
		     "call %[bpf_ringbuf_reserve_dynptr];"
		     "r1 = 0;"
		     "*(u64 *)(r10 - 16) = r1;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm_addr(rbd), __imm(bpf_ringbuf_reserve_dynptr)
		     : __clobber_all);
}

SEC("syscall")
int rbd_double_init(void *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&rbd, 8, 0, &d);
	bpf_ringbuf_reserve_dynptr(&rbd, 8, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("syscall")
int rbd_hash(void *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&hd, 8, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
