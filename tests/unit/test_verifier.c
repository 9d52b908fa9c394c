// SPDX-License-Identifier: BSD-2-Clause
/*
 * Verifier rules, one small assembled program each (bpf_conformance
 * syntax via bh_assemble), expecting acceptance or a kernel-worded
 * rejection.  Maps: #0 hash (ks 4, vs 8), #1 array (ks 4, vs 8, 2
 * entries), #2 frozen .rodata (vs 8, value 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "insn/insn.h"
#include "verifier/verifier.h"

static const struct bh_map_def hash_def = {
	.name = "h",
	.type = BH_MAP_HASH,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 16,
};
static const struct bh_map_def arr_def = {
	.name = "arr",
	.type = BH_MAP_ARRAY,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 2,
};
static const struct bh_map_def ro_def = {
	.name = ".rodata",
	.type = BH_MAP_ARRAY,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 1,
	.kind = BH_MAPK_RODATA,
	.map_flags = BH_F_RDONLY_PROG,
};
static const uint64_t ro_val = 7;

/* "map:K" and "mapval:K+OFF" name map K (ld_imm64 pseudo forms the
 * assembler does not know): they assemble as marker constants patched
 * into BPF_PSEUDO_MAP_FD / BPF_PSEUDO_MAP_VALUE afterwards. */
#define MAP_MARK 0x5eed0000u
#define MAPVAL_MARK 0x7eed0000u
/* "funcrel:N": ld_imm64 BPF_PSEUDO_FUNC of the subprog at pc+N+1 */
#define FUNC_MARK 0x6eed0000u

