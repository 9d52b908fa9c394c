// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of the scalar value domain (src/verifier/tnum.c, scalar.c):
 * exact results observed on the Linux 6.18 kernel, print formats, a
 * soundness property test over random abstract values (every concrete
 * result of every op lies in the abstract result), and, where bpf() is
 * permitted, a differential test that loads random straight-line programs
 * into the running kernel (log level 2, never run) and compares each
 * register state it prints with ours.
 */
#include "harness.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "verifier/scalar.h"
#include "verifier/tnum.h"

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic across runs and platforms */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* Values near the interesting boundaries, small numbers and bit masks. */
static uint64_t rnd_value(void)
{
	static const uint64_t edges[] = {
		0,
		1,
		2,
		3,
		7,
		8,
		0xff,
		0x100,
		0x7fff,
		0x8000,
		0xffff,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x100000000ULL,
		0x7fffffffffffffffULL,
		0x8000000000000000ULL,
		0xffffffffffffff00ULL,
		~0ULL,
	};
	uint64_t e;

	switch (rnd_below(6)) {
	case 0:
		return rnd_below(64);
	case 1:
		return (uint64_t) - (int64_t)rnd_below(64);
	case 2:
		e = edges[rnd_below(sizeof(edges) / sizeof(edges[0]))];
		return e + rnd_below(5) - 2;
	case 3:
		e = rnd();
		return e & ((1ULL << rnd_below(64)) - 1);
	case 4:
		return (uint64_t)(int64_t)(int32_t)rnd();
	default:
		return rnd();
	}
}

static const char *show(const struct bh_scalar *s)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ & 3];

	snprintf(b, 256,
		 "var_off=(%#llx;%#llx) s64=[%lld,%lld] u64=[%#llx,%#llx] "
		 "s32=[%d,%d] u32=[%#x,%#x]",
		 (unsigned long long)s->var_off.value,
		 (unsigned long long)s->var_off.mask, (long long)s->smin,
		 (long long)s->smax, (unsigned long long)s->umin,
		 (unsigned long long)s->umax, s->s32_min, s->s32_max,
		 s->u32_min, s->u32_max);
	return b;
}

static struct bh_scalar range64(uint64_t umin, uint64_t umax)
{
	struct bh_scalar s = bh_scalar_unknown();

	s.umin = umin;
	s.umax = umax;
	bh_scalar_sync(&s);
	return s;
}

static const char *pr(const struct bh_scalar *s)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ & 3];

	bh_scalar_print(b, 256, s);
	return b;
}

/* ---- tnum --------------------------------------------------------------- */

TEST(tnum_basics)
{
	struct bh_tnum t;
	char buf[80];

	t = bh_tnum_range(4, 7);
	CHECK_U64(t.value, 4);
	CHECK_U64(t.mask, 3);
	t = bh_tnum_range(0, 10);
	CHECK_U64(t.value, 0);
	CHECK_U64(t.mask, 0xf);
	CHECK(bh_tnum_is_unknown(bh_tnum_range(0, ~0ULL)));
	CHECK(bh_tnum_is_const(bh_tnum_range(9, 9)));

	t = bh_tnum_add(BH_TNUM(0, 3), bh_tnum_const(1));
	CHECK_U64(t.value, 0);
	CHECK_U64(t.mask, 7);
	t = bh_tnum_mul(BH_TNUM(0, 0xf), bh_tnum_const(3));
	CHECK_U64(t.value, 0);
	CHECK_U64(t.mask, 0x3f);
	t = bh_tnum_arshift(BH_TNUM(0x80000000, 0x40000000), 4, 32);
	CHECK_U64(t.value, 0xf8000000);
	CHECK_U64(t.mask, 0x04000000);
	t = bh_tnum_arshift(BH_TNUM(0, 1ULL << 63), 3, 64);
	CHECK_U64(t.mask, 0xfULL << 60);
	t = bh_tnum_bswap32(BH_TNUM(0, 0xff));
	CHECK_U64(t.mask, 0xff000000);

	CHECK(bh_tnum_in(BH_TNUM(0, 0xff), bh_tnum_const(0x12)));
	CHECK(!bh_tnum_in(BH_TNUM(0, 0xff), bh_tnum_const(0x100)));
	CHECK(!bh_tnum_in(bh_tnum_const(1), BH_TNUM(0, 1)));
	CHECK(!bh_tnum_overlap(BH_TNUM(0, 0xfe), bh_tnum_const(3)));
	CHECK(bh_tnum_overlap(BH_TNUM(0, 0xfe), bh_tnum_const(2)));
	CHECK(bh_tnum_is_aligned(BH_TNUM(8, 0x30), 8));
	CHECK(!bh_tnum_is_aligned(BH_TNUM(8, 0x34), 8));

	t = bh_tnum_with_subreg(BH_TNUM(0x100000000ULL, 0xff),
				bh_tnum_const(7));
	CHECK_U64(t.value, 0x100000007ULL);
	CHECK_U64(t.mask, 0);

	bh_tnum_strn(buf, sizeof(buf), BH_TNUM(4, 0xfffffffffffffffbULL));
	CHECK_STR(buf, "(0x4; 0xfffffffffffffffb)");
	bh_tnum_strn(buf, sizeof(buf), BH_TNUM(0, 0xff));
	CHECK_STR(buf, "(0x0; 0xff)");
	bh_tnum_sbin(buf, sizeof(buf), BH_TNUM(5, 2));
	CHECK_STR(buf + 60, "01x1");
}

