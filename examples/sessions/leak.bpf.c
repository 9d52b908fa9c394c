// SPDX-License-Identifier: BSD-2-Clause
/*
 * A reference leak and its fix.  `leaky` forgets to release the session it
 * acquired on one path: the verifier refuses it, naming the reference and
 * the source line.  `fixed` releases it on every path and is accepted.
 */
#include <linux/types.h>

#include "sessions_btf.h"
#include <bpf/bpf_helpers.h>

struct req {
	__u32 id;
	__u32 bytes;
};

SEC("syscall")
int leaky(struct req *r)
{
	struct session *s = bpf_session_acquire(r->id);

	if (!s)
		return 0;
	if (r->bytes > 1000)
		return -1; /* leaks s */
	bpf_session_add_bytes(s, r->bytes);
	bpf_session_release(s);
	return 1;
}

SEC("syscall")
int fixed(struct req *r)
{
	struct session *s = bpf_session_acquire(r->id);
	int ret = 1;

	if (!s)
		return 0;
	if (r->bytes > 1000)
		ret = -1;
	else
		bpf_session_add_bytes(s, r->bytes);
	bpf_session_release(s);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
