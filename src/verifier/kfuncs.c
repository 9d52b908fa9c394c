// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kfunc calls: permission for the program's type and the set filters, the
 * per-argument checks in the kernel's order (ctx, memory and mem/size
 * pairs, BTF-typed pointers with type matching and trust, constants,
 * ...), acquire/release of references, and the typing of R0 from the
 * kfunc's BTF return type and flags.
 *
 * Invariant: a kfunc runs only with arguments that satisfy its registered
 * contract (kfunc/kfunc.h: flags and per-argument contracts, normalised);
 * whatever is not yet modelled is rejected with a message saying so.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "verifier/vinternal.h"

/* ---- kfuncs ---- */

static const struct btf *kbtf(struct bh_venv *v, const struct bh_kfunc *k)
{
	return v->env->hbtf ? bh_hbtf_btf(v->env->hbtf, k->func.src) : NULL;
}

static uint32_t kskip(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(b, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(b, id);
	}
	return id;
}

static bool same_struct(struct bh_venv *v, const struct btf *kb, uint32_t kid,
			const struct bh_reg *r)
{
	const struct btf *rb = v->env->hbtf ?
				       bh_hbtf_btf(v->env->hbtf, r->btf_src) :
				       NULL;
	const struct btf_type *a = btf__type_by_id(kb, kid);
	const struct btf_type *b = rb ? btf__type_by_id(rb, r->btf_id) : NULL;

	if (!a || !b)
		return false;
	if (kb == rb && kid == r->btf_id)
		return true;
	return btf_kind(a) == btf_kind(b) &&
	       !strcmp(btf__name_by_offset(kb, a->name_off),
		       btf__name_by_offset(rb, b->name_off));
}

/* One kfunc argument; *skip_next set when it consumed a __sz argument. */
static int check_kfunc_arg(struct bh_venv *v, const struct bh_kfunc *k, int i,
			   bool *skip_next)
{
	const struct bh_kfunc_arg *a = &k->args[i];
	const struct btf *b = kbtf(v, k);
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	const uint32_t unsupported = BH_ANN_UNINIT | BH_ANN_STR | BH_ANN_MAP |
				     BH_ANN_ALLOC | BH_ANN_REFCOUNTED_KPTR |
				     BH_ANN_ITER | BH_ANN_IRQ_FLAG |
				     BH_ANN_RDONLY_BUF_SIZE |
				     BH_ANN_RDWR_BUF_SIZE;
	const struct btf_type *t, *pt;
	uint32_t pid;
	char ts[96];
	uint64_t kv;
	int err;

	*skip_next = false;
	if (a->annot & (BH_ANN_PROG | BH_ANN_IGN))
		return 0; /* the runtime supplies or ignores it */
	if (a->annot & unsupported)
		return bh_reject(v, "kfunc %s arg#%d ('%s'): this argument kind is not supported by the verifier yet",
				 k->name, i, a->name);
	err = check_reg_read(v, regno);
	if (err)
		return err;
	if (!a->is_ptr) {
		if (r->type != BH_SCALAR)
			return bh_reject(v, "R%u is not a scalar", regno);
		if ((a->contract & KF_ARG_CONST) && !is_reg_const(r, NULL))
			return bh_reject(v, "arg#%d must be a known constant",
					 i);
		return 0;
	}
	if (!b)
		return bh_reject(v, "kfunc %s: no host BTF", k->name);
	t = btf__type_by_id(b, kskip(b, a->type_id));
	pid = t ? kskip(b, t->type) : 0;
	pt = btf__type_by_id(b, pid);
	if ((a->contract & KF_ARG_NULLABLE) && is_reg_const(r, &kv) && !kv)
		return 0;
	if (!is_pointer(r)) {
		reg_type_name(v, regno, ts, sizeof(ts));
		return bh_reject(v, "arg#%d expected pointer, got %s", i, ts);
	}
	if (r->flags & BH_PTR_MAYBE_NULL) {
		reg_type_name(v, regno, ts, sizeof(ts));
		return bh_reject_err(v, -EACCES,
				     "Possibly NULL pointer passed to trusted arg%d",
				     i);
	}
	/* pointer + size pair */
	if (i + 1 < k->nargs && (k->args[i + 1].annot & (BH_ANN_SZ | BH_ANN_SZK))) {
		uint64_t size;
		const struct btf_type *raw =
			t && btf_is_ptr(t) ? btf__type_by_id(b, t->type) : NULL;
		bool rdonly = raw && btf_is_const(raw);

		err = check_reg_read(v, regno + 1);
		if (!err)
			err = check_const_size(v, regno + 1, true, &size);
		if (!err)
			err = check_helper_mem_access(v, regno, 0, size, !rdonly,
						      true);
		*skip_next = true;
		return err;
	}
	if (pt && (btf_is_struct(pt) || btf_is_union(pt))) {
		if (r->type != BH_PTR_TO_BTF_ID || !same_struct(v, b, pid, r)) {
			reg_type_name(v, regno, ts, sizeof(ts));
			return bh_reject(v, "kernel function %s args#%d expected pointer to %s %s but R%u has a pointer to %s",
					 k->name, i,
					 btf_is_struct(pt) ? "STRUCT" : "UNION",
					 btf__name_by_offset(b, pt->name_off),
					 regno, ts);
		}
		if (r->off || !bh_tnum_is_const(r->s.var_off) ||
		    r->s.var_off.value)
			return bh_reject(v, "R%u must have zero offset when passed to release func or trusted arg to kfunc",
					 regno);
		if ((a->contract & (KF_ARG_TRUSTED | KF_ARG_RCU | KF_ARG_RELEASE)) &&
		    !(r->flags & BH_PTR_TRUSTED) && !r->ref_obj_id)
			return bh_reject(v, "R%u must be referenced or trusted",
					 regno);
		if ((a->contract & KF_ARG_RELEASE) && !r->ref_obj_id)
			return bh_reject(v, "release kernel function %s expects refcounted PTR_TO_BTF_ID",
					 k->name);
		return 0;
	}
	if (pt && !btf_is_void(pt) && btf__resolve_size(b, pid) > 0) {
		long sz = btf__resolve_size(b, pid);
		const struct btf_type *raw = btf__type_by_id(b, t->type);

		return check_helper_mem_access(v, regno, 0, (uint64_t)sz,
					       !(raw && btf_is_const(raw)),
					       false);
	}
	return bh_reject(v, "kfunc %s arg#%d ('%s'): pointer to void without a size is not supported",
			 k->name, i, a->name);
}