/* Exhaustive soundness of the binary tnum ops on all 4-bit tnums. */
TEST(tnum_ops_sound_4bit)
{
	struct bh_tnum all[81];
	int n = 0, i, j;
	uint64_t v, m, x, y;

	for (m = 0; m < 16; m++)
		for (v = 0; v < 16; v++)
			if (!(v & m))
				all[n++] = BH_TNUM(v, m);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct bh_tnum a = all[i], b = all[j];
			struct bh_tnum r[8] = {
				bh_tnum_add(a, b),   bh_tnum_sub(a, b),
				bh_tnum_mul(a, b),   bh_tnum_and(a, b),
				bh_tnum_or(a, b),    bh_tnum_xor(a, b),
				bh_tnum_union(a, b), bh_tnum_neg(a),
			};
			int k;

			for (k = 0; k < 8; k++)
				CHECK(!(r[k].value & r[k].mask));
			for (x = 0; x < 16; x++) {
				if (!bh_tnum_contains(a, x))
					continue;
				CHECK(bh_tnum_contains(r[7], -x));
				for (y = 0; y < 16; y++) {
					if (!bh_tnum_contains(b, y))
						continue;
					CHECK(bh_tnum_contains(r[0], x + y));
					CHECK(bh_tnum_contains(r[1], x - y));
					CHECK(bh_tnum_contains(r[2], x * y));
					CHECK(bh_tnum_contains(r[3], x & y));
					CHECK(bh_tnum_contains(r[4], x | y));
					CHECK(bh_tnum_contains(r[5], x ^ y));
					CHECK(bh_tnum_contains(r[6], x));
					CHECK(bh_tnum_contains(r[6], y));
					CHECK(bh_tnum_overlap(a, b) || x != y);
					if (x == y)
						CHECK(bh_tnum_contains(
							bh_tnum_intersect(a, b),
							x));
				}
			}
		}
	}
}

/* ---- exact kernel results ([K] in VERIFIER-CORE.md and probes) ---------- */

