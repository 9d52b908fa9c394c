// SPDX-License-Identifier: BSD-2-Clause
/*
 * Special fields of a program-BTF struct (the kernel's btf_record, found
 * the way btf_parse_fields finds them): kptrs by their "kptr",
 * "kptr_untrusted" and "percpu_kptr" type tags, and the bpf_* structs the
 * kernel gives a meaning (refcount, locks, timers, graph roots and nodes),
 * in nested structs and arrays too.  Map values and program-allocated
 * objects are checked against them: only the kernel's ways of touching a
 * special field are allowed.
 *
 * Invariant: bh_find_field() reports a field whenever one overlaps the
 * byte range asked about; it never misses one to say "plain memory".
 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "verifier/vinternal.h"

#define MAX_FIELD_DEPTH 8

static const struct {
	const char *sname;
	enum bh_field_type type;
} struct_fields[] = {
	{"bpf_spin_lock", BH_FIELD_SPIN_LOCK},
	{"bpf_res_spin_lock", BH_FIELD_RES_SPIN_LOCK},
	{"bpf_timer", BH_FIELD_TIMER},
	{"bpf_wq", BH_FIELD_WQ},
	{"bpf_list_head", BH_FIELD_LIST_HEAD},
	{"bpf_list_node", BH_FIELD_LIST_NODE},
	{"bpf_rb_root", BH_FIELD_RB_ROOT},
	{"bpf_rb_node", BH_FIELD_RB_NODE},
	{"bpf_refcount", BH_FIELD_REFCOUNT},
	{"bpf_task_work", BH_FIELD_OTHER},
};

/* btf_field_type_name() */
const char *bh_field_name(enum bh_field_type type)
{
	switch (type) {
	case BH_FIELD_KPTR_UNREF:
		return "kptr_untrusted";
	case BH_FIELD_KPTR_REF:
		return "kptr";
	case BH_FIELD_KPTR_PERCPU:
		return "percpu_kptr";
	case BH_FIELD_UPTR:
		return "uptr";
	case BH_FIELD_OTHER:
		return "bpf_task_work";
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(struct_fields) / sizeof(struct_fields[0]);
	     i++)
		if (struct_fields[i].type == type)
			return struct_fields[i].sname;
	return "unknown";
}

/* The kind of the member whose type is id, with *pointee for kptrs. */
static enum bh_field_type member_kind(const struct btf *b, uint32_t id,
				      uint32_t *pointee)
{
	const struct btf_type *t = btf__type_by_id(b, bh_vskip_mods(b, id));
	const char *name;

	if (!t)
		return BH_FIELD_NONE;
	if (btf_is_struct(t)) {
		name = btf__name_by_offset(b, t->name_off);
		for (size_t i = 0;
		     name &&
		     i < sizeof(struct_fields) / sizeof(struct_fields[0]);
		     i++)
			if (!strcmp(name, struct_fields[i].sname))
				return struct_fields[i].type;
		return BH_FIELD_NONE;
	}
	if (!btf_is_ptr(t))
		return BH_FIELD_NONE;
	/* PTR -> TYPE_TAG(s) -> ... -> struct: the first tag names it */
	for (t = btf__type_by_id(b, t->type); t && btf_is_type_tag(t);
	     t = btf__type_by_id(b, t->type)) {
		name = btf__name_by_offset(b, t->name_off);
		*pointee = bh_vskip_mods(b, t->type);
		if (!name)
			continue;
		if (!strcmp(name, "kptr"))
			return BH_FIELD_KPTR_REF;
		if (!strcmp(name, "kptr_untrusted"))
			return BH_FIELD_KPTR_UNREF;
		if (!strcmp(name, "percpu_kptr"))
			return BH_FIELD_KPTR_PERCPU;
		if (!strcmp(name, "uptr"))
			return BH_FIELD_UPTR;
	}
	return BH_FIELD_NONE;
}

static int find_in(const struct btf *b, uint32_t id, int64_t base, int64_t lo,
		   int64_t hi, struct bh_field *f, int depth);

