// SPDX-License-Identifier: BSD-2-Clause
/* BPF_CORE_READ: relocated offsets feed bpf_probe_read_kernel(). */
#include "core_types.h"

SEC("syscall")
int probe_parent_pid(void *ctx)
{
	struct core_task *t = core_get_task();

	return BPF_CORE_READ(t, parent, pid) + BPF_CORE_READ(t, inner.a) * 10;
}

char LICENSE[] SEC("license") = "GPL";
