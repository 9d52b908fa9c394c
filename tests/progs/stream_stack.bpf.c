// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_stream_print_stack (Linux 7.0, KF_IMPLICIT_ARGS): the program
 * declares int bpf_stream_print_stack(int stream_id); the runtime passes
 * the program itself.  It prints the BPF call stack, innermost frame
 * first, to BPF_STDOUT (1) or BPF_STDERR (2); another stream id is
 * -ENOENT.  From nested static functions and from a bpf_loop callback;
 * test_commonkf checks the trace's frames and source lines.
 */
// KERNEL: skip bpf_stream_print_stack is a Linux 7.0 kfunc; the 6.18 kernel does not have it
// EXPECT(print_stack_nested): ACCEPT
// RETVAL(print_stack_nested): 0
// EXPECT(print_stack_bad_id): ACCEPT
// RETVAL(print_stack_bad_id): 2
// EXPECT(print_stack_in_callback): ACCEPT
// RETVAL(print_stack_in_callback): 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_stream_print_stack(int stream_id) __ksym;

volatile int stream = 2;

static __attribute__((noinline)) int inner(int id)
{
	return bpf_stream_print_stack(id);
}

static __attribute__((noinline)) int outer(int id)
{
	return inner(id);
}

SEC("syscall")
int print_stack_nested(void *ctx)
{
	return outer(stream);
}

SEC("syscall")
int print_stack_bad_id(void *ctx)
{
	return -bpf_stream_print_stack(0xbadcafe);
}

static int print_cb(__u32 i, void *data)
{
	*(int *)data |= inner(1);
	return 0;
}

SEC("syscall")
int print_stack_in_callback(void *ctx)
{
	int ret = 0;

	bpf_loop(1, print_cb, &ret, 0);
	return ret;
}

char _license[] SEC("license") = "GPL";
