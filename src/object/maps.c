// SPDX-License-Identifier: BSD-2-Clause
/*
 * Maps of an object: BTF-defined maps in SEC(".maps") and one single-entry
 * array per non-empty global data section (.data*, .rodata*, .bss*), plus
 * the license and version sections.
 *
 * Invariant: every map in obj->maps passed bh_map_def_check, so a later
 * bh_map_new on it can fail only for lack of memory; user maps come first
 * (in .maps DATASEC order), data maps follow in section order, as libbpf
 * orders them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/obj_internal.h"

#define BH_BTF_MAX_DEPTH 32

static const struct btf_type *bh_skip_mods(const struct btf *btf, uint32_t id,
					   uint32_t *res_id)
{
	const struct btf_type *t = bh_btf_type(btf, id);
	int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) &&
	       depth++ < BH_BTF_MAX_DEPTH) {
		id = t->type;
		t = bh_btf_type(btf, id);
	}
	if (t && (btf_is_mod(t) || btf_is_typedef(t)))
		return NULL;
	if (res_id)
		*res_id = id;
	return t;
}

/* Size of type id; -1 when it has none or the chain is broken/too deep.
 * libbpf's btf__resolve_size would do, but it trusts type ids. */
static int64_t bh_btf_size(const struct btf *btf, uint32_t id)
{
	uint64_t mult = 1;
	int depth;

	for (depth = 0; depth < BH_BTF_MAX_DEPTH; depth++) {
		const struct btf_type *t = bh_btf_type(btf, id);

		if (!t)
			return -1;
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_FLOAT:
		case BTF_KIND_DATASEC:
			mult *= t->size;
			return mult > UINT32_MAX ? -1 : (int64_t)mult;
		case BTF_KIND_PTR:
			mult *= 8;
			return mult > UINT32_MAX ? -1 : (int64_t)mult;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			mult *= btf_array(t)->nelems;
			if (mult > UINT32_MAX)
				return -1;
			id = btf_array(t)->type;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

/* __uint(name, val) is `int (*name)[val]`: val is the array's length. */
static int bh_map_int_field(struct bh_ctx *ctx, const char *map,
			    const char *field, uint32_t type_id, uint32_t *val)
{
	const struct btf *btf = ctx->obj->btf;
	const struct btf_type *t = bh_skip_mods(btf, type_id, NULL);
	const struct btf_type *arr;

	if (!t || !btf_is_ptr(t))
		return bh_obj_err(ctx, -EINVAL,
				  "map '%s': field '%s' is not __uint()", map,
				  field);
	arr = bh_btf_type(btf, t->type);
	if (!arr || !btf_is_array(arr))
		return bh_obj_err(ctx, -EINVAL,
				  "map '%s': field '%s' is not __uint()", map,
				  field);
	*val = btf_array(arr)->nelems;
	return 0;
}

/* __type(name, T) is `T *name`: the pointee's id and size. */
static int bh_map_type_field(struct bh_ctx *ctx, const char *map,
			     const char *field, uint32_t type_id, uint32_t *tid,
			     uint32_t *size)
{
	const struct btf *btf = ctx->obj->btf;
	const struct btf_type *t = bh_skip_mods(btf, type_id, NULL);
	int64_t sz;

	if (!t || !btf_is_ptr(t))
		return bh_obj_err(ctx, -EINVAL,
				  "map '%s': field '%s' is not __type()", map,
				  field);
	sz = bh_btf_size(btf, t->type);
	if (sz < 0)
		return bh_obj_err(ctx, -EINVAL,
				  "map '%s': %s type %u has no size", map,
				  field, t->type);
	*tid = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static int bh_set_size(struct bh_ctx *ctx, const char *map, const char *what,
		       uint32_t *dst, uint32_t val)
{
	if (*dst && *dst != val)
		return bh_obj_err(ctx, -EINVAL,
				  "map '%s': conflicting %s sizes %u and %u",
				  map, what, *dst, val);
	*dst = val;
	return 0;
}

static int bh_parse_map_def(struct bh_ctx *ctx, const char *name,
			    uint32_t var_type, struct bh_map_def *def)
{
	const struct btf *btf = ctx->obj->btf;
	const struct btf_type *st = bh_skip_mods(btf, var_type, NULL);
	const struct btf_member *m;
	bool have_type = false;
	uint32_t i, v;
	int ret = 0;

	if (!st || !btf_is_struct(st))
		return bh_obj_err(ctx, -EINVAL,
				  "map '%s': definition is not a struct", name);
	m = btf_members(st);
	for (i = 0; i < btf_vlen(st) && !ret; i++, m++) {
		const char *f = bh_btf_str(btf, m->name_off);

		if (!f)
			return bh_obj_err(ctx, -EINVAL,
					  "map '%s': member %u has a bad name",
					  name, i);
		if (!strcmp(f, "type")) {
			ret = bh_map_int_field(ctx, name, f, m->type,
					       &def->type);
			have_type = true;
		} else if (!strcmp(f, "max_entries")) {
			ret = bh_map_int_field(ctx, name, f, m->type,
					       &def->max_entries);
		} else if (!strcmp(f, "map_flags")) {
			ret = bh_map_int_field(ctx, name, f, m->type,
					       &def->map_flags);
		} else if (!strcmp(f, "key_size") || !strcmp(f, "value_size")) {
			ret = bh_map_int_field(ctx, name, f, m->type, &v);
			if (!ret)
				ret = bh_set_size(ctx, name,
						  f[0] == 'k' ? "key" : "value",
						  f[0] == 'k'
							  ? &def->key_size
							  : &def->value_size,
						  v);
		} else if (!strcmp(f, "key") || !strcmp(f, "value")) {
			bool key = f[0] == 'k';
			uint32_t tid = 0;

			ret = bh_map_type_field(ctx, name, f, m->type, &tid,
						&v);
			if (ret)
				break;
			if (key)
				def->btf_key_type_id = tid;
			else
				def->btf_value_type_id = tid;
			ret = bh_set_size(
				ctx, name, f,
				key ? &def->key_size : &def->value_size, v);
		} else if (!strcmp(f, "pinning") || !strcmp(f, "numa_node")) {
			/* no bpffs and no NUMA placement in a host process */
			ret = bh_map_int_field(ctx, name, f, m->type, &v);
		} else {
			return bh_obj_err(ctx, -ENOTSUP,
					  "map '%s': field '%s' not supported",
					  name, f);
		}
	}
	if (ret)
		return ret;
	if (!have_type)
		return bh_obj_err(ctx, -EINVAL, "map '%s': no map type", name);
	{
		char msg[200];

		ret = bh_map_def_check(def, msg, sizeof(msg));
		if (ret)
			return bh_obj_err(ctx, ret, "%s", msg);
	}
	return 0;
}

struct bh_named_sym {
	const char *name;
	uint64_t value;
};

static int bh_named_sym_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bh_named_sym *)a)->name,
		      ((const struct bh_named_sym *)b)->name);
}

