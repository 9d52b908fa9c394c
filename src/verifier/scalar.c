// SPDX-License-Identifier: BSD-2-Clause
/*
 * Scalar value tracking: bounds synchronisation, ALU transfer functions,
 * branch decisions and refinement, pruning checks and log printing, with
 * the Linux 6.18 verifier's exact results (see scalar.h).
 *
 * Key invariant: each transfer function maps a state containing the
 * operands' possible values to one containing every possible result.  All
 * wrapping arithmetic is done in unsigned types and converted, so that the
 * signed views never rely on undefined overflow.
 */
#include "verifier/scalar.h"
#include "verifier/scalar_internal.h"

#include <errno.h>
#include <stdio.h>

/* ---- constructors ------------------------------------------------------ */

void bh_scalar_mark_unbounded64(struct bh_scalar *s)
{
	s->smin = S64_MIN;
	s->smax = S64_MAX;
	s->umin = 0;
	s->umax = U64_MAX;
}

void bh_scalar_mark_unbounded32(struct bh_scalar *s)
{
	s->s32_min = S32_MIN;
	s->s32_max = S32_MAX;
	s->u32_min = 0;
	s->u32_max = U32_MAX;
}

void bh_scalar_mark_unbounded(struct bh_scalar *s)
{
	bh_scalar_mark_unbounded64(s);
	bh_scalar_mark_unbounded32(s);
}

void bh_scalar_mark_unknown(struct bh_scalar *s)
{
	s->var_off = bh_tnum_unknown;
	bh_scalar_mark_unbounded(s);
}

void bh_scalar_mark_const(struct bh_scalar *s, uint64_t value)
{
	s->var_off = bh_tnum_const(value);
	s->smin = s->smax = (int64_t)value;
	s->umin = s->umax = value;
	s->s32_min = s->s32_max = (int32_t)(uint32_t)value;
	s->u32_min = s->u32_max = (uint32_t)value;
}

void bh_scalar_mark_const32(struct bh_scalar *s, uint32_t value)
{
	s->var_off = bh_tnum_const_subreg(s->var_off, value);
	s->s32_min = s->s32_max = (int32_t)value;
	s->u32_min = s->u32_max = value;
}

bool bh_scalar_is_const(const struct bh_scalar *s)
{
	return bh_tnum_is_const(s->var_off);
}

bool bh_scalar_is_const32(const struct bh_scalar *s)
{
	return bh_tnum_subreg_is_const(s->var_off);
}

bool bh_scalar_is_unknown(const struct bh_scalar *s)
{
	return bh_tnum_is_unknown(s->var_off) && s->smin == S64_MIN &&
	       s->smax == S64_MAX && s->umin == 0 && s->umax == U64_MAX &&
	       s->s32_min == S32_MIN && s->s32_max == S32_MAX &&
	       s->u32_min == 0 && s->u32_max == U32_MAX;
}

bool bh_scalar_contains(const struct bh_scalar *s, uint64_t x)
{
	int64_t sx = (int64_t)x;
	uint32_t x32 = (uint32_t)x;
	int32_t sx32 = (int32_t)x32;

	return bh_tnum_contains(s->var_off, x) && s->umin <= x &&
	       x <= s->umax && s->smin <= sx && sx <= s->smax &&
	       s->u32_min <= x32 && x32 <= s->u32_max && s->s32_min <= sx32 &&
	       sx32 <= s->s32_max;
}

/* ---- bounds synchronisation ------------------------------------------- */

/* The tnum bounds each range: sign bit unknown means either extreme. */
static void update_bounds32(struct bh_scalar *s)
{
	struct bh_tnum t = bh_tnum_subreg(s->var_off);
	uint32_t v = (uint32_t)t.value, m = (uint32_t)t.mask;

	s->s32_min = smax32(s->s32_min, (int32_t)(v | (m & 0x80000000u)));
	s->s32_max = smin32(s->s32_max, (int32_t)(v | (m & 0x7fffffffu)));
	s->u32_min = umax32(s->u32_min, v);
	s->u32_max = umin32(s->u32_max, v | m);
}

static void update_bounds64(struct bh_scalar *s)
{
	uint64_t v = s->var_off.value, m = s->var_off.mask, next, tmax;
	const uint64_t sign = 1ULL << 63;
	bool umin_in;

	s->smin = smax64(s->smin, (int64_t)(v | (m & sign)));
	s->smax = smin64(s->smax, (int64_t)(v | (m & ~sign)));
	s->umin = umax64(s->umin, v);
	s->umax = umin64(s->umax, v | m);

	/* Where [umin, umax] holds a single member of var_off, the value is
	 * known (6.18 stable).  The kernel's three cases are kept as they
	 * are, including what they do when the two do not meet at all. */
	next = bh_tnum_step(s->var_off, s->umin);
	umin_in = bh_tnum_contains(s->var_off, s->umin);
	tmax = v | m;
	if (umin_in && next > s->umax)
		bh_scalar_mark_const(s, s->umin);
	else if (!umin_in && next == tmax)
		bh_scalar_mark_const(s, tmax);
	else if (!umin_in && next <= s->umax &&
		 bh_tnum_step(s->var_off, next) > s->umax)
		bh_scalar_mark_const(s, next);
}