static int assemble(const char *text, struct bh_insn **out, size_t *cnt,
		    char *err, size_t errsz)
{
	char *buf = malloc(strlen(text) * 2 + 64), *o = buf;
	const char *p = text;
	int ret;

	if (!buf)
		return -1;
	while (*p) {
		unsigned k, off;
		int n = 0;

		if (sscanf(p, "mapval:%u+%u%n", &k, &off, &n) == 2 && n) {
			o += sprintf(o, "0x%x%08x", off, MAPVAL_MARK | k);
			p += n;
			continue;
		}
		if (sscanf(p, "funcrel:%u%n", &k, &n) == 1 && n) {
			o += sprintf(o, "0x%x", FUNC_MARK | k);
			p += n;
			continue;
		}
		if (sscanf(p, "map:%u%n", &k, &n) == 1 && n) {
			o += sprintf(o, "0x%x", MAP_MARK | k);
			p += n;
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	ret = bh_assemble(buf, out, cnt, err, errsz);
	free(buf);
	if (ret)
		return ret;
	for (size_t i = 0; i + 1 < *cnt; i++) {
		struct bh_insn *in = &(*out)[i];
		uint32_t imm = (uint32_t)in->imm;

		if (in->code != (BH_LD | BH_DW | BH_IMM))
			continue;
		if ((imm & 0xffff0000u) == MAP_MARK) {
			in->src_reg = BH_PSEUDO_MAP_FD;
			in->imm = (int32_t)(imm & 0xffff);
		} else if ((imm & 0xffff0000u) == FUNC_MARK) {
			in->src_reg = BH_PSEUDO_FUNC;
			in->imm = (int32_t)(imm & 0xffff);
		} else if ((imm & 0xffff0000u) == MAPVAL_MARK) {
			in->src_reg = BH_PSEUDO_MAP_VALUE;
			in->imm = (int32_t)(imm & 0xffff);
		}
		i++;
	}
	return 0;
}

/* when set, verify_text logs at level 2 and copies its log here */
static char *log2_out;
static size_t log2_size;

static int verify_text(const char *text, uint32_t ret_checked,
		       const char *license, char *err, size_t errsz,
		       uint64_t *processed)
{
	struct bh_verify_map maps[3] = {
		{.def = &hash_def, .name = "h"},
		{.def = &arr_def, .name = "arr"},
		{.def = &ro_def,
		 .name = ".rodata",
		 .frozen_rdonly = true,
		 .data = &ro_val},
	};
	struct bh_verify_prog_type pt = {
		.name = "syscall",
		.ctx_kind = BH_CTX_BUFFER,
		.ctx_size = 64,
		.ret_checked = ret_checked,
		.ret_min = 0,
		.ret_max = 1,
	};
	struct bh_verify_env env = {0};
	struct bh_verify_result res;
	struct bh_insn *insns = NULL;
	size_t cnt = 0;
	char log[65536];
	int ret;

	ret = assemble(text, &insns, &cnt, err, errsz);
	if (ret)
		return 1000;
	env.insns = insns;
	env.insn_cnt = cnt;
	env.maps = maps;
	env.map_cnt = 3;
	env.type = &pt;
	env.license = license;
	env.log_level = 1;
	env.log_buf = log;
	env.log_size = sizeof(log);
	if (log2_out)
		env.log_level = 2;
	ret = bh_verify(&env, &res);
	if (log2_out)
		snprintf(log2_out, log2_size, "%s", log);
	snprintf(err, errsz, "%s", res.err);
	if (processed)
		*processed = res.stats.insn_processed;
	if (getenv("VLOG"))
		fprintf(stderr, "%s\n", log);
	bh_verify_result_free(&res);
	free(insns);
	return ret;
}

struct vcase {
	const char *name;
	const char *text;
	const char *reject; /* NULL: accept */
	bool ret_checked;
	const char *license; /* NULL: GPL */
};

static const struct vcase cases[] = {
	{"ret0", "mov %r0, 0\nexit", NULL},
	{"r0_uninit", "exit", "R0 !read_ok"},
	{"uninit_src", "mov %r0, %r2\nexit", "R2 !read_ok"},
	{"fp_readonly", "mov %r10, 0\nmov %r0, 0\nexit",
	 "frame pointer is read only"},
	{"div_zero", "mov %r0, 1\ndiv %r0, 0\nexit", "div by zero"},
	{"bad_shift", "mov %r0, 1\nlsh %r0, 64\nexit", "invalid shift 64"},
	{"last_not_exit", "mov %r0, 0", "last insn is not an exit or jmp"},
	{"unreachable", "mov %r0, 0\nexit\nmov %r0, 1\nexit",
	 "unreachable insn 2"},
	{"stack_rw", "stdw [%r10-8], 5\nldxdw %r0, [%r10-8]\nexit", NULL},
	{"stack_oob", "stdw [%r10+8], 5\nmov %r0, 0\nexit",
	 "invalid write to stack R10 off=8 size=8"},
	{"stack_misaligned", "stdw [%r10-8], 5\nldxw %r0, [%r10-7]\nexit",
	 "misaligned stack access off 0+0+-7 size 4"},
	{"stack_uninit_ok", "ldxdw %r0, [%r10-16]\nexit", NULL},
	{"fill_size", "stxdw [%r10-8], %r10\nldxw %r0, [%r10-8]\nexit",
	 "invalid size of register fill"},
	{"spill_size", "stxw [%r10-8], %r10\nmov %r0, 0\nexit",
	 "invalid size of register spill"},
	{"stack_sub", "mov %r1, %r10\nsub %r1, 8\nmov %r0, 0\nexit",
	 "subtraction from stack pointer prohibited"},
	{"ptr_mul", "mov %r1, %r10\nmul %r1, 2\nmov %r0, 0\nexit",
	 "R1 pointer arithmetic with *= operator prohibited"},
	{"ptr32", "mov %r1, %r10\nadd32 %r1, 2\nmov %r0, 0\nexit",
	 "R1 32-bit pointer arithmetic prohibited"},
	{"scalar_deref", "mov %r1, 0\nldxdw %r0, [%r1]\nexit",
	 "R1 invalid mem access 'scalar'"},
	{"ctx_read", "ldxdw %r0, [%r1+8]\nexit", NULL},
	{"ctx_oob", "ldxdw %r0, [%r1+64]\nexit",
	 "invalid bpf_context access off=64 size=8"},
	{"ctx_modified", "add %r1, 8\nldxdw %r0, [%r1]\nexit",
	 "dereference of modified ctx ptr R1 off=8 disallowed"},
	{"lookup_null",
	 "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map:0\n"
	 "call 1\nldxdw %r0, [%r0]\nexit",
	 "R0 invalid mem access 'map_value_or_null'"},
	{"lookup_checked",
	 "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map:0\n"
	 "call 1\njeq %r0, 0, out\nldxdw %r0, [%r0]\nout:\nexit",
	 NULL},
	{"lookup_oob",
	 "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map:0\n"
	 "call 1\njeq %r0, 0, out\nldxdw %r0, [%r0+4]\nout:\nexit",
	 "R0 min value is outside of the allowed memory range"},
	{"array_const_key",
	 "stw [%r10-8], 1\nmov %r2, %r10\nadd %r2, -8\nlddw %r1, map:1\n"
	 "call 1\nldxdw %r0, [%r0]\nexit",
	 NULL},
	{"unknown_helper", "call 9999\nmov %r0, 0\nexit",
	 "invalid func unknown#9999"},
	{"clobber", "mov %r1, 1\ncall 5\nmov %r0, %r1\nexit", "R1 !read_ok"},
	/* helper prototypes: only the arguments a prototype names are read */
	{"helper_no_args", "call 14\nmov %r0, 0\nexit", NULL},
	{"helper_prog_type", "call 26\nmov %r0, 0\nexit",
	 "program of this type cannot use helper bpf_skb_load_bytes#26"},
	{"helper_gpl_only",
	 "stdw [%r10-8], 0\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 8\n"
	 "call 6\nmov %r0, 0\nexit",
	 "cannot call GPL-restricted function from non-GPL compatible program",
	 false, "Proprietary"},
	{"helper_gpl_dual",
	 "stdw [%r10-8], 0\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 8\n"
	 "call 6\nmov %r0, 0\nexit",
	 NULL, false, "Dual BSD/GPL"},
	{"helper_not_gpl_only", "call 7\nmov %r0, 0\nexit", NULL, false,
	 "Proprietary"},
	{"helper_read_past_fp",
	 "stdw [%r10-8], 0\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 16\n"
	 "call 6\nmov %r0, 0\nexit",
	 "invalid read from stack R1 off=-8 size=16"},
	{"helper_uninit_mem_written",
	 "mov %r1, %r10\nadd %r1, -16\nmov %r2, 16\ncall 16\n"
	 "ldxdw %r0, [%r10-16]\nexit",
	 NULL},
	{"helper_uninit_mem_past_fp",
	 "mov %r1, %r10\nadd %r1, -8\nmov %r2, 16\ncall 16\n"
	 "mov %r0, 0\nexit",
	 "invalid write to stack R1 off=-8 size=16"},
	{"helper_size_type",
	 "mov %r1, %r10\nadd %r1, -8\nmov %r2, %r10\ncall 16\n"
	 "mov %r0, 0\nexit",
	 "R2 type=fp expected=scalar"},
	{"helper_mem_type", "mov %r1, 0\nmov %r2, 8\ncall 16\nmov %r0, 0\nexit",
	 "R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem"},
	{"probe_read_null_src",
	 "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\nmov %r3, 0\ncall 113\n"
	 "ldxdw %r0, [%r10-8]\nexit",
	 NULL},
	{"probe_read_str_range",
	 "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\nmov %r3, 0\ncall 115\n"
	 "jsgt %r0, 8, bad\njslt %r0, -4095, bad\nmov %r0, 0\nexit\n"
	 "bad:\nmov %r0, %r1\nexit",
	 NULL},
	{"snprintf_fmt_not_rdonly",
	 "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\nmov %r3, %r10\n"
	 "add %r3, -16\nmov %r4, 0\nmov %r5, 0\ncall 165\nmov %r0, 0\nexit",
	 "R3 type=fp expected=map_value"},
	{"kptr_xchg_not_map",
	 "mov %r1, %r10\nadd %r1, -8\nmov %r2, 0\ncall 194\nmov %r0, 0\nexit",
	 "R1 type=fp expected=map_value"},
	{"kptr_xchg_no_btf",
	 "stw [%r10-8], 0\nmov %r2, %r10\nadd %r2, -8\nlddw %r1, map:1\n"
	 "call 1\nmov %r1, %r0\nmov %r2, 0\ncall 194\nmov %r0, 0\nexit",
	 "map 'arr' has to have BTF in order to use bpf_kptr_xchg"},
	/* local dynptrs are over map values only (the kernel's rule) */
	{"dynptr_from_stack",
	 "mov %r1, %r10\nadd %r1, -8\nmov %r2, 8\nmov %r3, 0\n"
	 "mov %r4, %r10\nadd %r4, -24\ncall 197\nmov %r0, 0\nexit",
	 "Unsupported reg type fp for bpf_dynptr_from_mem data"},
	/* two-line errors carry both lines */
	{"map_value_past_end",
	 "stw [%r10-8], 1\nmov %r2, %r10\nadd %r2, -8\nlddw %r1, map:1\n"
	 "call 1\nldxdw %r0, [%r0+4]\nexit",
	 "invalid access to map value, value_size=8 off=4 size=8; R0 min value "
	 "is outside of the allowed memory range"},
	{"ptr_bitwise", "mov %r1, %r10\nand %r1, -8\nmov %r0, 0\nexit",
	 "R1 bitwise operator &= on pointer prohibited"},
	{"ptr_mul", "mov %r1, %r10\nmul %r1, 2\nmov %r0, 0\nexit",
	 "R1 pointer arithmetic with *= operator prohibited"},
	/* bpf_loop: a callback that changes the caller's stack converges */
	{"loop_callback_converges",
	 "stdw [%r10-8], 0\nmov %r1, 10\nlddw %r2, funcrel:7\n"
	 "mov %r3, %r10\nadd %r3, -8\nmov %r4, 0\ncall 181\n"
	 "mov %r0, 0\nexit\n"
	 "ldxdw %r3, [%r2]\nadd %r3, %r1\nstxdw [%r2], %r3\nmov %r0, 0\nexit",
	 NULL},
	/* no more callback iterations are verified than nr_loops allows
	 * (the kernel's "bpf_loop iteration limit reached"): the value the
	 * first one stores is never read by a second with nr_loops 1 */
	{"loop_nr_limits_iterations",
	 "stdw [%r10-8], 0\nmov %r1, 1\nlddw %r2, funcrel:7\n"
	 "mov %r3, %r10\nadd %r3, -8\nmov %r4, 0\ncall 181\n"
	 "mov %r0, 0\nexit\n"
	 "ldxdw %r3, [%r2]\nlddw %r4, mapval:2+0\nadd %r4, %r3\n"
	 "ldxb %r0, [%r4]\nlsh %r1, 3\nstxdw [%r2], %r1\nmov %r0, 0\nexit",
	 NULL},
	{"loop_nr_second_iteration",
	 "stdw [%r10-8], 0\nmov %r1, 2\nlddw %r2, funcrel:7\n"
	 "mov %r3, %r10\nadd %r3, -8\nmov %r4, 0\ncall 181\n"
	 "mov %r0, 0\nexit\n"
	 "ldxdw %r3, [%r2]\nlddw %r4, mapval:2+0\nadd %r4, %r3\n"
	 "ldxb %r0, [%r4]\nlsh %r1, 3\nstxdw [%r2], %r1\nmov %r0, 0\nexit",
	 "math between map_value pointer and register with unbounded min value "
	 "is not allowed"},
	{"loop_ctx_not_stack",
	 "mov %r1, 10\nlddw %r2, funcrel:6\nmov %r3, 5\nmov %r4, 0\n"
	 "call 181\nmov %r0, 0\nexit\nmov %r0, 0\nexit",
	 "R3 type=scalar expected=fp"},
	{"ret_range", "mov %r0, 5\nexit",
	 "At program exit the register R0 has smin=5 smax=5 should have been "
	 "in [0, 1]",
	 true},
	{"branch_refine_idx",
	 "ldxdw %r6, [%r1]\nstw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\n"
	 "lddw %r1, map:0\ncall 1\njeq %r0, 0, out\njgt %r6, 7, out\n"
	 "add %r0, %r6\nldxb %r0, [%r0]\nout:\nmov %r0, 0\nexit",
	 NULL},
	{"branch_unbounded_idx",
	 "ldxdw %r6, [%r1]\nstw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\n"
	 "lddw %r1, map:0\ncall 1\njeq %r0, 0, out\njgt %r6, 8, out\n"
	 "add %r0, %r6\nldxb %r0, [%r0]\nout:\nmov %r0, 0\nexit",
	 "R0 max value is outside of the allowed memory range"},
	{"rodata_write",
	 "lddw %r1, mapval:2+0\nstdw [%r1], 1\nmov %r0, 0\nexit",
	 "write into map forbidden"},
	{"rodata_const",
	 "lddw %r1, mapval:2+0\nldxdw %r0, [%r1]\njeq %r0, 7, ok\n"
	 "ldxdw %r0, [%r0]\nok:\nexit",
	 NULL},
	{"infinite_loop", "mov %r0, 0\nl:\nja l", "infinite loop detected"},
	{"bounded_loop", "mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 10, l\nexit",
	 NULL},
	{"static_call",
	 "mov %r1, 3\ncall local f\nexit\nf:\nmov %r0, %r1\nexit", NULL},
	{"call_clobber",
	 "mov %r1, 3\ncall local f\nmov %r0, %r1\nexit\nf:\nmov %r0, %r1\nexit",
	 "R1 !read_ok"},
	{"atomic_stack",
	 "stdw [%r10-8], 1\nmov %r1, 1\nlock add [%r10-8], %r1\nmov %r0, "
	 "0\nexit",
	 NULL},
	{"atomic_ctx", "mov %r2, 1\nlock add [%r1], %r2\nmov %r0, 0\nexit",
	 "BPF_ATOMIC stores into R1 ctx is not allowed"},
	{"linked_scalars",
	 "ldxdw %r6, [%r1]\nmov %r7, %r6\nadd %r7, 4\nstw [%r10-4], 0\n"
	 "mov %r2, %r10\nadd %r2, -4\nlddw %r1, map:0\ncall 1\n"
	 "jeq %r0, 0, out\njgt %r6, 3, out\nadd %r0, %r7\nldxb %r0, [%r0]\n"
	 "out:\nmov %r0, 0\nexit",
	 NULL},
	/* a zero stored at a variable offset over a spilled scalar zero
	 * keeps it (the fill is still the constant 0: the kernel's
	 * check_stack_write_var_off) */
	{"var_off_zero_keeps_spilled_zero",
	 "stdw [%r10-8], 0\nldxdw %r1, [%r1]\nand %r1, 7\nmov %r2, %r10\n"
	 "add %r2, -8\nadd %r2, %r1\nstb [%r2], 0\nldxdw %r0, [%r10-8]\n"
	 "jeq %r0, 0, ok\nldxdw %r0, [%r0]\nok:\nexit",
	 NULL},
	{"var_off_nonzero_spoils_spill",
	 "stdw [%r10-8], 0\nldxdw %r1, [%r1]\nand %r1, 7\nmov %r2, %r10\n"
	 "add %r2, -8\nadd %r2, %r1\nstb [%r2], 1\nldxdw %r0, [%r10-8]\n"
	 "jeq %r0, 0, ok\nldxdw %r0, [%r0]\nok:\nexit",
	 "R0 invalid mem access 'scalar'"},
	{"neg_index",
	 "ldxdw %r6, [%r1]\nstw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\n"
	 "lddw %r1, map:0\ncall 1\njeq %r0, 0, out\njsgt %r6, 7, out\n"
	 "add %r0, %r6\nldxb %r0, [%r0]\nout:\nmov %r0, 0\nexit",
	 "math between map_value pointer and register with unbounded min value "
	 "is not allowed"},
};

TEST(verifier_rules)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];
		char err[512] = "";
		int ret = verify_text(c->text, c->ret_checked, c->license, err,
				      sizeof(err), NULL);

		if (ret == 1000) {
			th_case(c->name, 0, "assemble: %s", err);
			continue;
		}
		if (!c->reject)
			th_case(c->name, ret == 0,
				"expected accept, got %d: %s", ret, err);
		else
			th_case(c->name, ret != 0 && strstr(err, c->reject),
				"expected reject '%s', got %d: %s", c->reject,
				ret, err);
	}
}

