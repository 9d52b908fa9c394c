// SPDX-License-Identifier: BSD-2-Clause
/*
 * Programs over the example host's sessions, written as kernel BPF
 * programs are: the host's types and kfunc declarations come from a header
 * the host's BTF generates (`bpfhost --plugin libsessions.so btf dump`),
 * as vmlinux.h comes from the kernel's.
 */
#include <linux/types.h>

#include "sessions_btf.h"
#include <bpf/bpf_helpers.h>

struct charge_req {
	__u32 id;
	__u32 bytes;
};

/* Account bytes to a session: 1 if charged, 0 if no such session. */
SEC("syscall")
int charge(struct charge_req *req)
{
	struct session *s = bpf_session_acquire(req->id);

	if (!s)
		return 0;
	bpf_session_add_bytes(s, req->bytes);
	bpf_session_release(s);
	return 1;
}

/* Total bytes over every open session, with the open-coded iterator. */
SEC("syscall")
int total_bytes(void *ctx)
{
	struct bpf_iter_session it;
	struct session *s;
	__u64 total = 0;

	bpf_iter_session_new(&it);
	while ((s = bpf_iter_session_next(&it)))
		total += s->bytes;
	bpf_iter_session_destroy(&it);
	return total;
}

/* Sessions whose user is "alice": user names copied through a __sz pair. */
SEC("syscall")
int count_alice(void *ctx)
{
	struct bpf_iter_session it;
	struct session *s;
	int n = 0;

	bpf_iter_session_new(&it);
	while ((s = bpf_iter_session_next(&it))) {
		char user[16] = {};
		__u64 first8;

		bpf_session_user(s, user, sizeof(user));
		/* "alice" and NULs, as one little-endian word */
		__builtin_memcpy(&first8, user, sizeof(first8));
		n += first8 == 0x6563696c61ull;
	}
	bpf_iter_session_destroy(&it);
	return n;
}

/* Drop up to 100 bytes of session 2's accounting: `to` may be NULL. */
SEC("syscall")
int forgive(void *ctx)
{
	struct session *s = bpf_session_acquire(2);
	int moved;

	if (!s)
		return -1;
	moved = bpf_session_transfer(s, NULL, 100);
	bpf_session_release(s);
	return moved;
}

/* Still uses the deprecated lookup: loads with a warning. */
SEC("syscall")
int old_style(void *ctx)
{
	struct session *s = bpf_session_lookup(3);

	return s ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
