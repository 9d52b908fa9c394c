/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CO-RE relocations: the third area of .BTF.ext (after func_info and
 * line_info), applied to a program image against the host BTF as libbpf's
 * bpf_object__relocate_core() applies them against the kernel's BTF, so a
 * program built against a vmlinux.h-style header with
 * preserve_access_index reads the host's own struct layouts.
 *
 * Candidates: host types whose "essential" name (without a trailing
 * "___flavor") and BTF kind match the local type; source 0 (the
 * "vmlinux") first, and only when it has none, every other source together
 * (libbpf's vmlinux-then-modules order).  Every matching candidate must give
 * the same result, else the relocation is ambiguous and the load fails.
 *
 * Poisoning: a relocation that cannot be resolved (a missing field, type
 * or enumerator read for its value, or a load whose size cannot be
 * adjusted) does not fail the load.  Its instruction (both slots of an
 * ld_imm64) becomes libbpf's poison, `call 0xbad2310` (code BPF_JMP |
 * BPF_CALL, src_reg = dst_reg = off = 0, imm = BH_CORE_POISON_IMM), so that
 * only a *reachable* poisoned instruction rejects the program, as the
 * kernel's verifier rejects it ("invalid func unknown#195896080") and
 * ignores it in dead code.  Whoever rejects it should say why with
 * bh_core_describe(), as libbpf rewrites that verifier message into
 * "failed to resolve CO-RE relocation <spec>".
 *
 * Invariant: the .BTF.ext bytes and the object's BTF are untrusted; every
 * record is checked (section name, insn offset, type id, access string,
 * kind) before any instruction changes, and a bad one is an error naming
 * the .BTF.ext offset.  A record whose instruction is in no function of
 * the image is skipped (libbpf skips records of eliminated subprograms).
 */
#ifndef BPFHOST_LINK_CORE_H
#define BPFHOST_LINK_CORE_H

#include <stdbool.h>
#include <stddef.h>

#include "link/link.h"

/* The immediate of a poisoned call: 0xbad2310 reads "bad relo". */
#define BH_CORE_POISON_IMM 0xbad2310

/* enum bpf_core_relo_kind (linux/bpf.h), the record's last field */
enum bh_core_kind {
	BH_CORE_FIELD_BYTE_OFFSET = 0,
	BH_CORE_FIELD_BYTE_SIZE = 1,
	BH_CORE_FIELD_EXISTS = 2,
	BH_CORE_FIELD_SIGNED = 3,
	BH_CORE_FIELD_LSHIFT_U64 = 4,
	BH_CORE_FIELD_RSHIFT_U64 = 5,
	BH_CORE_TYPE_ID_LOCAL = 6,
	BH_CORE_TYPE_ID_TARGET = 7,
	BH_CORE_TYPE_EXISTS = 8,
	BH_CORE_TYPE_SIZE = 9,
	BH_CORE_ENUMVAL_EXISTS = 10,
	BH_CORE_ENUMVAL_VALUE = 11,
	BH_CORE_TYPE_MATCHES = 12,
};

/*
 * Apply every CO-RE record of o's .BTF.ext that falls in p's image
 * (records of a subprogram apply to its copy in each image) against
 * env->hbtf.  Uses env->warn for libbpf's pr_warn-level notes (a load
 * whose size cannot be adjusted is poisoned with a warning).  0, or
 * -errno with a message naming the program, record and instruction.
 */
int bh_core_relocate(struct bh_obj_prog *p, const struct bh_object *o,
		     const struct bh_link_env *env, char *err, size_t errsz);

/* Is in a CO-RE poison (the first slot, for a poisoned ld_imm64)? */
bool bh_core_is_poison(const struct bh_insn *in);

/*
 * For a poisoned instruction idx of p: "failed to resolve CO-RE relocation
 * <byte_off> [12] struct task.comm (0:3 @ offset 16)", libbpf's text, in
 * buf.  0, or -ENOENT when no CO-RE record of p is at idx.
 */
int bh_core_describe(const struct bh_obj_prog *p, const struct bh_object *o,
		     size_t idx, char *buf, size_t size);

/* libbpf's essential name: name without its last "X___Y" flavor tail. */
size_t bh_core_essential_len(const char *name);

#endif
