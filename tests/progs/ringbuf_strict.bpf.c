// SPDX-License-Identifier: BSD-2-Clause
/*
 * Where bpfhost is stricter than Linux 6.18 with ring buffer dynptrs: a
 * slice from the bpf_dynptr_slice kfunc carries no reference in the
 * kernel, so it stays usable after bpf_ringbuf_submit_dynptr released
 * the record (the kernel accepts this program, whose read may race the
 * consumer).  bpfhost kills every slice of a released dynptr, as the
 * kernel does for bpf_dynptr_data's: a submitted record is the
 * consumer's.
 */
// KERNEL: skip bpfhost is stricter: slices die with their ring buffer record
// EXPECT(rbd_slice_after_submit): REJECT invalid mem access 'scalar'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset,
			      void *buffer__opt, __u32 buffer__szk) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rbs SEC(".maps");

SEC("syscall")
int rbd_slice_after_submit(void *ctx)
{
	struct bpf_dynptr d;
	long *p;

	bpf_ringbuf_reserve_dynptr(&rbs, 16, 0, &d);
	p = bpf_dynptr_slice(&d, 0, NULL, 8);
	if (!p) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&d, 0);
	return *p;
}

char _license[] SEC("license") = "GPL";
