// SPDX-License-Identifier: BSD-2-Clause
/*
 * The opcode table and the decoder from a raw slot to its form.
 *
 * Both tables below are expanded from opcodes.def and are const.  The
 * decoder index is keyed by the code byte and a 4-bit "selector slot"
 * hashed from the field that tells overloaded forms apart; two forms that
 * land in the same cell would be an initializer override, which -Wextra
 * -Werror turns into a build error, so the index cannot silently shadow a
 * form.  A hit is then confirmed against the full selector value, so a
 * slot collision with an unlisted value still decodes as invalid.
 */
#include "insn/insn.h"

#define BH_GRP_OF(g) BH_GRP_##g

const struct bh_op_info bh_op_table[BH_OP__COUNT] = {
#define X(name, code, sel, selval, cpu, group, sem)       \
	[BH_OP_##name] = {#name,  code, BH_SEL_##sel,     \
			  selval, cpu,	BH_GRP_OF(group), \
			  sem},
#include "opcodes.def"
#undef X
};

/*
 * Distinct for every selector value one code byte uses: OFF 0/1/8/16/32,
 * IMM 16/32/64 and the ten atomic operations, SRC 0/1/2.  Must stay a
 * constant expression: it builds the index as well as probing it.
 */
#define BH_SEL_SLOT(sel, v)                                           \
	((sel) == BH_SEL_IMM   ? ((((v) >> 4) & 15) ^ (((v)&1) << 3)) \
	 : (sel) == BH_SEL_OFF ? (((v)&1) | (((v) >> 2) & 14))        \
	 : (sel) == BH_SEL_SRC ? ((v)&15)                             \
			       : 0)

_Static_assert(BH_OP__COUNT < 255, "op ids must fit the uint8_t index");

/* op id + 1 per (code, selector slot); 0 = no form */
static const uint8_t bh_op_index[256][16] = {
#define X(name, code, sel, selval, cpu, group, sem) \
	[code][BH_SEL_SLOT(BH_SEL_##sel, selval)] = BH_OP_##name + 1,
#include "opcodes.def"
#undef X
};

/*
 * Which field selects among the forms of a code byte.  Every form of one
 * byte names the same kind (the unit test checks it), so the repeated
 * designated initializers below store identical values.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const uint8_t bh_code_sel[256] = {
#define X(name, code, sel, selval, cpu, group, sem) [code] = BH_SEL_##sel,
#include "opcodes.def"
#undef X
};
#pragma GCC diagnostic pop

static int32_t bh_sel_value(const struct bh_insn *insn, int sel)
{
	switch (sel) {
	case BH_SEL_OFF:
		return insn->off;
	case BH_SEL_IMM:
		return insn->imm;
	case BH_SEL_SRC:
		return insn->src_reg;
	default:
		return 0;
	}
}

enum bh_op bh_op_of(const struct bh_insn *insn)
{
	int sel = bh_code_sel[insn->code];
	int32_t v = bh_sel_value(insn, sel);
	unsigned int e = bh_op_index[insn->code][BH_SEL_SLOT(sel, v)];

	if (!e || bh_op_table[e - 1].selval != v)
		return BH_OP_INVALID;
	return (enum bh_op)(e - 1);
}

void bh_insns_profile(const struct bh_insn *insns, size_t cnt, int *cpu,
		      uint32_t *groups)
{
	int c = 1;
	uint32_t g = 0;

	for (size_t i = 0; i < cnt; i++) {
		enum bh_op op = bh_op_of(&insns[i]);

		if (op == BH_OP_INVALID)
			continue;
		if (bh_op_table[op].cpu > c)
			c = bh_op_table[op].cpu;
		g |= bh_op_table[op].group;
		/* the second slot is data, not an instruction */
		if (op == BH_OP_LDDW)
			i++;
	}
	if (cpu)
		*cpu = c;
	if (groups)
		*groups = g;
}
