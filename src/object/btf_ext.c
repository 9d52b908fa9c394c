// SPDX-License-Identifier: BSD-2-Clause
/*
 * .BTF.ext reader: func_info and line_info (Documentation/bpf/btf.rst),
 * which libbpf 1.1 does not expose, plus bounds-checked wrappers over
 * libbpf's BTF accessors (1.1 does not range-check every type id).
 *
 * Invariant: a record lands in a code section's finfo/linfo only if its
 * instruction lies inside that section, its type is a FUNC and its strings
 * are valid; each section's records end up sorted by instruction, so the
 * program builder can rebase them with a binary search.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/obj_internal.h"

#define BH_BTF_EXT_MAGIC 0xeB9F

const struct btf_type *bh_btf_type(const struct btf *btf, uint32_t id)
{
	if (!btf || id == 0 || id >= btf__type_cnt(btf))
		return NULL;
	return btf__type_by_id(btf, id);
}

const char *bh_btf_str(const struct btf *btf, uint32_t off)
{
	return btf ? btf__name_by_offset(btf, off) : NULL;
}

static uint32_t bh_rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int bh_code_sec_cmp(const void *a, const void *b, void *arg)
{
	const struct bh_ctx *ctx = arg;

	return strcmp(ctx->secs[*(const size_t *)a].name,
		      ctx->secs[*(const size_t *)b].name);
}

/* Code section named name, via the sorted index; 0 when none. */
static size_t bh_find_code_sec(const struct bh_ctx *ctx, const size_t *idx,
			       size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, ctx->secs[idx[mid]].name);

		if (!c)
			return idx[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int bh_add_func(struct bh_ctx *ctx, struct bh_sec *s, size_t secidx,
		       const unsigned char *rec, size_t n)
{
	const struct btf *btf = ctx->obj->btf;
	uint32_t off = bh_rd32(rec), type_id = bh_rd32(rec + 4);
	const struct btf_type *t = bh_btf_type(btf, type_id);

	if (off % BH_INSN_SZ || off / BH_INSN_SZ >= s->insn_cnt)
		return bh_obj_err(ctx, -EINVAL,
				  ".BTF.ext func_info for section %zu (%s): "
				  "record %zu insn_off 0x%x out of range",
				  secidx, s->name, n, off);
	if (!t || !btf_is_func(t))
		return bh_obj_err(ctx, -EINVAL,
				  ".BTF.ext func_info for section %zu (%s): "
				  "record %zu type %u is not a FUNC",
				  secidx, s->name, n, type_id);
	s->finfo[s->finfo_cnt].insn = off / BH_INSN_SZ;
	s->finfo[s->finfo_cnt].type_id = type_id;
	s->finfo_cnt++;
	return 0;
}

static int bh_add_line(struct bh_ctx *ctx, struct bh_sec *s, size_t secidx,
		       const unsigned char *rec, size_t n)
{
	const struct btf *btf = ctx->obj->btf;
	struct bh_ext_line *l = &s->linfo[s->linfo_cnt];

	l->insn = bh_rd32(rec);
	l->file_off = bh_rd32(rec + 4);
	l->line_off = bh_rd32(rec + 8);
	l->line_col = bh_rd32(rec + 12);
	if (l->insn % BH_INSN_SZ || l->insn / BH_INSN_SZ >= s->insn_cnt)
		return bh_obj_err(ctx, -EINVAL,
				  ".BTF.ext line_info for section %zu (%s): "
				  "record %zu insn_off 0x%x out of range",
				  secidx, s->name, n, l->insn);
	if (!bh_btf_str(btf, l->file_off) || !bh_btf_str(btf, l->line_off))
		return bh_obj_err(ctx, -EINVAL,
				  ".BTF.ext line_info for section %zu (%s): "
				  "record %zu has a bad string offset",
				  secidx, s->name, n);
	l->insn /= BH_INSN_SZ;
	s->linfo_cnt++;
	return 0;
}

static int bh_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One info area: u32 rec_size, then blocks {sec_name_off, num_info,
 * rec[num_info]}.  is_line selects the record layout. */
static int bh_parse_info(struct bh_ctx *ctx, const unsigned char *p,
			 uint32_t len, bool is_line, const size_t *idx,
			 size_t nidx)
{
	const char *what = is_line ? "line_info" : "func_info";
	uint32_t min_rec = is_line ? 16 : 8, rec_size, pos = 4;

	if (len == 0)
		return 0;
	if (len < 4)
		return bh_obj_err(ctx, -EINVAL,
				  ".BTF.ext %s: %u bytes is too "
				  "short",
				  what, len);
	rec_size = bh_rd32(p);
	if (rec_size < min_rec || rec_size % 4)
		return bh_obj_err(ctx, -EINVAL,
				  ".BTF.ext %s: record size %u invalid", what,
				  rec_size);
	while (pos < len) {
		uint32_t name_off, num, i;
		const char *name;
		struct bh_sec *s;
		size_t secidx;
		void *grown;

		if (len - pos < 8)
			return bh_obj_err(ctx, -EINVAL,
					  ".BTF.ext %s: truncated section "
					  "header at 0x%x",
					  what, pos);
		name_off = bh_rd32(p + pos);
		num = bh_rd32(p + pos + 4);
		pos += 8;
		name = bh_btf_str(ctx->obj->btf, name_off);
		if (!name)
			return bh_obj_err(ctx, -EINVAL,
					  ".BTF.ext %s: section name offset "
					  "0x%x invalid",
					  what, name_off);
		if (num == 0 || (uint64_t)num * rec_size > len - pos)
			return bh_obj_err(ctx, -EINVAL,
					  ".BTF.ext %s for section '%s': %u "
					  "records of %u bytes do not fit in "
					  "the %u bytes left",
					  what, name, num, rec_size, len - pos);
		secidx = bh_find_code_sec(ctx, idx, nidx, name);
		if (!secidx) {
			/* info for code we do not load (e.g. empty) */
			pos += num * rec_size;
			continue;
		}
		s = &ctx->secs[secidx];
		if (is_line) {
			if (s->linfo_cnt)
				goto dup;
			grown = calloc(num, sizeof(*s->linfo));
			s->linfo = grown;
		} else {
			if (s->finfo_cnt)
				goto dup;
			grown = calloc(num, sizeof(*s->finfo));
			s->finfo = grown;
		}
		if (!grown)
			return bh_obj_err(ctx, -ENOMEM, "out of memory");
		for (i = 0; i < num; i++, pos += rec_size) {
			int ret = is_line ? bh_add_line(ctx, s, secidx, p + pos,
							i)
					  : bh_add_func(ctx, s, secidx, p + pos,
							i);
			if (ret)
				return ret;
		}
		/* insn is each record's first field: sort by it */
		if (is_line)
			qsort(s->linfo, s->linfo_cnt, sizeof(*s->linfo),
			      bh_cmp_u32);
		else
			qsort(s->finfo, s->finfo_cnt, sizeof(*s->finfo),
			      bh_cmp_u32);
		continue;
	dup:
		return bh_obj_err(ctx, -EINVAL,
				  ".BTF.ext %s: section '%s' appears twice",
				  what, name);
	}
	return 0;
}

int bh_btf_ext_parse(struct bh_ctx *ctx)
{
	const struct bh_sec *s;
	const unsigned char *p;
	uint32_t hdr_len, off[2], len[2];
	size_t *idx, nidx = 0, i;
	uint16_t magic;
	int ret, k;

	if (!ctx->btf_ext_sec)
		return 0;
	s = &ctx->secs[ctx->btf_ext_sec];
	if (!ctx->obj->btf)
		return bh_obj_err(
			ctx, -EINVAL,
			"section %zu (.BTF.ext): no .BTF to go with it",
			ctx->btf_ext_sec);
	p = s->data;
	if (!p || s->size < 24)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (.BTF.ext): %zu bytes is too "
				  "short for the header",
				  ctx->btf_ext_sec, s->size);
	memcpy(&magic, p, 2);
	hdr_len = bh_rd32(p + 4);
	if (magic != BH_BTF_EXT_MAGIC || p[2] != 1)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (.BTF.ext): bad magic 0x%x or "
				  "version %u",
				  ctx->btf_ext_sec, magic, p[2]);
	if (hdr_len < 24 || hdr_len > s->size)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (.BTF.ext): header length %u "
				  "invalid (section size %zu)",
				  ctx->btf_ext_sec, hdr_len, s->size);
	for (k = 0; k < 2; k++) {
		off[k] = bh_rd32(p + 8 + 8 * k);
		len[k] = bh_rd32(p + 12 + 8 * k);
		if ((uint64_t)hdr_len + off[k] + len[k] > s->size)
			return bh_obj_err(ctx, -EINVAL,
					  "section %zu (.BTF.ext): %s offset "
					  "0x%x length 0x%x past end of "
					  "section (size 0x%zx)",
					  ctx->btf_ext_sec,
					  k ? "line_info" : "func_info", off[k],
					  len[k], s->size);
	}
	ctx->obj->btf_ext = malloc(s->size);
	if (!ctx->obj->btf_ext)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	memcpy(ctx->obj->btf_ext, p, s->size);
	ctx->obj->btf_ext_size = s->size;

	idx = calloc(ctx->sec_cnt, sizeof(*idx));
	if (!idx)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 1; i < ctx->sec_cnt; i++)
		if (ctx->secs[i].kind == BH_SEC_CODE && ctx->secs[i].insn_cnt)
			idx[nidx++] = i;
	qsort_r(idx, nidx, sizeof(*idx), bh_code_sec_cmp, ctx);
	ret = bh_parse_info(ctx, p + hdr_len + off[0], len[0], false, idx,
			    nidx);
	if (!ret)
		ret = bh_parse_info(ctx, p + hdr_len + off[1], len[1], true,
				    idx, nidx);
	free(idx);
	return ret;
}
