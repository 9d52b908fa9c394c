// SPDX-License-Identifier: BSD-2-Clause
/*
 * check_mem_access for every pointer kind but the stack (stack.c): map
 * values and keys (bounds, read-only maps, constant loads from frozen
 * maps), ctx per program type (buffer, struct ranges, typed hook args),
 * PTR_TO_MEM, PTR_TO_BTF_ID (read-only probe loads walking host BTF), and
 * the load/store/atomic instructions that use them.
 *
 * Invariant: an access is accepted only if every byte it may touch, for
 * every value the address register may hold, lies inside the object its
 * pointer type names and the access kind is allowed there; loaded values
 * are scalars (zero- or sign-extended to the load width) unless the
 * memory is a typed pointer slot.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "verifier/vinternal.h"

static int size_of(uint8_t code)
{
	switch (BH_SIZE(code)) {
	case BH_B:
		return 1;
	case BH_H:
		return 2;
	case BH_W:
		return 4;
	default:
		return 8;
	}
}

static const char *region_name(uint8_t type)
{
	return type == BH_PTR_TO_MAP_VALUE ? "map value"
	       : type == BH_PTR_TO_MAP_KEY ? "map key"
					   : "memory";
}

/* check_mem_region_access: [var + off, +size) inside [0, region) */
static int check_mem_region(struct bh_venv *v, uint32_t regno,
			    const struct bh_reg *reg, int32_t off, int size,
			    uint32_t region, bool zero_ok)
{
	const char *what = region_name(reg->type);
	const char *szname = reg->type == BH_PTR_TO_MAP_VALUE ? "value_size"
			     : reg->type == BH_PTR_TO_MAP_KEY ? "key_size"
							      : "mem_size";
	int64_t lo = reg->s.smin + off;

	if (reg->s.smin < 0 &&
	    (reg->s.smin == INT64_MIN || lo != (int64_t)(int32_t)lo || lo < 0))
		return bh_reject_err(
			v, -EACCES,
			"R%u min value is negative, either use unsigned index "
			"or do a if (index >=0) check.",
			regno);
	if (lo < 0 || (!size && !zero_ok) || lo + size > (int64_t)region) {
		bh_log_detail(v, "invalid access to %s, %s=%u off=%lld size=%d",
			      what, szname, region, (long long)lo, size);
		return bh_reject_err(
			v, -EACCES,
			"R%u min value is outside of the allowed memory range",
			regno);
	}
	if (reg->s.umax >= BH_MAX_VAR_OFF)
		return bh_reject_err(v, -EACCES,
				     "R%u unbounded memory access, make sure "
				     "to bounds check any such access",
				     regno);
	if ((int64_t)reg->s.umax + off + size > (int64_t)region ||
	    (int64_t)reg->s.umax + off < 0) {
		bh_log_detail(v, "invalid access to %s, %s=%u off=%lld size=%d",
			      what, szname, region,
			      (long long)((int64_t)reg->s.umax + off), size);
		return bh_reject_err(
			v, -EACCES,
			"R%u max value is outside of the allowed memory range",
			regno);
	}
	return 0;
}

static bool map_rdonly(const struct bh_verify_map *m)
{
	return m->frozen_rdonly || (m->def->map_flags & BH_F_RDONLY_PROG) ||
	       m->def->kind == BH_MAPK_RODATA;
}

/* in_rcu_cs(): an RCU read section, a lock, or a non-sleepable program */
static bool in_rcu_cs(const struct bh_venv *v)
{
	return v->cur->active_rcu_lock || v->cur->active_locks ||
	       !v->cur->in_sleepable;
}

