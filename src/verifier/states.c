// SPDX-License-Identifier: BSD-2-Clause
/*
 * State lifetime and pruning: copying states, the explored-state lists
 * (checkpoints), is_state_visited with states_equal (regsafe, stacksafe,
 * refsafe, the id bijection), branch accounting and infinite-loop
 * detection.
 *
 * Invariant: a path is pruned only against a checkpoint whose whole
 * subtree has been explored (branches == 0) and whose description
 * contains the current one for every register that is live and every
 * stack slot that may still be read (live.c; every slot while a loop
 * the checkpoint is in is still being explored, and every slot holding
 * an iterator, dynptr or irq flag); scalars are always compared by
 * value (every scalar counts as precise), which is stricter than the
 * kernel and therefore sound.
 * Checkpoints still being explored (branches > 0) are ancestors of the
 * current path: matching one exactly is an infinite loop, unless an
 * iterator's depth differs; at an iterator's next() call, containing the
 * current state with the iterator still active means the loop converged
 * (KFUNC-SEMANTICS §6.3), and widen_imprecise_scalars() lets successive
 * iterations become equal.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/vinternal.h"

/* Cap on stored checkpoints: memory stays bounded; beyond it no new
 * checkpoint is stored (pruning only gets weaker, never unsound). */
#define BH_MAX_STORED_STATES 16384

struct bh_state_list {
	struct bh_state_list *next;
	struct bh_vstate st;
	uint32_t hit, miss;
};

struct bh_func_state *bh_frame_alloc(void)
{
	return calloc(1, sizeof(struct bh_func_state));
}

struct bh_vstate *bh_state_alloc(void)
{
	return calloc(1, sizeof(struct bh_vstate));
}

static void free_frames(struct bh_vstate *st)
{
	for (int i = 0; i < BH_MAX_FRAMES; i++) {
		free(st->frame[i]);
		st->frame[i] = NULL;
	}
	free(st->jmp_history);
	st->jmp_history = NULL;
}

void bh_state_release(struct bh_vstate *st)
{
	free_frames(st);
}

void bh_state_free(struct bh_vstate *st)
{
	if (!st)
		return;
	free_frames(st);
	free(st);
}

/* dst becomes an independent copy of src (frames deep-copied). */
int bh_state_copy(struct bh_vstate *dst, const struct bh_vstate *src)
{
	struct bh_func_state *frames[BH_MAX_FRAMES] = {0};

	for (uint32_t i = 0; i <= src->curframe; i++) {
		frames[i] = dst->frame[i] ? dst->frame[i] : bh_frame_alloc();
		if (!frames[i]) {
			for (uint32_t j = 0; j < i; j++)
				if (frames[j] != dst->frame[j])
					free(frames[j]);
			return -ENOMEM;
		}
		*frames[i] = *src->frame[i];
	}
	for (uint32_t i = src->curframe + 1; i < BH_MAX_FRAMES; i++)
		free(dst->frame[i]);
	free(dst->jmp_history);
	*dst = *src;
	dst->all_precise = false;
	dst->jmp_history = NULL;
	dst->jmp_history_cnt = 0;
	memcpy(dst->frame, frames, sizeof(frames));
	if (src->jmp_history_cnt) {
		uint32_t cap = 4;

		while (cap < src->jmp_history_cnt)
			cap *= 2;
		/* bh_push_jmp_history grows at powers of two */
		dst->jmp_history = malloc(cap * sizeof(*dst->jmp_history));
		if (!dst->jmp_history)
			return -ENOMEM;
		memcpy(dst->jmp_history, src->jmp_history,
		       src->jmp_history_cnt * sizeof(*dst->jmp_history));
		dst->jmp_history_cnt = src->jmp_history_cnt;
	}
	return 0;
}

void bh_state_pop_frame(struct bh_vstate *st)
{
	free(st->frame[st->curframe]);
	st->frame[st->curframe] = NULL;
	st->curframe--;
}

/* ---- state equivalence ---- */

