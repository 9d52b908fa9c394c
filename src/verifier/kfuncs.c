// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kfunc calls (KFUNC-SEMANTICS §5-§7): permission for the program's type,
 * the destructive/sleepable gates, the per-argument checks in the
 * kernel's order (scalars and constants, the NULL rule of trusted
 * arguments, classification, trust, offsets, BTF type matching with the
 * first-member rule, memory and mem/size pairs, open-coded iterators),
 * RCU read sections, release and acquire of references, the typing of R0
 * from the kfunc's BTF return type and flags, and the state fork of an
 * iterator's next() call.
 *
 * The registry (kfunc/kfunc.h) hands us per-argument contracts; each one
 * is enforced exactly as the kernel enforces its whole-function flag:
 * KF_ARG_TRUSTED as KF_TRUSTED_ARGS, KF_ARG_RCU as KF_RCU, KF_ARG_RELEASE
 * as KF_RELEASE (a kfunc releasing any argument treats all its pointer
 * arguments as trusted, as 6.18's is_kfunc_trusted_args() does for
 * KF_RELEASE), KF_ARG_NULLABLE as __nullable and KF_ARG_CONST as __k.
 *
 * Invariant: a kfunc runs only with arguments that satisfy its registered
 * contract; whatever is not yet modelled is rejected with a message
 * saying so.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "verifier/vinternal.h"

#define MAX_STRUCT_WALK 32

/* What the argument checks learn for the rest of the call (the kernel's
 * bpf_kfunc_call_arg_meta). */
struct kfunc_meta {
	const struct bh_kfunc *k;
	const struct btf *btf;
	int32_t func_id;
	bool releases;		/* some argument has KF_ARG_RELEASE */
	uint32_t release_regno; /* the referenced register it releases */
	uint32_t ref_obj_id;	/* last referenced argument */
	bool const_found;
	uint64_t const_value;
	/* the iterator argument (next/destroy/__iter) */
	int iter_spi;
	uint32_t iter_frameno;
	/* the last initialised dynptr argument (meta->initialized_dynptr) */
	bool dynptr_found;
	struct bh_dynptr_info dynptr;
	/* the program-BTF struct of an __alloc / __refcounted_kptr argument */
	uint32_t arg_btf_id;
	/* the __refcounted_kptr argument is the program's own reference */
	bool arg_owning_ref;
	/* the graph root argument (a bpf_list_head or bpf_rb_root): its kind,
	 * its __contains struct and that struct's node offset */
	enum bh_field_type graph_root;
	uint32_t graph_value_id;
	uint32_t graph_node_off;
	/* the owning reference a list push or rbtree add takes */
	uint32_t graph_node_ref;
	/* a callback argument (rbtree add's less): its subprogram */
	bool has_cb;
	uint32_t cb_subprog;
	uint32_t wq_map; /* 1 + the map of a struct bpf_wq argument */
	/* rdonly_buf_size / rdwr_buf_size: the size of R0's memory */
	uint64_t r0_size;
	bool r0_rdonly;
};

static const struct btf *src_btf(const struct bh_venv *v, uint32_t src)
{
	return bh_src_btf(v, src);
}

static const char *tname(const struct btf *b, const struct btf_type *t)
{
	return t ? btf__name_by_offset(b, t->name_off) : "";
}

/* btf_type_str() */
static const char *kind_str(const struct btf_type *t)
{
	static const char *const names[] = {
		"UNKN",	   "INT",      "PTR",	   "ARRAY",	 "STRUCT",
		"UNION",   "ENUM",     "FWD",	   "TYPEDEF",	 "VOLATILE",
		"CONST",   "RESTRICT", "FUNC",	   "FUNC_PROTO", "VAR",
		"DATASEC", "FLOAT",    "DECL_TAG", "TYPE_TAG",	 "ENUM64",
	};
	unsigned int k = t ? btf_kind(t) : 0;

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "UNKN";
}

static bool is_scalar_type(const struct btf_type *t)
{
	return t && (btf_is_int(t) || btf_is_any_enum(t) || btf_is_float(t));
}

/* Same type: the same (source, id), or, across host BTF sources, the
 * same kind and the same non-empty name. */
static bool types_same(const struct btf *a, uint32_t aid, const struct btf *b,
		       uint32_t bid)
{
	const struct btf_type *ta, *tb;
	const char *na;

	aid = bh_vskip_mods(a, aid);
	bid = bh_vskip_mods(b, bid);
	if (a == b && aid == bid)
		return true;
	ta = btf__type_by_id(a, aid);
	tb = btf__type_by_id(b, bid);
	if (!ta || !tb || btf_kind(ta) != btf_kind(tb))
		return false;
	na = tname(a, ta);
	return na[0] && !strcmp(na, tname(b, tb));
}

/* btf_struct_walk(size 1) until it meets a nested struct starting
 * exactly at off: 1 with *id that struct, 0 if off lands elsewhere. */
static int walk_to_struct(const struct btf *b, uint32_t *id, int64_t off)
{
	uint32_t cur = bh_vskip_mods(b, *id);

	for (int depth = 0; depth < MAX_STRUCT_WALK; depth++) {
		const struct btf_type *t = btf__type_by_id(b, cur);
		const struct btf_member *m;
		bool descended = false;

		if (!t || !btf_is_composite(t) || off < 0 || off >= t->size)
			return 0;
		m = btf_members(t);
		for (int i = 0; i < btf_vlen(t); i++, m++) {
			uint32_t bits = btf_member_bit_offset(t, (uint32_t)i);
			uint32_t mid = bh_vskip_mods(b, m->type);
			const struct btf_type *mt = btf__type_by_id(b, mid);
			long msz = btf__resolve_size(b, mid);
			int64_t moff = bits / 8;

			if (bits % 8 ||
			    btf_member_bitfield_size(t, (uint32_t)i) || !mt ||
			    msz <= 0 || off < moff || off >= moff + msz)
				continue;
			if (btf_is_array(mt)) {
				uint32_t eid =
					bh_vskip_mods(b, btf_array(mt)->type);
				const struct btf_type *et =
					btf__type_by_id(b, eid);

				if (!et || !btf_is_composite(et) || !et->size)
					return 0;
				cur = eid;
				off = (off - moff) % et->size;
				descended = true;
				break;
			}
			if (!btf_is_composite(mt))
				return 0;
			if (off == moff) {
				*id = mid;
				return 1;
			}
			cur = mid;
			off -= moff;
			descended = true;
			break;
		}
		if (!descended)
			return 0;
	}
	return 0;
}

/* btf_struct_ids_match(): a pointer to a struct is also a pointer to the
 * struct at its offset and, recursively, to its first member. */
static bool struct_ids_match(const struct btf *rb, uint32_t rid, int32_t off,
			     const struct btf *kb, uint32_t kid, bool strict)
{
	if (off == 0 && types_same(rb, rid, kb, kid))
		return true;
	if (strict)
		return false;
	for (int depth = 0; depth < MAX_STRUCT_WALK; depth++) {
		if (!walk_to_struct(rb, &rid, off))
			return false;
		if (types_same(rb, rid, kb, kid))
			return true;
		off = 0;
	}
	return false;
}

/* "nf_conn___init" and "nf_conn" never match each other. */
static bool nocast_alias(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	static const char sfx[] = "___init";
	size_t ls = sizeof(sfx) - 1;

	if (la == lb + ls && !strncmp(a, b, lb) && !strcmp(a + lb, sfx))
		return true;
	return lb == la + ls && !strncmp(b, a, la) && !strcmp(b + la, sfx);
}

/* A struct made only of scalars and arrays of them, nesting <= 3. */
static int is_scalar_struct(struct bh_venv *v, const struct btf *b,
			    const struct btf_type *t, int depth)
{
	const struct btf_member *m;

	if (!btf_is_struct(t))
		return 0;
	if (depth >= 4) {
		bh_log(v, "max struct nesting depth exceeded");
		return 0;
	}
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const struct btf_type *mt =
			btf__type_by_id(b, bh_vskip_mods(b, m->type));

		if (mt && btf_is_array(mt))
			mt = btf__type_by_id(
				b, bh_vskip_mods(b, btf_array(mt)->type));
		if (is_scalar_type(mt))
			continue;
		if (!mt || !is_scalar_struct(v, b, mt, depth + 1))
			return 0;
	}
	return 1;
}

/* The kernel's is_trusted_reg() and is_rcu_reg(). */
static bool is_trusted_reg(const struct bh_reg *r)
{
	const uint32_t trusted = BH_PTR_TRUSTED | BH_MEM_ALLOC | BH_NON_OWN_REF;

	if (r->ref_obj_id)
		return true;
	return (r->flags & trusted) && !(r->flags & ~trusted);
}

static bool is_rcu_reg(const struct bh_reg *r)
{
	return r->flags & BH_MEM_RCU;
}

/* reg_type_str() without the struct name: "untrusted_ptr_or_null_" */
static void kreg_type_str(char *buf, size_t size, struct bh_venv *v,
			  const struct bh_reg *r, uint32_t flags)
{
	struct bh_reg tmp = *r;

	tmp.flags = flags;
	if (r->type != BH_PTR_TO_BTF_ID) {
		bh_reg_type_str(v, &tmp, buf, size);
		return;
	}
	snprintf(buf, size, "%s%s%s%s%sptr_%s",
		 flags & BH_MEM_RDONLY ? "rdonly_" : "",
		 flags & BH_MEM_PERCPU ? "percpu_" : "",
		 flags & BH_PTR_UNTRUSTED ? "untrusted_" : "",
		 flags & BH_MEM_RCU ? "rcu_" : "",
		 flags & BH_PTR_TRUSTED ? "trusted_" : "",
		 flags & BH_PTR_MAYBE_NULL ? "or_null_" : "");
}

