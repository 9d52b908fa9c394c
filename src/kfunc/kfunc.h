/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kfunc registry: which functions a host offers BPF programs, to which
 * program types (hooks), under which contracts.
 *
 * A registration (a btf_id_set8 added for a hook) is validated against the
 * host BTF when it is made, like the kernel's register_btf_kfunc_id_set,
 * and each kfunc is stored *normalised*: its BTF prototype, one record per
 * argument with the annotation parsed from the parameter name and the
 * argument's contract, where whole-function flags have been expanded into
 * per-argument ones (KF_RELEASE -> arg 0 KF_ARG_RELEASE, KF_TRUSTED_ARGS and
 * KF_RCU -> every pointer argument).  The verifier reads only this form.
 *
 * Invariant: every non-removed kfunc in a registry has a BTF FUNC in the
 * registry's host BTF whose prototype passed validation, at most 5
 * arguments, and an address the symbol table agrees with (when the file
 * has one).  A registry holds no pointers into the caller's sets, so
 * registering from a plugin that is later unloaded leaves nothing
 * dangling except the function addresses themselves.
 */
#ifndef BPFHOST_KFUNC_INTERNAL_H
#define BPFHOST_KFUNC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/kfunc.h"
#include "btf/hbtf.h"
#include "exec/exec.h"

/* Parameter-name annotations (suffixes, and two exact names). */
enum bh_annot {
	BH_ANN_SZ = 1u << 0,
	BH_ANN_SZK = 1u << 1,
	BH_ANN_K = 1u << 2,
	BH_ANN_UNINIT = 1u << 3,
	BH_ANN_OPT = 1u << 4,
	BH_ANN_NULLABLE = 1u << 5,
	BH_ANN_STR = 1u << 6,
	BH_ANN_IGN = 1u << 7,
	BH_ANN_PROG = 1u << 8,
	BH_ANN_MAP = 1u << 9,
	BH_ANN_ALLOC = 1u << 10,
	BH_ANN_REFCOUNTED_KPTR = 1u << 11,
	BH_ANN_ITER = 1u << 12,
	BH_ANN_IRQ_FLAG = 1u << 13,
	BH_ANN_RDONLY_BUF_SIZE = 1u << 14,
	BH_ANN_RDWR_BUF_SIZE = 1u << 15,
};

struct bh_kfunc_arg {
	const char *name;  /* parameter name in BTF ("" if none) */
	uint32_t type_id;  /* parameter type in the kfunc's BTF source */
	uint32_t annot;	   /* enum bh_annot bits */
	uint32_t contract; /* KF_ARG_* after normalisation */
	uint32_t declared; /* KF_ARG_* as the set wrote them */
	bool is_ptr;
	uint8_t ext; /* enum bh_ext (exec/exec.h) */
};

struct bh_kfunc {
	char *name;
	void *addr;		/* NULL for a removed kfunc */
	char *hook;		/* "syscall", "tracing", a host hook, or "*" */
	uint32_t flags;		/* KF_* (whole-function) */
	struct bh_btf_ref func; /* BTF FUNC (src, id) */
	uint32_t proto_id;
	uint32_t ret_type_id; /* 0 = void */
	bool ret_ptr;
	uint8_t ret_ext;
	uint8_t nargs;
	/* the parameters programs declare: nargs, less the implicit last
	 * one of a KF_IMPLICIT_ARGS kfunc */
	uint8_t nargs_visible;
	struct bh_kfunc_arg args[KF_MAX_ARGS];
	char *replacement;
	char *message;
	btf_kfunc_filter_t filter; /* of the set it came in; may be NULL */
	char *origin;		   /* BTF source the prototype came from */
};

/* The kernel's prog-type -> hook map, for register_btf_kfunc_id_set:
 * NULL for an unknown type. */
const char *bh_kernel_prog_type_hook(int prog_type);
/* Whether hook is one the kernel's program types map to ("tc", ...). */
bool bh_is_kernel_hook(const char *hook);