#define IDMAP_MAX 2048

struct idmap {
	uint32_t old[IDMAP_MAX], cur[IDMAP_MAX];
	uint32_t cnt;
	uint32_t tmp; /* fresh ids for check_scalar_ids */
};

/* A consistent bijection between old and cur ids, built as we compare. */
static bool check_ids(uint32_t old_id, uint32_t cur_id, struct idmap *m)
{
	if (!old_id && !cur_id)
		return true;
	if (!old_id || !cur_id)
		return false;
	for (uint32_t i = 0; i < m->cnt; i++) {
		if (m->old[i] == old_id)
			return m->cur[i] == cur_id;
		if (m->cur[i] == cur_id)
			return false;
	}
	if (m->cnt >= IDMAP_MAX)
		return false;
	m->old[m->cnt] = old_id;
	m->cur[m->cnt++] = cur_id;
	return true;
}

/* Unlinked scalars (id 0) are given fresh ids so "unlinked" matches a
 * uniquely linked scalar and two unlinked ones never alias. */
static bool check_scalar_ids(uint32_t old_id, uint32_t cur_id, struct idmap *m)
{
	if (!old_id)
		old_id = 0x40000000u + ++m->tmp;
	if (!cur_id)
		cur_id = 0x40000000u + ++m->tmp;
	return check_ids(old_id, cur_id, m);
}

/* NOT_EXACT: an imprecise old scalar matches any scalar; RANGE_WITHIN:
 * every scalar by value (loops whose precision is not final); EXACT */
enum cmp_mode { CMP_NOT_EXACT, CMP_RANGE_WITHIN, CMP_EXACT };

