// SPDX-License-Identifier: BSD-2-Clause
/*
 * Disassembler producing the Linux verifier-log text of one instruction
 * ("r1 = *(u64 *)(r10 -8)", "if w1 != w2 goto pc-4"), without the
 * "(code) " column, which log writers add themselves.
 *
 * Only forms that bh_op_of() accepts are printed as instructions; anything
 * else is "(code) unknown opcode", so the text never claims a meaning the
 * interpreter would not give the slot.  Reserved fields are not checked
 * here: that is bh_insns_check()'s job.
 */
#include <stdbool.h>
#include <stdio.h>

#include "insn/insn.h"

static const char *const bh_alu_sym[16] = {
	"+=",  "-=", "*=", "/=", "|=",	 "&=",	   "<<=", ">>=",
	"neg", "%=", "^=", "=",	 "s>>=", "endian", NULL,  NULL,
};

static const char *const bh_jmp_sym[16] = {
	"jmp",	"==",	">", ">=", "&",	 "!=",	"s>", "s>=",
	"call", "exit", "<", "<=", "s<", "s<=", NULL, NULL,
};

/* indexed by BH_SIZE >> 3 */
static const char *const bh_size_u[4] = {"u32", "u16", "u8", "u64"};
static const char *const bh_size_s[4] = {"s32", "s16", "s8", "s64"};

static const char *bh_atomic_name(int32_t imm)
{
	switch (imm & ~1) {
	case 0x00:
		return "add";
	case 0x40:
		return "or";
	case 0x50:
		return "and";
	case 0xa0:
		return "xor";
	default:
		return "?";
	}
}

static void bh_disasm_alu(const struct bh_insn *in, enum bh_op op, char *buf,
			  size_t sz)
{
	char w = BH_CLASS(in->code) == BH_ALU ? 'w' : 'r';
	uint8_t opn = BH_OP(in->code) >> 4;
	const char *sym = bh_alu_sym[opn];
	const char *cast = "";

	switch (op) {
	case BH_OP_BSWAP16:
	case BH_OP_BSWAP32:
	case BH_OP_BSWAP64:
		snprintf(buf, sz, "r%d = bswap%d r%d", in->dst_reg, in->imm,
			 in->dst_reg);
		return;
	case BH_OP_LE16:
	case BH_OP_LE32:
	case BH_OP_LE64:
	case BH_OP_BE16:
	case BH_OP_BE32:
	case BH_OP_BE64:
		/* the kernel prints 'r' here although the class is ALU */
		snprintf(buf, sz, "r%d = %s%d r%d", in->dst_reg,
			 BH_SRC(in->code) == BH_X ? "be" : "le", in->imm,
			 in->dst_reg);
		return;
	case BH_OP_NEG64:
	case BH_OP_NEG32:
		snprintf(buf, sz, "%c%d = -%c%d", w, in->dst_reg, w,
			 in->dst_reg);
		return;
	case BH_OP_SDIV64_K:
	case BH_OP_SDIV64_X:
	case BH_OP_SDIV32_K:
	case BH_OP_SDIV32_X:
		sym = "s/=";
		break;
	case BH_OP_SMOD64_K:
	case BH_OP_SMOD64_X:
	case BH_OP_SMOD32_K:
	case BH_OP_SMOD32_X:
		sym = "s%=";
		break;
	case BH_OP_MOVSX8_64:
	case BH_OP_MOVSX8_32:
		cast = "(s8)";
		break;
	case BH_OP_MOVSX16_64:
	case BH_OP_MOVSX16_32:
		cast = "(s16)";
		break;
	case BH_OP_MOVSX32_64:
		cast = "(s32)";
		break;
	default:
		break;
	}
	if (BH_SRC(in->code) == BH_X)
		snprintf(buf, sz, "%c%d %s %s%c%d", w, in->dst_reg, sym, cast,
			 w, in->src_reg);
	else
		snprintf(buf, sz, "%c%d %s %d", w, in->dst_reg, sym, in->imm);
}

static void bh_disasm_atomic(const struct bh_insn *in, char *buf, size_t sz)
{
	const char *ty = bh_size_u[BH_SIZE(in->code) >> 3];
	const char *bits = BH_SIZE(in->code) == BH_DW ? "64" : "";
	int d = in->dst_reg, s = in->src_reg, off = in->off;

	if (in->imm == 0xf1)
		snprintf(buf, sz,
			 "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)",
			 bits, ty, d, off, s);
	else if (in->imm == 0xe1)
		snprintf(buf, sz, "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)",
			 s, bits, ty, d, off, s);
	else if (in->imm & 1)
		snprintf(buf, sz,
			 "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", s,
			 bits, bh_atomic_name(in->imm), ty, d, off, s);
	else
		snprintf(buf, sz, "lock *(%s *)(r%d %+d) %s r%d", ty, d, off,
			 bh_alu_sym[(in->imm >> 4) & 15], s);
}

