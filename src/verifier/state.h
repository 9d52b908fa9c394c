/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The verifier's abstract state, in the kernel's shape (bpf_reg_state,
 * bpf_stack_state, bpf_func_state, bpf_verifier_state), and the verifier
 * environment one bh_verify() call works in.
 *
 * Invariant: a state describes a set of concrete machine states that
 * contains every state the program can be in at state->insn_idx along the
 * path explored; every check reads only this description.
 */
#ifndef BPFHOST_VERIFIER_STATE_H
#define BPFHOST_VERIFIER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verifier/scalar.h"
#include "verifier/verifier.h"

#define BH_MAX_FRAMES 8
#define BH_MAX_STACK 512
#define BH_STACK_SLOTS (BH_MAX_STACK / 8)
#define BH_MAX_REFS 64
#ifndef BH_COMPLEXITY_LIMIT_INSNS
#define BH_COMPLEXITY_LIMIT_INSNS 1000000
#endif
#define BH_COMPLEXITY_LIMIT_JMP_SEQ 8192
#define BH_MAX_VAR_OFF (1 << 29)

/* Base register types (the kernel's enum bpf_reg_type, the ones we model) */
enum bh_reg_type {
	BH_NOT_INIT = 0,
	BH_SCALAR,
	BH_PTR_TO_CTX,
	BH_CONST_PTR_TO_MAP,
	BH_PTR_TO_MAP_VALUE,
	BH_PTR_TO_MAP_KEY,
	BH_PTR_TO_STACK,
	BH_PTR_TO_MEM,
	BH_PTR_TO_BTF_ID,
	BH_PTR_TO_FUNC,
	BH_PTR_TO_BUF,
};

/* Type flags, or-ed into bh_reg.flags (the kernel's type flags). */
enum bh_reg_flag {
	BH_PTR_MAYBE_NULL = 1u << 0, /* "_or_null" */
	BH_MEM_RDONLY = 1u << 1,     /* "rdonly_" */
	BH_PTR_UNTRUSTED = 1u << 2,  /* "untrusted_" */
	BH_PTR_TRUSTED = 1u << 3,    /* "trusted_" */
	BH_MEM_RCU = 1u << 4,	     /* "rcu_" */
	BH_MEM_ALLOC = 1u << 5,	     /* (no prefix) */
	BH_MEM_UNINIT = 1u << 6,
	BH_NON_OWN_REF = 1u << 7,
	BH_MEM_RINGBUF = 1u << 8, /* "ringbuf_" */
	BH_MEM_PERCPU = 1u << 9,  /* "percpu_": every CPU's copies, not
				   * dereferenceable (bpf_per_cpu_ptr) */
	/* bpfhost's own, never printed: one CPU's copy of a per-CPU
	 * program object (bpf_per_cpu_ptr/bpf_this_cpu_ptr), which stays
	 * mapped and of its type after a drop (type-stable, stdlib.h), so
	 * writes need no owning reference */
	BH_PCPU_COPY = 1u << 10,
};

#define BH_BTF_SRC_PROG UINT32_MAX /* bh_reg.btf_src: the program's BTF */

#define BH_ID_ADD_CONST (1u << 31) /* scalar = (reg with id) + off */

struct bh_reg {
	uint8_t type;	 /* enum bh_reg_type */
	uint8_t frameno; /* PTR_TO_STACK: whose frame */
	bool precise;	 /* scalar: exact bounds matter */
	uint32_t flags;	 /* enum bh_reg_flag */
	int32_t off;	 /* fixed offset (pointers); linked delta (scalars) */
	/* scalars: the value; pointers: the variable part of the offset */
	struct bh_scalar s;
	uint32_t id;	     /* equality class (copies, null checks) */
	uint32_t ref_obj_id; /* the acquired reference it belongs to */
	union {
		/* CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY */
		struct {
			uint32_t map_idx;
		};
		/* PTR_TO_MEM, PTR_TO_BUF; dynptr_id: the dynptr a slice
		 * came from (it dies with it), 0 if none */
		struct {
			uint32_t mem_size;
			uint32_t dynptr_id;
		};
		/* PTR_TO_BTF_ID: a type in a host BTF source (or the
		 * program's own BTF for MEM_ALLOC objects: src =
		 * BH_BTF_SRC_PROG) */
		struct {
			uint32_t btf_src;
			uint32_t btf_id;
		};
		/* PTR_TO_FUNC */
		struct {
			uint32_t subprogno;
		};
	};
};

/* Per-byte stack slot types, printed as in the kernel log. */
enum bh_slot_type {
	BH_STACK_INVALID = 0, /* '?' */
	BH_STACK_SPILL,	      /* 'r' (printed as the register) */
	BH_STACK_MISC,	      /* 'm' */
	BH_STACK_ZERO,	      /* '0' */
	BH_STACK_DYNPTR,      /* 'd' */
	BH_STACK_ITER,	      /* 'i' */
	BH_STACK_IRQ_FLAG,    /* 'f' */
};