int check_kfunc_call(struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_verify_env *env = v->env;
	const struct bh_kfunc *k = NULL, *any;
	struct bh_reg *regs;
	uint32_t release_id = 0;
	const struct btf *b;
	int err;

	if (env->kfuncs)
		k = bh_kfunc_by_btf(env->kfuncs, (uint16_t)in->off,
				    (uint32_t)in->imm,
				    env->type->hook ? env->type->hook :
						      env->type->name);
	if (!k) {
		any = env->kfuncs ? bh_kfunc_by_btf(env->kfuncs,
						    (uint16_t)in->off,
						    (uint32_t)in->imm, NULL) :
				    NULL;
		if (any)
			return bh_reject_err(v, -EACCES,
					     "calling kernel function %s is not allowed",
					     any->name);
		return bh_reject(v, "kernel btf_id %d is not a function",
				 in->imm);
	}
	if ((k->flags & KF_SLEEPABLE) && !v->cur->in_sleepable)
		return bh_reject_err(v, -EACCES,
				     "program must be sleepable to call sleepable kfunc %s",
				     k->name);
	if (k->flags & (KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY))
		return bh_reject(v, "kfunc %s: open-coded iterators are not supported by the verifier yet",
				 k->name);
	for (int i = 0; i < k->nargs; i++) {
		bool skip;

		err = check_kfunc_arg(v, k, i, &skip);
		if (err)
			return err;
		if (k->args[i].contract & KF_ARG_RELEASE)
			release_id = cur_regs(v)[i + 1].ref_obj_id;
		if (skip)
			i++;
	}
	if (release_id) {
		err = release_reference(v, release_id);
		if (err)
			return err;
	}
	clobber_caller_saved(v);
	regs = cur_regs(v);
	b = kbtf(v, k);
	if (!k->ret_type_id)
		return 0;
	if (!k->ret_ptr) {
		mark_reg_unknown(&regs[0]);
		return 0;
	}
	{
		const struct btf_type *t = b ? btf__type_by_id(b, kskip(b, k->ret_type_id)) : NULL;
		uint32_t pid = t && btf_is_ptr(t) ? kskip(b, t->type) : 0;
		const struct btf_type *pt = pid ? btf__type_by_id(b, pid) : NULL;
		uint32_t id = 0;

		if (pt && (btf_is_struct(pt) || btf_is_union(pt))) {
			mark_reg_ptr(&regs[0], BH_PTR_TO_BTF_ID, BH_PTR_TRUSTED);
			regs[0].btf_src = k->func.src;
			regs[0].btf_id = pid;
		} else if (pt && !btf_is_void(pt) &&
			   btf__resolve_size(b, pid) > 0) {
			mark_reg_ptr(&regs[0], BH_PTR_TO_MEM, 0);
			regs[0].mem_size = (uint32_t)btf__resolve_size(b, pid);
		} else {
			return bh_reject(v, "kernel function %s returns a pointer type that is not supported",
					 k->name);
		}
		if (k->flags & KF_ACQUIRE) {
			err = acquire_reference(v, &id);
			if (err)
				return err;
			regs[0].ref_obj_id = id;
			regs[0].id = id;
		}
		if (k->flags & KF_RET_NULL) {
			regs[0].flags |= BH_PTR_MAYBE_NULL;
			if (!regs[0].id)
				regs[0].id = bh_new_id(v);
		} else if (!(k->flags & KF_ACQUIRE)) {
			regs[0].id = 0;
		}
	}
	return 0;
}

