// SPDX-License-Identifier: BSD-2-Clause
/*
 * CO-RE relocation of one program image (see core.h): read the records of
 * .BTF.ext, turn each record's access string into a spec over the local
 * BTF, find the host types it can mean, compute the value the instruction
 * must carry on this host and patch it, or poison it.
 *
 * Invariant: nothing is patched until every record of the .BTF.ext area has
 * been checked, and the local BTF has passed bh_btf_validate, so the walks
 * below (typedef chains, members, array elements) only follow ids that
 * exist and chains that end.  Host BTF sources were validated when added.
 * Semantics follow libbpf's relo_core.c; where bpfhost is stricter it says
 * so at the spot.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf/hbtf.h"
#include "btf/hbtf_internal.h"
#include "link/core.h"

#define CORE_SPEC_MAX 64  /* libbpf's BPF_CORE_SPEC_MAX_LEN */
#define CORE_REC_MIN 16	  /* insn_off, type_id, access_str_off, kind */
#define CORE_HDR_END 32	  /* .BTF.ext header through core_relo_len */
#define CORE_MAX_DEPTH 32 /* typedef chains, compat recursion */
/* a spec walking further than this is a lie, not a struct */
#define CORE_MAX_BIT_OFF ((uint64_t)INT32_MAX * 8)

struct core_rec {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_off;
	uint32_t kind;
};

/* One meaningful step of an access: a named member or an array index. */
struct core_acc {
	uint32_t type_id; /* the struct/union, or the array's element type */
	uint32_t idx;
	const char *name; /* member name; NULL for an array index */
};

struct core_spec {
	const struct btf *btf;
	uint32_t root_id;
	uint32_t kind;
	struct core_acc acc[CORE_SPEC_MAX];
	int len;
	uint32_t raw[CORE_SPEC_MAX]; /* the access string, one per level */
	int raw_len;
	uint64_t bit_off;
};

struct core_cand {
	const struct btf *btf;
	uint32_t id;
};

struct core_cands {
	uint32_t local_id;
	struct core_cand *c;
	size_t n;
};

struct core_res {
	uint64_t orig; /* what the compiler put in the instruction */
	uint64_t val;  /* what this host needs */
	bool poison;
	bool validate;	/* check orig against the instruction */
	bool bad_memsz; /* sizes differ and the load cannot follow */
	uint32_t orig_sz, new_sz;
	uint32_t orig_tid, new_tid;
};

/* The CO-RE area of .BTF.ext, checked by core_area(). */
struct core_area {
	const unsigned char *base; /* start of .BTF.ext */
	uint32_t start;		   /* first byte after rec_size */
	uint32_t end;
	uint32_t rec_size;
};

struct core_ctx {
	struct bh_obj_prog *p;
	const struct bh_object *o;
	const struct btf *lbtf;
	const struct bh_link_env *env;
	char *err;
	size_t errsz;
	struct core_cands *cache;
	size_t cache_n;
	uint8_t *ld2; /* per image slot: second half of an ld_imm64 */
	struct core_spec local, cand, targ;
};

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool kind_field(uint32_t k)
{
	return k <= BH_CORE_FIELD_RSHIFT_U64;
}

static bool kind_type(uint32_t k)
{
	return (k >= BH_CORE_TYPE_ID_LOCAL && k <= BH_CORE_TYPE_SIZE) ||
	       k == BH_CORE_TYPE_MATCHES;
}

static bool kind_enumval(uint32_t k)
{
	return k == BH_CORE_ENUMVAL_EXISTS || k == BH_CORE_ENUMVAL_VALUE;
}

/* libbpf's names, as its messages print them */
static const char *kind_str(uint32_t k)
{
	static const char *const names[] = {
		"byte_off",	 "byte_sz",	   "field_exists",
		"signed",	 "lshift_u64",	   "rshift_u64",
		"local_type_id", "target_type_id", "type_exists",
		"type_size",	 "enumval_exists", "enumval_value",
		"type_matches",
	};

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

static const char *btf_kind_name(const struct btf_type *t)
{
	static const char *const names[] = {
		"void",	   "int",      "ptr",	   "array",	 "struct",
		"union",   "enum",     "fwd",	   "typedef",	 "volatile",
		"const",   "restrict", "func",	   "func_proto", "var",
		"datasec", "float",    "decl_tag", "type_tag",	 "enum64",
	};
	uint32_t k = btf_kind(t);

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

static bool str_empty(const char *s)
{
	return !s || !*s;
}

size_t bh_core_essential_len(const char *name)
{
	size_t n = strlen(name);

	/* the last "X___Y" with X and Y not underscores: "a___b___c" -> "a___b"
	 */
	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (name[i] != '_' && name[i + 1] == '_' &&
		    name[i + 2] == '_' && name[i + 3] == '_' &&
		    name[i + 4] != '_')
			return i + 1;
	return n;
}

static bool names_essentially_eq(const char *a, const char *b)
{
	size_t la = bh_core_essential_len(a), lb = bh_core_essential_len(b);

	return la == lb && !strncmp(a, b, la);
}

/* The type with id in btf, or NULL when id is out of range (0 is void). */
static const struct btf_type *type_at(const struct btf *btf, uint32_t id)
{
	if (id >= btf__type_cnt(btf))
		return NULL;
	return btf__type_by_id(btf, id);
}

/* Skip typedefs and cv/type-tag modifiers; NULL on a bad id or loop. */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id,
					uint32_t *out)
{
	for (int i = 0; i < CORE_MAX_DEPTH; i++) {
		const struct btf_type *t = type_at(btf, id);

		if (!t)
			return NULL;
		if (!btf_is_mod(t) && !btf_is_typedef(t)) {
			if (out)
				*out = id;
			return t;
		}
		id = t->type;
	}
	return NULL;
}

static bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) ||
	       (btf_is_any_enum(a) && btf_is_any_enum(b));
}

static const char *type_name(const struct btf *btf, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf, t->name_off);

	return str_empty(n) ? "<anon>" : n;
}

/* ---- .BTF.ext CO-RE area ---- */

static int ext_err(struct core_ctx *c, uint32_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A bad .BTF.ext CO-RE area: say where (byte offset in .BTF.ext). */
static int ext_err(struct core_ctx *c, uint32_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errsz,
		 "prog '%s': .BTF.ext core_relo at offset 0x%x: %s", c->p->name,
		 off, msg);
	return -EINVAL;
}