/* One object of type id at base: itself special, or holding one. */
static int find_one(const struct btf *b, uint32_t id, int64_t base,
		    int64_t size, int64_t lo, int64_t hi, struct bh_field *f,
		    int depth)
{
	uint32_t pointee = 0;
	enum bh_field_type k = member_kind(b, id, &pointee);

	if (k != BH_FIELD_NONE) {
		f->type = k;
		f->off = (uint32_t)base;
		f->size = (uint32_t)size;
		f->kptr_type_id = pointee;
		return 1;
	}
	return find_in(b, id, base, lo, hi, f, depth + 1);
}

static int find_in(const struct btf *b, uint32_t id, int64_t base, int64_t lo,
		   int64_t hi, struct bh_field *f, int depth)
{
	const struct btf_type *t =
		btf__type_by_id(b, id = bh_vskip_mods(b, id));
	const struct btf_member *m;

	if (!t || depth > MAX_FIELD_DEPTH)
		return 0;
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		long esz = btf__resolve_size(b, a->type);

		if (esz <= 0)
			return 0;
		/* an element type with no special field: none of them has
		 * one (a big char array costs nothing) */
		if (!find_one(b, a->type, 0, esz, 0, esz, f, depth))
			return 0;
		for (uint32_t i = 0; i < a->nelems; i++) {
			int64_t eb = base + (int64_t)i * esz;

			if (eb >= hi)
				break;
			if (eb + esz <= lo)
				continue;
			if (find_one(b, a->type, eb, esz, lo, hi, f, depth))
				return 1;
		}
		return 0;
	}
	/* global data: each variable of the section at its offset */
	if (btf_is_datasec(t)) {
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);

		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *var =
				btf__type_by_id(b, vs->type);
			int64_t voff = base + vs->offset;

			if (!var || !btf_is_var(var) || voff >= hi ||
			    voff + vs->size <= lo)
				continue;
			if (find_one(b, var->type, voff, vs->size, lo, hi, f,
				     depth))
				return 1;
		}
		return 0;
	}
	if (!btf_is_struct(t))
		return 0;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		int64_t moff = base + btf_member_bit_offset(t, (uint32_t)i) / 8;
		long msz = btf__resolve_size(b, m->type);

		if (btf_member_bitfield_size(t, (uint32_t)i) || msz <= 0 ||
		    moff >= hi || moff + msz <= lo)
			continue;
		if (find_one(b, m->type, moff, msz, lo, hi, f, depth))
			return 1;
	}
	return 0;
}

int bh_find_field(const struct btf *b, uint32_t id, int64_t lo, int64_t hi,
		  struct bh_field *f)
{
	memset(f, 0, sizeof(*f));
	if (!b || !id || hi <= lo)
		return 0;
	return find_in(b, id, 0, lo, hi, f, 0);
}

/* ---- kptr fields ---- */

/* The kernel's rcu_protected_types: host types whose objects outlive an
 * RCU grace period after their last reference. */
