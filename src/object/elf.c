// SPDX-License-Identifier: BSD-2-Clause
/*
 * ELF layer of the object reader: header checks, the section table, string
 * tables and symbols, through libelf over a private copy of the file.
 *
 * Invariant: after bh_elf_open succeeds, every section's data/size lies
 * inside the file, every name is a NUL-terminated string inside its string
 * table, and ctx->syms holds sym_cnt whole Elf64_Sym records linked to a
 * valid string table.  Header fields are checked by hand before libelf sees
 * the file, so the messages name the field that is wrong.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/obj_internal.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

const char *bh_elf_str(const struct bh_ctx *ctx, size_t sec, uint64_t off)
{
	const struct bh_sec *s;

	if (sec == 0 || sec >= ctx->sec_cnt)
		return NULL;
	s = &ctx->secs[sec];
	if (!s->data || off >= s->size)
		return NULL;
	if (!memchr(s->data + off, '\0', s->size - off))
		return NULL;
	return (const char *)s->data + off;
}

const char *bh_sec_name(const struct bh_ctx *ctx, size_t idx)
{
	if (idx >= ctx->sec_cnt || !ctx->secs[idx].name)
		return "?";
	return ctx->secs[idx].name;
}

int bh_elf_sym(struct bh_ctx *ctx, size_t idx, GElf_Sym *sym)
{
	Elf64_Sym raw;

	if (idx >= ctx->sym_cnt)
		return bh_obj_err(ctx, -EINVAL,
				  "symbol index %zu out of range (%zu symbols)",
				  idx, ctx->sym_cnt);
	memcpy(&raw, ctx->syms + idx * sizeof(raw), sizeof(raw));
	sym->st_name = raw.st_name;
	sym->st_info = raw.st_info;
	sym->st_other = raw.st_other;
	sym->st_shndx = raw.st_shndx;
	sym->st_value = raw.st_value;
	sym->st_size = raw.st_size;
	return 0;
}

const char *bh_elf_sym_name(struct bh_ctx *ctx, size_t idx, const GElf_Sym *sym)
{
	const char *name = bh_elf_str(ctx, ctx->strtab, sym->st_name);

	if (!name)
		bh_obj_err(ctx, -EINVAL,
			   "symbol %zu: name offset 0x%x is not a string in "
			   "section %zu (%s)",
			   idx, sym->st_name, ctx->strtab,
			   bh_sec_name(ctx, ctx->strtab));
	return name;
}

static int bh_check_ehdr(struct bh_ctx *ctx, const Elf64_Ehdr *eh)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return bh_obj_err(ctx, -EINVAL, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return bh_obj_err(ctx, -ENOTSUP,
				  "ELF class %u: only 64-bit "
				  "objects are supported",
				  eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bh_obj_err(ctx, -ENOTSUP,
				  "ELF data encoding %u: only "
				  "little-endian (bpfel) objects are supported",
				  eh->e_ident[EI_DATA]);
	if (eh->e_type != ET_REL)
		return bh_obj_err(ctx, -EINVAL,
				  "e_type %u: not a relocatable object",
				  eh->e_type);
	if (eh->e_machine != EM_BPF)
		return bh_obj_err(ctx, -EINVAL, "e_machine %u: not BPF",
				  eh->e_machine);
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return bh_obj_err(ctx, -EINVAL, "e_shentsize %u, expected %zu",
				  eh->e_shentsize, sizeof(Elf64_Shdr));
	/* extended numbering (e_shnum 0 / SHN_XINDEX) needs >65279
	 * sections, which no BPF object has */
	if (eh->e_shnum == 0 || eh->e_shoff == 0)
		return bh_obj_err(ctx, -EINVAL,
				  "e_shnum %u e_shoff 0x%llx: "
				  "no section header table",
				  eh->e_shnum, (unsigned long long)eh->e_shoff);
	if (eh->e_shoff > ctx->size ||
	    (ctx->size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum)
		return bh_obj_err(ctx, -EINVAL,
				  "e_shoff 0x%llx e_shnum %u: section header "
				  "table past end of file (size 0x%zx)",
				  (unsigned long long)eh->e_shoff, eh->e_shnum,
				  ctx->size);
	if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
		return bh_obj_err(ctx, -EINVAL,
				  "e_shstrndx %u out of range (e_shnum %u)",
				  eh->e_shstrndx, eh->e_shnum);
	return 0;
}