/* check_map_kptr_access(): a load, or a store the field's kind allows. */
static int check_map_kptr_access(struct bh_venv *v, const struct bh_field *f,
				 int value_regno)
{
	const struct bh_insn *in = &v->env->insns[v->cur->insn_idx];
	uint8_t cls = BH_CLASS(in->code);
	struct bh_kptr_type kt;
	struct bh_reg *r;
	int err;

	if (BH_MODE(in->code) != BH_MEM)
		return bh_reject_err(v, -EACCES,
				     "kptr in map can only be accessed using "
				     "BPF_MEM instruction mode");
	if (cls != BH_LDX &&
	    (f->type == BH_FIELD_KPTR_REF || f->type == BH_FIELD_KPTR_PERCPU))
		return bh_reject_err(v, -EACCES,
				     "store to referenced kptr disallowed");
	if (cls != BH_LDX && f->type == BH_FIELD_UPTR)
		return bh_reject_err(v, -EACCES, "store to uptr disallowed");
	if (f->type == BH_FIELD_UPTR)
		return bh_reject(v,
				 "%s fields are not supported by bpfhost yet",
				 bh_field_name(f->type));
	err = bh_kptr_type(v, f, &kt);
	if (err)
		return err;
	if (cls == BH_LDX) {
		uint32_t flags = BH_PTR_MAYBE_NULL;

		/* btf_ld_kptr_type(): RCU inside a read section for the
		 * types freed after a grace period (and per-CPU objects),
		 * else untrusted */
		if (f->type == BH_FIELD_KPTR_PERCPU && in_rcu_cs(v))
			flags |= BH_MEM_RCU | BH_MEM_PERCPU;
		else if (f->type == BH_FIELD_KPTR_REF && kt.rcu_safe &&
			 in_rcu_cs(v))
			flags |= BH_MEM_RCU | (kt.local ? BH_MEM_ALLOC : 0);
		else
			flags |= BH_PTR_UNTRUSTED;
		r = &cur_regs(v)[value_regno];
		mark_reg_ptr(r, BH_PTR_TO_BTF_ID, flags);
		r->btf_src = kt.src;
		r->btf_id = kt.id;
		r->id = bh_new_id(v);
		return 0;
	}
	if (cls == BH_STX) {
		uint64_t k;

		r = &cur_regs(v)[value_regno];
		if (is_reg_const(r, &k) && !k)
			return 0;
		return check_kptr_store(v, f, &kt, (uint32_t)value_regno);
	}
	if (cls == BH_ST) {
		if (in->imm)
			return bh_reject_err(v, -EACCES,
					     "BPF_ST imm must be 0 when "
					     "storing to kptr at off=%u",
					     f->off);
		return 0;
	}
	return bh_reject_err(v, -EACCES,
			     "kptr in map can only be accessed using "
			     "BPF_LDX/BPF_STX/BPF_ST");
}

/* check_map_access()'s special fields: *kf the kptr accessed, if any. */
static int check_map_fields(struct bh_venv *v, const struct bh_reg *reg,
			    int32_t eff, int size, bool helper,
			    struct bh_field *kf)
{
	const struct bh_verify_map *m = &v->env->maps[reg->map_idx];
	const struct btf *b = v->env->prog_btf;
	int64_t lo = reg->s.smin + eff, hi = (int64_t)reg->s.umax + eff + size;
	uint64_t at = reg->s.var_off.value + (uint64_t)(int64_t)eff;
	struct bh_field f;

	kf->type = BH_FIELD_NONE;
	if (!b || !m->def->btf_value_type_id ||
	    !bh_find_field(b, m->def->btf_value_type_id, lo, hi, &f))
		return 0;
	switch (f.type) {
	case BH_FIELD_KPTR_UNREF:
	case BH_FIELD_KPTR_REF:
	case BH_FIELD_KPTR_PERCPU:
	case BH_FIELD_UPTR:
		if (helper)
			return bh_reject_err(
				v, -EACCES,
				"kptr cannot be accessed indirectly by helper");
		if (!bh_tnum_is_const(reg->s.var_off))
			return bh_reject_err(
				v, -EACCES,
				"kptr access cannot have variable offset");
		if (f.off != at)
			return bh_reject_err(
				v, -EACCES,
				"kptr access misaligned expected=%u off=%llu",
				f.off, (unsigned long long)at);
		if (size != 8)
			return bh_reject_err(v, -EACCES,
					     "kptr access size must be BPF_DW");
		*kf = f;
		return 0;
	default:
		return bh_reject_err(
			v, -EACCES,
			"%s cannot be accessed directly by load/store",
			bh_field_name(f.type));
	}
}