static void update_bounds(struct bh_scalar *s)
{
	update_bounds32(s);
	update_bounds64(s);
}

static void deduce_bounds32(struct bh_scalar *s)
{
	uint32_t umin_hi = (uint32_t)(s->umin >> 32);
	uint32_t umax_hi = (uint32_t)(s->umax >> 32);
	uint32_t smin_hi = (uint32_t)((uint64_t)s->smin >> 32);
	uint32_t smax_hi = (uint32_t)((uint64_t)s->smax >> 32);
	uint32_t umin_lo = (uint32_t)s->umin, umax_lo = (uint32_t)s->umax;
	uint32_t smin_lo = (uint32_t)(uint64_t)s->smin;
	uint32_t smax_lo = (uint32_t)(uint64_t)s->smax;

	/* A 64-bit range inside one 2^32 block maps onto its low halves
	 * without wrapping, as a u32 range and (if ordered) an s32 one. */
	if (umin_hi == umax_hi) {
		s->u32_min = umax32(s->u32_min, umin_lo);
		s->u32_max = umin32(s->u32_max, umax_lo);
		if ((int32_t)umin_lo <= (int32_t)umax_lo) {
			s->s32_min = smax32(s->s32_min, (int32_t)umin_lo);
			s->s32_max = smin32(s->s32_max, (int32_t)umax_lo);
		}
	}
	if (smin_hi == smax_hi) {
		if (smin_lo <= smax_lo) {
			s->u32_min = umax32(s->u32_min, smin_lo);
			s->u32_max = umin32(s->u32_max, smax_lo);
		}
		if ((int32_t)smin_lo <= (int32_t)smax_lo) {
			s->s32_min = smax32(s->s32_min, (int32_t)smin_lo);
			s->s32_max = smin32(s->s32_max, (int32_t)smax_lo);
		}
	}
	/* Two adjacent blocks whose low halves run from negative to
	 * non-negative still form one s32 interval across the boundary. */
	if (umin_hi + 1 == umax_hi && (int32_t)umin_lo < 0 &&
	    (int32_t)umax_lo >= 0) {
		s->s32_min = smax32(s->s32_min, (int32_t)umin_lo);
		s->s32_max = smin32(s->s32_max, (int32_t)umax_lo);
	}
	if (smin_hi + 1 == smax_hi && (int32_t)smin_lo < 0 &&
	    (int32_t)smax_lo >= 0) {
		s->s32_min = smax32(s->s32_min, (int32_t)smin_lo);
		s->s32_max = smin32(s->s32_max, (int32_t)smax_lo);
	}
	/* Within one half of the 32-bit space signed and unsigned agree. */
	if ((int32_t)s->u32_min <= (int32_t)s->u32_max) {
		s->s32_min = smax32(s->s32_min, (int32_t)s->u32_min);
		s->s32_max = smin32(s->s32_max, (int32_t)s->u32_max);
	}
	if ((uint32_t)s->s32_min <= (uint32_t)s->s32_max) {
		s->u32_min = umax32(s->u32_min, (uint32_t)s->s32_min);
		s->u32_max = umin32(s->u32_max, (uint32_t)s->s32_max);
	} else if (s->u32_max < (uint32_t)s->s32_min) {
		/* The s32 range wraps in u32 terms and the u32 range meets
		 * only its non-negative part (as deduce_bounds64; observed
		 * on the 6.18 kernel). */
		s->s32_min = (int32_t)s->u32_min;
		s->u32_max = umin32(s->u32_max, (uint32_t)s->s32_max);
	} else if ((uint32_t)s->s32_max < s->u32_min) {
		s->s32_max = (int32_t)s->u32_max;
		s->u32_min = umax32(s->u32_min, (uint32_t)s->s32_min);
	}
}

static void deduce_bounds64(struct bh_scalar *s)
{
	if ((int64_t)s->umin <= (int64_t)s->umax) {
		s->smin = smax64(s->smin, (int64_t)s->umin);
		s->smax = smin64(s->smax, (int64_t)s->umax);
	}
	if ((uint64_t)s->smin <= (uint64_t)s->smax) {
		s->umin = umax64(s->umin, (uint64_t)s->smin);
		s->umax = umin64(s->umax, (uint64_t)s->smax);
	} else if (s->umax < (uint64_t)s->smin) {
		/* The signed range wraps around 2^63 in u64 terms and the
		 * unsigned range only meets its non-negative part. */
		s->smin = (int64_t)s->umin;
		s->umax = umin64(s->umax, (uint64_t)s->smax);
	} else if ((uint64_t)s->smax < s->umin) {
		/* ... or only its negative part. */
		s->smax = (int64_t)s->umax;
		s->umin = umax64(s->umin, (uint64_t)s->smin);
	}
}