/* Named symbols of section sec, sorted by name for bsearch: keeps map
 * matching O(n log n) however many maps and symbols a file claims. */
static int bh_sec_syms(struct bh_ctx *ctx, size_t sec,
		       struct bh_named_sym **out, size_t *cnt)
{
	struct bh_named_sym *v;
	size_t i, n = 0;

	v = calloc(ctx->sym_cnt + 1, sizeof(*v));
	if (!v)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 1; i < ctx->sym_cnt; i++) {
		const char *name;
		GElf_Sym sym;

		bh_elf_sym(ctx, i, &sym);
		if (sym.st_shndx != sec ||
		    GELF_ST_TYPE(sym.st_info) == STT_SECTION)
			continue;
		name = bh_elf_str(ctx, ctx->strtab, sym.st_name);
		if (!name || !*name)
			continue;
		v[n].name = name;
		v[n].value = sym.st_value;
		n++;
	}
	qsort(v, n, sizeof(*v), bh_named_sym_cmp);
	*out = v;
	*cnt = n;
	return 0;
}

static int bh_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int bh_add_map(struct bh_ctx *ctx, const char *name,
		      struct bh_obj_map **out)
{
	struct bh_object *obj = ctx->obj;
	struct bh_obj_map *m;

	m = realloc(obj->maps, (obj->map_cnt + 1) * sizeof(*m));
	if (!m)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	obj->maps = m;
	m = &obj->maps[obj->map_cnt];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!m->name)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	m->def.name = m->name;
	obj->map_cnt++;
	*out = m;
	return 0;
}

static int bh_user_maps_from(struct bh_ctx *ctx, const struct btf_type *ds,
			     const struct bh_named_sym *syms, size_t nsyms);