TEST(kernel_alu_examples)
{
	struct bh_scalar r, k;

	/* r1 &= 0xff; r1 |= 0x100 */
	r = bh_scalar_unknown();
	k = bh_scalar_const(0xff);
	bh_scalar_alu(&r, &k, BH_ALU_AND, true);
	CHECK_STR(pr(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,"
			  "var_off=(0x0; 0xff))");
	k = bh_scalar_const(0x100);
	bh_scalar_alu(&r, &k, BH_ALU_OR, true);
	CHECK_STR(pr(&r), "scalar(smin=umin=smin32=umin32=256,smax=umax="
			  "smax32=umax32=511,var_off=(0x100; 0xff))");

	/* [0,255] << 60 */
	r = range64(0, 255);
	k = bh_scalar_const(60);
	bh_scalar_alu(&r, &k, BH_ALU_LSH, true);
	CHECK_U64(r.umax, 0xf000000000000000ULL);
	CHECK_U64(r.smax, 0x7000000000000000ULL);
	CHECK_U64(r.var_off.mask, 0xf000000000000000ULL);

	/* [0,255] >> 4 */
	r = range64(0, 255);
	k = bh_scalar_const(4);
	bh_scalar_alu(&r, &k, BH_ALU_RSH, true);
	CHECK_U64(r.umax, 15);
	CHECK_EQ(r.smax, 15);

	/* [-3,4] * [-1,2] */
	r = bh_scalar_unknown();
	r.smin = -3;
	r.smax = 4;
	bh_scalar_sync(&r);
	k = bh_scalar_unknown();
	k.smin = -1;
	k.smax = 2;
	bh_scalar_sync(&k);
	bh_scalar_alu(&r, &k, BH_ALU_MUL, true);
	CHECK_EQ(r.smin, -6);
	CHECK_EQ(r.smax, 8);

	/* [0,15] * 3 */
	r = range64(0, 15);
	k = bh_scalar_const(3);
	bh_scalar_alu(&r, &k, BH_ALU_MUL, true);
	CHECK_U64(r.umax, 45);
	CHECK_U64(r.var_off.mask, 0x3f);

	/* [U64_MAX-15, U64_MAX] + 32: both ends wrap, interval kept */
	r = range64(0xfffffffffffffff0ULL, ~0ULL);
	k = bh_scalar_const(32);
	bh_scalar_alu(&r, &k, BH_ALU_ADD, true);
	CHECK_U64(r.umin, 16);
	CHECK_U64(r.umax, 31);

	/* 0 - [-20,-5] */
	r = bh_scalar_const(0);
	k = bh_scalar_unknown();
	k.smin = -20;
	k.smax = -5;
	bh_scalar_sync(&k);
	bh_scalar_alu(&r, &k, BH_ALU_SUB, true);
	CHECK_U64(r.umin, 5);
	CHECK_U64(r.umax, 20);

	/* neg [0,255] */
	r = range64(0, 255);
	bh_scalar_alu(&r, &r, BH_ALU_NEG, true);
	CHECK_EQ(r.smin, -255);
	CHECK_EQ(r.smax, 0);

	/* w4 += 1 on unknown; w4 = w0 */
	r = bh_scalar_unknown();
	k = bh_scalar_const(1);
	bh_scalar_alu(&r, &k, BH_ALU_ADD, false);
	CHECK_U64(r.umax, 0xffffffff);
	r = bh_scalar_unknown();
	bh_scalar_alu(&r, &r, BH_ALU_MOV, false);
	CHECK_STR(pr(&r), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; "
			  "0xffffffff))");

	/* div and mod are never tracked, even on constants, at any width */
	r = bh_scalar_const(100);
	k = bh_scalar_const(3);
	bh_scalar_alu(&r, &k, BH_ALU_DIV, true);
	CHECK_STR(pr(&r), "scalar()");
	r = bh_scalar_const(100);
	bh_scalar_alu(&r, &k, BH_ALU_MOD, false);
	CHECK_STR(pr(&r), "scalar()");

	/* shift by a non-constant amount */
	r = range64(0, 255);
	k = range64(0, 3);
	bh_scalar_alu(&r, &k, BH_ALU_LSH, true);
	CHECK(bh_scalar_is_unknown(&r));
}

TEST(kernel_end_movsx_examples)
{
	struct bh_scalar r, s;

	/* bswap32 of [0,255] */
	r = range64(0, 255);
	bh_scalar_end(&r, BH_END_BSWAP, 32);
	CHECK_STR(pr(&r), "scalar(smin=0,smax=umax=umax32=0xff000000,smax32="
			  "0x7f000000,var_off=(0x0; 0xff000000))");
	/* be64 of [0,255]: no zero-extension although the class is ALU */
	r = range64(0, 255);
	bh_scalar_end(&r, BH_END_TO_BE, 64);
	CHECK_STR(
		pr(&r),
		"scalar(smax=0x7f00000000000000,umax=0xff00000000000000,"
		"smin32=0,smax32=umax32=0,var_off=(0x0; 0xff00000000000000))");
	/* le64/le16 of [0,255] unchanged; be16 0x1234 */
	r = range64(0, 255);
	bh_scalar_end(&r, BH_END_TO_LE, 64);
	CHECK_STR(pr(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,"
			  "var_off=(0x0; 0xff))");
	bh_scalar_end(&r, BH_END_TO_LE, 16);
	CHECK_U64(r.umax, 255);
	r = bh_scalar_const(0x1234);
	bh_scalar_end(&r, BH_END_TO_BE, 16);
	CHECK_STR(pr(&r), "13330");

	/* (s8) of [-200, 55] */
	s = bh_scalar_unknown();
	s.smin = -200;
	s.smax = 55;
	bh_scalar_sync(&s);
	bh_scalar_movsx(&r, &s, 8, true);
	CHECK_EQ(r.smin, -128);
	CHECK_EQ(r.smax, 127);
	/* r3 = (s32)r1 on [0, 0xffff] keeps the range */
	s = range64(0, 0xffff);
	bh_scalar_movsx(&r, &s, 32, true);
	CHECK_EQ(r.smin, 0);
	CHECK_U64(r.umax, 0xffff);
	/* w2 = (s16)w1 on [0, 0xffff] */
	bh_scalar_movsx(&r, &s, 16, false);
	CHECK_EQ(r.s32_min, -32768);
	CHECK_EQ(r.s32_max, 32767);
	CHECK_U64(r.umax, 0xffffffff);
	CHECK_EQ(r.smin, 0);
}

TEST(kernel_branch_examples)
{
	struct bh_scalar r, k;

	/* if w1 > 10, fall-through on unknown r1 */
	r = bh_scalar_unknown();
	k = bh_scalar_const(10);
	bh_scalar_refine_cond(&r, &k, bh_jmp_rev(BH_JGT), true);
	CHECK_STR(
		pr(&r),
		"scalar(smax=0x7fffffff0000000a,umax=0xffffffff0000000a,"
		"smin32=0,smax32=umax32=10,var_off=(0x0; 0xffffffff0000000f))");
	/* then r2 += 1 */
	k = bh_scalar_const(1);
	bh_scalar_alu(&r, &k, BH_ALU_ADD, true);
	CHECK_STR(pr(&r), "scalar(smin=0x8000000000000001,smax="
			  "0x7fffffff0000000b,umin=smin32=umin32=1,umax="
			  "0xffffffff0000000b,smax32=umax32=11,var_off=(0x0; "
			  "0xffffffff0000000f))");
	/* taken side of the same jump */
	r = bh_scalar_unknown();
	k = bh_scalar_const(10);
	bh_scalar_refine_cond(&r, &k, BH_JGT, true);
	CHECK_STR(pr(&r), "scalar(smin=0x800000000000000b,umin=umin32=11)");

	/* if r1 > 100 fall-through */
	r = bh_scalar_unknown();
	k = bh_scalar_const(100);
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JGT, false), -1);
	bh_scalar_refine_cond(&r, &k, BH_JLE, false);
	CHECK_STR(pr(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=100,"
			  "var_off=(0x0; 0x7f))");
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JGT, false), 0);
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JLE, false), 1);

	/* r1 &= 0xfe; if r1 == 3: never (tnums disagree on bit 0) */
	r = range64(0, 255);
	k = bh_scalar_const(0xfe);
	bh_scalar_alu(&r, &k, BH_ALU_AND, true);
	k = bh_scalar_const(3);
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JEQ, false), 0);
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JNE, false), 1);
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JSET, false), -1);
	k = bh_scalar_const(1);
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JSET, false), 0);
	CHECK_EQ(bh_scalar_branch_taken(&r, &k, BH_JNSET, false), 1);
}

TEST(sanity_and_pruning)
{
	struct bh_scalar r = bh_scalar_unknown(), old, cur;
	char msg[256];

	CHECK(bh_scalar_invariant_violation(&r) == NULL);
	r.umin = 5;
	r.umax = 4;
	CHECK_STR(bh_scalar_invariant_violation(&r), "range bounds violation");
	CHECK_EQ(bh_scalar_check_sanity(&r, "alu", msg, sizeof(msg)), -EFAULT);
	CHECK_CONTAINS(msg, "REG INVARIANTS VIOLATION (alu): range bounds "
			    "violation u64=[0x5, 0x4]");
	CHECK(bh_scalar_is_unknown(&r));
	r = bh_scalar_const(7);
	r.umax = 8;
	CHECK_STR(bh_scalar_invariant_violation(&r),
		  "const tnum out of sync with range bounds");

	old = range64(0, 100);
	cur = range64(10, 20);
	CHECK(bh_scalar_range_within(&old, &cur));
	CHECK(bh_scalar_is_subsumed(&old, &cur));
	CHECK(!bh_scalar_range_within(&cur, &old));
	cur = bh_scalar_const(64);
	CHECK(bh_scalar_is_subsumed(&old, &cur));
	/* within the range but not the tnum: (0x0; 0x7f) lacks 128 */
	old = range64(0, 127);
	old.umax = 200; /* widen the ranges only */
	old.smax = 200;
	old.u32_max = 200;
	old.s32_max = 200;
	cur = bh_scalar_const(128);
	CHECK(bh_scalar_range_within(&old, &cur));
	CHECK(!bh_scalar_is_subsumed(&old, &cur));
}

