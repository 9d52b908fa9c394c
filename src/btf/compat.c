// SPDX-License-Identifier: BSD-2-Clause
/*
 * Prototype compatibility between a program's `extern ... __ksym`
 * declaration and the host's kfunc, the check libbpf makes before it lets
 * a program call a kernel function (bpf_core_types_are_compat).  A pure
 * function of the two BTFs: no allocation, no state, bounded recursion.
 *
 * Rules, and where they differ from libbpf 1.x on purpose:
 *  - modifiers (const, volatile, restrict, type tags) and typedefs are
 *    looked through on both sides;
 *  - integers of any size and signedness are compatible with each other
 *    and, unlike libbpf (which wants both sides of the same kind), with
 *    enums: a host `enum e` parameter is often declared `int` by programs;
 *    bitfield-style integers (nonzero bit offset) are rejected as libbpf
 *    does;
 *  - pointers are compatible when their pointees are; `void *` only with
 *    `void *`, as in libbpf (void has kind UNKN there, and kinds must be
 *    equal), so a program cannot declare `void *` for a `struct foo *`;
 *  - structs and unions compare by name with "___flavor" suffixes ignored,
 *    and a forward declaration matches a definition of the same name and
 *    flavor of record.  libbpf accepts any two structs here; names make
 *    the check meaningful, as the kernel's own BTF_ID argument matching
 *    is by name too;
 *  - void as a return type matches only void;
 *  - arrays compare element types (not lengths, as libbpf), function
 *    prototypes compare parameter count, each parameter and the return;
 *  - floats and anything else are incompatible (libbpf's default case).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf/hbtf.h"

/* libbpf uses 32 for both the modifier chain and the nesting level. */
#define BH_COMPAT_DEPTH 32

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id,
					uint32_t *res)
{
	for (int i = 0; i < BH_COMPAT_DEPTH; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return NULL;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			*res = id;
			return t;
		}
	}
	return NULL;
}

/* Length of name without its CO-RE flavor: "task___v2" -> 4.  A flavor
 * separator is the last "___" with a non-'_' on each side. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;) {
		const char *s = name + i;

		if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' &&
		    s[4] != '_')
			return i + 1;
	}
	return n;
}

static bool names_match(const struct btf *lb, const struct btf_type *lt,
			const struct btf *tb, const struct btf_type *tt)
{
	const char *ln = btf__name_by_offset(lb, lt->name_off);
	const char *tn = btf__name_by_offset(tb, tt->name_off);
	size_t ll, tl;

	if (!ln || !tn)
		return false;
	ll = essential_len(ln);
	tl = essential_len(tn);
	return ll == tl && !memcmp(ln, tn, ll);
}

static bool is_intlike(const struct btf_type *t)
{
	uint32_t k = BTF_INFO_KIND(t->info);

	return k == BTF_KIND_INT || k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64;
}

static bool int_plain(const struct btf_type *t)
{
	if (BTF_INFO_KIND(t->info) != BTF_KIND_INT)
		return true;
	return BTF_INT_OFFSET(*(const uint32_t *)(t + 1)) == 0;
}

/* A record or a forward declaration of one: 1 struct, 2 union, 0 other. */
static int record_flavor(const struct btf_type *t)
{
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_STRUCT:
		return 1;
	case BTF_KIND_UNION:
		return 2;
	case BTF_KIND_FWD:
		return BTF_INFO_KFLAG(t->info) ? 2 : 1;
	default:
		return 0;
	}
}

static int types_compat(const struct btf *lb, uint32_t lid,
			const struct btf *tb, uint32_t tid, int depth);

/* The target's first tn parameters (all of them: its vlen). */
static int protos_compat_n(const struct btf *lb, const struct btf_type *lt,
			   const struct btf *tb, const struct btf_type *tt,
			   uint32_t tn, int depth)
{
	const struct btf_param *lp = (const void *)(lt + 1);
	const struct btf_param *tp = (const void *)(tt + 1);
	uint32_t n = BTF_INFO_VLEN(lt->info);
	int ret;

	if (tn > BTF_INFO_VLEN(tt->info) || n != tn)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		ret = types_compat(lb, lp[i].type, tb, tp[i].type, depth - 1);
		if (ret <= 0)
			return ret;
	}
	return types_compat(lb, lt->type, tb, tt->type, depth - 1);
}

static int protos_compat(const struct btf *lb, const struct btf_type *lt,
			 const struct btf *tb, const struct btf_type *tt,
			 int depth)
{
	return protos_compat_n(lb, lt, tb, tt, BTF_INFO_VLEN(tt->info), depth);
}

static int types_compat(const struct btf *lb, uint32_t lid,
			const struct btf *tb, uint32_t tid, int depth)
{
	const struct btf_type *lt, *tt;
	uint32_t lk, tk;
	int lf, tf;

	if (depth <= 0)
		return -ELOOP;
	lt = skip_mods(lb, lid, &lid);
	tt = skip_mods(tb, tid, &tid);
	if (!lt || !tt)
		return -EINVAL;
	lk = BTF_INFO_KIND(lt->info);
	tk = BTF_INFO_KIND(tt->info);
	if (lid == 0 || tid == 0)
		return lid == tid;
	if (is_intlike(lt) && is_intlike(tt))
		return int_plain(lt) && int_plain(tt);
	lf = record_flavor(lt);
	tf = record_flavor(tt);
	if (lf || tf)
		return lf == tf && names_match(lb, lt, tb, tt);
	if (lk != tk)
		return 0;
	switch (lk) {
	case BTF_KIND_PTR:
		return types_compat(lb, lt->type, tb, tt->type, depth - 1);
	case BTF_KIND_ARRAY:
		return types_compat(
			lb, ((const struct btf_array *)(lt + 1))->type, tb,
			((const struct btf_array *)(tt + 1))->type, depth - 1);
	case BTF_KIND_FUNC_PROTO:
		return protos_compat(lb, lt, tb, tt, depth);
	default:
		return 0;
	}
}

/* A FUNC is accepted for its FUNC_PROTO, for callers holding FUNC ids. */
static const struct btf_type *proto_of(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (t && BTF_INFO_KIND(t->info) == BTF_KIND_FUNC)
		t = btf__type_by_id(btf, t->type);
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC_PROTO)
		return NULL;
	return t;
}

int bh_btf_protos_compat(const struct btf *local, uint32_t local_id,
			 const struct btf *targ, uint32_t targ_id)
{
	const struct btf_type *lt, *tt;

	if (!local || !targ)
		return -EINVAL;
	lt = proto_of(local, local_id);
	tt = proto_of(targ, targ_id);
	if (!lt || !tt)
		return -EINVAL;
	return protos_compat(local, lt, targ, tt, BH_COMPAT_DEPTH);
}

int bh_btf_protos_compat_n(const struct btf *local, uint32_t local_id,
			   const struct btf *targ, uint32_t targ_id,
			   uint32_t targ_nargs)
{
	const struct btf_type *lt, *tt;

	if (!local || !targ)
		return -EINVAL;
	lt = proto_of(local, local_id);
	tt = proto_of(targ, targ_id);
	if (!lt || !tt)
		return -EINVAL;
	return protos_compat_n(local, lt, targ, tt, targ_nargs,
			       BH_COMPAT_DEPTH);
}
