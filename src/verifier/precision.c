// SPDX-License-Identifier: BSD-2-Clause
/*
 * Precision backtracking (the kernel's __mark_chain_precision,
 * VERIFIER-CORE §7.2) and the jump history it walks.
 *
 * Invariant: a scalar a safety decision depended on is precise in every
 * checkpoint of the current path from which its value flowed; whenever the
 * walk meets something it cannot follow (frame changes, partial spills,
 * atomics, variable-offset fills, linked spills), it falls back to marking
 * every scalar of every ancestor checkpoint precise, which is always sound.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/vinternal.h"

#define ENOTSUPP 524 /* the kernel's internal "cannot follow" */

struct bt {
	uint32_t frame;
	uint32_t regs[BH_MAX_FRAMES];
	uint64_t stack[BH_MAX_FRAMES];
};

static bool bt_empty(const struct bt *bt)
{
	for (int i = 0; i < BH_MAX_FRAMES; i++)
		if (bt->regs[i] || bt->stack[i])
			return false;
	return true;
}

static bool bt_stack_any(const struct bt *bt)
{
	for (int i = 0; i < BH_MAX_FRAMES; i++)
		if (bt->stack[i])
			return true;
	return false;
}

int bh_push_jmp_history(struct bh_venv *v, struct bh_vstate *st, uint32_t idx,
			uint32_t prev_idx, uint32_t flags)
{
	struct bh_jmp_hist *p;

	/* past the cap on stored states no checkpoint cuts the history
	 * any more: stop recording it (and backtracking, see mark_chain);
	 * states are then compared by range, which needs no marks */
	if (v->states_capped) {
		free(st->jmp_history);
		st->jmp_history = NULL;
		st->jmp_history_cnt = 0;
		return 0;
	}
	if (st == v->cur && v->cur_hist_ent &&
	    v->cur_hist_ent <= st->jmp_history_cnt &&
	    st->jmp_history[v->cur_hist_ent - 1].idx == idx) {
		st->jmp_history[v->cur_hist_ent - 1].flags |= flags;
		return 0;
	}
	if (!(st->jmp_history_cnt & (st->jmp_history_cnt - 1)) ||
	    !st->jmp_history) {
		uint32_t cap =
			st->jmp_history_cnt ? st->jmp_history_cnt * 2 : 4;

		p = realloc(st->jmp_history, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		st->jmp_history = p;
	}
	p = &st->jmp_history[st->jmp_history_cnt++];
	p->idx = idx;
	p->prev_idx = prev_idx;
	p->flags = flags;
	p->linked_regs = 0;
	p->linked_slot_cnt = 0;
	if (st == v->cur)
		v->cur_hist_ent = st->jmp_history_cnt;
	return 0;
}

int bh_hist_set_linked(struct bh_venv *v, uint32_t idx, uint64_t linked,
		       const uint16_t *slots, uint8_t slot_cnt, bool overflow)
{
	struct bh_jmp_hist *h;
	int err;

	if (slot_cnt > BH_LINKED_SLOTS_MAX)
		return -EFAULT;
	err = bh_push_jmp_history(v, v->cur, idx, v->prev_insn_idx,
				  BH_HIST_LINKED |
					  (overflow ? BH_HIST_LINKED_OVF : 0));
	if (err || v->states_capped)
		return err;
	h = &v->cur->jmp_history[v->cur_hist_ent - 1];
	h->linked_regs |= linked;
	memcpy(h->linked_slots, slots, slot_cnt * sizeof(*slots));
	h->linked_slot_cnt = slot_cnt;
	return 0;
}

static bool set_precise(struct bh_reg *r, bool precise)
{
	bool changed = r->type == BH_SCALAR && r->precise != precise;

	if (r->type == BH_SCALAR)
		r->precise = precise;
	return changed;
}

static bool mark_all_precise(const struct bh_vstate *st, bool precise)
{
	bool changed = false;

	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (int r = 0; r < BH_MAX_REG; r++)
			changed |= set_precise(&f->regs[r], precise);
		for (uint32_t s = 0; s < f->allocated_stack / 8; s++)
			if (f->stack[s].slot_type[0] == BH_STACK_SPILL ||
			    f->stack[s].slot_type[7] == BH_STACK_SPILL)
				changed |= set_precise(&f->stack[s].spilled,
						       precise);
	}
	return changed;
}

