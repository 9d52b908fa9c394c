// SPDX-License-Identifier: BSD-2-Clause
/*
 * Local dynptrs over a global buffer (bpf_dynptr_from_mem and the
 * read/write/data helpers, the slice/adjust/clone/size kfuncs), and the
 * dynptr rules: initialised before use, not over the stack, slices are
 * checked for NULL and bounded by their size.
 */
// EXPECT(dynptr_read_write): ACCEPT
// RETVAL(dynptr_read_write): 1
// EXPECT(dynptr_adjust_clone): ACCEPT
// RETVAL(dynptr_adjust_clone): 1
// EXPECT(dynptr_slices): ACCEPT
// RETVAL(dynptr_slices): 1
// EXPECT(dynptr_slice_rdwr_syscall): REJECT the prog does not allow writes to packet data
// EXPECT(dynptr_from_stack): REJECT Unsupported reg type fp for bpf_dynptr_from_mem data
// EXPECT(dynptr_uninit): REJECT Expected an initialized dynptr as arg #
// EXPECT(dynptr_slice_unchecked): REJECT invalid mem access 'rdonly_mem_or_null'
// EXPECT(dynptr_slice_oob): REJECT invalid access to memory, mem_size=4 off=4 size=1
// EXPECT(dynptr_slice_write_rdonly): REJECT cannot write into rdonly_mem
#include "kfuncs.h"

char data[32];

SEC("syscall")
int dynptr_read_write(void *ctx)
{
	struct bpf_dynptr d;
	char in[4] = { 1, 2, 3, 4 }, out[4] = {};
	int ret = 1;

	if (bpf_dynptr_from_mem(data, sizeof(data), 0, &d))
		return 2;
	if (bpf_dynptr_write(&d, 8, in, sizeof(in), 0))
		ret = 3;
	if (bpf_dynptr_read(out, sizeof(out), &d, 8, 0))
		ret = 4;
	if (out[0] != 1 || out[3] != 4)
		ret = 5;
	/* past the end: -E2BIG */
	if (bpf_dynptr_write(&d, 30, in, sizeof(in), 0) != -7)
		ret = 6;
	if (bpf_dynptr_size(&d) != 32 || bpf_dynptr_is_rdonly(&d) ||
	    bpf_dynptr_is_null(&d))
		ret = 7;
	return ret;
}

SEC("syscall")
int dynptr_adjust_clone(void *ctx)
{
	struct bpf_dynptr d, c;
	int ret = 1;

	bpf_dynptr_from_mem(data, sizeof(data), 0, &d);
	if (bpf_dynptr_clone(&d, &c))
		return 2;
	if (bpf_dynptr_adjust(&c, 4, 12) || bpf_dynptr_size(&c) != 8)
		ret = 3;
	if (bpf_dynptr_adjust(&c, 6, 4) != -22)
		ret = 4;
	if (bpf_dynptr_size(&d) != 32)
		ret = 5;
	return ret;
}

SEC("syscall")
int dynptr_slices(void *ctx)
{
	struct bpf_dynptr d;
	__u8 v = 0x5a;
	const __u8 *q;

	bpf_dynptr_from_mem(data, sizeof(data), 0, &d);
	if (bpf_dynptr_write(&d, 0, &v, 1, 0))
		return 2;
	q = bpf_dynptr_slice(&d, 0, NULL, 4);
	if (!q)
		return 3;
	if (q[0] != 0x5a)
		return 4;
	/* a slice past the end is NULL */
	if (bpf_dynptr_slice(&d, 30, NULL, 4))
		return 5;
	return 1;
}

/* writable slices are for program types that may write packet data */
SEC("syscall")
int dynptr_slice_rdwr_syscall(void *ctx)
{
	struct bpf_dynptr d;
	__u8 *p;

	bpf_dynptr_from_mem(data, sizeof(data), 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, NULL, 4);
	if (!p)
		return 2;
	p[0] = 0x5a;
	return 1;
}

SEC("syscall")
int dynptr_from_stack(void *ctx)
{
	char local[16] = {};
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(local, sizeof(local), 0, &d);
	return bpf_dynptr_size(&d);
}

SEC("syscall")
int dynptr_uninit(void *ctx)
{
	struct bpf_dynptr d;
	char out[4];

	return bpf_dynptr_read(out, sizeof(out), &d, 0, 0);
}

SEC("syscall")
int dynptr_slice_unchecked(void *ctx)
{
	struct bpf_dynptr d;
	const __u8 *q;

	bpf_dynptr_from_mem(data, sizeof(data), 0, &d);
	q = bpf_dynptr_slice(&d, 0, NULL, 4);
	return q[0];
}

SEC("syscall")
int dynptr_slice_oob(void *ctx)
{
	struct bpf_dynptr d;
	const __u8 *q;

	bpf_dynptr_from_mem(data, sizeof(data), 0, &d);
	q = bpf_dynptr_slice(&d, 0, NULL, 4);
	if (!q)
		return 0;
	return q[4];
}

SEC("syscall")
int dynptr_slice_write_rdonly(void *ctx)
{
	struct bpf_dynptr d;
	__u8 *q;

	bpf_dynptr_from_mem(data, sizeof(data), 0, &d);
	q = bpf_dynptr_slice(&d, 0, NULL, 4);
	if (!q)
		return 0;
	q[0] = 1;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
