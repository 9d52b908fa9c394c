// SPDX-License-Identifier: BSD-2-Clause
/* For test_kptr: a referenced kptr to a host struct that has no
 * destructor (the kernel refuses such BTF): the object does not open. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct kt_nodtor {
	int x;
};

struct kn_val {
	struct kt_nodtor __attribute__((btf_type_tag("kptr"))) *p;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kn_val);
} kn_arr SEC(".maps");

SEC("syscall")
int nothing(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