/* ---- print format -------------------------------------------------------- */

TEST(print_format)
{
	struct bh_scalar r;
	char buf[256], small[8];
	int n;

	CHECK_STR(pr(&(struct bh_scalar){0}), "0");
	r = bh_scalar_const(65535);
	CHECK_STR(pr(&r), "0xffff");
	r = bh_scalar_const(32767);
	CHECK_STR(pr(&r), "32767");
	r = bh_scalar_const(32768);
	CHECK_STR(pr(&r), "0x8000");
	r = bh_scalar_const((uint64_t)-32768);
	CHECK_STR(pr(&r), "-32768");
	r = bh_scalar_const((uint64_t)-32769);
	CHECK_STR(pr(&r), "0xffffffffffff7fff");
	r = bh_scalar_unknown();
	CHECK_STR(pr(&r), "scalar()");
	bh_scalar_print_bounds(buf, sizeof(buf), &r);
	CHECK_STR(buf, "");

	/* umin alone: decimal up to 65535 */
	r = bh_scalar_unknown();
	r.umin = 40000;
	bh_scalar_sync(&r);
	CHECK_STR(pr(&r), "scalar(umin=40000)");
	r.umin = 65535;
	CHECK_STR(pr(&r), "scalar(umin=65535)");
	r.umin = 65536;
	CHECK_STR(pr(&r), "scalar(umin=0x10000)");
	/* a negative s32 bound in hex prints as its u32 pattern */
	r = bh_scalar_unknown();
	r.s32_min = -40000;
	CHECK_STR(pr(&r), "scalar(smin32=0xffff63c0)");
	/* r &= 0xffff; r -= 0x8000 */
	r = range64(0, 0xffff);
	CHECK_STR(pr(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32="
			  "0xffff,var_off=(0x0; 0xffff))");
	bh_scalar_alu(&r, &(struct bh_scalar){0}, BH_ALU_ADD, true);
	{
		struct bh_scalar k = bh_scalar_const(0x8000);

		bh_scalar_alu(&r, &k, BH_ALU_SUB, true);
	}
	CHECK_STR(pr(&r), "scalar(smin=smin32=-32768,smax=smax32=32767)");

	/* truncation behaves like snprintf */
	r = range64(0, 255);
	n = bh_scalar_print(small, sizeof(small), &r);
	CHECK_EQ(n, (int)strlen(pr(&r)));
	CHECK_STR(small, "scalar(");
}

/* ---- soundness property ---------------------------------------------------
 */

/* A random abstract value: the abstraction of a random concrete set. */
static struct bh_scalar rnd_abstract(uint64_t *members, int *nmem)
{
	struct bh_scalar s;
	int n = 1 + (int)rnd_below(4), i;
	uint64_t base = rnd_value();

	for (i = 0; i < n; i++) {
		uint64_t x;

		switch (rnd_below(3)) {
		case 0:
			x = base + rnd_below(300);
			break;
		case 1:
			x = rnd();
			x = base ^ (x & ((1ULL << rnd_below(40)) - 1));
			break;
		default:
			x = rnd_value();
		}
		members[i] = x;
	}
	*nmem = n;
	s.var_off = bh_tnum_const(members[0]);
	s.smin = s.smax = (int64_t)members[0];
	s.umin = s.umax = members[0];
	s.s32_min = s.s32_max = (int32_t)members[0];
	s.u32_min = s.u32_max = (uint32_t)members[0];
	for (i = 1; i < n; i++) {
		uint64_t x = members[i];

		s.var_off = bh_tnum_union(s.var_off, bh_tnum_const(x));
		if ((int64_t)x < s.smin)
			s.smin = (int64_t)x;
		if ((int64_t)x > s.smax)
			s.smax = (int64_t)x;
		if (x < s.umin)
			s.umin = x;
		if (x > s.umax)
			s.umax = x;
		if ((int32_t)x < s.s32_min)
			s.s32_min = (int32_t)x;
		if ((int32_t)x > s.s32_max)
			s.s32_max = (int32_t)x;
		if ((uint32_t)x < s.u32_min)
			s.u32_min = (uint32_t)x;
		if ((uint32_t)x > s.u32_max)
			s.u32_max = (uint32_t)x;
	}
	/* Sometimes forget a view, as real states do. */
	if (rnd_below(4) == 0)
		s.var_off = bh_tnum_unknown;
	if (rnd_below(4) == 0)
		bh_scalar_mark_unbounded32(&s);
	if (rnd_below(4) == 0)
		bh_scalar_mark_unbounded64(&s);
	bh_scalar_sync(&s);
	return s;
}

/* A possible value of s: a known member, or a random member of the tnum
 * that passes all the ranges. */
static uint64_t pick(const struct bh_scalar *s, const uint64_t *members, int n)
{
	int tries;

	for (tries = 0; tries < 4 && rnd_below(2); tries++) {
		uint64_t x = s->var_off.value | (rnd() & s->var_off.mask);

		if (bh_scalar_contains(s, x))
			return x;
	}
	return members[rnd_below((uint64_t)n)];
}

static uint64_t sx(uint64_t v, int bits)
{
	uint64_t m = 1ULL << (bits - 1);

	v &= bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	return (v ^ m) - m;
}

/* The BPF ISA's ALU semantics (RFC 9669). */
static uint64_t alu_concrete(enum bh_alu_op op, uint64_t a, uint64_t b,
			     bool is64)
{
	uint64_t r;

	if (!is64) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b, z = 0;

		switch (op) {
		case BH_ALU_ADD:
			z = x + y;
			break;
		case BH_ALU_SUB:
			z = x - y;
			break;
		case BH_ALU_MUL:
			z = x * y;
			break;
		case BH_ALU_DIV:
			z = y ? x / y : 0;
			break;
		case BH_ALU_SDIV:
			z = !y ? 0
			    : ((int32_t)y == -1)
				    ? -x
				    : (uint32_t)((int32_t)x / (int32_t)y);
			break;
		case BH_ALU_MOD:
			z = y ? x % y : x;
			break;
		case BH_ALU_SMOD:
			z = !y ? x
			    : ((int32_t)y == -1)
				    ? 0
				    : (uint32_t)((int32_t)x % (int32_t)y);
			break;
		case BH_ALU_OR:
			z = x | y;
			break;
		case BH_ALU_AND:
			z = x & y;
			break;
		case BH_ALU_XOR:
			z = x ^ y;
			break;
		case BH_ALU_LSH:
			z = x << (y & 31);
			break;
		case BH_ALU_RSH:
			z = x >> (y & 31);
			break;
		case BH_ALU_ARSH:
			z = (uint32_t)sx(x >> (y & 31), 32 - (y & 31));
			break;
		case BH_ALU_NEG:
			z = -x;
			break;
		case BH_ALU_MOV:
			z = y;
			break;
		default:
			break;
		}
		return z;
	}
	switch (op) {
	case BH_ALU_ADD:
		return a + b;
	case BH_ALU_SUB:
		return a - b;
	case BH_ALU_MUL:
		return a * b;
	case BH_ALU_DIV:
		return b ? a / b : 0;
	case BH_ALU_SDIV:
		if (!b)
			return 0;
		if ((int64_t)b == -1)
			return -a;
		return (uint64_t)((int64_t)a / (int64_t)b);
	case BH_ALU_MOD:
		return b ? a % b : a;
	case BH_ALU_SMOD:
		if (!b)
			return a;
		if ((int64_t)b == -1)
			return 0;
		return (uint64_t)((int64_t)a % (int64_t)b);
	case BH_ALU_OR:
		return a | b;
	case BH_ALU_AND:
		return a & b;
	case BH_ALU_XOR:
		return a ^ b;
	case BH_ALU_LSH:
		return a << (b & 63);
	case BH_ALU_RSH:
		return a >> (b & 63);
	case BH_ALU_ARSH:
		r = a >> (b & 63);
		return sx(r, 64 - (int)(b & 63));
	case BH_ALU_NEG:
		return -a;
	case BH_ALU_MOV:
		return b;
	default:
		return 0;
	}
}