static int bh_user_maps(struct bh_ctx *ctx)
{
	const struct btf *btf = ctx->obj->btf;
	const struct btf_type *ds;
	struct bh_named_sym *syms = NULL;
	size_t nsyms = 0, i;
	int ds_id;
	int ret;

	if (!ctx->maps_sec)
		return 0;
	if (!btf)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (.maps): map definitions need "
				  ".BTF",
				  ctx->maps_sec);
	ds_id = btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
	ds = ds_id > 0 ? bh_btf_type(btf, ds_id) : NULL;
	if (!ds)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (.maps): no DATASEC '.maps' in "
				  ".BTF",
				  ctx->maps_sec);
	ctx->umaps = calloc(btf_vlen(ds) + 1, sizeof(*ctx->umaps));
	if (!ctx->umaps)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	ret = bh_sec_syms(ctx, ctx->maps_sec, &syms, &nsyms);
	if (ret)
		return ret;
	ret = bh_user_maps_from(ctx, ds, syms, nsyms);
	free(syms);
	if (ret)
		return ret;
	/* sorted by offset for the relocation lookup; two maps at one
	 * offset would make relocations ambiguous */
	qsort(ctx->umaps, ctx->umap_cnt, sizeof(*ctx->umaps), bh_u64_cmp);
	for (i = 1; i < ctx->umap_cnt; i++)
		if (ctx->umaps[i].off == ctx->umaps[i - 1].off)
			return bh_obj_err(
				ctx, -EINVAL,
				"section %zu (.maps): two maps at "
				"offset 0x%llx",
				ctx->maps_sec,
				(unsigned long long)ctx->umaps[i].off);
	return 0;
}

static int bh_user_maps_from(struct bh_ctx *ctx, const struct btf_type *ds,
			     const struct bh_named_sym *syms, size_t nsyms)
{
	const struct btf *btf = ctx->obj->btf;
	const struct bh_sec *sec = &ctx->secs[ctx->maps_sec];
	const struct btf_var_secinfo *vs = btf_var_secinfos(ds);
	uint32_t i;
	int ret;

	for (i = 0; i < btf_vlen(ds); i++, vs++) {
		const struct btf_type *var = bh_btf_type(btf, vs->type);
		const struct bh_named_sym *hit;
		struct bh_named_sym key;
		struct bh_obj_map *m;
		const char *name;
		uint64_t off;

		if (!var || !btf_is_var(var))
			return bh_obj_err(ctx, -EINVAL,
					  "DATASEC '.maps': entry %u (type %u) "
					  "is not a VAR",
					  i, vs->type);
		name = bh_btf_str(btf, var->name_off);
		if (!name || !*name)
			return bh_obj_err(ctx, -EINVAL,
					  "DATASEC '.maps': entry %u has no "
					  "name",
					  i);
		/* clang fills DATASEC offsets, but the symbol is what
		 * relocations refer to, so it is the authority */
		key.name = name;
		hit = bsearch(&key, syms, nsyms, sizeof(*syms),
			      bh_named_sym_cmp);
		off = hit ? hit->value : vs->offset;
		if (off >= sec->size)
			return bh_obj_err(ctx, -EINVAL,
					  "map '%s': offset 0x%llx outside "
					  "section %zu (.maps)",
					  name, (unsigned long long)off,
					  ctx->maps_sec);
		ret = bh_add_map(ctx, name, &m);
		if (ret)
			return ret;
		m->def.kind = BH_MAPK_USER;
		ctx->umaps[ctx->umap_cnt].off = off;
		ctx->umaps[ctx->umap_cnt].idx = ctx->obj->map_cnt - 1;
		ctx->umap_cnt++;
		ret = bh_parse_map_def(ctx, m->name, var->type, &m->def);
		if (ret)
			return ret;
	}
	return 0;
}