static bool scalar_equal(const struct bh_scalar *a, const struct bh_scalar *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static bool regs_exact(const struct bh_reg *old, const struct bh_reg *cur,
		       struct idmap *m)
{
	return old->type == cur->type && old->flags == cur->flags &&
	       old->off == cur->off && old->frameno == cur->frameno &&
	       scalar_equal(&old->s, &cur->s) && old->btf_src == cur->btf_src &&
	       old->btf_id == cur->btf_id && check_ids(old->id, cur->id, m) &&
	       check_ids(old->ref_obj_id, cur->ref_obj_id, m);
}

static bool regsafe(const struct bh_reg *old, const struct bh_reg *cur,
		    struct idmap *m, enum cmp_mode mode)
{
	if (mode == CMP_EXACT) {
		if (old->type == BH_SCALAR && cur->type == BH_SCALAR)
			return scalar_equal(&old->s, &cur->s) &&
			       old->off == cur->off &&
			       check_scalar_ids(old->id, cur->id, m);
		return regs_exact(old, cur, m);
	}
	if (old->type == BH_NOT_INIT)
		return true;
	if (old->type != cur->type || old->flags != cur->flags)
		return false;
	switch (old->type) {
	case BH_SCALAR:
		if (!old->precise && mode == CMP_NOT_EXACT)
			return true;
		if ((old->id & BH_ID_ADD_CONST) != (cur->id & BH_ID_ADD_CONST))
			return false;
		if ((old->id & BH_ID_ADD_CONST) && old->off != cur->off)
			return false;
		return bh_scalar_is_subsumed(&old->s, &cur->s) &&
		       check_scalar_ids(old->id, cur->id, m);
	case BH_PTR_TO_MAP_VALUE:
	case BH_PTR_TO_MAP_KEY:
	case BH_PTR_TO_MEM:
	case BH_PTR_TO_BUF:
		/* a slice dies with its dynptr: the two must map too */
		if (old->type == BH_PTR_TO_MEM &&
		    !check_ids(old->dynptr_id, cur->dynptr_id, m))
			return false;
		return old->off == cur->off && old->map_idx == cur->map_idx &&
		       bh_scalar_is_subsumed(&old->s, &cur->s) &&
		       check_ids(old->id, cur->id, m) &&
		       check_ids(old->ref_obj_id, cur->ref_obj_id, m);
	default:
		return regs_exact(old, cur, m);
	}
}

static bool is_scalar_spill(const struct bh_stack_slot *s)
{
	return s->slot_type[0] == BH_STACK_SPILL &&
	       s->spilled.type == BH_SCALAR;
}

/* A slot holding no iterator, dynptr or irq flag, not even in part:
 * whatever it holds, stores over it never fail. */
static bool is_plain_slot(const struct bh_stack_slot *s)
{
	for (int i = 0; i < 8; i++)
		if (s->slot_type[i] != BH_STACK_INVALID &&
		    s->slot_type[i] != BH_STACK_MISC &&
		    s->slot_type[i] != BH_STACK_ZERO &&
		    s->slot_type[i] != BH_STACK_SPILL)
			return false;
	return true;
}

/* live: the slots that may still be read (bit per slot); a dead slot is
 * not compared, as the kernel's cleaned checkpoints have it invalid,
 * unless either side holds an object (those are always compared). */
static bool stacksafe(const struct bh_func_state *old,
		      const struct bh_func_state *cur, struct idmap *m,
		      enum cmp_mode mode, uint64_t live)
{
	static const struct bh_stack_slot invalid_slot;

	if (mode == CMP_EXACT && cur->allocated_stack < old->allocated_stack)
		return false;
	for (uint32_t spi = 0; spi < old->allocated_stack / 8; spi++) {
		const struct bh_stack_slot *os = &old->stack[spi];
		const struct bh_stack_slot *cs = spi < cur->allocated_stack / 8
							 ? &cur->stack[spi]
							 : &invalid_slot;
		bool old_spill = false;

		if (spi < 64 && !(live >> spi & 1) && is_plain_slot(os) &&
		    is_plain_slot(cs))
			continue;

		for (int i = 0; i < 8; i++) {
			uint8_t ot = os->slot_type[i], ct = cs->slot_type[i];

			if (ot == BH_STACK_SPILL)
				old_spill = true;
			if (mode == CMP_EXACT) {
				if (ot != ct)
					return false;
				continue;
			}
			if (ot == BH_STACK_INVALID)
				continue;
			/* privileged: a MISC byte reads as an unknown
			 * scalar, as uninitialised or zero bytes do; a
			 * spilled pointer there would not */
			if (ot == BH_STACK_MISC &&
			    (ct != BH_STACK_SPILL || is_scalar_spill(cs)))
				continue;
			if (ot != ct)
				return false;
		}
		if (old_spill && !regsafe(&os->spilled, &cs->spilled, m, mode))
			return false;
		/* iterators: same type, state and reference; the depth is
		 * ignored so that loops can converge */
		if (os->slot_type[0] == BH_STACK_ITER &&
		    (os->spilled.btf_src != cs->spilled.btf_src ||
		     os->spilled.btf_id != cs->spilled.btf_id ||
		     os->spilled.flags != cs->spilled.flags ||
		     os->iter_state != cs->iter_state ||
		     !check_ids(os->spilled.ref_obj_id, cs->spilled.ref_obj_id,
				m)))
			return false;
		/* irq flags: the same irq reference, mapped by id */
		if (os->slot_type[0] == BH_STACK_IRQ_FLAG &&
		    (os->irq_class != cs->irq_class ||
		     !check_ids(os->spilled.ref_obj_id, cs->spilled.ref_obj_id,
				m)))
			return false;
		/* dynptrs: the same kind, the same pairing of the two slots,
		 * and ids mapped consistently (slices die with their
		 * dynptr by id), as the kernel's stacksafe compares them */
		if (os->slot_type[0] == BH_STACK_DYNPTR &&
		    (os->dynptr_type != cs->dynptr_type ||
		     os->dynptr_first != cs->dynptr_first ||
		     !check_ids(os->spilled.id, cs->spilled.id, m) ||
		     !check_ids(os->spilled.ref_obj_id, cs->spilled.ref_obj_id,
				m)))
			return false;
	}
	return true;
}

/* An iterator active in old whose depth differs in cur: the two states
 * are different loop iterations, not an infinite loop. */
static bool iter_active_depths_differ(const struct bh_vstate *old,
				      const struct bh_vstate *cur)
{
	for (uint32_t fi = 0; fi <= old->curframe; fi++) {
		const struct bh_func_state *of = old->frame[fi];
		const struct bh_func_state *cf = cur->frame[fi];

		for (uint32_t spi = 0; spi < of->allocated_stack / 8; spi++) {
			const struct bh_stack_slot *os = &of->stack[spi];

			if (os->slot_type[0] != BH_STACK_ITER ||
			    os->iter_state != BH_ITER_ACTIVE)
				continue;
			if (spi >= cf->allocated_stack / 8 ||
			    cf->stack[spi].iter_depth != os->iter_depth)
				return true;
		}
	}
	return false;
}

static bool refsafe(const struct bh_vstate *old, const struct bh_vstate *cur,
		    struct idmap *m)
{
	if (old->acquired_refs != cur->acquired_refs ||
	    old->active_rcu_lock != cur->active_rcu_lock ||
	    old->active_locks != cur->active_locks ||
	    old->active_lock_ptr != cur->active_lock_ptr ||
	    !check_ids(old->active_lock_id, cur->active_lock_id, m) ||
	    old->active_preempt_locks != cur->active_preempt_locks ||
	    !check_ids(old->active_irq_id, cur->active_irq_id, m))
		return false;
	for (uint32_t i = 0; i < old->acquired_refs; i++)
		if (old->refs[i].type != cur->refs[i].type ||
		    !check_ids(old->refs[i].id, cur->refs[i].id, m) ||
		    ((old->refs[i].type & BH_REF_LOCK_MASK) &&
		     old->refs[i].ptr != cur->refs[i].ptr))
			return false;
	return true;
}

/* Per frame of old, its stack slots that may still be read; all of them
 * unless use_live (a checkpoint whose continuation has been explored
 * whole, the kernel's cleaned states). */
static void old_live_slots(const struct bh_venv *v, const struct bh_vstate *old,
			   bool use_live, uint64_t live[BH_MAX_FRAMES])
{
	for (uint32_t fi = 0; fi < BH_MAX_FRAMES; fi++)
		live[fi] = use_live && fi <= old->curframe
				   ? bh_stack_live_mask(v, old, fi)
				   : ~0ull;
}

static bool states_equal(struct bh_venv *v, const struct bh_vstate *old,
			 const struct bh_vstate *cur, enum cmp_mode mode,
			 const uint64_t *stk_live)
{
	struct idmap *m;
	bool ok = false;

	if (old->curframe != cur->curframe ||
	    old->in_sleepable != cur->in_sleepable)
		return false;
	/* past the cap on stored states precision is no longer tracked
	 * (see bh_push_jmp_history): every scalar is compared by range */
	if (v->states_capped && mode == CMP_NOT_EXACT)
		mode = CMP_RANGE_WITHIN;
	m = calloc(1, sizeof(*m));
	if (!m)
		return false; /* no match is always safe */
	if (!refsafe(old, cur, m))
		goto out;
	for (uint32_t fi = 0; fi <= old->curframe; fi++) {
		const struct bh_func_state *of = old->frame[fi];
		const struct bh_func_state *cf = cur->frame[fi];
		uint32_t at = fi == old->curframe
				      ? cur->insn_idx
				      : (uint32_t)old->frame[fi + 1]->callsite;
		uint32_t live = v->aux[at].live_regs_before;

		if (of->callsite != cf->callsite ||
		    of->callback_depth > cf->callback_depth ||
		    of->in_callback_fn != cf->in_callback_fn ||
		    of->in_async_callback_fn != cf->in_async_callback_fn)
			goto out;
		for (int r = 0; r < BH_MAX_REG; r++) {
			if (r != BH_FP && !(live & (1u << r)))
				continue;
			if (!regsafe(&of->regs[r], &cf->regs[r], m, mode))
				goto out;
		}
		if (!stacksafe(of, cf, m, mode,
			       stk_live ? stk_live[fi] : ~0ull))
			goto out;
	}
	ok = true;
out:
	free(m);
	return ok;
}

/* ---- explored states ---- */

int bh_update_branch_counts(struct bh_venv *v, struct bh_vstate *st)
{
	while (st) {
		int err;

		if (!st->branches)
			return 0; /* already complete: a bug, but harmless */
		if (--st->branches)
			return 0;
		/* every path from st is done: a loop entered at st has
		 * its precision marks final now */
		err = bh_scc_exit(v, st);
		if (err)
			return err;
		st = st->parent;
	}
	return 0;
}

static void free_list_node(struct bh_venv *v, struct bh_state_list *sl)
{
	free_frames(&sl->st);
	free(sl);
	v->cur_states--;
}

void bh_free_explored(struct bh_venv *v)
{
	bh_scc_free(v);
	struct bh_state_list *e, *en;

	for (e = v->evicted; e; e = en) {
		en = e->next;
		free_frames(&e->st); /* already out of cur_states */
		free(e);
	}
	v->evicted = NULL;
	if (!v->explored)
		return;
	for (size_t i = 0; i < v->env->insn_cnt; i++) {
		struct bh_state_list *sl = v->explored[i], *n;

		for (; sl; sl = n) {
			n = sl->next;
			free_list_node(v, sl);
		}
	}
	free(v->explored);
	v->explored = NULL;
}

static bool is_may_goto(const struct bh_insn *in)
{
	return in->code == (BH_JMP | 0xe0) && in->src_reg == 0;
}

static bool same_callsites(const struct bh_vstate *a, const struct bh_vstate *b)
{
	if (a->curframe != b->curframe)
		return false;
	for (uint32_t fi = 0; fi <= a->curframe; fi++)
		if (a->frame[fi]->callsite != b->frame[fi]->callsite)
			return false;
	return true;
}

static bool is_ancestor(const struct bh_vstate *anc, const struct bh_vstate *st)
{
	for (; st; st = st->parent)
		if (st == anc)
			return true;
	return false;
}

struct bh_vstate *bh_find_prev_entry(struct bh_venv *v, uint32_t idx)
{
	struct bh_vstate *cp = v->cur->parent;
	struct bh_state_list *sl;

	if (!cp)
		return NULL;
	/* most recent first; skip the checkpoint of this very visit */
	for (sl = v->explored[idx]; sl; sl = sl->next)
		if (&sl->st != cp && sl->st.branches &&
		    same_callsites(&sl->st, v->cur) &&
		    is_ancestor(&sl->st, cp->parent))
			return &sl->st;
	return NULL;
}

static void maybe_widen_reg(const struct bh_reg *old, struct bh_reg *cur,
			    struct idmap *m)
{
	if (old->type != BH_SCALAR || cur->type != BH_SCALAR)
		return;
	if (old->precise || cur->precise || regs_exact(old, cur, m))
		return;
	mark_reg_unknown(cur);
}

void widen_imprecise_scalars(const struct bh_vstate *old, struct bh_vstate *cur)
{
	struct idmap *m = calloc(1, sizeof(*m));

	if (!m)
		return; /* not widening only costs iterations */
	for (uint32_t fi = 0; fi <= old->curframe && fi <= cur->curframe;
	     fi++) {
		const struct bh_func_state *of = old->frame[fi];
		struct bh_func_state *cf = cur->frame[fi];
		uint32_t n = of->allocated_stack < cf->allocated_stack
				     ? of->allocated_stack / 8
				     : cf->allocated_stack / 8;

		for (int r = 0; r < BH_MAX_REG; r++)
			maybe_widen_reg(&of->regs[r], &cf->regs[r], m);
		for (uint32_t spi = 0; spi < n; spi++)
			if (of->stack[spi].slot_type[0] == BH_STACK_SPILL &&
			    cf->stack[spi].slot_type[0] == BH_STACK_SPILL)
				maybe_widen_reg(&of->stack[spi].spilled,
						&cf->stack[spi].spilled, m);
	}
	free(m);
}

/* The iterator a next() call at the current insn works on (R1). */
static const struct bh_stack_slot *cur_iter_slot(const struct bh_vstate *st)
{
	const struct bh_reg *r1 = &st->frame[st->curframe]->regs[1];
	const struct bh_func_state *f;
	int32_t off;

	if (r1->type != BH_PTR_TO_STACK || !bh_tnum_is_const(r1->s.var_off) ||
	    r1->frameno > st->curframe)
		return NULL;
	f = st->frame[r1->frameno];
	off = r1->off + (int32_t)r1->s.var_off.value;
	if (off >= 0 || off % 8 || (uint32_t)-off > f->allocated_stack)
		return NULL;
	return &f->stack[(-off - 1) / 8];
}

/* A cheap first test for a loop going nowhere (the kernel's
 * states_maybe_looping): the current frame's registers are identical,
 * ids included, and not just equivalent. */
static bool regs_identical(const struct bh_reg *a, const struct bh_reg *b)
{
	return a->type == b->type && a->frameno == b->frameno &&
	       a->flags == b->flags && a->off == b->off &&
	       !memcmp(&a->s, &b->s, sizeof(a->s)) && a->id == b->id &&
	       a->ref_obj_id == b->ref_obj_id && a->btf_src == b->btf_src &&
	       a->btf_id == b->btf_id;
}

static bool states_maybe_looping(const struct bh_vstate *old,
				 const struct bh_vstate *cur)
{
	uint32_t fr = cur->curframe;

	if (old->curframe != fr)
		return false;
	for (int r = 0; r < BH_MAX_REG; r++)
		if (!regs_identical(&old->frame[fr]->regs[r],
				    &cur->frame[fr]->regs[r]))
			return false;
	return true;
}

int bh_is_state_visited(struct bh_venv *v, uint32_t idx)
{
	struct bh_vstate *cur = v->cur;
	struct bh_state_list **pp, *sl;
	const struct bh_insn *in = &v->env->insns[idx];
	bool iter_next = is_iter_next_kfunc_insn(v, in);
	/* a long jump history is cut into a checkpoint (the kernel's
	 * jmp_history_cnt > 40 rule), which keeps backtracking short */
	bool force = v->aux[idx].force_checkpoint || cur->jmp_history_cnt > 40;
	bool add = force ||
		   (v->jmps_since_prune >= 2 && v->insns_since_prune >= 8);
	uint32_t len = 0;
	bool loop = false, hit_live = false;
	uint64_t live[BH_MAX_FRAMES];
	int err;

	pp = &v->explored[idx];
	while ((sl = *pp)) {
		len++;
		if (sl->st.branches) {
			/* an ancestor of this path: a loop */
			if (iter_next) {
				/* converged: the body was verified for a
				 * superset of this iteration's inputs */
				if (states_equal(v, &sl->st, cur,
						 CMP_RANGE_WITHIN, NULL)) {
					const struct bh_stack_slot *it =
						cur_iter_slot(cur);

					if (it &&
					    it->slot_type[0] == BH_STACK_ITER &&
					    it->iter_state == BH_ITER_ACTIVE) {
						loop = true;
						goto hit;
					}
				}
			} else if ((is_may_goto(in) &&
				    sl->st.may_goto_depth !=
					    cur->may_goto_depth) ||
				   (v->aux[idx].flags &
				    BH_AUXI_CALLBACK_CALL)) {
				if (states_equal(v, &sl->st, cur,
						 CMP_RANGE_WITHIN, NULL)) {
					loop = true;
					goto hit;
				}
			} else if (states_maybe_looping(&sl->st, cur) &&
				   states_equal(v, &sl->st, cur, CMP_EXACT,
						NULL) &&
				   !iter_active_depths_differ(&sl->st, cur) &&
				   sl->st.may_goto_depth ==
					   cur->may_goto_depth) {
				if (bh_log_on(v, 1)) {
					bh_log(v, "cur state:");
					bh_log_state(v, cur, true);
					bh_log(v, "old state:");
					bh_log_state(v, &sl->st, true);
				}
				return bh_reject(
					v, "infinite loop detected at insn %u",
					idx);
			}
			if (!force && v->jmps_since_prune < 20 &&
			    v->insns_since_prune < 100)
				add = false;
		} else {
			/* a checkpoint of a loop still being explored has
			 * incomplete precision marks: compare by range */
			loop = bh_scc_incomplete(v, &sl->st);
			/* incomplete loop: its reads are not all seen;
			 * otherwise the slots read so far (the fixpoint is
			 * redone only when some mark changed) */
			if (!loop)
				bh_stack_live_update(v);
			old_live_slots(v, &sl->st, !loop, live);
			if (states_equal(v, &sl->st, cur,
					 loop ? CMP_RANGE_WITHIN
					      : CMP_NOT_EXACT,
					 live)) {
				hit_live = true;
				goto hit;
			}
		}
		/* a visit that will not be stored does not count: a loop
		 * would otherwise evict the states of its first iterations
		 * (the kernel's rule) */
		if (add)
			sl->miss++;
		/* evict checkpoints that keep missing (the kernel's rule:
		 * more patience for forced checkpoints of a live loop, which
		 * iterators need to converge); one still some live path's
		 * parent leaves the search list but is kept until the end */
		{
			uint32_t n =
				v->aux[idx].force_checkpoint && sl->st.branches
					? 64
					: 3;

			if (sl->miss > sl->hit * n + n) {
				*pp = sl->next;
				/* kept until the end: live paths and loop
				 * back-edges may still have it as a parent */
				sl->next = v->evicted;
				v->evicted = sl;
				if (!sl->st.branches)
					v->cur_states--;
				continue;
			}
		}
		pp = &sl->next;
	}
	if (len > v->max_states_per_insn)
		v->max_states_per_insn = len;
	if (!add)
		return 0;
	if (v->total_states >= BH_MAX_STORED_STATES) {
		if (!v->states_capped)
			bh_log(v,
			       "stored states capped at %d: pruning weaker "
			       "from here",
			       BH_MAX_STORED_STATES);
		v->states_capped = true;
		return 0;
	}
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	/* forget inherited precision: the new checkpoint starts imprecise
	 * and backtracking from its continuation marks what matters */
	bh_mark_all_scalars_imprecise(cur);
	if (bh_state_copy(&sl->st, cur)) {
		free(sl);
		return -ENOMEM;
	}
	v->total_states++;
	v->cur_states++;
	if (v->cur_states > v->peak_states)
		v->peak_states = v->cur_states;
	sl->st.insn_idx = idx;
	sl->st.branches = 1;
	sl->st.parent = cur->parent;
	sl->st.first_insn_idx = cur->first_insn_idx;
	sl->st.last_insn_idx = v->prev_insn_idx;
	sl->next = v->explored[idx];
	v->explored[idx] = sl;
	cur->parent = &sl->st;
	cur->first_insn_idx = idx;
	cur->jmp_history_cnt = 0;
	v->jmps_since_prune = 0;
	v->insns_since_prune = 0;
	return bh_scc_enter(v, &sl->st);
hit:
	sl->hit++;
	if (bh_hist_needed(v, idx)) {
		err = bh_push_jmp_history(v, cur, idx, v->prev_insn_idx, 0);
		if (err)
			return err;
	}
	/* what the old state needed precise, this path needs too */
	{
		bool changed = false;

		if (!hit_live)
			old_live_slots(v, &sl->st, false, live);
		err = bh_propagate_precision(v, &sl->st, cur, live, &changed);
		if (err)
			return err;
	}
	/* the old state's marks may still grow: redo this later */
	if (loop) {
		err = bh_scc_add_backedge(v, &sl->st, cur);
		if (err)
			return err;
	}
	return 1;
}
