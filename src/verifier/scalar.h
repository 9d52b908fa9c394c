// SPDX-License-Identifier: BSD-2-Clause
/*
 * The scalar value domain of the verifier: a tnum plus signed and unsigned
 * bounds of the full 64-bit register and of its low 32-bit subregister, as
 * in the bounds part of the kernel's struct bpf_reg_state.
 *
 * Invariant (soundness): every value the register can hold at run time is a
 * member of var_off and lies in all four ranges.  The four views are kept
 * mutually tightened by bh_scalar_sync(); a state whose views contradict
 * each other describes a dead path (the kernel's "invariant violation").
 *
 * Everything here follows the Linux 6.18 verifier exactly (including where
 * it is less precise than it could be), because pruning, log output and
 * accept/reject decisions all depend on the exact bounds.  The reference is
 * the 6.18.44 stable kernel of our machines, checked by loading programs:
 * it carries backports absent from 6.18.0 (union-based tnum_mul, the
 * tnum_step single-value rule, s32 cross-sign deduction, signed "<<32",
 * the [-1, 0] AND/OR fork).  Ids, precision
 * marks and pointer state live elsewhere.  Pure functions, no logging.
 */
#ifndef BPFHOST_VERIFIER_SCALAR_H
#define BPFHOST_VERIFIER_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verifier/tnum.h"

struct bh_scalar {
	struct bh_tnum var_off;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32_min, s32_max;
	uint32_t u32_min, u32_max;
};

/* ALU operations, numbered as the opcode's BPF_OP field (code & 0xf0). */
enum bh_alu_op {
	BH_ALU_ADD = 0x00,
	BH_ALU_SUB = 0x10,
	BH_ALU_MUL = 0x20,
	BH_ALU_DIV = 0x30,
	BH_ALU_OR = 0x40,
	BH_ALU_AND = 0x50,
	BH_ALU_LSH = 0x60,
	BH_ALU_RSH = 0x70,
	BH_ALU_NEG = 0x80,
	BH_ALU_MOD = 0x90,
	BH_ALU_XOR = 0xa0,
	BH_ALU_MOV = 0xb0,
	BH_ALU_ARSH = 0xc0,
	BH_ALU_END = 0xd0,
	/* DIV/MOD with insn->off == 1; not opcode values. */
	BH_ALU_SDIV = 0x130,
	BH_ALU_SMOD = 0x190,
};

/* Byte-order operations (BPF_END): imm is the width 16, 32 or 64. */
enum bh_end_kind {
	BH_END_TO_LE, /* BPF_ALU | BPF_END | BPF_TO_LE: a truncation here */
	BH_END_TO_BE, /* BPF_ALU | BPF_END | BPF_TO_BE: a swap here */
	BH_END_BSWAP, /* BPF_ALU64 | BPF_END: unconditional swap */
};

/* Conditional jumps, numbered as the opcode's BPF_OP field. */
enum bh_jmp_op {
	BH_JEQ = 0x10,
	BH_JGT = 0x20,
	BH_JGE = 0x30,
	BH_JSET = 0x40,
	BH_JNE = 0x50,
	BH_JSGT = 0x60,
	BH_JSGE = 0x70,
	BH_JLT = 0xa0,
	BH_JLE = 0xb0,
	BH_JSLT = 0xc0,
	BH_JSLE = 0xd0,
	/* "not JSET": the fall-through of JSET, as the kernel encodes it. */
	BH_JNSET = 0x48,
};

/* Constructors (the kernel's __mark_reg_known / __mark_reg_unknown). */
void bh_scalar_mark_unknown(struct bh_scalar *s);
void bh_scalar_mark_const(struct bh_scalar *s, uint64_t value);
/* Known low half, upper half untouched (__mark_reg32_known). */
void bh_scalar_mark_const32(struct bh_scalar *s, uint32_t value);
/* Bounds forgotten, var_off kept (__mark_reg_unbounded and halves). */
void bh_scalar_mark_unbounded(struct bh_scalar *s);
void bh_scalar_mark_unbounded64(struct bh_scalar *s);
void bh_scalar_mark_unbounded32(struct bh_scalar *s);

static inline struct bh_scalar bh_scalar_unknown(void)
{
	struct bh_scalar s;

	bh_scalar_mark_unknown(&s);
	return s;
}

static inline struct bh_scalar bh_scalar_const(uint64_t value)
{
	struct bh_scalar s;

	bh_scalar_mark_const(&s, value);
	return s;
}

bool bh_scalar_is_const(const struct bh_scalar *s);
bool bh_scalar_is_const32(const struct bh_scalar *s);
/* Fully unknown: unbounded everywhere and var_off unknown. */
bool bh_scalar_is_unknown(const struct bh_scalar *s);
/* Is x a possible value (member of var_off and every range)? */
bool bh_scalar_contains(const struct bh_scalar *s, uint64_t x);

/*
 * reg_bounds_sync: tighten bounds from var_off, deduce each range from the
 * others (three passes, as 6.18), tighten var_off from the ranges, and
 * bounds from var_off again.
 */
void bh_scalar_sync(struct bh_scalar *s);

/*
 * reg_bounds_sanity_check: NULL if the state is consistent, otherwise the
 * kernel's reason ("range bounds violation", "const tnum out of sync with
 * range bounds", "const subreg tnum out of sync with range bounds").
 */