static bool cond_concrete(enum bh_jmp_op op, uint64_t a, uint64_t b, bool is32)
{
	if (is32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	int64_t sa = is32 ? (int32_t)a : (int64_t)a;
	int64_t sb = is32 ? (int32_t)b : (int64_t)b;

	switch (op) {
	case BH_JEQ:
		return a == b;
	case BH_JNE:
		return a != b;
	case BH_JSET:
		return a & b;
	case BH_JNSET:
		return !(a & b);
	case BH_JGT:
		return a > b;
	case BH_JGE:
		return a >= b;
	case BH_JLT:
		return a < b;
	case BH_JLE:
		return a <= b;
	case BH_JSGT:
		return sa > sb;
	case BH_JSGE:
		return sa >= sb;
	case BH_JSLT:
		return sa < sb;
	case BH_JSLE:
		return sa <= sb;
	}
	return false;
}

static const enum bh_alu_op alu_ops[] = {
	BH_ALU_ADD, BH_ALU_SUB,	 BH_ALU_MUL,  BH_ALU_DIV, BH_ALU_SDIV,
	BH_ALU_MOD, BH_ALU_SMOD, BH_ALU_OR,   BH_ALU_AND, BH_ALU_XOR,
	BH_ALU_LSH, BH_ALU_RSH,	 BH_ALU_ARSH, BH_ALU_NEG, BH_ALU_MOV,
};

static const enum bh_jmp_op jmp_ops[] = {
	BH_JEQ, BH_JNE, BH_JSET, BH_JNSET, BH_JGT,  BH_JGE,
	BH_JLT, BH_JLE, BH_JSGT, BH_JSGE,  BH_JSLT, BH_JSLE,
};

#define NOPS (sizeof(alu_ops) / sizeof(alu_ops[0]))
#define NJMPS (sizeof(jmp_ops) / sizeof(jmp_ops[0]))

static uint64_t concrete_end(enum bh_end_kind kind, int width, uint64_t x)
{
	if (kind == BH_END_TO_LE)
		return width == 64 ? x : x & ((1ULL << width) - 1);
	if (width == 16)
		return __builtin_bswap16((uint16_t)x);
	if (width == 32)
		return __builtin_bswap32((uint32_t)x);
	return __builtin_bswap64(x);
}

TEST(soundness_alu)
{
	int iter, cases = 0;

	rng_state = 0x1234567887654321ULL;
	for (iter = 0; iter < 6000; iter++) {
		uint64_t ma[4], mb[4];
		int na, nb, k, w;
		struct bh_scalar a = rnd_abstract(ma, &na);
		struct bh_scalar b = rnd_abstract(mb, &nb);

		CHECK_MSG(!bh_scalar_invariant_violation(&a), "%s", show(&a));
		for (k = 0; k < na; k++)
			CHECK_MSG(bh_scalar_contains(&a, ma[k]),
				  "sync lost %#llx: %s",
				  (unsigned long long)ma[k], show(&a));
		/* Shift amounts are often small constants in practice. */
		if (rnd_below(3) == 0) {
			mb[0] = rnd_below(64);
			nb = 1;
			b = bh_scalar_const(mb[0]);
		}
		for (w = 0; w < 2; w++) {
			bool is64 = w;
			size_t o;

			for (o = 0; o < NOPS; o++) {
				struct bh_scalar r = a;
				int t;

				bh_scalar_alu(&r, &b, alu_ops[o], is64);
				for (t = 0; t < 4; t++) {
					uint64_t x = pick(&a, ma, na);
					uint64_t y = pick(&b, mb, nb);
					uint64_t z = alu_concrete(alu_ops[o], x,
								  y, is64);

					cases++;
					CHECK_MSG(bh_scalar_contains(&r, z),
						  "op %#x%s %#llx,%#llx=%#llx\n"
						  " a: %s\n b: %s\n r: %s",
						  alu_ops[o],
						  is64 ? "" : "(32)",
						  (unsigned long long)x,
						  (unsigned long long)y,
						  (unsigned long long)z,
						  show(&a), show(&b), show(&r));
				}
			}
		}
		/* movsx, end */
		for (k = 0; k < 5; k++) {
			static const int sxw[5][2] = {
				{8, 1}, {16, 1}, {32, 1}, {8, 0}, {16, 0}};
			struct bh_scalar r;
			uint64_t x = pick(&a, ma, na), z;

			bh_scalar_movsx(&r, &a, sxw[k][0], sxw[k][1]);
			z = sx(x, sxw[k][0]);
			if (!sxw[k][1])
				z = (uint32_t)z;
			CHECK_MSG(bh_scalar_contains(&r, z),
				  "movsx%d/%d %#llx\n a: %s\n r: %s", sxw[k][0],
				  sxw[k][1], (unsigned long long)x, show(&a),
				  show(&r));
		}
		for (k = 0; k < 9; k++) {
			enum bh_end_kind kind = (enum bh_end_kind)(k / 3);
			int width = 16 << (k % 3);
			struct bh_scalar r = a;
			uint64_t x = pick(&a, ma, na);

			bh_scalar_end(&r, kind, width);
			CHECK_MSG(bh_scalar_contains(
					  &r, concrete_end(kind, width, x)),
				  "end %d/%d %#llx\n a: %s\n r: %s", kind,
				  width, (unsigned long long)x, show(&a),
				  show(&r));
		}
	}
	CHECK(cases > 100000);
}

TEST(soundness_branches)
{
	int iter;

	rng_state = 0xfeedfacecafebeefULL;
	for (iter = 0; iter < 6000; iter++) {
		uint64_t ma[4], mb[4];
		int na, nb, w;
		size_t o;
		struct bh_scalar a = rnd_abstract(ma, &na);
		struct bh_scalar b = rnd_abstract(mb, &nb);

		if (rnd_below(2)) {
			mb[0] = pick(&a, ma, na) + rnd_below(3) - 1;
			nb = 1;
			b = bh_scalar_const(mb[0]);
		}
		for (w = 0; w < 2; w++) {
			bool is32 = w;

			for (o = 0; o < NJMPS; o++) {
				enum bh_jmp_op op = jmp_ops[o];
				int taken = bh_scalar_branch_taken(&a, &b, op,
								   is32);
				struct bh_scalar ra = a, rb = b;
				int t;

				bh_scalar_refine_cond(&ra, &rb, op, is32);
				for (t = 0; t < 6; t++) {
					uint64_t x = pick(&a, ma, na);
					uint64_t y = pick(&b, mb, nb);
					bool c = cond_concrete(op, x, y, is32);

					CHECK_MSG(taken < 0 || c == taken,
						  "taken op %#x%s %#llx,%#llx "
						  "said %d\n a: %s\n b: %s",
						  op, is32 ? "(32)" : "",
						  (unsigned long long)x,
						  (unsigned long long)y, taken,
						  show(&a), show(&b));
					if (!c)
						continue;
					CHECK_MSG(
						bh_scalar_contains(&ra, x) &&
							bh_scalar_contains(&rb,
									   y),
						"refine op %#x%s %#llx,%#llx\n"
						" a: %s\n b: %s\n a': %s\n "
						"b': %s",
						op, is32 ? "(32)" : "",
						(unsigned long long)x,
						(unsigned long long)y, show(&a),
						show(&b), show(&ra), show(&rb));
				}
			}
		}
	}
}

/* Pruning soundness: if old subsumes cur, every member of cur is one of old. */
TEST(soundness_pruning)
{
	int iter;

	rng_state = 42;
	for (iter = 0; iter < 20000; iter++) {
		uint64_t ma[4], mb[4];
		int na, nb;
		struct bh_scalar a = rnd_abstract(ma, &na);
		struct bh_scalar b = rnd_abstract(mb, &nb);
		int k;

		if (!bh_scalar_is_subsumed(&a, &b))
			continue;
		for (k = 0; k < nb; k++)
			CHECK(bh_scalar_contains(&a, mb[k]));
	}
}

/* ---- differential test against the running kernel ----------------------- */

#define INSN(c, d, s, o, i)                \
	((struct bpf_insn){.code = (c),    \
			   .dst_reg = (d), \
			   .src_reg = (s), \
			   .off = (o),     \
			   .imm = (i)})

#define NREGS 4 /* r1..r4 are tracked */
#define MAXI 64

struct prog {
	struct bpf_insn insn[MAXI + 8];
	int n;
	/* expected print of r1..r4 after each insn (empty: do not check) */
	char want[MAXI + 8][NREGS + 1][256];
	bool dead_after[MAXI + 8];
};

static char klog[1 << 20];

static int kernel_load(struct prog *p)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = klog,
		    .log_size = sizeof(klog), .log_level = 2);
	int fd;

	klog[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bh_scalar", "GPL",
			   p->insn, (size_t)p->n, &o);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -errno : 0;
}

