// SPDX-License-Identifier: BSD-2-Clause
/*
 * bh_verify(): setting up one verification, finding subprograms
 * (BPF_PSEUDO_CALL and BPF_PSEUDO_FUNC targets, func_info linkage), the
 * control-flow checks (check_subprogs, check_cfg), the per-insn prune and
 * jump points, then simulating the main program and each global
 * subprogram (explore.c) and checking the combined stack depth.
 *
 * Invariant: simulation starts only on a program whose every instruction
 * is well formed, reachable, inside its subprogram's jumps, and whose
 * subprograms each end in exit or an unconditional jump, so explore.c may
 * step from any instruction to its successors without bounds checks.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/btf.h>

#include "verifier/vinternal.h"

static bool is_pseudo_call(const struct bh_insn *in)
{
	return in->code == (BH_JMP | 0x80) && in->src_reg == BH_PSEUDO_CALL;
}

static bool is_ldimm64(const struct bh_insn *in)
{
	return in->code == (BH_LD | BH_DW | BH_IMM);
}

static bool is_pseudo_func(const struct bh_insn *in)
{
	return is_ldimm64(in) && in->src_reg == BH_PSEUDO_FUNC;
}

uint32_t bh_subprog_of(const struct bh_venv *v, uint32_t insn_idx)
{
	return insn_idx < v->env->insn_cnt ? v->aux[insn_idx].subprogno : 0;
}

const char *bh_subprog_name(const struct bh_venv *v, uint32_t subprogno)
{
	const struct btf *b = v->env->prog_btf;
	const struct btf_type *t;

	if (subprogno >= v->subprog_cnt)
		return "";
	if (!b || !v->subprogs[subprogno].btf_func_id)
		return subprogno ? ""
				 : (v->env->prog_name ? v->env->prog_name : "");
	t = btf__type_by_id(b, v->subprogs[subprogno].btf_func_id);
	return t ? btf__name_by_offset(b, t->name_off) : "";
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int add_subprog(struct bh_venv *v, uint32_t **starts, uint32_t *cnt,
		       uint32_t *cap, long off)
{
	if (off < 0 || (size_t)off >= v->env->insn_cnt)
		return bh_reject(v, "call to invalid destination");
	for (uint32_t i = 0; i < *cnt; i++)
		if ((*starts)[i] == off)
			return 0;
	if (*cnt == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 8;
		uint32_t *n = realloc(*starts, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		*starts = n;
		*cap = ncap;
	}
	(*starts)[(*cnt)++] = (uint32_t)off;
	return 0;
}

/* add_subprog_and_kfunc + func_info linkage */
static int find_subprogs(struct bh_venv *v)
{
	const struct bh_verify_env *env = v->env;
	uint32_t *starts = NULL, cnt = 0, cap = 0;
	long exc_cb = 0;
	int err;

	err = add_subprog(v, &starts, &cnt, &cap, 0);
	for (size_t i = 0; !err && i < env->insn_cnt; i++) {
		const struct bh_insn *in = &env->insns[i];

		if (is_pseudo_call(in) || is_pseudo_func(in))
			err = add_subprog(v, &starts, &cnt, &cap,
					  (long)i + in->imm + 1);
	}
	/* the exception callback: nothing calls it */
	if (!err)
		err = find_exception_cb(v, &exc_cb);
	if (!err && exc_cb)
		err = add_subprog(v, &starts, &cnt, &cap, exc_cb);
	if (err) {
		free(starts);
		return err;
	}
	qsort(starts, cnt, sizeof(*starts), cmp_u32);
	if (cnt > 64) {
		free(starts);
		return bh_reject_err(v, -E2BIG, "too many subprograms");
	}
	v->subprogs = calloc(cnt, sizeof(*v->subprogs));
	if (!v->subprogs) {
		free(starts);
		return -ENOMEM;
	}
	v->subprog_cnt = cnt;
	for (uint32_t s = 0; s < cnt; s++) {
		v->subprogs[s].start = starts[s];
		v->subprogs[s].end =
			s + 1 < cnt ? starts[s + 1] : (uint32_t)env->insn_cnt;
		for (uint32_t i = v->subprogs[s].start; i < v->subprogs[s].end;
		     i++)
			v->aux[i].subprogno = s;
	}
	free(starts);
	for (size_t i = 0; i < env->insn_cnt; i++)
		if (is_pseudo_func(&env->insns[i]))
			v
				->subprogs[bh_subprog_of(
					v, (uint32_t)((long)i +
						      env->insns[i].imm + 1))]
				.is_cb = true;
	if (exc_cb) {
		v->exception_cb = bh_subprog_of(v, (uint32_t)exc_cb);
		v->subprogs[v->exception_cb].is_cb = true;
	}
	if (env->func_info_cnt && env->func_info_cnt != cnt)
		return bh_reject(v, "number of funcs in func_info doesn't "
				    "match number of subprogs");
	for (size_t i = 0; i < env->func_info_cnt; i++) {
		const struct bh_func_info *fi = &env->func_info[i];
		const struct btf_type *t;

		if (fi->insn_off != v->subprogs[i].start)
			return bh_reject(v,
					 "func_info BTF section doesn't match "
					 "subprog layout in BPF program");
		v->subprogs[i].btf_func_id = fi->type_id;
		t = env->prog_btf ? btf__type_by_id(env->prog_btf, fi->type_id)
				  : NULL;
		if (!t || !btf_is_func(t))
			return bh_reject(v, "invalid type id %u in func info",
					 fi->type_id);
		v->subprogs[i].global =
			i && BTF_INFO_VLEN(t->info) == BTF_FUNC_GLOBAL;
	}
	return 0;
}

