// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tristate numbers: what the verifier knows about each bit of a 64-bit
 * value.  A bit whose mask bit is 1 is unknown; otherwise it is known to
 * equal the matching bit of value.  Invariant: value & mask == 0, so every
 * tnum stands for the non-empty set { x : (x & ~mask) == value }.
 *
 * Every operation returns a tnum that contains every concrete result of the
 * operation applied to members of its operands (soundness), and follows the
 * Linux 6.18 kernel's formulas bit for bit so that logs and pruning agree.
 * Pure functions: no allocation, no logging.
 */
#ifndef BPFHOST_VERIFIER_TNUM_H
#define BPFHOST_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bh_tnum {
	uint64_t value;
	uint64_t mask;
};

#define BH_TNUM(v, m) ((struct bh_tnum){.value = (v), .mask = (m)})

/* Nothing known: every 64-bit value is a member. */
extern const struct bh_tnum bh_tnum_unknown;

struct bh_tnum bh_tnum_const(uint64_t value);
/* Smallest tnum of the form (prefix; 2^k - 1) holding every x in [min, max]. */
struct bh_tnum bh_tnum_range(uint64_t min, uint64_t max);

/* Shifts by a known amount (< 64); bits shifted in are known zero. */
struct bh_tnum bh_tnum_lshift(struct bh_tnum a, uint8_t shift);
struct bh_tnum bh_tnum_rshift(struct bh_tnum a, uint8_t shift);
/*
 * Arithmetic shift of the low `bitness` (32 or 64) bits: an unknown sign
 * bit smears down as unknown.  A 32-bit result is zero-extended.
 */
struct bh_tnum bh_tnum_arshift(struct bh_tnum a, uint8_t shift,
			       uint8_t bitness);

struct bh_tnum bh_tnum_add(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_sub(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_neg(struct bh_tnum a);
struct bh_tnum bh_tnum_and(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_or(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_xor(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_mul(struct bh_tnum a, struct bh_tnum b);

/*
 * Both a and b hold: keeps every bit known in either.  If they contradict
 * (disjoint sets) the result is still a well-formed tnum, favouring 1.
 */
struct bh_tnum bh_tnum_intersect(struct bh_tnum a, struct bh_tnum b);
/* Either a or b holds: the smallest tnum containing both sets. */
struct bh_tnum bh_tnum_union(struct bh_tnum a, struct bh_tnum b);
/* Can a and b have a common member (their known bits agree)? */
bool bh_tnum_overlap(struct bh_tnum a, struct bh_tnum b);

/* Keep the low size bytes (1, 2, 4 or 8); the rest become known zero. */
struct bh_tnum bh_tnum_cast(struct bh_tnum a, uint8_t size);
/* Reverse the byte order of the low 2, 4 or 8 bytes (upper bytes dropped). */
struct bh_tnum bh_tnum_bswap16(struct bh_tnum a);
struct bh_tnum bh_tnum_bswap32(struct bh_tnum a);
struct bh_tnum bh_tnum_bswap64(struct bh_tnum a);

/* Are all members multiples of size (a power of two; 0 means any)? */
bool bh_tnum_is_aligned(struct bh_tnum a, uint64_t size);
/* Is every member of b a member of a (a ⊇ b)?  Used by state pruning. */
bool bh_tnum_in(struct bh_tnum a, struct bh_tnum b);
/*
 * The smallest member of t greater than z; t.value if z is below every
 * member and the largest member if none is greater.
 */
uint64_t bh_tnum_step(struct bh_tnum t, uint64_t z);
/* Is x a member of a? */
bool bh_tnum_contains(struct bh_tnum a, uint64_t x);

static inline bool bh_tnum_is_const(struct bh_tnum a)
{
	return !a.mask;
}

static inline bool bh_tnum_equals_const(struct bh_tnum a, uint64_t b)
{
	return bh_tnum_is_const(a) && a.value == b;
}

static inline bool bh_tnum_is_unknown(struct bh_tnum a)
{
	return !~a.mask;
}

/* The 32-bit subregister view and updates of it (upper half untouched). */
struct bh_tnum bh_tnum_subreg(struct bh_tnum a);
struct bh_tnum bh_tnum_clear_subreg(struct bh_tnum a);
struct bh_tnum bh_tnum_with_subreg(struct bh_tnum reg, struct bh_tnum subreg);
struct bh_tnum bh_tnum_const_subreg(struct bh_tnum a, uint32_t value);

static inline bool bh_tnum_subreg_is_const(struct bh_tnum a)
{
	return !(uint32_t)a.mask;
}

/* "(0x4; 0xfffffffffffffffb)", as the kernel's verifier log prints it. */
int bh_tnum_strn(char *str, size_t size, struct bh_tnum a);
/* 64 characters of 0, 1 and x, most significant bit first. */
int bh_tnum_sbin(char *str, size_t size, struct bh_tnum a);

#endif
