// SPDX-License-Identifier: BSD-2-Clause
/*
 * Soundness fuzzing of the verifier: random but well-formed programs
 * (deterministic xorshift seed; ALU of both widths, movsx/bswap, forward
 * branches of both widths, stack spills and fills, ctx loads and loads and
 * stores through a map value pointer moved by computed offsets) are
 * verified with bh_verify(), and every accepted one is run in the
 * interpreter with its map value and ctx placed against PROT_NONE guard
 * pages, once at the end of a page and once at its start, so any access
 * outside them faults.  The verifier may reject what it likes; a fault, or
 * an interpreter error, in an accepted program is a soundness bug and
 * fails the test (the program is printed).  The stack frame is the
 * interpreter's own: out-of-frame accesses there are caught by the ASan
 * build of the same test.
 *
 * FUZZ_ITERS (default 3000) and FUZZ_SEED set the run; `make fuzz` runs
 * a long one.  Until src/verifier/verifier.c (bh_verify) is part of the
 * tree the test only reports that it is skipped.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#if __has_include("verifier/verifier.c")
#define HAVE_BH_VERIFY 1
#include "exec/exec.h"
#include "insn/insn.h"
#include "maps/map.h"
#include "verifier/verifier.h"
#else
#define HAVE_BH_VERIFY 0
#endif

#if HAVE_BH_VERIFY

#define VALUE_SIZE 64
#define CTX_SIZE 64
#define MAX_INSNS 96
#define PAGE 4096

/* opcode pieces (the ISA's values) */
#define C_LD 0x00
#define C_LDX 0x01
#define C_ST 0x02
#define C_STX 0x03
#define C_ALU 0x04
#define C_JMP 0x05
#define C_JMP32 0x06
#define C_ALU64 0x07
#define S_W 0x00
#define S_H 0x08
#define S_B 0x10
#define S_DW 0x18
#define M_IMM 0x00
#define M_MEM 0x60
#define SRC_K 0x00
#define SRC_X 0x08
#define OP_ADD 0x00
#define OP_SUB 0x10
#define OP_MUL 0x20
#define OP_DIV 0x30
#define OP_OR 0x40
#define OP_AND 0x50
#define OP_LSH 0x60
#define OP_RSH 0x70
#define OP_NEG 0x80
#define OP_MOD 0x90
#define OP_XOR 0xa0
#define OP_MOV 0xb0
#define OP_ARSH 0xc0
#define OP_END 0xd0
#define J_EXIT 0x90

struct gen {
	uint64_t rng;
	struct bh_insn insns[MAX_INSNS];
	size_t cnt;
};

static uint64_t next_rand(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static uint32_t pick(struct gen *g, uint32_t n)
{
	return (uint32_t)(next_rand(g) % n);
}

static void emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src,
		 int16_t off, int32_t imm)
{
	struct bh_insn *in = &g->insns[g->cnt++];

	in->code = code;
	in->dst_reg = dst & 0xf;
	in->src_reg = src & 0xf;
	in->off = off;
	in->imm = imm;
}

static int32_t interesting_imm(struct gen *g)
{
	static const int32_t v[] = {0,
				    1,
				    2,
				    3,
				    7,
				    8,
				    15,
				    16,
				    31,
				    32,
				    63,
				    64,
				    255,
				    -1,
				    -8,
				    -64,
				    4096,
				    0x7fffffff,
				    -0x7fffffff - 1};

	if (pick(g, 4) == 0)
		return (int32_t)next_rand(g);
	return v[pick(g, sizeof(v) / sizeof(v[0]))];
}

/* a scratch register: r0..r5 */
static uint8_t scratch(struct gen *g)
{
	return (uint8_t)pick(g, 6);
}

static void gen_alu(struct gen *g)
{
	static const uint8_t ops[] = {OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_OR,
				      OP_AND, OP_LSH, OP_RSH, OP_NEG, OP_MOD,
				      OP_XOR, OP_MOV, OP_ARSH};
	uint8_t op = ops[pick(g, sizeof(ops) / sizeof(ops[0]))];
	uint8_t cls = pick(g, 3) ? C_ALU64 : C_ALU;
	uint8_t dst = scratch(g);
	int width = cls == C_ALU64 ? 64 : 32;

	if (op == OP_NEG) {
		emit(g, cls | op, dst, 0, 0, 0);
		return;
	}
	if (pick(g, 2)) {
		int32_t imm = interesting_imm(g);

		if (op == OP_LSH || op == OP_RSH || op == OP_ARSH)
			imm = (int32_t)pick(g, (uint32_t)width);
		if ((op == OP_DIV || op == OP_MOD) && !imm)
			imm = 3;
		emit(g, cls | op | SRC_K, dst, 0, 0, imm);
	} else {
		emit(g, cls | op | SRC_X, dst, scratch(g), 0, 0);
	}
}