static bool is_jmp_class(uint8_t code)
{
	return BH_CLASS(code) == BH_JMP || BH_CLASS(code) == BH_JMP32;
}

/* Jump target of a (conditional or unconditional) jump, or -1. */
static long jmp_target(const struct bh_insn *in, size_t i)
{
	uint8_t op = BH_OP(in->code);

	if (!is_jmp_class(in->code) || op == 0x80 || op == 0x90)
		return -1; /* call, exit */
	if (BH_CLASS(in->code) == BH_JMP32 && op == 0x00)
		return (long)i + in->imm + 1; /* gotol */
	return (long)i + in->off + 1;
}

static int check_subprogs(struct bh_venv *v)
{
	const struct bh_insn *insns = v->env->insns;

	for (uint32_t s = 0; s < v->subprog_cnt; s++) {
		const struct bh_subprog *sp = &v->subprogs[s];
		uint32_t last = sp->end - 1;
		uint8_t code;

		for (uint32_t i = sp->start; i < sp->end; i++) {
			long t = jmp_target(&insns[i], i);

			if (is_ldimm64(&insns[i]))
				i++;
			if (t < 0 && !is_jmp_class(insns[i].code))
				continue;
			if (t >= 0 && (t < sp->start || t >= sp->end)) {
				v->cur = NULL;
				return bh_reject(
					v,
					"jump out of range from insn %u to %ld",
					i, t);
			}
		}
		/* the second slot of an ld_imm64 ending a subprog */
		if (last > sp->start && is_ldimm64(&insns[last - 1]))
			return bh_reject(v, "last insn is not an exit or jmp");
		code = insns[last].code;
		if (code != (BH_JMP | 0x90) && code != (BH_JMP | 0x00) &&
		    code != (BH_JMP32 | 0x00) &&
		    !is_bpf_throw_insn(v, &insns[last]))
			return bh_reject(v, "last insn is not an exit or jmp");
	}
	return 0;
}

static bool is_callback_helper(const struct bh_insn *in)
{
	return in->code == (BH_JMP | 0x80) && in->src_reg == 0 &&
	       in->imm == 181; /* bpf_loop */
}

