// SPDX-License-Identifier: BSD-2-Clause
/*
 * Structural check of BTF from untrusted files, on top of what libbpf 1.1's
 * parser checks (header, section bounds, per-kind record sizes).
 *
 * Invariant after success: every type id a type refers to is < type_cnt,
 * every name and string offset resolves, every kind is known, and every
 * chain of non-pointer references (typedefs, modifiers, array elements,
 * struct members) ends, so walks that follow them terminate; members and
 * array elements have a size and alignment (btf_dump divides by them).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf/hbtf_internal.h"

/* Kernel-like limits: no host record is near these. */
#define BH_MAX_RECORD (1u << 24)
#define BH_MAX_CHAIN 32

struct vctx {
	const struct btf *btf;
	const char *origin;
	uint32_t cnt;
	char *err;
	size_t errsz;
};

static int bad(struct vctx *v, uint32_t id, const char *what)
{
	return bh_btf_errf(v->err, v->errsz, EINVAL, "%s: BTF type [%u]: %s",
			   v->origin, id, what);
}

static bool id_ok(const struct vctx *v, uint32_t ref)
{
	return ref < v->cnt;
}

static bool str_ok(const struct vctx *v, uint32_t off)
{
	return btf__str_by_offset(v->btf, off) != NULL;
}

static int check_type(struct vctx *v, uint32_t id, const struct btf_type *t)
{
	uint32_t kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info);

	if (!str_ok(v, t->name_off))
		return bad(v, id, "name offset out of range");
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t enc = *(const uint32_t *)(t + 1);

		if ((t->size != 1 && t->size != 2 && t->size != 4 &&
		     t->size != 8 && t->size != 16) ||
		    BTF_INT_OFFSET(enc) + BTF_INT_BITS(enc) > t->size * 8)
			return bad(v, id, "bad INT size or bits");
		return 0;
	}
	case BTF_KIND_FLOAT:
		if (t->size != 2 && t->size != 4 && t->size != 8 &&
		    t->size != 12 && t->size != 16)
			return bad(v, id, "bad FLOAT size");
		return 0;
	case BTF_KIND_FWD:
		return 0;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		if (!id_ok(v, t->type))
			return bad(v, id, "refers to a type id out of range");
		return 0;
	case BTF_KIND_FUNC: {
		const struct btf_type *p = btf__type_by_id(v->btf, t->type);

		if (!id_ok(v, t->type) || !p ||
		    BTF_INFO_KIND(p->info) != BTF_KIND_FUNC_PROTO)
			return bad(v, id, "FUNC without a FUNC_PROTO");
		return 0;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)(t + 1);

		if (!id_ok(v, a->type) || !id_ok(v, a->index_type))
			return bad(v, id,
				   "array element or index out of range");
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = (const void *)(t + 1);
		bool kflag = BTF_INFO_KFLAG(t->info);

		/* btf_dump does its layout arithmetic in int bits */
		if (t->size > BH_MAX_RECORD)
			return bad(v, id, "record too large");
		for (uint32_t i = 0; i < vlen; i++, m++) {
			uint32_t off = kflag ? BTF_MEMBER_BIT_OFFSET(m->offset)
					     : m->offset;

			if (!id_ok(v, m->type) || !m->type ||
			    !str_ok(v, m->name_off) ||
			    off > (uint64_t)t->size * 8)
				return bad(v, id, "bad member");
		}
		return 0;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = (const void *)(t + 1);

		if (t->size != 1 && t->size != 2 && t->size != 4 &&
		    t->size != 8)
			return bad(v, id, "bad ENUM size");

		for (uint32_t i = 0; i < vlen; i++, e++)
			if (!str_ok(v, e->name_off))
				return bad(v, id, "bad enumerator name");
		return 0;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *e = (const void *)(t + 1);

		if (t->size != 1 && t->size != 2 && t->size != 4 &&
		    t->size != 8)
			return bad(v, id, "bad ENUM64 size");

		for (uint32_t i = 0; i < vlen; i++, e++)
			if (!str_ok(v, e->name_off))
				return bad(v, id, "bad enumerator name");
		return 0;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = (const void *)(t + 1);

		if (!id_ok(v, t->type))
			return bad(v, id, "return type out of range");
		for (uint32_t i = 0; i < vlen; i++, p++) {
			if (!id_ok(v, p->type) || !str_ok(v, p->name_off))
				return bad(v, id, "bad parameter");
			/* void only as the last one, meaning "..." */
			if (!p->type && i + 1 != vlen)
				return bad(v, id,
					   "void parameter before the last");
		}
		return 0;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *s = (const void *)(t + 1);

		for (uint32_t i = 0; i < vlen; i++, s++)
			if (!id_ok(v, s->type))
				return bad(v, id, "bad DATASEC entry");
		return 0;
	}
	default:
		return bad(v, id, "unknown kind");
	}
}

