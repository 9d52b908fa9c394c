// SPDX-License-Identifier: BSD-2-Clause
/* A read of a field the host lacks, guarded by bpf_core_field_exists():
 * the read is poisoned but unreachable, so the program is valid. */
#include "core_types.h"

SEC("syscall")
int guarded(void *ctx)
{
	struct core_task *t = core_get_task();

	if (bpf_core_field_exists(t->gone))
		return t->gone;
	return 77;
}

char LICENSE[] SEC("license") = "GPL";