/* movsx and byte swaps (cpu v4) */
static void gen_v4(struct gen *g)
{
	static const int16_t sx[] = {8, 16, 32};
	static const int32_t sw[] = {16, 32, 64};
	uint8_t dst = scratch(g);

	switch (pick(g, 3)) {
	case 0:
		emit(g, C_ALU64 | OP_MOV | SRC_X, dst, scratch(g),
		     sx[pick(g, 3)], 0);
		break;
	case 1:
		emit(g, C_ALU | OP_MOV | SRC_X, dst, scratch(g), sx[pick(g, 2)],
		     0);
		break;
	default: {
		/* le (ALU, src K), be (ALU, src X) or bswap (ALU64, src K) */
		static const uint8_t end[] = {C_ALU | OP_END | SRC_K,
					      C_ALU | OP_END | SRC_X,
					      C_ALU64 | OP_END | SRC_K};

		emit(g, end[pick(g, 3)], dst, 0, 0, sw[pick(g, 3)]);
		break;
	}
	}
}

static uint8_t rand_size(struct gen *g, int *bytes)
{
	static const uint8_t sz[] = {S_B, S_H, S_W, S_DW};
	static const int nb[] = {1, 2, 4, 8};
	uint32_t i = pick(g, 4);

	*bytes = nb[i];
	return sz[i];
}

/* r8 = r6 + (masked) rX; load or store through r8 */
static void gen_map_access(struct gen *g)
{
	uint8_t idx = scratch(g);
	int bytes;
	uint8_t size = rand_size(g, &bytes);
	int16_t off = (int16_t)((int)pick(g, VALUE_SIZE + 16) - 8);

	if (pick(g, 3))
		emit(g, C_ALU64 | OP_AND | SRC_K, idx, 0, 0,
		     (int32_t)pick(g, 2 * VALUE_SIZE));
	emit(g, C_ALU64 | OP_MOV | SRC_X, 8, 6, 0, 0);
	emit(g, C_ALU64 | OP_ADD | SRC_X, 8, idx, 0, 0);
	if (pick(g, 2))
		emit(g, C_LDX | size | M_MEM, scratch(g), 8, off, 0);
	else
		emit(g, C_STX | size | M_MEM, 8, scratch(g), off, 0);
}

static void gen_ctx_load(struct gen *g)
{
	int bytes;
	uint8_t size = rand_size(g, &bytes);
	int16_t off = (int16_t)(pick(g, (CTX_SIZE + 16) / bytes) * bytes);

	emit(g, C_LDX | size | M_MEM, scratch(g), 7, off, 0);
}

static void gen_stack(struct gen *g)
{
	int bytes;
	uint8_t size = rand_size(g, &bytes);
	/* mostly aligned, in the frame; now and then off by a little */
	int16_t off = (int16_t)(-8 * (int)(1 + pick(g, 8)));

	if (pick(g, 8) == 0)
		off = (int16_t)(off + (int)pick(g, 8));
	switch (pick(g, 3)) {
	case 0:
		emit(g, C_STX | size | M_MEM, 10, scratch(g), off, 0);
		break;
	case 1:
		emit(g, C_ST | size | M_MEM, 10, 0, off, interesting_imm(g));
		break;
	default:
		emit(g, C_LDX | size | M_MEM, scratch(g), 10, off, 0);
		break;
	}
}

/* forward conditional jump over up to `room` instructions */
static void gen_branch(struct gen *g, size_t room)
{
	static const uint8_t ops[] = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60,
				      0x70, 0xa0, 0xb0, 0xc0, 0xd0};
	uint8_t op = ops[pick(g, sizeof(ops) / sizeof(ops[0]))];
	uint8_t cls = pick(g, 3) ? C_JMP : C_JMP32;
	int16_t off = (int16_t)pick(g, (uint32_t)(room < 6 ? room + 1 : 7));

	if (pick(g, 2))
		emit(g, cls | op | SRC_K, scratch(g), 0, off,
		     interesting_imm(g));
	else
		emit(g, cls | op | SRC_X, scratch(g), scratch(g), off, 0);
}