static bool mark_ancestors_precise(struct bh_venv *v,
				   const struct bh_vstate *st)
{
	bool changed = false;

	if (bh_log_on(v, 2))
		bh_log(v,
		       "mark_precise: frame%u: falling back to forcing all "
		       "scalars precise",
		       st->curframe);
	/* a state forced precise by an earlier fallback has precise
	 * ancestors too (parents' precision only ever grows): stop there,
	 * or a long chain is walked again at every fallback */
	for (st = st->parent; st && !st->all_precise; st = st->parent) {
		changed |= mark_all_precise(st, true);
		((struct bh_vstate *)st)->all_precise = true;
	}
	return changed;
}

void bh_mark_all_scalars_precise(struct bh_venv *v, const struct bh_vstate *st)
{
	mark_ancestors_precise(v, st);
}

void bh_mark_all_scalars_imprecise(struct bh_vstate *st)
{
	mark_all_precise(st, false);
}

/* linked_regs: bit frame * 10 + reg, frames 0..5; linked_slots: frame
 * << 6 | spi.  If one copy needs precision, they all do. */
static void sync_linked(struct bt *bt, const struct bh_jmp_hist *h)
{
	bool any = false;

	if (!h || !(h->flags & BH_HIST_LINKED))
		return;
	for (int b = 0; b < 60; b++)
		if ((h->linked_regs >> b & 1) &&
		    (bt->regs[b / 10] >> (b % 10) & 1))
			any = true;
	for (int i = 0; i < h->linked_slot_cnt; i++)
		if (bt->stack[h->linked_slots[i] >> 6 & 7] >>
			    (h->linked_slots[i] & 63) &
		    1)
			any = true;
	if (!any)
		return;
	for (int b = 0; b < 60; b++)
		if (h->linked_regs >> b & 1)
			bt->regs[b / 10] |= 1u << (b % 10);
	for (int i = 0; i < h->linked_slot_cnt; i++)
		bt->stack[h->linked_slots[i] >> 6 & 7] |=
			1ull << (h->linked_slots[i] & 63);
}

static bool is_static_call(const struct bh_venv *v, uint32_t i)
{
	const struct bh_insn *in = &v->env->insns[i];
	int64_t t = (int64_t)i + in->imm + 1;

	return in->code == (BH_JMP | 0x80) && in->src_reg == BH_PSEUDO_CALL &&
	       t >= 0 && t < (int64_t)v->env->insn_cnt &&
	       !v->subprogs[v->aux[t].subprogno].global;
}

/* A call seen backwards: from the insn after it (a helper, kfunc or
 * global subprogram: r0 is its result), or from the entry of the callee
 * or callback it ran (back into the caller's frame, where a subprogram's
 * r1-r5 came from). */
static int backtrack_call(const struct bh_venv *v, uint32_t i, int64_t subseq,
			  struct bt *bt)
{
	const struct bh_insn *in = &v->env->insns[i];
	uint32_t f = bt->frame;

	if (subseq == (int64_t)i + 1) {
		if (is_static_call(v, i))
			return -ENOTSUPP; /* its body must lie between */
		bt->regs[f] &= ~1u;
		return (bt->regs[f] & 0x3e) ? -ENOTSUPP : 0;
	}
	if (f == 0 || (bt->regs[f] & ~0x3eu) || bt->stack[f])
		return -ENOTSUPP;
	if (in->src_reg == BH_PSEUDO_CALL) {
		if (!is_static_call(v, i))
			return -ENOTSUPP;
		bt->regs[f - 1] |= bt->regs[f];
	} else if (!(v->aux[i].flags & BH_AUXI_CALLBACK_CALL)) {
		return -ENOTSUPP;
	}
	/* a callback's r1-r5 come from the helper, not the caller */
	bt->regs[f] = 0;
	bt->frame = f - 1;
	return 0;
}

