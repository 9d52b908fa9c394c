// SPDX-License-Identifier: BSD-2-Clause
/* Typed-argument hook programs: test_hooks declares the hook, verifies
 * and fires them; the corpus runtime declares no such hook, so there they
 * are refused at load. */
// EXPECT: REJECT no declared hook for 'tp_btf/on_request'
// RETVAL: none
// KERNEL: skip uses bpfhost-only hooks and kfuncs (tp_btf hook and bh_ kfuncs the kernel lacks)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct request {
	int id;
	int bytes;
	char path[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("tp_btf/on_request")
int BPF_PROG(count_bytes, struct request *req, int flags)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &k);

	if (v)
		*v += req->bytes * (flags ? 2 : 1);
	return req->id;
}

SEC("tp_btf/on_request")
int BPF_PROG(path_len, struct request *req, int flags)
{
	int n = 0;

	for (int i = 0; i < 32 && req->path[i]; i++)
		n++;
	return n + flags;
}

char LICENSE[] SEC("license") = "GPL";
