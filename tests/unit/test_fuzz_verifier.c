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
 * a long one.  The precision mode (below) has FUZZ_PREC_ITERS (default
 * 1500), FUZZ_RUNS (inputs per accepted program, default 6) and
 * FUZZ_KERNEL (programs compared with the kernel, default 150, 0 = none);
 * FUZZ_LOG=1 prints bpfhost's level-2 log, KPROG_LOG2=1 the kernel's,
 * FUZZ_CDUMP=1 the program as a C array, FUZZ_KSHOW=n shows n
 * disagreements of each kind.  Until src/verifier/verifier.c (bh_verify) is
 * part of the tree the test only reports that it is skipped.
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

/*
 * ==== precision and pruning mode ====
 *
 * Programs shaped to exercise precision backtracking and state pruning:
 * diamonds and chains of branches on inputs (words of the map value) that
 * join with different scalars in "holders" (r7..r9 and stack slots of 8
 * and 4 bytes), the holders later copied, spilled and filled, passed to
 * and returned from bpf-to-bpf calls, read and rewritten by a bpf_loop
 * callback through a pointer to the caller's stack, changed in bounded,
 * may_goto and bpf_iter_num loops, and used — right after the join or
 * far after it, with or without a guard on a copy (linked registers) —
 * as an offset into the map value or the stack, as a helper's size
 * (bpf_probe_read_kernel filling a map value or the stack), or as the
 * exit value under a [0, 1] return range; other holders are set and never
 * used (decoys).  Each accepted program runs with several map-value
 * contents built from the program's branch constants (each +-1), so both
 * sides of every branch execute; the value sits against a guard page, at
 * its end and at its start in turn, and an exit value outside [0, 1] is
 * a soundness bug too.
 *
 * A sample is also loaded (load only, never run) into the running kernel
 * as a socket filter (a cgroup_skb ingress program for the return-range
 * ones) and the verdicts compared.  Differences left, as of this writing
 * (none is a bpfhost soundness bug):
 *   - the kernel fails programs that combine may_goto and bpf_loop with
 *     its internal "verifier bug: No program to jit at insn N" (after its
 *     own rewrites); bpfhost accepts them and they run safely;
 *   - bpf_iter_num loops: bpfhost keeps a scalar bounded where the kernel
 *     widens it (bpfhost accepts, the kernel rejects an access with
 *     "unbounded memory access"), and some loops the kernel converges on
 *     hit bpfhost's complexity limits ("BPF program is too large", "The
 *     sequence of 8193 jumps is too complex": kernel-only accepts).
 */
#include "kfunc/kfunc.h"
#include "support/kprog.h"
#include "rt/rt.h"

#define PMAX_INSNS 1024
#define PMAX_LABELS 512
#define PMAX_SUBS 12
#define PMAX_CONSTS 64
#define N_INPUTS 8 /* u64 words of the map value read as inputs */
#define ITER_OFF (-64)
#define STK_BASE (-56) /* fp-56..fp-1 zeroed at entry */
#define KF_NEW 1
#define KF_NEXT 2
#define KF_DESTROY 3
#define HELPER_PROBE_READ_KERNEL 113
#define HELPER_LOOP 181

enum { H_R7, H_R8, H_R9, H_FP8, H_FP16, H_FP24W, H_FP32, H_NUM };

enum psub_kind { SUB_ACCESS, SUB_RET, SUB_PTR, SUB_LOOP_CB };

struct psub {
	int kind;
	int32_t start;
};

struct pgen {
	uint64_t rng;
	struct bh_insn insns[PMAX_INSNS];
	size_t cnt;
	int32_t label_pos[PMAX_LABELS];
	int nlabels;
	int16_t jlabel[PMAX_INSNS]; /* label + 1 of a jump */
	int8_t jsub[PMAX_INSNS];    /* sub + 1 of a call / ld_imm64 func */
	struct psub subs[PMAX_SUBS];
	int nsubs;
	int64_t consts[PMAX_CONSTS];
	int nconsts;
	bool ret_range, overflow, in_sub;
	int loops; /* loops emitted (at most two nested levels of none) */
};

static uint32_t ppick(struct pgen *g, uint32_t n)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return (uint32_t)(g->rng % n);
}

static void pe(struct pgen *g, uint8_t code, uint8_t dst, uint8_t src,
	       int16_t off, int32_t imm)
{
	struct bh_insn *in;

	if (g->cnt >= PMAX_INSNS - 8) {
		g->overflow = true;
		return;
	}
	in = &g->insns[g->cnt];
	g->jlabel[g->cnt] = 0;
	g->jsub[g->cnt] = 0;
	g->cnt++;
	in->code = code;
	in->dst_reg = dst & 0xf;
	in->src_reg = src & 0xf;
	in->off = off;
	in->imm = imm;
}

static int plabel(struct pgen *g)
{
	if (g->nlabels == PMAX_LABELS) {
		g->overflow = true;
		return 0;
	}
	g->label_pos[g->nlabels] = -1;
	return g->nlabels++;
}

static void pbind(struct pgen *g, int l)
{
	g->label_pos[l] = (int32_t)g->cnt;
}

static void pjmp(struct pgen *g, uint8_t code, uint8_t dst, uint8_t src,
		 int32_t imm, int l)
{
	pe(g, code, dst, src, 0, imm);
	if (!g->overflow)
		g->jlabel[g->cnt - 1] = (int16_t)(l + 1);
}

static void pconst(struct pgen *g, int64_t k)
{
	if (g->nconsts < PMAX_CONSTS)
		g->consts[g->nconsts++] = k;
}

static void pmapval(struct pgen *g, uint8_t reg)
{
	pe(g, C_LD | S_DW | M_IMM, reg, BH_PSEUDO_MAP_VALUE, 0, 0);
	pe(g, 0, 0, 0, 0, 0);
}

static int psub_new(struct pgen *g, int kind)
{
	if (g->nsubs == PMAX_SUBS) {
		g->overflow = true;
		return 0;
	}
	g->subs[g->nsubs].kind = kind;
	return g->nsubs++;
}

static void pcall_sub(struct pgen *g, int sub)
{
	pe(g, C_JMP | 0x80, 0, BH_PSEUDO_CALL, 0, 0);
	if (!g->overflow)
		g->jsub[g->cnt - 1] = (int8_t)(sub + 1);
}

static void pkfunc(struct pgen *g, int which)
{
	pe(g, C_JMP | 0x80, 0, BH_PSEUDO_KFUNC_CALL, 0, which);
}

static uint8_t rand_size_p(struct pgen *g, int *bytes)
{
	static const uint8_t sz[] = {S_B, S_H, S_W, S_DW};
	static const int nb[] = {1, 2, 4, 8};
	uint32_t i = ppick(g, 4);

	*bytes = nb[i];
	return sz[i];
}