struct bh_kfunc_reg;

/* A registry over a host BTF (borrowed; must outlive the registry). */
struct bh_kfunc_reg *bh_kfunc_reg_new(struct bh_hbtf *hbtf);
void bh_kfunc_reg_free(struct bh_kfunc_reg *reg);
/* Copy every registration of src into dst (a runtime adopting the
 * default registry).  0 or -errno. */
int bh_kfunc_reg_copy(struct bh_kfunc_reg *dst, const struct bh_kfunc_reg *src,
		      char *err, size_t errsz);

/*
 * Validate and add a set for a hook.  All or nothing: on any failure no
 * kfunc of the set is added.  0, or -errno with a message naming the kfunc
 * and the rule in err.
 */
int bh_kfunc_reg_add_set(struct bh_kfunc_reg *reg, const char *hook,
			 const struct btf_kfunc_id_set *kset, char *err,
			 size_t errsz);

size_t bh_kfunc_reg_count(const struct bh_kfunc_reg *reg);
const struct bh_kfunc *bh_kfunc_reg_at(const struct bh_kfunc_reg *reg,
				       size_t i);

/*
 * The kfunc `name` as seen by a program whose type uses `hook`: the "*"
 * (every type) registration wins, as the kernel's COMMON hook does, then
 * the hook's own.  NULL if the name is not registered for either; a
 * removed kfunc is returned too (addr == NULL) so callers can name its
 * replacement.
 */
const struct bh_kfunc *bh_kfunc_find(const struct bh_kfunc_reg *reg,
				     const char *name, const char *hook);
/* Any registration of name, whatever its hook (for messages). */
const struct bh_kfunc *bh_kfunc_find_any(const struct bh_kfunc_reg *reg,
					 const char *name);
/* By the (src, id) of its BTF FUNC, for a hook, as a linked call names it. */
const struct bh_kfunc *bh_kfunc_by_btf(const struct bh_kfunc_reg *reg,
				       uint32_t src, uint32_t id,
				       const char *hook);

/* Whether every filter of k's hook lets prog call k (kernel semantics:
 * filters belong to the hook, and any one of them can deny). */
int bh_kfunc_allowed(const struct bh_kfunc_reg *reg, const struct bh_kfunc *k,
		     const struct bpf_prog *prog);

/* Parse one parameter name's annotations (enum bh_annot bits). */
uint32_t bh_kfunc_parse_annot(const char *param_name);
/* "KF_ACQUIRE | KF_RET_NULL" for flags; "" for 0.  Returns buf. */
const char *bh_kfunc_flags_str(uint32_t flags, char *buf, size_t size);
/* "release,nullable" for KF_ARG_* bits; "" for 0.  Returns buf. */
const char *bh_kfunc_arg_flags_str(uint32_t flags, char *buf, size_t size);
/* "__sz __k" style list of annotations; "" for 0.  Returns buf. */
const char *bh_kfunc_annot_str(uint32_t annot, char *buf, size_t size);

/*
 * Destructors of host structs stored as referenced kptrs in map values
 * (register_btf_id_dtor_kfuncs): one per struct name, which must be in the
 * host BTF (-ENOENT); when fn_name has a FUNC in the host BTF it must be
 * `void fn(T *)` (-EINVAL); another function for the same struct is
 * -EEXIST.  0 or -errno with the reason in err.
 */
typedef void (*bh_dtor_fn)(void *);
int bh_kfunc_reg_add_dtor(struct bh_kfunc_reg *reg, const char *type,
			  bh_dtor_fn fn, const char *fn_name, char *err,
			  size_t errsz);
/* The destructor registered for struct `type`, or NULL. */
bh_dtor_fn bh_kfunc_reg_dtor(const struct bh_kfunc_reg *reg, const char *type);

/* The process-wide default registry (the kernel-compatible shim's only
 * global state), created on first use with the process's own BTF. */
struct bh_kfunc_reg *bh_kfunc_default_reg(void);

#endif