/* Replace the verdict a sub-check recorded by the kernel's final line
 * (the sub-check's message stays in the log before it, as in the
 * kernel's). */
static int reject_over(struct bh_venv *v, int err, const char *msg)
{
	v->rejected = false;
	return bh_reject_err(v, err, "%s", msg);
}

static bool is_iter_kfunc(const struct bh_kfunc *k)
{
	return k->flags & (KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY);
}

/* whose kfunc sets the program sees */
static const char *kfunc_hook(const struct bh_verify_env *env)
{
	return env->type->hook ? env->type->hook : env->type->name;
}

const struct bh_kfunc *bh_insn_kfunc(const struct bh_venv *v,
				     const struct bh_insn *in)
{
	if (in->code != (BH_JMP | 0x80) ||
	    in->src_reg != BH_PSEUDO_KFUNC_CALL || !v->env->kfuncs)
		return NULL;
	return bh_kfunc_by_btf(v->env->kfuncs, (uint16_t)in->off,
			       (uint32_t)in->imm, kfunc_hook(v->env));
}

bool is_iter_next_kfunc_insn(const struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_kfunc *k = bh_insn_kfunc(v, in);

	return k && (k->flags & KF_ITER_NEXT);
}

static bool in_rcu_cs(const struct bh_venv *v)
{
	return v->cur->active_rcu_lock || v->cur->active_locks ||
	       !v->cur->in_sleepable;
}

/* ---- iterators (§6) ---- */

/* "num" for struct bpf_iter_num */
static const char *iter_type_str(const struct btf *b, uint32_t id)
{
	const char *n = tname(b, btf__type_by_id(b, id));

	return strncmp(n, "bpf_iter_", 9) ? n : n + 9;
}

static int process_iter_arg(struct bh_venv *v, struct kfunc_meta *meta, int i,
			    uint32_t sid)
{
	const struct bh_kfunc *k = meta->k;
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	const struct btf_type *st = btf__type_by_id(meta->btf, sid);
	const char *sn = tname(meta->btf, st);
	int nr_slots, spi, err;

	if (r->type != BH_PTR_TO_STACK)
		return bh_reject(
			v, "arg#%d expected pointer to an iterator on stack",
			i);
	if (!st || !btf_is_struct(st) || strncmp(sn, "bpf_iter_", 9) ||
	    !st->size || st->size % 8)
		return bh_reject(v, "expected valid iter pointer as arg #%d",
				 i);
	nr_slots = (int)st->size / 8;
	if (k->flags & KF_ITER_NEW) {
		uint32_t id, flags = 0;

		if (!is_iter_reg_valid_uninit(v, r, nr_slots))
			return bh_reject(
				v, "expected uninitialized iter_%s as arg #%d",
				iter_type_str(meta->btf, sid), i);
		for (int off = 0; off < nr_slots * 8; off += 8) {
			err = check_mem_access(v, regno, off, 8, true, -1,
					       false);
			if (err)
				return err;
		}
		spi = iter_get_spi(v, r, nr_slots);
		if (spi < 0)
			return bh_bug(v, "iterator slots not allocated");
		if (k->flags & KF_RCU_PROTECTED)
			flags = in_rcu_cs(v) ? BH_MEM_RCU : BH_PTR_UNTRUSTED;
		err = acquire_reference(v, &id);
		if (err)
			return err;
		mark_stack_slots_iter(v, r, spi, nr_slots, k->func.src, sid, id,
				      flags);
		return 0;
	}
	err = is_iter_reg_valid_init(v, r, k->func.src, sid, nr_slots);
	if (err == -EPROTO)
		return bh_reject(v, "expected an RCU CS when using %s",
				 k->name);
	if (err)
		return bh_reject(v,
				 "expected an initialized iter_%s as arg #%d",
				 iter_type_str(meta->btf, sid), i);
	spi = iter_get_spi(v, r, nr_slots);
	if (spi < 0)
		return bh_bug(v, "initialized iterator without slots");
	meta->iter_spi = spi;
	meta->iter_frameno = r->frameno;
	meta->ref_obj_id =
		v->cur->frame[r->frameno]->stack[spi].spilled.ref_obj_id;
	if (k->flags & KF_ITER_DESTROY) {
		err = release_reference(v, meta->ref_obj_id);
		if (err)
			return err;
		unmark_stack_slots_iter(v, r, spi, nr_slots);
	}
	return 0;
}

static struct bh_stack_slot *iter_slot(struct bh_vstate *st,
				       const struct kfunc_meta *meta)
{
	return &st->frame[meta->iter_frameno]->stack[meta->iter_spi];
}

/* process_iter_next_call: the current path sees the iterator drained and
 * R0 = NULL; a queued path continues with it active one level deeper
 * and R0 non-NULL, its imprecise scalars widened against the previous
 * iteration so that the loop converges. */
static int process_iter_next_call(struct bh_venv *v,
				  const struct kfunc_meta *meta)
{
	struct bh_vstate *cur = v->cur, *queued, *prev;
	struct bh_stack_slot *it = iter_slot(cur, meta);
	uint32_t idx = cur->insn_idx;
	int err;

	if (it->iter_state != BH_ITER_ACTIVE &&
	    it->iter_state != BH_ITER_DRAINED)
		return bh_bug(v, "unexpected iterator state %d",
			      it->iter_state);
	if (it->iter_state == BH_ITER_ACTIVE) {
		prev = bh_find_prev_entry(v, idx);
		err = bh_push_stack(v, idx + 1, idx, &queued);
		if (err)
			return err;
		it = iter_slot(queued, meta);
		it->iter_state = BH_ITER_ACTIVE;
		it->iter_depth++;
		if (prev)
			widen_imprecise_scalars(prev, queued);
		queued->frame[queued->curframe]->regs[0].flags &=
			~BH_PTR_MAYBE_NULL;
	}
	it = iter_slot(cur, meta);
	it->iter_state = BH_ITER_DRAINED;
	mark_reg_known(&cur_regs(v)[0], 0);
	return 0;
}

/* ---- bpf_res_spin_lock (§7.4, locks.c) ---- */

static bool is_res_lock_kfunc(const char *name, bool *lock, bool *irq)
{
	static const char *const names[] = {
		"bpf_res_spin_lock",
		"bpf_res_spin_unlock",
		"bpf_res_spin_lock_irqsave",
		"bpf_res_spin_unlock_irqrestore",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]))
			continue;
		*lock = !(i & 1);
		*irq = i >= 2;
		return true;
	}
	return false;
}

/* A bpf_res_spin_lock that may fail: the path where it did, holding
 * nothing, R0 in [-MAX_ERRNO, -1] and R1-R5 gone; the current path goes
 * on as the one where it returned 0. */
static int push_res_lock_fail(struct bh_venv *v)
{
	struct bh_vstate *branch;
	struct bh_reg *regs;
	uint32_t idx = v->cur->insn_idx;
	int err;

	err = bh_push_stack(v, idx + 1, idx, &branch);
	if (err)
		return err;
	regs = branch->frame[branch->curframe]->regs;
	for (uint32_t r = 0; r <= 5; r++)
		mark_reg_not_init(&regs[r]);
	mark_reg_unknown(&regs[0]);
	regs[0].s.s32_min = -4095;
	regs[0].s.s32_max = -1;
	regs[0].s.smin = -4095;
	regs[0].s.smax = -1;
	bh_scalar_sync(&regs[0].s);
	return 0;
}

static int process_res_lock_arg(struct bh_venv *v, struct kfunc_meta *meta,
				int i)
{
	const struct bh_reg *r = &cur_regs(v)[i + 1];
	bool lock, irq;

	if (!is_res_lock_kfunc(meta->k->name, &lock, &irq))
		return bh_reject(
			v,
			"kfunc %s arg#%d ('%s'): struct bpf_res_spin_lock is "
			"understood only for the bpf_res_spin_lock kfuncs",
			meta->k->name, i, meta->k->args[i].name);
	if (!(r->type == BH_PTR_TO_MAP_VALUE && !r->flags) &&
	    !(r->type == BH_PTR_TO_BTF_ID && r->flags == BH_MEM_ALLOC &&
	      r->btf_src == BH_BTF_SRC_PROG))
		return bh_reject(
			v,
			"arg#%d doesn't point to map value or allocated object",
			i);
	return bh_process_spin_lock(v, (uint32_t)i + 1,
				    BH_LOCK_RES | (lock ? BH_LOCK_TAKE : 0) |
					    (irq ? BH_LOCK_IRQ : 0));
}

/* ---- arguments (§5.2-§5.5) ---- */