static bool kernel_available(void)
{
	struct prog p = {.n = 2};

	p.insn[0] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p.insn[1] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return kernel_load(&p) == 0;
}

/* Remove "id=N," / "id=N+K," and a leading precision "P" from a reg value. */
static void normalise(char *v)
{
	char *p;

	if (v[0] == 'P')
		memmove(v, v + 1, strlen(v));
	while ((p = strstr(v, "id=")) != NULL) {
		char *e = p + 3;

		while (*e && *e != ',' && *e != ')')
			e++;
		if (*e == ',')
			e++;
		memmove(p, e, strlen(e) + 1);
	}
	p = strstr(v, "(,");
	if (p)
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
}

/* Find "Rk=<value>" in the "; ..." part of a log line. */
static bool find_reg(const char *line, int k, char *out, size_t outsz)
{
	char key[16], buf[1024];
	const char *p, *q, *eol = strchr(line, '\n');
	int depth = 0;
	size_t n = eol ? (size_t)(eol - line) : strlen(line);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	p = strstr(buf, "; ");
	if (!p)
		return false;
	snprintf(key, sizeof(key), " R%d=", k);
	q = strstr(p + 1, key);
	if (!q)
		return false;
	q += strlen(key);
	for (n = 0; q[n] && q[n] != '\n'; n++) {
		if (q[n] == '(')
			depth++;
		else if (q[n] == ')')
			depth--;
		else if (q[n] == ' ' && depth == 0)
			break;
	}
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, q, n);
	out[n] = '\0';
	normalise(out);
	return true;
}

