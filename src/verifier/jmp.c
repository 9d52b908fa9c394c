// SPDX-License-Identifier: BSD-2-Clause
/*
 * Conditional jumps (check_cond_jmp_op): deciding branches with scalar.c
 * (and pointer-vs-0 for non-null pointers), queuing the jump target,
 * refining both sides, syncing linked scalars, propagating null checks by
 * id; and may_goto (§6.6).
 *
 * Invariant: after a branch each successor's state describes exactly the
 * machine states that take it (refinement only removes values that fail
 * the test), and every register or spilled slot sharing an id with a
 * tested register is refined the same way.
 */
#include <string.h>

#include "verifier/vinternal.h"

static void for_each_reg(struct bh_vstate *st,
			 void (*fn)(struct bh_reg *r, void *ctx), void *ctx)
{
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (int r = 0; r < BH_MAX_REG; r++)
			fn(&f->regs[r], ctx);
		for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++)
			if (f->stack[spi].slot_type[0] == BH_STACK_SPILL)
				fn(&f->stack[spi].spilled, ctx);
	}
}

struct null_ctx {
	struct bh_venv *v;
	uint32_t id;
	bool is_null;
};

static void mark_null_one(struct bh_reg *r, void *p)
{
	struct null_ctx *c = p;

	if (!is_pointer(r) || !(r->flags & BH_PTR_MAYBE_NULL) || r->id != c->id)
		return;
	if (c->is_null) {
		mark_reg_known(r, 0);
		return;
	}
	r->flags &= ~BH_PTR_MAYBE_NULL;
	/* a pointer to a value with a lock keeps its id: it names the
	 * lock it may take */
	if (!c->v || !bh_reg_has_spin_lock(c->v, r))
		r->id = 0;
}

void mark_ptr_or_null_regs(struct bh_venv *v, struct bh_vstate *st, uint32_t id,
			   bool is_null)
{
	struct null_ctx c = {.v = v, .id = id, .is_null = is_null};

	for_each_reg(st, mark_null_one, &c);
	if (!is_null)
		return;
	/* a NULL result holds no reference */
	for (uint32_t i = 0; i < st->acquired_refs; i++) {
		if (st->refs[i].id != id)
			continue;
		memmove(&st->refs[i], &st->refs[i + 1],
			(st->acquired_refs - i - 1) * sizeof(st->refs[0]));
		st->acquired_refs--;
		break;
	}
}

struct link_ctx {
	const struct bh_reg *known;
};

static void sync_one(struct bh_reg *r, void *p)
{
	const struct bh_reg *k = ((struct link_ctx *)p)->known;
	uint32_t id = r->id, base = k->id & ~BH_ID_ADD_CONST;
	int32_t roff = (id & BH_ID_ADD_CONST) ? r->off : 0;
	int32_t koff = (k->id & BH_ID_ADD_CONST) ? k->off : 0;
	struct bh_scalar delta;

	if (r == k || r->type != BH_SCALAR || !id ||
	    (id & ~BH_ID_ADD_CONST) != base)
		return;
	r->s = k->s;
	if (roff != koff) {
		delta = bh_scalar_const((uint64_t)((int64_t)roff - koff));
		bh_scalar_alu(&r->s, &delta, BH_ALU_ADD, true);
	}
}

static void sync_linked_regs(struct bh_vstate *st, const struct bh_reg *known)
{
	struct link_ctx c;
	struct bh_reg copy;

	if (known->type != BH_SCALAR || !known->id)
		return;
	copy = *known;
	c.known = &copy;
	for_each_reg(st, sync_one, &c);
}

static int is_branch_taken(const struct bh_reg *a, const struct bh_reg *b,
			   uint8_t op, bool is32)
{
	uint64_t k;

	if (a->type == BH_SCALAR && b->type == BH_SCALAR)
		return bh_scalar_branch_taken(&a->s, &b->s, (enum bh_jmp_op)op,
					      is32);
	if (is_pointer(b) && a->type == BH_SCALAR) {
		const struct bh_reg *t = a;

		a = b;
		b = t;
	}
	if (!is_pointer(a) || b->type != BH_SCALAR || !is_reg_const(b, &k) ||
	    (is32 ? (uint32_t)k : k) != 0 || (a->flags & BH_PTR_MAYBE_NULL))
		return -1;
	if (op == 0x10)
		return 0;
	if (op == 0x50)
		return 1;
	return -1;
}

/* Apply "dst op src" to state st (both scalars refined, links synced,
 * null checks propagated). */
static void refine(struct bh_venv *v, struct bh_vstate *st,
		   const struct bh_insn *in, uint8_t op, bool is32)
{
	struct bh_reg *regs = st->frame[st->curframe]->regs;
	struct bh_reg *dst = &regs[in->dst_reg];
	struct bh_reg fake, *src;
	uint64_t k;

	if (BH_SRC(in->code)) {
		src = &regs[in->src_reg];
	} else {
		mark_reg_known(&fake, (uint64_t)(int64_t)in->imm);
		src = &fake;
	}
	if (dst->type == BH_SCALAR && src->type == BH_SCALAR) {
		bh_scalar_refine_cond(&dst->s, &src->s, (enum bh_jmp_op)op,
				      is32);
		sync_linked_regs(st, dst);
		if (src != &fake)
			sync_linked_regs(st, src);
		return;
	}
	if (is32 || (op != 0x10 && op != 0x50))
		return;
	/* ptr ==/!= 0 on a maybe-null pointer */
	if (is_pointer(src) && dst->type == BH_SCALAR) {
		struct bh_reg *t = dst;

		dst = src;
		src = t;
	}
	if (is_pointer(dst) && (dst->flags & BH_PTR_MAYBE_NULL) &&
	    is_reg_const(src, &k) && !k && dst->id)
		mark_ptr_or_null_regs(v, st, dst->id, op == 0x10);
}

