/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BPF instructions: the raw 8-byte slot, the opcode forms from opcodes.def,
 * structural validation, the disassembler (kernel verifier-log syntax) and
 * the assembler (bpf_conformance syntax).
 *
 * This module knows nothing of safety: "valid" here means only that every
 * slot is a known form with in-range registers and fields the form leaves
 * reserved at zero; the verifier decides what is safe.
 */
#ifndef BPFHOST_INSN_H
#define BPFHOST_INSN_H

#include <stddef.h>
#include <stdint.h>

/* One instruction slot, laid out as struct bpf_insn in <linux/bpf.h>. */
struct bh_insn {
	uint8_t code;
	uint8_t dst_reg : 4;
	uint8_t src_reg : 4;
	int16_t off;
	int32_t imm;
};

_Static_assert(sizeof(struct bh_insn) == 8, "bpf insn is 8 bytes");

/* Instruction classes, sizes, modes, sources (the ISA's field values). */
#define BH_CLASS(code) ((code)&0x07)
#define BH_LD 0x00
#define BH_LDX 0x01
#define BH_ST 0x02
#define BH_STX 0x03
#define BH_ALU 0x04
#define BH_JMP 0x05
#define BH_JMP32 0x06
#define BH_ALU64 0x07

#define BH_SIZE(code) ((code)&0x18)
#define BH_W 0x00
#define BH_H 0x08
#define BH_B 0x10
#define BH_DW 0x18

#define BH_MODE(code) ((code)&0xe0)
#define BH_IMM 0x00
#define BH_MEM 0x60
#define BH_MEMSX 0x80
#define BH_ATOMIC 0xc0

#define BH_SRC(code) ((code)&0x08)
#define BH_K 0x00
#define BH_X 0x08
#define BH_OP(code) ((code)&0xf0)

/* ld_imm64 src_reg pseudo forms, as the kernel numbers them */
#define BH_PSEUDO_MAP_FD 1	  /* imm = map index in the object */
#define BH_PSEUDO_MAP_VALUE 2	  /* imm = map index, next imm = offset */
#define BH_PSEUDO_BTF_ID 3	  /* imm = BTF id of a ksym variable */
#define BH_PSEUDO_FUNC 4	  /* imm = insn offset of a subprogram */
#define BH_PSEUDO_MAP_IDX 5	  /* same as MAP_FD for us */
#define BH_PSEUDO_MAP_IDX_VALUE 6 /* same as MAP_VALUE for us */

/* call src_reg forms */
#define BH_PSEUDO_CALL 1       /* BPF-to-BPF call, imm = relative target */
#define BH_PSEUDO_KFUNC_CALL 2 /* imm = kfunc BTF id, off = BTF index */

#define BH_MAX_REG 11 /* r0..r10 */
#define BH_FP 10

/* Instruction form ids, one per line of opcodes.def, plus BH_OP_INVALID. */
enum bh_op {
#define X(name, code, sel, selval, cpu, group, sem) BH_OP_##name,
#include "opcodes.def"
#undef X
	BH_OP__COUNT,
	BH_OP_INVALID = BH_OP__COUNT,
};

enum bh_sel { BH_SEL_NONE, BH_SEL_OFF, BH_SEL_IMM, BH_SEL_SRC };

enum bh_group {
	BH_GRP_BASE32 = 1u << 0,
	BH_GRP_BASE64 = 1u << 1,
	BH_GRP_DIVMUL32 = 1u << 2,
	BH_GRP_DIVMUL64 = 1u << 3,
	BH_GRP_ATOMIC32 = 1u << 4,
	BH_GRP_ATOMIC64 = 1u << 5,
	BH_GRP_CALLX = 1u << 6,
	BH_GRP_PACKET = 1u << 7,
};

struct bh_op_info {
	const char *name; /* "ADD64_K" */
	uint8_t code;
	uint8_t sel; /* enum bh_sel */
	int32_t selval;
	uint8_t cpu;	/* 1..4 */
	uint32_t group; /* one enum bh_group bit */
	const char *sem;
};

extern const struct bh_op_info bh_op_table[BH_OP__COUNT];

/* The form of one slot, or BH_OP_INVALID.  Pure table lookup. */
enum bh_op bh_op_of(const struct bh_insn *insn);

/*
 * Check that insns[0..cnt) is well formed: every slot a known form, every
 * register in range, reserved fields zero, ld_imm64 followed by its second
 * slot, jump and local-call targets inside the program and not into the
 * middle of an ld_imm64.  On failure returns -EINVAL and writes a message
 * naming the instruction index to err.
 */
int bh_insns_check(const struct bh_insn *insns, size_t cnt, char *err,
		   size_t errsz);

/* Highest cpu version (1..4) and the union of groups used by insns. */
void bh_insns_profile(const struct bh_insn *insns, size_t cnt, int *cpu,
		      uint32_t *groups);

/*
 * Disassemble the instruction at insns[idx] in kernel verifier-log syntax
 * ("r1 = *(u64 *)(r10 -8)", "if r1 > 0x10 goto pc+3").  cnt bounds the
 * read of an ld_imm64's second slot.  Returns the number of slots the
 * instruction occupies (1 or 2).  Never fails: an unknown form prints as
 * "(code) unknown opcode".
 */
int bh_disasm(const struct bh_insn *insns, size_t cnt, size_t idx, char *buf,
	      size_t bufsz);

/*
 * Name hooks for bh_disasm_cb(); ctx is passed back.  A hook returning NULL
 * keeps the default text.  call_name is asked for kfunc calls and for
 * helper ids the built-in table does not know ("call <name>#<imm>");
 * imm_text for every ld_imm64 operand (imm64 is the joined 64-bit value).
 */
struct bh_disasm_cbs {
	const char *(*call_name)(void *ctx, const struct bh_insn *insn);
	const char *(*imm_text)(void *ctx, const struct bh_insn *insn,
				uint64_t imm64, char *buf, size_t bufsz);
	void *ctx;
};

/* bh_disasm() with name hooks; cbs may be NULL. */
int bh_disasm_cb(const struct bh_insn *insns, size_t cnt, size_t idx, char *buf,
		 size_t bufsz, const struct bh_disasm_cbs *cbs);

/* "bpf_map_lookup_elem" for 1, ...; NULL for an id Linux does not define. */
const char *bh_helper_name(int32_t id);

/*
 * bh_insns_check() for callers that print their own prefix (the verifier
 * log): on failure *bad_idx is the offending slot and err holds the bare
 * kernel-worded message ("BPF_ALU uses reserved fields").
 */
int bh_insns_check_at(const struct bh_insn *insns, size_t cnt, size_t *bad_idx,
		      char *err, size_t errsz);

/*
 * Assemble bpf_conformance syntax ("mov %r0, 1", "ldxdw %r1, [%r2+8]",
 * "jeq %r1, 0x10, label"), one statement per line; '#' starts a comment.
 * Labels ("name:") and numeric "+N"/"-N" jump offsets are accepted.  On
 * success *out is malloc'ed and *cnt its slot count.  On failure returns
 * -EINVAL with "line N: ..." in err.
 */
int bh_assemble(const char *text, struct bh_insn **out, size_t *cnt, char *err,
		size_t errsz);

#endif
