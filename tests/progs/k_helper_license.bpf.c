// SPDX-License-Identifier: BSD-2-Clause
/*
 * GPL-only helpers need a GPL-compatible license: bpf_trace_printk from a
 * non-GPL program is rejected; bpf_get_prandom_u32 is not GPL-only.
 */
// EXPECT(non_gpl_printk): REJECT cannot call GPL-restricted function from non-GPL compatible program
// RETVAL(non_gpl_printk): none
// EXPECT(non_gpl_prandom): ACCEPT
// RETVAL(non_gpl_prandom): 0
#include "k_common.h"

SEC("syscall")
int non_gpl_printk(void *ctx)
{
	char fmt[] = "x\n";

	bpf_trace_printk(fmt, sizeof(fmt));
	return 0;
}

SEC("syscall")
int non_gpl_prandom(void *ctx)
{
	return bpf_get_prandom_u32() & 0;
}

char LICENSE[] SEC("license") = "Proprietary";
