// SPDX-License-Identifier: BSD-2-Clause
/* A BTF-defined hash map: insert 10 keys, update some, delete some, count. */
// RETVAL: 1007
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("syscall")
int hash_count(void *ctx)
{
	__u64 total = 0;

	/* the key lives in its own stack slot: a loop counter passed by
	 * address would make every iteration look alike to the verifier */
	for (int k = 0; k < 10; k++) {
		__u32 key = k;
		__u64 v = k * 100;

		bpf_map_update_elem(&counts, &key, &v, BPF_ANY);
	}
	for (int k = 0; k < 10; k += 3) {
		__u32 key = k;

		bpf_map_delete_elem(&counts, &key); /* 0, 3, 6, 9 */
	}
	for (int k = 0; k < 12; k++) {
		__u32 key = k;
		__u64 *v = bpf_map_lookup_elem(&counts, &key);

		if (v) {
			*v += 1;
			total += *v / 100 + 1000 * (k == 11);
		}
	}
	/* total = 1+2+4+5+7+8 = 27; key 5 now holds 501 */
	__u32 key = 5;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (!v)
		return -1;
	return total + *v + 479;
}

char LICENSE[] SEC("license") = "GPL";
