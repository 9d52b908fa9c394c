// SPDX-License-Identifier: BSD-2-Clause
/*
 * Register liveness (compute_live_registers): a backward dataflow over
 * each subprogram's control flow giving, per instruction, the registers
 * whose value may still be read before being written.  State comparison
 * looks only at these registers.
 *
 * Invariant: live_regs_before over-approximates the registers any path
 * from the instruction reads before writing them (calls read their
 * argument registers, exit reads R0, unknown forms read everything).
 */
#include <stdlib.h>

#include "verifier/vinternal.h"

#define ALL_REGS 0x7ffu
#define ARG_REGS 0x3eu	   /* R1-R5 */
#define CALLER_SAVED 0x3fu /* R0-R5 */

static uint32_t arg_mask(int n)
{
	return ((1u << (n + 1)) - 1) & ~1u;
}

static void use_def(const struct bh_venv *v, const struct bh_insn *in,
		    uint32_t *use, uint32_t *def)
{
	uint8_t cls = BH_CLASS(in->code), op = BH_OP(in->code);
	uint32_t d = 1u << in->dst_reg, s = 1u << in->src_reg;

	*use = 0;
	*def = 0;
	switch (cls) {
	case BH_ALU:
	case BH_ALU64:
		*def = d;
		if (op == 0xb0) /* mov */
			*use = BH_SRC(in->code) ? s : 0;
		else
			*use = d | (BH_SRC(in->code) && op != 0x80 && op != 0xd0
					    ? s
					    : 0);
		return;
	case BH_LDX:
		*use = s;
		*def = d;
		return;
	case BH_ST:
		*use = d;
		return;
	case BH_STX:
		*use = d | s;
		if (BH_MODE(in->code) == BH_ATOMIC) {
			if (in->imm == 0xf1) { /* cmpxchg */
				*use |= 1u;
				*def = 1u;
			} else if (in->imm & 0x01) { /* fetch, xchg */
				*def = s;
			}
			if (in->imm == 0x100) /* load-acquire */
				*def = d, *use = s;
		}
		return;
	case BH_LD:
		if (BH_MODE(in->code) == BH_IMM)
			*def = d;
		else
			*use = ALL_REGS, *def = CALLER_SAVED;
		return;
	default:
		break;
	}
	/* jumps */
	switch (op) {
	case 0x00: /* ja */
	case 0xe0: /* may_goto */
		return;
	case 0x90: /* exit */
		*use = 1u;
		return;
	case 0x80: /* call */
		*def = CALLER_SAVED;
		if (in->src_reg == BH_PSEUDO_CALL)
			*use = ARG_REGS;
		else if (in->src_reg == BH_PSEUDO_KFUNC_CALL) {
			const struct bh_kfunc *k = bh_insn_kfunc(v, in);

			*use = k ? arg_mask(k->nargs) : ARG_REGS;
		} else {
			*use = arg_mask(bh_helper_nargs(in->imm));
		}
		return;
	default:
		*use = d | (BH_SRC(in->code) ? s : 0);
		return;
	}
}

static int succs(const struct bh_insn *insns, uint32_t i, uint32_t end,
		 uint32_t out[2])
{
	const struct bh_insn *in = &insns[i];
	uint8_t cls = BH_CLASS(in->code), op = BH_OP(in->code);
	int n = 0;

	if (cls == BH_LD && BH_MODE(in->code) == BH_IMM &&
	    BH_SIZE(in->code) == BH_DW) {
		if (i + 2 < end)
			out[n++] = i + 2;
		return n;
	}
	if (cls != BH_JMP && cls != BH_JMP32) {
		if (i + 1 < end)
			out[n++] = i + 1;
		return n;
	}
	if (op == 0x90)
		return 0;
	if (op == 0x80) {
		if (i + 1 < end)
			out[n++] = i + 1;
		return n;
	}
	if (op == 0x00) {
		out[n++] = cls == BH_JMP32 ? i + (uint32_t)in->imm + 1
					   : i + (uint32_t)(int32_t)in->off + 1;
		return n;
	}
	if (i + 1 < end)
		out[n++] = i + 1;
	out[n++] = i + (uint32_t)(int32_t)in->off + 1;
	return n;
}

int bh_compute_live_regs(struct bh_venv *v)
{
	const struct bh_insn *insns = v->env->insns;
	bool changed = true;

	while (changed) {
		changed = false;
		for (uint32_t s = 0; s < v->subprog_cnt; s++) {
			const struct bh_subprog *sp = &v->subprogs[s];

			for (uint32_t i = sp->end; i-- > sp->start;) {
				uint32_t use, def, after = 0, before, out[2];
				int n;

				if (i > sp->start &&
				    BH_CLASS(insns[i - 1].code) == BH_LD &&
				    insns[i - 1].code ==
					    (BH_LD | BH_DW | BH_IMM))
					continue; /* second ld_imm64 slot */
				n = succs(insns, i, sp->end, out);
				for (int k = 0; k < n; k++)
					if (out[k] < v->env->insn_cnt)
						after |=
							v->aux[out[k]]
								.live_regs_before;
				use_def(v, &insns[i], &use, &def);
				before = (use | (after & ~def)) & ALL_REGS;
				if (before != v->aux[i].live_regs_before) {
					v->aux[i].live_regs_before = before;
					changed = true;
				}
			}
		}
	}
	return 0;
}