static void deduce_mixed_bounds(struct bh_scalar *s)
{
	const uint64_t hi = ~0xffffffffULL;
	uint64_t new_umin, new_umax;
	int64_t new_smin, new_smax;

	/* The low halves of the end points may be pulled in to the u32
	 * range while the upper halves stay: still well-formed ranges. */
	new_umin = (s->umin & hi) | s->u32_min;
	new_umax = (s->umax & hi) | s->u32_max;
	s->umin = umax64(s->umin, new_umin);
	s->umax = umin64(s->umax, new_umax);
	new_smin = (int64_t)(((uint64_t)s->smin & hi) | s->u32_min);
	new_smax = (int64_t)(((uint64_t)s->smax & hi) | s->u32_max);
	s->smin = smax64(s->smin, new_smin);
	s->smax = smin64(s->smax, new_smax);

	/* A 64-bit value within s32 limits whose low half is non-negative
	 * has an all-zero upper half (the sign-extending load case). */
	if (s->s32_min >= 0 && s->smin >= S32_MIN && s->smax <= S32_MAX) {
		s->smin = s->s32_min;
		s->smax = s->s32_max;
		s->umin = (uint64_t)s->s32_min;
		s->umax = (uint64_t)s->s32_max;
		s->var_off = bh_tnum_intersect(
			s->var_off,
			bh_tnum_range((uint64_t)s->smin, (uint64_t)s->smax));
	}
}

static void deduce_bounds(struct bh_scalar *s)
{
	deduce_bounds32(s);
	deduce_bounds64(s);
	deduce_mixed_bounds(s);
}

/* Tighten var_off from the unsigned ranges, each half separately. */
static void bound_offset(struct bh_scalar *s)
{
	struct bh_tnum t64, t32;

	t64 = bh_tnum_intersect(s->var_off, bh_tnum_range(s->umin, s->umax));
	t32 = bh_tnum_intersect(bh_tnum_subreg(t64),
				bh_tnum_range(s->u32_min, s->u32_max));
	s->var_off = bh_tnum_or(bh_tnum_clear_subreg(t64), t32);
}

void bh_scalar_sync(struct bh_scalar *s)
{
	update_bounds(s);
	/* One pass can enable another (e.g. a 32-bit fact tightening the
	 * 64-bit range, which then moves the sign boundary); 6.18 runs
	 * three, no fixpoint. */
	deduce_bounds(s);
	deduce_bounds(s);
	deduce_bounds(s);
	bound_offset(s);
	update_bounds(s);
}

const char *bh_scalar_invariant_violation(const struct bh_scalar *s)
{
	if (s->umin > s->umax || s->smin > s->smax || s->u32_min > s->u32_max ||
	    s->s32_min > s->s32_max)
		return "range bounds violation";
	if (bh_tnum_is_const(s->var_off)) {
		uint64_t v = s->var_off.value;

		if (s->umin != v || s->umax != v || s->smin != (int64_t)v ||
		    s->smax != (int64_t)v)
			return "const tnum out of sync with range bounds";
	}
	if (bh_tnum_subreg_is_const(s->var_off)) {
		uint32_t v = (uint32_t)s->var_off.value;

		if (s->u32_min != v || s->u32_max != v ||
		    s->s32_min != (int32_t)v || s->s32_max != (int32_t)v)
			return "const subreg tnum out of sync with range "
			       "bounds";
	}
	return NULL;
}

int bh_scalar_check_sanity(struct bh_scalar *s, const char *ctx, char *msg,
			   size_t size)
{
	const char *why = bh_scalar_invariant_violation(s);

	if (!why)
		return 0;
	if (msg && size)
		snprintf(msg, size,
			 "REG INVARIANTS VIOLATION (%s): %s u64=[%#llx, %#llx] "
			 "s64=[%#llx, %#llx] u32=[%#x, %#x] s32=[%#x, %#x] "
			 "var_off=(%#llx, %#llx)",
			 ctx, why, (unsigned long long)s->umin,
			 (unsigned long long)s->umax,
			 (unsigned long long)s->smin,
			 (unsigned long long)s->smax, s->u32_min, s->u32_max,
			 (uint32_t)s->s32_min, (uint32_t)s->s32_max,
			 (unsigned long long)s->var_off.value,
			 (unsigned long long)s->var_off.mask);
	bh_scalar_mark_unbounded(s);
	return -EFAULT;
}

/* ---- width changes ----------------------------------------------------- */