TEST(verifier_loop_processed)
{
	char err[512];
	uint64_t n = 0;
	int ret =
		verify_text("mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 10, l\nexit",
			    false, NULL, err, sizeof(err), &n);

	CHECK_EQ(ret, 0);
	/* the kernel processes 22 insns for this loop */
	CHECK_MSG(n >= 22 && n <= 44, "processed %llu", (unsigned long long)n);
}

/* Precision: a scalar no decision depended on does not keep two paths
 * apart (the second is pruned where they join), one a branch decided
 * on does (its value was checked: both paths run the tail). */
#define PREC_HEAD                                                          \
	"call 7\nmov %r6, 0\nmov %r8, 0\nmov %r9, 0\nmov %r2, 0\n"         \
	"mov %r3, 0\nmov %r4, 0\nmov %r5, 0\njgt %r0, 5, l1\nmov %r7, 1\n" \
	"ja j\nl1:\nmov %r7, 2\nj:\n"
#define PREC_TAIL                                                      \
	"add %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\n" \
	"add %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\n" \
	"add %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\n" \
	"add %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\nadd %r6, 1\n" \
	"mov %r0, 0\nexit"

TEST(verifier_precision_pruning)
{
	char err[512];
	uint64_t n_imprecise = 0, n_precise = 0;
	int ret = verify_text(PREC_HEAD "mov %r1, 0\n" PREC_TAIL, false, NULL,
			      err, sizeof(err), &n_imprecise);

	CHECK_EQ(ret, 0);
	/* r7 decides a branch in the tail: its two values stay apart */
	ret = verify_text(PREC_HEAD "jeq %r7, 3, out\n" PREC_TAIL "\nout:\n"
				    "mov %r0, 0\nexit",
			  false, NULL, err, sizeof(err), &n_precise);
	CHECK_EQ(ret, 0);
	CHECK_MSG(n_imprecise < 50, "imprecise: processed %llu",
		  (unsigned long long)n_imprecise);
	CHECK_MSG(n_precise >= n_imprecise + 20,
		  "precise: processed %llu vs %llu",
		  (unsigned long long)n_precise,
		  (unsigned long long)n_imprecise);
}

