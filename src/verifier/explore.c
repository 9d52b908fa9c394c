// SPDX-License-Identifier: BSD-2-Clause
/*
 * do_check: depth-first simulation of every path.  The current state
 * steps one instruction at a time; an undecided branch queues a copy of
 * the state for the jump target (LIFO) and the fall-through goes on.  A
 * path ends at the main frame's exit or when pruned; then the most
 * recently queued state resumes.
 *
 * Invariant: every queued state holds a branch count in its parent
 * checkpoint, released exactly once when its path ends (exit, pruned, or
 * the whole verification stops); the queue never exceeds
 * BH_COMPLEXITY_LIMIT_JMP_SEQ and simulation never exceeds
 * BH_COMPLEXITY_LIMIT_INSNS instructions.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/vinternal.h"

struct pending {
	struct bh_vstate *st;
	uint32_t insn, prev;
	size_t log_pos;
};

/* Queue st (owned by the stack from here on) to be explored from
 * insn_idx; the kernel counts the new entry, then checks: 8193 is the
 * first sequence too long. */
static int push_state(struct bh_venv *v, struct bh_vstate *st,
		      uint32_t insn_idx, uint32_t prev_idx, const char *what)
{
	struct pending *stk = v->stack;

	if (v->stack_size >= BH_COMPLEXITY_LIMIT_JMP_SEQ) {
		bh_state_free(st);
		return bh_reject_err(
			v, -E2BIG, "The sequence of %u jumps is too complex%s.",
			v->stack_size + 1, what);
	}
	if (!(v->stack_size & (v->stack_size - 1)) || !stk) {
		uint32_t cap = v->stack_size ? v->stack_size * 2 : 16;

		stk = realloc(stk, cap * sizeof(*stk));
		if (!stk) {
			bh_state_free(st);
			return -ENOMEM;
		}
		v->stack = stk;
	}
	st->insn_idx = insn_idx;
	if (st->parent)
		st->parent->branches++;
	stk[v->stack_size].st = st;
	stk[v->stack_size].insn = insn_idx;
	stk[v->stack_size].prev = prev_idx;
	stk[v->stack_size].log_pos = v->log_len;
	v->stack_size++;
	return 0;
}

int bh_push_async(struct bh_venv *v, struct bh_vstate *st, uint32_t insn_idx,
		  uint32_t prev_idx)
{
	return push_state(v, st, insn_idx, prev_idx, " for async cb");
}

int bh_push_stack(struct bh_venv *v, uint32_t insn_idx, uint32_t prev_idx,
		  struct bh_vstate **out)
{
	struct bh_vstate *st;
	int err;

	if (v->stack_size >= BH_COMPLEXITY_LIMIT_JMP_SEQ)
		return bh_reject_err(v, -E2BIG,
				     "The sequence of %u jumps is too complex.",
				     v->stack_size + 1);
	st = bh_state_alloc();
	if (!st || bh_state_copy(st, v->cur)) {
		bh_state_free(st);
		return -ENOMEM;
	}
	err = push_state(v, st, insn_idx, prev_idx, "");
	if (err)
		return err;
	if (out)
		*out = st;
	return 0;
}

static struct bh_vstate *pop_stack(struct bh_venv *v, uint32_t *prev)
{
	struct pending *stk = v->stack;
	struct pending *p;

	if (!v->stack_size)
		return NULL;
	p = &stk[--v->stack_size];
	if (!bh_log_on(v, 2))
		bh_log_rewind(v, p->log_pos);
	*prev = p->prev;
	return p->st;
}

static void drop_pending(struct bh_venv *v)
{
	struct pending *stk = v->stack;

	for (uint32_t i = 0; i < v->stack_size; i++)
		bh_state_free(stk[i].st);
	free(stk);
	v->stack = NULL;
	v->stack_size = 0;
}

static void log_source_line(struct bh_venv *v, uint32_t idx)
{
	const struct bh_verify_env *env = v->env;

	if (!bh_log_on(v, 1))
		return;
	for (size_t i = 0; i < env->line_info_cnt; i++) {
		if (env->line_info[i].insn_off != idx)
			continue;
		if (v->last_linfo == &env->line_info[i])
			return;
		v->last_linfo = &env->line_info[i];
		bh_log_source(v, idx);
		return;
	}
}

static bool is_may_goto(const struct bh_insn *in)
{
	return in->code == (BH_JMP | 0xe0);
}

/* Simulate one instruction; *next is its successor on this path.
 * Returns 1 when the path ended (main exit), 0 to go on, <0 on error. */