void bh_scalar_zext_32_to_64(struct bh_scalar *s)
{
	s->var_off = bh_tnum_subreg(s->var_off);
	s->umin = s->u32_min;
	s->umax = s->u32_max;
	/* Signed 32-bit bounds carry over only when both are non-negative;
	 * otherwise the zero-extended value is just some u32. */
	if (s->s32_min >= 0 && s->s32_max >= 0) {
		s->smin = s->s32_min;
		s->smax = s->s32_max;
	} else {
		s->smin = 0;
		s->smax = U32_MAX;
	}
}

void bh_scalar_coerce_to_size(struct bh_scalar *s, int size)
{
	uint64_t mask;

	if (size >= 8)
		return;
	s->var_off = bh_tnum_cast(s->var_off, (uint8_t)size);
	mask = (1ULL << (size * 8)) - 1;
	/* Truncation keeps the range only if no wrap happens inside it. */
	if ((s->umin & ~mask) == (s->umax & ~mask)) {
		s->umin &= mask;
		s->umax &= mask;
	} else {
		s->umin = 0;
		s->umax = mask;
	}
	s->smin = (int64_t)s->umin;
	s->smax = (int64_t)s->umax;
	if (size < 4)
		bh_scalar_mark_unbounded32(s);
	bh_scalar_sync(s);
}

static int64_t sext(uint64_t v, int size)
{
	switch (size) {
	case 1:
		return (int8_t)(uint8_t)v;
	case 2:
		return (int16_t)(uint16_t)v;
	default:
		return (int32_t)(uint32_t)v;
	}
}

void bh_scalar_coerce_to_size_sx(struct bh_scalar *s, int size)
{
	unsigned int bits = (unsigned int)size * 8;
	int64_t lo, hi, a, b;

	if (bh_tnum_is_const(s->var_off)) {
		bh_scalar_mark_const(s, (uint64_t)sext(s->var_off.value, size));
		return;
	}
	/* If smin and smax share the bits above the narrow type, the low
	 * parts are ordered; they stay ordered after sign extension when
	 * they are on the same side of the narrow sign bit. */
	if (((uint64_t)s->smin >> bits) == ((uint64_t)s->smax >> bits)) {
		a = sext((uint64_t)s->smin, size);
		b = sext((uint64_t)s->smax, size);
		lo = smin64(a, b);
		hi = smax64(a, b);
		if ((lo >= 0) == (hi >= 0)) {
			s->smin = lo;
			s->smax = hi;
			s->s32_min = (int32_t)lo;
			s->s32_max = (int32_t)hi;
			s->umin = (uint64_t)lo;
			s->umax = (uint64_t)hi;
			s->u32_min = (uint32_t)lo;
			s->u32_max = (uint32_t)hi;
			s->var_off = bh_tnum_range((uint64_t)lo, (uint64_t)hi);
			return;
		}
	}
	/* Otherwise: any value of the narrow signed type. */
	s->smin = s->s32_min = (int32_t)(-(1LL << (bits - 1)));
	s->smax = s->s32_max = (int32_t)((1LL << (bits - 1)) - 1);
	s->umin = 0;
	s->umax = U64_MAX;
	s->u32_min = 0;
	s->u32_max = U32_MAX;
	s->var_off = bh_tnum_unknown;
}

void bh_scalar_coerce_subreg_to_size_sx(struct bh_scalar *s, int size)
{
	unsigned int bits = (unsigned int)size * 8;
	int32_t lo, hi, a, b;

	/* The kernel tests the whole register for a constant here, not just
	 * the subregister; the 64-bit bounds are fixed by the zext after. */
	if (bh_tnum_is_const(s->var_off)) {
		uint64_t v = (uint64_t)sext(s->var_off.value, size);

		s->var_off = bh_tnum_const(v);
		s->s32_min = s->s32_max = (int32_t)(uint32_t)v;
		s->u32_min = s->u32_max = (uint32_t)v;
		return;
	}
	if (((uint32_t)s->s32_min >> bits) == ((uint32_t)s->s32_max >> bits)) {
		a = (int32_t)sext((uint32_t)s->s32_min, size);
		b = (int32_t)sext((uint32_t)s->s32_max, size);
		lo = smin32(a, b);
		hi = smax32(a, b);
		if ((lo >= 0) == (hi >= 0)) {
			s->s32_min = lo;
			s->s32_max = hi;
			s->u32_min = (uint32_t)lo;
			s->u32_max = (uint32_t)hi;
			s->var_off = bh_tnum_subreg(bh_tnum_range(
				(uint64_t)(int64_t)lo, (uint64_t)(int64_t)hi));
			return;
		}
	}
	s->s32_min = (int32_t)(-(1LL << (bits - 1)));
	s->s32_max = (int32_t)((1LL << (bits - 1)) - 1);
	s->u32_min = 0;
	s->u32_max = U32_MAX;
	s->var_off = bh_tnum_subreg(bh_tnum_unknown);
}

/* ---- ALU --------------------------------------------------------------- */