static int check_map_value_access(struct bh_venv *v, uint32_t regno,
				  const struct bh_reg *reg, int32_t off,
				  int size, bool write, int value_regno)
{
	const struct bh_verify_map *m = &v->env->maps[reg->map_idx];
	int32_t eff = reg->off + off;
	int dst = write ? -1 : value_regno;
	struct bh_field kf;
	int err;

	if (write && map_rdonly(m))
		return bh_reject_err(v, -EACCES,
				     "write into map forbidden, value_size=%u "
				     "off=%d size=%d",
				     m->def->value_size, eff, size);
	err = check_mem_region(v, regno, reg, eff, size, m->def->value_size,
			       false);
	if (!err)
		err = check_map_fields(v, reg, eff, size, false, &kf);
	if (err)
		return err;
	if (kf.type != BH_FIELD_NONE)
		return check_map_kptr_access(v, &kf, value_regno);
	if (write || dst < 0)
		return 0;
	if (m->frozen_rdonly && m->data && bh_tnum_is_const(reg->s.var_off)) {
		uint64_t val = 0;
		uint64_t at = reg->s.var_off.value + (uint64_t)(int64_t)eff;

		memcpy(&val, (const uint8_t *)m->data + at, (size_t)size);
		mark_reg_known(&cur_regs(v)[dst], val);
		return 0;
	}
	mark_reg_unknown(&cur_regs(v)[dst]);
	return 0;
}

/* ---- ctx ---- */

static const struct btf *host_btf(struct bh_venv *v, uint32_t src)
{
	return v->env->hbtf ? bh_hbtf_btf(v->env->hbtf, src) : NULL;
}

static bool in_ranges(const struct bh_ctx_range *r, size_t n, int32_t off,
		      int size)
{
	for (size_t i = 0; i < n; i++)
		if (off >= (int64_t)r[i].off &&
		    (int64_t)off + size <= (int64_t)r[i].off + r[i].size)
			return true;
	return false;
}

static int check_ctx_args(struct bh_venv *v, int32_t off, int size, bool write,
			  int dst)
{
	const struct bh_verify_prog_type *pt = v->env->type;
	const struct btf *b = host_btf(v, pt->ctx_btf_src);
	const struct btf_type *proto, *t;
	const struct btf_param *p;
	uint32_t arg, id;

	if (!b && pt->ctx_btf)
		b = pt->ctx_btf;
	proto = b ? btf__type_by_id(b, pt->ctx_type_id) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return bh_reject(
			v,
			"program type %s has no hook prototype to type its ctx",
			pt->name ? pt->name : "");
	arg = (uint32_t)off / 8;
	if (write || off < 0 || off % 8 || arg >= btf_vlen(proto) || size > 8)
		return bh_reject_err(
			v, -EACCES, "invalid bpf_context access off=%d size=%d",
			off, size);
	p = btf_params(proto);
	id = bh_vskip_mods(b, p[arg].type);
	t = btf__type_by_id(b, id);
	if (t && btf_is_ptr(t)) {
		uint32_t pid = bh_vskip_mods(b, t->type);
		const struct btf_type *pt2 = btf__type_by_id(b, pid);

		if (size != 8)
			return bh_reject_err(
				v, -EACCES,
				"invalid bpf_context access off=%d size=%d",
				off, size);
		if (pt2 && (btf_is_struct(pt2) || btf_is_union(pt2))) {
			struct bh_reg *r = &cur_regs(v)[dst];

			mark_reg_ptr(r, BH_PTR_TO_BTF_ID, BH_PTR_TRUSTED);
			r->btf_src = pt->ctx_btf_src;
			r->btf_id = pid;
			return 0;
		}
	}
	if (dst >= 0)
		mark_reg_unknown(&cur_regs(v)[dst]);
	return 0;
}

int bh_check_ptr_off(struct bh_venv *v, uint32_t regno, bool fixed_off_ok)
{
	const struct bh_reg *r = &cur_regs(v)[regno];
	char ts[96], tn[48];

	bh_reg_type_str(v, r, ts, sizeof(ts));
	if (!fixed_off_ok && r->off)
		return bh_reject_err(
			v, -EACCES,
			"dereference of modified %s ptr R%u off=%d disallowed",
			ts, regno, r->off);
	if (!bh_tnum_is_const(r->s.var_off) || r->s.var_off.value) {
		bh_tnum_strn(tn, sizeof(tn), r->s.var_off);
		return bh_reject_err(v, -EACCES,
				     "variable %s access var_off=%s disallowed",
				     ts, tn);
	}
	if (r->off < 0)
		return bh_reject_err(
			v, -EACCES,
			"negative offset %s ptr R%u off=%d disallowed", ts,
			regno, r->off);
	return 0;
}

