// SPDX-License-Identifier: BSD-2-Clause
/* A field resized between header and host where the load cannot follow:
 * libbpf poisons it with a warning. */
#include "core_types.h"

SEC("syscall")
int bad_size(void *ctx)
{
	/* long here, short on the host: a signed field cannot be resized */
	return core_get_task()->small;
}

char LICENSE[] SEC("license") = "GPL";
