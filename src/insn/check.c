// SPDX-License-Identifier: BSD-2-Clause
/*
 * Structural validation of an instruction array (bh_insns_check).
 *
 * Key invariant, relied on by the interpreter for unverified programs: a
 * program that passes can be decoded from slot 0 without ever reading
 * outside insns[0..cnt).  Every slot is a known form, every ld_imm64 owns
 * an in-range second slot that nothing branches into, every jump, local
 * call and subprogram address lands on an instruction start, and the last
 * slot cannot fall through.  Messages use the kernel verifier's wording.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "insn/insn.h"

struct bh_check {
	const struct bh_insn *insns;
	size_t cnt;
	size_t bad;
	/* the message already names the offending insn: no "insn N: " */
	bool named;
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 4, 5))) static int
bh_reject(struct bh_check *c, size_t idx, bool named, const char *fmt, ...)
{
	va_list ap;

	c->bad = idx;
	c->named = named;
	if (c->err && c->errsz) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errsz, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool bh_code_known(uint8_t code)
{
	for (int i = 0; i < BH_OP__COUNT; i++)
		if (bh_op_table[i].code == code)
			return true;
	return false;
}

/* A byte the table knows, but whose selector field has no listed value. */
static int bh_reject_selector(struct bh_check *c, size_t i)
{
	const struct bh_insn *insn = &c->insns[i];
	uint8_t cls = BH_CLASS(insn->code);

	if (cls == BH_STX)
		return bh_reject(c, i, false,
				 "BPF_ATOMIC uses invalid atomic opcode %02x",
				 insn->imm);
	if (cls == BH_JMP || cls == BH_JMP32)
		return bh_reject(c, i, false, "BPF_CALL uses reserved fields");
	if (BH_OP(insn->code) == 0xd0)
		return bh_reject(c, i, false, "BPF_END uses reserved fields");
	if (BH_OP(insn->code) == 0xb0)
		return bh_reject(c, i, false, "BPF_MOV uses reserved fields");
	return bh_reject(c, i, false, "BPF_ALU uses reserved fields");
}

static int bh_reject_unknown(struct bh_check *c, size_t i)
{
	uint8_t code = c->insns[i].code;

	if (BH_CLASS(code) == BH_LD && BH_MODE(code) == BH_IMM)
		return bh_reject(c, i, false, "invalid BPF_LD_IMM insn");
	return bh_reject(c, i, false, "unknown opcode %02x", code);
}

static bool bh_is_divmod(uint8_t code)
{
	return BH_OP(code) == 0x30 || BH_OP(code) == 0x90;
}

static int bh_check_alu(struct bh_check *c, size_t i)
{
	const struct bh_insn *in = &c->insns[i];
	uint8_t op = BH_OP(in->code);
	bool x = BH_SRC(in->code) == BH_X;

	switch (op) {
	case 0x80: /* neg */
		if (in->src_reg || in->off || in->imm)
			return bh_reject(c, i, false,
					 "BPF_NEG uses reserved fields");
		return 0;
	case 0xd0: /* end, bswap: imm is the selector */
		if (in->src_reg || in->off)
			return bh_reject(c, i, false,
					 "BPF_END uses reserved fields");
		return 0;
	case 0xb0: /* mov: off is the selector of the X forms */
		if (x ? in->imm != 0 : (in->src_reg || in->off))
			return bh_reject(c, i, false,
					 "BPF_MOV uses reserved fields");
		return 0;
	default:
		if (x ? in->imm != 0 : in->src_reg != 0)
			return bh_reject(c, i, false,
					 "BPF_ALU uses reserved fields");
		if (in->off && !bh_is_divmod(in->code))
			return bh_reject(c, i, false,
					 "BPF_ALU uses reserved fields");
		return 0;
	}
}

/* Is the slot the data half of an ld_imm64?  Valid only after pass 1. */
static bool bh_is_ldimm64_middle(const struct bh_check *c, int64_t t)
{
	return t >= 1 && c->insns[t - 1].code == 0x18;
}

static int bh_check_target(struct bh_check *c, size_t i, int64_t t, bool call)
{
	if (t < 0 || t >= (int64_t)c->cnt) {
		if (call)
			return bh_reject(c, i, false,
					 "call to invalid destination");
		return bh_reject(c, i, true,
				 "jump out of range from insn %zu to %lld", i,
				 (long long)t);
	}
	if (bh_is_ldimm64_middle(c, t))
		return bh_reject(c, i, false,
				 "jump into the middle of ldimm64 insn %lld",
				 (long long)(t - 1));
	return 0;
}

static int bh_check_ldimm64(struct bh_check *c, size_t i)
{
	const struct bh_insn *in = &c->insns[i];
	const struct bh_insn *hi = &c->insns[i + 1];

	if (i + 1 >= c->cnt || hi->code || hi->dst_reg || hi->src_reg ||
	    hi->off)
		return bh_reject(c, i, false, "invalid bpf_ld_imm64 insn");
	if (in->off)
		return bh_reject(c, i, false,
				 "BPF_LD_IMM64 uses reserved fields");
	if (in->src_reg > BH_PSEUDO_MAP_IDX_VALUE ||
	    ((in->src_reg == BH_PSEUDO_MAP_FD ||
	      in->src_reg == BH_PSEUDO_MAP_IDX) &&
	     hi->imm))
		return bh_reject(c, i, false, "unrecognized bpf_ld_imm64 insn");
	return 0;
}

static int bh_check_jmp(struct bh_check *c, size_t i, enum bh_op op)
{
	const struct bh_insn *in = &c->insns[i];

	switch (op) {
	case BH_OP_CALL:
	case BH_OP_CALL_LOCAL:
		if (in->dst_reg || in->off)
			return bh_reject(c, i, false,
					 "BPF_CALL uses reserved fields");
		return 0;
	case BH_OP_CALL_KFUNC: /* off is the BTF fd index */
		if (in->dst_reg)
			return bh_reject(c, i, false,
					 "BPF_CALL uses reserved fields");
		return 0;
	case BH_OP_CALLX:
		if (in->src_reg || in->off || in->imm)
			return bh_reject(c, i, false,
					 "BPF_CALL uses reserved fields");
		return 0;
	case BH_OP_JA:
	case BH_OP_JA32:
		if (in->src_reg || in->dst_reg ||
		    (op == BH_OP_JA ? in->imm : in->off))
			return bh_reject(c, i, false,
					 "BPF_JA uses reserved fields");
		return 0;
	case BH_OP_EXIT:
		if (in->src_reg || in->dst_reg || in->imm)
			return bh_reject(c, i, false,
					 "BPF_EXIT uses reserved fields");
		return 0;
	case BH_OP_MAY_GOTO:
		if (in->src_reg || in->dst_reg || in->imm)
			return bh_reject(c, i, false, "invalid may_goto imm %d",
					 in->imm);
		return 0;
	default:
		if (BH_SRC(in->code) == BH_X ? in->imm != 0 : in->src_reg != 0)
			return bh_reject(c, i, false,
					 "BPF_JMP/JMP32 uses reserved fields");
		return 0;
	}
}

/* Pass 1: each instruction on its own. */
static int bh_check_fields(struct bh_check *c, size_t i, enum bh_op op)
{
	const struct bh_insn *in = &c->insns[i];

	switch (BH_CLASS(in->code)) {
	case BH_ALU:
	case BH_ALU64:
		return bh_check_alu(c, i);
	case BH_LDX:
		if (in->imm)
			return bh_reject(c, i, false,
					 "BPF_LDX uses reserved fields");
		return 0;
	case BH_ST:
		if (in->src_reg)
			return bh_reject(c, i, false,
					 "BPF_ST uses reserved fields");
		return 0;
	case BH_STX:
		if (BH_MODE(in->code) == BH_MEM && in->imm)
			return bh_reject(c, i, false,
					 "BPF_STX uses reserved fields");
		return 0;
	case BH_LD:
		return bh_check_ldimm64(c, i);
	default:
		return bh_check_jmp(c, i, op);
	}
}

/* Pass 2: where control can go, now that every ld_imm64 is known. */
static int bh_check_flow(struct bh_check *c, size_t i, enum bh_op op)
{
	const struct bh_insn *in = &c->insns[i];
	int64_t next = (int64_t)i + 1;

	switch (op) {
	case BH_OP_CALL_LOCAL:
		return bh_check_target(c, i, next + in->imm, true);
	case BH_OP_LDDW:
		if (in->src_reg == BH_PSEUDO_FUNC)
			return bh_check_target(c, i, next + in->imm, true);
		return 0;
	case BH_OP_JA32:
		return bh_check_target(c, i, next + in->imm, false);
	case BH_OP_CALL:
	case BH_OP_CALL_KFUNC:
	case BH_OP_CALLX:
	case BH_OP_EXIT:
		return 0;
	default:
		if (BH_CLASS(in->code) == BH_JMP ||
		    BH_CLASS(in->code) == BH_JMP32)
			return bh_check_target(c, i, next + in->off, false);
		return 0;
	}
}

static int bh_check_run(struct bh_check *c)
{
	const struct bh_insn *last;
	size_t i;
	int err;

	if (!c->cnt)
		return bh_reject(c, 0, false, "empty program");
	for (i = 0; i < c->cnt; i++) {
		const struct bh_insn *in = &c->insns[i];
		enum bh_op op;

		if (in->dst_reg >= BH_MAX_REG)
			return bh_reject(c, i, false, "R%d is invalid",
					 in->dst_reg);
		if (in->src_reg >= BH_MAX_REG)
			return bh_reject(c, i, false, "R%d is invalid",
					 in->src_reg);
		op = bh_op_of(in);
		if (op == BH_OP_INVALID)
			return bh_code_known(in->code)
				       ? bh_reject_selector(c, i)
				       : bh_reject_unknown(c, i);
		err = bh_check_fields(c, i, op);
		if (err)
			return err;
		if (op == BH_OP_LDDW)
			i++;
	}
	for (i = 0; i < c->cnt; i++) {
		enum bh_op op = bh_op_of(&c->insns[i]);

		err = bh_check_flow(c, i, op);
		if (err)
			return err;
		if (op == BH_OP_LDDW)
			i++;
	}
	/* the ld_imm64 middle has code 0, so this also rejects ending in one */
	last = &c->insns[c->cnt - 1];
	if (last->code != 0x95 && last->code != 0x05 && last->code != 0x06)
		return bh_reject(c, c->cnt - 1, false,
				 "last insn is not an exit or jmp");
	return 0;
}

int bh_insns_check_at(const struct bh_insn *insns, size_t cnt, size_t *bad_idx,
		      char *err, size_t errsz)
{
	struct bh_check c = {
		.insns = insns, .cnt = cnt, .err = err, .errsz = errsz};
	int ret;

	if (err && errsz)
		err[0] = '\0';
	ret = bh_check_run(&c);
	if (ret && bad_idx)
		*bad_idx = c.bad;
	return ret;
}

int bh_insns_check(const struct bh_insn *insns, size_t cnt, char *err,
		   size_t errsz)
{
	struct bh_check c = {.insns = insns, .cnt = cnt};
	char msg[128];
	int ret;

	c.err = msg;
	c.errsz = sizeof(msg);
	msg[0] = '\0';
	ret = bh_check_run(&c);
	if (ret && err && errsz) {
		if (c.named)
			snprintf(err, errsz, "%s", msg);
		else
			snprintf(err, errsz, "insn %zu: %s", c.bad, msg);
	} else if (err && errsz) {
		err[0] = '\0';
	}
	return ret;
}
