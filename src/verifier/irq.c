// SPDX-License-Identifier: BSD-2-Clause
/*
 * Sections where the program may not sleep, besides RCU read sections
 * (KFUNC-SEMANTICS §5.1 step 8, §7.1, §7.3, §7.5):
 *
 *  - IRQ-disabled sections: bpf_local_irq_save(&flags) turns the 8-byte
 *    stack slot of flags into a STACK_IRQ_FLAG slot holding a fresh irq
 *    reference (REF_TYPE_IRQ: not a leakable pointer, but an open
 *    section); bpf_local_irq_restore(&flags) must name the innermost one
 *    (LIFO, state->active_irq_id) and frees the slot.  A write over the
 *    slot makes it unrestorable; the section then stays open and the exit
 *    is refused.  bpf_res_spin_lock_irqsave/_unlock_irqrestore save and
 *    restore flags the same way, and a flag saved by one family cannot be
 *    restored by the other (the slot records which, bh_irq_class).
 *  - preemption-disabled sections: a nesting counter.
 *
 * Neither may reach the main program's exit open, nor cover a sleepable
 * kfunc, nor a call of a global function that may sleep (one that calls,
 * directly or through static subprograms, a KF_SLEEPABLE kfunc; computed
 * once before exploration, as the kernel's check_cfg does).
 *
 * Invariant: active_irq_id is the id of the last irq reference in the
 * state's reference table (0 when there is none), and every irq reference
 * is held by exactly one STACK_IRQ_FLAG slot unless that slot was
 * overwritten.
 */
#include <stddef.h>
#include <string.h>

#include "kfunc/kfunc.h"
#include "verifier/vinternal.h"

/* ---- global functions that may sleep ---- */

static bool calls_sleepable(const struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_kfunc *k = bh_insn_kfunc(v, in);

	return k && (k->flags & KF_SLEEPABLE);
}

int mark_subprogs_might_sleep(struct bh_venv *v)
{
	bh_mark_subprogs_calling(v, calls_sleepable,
				 offsetof(struct bh_subprog, might_sleep));
	return 0;
}

int check_global_call_sleep(struct bh_venv *v, uint32_t subprogno)
{
	const struct bh_vstate *st = v->cur;

	if (!v->subprogs[subprogno].might_sleep)
		return 0;
	if (st->active_rcu_lock || st->active_preempt_locks ||
	    st->active_irq_id || !st->in_sleepable)
		return bh_reject(
			v,
			"global functions that may sleep are not allowed in "
			"non-sleepable context,\n"
			"i.e., in a RCU/IRQ/preempt-disabled section, or in\n"
			"a non-sleepable BPF program context");
	return 0;
}

/* ---- irq references ---- */

static int acquire_irq_state(struct bh_venv *v, uint32_t *id)
{
	struct bh_vstate *st = v->cur;

	if (st->acquired_refs >= BH_MAX_REFS)
		return bh_reject(v, "too many acquired references (max %d)",
				 BH_MAX_REFS);
	*id = bh_new_id(v);
	st->refs[st->acquired_refs].id = *id;
	st->refs[st->acquired_refs].insn_idx = (int)st->insn_idx;
	st->refs[st->acquired_refs].type = BH_REF_IRQ;
	st->acquired_refs++;
	st->active_irq_id = *id;
	return 0;
}

/* Only the innermost section may end; the one before it (in the order
 * of the reference table, which removals keep) becomes innermost. */
static int release_irq_state(struct bh_vstate *st, uint32_t id)
{
	uint32_t prev_id = 0;

	if (id != st->active_irq_id)
		return -EACCES;
	for (uint32_t i = 0; i < st->acquired_refs; i++) {
		if (st->refs[i].type != BH_REF_IRQ)
			continue;
		if (st->refs[i].id != id) {
			prev_id = st->refs[i].id;
			continue;
		}
		memmove(&st->refs[i], &st->refs[i + 1],
			(st->acquired_refs - i - 1) * sizeof(st->refs[0]));
		st->acquired_refs--;
		st->active_irq_id = prev_id;
		return 0;
	}
	return -EINVAL;
}

static bool is_irq_flag_reg_valid_uninit(struct bh_venv *v,
					 const struct bh_reg *reg)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int spi = irq_flag_get_spi(v, reg);

	/* not allocated yet: the write below allocates it */
	if (spi == -ERANGE)
		return true;
	if (spi < 0)
		return false;
	for (int i = 0; i < 8; i++)
		if (f->stack[spi].slot_type[i] == BH_STACK_IRQ_FLAG)
			return false;
	return true;
}

static bool is_irq_flag_reg_valid_init(struct bh_venv *v,
				       const struct bh_reg *reg)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int spi = irq_flag_get_spi(v, reg);

	if (spi < 0 || !f->stack[spi].spilled.ref_obj_id)
		return false;
	for (int i = 0; i < 8; i++)
		if (f->stack[spi].slot_type[i] != BH_STACK_IRQ_FLAG)
			return false;
	return true;
}