static void add32(struct bh_scalar *d, const struct bh_scalar *s)
{
	int32_t lo, hi;
	uint32_t ulo, uhi;
	bool lo_wrap, hi_wrap;

	if (__builtin_add_overflow(d->s32_min, s->s32_min, &lo) ||
	    __builtin_add_overflow(d->s32_max, s->s32_max, &hi)) {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
	} else {
		d->s32_min = lo;
		d->s32_max = hi;
	}
	/* If both ends wrap (or neither), every sum in between wrapped by
	 * the same amount and the interval survives. */
	lo_wrap = __builtin_add_overflow(d->u32_min, s->u32_min, &ulo);
	hi_wrap = __builtin_add_overflow(d->u32_max, s->u32_max, &uhi);
	if (!lo_wrap && hi_wrap) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	} else {
		d->u32_min = ulo;
		d->u32_max = uhi;
	}
}

static void add64(struct bh_scalar *d, const struct bh_scalar *s)
{
	int64_t lo, hi;
	uint64_t ulo, uhi;
	bool lo_wrap, hi_wrap;

	if (__builtin_add_overflow(d->smin, s->smin, &lo) ||
	    __builtin_add_overflow(d->smax, s->smax, &hi)) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = lo;
		d->smax = hi;
	}
	lo_wrap = __builtin_add_overflow(d->umin, s->umin, &ulo);
	hi_wrap = __builtin_add_overflow(d->umax, s->umax, &uhi);
	if (!lo_wrap && hi_wrap) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin = ulo;
		d->umax = uhi;
	}
}

static void sub32(struct bh_scalar *d, const struct bh_scalar *s)
{
	int32_t lo, hi;
	uint32_t ulo, uhi;
	bool lo_wrap, hi_wrap;

	if (__builtin_sub_overflow(d->s32_min, s->s32_max, &lo) ||
	    __builtin_sub_overflow(d->s32_max, s->s32_min, &hi)) {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
	} else {
		d->s32_min = lo;
		d->s32_max = hi;
	}
	lo_wrap = __builtin_sub_overflow(d->u32_min, s->u32_max, &ulo);
	hi_wrap = __builtin_sub_overflow(d->u32_max, s->u32_min, &uhi);
	if (lo_wrap && !hi_wrap) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	} else {
		d->u32_min = ulo;
		d->u32_max = uhi;
	}
}

static void sub64(struct bh_scalar *d, const struct bh_scalar *s)
{
	int64_t lo, hi;
	uint64_t ulo, uhi;
	bool lo_wrap, hi_wrap;

	if (__builtin_sub_overflow(d->smin, s->smax, &lo) ||
	    __builtin_sub_overflow(d->smax, s->smin, &hi)) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = lo;
		d->smax = hi;
	}
	lo_wrap = __builtin_sub_overflow(d->umin, s->umax, &ulo);
	hi_wrap = __builtin_sub_overflow(d->umax, s->umin, &uhi);
	if (lo_wrap && !hi_wrap) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin = ulo;
		d->umax = uhi;
	}
}

static void mul32(struct bh_scalar *d, const struct bh_scalar *s)
{
	int32_t p[4];
	uint32_t ulo, uhi;
	int i;

	if (__builtin_mul_overflow(d->u32_max, s->u32_max, &uhi) ||
	    __builtin_mul_overflow(d->u32_min, s->u32_min, &ulo)) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	} else {
		d->u32_min = ulo;
		d->u32_max = uhi;
	}
	/* Signed: the extremes are among the corner products. */
	if (__builtin_mul_overflow(d->s32_min, s->s32_min, &p[0]) ||
	    __builtin_mul_overflow(d->s32_min, s->s32_max, &p[1]) ||
	    __builtin_mul_overflow(d->s32_max, s->s32_min, &p[2]) ||
	    __builtin_mul_overflow(d->s32_max, s->s32_max, &p[3])) {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
		return;
	}
	d->s32_min = d->s32_max = p[0];
	for (i = 1; i < 4; i++) {
		d->s32_min = smin32(d->s32_min, p[i]);
		d->s32_max = smax32(d->s32_max, p[i]);
	}
}

static void mul64(struct bh_scalar *d, const struct bh_scalar *s)
{
	int64_t p[4];
	uint64_t ulo, uhi;
	int i;

	if (__builtin_mul_overflow(d->umax, s->umax, &uhi) ||
	    __builtin_mul_overflow(d->umin, s->umin, &ulo)) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin = ulo;
		d->umax = uhi;
	}
	if (__builtin_mul_overflow(d->smin, s->smin, &p[0]) ||
	    __builtin_mul_overflow(d->smin, s->smax, &p[1]) ||
	    __builtin_mul_overflow(d->smax, s->smin, &p[2]) ||
	    __builtin_mul_overflow(d->smax, s->smax, &p[3])) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
		return;
	}
	d->smin = d->smax = p[0];
	for (i = 1; i < 4; i++) {
		d->smin = smin64(d->smin, p[i]);
		d->smax = smax64(d->smax, p[i]);
	}
}