static int check_scalar_arg(struct bh_venv *v, struct kfunc_meta *meta, int i)
{
	const struct bh_kfunc_arg *a = &meta->k->args[i];
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];

	if (r->type != BH_SCALAR)
		return bh_reject(v, "R%u is not a scalar", regno);
	if (a->contract & KF_ARG_CONST) {
		if (!bh_tnum_is_const(r->s.var_off))
			return bh_reject(v, "R%u must be a known constant",
					 regno);
		/* mark_chain_precision(): states with another constant
		 * here must not be pruned against this one */
		r->precise = true;
		meta->const_found = true;
		meta->const_value = r->s.var_off.value;
	}
	if (a->annot & (BH_ANN_RDONLY_BUF_SIZE | BH_ANN_RDWR_BUF_SIZE)) {
		if (meta->r0_size)
			return bh_reject(v, "2 or more rdonly/rdwr_buf_size "
					    "parameters for kfunc");
		if (!bh_tnum_is_const(r->s.var_off))
			return bh_reject(v, "R%u is not a const", regno);
		/* a zero size falls back to the pointee's, as in the kernel */
		meta->r0_size = r->s.var_off.value;
		meta->r0_rdonly = a->annot & BH_ANN_RDONLY_BUF_SIZE;
		r->precise = true;
	}
	return 0;
}

/* check_func_arg_reg_off() for a kfunc argument */
static int check_arg_reg_off(struct bh_venv *v, uint32_t regno, bool release)
{
	struct bh_reg *r = &cur_regs(v)[regno];
	bool fixed_off_ok = false;

	if (release && r->off)
		return bh_reject(v,
				 "R%u must have zero offset when passed to "
				 "release func or trusted arg to kfunc",
				 regno);
	if (!release) {
		switch (r->type) {
		case BH_PTR_TO_STACK:
		case BH_PTR_TO_MAP_KEY:
		case BH_PTR_TO_MAP_VALUE:
		case BH_PTR_TO_MEM:
		case BH_PTR_TO_BUF:
		case BH_SCALAR:
			return 0;
		case BH_PTR_TO_BTF_ID:
			fixed_off_ok =
				!(r->flags & ~(BH_PTR_TRUSTED | BH_MEM_RCU |
					       BH_MEM_ALLOC | BH_NON_OWN_REF));
			break;
		default:
			break;
		}
	}
	return bh_check_ptr_off(v, regno, fixed_off_ok);
}

/* Memory an argument points to, checked as the kernel's check_mem_reg():
 * NULL passes, a maybe-NULL pointer is checked as if non-NULL. */
static int check_mem_arg(struct bh_venv *v, uint32_t regno, uint64_t size,
			 bool write, bool zero_ok)
{
	struct bh_reg *r = &cur_regs(v)[regno];
	uint32_t saved = r->flags;
	uint64_t k;
	int err;

	if (is_reg_const(r, &k) && !k)
		return 0;
	r->flags &= ~BH_PTR_MAYBE_NULL;
	/* as the kernel: read access first, then write (so a range out of
	 * bounds is reported as an invalid read) */
	err = check_helper_mem_access(v, regno, 0, size, false, zero_ok);
	if (!err && write)
		err = check_helper_mem_access(v, regno, 0, size, true, zero_ok);
	r->flags = saved;
	return err;
}

static int check_btf_id_arg(struct bh_venv *v, struct kfunc_meta *meta, int i,
			    uint32_t pid)
{
	const struct bh_kfunc_arg *a = &meta->k->args[i];
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	const struct btf *rb = src_btf(v, r->btf_src);
	const struct btf_type *pt = btf__type_by_id(meta->btf, pid), *rt;
	bool strict;
	char ts[64], es[64];

	if (r->type != BH_PTR_TO_BTF_ID ||
	    ((r->flags & ~(BH_PTR_TRUSTED | BH_MEM_ALLOC | BH_NON_OWN_REF)) &&
	     !is_rcu_reg(r))) {
		kreg_type_str(ts, sizeof(ts), v, r, r->flags);
		kreg_type_str(es, sizeof(es), v, r,
			      r->flags & (BH_PTR_TRUSTED | BH_MEM_ALLOC |
					  BH_NON_OWN_REF));
		bh_log(v, "arg#%d is %s ", i, ts);
		return bh_reject(v, "expected %s or socket", es);
	}
	if (!rb)
		return bh_reject(v, "kfunc %s: no host BTF for R%u's type",
				 meta->k->name, regno);
	rt = btf__type_by_id(rb, bh_vskip_mods(rb, r->btf_id));
	strict = ((a->contract & KF_ARG_RELEASE) && r->ref_obj_id) ||
		 nocast_alias(tname(rb, rt), tname(meta->btf, pt));
	/* a program object is never a host struct, whatever its name */
	if (r->btf_src == BH_BTF_SRC_PROG ||
	    !struct_ids_match(rb, r->btf_id, r->off, meta->btf, pid, strict))
		return bh_reject(v,
				 "kernel function %s args#%d expected pointer "
				 "to %s %s but R%u has a pointer to %s %s",
				 meta->k->name, i, kind_str(pt),
				 tname(meta->btf, pt), regno, kind_str(rt),
				 tname(rb, rt));
	return 0;
}

/* KF_ARG_PTR_TO_DYNPTR: a local dynptr on the stack.  __uninit: the
 * clone of bpf_dynptr_clone has its parent's type; any other constructor
 * is a host's (bpfhost_dynptr_init), which makes local dynptrs (the
 * kernel has no generic constructors). */
static int process_dynptr_arg(struct bh_venv *v, struct kfunc_meta *meta, int i)
{
	const struct bh_kfunc *k = meta->k;
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];

	if (r->type != BH_PTR_TO_STACK)
		return bh_reject(v,
				 "arg#%d expected pointer to stack or const "
				 "struct bpf_dynptr",
				 i);
	if (k->args[i].annot & BH_ANN_UNINIT) {
		if (strcmp(k->name, "bpf_dynptr_clone"))
			return process_dynptr_func(v, regno, true,
						   BH_DYNPTR_LOCAL, 0, NULL);
		if (!meta->dynptr_found)
			return bh_bug(v, "no dynptr type for parent of clone");
		/* a clone shares its parent's reference */
		return process_dynptr_func(v, regno, true, meta->dynptr.type,
					   meta->dynptr.ref_obj_id, NULL);
	}
	meta->dynptr_found = true;
	return process_dynptr_func(v, regno, false, BH_DYNPTR_INVALID, 0,
				   &meta->dynptr);
}

/*
 * KF_ARG_PTR_TO_KPTR (KF_KPTR_GET, kernels 6.0-6.3): arg#0 is the address
 * of a referenced __kptr field of a map value, at a constant offset, and
 * the field's type is exactly the struct the kfunc's T ** points to
 * (strict: no first-member match), with the 6.1 kernel's messages.  The
 * registry has already refused a first parameter that is not T **.
 */
static int process_kptr_get_arg(struct bh_venv *v, struct kfunc_meta *meta)
{
	const struct bh_kfunc *k = meta->k;
	const struct btf *b = meta->btf, *pb = v->env->prog_btf;
	struct bh_reg *r = &cur_regs(v)[1];
	const struct bh_verify_map *m;
	const struct btf_type *t, *pt;
	struct bh_kptr_type kt;
	struct bh_field f;
	uint32_t pid;
	int64_t off;
	int err;

	err = check_arg_reg_off(v, 1, false);
	if (err)
		return err;
	if (r->type != BH_PTR_TO_MAP_VALUE || r->flags)
		return bh_reject(v, "arg#0 expected pointer to map value");
	if (!bh_tnum_is_const(r->s.var_off))
		return bh_reject(v, "arg#0 must have constant offset");
	off = (int64_t)(r->s.var_off.value + (uint64_t)(int64_t)r->off);
	m = &v->env->maps[r->map_idx];
	if (!pb || !m->def->btf_value_type_id ||
	    !bh_find_field(pb, m->def->btf_value_type_id, off, off + 1, &f) ||
	    f.off != off || f.type != BH_FIELD_KPTR_REF)
		return bh_reject(
			v, "arg#0 no referenced kptr at map value offset=%llu",
			(unsigned long long)off);
	err = bh_kptr_type(v, &f, &kt);
	if (err)
		return err;
	t = btf__type_by_id(b, bh_vskip_mods(b, k->args[0].type_id));
	t = t ? btf__type_by_id(b, bh_vskip_mods(b, t->type)) : NULL;
	pid = t ? bh_vskip_mods(b, t->type) : 0;
	pt = btf__type_by_id(b, pid);
	if (!pt || !btf_is_struct(pt))
		return bh_bug(v,
			      "kptr_get kfunc %s without T ** first argument",
			      k->name);
	if (!bh_struct_ids_match(v, k->func.src, pid, 0, kt.src, kt.id, true))
		return bh_reject(
			v,
			"kernel function %s args#0 expected pointer to %s %s",
			k->name, kind_str(pt), tname(b, pt));
	return 0;
}

/* The graph kfuncs (is_bpf_list_api_kfunc, is_bpf_rbtree_api_kfunc): the
 * root each works on, whether it inserts the owning reference it is given
 * (push, add) and whether it returns an owning one (pop, remove). */