static int32_t poffval(struct pgen *g)
{
	static const int32_t v[] = {0,	1,  4,	7,  8,	16, 24,	 32, 48, 56,
				    57, 60, 63, 64, 65, 72, 128, -1, -8, 4096};

	return v[ppick(g, sizeof(v) / sizeof(v[0]))];
}

static int32_t pmask(struct pgen *g)
{
	static const int32_t v[] = {1, 7, 8, 15, 31, 56, 63, 64, 127, 0xff};

	return v[ppick(g, sizeof(v) / sizeof(v[0]))];
}

static bool h_is_reg(int h)
{
	return h <= H_R9;
}

static uint8_t h_reg(int h)
{
	return (uint8_t)(7 + h);
}

static int16_t h_off(int h)
{
	static const int16_t o[] = {0, 0, 0, -8, -16, -24, -32};

	return o[h];
}

static uint8_t h_size(int h)
{
	return h == H_FP24W ? S_W : S_DW;
}

static void h_read(struct pgen *g, int h, uint8_t dst)
{
	if (h_is_reg(h))
		pe(g, C_ALU64 | OP_MOV | SRC_X, dst, h_reg(h), 0, 0);
	else
		pe(g, C_LDX | h_size(h) | M_MEM, dst, 10, h_off(h), 0);
}

static void h_write_reg(struct pgen *g, int h, uint8_t src)
{
	if (h_is_reg(h))
		pe(g, C_ALU64 | OP_MOV | SRC_X, h_reg(h), src, 0, 0);
	else
		pe(g, C_STX | h_size(h) | M_MEM, 10, src, h_off(h), 0);
}

static void h_write_imm(struct pgen *g, int h, int32_t v)
{
	if (h_is_reg(h))
		pe(g, (ppick(g, 4) ? C_ALU64 : C_ALU) | OP_MOV | SRC_K,
		   h_reg(h), 0, 0, v);
	else if (ppick(g, 2))
		pe(g, C_ST | h_size(h) | M_MEM, 10, 0, h_off(h), v);
	else {
		pe(g, C_ALU64 | OP_MOV | SRC_K, 1, 0, 0, v);
		pe(g, C_STX | h_size(h) | M_MEM, 10, 1, h_off(h), 0);
	}
}

/* dst = an input: a word of the map value, read whole or in part */
static void pinput(struct pgen *g, uint8_t dst)
{
	static const uint8_t sz[] = {S_DW, S_DW, S_W, S_H, S_B};
	uint8_t s = sz[ppick(g, 5)];

	pe(g, C_LDX | s | M_MEM, dst, 6, (int16_t)(8 * ppick(g, N_INPUTS)), 0);
}

/* r1 = a bounded unknown or a constant, then into holder h */
static void passign(struct pgen *g, int h)
{
	switch (ppick(g, 7)) {
	case 0:
	case 1:
		h_write_imm(g, h, poffval(g));
		break;
	case 2:
	case 3:
		pinput(g, 1);
		pe(g, (ppick(g, 4) ? C_ALU64 : C_ALU) | OP_AND | SRC_K, 1, 0, 0,
		   pmask(g));
		if (ppick(g, 3) == 0)
			pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0, poffval(g));
		h_write_reg(g, h, 1);
		break;
	case 4: /* copy another holder */
		h_read(g, (int)ppick(g, H_NUM), 1);
		h_write_reg(g, h, 1);
		break;
	case 5: /* h += c */
		if (h_is_reg(h)) {
			pe(g, C_ALU64 | OP_ADD | SRC_K, h_reg(h), 0, 0,
			   poffval(g));
		} else {
			h_read(g, h, 1);
			pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0, poffval(g));
			h_write_reg(g, h, 1);
		}
		break;
	default: /* a partial write: one byte of a slot, or a 32-bit mov */
		if (h_is_reg(h))
			pe(g, C_ALU | OP_MOV | SRC_X, h_reg(h),
			   h_reg((int)ppick(g, 3)), 0, 0);
		else
			pe(g, C_ST | S_B | M_MEM, 10, 0,
			   (int16_t)(h_off(h) + (int)ppick(g, 4)),
			   (int32_t)ppick(g, 80));
		break;
	}
}

/* a conditional jump to l on an input or a holder */
static void pcond(struct pgen *g, int l)
{
	static const uint8_t ops[] = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60,
				      0x70, 0xa0, 0xb0, 0xc0, 0xd0};
	uint8_t op = ops[ppick(g, sizeof(ops) / sizeof(ops[0]))];
	uint8_t cls = ppick(g, 4) ? C_JMP : C_JMP32;
	uint8_t reg = 1;

	switch (g->in_sub ? 3 + ppick(g, 2) : ppick(g, 3)) {
	case 0:
		pinput(g, 1);
		break;
	case 3:
		pinput(g, 3);
		reg = 3;
		break;
	case 1:
		reg = h_reg((int)ppick(g, 3));
		break;
	case 4: /* a subprogram's argument (kept in r1) */
		pe(g, C_ALU64 | OP_MOV | SRC_X, 3, 1, 0, 0);
		reg = 3;
		break;
	default:
		h_read(g, (int)ppick(g, H_NUM), 1);
		break;
	}
	if (ppick(g, 5) || g->in_sub) {
		int32_t k = ppick(g, 2) ? poffval(g) : (int32_t)ppick(g, 20);

		pconst(g, k);
		pjmp(g, cls | op | SRC_K, reg, 0, k, l);
	} else {
		h_read(g, (int)ppick(g, H_NUM), 2);
		pjmp(g, cls | op | SRC_X, reg, 2, 0, l);
	}
}

static void pseg(struct pgen *g, int depth, bool no_call);

static void pdiamond(struct pgen *g, int depth, bool no_call)
{
	int a = plabel(g), j = plabel(g);
	int n;

	pcond(g, a);
	n = 1 + (int)ppick(g, 2);
	while (n--)
		if (depth < 2 && ppick(g, 4) == 0)
			pseg(g, depth + 1, no_call);
		else
			passign(g, (int)ppick(g, H_NUM));
	if (ppick(g, 4) == 0) { /* one-armed */
		pbind(g, a);
		pbind(g, j);
		return;
	}
	pjmp(g, C_JMP, 0, 0, 0, j);
	pbind(g, a);
	n = 1 + (int)ppick(g, 2);
	while (n--)
		passign(g, (int)ppick(g, H_NUM));
	pbind(g, j);
}

/*
 * Read holder h into r2, maybe guard it (directly, on a copy linked to
 * it, on the 32-bit half) against lim, jumping to skip past the use.
 */