/* Locate and check the area's frame.  1 when there is one, 0 when none. */
static int core_area(struct core_ctx *c, struct core_area *a)
{
	const unsigned char *b = c->o->btf_ext;
	size_t size = c->o->btf_ext_size;
	uint32_t hdr_len, off, len;

	if (!b || size < 8)
		return 0;
	hdr_len = rd32(b + 4);
	/* an older header (no CO-RE fields) or one the reader refused */
	if (hdr_len < CORE_HDR_END || hdr_len > size)
		return 0;
	off = rd32(b + 24);
	len = rd32(b + 28);
	if (!len)
		return 0;
	if (off % 4 || (uint64_t)hdr_len + off + len > size)
		return ext_err(c, 24,
			       "offset 0x%x length 0x%x past the end of the "
			       "section (%zu bytes)",
			       off, len, size);
	if (len < 4)
		return ext_err(c, hdr_len + off,
			       "%u bytes, too short for the record size", len);
	a->base = b;
	a->rec_size = rd32(b + hdr_len + off);
	a->start = hdr_len + off + 4;
	a->end = hdr_len + off + len;
	if (a->rec_size < CORE_REC_MIN || a->rec_size % 4)
		return ext_err(
			c, hdr_len + off,
			"record size %u invalid (at least %u, a multiple of 4)",
			a->rec_size, CORE_REC_MIN);
	if (a->start == a->end)
		return ext_err(c, hdr_len + off, "no records");
	return 1;
}

/* The image slot of section sec's slot insn in p, or -1 when p has none. */
static long img_slot(const struct bh_obj_prog *p, const char *sec,
		     uint32_t insn)
{
	for (size_t i = 0; i < p->seg_cnt; i++) {
		const struct bh_obj_seg *s = &p->segs[i];

		if (insn >= s->sec_off && insn - s->sec_off < s->cnt &&
		    !strcmp(s->sec_name, sec))
			return (long)(s->img_off + (insn - s->sec_off));
	}
	return -1;
}

/* Check one record; the spec itself is checked when it is parsed. */
static int rec_check(struct core_ctx *c, const struct core_rec *r, uint32_t off,
		     const char *sec)
{
	if (r->insn_off % 8)
		return ext_err(c, off,
			       "section '%s' record: insn_off 0x%x is not a "
			       "multiple of 8",
			       sec, r->insn_off);
	if (!r->type_id || !type_at(c->lbtf, r->type_id))
		return ext_err(c, off,
			       "section '%s' record: type id %u out of range "
			       "(%u types)",
			       sec, r->type_id, btf__type_cnt(c->lbtf));
	if (!btf__name_by_offset(c->lbtf, r->access_off))
		return ext_err(c, off,
			       "section '%s' record: access string offset 0x%x "
			       "invalid",
			       sec, r->access_off);
	if (r->kind > BH_CORE_TYPE_MATCHES)
		return ext_err(
			c, off,
			"section '%s' record: unknown relocation kind %u", sec,
			r->kind);
	return 0;
}

typedef int (*core_rec_fn)(struct core_ctx *c, const struct core_rec *r,
			   int relo_idx, long slot);

/*
 * Walk every record: blocks of {sec_name_off, num_info, records}.  fn is
 * called for records that land in c->p's image (NULL: only check).
 */
static int core_walk(struct core_ctx *c, const struct core_area *a,
		     core_rec_fn fn)
{
	uint32_t pos = a->start;

	while (pos < a->end) {
		uint32_t name_off, num;
		const char *sec;

		if (a->end - pos < 8)
			return ext_err(
				c, pos,
				"truncated section header (%u of 8 bytes)",
				a->end - pos);
		name_off = rd32(a->base + pos);
		num = rd32(a->base + pos + 4);
		sec = btf__name_by_offset(c->lbtf, name_off);
		if (str_empty(sec))
			return ext_err(c, pos,
				       "section name offset 0x%x invalid",
				       name_off);
		pos += 8;
		if (!num || (uint64_t)num * a->rec_size > a->end - pos)
			return ext_err(c, pos - 4,
				       "section '%s': %u records of %u bytes "
				       "do not fit in the %u bytes left",
				       sec, num, a->rec_size, a->end - pos);
		for (uint32_t i = 0; i < num; i++, pos += a->rec_size) {
			struct core_rec r = {rd32(a->base + pos),
					     rd32(a->base + pos + 4),
					     rd32(a->base + pos + 8),
					     rd32(a->base + pos + 12)};
			long slot;
			int ret;

			if (!fn) {
				ret = rec_check(c, &r, pos, sec);
				if (ret)
					return ret;
				continue;
			}
			slot = img_slot(c->p, sec, r.insn_off / 8);
			if (slot < 0)
				continue;
			ret = fn(c, &r, (int)i, slot);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- specs ---- */

static bool is_flex_arr(const struct btf *btf, const struct core_acc *holder,
			const struct btf_array *arr)
{
	const struct btf_type *t;

	/* a zero-length array that is the last member of its struct */
	if (!holder->name || arr->nelems > 0)
		return false;
	t = type_at(btf, holder->type_id);
	return t && btf_is_composite(t) && btf_vlen(t) &&
	       holder->idx == (uint32_t)btf_vlen(t) - 1;
}

/* Add idx elements of type id to the spec's bit offset, bounded. */
static int spec_add_elems(struct core_spec *s, uint32_t id, uint64_t idx)
{
	int64_t sz = btf__resolve_size(s->btf, id);

	if (sz < 0)
		return (int)sz;
	if (idx && (uint64_t)sz > CORE_MAX_BIT_OFF / 8 / idx)
		return -E2BIG;
	s->bit_off += idx * (uint64_t)sz * 8;
	return s->bit_off > CORE_MAX_BIT_OFF ? -E2BIG : 0;
}

/* Parse "0:1:2" into raw[]; -EINVAL on anything else. */
static int spec_parse_raw(struct core_spec *s, const char *str)
{
	if (str_empty(str) || *str == ':')
		return -EINVAL;
	while (*str) {
		uint64_t v = 0;

		if (*str == ':')
			str++;
		if (*str < '0' || *str > '9')
			return -EINVAL;
		for (; *str >= '0' && *str <= '9'; str++) {
			v = v * 10 + (uint64_t)(*str - '0');
			if (v > INT32_MAX)
				return -EINVAL;
		}
		if (*str && *str != ':')
			return -EINVAL;
		if (s->raw_len == CORE_SPEC_MAX)
			return -E2BIG;
		s->raw[s->raw_len++] = (uint32_t)v;
	}
	return s->raw_len ? 0 : -EINVAL;
}

/* The local spec of record r (libbpf's bpf_core_parse_spec). */
static int spec_parse(struct core_ctx *c, const struct btf *btf,
		      const struct core_rec *r, struct core_spec *s)
{
	const char *str = btf__name_by_offset(btf, r->access_off);
	const struct btf_type *t;
	uint32_t id;
	int ret;

	memset(s, 0, sizeof(*s));
	s->btf = btf;
	s->root_id = r->type_id;
	s->kind = r->kind;
	if (kind_type(r->kind))
		return str && !strcmp(str, "0") ? 0 : -EINVAL;
	ret = spec_parse_raw(s, str);
	if (ret)
		return ret;
	t = skip_mods(btf, r->type_id, &id);
	if (!t)
		return -EINVAL;
	s->acc[0] = (struct core_acc){id, s->raw[0], NULL};
	s->len = 1;
	if (kind_enumval(r->kind)) {
		if (!btf_is_any_enum(t) || s->raw_len > 1 ||
		    s->raw[0] >= btf_vlen(t))
			return -EINVAL;
		s->acc[0].name = btf__name_by_offset(
			btf, btf_is_enum(t)
				     ? btf_enum(t)[s->raw[0]].name_off
				     : btf_enum64(t)[s->raw[0]].name_off);
		return str_empty(s->acc[0].name) ? -EINVAL : 0;
	}
	if (!kind_field(r->kind))
		return -EINVAL;
	/* the first index steps over whole objects: &p[n] */
	ret = spec_add_elems(s, id, s->raw[0]);
	if (ret)
		return ret;
	for (int i = 1; i < s->raw_len; i++) {
		uint32_t idx = s->raw[i];

		t = skip_mods(btf, id, &id);
		if (!t)
			return -EINVAL;
		if (btf_is_composite(t)) {
			const struct btf_member *m = btf_members(t) + idx;

			if (idx >= btf_vlen(t))
				return -EINVAL;
			s->bit_off += btf_member_bit_offset(t, idx);
			if (m->name_off) {
				const char *n =
					btf__name_by_offset(btf, m->name_off);

				if (str_empty(n))
					return -EINVAL;
				s->acc[s->len++] =
					(struct core_acc){id, idx, n};
			}
			id = m->type;
		} else if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);

			if (!skip_mods(btf, a->type, &id))
				return -EINVAL;
			if (!is_flex_arr(btf, &s->acc[s->len - 1], a) &&
			    idx >= a->nelems)
				return -EINVAL;
			s->acc[s->len++] = (struct core_acc){id, idx, NULL};
			ret = spec_add_elems(s, id, idx);
			if (ret)
				return ret;
		} else {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo for [%u] %s (at idx %d) "
				 "captures type [%u] of unexpected kind %s",
				 c->p->name, r->type_id, str, i, id,
				 btf_kind_name(t));
			return -EINVAL;
		}
	}
	return s->bit_off > CORE_MAX_BIT_OFF ? -E2BIG : 0;
}