static int backtrack_insn(struct bh_venv *v, uint32_t i, int64_t subseq,
			  const struct bh_jmp_hist *h, struct bt *bt)
{
	const struct bh_insn *in = &v->env->insns[i];
	uint8_t cls = BH_CLASS(in->code), op = BH_OP(in->code);
	uint32_t f = bt->frame;
	uint32_t dreg = 1u << in->dst_reg, sreg = 1u << in->src_reg;
	bool x = in->code & 0x08;

	if (h && (h->flags & BH_HIST_LINKED_OVF) && !bt_empty(bt))
		return -ENOTSUPP;
	sync_linked(bt, h);
	switch (cls) {
	case BH_ALU:
	case BH_ALU64:
		if (!(bt->regs[f] & dreg))
			break;
		if (op == 0xb0) { /* MOV */
			bt->regs[f] &= ~dreg;
			if (x && in->src_reg != BH_FP)
				bt->regs[f] |= sreg;
		} else if (op != 0xd0 && op != 0x80 && x) { /* not END/NEG */
			bt->regs[f] |= sreg;
		}
		break;
	case BH_LDX:
		if (!(bt->regs[f] & dreg))
			break;
		bt->regs[f] &= ~dreg;
		/* not a register fill: a constant zero or an unknown value,
		 * which depends on nothing before */
		if (!h || !(h->flags & BH_HIST_STACK_REG))
			break;
		bt->stack[BH_HIST_FRAME(h->flags)] |= 1ull
						      << BH_HIST_SPI(h->flags);
		break;
	case BH_STX:
	case BH_ST:
		if (cls == BH_STX && BH_MODE(in->code) == BH_ATOMIC) {
			if ((bt->regs[f] & (sreg | dreg | 1u)) ||
			    bt_stack_any(bt))
				return -ENOTSUPP;
			break;
		}
		if (bt->regs[f] & dreg)
			return -ENOTSUPP;
		if (!h || !(h->flags & BH_HIST_STACK) ||
		    (h->flags & BH_HIST_STACK_VAR))
			break;
		{
			uint32_t fr = BH_HIST_FRAME(h->flags);
			uint64_t bit = 1ull << BH_HIST_SPI(h->flags);

			if (!(bt->stack[fr] & bit))
				break;
			if (!(h->flags & BH_HIST_STACK_REG))
				return -ENOTSUPP;
			bt->stack[fr] &= ~bit;
			if (cls == BH_STX)
				bt->regs[f] |= sreg;
		}
		break;
	case BH_JMP:
	case BH_JMP32:
		if (op == 0x80) /* call */
			return backtrack_call(v, i, subseq, bt);
		if (op == 0x90) { /* exit: going back into the callee */
			bool r0;

			/* a callback's r1-r5 were set by the helper calling
			 * it, not by the program */
			if (subseq >= 0 && subseq < (int64_t)v->env->insn_cnt &&
			    (v->aux[subseq].flags & BH_AUXI_CALLBACK_CALL))
				bt->regs[f] &= ~0x3eu;
			if ((bt->regs[f] & 0x3e) || f + 1 >= BH_MAX_FRAMES)
				return -ENOTSUPP;
			/* a subprogram's r0 is its caller's; a callback's
			 * return value is consumed by the helper */
			r0 = (bt->regs[f] & 1u) && subseq >= 1 &&
			     is_static_call(v, (uint32_t)subseq - 1);
			bt->regs[f] &= ~1u;
			bt->frame = ++f;
			bt->regs[f] = r0 ? 1u : 0;
			bt->stack[f] = 0;
			break;
		}
		if (op == 0x00 || op == 0xe0) /* ja, may_goto */
			break;
		if (x && ((bt->regs[f] & dreg) || (bt->regs[f] & sreg))) {
			if (in->src_reg != BH_FP)
				bt->regs[f] |= sreg;
			if (in->dst_reg != BH_FP)
				bt->regs[f] |= dreg;
		}
		break;
	case BH_LD:
		if (BH_MODE(in->code) == BH_IMM && BH_SIZE(in->code) == BH_DW) {
			bt->regs[f] &= ~dreg;
			break;
		}
		return -ENOTSUPP;
	default:
		break;
	}
	sync_linked(bt, h);
	return 0;
}

