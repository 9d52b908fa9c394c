// SPDX-License-Identifier: BSD-2-Clause
/*
 * Object reader entry point: runs the stages in order (ELF, section roles,
 * BTF, functions, maps, .BTF.ext, externs, relocations, program images)
 * over one parse context, and owns the bh_object lifetime.
 *
 * Invariant: bh_object_parse either hands out a complete object or frees
 * everything it built and returns a negative errno with the first error's
 * message; the object never points into the caller's buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/obj_internal.h"

int bh_obj_err(struct bh_ctx *ctx, int ret, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err_set || !ctx->err || !ctx->errsz)
		return ret;
	ctx->err_set = true;
	va_start(ap, fmt);
	vsnprintf(ctx->err, ctx->errsz, fmt, ap);
	va_end(ap);
	return ret;
}

static bool bh_has_prefix(const char *s, const char *pfx)
{
	size_t n = strlen(pfx);

	/* "pfx" itself or "pfx.anything" */
	return !strncmp(s, pfx, n) && (s[n] == '\0' || s[n] == '.');
}

static int bh_classify(struct bh_ctx *ctx)
{
	size_t i;

	for (i = 1; i < ctx->sec_cnt; i++) {
		struct bh_sec *s = &ctx->secs[i];
		uint32_t type = s->sh.sh_type;

		if (type == SHT_PROGBITS && (s->sh.sh_flags & SHF_EXECINSTR)) {
			s->kind = BH_SEC_CODE;
			if (!strcmp(s->name, ".text"))
				ctx->text_sec = i;
		} else if (!strcmp(s->name, ".maps")) {
			if (type != SHT_PROGBITS || ctx->maps_sec)
				return bh_obj_err(ctx, -EINVAL,
						  "section %zu (.maps): not a "
						  "single PROGBITS section",
						  i);
			s->kind = BH_SEC_MAPS;
			ctx->maps_sec = i;
		} else if ((type == SHT_PROGBITS &&
			    (bh_has_prefix(s->name, ".data") ||
			     bh_has_prefix(s->name, ".rodata"))) ||
			   (type == SHT_NOBITS &&
			    bh_has_prefix(s->name, ".bss"))) {
			s->kind = BH_SEC_DATA;
		} else if (!strcmp(s->name, "maps") && s->size) {
			return bh_obj_err(ctx, -ENOTSUP,
					  "section %zu (maps): legacy map "
					  "definitions are not supported, use "
					  "BTF-defined SEC(\".maps\")",
					  i);
		} else if (!strcmp(s->name, ".BTF")) {
			ctx->btf_sec = i;
		} else if (!strcmp(s->name, ".BTF.ext")) {
			ctx->btf_ext_sec = i;
		}
	}
	return 0;
}

static int bh_load_btf(struct bh_ctx *ctx)
{
	const struct bh_sec *s;

	if (!ctx->btf_sec)
		return 0;
	s = &ctx->secs[ctx->btf_sec];
	if (!s->data || s->size > UINT32_MAX)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (.BTF): empty or "
				  "too large (%zu bytes)",
				  ctx->btf_sec, s->size);
	ctx->obj->btf = btf__new(s->data, (uint32_t)s->size);
	if (!ctx->obj->btf) {
		int ret = errno ? -errno : -EINVAL;

		ctx->obj->btf = NULL;
		return bh_obj_err(ctx, ret == -ENOMEM ? ret : -EINVAL,
				  "section %zu (.BTF): libbpf rejects the BTF "
				  "(%s)",
				  ctx->btf_sec, strerror(-ret));
	}
	return 0;
}

static int bh_parse(struct bh_ctx *ctx, const void *buf, size_t size)
{
	int ret;

	ret = bh_elf_open(ctx, buf, size);
	if (!ret)
		ret = bh_classify(ctx);
	if (!ret)
		ret = bh_load_btf(ctx);
	if (!ret)
		ret = bh_funcs_collect(ctx);
	if (!ret)
		ret = bh_maps_collect(ctx);
	if (!ret)
		ret = bh_btf_ext_parse(ctx);
	if (!ret)
		ret = bh_externs_collect(ctx);
	if (!ret)
		ret = bh_relos_apply(ctx);
	if (!ret)
		ret = bh_progs_build(ctx);
	return ret;
}

int bh_object_parse(const void *buf, size_t size, const char *name,
		    struct bh_object **out, char *err, size_t errsz)
{
	struct bh_ctx ctx;
	int ret;

	if (err && errsz)
		err[0] = '\0';
	if (!out)
		return -EINVAL;
	*out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.err = err;
	ctx.errsz = errsz;
	ctx.obj = calloc(1, sizeof(*ctx.obj));
	if (!ctx.obj)
		return bh_obj_err(&ctx, -ENOMEM, "out of memory");
	ctx.obj->name = strdup(name ? name : "");
	ctx.obj->license = strdup("");
	if (!ctx.obj->name || !ctx.obj->license)
		ret = bh_obj_err(&ctx, -ENOMEM, "out of memory");
	else
		ret = bh_parse(&ctx, buf, size);
	bh_elf_close(&ctx);
	free(ctx.funcs);
	free(ctx.ext_of_sym);
	free(ctx.ext_kind_known);
	free(ctx.umaps);
	if (ret) {
		bh_object_free(ctx.obj);
		if (!ctx.err_set)
			bh_obj_err(&ctx, ret, "internal error %d", ret);
		return ret;
	}
	*out = ctx.obj;
	return 0;
}

void bh_object_free(struct bh_object *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->prog_cnt; i++) {
		free(obj->progs[i].name);
		free(obj->progs[i].sec_name);
		free(obj->progs[i].insns);
		free(obj->progs[i].func_info);
		free(obj->progs[i].line_info);
		for (size_t j = 0; j < obj->progs[i].seg_cnt; j++)
			free(obj->progs[i].segs[j].sec_name);
		free(obj->progs[i].segs);
	}
	free(obj->progs);
	for (i = 0; i < obj->map_cnt; i++) {
		free(obj->maps[i].name);
		free(obj->maps[i].init);
	}
	free(obj->maps);
	for (i = 0; i < obj->extern_cnt; i++)
		free(obj->externs[i].name);
	free(obj->externs);
	btf__free(obj->btf);
	free(obj->btf_ext);
	free(obj->name);
	free(obj->license);
	free(obj);
}

const struct bh_line_info *bh_prog_line(const struct bh_obj_prog *prog,
					size_t idx)
{
	size_t lo = 0, hi;

	if (!prog || !prog->line_info_cnt || idx >= prog->insn_cnt)
		return NULL;
	/* last entry with insn_off <= idx; entries are in image order */
	hi = prog->line_info_cnt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prog->line_info[mid].insn_off <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &prog->line_info[lo - 1] : NULL;
}