/* libbpf's bpf_core_format_spec: "<byte_off> [5] struct s.a[2] (0:1:2 @ offset
 * 8)" */
static void spec_format(const struct core_spec *s, char *buf, size_t size)
{
	const struct btf_type *t = type_at(s->btf, s->root_id);
	size_t n = 0;

#define PUT(...)                                                               \
	do {                                                                   \
		int w_ = snprintf(buf + n, size - n, __VA_ARGS__);             \
		if (w_ > 0)                                                    \
			n = (size_t)w_ < size - n ? n + (size_t)w_ : size - 1; \
	} while (0)

	if (!size)
		return;
	buf[0] = '\0';
	if (!t)
		return;
	PUT("<%s> [%u] %s %s", kind_str(s->kind), s->root_id, btf_kind_name(t),
	    type_name(s->btf, t));
	if (kind_type(s->kind) || !s->len)
		return;
	if (kind_enumval(s->kind)) {
		t = skip_mods(s->btf, s->root_id, NULL);
		if (!t || !btf_is_any_enum(t) || s->acc[0].idx >= btf_vlen(t))
			return;
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + s->acc[0].idx;

			if (btf_kflag(t))
				PUT("::%s = %d", s->acc[0].name, e->val);
			else
				PUT("::%s = %u", s->acc[0].name,
				    (uint32_t)e->val);
		} else {
			uint64_t v =
				btf_enum64_value(btf_enum64(t) + s->acc[0].idx);

			if (btf_kflag(t))
				PUT("::%s = %lld", s->acc[0].name,
				    (long long)v);
			else
				PUT("::%s = %llu", s->acc[0].name,
				    (unsigned long long)v);
		}
		return;
	}
	for (int i = 0; i < s->len; i++) {
		if (s->acc[i].name)
			PUT(".%s", s->acc[i].name);
		else if (i > 0 || s->acc[i].idx > 0)
			PUT("[%u]", s->acc[i].idx);
	}
	PUT(" (");
	for (int i = 0; i < s->raw_len; i++)
		PUT("%s%u", i ? ":" : "", s->raw[i]);
	if (s->bit_off % 8)
		PUT(" @ offset %llu.%llu)", (unsigned long long)s->bit_off / 8,
		    (unsigned long long)s->bit_off % 8);
	else
		PUT(" @ offset %llu)", (unsigned long long)s->bit_off / 8);
#undef PUT
}

/* ---- type compatibility ---- */

