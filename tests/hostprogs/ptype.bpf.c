// SPDX-License-Identifier: BSD-2-Clause
/* Programs of a host-defined program type ("filter"), for test_progtypes:
 * kfunc visibility per type, "*" sets, set filters, sleepable SEC forms. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int pt_filter_only(int x) __ksym;
extern int pt_everywhere(int x) __ksym;
extern int pt_filtered(int x) __ksym;

SEC("filter")
int use_filter_kfunc(void *ctx)
{
	return pt_filter_only(1) + pt_everywhere(10);
}

SEC("filter.s/sleepy")
int sleepy(void *ctx)
{
	return pt_everywhere(2);
}

SEC("filter/denied")
int denied_by_filter(void *ctx)
{
	return pt_filtered(3);
}

char LICENSE[] SEC("license") = "GPL";