static int bh_load_shdr(struct bh_ctx *ctx, size_t idx)
{
	struct bh_sec *s = &ctx->secs[idx];
	Elf_Scn *scn = elf_getscn(ctx->elf, idx);

	if (!scn || !gelf_getshdr(scn, &s->sh))
		return bh_obj_err(ctx, -EINVAL, "section %zu: bad header: %s",
				  idx, elf_errmsg(-1));
	s->map_idx = -1;
	s->size = s->sh.sh_size;
	return 0;
}

/* Data of section idx; its name is known unless idx is the name table. */
static int bh_load_data(struct bh_ctx *ctx, size_t idx)
{
	struct bh_sec *s = &ctx->secs[idx];
	const char *name = s->name ? s->name : "?";
	Elf_Data *d;

	if (s->data || s->sh.sh_type == SHT_NOBITS || s->sh.sh_type == SHT_NULL)
		return 0;
	if (s->sh.sh_offset > ctx->size ||
	    s->sh.sh_size > ctx->size - s->sh.sh_offset)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): offset 0x%llx size 0x%llx "
				  "past end of file (size 0x%zx)",
				  idx, name,
				  (unsigned long long)s->sh.sh_offset,
				  (unsigned long long)s->sh.sh_size, ctx->size);
	if (s->sh.sh_flags & SHF_COMPRESSED)
		return bh_obj_err(ctx, -ENOTSUP,
				  "section %zu (%s): compressed sections are "
				  "not supported",
				  idx, name);
	if (s->size == 0)
		return 0;
	/* libelf would refuse these with a bare "invalid data" */
	if (s->sh.sh_type == SHT_SYMTAB &&
	    (s->sh.sh_entsize != sizeof(Elf64_Sym) ||
	     s->size % sizeof(Elf64_Sym)))
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): entry size %llu, size "
				  "0x%zx: not a table of Elf64_Sym",
				  idx, name,
				  (unsigned long long)s->sh.sh_entsize,
				  s->size);
	if (s->sh.sh_type == SHT_REL &&
	    (s->sh.sh_entsize != sizeof(Elf64_Rel) ||
	     s->size % sizeof(Elf64_Rel)))
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): entry size %llu, size "
				  "0x%zx: not a table of Elf64_Rel",
				  idx, name,
				  (unsigned long long)s->sh.sh_entsize,
				  s->size);
	d = elf_getdata(elf_getscn(ctx->elf, idx), NULL);
	if (!d || !d->d_buf || d->d_size != s->size)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): cannot read data: %s", idx,
				  name, elf_errmsg(-1));
	s->data = d->d_buf;
	return 0;
}