/* check_cfg: reachability (DFS from every entry that is not a plain
 * static callee: main, and subprogs reached by calls or func refs), plus
 * prune/jump points. */
static int check_cfg(struct bh_venv *v)
{
	const struct bh_insn *insns = v->env->insns;
	size_t cnt = v->env->insn_cnt;
	uint32_t *stack = malloc(cnt * 2 * sizeof(*stack) + 8);
	uint8_t *seen = calloc(cnt, 1);
	uint32_t sp = 0;
	int err = 0;

	if (!stack || !seen) {
		free(stack);
		free(seen);
		return -ENOMEM;
	}
#define PUSH(t)                            \
	do {                               \
		if (!seen[t]) {            \
			seen[t] = 1;       \
			stack[sp++] = (t); \
		}                          \
	} while (0)
	PUSH(0);
	/* the exception callback is entered by a throw, not a call */
	if (v->exception_cb)
		PUSH(v->subprogs[v->exception_cb].start);
	while (sp) {
		uint32_t i = stack[--sp];
		const struct bh_insn *in = &insns[i];
		uint8_t op = BH_OP(in->code);
		long t;

		if (is_ldimm64(in)) {
			if (is_pseudo_func(in)) {
				uint32_t f = i + (uint32_t)in->imm + 1;

				v->aux[i].prune_point = true;
				PUSH(f);
			}
			if (i + 2 < cnt)
				PUSH(i + 2);
			continue;
		}
		if (!is_jmp_class(in->code)) {
			if (i + 1 < cnt)
				PUSH(i + 1);
			continue;
		}
		if (op == 0x90) /* exit */
			continue;
		if (op == 0x80) { /* call */
			if (is_pseudo_call(in)) {
				v->aux[i].prune_point = true;
				PUSH(i + (uint32_t)in->imm + 1);
			}
			if (is_iter_next_kfunc_insn(v, in)) {
				v->aux[i].prune_point = true;
				v->aux[i].force_checkpoint = true;
				v->aux[i].jmp_point = true;
			}
			if (is_callback_helper(in) ||
			    bh_is_rbtree_add_insn(v, in)) {
				v->aux[i].prune_point = true;
				v->aux[i].force_checkpoint = true;
				v->aux[i].jmp_point = true;
				v->aux[i].flags |= BH_AUXI_CALLBACK_CALL;
			}
			/* a bpf_throw ending a subprogram has no fall-through
			 */
			if (i + 1 < cnt &&
			    !(is_bpf_throw_insn(v, in) &&
			      v->aux[i + 1].subprogno != v->aux[i].subprogno)) {
				v->aux[i + 1].prune_point = true;
				v->aux[i + 1].jmp_point = true;
				PUSH(i + 1);
			}
			continue;
		}
		t = jmp_target(in, i);
		if (t < 0 || (size_t)t >= cnt) {
			err = bh_reject(v,
					"jump out of range from insn %u to %ld",
					i, t);
			goto out;
		}
		if (t > 0 && is_ldimm64(&insns[t - 1]) && !seen[t - 1] &&
		    v->aux[t - 1].flags & BH_AUXI_BRANCH_TARGET) {
			/* checked below once every slot's start is known */
		}
		v->aux[t].prune_point = true;
		v->aux[t].jmp_point = true;
		v->aux[t].flags |= BH_AUXI_BRANCH_TARGET;
		if (op == 0x00) { /* goto */
			PUSH((uint32_t)t);
			continue;
		}
		/* conditional (and may_goto) */
		v->aux[i].prune_point = true;
		if (op == 0xe0)
			v->aux[i].force_checkpoint = true;
		PUSH((uint32_t)t);
		if (i + 1 < cnt)
			PUSH(i + 1);
	}
	for (size_t i = 0; i < cnt; i++) {
		if (is_ldimm64(&insns[i]) && i + 1 < cnt) {
			if (v->aux[i + 1].flags & BH_AUXI_BRANCH_TARGET) {
				err = bh_reject(v,
						"jump into the middle of "
						"ldimm64 insn %zu",
						i + 1);
				goto out;
			}
			seen[i + 1] = seen[i];
			i++;
		}
	}
	for (size_t i = 0; i < cnt; i++)
		if (!seen[i]) {
			err = bh_reject(v, "unreachable insn %zu", i);
			goto out;
		}
out:
#undef PUSH
	free(stack);
	free(seen);
	return err;
}

