// SPDX-License-Identifier: BSD-2-Clause
/* A SEC() no program type matches. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int not_here(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
