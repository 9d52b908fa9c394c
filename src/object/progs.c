// SPDX-License-Identifier: BSD-2-Clause
/*
 * Programs and subprograms: function symbols of code sections, externs,
 * relocation of ld_imm64/call instructions, and the static link of each
 * program with every function it reaches (as libbpf appends subprograms).
 *
 * Invariant: after bh_relos_apply, every slot of a code section that refers
 * to another function carries that function's index (+1) in target[], and
 * every ld_imm64/call with a pseudo src_reg got it from a relocation we
 * checked; no pseudo form an object smuggles in unrelocated survives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "object/obj_internal.h"

static bool bh_is_code(const struct bh_ctx *ctx, size_t sec)
{
	return sec > 0 && sec < ctx->sec_cnt &&
	       ctx->secs[sec].kind == BH_SEC_CODE;
}

static int bh_func_cmp(const void *a, const void *b)
{
	const struct bh_func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int bh_add_func(struct bh_ctx *ctx, const char *name, size_t sec,
		       size_t start, size_t cnt, bool is_prog)
{
	struct bh_func *f = &ctx->funcs[ctx->func_cnt++];

	f->name = name;
	f->sec = sec;
	f->start = start;
	f->cnt = cnt;
	f->is_prog = is_prog;
	return 0;
}

/* Copy the code sections' instructions and allocate per-slot tables. */
static int bh_code_init(struct bh_ctx *ctx)
{
	size_t i, j;

	for (i = 1; i < ctx->sec_cnt; i++) {
		struct bh_sec *s = &ctx->secs[i];

		if (s->kind != BH_SEC_CODE || !s->size)
			continue;
		if (s->size % BH_INSN_SZ)
			return bh_obj_err(ctx, -EINVAL,
					  "section %zu (%s): size 0x%zx is not "
					  "a multiple of 8",
					  i, s->name, s->size);
		s->insn_cnt = s->size / BH_INSN_SZ;
		s->insns = malloc(s->size);
		s->func_of = malloc(s->insn_cnt * sizeof(*s->func_of));
		s->target = calloc(s->insn_cnt, sizeof(*s->target));
		s->relocated = calloc(s->insn_cnt, 1);
		if (!s->insns || !s->func_of || !s->target || !s->relocated)
			return bh_obj_err(ctx, -ENOMEM, "out of memory");
		memcpy(s->insns, s->data, s->size);
		for (j = 0; j < s->insn_cnt; j++)
			s->func_of[j] = -1;
	}
	return 0;
}

