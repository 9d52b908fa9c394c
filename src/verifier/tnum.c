// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tristate-number arithmetic (see tnum.h).  Each result keeps value & mask
 * == 0 and contains every concrete result; the formulas are chosen to give
 * the same tnum as the Linux 6.18 verifier, since the log prints it and
 * state pruning compares it.
 */
#include "verifier/tnum.h"

#include <stdio.h>

const struct bh_tnum bh_tnum_unknown = {.value = 0, .mask = ~0ULL};

struct bh_tnum bh_tnum_const(uint64_t value)
{
	return BH_TNUM(value, 0);
}

struct bh_tnum bh_tnum_range(uint64_t min, uint64_t max)
{
	uint64_t differ = min ^ max, low;
	int bits = differ ? 64 - __builtin_clzll(differ) : 0;

	/* Bits from the highest one where min and max differ downwards can
	 * take any value; a full 64-bit span cannot be written as a shift. */
	if (bits > 63)
		return bh_tnum_unknown;
	low = (1ULL << bits) - 1;
	return BH_TNUM(min & ~low, low);
}

struct bh_tnum bh_tnum_lshift(struct bh_tnum a, uint8_t shift)
{
	return BH_TNUM(a.value << shift, a.mask << shift);
}

struct bh_tnum bh_tnum_rshift(struct bh_tnum a, uint8_t shift)
{
	return BH_TNUM(a.value >> shift, a.mask >> shift);
}

/* Arithmetic right shift without relying on implementation-defined >>. */
static uint64_t sar64(uint64_t x, unsigned int shift)
{
	if (!shift)
		return x;
	if (x >> 63)
		return (x >> shift) | ~(~0ULL >> shift);
	return x >> shift;
}

static uint32_t sar32(uint32_t x, unsigned int shift)
{
	if (!shift)
		return x;
	if (x >> 31)
		return (x >> shift) | ~(~0U >> shift);
	return x >> shift;
}

struct bh_tnum bh_tnum_arshift(struct bh_tnum a, uint8_t shift, uint8_t bitness)
{
	/* Shifting value and mask alike is exact: a known sign bit copies
	 * into value, an unknown one into mask. */
	if (bitness == 32)
		return BH_TNUM(sar32((uint32_t)a.value, shift),
			       sar32((uint32_t)a.mask, shift));
	return BH_TNUM(sar64(a.value, shift), sar64(a.mask, shift));
}

struct bh_tnum bh_tnum_add(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t lo = a.value + b.value;
	uint64_t hi = lo + a.mask + b.mask;
	/* A bit is uncertain if it is unknown in an operand or if a carry
	 * can reach it: the smallest and largest sums differ there. */
	uint64_t unk = (lo ^ hi) | a.mask | b.mask;

	return BH_TNUM(lo & ~unk, unk);
}

struct bh_tnum bh_tnum_sub(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t diff = a.value - b.value;
	/* Borrows differ between the largest (a high, b low) and smallest
	 * (a low, b high) differences. */
	uint64_t unk = ((diff + a.mask) ^ (diff - b.mask)) | a.mask | b.mask;

	return BH_TNUM(diff & ~unk, unk);
}

struct bh_tnum bh_tnum_neg(struct bh_tnum a)
{
	return bh_tnum_sub(bh_tnum_const(0), a);
}

struct bh_tnum bh_tnum_and(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t ones = a.value & b.value;
	uint64_t maybe = (a.value | a.mask) & (b.value | b.mask);

	return BH_TNUM(ones, maybe & ~ones);
}

struct bh_tnum bh_tnum_or(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t ones = a.value | b.value;

	return BH_TNUM(ones, (a.mask | b.mask) & ~ones);
}

struct bh_tnum bh_tnum_xor(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t unk = a.mask | b.mask;

	return BH_TNUM((a.value ^ b.value) & ~unk, unk);
}

struct bh_tnum bh_tnum_mul(struct bh_tnum a, struct bh_tnum b)
{
	/* Shift-and-add over the bits of a.  A known-1 bit adds the shifted
	 * b; an unknown bit may or may not, so the accumulator becomes the
	 * union of both outcomes (6.18's version, more precise than adding
	 * the uncertain partial products up separately). */
	struct bh_tnum acc = BH_TNUM(0, 0);

