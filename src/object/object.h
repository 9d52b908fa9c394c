/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BPF ELF object reader and static linker.
 *
 * Input: the bytes of a clang `-target bpf` ELF relocatable object.
 * Output: a bh_object holding, for each program (each STT_FUNC symbol in an
 * executable section other than .text, or each non-.text code section as
 * one program), a self-contained instruction image in kernel form:
 *   - the program's own code followed by every subprogram it reaches
 *     (transitively), with BPF_PSEUDO_CALL / BPF_PSEUDO_FUNC offsets fixed;
 *   - ld_imm64 of a map     -> src_reg = BH_PSEUDO_MAP_FD,    imm = map index;
 *   - ld_imm64 of globals   -> src_reg = BH_PSEUDO_MAP_VALUE, imm = map index,
 *                              second slot imm = offset in the section;
 *   - ld_imm64 of a __ksym variable -> src_reg = BH_PSEUDO_BTF_ID,
 *                              imm = extern index (resolved by the linker);
 *   - call of an extern function -> src_reg = BH_PSEUDO_KFUNC_CALL,
 *                              imm = extern index, off = 0 (resolved by the
 *                              kfunc linker, a later stage).
 * plus its func_info and line_info rebased onto the image.
 *
 * The reader never trusts the file: every offset, size, index and count is
 * checked, and a bad object gets -EINVAL (or -ENOTSUP for a well-formed
 * object using something bpfhost does not support) with a message naming
 * the section, symbol or offset.  Nothing is left half-built on failure.
 */
#ifndef BPFHOST_OBJECT_H
#define BPFHOST_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn/insn.h"
#include "maps/map.h"

struct btf;

struct bh_line_info {
	uint32_t insn_off; /* instruction index in the program image */
	const char *file;  /* points into BTF strings; may be "" */
	const char *line;  /* source text; may be "" */
	uint32_t line_num;
	uint32_t line_col;
};

struct bh_func_info {
	uint32_t insn_off; /* instruction index in the program image */
	uint32_t type_id;  /* BTF FUNC id in the object's BTF */
};

/* Where a stretch of a program image came from: cnt slots copied from
 * code section sec_name starting at its slot sec_off.  .BTF.ext CO-RE
 * records name instructions by (section, offset); this maps them onto
 * every image that holds a copy (see link/core.h). */
struct bh_obj_seg {
	char *sec_name;
	uint32_t sec_off;
	uint32_t img_off;
	uint32_t cnt;
};

struct bh_obj_prog {
	char *name;	/* function symbol name */
	char *sec_name; /* SEC() name, e.g. "syscall", "tp_btf/foo" */
	struct bh_insn *insns;
	size_t insn_cnt;   /* image: program + appended subprograms */
	size_t own_cnt;	   /* slots that belong to the program itself */
	size_t exc_cb_off; /* the appended exception callback, 0 if none */
	struct bh_func_info *func_info;
	size_t func_info_cnt;
	struct bh_line_info *line_info;
	size_t line_info_cnt;
	struct bh_obj_seg *segs; /* the program, then each subprogram */
	size_t seg_cnt;
};

struct bh_obj_map {
	struct bh_map_def def; /* def.name points at name below */
	char *name;	       /* "counts", or ".data", ".rodata.str1.1" ... */
	void *init;	       /* initial contents for global data, else NULL */
	size_t init_size;
};

enum bh_extern_kind { BH_EXT_FUNC, BH_EXT_VAR };

struct bh_obj_extern {
	char *name;
	enum bh_extern_kind kind;
	bool weak;
	uint32_t btf_id; /* FUNC (kind FUNC) or VAR id in the object's BTF, 0 if
			    none */
	const char *sec; /* ".ksyms", ".kconfig", or other */
};

struct bh_object {
	char *name;
	char *license;
	uint32_t kern_version;
	struct bh_obj_prog *progs;
	size_t prog_cnt;
	struct bh_obj_map *maps;
	size_t map_cnt;
	struct bh_obj_extern *externs;
	size_t extern_cnt;
	struct btf *btf; /* libbpf's; NULL when the object has no .BTF */
	void *btf_ext;	 /* raw .BTF.ext copy (for CO-RE later), or NULL */
	size_t btf_ext_size;
};

/* Parse and statically link an object from memory.  buf is not kept. */
int bh_object_parse(const void *buf, size_t size, const char *name,
		    struct bh_object **out, char *err, size_t errsz);
void bh_object_free(struct bh_object *obj);

/* Source line for instruction idx of prog (the nearest line_info entry at
 * or before idx), or NULL. */
const struct bh_line_info *bh_prog_line(const struct bh_obj_prog *prog,
					size_t idx);

#endif