static void pguarded_read(struct pgen *g, int h, int32_t lim, int skip)
{
	int32_t d;

	if (h_is_reg(h) && ppick(g, 4) == 0) {
		/* the guard on the holder register itself, read after */
		if (ppick(g, 3))
			pjmp(g, C_JMP | 0x20, h_reg(h), 0, lim, skip);
		pconst(g, lim);
		h_read(g, h, 2);
		return;
	}
	h_read(g, h, 2);
	pconst(g, lim);
	switch (ppick(g, 6)) {
	case 0: /* none */
		break;
	case 1: /* a copy, checked: r2 linked to r3 */
		pe(g, C_ALU64 | OP_MOV | SRC_X, 3, 2, 0, 0);
		pjmp(g, C_JMP | 0x20, 3, 0, lim, skip);
		break;
	case 2: /* a copy plus a constant, checked */
		d = (int32_t)ppick(g, 16);
		pe(g, C_ALU64 | OP_MOV | SRC_X, 3, 2, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_K, 3, 0, 0, d);
		pjmp(g, C_JMP | 0x20, 3, 0, lim + d, skip);
		break;
	case 3: /* signed: 0 <= r2 <= lim */
		pjmp(g, C_JMP | 0xc0, 2, 0, 0, skip);
		pjmp(g, C_JMP | 0x60, 2, 0, lim, skip);
		break;
	case 4: /* 32-bit */
		pjmp(g, C_JMP32 | 0x20, 2, 0, lim, skip);
		break;
	default:
		pjmp(g, C_JMP | 0x20, 2, 0, lim, skip);
		break;
	}
}

/* use holder h: offset into the map value or the stack, helper size */
static void puse(struct pgen *g, bool no_call)
{
	int h = (int)ppick(g, H_NUM), skip = plabel(g);
	int bytes;
	uint8_t size = S_B;
	int16_t off;
	int32_t slack =
		(int32_t)ppick(g, 8) == 0 ? (int32_t)ppick(g, 9) - 4 : 0;
	uint32_t what = ppick(g, no_call ? 2 : 4);

	switch (what) {
	case 0: /* map value offset */
		size = rand_size_p(g, &bytes);
		off = (int16_t)ppick(g, 16);
		pguarded_read(g, h, VALUE_SIZE - bytes - off + slack, skip);
		pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 6, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_X, 1, 2, 0, 0);
		if (ppick(g, 2))
			pe(g, C_LDX | size | M_MEM, 0, 1, off, 0);
		else
			pe(g, C_STX | size | M_MEM, 1, 2, off, 0);
		break;
	case 1: /* stack offset: fp-56 + h */
		size = rand_size_p(g, &bytes);
		pguarded_read(g, h, -STK_BASE - bytes + slack, skip);
		pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 10, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0, STK_BASE);
		pe(g, C_ALU64 | OP_ADD | SRC_X, 1, 2, 0, 0);
		if (ppick(g, 2))
			pe(g, C_LDX | size | M_MEM, 0, 1, 0, 0);
		else
			pe(g, C_ST | size | M_MEM, 1, 0, 0, 0);
		break;
	default: /* helper size: probe_read_kernel(dst, h, NULL) */
		off = (int16_t)(8 * ppick(g, 4));
		if (what == 2) {
			pguarded_read(g, h, VALUE_SIZE - off + slack, skip);
			pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 6, 0, 0);
			pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0, off);
		} else {
			pguarded_read(g, h, -STK_BASE - off + slack, skip);
			pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 10, 0, 0);
			pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0,
			   STK_BASE + off);
		}
		pe(g, C_ALU64 | OP_MOV | SRC_K, 3, 0, 0, 0);
		pe(g, C_JMP | 0x80, 0, 0, 0, HELPER_PROBE_READ_KERNEL);
		break;
	}
	pbind(g, skip);
}

/* an early exit with a holder as r0 (return-range programs) */
static void pexit_use(struct pgen *g)
{
	int skip = plabel(g);

	pcond(g, skip);
	pguarded_read(g, (int)ppick(g, H_NUM), 1, skip);
	pe(g, C_ALU64 | OP_MOV | SRC_X, 0, 2, 0, 0);
	pe(g, C_JMP | J_EXIT, 0, 0, 0, 0);
	pbind(g, skip);
}

static void pshuffle(struct pgen *g)
{
	int a = (int)ppick(g, H_NUM), b = (int)ppick(g, H_NUM);

	switch (ppick(g, 4)) {
	case 0: /* copy */
		h_read(g, a, 1);
		h_write_reg(g, b, 1);
		break;
	case 1: /* a partial fill: the low word of an 8-byte slot */
		pe(g, C_LDX | S_W | M_MEM, 1, 10,
		   (int16_t)(-8 * (1 + (int)ppick(g, 4))), 0);
		h_write_reg(g, b, 1);
		break;
	case 2: /* decoy: set, never used on purpose */
		pe(g, C_ALU64 | OP_MOV | SRC_K, 4, 0, 0, poffval(g));
		pe(g, C_ALU64 | OP_MUL | SRC_K, 4, 0, 0, 3);
		break;
	default: /* alu on a holder */
		h_read(g, a, 1);
		pe(g, (ppick(g, 2) ? C_ALU64 : C_ALU) | OP_AND | SRC_K, 1, 0, 0,
		   pmask(g));
		h_write_reg(g, a, 1);
		break;
	}
}

static void pcallseg(struct pgen *g)
{
	static const int dw_slots[] = {H_FP8, H_FP16, H_FP32};
	int k = (int)ppick(g, 3), sub = psub_new(g, k), h;

	switch (k) {
	case SUB_ACCESS:
	case SUB_RET:
		if (ppick(g, 4) == 0)
			pinput(g, 1);
		else
			h_read(g, (int)ppick(g, H_NUM), 1);
		pcall_sub(g, sub);
		h = (int)ppick(g, H_NUM);
		if (k == SUB_RET || ppick(g, 4) == 0)
			h_write_reg(g, h, 0);
		break;
	default:
		pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 10, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0,
		   h_off(dw_slots[ppick(g, 3)]));
		pcall_sub(g, sub);
		break;
	}
}

/* holder updates in a loop body: converging ones mostly */
static void ploop_update(struct pgen *g, uint8_t idx_reg)
{
	int h = (int)ppick(g, H_NUM);

	switch (ppick(g, 5)) {
	case 0:
		h_read(g, h, 1);
		pe(g, C_ALU64 | OP_XOR | SRC_K, 1, 0, 0, 8);
		h_write_reg(g, h, 1);
		break;
	case 1:
		if (idx_reg) {
			pe(g, C_ALU64 | OP_MOV | SRC_X, 1, idx_reg, 0, 0);
			pe(g, C_ALU64 | OP_LSH | SRC_K, 1, 0, 0,
			   (int32_t)ppick(g, 4));
			h_write_reg(g, h, 1);
		}
		break;
	case 2:
		if (g->loops < 2 || ppick(g, 4) == 0)
			passign(g, h);
		break;
	default:
		break;
	}
}

