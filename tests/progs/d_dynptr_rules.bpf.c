// SPDX-License-Identifier: BSD-2-Clause
/*
 * Local dynptr rules: a dynptr must be initialised before use, a write
 * over its stack slots destroys it (and the slices taken from it), helpers
 * may not write into it, plain loads may not read it, bpf_dynptr_slice's
 * memory is read-only and sized by its constant, and the memory of
 * bpf_dynptr_from_mem must be a map value.  Verdicts and messages are the
 * running 6.18 kernel's (kload --log).
 */
// EXPECT(uninit_read): REJECT Expected an initialized dynptr as arg #2
// RETVAL(uninit_read): none
// EXPECT(overwrite_use): REJECT Expected an initialized dynptr as arg #0
// RETVAL(overwrite_use): none
// EXPECT(slice_write): REJECT R0 cannot write into rdonly_mem
// RETVAL(slice_write): none
// EXPECT(slice_rdwr): REJECT the prog does not allow writes to packet data
// RETVAL(slice_rdwr): none
// EXPECT(from_stack): REJECT Unsupported reg type fp for bpf_dynptr_from_mem data
// RETVAL(from_stack): none
// EXPECT(slice_after_overwrite): REJECT R1 invalid mem access 'scalar'
// RETVAL(slice_after_overwrite): none
// EXPECT(data_oob): REJECT R1 min value is outside of the allowed memory range
// RETVAL(data_oob): none
// EXPECT(helper_writes_dynptr): REJECT potential write to dynptr at off=-16 disallowed
// RETVAL(helper_writes_dynptr): none
// EXPECT(load_dynptr): REJECT invalid read from stack off -16+0 size 8
// RETVAL(load_dynptr): none
// EXPECT(reinit): ACCEPT
// RETVAL(reinit): 8
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset,
			      void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset,
				   void *buffer__opt, __u32 buffer__szk) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

char g[16], h[8];

SEC("syscall")
int uninit_read(void *ctx)
{
	char out[4];
	struct bpf_dynptr d;

	return bpf_dynptr_read(out, sizeof(out), &d, 0, 0);
}

SEC("syscall")
int overwrite_use(void *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	*(volatile char *)&d = 1;
	return bpf_dynptr_size(&d);
}

SEC("syscall")
int slice_write(void *ctx)
{
	struct bpf_dynptr d;
	char *p;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	p = bpf_dynptr_slice(&d, 0, NULL, 4);
	if (!p)
		return 1;
	*p = 1;
	return 0;
}

SEC("syscall")
int slice_rdwr(void *ctx)
{
	struct bpf_dynptr d;
	char *p;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, NULL, 4);
	if (!p)
		return 1;
	return *p;
}

SEC("syscall")
int from_stack(void *ctx)
{
	char buf[16] = {};
	struct bpf_dynptr d;

	return bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
}

SEC("syscall")
int slice_after_overwrite(void *ctx)
{
	struct bpf_dynptr d;
	char *p;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	p = bpf_dynptr_data(&d, 0, 4);
	if (!p)
		return 1;
	*(volatile __u64 *)&d = 0;
	return *p;
}

SEC("syscall")
int data_oob(void *ctx)
{
	struct bpf_dynptr d;
	char *p;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	p = bpf_dynptr_data(&d, 0, 4);
	if (!p)
		return 1;
	return p[4];
}

SEC("syscall")
int helper_writes_dynptr(void *ctx)
{
	struct bpf_dynptr d, e;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	bpf_dynptr_from_mem(h, sizeof(h), 0, &e);
	/* the read's destination is the dynptr d itself */
	return bpf_dynptr_read(&d, 8, &e, 0, 0);
}

SEC("syscall")
int load_dynptr(void *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	return *(volatile __u64 *)&d != 0;
}

SEC("syscall")
int reinit(void *ctx)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(g, sizeof(g), 0, &d);
	bpf_dynptr_from_mem(h, sizeof(h), 0, &d);
	return bpf_dynptr_size(&d);
}

char LICENSE[] SEC("license") = "GPL";