int bh_funcs_collect(struct bh_ctx *ctx)
{
	size_t i, j, n = 0;
	int ret;

	ret = bh_code_init(ctx);
	if (ret)
		return ret;
	/* at most one function per symbol plus one per code section */
	ctx->funcs = calloc(ctx->sym_cnt + ctx->sec_cnt, sizeof(*ctx->funcs));
	if (!ctx->funcs)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 1; i < ctx->sym_cnt; i++) {
		const struct bh_sec *s;
		const char *name;
		GElf_Sym sym;
		bool global;

		bh_elf_sym(ctx, i, &sym);
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		name = bh_elf_sym_name(ctx, i, &sym);
		if (!name)
			return -EINVAL;
		if (!bh_is_code(ctx, sym.st_shndx))
			return bh_obj_err(ctx, -EINVAL,
					  "function '%s' (symbol %zu): section "
					  "%u is not a code section",
					  name, i, sym.st_shndx);
		s = &ctx->secs[sym.st_shndx];
		if (!*name || sym.st_value % BH_INSN_SZ ||
		    sym.st_size % BH_INSN_SZ || sym.st_value >= s->size ||
		    sym.st_size > s->size - sym.st_value)
			return bh_obj_err(ctx, -EINVAL,
					  "function '%s' (symbol %zu): value "
					  "0x%llx size 0x%llx invalid in "
					  "section %u (%s)",
					  name, i,
					  (unsigned long long)sym.st_value,
					  (unsigned long long)sym.st_size,
					  sym.st_shndx, s->name);
		global = GELF_ST_BIND(sym.st_info) != STB_LOCAL;
		bh_add_func(ctx, name, sym.st_shndx, sym.st_value / BH_INSN_SZ,
			    sym.st_size / BH_INSN_SZ,
			    global && sym.st_shndx != ctx->text_sec);
	}
	qsort(ctx->funcs, ctx->func_cnt, sizeof(*ctx->funcs), bh_func_cmp);
	/* a code section without function symbols (hand-written assembly)
	 * is one program named after its section */
	for (i = 1; i < ctx->sec_cnt; i++) {
		const struct bh_sec *s = &ctx->secs[i];
		struct bh_func key = {.sec = i};

		if (s->kind != BH_SEC_CODE || !s->insn_cnt ||
		    i == ctx->text_sec)
			continue;
		/* funcs are sorted by (sec, start): any function of
		 * section i would start at or after slot 0 */
		for (j = n;
		     j < ctx->func_cnt && bh_func_cmp(&ctx->funcs[j], &key) < 0;
		     j++)
			;
		n = j;
		if (j == ctx->func_cnt || ctx->funcs[j].sec != i)
			bh_add_func(ctx, s->name, i, 0, s->insn_cnt, true);
	}
	qsort(ctx->funcs, ctx->func_cnt, sizeof(*ctx->funcs), bh_func_cmp);
	n = 0;
	for (i = 0; i < ctx->func_cnt; i++) {
		struct bh_func *f = &ctx->funcs[i];
		struct bh_sec *s = &ctx->secs[f->sec];
		size_t end = s->insn_cnt;

		if (i + 1 < ctx->func_cnt && ctx->funcs[i + 1].sec == f->sec)
			end = ctx->funcs[i + 1].start;
		if (!f->cnt) /* no st_size: up to the next function */
			f->cnt = end - f->start;
		if (f->cnt == 0 || f->start + f->cnt > end)
			return bh_obj_err(ctx, -EINVAL,
					  "function '%s' in section %zu (%s) "
					  "overlaps function '%s'",
					  f->name, f->sec, s->name,
					  ctx->funcs[i + 1].name);
		for (j = f->start; j < f->start + f->cnt; j++)
			s->func_of[j] = (int32_t)i;
		if (f->is_prog)
			n++;
	}
	ctx->obj->progs = calloc(n + 1, sizeof(*ctx->obj->progs));
	if (!ctx->obj->progs)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	return 0;
}

/* The extern's entry in a DATASEC (.ksyms, .kconfig): FUNC or VAR id. */
static uint32_t bh_extern_btf(const struct btf *btf, const char *name,
			      const char **sec, enum bh_extern_kind *kind)
{
	uint32_t id, n = btf ? btf__type_cnt(btf) : 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *ds = bh_btf_type(btf, id);
		const struct btf_var_secinfo *vs;
		const char *dsname;
		uint32_t k;

		if (!ds || !btf_is_datasec(ds))
			continue;
		dsname = bh_btf_str(btf, ds->name_off);
		if (!dsname)
			continue;
		vs = btf_var_secinfos(ds);
		for (k = 0; k < btf_vlen(ds); k++, vs++) {
			const struct btf_type *t = bh_btf_type(btf, vs->type);
			const char *vn;

			if (!t || (!btf_is_var(t) && !btf_is_func(t)))
				continue;
			vn = bh_btf_str(btf, t->name_off);
			if (!vn || strcmp(vn, name))
				continue;
			*sec = dsname;
			*kind = btf_is_func(t) ? BH_EXT_FUNC : BH_EXT_VAR;
			return vs->type;
		}
	}
	return 0;
}

