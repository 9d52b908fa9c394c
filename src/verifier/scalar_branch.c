// SPDX-License-Identifier: BSD-2-Clause
/*
 * Branches on scalars: whether a comparison is decided by the operands'
 * bounds (is_scalar_branch_taken) and how each side narrows them
 * (regs_refine_cond_op), as in the Linux 6.18 verifier.
 *
 * Invariant: refinement keeps every pair of values for which the
 * condition holds; a decided branch is decided for every such pair.
 */
#include "verifier/scalar.h"
#include "verifier/scalar_internal.h"

/* ---- branches ---------------------------------------------------------- */

enum bh_jmp_op bh_jmp_rev(enum bh_jmp_op op)
{
	switch (op) {
	case BH_JEQ:
		return BH_JNE;
	case BH_JNE:
		return BH_JEQ;
	case BH_JSET:
		return BH_JNSET;
	case BH_JNSET:
		return BH_JSET;
	case BH_JGT:
		return BH_JLE;
	case BH_JLE:
		return BH_JGT;
	case BH_JGE:
		return BH_JLT;
	case BH_JLT:
		return BH_JGE;
	case BH_JSGT:
		return BH_JSLE;
	case BH_JSLE:
		return BH_JSGT;
	case BH_JSGE:
		return BH_JSLT;
	case BH_JSLT:
		return BH_JSGE;
	}
	return op;
}

enum bh_jmp_op bh_jmp_flip(enum bh_jmp_op op)
{
	switch (op) {
	case BH_JGT:
		return BH_JLT;
	case BH_JLT:
		return BH_JGT;
	case BH_JGE:
		return BH_JLE;
	case BH_JLE:
		return BH_JGE;
	case BH_JSGT:
		return BH_JSLT;
	case BH_JSLT:
		return BH_JSGT;
	case BH_JSGE:
		return BH_JSLE;
	case BH_JSLE:
		return BH_JSGE;
	default:
		return op; /* JEQ, JNE, JSET, JNSET are symmetric */
	}
}

/* One width's view of a register for comparisons. */
struct view {
	struct bh_tnum t;
	uint64_t umin, umax;
	int64_t smin, smax;
};

static struct view view_of(const struct bh_scalar *s, bool is32)
{
	struct view v;

	if (is32) {
		v.t = bh_tnum_subreg(s->var_off);
		v.umin = s->u32_min;
		v.umax = s->u32_max;
		v.smin = s->s32_min;
		v.smax = s->s32_max;
	} else {
		v.t = s->var_off;
		v.umin = s->umin;
		v.umax = s->umax;
		v.smin = s->smin;
		v.smax = s->smax;
	}
	return v;
}

/* Do the possible values of a and b certainly differ? (JEQ never taken) */
static bool is_never_equal(const struct bh_scalar *a, const struct view *x,
			   const struct bh_scalar *b, const struct view *y,
			   bool is32)
{
	if (!bh_tnum_overlap(x->t, y->t))
		return true;
	if (x->umin > y->umax || x->umax < y->umin)
		return true;
	if (x->smin > y->smax || x->smax < y->smin)
		return true;
	/* A 64-bit compare can also use disjoint subregister ranges. */
	if (!is32 && (a->u32_min > b->u32_max || a->u32_max < b->u32_min ||
		      a->s32_min > b->s32_max || a->s32_max < b->s32_min))
		return true;
	return false;
}

int bh_scalar_branch_taken(const struct bh_scalar *a, const struct bh_scalar *b,
			   enum bh_jmp_op op, bool is_jmp32)
{
	struct view x = view_of(a, is_jmp32), y = view_of(b, is_jmp32), tmp;
	int tmp_r;