/*
 * The bitwise ops run after var_off already holds the result tnum; their
 * unsigned bounds come partly from it.  Signed bounds equal the unsigned
 * ones when the unsigned range stays on one side of the sign bit.
 */
static void signed_from_unsigned32(struct bh_scalar *d)
{
	if ((int32_t)d->u32_min <= (int32_t)d->u32_max) {
		d->s32_min = (int32_t)d->u32_min;
		d->s32_max = (int32_t)d->u32_max;
	} else {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
	}
}

static void signed_from_unsigned64(struct bh_scalar *d)
{
	if ((int64_t)d->umin <= (int64_t)d->umax) {
		d->smin = (int64_t)d->umin;
		d->smax = (int64_t)d->umax;
	} else {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	}
}

enum bitop { BITOP_AND, BITOP_OR, BITOP_XOR };

static void bitop32(struct bh_scalar *d, const struct bh_scalar *s,
		    enum bitop op)
{
	struct bh_tnum t = bh_tnum_subreg(d->var_off);

	if (bh_tnum_subreg_is_const(s->var_off) &&
	    bh_tnum_subreg_is_const(d->var_off)) {
		bh_scalar_mark_const32(d, (uint32_t)t.value);
		return;
	}
	switch (op) {
	case BITOP_AND:
		d->u32_min = (uint32_t)t.value;
		d->u32_max = umin32(d->u32_max, s->u32_max);
		break;
	case BITOP_OR:
		d->u32_min = umax32(d->u32_min, s->u32_min);
		d->u32_max = (uint32_t)(t.value | t.mask);
		break;
	case BITOP_XOR:
		d->u32_min = (uint32_t)t.value;
		d->u32_max = (uint32_t)(t.value | t.mask);
		break;
	}
	signed_from_unsigned32(d);
}

static void bitop64(struct bh_scalar *d, const struct bh_scalar *s,
		    enum bitop op)
{
	struct bh_tnum t = d->var_off;

	if (bh_tnum_is_const(s->var_off) && bh_tnum_is_const(t)) {
		bh_scalar_mark_const(d, t.value);
		return;
	}
	switch (op) {
	case BITOP_AND:
		d->umin = t.value;
		d->umax = umin64(d->umax, s->umax);
		break;
	case BITOP_OR:
		d->umin = umax64(d->umin, s->umin);
		d->umax = t.value | t.mask;
		break;
	case BITOP_XOR:
		d->umin = t.value;
		d->umax = t.value | t.mask;
		break;
	}
	signed_from_unsigned64(d);
	update_bounds(d);
}

/*
 * Left shift of the subregister bounds.  Used by both widths: a 64-bit
 * shift passes its 64-bit shift range, which makes the 32-bit view
 * unbounded for shifts of 32 or more.
 */
static void lsh32_bounds(struct bh_scalar *d, uint64_t smin_sh,
			 uint64_t smax_sh)
{
	d->s32_min = S32_MIN;
	d->s32_max = S32_MAX;
	if (smax_sh > 31 || d->u32_max > (1ULL << (31 - smax_sh))) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	} else {
		d->u32_min <<= smin_sh;
		d->u32_max <<= smax_sh;
	}
}

static void lsh64_bounds(struct bh_scalar *d, uint64_t smin_sh,
			 uint64_t smax_sh)
{
	/* "<<32 then s>>32" is how compilers sign-extend a subregister: the
	 * s32 range moves into the upper half exactly, sign included. */
	if (smin_sh == 32 && smax_sh == 32) {
		d->smax = (int64_t)((uint64_t)(int64_t)d->s32_max << 32);
		d->smin = (int64_t)((uint64_t)(int64_t)d->s32_min << 32);
	} else {
		d->smax = S64_MAX;
		d->smin = S64_MIN;
	}
	if (d->umax > (1ULL << (63 - smax_sh))) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin <<= smin_sh;
		d->umax <<= smax_sh;
	}
}

static void lsh32(struct bh_scalar *d, const struct bh_scalar *s)
{
	struct bh_tnum sub = bh_tnum_subreg(d->var_off);

	lsh32_bounds(d, s->u32_min, s->u32_max);
	d->var_off = bh_tnum_subreg(bh_tnum_lshift(sub, (uint8_t)s->u32_min));
	bh_scalar_mark_unbounded64(d);
	update_bounds32(d);
}

static void lsh64(struct bh_scalar *d, const struct bh_scalar *s)
{
	/* The 64-bit rule reads the unshifted 32-bit bounds: do it first. */
	lsh64_bounds(d, s->umin, s->umax);
	lsh32_bounds(d, s->umin, s->umax);
	d->var_off = bh_tnum_lshift(d->var_off, (uint8_t)s->umin);
	update_bounds(d);
}