const char *bh_scalar_invariant_violation(const struct bh_scalar *s);
/*
 * The check as the kernel runs it after ALU ops and branch refinement: on a
 * violation writes "REG INVARIANTS VIOLATION (<ctx>): <reason> u64=[..]
 * ..." to msg, marks s unbounded (what a loader without the test flag
 * does) and returns -EFAULT; returns 0 when consistent.
 */
int bh_scalar_check_sanity(struct bh_scalar *s, const char *ctx, char *msg,
			   size_t size);

/* 32-bit result into the 64-bit register: upper half known zero. */
void bh_scalar_zext_32_to_64(struct bh_scalar *s);
/* Zero-extend the low size bytes (1, 2 or 4): narrow loads, le16/le32. */
void bh_scalar_coerce_to_size(struct bh_scalar *s, int size);
/* Sign-extend the low size bytes (1, 2, 4) to 64 bits: MOVSX64, LDSX. */
void bh_scalar_coerce_to_size_sx(struct bh_scalar *s, int size);
/* Sign-extend the low size bytes (1, 2) into the subregister: MOVSX32
 * (the caller zero-extends to 64 bits as for any ALU32 result). */
void bh_scalar_coerce_subreg_to_size_sx(struct bh_scalar *s, int size);

/*
 * dst = dst <op> src for a scalar src (for BPF_K: bh_scalar_const of the
 * sign-extended imm, at both widths, as the kernel builds its fake
 * register).  is64 selects ALU64 vs ALU32 (32-bit results are
 * zero-extended).  Ops the 6.18 verifier does not track (DIV, SDIV, MOD,
 * SMOD, and shifts by a non-constant or too large amount) give an unknown
 * scalar.  BH_ALU_NEG ignores src; BH_ALU_MOV copies (32-bit: then
 * zero-extends); BH_ALU_END is rejected here (use bh_scalar_end).  The
 * result is synced; run bh_scalar_check_sanity() afterwards as the kernel
 * does.  Returns 0, or -EINVAL for an op that is not a scalar ALU op.
 */
int bh_scalar_alu(struct bh_scalar *dst, const struct bh_scalar *src,
		  enum bh_alu_op op, bool is64);
/*
 * maybe_fork_scalars (6.18 stable): AND or OR by a constant (src's var_off
 * const) of a dst whose signed 64-bit range, or else whose s32 range, is
 * exactly [-1, 0] splits the path.  Returns true if it does: then *zero is
 * dst set to 0 (in the width that matched; the caller queues a state that
 * re-executes this insn with it) and dst is set to -1 for the current path,
 * on which the caller then runs bh_scalar_alu.  Returns false otherwise,
 * leaving both untouched.  bh_scalar_alu itself never forks.
 */
bool bh_scalar_fork_neg1_zero(struct bh_scalar *dst, struct bh_scalar *zero,
			      const struct bh_scalar *src, enum bh_alu_op op);
/* MOVSX: dst = (s8/s16/s32)src (is64) or w = (s8/s16)w; bits 8, 16, 32. */
int bh_scalar_movsx(struct bh_scalar *dst, const struct bh_scalar *src,
		    int bits, bool is64);
/* BPF_END on a scalar (little-endian host): width 16, 32 or 64. */
int bh_scalar_end(struct bh_scalar *dst, enum bh_end_kind kind, int width);

/*
 * is_scalar_branch_taken: 1 if "a op b" holds for every pair of possible
 * values, 0 if for none, -1 if it depends.  JMP32 compares subregisters.
 */
int bh_scalar_branch_taken(const struct bh_scalar *a, const struct bh_scalar *b,
			   enum bh_jmp_op op, bool is_jmp32);
/*
 * regs_refine_cond_op + reg_bounds_sync on both: narrow a and b to the
 * pairs for which "a op b" holds (the jump-taken side; for the
 * fall-through pass bh_jmp_rev(op)).  a and b must be distinct registers;
 * for "rX op rX" the kernel refines one register twice (see the verifier).
 * May produce a state that fails the sanity check on a dead branch.
 */
void bh_scalar_refine_cond(struct bh_scalar *a, struct bh_scalar *b,
			   enum bh_jmp_op op, bool is_jmp32);
/* The condition of the fall-through (JEQ <-> JNE, JGT <-> JLE, ...). */
enum bh_jmp_op bh_jmp_rev(enum bh_jmp_op op);
/* The same test with operands swapped (JGT <-> JLT, JEQ stays, ...). */
enum bh_jmp_op bh_jmp_flip(enum bh_jmp_op op);

/* Pruning: every one of cur's eight bounds lies inside old's. */
bool bh_scalar_range_within(const struct bh_scalar *old,
			    const struct bh_scalar *cur);
/* Pruning of a precise scalar: range_within and tnum_in(old, cur). */
bool bh_scalar_is_subsumed(const struct bh_scalar *old,
			   const struct bh_scalar *cur);

/*
 * The bounds list as print_scalar_ranges writes it, without parentheses:
 * "smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)" (empty
 * for an unknown scalar).  Returns the length snprintf would produce.
 */
int bh_scalar_print_bounds(char *buf, size_t size, const struct bh_scalar *s);
/*
 * A whole scalar as a register print shows it (without id or precision):
 * a constant as its number ("7", "-1", "0x100000000"), otherwise
 * "scalar(<bounds>)".
 */
int bh_scalar_print(char *buf, size_t size, const struct bh_scalar *s);
/* The log's number formats: decimal when small, else %#llx. */
int bh_scalar_print_snum(char *buf, size_t size, int64_t v);
int bh_scalar_print_unum(char *buf, size_t size, uint64_t v);

#endif