/* Number of non-pointer references of t and the i-th of them. */
static uint32_t strong_refs(const struct btf_type *t)
{
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_ARRAY:
		return 1;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return BTF_INFO_VLEN(t->info);
	default:
		return 0;
	}
}

static uint32_t strong_ref(const struct btf_type *t, uint32_t i)
{
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_ARRAY:
		return ((const struct btf_array *)(t + 1))->type;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return ((const struct btf_member *)(t + 1))[i].type;
	default:
		return t->type;
	}
}

/*
 * Depth-first search over non-pointer references with an explicit stack:
 * a crafted file can chain 100k typedefs, too deep for recursion.
 */
static int check_cycles(struct vctx *v, uint32_t start)
{
	struct frame {
		uint32_t id, next;
	} * stack;
	unsigned char *color; /* 0 new, 1 on the stack, 2 done */
	uint32_t n = v->cnt - start;
	int ret = 0;

	color = calloc(n ? n : 1, 1);
	stack = malloc((n ? n : 1) * sizeof(*stack));
	if (!color || !stack) {
		ret = bh_btf_errf(v->err, v->errsz, ENOMEM, "%s: out of memory",
				  v->origin);
		goto out;
	}
	for (uint32_t root = start; root < v->cnt && !ret; root++) {
		size_t sp = 0;

		if (color[root - start])
			continue;
		color[root - start] = 1;
		stack[sp++] = (struct frame){root, 0};
		while (sp) {
			struct frame *f = &stack[sp - 1];
			const struct btf_type *t =
				btf__type_by_id(v->btf, f->id);
			uint32_t ref;

			if (f->next >= strong_refs(t)) {
				color[f->id - start] = 2;
				sp--;
				continue;
			}
			ref = strong_ref(t, f->next++);
			/* ids below start belong to the (checked) base */
			if (ref < start || color[ref - start] == 2)
				continue;
			if (color[ref - start] == 1) {
				ret = bad(v, ref, "type contains itself");
				break;
			}
			color[ref - start] = 1;
			stack[sp++] = (struct frame){ref, 0};
		}
	}
out:
	free(color);
	free(stack);
	return ret;
}

/*
 * What a struct member or array element is, after typedefs and modifiers
 * (cycles were ruled out before this runs); 0 if that is not a type with
 * a size and an alignment.  btf_dump divides by the alignment of members.
 */
static bool is_sized(const struct btf *btf, uint32_t id)
{
	for (int i = 0; i < BH_MAX_CHAIN && id; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_ARRAY:
			id = ((const struct btf_array *)(t + 1))->type;
			continue;
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FLOAT:
		case BTF_KIND_PTR:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			return true;
		default:
			return false;
		}
	}
	return false;
}

static int check_sized(struct vctx *v, uint32_t start)
{
	for (uint32_t id = start; id < v->cnt; id++) {
		const struct btf_type *t = btf__type_by_id(v->btf, id);
		uint32_t kind = BTF_INFO_KIND(t->info);

		if (kind == BTF_KIND_ARRAY &&
		    !is_sized(v->btf,
			      ((const struct btf_array *)(t + 1))->type))
			return bad(v, id, "array of an incomplete type");
		if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION)
			continue;
		for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++)
			if (!is_sized(v->btf,
				      ((const struct btf_member *)(t + 1))[i]
					      .type))
				return bad(v, id,
					   "member of an incomplete type");
	}
	return 0;
}

int bh_btf_validate(const struct btf *btf, const char *origin, char *err,
		    size_t errsz)
{
	const struct btf *base = btf__base_btf(btf);
	struct vctx v = {btf, origin, btf__type_cnt(btf), err, errsz};
	uint32_t start = base ? btf__type_cnt(base) : 1;
	int ret;

	for (uint32_t id = start; id < v.cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return bad(&v, id, "missing");
		ret = check_type(&v, id, t);
		if (ret)
			return ret;
	}
	ret = check_cycles(&v, start);
	return ret ? ret : check_sized(&v, start);
}
