// SPDX-License-Identifier: BSD-2-Clause
/*
 * A scalar as the kernel's verifier log prints it (print_scalar_ranges):
 * only bounds that differ from "unbounded", equal values merged with '=',
 * small magnitudes in decimal and the rest in hex.  Output is truncated
 * like snprintf and the return value is the untruncated length.
 */
#include "verifier/scalar.h"
#include "verifier/scalar_internal.h"

#include <stdio.h>

/* ---- printing ---------------------------------------------------------- */

/* The log prints magnitudes up to 16 bits in decimal, the rest in hex. */
static bool is_unum_decimal(uint64_t v)
{
	return v <= 0xffff;
}

static bool is_snum_decimal(int64_t v)
{
	return v >= -32768 && v <= 32767;
}

int bh_scalar_print_unum(char *buf, size_t size, uint64_t v)
{
	if (is_unum_decimal(v))
		return snprintf(buf, size, "%llu", (unsigned long long)v);
	return snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

int bh_scalar_print_snum(char *buf, size_t size, int64_t v)
{
	if (is_snum_decimal(v))
		return snprintf(buf, size, "%lld", (long long)v);
	return snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

/* Where the next piece goes: NULL with size 0 once the buffer is full, so
 * snprintf just counts and the total matches an untruncated print. */
static char *at(char *buf, size_t size, int len)
{
	return (size_t)len < size ? buf + len : NULL;
}

static size_t left(size_t size, int len)
{
	return (size_t)len < size ? size - (size_t)len : 0;
}

int bh_scalar_print_bounds(char *buf, size_t size, const struct bh_scalar *s)
{
	struct item {
		const char *name;
		uint64_t val;
		bool omit;
	} it[8] = {
		{"smin", (uint64_t)s->smin, s->smin == S64_MIN},
		{"smax", (uint64_t)s->smax, s->smax == S64_MAX},
		{"umin", s->umin, s->umin == 0},
		{"umax", s->umax, s->umax == U64_MAX},
		/* A 32-bit signed bound printed in hex is shown as its u32
		 * pattern, so it is never merged with a sign-extended 64-bit
		 * one of a different value. */
		{"smin32",
		 is_snum_decimal(s->s32_min) ? (uint64_t)(int64_t)s->s32_min
					     : (uint64_t)(uint32_t)s->s32_min,
		 s->s32_min == S32_MIN},
		{"smax32",
		 is_snum_decimal(s->s32_max) ? (uint64_t)(int64_t)s->s32_max
					     : (uint64_t)(uint32_t)s->s32_max,
		 s->s32_max == S32_MAX},
		{"umin32", s->u32_min, s->u32_min == 0},
		{"umax32", s->u32_max, s->u32_max == U32_MAX},
	};
	const char *sep = "";
	char tn[48];
	int len = 0, i, j;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		bool neg = it[i].name[0] == 's' && (int64_t)it[i].val < 0;

		if (it[i].omit)
			continue;
		len += snprintf(at(buf, size, len), left(size, len),
				"%s%s=", sep, it[i].name);
		sep = ",";
		/* Mins merge with mins, maxes with maxes; a negative signed
		 * value never merges with a non-negative one. */
		for (j = i + 2; j < 8; j += 2) {
			bool neg2 =
				it[j].name[0] == 's' && (int64_t)it[j].val < 0;

			if (it[j].omit || it[j].val != it[i].val || neg != neg2)
				continue;
			it[j].omit = true;
			len += snprintf(at(buf, size, len), left(size, len),
					"%s=", it[j].name);
		}
		if (it[i].name[0] == 's')
			len += bh_scalar_print_snum(at(buf, size, len),
						    left(size, len),
						    (int64_t)it[i].val);
		else
			len += bh_scalar_print_unum(at(buf, size, len),
						    left(size, len), it[i].val);
	}
	if (!bh_tnum_is_unknown(s->var_off)) {
		bh_tnum_strn(tn, sizeof(tn), s->var_off);
		len += snprintf(at(buf, size, len), left(size, len),
				"%svar_off=%s", sep, tn);
	}
	return len;
}

int bh_scalar_print(char *buf, size_t size, const struct bh_scalar *s)
{
	int len, n;

	if (bh_tnum_is_const(s->var_off))
		return bh_scalar_print_snum(buf, size,
					    (int64_t)s->var_off.value);
	len = snprintf(buf, size, "scalar(");
	n = bh_scalar_print_bounds(at(buf, size, len), left(size, len), s);
	len += n;
	len += snprintf(at(buf, size, len), left(size, len), ")");
	return len;
}
