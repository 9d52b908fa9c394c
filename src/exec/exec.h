/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Execution: the pre-decoded interpreter and the helper functions.
 *
 * A program image (kernel-form instructions, as the loader/linker leave
 * them) is decoded once into a bh_code: every slot becomes a dispatch
 * address plus operands, jump targets become absolute indexes, ld_imm64
 * pseudo forms become their final 64-bit value, and helper/kfunc calls
 * become function pointers.  Running never re-checks what the verifier
 * proved; decoding fails only on what cannot be resolved.
 *
 * Helpers and kfuncs share one calling convention (bh_fn): five u64
 * arguments in, one u64 out, so either engine can call them directly.
 * A helper that takes a callback (bpf_loop) calls back into the running
 * program with bh_callback_call().
 */
#ifndef BPFHOST_EXEC_H
#define BPFHOST_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "insn/insn.h"

typedef uint64_t (*bh_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			  uint64_t r5);

#define BH_MAX_CALL_FRAMES 8
#define BH_STACK_SIZE 512 /* bytes per frame */
#define BH_MAX_HELPER_ID 256

/*
 * How a kfunc is called.  The SysV ABI leaves the bits of a narrow integer
 * above its width undefined (in arguments past 32 bits, in return values
 * past the type's size), so each argument and the return value carry the
 * extension their BTF type asks for (enum bh_ext: BH_EXT_NONE passes the
 * 64-bit register as is).  An argument
 * marked in inject_mask is not taken from its register: the interpreter
 * passes its inject_val instead (the calling program's handle for __prog,
 * an object kfunc's type record and node offset: the kernel's fixups).
 * When every ext is 0 (or the return's BH_EXT_VOID) and inject_mask is 0
 * the call is one indirect call, like a helper's.
 */
enum bh_ext {
	BH_EXT_NONE = 0, /* 64-bit value or pointer */
	BH_EXT_BOOL,	 /* 0 or 1 */
	BH_EXT_U8,
	BH_EXT_S8,
	BH_EXT_U16,
	BH_EXT_S16,
	BH_EXT_U32,
	BH_EXT_S32,
	BH_EXT_VOID, /* return only: r0 is left unknown */
};

struct bh_kcall {
	bh_fn fn;
	uint8_t arg_ext[5];
	uint8_t ret_ext;
	uint8_t inject_mask;
	uint64_t inject_val[5];
};

/* How the decoder resolves what the instructions refer to. */
struct bh_resolve {
	void *ctx;
	/* Value of the ld_imm64 at insns[idx] (two slots) whose src_reg is a
	 * pseudo form (1..6) other than BH_PSEUDO_FUNC, which the decoder
	 * resolves itself; 0 or -errno with a message in err. */
	int (*ldimm64)(void *ctx, const struct bh_insn *insns, size_t idx,
		       uint64_t *val, char *err, size_t errsz);
	/* Helper implementation for id, NULL when the runtime has none. */
	bh_fn (*helper)(void *ctx, int32_t id);
	/* Kfunc for the BPF_PSEUDO_KFUNC_CALL at insns[idx] (imm = btf id,
	 * off = btf index): 0 with *out filled, or -errno with a message in
	 * err; per call site, so that a hidden argument (an object kfunc's
	 * type record) can differ between calls of one kfunc.
	 * out->fn NULL is an absent __weak kfunc: decoded, and a run that
	 * reaches it stops with BH_RUN_NO_KFUNC. */
	int (*kfunc)(void *ctx, size_t idx, int32_t imm, int16_t off,
		     struct bh_kcall *out, char *err, size_t errsz);
	/* Per instruction, or NULL: non-zero makes the load at that index a
	 * probe load (the verifier's BH_AUX_PROBE_MEM), which reads 0 from
	 * a bad address instead of faulting. */
	const uint8_t *probe;
	/* Per instruction, or NULL: non-zero marks an instruction no path
	 * reaches; it is not decoded and traps if ever dispatched to. */
	const uint8_t *dead;
};

/* ---- probe loads (src/exec/probe.c) ---- */

/* Install the fault handler probe loads need (once per process). */
void bh_probe_init(void);
/* Loads that read 0 instead of faulting on a bad address. */
uint64_t bh_probe_ld8(const void *addr);
uint64_t bh_probe_ld16(const void *addr);
uint64_t bh_probe_ld32(const void *addr);
uint64_t bh_probe_ld64(const void *addr);

struct bh_code;

/*
 * Decode insns[0..cnt) (already checked by bh_insns_check) for the
 * interpreter.  res may be NULL when the program has no pseudo ld_imm64,
 * helper or kfunc references (the conformance tests), in which case the
 * built-in helper table is used.  Returns 0 or -errno with a message
 * naming the instruction in err.
 */
int bh_code_new(const struct bh_insn *insns, size_t cnt,
		const struct bh_resolve *res, struct bh_code **out, char *err,
		size_t errsz);
void bh_code_free(struct bh_code *code);

/* Why a run stopped early (only unverified programs can hit these). */
enum bh_run_fault {
	BH_RUN_OK = 0,
	BH_RUN_CALL_DEPTH,   /* more than BH_MAX_CALL_FRAMES nested calls */
	BH_RUN_BAD_CALLX,    /* callx to an id with no helper */
	BH_RUN_INSN_LIMIT,   /* ran past the caller's instruction budget */
	BH_RUN_BAD_SLOT,     /* fell off the end, or into an ld_imm64's
			      * second slot */
	BH_RUN_BAD_CALLBACK, /* a helper was given a callback that is not
			      * one of the running program's slots */
	BH_RUN_NO_KFUNC,     /* called an absent __weak kfunc */
	BH_RUN_THROWN,	     /* bpf_throw from the exception callback (a
			      * throw elsewhere ends the run normally) */
};

