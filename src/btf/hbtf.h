/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host BTF: the types and function prototypes of the host process, from
 * the BTF the standard toolchain makes out of its debug info (`cc -g` then
 * `pahole -J`, or `gcc -gbtf`).
 *
 * Like the kernel's vmlinux + module BTFs, a host BTF is a list of
 * *sources*, each its own struct btf with its own id space: source 0 is
 * the BTF embedded in libbpfhost for its built-in kfuncs (the "vmlinux"),
 * then the application's executable, then plugins (.so) or BTF files the
 * host adds.  A type is named by (source index, id): the same pair a kfunc
 * call instruction carries as (off, imm).  Sources are never merged or
 * renumbered, so a (src, id) pair stays valid for the life of the runtime.
 * A split BTF file (pahole --btf_base) sits on top of the source it was
 * made against.
 */
#ifndef BPFHOST_HBTF_H
#define BPFHOST_HBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;

struct bh_btf_ref {
	uint32_t src; /* source index */
	uint32_t id;  /* type id in that source */
};

struct bh_btf_src {
	char *origin;	 /* "libbpfhost", "/usr/bin/app", "plugin.so", path */
	struct btf *btf; /* owned */
	int base;	 /* source this one is split on, or -1 */
};

struct bh_hbtf {
	struct bh_btf_src *srcs;
	size_t cnt;
};

struct bh_hbtf *bh_hbtf_new(void);
void bh_hbtf_free(struct bh_hbtf *h);

/*
 * Add a source; each returns its index (>= 0) or -errno with a message in
 * err.  Adding the same origin twice returns the existing index.
 *   _raw:  raw BTF bytes (copied).
 *   _file: a raw BTF file (by its magic) or an ELF file's .BTF section;
 *          base >= 0 parses it as split BTF on that source (which must
 *          not be split itself).  Origin is the file's real path.
 *   _self: the running process: /proc/self/exe and every loaded shared
 *          object that carries a .BTF section (each one source); returns
 *          the number of sources added, 0 when no file carries .BTF.
 *   _embedded: libbpfhost's own BTF (built in at library build); always
 *          source 0 when added first.
 */
int bh_hbtf_add_raw(struct bh_hbtf *h, const void *data, size_t size,
		    const char *origin, char *err, size_t errsz);
int bh_hbtf_add_file(struct bh_hbtf *h, const char *path, int base, char *err,
		     size_t errsz);
int bh_hbtf_add_self(struct bh_hbtf *h, char *err, size_t errsz);
int bh_hbtf_add_embedded(struct bh_hbtf *h, char *err, size_t errsz);

const struct btf *bh_hbtf_btf(const struct bh_hbtf *h, uint32_t src);

/*
 * The BTF FUNC for a kfunc named `name` at address `addr`: searched first
 * in the source made from the file that contains addr (dladdr), then in
 * every other source in order.  0 with *out set, or -ENOENT.
 */
int bh_hbtf_find_func(const struct bh_hbtf *h, const char *name,
		      const void *addr, struct bh_btf_ref *out);
/* A named type of the given BTF kind (BTF_KIND_STRUCT, ...) in any source,
 * first match in source order.  0 or -ENOENT. */
int bh_hbtf_find_type(const struct bh_hbtf *h, const char *name, int kind,
		      struct bh_btf_ref *out);

/*
 * Check that addr is the address of the function called `name` by the ELF
 * symbol table of the file that holds addr (executable or shared object,
 * position-independent or not).  0, or -EINVAL with a message naming both
 * functions (e.g. "kfunc 'bpf_a': address 0x... is 'bpf_b' in /path"), or
 * -ENOENT when the file has no symbol for name.  A file with no symbol
 * table at all cannot be checked and returns 1, as does a file with only
 * .dynsym (no .symtab) that does not list name.
 */
int bh_sym_check(const char *name, const void *addr, char *err, size_t errsz);

/*
 * Libbpf-compatible prototype compatibility (bpf_core_types_are_compat
 * semantics): same parameter count; ints of any size/sign compatible with
 * ints and enums; pointers compatible with pointers (pointee compared by
 * kind, structs/unions by name with "___flavor" suffixes ignored);
 * modifiers and typedefs skipped; recursion depth-limited.
 * local: the program's FUNC_PROTO; targ: the host's (a FUNC id stands
 * for its FUNC_PROTO).  1 compatible, 0 not, -errno on malformed BTF or
 * nesting too deep.  Where this differs from libbpf: see compat.c.
 */
int bh_btf_protos_compat(const struct btf *local, uint32_t local_id,
			 const struct btf *targ, uint32_t targ_id);
/* The same against the target's first targ_nargs parameters only (a
 * KF_IMPLICIT_ARGS kfunc, whose last parameter programs do not declare). */
int bh_btf_protos_compat_n(const struct btf *local, uint32_t local_id,
			   const struct btf *targ, uint32_t targ_id,
			   uint32_t targ_nargs);

/*
 * Write a C header of every type in every source (deduplicated across
 * sources, in dependency order, like `bpftool btf dump format c`) wrapped
 * in an include guard, followed by `extern ... __ksym;` declarations for
 * the functions listed in funcs[0..n) (with their parameter names).
 * Returns 0 or -errno.
 */
struct bh_hbtf_func_decl {
	struct bh_btf_ref func; /* a FUNC */
	const char *comment;	/* e.g. "KF_ACQUIRE | KF_RET_NULL", or NULL */
	uint32_t hidden_args;	/* trailing parameters programs do not pass */
};
int bh_hbtf_dump_c(const struct bh_hbtf *h,
		   const struct bh_hbtf_func_decl *funcs, size_t n,
		   void (*out)(void *ctx, const char *text), void *ctx);

#endif