	switch (op) {
	case BH_JEQ:
		if (bh_tnum_is_const(x.t) && bh_tnum_is_const(y.t))
			return x.t.value == y.t.value;
		if (is_never_equal(a, &x, b, &y, is_jmp32))
			return 0;
		break;
	case BH_JNE:
		if (bh_tnum_is_const(x.t) && bh_tnum_is_const(y.t))
			return x.t.value != y.t.value;
		if (is_never_equal(a, &x, b, &y, is_jmp32))
			return 1;
		break;
	case BH_JSET:
		if (!bh_tnum_is_const(y.t)) {
			tmp = x;
			x = y;
			y = tmp;
		}
		if (!bh_tnum_is_const(y.t))
			return -1;
		if (x.t.value & y.t.value)
			return 1;
		if (!((x.t.value | x.t.mask) & y.t.value))
			return 0;
		break;
	case BH_JGT:
		if (x.umin > y.umax)
			return 1;
		if (x.umax <= y.umin)
			return 0;
		break;
	case BH_JSGT:
		if (x.smin > y.smax)
			return 1;
		if (x.smax <= y.smin)
			return 0;
		break;
	case BH_JLT:
		if (x.umax < y.umin)
			return 1;
		if (x.umin >= y.umax)
			return 0;
		break;
	case BH_JSLT:
		if (x.smax < y.smin)
			return 1;
		if (x.smin >= y.smax)
			return 0;
		break;
	case BH_JGE:
		if (x.umin >= y.umax)
			return 1;
		if (x.umax < y.umin)
			return 0;
		break;
	case BH_JSGE:
		if (x.smin >= y.smax)
			return 1;
		if (x.smax < y.smin)
			return 0;
		break;
	case BH_JLE:
		if (x.umax <= y.umin)
			return 1;
		if (x.umin > y.umax)
			return 0;
		break;
	case BH_JSLE:
		if (x.smax <= y.smin)
			return 1;
		if (x.smin > y.smax)
			return 0;
		break;
	case BH_JNSET:
		/* Not a kernel opcode; offered as the negation of JSET. */
		tmp_r = bh_scalar_branch_taken(a, b, BH_JSET, is_jmp32);
		return tmp_r < 0 ? tmp_r : !tmp_r;
	}
	return -1;
}

static bool is_const_at(const struct bh_scalar *s, bool is32)
{
	return is32 ? bh_tnum_subreg_is_const(s->var_off)
		    : bh_tnum_is_const(s->var_off);
}

static uint64_t const_at(const struct bh_scalar *s, bool is32)
{
	return is32 ? (uint32_t)s->var_off.value : s->var_off.value;
}

/* The kernel's refinement proper, before the sync of both registers. */
static void refine(struct bh_scalar *r1, struct bh_scalar *r2,
		   enum bh_jmp_op op, bool is32)
{
	struct bh_scalar *tmp;
	struct bh_tnum t;
	uint64_t val;

	/* Greater-than forms are the less-than forms with operands swapped. */
	switch (op) {
	case BH_JGE:
	case BH_JGT:
	case BH_JSGE:
	case BH_JSGT:
		op = bh_jmp_flip(op);
		tmp = r1;
		r1 = r2;
		r2 = tmp;
		break;
	default:
		break;
	}