int bh_externs_collect(struct bh_ctx *ctx)
{
	struct bh_object *obj = ctx->obj;
	const struct btf *btf = obj->btf;
	size_t i, n = 0;

	ctx->ext_of_sym = malloc((ctx->sym_cnt + 1) * sizeof(*ctx->ext_of_sym));
	if (!ctx->ext_of_sym)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < ctx->sym_cnt; i++) {
		GElf_Sym sym;

		ctx->ext_of_sym[i] = -1;
		bh_elf_sym(ctx, i, &sym);
		if (i && sym.st_shndx == SHN_UNDEF &&
		    GELF_ST_BIND(sym.st_info) != STB_LOCAL)
			n++;
	}
	obj->externs = calloc(n + 1, sizeof(*obj->externs));
	ctx->ext_kind_known = calloc(n + 1, sizeof(*ctx->ext_kind_known));
	if (!obj->externs || !ctx->ext_kind_known)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 1; i < ctx->sym_cnt; i++) {
		struct bh_obj_extern *e;
		const char *name;
		GElf_Sym sym;
		int32_t id;

		bh_elf_sym(ctx, i, &sym);
		if (sym.st_shndx != SHN_UNDEF ||
		    GELF_ST_BIND(sym.st_info) == STB_LOCAL)
			continue;
		name = bh_elf_sym_name(ctx, i, &sym);
		if (!name)
			return -EINVAL;
		if (!*name)
			return bh_obj_err(
				ctx, -EINVAL,
				"symbol %zu: undefined symbol without "
				"a name",
				i);
		e = &obj->externs[obj->extern_cnt];
		e->name = strdup(name);
		if (!e->name)
			return bh_obj_err(ctx, -ENOMEM, "out of memory");
		e->weak = GELF_ST_BIND(sym.st_info) == STB_WEAK;
		e->sec = "";
		e->kind = BH_EXT_VAR;
		e->btf_id = bh_extern_btf(btf, name, &e->sec, &e->kind);
		ctx->ext_kind_known[obj->extern_cnt] = e->btf_id != 0;
		if (!e->btf_id && GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
			e->kind = BH_EXT_FUNC;
			ctx->ext_kind_known[obj->extern_cnt] = true;
		}
		if (!e->btf_id && btf) {
			id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
			e->btf_id = id > 0 ? (uint32_t)id : 0;
		}
		ctx->ext_of_sym[i] = (int32_t)obj->extern_cnt++;
	}
	return 0;
}

/* Function starting exactly at slot insn of code section sec, or -1. */
static int32_t bh_func_at(const struct bh_ctx *ctx, size_t sec, int64_t insn)
{
	const struct bh_sec *s = &ctx->secs[sec];
	int32_t f;

	if (insn < 0 || (uint64_t)insn >= s->insn_cnt)
		return -1;
	f = s->func_of[insn];
	if (f < 0 || ctx->funcs[f].start != (size_t)insn)
		return -1;
	return f;
}

struct bh_relo {
	size_t rsec, n; /* relocation section and entry, for messages */
	size_t sec;	/* code section being relocated */
	size_t insn;
	size_t symidx;
	GElf_Sym sym;
	const char *symname;
};

#define RELO_FMT "section %zu (%s): relocation %zu offset 0x%zx: "
#define RELO_ARGS(r) \
	(r)->rsec, bh_sec_name(ctx, (r)->rsec), (r)->n, (r)->insn *BH_INSN_SZ

static int bh_relo_extern(struct bh_ctx *ctx, const struct bh_relo *r,
			  struct bh_insn *insn, bool call)
{
	int32_t e = ctx->ext_of_sym[r->symidx];
	struct bh_obj_extern *ext;

	if (e < 0)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "undefined local symbol '%s'",
				  RELO_ARGS(r), r->symname);
	ext = &ctx->obj->externs[e];
	if (call) {
		if (ctx->ext_kind_known[e] && ext->kind != BH_EXT_FUNC)
			return bh_obj_err(ctx, -EINVAL,
					  RELO_FMT "call of extern variable "
						   "'%s'",
					  RELO_ARGS(r), ext->name);
		ext->kind = BH_EXT_FUNC;
		ctx->ext_kind_known[e] = true;
		insn->src_reg = BH_PSEUDO_KFUNC_CALL;
		insn->imm = e;
		insn->off = 0;
		return 0;
	}
	if (!ctx->ext_kind_known[e]) {
		ext->kind = BH_EXT_VAR;
		ctx->ext_kind_known[e] = true;
	}
	insn[0].src_reg = BH_PSEUDO_BTF_ID;
	insn[0].imm = e;
	insn[1].imm = 0;
	return 0;
}