static const struct graph_kfunc {
	const char *name;
	enum bh_field_type root;
	bool insert, owning_ret;
} graph_kfuncs[] = {
	{"bpf_list_push_front_impl", BH_FIELD_LIST_HEAD, true, false},
	{"bpf_list_push_back_impl", BH_FIELD_LIST_HEAD, true, false},
	{"bpf_list_pop_front", BH_FIELD_LIST_HEAD, false, true},
	{"bpf_list_pop_back", BH_FIELD_LIST_HEAD, false, true},
	{"bpf_list_front", BH_FIELD_LIST_HEAD, false, false},
	{"bpf_list_back", BH_FIELD_LIST_HEAD, false, false},
	{"bpf_rbtree_add_impl", BH_FIELD_RB_ROOT, true, false},
	{"bpf_rbtree_remove", BH_FIELD_RB_ROOT, false, true},
	{"bpf_rbtree_first", BH_FIELD_RB_ROOT, false, false},
	{"bpf_rbtree_root", BH_FIELD_RB_ROOT, false, false},
	{"bpf_rbtree_left", BH_FIELD_RB_ROOT, false, false},
	{"bpf_rbtree_right", BH_FIELD_RB_ROOT, false, false},
};

static const struct graph_kfunc *graph_kfunc(const char *name)
{
	for (size_t i = 0; i < sizeof(graph_kfuncs) / sizeof(graph_kfuncs[0]);
	     i++)
		if (!strcmp(name, graph_kfuncs[i].name))
			return &graph_kfuncs[i];
	return NULL;
}

static bool is_graph_kfunc(const char *name)
{
	return graph_kfunc(name) != NULL;
}

static bool has_refcount(const struct btf *b, uint32_t id);
static bool has_graph_field(const struct btf *b, uint32_t id, bool nodes);

/* ref_set_non_owning()'s flags: a refcounted object's non-owning
 * references are RCU pointers too */
static uint32_t non_owning_flags(const struct bh_venv *v, uint32_t btf_id)
{
	return BH_MEM_ALLOC | BH_NON_OWN_REF |
	       (has_refcount(v->env->prog_btf, btf_id) ? BH_MEM_RCU : 0);
}

static int process_alloc_arg(struct bh_venv *v, struct kfunc_meta *meta, int i,
			     bool trusted, bool release);
static int process_refcounted_arg(struct bh_venv *v, struct kfunc_meta *meta,
				  int i, bool release);
static int process_graph_root_arg(struct bh_venv *v, struct kfunc_meta *meta,
				  int i, enum bh_field_type root);
static int process_graph_node_arg(struct bh_venv *v, struct kfunc_meta *meta,
				  int i, enum bh_field_type node);
static int process_callback_arg(struct bh_venv *v, struct kfunc_meta *meta,
				int i);

/* One pointer argument; *skip_next when it consumed a __sz argument. */
static int check_ptr_arg(struct bh_venv *v, struct kfunc_meta *meta, int i,
			 bool *skip_next)
{
	const struct bh_kfunc *k = meta->k;
	const struct bh_kfunc_arg *a = &k->args[i];
	const struct btf *b = meta->btf;
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	const uint32_t unsupported =
		BH_ANN_UNINIT | BH_ANN_ALLOC | BH_ANN_REFCOUNTED_KPTR;
	bool trusted = (a->contract & KF_ARG_TRUSTED) || meta->releases;
	bool rcu = a->contract & KF_ARG_RCU;
	bool nullable = a->contract & KF_ARG_NULLABLE;
	bool pair = i + 1 < k->nargs &&
		    (k->args[i + 1].annot & (BH_ANN_SZ | BH_ANN_SZK));
	bool release = (a->contract & KF_ARG_RELEASE) && r->ref_obj_id;
	const struct btf_type *t, *raw, *pt;
	uint32_t pid;
	uint64_t kv;
	int err;

	*skip_next = false;
	t = btf__type_by_id(b, bh_vskip_mods(b, a->type_id));
	raw = t ? btf__type_by_id(b, t->type) : NULL;
	pid = t ? bh_vskip_mods(b, t->type) : 0;
	pt = btf__type_by_id(b, pid);
	if ((k->flags & KF_KPTR_GET) && i == 0)
		return process_kptr_get_arg(v, meta);
	if ((trusted || rcu) && !nullable &&
	    ((is_reg_const(r, &kv) && !kv) || (r->flags & BH_PTR_MAYBE_NULL)))
		return bh_reject_err(
			v, -EACCES,
			"Possibly NULL pointer passed to trusted arg%d", i);
	if (r->ref_obj_id) {
		meta->ref_obj_id = r->ref_obj_id;
		if (a->contract & KF_ARG_RELEASE)
			meta->release_regno = regno;
	}
	/* classification, in get_kfunc_ptr_arg_type()'s order */
	if (nullable && !pair && is_reg_const(r, &kv) && !kv)
		return 0;
	if (pt && btf_is_struct(pt) && !strcmp(tname(b, pt), "bpf_dynptr"))
		return process_dynptr_arg(v, meta, i);
	if (pt && btf_is_struct(pt) && !strcmp(tname(b, pt), "bpf_list_head"))
		return process_graph_root_arg(v, meta, i, BH_FIELD_LIST_HEAD);
	if (pt && btf_is_struct(pt) && !strcmp(tname(b, pt), "bpf_rb_root"))
		return process_graph_root_arg(v, meta, i, BH_FIELD_RB_ROOT);
	if (pt && btf_is_struct(pt) && !strcmp(tname(b, pt), "bpf_list_node"))
		return process_graph_node_arg(v, meta, i, BH_FIELD_LIST_NODE);
	if (pt && btf_is_struct(pt) && !strcmp(tname(b, pt), "bpf_rb_node"))
		return process_graph_node_arg(v, meta, i, BH_FIELD_RB_NODE);
	if (pt && btf_is_func_proto(pt) &&
	    (is_graph_kfunc(k->name) ||
	     !strcmp(k->name, "bpf_wq_set_callback_impl")))
		return process_callback_arg(v, meta, i);
	if (pt && btf_is_struct(pt) && !strcmp(tname(b, pt), "bpf_wq")) {
		uint32_t mi;

		if (r->type != BH_PTR_TO_MAP_VALUE)
			return bh_reject(
				v, "arg#%d doesn't point to a map value", i);
		err = bh_check_map_field_ptr(v, regno, BH_FIELD_WQ, &mi);
		if (!err)
			meta->wq_map = mi + 1;
		return err;
	}
	if (a->annot & BH_ANN_ALLOC)
		return process_alloc_arg(v, meta, i, trusted || rcu, release);
	if (a->annot & BH_ANN_REFCOUNTED_KPTR)
		return process_refcounted_arg(v, meta, i, release);
	if (a->annot & BH_ANN_STR) {
		if (r->type != BH_PTR_TO_MAP_VALUE || r->flags)
			return bh_reject(
				v, "arg#%d doesn't point to a const string", i);
		return check_const_str(v, regno, NULL, NULL);
	}
	/* a struct bpf_map *: the runtime passes its map */
	if (a->annot & BH_ANN_MAP) {
		if (r->type != BH_CONST_PTR_TO_MAP)
			return bh_reject(v, "pointer in R%u isn't map pointer",
					 regno);
		/* bpf_wq_init: the work item's own map (map_uid 0: bpfhost
		 * has no inner maps) */
		if (meta->wq_map && meta->wq_map != r->map_idx + 1)
			return bh_reject(
				v,
				"workqueue pointer in R1 map_uid=0 doesn't "
				"match map pointer in R%u map_uid=0",
				regno);
		return check_arg_reg_off(v, regno, false);
	}
	if (a->annot & BH_ANN_IRQ_FLAG)
		return process_irq_flag_arg(v, k, i);
	if (pt && btf_is_struct(pt) &&
	    !strcmp(tname(b, pt), "bpf_res_spin_lock"))
		return process_res_lock_arg(v, meta, i);
	if (a->annot & unsupported)
		return bh_reject(v,
				 "kfunc %s arg#%d ('%s'): this argument kind "
				 "is not supported by the verifier yet",
				 k->name, i, a->name);
	if (a->contract & KF_ARG_ACQUIRE_INTO)
		return bh_reject(v,
				 "kfunc %s arg#%d ('%s'): KF_ARG_ACQUIRE_INTO "
				 "is not supported by the verifier yet",
				 k->name, i, a->name);
	if ((is_iter_kfunc(k) && i == 0) || (a->annot & BH_ANN_ITER)) {
		err = check_arg_reg_off(v, regno, false);
		return err ? err : process_iter_arg(v, meta, i, pid);
	}
	if (r->type == BH_PTR_TO_BTF_ID) {
		if (!pt || !btf_is_composite(pt))
			return bh_reject(v,
					 "kernel function %s args#%d pointer "
					 "type %s %s is not supported",
					 k->name, i, kind_str(pt),
					 tname(b, pt));
		if ((trusted || rcu) && !is_trusted_reg(r)) {
			if (!rcu)
				return bh_reject(
					v, "R%u must be referenced or trusted",
					regno);
			if (!is_rcu_reg(r))
				return bh_reject(v, "R%u must be a rcu pointer",
						 regno);
		}
		err = check_arg_reg_off(v, regno, release);
		return err ? err : check_btf_id_arg(v, meta, i, pid);
	}
	if (pt && btf_is_func_proto(pt))
		return bh_reject(v,
				 "kfunc %s arg#%d ('%s'): callback arguments "
				 "are not supported by the verifier yet",
				 k->name, i, a->name);
	if (!is_scalar_type(pt) && !(pt && is_scalar_struct(v, b, pt, 0)) &&
	    !(pair && (!pt || btf_is_void(pt))))
		return bh_reject(v,
				 "arg#%d pointer type %s %s must point to "
				 "%sscalar, or struct with scalar",
				 i, kind_str(pt), tname(b, pt),
				 pair ? "void, " : "");
	err = check_arg_reg_off(v, regno, release);
	if (err)
		return err;
	if (pair) {
		bool rdonly = raw && btf_is_const(raw);
		uint64_t size;
		char msg[96];

		*skip_next = true;
		err = check_reg_read(v, regno + 1);
		if (err)
			return err;
		if (!(is_reg_const(r, &kv) && !kv) || !nullable) {
			err = check_const_size(v, regno + 1, true, &size);
			if (!err)
				err = check_mem_arg(v, regno, size, !rdonly,
						    true);
			if (err) {
				snprintf(msg, sizeof(msg),
					 "arg#%d arg#%d memory, len pair leads "
					 "to invalid memory access",
					 i, i + 1);
				return reject_over(v, err, msg);
			}
		}
		if (k->args[i + 1].annot & BH_ANN_SZK) {
			struct bh_reg *sz = &cur_regs(v)[regno + 1];

			if (!bh_tnum_is_const(sz->s.var_off))
				return bh_reject(v,
						 "R%u must be a known constant",
						 regno + 1);
			meta->const_found = true;
			meta->const_value = sz->s.var_off.value;
		}
		return 0;
	}
	{
		long sz = pt ? btf__resolve_size(b, pid) : -1;

		if (sz <= 0)
			return bh_reject(v,
					 "arg#%d reference type('%s %s') size "
					 "cannot be determined: %ld",
					 i, kind_str(pt), tname(b, pt), sz);
		return check_mem_arg(v, regno, (uint64_t)sz,
				     !(raw && btf_is_const(raw)), false);
	}
}