static bool rcu_protected_host_type(const char *name)
{
	static const char *const names[] = {
		"task_struct",
		"cgroup",
		"bpf_cpumask",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

int bh_kptr_type(struct bh_venv *v, const struct bh_field *f,
		 struct bh_kptr_type *kt)
{
	const struct btf *b = v->env->prog_btf;
	const struct btf_type *t = btf__type_by_id(b, f->kptr_type_id);
	const char *name = t ? btf__name_by_offset(b, t->name_off) : NULL;
	struct bh_btf_ref host;

	memset(kt, 0, sizeof(*kt));
	if (!t || !btf_is_struct(t))
		return bh_reject(v,
				 "kptr field at off=%u must point to a struct",
				 f->off);
	/* as the kernel looks the name up in vmlinux and modules first, a
	 * host struct of that name wins; else it is the program's own */
	if (name && name[0] && v->env->hbtf &&
	    !bh_hbtf_find_type(v->env->hbtf, name, BTF_KIND_STRUCT, &host)) {
		kt->src = host.src;
		kt->id = host.id;
		kt->rcu_safe = rcu_protected_host_type(name);
	} else {
		kt->local = true;
		kt->src = BH_BTF_SRC_PROG;
		kt->id = f->kptr_type_id;
		kt->rcu_safe = true;
	}
	return 0;
}

/* map_kptr_match_type() for a store into a __kptr_untrusted field */
int check_kptr_store(struct bh_venv *v, const struct bh_field *f,
		     const struct bh_kptr_type *kt, uint32_t regno)
{
	struct bh_reg *r = &cur_regs(v)[regno];
	const struct btf *fb = bh_src_btf(v, kt->src);
	const struct btf_type *ft = fb ? btf__type_by_id(fb, kt->id) : NULL;
	const char *fname = ft ? btf__name_by_offset(fb, ft->name_off) : "";
	bool reg_local = r->btf_src == BH_BTF_SRC_PROG;
	uint32_t perm =
		reg_local ? BH_PTR_MAYBE_NULL | BH_MEM_ALLOC
			  : BH_PTR_MAYBE_NULL | BH_PTR_TRUSTED | BH_MEM_RCU;
	char ts[96];
	int err;

	if (!reg_local && f->type == BH_FIELD_KPTR_UNREF)
		perm |= BH_PTR_UNTRUSTED;
	if (reg_local && f->type == BH_FIELD_KPTR_PERCPU)
		perm |= BH_MEM_PERCPU;
	/* the kernel names the register's type only once its flags passed */
	if (r->type != BH_PTR_TO_BTF_ID || (r->flags & ~perm))
		goto bad_type_unnamed;
	/* a per-CPU field holds per-CPU objects only (6.18 lets a plain
	 * object in, whose copies bpf_per_cpu_ptr would then look for past
	 * its end: bpfhost rejects) */
	if (f->type == BH_FIELD_KPTR_PERCPU &&
	    (!reg_local || !(r->flags & BH_MEM_PERCPU)))
		goto bad_type_unnamed;
	if (kt->local != reg_local)
		goto bad_type;
	err = bh_check_ptr_off(v, regno, true);
	if (err)
		return err;
	if (bh_struct_ids_match(v, r->btf_src, r->btf_id, r->off, kt->src,
				kt->id, f->type != BH_FIELD_KPTR_UNREF))
		return 0;
bad_type:
	bh_reg_type_str(v, r, ts, sizeof(ts));
	if (f->type == BH_FIELD_KPTR_UNREF)
		return bh_reject(v,
				 "invalid kptr access, R%u type=%s%s "
				 "expected=ptr_%s or untrusted_ptr_%s",
				 regno, ts, bh_reg_btf_name(v, r), fname,
				 fname);
	return bh_reject(v,
			 "invalid kptr access, R%u type=%s%s expected=ptr_%s",
			 regno, ts, bh_reg_btf_name(v, r), fname);
bad_type_unnamed:
	bh_reg_type_str(v, r, ts, sizeof(ts));
	if (f->type == BH_FIELD_KPTR_UNREF)
		return bh_reject(v,
				 "invalid kptr access, R%u type=%s "
				 "expected=ptr_%s or untrusted_ptr_%s",
				 regno, ts, fname, fname);
	return bh_reject(v, "invalid kptr access, R%u type=%s expected=ptr_%s",
			 regno, ts, fname);
}

bool bh_find_field_of(const struct btf *b, uint32_t id,
			enum bh_field_type type, struct bh_field *f)
{
	int64_t lo = 0;

	while (b && id && bh_find_field(b, id, lo, INT32_MAX, f)) {
		if (f->type == type)
			return true;
		lo = (int64_t)f->off + (f->size ? f->size : 1);
	}
	return false;
}

bool bh_find_spin_lock(const struct btf *b, uint32_t id, struct bh_field *f)
{
	return bh_find_field_of(b, id, BH_FIELD_SPIN_LOCK, f);
}

/* ---- graph roots (linked lists and red-black trees) ---- */

enum bh_field_type bh_graph_node_of(enum bh_field_type root)
{
	return root == BH_FIELD_LIST_HEAD ? BH_FIELD_LIST_NODE
	       : root == BH_FIELD_RB_ROOT ? BH_FIELD_RB_NODE
					  : BH_FIELD_NONE;
}

/*
 * The "contains:<struct>:<member>" decl tag on component idx of type
 * parent (a struct member, or -1: a global variable itself): the struct
 * and the offset of its member, which must be a node of kind node.
 */
static bool contains_tag(const struct btf *b, uint32_t parent, int idx,
			 enum bh_field_type node, uint32_t *value_id,
			 uint32_t *node_off)
{
	uint32_t n = btf__type_cnt(b);

	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(b, i);
		const struct btf_type *st;
		const struct btf_member *m;
		const char *v, *sep;
		char sname[128];
		int32_t sid;

		if (!btf_is_decl_tag(t) || t->type != parent ||
		    btf_decl_tag(t)->component_idx != idx)
			continue;
		v = btf__name_by_offset(b, t->name_off);
		if (!v || strncmp(v, "contains:", 9))
			continue;
		v += 9;
		sep = strchr(v, ':');
		if (!sep || sep == v || (size_t)(sep - v) >= sizeof(sname))
			return false;
		memcpy(sname, v, (size_t)(sep - v));
		sname[sep - v] = 0;
		sid = btf__find_by_name_kind(b, sname, BTF_KIND_STRUCT);
		if (sid <= 0)
			return false;
		st = btf__type_by_id(b, (uint32_t)sid);
		m = btf_members(st);
		for (int j = 0; j < btf_vlen(st); j++, m++) {
			const char *mn = btf__name_by_offset(b, m->name_off);
			uint32_t dummy = 0;

			if (!mn || strcmp(mn, sep + 1) ||
			    btf_member_bitfield_size(st, (uint32_t)j))
				continue;
			if (member_kind(b, m->type, &dummy) != node)
				return false;
			*value_id = (uint32_t)sid;
			*node_off = btf_member_bit_offset(st, (uint32_t)j) / 8;
			return true;
		}
		return false;
	}
	return false;
}

int bh_graph_root_at(const struct btf *b, uint32_t id, uint32_t off,
		     enum bh_field_type root, uint32_t *value_id,
		     uint32_t *node_off)
{
	enum bh_field_type node = bh_graph_node_of(root);
	const struct btf_type *t;
	uint32_t dummy = 0;

	id = bh_vskip_mods(b, id);
	t = b ? btf__type_by_id(b, id) : NULL;
	if (!t || node == BH_FIELD_NONE)
		return -ENOENT;
	if (btf_is_datasec(t)) {
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);

		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *var =
				btf__type_by_id(b, vs->type);

			if (!var || !btf_is_var(var) || vs->offset != off ||
			    member_kind(b, var->type, &dummy) != root)
				continue;
			return contains_tag(b, vs->type, -1, node, value_id,
					    node_off)
				       ? 0
				       : -EINVAL;
		}
		return -ENOENT;
	}
	if (!btf_is_struct(t))
		return -ENOENT;
	{
		const struct btf_member *m = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++, m++) {
			if (btf_member_bitfield_size(t, (uint32_t)i) ||
			    btf_member_bit_offset(t, (uint32_t)i) / 8 != off ||
			    member_kind(b, m->type, &dummy) != root)
				continue;
			return contains_tag(b, id, i, node, value_id, node_off)
				       ? 0
				       : -EINVAL;
		}
	}
	return -ENOENT;
}