static int do_check_insn(struct bh_venv *v, uint32_t idx, uint32_t *next)
{
	const struct bh_insn *in = &v->env->insns[idx];
	uint8_t cls = BH_CLASS(in->code), op = BH_OP(in->code);

	*next = idx + 1;
	switch (cls) {
	case BH_ALU:
	case BH_ALU64:
		return check_alu_op(v, in);
	case BH_LDX:
		return check_load(v, in);
	case BH_ST:
		return check_store(v, in);
	case BH_STX:
		if (BH_MODE(in->code) == BH_ATOMIC)
			return check_atomic(v, in);
		return check_store(v, in);
	case BH_LD:
		if (BH_MODE(in->code) == BH_IMM && BH_SIZE(in->code) == BH_DW) {
			*next = idx + 2;
			return check_ld_imm64(v, in);
		}
		return bh_reject(v, "BPF_LD_[ABS|IND] instructions not allowed "
				    "for this program type");
	default:
		break;
	}
	/* every jump-class insn (calls and exits too) counts toward the
	 * checkpoint heuristic, as in the kernel */
	v->jmps_since_prune++;
	switch (op) {
	case 0x80:
		return check_call(v, in, next);
	case 0x90:
		return check_exit(v, next);
	case 0x00:
		*next = cls == BH_JMP32 ? idx + (uint32_t)in->imm + 1
					: idx + (uint32_t)(int32_t)in->off + 1;
		return 0;
	default:
		if (is_may_goto(in))
			return process_may_goto(v, in, next);
		return check_cond_jmp_op(v, in, next);
	}
}

int bh_do_check(struct bh_venv *v, struct bh_vstate *start)
{
	uint32_t prev = 0, next, idx;
	bool print_state = false;
	int err = 0;

	v->cur = start;
	v->prev_insn_idx = UINT32_MAX;
	start->first_insn_idx = start->insn_idx;
	v->jmps_since_prune = 0;
	v->insns_since_prune = 0;
	v->last_linfo = NULL;
	if (bh_log_on(v, 1)) {
		char pfx[16];

		snprintf(pfx, sizeof(pfx), "%u:", start->insn_idx);
		bh_log_state_pfx(v, pfx, start, false);
	}
	for (;;) {
		idx = v->cur->insn_idx;
		if (++v->insn_processed > BH_COMPLEXITY_LIMIT_INSNS) {
			err = bh_reject_err(
				v, -E2BIG,
				"BPF program is too large. Processed %u insn",
				BH_COMPLEXITY_LIMIT_INSNS + 1);
			break;
		}
		v->insns_since_prune++;
		v->cur_hist_ent = 0;
		v->aux[idx].flags |= BH_AUX_SEEN;
		v->scratched_regs = 0;
		v->scratched_stack = 0;
		v->detail[0] = '\0';
		if (v->aux[idx].prune_point) {
			err = bh_is_state_visited(v, idx);
			if (err < 0)
				break;
			if (err == 1) {
				err = 0;
				if (bh_log_on(v, 1)) {
					if (print_state)
						bh_log(v, "from %u to %u: safe",
						       prev, idx);
					else
						bh_log(v, "%u: safe", idx);
				}
				goto path_done;
			}
		}
		/* at a jump point, or reached other than by falling
		 * through: backtracking needs to know where from */
		if (bh_hist_needed(v, idx)) {
			err = bh_push_jmp_history(v, v->cur, idx,
						  v->prev_insn_idx, 0);
			if (err < 0)
				break;
		}
		if (print_state && bh_log_on(v, 1)) {
			char hdr[48];

			snprintf(hdr, sizeof(hdr), "from %u to %u:", prev, idx);
			bh_log_state_pfx(v, hdr, v->cur, true);
		}
		print_state = false;
		log_source_line(v, idx);
		bh_log_insn(v, idx);
		v->stk_write_acc = 0;
		err = do_check_insn(v, idx, &next);
		if (err < 0)
			break;
		bh_stack_commit_writes(v, idx);
		if (err == 1) {
			err = 0;
			bh_log_scratched(v);
			goto path_done;
		}
		bh_log_scratched(v);
		v->cur->insn_idx = next;
		v->prev_insn_idx = idx;
		continue;
	path_done:
		err = bh_update_branch_counts(v, v->cur->parent);
		bh_state_free(v->cur);
		v->cur = NULL;
		if (err)
			break;
		v->cur = pop_stack(v, &prev);
		if (!v->cur)
			break;
		v->prev_insn_idx = prev;
		print_state = true;
		v->last_linfo = NULL;
	}
	if (v->cur) {
		/* stopped by an error: the marks do not matter any more */
		(void)bh_update_branch_counts(v, v->cur->parent);
		bh_state_free(v->cur);
		v->cur = NULL;
	}
	drop_pending(v);
	return err;
}
