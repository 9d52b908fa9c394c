// SPDX-License-Identifier: BSD-2-Clause
/*
 * Calls and exits: BPF-to-BPF calls (static ones inline with a new frame,
 * global ones checked against their BTF prototype), helper calls by
 * prototype (the helpers bpfhost implements), bpf_loop callbacks, the
 * reference table that kfunc calls (kfuncs.c) use, and exit (return
 * values, frame pops, reference leaks).
 *
 * Invariant: after any call R1-R5 of the calling frame are NOT_INIT and R0
 * describes every value the callee may return; a reference is in
 * state->refs exactly while some path may still have to release it, and
 * releasing it turns every copy into an unknown scalar.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "verifier/vinternal.h"

void clobber_caller_saved(struct bh_venv *v)
{
	struct bh_reg *regs = cur_regs(v);

	for (int r = 0; r <= 5; r++) {
		mark_reg_not_init(&regs[r]);
		mark_reg_scratched(v, (uint32_t)r);
	}
}

void reg_type_name(struct bh_venv *v, uint32_t regno, char *buf, size_t size)
{
	bh_reg_type_str(v, &cur_regs(v)[regno], buf, size);
}

/* ---- references ---- */

int acquire_reference(struct bh_venv *v, uint32_t *id)
{
	struct bh_vstate *st = v->cur;

	if (st->acquired_refs >= BH_MAX_REFS)
		return bh_reject(v, "too many acquired references (max %d)",
				 BH_MAX_REFS);
	*id = bh_new_id(v);
	st->refs[st->acquired_refs].id = *id;
	st->refs[st->acquired_refs].insn_idx = (int)st->insn_idx;
	st->refs[st->acquired_refs].type = BH_REF_PTR;
	st->acquired_refs++;
	return 0;
}

int release_reference(struct bh_venv *v, uint32_t ref_obj_id)
{
	struct bh_vstate *st = v->cur;
	bool found = false;

	for (uint32_t i = 0; i < st->acquired_refs; i++) {
		if (st->refs[i].id != ref_obj_id)
			continue;
		memmove(&st->refs[i], &st->refs[i + 1],
			(st->acquired_refs - i - 1) * sizeof(st->refs[0]));
		st->acquired_refs--;
		found = true;
		break;
	}
	if (!found)
		return bh_bug(v, "release of unacquired reference id=%u",
			      ref_obj_id);
	/* every copy of the released pointer becomes a plain number */
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (int r = 0; r < BH_MAX_REG; r++)
			if (f->regs[r].ref_obj_id == ref_obj_id)
				mark_reg_unknown(&f->regs[r]);
		for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++)
			if (f->stack[spi].slot_type[0] == BH_STACK_SPILL &&
			    f->stack[spi].spilled.ref_obj_id == ref_obj_id)
				mark_reg_unknown(&f->stack[spi].spilled);
	}
	bh_invalidate_dynptr_ref(v, ref_obj_id);
	return 0;
}

/* Pointer (and iterator) references only: an open irq section or a lock
 * held is reported by its own check, as the kernel orders them. */
int check_reference_leak(struct bh_venv *v)
{
	struct bh_vstate *st = v->cur;
	int first = -1;

	for (uint32_t i = 0; i < st->acquired_refs; i++) {
		if (st->refs[i].type & (BH_REF_IRQ | BH_REF_LOCK_MASK))
			continue;
		if (first < 0)
			first = (int)i;
		bh_log(v, "Unreleased reference id=%u alloc_insn=%d",
		       st->refs[i].id, st->refs[i].insn_idx);
	}
	if (first < 0)
		return 0;
	return bh_reject(v, "Unreleased reference id=%u alloc_insn=%d",
			 st->refs[first].id, st->refs[first].insn_idx);
}

/* ---- BPF-to-BPF ---- */