/* The first "N: (" line of the main path for insn N. */
static const char *find_line(int idx)
{
	char key[16];
	const char *p = klog;
	int len = snprintf(key, sizeof(key), "%d: (", idx);

	while ((p = strstr(p, key)) != NULL) {
		if (p == klog || p[-1] == '\n')
			return p;
		p += len;
	}
	return NULL;
}

static int32_t rnd_imm(const struct bh_scalar *r)
{
	switch (rnd_below(4)) {
	case 0:
		return (int32_t)rnd_value();
	case 1:
		return (int32_t)(r->umin + rnd_below(3) - 1);
	case 2:
		return (int32_t)(r->umax + rnd_below(3) - 1);
	default:
		return (int32_t)rnd_below(300) - 20;
	}
}

/*
 * Append one random instruction on r1..r4 to p and apply it to regs.
 * Jumps go to the exit block at the end (filled in later, offset patched).
 * Returns false if the generated instruction was not kept.
 */
static bool gen_insn(struct prog *p, struct bh_scalar *regs, int *njmp,
		     int jmp_at[])
{
	int d = 1 + (int)rnd_below(NREGS), s = 1 + (int)rnd_below(NREGS);
	struct bh_scalar *dst = &regs[d], *src = &regs[s], k, zero;
	bool is64 = rnd_below(3) != 0, use_x = rnd_below(3) == 0;
	uint8_t cls = is64 ? BPF_ALU64 : BPF_ALU;
	int32_t imm = rnd_imm(dst);
	struct bpf_insn *in = &p->insn[p->n];
	int what = (int)rnd_below(20);

	if (what < 11) {
		static const enum bh_alu_op ops[] = {
			BH_ALU_ADD,  BH_ALU_SUB, BH_ALU_MUL, BH_ALU_OR,
			BH_ALU_AND,  BH_ALU_XOR, BH_ALU_LSH, BH_ALU_RSH,
			BH_ALU_ARSH, BH_ALU_AND, BH_ALU_DIV,
		};
		enum bh_alu_op op = ops[what];
		int off = 0;

		if (op == BH_ALU_LSH || op == BH_ALU_RSH || op == BH_ALU_ARSH) {
			imm = (int32_t)rnd_below(is64 ? 64 : 32);
			if (rnd_below(4) == 0)
				use_x = true;
		}
		if (op == BH_ALU_DIV) {
			if (rnd_below(2))
				op = BH_ALU_MOD;
			if (rnd_below(2))
				off = 1;
			if (!imm)
				imm = 7;
		}
		*in = INSN(cls | (op & 0xf0) | (use_x ? BPF_X : BPF_K), d,
			   use_x ? s : 0, off, use_x ? 0 : imm);
		if (off)
			op = op == BH_ALU_DIV ? BH_ALU_SDIV : BH_ALU_SMOD;
		k = use_x ? *src : bh_scalar_const((uint64_t)(int64_t)imm);
		/* The kernel explores the -1 side first. */
		bh_scalar_fork_neg1_zero(dst, &zero, &k, op);
		bh_scalar_alu(dst, &k, op, is64);
	} else if (what == 11) {
		*in = INSN(cls | BPF_NEG, d, 0, 0, 0);
		bh_scalar_alu(dst, dst, BH_ALU_NEG, is64);
	} else if (what == 12) {
		int width = 16 << rnd_below(3);
		enum bh_end_kind kind = (enum bh_end_kind)rnd_below(3);

		if (kind == BH_END_BSWAP)
			*in = INSN(BPF_ALU64 | BPF_END, d, 0, 0, width);
		else
			*in = INSN(BPF_ALU | BPF_END |
					   (kind == BH_END_TO_BE ? BPF_TO_BE
								 : BPF_TO_LE),
				   d, 0, 0, width);
		bh_scalar_end(dst, kind, width);
	} else if (what == 13) {
		/* movsx onto itself: no second register gets linked */
		int bits = 8 << rnd_below(is64 ? 3 : 2);

		*in = INSN(cls | BPF_MOV | BPF_X, d, d, bits, 0);
		bh_scalar_movsx(dst, dst, bits, is64);
	} else if (what == 14) {
		if (rnd_below(2)) {
			*in = INSN(BPF_ALU | BPF_MOV | BPF_X, d, d, 0, 0);
			bh_scalar_alu(dst, dst, BH_ALU_MOV, false);
		} else {
			*in = INSN(cls | BPF_MOV | BPF_K, d, 0, 0, imm);
			k = bh_scalar_const(is64 ? (uint64_t)(int64_t)imm
						 : (uint32_t)imm);
			*dst = k;
		}
	} else {
		enum bh_jmp_op op = jmp_ops[rnd_below(NJMPS)];
		bool is32 = rnd_below(3) == 0;
		struct bh_scalar fa, fb;
		int taken;

		if (op == BH_JNSET)
			op = BH_JSET;
		if (use_x && s == d)
			use_x = false;
		if (!use_x && rnd_below(3) == 0)
			imm = rnd_below(2) ? (int32_t)((uint64_t)dst->smin + 1)
					   : (int32_t)((uint64_t)dst->smax - 1);
		else if (!use_x && op == BH_JSET && rnd_below(2))
			imm = (int32_t)(1U << rnd_below(32));
		k = use_x ? *src : bh_scalar_const((uint64_t)(int64_t)imm);
		taken = bh_scalar_branch_taken(dst, &k, op, is32);
		if (taken == 1)
			return false; /* the rest would be dead code */
		fa = *dst;
		fb = k;
		if (taken < 0) {
			bh_scalar_refine_cond(&fa, &fb, bh_jmp_rev(op), is32);
			/* Avoid the kernel's invariant-violation splat on a
			 * branch we would both consider possible but empty. */
			if (bh_scalar_invariant_violation(&fa) ||
			    bh_scalar_invariant_violation(&fb))
				return false;
			{
				struct bh_scalar ta = *dst, tb = k;

				bh_scalar_refine_cond(&ta, &tb, op, is32);
				if (bh_scalar_invariant_violation(&ta) ||
				    bh_scalar_invariant_violation(&tb))
					return false;
			}
		}
		*in = INSN((is32 ? BPF_JMP32 : BPF_JMP) | (op & 0xf0) |
				   (use_x ? BPF_X : BPF_K),
			   d, use_x ? s : 0, 0, use_x ? 0 : imm);
		jmp_at[(*njmp)++] = p->n;
		*dst = fa;
		if (use_x)
			*src = fb;
	}
	p->n++;
	return true;
}