static void ploopseg(struct pgen *g, int depth)
{
	static const int dw_slots[] = {H_FP8, H_FP16, H_FP32};
	int l = plabel(g), e = plabel(g), n;
	uint32_t kind = ppick(g, 4);

	g->loops++;
	switch (kind) {
	case 0: { /* bpf_loop with a callback on a caller's slot */
		int sub = psub_new(g, SUB_LOOP_CB);

		if (ppick(g, 3)) {
			pe(g, C_ALU64 | OP_MOV | SRC_K, 1, 0, 0,
			   1 + (int32_t)ppick(g, 4));
		} else {
			h_read(g, (int)ppick(g, H_NUM), 1);
			pe(g, C_ALU64 | OP_AND | SRC_K, 1, 0, 0, 7);
		}
		pe(g, C_LD | S_DW | M_IMM, 2, BH_PSEUDO_FUNC, 0, 0);
		if (!g->overflow)
			g->jsub[g->cnt - 1] = (int8_t)(sub + 1);
		pe(g, 0, 0, 0, 0, 0);
		pe(g, C_ALU64 | OP_MOV | SRC_X, 3, 10, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_K, 3, 0, 0,
		   h_off(dw_slots[ppick(g, 3)]));
		pe(g, C_ALU64 | OP_MOV | SRC_K, 4, 0, 0, 0);
		pe(g, C_JMP | 0x80, 0, 0, 0, HELPER_LOOP);
		break;
	}
	case 1: /* bounded loop on r5 */
	case 2: /* the same with may_goto at its head */
		pe(g, C_ALU64 | OP_MOV | SRC_K, 5, 0, 0, 0);
		pbind(g, l);
		if (kind == 2)
			pjmp(g, C_JMP | 0xe0, 0, 0, 0, e);
		n = 1 + (int)ppick(g, 2);
		while (n--) {
			if (ppick(g, 2))
				puse(g, true);
			else if (depth < 2)
				pseg(g, depth + 1, true);
			ploop_update(g, 5);
		}
		pe(g, C_ALU64 | OP_ADD | SRC_K, 5, 0, 0, 1);
		pjmp(g, C_JMP | 0xa0, 5, 0, 2 + (int32_t)ppick(g, 4), l);
		pbind(g, e);
		break;
	default: /* bpf_iter_num */
		pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 10, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0, ITER_OFF);
		pe(g, C_ALU64 | OP_MOV | SRC_K, 2, 0, 0, 0);
		if (ppick(g, 3)) {
			pe(g, C_ALU64 | OP_MOV | SRC_K, 3, 0, 0,
			   (int32_t)ppick(g, 5));
		} else {
			h_read(g, (int)ppick(g, H_NUM), 3);
			pe(g, C_ALU64 | OP_AND | SRC_K, 3, 0, 0, 7);
		}
		pkfunc(g, KF_NEW);
		pbind(g, l);
		pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 10, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0, ITER_OFF);
		pkfunc(g, KF_NEXT);
		pjmp(g, C_JMP | 0x10, 0, 0, 0, e);
		pe(g, C_LDX | S_W | M_MEM, 5, 0, 0, 0);
		n = 1 + (int)ppick(g, 2);
		while (n--) {
			if (ppick(g, 2))
				puse(g, false);
			else if (depth < 2)
				pseg(g, depth + 1, true);
			ploop_update(g, 0);
		}
		pjmp(g, C_JMP, 0, 0, 0, l);
		pbind(g, e);
		pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 10, 0, 0);
		pe(g, C_ALU64 | OP_ADD | SRC_K, 1, 0, 0, ITER_OFF);
		pkfunc(g, KF_DESTROY);
		break;
	}
}

static void pseg(struct pgen *g, int depth, bool no_call)
{
	uint32_t r = ppick(g, 20);

	if (r < 7)
		pdiamond(g, depth, no_call);
	else if (r < 12)
		puse(g, no_call);
	else if (r < 14)
		pshuffle(g);
	else if (r < 15 && g->ret_range)
		pexit_use(g);
	else if (r < 17 && !no_call)
		pcallseg(g);
	else if (r < 19 && !no_call && depth == 0 && g->loops < 3)
		ploopseg(g, depth);
	else
		passign(g, (int)ppick(g, H_NUM));
}

/* a subprogram's map access with r1 (or *r1) as the offset */
static void psub_access(struct pgen *g, uint8_t idx, bool write_back,
			uint8_t ctxp)
{
	int skip = plabel(g), bytes;
	uint8_t size = rand_size_p(g, &bytes);
	int16_t off = (int16_t)ppick(g, 8);
	int32_t lim = VALUE_SIZE - bytes - off;

	if (ppick(g, 8) == 0)
		lim += (int32_t)ppick(g, 5) - 2;
	pconst(g, lim);
	if (ppick(g, 3))
		pjmp(g, C_JMP | 0x20, idx, 0, lim, skip);
	pmapval(g, 4);
	pe(g, C_ALU64 | OP_ADD | SRC_X, 4, idx, 0, 0);
	if (ppick(g, 2))
		pe(g, C_LDX | size | M_MEM, 0, 4, off, 0);
	else
		pe(g, C_STX | size | M_MEM, 4, idx, off, 0);
	pbind(g, skip);
	if (write_back) {
		int a = plabel(g), j = plabel(g);

		/* the callee sets the caller's slot on one side */
		pe(g, C_LDX | S_DW | M_MEM, 5, 6,
		   (int16_t)(8 * ppick(g, N_INPUTS)), 0);
		pconst(g, 8);
		pjmp(g, C_JMP | 0x20, 5, 0, 8, a);
		pe(g, C_ST | S_DW | M_MEM, ctxp, 0, 0, poffval(g));
		pjmp(g, C_JMP, 0, 0, 0, j);
		pbind(g, a);
		if (ppick(g, 2))
			pe(g, C_ST | S_DW | M_MEM, ctxp, 0, 0, poffval(g));
		else {
			/* an input, bounded or not: converges in a loop */
			pinput(g, idx);
			if (ppick(g, 2))
				pe(g, C_ALU64 | OP_AND | SRC_K, idx, 0, 0,
				   pmask(g));
			pe(g, C_STX | S_DW | M_MEM, ctxp, idx, 0, 0);
		}
		pbind(g, j);
	}
}

