// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interpreter and helper edge cases, on hand-built programs: what the
 * conformance suite does not reach (faults, frames, resolvers, budgets,
 * bpf_trace_printk, threads, kfunc argument/return extension, callbacks
 * and bpf_loop).  Every program that should be well formed
 * also goes through bh_insns_check, so the tests cannot drift into
 * encodings the loader would never hand us.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "exec/exec.h"
#include "maps/map.h"

#define INSN(c, d, s, o, i)               \
	((struct bh_insn){.code = (c),    \
			  .dst_reg = (d), \
			  .src_reg = (s), \
			  .off = (o),     \
			  .imm = (i)})
#define MOV64_IMM(d, i) INSN(0xb7, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(0xbf, d, s, 0, 0)
#define ADD64_IMM(d, i) INSN(0x07, d, 0, 0, i)
#define ADD64_REG(d, s) INSN(0x0f, d, s, 0, 0)
#define SUB64_IMM(d, i) INSN(0x17, d, 0, 0, i)
#define LDDW(d, v)                                             \
	INSN(0x18, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)), \
		INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define LDXDW(d, s, o) INSN(0x79, d, s, o, 0)
#define STXDW(d, s, o) INSN(0x7b, d, s, o, 0)
#define STDW(d, o, i) INSN(0x7a, d, 0, o, i)
#define JA(o) INSN(0x05, 0, 0, o, 0)
#define JNE_IMM(d, i, o) INSN(0x55, d, 0, o, i)
#define JEQ_IMM(d, i, o) INSN(0x15, d, 0, o, i)
#define CALL_HELPER(id) INSN(0x85, 0, 0, 0, id)
#define CALL_LOCAL(rel) INSN(0x85, 0, 1, 0, rel)
#define CALL_KFUNC(id) INSN(0x85, 0, 2, 0, id)
#define CALLX(r) INSN(0x8d, r, 0, 0, 0)
#define MAY_GOTO(o) INSN(0xe5, 0, 0, o, 0)
#define EXIT() INSN(0x95, 0, 0, 0, 0)
#define MUL64_IMM(d, i) INSN(0x27, d, 0, 0, i)
#define LSH64_IMM(d, i) INSN(0x67, d, 0, 0, i)
#define JGE_REG(d, s, o) INSN(0x3d, d, s, o, 0)
/* ld_imm64 of a callback: the subprogram at this insn's index + rel + 1 */
#define LD_FUNC(d, rel) \
	INSN(0x18, d, BH_PSEUDO_FUNC, 0, rel), INSN(0, 0, 0, 0, 0)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Check, decode and run; returns the run fault or -errno from decoding. */
static int run_res(const struct bh_insn *p, size_t n,
		   const struct bh_resolve *res, uint64_t r1, uint64_t limit,
		   uint64_t *r0)
{
	struct bh_run_opts opts = {.insn_limit = limit};
	struct bh_code *code;
	char err[256];
	int ret;

	ret = bh_insns_check(p, n, err, sizeof(err));
	if (ret) {
		printf("      bh_insns_check: %s\n", err);
		return ret;
	}
	ret = bh_code_new(p, n, res, &code, err, sizeof(err));
	if (ret) {
		printf("      bh_code_new: %s\n", err);
		return ret;
	}
	*r0 = 0xdeadbeef;
	ret = bh_code_run(code, r1, 0, &opts, r0);
	bh_code_free(code);
	return ret;
}

static int run(const struct bh_insn *p, size_t n, uint64_t *r0)
{
	return run_res(p, n, NULL, 0, 0, r0);
}

/* ---- ALU edge cases ---- */

struct alu_case {
	const char *name;
	uint8_t code;
	int16_t off;
	uint64_t dst;
	int32_t src; /* the divisor / shift amount, as imm or in r1 */
	uint64_t want;
};

static void run_alu_cases(const struct alu_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* 0xdc (be) has the X bit but takes its width in imm */
		bool is_x = (c[i].code & 0x08) && (c[i].code & 0xf0) != 0xd0;
		struct bh_insn p[] = {
			LDDW(0, c[i].dst),
			MOV64_IMM(1, c[i].src),
			INSN(c[i].code, 0, is_x ? 1 : 0, c[i].off,
			     is_x ? 0 : c[i].src),
			EXIT(),
		};
		uint64_t r0;
		int ret = run(p, N(p), &r0);

		CHECK_MSG(ret == BH_RUN_OK, "%s: ret %d", c[i].name, ret);
		CHECK_MSG(r0 == c[i].want,
			  "%s: r0 = 0x%" PRIx64 ", want 0x%" PRIx64, c[i].name,
			  r0, c[i].want);
	}
}

#define M10 0xfffffffffffffff6ull /* -10 */

TEST(div_mod_by_zero)
{
	static const struct alu_case c[] = {
		{"div64_k", 0x37, 0, M10, 0, 0},
		{"div64_x", 0x3f, 0, M10, 0, 0},
		{"sdiv64_k", 0x37, 1, M10, 0, 0},
		{"sdiv64_x", 0x3f, 1, M10, 0, 0},
		{"mod64_k", 0x97, 0, M10, 0, M10},
		{"mod64_x", 0x9f, 0, M10, 0, M10},
		{"smod64_k", 0x97, 1, M10, 0, M10},
		{"smod64_x", 0x9f, 1, M10, 0, M10},
		{"div32_k", 0x34, 0, M10, 0, 0},
		{"div32_x", 0x3c, 0, M10, 0, 0},
		{"sdiv32_k", 0x34, 1, M10, 0, 0},
		{"sdiv32_x", 0x3c, 1, M10, 0, 0},
		/* mod32 by zero keeps dst but clears the upper half */
		{"mod32_k", 0x94, 0, M10, 0, 0xfffffff6},
		{"mod32_x", 0x9c, 0, M10, 0, 0xfffffff6},
		{"smod32_k", 0x94, 1, M10, 0, 0xfffffff6},
		{"smod32_x", 0x9c, 1, M10, 0, 0xfffffff6},
	};

	run_alu_cases(c, N(c));
}

TEST(div32_high_divisor)
{
	/* a 32-bit divide looks only at the low half of the divisor */
	struct bh_insn p[] = {
		MOV64_IMM(0, 12),
		LDDW(1, 0x100000003ull),
		INSN(0x3c, 0, 1, 0, 0),
		EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 4);
}

TEST(signed_int_min_by_minus_one)
{
	static const struct alu_case c[] = {
		{"sdiv64_k", 0x37, 1, 1ull << 63, -1, 1ull << 63},
		{"sdiv64_x", 0x3f, 1, 1ull << 63, -1, 1ull << 63},
		{"smod64_k", 0x97, 1, 1ull << 63, -1, 0},
		{"smod64_x", 0x9f, 1, 1ull << 63, -1, 0},
		{"sdiv32_k", 0x34, 1, 0xffffffff80000000ull, -1, 0x80000000},
		{"sdiv32_x", 0x3c, 1, 0x80000000, -1, 0x80000000},
		{"smod32_k", 0x94, 1, 0x80000000, -1, 0},
		{"smod32_x", 0x9c, 1, 0xffffffff80000000ull, -1, 0},
		/* and ordinary signed results round toward zero */
		{"sdiv64_neg", 0x37, 1, M10, 3, (uint64_t)-3},
		{"smod64_neg", 0x97, 1, M10, 3, (uint64_t)-1},
		{"sdiv32_neg", 0x34, 1, M10, 3, 0xfffffffd},
		{"smod32_neg", 0x94, 1, M10, -3, 0xffffffff},
		{"div64_unsigned", 0x37, 0, M10, 2, M10 / 2},
	};

	run_alu_cases(c, N(c));
}

