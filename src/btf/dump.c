// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host BTF as a C header for BPF programs (what vmlinux.h is for the
 * kernel): every source merged into one BTF, deduplicated, dumped by
 * libbpf's btf_dump in dependency order, then `extern ... __ksym;`
 * declarations of the kfuncs asked for.
 *
 * The sources are copied type by type (btf__add_btf refuses split BTF in
 * libbpf 1.1) with their type ids remapped into the merged id space; each
 * requested FUNC is marked with a unique decl tag before dedup so that its
 * id can be found again afterwards, as dedup renumbers everything.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf/hbtf.h"
#include "btf/hbtf_internal.h"

#define BH_DECL_TAG "bh_decl_"

/* Rewrite every type id t refers to through map (out of range -> void). */
static void remap_refs(struct btf_type *t, const uint32_t *map,
		       uint32_t map_cnt)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info), *refs[2] = {NULL, NULL};

#define BH_REMAP(p) (*(p) = *(p) < map_cnt ? map[*(p)] : 0)
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		refs[0] = &t->type;
		break;
	case BTF_KIND_ARRAY: {
		struct btf_array *a = (void *)(t + 1);

		refs[0] = &a->type;
		refs[1] = &a->index_type;
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		struct btf_member *m = (void *)(t + 1);

		for (uint32_t i = 0; i < vlen; i++)
			BH_REMAP(&m[i].type);
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		struct btf_param *p = (void *)(t + 1);

		refs[0] = &t->type;
		for (uint32_t i = 0; i < vlen; i++)
			BH_REMAP(&p[i].type);
		break;
	}
	case BTF_KIND_DATASEC: {
		struct btf_var_secinfo *s = (void *)(t + 1);

		for (uint32_t i = 0; i < vlen; i++)
			BH_REMAP(&s[i].type);
		break;
	}
	default:
		break;
	}
	for (int i = 0; i < 2; i++)
		if (refs[i])
			BH_REMAP(refs[i]);
#undef BH_REMAP
}

/*
 * Copy source src into dst; maps[src][id] is the dst id of (src, id) for
 * every id of src including its base's (copied from maps[base]).
 */
static int merge_src(const struct bh_hbtf *h, uint32_t src, struct btf *dst,
		     uint32_t **maps)
{
	const struct btf *btf = h->srcs[src].btf;
	uint32_t cnt = btf__type_cnt(btf), start = 1;
	int base = h->srcs[src].base;
	uint32_t *map = calloc(cnt, sizeof(*map));

	if (!map)
		return -ENOMEM;
	maps[src] = map;
	if (base >= 0) {
		start = btf__type_cnt(h->srcs[base].btf);
		memcpy(map, maps[base], start * sizeof(*map));
	}
	/* Ids are assigned in order, so the whole map is known up front and
	 * forward references can be rewritten as each type is added. */
	for (uint32_t id = start; id < cnt; id++)
		map[id] = btf__type_cnt(dst) + (id - start);
	for (uint32_t id = start; id < cnt; id++) {
		int nid = btf__add_type(dst, btf, btf__type_by_id(btf, id));

		if (nid < 0)
			return nid;
		remap_refs((struct btf_type *)btf__type_by_id(dst, nid), map,
			   cnt);
	}
	return 0;
}

static struct btf *merge_all(const struct bh_hbtf *h,
			     const struct bh_hbtf_func_decl *funcs, size_t n,
			     int *ret)
{
	uint32_t **maps = calloc(h->cnt ? h->cnt : 1, sizeof(*maps));
	struct btf *dst = btf__new_empty();
	char tag[32];

	*ret = -ENOMEM;
	if (!maps || !dst)
		goto fail;
	for (uint32_t s = 0; s < h->cnt; s++) {
		*ret = merge_src(h, s, dst, maps);
		if (*ret)
			goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bh_btf_ref *r = &funcs[i].func;
		const struct btf *b = bh_hbtf_btf(h, r->src);
		const struct btf_type *t = b ? btf__type_by_id(b, r->id) : NULL;
		int e;

		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC) {
			*ret = -EINVAL;
			goto fail;
		}
		snprintf(tag, sizeof(tag), BH_DECL_TAG "%zu", i);
		e = btf__add_decl_tag(dst, tag, (int)maps[r->src][r->id], -1);
		if (e < 0) {
			*ret = e;
			goto fail;
		}
	}
	*ret = btf__dedup(dst, NULL);
	if (*ret)
		goto fail;
	goto out;
fail:
	btf__free(dst);
	dst = NULL;
out:
	for (uint32_t s = 0; maps && s < h->cnt; s++)
		free(maps[s]);
	free(maps);
	return dst;
}

/* The merged FUNC id of every requested function, found by its tag. */
static int find_tagged(const struct btf *btf, uint32_t *fid, size_t n)
{
	size_t tl = strlen(BH_DECL_TAG), found = 0;

	for (uint32_t id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;
		char *end;
		unsigned long k;

		if (BTF_INFO_KIND(t->info) != BTF_KIND_DECL_TAG)
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, BH_DECL_TAG, tl))
			continue;
		k = strtoul(name + tl, &end, 10);
		if (*end || k >= n)
			continue;
		fid[k] = t->type;
		found++;
	}
	return found == n ? 0 : -EFAULT;
}

struct dump_ctx {
	void (*out)(void *ctx, const char *text);
	void *octx;
	/* while capturing, btf_dump output goes here instead of out */
	char *buf;
	size_t len, cap;
	int capture, err;
};

