// SPDX-License-Identifier: BSD-2-Clause
/*
 * The pre-decoded interpreter.
 *
 * bh_code_new() turns kernel-form instructions into one bh_slot per
 * instruction slot: the address of the label that implements the form (so
 * dispatch is a single indirect jump), register indexes, the operand
 * already widened or resolved, and jump/call targets as absolute offsets.
 * Everything that can be decided before running is decided there, so the
 * dispatch loop does no decoding and no bounds checks.
 *
 * Kfunc calls whose arguments and result need no extension decode to the
 * plain helper call; only those that do pay for bh_kcall_ext().
 *
 * Callbacks (bpf_loop) are nested bh_interp() invocations on the same
 * struct bh_run: it holds the frames' stacks, so a callback takes the next
 * frame as a local call would, and the run's budget and fault, which the
 * loop publishes around each helper call (two stores and a load, the price
 * of letting any helper call back).
 *
 * Invariant: the run loop trusts the decoded program completely (the
 * verifier has proven memory safety and termination); the only checks left
 * at run time are the ones that an unverified program can trip without
 * touching memory it was not given: call depth, unknown callx ids, bad
 * callback handles and the optional instruction budget (falling off the
 * end lands on a sentinel slot, which costs nothing).  All run state lives
 * on bh_code_run()'s stack, found by callbacks through a thread-local
 * pointer, so one bh_code can run on any number of threads at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "maps/map.h"

typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint16_t u16;
typedef uint8_t u8;

/* Executions of may_goto that fall through per run (the kernel's
 * BPF_MAX_LOOPS); the next one takes the jump. */
#define BH_MAY_GOTO_BUDGET (8u * 1024 * 1024)

struct bh_slot {
	const void *label;
	union {
		u64 imm;  /* sign-extended imm, or the final ld_imm64 value */
		bh_fn fn; /* helper or kfunc of a call */
		const struct bh_kcall *kcall; /* kfunc needing extension */
	};
	/* jump or local-call target as a byte offset from slot 0, so a
	 * taken jump is one add */
	u32 target;
	int16_t off; /* memory offset */
	uint8_t dst;
	uint8_t src;
};

struct bh_code {
	size_t cnt;
	/* BH_MAX_HELPER_ID entries, only when the program has callx */
	bh_fn *callx;
	/* kfunc calls that take the slow path, pointed to by their slots */
	struct bh_kcall *kcalls;
	size_t nkcalls;
	/* the exception callback's first slot, 0 when the program has none
	 * (a throw then returns the cookie) */
	size_t exc_cb;
	/* cnt + 1 slots: the extra one catches falling off the end */
	struct bh_slot slots[];
};

struct bh_frame {
	const struct bh_slot *ret;
	u64 saved[4]; /* r6..r9 */
};

/* One run, shared by the nested bh_interp() calls of its callbacks. */
struct bh_run {
	const struct bh_code *code;
	/* Published by the loop around helper calls (the loop keeps its own
	 * copies in registers): the frame in use, and the budget left, which
	 * a callback spends and a fault sets negative. */
	int depth;
	s64 budget;
	/* the call insn of the helper or kfunc running (for the stack a
	 * kfunc may print), and of the helper that called a callback */
	const struct bh_slot *pc;
	int fault; /* the first fault, once the run is stopping */
	/* bpf_throw: the cookie, and the budget left when it was thrown */
	u64 cookie;
	s64 thrown_budget;
	struct bh_frame frames[BH_MAX_CALL_FRAMES];
	uint8_t stack[BH_MAX_CALL_FRAMES][BH_STACK_SIZE]
		__attribute__((aligned(16)));
};

/* Dispatch labels past the opcode list: the "bad slot" trap, then the
 * probe forms of the loads, which only the decoder selects. */
enum {
	BH_PROBE_LDXB = BH_OP__COUNT + 1,
	BH_PROBE_LDXH,
	BH_PROBE_LDXW,
	BH_PROBE_LDXDW,
	BH_PROBE_LDXSB,
	BH_PROBE_LDXSH,
	BH_PROBE_LDXSW,
	BH_LABELS,
};

/* The innermost run on this thread, for bh_callback_call(). */
static _Thread_local struct bh_run *bh_cur_run;

/* ---- decoding ---- */

static int bh_interp(struct bh_run *run, const struct bh_slot *entry, u64 r1,
		     u64 r2, u64 r3, u64 r4, u64 r5, u64 *r0,
		     const void *const **labels);