/* An open-coded iterator's progress (the kernel's iter.state). */
enum bh_iter_state {
	BH_ITER_INVALID = 0,
	BH_ITER_ACTIVE,
	BH_ITER_DRAINED,
};

struct bh_stack_slot {
	/* valid when any byte is STACK_SPILL; for STACK_ITER slots the
	 * iterator: type PTR_TO_STACK (+MEM_RCU/PTR_UNTRUSTED), btf_src and
	 * btf_id its struct, ref_obj_id on the iterator's first slot only */
	struct bh_reg spilled;
	/* slot_type[0] is the byte at the lowest address of the slot */
	uint8_t slot_type[8];
	/* STACK_ITER: enum bh_iter_state and the loop depth (next() calls
	 * that returned non-NULL on this path) */
	uint8_t iter_state;
	uint32_t iter_depth;
	/* STACK_DYNPTR: enum bh_dynptr_type and whether this is the
	 * dynptr's first (higher-address) slot; spilled.id is its id */
	uint8_t dynptr_type;
	bool dynptr_first;
	/* STACK_IRQ_FLAG: enum bh_irq_class, the kfuncs that saved it */
	uint8_t irq_class;
};

/* Which kfuncs saved an irq flag: only the same kind may restore it. */
enum bh_irq_class {
	BH_IRQ_NATIVE = 0, /* bpf_local_irq_save */
	BH_IRQ_LOCK,	   /* bpf_res_spin_lock_irqsave */
};

/* The kinds of dynptr the verifier tracks (the kernel's
 * enum bpf_dynptr_type): local memory, and ring buffer records, which
 * hold a reference (spilled.ref_obj_id of both slots) until submitted
 * or discarded. */
enum bh_dynptr_type {
	BH_DYNPTR_INVALID = 0,
	BH_DYNPTR_LOCAL,
	BH_DYNPTR_RINGBUF,
};

struct bh_func_state {
	struct bh_reg regs[BH_MAX_REG];
	int callsite; /* insn index of the call, -1 for main */
	uint32_t frameno;
	uint32_t subprogno;
	bool in_callback_fn;
	bool in_async_callback_fn; /* frame 0 of a timer's callback */
	int32_t callback_ret_min, callback_ret_max;
	uint32_t callback_depth;
	uint32_t allocated_stack;		    /* bytes, multiple of 8 */
	struct bh_stack_slot stack[BH_STACK_SLOTS]; /* [0] = fp-8..fp-1 */
};

/* Bits, so that a lookup can ask for several kinds (find_lock_state). */
enum bh_ref_type {
	BH_REF_PTR = 1u << 0,	       /* an acquired pointer */
	BH_REF_ITER = 1u << 1,	       /* an iterator on the stack */
	BH_REF_IRQ = 1u << 2,	       /* an irq flag on the stack */
	BH_REF_LOCK = 1u << 3,	       /* a bpf_spin_lock held */
	BH_REF_RES_LOCK = 1u << 4,     /* a bpf_res_spin_lock held */
	BH_REF_RES_LOCK_IRQ = 1u << 5, /* ... taken by the _irqsave kfunc */
};

#define BH_REF_LOCK_MASK (BH_REF_LOCK | BH_REF_RES_LOCK | BH_REF_RES_LOCK_IRQ)

struct bh_ref {
	uint32_t id;
	int insn_idx; /* where it was acquired */
	uint8_t type; /* enum bh_ref_type */
	/* locks: what the lock belongs to (bh_reg_lock_owner()) */
	uint32_t ptr;
};

struct bh_vstate {
	struct bh_func_state *frame[BH_MAX_FRAMES];
	uint32_t curframe;
	struct bh_ref refs[BH_MAX_REFS];
	uint32_t acquired_refs;
	uint32_t active_rcu_lock;
	/* locks held (bpf_spin_lock and bpf_res_spin_lock, each a lock
	 * reference in refs[], in the order taken), and the last one taken
	 * (the only one that may be released): the id of the map value or
	 * object pointer it was taken through, and what it belongs to (1 +
	 * map index, or program object type: BTF id | 1 << 31) */
	uint32_t active_locks;
	uint32_t active_lock_id;
	uint32_t active_lock_ptr;
	uint32_t active_irq_id;	       /* innermost irq reference (irq.c) */
	uint32_t active_preempt_locks; /* bpf_preempt_disable nesting */
	bool in_sleepable;
	uint32_t insn_idx;
	uint32_t may_goto_depth;
	/* exploration bookkeeping (explore.c) */
	struct bh_vstate *parent;
	uint32_t branches;
	uint32_t first_insn_idx, last_insn_idx;
	struct bh_jmp_hist *jmp_history;
	uint32_t jmp_history_cnt;
	/* precision: this state and all its ancestors were forced precise
	 * (precision.c's fallback); a later fallback stops here */
	bool all_precise;
};

