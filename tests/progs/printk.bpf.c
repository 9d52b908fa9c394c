// SPDX-License-Identifier: BSD-2-Clause
/* bpf_printk returns the length of the formatted text, like the kernel's. */
// RETVAL: 10
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("syscall")
int printk(void *ctx)
{
	return bpf_printk("x=%d y=%s\n", 42, "ab");
}

char LICENSE[] SEC("license") = "GPL";