static int check_ctx_access(struct bh_venv *v, uint32_t regno, int32_t off,
			    int size, bool write, int dst)
{
	const struct bh_verify_prog_type *pt = v->env->type;
	int err;

	err = bh_check_ptr_off(v, regno, false);
	if (err)
		return err;
	switch (pt->ctx_kind) {
	case BH_CTX_BUFFER:
		if (off < 0 || off % size ||
		    (pt->ctx_size && (int64_t)off + size > pt->ctx_size) ||
		    (int64_t)off + size > 0xffff)
			return bh_reject_err(
				v, -EACCES,
				"invalid bpf_context access off=%d size=%d",
				off, size);
		break;
	case BH_CTX_STRUCT:
		if (!in_ranges(write ? pt->ctx_write : pt->ctx_read,
			       write ? pt->n_ctx_write : pt->n_ctx_read, off,
			       size))
			return bh_reject_err(
				v, -EACCES,
				"invalid bpf_context access off=%d size=%d",
				off, size);
		break;
	case BH_CTX_ARGS:
		return check_ctx_args(v, off, size, write, dst);
	}
	if ((uint32_t)(off + size) > v->res->stats.max_ctx_offset)
		v->res->stats.max_ctx_offset = (uint32_t)(off + size);
	if (!write && dst >= 0)
		mark_reg_unknown(&cur_regs(v)[dst]);
	return 0;
}

/* ---- PTR_TO_BTF_ID ---- */

/* btf_struct_walk: the member covering [off, off+size) of struct id. On
 * success *ptr_id is the pointee struct of an exactly-loaded pointer
 * member, else 0 (a scalar). */
static int walk_struct(struct bh_venv *v, const struct btf *b, uint32_t id,
		       uint32_t off, int size, uint32_t *ptr_id,
		       const char **field)
{
	*field = NULL;
	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *t =
			btf__type_by_id(b, id = bh_vskip_mods(b, id));
		const struct btf_member *m;
		const char *sname;
		bool found = false;

		*ptr_id = 0;
		if (!t)
			return bh_bug(v, "bad BTF id %u", id);
		sname = btf__name_by_offset(b, t->name_off);
		if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);
			long esz = btf__resolve_size(b, a->type);

			if (esz <= 0 ||
			    (uint64_t)off + size > esz * (uint64_t)a->nelems)
				return bh_reject_err(v, -EACCES,
						     "access beyond the end of "
						     "array at off %u size %d",
						     off, size);
			if (off / esz != (off + size - 1) / esz)
				return 0; /* spans elements: a scalar read */
			off %= (uint32_t)esz;
			id = a->type;
			continue;
		}
		if (!btf_is_struct(t) && !btf_is_union(t)) {
			if (btf_is_ptr(t) && !off && size == 8) {
				uint32_t pid = bh_vskip_mods(b, t->type);
				const struct btf_type *pt =
					btf__type_by_id(b, pid);

				if (pt &&
				    (btf_is_struct(pt) || btf_is_union(pt)))
					*ptr_id = pid;
			}
			return 0; /* scalar (or pointer) member */
		}
		if ((uint64_t)off + size > t->size)
			return bh_reject_err(
				v, -EACCES,
				"access beyond struct %s at off %u size %d",
				sname, off, size);
		m = btf_members(t);
		for (int i = 0; i < btf_vlen(t); i++) {
			uint32_t moff = btf_member_bit_offset(t, i) / 8;
			long msz = btf__resolve_size(b, m[i].type);

			if (btf_member_bitfield_size(t, i) || msz <= 0)
				continue;
			if (off < moff || off >= moff + (uint64_t)msz)
				continue;
			if ((uint64_t)off + size > moff + (uint64_t)msz)
				return bh_reject_err(
					v, -EACCES,
					"access beyond the end of member %s "
					"(mend:%lu) in struct %s with off %u "
					"size %d",
					btf__name_by_offset(b, m[i].name_off),
					(unsigned long)(moff + msz), sname, off,
					size);
			off -= moff;
			id = m[i].type;
			*field = btf__name_by_offset(b, m[i].name_off);
			found = true;
			break;
		}
		if (!found)
			return 0; /* padding or bitfield: scalar */
	}
	return bh_reject(v, "BTF struct nesting too deep");
}

