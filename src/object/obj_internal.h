/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to src/object: the parse context shared by the loader's stages
 * (elf.c -> btf_ext.c -> maps.c -> progs.c, driven by object.c).
 *
 * Invariant: every pointer in the context points into the caller's image
 * copy or into memory the context owns, and every index stored in it has
 * been range-checked when it was stored, so later stages may use them
 * without re-checking.  Raw ELF records are read with memcpy, never by
 * dereferencing a possibly misaligned pointer into the file.
 */
#ifndef BPFHOST_OBJ_INTERNAL_H
#define BPFHOST_OBJ_INTERNAL_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>

#include "object/object.h"

#define BH_INSN_SZ 8
/* Sum of all program images of one object (each holds its subprograms). */
#define BH_OBJ_MAX_IMAGE_INSNS (1u << 24)
/* relocation types of the BPF ELF ABI */
#define BH_R_BPF_64_64 1
#define BH_R_BPF_64_32 10

#define BH_LD_IMM64 (BH_LD | BH_DW | BH_IMM)
#define BH_CALL_CODE (BH_JMP | 0x80)

/* .BTF.ext records, as in the file but with insn_off already in slots */
struct bh_ext_func {
	uint32_t insn;
	uint32_t type_id;
};

struct bh_ext_line {
	uint32_t insn;
	uint32_t file_off;
	uint32_t line_off;
	uint32_t line_col;
};

enum bh_sec_kind {
	BH_SEC_OTHER,
	BH_SEC_CODE,
	BH_SEC_DATA, /* .data/.rodata/.bss and their dotted variants */
	BH_SEC_MAPS,
};

struct bh_sec {
	const char *name; /* validated, NUL-terminated in the image */
	GElf_Shdr sh;
	const unsigned char *data; /* NULL for SHT_NOBITS */
	size_t size;
	enum bh_sec_kind kind;
	int map_idx; /* BH_SEC_DATA: index in obj->maps, or -1 if empty */
	bool has_rel;
	/* BH_SEC_CODE only */
	struct bh_insn *insns; /* relocated copy */
	size_t insn_cnt;
	int32_t *func_of;   /* per slot: index in ctx->funcs, or -1 */
	uint32_t *target;   /* per slot: call/func target function + 1 */
	uint8_t *relocated; /* per slot: a relocation was applied */
	struct bh_ext_func *finfo;
	size_t finfo_cnt;
	struct bh_ext_line *linfo;
	size_t linfo_cnt;
};

struct bh_func {
	const char *name;
	size_t sec;
	size_t start; /* slot index in the section */
	size_t cnt;
	bool is_prog;
	uint64_t stamp; /* program build generation, see progs.c */
	size_t img_off;
};

struct bh_user_map {
	uint64_t off; /* offset of the map's definition in .maps; first */
	size_t idx;   /* index in obj->maps */
};

struct bh_ctx {
	struct bh_object *obj;
	char *err;
	size_t errsz;
	bool err_set;

	unsigned char *image; /* private copy handed to libelf */
	size_t size;
	Elf *elf;

	struct bh_sec *secs;
	size_t sec_cnt;
	size_t symtab, strtab, btf_sec, btf_ext_sec, maps_sec; /* 0 = none */
	size_t text_sec;

	const unsigned char *syms;
	size_t sym_cnt;
	int32_t *ext_of_sym;  /* per symbol: extern index or -1 */
	bool *ext_kind_known; /* per extern */

	struct bh_func *funcs;
	size_t func_cnt;
	size_t img_total; /* instructions in all program images so far */

	struct bh_user_map *umaps; /* sorted by off */
	size_t umap_cnt;
};

/* Format a message into ctx->err (the first one wins) and return ret. */
int bh_obj_err(struct bh_ctx *ctx, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* elf.c */
int bh_elf_open(struct bh_ctx *ctx, const void *buf, size_t size);
void bh_elf_close(struct bh_ctx *ctx);
const char *bh_elf_str(const struct bh_ctx *ctx, size_t sec, uint64_t off);
int bh_elf_sym(struct bh_ctx *ctx, size_t idx, GElf_Sym *sym);
/* The symbol's name, or NULL (with an error) when it is not a string. */
const char *bh_elf_sym_name(struct bh_ctx *ctx, size_t idx,
			    const GElf_Sym *sym);
const char *bh_sec_name(const struct bh_ctx *ctx, size_t idx);

/* btf_ext.c */
int bh_btf_ext_parse(struct bh_ctx *ctx);
const struct btf_type *bh_btf_type(const struct btf *btf, uint32_t id);
const char *bh_btf_str(const struct btf *btf, uint32_t off);

/* maps.c */
int bh_maps_collect(struct bh_ctx *ctx);

/* progs.c */
int bh_funcs_collect(struct bh_ctx *ctx);
int bh_externs_collect(struct bh_ctx *ctx);
int bh_relos_apply(struct bh_ctx *ctx);
int bh_progs_build(struct bh_ctx *ctx);

#endif