/* check_max_stack_depth over the static call graph (calls and callback
 * references), each frame rounded up to 16 as the JIT does. */
static int stack_chain(struct bh_venv *v, uint32_t s, int depth, bool in_cb,
		       uint32_t *total, uint32_t *frames)
{
	uint32_t best = 0, best_frames = 0;
	const struct bh_subprog *sp = &v->subprogs[s];

	if (depth > BH_MAX_FRAMES)
		return bh_reject_err(v, -E2BIG,
				     "the call stack of %d frames is too deep",
				     depth);
	for (uint32_t i = sp->start; i < sp->end; i++) {
		const struct bh_insn *in = &v->env->insns[i];
		uint32_t t, f = 0, callee;
		int err;

		/* no callback may throw, nor what it calls */
		if ((in_cb || sp->is_cb) && is_bpf_throw_insn(v, in)) {
			v->cur = NULL;
			return bh_reject(v,
					 "bpf_throw kfunc (insn %u) cannot be "
					 "called from callback subprog %u",
					 i, s);
		}
		if (!is_pseudo_call(in) && !is_pseudo_func(in))
			continue;
		if (!(v->aux[i].flags & BH_AUX_SEEN))
			continue;
		callee = bh_subprog_of(v, i + in->imm + 1);
		if (callee && callee == v->exception_cb) {
			if (!is_pseudo_call(in))
				continue;
			v->cur = NULL;
			return bh_reject(
				v, "insn %u cannot call exception cb directly",
				i);
		}
		err = stack_chain(v, callee, depth + 1, in_cb || sp->is_cb, &t,
				  &f);
		if (err)
			return err;
		if (t > best) {
			best = t;
			best_frames = f;
		}
	}
	*total = ((sp->stack_depth + 15) & ~15u) + best;
	*frames = best_frames + 1;
	return 0;
}

static int check_max_stack_depth(struct bh_venv *v)
{
	for (uint32_t s = 0; s < v->subprog_cnt; s++) {
		uint32_t total, frames;
		int err;

		if (s && !v->subprogs[s].global)
			continue;
		err = stack_chain(v, s, 1, false, &total, &frames);
		if (err)
			return err;
		if (total > BH_MAX_STACK) {
			v->cur = NULL;
			return bh_reject_err(v, -EACCES,
					     "combined stack size of %u calls "
					     "is %u. Too large",
					     frames, total);
		}
	}
	return 0;
}

/* btf_prepare_func_args for a global subprogram: R1..R5 by prototype. */
static int init_global_args(struct bh_venv *v, uint32_t s,
			    struct bh_func_state *f)
{
	const struct btf *b = v->env->prog_btf;
	const struct btf_type *fn, *proto;
	const struct btf_param *p;
	int n;

