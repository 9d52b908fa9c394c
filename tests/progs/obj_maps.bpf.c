// SPDX-License-Identifier: BSD-2-Clause
/* A BTF-defined hash map and array map, one with key/value types and one
 * with key_size/value_size, used from one program. */
// RETVAL: 9
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val {
	__u64 hits;
	__u32 tag;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct val);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 12);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} table SEC(".maps");

SEC("syscall")
int use_maps(void *ctx)
{
	struct val v = { .hits = 4, .tag = 5 }, *p;
	__u32 k = 3;

	if (bpf_map_update_elem(&counts, &k, &v, BPF_ANY))
		return 1;
	p = bpf_map_lookup_elem(&counts, &k);
	if (!p)
		return 2;
	if (!bpf_map_lookup_elem(&table, &k))
		return 3;
	return p->hits + p->tag;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