static int check_kfunc_args(struct bh_venv *v, struct kfunc_meta *meta)
{
	const struct bh_kfunc *k = meta->k;

	for (int i = 0; i < k->nargs; i++) {
		const struct bh_kfunc_arg *a = &k->args[i];
		bool skip = false;
		int err;

		if (a->annot & (BH_ANN_PROG | BH_ANN_IGN))
			continue; /* the runtime supplies or ignores it */
		err = check_reg_read(v, (uint32_t)i + 1);
		if (err)
			return err;
		if (!a->is_ptr)
			err = check_scalar_arg(v, meta, i);
		else
			err = check_ptr_arg(v, meta, i, &skip);
		if (err)
			return err;
		if (skip)
			i++;
	}
	if (meta->releases && !meta->release_regno)
		return bh_reject(v,
				 "release kernel function %s expects "
				 "refcounted PTR_TO_BTF_ID",
				 k->name);
	return 0;
}

/* ---- RCU read sections (§7.2) ---- */

static void rcu_reg_untrusted(struct bh_reg *r)
{
	if (r->flags & BH_MEM_RCU) {
		r->flags &= ~(BH_MEM_RCU | BH_PTR_MAYBE_NULL);
		r->flags |= BH_PTR_UNTRUSTED;
	}
}

/* The section ends: RCU pointers (registers, spills, iterators) can no
 * longer be trusted. */
static void invalidate_rcu_regs(struct bh_vstate *st)
{
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (int r = 0; r < BH_MAX_REG; r++)
			rcu_reg_untrusted(&f->regs[r]);
		for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++) {
			uint8_t t = f->stack[spi].slot_type[0];

			if (t == BH_STACK_SPILL || t == BH_STACK_ITER)
				rcu_reg_untrusted(&f->stack[spi].spilled);
		}
	}
}

static int process_rcu(struct bh_venv *v, const struct bh_kfunc *k,
		       bool sleepable)
{
	struct bh_vstate *st = v->cur;
	bool lock = !strcmp(k->name, "bpf_rcu_read_lock");
	bool unlock = !strcmp(k->name, "bpf_rcu_read_unlock");

	if (st->active_rcu_lock) {
		if (lock)
			return bh_reject(
				v, "nested rcu read lock (kernel function %s)",
				k->name);
		if (unlock) {
			invalidate_rcu_regs(st);
			st->active_rcu_lock = 0;
		} else if (sleepable) {
			return bh_reject_err(v, -EACCES,
					     "kernel func %s is sleepable "
					     "within rcu_read_lock region",
					     k->name);
		}
	} else if (lock) {
		st->active_rcu_lock = 1;
	} else if (unlock) {
		return bh_reject(
			v, "unmatched rcu read unlock (kernel function %s)",
			k->name);
	}
	return 0;
}

int check_rcu_section_exit(struct bh_venv *v, const char *prefix)
{
	if (v->cur->active_rcu_lock)
		return bh_reject(
			v,
			"%s cannot be used inside bpf_rcu_read_lock-ed region",
			prefix);
	return 0;
}

/* ---- the call ---- */

static bool has_ref(const struct bh_vstate *st, uint32_t id)
{
	for (uint32_t i = 0; i < st->acquired_refs; i++)
		if (st->refs[i].id == id)
			return true;
	return false;
}

static int mark_obj_ret(struct bh_venv *v, const struct kfunc_meta *meta);

/* R0 from the BTF return type (§5.6). */
static int mark_kfunc_ret(struct bh_venv *v, const struct kfunc_meta *meta)
{
	const struct bh_kfunc *k = meta->k;
	const struct btf *b = meta->btf;
	struct bh_reg *r0 = &cur_regs(v)[0];
	const struct btf_type *t, *pt;
	uint32_t pid, id;
	int err;

	if (!k->ret_type_id)
		return 0;
	if (!k->ret_ptr) {
		mark_reg_unknown(r0);
		/* the path where the lock was taken (push_res_lock_fail) */
		if (!strcmp(k->name, "bpf_res_spin_lock") ||
		    !strcmp(k->name, "bpf_res_spin_lock_irqsave"))
			mark_reg_known(r0, 0);
		return 0;
	}
	t = btf__type_by_id(b, bh_vskip_mods(b, k->ret_type_id));
	pid = t && btf_is_ptr(t) ? bh_vskip_mods(b, t->type) : 0;
	pt = pid ? btf__type_by_id(b, pid) : NULL;
	err = mark_obj_ret(v, meta);
	if (err < 0)
		return err;
	if (err == 0)
		goto ret_flags;
	if ((k->flags & KF_ACQUIRE) && !(pt && btf_is_struct(pt)))
		return bh_reject(v, "acquire kernel function does not return "
				    "PTR_TO_BTF_ID");
	if (!strcmp(k->name, "bpf_dynptr_slice") ||
	    !strcmp(k->name, "bpf_dynptr_slice_rdwr")) {
		bool rdwr = k->name[16] == '_';

		if (!meta->const_found || !meta->dynptr_found)
			return bh_bug(
				v, "bpf_dynptr_slice(_rdwr) no constant size");
		/* may_access_direct_pkt_data(BPF_WRITE): none of bpfhost's
		 * program types (syscall, tracing) may */
		if (rdwr)
			return bh_reject(v, "the prog does not allow writes to "
					    "packet data");
		if (meta->const_value > UINT32_MAX)
			return bh_reject(v, "%s: size %llu is too large",
					 k->name,
					 (unsigned long long)meta->const_value);
		mark_reg_ptr(r0, BH_PTR_TO_MEM, BH_MEM_RDONLY);
		r0->mem_size = (uint32_t)meta->const_value;
		r0->dynptr_id = meta->dynptr.id;
		if (k->flags & KF_RET_NULL) {
			r0->flags |= BH_PTR_MAYBE_NULL;
			r0->id = bh_new_id(v);
		}
		return 0;
	}
	if (!pt || btf_is_void(pt)) {
		mark_reg_unknown(r0); /* void *: a number, not a pointer */
		return 0;
	}
	if (btf_is_composite(pt)) {
		/* as in the kernel: a plain typed pointer, trusted only
		 * through its reference (ref_obj_id) when acquired */
		uint32_t flags = 0;

		if (k->flags & KF_ITER_NEXT)
			flags = iter_slot(v->cur, meta)->spilled.flags &
						BH_MEM_RCU
					? BH_MEM_RCU
					: BH_PTR_TRUSTED;
		else if (k->flags & KF_RCU_PROTECTED)
			flags = BH_MEM_RCU;
		mark_reg_ptr(r0, BH_PTR_TO_BTF_ID, flags);
		r0->btf_src = k->func.src;
		r0->btf_id = pid;
	} else {
		long sz = meta->r0_size ? (long)meta->r0_size
					: btf__resolve_size(b, pid);
		bool rdonly = !meta->r0_size || meta->r0_rdonly;

		if (sz <= 0)
			return bh_reject(v,
					 "kernel function %s returns pointer "
					 "type %s %s is not supported",
					 k->name, kind_str(pt), tname(b, pt));
		/* mem_size is 32 bits, as the kernel's: a larger constant
		 * is truncated, never widened */
		mark_reg_ptr(r0, BH_PTR_TO_MEM, rdonly ? BH_MEM_RDONLY : 0);
		r0->mem_size = (uint32_t)sz;
		/* dies with the object (or iterator) it came from */
		r0->ref_obj_id = meta->ref_obj_id;
		if (k->flags & KF_RCU_PROTECTED)
			r0->flags |= BH_MEM_RCU;
	}
ret_flags:
	/* a count the program holds a reference to cannot be zero: the
	 * kernel's refcount_acquire of an owning reference never fails
	 * (bpfhost asks for the reference itself, not only a non-owning
	 * type: an RCU pointer's count may already be zero here) */
	if ((k->flags & KF_RET_NULL) &&
	    !(meta->arg_owning_ref &&
	      !strcmp(k->name, "bpf_refcount_acquire_impl"))) {
		r0->flags |= BH_PTR_MAYBE_NULL;
		r0->id = bh_new_id(v);
	}
	if (k->flags & KF_ACQUIRE) {
		err = acquire_reference(v, &id);
		if (err)
			return err;
		if (k->flags & KF_RET_NULL)
			r0->id = id;
		r0->ref_obj_id = id;
	}
	return 0;
}

