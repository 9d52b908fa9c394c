// SPDX-License-Identifier: BSD-2-Clause
/*
 * Assembler for the bpf_conformance text syntax ("mov32 %r0, 1",
 * "ldxdw %r1, [%r2+8]", "jeq %r1, 0x10, label", "lock fetch add [%r1], %r2").
 *
 * Mnemonics are mapped to opcodes.def form names ("add32" + register
 * operand -> ADD32_X) and encoded from bh_op_table, selector included, so
 * the assembler can only emit forms the rest of bpfhost knows.  Labels are
 * resolved in a second pass; "exit" is predefined as the first exit
 * instruction, as the upstream assembler does.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn/insn.h"

#define BH_ASM_MAX_TOK 8

struct bh_label {
	const char *name;
	size_t slot;
};

/* a jump or call whose target is a label, patched after the last line */
struct bh_fixup {
	const char *name;
	size_t slot;
	int line;
	bool in_imm;
};

struct bh_asm {
	struct bh_insn *insns;
	size_t cnt, cap;
	struct bh_label *labels;
	size_t nlabels, labels_cap;
	struct bh_fixup *fixups;
	size_t nfixups, fixups_cap;
	size_t first_exit; /* SIZE_MAX until an exit is seen */
	int line;
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 2, 3))) static int
bh_asm_err(struct bh_asm *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!a->err || !a->errsz)
		return -EINVAL;
	n = snprintf(a->err, a->errsz, "line %d: ", a->line);
	if (n >= 0 && (size_t)n < a->errsz) {
		va_start(ap, fmt);
		vsnprintf(a->err + n, a->errsz - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int bh_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	void *p;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static struct bh_insn *bh_emit(struct bh_asm *a, size_t n)
{
	struct bh_insn *in;

	if (bh_grow((void **)&a->insns, &a->cap, a->cnt + n, sizeof(*in)))
		return NULL;
	in = &a->insns[a->cnt];
	memset(in, 0, n * sizeof(*in));
	a->cnt += n;
	return in;
}

static enum bh_op bh_form_by_name(const char *name)
{
	for (int i = 0; i < BH_OP__COUNT; i++)
		if (!strcmp(bh_op_table[i].name, name))
			return (enum bh_op)i;
	return BH_OP_INVALID;
}

/* Fill code and the selector field of a form; operands come later. */
static void bh_encode(struct bh_insn *in, enum bh_op op)
{
	const struct bh_op_info *f = &bh_op_table[op];

	in->code = f->code;
	if (f->sel == BH_SEL_OFF)
		in->off = (int16_t)f->selval;
	else if (f->sel == BH_SEL_IMM)
		in->imm = f->selval;
	else if (f->sel == BH_SEL_SRC)
		in->src_reg = f->selval & 15;
}

static bool bh_parse_reg(const char *s, int *reg)
{
	char *end;
	long v;

	if (s[0] != '%' || s[1] != 'r' || !isdigit((unsigned char)s[2]))
		return false;
	v = strtol(s + 2, &end, 10);
	/* r11..r15 assemble, so negative tests can reach the checker */
	if (*end || v > 15)
		return false;
	*reg = (int)v;
	return true;
}

/*
 * A number with optional sign; hex is a bit pattern of at most max_hex,
 * decimal must lie in [dmin, dmax].  A '-' before hex negates the pattern.
 */
static bool bh_parse_num(const char *s, uint64_t max_hex, int64_t dmin,
			 uint64_t dmax, uint64_t *out)
{
	bool neg = false;
	unsigned long long v;
	char *end;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return false;
		v = strtoull(s + 2, &end, 16);
		if (*end || errno || v > max_hex)
			return false;
		*out = neg ? -(uint64_t)v : v;
		return true;
	}
	v = strtoull(s, &end, 10);
	if (*end || errno)
		return false;
	if (neg) {
		if (v > (uint64_t) - (dmin + 1) + 1)
			return false;
		*out = -(uint64_t)v;
	} else {
		if (v > dmax)
			return false;
		*out = v;
	}
	return true;
}

static bool bh_parse_imm32(const char *s, int32_t *imm)
{
	uint64_t v;

	if (!bh_parse_num(s, 0xffffffffu, INT32_MIN, INT32_MAX, &v))
		return false;
	*imm = (int32_t)(uint32_t)v;
	return true;
}

static bool bh_parse_off16(const char *s, int16_t *off)
{
	uint64_t v;

	if (!bh_parse_num(s, 0xffff, INT16_MIN, INT16_MAX, &v))
		return false;
	*off = (int16_t)(uint16_t)v;
	return true;
}

/* "[%rN]", "[%rN+off]", "[%rN-off]" */
static bool bh_parse_mem(const char *s, int *reg, int16_t *off)
{
	char tmp[64];
	size_t n = strlen(s);
	char *sign;

	if (n < 4 || n >= sizeof(tmp) || s[0] != '[' || s[n - 1] != ']')
		return false;
	memcpy(tmp, s + 1, n - 2);
	tmp[n - 2] = '\0';
	sign = strpbrk(tmp, "+-");
	*off = 0;
	if (sign) {
		char num[64];

		snprintf(num, sizeof(num), "%s", sign);
		*sign = '\0';
		if (!bh_parse_off16(num, off))
			return false;
	}
	return bh_parse_reg(tmp, reg);
}

static int bh_add_fixup(struct bh_asm *a, const char *name, size_t slot,
			bool in_imm)
{
	if (bh_grow((void **)&a->fixups, &a->fixups_cap, a->nfixups + 1,
		    sizeof(*a->fixups)))
		return -ENOMEM;
	a->fixups[a->nfixups++] =
		(struct bh_fixup){name, slot, a->line, in_imm};
	return 0;
}

/* "+N"/"-N" now, or a label patched later */
static int bh_target(struct bh_asm *a, struct bh_insn *in, const char *s,
		     bool in_imm)
{
	if (s[0] == '+' || s[0] == '-' || isdigit((unsigned char)s[0])) {
		if (in_imm ? !bh_parse_imm32(s, &in->imm)
			   : !bh_parse_off16(s, &in->off))
			return bh_asm_err(a, "bad jump offset '%s'", s);
		return 0;
	}
	return bh_add_fixup(a, s, (size_t)(in - a->insns), in_imm);
}

static bool bh_has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

static void bh_upper(char *dst, const char *src, size_t sz)
{
	size_t i;

	for (i = 0; i + 1 < sz && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

static bool bh_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const char *const bh_alu_names[] = {
	"add", "sub", "mul",  "div", "sdiv", "or",   "and", "lsh",
	"rsh", "mod", "smod", "xor", "mov",  "arsh", "neg", NULL,
};

static const char *const bh_jmp_names[] = {
	"jeq",	"jgt", "jge", "jset", "jne",  "jsgt",
	"jsge", "jlt", "jle", "jslt", "jsle", NULL,
};

/*
 * Map a plain mnemonic and its second operand to an opcodes.def name:
 * "add32" + "%r1" -> "ADD32_X", "jne" + "5" -> "JNE_K", "ldxdw" -> "LDXDW".
 */
static bool bh_form_name(const char *m, const char *src, char *out, size_t sz)
{
	char base[32], up[32], width[3] = "";
	const char *kx = src && src[0] == '%' ? "_X" : "_K";
	size_t n = strlen(m);

	if (n >= sizeof(base))
		return false;
	snprintf(base, sizeof(base), "%s", m);
	if (bh_has_suffix(base, "32") || bh_has_suffix(base, "64")) {
		memcpy(width, base + n - 2, 3);
		base[n - 2] = '\0';
	}
	if (bh_in_list(base, bh_alu_names)) {
		bh_upper(up, base, sizeof(up));
		snprintf(out, sz, "%s%s%s", up, *width ? width : "64",
			 strcmp(base, "neg") ? kx : "");
		return true;
	}
	if (bh_in_list(base, bh_jmp_names) && strcmp(width, "64")) {
		bh_upper(up, base, sizeof(up));
		snprintf(out, sz, "%s%s%s", up, width, kx);
		return true;
	}
	if (!strncmp(m, "movsx", 5) && n > 7) {
		/* movsx864 -> MOVSX8_64 */
		snprintf(out, sz, "MOVSX%.*s_%s", (int)(n - 7), m + 5,
			 m + n - 2);
		return true;
	}
	if (!strncmp(m, "swap", 4)) {
		snprintf(out, sz, "BSWAP%s", m + 4);
		return true;
	}
	bh_upper(out, m, sz);
	return true;
}

static int bh_asm_lock(struct bh_asm *a, char **tok, int ntok)
{
	bool fetch = ntok > 1 && !strcmp(tok[1], "fetch");
	const char *opn = ntok > 1 + fetch ? tok[1 + fetch] : "";
	char name[32], up[16];
	const char *bits = bh_has_suffix(opn, "32") ? "32" : "64";
	size_t len = strlen(opn) - (bh_has_suffix(opn, "32") ? 2 : 0);
	enum bh_op op;
	struct bh_insn *in;
	int dst, src;
	int16_t off;

	if (ntok != 4 + fetch)
		return bh_asm_err(a,
				  "lock takes a memory and a register operand");
	snprintf(name, sizeof(name), "%.*s", (int)len, opn);
	bh_upper(up, name, sizeof(up));
	if (fetch && (!strcmp(name, "xchg") || !strcmp(name, "cmpxchg")))
		return bh_asm_err(a, "'%s' always fetches", name);
	snprintf(name, sizeof(name), "A%s%s%s", fetch ? "F" : "", up, bits);
	op = bh_form_by_name(name);
	if (op == BH_OP_INVALID)
		return bh_asm_err(a, "unknown atomic operation '%s'", opn);
	if (!bh_parse_mem(tok[2 + fetch], &dst, &off))
		return bh_asm_err(a, "bad memory operand '%s'", tok[2 + fetch]);
	if (!bh_parse_reg(tok[3 + fetch], &src))
		return bh_asm_err(a, "bad register '%s'", tok[3 + fetch]);
	in = bh_emit(a, 1);
	if (!in)
		return -ENOMEM;
	bh_encode(in, op);
	in->dst_reg = dst;
	in->src_reg = src;
	in->off = off;
	return 0;
}

static int bh_asm_call(struct bh_asm *a, char **tok, int ntok)
{
	const char *kind = ntok == 3 ? tok[1] : "helper";
	const char *arg = tok[ntok - 1];
	struct bh_insn *in;
	int reg;

	if (ntok != 2 && ntok != 3)
		return bh_asm_err(a, "call takes one operand");
	in = bh_emit(a, 1);
	if (!in)
		return -ENOMEM;
	if (!strcmp(kind, "local")) {
		bh_encode(in, BH_OP_CALL_LOCAL);
		return bh_target(a, in, arg, true);
	}
	if (!strcmp(kind, "helper") && bh_parse_reg(arg, &reg)) {
		bh_encode(in, BH_OP_CALLX);
		in->dst_reg = reg;
		return 0;
	}
	if (!strcmp(kind, "helper") || !strcmp(kind, "runtime")) {
		bh_encode(in, kind[0] == 'h' ? BH_OP_CALL : BH_OP_CALL_KFUNC);
		if (!bh_parse_imm32(arg, &in->imm))
			return bh_asm_err(a, "bad call target '%s'", arg);
		return 0;
	}
	return bh_asm_err(a, "unknown call kind '%s'", kind);
}

static int bh_need(struct bh_asm *a, const char *m, int ntok, int want)
{
	if (ntok - 1 != want)
		return bh_asm_err(a, "'%s' takes %d operand%s, got %d", m, want,
				  want == 1 ? "" : "s", ntok - 1);
	return 0;
}

static int bh_asm_lddw(struct bh_asm *a, char **tok, int ntok)
{
	struct bh_insn *in;
	uint64_t v;
	int dst;

	if (bh_need(a, tok[0], ntok, 2))
		return -EINVAL;
	if (!bh_parse_reg(tok[1], &dst))
		return bh_asm_err(a, "bad register '%s'", tok[1]);
	if (!bh_parse_num(tok[2], UINT64_MAX, INT64_MIN, UINT64_MAX, &v))
		return bh_asm_err(a, "bad immediate '%s'", tok[2]);
	in = bh_emit(a, 2);
	if (!in)
		return -ENOMEM;
	bh_encode(in, BH_OP_LDDW);
	in[0].dst_reg = dst;
	in[0].imm = (int32_t)(uint32_t)v;
	in[1].imm = (int32_t)(uint32_t)(v >> 32);
	return 0;
}

/* Operands by class: the form already fixed code and selector. */
static int bh_asm_operands(struct bh_asm *a, struct bh_insn *in, enum bh_op op,
			   char **tok, int ntok)
{
	const char *m = tok[0];
	int r;

	switch (BH_CLASS(in->code)) {
	case BH_ALU:
	case BH_ALU64:
		if (op == BH_OP_NEG64 || op == BH_OP_NEG32 ||
		    BH_OP(in->code) == 0xd0) {
			if (bh_need(a, m, ntok, 1))
				return -EINVAL;
		} else if (bh_need(a, m, ntok, 2)) {
			return -EINVAL;
		}
		if (!bh_parse_reg(tok[1], &r))
			return bh_asm_err(a, "bad register '%s'", tok[1]);
		in->dst_reg = r;
		if (ntok == 2)
			return 0;
		if (BH_SRC(in->code) == BH_X) {
			if (!bh_parse_reg(tok[2], &r))
				return bh_asm_err(a, "bad register '%s'",
						  tok[2]);
			in->src_reg = r;
		} else if (!bh_parse_imm32(tok[2], &in->imm)) {
			return bh_asm_err(a, "bad immediate '%s'", tok[2]);
		}
		return 0;
	case BH_LDX:
		if (bh_need(a, m, ntok, 2))
			return -EINVAL;
		if (!bh_parse_reg(tok[1], &r))
			return bh_asm_err(a, "bad register '%s'", tok[1]);
		in->dst_reg = r;
		if (!bh_parse_mem(tok[2], &r, &in->off))
			return bh_asm_err(a, "bad memory operand '%s'", tok[2]);
		in->src_reg = r;
		return 0;
	case BH_ST:
	case BH_STX:
		if (bh_need(a, m, ntok, 2))
			return -EINVAL;
		if (!bh_parse_mem(tok[1], &r, &in->off))
			return bh_asm_err(a, "bad memory operand '%s'", tok[1]);
		in->dst_reg = r;
		if (BH_CLASS(in->code) == BH_ST) {
			if (!bh_parse_imm32(tok[2], &in->imm))
				return bh_asm_err(a, "bad immediate '%s'",
						  tok[2]);
		} else {
			if (!bh_parse_reg(tok[2], &r))
				return bh_asm_err(a, "bad register '%s'",
						  tok[2]);
			in->src_reg = r;
		}
		return 0;
	default:
		break;
	}
	switch (op) {
	case BH_OP_EXIT:
		return bh_need(a, m, ntok, 0);
	case BH_OP_JA:
	case BH_OP_JA32:
		if (bh_need(a, m, ntok, 1))
			return -EINVAL;
		return bh_target(a, in, tok[1], op == BH_OP_JA32);
	default:
		break;
	}
	if (bh_need(a, m, ntok, 3))
		return -EINVAL;
	if (!bh_parse_reg(tok[1], &r))
		return bh_asm_err(a, "bad register '%s'", tok[1]);
	in->dst_reg = r;
	if (BH_SRC(in->code) == BH_X) {
		if (!bh_parse_reg(tok[2], &r))
			return bh_asm_err(a, "bad register '%s'", tok[2]);
		in->src_reg = r;
	} else if (!bh_parse_imm32(tok[2], &in->imm)) {
		return bh_asm_err(a, "bad immediate '%s'", tok[2]);
	}
	return bh_target(a, in, tok[3], false);
}

static int bh_asm_stmt(struct bh_asm *a, char **tok, int ntok)
{
	const char *m = tok[0];
	char name[48];
	struct bh_insn *in;
	enum bh_op op;

	if (!strcmp(m, "lock"))
		return bh_asm_lock(a, tok, ntok);
	if (!strcmp(m, "call"))
		return bh_asm_call(a, tok, ntok);
	if (!strcmp(m, "lddw"))
		return bh_asm_lddw(a, tok, ntok);
	op = BH_OP_INVALID;
	if (bh_form_name(m, ntok > 2 ? tok[2] : NULL, name, sizeof(name)))
		op = bh_form_by_name(name);
	/* call forms and pseudo names are not mnemonics */
	if (op == BH_OP_INVALID || op == BH_OP_LDDW || op == BH_OP_CALL ||
	    op == BH_OP_CALLX || op == BH_OP_CALL_LOCAL ||
	    op == BH_OP_CALL_KFUNC || strchr(m, '_') ||
	    (BH_CLASS(bh_op_table[op].code) == BH_STX &&
	     BH_MODE(bh_op_table[op].code) == BH_ATOMIC))
		return bh_asm_err(a, "unknown mnemonic '%s'", m);
	if (op == BH_OP_EXIT && a->first_exit == SIZE_MAX)
		a->first_exit = a->cnt;
	in = bh_emit(a, 1);
	if (!in)
		return -ENOMEM;
	bh_encode(in, op);
	return bh_asm_operands(a, in, op, tok, ntok);
}

static const struct bh_label *bh_find_label(const struct bh_asm *a,
					    const char *name)
{
	for (size_t i = 0; i < a->nlabels; i++)
		if (!strcmp(a->labels[i].name, name))
			return &a->labels[i];
	return NULL;
}

static int bh_asm_label(struct bh_asm *a, char *tok)
{
	tok[strlen(tok) - 1] = '\0';
	if (!*tok)
		return bh_asm_err(a, "empty label");
	if (bh_find_label(a, tok))
		return bh_asm_err(a, "duplicate label '%s'", tok);
	if (bh_grow((void **)&a->labels, &a->labels_cap, a->nlabels + 1,
		    sizeof(*a->labels)))
		return -ENOMEM;
	a->labels[a->nlabels++] = (struct bh_label){tok, a->cnt};
	return 0;
}

static int bh_asm_line(struct bh_asm *a, char *line)
{
	char *tok[BH_ASM_MAX_TOK + 1];
	int ntok = 0;
	char *p, *save = NULL;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	for (p = strtok_r(line, " \t\r\v\f", &save); p;
	     p = strtok_r(NULL, " \t\r\v\f", &save)) {
		size_t n = strlen(p);

		if (ntok == BH_ASM_MAX_TOK)
			return bh_asm_err(a, "too many operands");
		if (n > 1 && p[n - 1] == ',')
			p[n - 1] = '\0';
		tok[ntok++] = p;
	}
	if (!ntok)
		return 0;
	if (bh_has_suffix(tok[0], ":"))
		return bh_asm_label(a, tok[0]);
	return bh_asm_stmt(a, tok, ntok);
}

static int bh_asm_resolve(struct bh_asm *a)
{
	for (size_t i = 0; i < a->nfixups; i++) {
		const struct bh_fixup *f = &a->fixups[i];
		const struct bh_label *l = bh_find_label(a, f->name);
		struct bh_insn *in = &a->insns[f->slot];
		int64_t rel;
		size_t slot;

		a->line = f->line;
		if (l)
			slot = l->slot;
		else if (!strcmp(f->name, "exit") && a->first_exit != SIZE_MAX)
			slot = a->first_exit;
		else
			return bh_asm_err(a, "unknown label '%s'", f->name);
		rel = (int64_t)slot - (int64_t)(f->slot + 1);
		if (f->in_imm) {
			if (rel < INT32_MIN || rel > INT32_MAX)
				return bh_asm_err(a, "label '%s' out of reach",
						  f->name);
			in->imm = (int32_t)rel;
		} else {
			if (rel < INT16_MIN || rel > INT16_MAX)
				return bh_asm_err(a, "label '%s' out of reach",
						  f->name);
			in->off = (int16_t)rel;
		}
	}
	return 0;
}

int bh_assemble(const char *text, struct bh_insn **out, size_t *cnt, char *err,
		size_t errsz)
{
	struct bh_asm a = {.first_exit = SIZE_MAX, .err = err, .errsz = errsz};
	char *copy, *line, *next;
	int ret = 0;

	if (err && errsz)
		err[0] = '\0';
	*out = NULL;
	*cnt = 0;
	copy = strdup(text ? text : "");
	if (!copy)
		return -ENOMEM;
	/* labels and fixups point into copy, which lives until the end */
	for (line = copy; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		a.line++;
		ret = bh_asm_line(&a, line);
	}
	if (!ret)
		ret = bh_asm_resolve(&a);
	if (ret == -ENOMEM && err && errsz)
		snprintf(err, errsz, "line %d: out of memory", a.line);
	free(copy);
	free(a.labels);
	free(a.fixups);
	if (ret) {
		free(a.insns);
		return ret;
	}
	*out = a.insns;
	*cnt = a.cnt;
	return 0;
}