static int check_global_call_args(struct bh_venv *v, uint32_t s)
{
	const struct btf *b = v->env->prog_btf;
	const struct btf_type *fn =
		btf__type_by_id(b, v->subprogs[s].btf_func_id);
	const struct btf_type *proto = fn ? btf__type_by_id(b, fn->type) : NULL;
	const struct btf_param *p;
	int n;

	if (!proto || !btf_is_func_proto(proto))
		return bh_reject(v, "global function %s has no BTF prototype",
				 bh_subprog_name(v, s));
	n = btf_vlen(proto);
	p = btf_params(proto);
	for (int i = 0; i < n && i < 5; i++) {
		uint32_t regno = (uint32_t)i + 1;
		struct bh_reg *r = &cur_regs(v)[regno];
		uint32_t id = p[i].type;
		const struct btf_type *t = btf__type_by_id(b, id);
		uint64_t k;
		int err;

		while (t && (btf_is_mod(t) || btf_is_typedef(t)))
			t = btf__type_by_id(b, id = t->type);
		err = check_reg_read(v, regno);
		if (err)
			return err;
		if (t && !btf_is_ptr(t)) {
			if (r->type != BH_SCALAR)
				return bh_reject(v, "R%u is not a scalar",
						 regno);
			continue;
		}
		if (t && btf_is_ptr(t)) {
			long sz = btf__resolve_size(b, t->type);

			if (sz <= 0) {
				if (r->type != BH_PTR_TO_CTX || r->off ||
				    !bh_tnum_is_const(r->s.var_off) ||
				    r->s.var_off.value)
					return bh_reject(
						v,
						"arg#%d expects pointer to ctx",
						i);
				continue;
			}
			if (is_reg_const(r, &k) && !k)
				continue; /* NULL: the callee must check */
			/* the callee may write what it was given */
			err = check_helper_mem_access(v, regno, 0, (uint64_t)sz,
						      true, false);
			if (err) {
				bh_log(v,
				       "Caller passes invalid args into "
				       "func#%u ('%s')",
				       s, bh_subprog_name(v, s));
				return err;
			}
		}
	}
	return 0;
}

static int check_func_call(struct bh_venv *v, const struct bh_insn *in,
			   uint32_t *next)
{
	struct bh_vstate *st = v->cur;
	uint32_t idx = st->insn_idx;
	uint32_t target = idx + (uint32_t)in->imm + 1;
	uint32_t s = bh_subprog_of(v, target);
	struct bh_func_state *caller = cur_frame(v), *callee;
	int err;

	if (v->subprogs[s].global) {
		if (st->active_locks)
			return bh_reject(
				v,
				"global function calls are not allowed while "
				"holding a lock,\nuse static function instead");
		err = check_global_call_sleep(v, s);
		if (!err)
			err = check_global_call_args(v, s);
		if (!err && v->subprogs[s].might_throw)
			err = check_global_call_throw(v, s);
		if (err)
			return err;
		bh_log(v, "Func#%u ('%s') is global and assumed valid.", s,
		       bh_subprog_name(v, s));
		clobber_caller_saved(v);
		mark_reg_unknown(&cur_regs(v)[0]);
		return 0;
	}
	if (st->curframe + 1 >= BH_MAX_FRAMES)
		return bh_reject_err(v, -E2BIG,
				     "the call stack of %u frames is too deep",
				     st->curframe + 2);
	callee = bh_frame_alloc();
	if (!callee)
		return -ENOMEM;
	callee->callsite = (int)idx;
	callee->frameno = st->curframe + 1;
	callee->subprogno = s;
	for (int r = 0; r < BH_MAX_REG; r++)
		mark_reg_not_init(&callee->regs[r]);
	for (int r = 1; r <= 5; r++)
		callee->regs[r] = caller->regs[r];
	mark_reg_ptr(&callee->regs[BH_FP], BH_PTR_TO_STACK, 0);
	callee->regs[BH_FP].frameno = (uint8_t)callee->frameno;
	for (int r = 0; r <= 5; r++)
		mark_reg_not_init(&caller->regs[r]);
	st->frame[++st->curframe] = callee;
	if (bh_log_on(v, 1)) {
		bh_log(v, "caller:");
		bh_log_state_pfx(v, "", st, true);
	}
	*next = target;
	return 0;
}

/* ---- exit ---- */

/* find_prev_entry for a callback's return: the nearest checkpoint on this
 * path at the calling insn with the same call sites (the checkpoint of the
 * previous iteration). */
static const struct bh_vstate *
find_prev_callsite_entry(const struct bh_vstate *st, uint32_t callsite)
{
	for (const struct bh_vstate *p = st->parent; p; p = p->parent) {
		bool same =
			p->insn_idx == callsite && p->curframe == st->curframe;

		for (uint32_t fi = 0; same && fi <= st->curframe; fi++)
			same = p->frame[fi]->callsite ==
			       st->frame[fi]->callsite;
		if (same)
			return p;
	}
	return NULL;
}