static void record(struct prog *p, int idx, const struct bh_scalar *regs)
{
	int k;

	for (k = 1; k <= NREGS; k++)
		bh_scalar_print(p->want[idx][k], sizeof(p->want[idx][k]),
				&regs[k]);
}

TEST(kernel_differential)
{
	static struct prog p;
	int prog_no, checked = 0, programs = 0, nprogs;

	if (!kernel_available()) {
		th_skip("bpf() not permitted: kernel differential test");
		return;
	}
	/* BH_SCALAR_PROGS / BH_SCALAR_SEED widen a run for exploration. */
	nprogs = getenv("BH_SCALAR_PROGS") ? atoi(getenv("BH_SCALAR_PROGS"))
					   : 400;
	rng_state = getenv("BH_SCALAR_SEED")
			    ? strtoull(getenv("BH_SCALAR_SEED"), NULL, 0)
			    : 0xabcdef0123456789ULL;
	for (prog_no = 0; prog_no < nprogs; prog_no++) {
		struct bh_scalar regs[NREGS + 1];
		int jmp_at[MAXI], njmp = 0, k, i, len, err;

		memset(&p, 0, sizeof(p));
		/* r1..r4 from uninitialised stack: unknown scalars */
		for (k = 1; k <= NREGS; k++) {
			p.insn[p.n++] = INSN(BPF_LDX | BPF_MEM | BPF_DW, k, 10,
					     -8 * k, 0);
			regs[k] = bh_scalar_unknown();
		}
		len = 8 + (int)rnd_below(24);
		for (i = 0; i < len && p.n < MAXI; i++) {
			struct prog save_p;
			struct bh_scalar save[NREGS + 1];
			int save_njmp = njmp;

			memcpy(save, regs, sizeof(save));
			save_p.n = p.n;
			if (!gen_insn(&p, regs, &njmp, jmp_at)) {
				memcpy(regs, save, sizeof(save));
				njmp = save_njmp;
				p.n = save_p.n;
				continue;
			}
			record(&p, p.n - 1, regs);
		}
		/* exit block */
		for (i = 0; i < njmp; i++)
			p.insn[jmp_at[i]].off = (int16_t)(p.n - jmp_at[i] - 1);
		p.insn[p.n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		p.insn[p.n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

		err = kernel_load(&p);
		CHECK_MSG(!err, "program %d rejected (%d):\n%s", prog_no, err,
			  klog);
		programs++;
		for (i = NREGS; i < p.n - 2; i++) {
			const char *line = find_line(i);
			char got[256];

			CHECK_MSG(line, "program %d: insn %d not in log:\n%s",
				  prog_no, i, klog);
			for (k = 1; k <= NREGS; k++) {
				if (!find_reg(line, k, got, sizeof(got)))
					continue;
				checked++;
				CHECK_MSG(!strcmp(got, p.want[i][k]),
					  "program %d insn %d R%d:\n kernel: "
					  "%s\n    ours: %s\nlog:\n%s",
					  prog_no, i, k, got, p.want[i][k],
					  klog);
			}
		}
	}
	CHECK(checked > 1000);
	printf("kernel_differential: %d programs, %d register states "
	       "compared\n",
	       programs, checked);
}
