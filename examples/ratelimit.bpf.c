// SPDX-License-Identifier: BSD-2-Clause
/*
 * A proxy's request filter: per-client byte budgets in a hash map.  The host
 * passes each request as the ctx; the program returns 1 to allow, 0 to drop.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct request {
	__u32 client;
	__u32 bytes;
};

struct usage {
	__u64 bytes;
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct usage);
} usage SEC(".maps");

const volatile __u64 budget = 4096; /* bytes per client, set by the host */

SEC("syscall")
int filter(struct request *req)
{
	__u32 client = req->client;
	struct usage *u = bpf_map_lookup_elem(&usage, &client);

	if (!u) {
		struct usage fresh = {};

		bpf_map_update_elem(&usage, &client, &fresh, BPF_NOEXIST);
		u = bpf_map_lookup_elem(&usage, &client);
		if (!u)
			return 0;
	}
	if (u->bytes + req->bytes > budget) {
		__sync_fetch_and_add(&u->dropped, 1);
		bpf_printk("client %u over budget: %u bytes dropped", client,
			   req->bytes);
		return 0;
	}
	__sync_fetch_and_add(&u->bytes, req->bytes);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