static void bh_disasm_ldimm64(const struct bh_insn *in, char *buf, size_t sz,
			      const struct bh_disasm_cbs *cbs)
{
	uint64_t imm64 =
		(uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in[0].imm;
	char tmp[64];
	const char *text = NULL;

	if (cbs && cbs->imm_text)
		text = cbs->imm_text(cbs->ctx, in, imm64, tmp, sizeof(tmp));
	if (text) {
		snprintf(buf, sz, "r%d = %s", in->dst_reg, text);
		return;
	}
	switch (in->src_reg) {
	case BH_PSEUDO_MAP_FD:
	case BH_PSEUDO_MAP_IDX:
		snprintf(tmp, sizeof(tmp), "map[idx:%d]", in[0].imm);
		break;
	case BH_PSEUDO_MAP_VALUE:
	case BH_PSEUDO_MAP_IDX_VALUE:
		snprintf(tmp, sizeof(tmp), "map[idx:%d][0]+%d", in[0].imm,
			 in[1].imm);
		break;
	case BH_PSEUDO_FUNC:
		snprintf(tmp, sizeof(tmp), "subprog[%+d]", in[0].imm);
		break;
	default:
		snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)imm64);
		break;
	}
	snprintf(buf, sz, "r%d = %s", in->dst_reg, tmp);
}

static void bh_disasm_call(const struct bh_insn *in, enum bh_op op, char *buf,
			   size_t sz, const struct bh_disasm_cbs *cbs)
{
	const char *name = NULL;

	if (op == BH_OP_CALL_LOCAL) {
		snprintf(buf, sz, "call pc%+d", in->imm);
		return;
	}
	if (op == BH_OP_CALL)
		name = bh_helper_name(in->imm);
	if (!name && cbs && cbs->call_name)
		name = cbs->call_name(cbs->ctx, in);
	if (!name)
		name = op == BH_OP_CALL_KFUNC ? "kernel-function" : "unknown";
	snprintf(buf, sz, "call %s#%d", name, in->imm);
}

static void bh_disasm_jmp(const struct bh_insn *in, enum bh_op op, char *buf,
			  size_t sz, const struct bh_disasm_cbs *cbs)
{
	char w = BH_CLASS(in->code) == BH_JMP32 ? 'w' : 'r';
	const char *sym = bh_jmp_sym[BH_OP(in->code) >> 4];

	switch (op) {
	case BH_OP_CALL:
	case BH_OP_CALL_LOCAL:
	case BH_OP_CALL_KFUNC:
		bh_disasm_call(in, op, buf, sz, cbs);
		return;
	case BH_OP_CALLX:
		snprintf(buf, sz, "callx r%d", in->dst_reg);
		return;
	case BH_OP_EXIT:
		snprintf(buf, sz, "exit");
		return;
	case BH_OP_JA:
		snprintf(buf, sz, "goto pc%+d", in->off);
		return;
	case BH_OP_JA32:
		snprintf(buf, sz, "gotol pc%+d", in->imm);
		return;
	case BH_OP_MAY_GOTO:
		snprintf(buf, sz, "may_goto pc%+d", in->off);
		return;
	default:
		break;
	}
	if (BH_SRC(in->code) == BH_X)
		snprintf(buf, sz, "if %c%d %s %c%d goto pc%+d", w, in->dst_reg,
			 sym, w, in->src_reg, in->off);
	else
		snprintf(buf, sz, "if %c%d %s 0x%x goto pc%+d", w, in->dst_reg,
			 sym, (uint32_t)in->imm, in->off);
}

int bh_disasm_cb(const struct bh_insn *insns, size_t cnt, size_t idx, char *buf,
		 size_t bufsz, const struct bh_disasm_cbs *cbs)
{
	const struct bh_insn *in;
	enum bh_op op;
	char dummy[1];

	if (!buf || !bufsz) {
		buf = dummy;
		bufsz = sizeof(dummy);
	}
	if (idx >= cnt) {
		snprintf(buf, bufsz, "(out of range)");
		return 1;
	}
	in = &insns[idx];
	op = bh_op_of(in);
	if (op == BH_OP_INVALID) {
		snprintf(buf, bufsz, "(%02x) unknown opcode", in->code);
		return 1;
	}
	switch (BH_CLASS(in->code)) {
	case BH_ALU:
	case BH_ALU64:
		bh_disasm_alu(in, op, buf, bufsz);
		return 1;
	case BH_LDX:
		snprintf(buf, bufsz, "r%d = *(%s *)(r%d %+d)", in->dst_reg,
			 (BH_MODE(in->code) == BH_MEMSX
				  ? bh_size_s
				  : bh_size_u)[BH_SIZE(in->code) >> 3],
			 in->src_reg, in->off);
		return 1;
	case BH_ST:
		snprintf(buf, bufsz, "*(%s *)(r%d %+d) = %d",
			 bh_size_u[BH_SIZE(in->code) >> 3], in->dst_reg,
			 in->off, in->imm);
		return 1;
	case BH_STX:
		if (BH_MODE(in->code) == BH_ATOMIC)
			bh_disasm_atomic(in, buf, bufsz);
		else
			snprintf(buf, bufsz, "*(%s *)(r%d %+d) = r%d",
				 bh_size_u[BH_SIZE(in->code) >> 3], in->dst_reg,
				 in->off, in->src_reg);
		return 1;
	case BH_LD:
		if (idx + 1 >= cnt) {
			snprintf(buf, bufsz, "(%02x) truncated ld_imm64",
				 in->code);
			return 1;
		}
		bh_disasm_ldimm64(in, buf, bufsz, cbs);
		return 2;
	default:
		bh_disasm_jmp(in, op, buf, bufsz, cbs);
		return 1;
	}
}

int bh_disasm(const struct bh_insn *insns, size_t cnt, size_t idx, char *buf,
	      size_t bufsz)
{
	return bh_disasm_cb(insns, cnt, idx, buf, bufsz, NULL);
}