	fn = b ? btf__type_by_id(b, v->subprogs[s].btf_func_id) : NULL;
	proto = fn ? btf__type_by_id(b, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return bh_reject(v, "global function %s has no BTF prototype",
				 bh_subprog_name(v, s));
	n = btf_vlen(proto);
	if (n > 5)
		return bh_reject(
			v, "Global function %s() has %d args, more than 5",
			bh_subprog_name(v, s), n);
	p = btf_params(proto);
	for (int i = 0; i < n; i++) {
		uint32_t id = p[i].type;
		const struct btf_type *t = btf__type_by_id(b, id);
		struct bh_reg *r = &f->regs[i + 1];

		while (t && (btf_is_mod(t) || btf_is_typedef(t)))
			t = btf__type_by_id(b, id = t->type);
		if (t &&
		    (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t))) {
			mark_reg_unknown(r);
			continue;
		}
		if (t && btf_is_ptr(t)) {
			long sz = btf__resolve_size(b, t->type);

			if (sz > 0) {
				mark_reg_ptr(r, BH_PTR_TO_MEM,
					     BH_PTR_MAYBE_NULL);
				r->mem_size = (uint32_t)sz;
				r->id = bh_new_id(v);
				continue;
			}
			if (!i && !s) /* not reached: main has no proto */
				continue;
			mark_reg_ptr(r, BH_PTR_TO_CTX, 0);
			if (i)
				return bh_reject(
					v,
					"arg#%d pointer type of global "
					"function %s is not supported (only "
					"ctx as arg#0, or a pointer to a sized "
					"type)",
					i, bh_subprog_name(v, s));
			continue;
		}
		return bh_reject(
			v, "arg#%d type of global function %s is not supported",
			i, bh_subprog_name(v, s));
	}
	return 0;
}