static void scalar_range_str(const struct bh_reg *r, char *buf, size_t size)
{
	size_t len = 0;
	bool unknown = true;

	buf[0] = '\0';
	if (r->s.smin > INT64_MIN) {
		len += (size_t)snprintf(buf + len, size - len, "smin=%lld",
					(long long)r->s.smin);
		unknown = false;
	}
	if (r->s.smax < INT64_MAX && len < size) {
		len += (size_t)snprintf(buf + len, size - len, "%ssmax=%lld",
					len ? " " : "", (long long)r->s.smax);
		unknown = false;
	}
	if (unknown)
		snprintf(buf, size, "unknown scalar value");
}

/* check_return_code(): regno (R0 at an exit, R1 at a throw without an
 * exception callback) as the program's return value.  A subprogram's only
 * has to be a scalar; the main program's (and the exception callback's)
 * must be within the program type's range, if it has one. */
int check_return_code(struct bh_venv *v, uint32_t regno, bool is_subprog)
{
	const struct bh_verify_prog_type *pt = v->env->type;
	struct bh_reg *r = &cur_regs(v)[regno];
	char rs[96];
	int err;

	err = check_reg_read(v, regno);
	if (err)
		return err;
	if (is_subprog) {
		if (r->type != BH_SCALAR)
			return bh_reject(v,
					 "At subprogram exit the register R%u "
					 "is not a scalar value (%s)",
					 regno,
					 bh_reg_type_str(v, r, rs, sizeof(rs)));
		return 0;
	}
	if (!pt->ret_checked)
		return 0;
	if (r->type != BH_SCALAR)
		return bh_reject(v,
				 "At program exit the register R%u is not a "
				 "known value (%s)",
				 regno, bh_reg_type_str(v, r, rs, sizeof(rs)));
	err = mark_chain_precision(v, regno);
	if (err)
		return err;
	if (r->s.smin < pt->ret_min || r->s.smax > pt->ret_max) {
		scalar_range_str(r, rs, sizeof(rs));
		return bh_reject(v,
				 "At program exit the register R%u has %s "
				 "should have been in [%lld, %lld]",
				 regno, rs, (long long)pt->ret_min,
				 (long long)pt->ret_max);
	}
	return 0;
}

/* A callback's R0 (exit_ctx "At callback return", or "At async callback
 * return"): a scalar within the frame's callback range, precise. */
static int check_callback_return(struct bh_venv *v, struct bh_func_state *f,
				 const char *exit_ctx)
{
	struct bh_reg *r0 = &f->regs[0];
	char rs[96];
	int err;

	if (r0->type != BH_SCALAR)
		return bh_reject(
			v, "%s the register R0 is not a known value (%s)",
			exit_ctx, bh_reg_type_str(v, r0, rs, sizeof(rs)));
	/* the range check relies on R0's exact bounds */
	err = mark_chain_precision(v, 0);
	if (err)
		return err;
	if (r0->s.smin < f->callback_ret_min ||
	    r0->s.smax > f->callback_ret_max) {
		scalar_range_str(r0, rs, sizeof(rs));
		return bh_reject(v,
				 "%s the register R0 has %s should have been "
				 "in [%d, %d]",
				 exit_ctx, rs, f->callback_ret_min,
				 f->callback_ret_max);
	}
	return 0;
}