TEST(shift_masking)
{
	static const struct alu_case c[] = {
		{"lsh64_k_64", 0x67, 0, 3, 64, 3},
		{"lsh64_k_65", 0x67, 0, 3, 65, 6},
		{"lsh64_x_neg60", 0x6f, 0, 1, -60, 16},
		{"rsh64_x_127", 0x7f, 0, 1ull << 63, 127, 1},
		{"arsh64_k_64", 0xc7, 0, 1ull << 63, 64, 1ull << 63},
		{"arsh64_x_65", 0xcf, 0, 1ull << 63, 65, 0xc000000000000000ull},
		{"lsh32_k_32", 0x64, 0, 0x100000003ull, 32, 3},
		{"lsh32_k_60", 0x64, 0, 1, 60, 1u << 28},
		{"lsh32_x_33", 0x6c, 0, 0xffffffff80000001ull, 33, 2},
		{"rsh32_k_63", 0x74, 0, 0xffffffff80000000ull, 63, 1},
		{"arsh32_k_33", 0xc4, 0, 0x80000000, 33, 0xc0000000},
		{"arsh32_x_neg1", 0xcc, 0, 0x80000000, -1, 0xffffffff},
	};

	run_alu_cases(c, N(c));
}

TEST(byteswap_truncates)
{
	static const struct alu_case c[] = {
		{"be16", 0xdc, 0, 0x1122334455667788ull, 16, 0x8877},
		{"be32", 0xdc, 0, 0x1122334455667788ull, 32, 0x88776655},
		{"be64", 0xdc, 0, 0x1122334455667788ull, 64,
		 0x8877665544332211ull},
		{"le16", 0xd4, 0, 0x1122334455667788ull, 16, 0x7788},
		{"le32", 0xd4, 0, 0x1122334455667788ull, 32, 0x55667788},
		{"le64", 0xd4, 0, 0x1122334455667788ull, 64,
		 0x1122334455667788ull},
		{"bswap16", 0xd7, 0, 0x1122334455667788ull, 16, 0x8877},
		{"bswap32", 0xd7, 0, 0x1122334455667788ull, 32, 0x88776655},
		{"bswap64", 0xd7, 0, 0x1122334455667788ull, 64,
		 0x8877665544332211ull},
	};

	run_alu_cases(c, N(c));
}

/* ---- local calls ---- */

/* frames functions chained by local calls, each adding 1 to r0 */
static int run_call_chain(int frames, uint64_t *r0)
{
	struct bh_insn p[3 * 16];
	size_t n = 0;

	for (int f = 0; f < frames; f++) {
		p[n++] = ADD64_IMM(0, 1);
		if (f + 1 < frames)
			p[n++] = CALL_LOCAL(1); /* the next function */
		else
			p[n++] = EXIT(); /* keeps 3 slots per function */
		p[n++] = EXIT();
	}
	return run(p, n, r0);
}

TEST(call_depth)
{
	uint64_t r0;

	CHECK_EQ(run_call_chain(BH_MAX_CALL_FRAMES, &r0), BH_RUN_OK);
	CHECK_U64(r0, BH_MAX_CALL_FRAMES);
	CHECK_EQ(run_call_chain(BH_MAX_CALL_FRAMES + 1, &r0),
		 BH_RUN_CALL_DEPTH);
	/* unbounded recursion faults too, it does not overflow anything */
	{
		struct bh_insn p[] = {CALL_LOCAL(-1), EXIT()};

		CHECK_EQ(run(p, N(p), &r0), BH_RUN_CALL_DEPTH);
	}
}

TEST(callee_saved_registers)
{
	struct bh_insn p[] = {
		MOV64_IMM(6, 6),
		MOV64_IMM(7, 7),
		MOV64_IMM(8, 8),
		MOV64_IMM(9, 9),
		MOV64_IMM(1, 1000),
		CALL_LOCAL(5),
		ADD64_REG(0, 6),
		ADD64_REG(0, 7),
		ADD64_REG(0, 8),
		ADD64_REG(0, 9),
		EXIT(),
		/* callee: clobbers r6-r9, returns r1 + 100 */
		MOV64_IMM(6, 0),
		MOV64_IMM(7, 0),
		MOV64_IMM(8, 0),
		MOV64_IMM(9, 0),
		MOV64_REG(0, 1),
		ADD64_IMM(0, 100),
		EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 1100 + 6 + 7 + 8 + 9);
}

TEST(stack_isolation)
{
	struct bh_insn p[] = {
		STDW(10, -8, 0x1111),
		CALL_LOCAL(6),	 /* f: returns what it found, writes */
		MOV64_REG(6, 0), /* r6 = f's first read (0) */
		CALL_LOCAL(4),	 /* f again: fresh frame again */
		ADD64_REG(6, 0),
		LDXDW(0, 10, -8), /* ours is untouched */
		ADD64_REG(0, 6),
		EXIT(),
		/* f: r0 = [r10-8] + [r10-512]; then scribble over its frame */
		LDXDW(0, 10, -8),
		LDXDW(1, 10, -512),
		ADD64_REG(0, 1),
		STDW(10, -8, 0x2222),
		STDW(10, -512, 0x3333),
		EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 0x1111);
}

/* ---- resolvers ---- */

static uint64_t test_sum5(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			  uint64_t e)
{
	return a + b + c + d + e;
}

static uint64_t test_double(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			    uint64_t e)
{
	(void)b, (void)c, (void)d, (void)e;
	return a * 2;
}

static uint64_t test_buf[4] = {11, 22, 33, 44};

struct test_res_ctx {
	int helper_calls;
};

static bh_fn test_helper(void *ctx, int32_t id)
{
	((struct test_res_ctx *)ctx)->helper_calls++;
	return id == 1000 ? test_sum5 : NULL;
}

static int test_kfunc(void *ctx, size_t idx, int32_t imm, int16_t off,
		      struct bh_kcall *out, char *err, size_t errsz)
{
	(void)ctx;
	(void)idx;
	if (imm != 77 || off != 0) {
		snprintf(err, errsz, "no kfunc %d", imm);
		return -ENOENT;
	}
	out->fn = test_double;
	return 0;
}

static int test_ldimm64(void *ctx, const struct bh_insn *insns, size_t idx,
			uint64_t *val, char *err, size_t errsz)
{
	(void)ctx;
	if (insns[idx].src_reg != BH_PSEUDO_MAP_VALUE || insns[idx].imm != 3) {
		snprintf(err, errsz, "insn %zu: no map %d", idx,
			 insns[idx].imm);
		return -ENOENT;
	}
	*val = (uint64_t)(uintptr_t)((char *)test_buf + insns[idx + 1].imm);
	return 0;
}

TEST(custom_resolver)
{
	struct test_res_ctx ctx = {0};
	struct bh_resolve res = {&ctx, test_ldimm64, test_helper, test_kfunc};
	struct bh_insn p[] = {
		MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3),
		MOV64_IMM(4, 4), MOV64_IMM(5, 5), CALL_HELPER(1000),
		MOV64_REG(1, 0), CALL_KFUNC(77),  EXIT(),
	};
	struct bh_insn bad[] = {CALL_HELPER(1001), EXIT()};
	struct bh_code *code = NULL;
	char err[128] = "";
	uint64_t r0;

	CHECK_EQ(run_res(p, N(p), &res, 0, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 30);
	CHECK(ctx.helper_calls == 1);
	CHECK_EQ(bh_code_new(bad, N(bad), &res, &code, err, sizeof(err)),
		 -EINVAL);
	CHECK(!code);
	CHECK_CONTAINS(err, "insn 0: unknown helper 1001");
}