static void rsh32(struct bh_scalar *d, const struct bh_scalar *s)
{
	struct bh_tnum sub = bh_tnum_subreg(d->var_off);

	/* Signed bounds are rebuilt from the unsigned ones and var_off. */
	d->s32_min = S32_MIN;
	d->s32_max = S32_MAX;
	d->var_off = bh_tnum_rshift(sub, (uint8_t)s->u32_min);
	d->u32_min >>= s->u32_max;
	d->u32_max >>= s->u32_min;
	bh_scalar_mark_unbounded64(d);
	update_bounds32(d);
}

static void rsh64(struct bh_scalar *d, const struct bh_scalar *s)
{
	d->smin = S64_MIN;
	d->smax = S64_MAX;
	d->var_off = bh_tnum_rshift(d->var_off, (uint8_t)s->umin);
	d->umin >>= s->umax;
	d->umax >>= s->umin;
	/* Bits shifted into the subregister come from the upper half. */
	bh_scalar_mark_unbounded32(d);
	update_bounds(d);
}

static void arsh32(struct bh_scalar *d, const struct bh_scalar *s)
{
	unsigned int sh = s->u32_min; /* a constant here */

	d->s32_min = sar_s32(d->s32_min, sh);
	d->s32_max = sar_s32(d->s32_max, sh);
	d->var_off =
		bh_tnum_arshift(bh_tnum_subreg(d->var_off), (uint8_t)sh, 32);
	d->u32_min = 0;
	d->u32_max = U32_MAX;
	bh_scalar_mark_unbounded64(d);
	update_bounds32(d);
}

static void arsh64(struct bh_scalar *d, const struct bh_scalar *s)
{
	unsigned int sh = (unsigned int)s->umin;

	d->smin = sar_s64(d->smin, sh);
	d->smax = sar_s64(d->smax, sh);
	d->var_off = bh_tnum_arshift(d->var_off, (uint8_t)sh, 64);
	d->umin = 0;
	d->umax = U64_MAX;
	bh_scalar_mark_unbounded32(d);
	update_bounds(d);
}

/*
 * is_safe_to_compute_dst_reg_range: shifts are tracked only by a constant
 * in range.  Note the range test uses the 64-bit umax even for ALU32.
 */
static bool is_computable(enum bh_alu_op op, const struct bh_scalar *src,
			  bool is64)
{
	bool src_const;

	switch (op) {
	case BH_ALU_ADD:
	case BH_ALU_SUB:
	case BH_ALU_NEG:
	case BH_ALU_AND:
	case BH_ALU_XOR:
	case BH_ALU_OR:
	case BH_ALU_MUL:
		return true;
	case BH_ALU_LSH:
	case BH_ALU_RSH:
	case BH_ALU_ARSH:
		if (is64)
			src_const = bh_tnum_is_const(src->var_off) &&
				    src->smin == src->smax &&
				    src->umin == src->umax;
		else
			src_const = bh_tnum_subreg_is_const(src->var_off) &&
				    src->s32_min == src->s32_max &&
				    src->u32_min == src->u32_max;
		return src_const && src->umax < (is64 ? 64u : 32u);
	default:
		return false;
	}
}

int bh_scalar_alu(struct bh_scalar *dst, const struct bh_scalar *src_in,
		  enum bh_alu_op op, bool is64)
{
	/* The kernel passes the source by value: dst may alias src. */
	struct bh_scalar src = *src_in, old;

	switch (op) {
	case BH_ALU_MOV:
		*dst = src;
		if (!is64) {
			bh_scalar_zext_32_to_64(dst);
			bh_scalar_sync(dst);
		}
		return 0;
	case BH_ALU_DIV:
	case BH_ALU_SDIV:
	case BH_ALU_MOD:
	case BH_ALU_SMOD:
		/* Not tracked in 6.18; the unknown result is not even
		 * zero-extended for ALU32. */
		bh_scalar_mark_unknown(dst);
		return 0;
	case BH_ALU_ADD:
	case BH_ALU_SUB:
	case BH_ALU_MUL:
	case BH_ALU_OR:
	case BH_ALU_AND:
	case BH_ALU_LSH:
	case BH_ALU_RSH:
	case BH_ALU_NEG:
	case BH_ALU_XOR:
	case BH_ALU_ARSH:
		break;
	default:
		return -EINVAL;
	}

	if (!is_computable(op, &src, is64)) {
		bh_scalar_mark_unknown(dst);
		return 0;
	}