static void pgen_sub(struct pgen *g, int s)
{
	int a, skip;
	bool wb;

	g->subs[s].start = (int32_t)g->cnt;
	g->in_sub = true;
	switch (g->subs[s].kind) {
	case SUB_ACCESS:
		/* r6 is the callee's own: set it for pinput */
		pmapval(g, 6);
		psub_access(g, 1, false, 0);
		pe(g, C_ALU64 | OP_MOV | SRC_K, 0, 0, 0, 0);
		break;
	case SUB_RET:
		a = plabel(g);
		pmapval(g, 6);
		pcond(g, a);
		if (ppick(g, 2))
			pe(g, C_ALU64 | OP_MOV | SRC_K, 0, 0, 0, poffval(g));
		else {
			pe(g, C_ALU64 | OP_MOV | SRC_X, 0, 1, 0, 0);
			pe(g, C_ALU64 | OP_AND | SRC_K, 0, 0, 0, pmask(g));
		}
		pe(g, C_JMP | J_EXIT, 0, 0, 0, 0);
		pbind(g, a);
		if (ppick(g, 2))
			pe(g, C_ALU64 | OP_MOV | SRC_K, 0, 0, 0, poffval(g));
		else {
			pe(g, C_ALU64 | OP_MOV | SRC_X, 0, 1, 0, 0);
			pe(g, C_ALU64 | OP_ADD | SRC_K, 0, 0, 0, poffval(g));
		}
		break;
	case SUB_PTR:
	case SUB_LOOP_CB:
		/* SUB_PTR: r1 = &caller slot; callback: r1 = index, r2 = ctx */
		skip = plabel(g);
		pmapval(g, 6);
		wb = ppick(g, 2);
		if (g->subs[s].kind == SUB_PTR) {
			pe(g, C_ALU64 | OP_MOV | SRC_X, 2, 1, 0, 0);
			pe(g, C_LDX | S_DW | M_MEM, 1, 2, 0, 0);
			psub_access(g, 1, wb, 2);
		} else {
			pe(g, C_ALU64 | OP_MOV | SRC_X, 3, 1, 0, 0);
			pe(g, C_LDX | S_DW | M_MEM, 1, 2, 0, 0);
			psub_access(g, 1, wb, 2);
			if (ppick(g, 3) == 0) { /* the index into the slot */
				pe(g, C_ALU64 | OP_LSH | SRC_K, 3, 0, 0, 3);
				pe(g, C_STX | S_DW | M_MEM, 2, 3, 0, 0);
			}
		}
		pbind(g, skip);
		pe(g, C_ALU64 | OP_MOV | SRC_K, 0, 0, 0, 0);
		break;
	}
	pe(g, C_JMP | J_EXIT, 0, 0, 0, 0);
}

static void pgenerate(struct pgen *g, bool ret_range)
{
	int n;

	g->cnt = 0;
	g->nlabels = 0;
	g->nsubs = 0;
	g->nconsts = 0;
	g->loops = 0;
	g->overflow = false;
	g->ret_range = ret_range;
	g->in_sub = false;
	pmapval(g, 6);
	for (int16_t off = -8; off >= STK_BASE; off -= 8)
		pe(g, C_ST | S_DW | M_MEM, 10, 0, off, 0);
	for (int h = H_R7; h <= H_R9; h++) {
		if (ppick(g, 3))
			pinput(g, h_reg(h));
		else
			pe(g, C_ALU64 | OP_MOV | SRC_K, h_reg(h), 0, 0,
			   poffval(g));
	}
	n = 2 + (int)ppick(g, 7);
	while (n-- && !g->overflow)
		pseg(g, 0, false);
	if (ret_range) {
		int skip = plabel(g);

		pe(g, C_ALU64 | OP_MOV | SRC_K, 0, 0, 0, 0);
		pguarded_read(g, (int)ppick(g, H_NUM), 1, skip);
		pe(g, C_ALU64 | OP_MOV | SRC_X, 0, 2, 0, 0);
		pbind(g, skip);
	} else {
		pe(g, C_ALU64 | OP_MOV | SRC_K, 0, 0, 0, 0);
	}
	pe(g, C_JMP | J_EXIT, 0, 0, 0, 0);
	for (int s = 0; s < g->nsubs && !g->overflow; s++)
		pgen_sub(g, s);
	for (size_t i = 0; i < g->cnt; i++) {
		if (g->jlabel[i])
			g->insns[i].off =
				(int16_t)(g->label_pos[g->jlabel[i] - 1] -
					  (int32_t)(i + 1));
		if (g->jsub[i])
			g->insns[i].imm = g->subs[g->jsub[i] - 1].start -
					  (int32_t)(i + 1);
	}
}

/* ---- running generated programs ---- */

static struct bpfhost_rt *prt;
static const struct bh_kfunc *pkf[4];

static const char *const pkf_names[4] = {
	NULL, "bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy"};

static int prec_setup(void)
{
	prt = bpfhost_rt_new(NULL);
	if (!prt)
		return -1;
	for (int i = 1; i < 4; i++) {
		pkf[i] = bh_kfunc_find(prt->reg, pkf_names[i], "syscall");
		if (!pkf[i] || !pkf[i]->addr)
			return -1;
	}
	return 0;
}

/* the program as bpfhost sees it: kfunc markers become (BTF id, src) */
static void patch_bh(const struct pgen *g, struct bh_insn *out)
{
	memcpy(out, g->insns, g->cnt * sizeof(*out));
	for (size_t i = 0; i < g->cnt; i++)
		if (out[i].code == (C_JMP | 0x80) &&
		    out[i].src_reg == BH_PSEUDO_KFUNC_CALL) {
			const struct bh_kfunc *k = pkf[out[i].imm];

			out[i].imm = (int32_t)k->func.id;
			out[i].off = (int16_t)k->func.src;
		}
}

static int res_kfunc_p(void *ctx, size_t idx, int32_t imm, int16_t off,
		       struct bh_kcall *out, char *err, size_t errsz)
{
	const struct bh_kfunc *k;

	(void)ctx;
	(void)idx;
	memset(out, 0, sizeof(*out));
	k = bh_kfunc_by_btf(prt->reg, (uint32_t)off, (uint32_t)imm, "syscall");
	if (!k) {
		snprintf(err, errsz, "unknown kfunc %d/%d", imm, off);
		return -EINVAL;
	}
	out->fn = (bh_fn)k->addr;
	out->ret_ext = k->ret_ext;
	for (int i = 0; i < k->nargs; i++)
		out->arg_ext[i] = k->args[i].ext;
	return 0;
}

static bh_fn res_helper_p(void *ctx, int32_t id)
{
	const struct bh_helper_info *h = bh_helper_by_id(id);

	(void)ctx;
	return h ? h->fn : NULL;
}

static void pdump(const struct bh_insn *insns, size_t cnt)
{
	char buf[160];

	for (size_t i = 0; i < cnt;) {
		int n = bh_disasm(insns, cnt, i, buf, sizeof(buf));

		printf("      %3zu: %s\n", i, buf);
		i += n > 0 ? (size_t)n : 1;
	}
}