/*
 * r6 = &map value (ld_imm64, BPF_PSEUDO_MAP_VALUE of map 0), r7 = ctx,
 * r0..r5 seeded, a random body, exit.  Every jump is forward and lands
 * inside the body or on the exit.
 */
static void generate(struct gen *g)
{
	size_t body;

	g->cnt = 0;
	emit(g, C_LD | S_DW | M_IMM, 6, BH_PSEUDO_MAP_VALUE, 0, 0);
	emit(g, 0, 0, 0, 0, 0);
	emit(g, C_ALU64 | OP_MOV | SRC_X, 7, 1, 0, 0);
	for (uint8_t r = 0; r <= 5; r++) {
		switch (pick(g, 3)) {
		case 0:
			emit(g, C_ALU64 | OP_MOV | SRC_K, r, 0, 0,
			     interesting_imm(g));
			break;
		case 1:
			emit(g, C_LDX | S_DW | M_MEM, r, 7,
			     (int16_t)(8 * pick(g, CTX_SIZE / 8)), 0);
			break;
		default:
			emit(g, C_LDX | S_DW | M_MEM, r, 6,
			     (int16_t)(8 * pick(g, VALUE_SIZE / 8)), 0);
			break;
		}
	}
	body = 8 + pick(g, 40);
	while (g->cnt < MAX_INSNS - 4 && body--) {
		size_t room = MAX_INSNS - 4 - g->cnt;

		switch (pick(g, 12)) {
		case 0:
		case 1:
		case 2:
		case 3:
			gen_alu(g);
			break;
		case 4:
			gen_v4(g);
			break;
		case 5:
		case 6:
			gen_map_access(g);
			break;
		case 7:
			gen_ctx_load(g);
			break;
		case 8:
			gen_stack(g);
			break;
		default:
			gen_branch(g, room < body ? room : body);
			break;
		}
	}
	emit(g, C_JMP | J_EXIT, 0, 0, 0, 0);
	/* clamp every jump to land on or before the exit */
	for (size_t i = 0; i + 1 < g->cnt; i++) {
		uint8_t cls = g->insns[i].code & 7;

		if ((cls == C_JMP || cls == C_JMP32) &&
		    (int64_t)i + 1 + g->insns[i].off > (int64_t)g->cnt - 1)
			g->insns[i].off = (int16_t)(g->cnt - 1 - (i + 1));
	}
}

/* ---- running against guard pages ---- */

struct guarded {
	uint8_t *map; /* 3 pages: PROT_NONE, data, PROT_NONE */
	uint8_t *value;
};

static int guarded_new(struct guarded *gd)
{
	gd->map = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (gd->map == MAP_FAILED)
		return -errno;
	if (mprotect(gd->map + PAGE, PAGE, PROT_READ | PROT_WRITE))
		return -errno;
	return 0;
}

/* place `size` bytes at the end (at_end) or start of the data page */
static uint8_t *guarded_place(struct guarded *gd, size_t size, int at_end)
{
	return gd->map + PAGE + (at_end ? PAGE - size : 0);
}

static uint8_t *cur_value;
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

static int resolve_ldimm64(void *ctx, const struct bh_insn *insns, size_t idx,
			   uint64_t *val, char *err, size_t errsz)
{
	(void)ctx;
	if (insns[idx].src_reg != BH_PSEUDO_MAP_VALUE || insns[idx].imm) {
		snprintf(err, errsz, "insn %zu: unexpected ld_imm64", idx);
		return -EINVAL;
	}
	*val = (uint64_t)(uintptr_t)(cur_value + insns[idx + 1].imm);
	return 0;
}

static void dump_prog(const struct gen *g)
{
	for (size_t i = 0; i < g->cnt; i++) {
		const struct bh_insn *in = &g->insns[i];

		printf("      %3zu: code %02x dst r%u src r%u off %d imm %d\n",
		       i, in->code, in->dst_reg, in->src_reg, in->off, in->imm);
	}
}

struct fuzz_counts {
	unsigned long generated, accepted, runs, faults, run_errors;
};