/* The kernel's BTF_TYPE_SAFE_RCU lists: pointer members that keep their
 * parent's trust (as MEM_RCU) inside an RCU read section. */
static bool is_safe_rcu_field(const char *sname, const char *field)
{
	static const char *const safe[][2] = {
		{"task_struct", "cpus_ptr"},
		{"task_struct", "cgroups"},
		{"task_struct", "real_parent"},
		{"task_struct", "group_leader"},
		{"cgroup", "kn"},
		{"css_set", "dfl_cgrp"},
		{"cgroup_subsys_state", "cgroup"},
	};

	if (!sname || !field)
		return false;
	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (!strcmp(sname, safe[i][0]) && !strcmp(field, safe[i][1]))
			return true;
	return false;
}

/* A host's allowlist (include/bpfhost/kfunc.h, BTF_TYPE_SAFE_*): struct
 * "<sname><suffix>" in the host BTF with a member named field. */
static bool in_host_safe_list(const struct bh_venv *v, const char *sname,
			      const char *suffix, const char *field)
{
	char name[256];
	struct bh_btf_ref ref;
	const struct btf *b;
	const struct btf_type *t;
	const struct btf_member *m;

	if (!v->env->hbtf || !sname || !field ||
	    (size_t)snprintf(name, sizeof(name), "%s%s", sname, suffix) >=
		    sizeof(name) ||
	    bh_hbtf_find_type(v->env->hbtf, name, BTF_KIND_STRUCT, &ref))
		return false;
	b = bh_hbtf_btf(v->env->hbtf, ref.src);
	t = b ? btf__type_by_id(b, ref.id) : NULL;
	if (!t)
		return false;
	m = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(b, m->name_off);

		if (mn && !strcmp(mn, field))
			return true;
	}
	return false;
}

/* The trust of a pointer loaded from a BTF pointer (check_ptr_to_btf_access):
 * walking a trusted (referenced) or RCU pointer through a member the
 * host lists as safe-trusted keeps it trusted; through an RCU-safe one
 * inside an RCU section gives an RCU pointer; anything else is
 * untrusted. */
static uint32_t loaded_ptr_flags(const struct bh_venv *v, const struct btf *b,
				 const struct bh_reg *reg, const char *field)
{
	const struct btf_type *t =
		btf__type_by_id(b, bh_vskip_mods(b, reg->btf_id));
	const char *sname = t ? btf__name_by_offset(b, t->name_off) : NULL;

	if ((reg->flags & BH_PTR_UNTRUSTED) ||
	    !(reg->ref_obj_id || (reg->flags & (BH_PTR_TRUSTED | BH_MEM_RCU))))
		return BH_PTR_UNTRUSTED;
	if (in_host_safe_list(v, sname, "__safe_trusted", field))
		return BH_PTR_TRUSTED;
	if (!(reg->flags & BH_PTR_MAYBE_NULL) && in_rcu_cs(v) &&
	    (is_safe_rcu_field(sname, field) ||
	     in_host_safe_list(v, sname, "__safe_rcu", field)))
		return BH_MEM_RCU;
	return BH_PTR_UNTRUSTED;
}