/* an input word: a branch constant +-1 mostly, else small or wide */
static uint64_t pinput_val(struct pgen *g)
{
	uint32_t r = ppick(g, 8);

	if (r < 5 && g->nconsts)
		return (uint64_t)(g->consts[ppick(g, (uint32_t)g->nconsts)] +
				  (int)ppick(g, 3) - 1);
	if (r < 7)
		return ppick(g, 80);
	return ((uint64_t)ppick(g, 0xffffffffu) << 32) | ppick(g, 0xffffffffu);
}

struct prec_counts {
	unsigned long generated, accepted, runs, faults, run_errors, bad_ret;
};

/* one run; a fault sets fault_sig and returns -1 */
static int prun_one(const struct bh_code *code, uint8_t *ctx, uint64_t *r0)
{
	struct bh_run_opts opts = {.insn_limit = 2000000};
	struct sigaction sa = {.sa_handler = on_fault}, old_segv, old_bus;
	volatile int rc;

	fault_sig = 0;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (!sigsetjmp(fault_jmp, 1))
		rc = bh_code_run(code, (uint64_t)(uintptr_t)ctx, 0, &opts, r0);
	else
		rc = -1;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return rc;
}

/* runs of an accepted program with `nruns` inputs; 0 or -1 (reported) */
static int prun(struct pgen *g, const struct bh_insn *insns, struct guarded *vg,
		struct guarded *cg, unsigned nruns, uint64_t seed,
		struct prec_counts *c)
{
	struct bh_resolve res = {.ldimm64 = resolve_ldimm64,
				 .helper = res_helper_p,
				 .kfunc = res_kfunc_p};
	uint64_t words[N_INPUTS];
	char err[256];

	for (int at_end = 1; at_end >= 0; at_end--) {
		struct bh_code *code = NULL;
		uint8_t *ctx = guarded_place(cg, CTX_SIZE, at_end);

		cur_value = guarded_place(vg, VALUE_SIZE, at_end);
		if (bh_code_new(insns, g->cnt, &res, &code, err, sizeof(err))) {
			c->run_errors++;
			th_case("prec decode", 0, "seed %#" PRIx64 ": %s", seed,
				err);
			pdump(insns, g->cnt);
			return -1;
		}
		for (unsigned r = 0; r < nruns; r++) {
			uint64_t r0 = 0;
			int rc;

			for (int i = 0; i < N_INPUTS; i++)
				words[i] = pinput_val(g);
			memcpy(cur_value, words, sizeof(words));
			memset(ctx, 0, CTX_SIZE);
			c->runs++;
			rc = prun_one(code, ctx, &r0);
			if (!fault_sig && !rc && (!g->ret_range || r0 <= 1))
				continue;
			if (fault_sig)
				c->faults++;
			else if (rc)
				c->run_errors++;
			else
				c->bad_ret++;
			th_case("prec run", 0,
				"seed %#" PRIx64
				": accepted program %s (value at "
				"page %s, r0 %#" PRIx64
				", input words %#" PRIx64 " %#" PRIx64
				" %#" PRIx64 " %#" PRIx64 " %#" PRIx64
				" %#" PRIx64 " %#" PRIx64 " %#" PRIx64 ")",
				seed,
				fault_sig ? "faulted"
				: rc	  ? "stopped with an error"
					  : "returned outside [0, 1]",
				at_end ? "end" : "start", r0, words[0],
				words[1], words[2], words[3], words[4],
				words[5], words[6], words[7]);
			pdump(insns, g->cnt);
			bh_code_free(code);
			return -1;
		}
		bh_code_free(code);
	}
	return 0;
}

/* ---- the kernel as a differential oracle (load only) ---- */

struct kdiff {
	struct kprog kp;
	unsigned long generated, both_accept, both_reject, bh_only, k_only;
	/* bpfhost-only accepts the kernel refused with its own internal
	 * error (the JIT's "No program to jit" on may_goto + bpf_loop) */
	unsigned long bh_only_kbug;
	unsigned shown_bh_only, shown_k_only;
	char *log;
};

#define KLOG_SIZE (1 << 20)

static void kdiff_init(struct kdiff *k)
{
	memset(k, 0, sizeof(*k));
	kprog_setup(&k->kp, VALUE_SIZE, pkf_names, 4);
	k->log = malloc(KLOG_SIZE);
	if (!k->log && !k->kp.why[0])
		snprintf(k->kp.why, sizeof(k->kp.why), "out of memory");
}

static void kdiff_fini(struct kdiff *k)
{
	kprog_teardown(&k->kp);
	free(k->log);
}

static unsigned kshow = 3; /* disagreements shown per kind */

static void kdiff_one(struct kdiff *k, struct pgen *g,
		      const struct bh_insn *bh_insns, bool bh_accept,
		      const char *bh_err, uint64_t seed)
{
	int32_t starts[PMAX_SUBS];
	int kacc;

	for (int i = 0; i < g->nsubs; i++)
		starts[i] = g->subs[i].start;
	kacc = kprog_load(&k->kp, g->insns, g->cnt, starts, (size_t)g->nsubs,
			  g->ret_range, NULL, 0);

	k->generated++;
	if (kacc && bh_accept) {
		k->both_accept++;
		return;
	}
	if (!kacc && !bh_accept) {
		k->both_reject++;
		return;
	}
	if (!kacc || getenv("KPROG_LOG2"))
		kprog_load(&k->kp, g->insns, g->cnt, starts, (size_t)g->nsubs,
			   g->ret_range, k->log, KLOG_SIZE);
	if (getenv("KPROG_LOG2"))
		printf("%s\n", k->log);
	if (bh_accept) {
		k->bh_only++;
		if (strstr(k->log, "verifier bug"))
			k->bh_only_kbug++;
		if (k->shown_bh_only++ < kshow) {
			printf("    kernel-diff: seed %#" PRIx64 " %s: bpfhost "
			       "accepts, the kernel rejects: %s\n",
			       seed, g->ret_range ? "cgroup_skb" : "socket",
			       kprog_log_msg(k->log));
			pdump(bh_insns, g->cnt);
		}
	} else {
		k->k_only++;
		if (k->shown_k_only++ < kshow) {
			printf("    kernel-diff: seed %#" PRIx64
			       " %s: the kernel "
			       "accepts, bpfhost rejects: %s\n",
			       seed, g->ret_range ? "cgroup_skb" : "socket",
			       bh_err);
			pdump(bh_insns, g->cnt);
		}
	}
}

