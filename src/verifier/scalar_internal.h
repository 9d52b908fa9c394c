// SPDX-License-Identifier: BSD-2-Clause
/*
 * Private helpers shared by the scalar domain's files (scalar.c,
 * scalar_branch.c, scalar_print.c): the kernel's limit names and typed
 * min/max, so each rule reads like the bound it computes.
 */
#ifndef BPFHOST_VERIFIER_SCALAR_INTERNAL_H
#define BPFHOST_VERIFIER_SCALAR_INTERNAL_H

#include <stdint.h>

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define U64_MAX UINT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

static inline int64_t smax64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static inline int64_t smin64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t umax64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline uint64_t umin64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline int32_t smax32(int32_t a, int32_t b)
{
	return a > b ? a : b;
}

static inline int32_t smin32(int32_t a, int32_t b)
{
	return a < b ? a : b;
}

static inline uint32_t umax32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static inline uint32_t umin32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Arithmetic shift right on a signed value, defined for negatives. */
static inline int64_t sar_s64(int64_t v, unsigned int shift)
{
	uint64_t u = (uint64_t)v;

	if (shift && (u >> 63))
		u = (u >> shift) | ~(~0ULL >> shift);
	else
		u >>= shift;
	return (int64_t)u;
}

static inline int32_t sar_s32(int32_t v, unsigned int shift)
{
	uint32_t u = (uint32_t)v;

	if (shift && (u >> 31))
		u = (u >> shift) | ~(~0U >> shift);
	else
		u >>= shift;
	return (int32_t)u;
}

#endif