/* bpf_core_types_are_compat: for TYPE_EXISTS/SIZE/ID_TARGET */
static int types_compat(const struct btf *lb, uint32_t lid,
			const struct btf *tb, uint32_t tid, int level)
{
	const struct btf_type *lt, *tt;

	for (int depth = 0; depth < CORE_MAX_DEPTH; depth++) {
		lt = skip_mods(lb, lid, &lid);
		tt = skip_mods(tb, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (!kinds_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM64:
			return 1;
		case BTF_KIND_INT:
			/* only the old bitfield-like ints are refused */
			return btf_int_offset(lt) == 0 &&
			       btf_int_offset(tt) == 0;
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btf_params(lt);
			const struct btf_param *tp = btf_params(tt);

			if (btf_vlen(lt) != btf_vlen(tt))
				return 0;
			for (uint32_t i = 0; i < btf_vlen(lt); i++) {
				int ret;

				if (level <= 0)
					return -EINVAL;
				ret = types_compat(lb, lp[i].type, tb,
						   tp[i].type, level - 1);
				if (ret <= 0)
					return ret;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

static bool btf_names_match(const struct btf *lb, uint32_t loff,
			    const struct btf *tb, uint32_t toff)
{
	const char *l = btf__name_by_offset(lb, loff);
	const char *t = btf__name_by_offset(tb, toff);

	if (str_empty(t))
		return str_empty(l);
	return l && names_essentially_eq(l, t);
}

static int types_match(const struct btf *lb, uint32_t lid, const struct btf *tb,
		       uint32_t tid, bool behind_ptr, int level);

static int enums_match(const struct btf *lb, const struct btf_type *lt,
		       const struct btf *tb, const struct btf_type *tt)
{
	if (lt->size != tt->size || btf_vlen(lt) > btf_vlen(tt))
		return 0;
	/* each local enumerator needs a target one of the same name */
	for (uint32_t i = 0; i < btf_vlen(lt); i++) {
		uint32_t ln = btf_is_enum(lt) ? btf_enum(lt)[i].name_off
					      : btf_enum64(lt)[i].name_off;
		bool found = false;

		for (uint32_t j = 0; j < btf_vlen(tt) && !found; j++) {
			uint32_t tn = btf_is_enum(tt)
					      ? btf_enum(tt)[j].name_off
					      : btf_enum64(tt)[j].name_off;

			found = btf_names_match(lb, ln, tb, tn);
		}
		if (!found)
			return 0;
	}
	return 1;
}

static int composites_match(const struct btf *lb, const struct btf_type *lt,
			    const struct btf *tb, const struct btf_type *tt,
			    bool behind_ptr, int level)
{
	const struct btf_member *lm = btf_members(lt);

	if (btf_vlen(lt) > btf_vlen(tt))
		return 0;
	for (uint32_t i = 0; i < btf_vlen(lt); i++, lm++) {
		const struct btf_member *tm = btf_members(tt);
		bool found = false;

		for (uint32_t j = 0; j < btf_vlen(tt) && !found; j++, tm++) {
			int ret;

			if (!btf_names_match(lb, lm->name_off, tb,
					     tm->name_off))
				continue;
			ret = types_match(lb, lm->type, tb, tm->type,
					  behind_ptr, level - 1);
			if (ret < 0)
				return ret;
			found = ret > 0;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* bpf_core_types_match: for TYPE_MATCHES */
static int types_match(const struct btf *lb, uint32_t lid, const struct btf *tb,
		       uint32_t tid, bool behind_ptr, int level)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < CORE_MAX_DEPTH; depth++) {
		const struct btf_type *lt = skip_mods(lb, lid, &lid);
		const struct btf_type *tt = skip_mods(tb, tid, &tid);
		uint32_t lk, tk;

		if (!lt || !tt)
			return -EINVAL;
		if (!btf_names_match(lb, lt->name_off, tb, tt->name_off))
			return 0;
		lk = btf_kind(lt);
		tk = btf_kind(tt);
		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD:
			if (lk == tk)
				return btf_kflag(lt) == btf_kflag(tt);
			/* behind a pointer a fwd matches what it declares:
			 * kflag 0 a struct, 1 a union */
			return behind_ptr &&
			       ((tk == BTF_KIND_STRUCT && !btf_kflag(lt)) ||
				(tk == BTF_KIND_UNION && btf_kflag(lt)));
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return btf_is_any_enum(tt) &&
			       enums_match(lb, lt, tb, tt);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr) {
				if (lk == tk)
					return 1;
				return tk == BTF_KIND_FWD &&
				       (lk == BTF_KIND_UNION) == btf_kflag(tt);
			}
			if (lk != tk)
				return 0;
			return composites_match(lb, lt, tb, tt, behind_ptr,
						level);
		case BTF_KIND_INT:
			return lk == tk && lt->size == tt->size &&
			       (btf_int_encoding(lt) & BTF_INT_SIGNED) ==
				       (btf_int_encoding(tt) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			if (lk != tk ||
			    btf_array(lt)->nelems != btf_array(tt)->nelems)
				return 0;
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btf_params(lt);
			const struct btf_param *tp = btf_params(tt);

			if (lk != tk || btf_vlen(lt) != btf_vlen(tt))
				return 0;
			for (uint32_t i = 0; i < btf_vlen(lt); i++) {
				int ret = types_match(lb, lp[i].type, tb,
						      tp[i].type, behind_ptr,
						      level - 1);

				if (ret <= 0)
					return ret;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* bpf_core_fields_are_compat: may a local field be read as the target's? */
static int fields_compat(const struct btf *lb, uint32_t lid,
			 const struct btf *tb, uint32_t tid)
{
	for (int depth = 0; depth < CORE_MAX_DEPTH; depth++) {
		const struct btf_type *lt = skip_mods(lb, lid, &lid);
		const struct btf_type *tt = skip_mods(tb, tid, &tid);

		if (!lt || !tt)
			return -EINVAL;
		if (btf_is_composite(lt) && btf_is_composite(tt))
			return 1;
		if (!kinds_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			const char *ln = btf__name_by_offset(lb, lt->name_off);
			const char *tn = btf__name_by_offset(tb, tt->name_off);

			/* anonymous on either side, or the same name */
			return str_empty(ln) || str_empty(tn) ||
			       names_essentially_eq(ln, tn);
		}
		case BTF_KIND_INT:
			return btf_int_offset(lt) == 0 &&
			       btf_int_offset(tt) == 0;
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- matching a local spec against one candidate ---- */

/*
 * Find the member the local accessor names in target composite tid,
 * looking into anonymous members; extends ts's raw spec and offset.
 * 1 found, 0 not, <0 error.
 */
static int match_member(const struct core_spec *ls, const struct core_acc *lacc,
			const struct btf *tb, uint32_t tid,
			struct core_spec *ts, uint32_t *next)
{
	const struct btf_type *lt = type_at(ls->btf, lacc->type_id);
	const struct btf_type *tt = skip_mods(tb, tid, &tid);
	const struct btf_member *lm, *m;

	if (!tt || !lt)
		return -EINVAL;
	if (!btf_is_composite(tt))
		return 0;
	lm = btf_members(lt) + lacc->idx;
	m = btf_members(tt);
	for (uint32_t i = 0; i < btf_vlen(tt); i++, m++) {
		uint32_t bit = btf_member_bit_offset(tt, i);
		const char *n = btf__name_by_offset(tb, m->name_off);
		int found;

		if (ts->raw_len == CORE_SPEC_MAX)
			return -E2BIG;
		ts->bit_off += bit;
		ts->raw[ts->raw_len++] = i;
		if (str_empty(n)) {
			found = match_member(ls, lacc, tb, m->type, ts, next);
			if (found)
				return found;
		} else if (!strcmp(lacc->name, n)) {
			ts->acc[ts->len++] = (struct core_acc){tid, i, n};
			*next = m->type;
			found = fields_compat(ls->btf, lm->type, tb, m->type);
			if (!found)
				ts->len--;
			return found;
		}
		ts->bit_off -= bit;
		ts->raw_len--;
	}
	return 0;
}

static int spec_match(const struct core_spec *ls, const struct btf *tb,
		      uint32_t tid, struct core_spec *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->btf = tb;
	ts->root_id = tid;
	ts->kind = ls->kind;
	if (kind_type(ls->kind)) {
		if (ls->kind == BH_CORE_TYPE_MATCHES)
			return types_match(ls->btf, ls->root_id, tb, tid, false,
					   CORE_MAX_DEPTH);
		return types_compat(ls->btf, ls->root_id, tb, tid,
				    CORE_MAX_DEPTH);
	}
	if (kind_enumval(ls->kind)) {
		const struct btf_type *t = skip_mods(tb, tid, &tid);

		if (!t || !btf_is_any_enum(t))
			return 0;
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			const char *n = btf__name_by_offset(
				tb, btf_is_enum(t) ? btf_enum(t)[i].name_off
						   : btf_enum64(t)[i].name_off);

			if (n && names_essentially_eq(ls->acc[0].name, n)) {
				ts->acc[0] = (struct core_acc){tid, i, n};
				ts->len = 1;
				ts->raw[0] = i;
				ts->raw_len = 1;
				return 1;
			}
		}
		return 0;
	}
	for (int i = 0; i < ls->len; i++) {
		const struct core_acc *la = &ls->acc[i];
		const struct btf_type *t = skip_mods(tb, tid, &tid);
		int ret;

		if (!t)
			return -EINVAL;
		if (la->name) {
			ret = match_member(ls, la, tb, tid, ts, &tid);
			if (ret <= 0)
				return ret;
			continue;
		}
		/* the root accessor indexes the type itself */
		if (i > 0) {
			const struct btf_array *a;

			if (!btf_is_array(t))
				return 0;
			a = btf_array(t);
			if (!is_flex_arr(tb, &ts->acc[ts->len - 1], a) &&
			    la->idx >= a->nelems)
				return 0;
			if (!skip_mods(tb, a->type, &tid))
				return -EINVAL;
		}
		if (ts->raw_len == CORE_SPEC_MAX)
			return -E2BIG;
		ts->acc[ts->len++] = (struct core_acc){tid, la->idx, NULL};
		ts->raw[ts->raw_len++] = la->idx;
		ret = spec_add_elems(ts, tid, la->idx);
		if (ret)
			return ret;
	}
	return 1;
}

/* ---- values ---- */

/* The element size under any arrays of type id (for load sizes). */
static int elem_size(const struct btf *btf, uint32_t id, uint32_t *sz)
{
	const struct btf_type *t = skip_mods(btf, id, &id);
	int64_t s;

	for (int i = 0; t && btf_is_array(t) && i < CORE_MAX_DEPTH; i++)
		t = skip_mods(btf, btf_array(t)->type, &id);
	if (!t)
		return -EINVAL;
	s = btf__resolve_size(btf, id);
	if (s < 0)
		return -EINVAL;
	*sz = (uint32_t)s;
	return 0;
}

/*
 * Field value of spec s (NULL: no target has the field).  -EUCLEAN asks
 * for poisoning; sz and tid report the accessed size for load/store fixes.
 */
static int field_value(struct core_ctx *c, const struct core_rec *r,
		       const struct core_spec *s, uint64_t *val, uint32_t *sz,
		       uint32_t *tid, bool *validate)
{
	const struct core_acc *acc;
	const struct btf_type *t, *mt;
	uint32_t fid, byte_off, byte_sz, bit_sz;
	uint64_t bit_off;
	bool bitfield;
	int64_t rs;

	*sz = 0;
	if (r->kind == BH_CORE_FIELD_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return -EUCLEAN;
	acc = &s->acc[s->len - 1];
	t = type_at(s->btf, acc->type_id);
	if (!t)
		return -EINVAL;
	if (!acc->name) { /* the spec ends in an array element */
		if (r->kind == BH_CORE_FIELD_BYTE_OFFSET) {
			*val = s->bit_off / 8;
			if (elem_size(s->btf, acc->type_id, sz))
				return -EINVAL;
			*tid = acc->type_id;
		} else if (r->kind == BH_CORE_FIELD_BYTE_SIZE) {
			rs = btf__resolve_size(s->btf, acc->type_id);
			if (rs < 0)
				return -EINVAL;
			*val = (uint64_t)rs;
		} else {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo %u at insn #%u can't be "
				 "applied to array access",
				 c->p->name, r->kind, r->insn_off / 8);
			return -EINVAL;
		}
		if (validate)
			*validate = true;
		return 0;
	}
	mt = skip_mods(s->btf, btf_members(t)[acc->idx].type, &fid);
	if (!mt)
		return -EINVAL;
	bit_off = s->bit_off;
	bit_sz = btf_member_bitfield_size(t, acc->idx);
	bitfield = bit_sz > 0;
	if (bitfield) {
		/* the smallest aligned load that holds every bit */
		byte_sz = mt->size;
		if (!byte_sz)
			return -EINVAL;
		byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		while (bit_off + bit_sz - (uint64_t)byte_off * 8 >
		       (uint64_t)byte_sz * 8) {
			if (byte_sz >= 8) {
				snprintf(c->err, c->errsz,
					 "prog '%s': relo %u at insn #%u can't "
					 "be satisfied for bitfield",
					 c->p->name, r->kind, r->insn_off / 8);
				return -E2BIG;
			}
			byte_sz *= 2;
			byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		}
	} else {
		rs = btf__resolve_size(s->btf, fid);
		if (rs < 0 || rs > UINT32_MAX / 8)
			return -EINVAL;
		byte_sz = (uint32_t)rs;
		byte_off = (uint32_t)(bit_off / 8);
		bit_sz = byte_sz * 8;
	}
	/* bitfield offsets/sizes are a compiler's choice: only the
	 * unambiguous values are checked against the instruction */
	if (validate)
		*validate = !bitfield;
	switch (r->kind) {
	case BH_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			if (elem_size(s->btf, fid, sz))
				return -EINVAL;
			*tid = fid;
		}
		break;
	case BH_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BH_CORE_FIELD_SIGNED:
		*val = (btf_is_any_enum(mt) && btf_kflag(mt)) ||
		       (btf_is_int(mt) &&
			(btf_int_encoding(mt) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		break;
	case BH_CORE_FIELD_LSHIFT_U64:
		/* little-endian hosts only (as the BPF ISA here) */
		*val = 64 - (bit_off + bit_sz - (uint64_t)byte_off * 8);
		break;
	case BH_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int type_value(const struct core_rec *r, const struct core_spec *s,
		      uint64_t *val, bool *validate)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!s) { /* no such type on this host */
		*val = 0;
		return 0;
	}
	switch (r->kind) {
	case BH_CORE_TYPE_ID_TARGET:
		*val = s->root_id;
		/* ids change when objects are linked: not checked */
		if (validate)
			*validate = false;
		return 0;
	case BH_CORE_TYPE_EXISTS:
	case BH_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BH_CORE_TYPE_SIZE:
		sz = btf__resolve_size(s->btf, s->root_id);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int enum_value(const struct core_rec *r, const struct core_spec *s,
		      uint64_t *val)
{
	const struct btf_type *t;

	if (r->kind == BH_CORE_ENUMVAL_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return -EUCLEAN;
	t = type_at(s->btf, s->acc[0].type_id);
	if (!t || !btf_is_any_enum(t) || s->acc[0].idx >= btf_vlen(t))
		return -EINVAL;
	if (btf_is_enum(t)) /* sign-extended, as libbpf does */
		*val = (uint64_t)(int64_t)btf_enum(t)[s->acc[0].idx].val;
	else
		*val = btf_enum64_value(btf_enum64(t) + s->acc[0].idx);
	return 0;
}

/* bpf_core_calc_relo: orig from the local spec, val from the target. */
static int calc(struct core_ctx *c, const struct core_rec *r, int relo_idx,
		const struct core_spec *ls, const struct core_spec *ts,
		struct core_res *res)
{
	int ret = -EOPNOTSUPP;

	memset(res, 0, sizeof(*res));
	res->validate = true;
	if (kind_field(r->kind)) {
		ret = field_value(c, r, ls, &res->orig, &res->orig_sz,
				  &res->orig_tid, &res->validate);
		if (!ret)
			ret = field_value(c, r, ts, &res->val, &res->new_sz,
					  &res->new_tid, NULL);
		if (!ret && res->orig_sz != res->new_sz) {
			const struct btf_type *ot =
				type_at(ls->btf, res->orig_tid);
			const struct btf_type *nt =
				type_at(ts->btf, res->new_tid);

			/* a pointer, or an unsigned int, reads the same
			 * value zero-extended from any width */
			if (!ot || !nt)
				return -EINVAL;
			if (!(btf_is_ptr(ot) && btf_is_ptr(nt)) &&
			    !(btf_is_int(ot) && btf_is_int(nt) &&
			      !(btf_int_encoding(ot) & BTF_INT_SIGNED) &&
			      !(btf_int_encoding(nt) & BTF_INT_SIGNED)))
				res->bad_memsz = true;
		}
	} else if (kind_type(r->kind)) {
		ret = type_value(r, ls, &res->orig, &res->validate);
		if (!ret)
			ret = type_value(r, ts, &res->val, NULL);
	} else if (kind_enumval(r->kind)) {
		ret = enum_value(r, ls, &res->orig);
		if (!ret)
			ret = enum_value(r, ts, &res->val);
	}
	if (ret == -EUCLEAN) {
		res->poison = true;
		return 0;
	}
	if (ret == -EOPNOTSUPP)
		snprintf(c->err, c->errsz,
			 "prog '%s': relo #%d: unrecognized CO-RE relocation "
			 "%s (%u) at insn #%u",
			 c->p->name, relo_idx, kind_str(r->kind), r->kind,
			 r->insn_off / 8);
	return ret;
}

/* ---- candidates ---- */

static int add_cands(const struct btf_type *lt, const char *lname,
		     const struct btf *tb, uint32_t start,
		     struct core_cands *cs)
{
	size_t ess = bh_core_essential_len(lname);
	uint32_t n = btf__type_cnt(tb);

	for (uint32_t id = start; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(tb, id);
		const char *tn;
		void *grown;

		if (!kinds_compat(t, lt))
			continue;
		tn = btf__name_by_offset(tb, t->name_off);
		if (str_empty(tn) || bh_core_essential_len(tn) != ess ||
		    strncmp(lname, tn, ess))
			continue;
		grown = realloc(cs->c, (cs->n + 1) * sizeof(*cs->c));
		if (!grown)
			return -ENOMEM;
		cs->c = grown;
		cs->c[cs->n++] = (struct core_cand){tb, id};
	}
	return 0;
}

/* Candidates for local type lid, cached per relocate call. */
static int find_cands(struct core_ctx *c, uint32_t lid, struct core_cands **out)
{
	const struct bh_hbtf *h = c->env->hbtf;
	const struct btf_type *lt = type_at(c->lbtf, lid);
	const char *lname = btf__name_by_offset(c->lbtf, lt->name_off);
	struct core_cands *cs;
	void *grown;
	int ret = 0;

	for (size_t i = 0; i < c->cache_n; i++)
		if (c->cache[i].local_id == lid) {
			*out = &c->cache[i];
			return 0;
		}
	grown = realloc(c->cache, (c->cache_n + 1) * sizeof(*c->cache));
	if (!grown)
		return -ENOMEM;
	c->cache = grown;
	cs = &c->cache[c->cache_n++];
	*cs = (struct core_cands){lid, NULL, 0};
	/* source 0 is the "vmlinux"; the others are searched only when it
	 * has no candidate, as libbpf searches modules */
	for (size_t s = 0; s < h->cnt && !ret; s++) {
		const struct btf *tb = h->srcs[s].btf;
		uint32_t start = 1;

		if (s == 1 && cs->n)
			break;
		if (h->srcs[s].base >= 0)
			start = btf__type_cnt(h->srcs[h->srcs[s].base].btf);
		ret = add_cands(lt, lname, tb, start, cs);
	}
	*out = cs;
	return ret;
}

/* bpf_core_calc_relo_insn: resolve record r into res. */
static int resolve(struct core_ctx *c, const struct core_rec *r, int relo_idx,
		   struct core_res *res)
{
	const struct btf_type *lt = type_at(c->lbtf, r->type_id);
	const char *lname = btf__name_by_offset(c->lbtf, lt->name_off);
	struct core_cands *cs;
	size_t kept = 0;
	int ret;

	c->err[0] = '\0';
	ret = spec_parse(c, c->lbtf, r, &c->local);
	if (ret) {
		const char *str = btf__name_by_offset(c->lbtf, r->access_off);

		if (!c->err[0])
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: parsing [%u] %s %s + %s "
				 "failed: %d",
				 c->p->name, relo_idx, r->type_id,
				 btf_kind_name(lt),
				 str_empty(lname) ? "<anon>" : lname,
				 str ? str : "<?>", ret);
		return -EINVAL;
	}
	if (r->kind == BH_CORE_TYPE_ID_LOCAL) {
		memset(res, 0, sizeof(*res));
		res->orig = res->val = c->local.root_id;
		return 0;
	}
	if (str_empty(lname)) {
		snprintf(c->err, c->errsz,
			 "prog '%s': relo #%d: <%s> (%u) relocation doesn't "
			 "support anonymous types",
			 c->p->name, relo_idx, kind_str(r->kind), r->kind);
		return -EOPNOTSUPP;
	}
	ret = find_cands(c, r->type_id, &cs);
	if (ret) {
		snprintf(c->err, c->errsz,
			 "prog '%s': relo #%d: target candidate search failed "
			 "for [%u] %s %s: %d",
			 c->p->name, relo_idx, r->type_id, btf_kind_name(lt),
			 lname, ret);
		return ret;
	}
	for (size_t i = 0; i < cs->n; i++) {
		struct core_res cres;

		ret = spec_match(&c->local, cs->c[i].btf, cs->c[i].id,
				 &c->cand);
		if (ret < 0) {
			char buf[256];

			spec_format(&c->cand, buf, sizeof(buf));
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: error matching "
				 "candidate #%zu %s: %d",
				 c->p->name, relo_idx, i, buf, ret);
			return ret;
		}
		if (!ret)
			continue;
		ret = calc(c, r, relo_idx, &c->local, &c->cand, &cres);
		if (ret)
			return ret;
		if (!kept) {
			*res = cres;
			c->targ = c->cand;
		} else if (c->cand.bit_off != c->targ.bit_off) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: field offset ambiguity: "
				 "%llu != %llu",
				 c->p->name, relo_idx,
				 (unsigned long long)c->cand.bit_off,
				 (unsigned long long)c->targ.bit_off);
			return -EINVAL;
		} else if (cres.poison != res->poison || cres.val != res->val) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: relocation decision "
				 "ambiguity: %s %llu != %s %llu",
				 c->p->name, relo_idx,
				 cres.poison ? "failure" : "success",
				 (unsigned long long)cres.val,
				 res->poison ? "failure" : "success",
				 (unsigned long long)res->val);
			return -EINVAL;
		}
		/* later records of this type see only what matched */
		cs->c[kept++] = cs->c[i];
	}
	if (kept) {
		cs->n = kept;
		return 0;
	}
	/* no target: existence checks give 0, reads are poisoned */
	return calc(c, r, relo_idx, &c->local, NULL, res);
}

/* ---- patching ---- */

static void poison(struct bh_insn *in)
{
	memset(in, 0, sizeof(*in));
	in->code = BH_JMP | 0x80; /* call */
	in->imm = BH_CORE_POISON_IMM;
}

bool bh_core_is_poison(const struct bh_insn *in)
{
	return in->code == (BH_JMP | 0x80) && in->src_reg == 0 &&
	       in->imm == BH_CORE_POISON_IMM;
}

static int size_bytes(uint8_t code)
{
	switch (BH_SIZE(code)) {
	case BH_DW:
		return 8;
	case BH_W:
		return 4;
	case BH_H:
		return 2;
	default:
		return 1;
	}
}

static int size_code(uint32_t bytes)
{
	switch (bytes) {
	case 8:
		return BH_DW;
	case 4:
		return BH_W;
	case 2:
		return BH_H;
	case 1:
		return BH_B;
	default:
		return -1;
	}
}

static void warn(struct core_ctx *c, const char *msg)
{
	if (c->env->warn)
		c->env->warn(c->env->warn_ctx, msg);
}

static int patch(struct core_ctx *c, size_t idx, int relo_idx,
		 const struct core_res *res)
{
	struct bh_insn *in = &c->p->insns[idx];
	const char *pn = c->p->name;
	bool ldimm = in->code == (BH_LD | BH_DW | BH_IMM);
	uint8_t cls = BH_CLASS(in->code);
	char msg[512];

	/* bpfhost is stricter than libbpf here: a record on the data half
	 * of an ld_imm64 would break the pair whatever we write */
	if (c->ld2[idx]) {
		snprintf(c->err, c->errsz,
			 "prog '%s': relo #%d: insn #%zu is the second half of "
			 "an ld_imm64",
			 pn, relo_idx, idx);
		return -EINVAL;
	}
	if (res->poison) {
	poison:
		if (ldimm && idx + 1 < c->p->insn_cnt)
			poison(in + 1);
		poison(in);
		return 0;
	}
	switch (cls) {
	case BH_ALU:
	case BH_ALU64: {
		int64_t v = (int64_t)res->val;

		if (BH_SRC(in->code) != BH_K)
			break;
		if (res->validate && (uint64_t)(int64_t)in->imm != res->orig) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: unexpected insn #%zu "
				 "(ALU/ALU64) value: got %d, exp %llu -> %llu",
				 pn, relo_idx, idx, in->imm,
				 (unsigned long long)res->orig,
				 (unsigned long long)res->val);
			return -EINVAL;
		}
		/* libbpf truncates silently; a value that does not fit the
		 * 32-bit immediate is refused here */
		if (v < INT32_MIN || v > (int64_t)UINT32_MAX) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: insn #%zu (ALU/ALU64) "
				 "value too big for imm: %llu",
				 pn, relo_idx, idx,
				 (unsigned long long)res->val);
			return -ERANGE;
		}
		in->imm = (int32_t)(uint32_t)res->val;
		return 0;
	}
	case BH_LDX:
	case BH_ST:
	case BH_STX: {
		int bpf_sz;

		if (res->validate && (uint64_t)(int64_t)in->off != res->orig) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: unexpected insn #%zu "
				 "(LDX/ST/STX) value: got %d, exp %llu -> %llu",
				 pn, relo_idx, idx, in->off,
				 (unsigned long long)res->orig,
				 (unsigned long long)res->val);
			return -EINVAL;
		}
		if (res->val > SHRT_MAX) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: insn #%zu (LDX/ST/STX) "
				 "value too big: %llu",
				 pn, relo_idx, idx,
				 (unsigned long long)res->val);
			return -ERANGE;
		}
		if (res->bad_memsz) {
			snprintf(msg, sizeof(msg),
				 "prog '%s': relo #%d: insn #%zu (LDX/ST/STX) "
				 "accesses field incorrectly. Make sure you "
				 "are accessing pointers, unsigned integers, "
				 "or fields of matching type and size.",
				 pn, relo_idx, idx);
			warn(c, msg);
			goto poison;
		}
		in->off = (int16_t)res->val;
		if (res->new_sz == res->orig_sz)
			return 0;
		if (size_bytes(in->code) != (int)res->orig_sz) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: insn #%zu (LDX/ST/STX) "
				 "unexpected mem size: got %d, exp %u",
				 pn, relo_idx, idx, size_bytes(in->code),
				 res->orig_sz);
			return -EINVAL;
		}
		bpf_sz = size_code(res->new_sz);
		if (bpf_sz < 0) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: insn #%zu (LDX/ST/STX) "
				 "invalid new mem size: %u",
				 pn, relo_idx, idx, res->new_sz);
			return -EINVAL;
		}
		in->code = (uint8_t)(BH_MODE(in->code) | bpf_sz | cls);
		return 0;
	}
	case BH_LD: {
		uint64_t imm;

		if (!ldimm || idx + 1 >= c->p->insn_cnt || in[0].src_reg ||
		    in[0].off || in[1].code || in[1].dst_reg || in[1].src_reg ||
		    in[1].off) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: insn #%zu (LDIMM64) has "
				 "unexpected form",
				 pn, relo_idx, idx);
			return -EINVAL;
		}
		imm = (uint32_t)in[0].imm |
		      ((uint64_t)(uint32_t)in[1].imm << 32);
		if (res->validate && imm != res->orig) {
			snprintf(c->err, c->errsz,
				 "prog '%s': relo #%d: unexpected insn #%zu "
				 "(LDIMM64) value: got %llu, exp %llu -> %llu",
				 pn, relo_idx, idx, (unsigned long long)imm,
				 (unsigned long long)res->orig,
				 (unsigned long long)res->val);
			return -EINVAL;
		}
		in[0].imm = (int32_t)(uint32_t)res->val;
		in[1].imm = (int32_t)(uint32_t)(res->val >> 32);
		return 0;
	}
	default:
		break;
	}
	snprintf(c->err, c->errsz,
		 "prog '%s': relo #%d: trying to relocate unrecognized insn "
		 "#%zu, code:0x%x, src:0x%x, dst:0x%x, off:0x%x, imm:0x%x",
		 pn, relo_idx, idx, in->code, in->src_reg, in->dst_reg,
		 (unsigned)(uint16_t)in->off, (unsigned)in->imm);
	return -EINVAL;
}