/* Stack liveness: the two paths leave a pointer and a scalar in fp-8.
 * A slot nothing reads again (or that is overwritten whole before it is
 * read) does not keep them apart at the join; one read later does, also
 * when it is a subprogram that reads it through a pointer, or a helper
 * (the map key). */
#define LIVE_HEAD                                                    \
	"mov %r6, %r1\ncall 7\nmov %r8, 0\nmov %r9, 0\nmov %r2, 0\n" \
	"mov %r3, 0\nmov %r4, 0\nmov %r5, 0\nmov %r7, 0\n"           \
	"jgt %r0, 5, l1\nstxdw [%r10-8], %r6\nja j\nl1:\n"           \
	"stdw [%r10-8], 7\nj:\n"
#define LIVE_TAIL                                                      \
	"add %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\n" \
	"add %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\n" \
	"add %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\n" \
	"add %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\nadd %r8, 1\n"

static const struct {
	const char *name, *text;
	bool live;
} live_cases[] = {
	{"dead_never_read", LIVE_HEAD LIVE_TAIL "mov %r0, 0\nexit", false},
	{"dead_overwritten",
	 LIVE_HEAD "stdw [%r10-8], 0\n" LIVE_TAIL
		   "ldxdw %r0, [%r10-8]\nmov %r0, 0\nexit",
	 false},
	{"dead_partly_written_other",
	 LIVE_HEAD LIVE_TAIL "stxw [%r10-16], %r8\nldxw %r0, [%r10-16]\n"
			     "mov %r0, 0\nexit",
	 false},
	{"live_read",
	 LIVE_HEAD LIVE_TAIL "ldxdw %r1, [%r10-8]\nmov %r0, 0\nexit", true},
	{"live_partly_overwritten",
	 LIVE_HEAD "stw [%r10-8], 0\n" LIVE_TAIL
		   "ldxdw %r1, [%r10-8]\nmov %r0, 0\nexit",
	 true},
	{"live_var_off_read",
	 LIVE_HEAD LIVE_TAIL "call 7\nmov %r1, %r0\nand %r1, 8\nmov %r2, %r10\n"
			     "add %r2, -16\nadd %r2, %r1\nstdw [%r10-16], 0\n"
			     "ldxdw %r0, [%r2]\nmov %r0, 0\nexit",
	 true},
	{"live_callee_reads",
	 LIVE_HEAD LIVE_TAIL "mov %r1, %r10\nadd %r1, -8\ncall local f\n"
			     "mov %r0, 0\nexit\nf:\nldxdw %r0, [%r1]\n"
			     "mov %r0, 0\nexit",
	 true},
	{"live_helper_reads",
	 LIVE_HEAD LIVE_TAIL "lddw %r1, map:0\nmov %r2, %r10\nadd %r2, -8\n"
			     "call 1\nmov %r0, 0\nexit",
	 true},
};