static int bh_relo_ld_imm64(struct bh_ctx *ctx, const struct bh_relo *r)
{
	struct bh_sec *s = &ctx->secs[r->sec];
	struct bh_insn *insn = &s->insns[r->insn];
	size_t tsec = r->sym.st_shndx;
	int64_t off = (int64_t)r->sym.st_value + insn->imm;

	if (r->insn + 1 >= s->insn_cnt ||
	    s->func_of[r->insn + 1] != s->func_of[r->insn])
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "ld_imm64 crosses the end of its "
					   "function",
				  RELO_ARGS(r));
	if (insn->src_reg)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "ld_imm64 already has src_reg %u",
				  RELO_ARGS(r), insn->src_reg);
	if (tsec == SHN_UNDEF)
		return bh_relo_extern(ctx, r, insn, false);
	if (tsec == ctx->maps_sec && ctx->maps_sec) {
		size_t lo = 0, hi = ctx->umap_cnt;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if ((int64_t)ctx->umaps[mid].off == off) {
				insn[0].src_reg = BH_PSEUDO_MAP_FD;
				insn[0].imm = (int32_t)ctx->umaps[mid].idx;
				insn[1].imm = 0;
				return 0;
			}
			if ((int64_t)ctx->umaps[mid].off < off)
				lo = mid + 1;
			else
				hi = mid;
		}
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "no map at offset 0x%llx of .maps "
					   "(symbol '%s')",
				  RELO_ARGS(r), (unsigned long long)off,
				  r->symname);
	}
	if (tsec < ctx->sec_cnt && ctx->secs[tsec].kind == BH_SEC_DATA) {
		const struct bh_sec *d = &ctx->secs[tsec];

		if (d->map_idx < 0 || off < 0 || (uint64_t)off >= d->size)
			return bh_obj_err(ctx, -EINVAL,
					  RELO_FMT
					  "offset %lld outside section "
					  "%zu (%s) of size %zu (symbol '%s')",
					  RELO_ARGS(r), (long long)off, tsec,
					  d->name, d->size, r->symname);
		insn[0].src_reg = BH_PSEUDO_MAP_VALUE;
		insn[0].imm = d->map_idx;
		insn[1].imm = (int32_t)off;
		return 0;
	}
	if (bh_is_code(ctx, tsec)) {
		int32_t f = off % BH_INSN_SZ
				    ? -1
				    : bh_func_at(ctx, tsec, off / BH_INSN_SZ);

		if (f < 0)
			return bh_obj_err(ctx, -EINVAL,
					  RELO_FMT
					  "address of offset %lld in "
					  "section %zu (%s) is not a function",
					  RELO_ARGS(r), (long long)off, tsec,
					  ctx->secs[tsec].name);
		insn[0].src_reg = BH_PSEUDO_FUNC;
		insn[0].imm = 0;
		insn[1].imm = 0;
		s->target[r->insn] = (uint32_t)f + 1;
		return 0;
	}
	if (tsec >= SHN_LORESERVE)
		return bh_obj_err(ctx, -ENOTSUP,
				  RELO_FMT
				  "symbol '%s' in special section "
				  "0x%zx (common/absolute symbols are not "
				  "supported)",
				  RELO_ARGS(r), r->symname, tsec);
	return bh_obj_err(ctx, -EINVAL,
			  RELO_FMT "symbol '%s' in section %zu (%s) cannot be "
				   "referenced by a program",
			  RELO_ARGS(r), r->symname, tsec,
			  bh_sec_name(ctx, tsec));
}