int bh_count_fields(const struct btf *b, uint32_t id, enum bh_field_type type)
{
	const struct btf_type *t = btf__type_by_id(b, id);
	struct bh_field f;
	int64_t lo = 0;
	int n = 0;

	while (t && bh_find_field(b, id, lo, t->size, &f)) {
		if (f.type == type)
			n++;
		lo = (int64_t)f.off + (f.size ? f.size : 1);
	}
	return n;
}

uint32_t bh_reg_lock_owner(const struct bh_venv *v, const struct bh_reg *r,
			   uint32_t *type_id)
{
	if (r->type == BH_PTR_TO_MAP_VALUE) {
		*type_id = v->env->maps[r->map_idx].def->btf_value_type_id;
		return r->map_idx + 1;
	}
	if (r->type == BH_PTR_TO_BTF_ID && (r->flags & BH_MEM_ALLOC) &&
	    r->btf_src == BH_BTF_SRC_PROG) {
		*type_id = r->btf_id;
		return r->btf_id | 1u << 31;
	}
	*type_id = 0;
	return 0;
}

bool bh_reg_has_spin_lock(const struct bh_venv *v, const struct bh_reg *r)
{
	struct bh_field f;
	uint32_t type_id;

	return bh_reg_lock_owner(v, r, &type_id) &&
	       (bh_find_spin_lock(v->env->prog_btf, type_id, &f) ||
		bh_find_field_of(v->env->prog_btf, type_id,
				   BH_FIELD_RES_SPIN_LOCK, &f));
}