/* Every copy of the owning reference id becomes a non-owning one. */
static void set_non_owning(struct bh_venv *v, uint32_t id)
{
	struct bh_vstate *st = v->cur;

	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (int r = 0; r < BH_MAX_REG; r++)
			if (f->regs[r].ref_obj_id == id) {
				f->regs[r].ref_obj_id = 0;
				f->regs[r].flags |=
					non_owning_flags(v, f->regs[r].btf_id);
			}
		for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++)
			if (f->stack[spi].slot_type[0] == BH_STACK_SPILL &&
			    f->stack[spi].spilled.ref_obj_id == id) {
				struct bh_reg *sr = &f->stack[spi].spilled;

				sr->ref_obj_id = 0;
				sr->flags |= non_owning_flags(v, sr->btf_id);
			}
	}
}

void bh_invalidate_non_owning_refs(struct bh_venv *v)
{
	struct bh_vstate *st = v->cur;

	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (int r = 0; r < BH_MAX_REG; r++)
			if (is_pointer(&f->regs[r]) &&
			    (f->regs[r].flags & BH_NON_OWN_REF))
				mark_reg_unknown(&f->regs[r]);
		for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++)
			if (f->stack[spi].slot_type[0] == BH_STACK_SPILL &&
			    is_pointer(&f->stack[spi].spilled) &&
			    (f->stack[spi].spilled.flags & BH_NON_OWN_REF))
				mark_reg_unknown(&f->stack[spi].spilled);
	}
}

/* kfunc_spin_allowed(): the graph API, bpf_iter_num_*, the
 * bpf_res_spin_lock kfuncs (of which only the same lock again is refused,
 * by locks.c) */
bool bh_kfunc_spin_allowed(struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_kfunc *k = bh_insn_kfunc(v, in);
	bool lock, irq;

	/* is_bpf_graph_api_kfunc() and the others */
	return k && (graph_kfunc(k->name) ||
		     !strcmp(k->name, "bpf_refcount_acquire_impl") ||
		     !strncmp(k->name, "bpf_iter_num_", 13) ||
		     is_res_lock_kfunc(k->name, &lock, &irq));
}

bool bh_is_rbtree_add_insn(const struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_kfunc *k = bh_insn_kfunc(v, in);

	return k && !strcmp(k->name, "bpf_rbtree_add_impl");
}

bool bh_in_rbtree_cb(const struct bh_venv *v)
{
	/* the kernel's in_rbtree_lock_required_cb() looks at the current
	 * frame only; a static subprogram the callback calls could then
	 * unlock or change the tree while it is being walked, so any frame
	 * counts here */
	for (uint32_t fi = v->cur->curframe; fi > 0; fi--) {
		const struct bh_func_state *f = v->cur->frame[fi];

		if (f->in_callback_fn && f->callsite >= 0 &&
		    bh_is_rbtree_add_insn(v, &v->env->insns[f->callsite]))
			return true;
	}
	return false;
}

/* set_rbtree_add_callback_state(): less(a, b) sees two non-owning
 * references to nodes of the tree's type, and returns a bool */
static void set_rbtree_add_cb_state(const struct bh_venv *v,
				    struct bh_func_state *callee,
				    const struct kfunc_meta *meta)
{
	for (uint32_t r = 1; r <= 2; r++) {
		struct bh_reg *reg = &callee->regs[r];

		mark_reg_ptr(reg, BH_PTR_TO_BTF_ID,
			     non_owning_flags(v, meta->graph_value_id));
		reg->btf_src = BH_BTF_SRC_PROG;
		reg->btf_id = meta->graph_value_id;
		reg->off = (int32_t)meta->graph_node_off;
	}
	callee->in_callback_fn = true;
	callee->callback_ret_min = 0;
	callee->callback_ret_max = 1;
}

int check_kfunc_call(struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_verify_env *env = v->env;
	const struct bh_kfunc *k = NULL, *any;
	struct kfunc_meta meta = {0};
	bool sleepable;
	int err;

	if (env->kfuncs)
		k = bh_kfunc_by_btf(env->kfuncs, (uint16_t)in->off,
				    (uint32_t)in->imm, kfunc_hook(env));
	if (!k) {
		any = env->kfuncs
			      ? bh_kfunc_by_btf(env->kfuncs, (uint16_t)in->off,
						(uint32_t)in->imm, NULL)
			      : NULL;
		if (any)
			return bh_reject_err(
				v, -EACCES,
				"calling kernel function %s is not allowed",
				any->name);
		return bh_reject(v, "kernel btf_id %d is not a function",
				 in->imm);
	}
	meta.k = k;
	meta.btf = src_btf(v, k->func.src);
	meta.func_id = in->imm;
	if (!meta.btf)
		return bh_reject(v, "kfunc %s: no host BTF", k->name);
	for (int i = 0; i < k->nargs; i++)
		if (k->args[i].contract & KF_ARG_RELEASE)
			meta.releases = true;
	if ((!strcmp(k->name, "bpf_res_spin_lock") ||
	     !strcmp(k->name, "bpf_res_spin_lock_irqsave")) &&
	    (err = push_res_lock_fail(v)))
		return err;
	/* clang's trap: only unreachable copies may stay in a program */
	if (!strcmp(k->name, "__bpf_trap"))
		return bh_reject(v, "unexpected __bpf_trap() due to "
				    "uninitialized variable?");
	if ((k->flags & KF_DESTRUCTIVE) &&
	    !(env->type->caps & BPFHOST_CAP_DESTRUCTIVE))
		return bh_reject_err(v, -EACCES,
				     "destructive kfunc calls require "
				     "CAP_SYS_BOOT capability");
	sleepable = k->flags & KF_SLEEPABLE;
	if (sleepable && !v->cur->in_sleepable)
		return bh_reject_err(
			v, -EACCES,
			"program must be sleepable to call sleepable kfunc %s",
			k->name);
	/* a cgroup's task list may block while it is read: sleepable
	 * programs only (bpfhost has no LSM or bpf_iter program types) */
	if (!strcmp(k->name, "bpf_iter_css_task_new") && !v->cur->in_sleepable)
		return bh_reject(v, "css_task_iter is only allowed in bpf_lsm, "
				    "bpf_iter and sleepable progs");
	err = check_kfunc_args(v, &meta);
	if (err)
		return err;
	if (!strcmp(k->name, "bpf_rbtree_add_impl")) {
		/* less runs in a queued state, its node argument still
		 * owned there; this path goes on past the call */
		struct bh_func_state *callee;

		if (!meta.has_cb || !meta.graph_value_id)
			return bh_bug(v, "%s without its callback or root",
				      k->name);
		err = bh_push_callback(v, meta.cb_subprog, &callee);
		if (err)
			return err;
		set_rbtree_add_cb_state(v, callee, &meta);
	}
	if (!strcmp(k->name, "bpf_wq_set_callback_impl")) {
		/* an async callback: verified later in a state of its own,
		 * sleepable (a work item runs in process context) */
		if (!meta.has_cb || !meta.wq_map)
			return bh_bug(v, "%s without its callback or work item",
				      k->name);
		err = bh_push_async_callback(v, meta.cb_subprog,
					     meta.wq_map - 1, true);
		if (err)
			return err;
	}
	err = process_rcu(v, k, sleepable);
	if (!err)
		err = process_preempt_irq(v, k, sleepable);
	if (err)
		return err;
	if ((k->flags & KF_RCU_PROTECTED) && !in_rcu_cs(v))
		return bh_reject_err(v, -EACCES,
				     "kernel func %s requires RCU critical "
				     "section protection",
				     k->name);
	if (meta.release_regno) {
		uint32_t id = cur_regs(v)[meta.release_regno].ref_obj_id;

		if (!has_ref(v->cur, id))
			return bh_reject(v,
					 "kfunc %s#%d reference has not been "
					 "acquired before",
					 k->name, meta.func_id);
		err = release_reference(v, id);
		if (err)
			return err;
	}
	if (meta.graph_node_ref) {
		/* ref_convert_owning_non_owning(): the list or tree owns the
		 * object now; the program's pointers stay usable until the
		 * unlock */
		set_non_owning(v, meta.graph_node_ref);
		err = release_reference(v, meta.graph_node_ref);
		if (err)
			return err;
	}
	clobber_caller_saved(v);
	err = mark_kfunc_ret(v, &meta);
	if (err)
		return err;
	if (k->flags & KF_ITER_NEXT)
		return process_iter_next_call(v, &meta);
	return 0;
}