TEST(ldimm64_pseudo)
{
	struct test_res_ctx ctx = {0};
	struct bh_resolve res = {&ctx, test_ldimm64, test_helper, test_kfunc};
	struct bh_insn p[] = {
		INSN(0x18, 1, BH_PSEUDO_MAP_VALUE, 0, 3),
		INSN(0, 0, 0, 0, 16),
		LDXDW(0, 1, 0),
		EXIT(),
	};
	struct bh_insn missing[] = {
		INSN(0x18, 1, BH_PSEUDO_MAP_VALUE, 0, 9),
		INSN(0, 0, 0, 0, 0),
		EXIT(),
	};
	struct bh_code *code = NULL;
	char err[128] = "";
	uint64_t r0;

	CHECK_EQ(run_res(p, N(p), &res, 0, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 33);
	/* the resolver's error and message come through unchanged */
	CHECK_EQ(
		bh_code_new(missing, N(missing), &res, &code, err, sizeof(err)),
		-ENOENT);
	CHECK_STR(err, "insn 0: no map 9");
	/* a pseudo form with no resolver cannot be decoded */
	CHECK_EQ(bh_code_new(p, N(p), NULL, &code, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "needs a resolver");
	CHECK(!code);
}

TEST(callx)
{
	struct bh_insn p[] = {
		MOV64_REG(6, 1),
		CALLX(6), /* r1 holds a helper id */
		MOV64_IMM(0, 42),
		EXIT(),
	};
	struct bh_code *code;
	char err[128];
	uint64_t r0;

	CHECK_EQ(run_res(p, N(p), NULL, 5, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 42);
	CHECK_EQ(bh_code_new(p, N(p), NULL, &code, err, sizeof(err)), 0);
	CHECK_EQ(bh_code_run(code, 4, 0, NULL, &r0), BH_RUN_BAD_CALLX);
	CHECK_EQ(bh_code_run(code, (uint64_t)-1, 0, NULL, &r0),
		 BH_RUN_BAD_CALLX);
	CHECK_EQ(bh_code_run(code, BH_MAX_HELPER_ID, 0, NULL, &r0),
		 BH_RUN_BAD_CALLX);
	bh_code_free(code);
}

/* ---- budgets ---- */

TEST(may_goto_exhaustion)
{
	struct bh_insn p[] = {
		MOV64_IMM(0, 0), MAY_GOTO(2), /* to exit once the budget is
						 spent */
		ADD64_IMM(0, 1), JA(-3),      EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 8388608);
	/* the budget is per run, not per code */
	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 8388608);
}

TEST(insn_limit)
{
	struct bh_insn spin[] = {JA(-1), EXIT()};
	/* 1 + 10 * 2 + 1 = 22 instructions */
	struct bh_insn loop[] = {
		MOV64_IMM(0, 0),
		ADD64_IMM(0, 1),
		JNE_IMM(0, 10, -2),
		EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run_res(spin, N(spin), NULL, 0, 1000, &r0), BH_RUN_INSN_LIMIT);
	CHECK_EQ(run_res(loop, N(loop), NULL, 0, 22, &r0), BH_RUN_OK);
	CHECK_U64(r0, 10);
	CHECK_EQ(run_res(loop, N(loop), NULL, 0, 21, &r0), BH_RUN_INSN_LIMIT);
	CHECK_EQ(run_res(loop, N(loop), NULL, 0, 0, &r0), BH_RUN_OK);
}

TEST(bad_slot)
{
	/* not well formed (bh_insns_check refuses it), but decodable:
	 * falling off the end must fault, not run off the array */
	struct bh_insn p[] = {MOV64_IMM(0, 1)};
	struct bh_code *code;
	char err[128];
	uint64_t r0;

	CHECK_EQ(bh_code_new(p, N(p), NULL, &code, err, sizeof(err)), 0);
	CHECK_EQ(bh_code_run(code, 0, 0, NULL, &r0), BH_RUN_BAD_SLOT);
	bh_code_free(code);
}

/* ---- helpers ---- */

struct capture {
	char buf[2048];
	int calls;
};

static void capture_print(void *ctx, const char *msg)
{
	struct capture *c = ctx;

	snprintf(c->buf, sizeof(c->buf), "%s", msg);
	c->calls++;
}

struct printk_case {
	const char *fmt;
	uint64_t a[3];
	const char *want; /* NULL: -EINVAL */
};

TEST(trace_printk)
{
	static const char str[] = "hi";
	const uint64_t sp = (uint64_t)(uintptr_t)str;
	const struct printk_case c[] = {
		{"plain\n", {0}, "plain\n"},
		{"%d %i %u",
		 {(uint64_t)-5, 0xffffffff, (uint64_t)-1},
		 "-5 -1 4294967295"},
		{"%x %ld %li",
		 {0x1ffffffffull, (uint64_t)-7, 1ull << 40},
		 "ffffffff -7 1099511627776"},
		{"%lu %lx %lld",
		 {(uint64_t)-1, 0xabcdef012ull, (uint64_t)-9},
		 "18446744073709551615 abcdef012 -9"},
		{"%lli %llu %llx",
		 {1, 2, 0xdeadbeefcafeull},
		 "1 2 deadbeefcafe"},
		{"[%s] [%c] %%", {sp, 'z', 0}, "[hi] [z] %"},
		{"%p", {0x1234}, "0000000000001234"},
		{"%px,%pK",
		 {0xabc, 0xdef},
		 "0000000000000abc,0000000000000def"},
		{"%5d|%-4u|%08x", {42, 7, 0xbeef}, "   42|7   |0000beef"},
		{"%X|%+d|% d", {0xab, 5, 6}, "AB|+5| 6"},
		{"%%%d%%", {3}, "%3%"},
		{"%d %d %d %d", {1, 2, 3}, NULL}, /* four args */
		{"%q", {0}, NULL},
		{"%lf", {0}, NULL},
		{"%llld", {0}, NULL},
		{"%pI4", {0}, NULL},
		{"%n", {0}, NULL},
		{"bell\a", {0}, NULL},
		{"trailing %", {0}, NULL},
	};
	struct capture cap = {.calls = 0};
	struct bh_run_env env = {capture_print, &cap};
	const struct bh_helper_info *h = bh_helper_by_id(6);
	const struct bh_run_env *old;

	CHECK(h && !strcmp(h->name, "bpf_trace_printk"));
	old = bh_run_env_set(&env);
	for (size_t i = 0; i < N(c); i++) {
		uint64_t ret;

		cap.buf[0] = '\0';
		ret = h->fn((uint64_t)(uintptr_t)c[i].fmt, strlen(c[i].fmt) + 1,
			    c[i].a[0], c[i].a[1], c[i].a[2]);
		if (!c[i].want) {
			CHECK_MSG((int64_t)ret == -EINVAL && !cap.buf[0],
				  "\"%s\": ret %" PRId64 ", printed \"%s\"",
				  c[i].fmt, (int64_t)ret, cap.buf);
			continue;
		}
		CHECK_MSG(!strcmp(cap.buf, c[i].want),
			  "\"%s\": printed \"%s\", want \"%s\"", c[i].fmt,
			  cap.buf, c[i].want);
		CHECK_MSG(ret == strlen(c[i].want), "\"%s\": ret %" PRIu64,
			  c[i].fmt, ret);
	}
	/* fmt_size must cover the NUL, as in the kernel */
	CHECK_EQ((int64_t)h->fn((uint64_t)(uintptr_t) "abc", 3, 0, 0, 0),
		 -EINVAL);
	CHECK_EQ((int64_t)h->fn((uint64_t)(uintptr_t) "abc", 0, 0, 0, 0),
		 -EINVAL);

	/* and through the interpreter */
	{
		static const char fmt[] = "v=%d s=%s\n";
		struct bh_insn p[] = {
			LDDW(1, (uintptr_t)fmt), MOV64_IMM(2, sizeof(fmt)),
			MOV64_IMM(3, -12),	 LDDW(4, (uintptr_t)str),
			CALL_HELPER(6),		 EXIT(),
		};
		uint64_t r0;

		cap.calls = 0;
		CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
		CHECK_STR(cap.buf, "v=-12 s=hi\n");
		CHECK_U64(r0, strlen("v=-12 s=hi\n"));
		CHECK_EQ(cap.calls, 1);
	}
	CHECK(bh_run_env_set(old) == &env);
}

TEST(builtin_helpers)
{
	static const struct {
		int32_t id;
		const char *name;
	} want[] = {
		{1, "bpf_map_lookup_elem"},	 {2, "bpf_map_update_elem"},
		{3, "bpf_map_delete_elem"},	 {5, "bpf_ktime_get_ns"},
		{6, "bpf_trace_printk"},	 {7, "bpf_get_prandom_u32"},
		{8, "bpf_get_smp_processor_id"},
	};
	const struct bh_helper_info *h;
	uint64_t t0, t1, r[8], cpu;
	int distinct = 0;

	for (size_t i = 0; i < N(want); i++) {
		h = bh_helper_by_id(want[i].id);
		CHECK_MSG(h && h->id == want[i].id &&
				  !strcmp(h->name, want[i].name),
			  "helper %d", want[i].id);
	}
	CHECK(!bh_helper_by_id(0));
	CHECK(!bh_helper_by_id(4));
	CHECK(!bh_helper_by_id(-1));
	CHECK(!bh_helper_by_id(100000));

	t0 = bh_helper_by_id(5)->fn(0, 0, 0, 0, 0);
	t1 = bh_helper_by_id(5)->fn(0, 0, 0, 0, 0);
	CHECK(t0 > 0 && t1 >= t0);
	for (int i = 0; i < 8; i++) {
		r[i] = bh_helper_by_id(7)->fn(0, 0, 0, 0, 0);
		CHECK(r[i] <= UINT32_MAX);
		distinct += !i || r[i] != r[i - 1];
	}
	CHECK(distinct >= 7);
	cpu = bh_helper_by_id(8)->fn(0, 0, 0, 0, 0);
	CHECK(cpu < 65536);
}

TEST(map_helpers)
{
	struct bh_map_def def = {.name = "m",
				 .type = BH_MAP_HASH,
				 .key_size = 4,
				 .value_size = 8,
				 .max_entries = 4};
	char err[128];
	struct bh_map *m = bh_map_new(&def, err, sizeof(err));
	/* update key 7 = 0x55, lookup it, delete it, lookup again (NULL) */
	struct bh_insn p[] = {
		STDW(10, -8, 7),     /* key */
		STDW(10, -16, 0x55), /* value */
		LDDW(1, (uintptr_t)m),
		MOV64_REG(2, 10),
		ADD64_IMM(2, -8),
		MOV64_REG(3, 10),
		ADD64_IMM(3, -16),
		MOV64_IMM(4, BH_NOEXIST),
		CALL_HELPER(2),
		JNE_IMM(0, 0, 14),
		LDDW(1, (uintptr_t)m),
		MOV64_REG(2, 10),
		ADD64_IMM(2, -8),
		CALL_HELPER(1),
		JEQ_IMM(0, 0, 8),
		LDXDW(6, 0, 0),
		LDDW(1, (uintptr_t)m),
		MOV64_REG(2, 10),
		ADD64_IMM(2, -8),
		CALL_HELPER(3),
		ADD64_REG(0, 6), /* 0x55 when the delete returned 0 */
		EXIT(),
		MOV64_IMM(0, -1),
		EXIT(),
	};
	uint64_t r0;

	CHECK_MSG(m, "bh_map_new: %s", err);
	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 0x55);
	/* a second run: the key is gone, so update NOEXIST succeeds again */
	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 0x55);
	bh_map_free(m);
}