static int apply_one(struct core_ctx *c, const struct core_rec *r, int relo_idx,
		     long slot)
{
	struct core_res res;
	int ret = resolve(c, r, relo_idx, &res);

	if (ret)
		return ret;
	return patch(c, (size_t)slot, relo_idx, &res);
}

int bh_core_relocate(struct bh_obj_prog *p, const struct bh_object *o,
		     const struct bh_link_env *env, char *err, size_t errsz)
{
	struct core_ctx *c;
	struct core_area a;
	int ret;

	if (!o->btf || !o->btf_ext || !p->seg_cnt)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (struct core_ctx){.p = p,
			       .o = o,
			       .lbtf = o->btf,
			       .env = env,
			       .err = err,
			       .errsz = errsz};
	ret = core_area(c, &a);
	if (ret <= 0)
		goto out;
	ret = core_walk(c, &a, NULL);
	if (ret)
		goto out;
	ret = bh_btf_validate(o->btf, ".BTF", err, errsz);
	if (ret) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errsz, "prog '%s': CO-RE relocations: %s",
			 p->name, why);
		goto out;
	}
	if (!env->hbtf || !env->hbtf->cnt) {
		snprintf(err, errsz,
			 "prog '%s': CO-RE relocations need host BTF, and this "
			 "runtime has none",
			 p->name);
		ret = -ESRCH;
		goto out;
	}
	c->ld2 = calloc(p->insn_cnt + 1, 1);
	if (!c->ld2) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i + 1 < p->insn_cnt; i++)
		if (p->insns[i].code == (BH_LD | BH_DW | BH_IMM))
			c->ld2[++i] = 1;
	ret = core_walk(c, &a, apply_one);
