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