static int verify_entry(struct bh_venv *v, uint32_t s)
{
	struct bh_vstate *st = bh_state_alloc();
	struct bh_func_state *f = bh_frame_alloc();
	int err;

	if (!st || !f) {
		free(st);
		free(f);
		return -ENOMEM;
	}
	st->frame[0] = f;
	st->insn_idx = v->subprogs[s].start;
	st->first_insn_idx = st->insn_idx;
	st->in_sleepable = v->env->sleepable;
	f->callsite = -1;
	f->subprogno = s;
	for (int r = 0; r < BH_MAX_REG; r++)
		mark_reg_not_init(&f->regs[r]);
	mark_reg_ptr(&f->regs[BH_FP], BH_PTR_TO_STACK, 0);
	v->entry_subprog = s;
	v->in_global_subprog = s != 0;
	v->cur = st;
	v->in_exception_cb = s && s == v->exception_cb;
	if (s) {
		bh_log(v, "Validating %s() func#%u...", bh_subprog_name(v, s),
		       s);
		err = init_global_args(v, s, f);
		if (!err && v->in_exception_cb)
			err = check_exception_cb_proto(v, s);
		if (err) {
			bh_state_free(st);
			v->cur = NULL;
			return err;
		}
	} else {
		mark_reg_ptr(&f->regs[1], BH_PTR_TO_CTX, 0);
	}
	err = bh_do_check(v, st);
	if (!err && s)
		bh_log(v,
		       "Func#%u ('%s') is safe for any args that match its "
		       "prototype",
		       s, bh_subprog_name(v, s));
	return err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void finish_log(struct bh_venv *v)
{
	const struct bh_verify_env *env = v->env;
	size_t n, from = 0;

	if (!env->log_buf || !env->log_size)
		return;
	n = v->log_len;
	if (n + 1 > env->log_size) {
		from = n + 1 - env->log_size;
		n = env->log_size - 1;
	}
	if (n && v->logb)
		memcpy(env->log_buf, v->logb + from, n);
	env->log_buf[n] = '\0';
}

/* res->obj_type from the object kfunc calls seen; -ENOMEM or 0 */
static int keep_obj_types(struct bh_venv *v, struct bh_verify_result *res)
{
	size_t n = v->env->insn_cnt;

	for (size_t i = 0; i < n; i++) {
		if (!v->aux[i].obj_type_id)
			continue;
		if (!res->obj_type) {
			res->obj_type = calloc(n, sizeof(*res->obj_type));
			if (!res->obj_type)
				return -ENOMEM;
		}
		res->obj_type[i] = v->aux[i].obj_type_id;
		if (!v->aux[i].has_node_off)
			continue;
		if (!res->node_off) {
			res->node_off = calloc(n, sizeof(*res->node_off));
			if (!res->node_off)
				return -ENOMEM;
		}
		res->node_off[i] = v->aux[i].node_off;
	}
	return 0;
}

int bh_verify(const struct bh_verify_env *env, struct bh_verify_result *res)
{
	struct bh_venv venv = {.env = env, .res = res};
	struct bh_venv *v = &venv;
	uint64_t t0 = now_ns();
	char msg[256];
	size_t bad;
	int err;

	memset(res, 0, sizeof(*res));
	res->err_insn = -1;
	if (env->log_buf && env->log_size)
		env->log_buf[0] = '\0';
	res->aux = calloc(env->insn_cnt ? env->insn_cnt : 1, 1);
	v->aux = calloc(env->insn_cnt ? env->insn_cnt : 1, sizeof(*v->aux));
	v->explored =
		calloc(env->insn_cnt ? env->insn_cnt : 1, sizeof(*v->explored));
	if (!res->aux || !v->aux || !v->explored) {
		err = -ENOMEM;
		goto out;
	}
	if (!env->insn_cnt || !env->type) {
		err = bh_reject(v, "empty program or no program type");
		goto out;
	}
	msg[0] = '\0';
	err = bh_insns_check_at(env->insns, env->insn_cnt, &bad, msg,
				sizeof(msg));
	if (err) {
		res->err_insn = (long)bad;
		err = bh_reject(v, "%s", msg);
		goto out;
	}
	err = find_subprogs(v);
	if (!err)
		err = check_subprogs(v);
	if (!err)
		err = check_cfg(v);
	if (!err)
		err = bh_compute_scc(v);
	if (!err)
		err = mark_subprogs_might_sleep(v);
	if (!err)
		mark_subprogs_might_throw(v);
	if (!err)
		err = bh_compute_live_regs(v);
	if (err)
		goto out;
	if (bh_log_on(v, 2))
		for (uint32_t s = 0; s < v->subprog_cnt; s++)
			bh_log(v, "func#%u @%u", s, v->subprogs[s].start);
	for (uint32_t s = 0; s < v->subprog_cnt && !err; s++) {
		if (s && !v->subprogs[s].global)
			continue;
		err = verify_entry(v, s);
		bh_free_explored(v);
		v->explored = calloc(env->insn_cnt, sizeof(*v->explored));
		if (!v->explored && !err)
			err = -ENOMEM;
	}
	if (!err)
		err = check_max_stack_depth(v);
out:
	if (err && !v->rejected && err != -ENOMEM)
		bh_bug(v, "error %d without a message", err);
	else if (err == -ENOMEM && !v->rejected)
		snprintf(res->err, sizeof(res->err),
			 "out of memory while verifying");
	res->stats.insn_processed = v->insn_processed;
	res->stats.max_states_per_insn = v->max_states_per_insn;
	res->stats.total_states = v->total_states;
	res->stats.peak_states = v->peak_states;
	res->stats.subprog_cnt = v->subprog_cnt;
	for (uint32_t s = 0; s < v->subprog_cnt && s < 64; s++)
		res->stats.stack_depth[s] = v->subprogs[s].stack_depth;
	if (v->aux && res->aux)
		for (size_t i = 0; i < env->insn_cnt; i++)
			res->aux[i] |= (uint8_t)(v->aux[i].flags & 0xff);
	if (!err && v->aux && keep_obj_types(v, res))
		err = -ENOMEM;
	if (v->explored)
		bh_free_explored(v);
	bh_log_stats(v);
	finish_log(v);
	free(v->logb);
	free(v->aux);
	free(v->subprogs);
	res->stats.verification_ns = now_ns() - t0;
	return err;
}

void bh_verify_result_free(struct bh_verify_result *res)
{
	if (!res)
		return;
	free(res->aux);
	res->aux = NULL;
	free(res->obj_type);
	res->obj_type = NULL;
	free(res->node_off);
	res->node_off = NULL;
}