static int check_btf_access(struct bh_venv *v, uint32_t regno,
			    const struct bh_reg *reg, int32_t off, int size,
			    bool write, int dst)
{
	const struct btf *b = bh_src_btf(v, reg->btf_src);
	bool alloc = reg->flags & BH_MEM_ALLOC;
	char ts[96], tn[64];
	uint32_t ptr_id;
	const char *field;
	int err;

	bh_reg_type_str(v, reg, ts, sizeof(ts));
	/* every CPU's copies at once: only bpf_per_cpu_ptr and
	 * bpf_this_cpu_ptr make memory of them (the kernel checks this
	 * after the offsets; nothing below depends on the order) */
	if ((reg->flags & BH_MEM_PERCPU) && bh_tnum_is_const(reg->s.var_off) &&
	    !reg->s.var_off.value && reg->off + off >= 0)
		return bh_reject_err(
			v, -EACCES,
			"R%u is ptr_%s access percpu memory: off=%d", regno,
			bh_reg_btf_name(v, reg), reg->off + off);
	/* program objects may be written (they are the program's own) */
	if (write && !alloc)
		return bh_reject_err(v, -EACCES, "only read is supported");
	if (!bh_tnum_is_const(reg->s.var_off) || reg->s.var_off.value) {
		bh_tnum_strn(tn, sizeof(tn), reg->s.var_off);
		return bh_reject_err(
			v, -EACCES,
			"R%u is %s invalid variable offset: off=%d, var_off=%s",
			regno, ts, reg->off + off, tn);
	}
	if (reg->off + off < 0)
		return bh_reject_err(
			v, -EACCES, "R%u is %s invalid negative access: off=%d",
			regno, ts, reg->off + off);
	if (!b)
		return bh_reject(v, "R%u: no host BTF for %s", regno, ts);
	if (alloc) {
		struct bh_field f;

		/* a non-owning reference lives only while the lock of the
		 * list holding the object is held: it cannot be freed */
		if (write && !reg->ref_obj_id &&
		    !(reg->flags & (BH_NON_OWN_REF | BH_PCPU_COPY)))
			/* the kernel frees objects after an RCU grace
			 * period; bpfhost frees them at the last drop, so
			 * only an owner may write */
			return bh_reject_err(
				v, -EACCES,
				"R%u is %s%s: writes to a program object need "
				"an owning reference in bpfhost",
				regno, ts, bh_reg_btf_name(v, reg));
		if (bh_find_field(b, reg->btf_id, reg->off + off,
				  (int64_t)reg->off + off + size, &f))
			return bh_reject_err(
				v, -EACCES, "direct access to %s is disallowed",
				bh_field_name(f.type));
	}
	err = walk_struct(v, b, reg->btf_id, (uint32_t)(reg->off + off), size,
			  &ptr_id, &field);
	if (err)
		return err;
	/* an owner's object stays mapped, as does one on a list whose lock
	 * is held (non-owning references die at the unlock) and a per-CPU
	 * object's copy (type-stable) */
	if (!alloc || (!reg->ref_obj_id &&
		       !(reg->flags & (BH_NON_OWN_REF | BH_PCPU_COPY))))
		v->aux[v->cur->insn_idx].flags |= BH_AUX_PROBE_MEM;
	if (dst < 0)
		return 0;
	/* a pointer member of a program object reads as a number */
	if (ptr_id && !alloc) {
		struct bh_reg *r = &cur_regs(v)[dst];
		uint32_t src = reg->btf_src;

		mark_reg_ptr(r, BH_PTR_TO_BTF_ID,
			     loaded_ptr_flags(v, b, reg, field));
		r->btf_src = src;
		r->btf_id = ptr_id;
		return 0;
	}
	mark_reg_unknown(&cur_regs(v)[dst]);
	return 0;
}

/* Precision bookkeeping of a stack access, around it: before, a zero
 * register written as STACK_ZERO bytes (not a spill) must stay zero;
 * after, the jump-history record backtracking reads (which slot, and
 * whether a register was spilled or filled through it, as the kernel
 * records only those). */
static int stack_precision_before(struct bh_venv *v, const struct bh_reg *reg,
				  int32_t off, bool write, int value_regno)
{
	int64_t a = (int64_t)reg->off + off + (int64_t)reg->s.var_off.value;
	uint64_t k;

	v->stack_reg_access = false;
	if (write && value_regno >= 0 &&
	    cur_regs(v)[value_regno].type == BH_SCALAR &&
	    is_reg_const(&cur_regs(v)[value_regno], &k) && !k &&
	    (!bh_tnum_is_const(reg->s.var_off) || a % 8))
		return mark_chain_precision(v, (uint32_t)value_regno);
	return 0;
}

static int stack_precision_after(struct bh_venv *v, const struct bh_reg *reg,
				 int32_t off)
{
	uint32_t flags = BH_HIST_STACK;
	int64_t a = (int64_t)reg->off + off + (int64_t)reg->s.var_off.value;

	if (!bh_tnum_is_const(reg->s.var_off) || a >= 0 || a < -BH_MAX_STACK) {
		flags |= BH_HIST_STACK_VAR;
	} else {
		flags |=
			BH_HIST_MK_SLOT(reg->frameno, (uint32_t)((-a - 1) / 8));
		if (v->stack_reg_access)
			flags |= BH_HIST_STACK_REG;
	}
	return bh_push_jmp_history(v, v->cur, v->cur->insn_idx,
				   v->prev_insn_idx, flags);
}

