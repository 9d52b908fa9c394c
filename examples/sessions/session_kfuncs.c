// SPDX-License-Identifier: BSD-2-Clause
/*
 * The example's kfuncs, written exactly as a kernel developer writes them:
 * __bpf_kfunc definitions, a BTF_KFUNCS set, and registration from an
 * initcall.  Built into the host and, unchanged, into a plugin .so that
 * `bpfhost --plugin` can list.
 */
#include <stdint.h>
#include <string.h>

#include <bpfhost/kfunc.h>

#include "sessions.h"

/* Iterator state on the program's stack: 16 bytes, a multiple of 8. */
struct bpf_iter_session {
	uint64_t __opaque[2];
};

struct bpf_iter_session_kern {
	uint32_t pos;
	uint32_t pad;
	struct session *cur; /* holds a reference while iterating */
};

__bpf_kfunc_start_defs();

/* A reference to the open session with this id, or NULL. */
__bpf_kfunc struct session *bpf_session_acquire(uint32_t id)
{
	return session_get(id);
}

__bpf_kfunc void bpf_session_release(struct session *s)
{
	session_put(s);
}

/* The old lookup: no reference taken, so the session may go away. */
__bpf_kfunc struct session *bpf_session_lookup(uint32_t id)
{
	struct session *s = session_get(id);

	if (s)
		session_put(s);
	return s;
}

__bpf_kfunc int bpf_session_add_bytes(struct session *s, uint64_t n)
{
	__atomic_add_fetch(&s->bytes, n, __ATOMIC_RELAXED);
	return 0;
}

/* Copies the user name into buf (at most buf__sz bytes, NUL-terminated). */
__bpf_kfunc int bpf_session_user(struct session *s, char *buf, uint32_t buf__sz)
{
	size_t n = strnlen(s->user, sizeof(s->user));

	if (!buf__sz)
		return -22;
	if (n >= buf__sz)
		n = buf__sz - 1;
	memcpy(buf, s->user, n);
	buf[n] = '\0';
	return (int)n;
}

/* Moves n bytes of accounting from one session to another (or drops them
 * when to is NULL): per-argument contracts the kernel cannot express. */
__bpf_kfunc int bpf_session_transfer(struct session *from, struct session *to,
				     uint64_t n)
{
	uint64_t have = __atomic_load_n(&from->bytes, __ATOMIC_RELAXED);

	if (n > have)
		n = have;
	__atomic_sub_fetch(&from->bytes, n, __ATOMIC_RELAXED);
	if (to)
		__atomic_add_fetch(&to->bytes, n, __ATOMIC_RELAXED);
	return (int)n;
}

__bpf_kfunc int bpf_iter_session_new(struct bpf_iter_session *it)
{
	struct bpf_iter_session_kern *k = (void *)it;

	_Static_assert(sizeof(*k) == sizeof(*it), "iterator state size");
	memset(k, 0, sizeof(*k));
	return 0;
}

__bpf_kfunc struct session *bpf_iter_session_next(struct bpf_iter_session *it)
{
	struct bpf_iter_session_kern *k = (void *)it;
	struct session *s;

	if (k->cur)
		session_put(k->cur);
	s = session_next(&k->pos);
	if (s)
		__atomic_add_fetch(&s->refcnt, 1, __ATOMIC_ACQ_REL);
	k->cur = s;
	return s;
}

__bpf_kfunc void bpf_iter_session_destroy(struct bpf_iter_session *it)
{
	struct bpf_iter_session_kern *k = (void *)it;

	if (k->cur)
		session_put(k->cur);
	k->cur = NULL;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(session_kfunc_ids)
BTF_ID_FLAGS(func, bpf_session_acquire, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_session_release, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_session_add_bytes, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_session_user, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_session_transfer,
	     KF_ARG(0, KF_ARG_TRUSTED) |
	     KF_ARG(1, KF_ARG_TRUSTED | KF_ARG_NULLABLE))
BTF_ID_FLAGS(func, bpf_iter_session_new, KF_ITER_NEW)
BTF_ID_FLAGS(func, bpf_iter_session_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_session_destroy, KF_ITER_DESTROY)
BPFHOST_ID_DEPRECATED(func, bpf_session_lookup, "bpf_session_acquire",
		      "returns an unreferenced session", KF_RET_NULL)
BPFHOST_ID_REMOVED(bpf_session_kill, "bpf_session_release",
		   "programs may no longer close sessions")
BTF_KFUNCS_END(session_kfunc_ids)

static const struct btf_kfunc_id_set session_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &session_kfunc_ids,
};

static int __init session_kfuncs_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL,
					 &session_kfunc_set);
}
late_initcall(session_kfuncs_init);