static int bh_decode_err(char *err, size_t errsz, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bh_decode_err(char *err, size_t errsz, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static bh_fn bh_resolve_helper(const struct bh_resolve *res, int32_t id)
{
	const struct bh_helper_info *h;

	if (res && res->helper) {
		bh_fn fn = res->helper(res->ctx, id);

		return fn;
	}
	h = bh_helper_by_id(id);
	return h ? h->fn : NULL;
}

static bool bh_target_ok(size_t cnt, size_t idx, s64 rel, u32 *target)
{
	s64 t = (s64)idx + 1 + rel;

	if (t < 0 || (u64)t >= cnt)
		return false;
	*target = (u32)t * (u32)sizeof(struct bh_slot);
	return true;
}

static int bh_run_fail(struct bh_run *run, int fault);

/* Stands in for an absent __weak kfunc; stops the run like a callback
 * fault, so the call slot stays the plain one. */
static u64 bh_kfunc_absent(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	bh_run_fail(bh_cur_run, BH_RUN_NO_KFUNC);
	return 0;
}

static bool bh_kcall_plain(const struct bh_kcall *kc)
{
	for (int i = 0; i < 5; i++)
		if (kc->arg_ext[i] != BH_EXT_NONE)
			return false;
	return !kc->inject_mask &&
	       (kc->ret_ext == BH_EXT_NONE || kc->ret_ext == BH_EXT_VOID);
}

/*
 * A kfunc call: the plain helper call when nothing needs extending or
 * injecting (the common case keeps the helper's speed), else the
 * BH_OP_CALL_KFUNC handler on a copy of the kcall owned by code.
 */
static int bh_decode_kfunc(struct bh_code *code, size_t i,
			   const struct bh_insn *in,
			   const struct bh_resolve *res,
			   const void *const *labels, struct bh_slot *s,
			   char *err, size_t errsz)
{
	struct bh_kcall kc = {0};
	int ret;

	if (!res || !res->kfunc)
		return bh_decode_err(err, errsz, -EINVAL,
				     "insn %zu: unresolved kfunc "
				     "(btf id %d, btf %d)",
				     i, in->imm, in->off);
	ret = res->kfunc(res->ctx, i, in->imm, in->off, &kc, err, errsz);
	if (ret)
		return ret;
	/* an absent __weak kfunc: the program must test bpf_ksym_exists()
	 * first, so the call is dead unless the program is unverified */
	if (!kc.fn) {
		s->label = labels[BH_OP_CALL];
		s->fn = bh_kfunc_absent;
		return 0;
	}
	for (int a = 0; a < 5; a++)
		if (kc.arg_ext[a] >= BH_EXT_VOID)
			return bh_decode_err(err, errsz, -EINVAL,
					     "insn %zu: kfunc argument %d has "
					     "extension %u",
					     i, a + 1, kc.arg_ext[a]);
	if (kc.ret_ext > BH_EXT_VOID || kc.inject_mask & ~0x1fu)
		return bh_decode_err(err, errsz, -EINVAL,
				     "insn %zu: kfunc return extension %u, "
				     "inject mask 0x%x",
				     i, kc.ret_ext, kc.inject_mask);
	if (bh_kcall_plain(&kc)) {
		s->label = labels[BH_OP_CALL];
		s->fn = kc.fn;
		return 0;
	}
	code->kcalls[code->nkcalls] = kc;
	s->kcall = &code->kcalls[code->nkcalls++];
	return 0;
}

/* The probe form of a load, or -1. */
static int bh_probe_label(enum bh_op op)
{
	switch (op) {
	case BH_OP_LDXB:
		return BH_PROBE_LDXB;
	case BH_OP_LDXH:
		return BH_PROBE_LDXH;
	case BH_OP_LDXW:
		return BH_PROBE_LDXW;
	case BH_OP_LDXDW:
		return BH_PROBE_LDXDW;
	case BH_OP_LDXSB:
		return BH_PROBE_LDXSB;
	case BH_OP_LDXSH:
		return BH_PROBE_LDXSH;
	case BH_OP_LDXSW:
		return BH_PROBE_LDXSW;
	default:
		return -1;
	}
}

/* Fill s from insns[i]; the ld_imm64 second slot is the caller's. */
static int bh_decode_slot(struct bh_code *code, const struct bh_insn *insns,
			  size_t i, const struct bh_resolve *res,
			  const void *const *labels, char *err, size_t errsz)
{
	const struct bh_insn *in = &insns[i];
	struct bh_slot *s = &code->slots[i];
	enum bh_op op = bh_op_of(in);
	u8 class = BH_CLASS(in->code);
	size_t cnt = code->cnt;
	u32 target;

	if (op == BH_OP_INVALID)
		return bh_decode_err(err, errsz, -EINVAL,
				     "insn %zu: unknown opcode 0x%02x", i,
				     in->code);
	s->label = labels[op];
	if (res && res->probe && res->probe[i]) {
		int p = bh_probe_label(op);

		if (p < 0)
			return bh_decode_err(
				err, errsz, -EINVAL,
				"insn %zu: only loads can be probe loads", i);
		s->label = labels[p];
		bh_probe_init();
	}
	s->dst = in->dst_reg;
	s->src = in->src_reg;
	s->off = in->off;
	s->imm = (u64)(s64)in->imm;

	switch (op) {
	case BH_OP_LDDW:
		if (i + 1 >= cnt)
			return bh_decode_err(err, errsz, -EINVAL,
					     "insn %zu: ld_imm64 without its "
					     "second slot",
					     i);
		if (in->src_reg == 0) {
			s->imm = (u64)(u32)in->imm | (u64)(u32)insns[i + 1].imm
							     << 32;
			return 0;
		}
		if (in->src_reg == BH_PSEUDO_FUNC) {
			/* the handle bh_callback_call() takes: the address
			 * of the subprogram's first slot, which it can check
			 * against the running code */
			if (!bh_target_ok(cnt, i, in->imm, &target))
				return bh_decode_err(
					err, errsz, -EINVAL,
					"insn %zu: callback target %+d out "
					"of range",
					i, in->imm);
			s->imm = (u64)(uintptr_t)((const char *)code->slots +
						  target);
			return 0;
		}
		if (!res || !res->ldimm64)
			return bh_decode_err(
				err, errsz, -EINVAL,
				"insn %zu: ld_imm64 pseudo form %u "
				"needs a resolver",
				i, in->src_reg);
		return res->ldimm64(res->ctx, insns, i, &s->imm, err, errsz);
	case BH_OP_CALL:
		s->fn = bh_resolve_helper(res, in->imm);
		if (!s->fn)
			return bh_decode_err(err, errsz, -EINVAL,
					     "insn %zu: unknown helper %d", i,
					     in->imm);
		return 0;
	case BH_OP_CALL_KFUNC:
		return bh_decode_kfunc(code, i, in, res, labels, s, err, errsz);
	case BH_OP_CALLX:
	case BH_OP_EXIT:
		return 0;
	case BH_OP_CALL_LOCAL:
	case BH_OP_JA32:
		/* these carry their offset in imm */
		if (!bh_target_ok(cnt, i, in->imm, &s->target))
			return bh_decode_err(
				err, errsz, -EINVAL,
				"insn %zu: target %+d out of range", i,
				in->imm);
		return 0;
	default:
		if ((class == BH_JMP || class == BH_JMP32) &&
		    !bh_target_ok(cnt, i, in->off, &s->target))
			return bh_decode_err(err, errsz, -EINVAL,
					     "insn %zu: jump offset %+d out of "
					     "range",
					     i, in->off);
		return 0;
	}
}

int bh_code_new(const struct bh_insn *insns, size_t cnt,
		const struct bh_resolve *res, struct bh_code **out, char *err,
		size_t errsz)
{
	const void *const *labels;
	struct bh_code *code;
	bool has_callx = false;
	size_t nkfunc = 0;
	int ret;

	*out = NULL;
	if (!cnt || cnt >= UINT32_MAX / sizeof(struct bh_slot))
		return bh_decode_err(err, errsz, -EINVAL,
				     "program has %zu instructions", cnt);
	bh_interp(NULL, NULL, 0, 0, 0, 0, 0, NULL, &labels);

	code = calloc(1, sizeof(*code) + (cnt + 1) * sizeof(code->slots[0]));
	if (!code)
		return bh_decode_err(err, errsz, -ENOMEM, "out of memory");
	code->cnt = cnt;
	/* an upper bound (ld_imm64 second slots may count), so the kcalls
	 * never move once slots point at them */
	for (size_t i = 0; i < cnt; i++)
		nkfunc += bh_op_of(&insns[i]) == BH_OP_CALL_KFUNC;
	if (nkfunc) {
		code->kcalls = calloc(nkfunc, sizeof(*code->kcalls));
		if (!code->kcalls) {
			ret = bh_decode_err(err, errsz, -ENOMEM,
					    "out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < cnt; i++) {
		if (res && res->dead && res->dead[i]) {
			code->slots[i].label = labels[BH_OP__COUNT];
			continue;
		}
		ret = bh_decode_slot(code, insns, i, res, labels, err, errsz);
		if (ret)
			goto fail;
		has_callx |= code->slots[i].label == labels[BH_OP_CALLX];
		/* an ld_imm64's second slot is never dispatched to */
		if (code->slots[i].label == labels[BH_OP_LDDW])
			code->slots[++i].label = labels[BH_OP__COUNT];
	}
	code->slots[cnt].label = labels[BH_OP__COUNT];

	if (has_callx) {
		code->callx = calloc(BH_MAX_HELPER_ID, sizeof(*code->callx));
		if (!code->callx) {
			ret = bh_decode_err(err, errsz, -ENOMEM,
					    "out of memory");
			goto fail;
		}
		for (int32_t id = 0; id < BH_MAX_HELPER_ID; id++)
			code->callx[id] = bh_resolve_helper(res, id);
	}
	*out = code;
	return 0;
fail:
	bh_code_free(code);
	return ret;
}

void bh_code_free(struct bh_code *code)
{
	if (!code)
		return;
	free(code->kcalls);
	free(code->callx);
	free(code);
}

/* A fresh run of code, from its first frame, with a budget in bytes of
 * slots (see bh_interp). */
static void bh_run_init(struct bh_run *run, const struct bh_code *code,
			s64 budget)
{
	run->code = code;
	run->depth = 0;
	run->pc = NULL;
	run->budget = budget;
	run->fault = BH_RUN_OK;
}

/* The slot a callback handle (an ld_imm64 BH_PSEUDO_FUNC value) names,
 * or NULL if it is not one of code's. */
static const struct bh_slot *bh_callback_slot(const struct bh_code *code,
					      uint64_t cb)
{
	uintptr_t off = (uintptr_t)cb - (uintptr_t)code->slots;

	if (off >= code->cnt * sizeof(struct bh_slot) ||
	    off % sizeof(struct bh_slot))
		return NULL;
	return (const struct bh_slot *)(uintptr_t)cb;
}

int bh_code_run(const struct bh_code *code, uint64_t r1, uint64_t r2,
		const struct bh_run_opts *opts, uint64_t *r0)
{
	/* Charged in bytes of slots (see bh_interp); "unlimited" is 2^63
	 * bytes, centuries at any speed. */
	const u64 max = INT64_MAX / sizeof(struct bh_slot);
	struct bh_run run, *prev = bh_cur_run;
	unsigned int cpu_pin = bh_cpu_pin();
	int ret;

	bh_run_init(&run, code,
		    opts && opts->insn_limit && opts->insn_limit < max
			    ? (s64)(opts->insn_limit * sizeof(struct bh_slot))
			    : INT64_MAX);
	bh_cur_run = &run;
	ret = bh_interp(&run, code->slots, r1, r2, 0, 0, 0, r0, NULL);
	if (ret == BH_RUN_THROWN) {
		/* every frame is gone: the program returns the cookie, or
		 * what the exception callback makes of it, run in a fresh
		 * first frame (a throw from it stays a fault) */
		*r0 = run.cookie;
		ret = BH_RUN_OK;
		if (code->exc_cb) {
			run.depth = 0;
			run.fault = BH_RUN_OK;
			run.budget = run.thrown_budget;
			ret = bh_interp(&run, code->slots + code->exc_cb,
					run.cookie, 0, 0, 0, 0, r0, NULL);
		}
	}
	bh_cur_run = prev;
	bh_cpu_unpin(cpu_pin);
	return ret;
}

void bh_code_set_exception_cb(struct bh_code *code, size_t idx)
{
	if (idx < code->cnt)
		code->exc_cb = idx;
}

/* Stop the run: the caller's loop sees the negative budget as soon as the
 * helper returns. */
static int bh_run_fail(struct bh_run *run, int fault)
{
	run->fault = fault;
	run->budget = -1;
	return fault;
}

void bh_exec_throw(uint64_t cookie)
{
	struct bh_run *run = bh_cur_run;

	if (!run || run->fault)
		return;
	run->cookie = cookie;
	run->thrown_budget = run->budget;
	bh_run_fail(run, BH_RUN_THROWN);
}

int bh_callback_call(uint64_t cb, uint64_t r1, uint64_t r2, uint64_t r3,
		     uint64_t r4, uint64_t r5, uint64_t *r0)
{
	struct bh_run *run = bh_cur_run;
	const struct bh_slot *site, *entry;
	int depth, ret;

	*r0 = 0;
	if (!run)
		return BH_RUN_BAD_CALLBACK;
	if (run->fault)
		return run->fault;
	entry = bh_callback_slot(run->code, cb);
	if (!entry)
		return bh_run_fail(run, BH_RUN_BAD_CALLBACK);
	depth = run->depth;
	if (depth >= BH_MAX_CALL_FRAMES - 1)
		return bh_run_fail(run, BH_RUN_CALL_DEPTH);
	/* the helper's call site, where a stack walk finds the caller */
	site = run->pc;
	run->frames[depth].ret = site ? site + 1 : NULL;
	run->depth = depth + 1;
	ret = bh_interp(run, entry, r1, r2, r3, r4, r5, r0, NULL);
	run->depth = depth;
	run->pc = site;
	return ret;
}

int bh_exec_call_stack(uint32_t *idx, int max)
{
	const struct bh_run *run = bh_cur_run;
	int n = 0;

	if (!run || !run->pc || max <= 0)
		return 0;
	idx[n++] = (uint32_t)(run->pc - run->code->slots);
	for (int d = run->depth - 1; d >= 0 && n < max; d--) {
		const struct bh_slot *ret = run->frames[d].ret;

		if (!ret || ret <= run->code->slots)
			break;
		idx[n++] = (uint32_t)(ret - 1 - run->code->slots);
	}
	return n;
}

const struct bh_code *bh_code_current(void)
{
	return bh_cur_run ? bh_cur_run->code : NULL;
}

int bh_code_run_callback(const struct bh_code *code, uint64_t cb, uint64_t r1,
			 uint64_t r2, uint64_t r3, uint64_t *r0)
{
	const struct bh_slot *entry = bh_callback_slot(code, cb);
	struct bh_run run, *prev = bh_cur_run;
	unsigned int cpu_pin;
	int ret;

	*r0 = 0;
	if (!entry)
		return BH_RUN_BAD_CALLBACK;
	cpu_pin = bh_cpu_pin();
	bh_run_init(&run, code, INT64_MAX);
	bh_cur_run = &run;
	ret = bh_interp(&run, entry, r1, r2, r3, 0, 0, r0, NULL);
	/* a throw unwinds the callback: it returns 0, as the kernel's */
	if (ret == BH_RUN_THROWN) {
		*r0 = 0;
		ret = BH_RUN_OK;
	}
	bh_cur_run = prev;
	bh_cpu_unpin(cpu_pin);
	return ret;
}

/* ---- running ---- */

static inline u64 bh_ld8(u64 a)
{
	uint8_t v;

	memcpy(&v, (const void *)(uintptr_t)a, 1);
	return v;
}

static inline u64 bh_ld16(u64 a)
{
	u16 v;

	memcpy(&v, (const void *)(uintptr_t)a, 2);
	return v;
}

static inline u64 bh_ld32(u64 a)
{
	u32 v;

	memcpy(&v, (const void *)(uintptr_t)a, 4);
	return v;
}

static inline u64 bh_ld64(u64 a)
{
	u64 v;

	memcpy(&v, (const void *)(uintptr_t)a, 8);
	return v;
}

static inline void bh_st8(u64 a, u64 v)
{
	uint8_t x = (uint8_t)v;

	memcpy((void *)(uintptr_t)a, &x, 1);
}

static inline void bh_st16(u64 a, u64 v)
{
	u16 x = (u16)v;

	memcpy((void *)(uintptr_t)a, &x, 2);
}

static inline void bh_st32(u64 a, u64 v)
{
	u32 x = (u32)v;

	memcpy((void *)(uintptr_t)a, &x, 4);
}

static inline void bh_st64(u64 a, u64 v)
{
	memcpy((void *)(uintptr_t)a, &v, 8);
}

/* Signed division and modulo as RFC 9669 defines them: x/0 = 0, x%0 = x,
 * INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0; C leaves the last two undefined. */
static inline u64 bh_sdiv64(u64 a, u64 b)
{
	if (!b)
		return 0;
	if (b == (u64)-1)
		return -a;
	return (u64)((s64)a / (s64)b);
}

static inline u64 bh_smod64(u64 a, u64 b)
{
	if (!b)
		return a;
	if (b == (u64)-1)
		return 0;
	return (u64)((s64)a % (s64)b);
}

static inline u32 bh_sdiv32(u32 a, u32 b)
{
	if (!b)
		return 0;
	if (b == (u32)-1)
		return -a;
	return (u32)((s32)a / (s32)b);
}

static inline u32 bh_smod32(u32 a, u32 b)
{
	if (!b)
		return a;
	if (b == (u32)-1)
		return 0;
	return (u32)((s32)a % (s32)b);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define bh_le16(x) ((u64)(u16)(x))
#define bh_le32(x) ((u64)(u32)(x))
#define bh_le64(x) ((u64)(x))
#define bh_be16(x) ((u64)__builtin_bswap16((u16)(x)))
#define bh_be32(x) ((u64)__builtin_bswap32((u32)(x)))
#define bh_be64(x) ((u64)__builtin_bswap64(x))
#else
#define bh_le16(x) ((u64)__builtin_bswap16((u16)(x)))
#define bh_le32(x) ((u64)__builtin_bswap32((u32)(x)))
#define bh_le64(x) ((u64)__builtin_bswap64(x))
#define bh_be16(x) ((u64)(u16)(x))
#define bh_be32(x) ((u64)(u32)(x))
#define bh_be64(x) ((u64)(x))
#endif

/* cmpxchg returns the old value whether or not it stored */
static inline u32 bh_cmpxchg32(u32 *p, u32 expected, u32 val)
{
	__atomic_compare_exchange_n(p, &expected, val, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return expected;
}

static inline u64 bh_cmpxchg64(u64 *p, u64 expected, u64 val)
{
	__atomic_compare_exchange_n(p, &expected, val, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return expected;
}

static inline bh_fn bh_callx_fn(const struct bh_code *code, u64 id)
{
	return id < BH_MAX_HELPER_ID ? code->callx[id] : NULL;
}

static inline u64 bh_ext(u64 v, unsigned int ext)
{
	switch (ext) {
	case BH_EXT_BOOL:
		return (u8)v != 0;
	case BH_EXT_U8:
		return (u8)v;
	case BH_EXT_S8:
		return (u64)(s64)(int8_t)v;
	case BH_EXT_U16:
		return (u16)v;
	case BH_EXT_S16:
		return (u64)(s64)(int16_t)v;
	case BH_EXT_U32:
		return (u32)v;
	case BH_EXT_S32:
		return (u64)(s64)(s32)v;
	default: /* NONE, and VOID whose r0 nobody may read */
		return v;
	}
}

/*
 * A kfunc whose ABI needs help: the SysV ABI lets a callee assume nothing
 * of a narrow argument's upper bits and a caller nothing of a narrow
 * result's, while BPF registers are full 64-bit values, so both are
 * extended to 64 bits as their types say.  Out of line to keep the run
 * loop's register pressure down.
 */
static __attribute__((noinline)) u64
bh_kcall_ext(const struct bh_kcall *kc, u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	u64 a[5] = {r1, r2, r3, r4, r5};

	for (int i = 0; i < 5; i++)
		a[i] = kc->inject_mask & (1u << i)
			       ? kc->inject_val[i]
			       : bh_ext(a[i], kc->arg_ext[i]);
	return bh_ext(kc->fn(a[0], a[1], a[2], a[3], a[4]), kc->ret_ext);
}

/*
 * The run loop, from entry in frame run->depth with r1..r5 as given, until
 * that frame exits: the whole program for bh_code_run(), a callback for
 * bh_callback_call().  Called with run == NULL it only reports its label
 * table (indexed by enum bh_op, plus one "bad slot" entry) for the
 * decoder; noinline/noclone keep exactly one copy so the addresses stay
 * valid.
 *
 * The instruction budget is charged per straight-line stretch at each
 * taken jump, call and exit (slots from the stretch's start to the
 * transfer), so counting costs nothing on fall-through; a run is stopped
 * at the first transfer past the budget.  It is kept in bytes of slots,
 * which spares the division a pointer difference would cost.
 */
__attribute__((noinline, noclone)) static int
bh_interp(struct bh_run *run, const struct bh_slot *entry, u64 r1, u64 r2,
	  u64 r3, u64 r4, u64 r5, u64 *r0, const void *const **labels)
{
	/* the casts keep cppcheck from reading &&label as a boolean */
	static const void *const table[BH_LABELS] = {
#define X(name, code, sel, selval, cpu, group, sem) \
	[BH_OP_##name] = (const void *)&&op_##name,
#include "insn/opcodes.def"
#undef X
		[BH_OP__COUNT] = (const void *)&&bad_slot,
		[BH_PROBE_LDXB] = (const void *)&&op_PROBE_LDXB,
		[BH_PROBE_LDXH] = (const void *)&&op_PROBE_LDXH,
		[BH_PROBE_LDXW] = (const void *)&&op_PROBE_LDXW,
		[BH_PROBE_LDXDW] = (const void *)&&op_PROBE_LDXDW,
		[BH_PROBE_LDXSB] = (const void *)&&op_PROBE_LDXSB,
		[BH_PROBE_LDXSH] = (const void *)&&op_PROBE_LDXSH,
		[BH_PROBE_LDXSW] = (const void *)&&op_PROBE_LDXSW,
	};
	struct bh_frame *frame;
	const struct bh_slot *base, *pc, *blk;
	u64 reg[BH_MAX_REG];
	u32 may_goto = BH_MAY_GOTO_BUDGET;
	int depth, top;
	s64 budget;
	int fault;
	bh_fn fn;

	if (!run) {
		if (labels)
			*labels = table;
		return 0;
	}
	top = depth = run->depth;
	budget = run->budget;
	memset(run->stack[depth], 0, sizeof(run->stack[depth]));
	memset(reg, 0, sizeof(reg));
	reg[1] = r1;
	reg[2] = r2;
	reg[3] = r3;
	reg[4] = r4;
	reg[5] = r5;
	reg[BH_FP] = (u64)(uintptr_t)(run->stack[depth] + BH_STACK_SIZE);
	base = run->code->slots;
	pc = blk = entry;

/* clang-format would mangle the label and operator macros below */
/* clang-format off */
#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define IMM (pc->imm)
#define DISPATCH() goto *pc->label
#define NEXT() do { pc++; DISPATCH(); } while (0)
/* Charge the stretch blk..pc; the next one starts at to. */
#define CHARGE(to)							\
	do {								\
		budget -= (const char *)pc - (const char *)blk +	\
			  (s64)sizeof(*pc);				\
		if (__builtin_expect(budget < 0, 0))			\
			goto fault_limit;				\
		blk = (to);						\
	} while (0)
#define JUMP()								\
	do {								\
		const struct bh_slot *t_ =				\
			(const void *)((const char *)base + pc->target); \
		CHARGE(t_);						\
		pc = t_;						\
		DISPATCH();						\
	} while (0)
#define ALU(name, expr)							\
	op_##name: DST = (expr); NEXT();
#define ALU64(name, op)							\
	ALU(name##64_K, DST op IMM)					\
	ALU(name##64_X, DST op SRC)
#define ALU32(name, op)							\
	ALU(name##32_K, (u32)DST op (u32)IMM)				\
	ALU(name##32_X, (u32)DST op (u32)SRC)
#define JCOND(name, cond)						\
	op_##name: if (cond) JUMP(); NEXT();
#define JCMP(name, op, type)						\
	JCOND(name##_K, (type)DST op (type)IMM)				\
	JCOND(name##_X, (type)DST op (type)SRC)
#define STORE(name, fn, val)						\
	op_##name: fn(ADDR(pc->dst), val); NEXT();
#define APTR(t) ((t *)(uintptr_t)ADDR(pc->dst))
/* Plain atomics promise no ordering (as in the kernel); the fetch forms,
 * xchg and cmpxchg are fully ordered. */
#define ATOMIC(name, t, fn)						\
	op_A##name: fn(APTR(t), (t)SRC, __ATOMIC_RELAXED); NEXT();	\
	op_AF##name: SRC = fn(APTR(t), (t)SRC, __ATOMIC_SEQ_CST); NEXT();
#define ADDR(r) (reg[r] + (u64)(s64)pc->off)
#define PADDR(r) ((const void *)(uintptr_t)ADDR(r))
/* A helper or kfunc call, which may call back into the program: publish
 * what a callback needs, and stop at once if one faulted. */
#define HCALL(call)							\
	do {								\
		run->depth = depth;					\
		run->budget = budget;					\
		run->pc = pc;						\
		reg[0] = (call);					\
		budget = run->budget;					\
		if (__builtin_expect(budget < 0, 0))			\
			goto fault_nested;				\
		NEXT();							\
	} while (0)
#define ARGS reg[1], reg[2], reg[3], reg[4], reg[5]
	/* clang-format on */

	DISPATCH();

	ALU64(ADD, +)
	ALU64(SUB, -)
	ALU64(MUL, *)
	ALU64(OR, |)
	ALU64(AND, &)
	ALU64(XOR, ^)
	ALU(LSH64_K, DST << (IMM & 63))
	ALU(LSH64_X, DST << (SRC & 63))
	ALU(RSH64_K, DST >> (IMM & 63))
	ALU(RSH64_X, DST >> (SRC & 63))
	ALU(ARSH64_K, (u64)((s64)DST >> (IMM & 63)))
	ALU(ARSH64_X, (u64)((s64)DST >> (SRC & 63)))
	ALU(NEG64, -DST)
	ALU(DIV64_K, IMM ? DST / IMM : 0)
	ALU(DIV64_X, SRC ? DST / SRC : 0)
	ALU(MOD64_K, IMM ? DST % IMM : DST)
	ALU(MOD64_X, SRC ? DST % SRC : DST)
	ALU(SDIV64_K, bh_sdiv64(DST, IMM))
	ALU(SDIV64_X, bh_sdiv64(DST, SRC))
	ALU(SMOD64_K, bh_smod64(DST, IMM))
	ALU(SMOD64_X, bh_smod64(DST, SRC))
	ALU(MOV64_K, IMM)
	ALU(MOV64_X, SRC)
	ALU(MOVSX8_64, (u64)(s64)(int8_t)SRC)
	ALU(MOVSX16_64, (u64)(s64)(int16_t)SRC)
	ALU(MOVSX32_64, (u64)(s64)(s32)SRC)
	ALU(BSWAP16, (u64)__builtin_bswap16((u16)DST))
	ALU(BSWAP32, (u64)__builtin_bswap32((u32)DST))
	ALU(BSWAP64, __builtin_bswap64(DST))

	ALU32(ADD, +)
	ALU32(SUB, -)
	ALU32(MUL, *)
	ALU32(OR, |)
	ALU32(AND, &)
	ALU32(XOR, ^)
	ALU(LSH32_K, (u32)DST << (IMM & 31))
	ALU(LSH32_X, (u32)DST << (SRC & 31))
	ALU(RSH32_K, (u32)DST >> (IMM & 31))
	ALU(RSH32_X, (u32)DST >> (SRC & 31))
	ALU(ARSH32_K, (u32)((s32)DST >> (IMM & 31)))
	ALU(ARSH32_X, (u32)((s32)DST >> (SRC & 31)))
	ALU(NEG32, (u32) - (u32)DST)
	ALU(DIV32_K, (u32)IMM ? (u32)DST / (u32)IMM : 0)
	ALU(DIV32_X, (u32)SRC ? (u32)DST / (u32)SRC : 0)
	ALU(MOD32_K, (u32)IMM ? (u32)DST % (u32)IMM : (u32)DST)
	ALU(MOD32_X, (u32)SRC ? (u32)DST % (u32)SRC : (u32)DST)
	ALU(SDIV32_K, bh_sdiv32((u32)DST, (u32)IMM))
	ALU(SDIV32_X, bh_sdiv32((u32)DST, (u32)SRC))
	ALU(SMOD32_K, bh_smod32((u32)DST, (u32)IMM))
	ALU(SMOD32_X, bh_smod32((u32)DST, (u32)SRC))
	ALU(MOV32_K, (u32)IMM)
	ALU(MOV32_X, (u32)SRC)
	ALU(MOVSX8_32, (u32)(s32)(int8_t)SRC)
	ALU(MOVSX16_32, (u32)(s32)(int16_t)SRC)
	ALU(LE16, bh_le16(DST))
	ALU(LE32, bh_le32(DST))
	ALU(LE64, bh_le64(DST))
	ALU(BE16, bh_be16(DST))
	ALU(BE32, bh_be32(DST))
	ALU(BE64, bh_be64(DST))

op_LDDW:
	DST = IMM;
	pc += 2;
	DISPATCH();

	ALU(LDXB, bh_ld8(ADDR(pc->src)))
	ALU(LDXH, bh_ld16(ADDR(pc->src)))
	ALU(LDXW, bh_ld32(ADDR(pc->src)))
	ALU(LDXDW, bh_ld64(ADDR(pc->src)))
	ALU(LDXSB, (u64)(s64)(int8_t)bh_ld8(ADDR(pc->src)))
	ALU(LDXSH, (u64)(s64)(int16_t)bh_ld16(ADDR(pc->src)))
	ALU(LDXSW, (u64)(s64)(s32)bh_ld32(ADDR(pc->src)))
	/* probe loads: a bad address reads as 0 (src/exec/probe.c) */
	ALU(PROBE_LDXB, bh_probe_ld8(PADDR(pc->src)))
	ALU(PROBE_LDXH, bh_probe_ld16(PADDR(pc->src)))
	ALU(PROBE_LDXW, bh_probe_ld32(PADDR(pc->src)))
	ALU(PROBE_LDXDW, bh_probe_ld64(PADDR(pc->src)))
	ALU(PROBE_LDXSB, (u64)(s64)(int8_t)bh_probe_ld8(PADDR(pc->src)))
	ALU(PROBE_LDXSH, (u64)(s64)(int16_t)bh_probe_ld16(PADDR(pc->src)))
	ALU(PROBE_LDXSW, (u64)(s64)(s32)bh_probe_ld32(PADDR(pc->src)))

	STORE(STB, bh_st8, IMM)
	STORE(STH, bh_st16, IMM)
	STORE(STW, bh_st32, IMM)
	STORE(STDW, bh_st64, IMM)
	STORE(STXB, bh_st8, SRC)
	STORE(STXH, bh_st16, SRC)
	STORE(STXW, bh_st32, SRC)
	STORE(STXDW, bh_st64, SRC)

	ATOMIC(ADD32, u32, __atomic_fetch_add)
	ATOMIC(OR32, u32, __atomic_fetch_or)
	ATOMIC(AND32, u32, __atomic_fetch_and)
	ATOMIC(XOR32, u32, __atomic_fetch_xor)
	ATOMIC(ADD64, u64, __atomic_fetch_add)
	ATOMIC(OR64, u64, __atomic_fetch_or)
	ATOMIC(AND64, u64, __atomic_fetch_and)
	ATOMIC(XOR64, u64, __atomic_fetch_xor)
op_AXCHG32:
	SRC = __atomic_exchange_n(APTR(u32), (u32)SRC, __ATOMIC_SEQ_CST);
	NEXT();
op_AXCHG64:
	SRC = __atomic_exchange_n(APTR(u64), SRC, __ATOMIC_SEQ_CST);
	NEXT();
op_ACMPXCHG32:
	reg[0] = bh_cmpxchg32(APTR(u32), (u32)reg[0], (u32)SRC);
	NEXT();
op_ACMPXCHG64:
	reg[0] = bh_cmpxchg64(APTR(u64), reg[0], SRC);
	NEXT();

op_JA:
op_JA32:
	JUMP();
	JCMP(JEQ, ==, u64)
	JCMP(JNE, !=, u64)
	JCMP(JGT, >, u64)
	JCMP(JGE, >=, u64)
	JCMP(JLT, <, u64)
	JCMP(JLE, <=, u64)
	JCMP(JSGT, >, s64)
	JCMP(JSGE, >=, s64)
	JCMP(JSLT, <, s64)
	JCMP(JSLE, <=, s64)
	JCOND(JSET_K, DST & IMM)
	JCOND(JSET_X, DST & SRC)
	JCMP(JEQ32, ==, u32)
	JCMP(JNE32, !=, u32)
	JCMP(JGT32, >, u32)
	JCMP(JGE32, >=, u32)
	JCMP(JLT32, <, u32)
	JCMP(JLE32, <=, u32)
	JCMP(JSGT32, >, s32)
	JCMP(JSGE32, >=, s32)
	JCMP(JSLT32, <, s32)
	JCMP(JSLE32, <=, s32)
	JCOND(JSET32_K, (u32)DST & (u32)IMM)
	JCOND(JSET32_X, (u32)DST & (u32)SRC)

op_MAY_GOTO:
	if (!may_goto)
		JUMP();
	may_goto--;
	NEXT();

op_CALL:
	HCALL(pc->fn(ARGS));

op_CALL_KFUNC: /* only those that need extension; see bh_decode_kfunc */
	HCALL(bh_kcall_ext(pc->kcall, ARGS));

op_CALLX:
	fn = bh_callx_fn(run->code, DST);
	if (!fn)
		goto fault_callx;
	HCALL(fn(ARGS));

op_CALL_LOCAL:
	if (__builtin_expect(depth == BH_MAX_CALL_FRAMES - 1, 0))
		goto fault_depth;
	frame = &run->frames[depth++];
	frame->ret = pc + 1;
	memcpy(frame->saved, &reg[6], sizeof(frame->saved));
	memset(run->stack[depth], 0, sizeof(run->stack[depth]));
	reg[BH_FP] = (u64)(uintptr_t)(run->stack[depth] + BH_STACK_SIZE);
	JUMP();

op_EXIT:
	if (depth != top) {
		frame = &run->frames[--depth];
		CHARGE(frame->ret);
		memcpy(&reg[6], frame->saved, sizeof(frame->saved));
		reg[BH_FP] =
			(u64)(uintptr_t)(run->stack[depth] + BH_STACK_SIZE);
		pc = frame->ret;
		DISPATCH();
	}
	CHARGE(pc);
	/* what a callback leaves for the rest of the run */
	run->budget = budget;
	*r0 = reg[0];
	return BH_RUN_OK;

fault_nested:
	/* a callback faulted, or spent the budget (the fault says which) */
	fault = run->fault;
	goto out;
bad_slot:
	fault = BH_RUN_BAD_SLOT;
	goto out;
fault_limit:
	fault = BH_RUN_INSN_LIMIT;
	goto out;
fault_callx:
	fault = BH_RUN_BAD_CALLX;
	goto out;
fault_depth:
	fault = BH_RUN_CALL_DEPTH;
out:
	bh_run_fail(run, fault);
	*r0 = reg[0];
	return fault;
}