out:
	if (ret > 0)
		ret = 0;
	for (size_t i = 0; i < c->cache_n; i++)
		free(c->cache[i].c);
	free(c->cache);
	free(c->ld2);
	free(c);
	return ret;
}

/* ---- describing a poisoned instruction ---- */

int bh_core_describe(const struct bh_obj_prog *p, const struct bh_object *o,
		     size_t idx, char *buf, size_t size)
{
	struct core_ctx *c;
	struct core_area a;
	char err[256];
	uint32_t pos;
	int ret = -ENOENT;

	if (!o->btf || !o->btf_ext || !p->seg_cnt || !size)
		return -ENOENT;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (struct core_ctx){.p = (struct bh_obj_prog *)p,
			       .o = o,
			       .lbtf = o->btf,
			       .err = err,
			       .errsz = sizeof(err)};
	/* relocation already checked every record: walk without callbacks
	 * that could fail, stop at the first record on idx */
	if (core_area(c, &a) <= 0 || core_walk(c, &a, NULL) ||
	    bh_btf_validate(o->btf, ".BTF", err, sizeof(err)))
		goto out;
	pos = a.start;
	while (pos < a.end && ret == -ENOENT) {
		const char *sec =
			btf__name_by_offset(c->lbtf, rd32(a.base + pos));
		uint32_t num = rd32(a.base + pos + 4);

		pos += 8;
		for (uint32_t i = 0; i < num; i++, pos += a.rec_size) {
			struct core_rec r = {rd32(a.base + pos),
					     rd32(a.base + pos + 4),
					     rd32(a.base + pos + 8),
					     rd32(a.base + pos + 12)};
			char spec[256];

			if (img_slot(p, sec, r.insn_off / 8) != (long)idx)
				continue;
			if (spec_parse(c, c->lbtf, &r, &c->local))
				break;
			spec_format(&c->local, spec, sizeof(spec));
			snprintf(buf, size,
				 "failed to resolve CO-RE relocation %s", spec);
			ret = 0;
			break;
		}
	}
out:
	free(c);
	return ret;
}