/* ---- program-allocated objects (bpf_obj_new_impl & co., §5.6) ---- */

/*
 * The runtime hands each object kfunc call the record of its type (the
 * kernel's fixup of the hidden meta argument), so one call site serves one
 * type.
 */
static int record_obj_type(struct bh_venv *v, const char *kname, uint32_t id)
{
	struct bh_insn_aux *aux = &v->aux[v->cur->insn_idx];

	if (aux->obj_type_id && aux->obj_type_id != id)
		return bh_reject(v,
				 "%s: this call site is reached with objects "
				 "of two types (%u and %u); bpfhost passes one "
				 "type record per call site",
				 kname, aux->obj_type_id, id);
	aux->obj_type_id = id;
	return 0;
}

/* The node offset a list push or rbtree add inserts at (the kernel's
 * insert_off fixup), one per call site as the type is. */
static int record_node_off(struct bh_venv *v, const char *kname, uint32_t off)
{
	struct bh_insn_aux *aux = &v->aux[v->cur->insn_idx];

	if (aux->has_node_off && aux->node_off != off)
		return bh_reject(v,
				 "%s: this call site is reached with nodes at "
				 "two offsets (%u and %u); bpfhost passes one "
				 "node offset per call site",
				 kname, aux->node_off, off);
	aux->has_node_off = true;
	aux->node_off = off;
	return 0;
}

/* KF_ARG_PTR_TO_ALLOC_BTF_ID: an owning reference to a program object */
static int process_alloc_arg(struct bh_venv *v, struct kfunc_meta *meta, int i,
			     bool trusted, bool release)
{
	const char *kname = meta->k->name;
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	int err;

	if (trusted && !is_trusted_reg(r)) {
		if (!(meta->k->args[i].contract & KF_ARG_RCU))
			return bh_reject(v, "R%u must be referenced or trusted",
					 regno);
		if (!is_rcu_reg(r))
			return bh_reject(v, "R%u must be a rcu pointer", regno);
	}
	err = check_arg_reg_off(v, regno, release);
	if (err)
		return err;
	/* an object goes to bpf_obj_drop, a per-CPU one to
	 * bpf_percpu_obj_drop */
	if (r->type == BH_PTR_TO_BTF_ID && r->flags == BH_MEM_ALLOC) {
		if (strcmp(kname, "bpf_obj_drop_impl"))
			return bh_reject(
				v, "arg#%d expected for bpf_obj_drop_impl()",
				i);
	} else if (r->type == BH_PTR_TO_BTF_ID &&
		   r->flags == (BH_MEM_ALLOC | BH_MEM_PERCPU)) {
		if (strcmp(kname, "bpf_percpu_obj_drop_impl"))
			return bh_reject(v,
					 "arg#%d expected for "
					 "bpf_percpu_obj_drop_impl()",
					 i);
	} else {
		return bh_reject(
			v, "arg#%d expected pointer to allocated object", i);
	}
	if (!r->ref_obj_id)
		return bh_reject(v, "allocated object must be referenced");
	if (r->btf_src != BH_BTF_SRC_PROG)
		return bh_bug(v, "allocated object outside the program's BTF");
	meta->arg_btf_id = r->btf_id;
	return record_obj_type(v, kname, r->btf_id);
}

/* Whether struct id of the program's BTF has a struct bpf_refcount. */
static bool has_refcount(const struct btf *b, uint32_t id)
{
	struct bh_field f;

	return bh_find_field_of(b, id, BH_FIELD_REFCOUNT, &f);
}

/* KF_ARG_PTR_TO_REFCOUNTED_KPTR */
static int process_refcounted_arg(struct bh_venv *v, struct kfunc_meta *meta,
				  int i, bool release)
{
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	int err = check_arg_reg_off(v, regno, release);

	if (err)
		return err;
	if (r->type != BH_PTR_TO_BTF_ID || !(r->flags & BH_MEM_ALLOC))
		return bh_reject(
			v, "arg#%d is neither owning or non-owning ref", i);
	if (r->btf_src != BH_BTF_SRC_PROG)
		return bh_bug(v, "allocated object outside the program's BTF");
	if (!has_refcount(v->env->prog_btf, r->btf_id))
		return bh_reject(v,
				 "arg#%d doesn't point to a type with "
				 "bpf_refcount field",
				 i);
	meta->arg_btf_id = r->btf_id;
	meta->arg_owning_ref = r->ref_obj_id && !(r->flags & BH_NON_OWN_REF);
	return 0;
}

/* A per-CPU object's type (check_special_kfunc()): at most the per-CPU
 * allocator's unit, only scalars, no field the kernel's btf_struct_meta
 * would record (a bpf_timer is not one of those: plain bytes there). */
#define BH_PERCPU_OBJ_MAX_SIZE 512 /* BPF_GLOBAL_PERCPU_MA_MAX_SIZE */

static int check_percpu_obj_type(struct bh_venv *v, const struct btf *b,
				 uint32_t id, const struct btf_type *t)
{
	struct bh_field f;
	int64_t lo = 0;

	if (t->size > BH_PERCPU_OBJ_MAX_SIZE)
		return bh_reject(
			v,
			"bpf_percpu_obj_new type size (%u) is greater than %d",
			t->size, BH_PERCPU_OBJ_MAX_SIZE);
	if (!is_scalar_struct(v, b, t, 0))
		return bh_reject(v, "bpf_percpu_obj_new type ID argument must "
				    "be of a struct of scalars");
	while (bh_find_field(b, id, lo, t->size, &f)) {
		if (f.type != BH_FIELD_TIMER)
			return bh_reject(v,
					 "bpf_percpu_obj_new type ID argument "
					 "must not contain special fields");
		lo = (int64_t)f.off + (f.size ? f.size : 1);
	}
	return 0;
}

/* check_special_kfunc(): R0 of the allocating kfuncs is typed by the
 * program's BTF.  1 when k is not one of them. */
static int mark_obj_ret(struct bh_venv *v, const struct kfunc_meta *meta)
{
	const char *kname = meta->k->name;
	const struct btf *pb = v->env->prog_btf;
	struct bh_reg *r0 = &cur_regs(v)[0];
	const struct btf_type *t;
	uint32_t id;
	int err;

	if (!strcmp(kname, "bpf_obj_new_impl") ||
	    !strcmp(kname, "bpf_percpu_obj_new_impl")) {
		if (!meta->const_found)
			return bh_bug(v, "%s without a constant type id",
				      kname);
		if (meta->const_value > UINT32_MAX)
			return bh_reject(v, "local type ID argument must be in "
					    "range [0, U32_MAX]");
		if (!pb)
			return bh_reject(v, "bpf_obj_new/bpf_percpu_obj_new "
					    "requires prog BTF");
		id = (uint32_t)meta->const_value;
		t = btf__type_by_id(pb, id);
		if (!t || !btf_is_struct(t))
			return bh_reject(v,
					 "bpf_obj_new/bpf_percpu_obj_new type "
					 "ID argument must be of a struct");
		if (kname[4] == 'p') {
			err = check_percpu_obj_type(v, pb, id, t);
			if (err)
				return err;
		}
	} else if (graph_kfunc(kname) && graph_kfunc(kname)->insert) {
		return 1; /* int */
	} else if (graph_kfunc(kname)) {
		/* pop, remove: an owning reference (acquired by the
		 * caller's flags); the others a non-owning one, until the
		 * unlock; all point at the node (the program uses
		 * container_of) */
		if (!meta->graph_value_id)
			return bh_bug(v, "%s without a graph root", kname);
		mark_reg_ptr(
			r0, BH_PTR_TO_BTF_ID,
			graph_kfunc(kname)->owning_ret
				? BH_MEM_ALLOC
				: non_owning_flags(v, meta->graph_value_id));
		r0->btf_src = BH_BTF_SRC_PROG;
		r0->btf_id = meta->graph_value_id;
		r0->off = (int32_t)meta->graph_node_off;
		return 0;
	} else if (!strcmp(kname, "bpf_refcount_acquire_impl")) {
		id = meta->arg_btf_id;
		if (!id)
			return bh_bug(v, "%s without an object argument",
				      kname);
	} else {
		return 1;
	}
	err = record_obj_type(v, kname, id);
	if (err)
		return err;
	mark_reg_ptr(r0, BH_PTR_TO_BTF_ID,
		     BH_MEM_ALLOC | (!strcmp(kname, "bpf_percpu_obj_new_impl")
					     ? BH_MEM_PERCPU
					     : 0));
	r0->btf_src = BH_BTF_SRC_PROG;
	r0->btf_id = id;
	return 0;
}

bool bh_struct_ids_match(struct bh_venv *v, uint32_t asrc, uint32_t aid,
			 int32_t off, uint32_t bsrc, uint32_t bid, bool strict)
{
	const struct btf *a = src_btf(v, asrc), *b = src_btf(v, bsrc);

	/* the program's types and the host's are never the same type */
	if (!a || !b || (asrc == BH_BTF_SRC_PROG) != (bsrc == BH_BTF_SRC_PROG))
		return false;
	return struct_ids_match(a, aid, off, b, bid, strict);
}

/* ---- graph roots and nodes (KF_ARG_PTR_TO_LIST_HEAD / _LIST_NODE /
 * _RB_ROOT / _RB_NODE, KF_ARG_PTR_TO_CALLBACK) ---- */

