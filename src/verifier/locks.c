// SPDX-License-Identifier: BSD-2-Clause
/*
 * Locks held by a program (KFUNC-SEMANTICS §7.4): the bpf_spin_lock
 * helpers and the resilient bpf_res_spin_lock kfuncs share one model, the
 * kernel's.  Each lock taken is a lock reference in the state's reference
 * table (BH_REF_LOCK, BH_REF_RES_LOCK, BH_REF_RES_LOCK_IRQ) naming the
 * pointer id it was taken through and what it belongs to (a map, or a
 * program object type); active_locks counts them and active_lock_id/ptr
 * name the last one taken.
 *
 *  - a bpf_spin_lock cannot be taken while another one is held; a
 *    bpf_res_spin_lock can, any number of them, except the same one again
 *    (AA); the two kinds may be mixed;
 *  - only the last lock taken may be released, by the unlock of its kind
 *    (the _irqrestore unlock for a lock of the _irqsave kfunc);
 *  - a bpf_res_spin_lock may fail: the caller (kfuncs.c) explores a path
 *    where it returned an error and holds nothing, and one where it
 *    returned 0 and holds the lock;
 *  - no lock may be held at the main program's exit (calls.c), and while
 *    one is held only a few calls are allowed (bh_kfunc_spin_allowed).
 *
 * Invariant: active_locks is the number of lock references in refs[], and
 * active_lock_id/ptr are those of the last of them (0 when none).
 */
#include <string.h>

#include <bpf/btf.h>

#include "verifier/vinternal.h"

const struct bh_ref *bh_find_lock_state(const struct bh_vstate *st,
					uint32_t types, uint32_t id,
					uint32_t ptr)
{
	for (uint32_t i = 0; i < st->acquired_refs; i++) {
		const struct bh_ref *s = &st->refs[i];

		if ((s->type & types) && s->id == id && s->ptr == ptr)
			return s;
	}
	return NULL;
}

static int acquire_lock_state(struct bh_venv *v, uint8_t type, uint32_t id,
			      uint32_t ptr)
{
	struct bh_vstate *st = v->cur;
	struct bh_ref *s;

	if (st->acquired_refs >= BH_MAX_REFS)
		return bh_reject(v, "too many acquired references (max %d)",
				 BH_MAX_REFS);
	s = &st->refs[st->acquired_refs++];
	s->id = id;
	s->insn_idx = (int)st->insn_idx;
	s->type = type;
	s->ptr = ptr;
	st->active_locks++;
	st->active_lock_id = id;
	st->active_lock_ptr = ptr;
	return 0;
}

/* The table keeps its order, so the lock before the released one is the
 * last one taken again. */
static int release_lock_state(struct bh_vstate *st, uint8_t type, uint32_t id,
			      uint32_t ptr)
{
	uint32_t prev_id = 0, prev_ptr = 0;

	for (uint32_t i = 0; i < st->acquired_refs; i++) {
		struct bh_ref *s = &st->refs[i];

		if (s->type == type && s->id == id && s->ptr == ptr) {
			memmove(s, s + 1,
				(st->acquired_refs - i - 1) * sizeof(*s));
			st->acquired_refs--;
			st->active_locks--;
			st->active_lock_id = prev_id;
			st->active_lock_ptr = prev_ptr;
			return 0;
		}
		if (s->type & BH_REF_LOCK_MASK) {
			prev_id = s->id;
			prev_ptr = s->ptr;
		}
	}
	return -EINVAL;
}

int bh_process_spin_lock(struct bh_venv *v, uint32_t regno, unsigned int flags)
{
	bool is_lock = flags & BH_LOCK_TAKE, is_res = flags & BH_LOCK_RES;
	bool is_irq = flags & BH_LOCK_IRQ;
	const char *lock_str = is_res ? "bpf_res_spin" : "bpf_spin";
	const struct bh_reg *r = &cur_regs(v)[regno];
	const struct btf *b = v->env->prog_btf;
	struct bh_vstate *st = v->cur;
	uint32_t type_id, ptr = bh_reg_lock_owner(v, r, &type_id);
	const char *what = "map", *name = "kptr";
	uint8_t type;
	struct bh_field f;
	uint64_t off;

	/* a less callback runs in the middle of an rbtree add: the lock
	 * protecting the tree stays held (bh_in_rbtree_cb: at any depth) */
	if (bh_in_rbtree_cb(v))
		return bh_reject_err(v, -EACCES,
				     "can't spin_{lock,unlock} in rbtree cb");
	if (!ptr)
		return bh_bug(v, "%s_lock on a pointer of no map or object",
			      lock_str);
	if (!bh_tnum_is_const(r->s.var_off))
		return bh_reject(v,
				 "R%u doesn't have constant offset. %s_lock "
				 "has to be at the constant offset",
				 regno, lock_str);
	if (r->type == BH_PTR_TO_MAP_VALUE) {
		name = v->env->maps[r->map_idx].def->name;
		if (!b || !type_id)
			return bh_reject(v,
					 "map '%s' has to have BTF in order to "
					 "use %s_lock",
					 name, lock_str);
	} else {
		what = "local";
	}
	/* the kernel's records of program objects (btf_parse_struct_metas)
	 * have no bpf_res_spin_lock field: only map values have one */
	if ((is_res && r->type != BH_PTR_TO_MAP_VALUE) ||
	    !bh_find_field_of(
		    b, type_id,
		    is_res ? BH_FIELD_RES_SPIN_LOCK : BH_FIELD_SPIN_LOCK, &f))
		return bh_reject(v, "%s '%s' has no valid %s_lock", what, name,
				 lock_str);
	off = r->s.var_off.value + (uint64_t)(int64_t)r->off;
	if (f.off != off)
		return bh_reject(v,
				 "off %lld doesn't point to 'struct %s_lock' "
				 "that is at %u",
				 (long long)off, lock_str, f.off);
	if (is_res)
		type = is_irq ? BH_REF_RES_LOCK_IRQ : BH_REF_RES_LOCK;
	else
		type = BH_REF_LOCK;
	if (is_lock) {
		if (!is_res && st->active_locks &&
		    bh_find_lock_state_any(st, BH_REF_LOCK))
			return bh_reject(
				v,
				"Locking two bpf_spin_locks are not allowed");
		if (is_res && st->active_locks &&
		    bh_find_lock_state(st,
				       BH_REF_RES_LOCK | BH_REF_RES_LOCK_IRQ,
				       r->id, ptr))
			return bh_reject(v, "Acquiring the same lock again, AA "
					    "deadlock detected");
		return acquire_lock_state(v, type, r->id, ptr);
	}
	if (!st->active_locks)
		return bh_reject(v, "%s_unlock without taking a lock",
				 lock_str);
	if (!bh_find_lock_state(st, type, r->id, ptr))
		return bh_reject(v, "%s_unlock of different lock", lock_str);
	if (r->id != st->active_lock_id || ptr != st->active_lock_ptr)
		return bh_reject(v, "%s_unlock cannot be out of order",
				 lock_str);
	if (release_lock_state(st, type, r->id, ptr))
		return bh_reject(v, "%s_unlock of different lock", lock_str);
	bh_invalidate_non_owning_refs(v);
	return 0;
}

bool bh_find_lock_state_any(const struct bh_vstate *st, uint32_t types)
{
	for (uint32_t i = 0; i < st->acquired_refs; i++)
		if (st->refs[i].type & types)
			return true;
	return false;
}