/* ---- kfunc calls: SysV argument and return extension ---- */

/*
 * Callees in assembly, so a test sees the registers exactly as the
 * interpreter left them: a C callee would re-extend its narrow argument
 * itself and hide a missing extension.  t_raw<n> returns argument
 * register n as is; t_junk_u8 is an `unsigned char` function that leaves
 * junk above its low byte, as the ABI allows.
 */
#if defined(__x86_64__)
#define HAVE_RAW_CALLEES 1
#define ASM_FN(name, body)                                            \
	__asm__(".text\n.p2align 4\n.globl " #name "\n.hidden " #name \
		"\n.type " #name ",@function\n" #name ":\n" body      \
		"\n.size " #name ", .-" #name "\n")
ASM_FN(t_raw1, "movq %rdi, %rax\n\tret");
ASM_FN(t_raw2, "movq %rsi, %rax\n\tret");
ASM_FN(t_raw3, "movq %rdx, %rax\n\tret");
ASM_FN(t_raw4, "movq %rcx, %rax\n\tret");
ASM_FN(t_raw5, "movq %r8, %rax\n\tret");
ASM_FN(t_junk_u8, "movabsq $0xdeadbeefcafe12fe, %rax\n\tret");
#define RAW_DECL(name)                                       \
	__attribute__((visibility("hidden"))) uint64_t name( \
		uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
RAW_DECL(t_raw1);
RAW_DECL(t_raw2);
RAW_DECL(t_raw3);
RAW_DECL(t_raw4);
RAW_DECL(t_raw5);
__attribute__((visibility("hidden"))) unsigned char t_junk_u8(void);
#else
#define HAVE_RAW_CALLEES 0
#endif

/* the ABI-level cast the runtime makes for every kfunc */
#define AS_BH_FN(f) ((bh_fn)(void (*)(void))(f))

__attribute__((noinline)) static int t_short_id(short x)
{
	return x;
}

__attribute__((noinline)) static bool t_not(bool b)
{
	return !b;
}

__attribute__((noinline)) static unsigned short t_add_u16(unsigned short a,
							  unsigned short b)
{
	return (unsigned short)(a + b);
}

__attribute__((noinline)) static long long
t_mix(signed char a, unsigned int b, short c, long long d, unsigned char e)
{
	return a + (long long)b + c + d + e;
}

/* The resolver hands out the kcall in ctx for kfunc id 1, whatever it is. */
static int kcall_res(void *ctx, size_t idx, int32_t imm, int16_t off,
		     struct bh_kcall *out, char *err, size_t errsz)
{
	(void)idx;
	(void)off;
	if (imm != 1) {
		snprintf(err, errsz, "kfunc %d refused", imm);
		return -ENOENT;
	}
	*out = *(const struct bh_kcall *)ctx;
	return 0;
}

/* r0 = kfunc(r1..r5) with the registers as given */
static int run_kcall(const struct bh_kcall *kc, const uint64_t r[5],
		     uint64_t *r0)
{
	struct bh_resolve res = {.ctx = (void *)kc, .kfunc = kcall_res};
	struct bh_insn p[] = {
		LDDW(1, r[0]), LDDW(2, r[1]), LDDW(3, r[2]), LDDW(4, r[3]),
		LDDW(5, r[4]), CALL_KFUNC(1), EXIT(),
	};

	return run_res(p, N(p), &res, 0, 0, r0);
}

#define JUNK 0xdeadbeef8000fffeull

TEST(kfunc_arg_extension)
{
#if HAVE_RAW_CALLEES
	static const struct {
		uint8_t ext;
		uint64_t want;
	} c[] = {
		{BH_EXT_NONE, JUNK},	  {BH_EXT_BOOL, 1},
		{BH_EXT_U8, 0xfe},	  {BH_EXT_S8, (uint64_t)-2},
		{BH_EXT_U16, 0xfffe},	  {BH_EXT_S16, (uint64_t)-2},
		{BH_EXT_U32, 0x8000fffe}, {BH_EXT_S32, 0xffffffff8000fffeull},
	};
	bh_fn raw[5] = {t_raw1, t_raw2, t_raw3, t_raw4, t_raw5};
	const uint64_t regs[5] = {JUNK, JUNK, JUNK, JUNK, JUNK};

	/* every extension, in every argument position; the callee sees
	 * the argument it returns extended, the other four as is */
	for (int a = 0; a < 5; a++) {
		for (size_t i = 0; i < N(c); i++) {
			struct bh_kcall kc = {.fn = raw[a]};
			uint64_t r0;

			kc.arg_ext[a] = c[i].ext;
			/* another argument's extension must not leak */
			kc.arg_ext[(a + 1) % 5] = BH_EXT_U8;
			CHECK_EQ(run_kcall(&kc, regs, &r0), BH_RUN_OK);
			CHECK_MSG(r0 == c[i].want,
				  "arg %d ext %u: 0x%" PRIx64
				  ", want 0x%" PRIx64,
				  a + 1, c[i].ext, r0, c[i].want);
		}
	}
	/* a bool is the low byte's truth, not the register's */
	{
		struct bh_kcall kc = {.fn = t_raw1, .arg_ext = {BH_EXT_BOOL}};
		const uint64_t r[5] = {0xdeadbeef00000100ull};
		uint64_t r0;

		CHECK_EQ(run_kcall(&kc, r, &r0), BH_RUN_OK);
		CHECK_U64(r0, 0);
	}
#else
	th_skip("kfunc_arg_extension: no assembly callees for this target");
#endif
}

TEST(kfunc_ret_extension)
{
#if HAVE_RAW_CALLEES
	static const struct {
		uint8_t ext;
		uint64_t in, want;
	} c[] = {
		{BH_EXT_NONE, 0xdeadbeefcafe12feull, 0xdeadbeefcafe12feull},
		{BH_EXT_BOOL, 0xdeadbeefcafe12feull, 1},
		{BH_EXT_BOOL, 0xdeadbeefcafe1200ull, 0},
		{BH_EXT_U8, 0xdeadbeefcafe12feull, 0xfe},
		{BH_EXT_S8, 0xdeadbeefcafe12feull, (uint64_t)-2},
		{BH_EXT_S8, 0xdeadbeefcafe127full, 0x7f},
		{BH_EXT_U16, 0xdeadbeefcafe92feull, 0x92fe},
		{BH_EXT_S16, 0xdeadbeefcafe92feull, 0xffffffffffff92feull},
		{BH_EXT_U32, 0xdeadbeefcafe12feull, 0xcafe12fe},
		{BH_EXT_S32, 0xdeadbeefcafe12feull, 0xffffffffcafe12feull},
		{BH_EXT_S32, 0xdeadbeef7afe12feull, 0x7afe12fe},
	};

	for (size_t i = 0; i < N(c); i++) {
		struct bh_kcall kc = {.fn = t_raw1, .ret_ext = c[i].ext};
		const uint64_t r[5] = {c[i].in};
		uint64_t r0;

		CHECK_EQ(run_kcall(&kc, r, &r0), BH_RUN_OK);
		CHECK_MSG(r0 == c[i].want,
			  "ret ext %u of 0x%" PRIx64 ": 0x%" PRIx64
			  ", want 0x%" PRIx64,
			  c[i].ext, c[i].in, r0, c[i].want);
	}
	/* an unsigned char function that leaves junk in rax */
	{
		struct bh_kcall kc = {.fn = AS_BH_FN(t_junk_u8),
				      .ret_ext = BH_EXT_U8};
		const uint64_t r[5] = {0};
		uint64_t r0;

		CHECK_EQ(run_kcall(&kc, r, &r0), BH_RUN_OK);
		CHECK_U64(r0, 0xfe);
	}
#else
	th_skip("kfunc_ret_extension: no assembly callees for this target");
#endif
}

TEST(kfunc_c_callees)
{
	struct {
		const char *name;
		struct bh_kcall kc;
		uint64_t r[5], want;
	} c[] = {
		{"int f(short) of 0xdeadbeef0000fffe",
		 {AS_BH_FN(t_short_id), {BH_EXT_S16}, BH_EXT_S32},
		 {0xdeadbeef0000fffeull},
		 (uint64_t)-2},
		{"bool f(bool) of 0x100 (false)",
		 {AS_BH_FN(t_not), {BH_EXT_BOOL}, BH_EXT_BOOL},
		 {0x100},
		 1},
		{"bool f(bool) of 0xff00000001 (true)",
		 {AS_BH_FN(t_not), {BH_EXT_BOOL}, BH_EXT_BOOL},
		 {0xff00000001ull},
		 0},
		{"u16 f(u16, u16) wraps",
		 {AS_BH_FN(t_add_u16), {BH_EXT_U16, BH_EXT_U16}, BH_EXT_U16},
		 {(uint64_t)-1, 0xabcd0002ull},
		 1},
		{"s64 f(s8, u32, s16, s64, u8)",
		 {AS_BH_FN(t_mix),
		  {BH_EXT_S8, BH_EXT_U32, BH_EXT_S16, BH_EXT_NONE, BH_EXT_U8},
		  BH_EXT_NONE},
		 {0x1ff, 0xffffffff00000010ull, 0x7777fffd, 1ull << 40, 0x1ff},
		 (uint64_t)(-1 + 16 - 3 + (1ll << 40) + 255)},
	};

	for (size_t i = 0; i < N(c); i++) {
		uint64_t r0;

		CHECK_EQ(run_kcall(&c[i].kc, c[i].r, &r0), BH_RUN_OK);
		CHECK_MSG(r0 == c[i].want, "%s: 0x%" PRIx64 ", want 0x%" PRIx64,
			  c[i].name, r0, c[i].want);
	}
}

TEST(kfunc_inject)
{
	/* argument 3 is the program's handle (__prog): whatever r3 holds */
	struct bh_kcall kc = {
		.fn = test_sum5, .inject_mask = 1u << 2, .inject_val[2] = 1000};
	const uint64_t r[5] = {1, 2, 0xbad, 4, 5};
	uint64_t r0;

	CHECK_EQ(run_kcall(&kc, r, &r0), BH_RUN_OK);
	CHECK_U64(r0, 1012);
	/* with extension of the others, and a void return */
	kc.inject_mask = 1u << 0 | 1u << 4;
	kc.inject_val[0] = kc.inject_val[4] = 1000;
	kc.arg_ext[1] = BH_EXT_U8;
	kc.ret_ext = BH_EXT_VOID;
	CHECK_EQ(run_kcall(&kc, r, &r0), BH_RUN_OK);
	CHECK_U64(r0, 1000 + 2 + 0xbad + 4 + 1000);
	/* plain (the helper path) and VOID-only kcalls pass registers as is */
	{
		struct bh_kcall plain = {.fn = test_sum5,
					 .ret_ext = BH_EXT_VOID};
		const uint64_t big[5] = {1ull << 40, 1ull << 41, 0, 0, 1};

		CHECK_EQ(run_kcall(&plain, big, &r0), BH_RUN_OK);
		CHECK_U64(r0, (1ull << 40) + (1ull << 41) + 1);
	}
}

TEST(kfunc_decode_errors)
{
	struct bh_insn p[] = {CALL_KFUNC(1), EXIT()};
	struct bh_insn other[] = {CALL_KFUNC(2), EXIT()};
	struct bh_kcall kc = {.fn = test_sum5};
	struct bh_resolve res = {.ctx = &kc, .kfunc = kcall_res};
	struct bh_code *code = NULL;
	char err[128] = "";

	/* the resolver's error comes through */
	CHECK_EQ(bh_code_new(other, N(other), &res, &code, err, sizeof(err)),
		 -ENOENT);
	CHECK_STR(err, "kfunc 2 refused");
	/* no resolver at all */
	CHECK_EQ(bh_code_new(p, N(p), NULL, &code, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "insn 0: unresolved kfunc");
	kc.fn = test_sum5;
	kc.arg_ext[4] = BH_EXT_VOID;
	CHECK_EQ(bh_code_new(p, N(p), &res, &code, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "kfunc argument 5 has extension");
	kc.arg_ext[4] = BH_EXT_NONE;
	kc.ret_ext = BH_EXT_VOID + 1;
	CHECK_EQ(bh_code_new(p, N(p), &res, &code, err, sizeof(err)), -EINVAL);
	kc.ret_ext = BH_EXT_NONE;
	kc.inject_mask = 1u << 5;
	CHECK_EQ(bh_code_new(p, N(p), &res, &code, err, sizeof(err)), -EINVAL);
	CHECK(!code);
}

TEST(kfunc_weak_absent)
{
	/* if (kfunc) r0 = kfunc(); with the kfunc absent: decodes, the
	 * guarded call never runs, an unguarded one stops the run */
	struct bh_kcall kc = {.fn = NULL};
	struct bh_resolve res = {.ctx = &kc, .kfunc = kcall_res};
	struct bh_insn p[] = {
		MOV64_IMM(0, 7), JEQ_IMM(1, 0, 1), CALL_KFUNC(1),
		STDW(10, -8, 1), EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run_res(p, N(p), &res, 0, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 7);
	CHECK_EQ(run_res(p, N(p), &res, 1, 0, &r0), BH_RUN_NO_KFUNC);
}

TEST(kfunc_many_calls)
{
	/* several slow kfunc calls in one program, each with its own kcall
	 * (and a ld_imm64 between, whose second slot must not confuse the
	 * count), plus a plain one */
	struct bh_kcall kc = {.fn = AS_BH_FN(t_short_id),
			      .arg_ext = {BH_EXT_S16},
			      .ret_ext = BH_EXT_S32};
	struct bh_resolve res = {.ctx = &kc, .kfunc = kcall_res};
	struct bh_insn p[] = {
		LDDW(1, 0xffff0000fffdull),
		CALL_KFUNC(1), /* -3 */
		MOV64_REG(6, 0),
		LDDW(1, 0x7fff),
		CALL_KFUNC(1), /* 0x7fff */
		ADD64_REG(0, 6),
		EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run_res(p, N(p), &res, 0, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 0x7fff - 3);
}

/* ---- callbacks and bpf_loop ---- */

#define BPF_LOOP 181

/*
 * main(r1 = nr_loops): fp[-8] = 0; r0 = bpf_loop(r1, cb, &fp[-8], flags);
 * return r0 + fp[-8] * 1000.  cb (r1 = i, r2 = ctx) follows at LOOP_CB.
 */
#define LOOP_CB 11
static size_t loop_prog(struct bh_insn *p, int32_t flags,
			const struct bh_insn *cb, size_t ncb)
{
	const struct bh_insn main[LOOP_CB] = {
		STDW(10, -8, 0),     LD_FUNC(2, LOOP_CB - 2),
		MOV64_REG(3, 10),    ADD64_IMM(3, -8),
		MOV64_IMM(4, flags), CALL_HELPER(BPF_LOOP),
		LDXDW(1, 10, -8),    MUL64_IMM(1, 1000),
		ADD64_REG(0, 1),     EXIT(),
	};

	memcpy(p, main, sizeof(main));
	memcpy(p + LOOP_CB, cb, ncb * sizeof(*cb));
	return LOOP_CB + ncb;
}

/* *ctx += 1; return 0 (5 instructions) */
static const struct bh_insn count_cb[] = {
	LDXDW(3, 2, 0),	 ADD64_IMM(3, 1), STXDW(2, 3, 0),
	MOV64_IMM(0, 0), EXIT(),
};

/* *ctx += i + 1; return i == 3 */
static const struct bh_insn stop_cb[] = {
	LDXDW(3, 2, 0),	 ADD64_REG(3, 1),  ADD64_IMM(3, 1), STXDW(2, 3, 0),
	MOV64_IMM(0, 0), JNE_IMM(1, 3, 1), MOV64_IMM(0, 1), EXIT(),
};

static int run_loop(const struct bh_insn *cb, size_t ncb, int32_t flags,
		    uint64_t nr, uint64_t limit, uint64_t *r0)
{
	struct bh_insn p[64];
	size_t n = loop_prog(p, flags, cb, ncb);

	return run_res(p, n, NULL, nr, limit, r0);
}

TEST(bpf_loop)
{
	const struct bh_helper_info *h = bh_helper_by_id(BPF_LOOP);
	uint64_t r0;

	CHECK(h && !strcmp(h->name, "bpf_loop"));
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, 11, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 11 + 11 * 1000);
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, 0, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 0);
	/* nr_loops is a u32: the upper half of r1 is ignored */
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, 0x700000003ull, 0, &r0),
		 BH_RUN_OK);
	CHECK_U64(r0, 3 + 3 * 1000);
	/* a callback returning 1 stops the loop, and counts */
	CHECK_EQ(run_loop(stop_cb, N(stop_cb), 0, 10, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 4 + (1 + 2 + 3 + 4) * 1000);
	CHECK_EQ(run_loop(stop_cb, N(stop_cb), 0, 3, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 3 + (1 + 2 + 3) * 1000);
	/* flags must be 0; at most BPF_MAX_LOOPS; neither calls back */
	CHECK_EQ(run_loop(count_cb, N(count_cb), 1, 5, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, (uint64_t)-EINVAL);
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, (1u << 23) + 1, 0, &r0),
		 BH_RUN_OK);
	CHECK_U64(r0, (uint64_t)-E2BIG);
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, UINT32_MAX, 0, &r0),
		 BH_RUN_OK);
	CHECK_U64(r0, (uint64_t)-E2BIG);
	/* exactly BPF_MAX_LOOPS is allowed (stopping at once) */
	{
		static const struct bh_insn stop_now[] = {MOV64_IMM(0, 1),
							  EXIT()};

		CHECK_EQ(run_loop(stop_now, N(stop_now), 0, 1u << 23, 0, &r0),
			 BH_RUN_OK);
		CHECK_U64(r0, 1);
	}
}

TEST(callback_frames)
{
	/* the callback clobbers r6-r9 and reads its frame (fresh: 0), then
	 * calls a subprogram that does the same one frame deeper; the
	 * caller's registers and stack must survive */
	struct bh_insn p[] = {
		MOV64_IMM(6, 6),
		MOV64_IMM(7, 7),
		MOV64_IMM(8, 8),
		MOV64_IMM(9, 9),
		STDW(10, -24, 0x1111),
		STDW(10, -8, 0),
		MOV64_IMM(1, 3),
		LD_FUNC(2, 23 - 8),
		MOV64_REG(3, 10),
		ADD64_IMM(3, -8),
		MOV64_IMM(4, 0),
		CALL_HELPER(BPF_LOOP), /* 12: r0 = 3 */
		ADD64_REG(0, 6),
		ADD64_REG(0, 7),
		ADD64_REG(0, 8),
		ADD64_REG(0, 9),
		LDXDW(1, 10, -24),
		ADD64_REG(0, 1),
		LDXDW(1, 10, -8),
		LSH64_IMM(1, 16),
		ADD64_REG(0, 1),
		EXIT(),
		/* 23: cb */
		MOV64_IMM(6, 0),
		MOV64_IMM(7, 0),
		MOV64_IMM(8, 0),
		MOV64_IMM(9, 0),
		MOV64_REG(6, 2),
		LDXDW(3, 10, -8),
		LDXDW(4, 10, -512),
		ADD64_REG(3, 4),
		ADD64_IMM(3, 1),
		LDXDW(4, 6, 0),
		ADD64_REG(4, 3),
		STXDW(6, 4, 0), /* *ctx += fp[-8] + fp[-512] + 1 */
		STDW(10, -8, 0x5555),
		STDW(10, -512, 0x6666),
		MOV64_REG(1, 6),
		CALL_LOCAL(2),
		MOV64_IMM(0, 0),
		EXIT(),
		/* 41: g(ctx), the same one frame deeper */
		LDXDW(3, 10, -8),
		LDXDW(4, 10, -512),
		ADD64_REG(3, 4),
		ADD64_IMM(3, 1),
		LDXDW(4, 1, 0),
		ADD64_REG(4, 3),
		STXDW(1, 4, 0),
		STDW(10, -8, 0x7777),
		STDW(10, -512, 0x8888),
		EXIT(),
	};
	uint64_t r0;

	CHECK_EQ(run(p, N(p), &r0), BH_RUN_OK);
	CHECK_U64(r0, 3 + 6 + 7 + 8 + 9 + 0x1111 + (6 << 16));
}

/*
 * main(r1 = limit): a callback that calls bpf_loop(1, itself) until it
 * has nested `limit` times; returns how many times it did.
 */
static const struct bh_insn nest_prog[] = {
	STDW(10, -16, 0),
	STXDW(10, 1, -8),
	MOV64_IMM(1, 1),
	LD_FUNC(2, 11 - 4),
	MOV64_REG(3, 10),
	ADD64_IMM(3, -16),
	MOV64_IMM(4, 0),
	CALL_HELPER(BPF_LOOP),
	LDXDW(0, 10, -16),
	EXIT(),
	/* 11: cb(i, ctx = {count, limit}) */
	LDXDW(3, 2, 0),
	LDXDW(4, 2, 8),
	JGE_REG(3, 4, 8),
	ADD64_IMM(3, 1),
	STXDW(2, 3, 0),
	MOV64_REG(3, 2),
	MOV64_IMM(1, 1),
	LD_FUNC(2, 11 - 19),
	MOV64_IMM(4, 0),
	CALL_HELPER(BPF_LOOP),
	MOV64_IMM(0, 0),
	EXIT(),
};

/* local calls down to frame `frame`, which calls bpf_loop(1, cb) */
static int run_loop_at_depth(int frame, uint64_t *r0)
{
	struct bh_insn p[2 * BH_MAX_CALL_FRAMES + 9];
	size_t n = 0;

	for (int f = 0; f < frame; f++) {
		p[n++] = CALL_LOCAL(1);
		p[n++] = EXIT();
	}
	p[n++] = MOV64_IMM(1, 1);
	p[n++] = (struct bh_insn)INSN(0x18, 2, BH_PSEUDO_FUNC, 0, 5);
	p[n++] = (struct bh_insn)INSN(0, 0, 0, 0, 0);
	p[n++] = MOV64_IMM(3, 0);
	p[n++] = MOV64_IMM(4, 0);
	p[n++] = CALL_HELPER(BPF_LOOP);
	p[n++] = EXIT();
	p[n++] = MOV64_IMM(0, 0); /* cb */
	p[n++] = EXIT();
	return run(p, n, r0);
}

TEST(callback_depth)
{
	uint64_t r0;

	/* main and callbacks in frames 1..7: the 8 frames */
	CHECK_EQ(run_res(nest_prog, N(nest_prog), NULL, 6, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 6);
	/* a ninth frame faults, from the innermost callback up through
	 * every bpf_loop to the run */
	CHECK_EQ(run_res(nest_prog, N(nest_prog), NULL, 7, 0, &r0),
		 BH_RUN_CALL_DEPTH);
	CHECK_EQ(run_res(nest_prog, N(nest_prog), NULL, 1000, 0, &r0),
		 BH_RUN_CALL_DEPTH);
	/* a callback from inside local calls takes the next frame */
	CHECK_EQ(run_loop_at_depth(BH_MAX_CALL_FRAMES - 2, &r0), BH_RUN_OK);
	CHECK_U64(r0, 1);
	CHECK_EQ(run_loop_at_depth(BH_MAX_CALL_FRAMES - 1, &r0),
		 BH_RUN_CALL_DEPTH);
}

TEST(callback_fault_propagates)
{
	/* cb: callx of helper 0, which does not exist; the caller must not
	 * run a single instruction after bpf_loop returns */
	uint64_t mem[2] = {0, 0};
	struct bh_insn p[] = {
		MOV64_REG(6, 1),
		MOV64_IMM(1, 5),
		LD_FUNC(2, 9 - 3),
		MOV64_REG(3, 6),
		MOV64_IMM(4, 0),
		CALL_HELPER(BPF_LOOP),
		STDW(6, 8, 0x99),
		EXIT(),
		/* 9: cb: (*ctx)++, then callx 0 */
		LDXDW(3, 2, 0),
		ADD64_IMM(3, 1),
		STXDW(2, 3, 0),
		MOV64_IMM(4, 0),
		CALLX(4),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	struct bh_insn spin[N(p)];
	uint64_t r0;

	CHECK_EQ(run_res(p, N(p), NULL, (uintptr_t)mem, 0, &r0),
		 BH_RUN_BAD_CALLX);
	CHECK_U64(mem[0], 1);
	CHECK_U64(mem[1], 0);
	/* the same for a callback that never returns, under a budget */
	memcpy(spin, p, sizeof(p));
	spin[13] = JA(-1);
	mem[0] = 0;
	CHECK_EQ(run_res(spin, N(spin), NULL, (uintptr_t)mem, 10000, &r0),
		 BH_RUN_INSN_LIMIT);
	CHECK_U64(mem[0], 1);
	CHECK_U64(mem[1], 0);
}

TEST(callback_budget)
{
	uint64_t r0;

	/* 100 callbacks of 5 instructions and 11 in main: callbacks are
	 * charged to the run's budget, exactly */
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, 100, 511, &r0), BH_RUN_OK);
	CHECK_U64(r0, 100 + 100 * 1000);
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, 100, 510, &r0),
		 BH_RUN_INSN_LIMIT);
	CHECK_EQ(run_loop(count_cb, N(count_cb), 0, 100, 300, &r0),
		 BH_RUN_INSN_LIMIT);
}

