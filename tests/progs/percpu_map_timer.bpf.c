// SPDX-License-Identifier: BSD-2-Clause
/*
 * A per-CPU map's value cannot hold a bpf_timer (map_check_btf:
 * -EOPNOTSUPP): bpfhost refuses to open the object.  (libbpf retries the
 * map without BTF, so the kernel reports the program instead.)
 */
// KERNEL: skip bpfhost fails the open where libbpf retries the map without BTF
// LOAD-ERROR: map 'pt_arr': a per-CPU map's value cannot hold a bpf_timer
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pt_val {
	struct bpf_timer t;
	long n;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct pt_val);
} pt_arr SEC(".maps");

SEC("syscall")
int pt_init(void *ctx)
{
	int k = 0;
	struct pt_val *v = bpf_map_lookup_elem(&pt_arr, &k);

	if (!v)
		return 0;
	return bpf_timer_init(&v->t, &pt_arr, 1);
}

char _license[] SEC("license") = "GPL";