static int irq_save(struct bh_venv *v, uint32_t regno, int argno,
		    uint8_t irq_class)
{
	struct bh_reg *reg = &cur_regs(v)[regno];
	struct bh_func_state *f;
	struct bh_stack_slot *s;
	uint32_t id = 0;
	int spi, err;

	if (!is_irq_flag_reg_valid_uninit(v, reg))
		return bh_reject(v, "expected uninitialized irq flag as arg#%d",
				 argno);
	err = check_mem_access(v, regno, 0, 8, true, -1, false);
	if (err)
		return err;
	spi = irq_flag_get_spi(v, reg);
	if (spi < 0)
		return bh_bug(v, "irq flag slot not allocated");
	err = acquire_irq_state(v, &id);
	if (err)
		return err;
	f = v->cur->frame[reg->frameno];
	s = &f->stack[spi];
	mark_reg_ptr(&s->spilled, BH_PTR_TO_STACK, 0);
	s->spilled.ref_obj_id = id;
	s->irq_class = irq_class;
	memset(s->slot_type, BH_STACK_IRQ_FLAG, sizeof(s->slot_type));
	mark_stack_scratched(v, (uint32_t)spi);
	return 0;
}

static const char *irq_class_str(uint8_t irq_class)
{
	return irq_class == BH_IRQ_NATIVE ? "native" : "lock";
}

static int irq_restore(struct bh_venv *v, uint32_t regno, int argno,
		       uint8_t irq_class)
{
	struct bh_reg *reg = &cur_regs(v)[regno];
	struct bh_vstate *st = v->cur;
	struct bh_stack_slot *s;
	int spi, err;

	if (!is_irq_flag_reg_valid_init(v, reg))
		return bh_reject(
			v, "expected an initialized irq flag as arg#%d", argno);
	spi = irq_flag_get_spi(v, reg);
	s = &st->frame[reg->frameno]->stack[spi];
	if (s->irq_class != irq_class)
		return bh_reject(v,
				 "irq flag acquired by %s kfuncs cannot be "
				 "restored with %s kfuncs",
				 irq_class_str(s->irq_class),
				 irq_class_str(irq_class));
	err = release_irq_state(st, s->spilled.ref_obj_id);
	if (err == -EACCES) {
		int insn_idx = 0;

		for (uint32_t i = 0; i < st->acquired_refs; i++)
			if (st->refs[i].id == st->active_irq_id) {
				insn_idx = st->refs[i].insn_idx;
				break;
			}
		return bh_reject_err(v, -EACCES,
				     "cannot restore irq state out of order, "
				     "expected id=%u acquired at insn_idx=%d",
				     st->active_irq_id, insn_idx);
	}
	if (err)
		return bh_bug(v, "irq flag id=%u has no irq reference",
			      s->spilled.ref_obj_id);
	mark_reg_not_init(&s->spilled);
	s->irq_class = 0;
	memset(s->slot_type, BH_STACK_INVALID, sizeof(s->slot_type));
	mark_stack_scratched(v, (uint32_t)spi);
	return 0;
}

int process_irq_flag_arg(struct bh_venv *v, const struct bh_kfunc *k, int argno)
{
	uint32_t regno = (uint32_t)argno + 1;

	if (cur_regs(v)[regno].type != BH_PTR_TO_STACK)
		return bh_reject(v,
				 "arg#%d doesn't point to an irq flag on stack",
				 argno);
	if (!strcmp(k->name, "bpf_local_irq_save"))
		return irq_save(v, regno, argno, BH_IRQ_NATIVE);
	if (!strcmp(k->name, "bpf_res_spin_lock_irqsave"))
		return irq_save(v, regno, argno, BH_IRQ_LOCK);
	if (!strcmp(k->name, "bpf_local_irq_restore"))
		return irq_restore(v, regno, argno, BH_IRQ_NATIVE);
	if (!strcmp(k->name, "bpf_res_spin_unlock_irqrestore"))
		return irq_restore(v, regno, argno, BH_IRQ_LOCK);
	/* which of save or restore a host kfunc is cannot be told */
	return bh_reject(v,
			 "kfunc %s arg#%d ('%s'): __irq_flag is understood "
			 "only for bpf_local_irq_save/restore and the "
			 "bpf_res_spin_lock irq kfuncs",
			 k->name, argno, k->args[argno].name);
}

/* ---- the call's sections ---- */

int process_preempt_irq(struct bh_venv *v, const struct bh_kfunc *k,
			bool sleepable)
{
	struct bh_vstate *st = v->cur;
	bool disable = !strcmp(k->name, "bpf_preempt_disable");
	bool enable = !strcmp(k->name, "bpf_preempt_enable");

	if (st->active_preempt_locks) {
		if (disable) {
			st->active_preempt_locks++;
		} else if (enable) {
			st->active_preempt_locks--;
		} else if (sleepable) {
			return bh_reject_err(v, -EACCES,
					     "kernel func %s is sleepable "
					     "within non-preemptible region",
					     k->name);
		}
	} else if (disable) {
		st->active_preempt_locks++;
	} else if (enable) {
		return bh_reject(v,
				 "unmatched attempt to enable preemption "
				 "(kernel function %s)",
				 k->name);
	}
	if (st->active_irq_id && sleepable)
		return bh_reject_err(v, -EACCES,
				     "kernel func %s is sleepable within "
				     "IRQ-disabled region",
				     k->name);
	return 0;
}

int check_irq_section_exit(struct bh_venv *v, const char *prefix)
{
	if (v->cur->active_irq_id)
		return bh_reject(
			v,
			"%s cannot be used inside bpf_local_irq_save-ed region",
			prefix);
	return 0;
}

int check_preempt_section_exit(struct bh_venv *v, const char *prefix)
{
	if (v->cur->active_preempt_locks)
		return bh_reject(v,
				 "%s cannot be used inside "
				 "bpf_preempt_disable-ed region",
				 prefix);
	return 0;
}