static int bh_vsi_off_cmp(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * clang leaves a data section's DATASEC with size 0 and every variable at
 * offset 0; its symbols say where they are.  Fill both in and sort the
 * variables by offset (what libbpf's btf_fixup_datasec does before the
 * kernel sees the BTF), so the special fields of global data (a
 * bpf_spin_lock, a bpf_res_spin_lock) are found where they are.
 */
static int bh_fixup_datasec(struct bh_ctx *ctx, size_t sec, uint32_t id)
{
	struct btf *btf = ctx->obj->btf;
	struct btf_type *t = (struct btf_type *)btf__type_by_id(btf, id);
	struct bh_named_sym *syms = NULL, key, *hit;
	struct btf_var_secinfo *vs;
	size_t nsyms = 0;
	int ret;

	if (!t || !btf_is_datasec(t) || !btf_vlen(t))
		return 0;
	ret = bh_sec_syms(ctx, sec, &syms, &nsyms);
	if (ret)
		return ret;
	t->size = (uint32_t)ctx->secs[sec].size;
	vs = btf_var_secinfos(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *var = btf__type_by_id(btf, vs[i].type);

		key.name = var ? bh_btf_str(btf, var->name_off) : NULL;
		hit = key.name ? bsearch(&key, syms, nsyms, sizeof(*syms),
					 bh_named_sym_cmp)
			       : NULL;
		if (!hit || hit->value > t->size ||
		    vs[i].size > t->size - hit->value) {
			free(syms);
			return bh_obj_err(ctx, -EINVAL,
					  "DATASEC '%s': variable %u has no "
					  "symbol inside the section",
					  ctx->secs[sec].name, i);
		}
		vs[i].offset = (uint32_t)hit->value;
	}
	qsort(vs, btf_vlen(t), sizeof(*vs), bh_vsi_off_cmp);
	free(syms);
	return 0;
}

static int bh_data_maps(struct bh_ctx *ctx)
{
	size_t i;
	int ret;

	for (i = 1; i < ctx->sec_cnt; i++) {
		struct bh_sec *s = &ctx->secs[i];
		struct bh_obj_map *m;
		int id;

		if (s->kind != BH_SEC_DATA || s->size == 0)
			continue;
		if (s->size > BH_MAP_MAX_VALUE_SIZE)
			return bh_obj_err(ctx, -E2BIG,
					  "section %zu (%s): %zu bytes of "
					  "global data, over the limit of %u",
					  i, s->name, s->size,
					  BH_MAP_MAX_VALUE_SIZE);
		ret = bh_add_map(ctx, s->name, &m);
		if (ret)
			return ret;
		s->map_idx = (int)(ctx->obj->map_cnt - 1);
		m->def.type = BH_MAP_ARRAY;
		m->def.key_size = 4;
		m->def.value_size = (uint32_t)s->size;
		m->def.max_entries = 1;
		m->def.map_flags = BH_F_MMAPABLE;
		if (!strncmp(s->name, ".rodata", 7)) {
			m->def.kind = BH_MAPK_RODATA;
			m->def.map_flags |= BH_F_RDONLY_PROG;
		} else if (!strncmp(s->name, ".bss", 4)) {
			m->def.kind = BH_MAPK_BSS;
		} else {
			m->def.kind = BH_MAPK_DATA;
		}
		id = ctx->obj->btf
			     ? btf__find_by_name_kind(ctx->obj->btf, s->name,
						      BTF_KIND_DATASEC)
			     : -1;
		m->def.btf_value_type_id = id > 0 ? (uint32_t)id : 0;
		if (id > 0) {
			ret = bh_fixup_datasec(ctx, i, (uint32_t)id);
			if (ret)
				return ret;
		}
		/* .bss too gets its (zero) image: callers copy uniformly */
		m->init = calloc(1, s->size);
		if (!m->init)
			return bh_obj_err(ctx, -ENOMEM, "out of memory");
		if (s->data)
			memcpy(m->init, s->data, s->size);
		m->init_size = s->size;
	}
	return 0;
}

static int bh_license_version(struct bh_ctx *ctx)
{
	size_t i;

	for (i = 1; i < ctx->sec_cnt; i++) {
		const struct bh_sec *s = &ctx->secs[i];

		if (!strcmp(s->name, "license")) {
			if (!s->data || !memchr(s->data, '\0', s->size))
				return bh_obj_err(ctx, -EINVAL,
						  "section %zu (license): not "
						  "a NUL-terminated string",
						  i);
			free(ctx->obj->license);
			ctx->obj->license = strdup((const char *)s->data);
			if (!ctx->obj->license)
				return bh_obj_err(ctx, -ENOMEM,
						  "out of memory");
		} else if (!strcmp(s->name, "version")) {
			if (!s->data || s->size != 4)
				return bh_obj_err(ctx, -EINVAL,
						  "section %zu (version): size "
						  "%zu, expected 4",
						  i, s->size);
			memcpy(&ctx->obj->kern_version, s->data, 4);
		}
	}
	return 0;
}

int bh_maps_collect(struct bh_ctx *ctx)
{
	int ret;

	ret = bh_license_version(ctx);
	if (!ret)
		ret = bh_user_maps(ctx);
	if (!ret)
		ret = bh_data_maps(ctx);
	return ret;
}