int check_exit(struct bh_venv *v, uint32_t *next)
{
	struct bh_vstate *st = v->cur;
	struct bh_func_state *f = cur_frame(v);
	struct bh_reg *r0;
	bool in_cb;
	int err;

	/* a static subprogram returns whatever R0 holds, even nothing (a
	 * void function): only its caller's use of R0 is checked */
	if (!st->curframe || f->in_callback_fn) {
		err = check_reg_read(v, 0);
		if (err)
			return err;
	}
	r0 = &f->regs[0];
	if (st->curframe) {
		struct bh_func_state *caller = st->frame[st->curframe - 1];

		if (f->in_callback_fn) {
			err = check_callback_return(v, f, "At callback return");
			if (err)
				return err;
			*next = (uint32_t)f->callsite;
		} else {
			if (r0->type == BH_PTR_TO_STACK &&
			    r0->frameno == st->curframe)
				return bh_reject(v, "cannot return stack "
						    "pointer to the caller");
			caller->regs[0] = *r0;
			*next = (uint32_t)f->callsite + 1;
		}
		if (bh_log_on(v, 2)) {
			bh_log(v, "returning from callee:");
			bh_log_state_pfx(v, "", st, true);
		}
		in_cb = f->in_callback_fn;
		bh_state_pop_frame(st);
		/* another iteration goes back to the calling insn: scalars
		 * that changed since the previous iteration and are not
		 * precise become unknown, so iterations converge there
		 * (the kernel's prepare_func_exit) */
		if (in_cb) {
			const struct bh_vstate *prev =
				find_prev_callsite_entry(st, *next);

			if (prev)
				widen_imprecise_scalars(prev, st);
		}
		if (bh_log_on(v, 2)) {
			char pfx[32];

			snprintf(pfx, sizeof(pfx), "to caller at %u:", *next);
			bh_log_state_pfx(v, pfx, st, true);
		}
		return 0;
	}
	/* check_resource_leak(): a held lock first */
	if (v->cur->active_locks)
		return bh_reject(v, "BPF_EXIT instruction in main prog cannot "
				    "be used inside bpf_spin_lock-ed region");
	if (f->in_async_callback_fn)
		err = check_callback_return(v, f, "At async callback return");
	else
		err = check_return_code(
			v, 0, v->in_global_subprog && !v->in_exception_cb);
	if (err)
		return err;
	err = check_reference_leak(v);
	if (!err)
		err = check_irq_section_exit(
			v, "BPF_EXIT instruction in main prog");
	if (!err)
		err = check_rcu_section_exit(
			v, "BPF_EXIT instruction in main prog");
	if (!err)
		err = check_preempt_section_exit(
			v, "BPF_EXIT instruction in main prog");
	return err ? err : 1;
}

/* ---- helpers ---- */

/* check_func_arg for ARG_CONST_SIZE(_OR_ZERO) */
int check_const_size(struct bh_venv *v, uint32_t regno, bool zero_ok,
		     uint64_t *size)
{
	struct bh_reg *r = &cur_regs(v)[regno];
	char ts[96];

	if (r->type != BH_SCALAR) {
		reg_type_name(v, regno, ts, sizeof(ts));
		return bh_reject_err(v, -EACCES, "R%u type=%s expected=scalar",
				     regno, ts);
	}
	if (r->s.smin < 0)
		return bh_reject_err(v, -EACCES,
				     "R%u min value is negative, either use "
				     "unsigned or 'var &= const'",
				     regno);
	if (r->s.umax >= BH_MAX_VAR_OFF)
		return bh_reject_err(v, -EACCES,
				     "R%u unbounded memory access, use 'var &= "
				     "const' or 'if (var < const)'",
				     regno);
	if (!r->s.umin && !zero_ok && !r->s.umax)
		return bh_reject_err(v, -EACCES, "invalid zero-sized read");
	*size = r->s.umax;
	/* the access checked depends on the size's bounds */
	return mark_chain_precision(v, regno);
}

int check_loop_callback(struct bh_venv *v)
{
	struct bh_reg *regs = cur_regs(v);
	struct bh_func_state *callee;
	uint32_t s;
	int err;

	if (regs[2].type != BH_PTR_TO_FUNC) {
		char ts[96];

		reg_type_name(v, 2, ts, sizeof(ts));
		return bh_reject_err(v, -EACCES, "R2 type=%s expected=func",
				     ts);
	}
	s = regs[2].subprogno;
	if (v->subprogs[s].global)
		return bh_reject(v,
				 "global function %s as a bpf_loop callback is "
				 "not supported",
				 bh_subprog_name(v, s));
	/* as the kernel: no more callback iterations than nr_loops (R1,
	 * precise by now) can make; each callback exit comes back here with
	 * the count of iterations so far */
	if (cur_frame(v)->callback_depth >= regs[1].s.umax) {
		cur_frame(v)->callback_depth = 0;
		if (bh_log_on(v, 2))
			bh_log(v, "frame%u bpf_loop iteration limit reached",
			       v->cur->curframe);
		return 0;
	}
	/* this path goes on as if the callback ran zero times */
	err = bh_push_callback(v, s, &callee);
	if (err)
		return err;
	callee->callback_ret_min = 0;
	callee->callback_ret_max = 1;
	mark_reg_unknown(&callee->regs[1]);
	callee->regs[2] = cur_regs(v)[3];
	return 0;
}