/* The insn executed before i in st's segment; -1 at its start. */
static int64_t prev_insn(const struct bh_vstate *st, uint32_t i, uint32_t *cnt)
{
	if (i == st->first_insn_idx) {
		if (*cnt == 0)
			return -1;
		if (*cnt == 1 && st->jmp_history[0].idx == i)
			return -1;
	}
	if (*cnt && st->jmp_history[*cnt - 1].idx == i) {
		(*cnt)--;
		return st->jmp_history[*cnt].prev_idx;
	}
	return (int64_t)i - 1;
}

static const struct bh_jmp_hist *hist_entry(const struct bh_vstate *st,
					    uint32_t cnt, uint32_t i)
{
	if (cnt && st->jmp_history[cnt - 1].idx == i)
		return &st->jmp_history[cnt - 1];
	return NULL;
}

static void fmt_regs(char *buf, size_t n, uint32_t m)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int r = 0; r < BH_MAX_REG && len < n; r++)
		if (m >> r & 1)
			len += (size_t)snprintf(buf + len, n - len, "%sr%d",
						len ? "," : "", r);
}

static void fmt_stack(char *buf, size_t n, uint64_t m)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int s = 0; s < 64 && len < n; s++)
		if (m >> s & 1)
			len += (size_t)snprintf(buf + len, n - len, "%s-%d",
						len ? "," : "", (s + 1) * 8);
}

/* Backtrack from start (whose own insn has not run yet) through its
 * checkpoints, marking what bt needs; *changed when a mark is new. */
static int mark_chain(struct bh_venv *v, const struct bh_vstate *start,
		      struct bt *bt, bool *changed)
{
	const struct bh_vstate *st = start;
	int64_t last_idx = st->insn_idx, first_idx = st->first_insn_idx;
	int64_t subseq = -1;
	bool skip_first = true;
	char rb[64], sb[300];
	/* a bound on the walk: past it, fall back to marking everything
	 * precise, which is always sound */
	uint64_t steps = 0, max_steps = 64 * (uint64_t)v->env->insn_cnt + 4096;
	int err;

