// SPDX-License-Identifier: BSD-2-Clause
/* bpf_for over bpf_iter_num: the iterator loop converges and is accepted. */
// EXPECT: ACCEPT
// RETVAL: 45
#include "k_common.h"

SEC("syscall")
int iter_sum(void *ctx)
{
	int i, sum = 0;

	bpf_for(i, 0, 10)
		sum += i;
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
