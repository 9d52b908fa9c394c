/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Linking a program image against a runtime's kfunc registry, as libbpf
 * links `extern ... __ksym` declarations against the kernel's BTF.
 *
 * In: a program image from the object reader, whose kfunc calls carry
 * imm = extern index and whose ksym ld_imm64s carry src_reg =
 * BH_PSEUDO_BTF_ID, imm = extern index.  Out: the same image in the form
 * the kernel's loader receives: kfunc calls with imm = BTF FUNC id and
 * off = BTF source index (0 for the library's own BTF), unresolved __weak
 * calls with imm = off = 0; ksym ld_imm64s of functions with the function's
 * (src, id), or a plain ld_imm64 of 0 when an unresolved __weak symbol.
 *
 * Rules (libbpf's and the kernel's): a "___flavor" suffix is ignored when
 * looking up a name; the program's prototype must be compatible with the
 * host's (bh_btf_protos_compat); a missing strong kfunc, a removed one, or
 * one not visible to the program's type is an error naming it; a
 * deprecated one is linked with a warning naming its replacement.
 *
 * CO-RE relocations (link/core.h) run before kfunc linking.  A CO-RE
 * relocation that cannot be resolved leaves libbpf's poison in the image:
 * `call` with src_reg 0 and imm BH_CORE_POISON_IMM (0xbad2310), both slots
 * for an ld_imm64; only reaching one is an error (bh_core_describe says
 * which relocation failed).
 */
#ifndef BPFHOST_LINK_H
#define BPFHOST_LINK_H

#include <stddef.h>

#include "kfunc/kfunc.h"
#include "object/object.h"

struct bh_link_env {
	const struct bh_kfunc_reg *reg;
	const struct bh_hbtf *hbtf;
	const char *prog_type;	     /* for messages */
	const char *hook;	     /* the program type's kfunc hook */
	const struct bpf_prog *prog; /* what set filters are asked about */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

int bh_link_kfuncs(struct bh_obj_prog *p, const struct bh_object *o,
		   const struct bh_link_env *env, char *err, size_t errsz);

/* The name an extern resolves by: without a "___flavor" suffix. */
size_t bh_link_essential_len(const char *name);

#endif