TEST(fuzz_precision)
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
	struct bh_verify_prog_type types[2] = {
		{.name = "syscall",
		 .ctx_kind = BH_CTX_BUFFER,
		 .ctx_size = CTX_SIZE,
		 .hook = "syscall"},
		{.name = "syscall",
		 .ctx_kind = BH_CTX_BUFFER,
		 .ctx_size = CTX_SIZE,
		 .hook = "syscall",
		 .ret_checked = true,
		 .ret_min = 0,
		 .ret_max = 1},
	};
	const char *iters_env = getenv("FUZZ_PREC_ITERS");
	const char *seed_env = getenv("FUZZ_SEED");
	const char *kern_env = getenv("FUZZ_KERNEL");
	const char *runs_env = getenv("FUZZ_RUNS");
	unsigned long iters = iters_env ? strtoul(iters_env, NULL, 0) : 1500;
	unsigned long kern = kern_env ? strtoul(kern_env, NULL, 0) : 150;
	unsigned nruns = runs_env ? (unsigned)strtoul(runs_env, NULL, 0) : 6;
	uint64_t seed0 = seed_env ? strtoull(seed_env, NULL, 0) : 0x9ec15e0dULL;
	static struct pgen g;
	static struct bh_insn bh_insns[PMAX_INSNS];
	struct prec_counts c = {0};
	unsigned long overflow = 0;
	struct guarded vg, cg;
	struct kdiff k;
	int bad = 0;

	if (getenv("FUZZ_KSHOW"))
		kshow = (unsigned)strtoul(getenv("FUZZ_KSHOW"), NULL, 0);
	if (prec_setup()) {
		CHECK_MSG(0, "no runtime with the bpf_iter_num kfuncs");
		return;
	}
	kdiff_init(&k);
	if (kern && k.kp.why[0])
		printf("fuzz-precision: kernel comparison skipped: %s\n",
		       k.kp.why);
	CHECK(!guarded_new(&vg));
	CHECK(!guarded_new(&cg));
	for (unsigned long it = 0; it < iters && bad < 5; it++) {
		uint64_t seed = seed0 + it * 0x9e3779b97f4a7c15ULL;
		struct bh_verify_env env = {
			.insns = bh_insns,
			.maps = &vmap,
			.map_cnt = 1,
			.prog_name = "fuzz",
			.kfuncs = prt->reg,
			.hbtf = prt->hbtf,
		};
		struct bh_verify_result res;
		bool acc;

		static char vlog[1 << 22];

		if (getenv("FUZZ_LOG")) {
			env.log_level = 2;
			env.log_buf = vlog;
			env.log_size = sizeof(vlog);
		}
		memset(&res, 0, sizeof(res));
		g.rng = seed | 1;
		pgenerate(&g, ppick(&g, 4) == 0);
		if (g.overflow) {
			overflow++;
			continue;
		}
		patch_bh(&g, bh_insns);
		if (getenv("FUZZ_CDUMP"))
			for (size_t i = 0; i < g.cnt; i++)
				printf("\t{0x%02x, %u, %u, %d, %d},\n",
				       g.insns[i].code, g.insns[i].dst_reg,
				       g.insns[i].src_reg, g.insns[i].off,
				       g.insns[i].imm);
		env.insn_cnt = g.cnt;
		env.type = &types[g.ret_range];
		c.generated++;
		acc = !bh_verify(&env, &res);
		if (getenv("FUZZ_LOG"))
			printf("%s\n", vlog);
		if (getenv("FUZZ_DEBUG") && res.stats.insn_processed > 20000)
			printf("slow verify seed %#" PRIx64
			       ": %llu insns, %s\n",
			       seed,
			       (unsigned long long)res.stats.insn_processed,
			       res.err);
		if (it < kern && !k.kp.why[0])
			kdiff_one(&k, &g, bh_insns, acc, res.err, seed);
		bh_verify_result_free(&res);
		if (!acc)
			continue;
		c.accepted++;
		if (prun(&g, bh_insns, &vg, &cg, nruns, seed, &c))
			bad++;
	}
	munmap(vg.map, 3 * PAGE);
	munmap(cg.map, 3 * PAGE);
	printf("fuzz-precision: %lu generated (%lu too long), %lu accepted, "
	       "%lu runs, %lu faults, %lu run errors, %lu exits out of range\n",
	       c.generated, overflow, c.accepted, c.runs, c.faults,
	       c.run_errors, c.bad_ret);
	if (!k.kp.why[0] && kern)
		printf("fuzz-precision: kernel comparison: %lu generated, %lu "
		       "both accept, %lu both reject, %lu bpfhost-only accept, "
		       "%lu kernel-only accept\n"
		       "fuzz-precision: of the bpfhost-only accepts, %lu the "
		       "kernel refused with its own \"verifier bug\" error\n",
		       k.generated, k.both_accept, k.both_reject, k.bh_only,
		       k.k_only, k.bh_only_kbug);
	kdiff_fini(&k);
	bpfhost_rt_free(prt);
	prt = NULL;
	CHECK_MSG(!c.faults && !c.run_errors && !c.bad_ret,
		  "%lu faults, %lu run errors, %lu bad exits in accepted "
		  "programs",
		  c.faults, c.run_errors, c.bad_ret);
}

/*
 * Regression (found by the kernel differential above): at may_goto only
 * imprecise scalars are widened, as the kernel's widen_imprecise_scalars;
 * a loop that changes a scalar later used as a map offset keeps it exact
 * (accepted with 0, rejected with 64).  Loaded into the kernel too, when
 * it is there, which must agree.
 */
static void may_goto_prog(struct pgen *g, int32_t inner)
{
	int l, out, skip;

	g->cnt = 0;
	g->nlabels = 0;
	g->nsubs = 0;
	g->overflow = false;
	g->ret_range = false;
	l = plabel(g);
	out = plabel(g);
	skip = plabel(g);
	pmapval(g, 6);
	pe(g, C_ALU64 | OP_MOV | SRC_K, 7, 0, 0, 4);
	pe(g, C_ALU64 | OP_MOV | SRC_K, 5, 0, 0, 0);
	pbind(g, l);
	pjmp(g, C_JMP | 0xe0, 0, 0, 0, out);
	/* set on the first iteration only: later visits keep the value */
	pjmp(g, C_JMP | 0x50, 5, 0, 0, skip);
	pe(g, C_ALU64 | OP_MOV | SRC_K, 7, 0, 0, inner);
	pbind(g, skip);
	pe(g, C_ALU64 | OP_ADD | SRC_K, 5, 0, 0, 1);
	pjmp(g, C_JMP | 0xa0, 5, 0, 3, l);
	pbind(g, out);
	pe(g, C_ALU64 | OP_MOV | SRC_X, 1, 6, 0, 0);
	pe(g, C_ALU64 | OP_ADD | SRC_X, 1, 7, 0, 0);
	pe(g, C_LDX | S_B | M_MEM, 0, 1, 0, 0);
	pe(g, C_ALU64 | OP_MOV | SRC_K, 0, 0, 0, 0);
	pe(g, C_JMP | J_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < g->cnt; i++)
		if (g->jlabel[i])
			g->insns[i].off =
				(int16_t)(g->label_pos[g->jlabel[i] - 1] -
					  (int32_t)(i + 1));
}