/* run once with the value and ctx at page end or start; 0 or -1 */
static int run_placed(const struct gen *g, struct guarded *vg,
		      struct guarded *cg, int at_end, uint64_t seed,
		      struct fuzz_counts *c)
{
	struct bh_resolve res = {.ldimm64 = resolve_ldimm64};
	struct bh_run_opts opts = {.insn_limit = 100000};
	struct sigaction sa = {.sa_handler = on_fault}, old_segv, old_bus;
	struct bh_code *code = NULL;
	uint8_t *ctx;
	uint64_t r0 = 0;
	char err[256];
	volatile int rc;

	cur_value = guarded_place(vg, VALUE_SIZE, at_end);
	ctx = guarded_place(cg, CTX_SIZE, at_end);
	for (int i = 0; i < VALUE_SIZE; i++)
		cur_value[i] = (uint8_t)(seed >> (i % 8 * 8)) ^ (uint8_t)i;
	for (int i = 0; i < CTX_SIZE; i++)
		ctx[i] = (uint8_t)(seed >> (i % 7 * 8)) + (uint8_t)(i * 37);
	if (bh_code_new(g->insns, g->cnt, &res, &code, err, sizeof(err))) {
		c->run_errors++;
		th_case("fuzz decode", 0, "seed %#" PRIx64 ": %s", seed, err);
		dump_prog(g);
		return -1;
	}
	c->runs++;
	fault_sig = 0;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (!sigsetjmp(fault_jmp, 1))
		rc = bh_code_run(code, (uint64_t)(uintptr_t)ctx, 0, &opts, &r0);
	else
		rc = -1;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	bh_code_free(code);
	if (fault_sig || rc) {
		if (fault_sig)
			c->faults++;
		else
			c->run_errors++;
		th_case("fuzz run", 0,
			"seed %#" PRIx64 ": accepted program %s (value/ctx at "
			"page %s)",
			seed, fault_sig ? "faulted" : "stopped with an error",
			at_end ? "end" : "start");
		dump_prog(g);
		return -1;
	}
	return 0;
}

TEST(fuzz_verifier)
{
	static const struct bh_map_def def = {
		.name = "fuzz_map",
		.type = 2, /* BPF_MAP_TYPE_ARRAY */
		.key_size = 4,
		.value_size = VALUE_SIZE,
		.max_entries = 1,
		.kind = BH_MAPK_USER,
	};
	static const struct bh_verify_map vmap = {.def = &def,
						  .name = "fuzz_map"};
	static const struct bh_verify_prog_type type = {
		.name = "syscall",
		.ctx_kind = BH_CTX_BUFFER,
		.ctx_size = CTX_SIZE,
	};
	const char *iters_env = getenv("FUZZ_ITERS");
	const char *seed_env = getenv("FUZZ_SEED");
	unsigned long iters = iters_env ? strtoul(iters_env, NULL, 0) : 3000;
	uint64_t seed0 = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed5eedULL;
	struct fuzz_counts c = {0};
	struct guarded vg, cg;
	struct gen g;
	int bad = 0;

	CHECK(!guarded_new(&vg));
	CHECK(!guarded_new(&cg));
	for (unsigned long it = 0; it < iters && bad < 5; it++) {
		uint64_t seed = seed0 + it * 0x9e3779b97f4a7c15ULL;
		struct bh_verify_env env = {
			.insns = g.insns,
			.maps = &vmap,
			.map_cnt = 1,
			.type = &type,
			.prog_name = "fuzz",
		};
		struct bh_verify_result res;

		memset(&res, 0, sizeof(res));
		g.rng = seed | 1;
		generate(&g);
		env.insn_cnt = g.cnt;
		c.generated++;
		if (bh_verify(&env, &res)) {
			bh_verify_result_free(&res);
			continue;
		}
		bh_verify_result_free(&res);
		c.accepted++;
		if (run_placed(&g, &vg, &cg, 1, seed, &c) ||
		    run_placed(&g, &vg, &cg, 0, seed, &c))
			bad++;
	}
	munmap(vg.map, 3 * PAGE);
	munmap(cg.map, 3 * PAGE);
	printf("fuzz: %lu generated, %lu accepted, %lu runs, %lu faults, "
	       "%lu run errors\n",
	       c.generated, c.accepted, c.runs, c.faults, c.run_errors);
	CHECK_MSG(!c.faults && !c.run_errors,
		  "%lu faults and %lu run errors in accepted programs",
		  c.faults, c.run_errors);
}

#else

TEST(fuzz_verifier)
{
	th_skip("fuzz_verifier: bh_verify (src/verifier/verifier.c) is not "
		"in the tree yet");
}

#endif