TEST(verifier_stack_liveness)
{
	for (size_t i = 0; i < sizeof(live_cases) / sizeof(live_cases[0]);
	     i++) {
		char err[512] = "";
		uint64_t n = 0;
		int ret = verify_text(live_cases[i].text, false, NULL, err,
				      sizeof(err), &n);

		th_case(live_cases[i].name, ret == 0, "rejected: %s", err);
		/* pruned at the join: the tail runs once (about 40 insns);
		 * kept apart: it runs twice */
		if (live_cases[i].live)
			th_case(live_cases[i].name, n >= 58,
				"live slot pruned: processed %llu",
				(unsigned long long)n);
		else
			th_case(live_cases[i].name, n < 50,
				"dead slot compared: processed %llu",
				(unsigned long long)n);
	}
}

/* Backtracking follows what the kernel's does, without falling back to
 * "everything precise": a 4-byte fill of a spilled scalar leads to its
 * slot, and a scalar linked to a spilled copy at a conditional jump
 * brings the slot along (found by the kernel differential: iterator
 * loops that only the kernel could prove finite). */
static const struct {
	const char *name, *text, *want[3];
} bt_cases[] = {
	{"narrow_fill",
	 "call 7\nand %r0, 7\nstxdw [%r10-8], %r0\nldxw %r1, [%r10-8]\n"
	 "lddw %r2, mapval:2+0\nadd %r2, %r1\nldxb %r0, [%r2]\nexit",
	 {"regs= stack=-8 before 3", "regs=r0 stack= before 2",
	  "regs=r0 stack= before 1"}},
	{"linked_spill",
	 "call 7\nstxdw [%r10-8], %r0\njgt %r0, 7, out\n"
	 "ldxdw %r1, [%r10-8]\nlddw %r2, mapval:2+0\nadd %r2, %r1\n"
	 "ldxb %r0, [%r2]\nexit\nout:\nmov %r0, 0\nexit",
	 {"regs= stack=-8 before 3", "regs=r0 stack=-8 before 2",
	  "regs=r0 stack= before 1"}},
};

TEST(verifier_backtrack_stack)
{
	static char log[65536];

	for (size_t i = 0; i < sizeof(bt_cases) / sizeof(bt_cases[0]); i++) {
		char err[512] = "";
		int ret;
		bool ok;

		log2_out = log;
		log2_size = sizeof(log);
		ret = verify_text(bt_cases[i].text, false, NULL, err,
				  sizeof(err), NULL);
		log2_out = NULL;
		th_case(bt_cases[i].name, ret == 0, "rejected: %s", err);
		ok = !strstr(log, "falling back");
		for (int w = 0; w < 3 && bt_cases[i].want[w]; w++)
			ok = ok && strstr(log, bt_cases[i].want[w]);
		th_case(bt_cases[i].name, ok, "mark_precise walk:\n%s", log);
	}
}