struct bh_run_opts {
	/* 0 = unlimited (verified programs).  Counted in instruction slots
	 * and checked at each taken jump, call and exit, so a run stops at
	 * the first control transfer past the budget. */
	uint64_t insn_limit;
};

/*
 * Run from slot 0 with r1, r2 as given, r10 at the top of a fresh
 * zeroed 512-byte frame.  Re-entrant and thread-safe: all run state is on
 * the caller's stack (a thread-local pointer to it lets helpers call
 * back, and is restored on return, so a helper may run another program).
 * Returns BH_RUN_OK and r0, or a fault code.
 */
int bh_code_run(const struct bh_code *code, uint64_t r1, uint64_t r2,
		const struct bh_run_opts *opts, uint64_t *r0);

/*
 * From a helper or kfunc called by the program running on this thread,
 * call the program's callback cb (the value of an ld_imm64 with src_reg
 * BH_PSEUDO_FUNC) as a nested BPF call: r1..r5 as given, a fresh frame
 * counted against BH_MAX_CALL_FRAMES, the caller's registers untouched,
 * instructions charged to the run's budget.  Returns BH_RUN_OK and r0, or
 * a fault code, which is then also the run's: the helper should return
 * at once (its return value is never seen) and the run stops as soon as
 * it does.  Every later call returns the same fault.
 */
int bh_callback_call(uint64_t cb, uint64_t r1, uint64_t r2, uint64_t r3,
		     uint64_t r4, uint64_t r5, uint64_t *r0);

/* The code of the program running on this thread, or NULL. */
const struct bh_code *bh_code_current(void);
/*
 * Run code's callback cb (an ld_imm64 BH_PSEUDO_FUNC value of code) as a
 * program of its own, from a fresh first frame with r1..r3 as given: an
 * async callback (a bpf_timer's), outside any run.  BH_RUN_OK and r0, or
 * a fault code (BH_RUN_BAD_CALLBACK: cb is not one of code's slots).
 */
int bh_code_run_callback(const struct bh_code *code, uint64_t cb, uint64_t r1,
			 uint64_t r2, uint64_t r3, uint64_t *r0);

/*
 * BPF exceptions: the slot where the exception callback starts (the
 * loader appends it; 0, the default, means none).
 */
void bh_code_set_exception_cb(struct bh_code *code, size_t idx);
/*
 * bpf_throw's body: unwind every frame of the program running on this
 * thread (it stops as a fault would, as soon as the kfunc returns), then
 * bh_code_run() returns the cookie, or runs the exception callback with
 * it and returns its r0.  Outside a run it does nothing.
 */
void bh_exec_throw(uint64_t cookie);
/*
 * From a helper or kfunc: the BPF call stack of the program running on
 * this thread, innermost first, as the instruction index of each frame's
 * call (the helper's or kfunc's, then the calls of the frames below, a
 * callback's being the helper that called it); at most max, and the
 * count (0 when no program runs).
 */
int bh_exec_call_stack(uint32_t *idx, int max);
/* A run stopped (a fault, the instruction limit) inside a bpf_spin_lock
 * region: release the lock its thread holds, so no other run waits on it
 * forever. */
void bh_spin_lock_abandon(void);

/* ---- helpers (src/exec/helpers.c) ---- */

/* Where bpf_trace_printk output goes; set for the duration of a run by
 * the runtime (thread-local), stderr when unset. */
typedef void (*bh_print_fn)(void *ctx, const char *msg);
struct bh_async_exec;
struct bh_run_env {
	bh_print_fn print;
	void *print_ctx;
	/* where the program's timers run (src/stdlib/timer.c); NULL: the
	 * timer helpers fail with -EOPNOTSUPP */
	struct bh_async_exec *async;
};
/* The calling thread's environment (NULL outside a run). */
const struct bh_run_env *bh_run_env_get(void);
/* Set the calling thread's environment, returning the previous one. */
const struct bh_run_env *bh_run_env_set(const struct bh_run_env *env);

/*
 * bpf_trace_printk's formatting alone: format fmt (fmt_size bytes, the
 * last one NUL) with args into buf.  Returns the message length or
 * -EINVAL for a format the kernel would reject.
 */
int bh_trace_printk_fmt(char *buf, size_t bufsz, const char *fmt,
			uint32_t fmt_size, const uint64_t args[3]);

/* The BPF stream kfunc's formatting and output (stream 1 stdout, 2
 * stderr, or the run's print callback): 0 or -errno. */
int bh_stream_vprintk(int stream_id, const char *fmt, const void *args,
		      uint32_t len);
/* Text as it is to stream 1 or 2 (the same way), else -ENOENT. */
int bh_stream_write(int stream_id, const char *text);

struct bh_helper_info {
	int32_t id; /* Linux helper id (enum bpf_func_id) */
	const char *name;
	bh_fn fn;
};
/* The helper with Linux id, or NULL. */
const struct bh_helper_info *bh_helper_by_id(int32_t id);

#endif