int bh_push_callback(struct bh_venv *v, uint32_t s, struct bh_func_state **out)
{
	struct bh_vstate *cb;
	struct bh_func_state *callee, *caller;
	int err;

	if (v->cur->curframe + 1 >= BH_MAX_FRAMES)
		return bh_reject_err(v, -E2BIG,
				     "the call stack of %u frames is too deep",
				     v->cur->curframe + 2);
	/* the callback runs in a queued copy, whose exit comes back to the
	 * calling insn */
	err = bh_push_stack(v, v->subprogs[s].start, v->cur->insn_idx, &cb);
	if (err)
		return err;
	callee = bh_frame_alloc();
	if (!callee)
		return -ENOMEM;
	caller = cb->frame[cb->curframe];
	caller->callback_depth++;
	callee->callsite = (int)v->cur->insn_idx;
	callee->frameno = cb->curframe + 1;
	callee->subprogno = s;
	callee->in_callback_fn = true;
	for (int r = 0; r < BH_MAX_REG; r++)
		mark_reg_not_init(&callee->regs[r]);
	mark_reg_ptr(&callee->regs[BH_FP], BH_PTR_TO_STACK, 0);
	callee->regs[BH_FP].frameno = (uint8_t)callee->frameno;
	cb->frame[++cb->curframe] = callee;
	cur_frame(v)->callback_depth = 0;
	*out = callee;
	return 0;
}

int check_call(struct bh_venv *v, const struct bh_insn *in, uint32_t *next)
{
	/* inside a bpf_spin_lock-ed region only the unlock may be called
	 * (and static subprograms) */
	if (v->cur->active_locks && ((in->src_reg == 0 && in->imm != 94) ||
				     (in->src_reg == BH_PSEUDO_KFUNC_CALL &&
				      !bh_kfunc_spin_allowed(v, in))))
		return bh_reject(
			v,
			"function calls are not allowed while holding a lock");
	if (in->src_reg == BH_PSEUDO_CALL)
		return check_func_call(v, in, next);
	if (in->src_reg == BH_PSEUDO_KFUNC_CALL) {
		/* constant scalar arguments (__k, __sz, known sizes) are
		 * checked by value: keep them precise (a superset of the
		 * kernel's marks, which is always sound) */
		for (uint32_t r = 1; r <= 5; r++) {
			uint64_t k;
			int err;

			if (cur_regs(v)[r].type != BH_SCALAR ||
			    !is_reg_const(&cur_regs(v)[r], &k))
				continue;
			err = mark_chain_precision(v, r);
			if (err)
				return err;
		}
		if (is_bpf_throw_insn(v, in)) {
			int err = check_throw_cookie(v);

			if (!err)
				err = check_kfunc_call(v, in);
			return err ? err : process_throw(v);
		}
		return check_kfunc_call(v, in);
	}
	return check_helper_call(v, in);
}

void bh_mark_subprogs_calling(struct bh_venv *v,
			      bool (*is_seed)(const struct bh_venv *,
					      const struct bh_insn *),
			      size_t prop_off)
{
	const struct bh_insn *insns = v->env->insns;
	bool changed = true;

#define PROP(s) (*(bool *)((char *)&v->subprogs[s] + prop_off))
	for (size_t i = 0; i < v->env->insn_cnt; i++)
		if (is_seed(v, &insns[i]))
			PROP(bh_subprog_of(v, (uint32_t)i)) = true;
	/* a caller of a subprogram that has it has it too */
	while (changed) {
		changed = false;
		for (size_t i = 0; i < v->env->insn_cnt; i++) {
			const struct bh_insn *in = &insns[i];
			uint32_t caller, callee;

			if (in->code != (BH_JMP | 0x80) ||
			    in->src_reg != BH_PSEUDO_CALL)
				continue;
			caller = bh_subprog_of(v, (uint32_t)i);
			callee = bh_subprog_of(
				v, (uint32_t)i + (uint32_t)in->imm + 1);
			if (PROP(callee) && !PROP(caller)) {
				PROP(caller) = true;
				changed = true;
			}
		}
	}
#undef PROP
}