/* A jump-history entry: (prev insn -> insn) taken non-linearly, plus the
 * stack-access and linked-register facts precision backtracking needs. */
#define BH_LINKED_SLOTS_MAX 6
struct bh_jmp_hist {
	uint32_t idx, prev_idx;
	uint32_t flags;
	uint64_t linked_regs;
	/* spilled copies linked at a conditional jump: frame << 6 | spi */
	uint16_t linked_slots[BH_LINKED_SLOTS_MAX];
	uint8_t linked_slot_cnt;
};

/* Per-instruction facts gathered while verifying. */
struct bh_insn_aux {
	uint32_t flags; /* enum bh_insn_aux_flag, plus verifier-internal */
	bool prune_point, force_checkpoint, jmp_point;
	uint32_t subprogno;
	uint32_t live_regs_before; /* bit per register */
	/* stack liveness (live.c), a bit per 8-byte slot of the frame the
	 * insn runs in: slots some visit may read here (reads by callees
	 * through pointers count at the call), slots every visit wrote
	 * whole here, and slots that may be read here or later */
	uint64_t stk_may_read, stk_must_write, stk_live_before;
	bool stk_must_write_set;
	uint32_t scc;
	/* an object kfunc call (bpf_obj_new_impl & co.): the program-BTF
	 * struct it allocates, drops or acquires; 0 if none */
	uint32_t obj_type_id;
	/* a list push or rbtree add: the offset of the node it inserts */
	bool has_node_off;
	uint32_t node_off;
};

struct bh_subprog {
	uint32_t start; /* first insn */
	uint32_t end;	/* one past the last */
	bool global;	/* verified once, against its BTF prototype */
	uint32_t stack_depth;
	uint32_t btf_func_id; /* FUNC in prog_btf, 0 if none */
	bool might_sleep;     /* calls a sleepable kfunc, maybe via callees */
	bool is_cb;	      /* a callback (bpf_loop's, the exception one) */
	bool might_throw;     /* calls bpf_throw, maybe via callees */
};

struct bh_state_list;
struct bh_scc_visit;

/* One bh_verify() call. */
struct bh_venv {
	const struct bh_verify_env *env;
	struct bh_verify_result *res;
	struct bh_insn_aux *aux;
	struct bh_subprog *subprogs;
	uint32_t subprog_cnt;
	uint32_t id_gen; /* next fresh id */
	uint64_t insn_processed;
	uint32_t prev_insn_idx;
	/* 1 + the jump-history entry of the current insn, 0 if none yet */
	uint32_t cur_hist_ent;
	/* the last fixed-offset stack access spilled or filled a register
	 * (what backtracking follows through the slot) */
	bool stack_reg_access;
	/* exploration (explore.c) */
	struct bh_vstate *cur;
	struct bh_state_list **explored; /* per insn */
	/* checkpoints evicted while a live path still has them as parent:
	 * out of the search lists, freed at the end */
	struct bh_state_list *evicted;
	/* loop visits (scc.c) */
	struct bh_scc_visit *scc_visits;
	uint32_t scc_visit_cnt;
	void *stack; /* pending branches */
	uint32_t stack_size;
	/* log (log.c): built in logb (grown, capped), the tail copied to
	 * env->log_buf at the end as the kernel's rotating log keeps it */
	char *logb;
	size_t log_len, logb_cap;
	bool log_full;
	/* internal: set while verifying a global subprogram on its own */
	bool in_global_subprog;
	/* pruning statistics and the checkpoint heuristic (states.c) */
	uint32_t total_states, peak_states, cur_states, max_states_per_insn;
	uint32_t jmps_since_prune, insns_since_prune;
	bool states_capped;
	/* stack liveness (live.c): the marks changed since the last
	 * fixpoint; liveness is off (every slot compared) after an event it
	 * cannot account for; whole-slot writes of the current insn */
	bool stk_live_dirty, stk_live_off;
	uint64_t stk_write_acc;
	/* log bookkeeping (log.c): what the current insn touched, and where
	 * its line ended, so the touched state can be appended to it */
	uint32_t scratched_regs;
	uint64_t scratched_stack;
	size_t insn_line_end, insn_line_start;
	const void *last_linfo;
	bool rejected;
	/* the first line of a two-line error (bh_log_detail), for res->err */
	char detail[200];
	/* the main program and global subprograms are verified in turn */
	uint32_t entry_subprog;
	/* the exception callback's subprogram (0: none), and whether it is
	 * the one being verified */
	uint32_t exception_cb;
	bool in_exception_cb;
};

#endif