static int bh_relo_call(struct bh_ctx *ctx, const struct bh_relo *r)
{
	struct bh_sec *s = &ctx->secs[r->sec];
	struct bh_insn *insn = &s->insns[r->insn];
	size_t tsec = r->sym.st_shndx;
	int64_t tgt;
	int32_t f;

	/* clang marks extern calls src_reg 1 like local ones */
	if (tsec == SHN_UNDEF)
		return bh_relo_extern(ctx, r, insn, true);
	if (!bh_is_code(ctx, tsec))
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "call to symbol '%s' in section %zu "
					   "(%s), not code",
				  RELO_ARGS(r), r->symname, tsec,
				  bh_sec_name(ctx, tsec));
	if (insn->src_reg != BH_PSEUDO_CALL)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "call relocation on a call with "
					   "src_reg %u",
				  RELO_ARGS(r), insn->src_reg);
	if (r->sym.st_value % BH_INSN_SZ)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "call target symbol '%s' value "
					   "0x%llx not on an instruction",
				  RELO_ARGS(r), r->symname,
				  (unsigned long long)r->sym.st_value);
	/* clang: the target is sym + (imm + 1) slots */
	tgt = (int64_t)(r->sym.st_value / BH_INSN_SZ) + insn->imm + 1;
	if (tgt < 0 || (uint64_t)tgt >= ctx->secs[tsec].insn_cnt)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "call target %lld outside section "
					   "%zu (%s)",
				  RELO_ARGS(r), (long long)tgt, tsec,
				  ctx->secs[tsec].name);
	f = bh_func_at(ctx, tsec, tgt);
	if (f < 0)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT
				  "call target %lld in section %zu "
				  "(%s) is not the start of a function",
				  RELO_ARGS(r), (long long)tgt, tsec,
				  ctx->secs[tsec].name);
	s->target[r->insn] = (uint32_t)f + 1;
	return 0;
}

static int bh_relo_one(struct bh_ctx *ctx, struct bh_relo *r,
		       const Elf64_Rel *rel)
{
	struct bh_sec *s = &ctx->secs[r->sec];
	uint32_t type = ELF64_R_TYPE(rel->r_info);
	const struct bh_insn *insn;

	r->symidx = ELF64_R_SYM(rel->r_info);
	r->insn = rel->r_offset / BH_INSN_SZ;
	if (rel->r_offset % BH_INSN_SZ || rel->r_offset >= s->size)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): relocation %zu offset "
				  "0x%llx out of range or not on an "
				  "instruction (section %zu size 0x%zx)",
				  r->rsec, bh_sec_name(ctx, r->rsec), r->n,
				  (unsigned long long)rel->r_offset, r->sec,
				  s->size);
	if (r->symidx == 0 || r->symidx >= ctx->sym_cnt)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "symbol index %zu out of range "
					   "(%zu symbols)",
				  RELO_ARGS(r), r->symidx, ctx->sym_cnt);
	bh_elf_sym(ctx, r->symidx, &r->sym);
	r->symname = bh_elf_sym_name(ctx, r->symidx, &r->sym);
	if (!r->symname)
		return -EINVAL;
	if (s->func_of[r->insn] < 0)
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "not inside any function",
				  RELO_ARGS(r));
	if (s->relocated[r->insn])
		return bh_obj_err(ctx, -EINVAL,
				  RELO_FMT "instruction relocated twice",
				  RELO_ARGS(r));
	s->relocated[r->insn] = 1;
	insn = &s->insns[r->insn];
	if (insn->code == BH_LD_IMM64 && type == BH_R_BPF_64_64)
		return bh_relo_ld_imm64(ctx, r);
	if (insn->code == BH_CALL_CODE && type == BH_R_BPF_64_32)
		return bh_relo_call(ctx, r);
	return bh_obj_err(ctx, -EINVAL,
			  RELO_FMT
			  "type %u on instruction 0x%02x: only "
			  "ld_imm64 (R_BPF_64_64) and call (R_BPF_64_32) can "
			  "be relocated",
			  RELO_ARGS(r), type, insn->code);
}

static int bh_relo_sec(struct bh_ctx *ctx, size_t rsec)
{
	const struct bh_sec *rs = &ctx->secs[rsec];
	size_t tsec = rs->sh.sh_info, i;
	struct bh_relo r;

	if (rs->sh.sh_link != ctx->symtab)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): sh_link %u is not the "
				  "symbol table (%zu)",
				  rsec, rs->name, rs->sh.sh_link, ctx->symtab);
	if (rs->sh.sh_entsize != sizeof(Elf64_Rel) ||
	    rs->size % sizeof(Elf64_Rel))
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): entry size %llu, size "
				  "0x%zx: not a table of Elf64_Rel",
				  rsec, rs->name,
				  (unsigned long long)rs->sh.sh_entsize,
				  rs->size);
	if (ctx->secs[tsec].has_rel)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): second relocation "
				  "section for section %zu (%s)",
				  rsec, rs->name, tsec, ctx->secs[tsec].name);
	ctx->secs[tsec].has_rel = true;
	memset(&r, 0, sizeof(r));
	r.rsec = rsec;
	r.sec = tsec;
	for (i = 0; i < rs->size / sizeof(Elf64_Rel); i++) {
		Elf64_Rel rel;
		int ret;

		memcpy(&rel, rs->data + i * sizeof(rel), sizeof(rel));
		r.n = i;
		ret = bh_relo_one(ctx, &r, &rel);
		if (ret)
			return ret;
	}
	return 0;
}