struct linked_set {
	uint64_t regs;			     /* bit frame * 10 + reg */
	uint16_t slots[BH_LINKED_SLOTS_MAX]; /* frame << 6 | spi */
	uint8_t slot_cnt;
	bool ovf;
};

static void add_linked_slot(struct linked_set *ls, uint16_t e)
{
	for (int i = 0; i < ls->slot_cnt; i++)
		if (ls->slots[i] == e)
			return;
	if (ls->slot_cnt < BH_LINKED_SLOTS_MAX && (e >> 6) < 8)
		ls->slots[ls->slot_cnt++] = e;
	else
		ls->ovf = true;
}

/* collect_linked_regs: every register and spilled slot sharing the
 * scalar id of r; copies we cannot record (deep frames, too many spills)
 * set ovf, which makes backtracking through this jump fall back. */
static int collect_linked(struct bh_venv *v, const struct bh_reg *r,
			  struct linked_set *ls)
{
	const struct bh_vstate *st = v->cur;
	uint32_t base = r->id & ~BH_ID_ADD_CONST;
	int n = 0;

	if (r->type != BH_SCALAR || !base)
		return 0;
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		const struct bh_func_state *f = st->frame[fi];

		for (int i = 0; i < BH_MAX_REG; i++) {
			if (f->regs[i].type != BH_SCALAR ||
			    (f->regs[i].id & ~BH_ID_ADD_CONST) != base)
				continue;
			n++;
			if (fi < 6)
				ls->regs |= 1ull << (fi * 10 + (uint32_t)i);
			else
				ls->ovf = true;
		}
		for (uint32_t s = 0; s < f->allocated_stack / 8 && s < 64;
		     s++) {
			if (f->stack[s].slot_type[0] != BH_STACK_SPILL ||
			    f->stack[s].spilled.type != BH_SCALAR ||
			    (f->stack[s].spilled.id & ~BH_ID_ADD_CONST) != base)
				continue;
			n++;
			add_linked_slot(ls, (uint16_t)(fi << 6 | s));
		}
	}
	return n;
}

static int record_linked(struct bh_venv *v, const struct bh_insn *in)
{
	struct linked_set ls = {0};
	int n = collect_linked(v, &cur_regs(v)[in->dst_reg], &ls);

	if (BH_SRC(in->code))
		n += collect_linked(v, &cur_regs(v)[in->src_reg], &ls);
	if (n <= 1)
		return 0;
	return bh_hist_set_linked(v, v->cur->insn_idx, ls.regs, ls.slots,
				  ls.slot_cnt, ls.ovf);
}

int check_cond_jmp_op(struct bh_venv *v, const struct bh_insn *in,
		      uint32_t *next)
{
	bool is32 = BH_CLASS(in->code) == BH_JMP32;
	uint8_t op = BH_OP(in->code);
	uint32_t idx = v->cur->insn_idx;
	uint32_t target = idx + (uint32_t)(int32_t)in->off + 1;
	struct bh_reg *regs = cur_regs(v);
	struct bh_reg fake, *src;
	struct bh_vstate *other;
	int err, pred;

	if (op == 0xe0)
		return bh_reject(v, "invalid may_goto imm %d", in->imm);
	err = check_reg_read(v, in->dst_reg);
	if (!err && BH_SRC(in->code))
		err = check_reg_read(v, in->src_reg);
	if (err)
		return err;
	if (BH_SRC(in->code)) {
		src = &regs[in->src_reg];
	} else {
		mark_reg_known(&fake, (uint64_t)(int64_t)in->imm);
		src = &fake;
	}
	err = record_linked(v, in);
	if (err)
		return err;
	pred = is_branch_taken(&regs[in->dst_reg], src, op, is32);
	if (pred >= 0) {
		/* the decision depends on the operands' exact values */
		if (regs[in->dst_reg].type == BH_SCALAR)
			err = mark_chain_precision(v, in->dst_reg);
		if (!err && BH_SRC(in->code) &&
		    regs[in->src_reg].type == BH_SCALAR)
			err = mark_chain_precision(v, in->src_reg);
		if (err)
			return err;
	}
	if (pred == 1) {
		*next = target;
		return 0;
	}
	if (pred == 0) {
		*next = idx + 1;
		return 0;
	}
	err = bh_push_stack(v, target, idx, &other);
	if (err)
		return err;
	refine(v, other, in, op, is32);
	refine(v, v->cur, in, (uint8_t)bh_jmp_rev((enum bh_jmp_op)op), is32);
	*next = idx + 1;
	return 0;
}

int process_may_goto(struct bh_venv *v, const struct bh_insn *in,
		     uint32_t *next)
{
	uint32_t idx = v->cur->insn_idx;
	struct bh_vstate *queued, *p;
	int err;

	if (in->src_reg || in->dst_reg || in->imm)
		return bh_reject(v, "invalid may_goto imm %d", in->imm);
	err = bh_push_stack(v, idx + 1, idx, &queued);
	if (err)
		return err;
	queued->may_goto_depth++;
	/* the previous visit of this insn on this path */
	p = v->cur->parent;
	if (p && p->insn_idx == idx)
		p = p->parent; /* this visit's own checkpoint */
	for (; p; p = p->parent)
		if (p->insn_idx == idx && p->branches) {
			/* as the kernel: only scalars no decision depended
			 * on (imprecise) are widened */
			widen_imprecise_scalars(p, queued);
			break;
		}
	*next = idx + (uint32_t)(int32_t)in->off + 1;
	return 0;
}
