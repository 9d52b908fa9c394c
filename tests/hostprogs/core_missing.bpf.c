// SPDX-License-Identifier: BSD-2-Clause
/* Unguarded reads of what the host lacks: each is poisoned and reached. */
#include "core_types.h"

SEC("syscall")
int missing_field(void *ctx)
{
	return core_get_task()->gone;
}

SEC("syscall")
int missing_enumval(void *ctx)
{
	return bpf_core_enum_value(enum core_state, CORE_ZOMBIE);
}

char LICENSE[] SEC("license") = "GPL";