	switch (op) {
	case BH_JEQ:
		if (is32) {
			r1->u32_min = umax32(r1->u32_min, r2->u32_min);
			r1->u32_max = umin32(r1->u32_max, r2->u32_max);
			r1->s32_min = smax32(r1->s32_min, r2->s32_min);
			r1->s32_max = smin32(r1->s32_max, r2->s32_max);
			r2->u32_min = r1->u32_min;
			r2->u32_max = r1->u32_max;
			r2->s32_min = r1->s32_min;
			r2->s32_max = r1->s32_max;
			t = bh_tnum_intersect(bh_tnum_subreg(r1->var_off),
					      bh_tnum_subreg(r2->var_off));
			r1->var_off = bh_tnum_with_subreg(r1->var_off, t);
			r2->var_off = bh_tnum_with_subreg(r2->var_off, t);
		} else {
			r1->umin = umax64(r1->umin, r2->umin);
			r1->umax = umin64(r1->umax, r2->umax);
			r1->smin = smax64(r1->smin, r2->smin);
			r1->smax = smin64(r1->smax, r2->smax);
			r2->umin = r1->umin;
			r2->umax = r1->umax;
			r2->smin = r1->smin;
			r2->smax = r1->smax;
			r1->var_off =
				bh_tnum_intersect(r1->var_off, r2->var_off);
			r2->var_off = r1->var_off;
		}
		break;
	case BH_JNE:
		/* Only a constant at an end of the other range removes
		 * anything an interval can express. */
		if (!is_const_at(r2, is32)) {
			tmp = r1;
			r1 = r2;
			r2 = tmp;
		}
		if (!is_const_at(r2, is32))
			break;
		val = const_at(r2, is32);
		if (is32) {
			if (r1->u32_min == (uint32_t)val)
				r1->u32_min++;
			if (r1->u32_max == (uint32_t)val)
				r1->u32_max--;
			if (r1->s32_min == (int32_t)(uint32_t)val)
				r1->s32_min =
					(int32_t)((uint32_t)r1->s32_min + 1);
			if (r1->s32_max == (int32_t)(uint32_t)val)
				r1->s32_max =
					(int32_t)((uint32_t)r1->s32_max - 1);
		} else {
			if (r1->umin == val)
				r1->umin++;
			if (r1->umax == val)
				r1->umax--;
			if (r1->smin == (int64_t)val)
				r1->smin = (int64_t)((uint64_t)r1->smin + 1);
			if (r1->smax == (int64_t)val)
				r1->smax = (int64_t)((uint64_t)r1->smax - 1);
		}
		break;
	case BH_JSET:
		if (!is_const_at(r2, is32)) {
			tmp = r1;
			r1 = r2;
			r2 = tmp;
		}
		if (!is_const_at(r2, is32))
			break;
		val = const_at(r2, is32);
		/* "x & c != 0" pins a bit only when c has exactly one. */
		if (!val || (val & (val - 1)))
			break;
		if (is32) {
			t = bh_tnum_or(bh_tnum_subreg(r1->var_off),
				       bh_tnum_const(val));
			r1->var_off = bh_tnum_with_subreg(r1->var_off, t);
		} else {
			r1->var_off =
				bh_tnum_or(r1->var_off, bh_tnum_const(val));
		}
		break;
	case BH_JNSET:
		if (!is_const_at(r2, is32)) {
			tmp = r1;
			r1 = r2;
			r2 = tmp;
		}
		if (!is_const_at(r2, is32))
			break;
		val = const_at(r2, is32);
		/* Drop the ranges first: on a dead branch the narrowed tnum
		 * could contradict them. */
		bh_scalar_mark_unbounded(r1);
		if (is32) {
			t = bh_tnum_and(bh_tnum_subreg(r1->var_off),
					bh_tnum_const(~val));
			r1->var_off = bh_tnum_with_subreg(r1->var_off, t);
		} else {
			r1->var_off =
				bh_tnum_and(r1->var_off, bh_tnum_const(~val));
		}
		break;
	case BH_JLE:
		if (is32) {
			r1->u32_max = umin32(r1->u32_max, r2->u32_max);
			r2->u32_min = umax32(r1->u32_min, r2->u32_min);
		} else {
			r1->umax = umin64(r1->umax, r2->umax);
			r2->umin = umax64(r1->umin, r2->umin);
		}
		break;
	case BH_JLT:
		/* The -1/+1 wrap only on a dead branch, which the caller
		 * has already ruled out through branch_taken. */
		if (is32) {
			r1->u32_max = umin32(r1->u32_max, r2->u32_max - 1);
			r2->u32_min = umax32(r1->u32_min + 1, r2->u32_min);
		} else {
			r1->umax = umin64(r1->umax, r2->umax - 1);
			r2->umin = umax64(r1->umin + 1, r2->umin);
		}
		break;
	case BH_JSLE:
		if (is32) {
			r1->s32_max = smin32(r1->s32_max, r2->s32_max);
			r2->s32_min = smax32(r1->s32_min, r2->s32_min);
		} else {
			r1->smax = smin64(r1->smax, r2->smax);
			r2->smin = smax64(r1->smin, r2->smin);
		}
		break;
	case BH_JSLT:
		if (is32) {
			r1->s32_max =
				smin32(r1->s32_max,
				       (int32_t)((uint32_t)r2->s32_max - 1));
			r2->s32_min =
				smax32((int32_t)((uint32_t)r1->s32_min + 1),
				       r2->s32_min);
		} else {
			r1->smax = smin64(r1->smax,
					  (int64_t)((uint64_t)r2->smax - 1));
			r2->smin = smax64((int64_t)((uint64_t)r1->smin + 1),
					  r2->smin);
		}
		break;
	default:
		break;
	}
}

void bh_scalar_refine_cond(struct bh_scalar *a, struct bh_scalar *b,
			   enum bh_jmp_op op, bool is_jmp32)
{
	refine(a, b, op, is_jmp32);
	bh_scalar_sync(a);
	bh_scalar_sync(b);
}