static void emit_text(struct dump_ctx *c, const char *s)
{
	size_t n;
	char *nb;

	if (!c->capture) {
		c->out(c->octx, s);
		return;
	}
	n = strlen(s);
	if (c->len + n + 1 > c->cap) {
		size_t cap = (c->len + n + 1) * 2;

		nb = realloc(c->buf, cap);
		if (!nb) {
			c->err = -ENOMEM;
			return;
		}
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n + 1);
	c->len += n;
}

static void dump_printf(void *ctx, const char *fmt, va_list args)
{
	struct dump_ctx *c = ctx;
	char small[256], *s = small;
	va_list again;
	int n;

	va_copy(again, args);
	n = vsnprintf(small, sizeof(small), fmt, args);
	if (n >= (int)sizeof(small)) {
		s = malloc((size_t)n + 1);
		if (s)
			vsnprintf(s, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	if (n < 0 || !s) {
		c->err = -ENOMEM;
		return;
	}
	emit_text(c, s);
	if (s != small)
		free(s);
}

static int emit_decl(struct btf_dump *d, uint32_t id, const char *name)
{
	struct btf_dump_emit_type_decl_opts o = {.sz = sizeof(o),
						 .field_name = name};

	return btf_dump__emit_type_decl(d, id, &o);
}

/* "/ * text * /" with any "*" "/" inside broken so the comment ends once. */
static void emit_comment(struct dump_ctx *c, const char *text)
{
	char piece[2] = {0, 0};

	emit_text(c, "/* ");
	for (const char *p = text; *p; p++) {
		piece[0] = *p;
		emit_text(c, piece);
		if (p[0] == '*' && p[1] == '/')
			emit_text(c, " ");
	}
	emit_text(c, " */\n");
}

/*
 * `extern <ret> name(<params>) __ksym;`: the parameter list is rendered
 * first (captured) and passed as part of the declarator name, so returns
 * of function-pointer type come out right.
 */
static int emit_extern(const struct btf *btf, struct btf_dump *d,
		       struct dump_ctx *c, uint32_t fid, const char *comment,
		       uint32_t hidden)
{
	const struct btf_type *f = btf__type_by_id(btf, fid);
	const struct btf_type *p = btf__type_by_id(btf, f->type);
	const struct btf_param *prm = (const void *)(p + 1);
	uint32_t vlen = BTF_INFO_VLEN(p->info);

	/* KF_IMPLICIT_ARGS: the runtime passes the last ones */
	vlen = hidden < vlen ? vlen - hidden : 0;
	const char *name = btf__name_by_offset(btf, f->name_off);
	char *decl;
	int ret = 0;

	c->capture = 1;
	c->len = 0;
	emit_text(c, name);
	emit_text(c, "(");
	if (!vlen)
		emit_text(c, "void");
	for (uint32_t i = 0; i < vlen && !ret; i++) {
		if (i)
			emit_text(c, ", ");
		if (!prm[i].type) {
			emit_text(c, "...");
			break;
		}
		ret = emit_decl(d, prm[i].type,
				btf__name_by_offset(btf, prm[i].name_off));
	}
	emit_text(c, ")");
	c->capture = 0;
	if (ret || c->err)
		return ret ? ret : c->err;
	decl = strdup(c->buf);
	if (!decl)
		return -ENOMEM;
	if (comment)
		emit_comment(c, comment);
	emit_text(c, "extern ");
	ret = emit_decl(d, p->type, decl);
	emit_text(c, " __ksym;\n");
	free(decl);
	return ret;
}

static const char preamble[] =
	"/* Host BTF of a bpfhost process, generated: do not edit. */\n"
	"#ifndef __BPFHOST_HOST_H__\n"
	"#define __BPFHOST_HOST_H__\n\n"
	"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	"#pragma clang attribute push (__attribute__((preserve_access_index)), "
	"apply_to = record)\n"
	"#endif\n\n";

static const char middle[] =
	"\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	"#pragma clang attribute pop\n"
	"#endif\n\n"
	/* same text as bpf_helpers.h, so including both is no redefinition */
	"#ifndef __ksym\n"
	"#define __ksym __attribute__((section(\".ksyms\")))\n"
	"#endif\n\n";

int bh_hbtf_dump_c(const struct bh_hbtf *h,
		   const struct bh_hbtf_func_decl *funcs, size_t n,
		   void (*out)(void *ctx, const char *text), void *ctx)
{
	struct dump_ctx c = {.out = out, .octx = ctx};
	struct btf_dump *d = NULL;
	uint32_t *fid = NULL;
	struct btf *btf;
	int ret;

	if (!h || !out || (n && !funcs))
		return -EINVAL;
	btf = merge_all(h, funcs, n, &ret);
	if (!btf)
		return ret;
	fid = calloc(n ? n : 1, sizeof(*fid));
	ret = fid ? find_tagged(btf, fid, n) : -ENOMEM;
	if (ret)
		goto out;
	d = btf_dump__new(btf, dump_printf, &c, NULL);
	if (!d) {
		ret = -errno;
		goto out;
	}
	emit_text(&c, preamble);
	for (uint32_t id = 1; id < btf__type_cnt(btf) && !ret; id++)
		ret = btf_dump__dump_type(d, id);
	if (ret)
		goto out;
	emit_text(&c, middle);
	for (size_t i = 0; i < n && !ret; i++)
		ret = emit_extern(btf, d, &c, fid[i], funcs[i].comment,
				  funcs[i].hidden_args);
	if (!ret)
		emit_text(&c, "\n#endif /* __BPFHOST_HOST_H__ */\n");
	if (!ret)
		ret = c.err;
out:
	btf_dump__free(d);
	btf__free(btf);
	free(fid);
	free(c.buf);
	return ret;
}