/*
 * The root: a struct bpf_list_head or bpf_rb_root at a constant offset of
 * a map value, of global data (.data, .bss: a variable) or of a program
 * object the program owns, declared with __contains, whose bpf_spin_lock
 * (the same value's, section's or object's) is the one held
 * (check_reg_allocation_locked).
 */
static int process_graph_root_arg(struct bh_venv *v, struct kfunc_meta *meta,
				  int i, enum bh_field_type root)
{
	const struct graph_kfunc *gk = graph_kfunc(meta->k->name);
	const char *rname = bh_field_name(root);
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	const struct btf *b = v->env->prog_btf;
	const struct bh_verify_map *m;
	struct bh_vstate *st = v->cur;
	uint32_t type_id, lock_type, value_id = 0, node_off = 0;
	struct bh_field lock;
	uint64_t off;
	int err;

	if (!gk || gk->root != root)
		return bh_reject(v,
				 "kfunc %s arg#%d: a %s argument is not "
				 "supported by the verifier",
				 meta->k->name, i, rname);
	if (r->type == BH_PTR_TO_BTF_ID && r->flags == BH_MEM_ALLOC) {
		/* a program object the program owns */
		if (!r->ref_obj_id)
			return bh_reject(v,
					 "allocated object must be referenced");
		if (r->btf_src != BH_BTF_SRC_PROG)
			return bh_bug(
				v,
				"allocated object outside the program's BTF");
		m = NULL;
		type_id = r->btf_id;
	} else if (r->type == BH_PTR_TO_MAP_VALUE && !r->flags) {
		m = &v->env->maps[r->map_idx];
		if (m->def->kind == BH_MAPK_RODATA)
			return bh_reject(v,
					 "arg#%d: a %s in read-only data is "
					 "not supported by the verifier",
					 i, rname);
		type_id = m->def->btf_value_type_id;
	} else {
		return bh_reject(v,
				 "arg#%d expected pointer to map value or "
				 "allocated object",
				 i);
	}
	if (!bh_tnum_is_const(r->s.var_off))
		return bh_reject(v,
				 "R%u doesn't have constant offset. %s has to "
				 "be at the constant offset",
				 regno, rname);
	off = r->s.var_off.value + (uint64_t)(int64_t)r->off;
	if (!b || !type_id || off > UINT32_MAX)
		return bh_reject(v, "%s not found at offset=%llu", rname,
				 (unsigned long long)off);
	err = bh_graph_root_at(b, type_id, (uint32_t)off, root, &value_id,
			       &node_off);
	if (err == -EINVAL)
		return bh_reject(v,
				 "arg#%d: %s at offset=%llu has no usable "
				 "__contains tag",
				 i, rname, (unsigned long long)off);
	if (err)
		return bh_reject(v, "%s not found at offset=%llu", rname,
				 (unsigned long long)off);
	if (!bh_find_spin_lock(b, type_id, &lock)) {
		if (m)
			return bh_reject(v,
					 "map '%s' has no valid bpf_spin_lock",
					 m->def->name);
		return bh_reject(v, "local '%s' has no valid bpf_spin_lock",
				 tname(b, btf__type_by_id(b, type_id)));
	}
	if (!st->active_locks)
		return bh_reject(v,
				 "bpf_spin_lock at off=%u must be held for %s",
				 lock.off, rname);
	if (!bh_find_lock_state(st, BH_REF_LOCK, r->id,
				bh_reg_lock_owner(v, r, &lock_type))) {
		bh_log(v,
		       "held lock and object are not in the same allocation");
		return bh_reject(v,
				 "bpf_spin_lock at off=%u must be held for %s",
				 lock.off, rname);
	}
	/* btf_check_and_fixup_fields(): ownership never forms a cycle (a
	 * type that is both a root holder and a node holds no element
	 * type with roots), so objects nest at most three deep */
	if (!m && has_graph_field(b, type_id, true) &&
	    has_graph_field(b, value_id, false))
		return bh_reject(v,
				 "arg#%d: struct %s both holds graph roots and "
				 "is a graph node: its elements (struct %s) "
				 "cannot hold roots",
				 i, tname(b, btf__type_by_id(b, type_id)),
				 tname(b, btf__type_by_id(b, value_id)));
	meta->graph_root = root;
	meta->graph_value_id = value_id;
	meta->graph_node_off = node_off;
	return 0;
}

/* Whether struct id has a graph node (nodes) or a graph root (!nodes). */
static bool has_graph_field(const struct btf *b, uint32_t id, bool nodes)
{
	return bh_count_fields(b, id,
			       nodes ? BH_FIELD_LIST_NODE
				     : BH_FIELD_LIST_HEAD) ||
	       bh_count_fields(b, id,
			       nodes ? BH_FIELD_RB_NODE : BH_FIELD_RB_ROOT);
}

/*
 * The node: for a push or an add, an owning reference to a program object
 * of the root's __contains type, pointing at its node (which the call
 * takes); for bpf_rbtree_remove/left/right a non-owning or an owning
 * (refcounted) one, never inside a less callback.
 */
static int process_graph_node_arg(struct bh_venv *v, struct kfunc_meta *meta,
				  int i, enum bh_field_type node)
{
	const struct graph_kfunc *gk = graph_kfunc(meta->k->name);
	const char *nname = bh_field_name(node);
	uint32_t regno = (uint32_t)i + 1;
	struct bh_reg *r = &cur_regs(v)[regno];
	const struct btf *b = v->env->prog_btf;
	const struct btf_type *want, *got;
	struct bh_field f;
	int64_t off;
	int err;

	if (!gk || !meta->graph_root ||
	    bh_graph_node_of(meta->graph_root) != node)
		return bh_reject(v,
				 "kfunc %s arg#%d: a %s argument is not "
				 "supported by the verifier",
				 meta->k->name, i, nname);
	err = check_arg_reg_off(v, regno, false);
	if (err)
		return err;
	if (gk->insert) {
		if (r->type != BH_PTR_TO_BTF_ID || r->flags != BH_MEM_ALLOC)
			return bh_reject(
				v,
				"arg#%d expected pointer to allocated object",
				i);
		if (!r->ref_obj_id)
			return bh_reject(v,
					 "allocated object must be referenced");
		/* an owning node (one a list pop returned) added from a less
		 * callback would change the tree being walked: the kernel
		 * lets it through, bpfhost does not */
		if (node == BH_FIELD_RB_NODE && bh_in_rbtree_cb(v))
			return bh_reject(v, "%s not allowed in rbtree cb",
					 meta->k->name);
	} else {
		if (!(r->type == BH_PTR_TO_BTF_ID &&
		      (r->flags & BH_NON_OWN_REF)) &&
		    !r->ref_obj_id)
			return bh_reject(v,
					 "%s can only take non-owning or "
					 "refcounted bpf_rb_node pointer",
					 meta->k->name);
		if (bh_in_rbtree_cb(v))
			return bh_reject(v, "%s not allowed in rbtree cb",
					 meta->k->name);
	}
	if (!bh_tnum_is_const(r->s.var_off))
		return bh_reject(v,
				 "R%u doesn't have constant offset. %s has to "
				 "be at the constant offset",
				 regno, nname);
	off = (int64_t)r->off + (int64_t)r->s.var_off.value;
	if (r->type != BH_PTR_TO_BTF_ID || !(r->flags & BH_MEM_ALLOC) ||
	    r->btf_src != BH_BTF_SRC_PROG || off < 0 ||
	    !bh_find_field(b, r->btf_id, off, off + 1, &f) || f.type != node ||
	    f.off != off)
		return bh_reject(v, "%s not found at offset=%lld", nname,
				 (long long)off);
	want = btf__type_by_id(b, meta->graph_value_id);
	got = btf__type_by_id(b, r->btf_id);
	if (r->btf_id != meta->graph_value_id)
		return bh_reject(
			v,
			"operation on %s expects arg#%d %s at offset=%u in "
			"struct %s, but arg is at offset=%lld in struct %s",
			bh_field_name(meta->graph_root), i, nname,
			meta->graph_node_off, tname(b, want), (long long)off,
			tname(b, got));
	if (off != meta->graph_node_off)
		return bh_reject(v,
				 "arg#%d offset=%lld, but expected %s at "
				 "offset=%u in struct %s",
				 i, (long long)off, nname, meta->graph_node_off,
				 tname(b, want));
	if (!gk->insert)
		return 0;
	meta->graph_node_ref = r->ref_obj_id;
	return record_obj_type(v, meta->k->name, r->btf_id)
		       ?: record_node_off(v, meta->k->name, (uint32_t)off);
}

/* KF_ARG_PTR_TO_CALLBACK: a static subprogram (bpf_rbtree_add's less) */
static int process_callback_arg(struct bh_venv *v, struct kfunc_meta *meta,
				int i)
{
	struct bh_reg *r = &cur_regs(v)[i + 1];

	if (r->type != BH_PTR_TO_FUNC)
		return bh_reject(v, "arg%d expected pointer to func", i);
	if (v->subprogs[r->subprogno].global)
		return bh_reject(
			v,
			"global function %s as a %s callback is not supported",
			bh_subprog_name(v, r->subprogno), meta->k->name);
	meta->has_cb = true;
	meta->cb_subprog = r->subprogno;
	return 0;
}