TEST(may_goto_widens_imprecise_only)
{
	static const struct bh_map_def def = {
		.name = "fuzz_map",
		.type = 2,
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
	static struct pgen g;
	struct kprog kp;
	char log[4096];

	kprog_setup(&kp, VALUE_SIZE, NULL, 0);
	for (int unsafe = 0; unsafe < 2; unsafe++) {
		struct bh_verify_env env = {
			.insns = g.insns,
			.maps = &vmap,
			.map_cnt = 1,
			.type = &type,
			.prog_name = "may_goto",
		};
		struct bh_verify_result res;
		int acc;

		may_goto_prog(&g, unsafe ? 64 : 0);
		env.insn_cnt = g.cnt;
		memset(&res, 0, sizeof(res));
		acc = !bh_verify(&env, &res);
		th_case(unsafe ? "may_goto unsafe offset"
			       : "may_goto precise offset",
			acc == !unsafe &&
				(!unsafe ||
				 strstr(res.err,
					"invalid access to map value")),
			"bpfhost %s: %s", acc ? "accepts" : "rejects", res.err);
		bh_verify_result_free(&res);
		if (!kp.why[0]) {
			int k = kprog_load(&kp, g.insns, g.cnt, NULL, 0, false,
					   log, sizeof(log));

			th_case(unsafe ? "may_goto unsafe offset (kernel)"
				       : "may_goto precise offset (kernel)",
				k == !unsafe, "the kernel %s: %s",
				k == 1 ? "accepts" : "rejects",
				k == 1 ? "" : kprog_log_msg(log));
		}
	}
	if (kp.why[0])
		printf("may_goto: kernel cross-check skipped: %s\n", kp.why);
	kprog_teardown(&kp);
}

/*
 * Regression (a bpfhost-only accept of the kernel differential, seed
 * 0xf27bfdd13965ce37): precision propagated into a parent state dropped a
 * 4-byte spilled scalar (fp-24) without marking it, so a later path with
 * 57 instead of 0 in that slot was pruned there and its stack write at
 * fp-56 + 57 (past the frame) accepted.  Both must reject it.
 */
static const struct bh_insn partial_spill_prog[] = {
	{0x18, 6, 2, 0, 0},    {0x00, 0, 0, 0, 0},    {0x7a, 10, 0, -8, 0},
	{0x7a, 10, 0, -16, 0}, {0x7a, 10, 0, -24, 0}, {0x7a, 10, 0, -32, 0},
	{0x7a, 10, 0, -40, 0}, {0x7a, 10, 0, -48, 0}, {0x7a, 10, 0, -56, 0},
	{0xb7, 7, 0, 0, 7},    {0x61, 8, 6, 8, 0},    {0xb7, 9, 0, 0, 128},
	{0x69, 1, 6, 48, 0},   {0x46, 1, 0, 2, 63},   {0x7a, 10, 0, -16, 57},
	{0x05, 0, 0, 2, 0},    {0xb7, 1, 0, 0, 32},   {0x7b, 10, 1, -32, 0},
	{0x79, 1, 10, -8, 0},  {0x85, 0, 1, 0, 28},   {0x63, 10, 0, -24, 0},
	{0xbf, 2, 8, 0, 0},    {0xbf, 3, 2, 0, 0},    {0x07, 3, 0, 0, 8},
	{0x25, 3, 0, 3, 53},   {0xbf, 1, 6, 0, 0},    {0x0f, 1, 2, 0, 0},
	{0x7b, 1, 2, 11, 0},   {0x79, 2, 10, -16, 0}, {0xbf, 3, 2, 0, 0},
	{0x07, 3, 0, 0, 13},   {0x25, 3, 0, 4, 67},   {0xbf, 1, 6, 0, 0},
	{0x07, 1, 0, 0, 8},    {0xb7, 3, 0, 0, 0},    {0x85, 0, 0, 0, 113},
	{0x61, 2, 10, -24, 0}, {0xbf, 1, 10, 0, 0},   {0x07, 1, 0, 0, -56},
	{0x0f, 1, 2, 0, 0},    {0x6a, 1, 0, 0, 0},    {0x25, 9, 0, 4, 50},
	{0xbf, 2, 9, 0, 0},    {0xbf, 1, 6, 0, 0},    {0x0f, 1, 2, 0, 0},
	{0x73, 1, 2, 13, 0},   {0xb7, 0, 0, 0, 0},    {0x95, 0, 0, 0, 0},
	{0x18, 6, 2, 0, 0},    {0x00, 0, 0, 0, 0},    {0x79, 3, 6, 40, 0},
	{0x25, 3, 0, 3, 24},   {0xbf, 0, 1, 0, 0},    {0x57, 0, 0, 0, 63},
	{0x95, 0, 0, 0, 0},    {0xbf, 0, 1, 0, 0},    {0x07, 0, 0, 0, 57},
	{0x95, 0, 0, 0, 0},
};

TEST(partial_spill_precision)
{
	static const struct bh_map_def def = {
		.name = "fuzz_map",
		.type = 2,
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
	size_t cnt = sizeof(partial_spill_prog) / sizeof(partial_spill_prog[0]);
	struct bh_verify_env env = {
		.insns = partial_spill_prog,
		.insn_cnt = cnt,
		.maps = &vmap,
		.map_cnt = 1,
		.type = &type,
		.prog_name = "partial_spill",
	};
	struct bh_verify_result res;
	const int32_t sub = 48; /* the static subprogram's first insn */
	struct kprog kp;
	char log[4096];

	memset(&res, 0, sizeof(res));
	th_case("partial spill: bpfhost rejects", bh_verify(&env, &res) != 0,
		"accepted");
	bh_verify_result_free(&res);
	kprog_setup(&kp, VALUE_SIZE, NULL, 0);
	if (!kp.why[0]) {
		int k = kprog_load(&kp, partial_spill_prog, cnt, &sub, 1, false,
				   log, sizeof(log));

		th_case("partial spill: the kernel rejects", k == 0,
			"the kernel %s", k == 1 ? "accepts" : "failed");
	} else {
		printf("partial spill: kernel cross-check skipped: %s\n",
		       kp.why);
	}
	kprog_teardown(&kp);
}

#else

TEST(fuzz_verifier)
{
	th_skip("fuzz_verifier: bh_verify (src/verifier/verifier.c) is not "
		"in the tree yet");
}

#endif