/*
 * Stack-slot liveness (the kernel's liveness.c, VERIFIER-CORE §7.3).
 *
 * Which stack slots a program reads depends on where its pointers
 * point, so the marks are gathered while exploring: every stack read
 * records the slots it may touch (variable offsets: the whole range the
 * offset allows; helper and kfunc memory arguments: the range checked),
 * every whole, fixed-offset 8-byte store into the insn's own frame
 * records a write, joined over the visits of the insn (reads: union,
 * writes: intersection).  A read of a caller's frame (a pointer passed
 * down) counts as a read by the call insn in that caller, so it stays
 * live across the whole call.  A backward fixpoint over each
 * subprogram's control flow gives the slots that may be read at or
 * after each insn; the frame dies at exit.
 *
 * Invariant: a checkpoint all of whose paths have been explored (and no
 * path of which was cut against a loop iteration still in progress)
 * had every read of its continuation recorded, so a slot that is not
 * live there is never read again before being overwritten whole.  Marks
 * only grow (reads) or shrink (writes) once an insn has been seen, and
 * the fixpoint is recomputed before states are compared.  Whatever the
 * marks cannot account for turns the whole analysis off (stk_live_off).
 */

static uint64_t slot_mask(int64_t lo, int64_t hi)
{
	uint32_t first, last;

	if (lo >= hi || hi > 0 || lo < -BH_MAX_STACK)
		return ~0ull;		/* not a stack range: everything */
	first = (uint32_t)(-hi) / 8;	/* slot of byte hi - 1 */
	last = (uint32_t)(-lo - 1) / 8; /* slot of byte lo */
	if (last - first >= 63)
		return ~0ull;
	return ((2ull << (last - first)) - 1) << first;
}

void bh_stack_mark_read(struct bh_venv *v, uint32_t frameno, int64_t lo,
			int64_t hi)
{
	const struct bh_vstate *st = v->cur;
	uint64_t mask = slot_mask(lo, hi);
	int64_t at;
	struct bh_insn_aux *a;

	if (!st || frameno > st->curframe) {
		v->stk_live_off = true;
		return;
	}
	/* a caller's frame: read during the call that left it */
	at = frameno == st->curframe ? (int64_t)st->insn_idx
				     : st->frame[frameno + 1]->callsite;
	if (at < 0 || at >= (int64_t)v->env->insn_cnt) {
		v->stk_live_off = true;
		return;
	}
	a = &v->aux[at];
	if ((a->stk_may_read | mask) == a->stk_may_read)
		return;
	a->stk_may_read |= mask;
	if ((a->stk_live_before | mask) != a->stk_live_before)
		v->stk_live_dirty = true;
}

void bh_stack_mark_write(struct bh_venv *v, uint32_t frameno, int64_t lo,
			 int size)
{
	/* only whole slots of the insn's own frame: a caller's slots are
	 * left to count as live, which is conservative */
	if (!v->cur || frameno != v->cur->curframe || size != 8 || lo % 8 ||
	    lo < -BH_MAX_STACK || lo >= 0)
		return;
	v->stk_write_acc |= 1ull << ((uint32_t)(-lo - 1) / 8);
}

void bh_stack_commit_writes(struct bh_venv *v, uint32_t idx)
{
	struct bh_insn_aux *a = &v->aux[idx];
	uint64_t m = v->stk_write_acc;

	v->stk_write_acc = 0;
	if (a->stk_must_write_set)
		m &= a->stk_must_write;
	if (m != a->stk_must_write)
		v->stk_live_dirty = true;
	a->stk_must_write = m;
	a->stk_must_write_set = true;
}

/* One pass over every subprogram, last insn first; true if some live
 * set changed. */
static bool stack_live_pass(struct bh_venv *v)
{
	const struct bh_insn *insns = v->env->insns;
	bool changed = false;

	for (uint32_t s = 0; s < v->subprog_cnt; s++) {
		const struct bh_subprog *sp = &v->subprogs[s];

		for (uint32_t i = sp->end; i-- > sp->start;) {
			struct bh_insn_aux *a = &v->aux[i];
			uint64_t after = 0, before;
			uint32_t out[2];
			int n;

			if (i > sp->start &&
			    insns[i - 1].code == (BH_LD | BH_DW | BH_IMM))
				continue; /* second ld_imm64 slot */
			n = succs(insns, i, sp->end, out);
			for (int k = 0; k < n; k++)
				after |= v->aux[out[k]].stk_live_before;
			before = a->stk_may_read | (after & ~a->stk_must_write);
			if (before != a->stk_live_before) {
				a->stk_live_before = before;
				changed = true;
			}
		}
	}
	return changed;
}

/*
 * Any solution of live_before = may_read | (live_after & ~must_write)
 * is a sound answer; restarting from the last one usually takes a pass
 * or two.  Writes first seen may shrink sets, so the walk is not
 * monotone: if it has not settled after a while, start again from
 * empty sets, from where it only grows and must settle.
 */
void bh_stack_live_update(struct bh_venv *v)
{
	uint32_t passes = 0;

	if (!v->stk_live_dirty)
		return;
	v->stk_live_dirty = false;
	while (stack_live_pass(v)) {
		if (++passes == 64) {
			for (size_t i = 0; i < v->env->insn_cnt; i++)
				v->aux[i].stk_live_before = 0;
			while (stack_live_pass(v))
				;
			break;
		}
	}
}

uint64_t bh_stack_live_mask(const struct bh_venv *v, const struct bh_vstate *st,
			    uint32_t frameno)
{
	int64_t at;

	if (v->stk_live_off || frameno > st->curframe)
		return ~0ull;
	/* a caller's slots: live across the call that is under way (what
	 * the callees read of them counts there), or after it */
	at = frameno == st->curframe ? (int64_t)st->insn_idx
				     : st->frame[frameno + 1]->callsite;
	if (at < 0 || at >= (int64_t)v->env->insn_cnt)
		return ~0ull;
	return v->aux[at].stk_live_before;
}