	switch (op) {
	case BH_ALU_ADD:
		add32(dst, &src);
		add64(dst, &src);
		dst->var_off = bh_tnum_add(dst->var_off, src.var_off);
		break;
	case BH_ALU_SUB:
		sub32(dst, &src);
		sub64(dst, &src);
		dst->var_off = bh_tnum_sub(dst->var_off, src.var_off);
		break;
	case BH_ALU_NEG:
		old = *dst;
		bh_scalar_mark_const(dst, 0);
		sub32(dst, &old);
		sub64(dst, &old);
		dst->var_off = bh_tnum_neg(old.var_off);
		break;
	case BH_ALU_MUL:
		dst->var_off = bh_tnum_mul(dst->var_off, src.var_off);
		mul32(dst, &src);
		mul64(dst, &src);
		break;
	case BH_ALU_AND:
		dst->var_off = bh_tnum_and(dst->var_off, src.var_off);
		bitop32(dst, &src, BITOP_AND);
		bitop64(dst, &src, BITOP_AND);
		break;
	case BH_ALU_OR:
		dst->var_off = bh_tnum_or(dst->var_off, src.var_off);
		bitop32(dst, &src, BITOP_OR);
		bitop64(dst, &src, BITOP_OR);
		break;
	case BH_ALU_XOR:
		dst->var_off = bh_tnum_xor(dst->var_off, src.var_off);
		bitop32(dst, &src, BITOP_XOR);
		bitop64(dst, &src, BITOP_XOR);
		break;
	case BH_ALU_LSH:
		if (is64)
			lsh64(dst, &src);
		else
			lsh32(dst, &src);
		break;
	case BH_ALU_RSH:
		if (is64)
			rsh64(dst, &src);
		else
			rsh32(dst, &src);
		break;
	case BH_ALU_ARSH:
		if (is64)
			arsh64(dst, &src);
		else
			arsh32(dst, &src);
		break;
	default:
		break;
	}
	if (!is64)
		bh_scalar_zext_32_to_64(dst);
	bh_scalar_sync(dst);
	return 0;
}

bool bh_scalar_fork_neg1_zero(struct bh_scalar *dst, struct bh_scalar *zero,
			      const struct bh_scalar *src, enum bh_alu_op op)
{
	/* "x s>> 63; x &= K" is how compilers write "x < 0 ? K : 0"; one
	 * path per value keeps K exact where the ranges would blur it. */
	if ((op != BH_ALU_AND && op != BH_ALU_OR) ||
	    !bh_tnum_is_const(src->var_off))
		return false;
	if (dst->smin == -1 && dst->smax == 0) {
		*zero = *dst;
		bh_scalar_mark_const(zero, 0);
		bh_scalar_mark_const(dst, ~0ULL);
		return true;
	}
	if (dst->s32_min == -1 && dst->s32_max == 0) {
		*zero = *dst;
		bh_scalar_mark_const32(zero, 0);
		bh_scalar_mark_const32(dst, ~0U);
		return true;
	}
	return false;
}

int bh_scalar_movsx(struct bh_scalar *dst, const struct bh_scalar *src,
		    int bits, bool is64)
{
	if (bits != 8 && bits != 16 && (bits != 32 || !is64))
		return -EINVAL;
	*dst = *src;
	if (is64) {
		/* The kernel does not sync after a 64-bit MOVSX. */
		bh_scalar_coerce_to_size_sx(dst, bits / 8);
		return 0;
	}
	bh_scalar_coerce_subreg_to_size_sx(dst, bits / 8);
	bh_scalar_zext_32_to_64(dst);
	bh_scalar_sync(dst);
	return 0;
}

int bh_scalar_end(struct bh_scalar *dst, enum bh_end_kind kind, int width)
{
	/* This host is little-endian: TO_LE never swaps. */
	bool swap = kind != BH_END_TO_LE;

	if (width != 16 && width != 32 && width != 64)
		return -EINVAL;
	if (swap) {
		if (width == 16)
			dst->var_off = bh_tnum_bswap16(dst->var_off);
		else if (width == 32)
			dst->var_off = bh_tnum_bswap32(dst->var_off);
		else
			dst->var_off = bh_tnum_bswap64(dst->var_off);
		/* Swapping scrambles ranges; rebuild them from the tnum. */
		bh_scalar_mark_unbounded(dst);
	}
	if (width < 64)
		bh_scalar_coerce_to_size(dst, width / 8);
	bh_scalar_sync(dst);
	return 0;
}

/* ---- pruning ----------------------------------------------------------- */

bool bh_scalar_range_within(const struct bh_scalar *old,
			    const struct bh_scalar *cur)
{
	return old->umin <= cur->umin && old->umax >= cur->umax &&
	       old->smin <= cur->smin && old->smax >= cur->smax &&
	       old->u32_min <= cur->u32_min && old->u32_max >= cur->u32_max &&
	       old->s32_min <= cur->s32_min && old->s32_max >= cur->s32_max;
}

bool bh_scalar_is_subsumed(const struct bh_scalar *old,
			   const struct bh_scalar *cur)
{
	return bh_scalar_range_within(old, cur) &&
	       bh_tnum_in(old->var_off, cur->var_off);
}