TEST(callback_bad_handle)
{
	struct bh_insn p[] = {
		MOV64_IMM(1, 1),       LDDW(2, 0),
		MOV64_IMM(3, 0),       MOV64_IMM(4, 0),
		CALL_HELPER(BPF_LOOP), EXIT(),
	};
	struct bh_code *code;
	char err[128];
	uint64_t r0;

	/* a handle that is no slot of the running program */
	CHECK_EQ(run_res(p, N(p), NULL, 0, 0, &r0), BH_RUN_BAD_CALLBACK);
	p[1].imm = 1234;
	CHECK_EQ(run_res(p, N(p), NULL, 0, 0, &r0), BH_RUN_BAD_CALLBACK);
	/* one inside a slot */
	CHECK_EQ(bh_code_new(p, N(p), NULL, &code, err, sizeof(err)), 0);
	{
		struct bh_insn q[N(p)];
		struct bh_code *c2;

		memcpy(q, p, sizeof(p));
		q[1].imm = (int32_t)(uint32_t)((uintptr_t)code + 64 + 1);
		q[2].imm =
			(int32_t)(uint32_t)(((uintptr_t)code + 64 + 1) >> 32);
		CHECK_EQ(bh_code_new(q, N(q), NULL, &c2, err, sizeof(err)), 0);
		CHECK_EQ(bh_code_run(c2, 0, 0, NULL, &r0), BH_RUN_BAD_CALLBACK);
		bh_code_free(c2);
	}
	bh_code_free(code);
	/* and no run at all on this thread */
	CHECK_EQ(bh_callback_call(0, 0, 0, 0, 0, 0, &r0), BH_RUN_BAD_CALLBACK);
	/* a callback target outside the program cannot be decoded */
	{
		struct bh_insn q[] = {LD_FUNC(1, 5), EXIT()};

		CHECK_EQ(bh_code_new(q, N(q), NULL, &code, err, sizeof(err)),
			 -EINVAL);
		CHECK_CONTAINS(err, "insn 0: callback target +5 out of range");
	}
}

