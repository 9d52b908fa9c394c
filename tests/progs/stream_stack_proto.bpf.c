// SPDX-License-Identifier: BSD-2-Clause
/* bpf_stream_print_stack declared with its implicit argument: programs
 * declare only what they pass (KF_IMPLICIT_ARGS), so the full C
 * prototype is refused as any mismatched one is. */
// LOAD-ERROR: extern (func ksym) 'bpf_stream_print_stack': func_proto
// KERNEL: skip bpf_stream_print_stack is a Linux 7.0 kfunc; the 6.18 kernel does not have it
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_prog_aux;
extern int bpf_stream_print_stack(int stream_id,
				  struct bpf_prog_aux *aux) __ksym;

SEC("syscall")
int full_proto(void *ctx)
{
	return bpf_stream_print_stack(1, 0);
}

char LICENSE[] SEC("license") = "GPL";