	while (a.value | a.mask) {
		if (a.value & 1)
			acc = bh_tnum_add(acc, b);
		else if (a.mask & 1)
			acc = bh_tnum_union(acc, bh_tnum_add(acc, b));
		a = bh_tnum_rshift(a, 1);
		b = bh_tnum_lshift(b, 1);
	}
	return acc;
}

struct bh_tnum bh_tnum_intersect(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t unk = a.mask & b.mask;

	return BH_TNUM((a.value | b.value) & ~unk, unk);
}

struct bh_tnum bh_tnum_union(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t unk = a.mask | b.mask | (a.value ^ b.value);

	return BH_TNUM(a.value & b.value & ~unk, unk);
}

bool bh_tnum_overlap(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t both_known = ~a.mask & ~b.mask;

	return !((a.value ^ b.value) & both_known);
}

struct bh_tnum bh_tnum_cast(struct bh_tnum a, uint8_t size)
{
	uint64_t keep = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;

	return BH_TNUM(a.value & keep, a.mask & keep);
}

struct bh_tnum bh_tnum_bswap16(struct bh_tnum a)
{
	return BH_TNUM(__builtin_bswap16((uint16_t)a.value),
		       __builtin_bswap16((uint16_t)a.mask));
}

struct bh_tnum bh_tnum_bswap32(struct bh_tnum a)
{
	return BH_TNUM(__builtin_bswap32((uint32_t)a.value),
		       __builtin_bswap32((uint32_t)a.mask));
}

struct bh_tnum bh_tnum_bswap64(struct bh_tnum a)
{
	return BH_TNUM(__builtin_bswap64(a.value), __builtin_bswap64(a.mask));
}

bool bh_tnum_is_aligned(struct bh_tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

bool bh_tnum_in(struct bh_tnum a, struct bh_tnum b)
{
	/* b may not leave free a bit that a pins down, and where a pins a
	 * bit, b must pin it to the same value. */
	if (b.mask & ~a.mask)
		return false;
	return a.value == (b.value & ~a.mask);
}

uint64_t bh_tnum_step(struct bh_tnum t, uint64_t z)
{
	uint64_t tmax = t.value | t.mask, d, fixed_bits;

	if (z >= tmax)
		return tmax;
	if (z < t.value)
		return t.value;
	/* Members are t.value + s for s a submask of t.mask, so look for
	 * the smallest submask above d.  Where d has a 1 that no submask
	 * can have, every submask matching d's higher bits is smaller, so
	 * d may as well be all ones up to there; then add one with the
	 * carry skipping the known bits. */
	d = z - t.value;
	fixed_bits = d & ~t.mask;
	if (fixed_bits)
		d |= ~0ULL >> __builtin_clzll(fixed_bits);
	return t.value | (((d | ~t.mask) + 1) & t.mask);
}

bool bh_tnum_contains(struct bh_tnum a, uint64_t x)
{
	return (x & ~a.mask) == a.value;
}

struct bh_tnum bh_tnum_subreg(struct bh_tnum a)
{
	return bh_tnum_cast(a, 4);
}

struct bh_tnum bh_tnum_clear_subreg(struct bh_tnum a)
{
	return bh_tnum_lshift(bh_tnum_rshift(a, 32), 32);
}

struct bh_tnum bh_tnum_with_subreg(struct bh_tnum reg, struct bh_tnum subreg)
{
	return bh_tnum_or(bh_tnum_clear_subreg(reg), bh_tnum_subreg(subreg));
}

struct bh_tnum bh_tnum_const_subreg(struct bh_tnum a, uint32_t value)
{
	return bh_tnum_with_subreg(a, bh_tnum_const(value));
}

int bh_tnum_strn(char *str, size_t size, struct bh_tnum a)
{
	/* The kernel's printf writes 0x0 for zero, unlike glibc's %#llx. */
	return snprintf(str, size, "(0x%llx; 0x%llx)",
			(unsigned long long)a.value,
			(unsigned long long)a.mask);
}

int bh_tnum_sbin(char *str, size_t size, struct bh_tnum a)
{
	size_t i;

	if (!size)
		return 64;
	for (i = 0; i < 64 && i + 1 < size; i++) {
		uint64_t bit = 1ULL << (63 - i);

		str[i] = (a.mask & bit) ? 'x' : (a.value & bit) ? '1' : '0';
	}
	str[i] = '\0';
	return 64;
}
