/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Declarations shared by the verifier's files (never by the runtime): the
 * per-call environment helpers, register predicates, state lifetime, the
 * log, and the per-construct checkers explore.c dispatches to.
 *
 * Invariant: a check_* function either leaves the current state describing
 * every machine state after the instruction and returns 0, or returns a
 * negative errno with the rejection (or "verifier bug: ...") already
 * recorded by bh_reject()/bh_bug(); it never returns 0 after recording.
 */
#ifndef BPFHOST_VERIFIER_VINTERNAL_H
#define BPFHOST_VERIFIER_VINTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "btf/typestr.h"
#include "verifier/state.h"

/* Verifier-internal aux flags (above the public enum bh_insn_aux_flag). */
#define BH_AUXI_BRANCH_TARGET (1u << 8)
#define BH_AUXI_CALLBACK_CALL (1u << 9)

/* ---- rejection and bugs (log.c) ---- */

/* Record the rejection message (kernel wording) at the current insn and
 * log it; returns -EINVAL (or the errno given to bh_reject_err). */
int bh_reject(struct bh_venv *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int bh_reject_err(struct bh_venv *v, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A line logged (a detail before a rejection, a state dump, ...). */
void bh_log(struct bh_venv *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The first of the two lines the kernel prints for one error: logged, and
 * kept so the rejection that follows carries both in res->err. */
void bh_log_detail(struct bh_venv *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An internal invariant failed: -EFAULT, "verifier bug: ...". */
int bh_bug(struct bh_venv *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

bool bh_log_on(const struct bh_venv *v, uint32_t level);
void bh_log_rewind(struct bh_venv *v, size_t pos);
void bh_log_insn(struct bh_venv *v, uint32_t idx);
void bh_log_source(struct bh_venv *v, uint32_t idx);
/* Append "; R1=... fp-8=..." for the registers/slots the insn touched. */
void bh_log_scratched(struct bh_venv *v);
/* Full state line: "N: R1=ctx() R10=fp0" (prefix printed by the caller). */
void bh_log_state(struct bh_venv *v, const struct bh_vstate *st, bool all);
void bh_log_state_pfx(struct bh_venv *v, const char *pfx,
		      const struct bh_vstate *st, bool all);
int bh_print_reg(char *buf, size_t size, const struct bh_venv *v,
		 const struct bh_reg *r);
void bh_log_stats(struct bh_venv *v);

/* ---- state lifetime and helpers (states.c) ---- */
struct bh_vstate *bh_state_alloc(void);
int bh_state_copy(struct bh_vstate *dst, const struct bh_vstate *src);
void bh_state_free(struct bh_vstate *st);
void bh_state_pop_frame(struct bh_vstate *st);
struct bh_func_state *bh_frame_alloc(void);

static inline struct bh_func_state *cur_frame(struct bh_venv *v)
{
	return v->cur->frame[v->cur->curframe];
}

static inline struct bh_reg *cur_regs(struct bh_venv *v)
{
	return cur_frame(v)->regs;
}

/* Pruning: 1 pruned, 0 go on, <0 error (infinite loop, ENOMEM). */
int bh_is_state_visited(struct bh_venv *v, uint32_t insn_idx);
int bh_update_branch_counts(struct bh_venv *v, struct bh_vstate *st);
/* frees what st owns (frames, history), not st itself */
void bh_state_release(struct bh_vstate *st);
void bh_free_explored(struct bh_venv *v);

/* ---- register constructors and predicates (regs.c) ---- */
void mark_reg_not_init(struct bh_reg *r);
void mark_reg_unknown(struct bh_reg *r);
void mark_reg_known(struct bh_reg *r, uint64_t value);
/* A pointer of type t with offset 0, var_off 0. */
void mark_reg_ptr(struct bh_reg *r, uint8_t type, uint32_t flags);
bool is_pointer(const struct bh_reg *r);
bool is_reg_const(const struct bh_reg *r, uint64_t *val);
uint32_t bh_new_id(struct bh_venv *v);
const char *bh_reg_type_str(const struct bh_venv *v, const struct bh_reg *r,
			    char *buf, size_t size);
const char *bh_reg_btf_name(const struct bh_venv *v, const struct bh_reg *r);
/* The BTF a PTR_TO_BTF_ID's btf_src names: a host source, or the
 * program's own BTF (BH_BTF_SRC_PROG, program-allocated objects). */
const struct btf *bh_src_btf(const struct bh_venv *v, uint32_t src);
/* check_reg_arg: a read of regno must be initialised. */
int check_reg_read(struct bh_venv *v, uint32_t regno);
/* A write target: R10 is read-only. */
int check_reg_write(struct bh_venv *v, uint32_t regno);
/* Log bookkeeping: which registers/slots the current insn touched. */
void mark_reg_scratched(struct bh_venv *v, uint32_t regno);
void mark_stack_scratched(struct bh_venv *v, uint32_t spi);

/* ---- per-construct checks ---- */
int check_alu_op(struct bh_venv *v, const struct bh_insn *insn);
int check_ld_imm64(struct bh_venv *v, const struct bh_insn *insn);
int check_load(struct bh_venv *v, const struct bh_insn *insn);
int check_store(struct bh_venv *v, const struct bh_insn *insn);
int check_atomic(struct bh_venv *v, const struct bh_insn *insn);
/* Memory of size bytes at reg+off accessed by a helper/kfunc argument. */
/* __check_ptr_off_reg(): a pointer argument or base at its object's
 * start (a fixed offset only when fixed_off_ok), constant, not negative;
 * the kernel's messages with the register's type. */
int bh_check_ptr_off(struct bh_venv *v, uint32_t regno, bool fixed_off_ok);
int check_helper_mem_access(struct bh_venv *v, uint32_t regno, int32_t off,
			    uint64_t size, bool write, bool zero_ok);
int check_mem_access(struct bh_venv *v, uint32_t regno, int32_t off, int size,
		     bool write, int value_regno, bool sign_ext);
/* Stack pieces used by mem.c and calls.c */
int check_stack_access(struct bh_venv *v, const struct bh_reg *reg, int32_t off,
		       int size, bool write, int value_regno, bool sign_ext,
		       uint32_t regno);
int check_stack_range(struct bh_venv *v, const struct bh_reg *reg, int32_t off,
		      uint64_t size, bool write, uint32_t regno);
void grow_stack(struct bh_venv *v, struct bh_func_state *f, int32_t lowest);

/* jmp.c: 0 continue, or <0; *next set to the successor to follow */
int check_cond_jmp_op(struct bh_venv *v, const struct bh_insn *insn,
		      uint32_t *next);
int process_may_goto(struct bh_venv *v, const struct bh_insn *insn,
		     uint32_t *next);
/* Mark every copy (same id, all frames, spills) of a maybe-null pointer. */
void mark_ptr_or_null_regs(struct bh_venv *v, struct bh_vstate *st, uint32_t id,
			   bool is_null);

/* calls.c */
int check_loop_callback(struct bh_venv *v);
/* push_callback_call(): queue a state entering static subprogram s from
 * the current call insn (a callback frame whose exit returns to that
 * insn, r1-r5 uninitialised for the caller to set up in *callee); the
 * current path goes on as if the callback never ran. */
int bh_push_callback(struct bh_venv *v, uint32_t s,
		     struct bh_func_state **callee);
int check_call(struct bh_venv *v, const struct bh_insn *insn, uint32_t *next);
/* exit: 1 = path done, 0 = returned to the caller (*next set), <0 error */
int check_exit(struct bh_venv *v, uint32_t *next);
int check_reference_leak(struct bh_venv *v);
int release_reference(struct bh_venv *v, uint32_t ref_obj_id);

/* explore.c */
int bh_push_stack(struct bh_venv *v, uint32_t insn_idx, uint32_t prev_idx,
		  struct bh_vstate **out);
/* Queue a fresh state (an async callback's, owned by the stack from
 * here on) to be explored from insn_idx. */
int bh_push_async(struct bh_venv *v, struct bh_vstate *st, uint32_t insn_idx,
		  uint32_t prev_idx);

int bh_do_check(struct bh_venv *v, struct bh_vstate *start);

/* verifier.c */
uint32_t bh_subprog_of(const struct bh_venv *v, uint32_t insn_idx);
const char *bh_subprog_name(const struct bh_venv *v, uint32_t subprogno);
/* liveness (live.c) */
int bh_compute_live_regs(struct bh_venv *v);
/* live.c: stack-slot liveness, gathered while exploring (the kernel's
 * liveness.c).  Reads and whole-slot writes of stack bytes [lo, hi) of
 * frame frameno by the current insn; the commit after each insn; the
 * slots of frame frameno of checkpoint st that may still be read. */
void bh_stack_mark_read(struct bh_venv *v, uint32_t frameno, int64_t lo,
			int64_t hi);
void bh_stack_mark_write(struct bh_venv *v, uint32_t frameno, int64_t lo,
			 int size);
void bh_stack_commit_writes(struct bh_venv *v, uint32_t idx);
void bh_stack_live_update(struct bh_venv *v);
uint64_t bh_stack_live_mask(const struct bh_venv *v, const struct bh_vstate *st,
			    uint32_t frameno);
/* helpers.c: registers a helper (id) reads (its prototype's arguments),
 * used by liveness too; the call itself. */
int bh_helper_nargs(int32_t id);
int check_helper_call(struct bh_venv *v, const struct bh_insn *in);
/* check_reg_const_str: regno points to a NUL-terminated string in a
 * frozen read-only map at a constant offset (str, len: may be NULL). */
int check_const_str(struct bh_venv *v, uint32_t regno, const char **str,
		    uint32_t *len);

/* precision.c (VERIFIER-CORE §7.2): the scalar in regno of the current
 * frame, or the spilled one at (frameno, spi), matters exactly; walk the
 * path back and mark every scalar it was computed from precise. */
int mark_chain_precision(struct bh_venv *v, uint32_t regno);
int mark_stack_slot_precision(struct bh_venv *v, uint32_t frameno,
			      uint32_t spi);
/* Record the current insn in the path's jump history (explore.c calls it
 * for jumps taken non-linearly and for stack accesses). */
int bh_push_jmp_history(struct bh_venv *v, struct bh_vstate *st, uint32_t idx,
			uint32_t prev_idx, uint32_t flags);
/* Jump-history flags: a stack access (frame, slot; REG = it spilled or
 * filled a register, which backtracking follows; VAR = variable offset)
 * and linked registers recorded at a conditional jump (linked_regs: bit
 * frame * 10 + reg; OVF = some linked copy could not be recorded). */
#define BH_HIST_STACK (1u << 0)
#define BH_HIST_FRAME(f) (((f) >> 1) & 7u)
#define BH_HIST_SPI(f) (((f) >> 4) & 63u)
#define BH_HIST_MK_SLOT(fr, spi) \
	(((uint32_t)(fr)&7u) << 1 | ((uint32_t)(spi)&63u) << 4)
#define BH_HIST_STACK_REG (1u << 10)
#define BH_HIST_STACK_VAR (1u << 11)
#define BH_HIST_LINKED (1u << 12)
#define BH_HIST_LINKED_OVF (1u << 13)
/* Whether arriving at idx (from v->prev_insn_idx) goes into the jump
 * history: at every jump point, as the kernel records it, so that a
 * segment's first insn is never mistaken for a later return to it, and
 * at any arrival other than by falling through. */
static inline bool bh_hist_needed(const struct bh_venv *v, uint32_t idx)
{
	return v->aux[idx].jmp_point ||
	       (v->prev_insn_idx != UINT32_MAX && idx != v->prev_insn_idx + 1);
}
int bh_hist_set_linked(struct bh_venv *v, uint32_t idx, uint64_t linked,
		       const uint16_t *slots, uint8_t slot_cnt, bool overflow);
/* The fallback: every scalar of every ancestor checkpoint of st. */
void bh_mark_all_scalars_precise(struct bh_venv *v, const struct bh_vstate *st);
/* A new checkpoint starts imprecise. */
void bh_mark_all_scalars_imprecise(struct bh_vstate *st);
/* After a pruning hit: what old needed precise, the path of st (the
 * pruned state) needs too; *changed when some mark is new.  live: per
 * frame, the old state's stack slots that count (NULL: all of them). */
int bh_propagate_precision(struct bh_venv *v, const struct bh_vstate *old,
			   const struct bh_vstate *st, const uint64_t *live,
			   bool *changed);

/* The id a BTF type id names past typedefs and modifiers; an id naming
 * no type when the chain is broken or too deep. */
static inline uint32_t bh_vskip_mods(const struct btf *b, uint32_t id)
{
	uint32_t r;

	return bh_btf_skip_mods(b, id, &r) ? r : UINT32_MAX;
}

/* scc.c: loops whose precision marks are not final yet */
int bh_compute_scc(struct bh_venv *v);
int bh_scc_enter(struct bh_venv *v, const struct bh_vstate *st);
int bh_scc_exit(struct bh_venv *v, const struct bh_vstate *st);
bool bh_scc_incomplete(struct bh_venv *v, const struct bh_vstate *st);
int bh_scc_add_backedge(struct bh_venv *v, const struct bh_vstate *equal,
			const struct bh_vstate *cur);
void bh_scc_free(struct bh_venv *v);

/* calls.c, shared with kfuncs.c */
void clobber_caller_saved(struct bh_venv *v);
void reg_type_name(struct bh_venv *v, uint32_t regno, char *buf, size_t size);
int acquire_reference(struct bh_venv *v, uint32_t *id);
int check_const_size(struct bh_venv *v, uint32_t regno, bool zero_ok,
		     uint64_t *size);
/* fields.c: special fields of program-BTF structs (the btf_record) */
enum bh_field_type {
	BH_FIELD_NONE = 0,
	BH_FIELD_KPTR_UNREF,
	BH_FIELD_KPTR_REF,
	BH_FIELD_KPTR_PERCPU,
	BH_FIELD_UPTR,
	BH_FIELD_REFCOUNT,
	BH_FIELD_SPIN_LOCK,
	BH_FIELD_RES_SPIN_LOCK,
	BH_FIELD_TIMER,
	BH_FIELD_WQ,
	BH_FIELD_LIST_HEAD,
	BH_FIELD_LIST_NODE,
	BH_FIELD_RB_ROOT,
	BH_FIELD_RB_NODE,
	BH_FIELD_OTHER,
};

struct bh_field {
	enum bh_field_type type;
	uint32_t off, size;
	uint32_t kptr_type_id; /* kptrs: the pointee struct, same BTF */
};

/* The first special field of struct id overlapping bytes [lo, hi): 1 with
 * *f filled, or 0. */
int bh_find_field(const struct btf *b, uint32_t id, int64_t lo, int64_t hi,
		  struct bh_field *f);
const char *bh_field_name(enum bh_field_type type);
/* async.c: bpf_timer (and bpf_wq) fields and async callbacks */
/* check_map_field_pointer(): regno points at struct type's field of a map
 * value with BTF, at a constant offset; *map_idx its map. */
int bh_check_map_field_ptr(struct bh_venv *v, uint32_t regno,
			   enum bh_field_type type, uint32_t *map_idx);
/* push_async_cb() + set_timer_callback_state(): subprog s verified later
 * in a state of its own, as callback(map, key, value) of map map_idx,
 * returning 0. */
int bh_push_async_callback(struct bh_venv *v, uint32_t s, uint32_t map_idx,
			   bool sleepable);
/* The struct bpf_spin_lock of struct id (anywhere in it): true, *f set. */
bool bh_find_spin_lock(const struct btf *b, uint32_t id, struct bh_field *f);
/* The first field of the given type in struct id (anywhere in it):
 * true, *f set. */
bool bh_find_field_of(const struct btf *b, uint32_t id,
			enum bh_field_type type, struct bh_field *f);
/* What a lock taken through r belongs to (active_lock_ptr): 1 + the map
 * index of a map value, the BTF id | 1 << 31 of a program object, 0 for
 * anything else; *type_id the struct its special fields are in. */
uint32_t bh_reg_lock_owner(const struct bh_venv *v, const struct bh_reg *r,
			   uint32_t *type_id);
/* reg_may_point_to_spin_lock(): r points into a struct with a lock (a
 * bpf_spin_lock or a bpf_res_spin_lock). */
bool bh_reg_has_spin_lock(const struct bh_venv *v, const struct bh_reg *r);
/* The node kind of a graph root kind (bpf_list_node for bpf_list_head,
 * bpf_rb_node for bpf_rb_root), BH_FIELD_NONE for anything else. */
enum bh_field_type bh_graph_node_of(enum bh_field_type root);
/*
 * The graph root (root: BH_FIELD_LIST_HEAD or BH_FIELD_RB_ROOT) at byte
 * off of struct id (a top-level member) or of global data DATASEC id (a
 * variable), with its "contains:<struct>:<member>" decl tag: the struct's
 * id and its member's offset (a node of the root's kind).  0; -ENOENT: no
 * such root there; -EINVAL: no usable tag.
 */
int bh_graph_root_at(const struct btf *b, uint32_t id, uint32_t off,
		     enum bh_field_type root, uint32_t *value_id,
		     uint32_t *node_off);
/* How many fields of this type struct id holds (nested too). */
int bh_count_fields(const struct btf *b, uint32_t id, enum bh_field_type type);
/* locks.c: bpf_spin_lock and bpf_res_spin_lock held (§7.4) */
enum {
	BH_LOCK_TAKE = 1u << 0, /* a lock, else an unlock */
	BH_LOCK_RES = 1u << 1,	/* bpf_res_spin_lock, else bpf_spin_lock */
	BH_LOCK_IRQ = 1u << 2,	/* the _irqsave / _irqrestore kfunc */
};
/* process_spin_lock(): the lock argument in regno, a map value or
 * program object pointer (the caller checked the type). */
int bh_process_spin_lock(struct bh_venv *v, uint32_t regno, unsigned int flags);
/* find_lock_state(): the lock reference of one of types taken through
 * pointer id of ptr (bh_reg_lock_owner()), or NULL. */
const struct bh_ref *bh_find_lock_state(const struct bh_vstate *st,
					uint32_t types, uint32_t id,
					uint32_t ptr);
bool bh_find_lock_state_any(const struct bh_vstate *st, uint32_t types);
/* A call the kernel allows inside a bpf_spin_lock-ed region. */
bool bh_kfunc_spin_allowed(struct bh_venv *v, const struct bh_insn *in);
/* A bpf_rbtree_add_impl call (it calls its less callback synchronously). */
bool bh_is_rbtree_add_insn(const struct bh_venv *v, const struct bh_insn *in);
/* in_rbtree_lock_required_cb(): verifying a less callback of rbtree add */
bool bh_in_rbtree_cb(const struct bh_venv *v);
/* bpf_spin_unlock: non-owning references die (invalidate_non_owning_refs) */
void bh_invalidate_non_owning_refs(struct bh_venv *v);

/* Where a kptr field's pointee lives: a host struct of the same name (the
 * kernel looks in vmlinux and modules first) or the program's own. */
struct bh_kptr_type {
	bool local;    /* a program-allocated (bpf_obj_new) type */
	bool rcu_safe; /* loads in an RCU section give RCU pointers */
	uint32_t src;  /* bh_reg.btf_src: a host source or BH_BTF_SRC_PROG */
	uint32_t id;
};

int bh_kptr_type(struct bh_venv *v, const struct bh_field *f,
		 struct bh_kptr_type *kt);
/* A store of regno into a kptr field (map_kptr_match_type). */
int check_kptr_store(struct bh_venv *v, const struct bh_field *f,
		     const struct bh_kptr_type *kt, uint32_t regno);
/* btf_struct_ids_match(): (asrc, aid) at off is (bsrc, bid), or, unless
 * strict, has it as a first member (recursively). */
bool bh_struct_ids_match(struct bh_venv *v, uint32_t asrc, uint32_t aid,
			 int32_t off, uint32_t bsrc, uint32_t bid, bool strict);

/* kfuncs.c */
int check_kfunc_call(struct bh_venv *v, const struct bh_insn *in);
/* A call of a KF_ITER_NEXT kfunc: a forced checkpoint (check_cfg) and the
 * place where iterator loops converge (is_state_visited). */
/* The kfunc a call insn names, as offered to this program's hook (its
 * own or every hook's); NULL for another insn or kfunc. */
const struct bh_kfunc *bh_insn_kfunc(const struct bh_venv *v,
				     const struct bh_insn *in);
bool is_iter_next_kfunc_insn(const struct bh_venv *v, const struct bh_insn *in);
/* At the main program's exit (and tail call / throw): an open RCU read
 * section is an error, after the reference-leak check (kernel order):
 * "%s cannot be used inside bpf_rcu_read_lock-ed region". */
int check_rcu_section_exit(struct bh_venv *v, const char *prefix);

/* exception.c: bpf_throw and the exception callback */
bool is_bpf_throw_insn(const struct bh_venv *v, const struct bh_insn *in);
/* The exception callback's first insn from the main program's
 * `exception_callback:` decl tag (0: none), or a rejection. */
int find_exception_cb(struct bh_venv *v, long *insn_off);
/* Its prototype: int cb(u64), checked after the global-function ones. */
int check_exception_cb_proto(struct bh_venv *v, uint32_t s);
/* Before a bpf_throw call's argument checks are done with R1: without an
 * exception callback the cookie is the program's return value. */
int check_throw_cookie(struct bh_venv *v);
/* After a bpf_throw call: the resource checks of an exit from any frame;
 * 1 (the path ends) or a rejection. */
int process_throw(struct bh_venv *v);
/* Before exploration: which subprograms may throw (their own bpf_throw or
 * a callee's). */
/* calls.c: a per-subprogram flag (the bool at prop_off in struct
 * bh_subprog) set for every subprogram with an insn is_seed() accepts,
 * and for its callers, transitively (might_sleep, might_throw). */
void bh_mark_subprogs_calling(struct bh_venv *v,
			      bool (*is_seed)(const struct bh_venv *,
					      const struct bh_insn *),
			      size_t prop_off);
void mark_subprogs_might_throw(struct bh_venv *v);
/* A call of global subprogno that may throw: the throw's resource checks
 * at the call site (bpfhost is stricter than Linux 6.18 here). */
int check_global_call_throw(struct bh_venv *v, uint32_t subprogno);
/* calls.c: check_return_code for R0 at an exit or R1 at a throw */
int check_return_code(struct bh_venv *v, uint32_t regno, bool is_subprog);

/* irq.c: IRQ-disabled and preemption-disabled sections */
struct bh_kfunc;
/* Before exploration: which subprograms may sleep (check_cfg's part). */
int mark_subprogs_might_sleep(struct bh_venv *v);
/* A call of global subprogno where the program may not sleep. */
int check_global_call_sleep(struct bh_venv *v, uint32_t subprogno);
/* An __irq_flag argument (arg argno) of bpf_local_irq_save/restore. */
int process_irq_flag_arg(struct bh_venv *v, const struct bh_kfunc *k,
			 int argno);
/* After the arguments: preempt counter, sleepable kfuncs inside. */
int process_preempt_irq(struct bh_venv *v, const struct bh_kfunc *k,
			bool sleepable);
/* At the main program's exit: irq is checked before RCU, preemption
 * after (kernel order). */
int check_irq_section_exit(struct bh_venv *v, const char *prefix);
int check_preempt_section_exit(struct bh_venv *v, const char *prefix);
/* stack.c: the one slot of an irq flag (as iter_get_spi). */
int irq_flag_get_spi(struct bh_venv *v, const struct bh_reg *reg);

/* stack.c: iterator slots (KFUNC-SEMANTICS §6.1).  spi is the first
 * (highest-address) slot; the iterator spans spi, spi-1, ... */
int iter_get_spi(struct bh_venv *v, const struct bh_reg *reg, int nr_slots);
bool is_iter_reg_valid_uninit(struct bh_venv *v, const struct bh_reg *reg,
			      int nr_slots);
/* 0, -EINVAL (not an initialised iterator of that type) or -EPROTO
 * (created outside an RCU section) */
int is_iter_reg_valid_init(struct bh_venv *v, const struct bh_reg *reg,
			   uint32_t btf_src, uint32_t btf_id, int nr_slots);
void mark_stack_slots_iter(struct bh_venv *v, const struct bh_reg *reg, int spi,
			   int nr_slots, uint32_t btf_src, uint32_t btf_id,
			   uint32_t ref_id, uint32_t flags);
void unmark_stack_slots_iter(struct bh_venv *v, const struct bh_reg *reg,
			     int spi, int nr_slots);

/* stack.c: dynptr slots (KFUNC-SEMANTICS §2, §5): two slots, spi the
 * first (higher-address) one. */
struct bh_dynptr_info {
	uint32_t id;  /* the dynptr's id (slices carry it as dynptr_id) */
	uint8_t type; /* enum bh_dynptr_type */
	uint32_t ref_obj_id; /* a ring buffer record's reference, else 0 */
};
int dynptr_get_spi(struct bh_venv *v, const struct bh_reg *reg);
bool is_dynptr_reg_valid_uninit(struct bh_venv *v, const struct bh_reg *reg);
bool is_dynptr_reg_valid_init(struct bh_venv *v, const struct bh_reg *reg);
const struct bh_stack_slot *dynptr_slot(struct bh_venv *v,
					const struct bh_reg *reg);
/* process_dynptr_func for a dynptr argument in regno (a stack pointer):
 * uninit: a constructor's (slots written, then a dynptr of type made,
 * holding reference ref, or a new one for a ring buffer record when ref
 * is 0); else an initialised dynptr, described in *out (may be NULL). */
int process_dynptr_func(struct bh_venv *v, uint32_t regno, bool uninit,
			uint8_t type, uint32_t ref, struct bh_dynptr_info *out);
/* Released reference ref: the dynptrs holding it (a record and its
 * clones) are gone, and their slices with them. */
void bh_invalidate_dynptr_ref(struct bh_venv *v, uint32_t ref);

/* states.c: loops of open-coded iterators */
/* The checkpoint of the previous visit of idx on the current path (not
 * the one just made for this visit), same call sites; NULL if none. */
struct bh_vstate *bh_find_prev_entry(struct bh_venv *v, uint32_t idx);
/* Imprecise scalars of cur (registers and spills) that differ from old
 * become unknown (widen_imprecise_scalars). */
void widen_imprecise_scalars(const struct bh_vstate *old,
			     struct bh_vstate *cur);

#endif
