// SPDX-License-Identifier: BSD-2-Clause
/*
 * A per-CPU map's value cannot hold a bpf_spin_lock: the kernel refuses
 * to create the map with its BTF (map_check_btf: -EOPNOTSUPP), and
 * bpfhost refuses to open the object.  (libbpf then creates the map
 * without BTF, so kload 6.18 reports the program's rejection instead:
 * "map 'pl_arr' has to have BTF in order to use bpf_spin_lock".)
 */
// KERNEL: skip bpfhost fails the open where libbpf retries the map without BTF (kload 6.18 rejects pl_lock)
// LOAD-ERROR: map 'pl_arr': a per-CPU map's value cannot hold a bpf_spin_lock
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pl_val {
	struct bpf_spin_lock lock;
	long n;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pl_val);
} pl_arr SEC(".maps");

SEC("syscall")
int pl_lock(void *ctx)
{
	__u32 key = 0;
	struct pl_val *v = bpf_map_lookup_elem(&pl_arr, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->n++;
	bpf_spin_unlock(&v->lock);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