/* A resolver for the callback tests: only BH_PSEUDO_MAP_VALUE 3 for
 * ld_imm64 (BH_PSEUDO_FUNC must never reach it), helper 1002 runs
 * inner_code, the rest are the built-in helpers. */
static _Thread_local const struct bh_code *inner_code;

static uint64_t run_inner(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			  uint64_t r5)
{
	uint64_t r0;

	(void)r2, (void)r3, (void)r4, (void)r5;
	if (bh_code_run(inner_code, r1, 0, NULL, &r0))
		return (uint64_t)-1;
	return r0;
}

static bh_fn cb_helper(void *ctx, int32_t id)
{
	const struct bh_helper_info *h = bh_helper_by_id(id);

	(void)ctx;
	if (id == 1002)
		return run_inner;
	return h ? h->fn : NULL;
}

TEST(callback_nested_runs)
{
	struct test_res_ctx rctx = {0};
	struct bh_resolve res = {&rctx, test_ldimm64, cb_helper, NULL};
	/* cb: *ctx += inner(4), where inner runs its own bpf_loop */
	static const struct bh_insn outer_cb[] = {
		MOV64_REG(6, 2), MOV64_IMM(1, 4), CALL_HELPER(1002),
		LDXDW(3, 6, 0),	 ADD64_REG(3, 0), STXDW(6, 3, 0),
		MOV64_IMM(0, 0), EXIT(),
	};
	struct bh_insn inner[64], outer[64];
	size_t ni = loop_prog(inner, 0, count_cb, N(count_cb));
	size_t no = loop_prog(outer, 0, outer_cb, N(outer_cb));
	struct bh_code *ic;
	char err[128];
	uint64_t r0;

	/* the resolver rejects every ld_imm64 but map value 3: the
	 * callback's ld_imm64 never reaches it */
	CHECK_EQ(bh_code_new(inner, ni, &res, &ic, err, sizeof(err)), 0);
	inner_code = ic;
	CHECK_EQ(run_res(outer, no, &res, 2, 0, &r0), BH_RUN_OK);
	CHECK_U64(r0, 2 + 2 * (4 + 4 * 1000) * 1000);
	inner_code = NULL;
	bh_code_free(ic);
}