	if (bt_empty(bt) || v->states_capped)
		return 0;
	for (;;) {
		uint32_t cnt = st->jmp_history_cnt;
		int64_t i = last_idx;

		if (bh_log_on(v, 2))
			bh_log(v,
			       "mark_precise: frame%u: last_idx %lld first_idx "
			       "%lld subseq_idx %lld ",
			       bt->frame, (long long)last_idx,
			       (long long)first_idx, (long long)subseq);
		for (;;) {
			if (i < 0 || i >= (int64_t)v->env->insn_cnt ||
			    ++steps > max_steps) {
				err = -ENOTSUPP;
				goto fallback;
			}
			if (skip_first) {
				skip_first = false;
			} else {
				err = backtrack_insn(
					v, (uint32_t)i, subseq,
					hist_entry(st, cnt, (uint32_t)i), bt);
				if (err == -ENOTSUPP)
					goto fallback;
				if (err)
					return err;
				if (bh_log_on(v, 2) && !bt_empty(bt)) {
					fmt_regs(rb, sizeof(rb),
						 bt->regs[bt->frame]);
					fmt_stack(sb, sizeof(sb),
						  bt->stack[bt->frame]);
					bh_log(v,
					       "mark_precise: frame%u: regs=%s "
					       "stack=%s before %lld",
					       bt->frame, rb, sb, (long long)i);
				}
			}
			if (bt_empty(bt))
				return 0;
			subseq = i;
			i = prev_insn(st, (uint32_t)i, &cnt);
			if (i < 0)
				break;
		}
		st = st->parent;
		if (!st)
			break;
		if (++steps > max_steps) {
			err = -ENOTSUPP;
			goto fallback;
		}
		for (uint32_t fr = 0; fr < BH_MAX_FRAMES; fr++) {
			struct bh_func_state *func;

			if (!bt->regs[fr] && !bt->stack[fr])
				continue;
			if (fr > st->curframe) {
				err = -ENOTSUPP;
				goto fallback;
			}
			func = st->frame[fr];
			for (int r = 0; r < BH_MAX_REG; r++) {
				struct bh_reg *reg = &func->regs[r];

				if (!(bt->regs[fr] >> r & 1))
					continue;
				if (reg->type != BH_SCALAR || reg->precise) {
					bt->regs[fr] &= ~(1u << r);
				} else {
					reg->precise = true;
					*changed = true;
				}
			}
			for (uint32_t s = 0; s < 64; s++) {
				struct bh_stack_slot *sl;

				if (!(bt->stack[fr] >> s & 1))
					continue;
				if (s >= func->allocated_stack / 8) {
					err = -ENOTSUPP;
					goto fallback;
				}
				sl = &func->stack[s];
				/* a spill of 1..8 bytes starts at byte 0 (the
				 * kernel's is_spilled_scalar_reg): a partial
				 * one is marked too, never dropped unmarked */
				if (sl->slot_type[0] != BH_STACK_SPILL ||
				    sl->spilled.type != BH_SCALAR ||
				    sl->spilled.precise) {
					bt->stack[fr] &= ~(1ull << s);
				} else {
					sl->spilled.precise = true;
					*changed = true;
				}
			}
			if (bh_log_on(v, 2)) {
				fmt_regs(rb, sizeof(rb), bt->regs[fr]);
				fmt_stack(sb, sizeof(sb), bt->stack[fr]);
				bh_log(v,
				       "mark_precise: frame%u: parent state "
				       "regs=%s stack=%s:",
				       fr, rb, sb);
			}
		}
		if (bt_empty(bt))
			return 0;
		subseq = first_idx;
		last_idx = st->last_insn_idx;
		first_idx = st->first_insn_idx;
	}
	if (bt_empty(bt))
		return 0;
fallback:
	if (mark_ancestors_precise(v, start))
		*changed = true;
	return 0;
}

int mark_chain_precision(struct bh_venv *v, uint32_t regno)
{
	struct bt bt = {.frame = v->cur->curframe};

	if (regno >= BH_MAX_REG || cur_regs(v)[regno].type != BH_SCALAR)
		return 0;
	bool changed = false;

	bt.regs[bt.frame] = 1u << regno;
	return mark_chain(v, v->cur, &bt, &changed);
}

int mark_stack_slot_precision(struct bh_venv *v, uint32_t frameno, uint32_t spi)
{
	struct bt bt = {.frame = v->cur->curframe};

	if (frameno >= BH_MAX_FRAMES || spi >= 64)
		return 0;
	bool changed = false;

	bt.stack[frameno] = 1ull << spi;
	return mark_chain(v, v->cur, &bt, &changed);
}

int bh_propagate_precision(struct bh_venv *v, const struct bh_vstate *old,
			   const struct bh_vstate *st, const uint64_t *live,
			   bool *changed)
{
	struct bt bt = {.frame = st->curframe};

	for (uint32_t fr = 0; fr <= old->curframe && fr < BH_MAX_FRAMES; fr++) {
		const struct bh_func_state *f = old->frame[fr];

		for (int r = 0; r < BH_MAX_REG; r++)
			if (f->regs[r].type == BH_SCALAR && f->regs[r].precise)
				bt.regs[fr] |= 1u << r;
		for (uint32_t s = 0; s < f->allocated_stack / 8 && s < 64; s++)
			if ((!live || (live[fr] >> s & 1)) &&
			    f->stack[s].slot_type[0] == BH_STACK_SPILL &&
			    f->stack[s].spilled.type == BH_SCALAR &&
			    f->stack[s].spilled.precise)
				bt.stack[fr] |= 1ull << s;
	}
	return mark_chain(v, st, &bt, changed);
}