static int bh_load_symtab(struct bh_ctx *ctx)
{
	struct bh_sec *s;
	size_t i;

	for (i = 1; i < ctx->sec_cnt; i++) {
		if (ctx->secs[i].sh.sh_type != SHT_SYMTAB)
			continue;
		if (ctx->symtab)
			return bh_obj_err(ctx, -EINVAL,
					  "section %zu (%s): second symbol "
					  "table",
					  i, bh_sec_name(ctx, i));
		ctx->symtab = i;
	}
	if (!ctx->symtab)
		return bh_obj_err(ctx, -EINVAL, "no symbol table");
	s = &ctx->secs[ctx->symtab];
	if (s->sh.sh_entsize != sizeof(Elf64_Sym) ||
	    s->size % sizeof(Elf64_Sym))
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): entry size %llu, size "
				  "0x%zx: not a table of Elf64_Sym",
				  ctx->symtab, s->name,
				  (unsigned long long)s->sh.sh_entsize,
				  s->size);
	if (s->sh.sh_link == 0 || s->sh.sh_link >= ctx->sec_cnt ||
	    ctx->secs[s->sh.sh_link].sh.sh_type != SHT_STRTAB ||
	    !ctx->secs[s->sh.sh_link].data)
		return bh_obj_err(ctx, -EINVAL,
				  "section %zu (%s): sh_link %u is not a "
				  "string table",
				  ctx->symtab, s->name, s->sh.sh_link);
	ctx->strtab = s->sh.sh_link;
	ctx->syms = s->data;
	ctx->sym_cnt = s->size / sizeof(Elf64_Sym);
	return 0;
}

int bh_elf_open(struct bh_ctx *ctx, const void *buf, size_t size)
{
	Elf64_Ehdr eh;
	size_t i, shstrndx;
	int ret;

	if (!buf || size < sizeof(eh))
		return bh_obj_err(
			ctx, -EINVAL,
			"file too small for an ELF header (%zu bytes)", size);
	ctx->size = size;
	memcpy(&eh, buf, sizeof(eh));
	ret = bh_check_ehdr(ctx, &eh);
	if (ret)
		return ret;
	ctx->image = malloc(size);
	if (!ctx->image)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	memcpy(ctx->image, buf, size);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bh_obj_err(ctx, -EINVAL, "libelf: %s", elf_errmsg(-1));
	ctx->elf = elf_memory((char *)ctx->image, size);
	if (!ctx->elf || elf_kind(ctx->elf) != ELF_K_ELF)
		return bh_obj_err(ctx, -EINVAL,
				  "libelf cannot read the file: %s",
				  elf_errmsg(-1));
	ctx->sec_cnt = eh.e_shnum;
	ctx->secs = calloc(ctx->sec_cnt, sizeof(*ctx->secs));
	if (!ctx->secs)
		return bh_obj_err(ctx, -ENOMEM, "out of memory");
	for (i = 1; i < ctx->sec_cnt; i++) {
		ret = bh_load_shdr(ctx, i);
		if (ret)
			return ret;
	}
	shstrndx = eh.e_shstrndx;
	if (ctx->secs[shstrndx].sh.sh_type != SHT_STRTAB)
		return bh_obj_err(ctx, -EINVAL,
				  "e_shstrndx %zu: section is not a string "
				  "table",
				  shstrndx);
	ret = bh_load_data(ctx, shstrndx);
	if (ret)
		return ret;
	for (i = 1; i < ctx->sec_cnt; i++) {
		struct bh_sec *s = &ctx->secs[i];

		s->name = bh_elf_str(ctx, shstrndx, s->sh.sh_name);
		if (!s->name)
			return bh_obj_err(ctx, -EINVAL,
					  "section %zu: name offset 0x%x not a "
					  "string in the section name table",
					  i, s->sh.sh_name);
	}
	for (i = 1; i < ctx->sec_cnt; i++) {
		ret = bh_load_data(ctx, i);
		if (ret)
			return ret;
	}
	ctx->secs[0].name = "";
	return bh_load_symtab(ctx);
}

void bh_elf_close(struct bh_ctx *ctx)
{
	size_t i;

	if (ctx->elf)
		elf_end(ctx->elf);
	ctx->elf = NULL;
	for (i = 0; ctx->secs && i < ctx->sec_cnt; i++) {
		free(ctx->secs[i].insns);
		free(ctx->secs[i].func_of);
		free(ctx->secs[i].target);
		free(ctx->secs[i].relocated);
		free(ctx->secs[i].finfo);
		free(ctx->secs[i].linfo);
	}
	free(ctx->secs);
	ctx->secs = NULL;
	free(ctx->image);
	ctx->image = NULL;
}