static void *loop_thread(void *arg)
{
	struct bh_code *code = arg;
	uintptr_t bad = 0;

	for (uint64_t i = 0; i < 3000; i++) {
		uint64_t n = i % 50, r0;

		if (bh_code_run(code, n, 0, NULL, &r0) || r0 != n + n * 1000)
			bad++;
	}
	return (void *)bad;
}

TEST(callback_threads)
{
	struct bh_insn p[64];
	size_t n = loop_prog(p, 0, count_cb, N(count_cb));
	struct bh_code *code;
	pthread_t t[3];
	char err[128];

	CHECK_EQ(bh_code_new(p, n, NULL, &code, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		CHECK(!pthread_create(&t[i], NULL, loop_thread, code));
	for (int i = 0; i < 3; i++) {
		void *bad;

		pthread_join(t[i], &bad);
		CHECK_EQ((uintptr_t)bad, 0);
	}
	bh_code_free(code);
}

/* ---- threads ---- */

/* r0 = sum of 1..r1, going through the stack and a local call */
static const struct bh_insn thread_prog[] = {
	MOV64_IMM(7, 0),
	MOV64_REG(6, 1),
	STXDW(10, 6, -8),
	LDXDW(1, 10, -8),
	MOV64_REG(2, 7),
	CALL_LOCAL(5),
	MOV64_REG(7, 0),
	SUB64_IMM(6, 1),
	JNE_IMM(6, 0, -7),
	MOV64_REG(0, 7),
	EXIT(),
	MOV64_REG(0, 1), /* f: r0 = r1 + r2 */
	ADD64_REG(0, 2),
	EXIT(),
};

struct thread_arg {
	const struct bh_code *code;
	uint64_t base;
	int bad;
	struct capture cap;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct bh_run_env env = {capture_print, &a->cap};
	static const char fmt[] = "%d";
	const struct bh_helper_info *h = bh_helper_by_id(6);

	bh_run_env_set(&env);
	for (uint64_t i = 0; i < 2000; i++) {
		uint64_t n = a->base + i % 97, r0;

		if (bh_code_run(a->code, n, 0, NULL, &r0) ||
		    r0 != n * (n + 1) / 2)
			a->bad++;
		/* each thread prints to its own environment */
		h->fn((uint64_t)(uintptr_t)fmt, sizeof(fmt), a->base, 0, 0);
	}
	bh_run_env_set(NULL);
	return NULL;
}

TEST(concurrent_runs)
{
	struct thread_arg a[2] = {{.base = 1}, {.base = 1000}};
	struct bh_code *code;
	pthread_t t[2];
	char err[128];

	CHECK_EQ(bh_insns_check(thread_prog, N(thread_prog), err, sizeof(err)),
		 0);
	CHECK_EQ(bh_code_new(thread_prog, N(thread_prog), NULL, &code, err,
			     sizeof(err)),
		 0);
	for (int i = 0; i < 2; i++) {
		a[i].code = code;
		CHECK(!pthread_create(&t[i], NULL, thread_main, &a[i]));
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	bh_code_free(code);
	CHECK_EQ(a[0].bad, 0);
	CHECK_EQ(a[1].bad, 0);
	CHECK_STR(a[0].cap.buf, "1");
	CHECK_STR(a[1].cap.buf, "1000");
	CHECK_EQ(a[0].cap.calls, 2000);
	CHECK_EQ(a[1].cap.calls, 2000);
}

/* ---- speed (informational) ---- */

TEST(speed)
{
	/* 3 instructions per iteration */
	struct bh_insn p[] = {
		MOV64_IMM(0, 0),   ADD64_REG(0, 1), SUB64_IMM(1, 1),
		JNE_IMM(1, 0, -3), EXIT(),
	};
	const uint64_t iters = 20000000;
	struct bh_code *code;
	struct timespec t0, t1;
	char err[128];
	uint64_t r0;
	double ns;

	CHECK_EQ(bh_code_new(p, N(p), NULL, &code, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(bh_code_run(code, iters, 0, NULL, &r0), BH_RUN_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	bh_code_free(code);
	CHECK_U64(r0, iters * (iters + 1) / 2);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	     (double)(t1.tv_nsec - t0.tv_nsec);
	printf("INFO: speed: %.2f ns per instruction (%" PRIu64
	       " instructions)\n",
	       ns / (double)(3 * iters), 3 * iters);
}