/* Pseudo forms without a relocation: local calls are fine (the assembler
 * resolved them), anything else would let a file name maps or kfuncs by
 * raw index, so it is refused. */
static int bh_check_unrelocated(struct bh_ctx *ctx, size_t sec)
{
	struct bh_sec *s = &ctx->secs[sec];
	size_t i;

	for (i = 0; i < s->insn_cnt; i++) {
		const struct bh_insn *insn = &s->insns[i];
		bool ld = insn->code == BH_LD_IMM64;
		int32_t f;

		if (s->relocated[i]) {
			i += ld;
			continue;
		}
		if (ld && insn->src_reg)
			return bh_obj_err(
				ctx, -EINVAL,
				"section %zu (%s): insn %zu: ld_imm64 "
				"with src_reg %u and no relocation",
				sec, s->name, i, insn->src_reg);
		if (insn->code == BH_CALL_CODE &&
		    insn->src_reg == BH_PSEUDO_KFUNC_CALL)
			return bh_obj_err(ctx, -EINVAL,
					  "section %zu (%s): insn %zu: kfunc "
					  "call without relocation",
					  sec, s->name, i);
		if (insn->code == BH_CALL_CODE &&
		    insn->src_reg == BH_PSEUDO_CALL && s->func_of[i] >= 0) {
			f = bh_func_at(ctx, sec, (int64_t)i + insn->imm + 1);
			if (f < 0)
				return bh_obj_err(ctx, -EINVAL,
						  "section %zu (%s): insn %zu: "
						  "call target %lld is not the "
						  "start of a function",
						  sec, s->name, i,
						  (long long)i + insn->imm + 1);
			s->target[i] = (uint32_t)f + 1;
		}
		i += ld;
	}
	return 0;
}