int check_mem_access(struct bh_venv *v, uint32_t regno, int32_t off, int size,
		     bool write, int value_regno, bool sign_ext)
{
	struct bh_reg reg = cur_regs(v)[regno];
	char ts[96];
	int dst = write ? -1 : value_regno;
	int err;

	bh_reg_type_str(v, &reg, ts, sizeof(ts));
	if (!is_pointer(&reg) || (reg.flags & BH_PTR_MAYBE_NULL))
		return bh_reject_err(v, -EACCES, "R%u invalid mem access '%s'",
				     regno, ts);
	switch (reg.type) {
	case BH_PTR_TO_STACK:
		err = stack_precision_before(v, &reg, off, write, value_regno);
		if (err)
			return err;
		err = check_stack_access(v, &reg, off, size, write, value_regno,
					 sign_ext, regno);
		if (!err)
			err = stack_precision_after(v, &reg, off);
		break;
	case BH_PTR_TO_MAP_VALUE:
		err = check_map_value_access(v, regno, &reg, off, size, write,
					     value_regno);
		break;
	case BH_PTR_TO_MAP_KEY:
		if (write)
			return bh_reject_err(
				v, -EACCES,
				"write to change key R%u not allowed", regno);
		err = check_mem_region(v, regno, &reg, reg.off + off, size,
				       v->env->maps[reg.map_idx].def->key_size,
				       false);
		if (!err && dst >= 0)
			mark_reg_unknown(&cur_regs(v)[dst]);
		break;
	case BH_PTR_TO_MEM:
		if (write && (reg.flags & BH_MEM_RDONLY))
			return bh_reject_err(v, -EACCES,
					     "R%u cannot write into %s", regno,
					     ts);
		err = check_mem_region(v, regno, &reg, reg.off + off, size,
				       reg.mem_size, false);
		if (!err && dst >= 0)
			mark_reg_unknown(&cur_regs(v)[dst]);
		break;
	case BH_PTR_TO_CTX:
		err = check_ctx_access(v, regno, off, size, write, dst);
		break;
	case BH_PTR_TO_BTF_ID:
		err = check_btf_access(v, regno, &reg, off, size, write, dst);
		break;
	default:
		return bh_reject_err(v, -EACCES, "R%u invalid mem access '%s'",
				     regno, ts);
	}
	if (err)
		return err;
	if (dst >= 0 && size < 8 && cur_regs(v)[dst].type == BH_SCALAR) {
		struct bh_reg *r = &cur_regs(v)[dst];

		if (sign_ext)
			bh_scalar_coerce_to_size_sx(&r->s, size);
		else
			bh_scalar_coerce_to_size(&r->s, size);
		bh_scalar_sync(&r->s);
	}
	return 0;
}

int check_load(struct bh_venv *v, const struct bh_insn *in)
{
	int err = check_reg_read(v, in->src_reg);

	if (!err)
		err = check_reg_write(v, in->dst_reg);
	if (err)
		return err;
	return check_mem_access(v, in->src_reg, in->off, size_of(in->code),
				false, in->dst_reg,
				BH_MODE(in->code) == BH_MEMSX);
}

int check_store(struct bh_venv *v, const struct bh_insn *in)
{
	int err = 0;

	if (BH_CLASS(in->code) == BH_STX)
		err = check_reg_read(v, in->src_reg);
	if (!err)
		err = check_reg_read(v, in->dst_reg);
	if (err)
		return err;
	return check_mem_access(
		v, in->dst_reg, in->off, size_of(in->code), true,
		BH_CLASS(in->code) == BH_STX ? in->src_reg : -1, false);
}

