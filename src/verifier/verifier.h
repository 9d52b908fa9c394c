/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The verifier: proves a linked program image safe before it may run, with
 * the Linux 6.18 verifier's semantics (../shared/VERIFIER-CORE.md,
 * ../shared/KFUNC-SEMANTICS.md) for a privileged loader.
 *
 * This header is what the runtime hands the verifier and what it gets
 * back.  The verifier reads the program and its environment, never runs
 * anything, and never changes the instructions: what execution needs to
 * know (which loads are probe loads, which instructions are dead) comes
 * back in bh_verify_result.aux.
 *
 * Invariant: bh_verify() returning 0 means every path of the program, from
 * every entry, with any ctx the program type allows and any values maps and
 * kfuncs may produce, stays inside the memory it was given, terminates, and
 * leaves no reference, lock or RCU section behind.
 */
#ifndef BPFHOST_VERIFIER_H
#define BPFHOST_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn/insn.h"
#include "kfunc/kfunc.h"
#include "maps/map.h"
#include "object/object.h"

struct btf;

/* How the program's ctx (R1 at entry) is shaped. */
enum bh_ctx_kind {
	BH_CTX_BUFFER, /* syscall-like: caller bytes, ctx_size max (0 = any) */
	BH_CTX_STRUCT, /* a host struct: ctx_btf/ctx_type_id, byte ranges */
	BH_CTX_ARGS,   /* typed hook: u64 slots typed by a BTF FUNC_PROTO */
};

struct bh_ctx_range {
	uint32_t off, size;
};

struct bh_verify_prog_type {
	const char *name;
	enum bh_ctx_kind ctx_kind;
	uint32_t ctx_size; /* BUFFER: largest ctx; 0 = any size */
	/* STRUCT: the ctx struct; ARGS: the hook's FUNC_PROTO, in host BTF */
	const struct btf *ctx_btf;
	uint32_t ctx_type_id;
	uint32_t ctx_btf_src; /* host BTF source index of ctx_btf */
	const struct bh_ctx_range *ctx_read, *ctx_write;
	size_t n_ctx_read, n_ctx_write;
	bool sleepable;
	bool ret_checked;
	int64_t ret_min, ret_max;
	uint32_t caps;	  /* BPFHOST_CAP_* */
	const char *hook; /* kfunc visibility */
};

/* One map the program's ld_imm64s may name (by index). */
struct bh_verify_map {
	const struct bh_map_def *def;
	const char *name;
	/* read-only for programs and frozen: loads at constant offsets from
	 * it are known constants (the .rodata rule) */
	bool frozen_rdonly;
	const void *data; /* the value bytes for frozen maps, else NULL */
};

struct bh_verify_env {
	const struct bh_insn *insns;
	size_t insn_cnt;
	const struct bh_verify_map *maps;
	size_t map_cnt;
	const struct bh_verify_prog_type *type;
	bool sleepable; /* this program (SEC ".s" or the type) */
	const char *prog_name;
	/* the object's license: GPL-only helpers need a GPL-compatible one
	 * (the kernel's license_is_gpl_compatible); NULL = not a loaded
	 * object (tests), treated as GPL */
	const char *license;
	/* the object's BTF and the program's func_info/line_info (may be
	 * NULL/0): subprogram linkage (static vs global), global subprogram
	 * prototypes, and source lines for the log */
	const struct btf *prog_btf;
	const struct bh_func_info *func_info;
	size_t func_info_cnt;
	const struct bh_line_info *line_info;
	size_t line_info_cnt;
	/* kfunc calls: (imm, off) = (BTF id, source) after linking */
	const struct bh_kfunc_reg *kfuncs;
	const struct bh_hbtf *hbtf;
	/* log */
	uint32_t log_level; /* 0 none, 1 path to the error, 2 every insn */
	char *log_buf;
	size_t log_size;
};

/* Per-instruction facts for execution, indexed like insns. */
enum bh_insn_aux_flag {
	BH_AUX_SEEN = 1u << 0,	    /* simulated on some path */
	BH_AUX_PROBE_MEM = 1u << 1, /* a load through a BTF pointer: a
				     * fault must read as 0, not crash */
};

struct bh_verify_stats {
	uint64_t insn_processed;
	uint32_t max_states_per_insn;
	uint32_t total_states;
	uint32_t peak_states;
	uint64_t verification_ns;
	uint32_t stack_depth[64]; /* per subprogram */
	uint32_t subprog_cnt;
	/* BH_CTX_BUFFER: one past the highest ctx byte any access may touch;
	 * a run must pass at least this many ctx bytes (the kernel's
	 * max_ctx_offset check in test_run) */
	uint32_t max_ctx_offset;
};

struct bh_verify_result {
	struct bh_verify_stats stats;
	uint8_t *aux; /* insn_cnt flags (enum bh_insn_aux_flag); malloc'ed */
	/* insn_cnt entries, or NULL when the program makes no such call: at
	 * a bpf_obj_new_impl / bpf_obj_drop_impl / bpf_refcount_acquire_impl
	 * call, the struct of the program's BTF (prog_btf) it allocates,
	 * drops or acquires, for the runtime to pass that type's record as
	 * the hidden meta argument (the kernel's fixup_kfunc_call); else 0 */
	uint32_t *obj_type;
	/* alongside obj_type, at a list push or rbtree add: the offset of
	 * the node in that struct (the kernel's insert_off fixup) */
	uint32_t *node_off;
	/* the rejection: instruction index, or -1 */
	long err_insn;
	char err[512]; /* the kernel-worded message, "" when accepted */
};

/*
 * Verify one program.  0 when accepted, -EINVAL (or -E2BIG, -EACCES, ...,
 * as the kernel returns) when rejected, with the message in res->err and
 * the log (per env->log_level) in env->log_buf.  -ENOMEM and -EFAULT
 * (internal bug: "verifier bug: ...") are not the program's fault.
 * res->aux is allocated in both cases; free it with bh_verify_result_free.
 */
int bh_verify(const struct bh_verify_env *env, struct bh_verify_result *res);
void bh_verify_result_free(struct bh_verify_result *res);

#endif