int bh_relos_apply(struct bh_ctx *ctx)
{
	size_t i;
	int ret;

	for (i = 1; i < ctx->sec_cnt; i++) {
		const struct bh_sec *rs = &ctx->secs[i];

		if (rs->sh.sh_type != SHT_REL && rs->sh.sh_type != SHT_RELA)
			continue;
		if (rs->sh.sh_info == 0 || rs->sh.sh_info >= ctx->sec_cnt)
			return bh_obj_err(ctx, -EINVAL,
					  "section %zu (%s): sh_info %u out of "
					  "range",
					  i, rs->name, rs->sh.sh_info);
		if (!bh_is_code(ctx, rs->sh.sh_info) ||
		    !ctx->secs[rs->sh.sh_info].insn_cnt)
			continue; /* debug info, .BTF, .BTF.ext: not ours */
		if (rs->sh.sh_type == SHT_RELA)
			return bh_obj_err(ctx, -ENOTSUP,
					  "section %zu (%s): RELA relocations "
					  "are not supported",
					  i, rs->name);
		ret = bh_relo_sec(ctx, i);
		if (ret)
			return ret;
	}
	for (i = 1; i < ctx->sec_cnt; i++) {
		if (ctx->secs[i].kind != BH_SEC_CODE)
			continue;
		ret = bh_check_unrelocated(ctx, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* First record in a sorted info array (insn is each record's first
 * field) whose insn is >= key. */
static size_t bh_info_lower(const void *base, size_t cnt, size_t stride,
			    size_t key)
{
	size_t lo = 0, hi = cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t insn;

		memcpy(&insn, (const char *)base + mid * stride, sizeof(insn));
		if (insn < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Append func_info/line_info of function f placed at image slot base. */
static void bh_rebase_info(const struct bh_ctx *ctx, const struct bh_func *f,
			   size_t base, struct bh_obj_prog *p)
{
	const struct bh_sec *s = &ctx->secs[f->sec];
	const struct btf *btf = ctx->obj->btf;
	size_t i, end;

	i = bh_info_lower(s->finfo, s->finfo_cnt, sizeof(*s->finfo), f->start);
	end = bh_info_lower(s->finfo, s->finfo_cnt, sizeof(*s->finfo),
			    f->start + f->cnt);
	for (; i < end; i++) {
		struct bh_func_info *fi = &p->func_info[p->func_info_cnt++];

		fi->insn_off = (uint32_t)(base + s->finfo[i].insn - f->start);
		fi->type_id = s->finfo[i].type_id;
	}
	i = bh_info_lower(s->linfo, s->linfo_cnt, sizeof(*s->linfo), f->start);
	end = bh_info_lower(s->linfo, s->linfo_cnt, sizeof(*s->linfo),
			    f->start + f->cnt);
	for (; i < end; i++) {
		const struct bh_ext_line *src = &s->linfo[i];
		struct bh_line_info *li = &p->line_info[p->line_info_cnt++];
		const char *file = bh_btf_str(btf, src->file_off);
		const char *line = bh_btf_str(btf, src->line_off);

		li->insn_off = (uint32_t)(base + src->insn - f->start);
		li->file = file ? file : "";
		li->line = line ? line : "";
		li->line_num = src->line_col >> 10;
		li->line_col = src->line_col & 0x3ff;
	}
}

/* Count info records of f, to size the program's arrays up front. */
static void bh_count_info(const struct bh_ctx *ctx, const struct bh_func *f,
			  size_t *nf, size_t *nl)
{
	const struct bh_sec *s = &ctx->secs[f->sec];

	*nf += bh_info_lower(s->finfo, s->finfo_cnt, sizeof(*s->finfo),
			     f->start + f->cnt) -
	       bh_info_lower(s->finfo, s->finfo_cnt, sizeof(*s->finfo),
			     f->start);
	*nl += bh_info_lower(s->linfo, s->linfo_cnt, sizeof(*s->linfo),
			     f->start + f->cnt) -
	       bh_info_lower(s->linfo, s->linfo_cnt, sizeof(*s->linfo),
			     f->start);
}

/*
 * The exception callback of program root: the function named by the
 * `exception_callback:<name>` decl tag on root's BTF FUNC (libbpf's
 * __exception_cb).  Nothing calls it, so it is appended as libbpf does;
 * the verifier checks the tag, the linkage and the prototype.  The index
 * in ctx->funcs, or -1 (no tag, several tags, no such function).
 */
static long bh_exception_cb_func(const struct bh_ctx *ctx, size_t root)
{
	static const char pfx[] = "exception_callback:";
	const struct btf *btf = ctx->obj->btf;
	const char *cb = NULL;
	uint32_t n;

	if (!btf)
		return -1;
	n = btf__type_cnt(btf);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_type *fn;
		const char *name, *fname;

		if (!t || !btf_is_decl_tag(t) ||
		    btf_decl_tag(t)->component_idx != -1)
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, pfx, sizeof(pfx) - 1))
			continue;
		fn = btf__type_by_id(btf, t->type);
		fname = fn && btf_is_func(fn)
				? btf__name_by_offset(btf, fn->name_off)
				: NULL;
		if (!fname || strcmp(fname, ctx->funcs[root].name))
			continue;
		if (cb)
			return -1; /* several: the verifier refuses them */
		cb = name + sizeof(pfx) - 1;
	}
	if (!cb || !*cb)
		return -1;
	for (size_t i = 0; i < ctx->func_cnt; i++)
		if (!ctx->funcs[i].is_prog && !strcmp(ctx->funcs[i].name, cb))
			return (long)i;
	return -1;
}

static int bh_build_prog(struct bh_ctx *ctx, size_t root, uint64_t stamp,
			 size_t *order, struct bh_obj_prog *p)
{
	size_t n = 1, i, j, total, nf = 0, nl = 0;
	struct bh_func *t;
	long exc_cb;

	order[0] = root;
	ctx->funcs[root].stamp = stamp;
	ctx->funcs[root].img_off = 0;
	total = ctx->funcs[root].cnt;
	/* breadth-first over call/callback edges: each reached function is
	 * appended once, in first-reached order; then the exception
	 * callback, if root has one, and what it reaches */
	exc_cb = bh_exception_cb_func(ctx, root);
	for (i = 0; i < n || (exc_cb >= 0 && i == n); i++) {
		if (i == n) {
			t = &ctx->funcs[exc_cb];
			exc_cb = -1;
			if (t->stamp != stamp) {
				t->stamp = stamp;
				t->img_off = total;
				total += t->cnt;
				order[n++] = (size_t)(t - ctx->funcs);
			}
			p->exc_cb_off = t->img_off;
			if (i == n)
				break;
		}

		const struct bh_func *f = &ctx->funcs[order[i]];
		const struct bh_sec *s = &ctx->secs[f->sec];

		for (j = f->start; j < f->start + f->cnt; j++) {
			if (!s->target[j])
				continue;
			t = &ctx->funcs[s->target[j] - 1];
			if (t->stamp == stamp)
				continue;
			t->stamp = stamp;
			t->img_off = total;
			total += t->cnt;
			order[n++] = s->target[j] - 1;
		}
	}
	/* images repeat shared subprograms; bound the sum so a file of
	 * many programs calling one huge function cannot make us copy
	 * without limit */
	ctx->img_total += total;
	if (ctx->img_total > BH_OBJ_MAX_IMAGE_INSNS)
		return bh_obj_err(ctx, -E2BIG,
				  "prog '%s': program images total over %u "
				  "instructions",
				  ctx->funcs[root].name,
				  BH_OBJ_MAX_IMAGE_INSNS);
	p->insns = calloc(total, sizeof(*p->insns));
	if (!p->insns)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	p->insn_cnt = total;
	p->own_cnt = ctx->funcs[root].cnt;
	for (i = 0; i < n; i++) {
		const struct bh_func *f = &ctx->funcs[order[i]];
		const struct bh_sec *s = &ctx->secs[f->sec];

		memcpy(p->insns + f->img_off, s->insns + f->start,
		       f->cnt * sizeof(*p->insns));
		for (j = 0; j < f->cnt; j++) {
			uint32_t t = s->target[f->start + j];
			size_t at = f->img_off + j;

			if (t)
				p->insns[at].imm =
					(int32_t)((int64_t)ctx->funcs[t - 1]
							  .img_off -
						  (int64_t)at - 1);
		}
		bh_count_info(ctx, f, &nf, &nl);
	}
	p->segs = calloc(n, sizeof(*p->segs));
	if (!p->segs)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct bh_func *f = &ctx->funcs[order[i]];
		struct bh_obj_seg *sg = &p->segs[p->seg_cnt++];

		sg->sec_name = strdup(ctx->secs[f->sec].name);
		if (!sg->sec_name)
			return bh_obj_err(ctx, -ENOMEM, "out of memory");
		sg->sec_off = (uint32_t)f->start;
		sg->img_off = (uint32_t)f->img_off;
		sg->cnt = (uint32_t)f->cnt;
	}
	p->func_info = calloc(nf + 1, sizeof(*p->func_info));
	p->line_info = calloc(nl + 1, sizeof(*p->line_info));
	if (!p->func_info || !p->line_info)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		bh_rebase_info(ctx, &ctx->funcs[order[i]],
			       ctx->funcs[order[i]].img_off, p);
	return 0;
}

int bh_progs_build(struct bh_ctx *ctx)
{
	struct bh_object *obj = ctx->obj;
	size_t *order, i;
	uint64_t stamp = 0;
	int ret = 0;

	order = calloc(ctx->func_cnt + 1, sizeof(*order));
	if (!order)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < ctx->func_cnt && !ret; i++) {
		const struct bh_func *f = &ctx->funcs[i];
		struct bh_obj_prog *p;

		if (!f->is_prog)
			continue;
		p = &obj->progs[obj->prog_cnt++];
		p->name = strdup(f->name);
		p->sec_name = strdup(ctx->secs[f->sec].name);
		if (!p->name || !p->sec_name) {
			ret = bh_obj_err(ctx, -ENOMEM, "out of memory");
			break;
		}
		ret = bh_build_prog(ctx, i, ++stamp, order, p);
	}
	free(order);
	return ret;
}