int check_atomic(struct bh_venv *v, const struct bh_insn *in)
{
	int size = size_of(in->code);
	struct bh_reg *dst;
	int load_reg = -1, err;
	char ts[96];

	switch (in->imm) {
	case 0x100: /* load-acquire: dst = *(src + off) */
		err = check_reg_read(v, in->src_reg);
		if (!err)
			err = check_reg_write(v, in->dst_reg);
		if (err)
			return err;
		return check_mem_access(v, in->src_reg, in->off, size, false,
					in->dst_reg, false);
	case 0x110: /* store-release: *(dst + off) = src */
		err = check_reg_read(v, in->src_reg);
		if (!err)
			err = check_reg_read(v, in->dst_reg);
		if (err)
			return err;
		return check_mem_access(v, in->dst_reg, in->off, size, true,
					in->src_reg, false);
	case 0x00:
	case 0x40:
	case 0x50:
	case 0xa0:
		break;
	case 0x01:
	case 0x41:
	case 0x51:
	case 0xa1:
	case 0xe1:
		load_reg = in->src_reg;
		break;
	case 0xf1:
		load_reg = 0;
		break;
	default:
		return bh_reject(v,
				 "BPF_ATOMIC uses invalid atomic opcode %02x",
				 (unsigned)in->imm);
	}
	if (size != 4 && size != 8)
		return bh_reject(v, "invalid atomic operand size");
	err = check_reg_read(v, in->src_reg);
	if (!err)
		err = check_reg_read(v, in->dst_reg);
	if (!err && in->imm == 0xf1)
		err = check_reg_read(v, 0);
	if (err)
		return err;
	dst = &cur_regs(v)[in->dst_reg];
	bh_reg_type_str(v, dst, ts, sizeof(ts));
	if (dst->type != BH_PTR_TO_STACK && dst->type != BH_PTR_TO_MAP_VALUE &&
	    dst->type != BH_PTR_TO_MEM)
		return bh_reject_err(
			v, -EACCES,
			"BPF_ATOMIC stores into R%u %s is not allowed",
			in->dst_reg, ts);
	/* read half (the old value goes to load_reg), then write half */
	err = check_mem_access(v, in->dst_reg, in->off, size, false, -1, false);
	if (!err)
		err = check_mem_access(v, in->dst_reg, in->off, size, true, -2,
				       false);
	if (err)
		return err;
	if (load_reg >= 0) {
		struct bh_reg *r = &cur_regs(v)[load_reg];

		mark_reg_unknown(r);
		if (size == 4) {
			bh_scalar_coerce_to_size(&r->s, 4);
			bh_scalar_sync(&r->s);
		}
		mark_reg_scratched(v, (uint32_t)load_reg);
	}
	return 0;
}

int check_helper_mem_access(struct bh_venv *v, uint32_t regno, int32_t off,
			    uint64_t size, bool write, bool zero_ok)
{
	struct bh_reg reg = cur_regs(v)[regno];
	char ts[96];
	int err;

	bh_reg_type_str(v, &reg, ts, sizeof(ts));
	if (!size && zero_ok)
		return 0;
	if (size >= BH_MAX_VAR_OFF)
		return bh_reject_err(v, -EACCES, "R%u unbounded memory access",
				     regno);
	switch (reg.type) {
	case BH_PTR_TO_STACK:
		if (reg.flags & BH_PTR_MAYBE_NULL)
			break;
		/* check_stack_range_initialized() */
		if (!size)
			return bh_reject_err(v, -EACCES,
					     "invalid zero-sized read");
		return check_stack_range(v, &reg, off, size, write, regno);
	case BH_PTR_TO_MAP_VALUE:
		if (reg.flags & BH_PTR_MAYBE_NULL)
			break;
		if (write && map_rdonly(&v->env->maps[reg.map_idx]))
			return bh_reject_err(
				v, -EACCES,
				"write into map forbidden, value_size=%u "
				"off=%d size=%llu",
				v->env->maps[reg.map_idx].def->value_size,
				reg.off + off, (unsigned long long)size);
		err = check_mem_region(
			v, regno, &reg, reg.off + off, (int)size,
			v->env->maps[reg.map_idx].def->value_size, zero_ok);
		if (!err && size) {
			struct bh_field kf;

			err = check_map_fields(v, &reg, reg.off + off,
					       (int)size, true, &kf);
		}
		return err;
	case BH_PTR_TO_MAP_KEY:
		if (write || (reg.flags & BH_PTR_MAYBE_NULL))
			break;
		return check_mem_region(
			v, regno, &reg, reg.off + off, (int)size,
			v->env->maps[reg.map_idx].def->key_size, zero_ok);
	case BH_PTR_TO_MEM:
		if ((reg.flags & BH_PTR_MAYBE_NULL) ||
		    (write && (reg.flags & BH_MEM_RDONLY)))
			break;
		return check_mem_region(v, regno, &reg, reg.off + off,
					(int)size, reg.mem_size, zero_ok);
	default:
		break;
	}
	return bh_reject_err(v, -EACCES,
			     "R%u type=%s expected=fp, map_key, map_value, mem",
			     regno, ts);
}
