// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of src/insn: the assembler against the conformance suite's own
 * bytecode, the decoder over the whole opcode table, the structural check
 * on crafted programs, and the disassembler's exact kernel-log text.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "harness.h"
#include "insn/insn.h"

#define INSN(c, d, s, o, i)               \
	((struct bh_insn){.code = (c),    \
			  .dst_reg = (d), \
			  .src_reg = (s), \
			  .off = (o),     \
			  .imm = (i)})
#define EXIT INSN(0x95, 0, 0, 0, 0)
#define MOV(d, i) INSN(0xb7, d, 0, 0, i)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- conformance files -------------------------------------------------- */

/*
 * The "-- asm" section of a .data file, cleaned as README §1 says: '\r'
 * and '#' comments removed, sections found by substring.  Returns the
 * malloc'ed text, NULL if there is none.
 */
static char *conformance_asm(const char *data)
{
	size_t len = strlen(data);
	char *out = malloc(len + 1), *o = out;
	const char *p = data;
	bool in_asm = false;

	if (!out)
		return NULL;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char line[1024];

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p += eol ? (size_t)(eol - p) + 1 : n;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (strstr(line, "--")) {
			in_asm = strstr(line, "asm") != NULL;
			continue;
		}
		if (in_asm) {
			o += sprintf(o, "%s\n", line);
		}
	}
	*o = '\0';
	return out;
}

/* Slots as the index writes them: 16 hex digits per slot, memory order. */
static void insns_hex(const struct bh_insn *insns, size_t cnt, char *buf,
		      size_t sz)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cnt && o + 18 < sz; i++) {
		const uint8_t *b = (const uint8_t *)&insns[i];

		if (i)
			buf[o++] = ' ';
		for (int k = 0; k < 8; k++)
			o += sprintf(buf + o, "%02x", b[k]);
	}
}

struct tsv_row {
	char *file, *min_cpu, *groups, *bytecode;
};

/* Split one tab-separated line in place; the columns are README §0. */
static bool tsv_split(char *line, struct tsv_row *r)
{
	char *col[7];
	int n = 0;

	for (char *p = line; n < 7; n++) {
		col[n] = p;
		p = strchr(p, '\t');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n != 7)
		return false;
	r->file = col[0];
	r->min_cpu = col[1];
	r->groups = col[2];
	r->bytecode = col[6];
	return true;
}

/* Runs fn on every row of test-index.tsv; returns the row count. */
static int for_each_conformance(void (*fn)(const struct tsv_row *r,
					   const struct bh_insn *insns,
					   size_t cnt, const char *err))
{
	char path[4096];
	char *tsv, *line, *next;
	int rows = 0;

	snprintf(path, sizeof(path), "%s/bpf_conformance/test-index.tsv",
		 th_shared_dir());
	tsv = th_read_file(path, NULL);
	if (!tsv)
		return -1;
	line = strchr(tsv, '\n'); /* skip the header */
	for (line = line ? line + 1 : NULL; line && *line; line = next) {
		struct tsv_row r;
		struct bh_insn *insns = NULL;
		size_t cnt = 0;
		char err[256] = "";
		char *data, *text;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!tsv_split(line, &r))
			continue;
		rows++;
		snprintf(path, sizeof(path), "%s/bpf_conformance/tests/%s",
			 th_shared_dir(), r.file);
		data = th_read_file(path, NULL);
		text = data ? conformance_asm(data) : NULL;
		if (!text)
			snprintf(err, sizeof(err), "cannot read %.200s", path);
		else if (bh_assemble(text, &insns, &cnt, err, sizeof(err)))
			cnt = 0;
		fn(&r, insns, cnt, err[0] ? err : NULL);
		free(insns);
		free(text);
		free(data);
	}
	free(tsv);
	return rows;
}

static void case_bytecode(const struct tsv_row *r, const struct bh_insn *insns,
			  size_t cnt, const char *err)
{
	static char got[1 << 16];
	char name[300];

	snprintf(name, sizeof(name), "asm/%s", r->file);
	if (err) {
		th_case(name, 0, "%s", err);
		return;
	}
	insns_hex(insns, cnt, got, sizeof(got));
	th_case(name, !strcmp(got, r->bytecode), "got %s want %s", got,
		r->bytecode);
}

TEST(conformance_assemble)
{
	int rows = for_each_conformance(case_bytecode);

	CHECK_MSG(rows == 313, "test-index.tsv rows: %d", rows);
}

static int profile_bad, check_bad, disasm_bad;

static void groups_text(uint32_t g, char *buf, size_t sz)
{
	static const char *const names[] = {"base32",	"base64",   "divmul32",
					    "divmul64", "atomic32", "atomic64",
					    "callx",	"packet"};
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < 8; i++)
		if (g & (1u << i))
			o += snprintf(buf + o, sz - o, "%s%s", o ? "," : "",
				      names[i]);
}

static void case_profile(const struct tsv_row *r, const struct bh_insn *insns,
			 size_t cnt, const char *err)
{
	char want_cpu[8], groups[128];
	int cpu;
	uint32_t g;

	if (err)
		return;
	bh_insns_profile(insns, cnt, &cpu, &g);
	snprintf(want_cpu, sizeof(want_cpu), "v%d", cpu);
	groups_text(g, groups, sizeof(groups));
	if (strcmp(want_cpu, r->min_cpu) || strcmp(groups, r->groups)) {
		if (profile_bad++ < 5)
			printf("  %s: profile %s %s, index %s %s\n", r->file,
			       want_cpu, groups, r->min_cpu, r->groups);
	}
}

TEST(conformance_profile)
{
	profile_bad = 0;
	for_each_conformance(case_profile);
	CHECK_EQ(profile_bad, 0);
}

static void case_check_disasm(const struct tsv_row *r,
			      const struct bh_insn *insns, size_t cnt,
			      const char *err)
{
	char msg[256], text[128];

	if (err)
		return;
	if (bh_insns_check(insns, cnt, msg, sizeof(msg))) {
		if (check_bad++ < 5)
			printf("  %s: check: %s\n", r->file, msg);
	}
	for (size_t i = 0; i < cnt;) {
		int n = bh_disasm(insns, cnt, i, text, sizeof(text));

		if (strstr(text, "unknown") || n < 1) {
			if (disasm_bad++ < 5)
				printf("  %s: insn %zu: %s\n", r->file, i,
				       text);
		}
		i += n < 1 ? 1 : (size_t)n;
	}
}

TEST(conformance_check_and_disasm)
{
	check_bad = disasm_bad = 0;
	for_each_conformance(case_check_disasm);
	CHECK_EQ(check_bad, 0);
	CHECK_EQ(disasm_bad, 0);
}

/* ---- decoder ------------------------------------------------------------ */

static struct bh_insn form_insn(enum bh_op op)
{
	const struct bh_op_info *f = &bh_op_table[op];
	struct bh_insn in = INSN(f->code, 0, 0, 0, 0);

	if (f->sel == BH_SEL_OFF)
		in.off = (int16_t)f->selval;
	else if (f->sel == BH_SEL_IMM)
		in.imm = f->selval;
	else if (f->sel == BH_SEL_SRC)
		in.src_reg = f->selval;
	return in;
}

TEST(op_of_every_form)
{
	for (int i = 0; i < BH_OP__COUNT; i++) {
		struct bh_insn in = form_insn((enum bh_op)i);

		CHECK_MSG(bh_op_of(&in) == (enum bh_op)i, "%s decodes as %d",
			  bh_op_table[i].name, (int)bh_op_of(&in));
		/* fields that are not the selector do not change the form */
		in.dst_reg = 3;
		if (bh_op_table[i].sel != BH_SEL_OFF)
			in.off = -5;
		if (bh_op_table[i].sel != BH_SEL_SRC)
			in.src_reg = 4;
		if (bh_op_table[i].sel != BH_SEL_IMM)
			in.imm = 0x12345;
		CHECK_MSG(bh_op_of(&in) == (enum bh_op)i, "%s with operands",
			  bh_op_table[i].name);
		CHECK(bh_op_table[i].cpu >= 1 && bh_op_table[i].cpu <= 4);
		CHECK(bh_op_table[i].group &&
		      !(bh_op_table[i].group & (bh_op_table[i].group - 1)));
	}
}

TEST(op_table_selectors_uniform)
{
	/* the decoder keeps one selector kind per code byte */
	for (int i = 0; i < BH_OP__COUNT; i++)
		for (int j = 0; j < BH_OP__COUNT; j++)
			if (bh_op_table[i].code == bh_op_table[j].code)
				CHECK_MSG(bh_op_table[i].sel ==
						  bh_op_table[j].sel,
					  "%s vs %s", bh_op_table[i].name,
					  bh_op_table[j].name);
}

TEST(op_of_invalid)
{
	static const struct bh_insn bad[] = {
		INSN(0x00, 0, 0, 0, 0), /* ld_imm64 second slot */
		INSN(0xff, 0, 0, 0, 0),
		INSN(0x8f, 0, 0, 0, 0),
		INSN(0x20, 0, 0, 0, 0),	 /* LD_ABS: no form */
		INSN(0x99, 0, 0, 0, 0),	 /* ldxsdw */
		INSN(0xdf, 0, 0, 0, 64), /* ALU64 END TO_BE */
		INSN(0x37, 0, 0, 2, 1),	 /* div off 2 */
		INSN(0x3c, 0, 1, -1, 0),
		INSN(0xbf, 0, 1, 1, 1),
		INSN(0xbc, 0, 1, 32, 0), /* movsx32 on 32-bit */
		INSN(0xbf, 0, 1, 9, 0),
		INSN(0xd4, 0, 0, 0, 8),
		INSN(0xd4, 0, 0, 0, 0x110), /* same slot as 16 */
		INSN(0xd7, 0, 0, 0, 0),
		INSN(0xc3, 0, 1, 0, 0x02),
		INSN(0xdb, 0, 1, 0, 0x100), /* load_acquire */
		INSN(0xdb, 0, 1, 0, 0xe0),
		INSN(0xdb, 0, 1, 0, 0xf0),
		INSN(0x85, 0, 3, 0, 1),
		INSN(0x85, 0, 15, 0, 1),
		INSN(0x07, 0, 0, 0, 0) /* sentinel: valid */,
	};

	for (size_t i = 0; i + 1 < ARRAY_LEN(bad); i++)
		CHECK_MSG(bh_op_of(&bad[i]) == BH_OP_INVALID,
			  "code %02x off %d imm %d src %d decodes as %s",
			  bad[i].code, bad[i].off, bad[i].imm, bad[i].src_reg,
			  bh_op_table[bh_op_of(&bad[i])].name);
	CHECK_EQ(bh_op_of(&bad[ARRAY_LEN(bad) - 1]), BH_OP_ADD64_K);
	/* every code byte without a form is invalid */
	for (int code = 0; code < 256; code++) {
		bool known = false;
		struct bh_insn in = INSN(code, 0, 0, 0, 0);

		for (int i = 0; i < BH_OP__COUNT; i++)
			known |= bh_op_table[i].code == code;
		if (!known)
			CHECK_MSG(bh_op_of(&in) == BH_OP_INVALID, "code %02x",
				  code);
	}
}

TEST(profile)
{
	struct bh_insn p[] = {
		INSN(0xbf, 1, 2, 8, 0), /* movsx: v4 */
		INSN(0xc3, 1, 2, 0, 0), /* atomic32 */
		INSN(0x18, 1, 0, 0, 1), INSN(0x00, 0, 0, 0, 0x3f), EXIT,
	};
	int cpu = 0;
	uint32_t g = 0;

	bh_insns_profile(p, ARRAY_LEN(p), &cpu, &g);
	CHECK_EQ(cpu, 4);
	CHECK_EQ(g, BH_GRP_BASE64 | BH_GRP_ATOMIC32 | BH_GRP_BASE32);
	bh_insns_profile(p, 0, &cpu, &g);
	CHECK_EQ(cpu, 1);
	CHECK_EQ(g, 0);
}

/* ---- structural check --------------------------------------------------- */

struct check_case {
	const char *name;
	struct bh_insn insns[6];
	size_t cnt;
	const char *msg; /* NULL: accepted */
};

static const struct check_case check_cases[] = {
	{"minimal", {MOV(0, 0), EXIT}, 2, NULL},
	{"ldimm64 ok",
	 {INSN(0x18, 1, 0, 0, 1), INSN(0, 0, 0, 0, 2), EXIT},
	 3,
	 NULL},
	{"ldimm64 pseudo map value",
	 {INSN(0x18, 1, 2, 0, 0), INSN(0, 0, 0, 0, 16), EXIT},
	 3,
	 NULL},
	{"jump over ldimm64",
	 {INSN(0x05, 0, 0, 2, 0), INSN(0x18, 1, 0, 0, 1), INSN(0, 0, 0, 0, 2),
	  EXIT},
	 4,
	 NULL},
	{"backward jump to 0", {MOV(0, 0), INSN(0x05, 0, 0, -2, 0)}, 2, NULL},
	{"local call",
	 {INSN(0x85, 0, 1, 0, 1), EXIT, MOV(0, 1), EXIT},
	 4,
	 NULL},
	{"kfunc call with btf fd idx",
	 {INSN(0x85, 0, 2, 3, 1234), EXIT},
	 2,
	 NULL},
	{"gotol", {INSN(0x06, 0, 0, 0, 1), EXIT, EXIT}, 3, NULL},
	{"callx", {INSN(0x8d, 2, 0, 0, 0), EXIT}, 2, NULL},
	{"may_goto", {INSN(0xe5, 0, 0, 1, 0), MOV(0, 0), EXIT}, 3, NULL},
	{"sdiv", {INSN(0x3f, 0, 1, 1, 0), EXIT}, 2, NULL},
	{"empty", {EXIT}, 0, "insn 0: empty program"},
	{"jump out of range forward",
	 {INSN(0x15, 1, 0, 5, 0), EXIT},
	 2,
	 "jump out of range from insn 0 to 6"},
	{"jump out of range backward",
	 {MOV(0, 0), INSN(0x05, 0, 0, -3, 0)},
	 2,
	 "jump out of range from insn 1 to -1"},
	{"jump to end",
	 {INSN(0x1d, 1, 2, 1, 0), EXIT},
	 2,
	 "jump out of range from insn 0 to 2"},
	{"gotol out of range",
	 {INSN(0x06, 0, 0, 0, 0x7fffffff), EXIT},
	 2,
	 "jump out of range from insn 0 to 2147483648"},
	{"jump into ldimm64",
	 {INSN(0x05, 0, 0, 1, 0), INSN(0x18, 1, 0, 0, 1), INSN(0, 0, 0, 0, 2),
	  EXIT},
	 4,
	 "insn 0: jump into the middle of ldimm64 insn 1"},
	{"may_goto into ldimm64",
	 {INSN(0x18, 1, 0, 0, 1), INSN(0, 0, 0, 0, 2), INSN(0xe5, 0, 0, -2, 0),
	  EXIT},
	 4,
	 "insn 2: jump into the middle of ldimm64 insn 0"},
	{"local call with off",
	 {INSN(0x85, 0, 1, 1, 1), EXIT, INSN(0x18, 1, 0, 0, 1),
	  INSN(0, 0, 0, 0, 2), EXIT},
	 5,
	 "insn 0: BPF_CALL uses reserved fields"},
	{"local call target into ldimm64",
	 {INSN(0x85, 0, 1, 0, 2), EXIT, INSN(0x18, 1, 0, 0, 1),
	  INSN(0, 0, 0, 0, 2), EXIT},
	 5,
	 "insn 0: jump into the middle of ldimm64 insn 2"},
	{"local call out of range",
	 {INSN(0x85, 0, 1, 0, 5), EXIT},
	 2,
	 "insn 0: call to invalid destination"},
	{"subprog address out of range",
	 {INSN(0x18, 1, 4, 0, -4), INSN(0, 0, 0, 0, 0), EXIT},
	 3,
	 "insn 0: call to invalid destination"},
	{"bad dst register",
	 {MOV(0, 0), INSN(0xb7, 11, 0, 0, 0), EXIT},
	 3,
	 "insn 1: R11 is invalid"},
	{"bad src register",
	 {INSN(0x0f, 1, 12, 0, 0), EXIT},
	 2,
	 "insn 0: R12 is invalid"},
	{"truncated ldimm64",
	 {MOV(0, 0), INSN(0x18, 1, 0, 0, 1)},
	 2,
	 "insn 1: invalid bpf_ld_imm64 insn"},
	{"ldimm64 second slot not zero",
	 {INSN(0x18, 1, 0, 0, 1), INSN(0x07, 0, 0, 0, 2), EXIT},
	 3,
	 "insn 0: invalid bpf_ld_imm64 insn"},
	{"ldimm64 off",
	 {INSN(0x18, 1, 0, 3, 1), INSN(0, 0, 0, 0, 2), EXIT},
	 3,
	 "insn 0: BPF_LD_IMM64 uses reserved fields"},
	{"bad src on lddw",
	 {INSN(0x18, 1, 7, 0, 1), INSN(0, 0, 0, 0, 2), EXIT},
	 3,
	 "insn 0: unrecognized bpf_ld_imm64 insn"},
	{"map fd with second imm",
	 {INSN(0x18, 1, 1, 0, 1), INSN(0, 0, 0, 0, 2), EXIT},
	 3,
	 "insn 0: unrecognized bpf_ld_imm64 insn"},
	{"lone second slot",
	 {INSN(0x00, 0, 0, 0, 0), EXIT},
	 2,
	 "insn 0: invalid BPF_LD_IMM insn"},
	{"unknown opcode",
	 {INSN(0x8f, 0, 0, 0, 0), EXIT},
	 2,
	 "insn 0: unknown opcode 8f"},
	{"alu K with src",
	 {INSN(0x07, 1, 2, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_ALU uses reserved fields"},
	{"alu X with imm",
	 {INSN(0x0f, 1, 2, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_ALU uses reserved fields"},
	{"add with off",
	 {INSN(0x07, 1, 0, 1, 1), EXIT},
	 2,
	 "insn 0: BPF_ALU uses reserved fields"},
	{"div off 2",
	 {INSN(0x37, 1, 0, 2, 1), EXIT},
	 2,
	 "insn 0: BPF_ALU uses reserved fields"},
	{"mov32 off 32",
	 {INSN(0xbc, 1, 2, 32, 0), EXIT},
	 2,
	 "insn 0: BPF_MOV uses reserved fields"},
	{"mov K with off",
	 {INSN(0xb7, 1, 0, 8, 0), EXIT},
	 2,
	 "insn 0: BPF_MOV uses reserved fields"},
	{"neg with imm",
	 {INSN(0x87, 1, 0, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_NEG uses reserved fields"},
	{"end imm 8",
	 {INSN(0xdc, 1, 0, 0, 8), EXIT},
	 2,
	 "insn 0: BPF_END uses reserved fields"},
	{"atomic bad op",
	 {INSN(0xdb, 1, 2, 0, 0x02), EXIT},
	 2,
	 "insn 0: BPF_ATOMIC uses invalid atomic opcode 02"},
	{"ldx with imm",
	 {INSN(0x79, 1, 2, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_LDX uses reserved fields"},
	{"st with src",
	 {INSN(0x7a, 1, 2, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_ST uses reserved fields"},
	{"stx with imm",
	 {INSN(0x7b, 1, 2, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_STX uses reserved fields"},
	{"ja with imm",
	 {INSN(0x05, 0, 0, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_JA uses reserved fields"},
	{"gotol with off",
	 {INSN(0x06, 0, 0, 1, 0), EXIT},
	 2,
	 "insn 0: BPF_JA uses reserved fields"},
	{"exit with dst",
	 {INSN(0x95, 1, 0, 0, 0)},
	 1,
	 "insn 0: BPF_EXIT uses reserved fields"},
	{"call src 3",
	 {INSN(0x85, 0, 3, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_CALL uses reserved fields"},
	{"helper call with off",
	 {INSN(0x85, 0, 0, 1, 1), EXIT},
	 2,
	 "insn 0: BPF_CALL uses reserved fields"},
	{"jmp K with src",
	 {INSN(0x15, 1, 2, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_JMP/JMP32 uses reserved fields"},
	{"jmp32 X with imm",
	 {INSN(0x1e, 1, 2, 0, 1), EXIT},
	 2,
	 "insn 0: BPF_JMP/JMP32 uses reserved fields"},
	{"may_goto with imm",
	 {INSN(0xe5, 0, 0, 0, 7), EXIT},
	 2,
	 "insn 0: invalid may_goto imm 7"},
	{"falls off the end",
	 {MOV(0, 0)},
	 1,
	 "insn 0: last insn is not an exit or jmp"},
	{"ends in a call",
	 {INSN(0x85, 0, 0, 0, 5)},
	 1,
	 "insn 0: last insn is not an exit or jmp"},
	{"ends in a conditional jump",
	 {MOV(0, 0), INSN(0x15, 0, 0, -2, 0)},
	 2,
	 "insn 1: last insn is not an exit or jmp"},
	{"ends in ldimm64",
	 {INSN(0x18, 1, 0, 0, 1), INSN(0, 0, 0, 0, 2)},
	 2,
	 "insn 1: last insn is not an exit or jmp"},
};

TEST(check_crafted)
{
	for (size_t i = 0; i < ARRAY_LEN(check_cases); i++) {
		const struct check_case *c = &check_cases[i];
		char err[128] = "x";
		int ret = bh_insns_check(c->insns, c->cnt, err, sizeof(err));

		if (!c->msg) {
			CHECK_MSG(ret == 0, "%s: rejected: %s", c->name, err);
			CHECK_STR(err, "");
		} else {
			CHECK_MSG(ret == -22, "%s: accepted", c->name);
			CHECK_MSG(!strcmp(err, c->msg), "%s: \"%s\" != \"%s\"",
				  c->name, err, c->msg);
		}
	}
}

TEST(check_at_bare_message)
{
	struct bh_insn p[] = {MOV(0, 0), INSN(0x07, 1, 2, 0, 1), EXIT};
	size_t bad = 99;
	char err[64];

	CHECK_EQ(bh_insns_check_at(p, 3, &bad, err, sizeof(err)), -22);
	CHECK_EQ(bad, 1);
	CHECK_STR(err, "BPF_ALU uses reserved fields");
	/* a small buffer truncates, never overflows */
	CHECK_EQ(bh_insns_check(p, 3, err, 8), -22);
	CHECK_STR(err, "insn 1:");
	CHECK_EQ(bh_insns_check(p, 3, NULL, 0), -22);
}

/*
 * Every single-slot program of one instruction plus exit, for every code
 * byte and a spread of field values: an accepted program never branches
 * outside itself.  This is the promise the interpreter leans on.
 */
TEST(check_never_admits_escape)
{
	static const int16_t offs[] = {-3, -2, -1, 0, 1, 2, 8};
	static const int32_t imms[] = {-2, -1, 0, 1, 2, 16, 0xf1};
	struct bh_insn p[3];
	long accepted = 0;

	for (int code = 0; code < 256; code++)
		for (int src = 0; src < 16; src += 5)
			for (size_t o = 0; o < ARRAY_LEN(offs); o++)
				for (size_t m = 0; m < ARRAY_LEN(imms); m++) {
					p[0] = INSN(code, 1, src, offs[o],
						    imms[m]);
					p[1] = code == 0x18
						       ? INSN(0, 0, 0, 0, 0)
						       : EXIT;
					p[2] = EXIT;
					if (bh_insns_check(p, 3, NULL, 0))
						continue;
					accepted++;
					if (bh_op_of(&p[0]) == BH_OP_JA32 ||
					    bh_op_of(&p[0]) ==
						    BH_OP_CALL_LOCAL) {
						CHECK(imms[m] >= -1 &&
						      imms[m] <= 1);
					} else if (BH_CLASS(code) == BH_JMP ||
						   BH_CLASS(code) == BH_JMP32) {
						CHECK(offs[o] >= -1 &&
						      offs[o] <= 1);
					}
				}
	CHECK(accepted > 100);
}

/* ---- disassembler ------------------------------------------------------- */

struct dis_case {
	struct bh_insn insn[2];
	const char *text;
};

static const struct dis_case dis_cases[] = {
	/* ALU64 / ALU, K and X */
	{{MOV(0, 1)}, "r0 = 1"},
	{{INSN(0xb4, 0, 0, 0, 1)}, "w0 = 1"},
	{{INSN(0xb7, 3, 0, 0, -5)}, "r3 = -5"},
	{{INSN(0x0f, 1, 2, 0, 0)}, "r1 += r2"},
	{{INSN(0x07, 1, 0, 0, -8)}, "r1 += -8"},
	{{INSN(0x1c, 1, 2, 0, 0)}, "w1 -= w2"},
	{{INSN(0x27, 1, 0, 0, 3)}, "r1 *= 3"},
	{{INSN(0x3f, 1, 2, 0, 0)}, "r1 /= r2"},
	{{INSN(0x3c, 1, 2, 1, 0)}, "w1 s/= w2"},
	{{INSN(0x37, 1, 0, 1, -3)}, "r1 s/= -3"},
	{{INSN(0x97, 1, 0, 0, 7)}, "r1 %= 7"},
	{{INSN(0x9f, 1, 2, 1, 0)}, "r1 s%= r2"},
	{{INSN(0x94, 1, 0, 1, 7)}, "w1 s%= 7"},
	{{INSN(0x4f, 1, 2, 0, 0)}, "r1 |= r2"},
	{{INSN(0x54, 1, 0, 0, 255)}, "w1 &= 255"},
	{{INSN(0x67, 1, 0, 0, 32)}, "r1 <<= 32"},
	{{INSN(0x7c, 1, 2, 0, 0)}, "w1 >>= w2"},
	{{INSN(0xc7, 1, 0, 0, 3)}, "r1 s>>= 3"},
	{{INSN(0xcc, 1, 2, 0, 0)}, "w1 s>>= w2"},
	{{INSN(0xaf, 1, 2, 0, 0)}, "r1 ^= r2"},
	{{INSN(0x87, 1, 0, 0, 0)}, "r1 = -r1"},
	{{INSN(0x84, 4, 0, 0, 0)}, "w4 = -w4"},
	{{INSN(0xbf, 1, 10, 0, 0)}, "r1 = r10"},
	{{INSN(0xbc, 1, 2, 0, 0)}, "w1 = w2"},
	{{INSN(0xbf, 1, 2, 8, 0)}, "r1 = (s8)r2"},
	{{INSN(0xbf, 1, 2, 16, 0)}, "r1 = (s16)r2"},
	{{INSN(0xbf, 1, 2, 32, 0)}, "r1 = (s32)r2"},
	{{INSN(0xbc, 1, 2, 8, 0)}, "w1 = (s8)w2"},
	{{INSN(0xbc, 1, 2, 16, 0)}, "w1 = (s16)w2"},
	{{INSN(0xdc, 0, 0, 0, 16)}, "r0 = be16 r0"},
	{{INSN(0xdc, 2, 0, 0, 64)}, "r2 = be64 r2"},
	{{INSN(0xd4, 0, 0, 0, 32)}, "r0 = le32 r0"},
	{{INSN(0xd7, 0, 0, 0, 64)}, "r0 = bswap64 r0"},
	{{INSN(0xd7, 5, 0, 0, 16)}, "r5 = bswap16 r5"},
	/* memory */
	{{INSN(0x79, 1, 10, -8, 0)}, "r1 = *(u64 *)(r10 -8)"},
	{{INSN(0x61, 0, 1, 4, 0)}, "r0 = *(u32 *)(r1 +4)"},
	{{INSN(0x69, 0, 1, 0, 0)}, "r0 = *(u16 *)(r1 +0)"},
	{{INSN(0x71, 0, 1, 0, 0)}, "r0 = *(u8 *)(r1 +0)"},
	{{INSN(0x91, 1, 2, 0, 0)}, "r1 = *(s8 *)(r2 +0)"},
	{{INSN(0x89, 1, 2, 2, 0)}, "r1 = *(s16 *)(r2 +2)"},
	{{INSN(0x81, 1, 2, -4, 0)}, "r1 = *(s32 *)(r2 -4)"},
	{{INSN(0x62, 1, 0, 4, 7)}, "*(u32 *)(r1 +4) = 7"},
	{{INSN(0x7a, 10, 0, -16, -1)}, "*(u64 *)(r10 -16) = -1"},
	{{INSN(0x72, 1, 0, 0, 1)}, "*(u8 *)(r1 +0) = 1"},
	{{INSN(0x6a, 1, 0, 2, 1)}, "*(u16 *)(r1 +2) = 1"},
	{{INSN(0x7b, 10, 1, -8, 0)}, "*(u64 *)(r10 -8) = r1"},
	{{INSN(0x63, 1, 2, 0, 0)}, "*(u32 *)(r1 +0) = r2"},
	{{INSN(0x73, 1, 2, 0, 0)}, "*(u8 *)(r1 +0) = r2"},
	{{INSN(0x6b, 1, 2, 0, 0)}, "*(u16 *)(r1 +0) = r2"},
	/* atomics */
	{{INSN(0xdb, 1, 2, 0, 0x00)}, "lock *(u64 *)(r1 +0) += r2"},
	{{INSN(0xc3, 1, 2, 8, 0x40)}, "lock *(u32 *)(r1 +8) |= r2"},
	{{INSN(0xdb, 1, 2, 0, 0x50)}, "lock *(u64 *)(r1 +0) &= r2"},
	{{INSN(0xc3, 1, 2, -4, 0xa0)}, "lock *(u32 *)(r1 -4) ^= r2"},
	{{INSN(0xdb, 1, 2, 0, 0x01)},
	 "r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)"},
	{{INSN(0xc3, 1, 2, 0, 0x01)},
	 "r2 = atomic_fetch_add((u32 *)(r1 +0), r2)"},
	{{INSN(0xdb, 1, 3, 0, 0x41)},
	 "r3 = atomic64_fetch_or((u64 *)(r1 +0), r3)"},
	{{INSN(0xc3, 1, 3, 0, 0x51)},
	 "r3 = atomic_fetch_and((u32 *)(r1 +0), r3)"},
	{{INSN(0xdb, 1, 3, 0, 0xa1)},
	 "r3 = atomic64_fetch_xor((u64 *)(r1 +0), r3)"},
	{{INSN(0xdb, 1, 2, 0, 0xe1)}, "r2 = atomic64_xchg((u64 *)(r1 +0), r2)"},
	{{INSN(0xc3, 1, 2, 0, 0xe1)}, "r2 = atomic_xchg((u32 *)(r1 +0), r2)"},
	{{INSN(0xdb, 1, 2, 0, 0xf1)},
	 "r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)"},
	{{INSN(0xc3, 1, 2, 0, 0xf1)},
	 "r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)"},
	/* ld_imm64 */
	{{INSN(0x18, 1, 0, 0, 0x1234), INSN(0, 0, 0, 0, 0)}, "r1 = 0x1234"},
	{{INSN(0x18, 1, 0, 0, -1), INSN(0, 0, 0, 0, -1)},
	 "r1 = 0xffffffffffffffff"},
	{{INSN(0x18, 2, 0, 0, 0), INSN(0, 0, 0, 0, 1)}, "r2 = 0x100000000"},
	{{INSN(0x18, 1, 1, 0, 3), INSN(0, 0, 0, 0, 0)}, "r1 = map[idx:3]"},
	{{INSN(0x18, 1, 5, 0, 3), INSN(0, 0, 0, 0, 0)}, "r1 = map[idx:3]"},
	{{INSN(0x18, 1, 2, 0, 0), INSN(0, 0, 0, 0, 16)},
	 "r1 = map[idx:0][0]+16"},
	{{INSN(0x18, 1, 6, 0, 2), INSN(0, 0, 0, 0, 4)}, "r1 = map[idx:2][0]+4"},
	{{INSN(0x18, 1, 4, 0, 5), INSN(0, 0, 0, 0, 0)}, "r1 = subprog[+5]"},
	{{INSN(0x18, 1, 3, 0, 77), INSN(0, 0, 0, 0, 0)}, "r1 = 0x4d"},
	/* jumps and calls */
	{{INSN(0x25, 1, 0, 3, 0x10)}, "if r1 > 0x10 goto pc+3"},
	{{INSN(0x5e, 1, 2, -4, 0)}, "if w1 != w2 goto pc-4"},
	{{INSN(0x15, 1, 0, 0, -1)}, "if r1 == 0xffffffff goto pc+0"},
	{{INSN(0x1d, 1, 2, 1, 0)}, "if r1 == r2 goto pc+1"},
	{{INSN(0x35, 1, 0, 1, 2)}, "if r1 >= 0x2 goto pc+1"},
	{{INSN(0x45, 1, 0, 1, 2)}, "if r1 & 0x2 goto pc+1"},
	{{INSN(0x65, 1, 0, 1, 2)}, "if r1 s> 0x2 goto pc+1"},
	{{INSN(0x7d, 1, 2, 1, 0)}, "if r1 s>= r2 goto pc+1"},
	{{INSN(0xa5, 1, 0, 1, 2)}, "if r1 < 0x2 goto pc+1"},
	{{INSN(0xbd, 1, 2, 1, 0)}, "if r1 <= r2 goto pc+1"},
	{{INSN(0xc6, 1, 0, 1, 2)}, "if w1 s< 0x2 goto pc+1"},
	{{INSN(0xde, 1, 2, 1, 0)}, "if w1 s<= w2 goto pc+1"},
	{{INSN(0x05, 0, 0, 2, 0)}, "goto pc+2"},
	{{INSN(0x05, 0, 0, -1, 0)}, "goto pc-1"},
	{{INSN(0x06, 0, 0, 0, 70000)}, "gotol pc+70000"},
	{{INSN(0xe5, 0, 0, 3, 0)}, "may_goto pc+3"},
	{{INSN(0x85, 0, 1, 0, 5)}, "call pc+5"},
	{{INSN(0x85, 0, 1, 0, -7)}, "call pc-7"},
	{{INSN(0x85, 0, 0, 0, 1)}, "call bpf_map_lookup_elem#1"},
	{{INSN(0x85, 0, 0, 0, 5)}, "call bpf_ktime_get_ns#5"},
	{{INSN(0x85, 0, 0, 0, 14)}, "call bpf_get_current_pid_tgid#14"},
	{{INSN(0x85, 0, 0, 0, 35)}, "call bpf_get_current_task#35"},
	{{INSN(0x85, 0, 0, 0, 113)}, "call bpf_probe_read_kernel#113"},
	{{INSN(0x85, 0, 0, 0, 130)}, "call bpf_ringbuf_output#130"},
	{{INSN(0x85, 0, 0, 0, 158)}, "call bpf_get_current_task_btf#158"},
	{{INSN(0x85, 0, 0, 0, 181)}, "call bpf_loop#181"},
	{{INSN(0x85, 0, 0, 0, 100000)}, "call unknown#100000"},
	{{INSN(0x85, 0, 0, 0, 0)}, "call unknown#0"},
	{{INSN(0x85, 0, 2, 0, 4242)}, "call kernel-function#4242"},
	{{INSN(0x8d, 2, 0, 0, 0)}, "callx r2"},
	{{EXIT}, "exit"},
	/* the remaining families, one line each */
	{{INSN(0x17, 1, 0, 0, 1)}, "r1 -= 1"},
	{{INSN(0x5f, 1, 2, 0, 0)}, "r1 &= r2"},
	{{INSN(0x77, 1, 0, 0, 4)}, "r1 >>= 4"},
	{{INSN(0x0c, 1, 2, 0, 0)}, "w1 += w2"},
	{{INSN(0x24, 1, 0, 0, -2)}, "w1 *= -2"},
	{{INSN(0x44, 1, 0, 0, 8)}, "w1 |= 8"},
	{{INSN(0x6c, 1, 2, 0, 0)}, "w1 <<= w2"},
	{{INSN(0xa4, 1, 0, 0, -1)}, "w1 ^= -1"},
	{{INSN(0xc3, 1, 2, 0, 0x00)}, "lock *(u32 *)(r1 +0) += r2"},
	{{INSN(0xc3, 1, 2, 0, 0x50)}, "lock *(u32 *)(r1 +0) &= r2"},
	{{INSN(0xc3, 1, 2, 0, 0x41)},
	 "r2 = atomic_fetch_or((u32 *)(r1 +0), r2)"},
	{{INSN(0xc3, 1, 2, 0, 0xa1)},
	 "r2 = atomic_fetch_xor((u32 *)(r1 +0), r2)"},
	{{INSN(0xdb, 1, 2, 0, 0x40)}, "lock *(u64 *)(r1 +0) |= r2"},
	{{INSN(0xdb, 1, 2, 0, 0xa0)}, "lock *(u64 *)(r1 +0) ^= r2"},
	{{INSN(0xdb, 1, 2, 0, 0x51)},
	 "r2 = atomic64_fetch_and((u64 *)(r1 +0), r2)"},
	{{INSN(0x55, 1, 0, 2, 0)}, "if r1 != 0x0 goto pc+2"},
	{{INSN(0xcd, 1, 2, 2, 0)}, "if r1 s< r2 goto pc+2"},
	{{INSN(0xd5, 1, 0, 2, -7)}, "if r1 s<= 0xfffffff9 goto pc+2"},
	{{INSN(0x16, 1, 0, 2, 1)}, "if w1 == 0x1 goto pc+2"},
	{{INSN(0x2e, 1, 2, 2, 0)}, "if w1 > w2 goto pc+2"},
	{{INSN(0x36, 1, 0, 2, 1)}, "if w1 >= 0x1 goto pc+2"},
	{{INSN(0x4e, 1, 2, 2, 0)}, "if w1 & w2 goto pc+2"},
	{{INSN(0x66, 1, 0, 2, 1)}, "if w1 s> 0x1 goto pc+2"},
	{{INSN(0x7e, 1, 2, 2, 0)}, "if w1 s>= w2 goto pc+2"},
	{{INSN(0xa6, 1, 0, 2, 1)}, "if w1 < 0x1 goto pc+2"},
	{{INSN(0xbe, 1, 2, -2, 0)}, "if w1 <= w2 goto pc-2"},
	/* not forms */
	{{INSN(0x8f, 0, 0, 0, 0)}, "(8f) unknown opcode"},
	{{INSN(0x37, 1, 0, 2, 1)}, "(37) unknown opcode"},
};

TEST(disasm_table)
{
	char buf[128];

	for (size_t i = 0; i < ARRAY_LEN(dis_cases); i++) {
		const struct dis_case *c = &dis_cases[i];
		size_t cnt = c->insn[0].code == 0x18 ? 2 : 1;
		int n = bh_disasm(c->insn, cnt, 0, buf, sizeof(buf));

		CHECK_STR(buf, c->text);
		CHECK_EQ(n, (int)cnt);
	}
}

/* Forms differ in text only by code, K/X and, for atomics, the op. */
static int dis_family(const struct bh_insn *in)
{
	int key = in->code;

	if (BH_CLASS(key) == BH_ALU || BH_CLASS(key) == BH_ALU64 ||
	    BH_CLASS(key) == BH_JMP || BH_CLASS(key) == BH_JMP32)
		key &= ~BH_X;
	if (BH_CLASS(key) == BH_STX && BH_MODE(key) == BH_ATOMIC)
		key |= (in->imm & 0xff) << 8;
	return key;
}

TEST(disasm_families_covered)
{
	for (int op = 0; op < BH_OP__COUNT; op++) {
		struct bh_insn in = form_insn((enum bh_op)op);
		bool seen = false;

		for (size_t i = 0; i < ARRAY_LEN(dis_cases) && !seen; i++)
			seen = dis_family(&dis_cases[i].insn[0]) ==
			       dis_family(&in);
		if (!seen)
			th_fail(__FILE__, __LINE__,
				"no disasm text case for the family of %s",
				bh_op_table[op].name);
	}
}

static const char *resolve_kfunc(void *ctx, const struct bh_insn *insn)
{
	(void)ctx;
	return insn->imm == 4242 ? "bpf_obj_new_impl" : NULL;
}

static const char *imm_llvm(void *ctx, const struct bh_insn *insn,
			    uint64_t imm64, char *buf, size_t sz)
{
	(void)ctx;
	if (insn->src_reg)
		return NULL;
	snprintf(buf, sz, "0x%llx ll", (unsigned long long)imm64);
	return buf;
}

TEST(disasm_callbacks)
{
	struct bh_disasm_cbs cbs = {.call_name = resolve_kfunc,
				    .imm_text = imm_llvm};
	struct bh_insn k = INSN(0x85, 0, 2, 0, 4242);
	struct bh_insn h = INSN(0x85, 0, 0, 0, 99999);
	struct bh_insn h1 = INSN(0x85, 0, 0, 0, 1);
	struct bh_insn ld[2] = {INSN(0x18, 1, 0, 0, 0x1234),
				INSN(0, 0, 0, 0, 0)};
	struct bh_insn mv[2] = {INSN(0x18, 1, 1, 0, 2), INSN(0, 0, 0, 0, 0)};
	char buf[128];

	bh_disasm_cb(&k, 1, 0, buf, sizeof(buf), &cbs);
	CHECK_STR(buf, "call bpf_obj_new_impl#4242");
	bh_disasm_cb(&h, 1, 0, buf, sizeof(buf), &cbs);
	CHECK_STR(buf, "call unknown#99999");
	bh_disasm_cb(&h1, 1, 0, buf, sizeof(buf), &cbs);
	CHECK_STR(buf, "call bpf_map_lookup_elem#1");
	CHECK_EQ(bh_disasm_cb(ld, 2, 0, buf, sizeof(buf), &cbs), 2);
	CHECK_STR(buf, "r1 = 0x1234 ll");
	bh_disasm_cb(mv, 2, 0, buf, sizeof(buf), &cbs);
	CHECK_STR(buf, "r1 = map[idx:2]");
}

TEST(disasm_bounds)
{
	struct bh_insn ld = INSN(0x18, 1, 0, 0, 1);
	char buf[16];

	/* a truncated ld_imm64 never reads the missing slot */
	CHECK_EQ(bh_disasm(&ld, 1, 0, buf, sizeof(buf)), 1);
	CHECK_CONTAINS(buf, "truncated");
	CHECK_EQ(bh_disasm(&ld, 1, 5, buf, sizeof(buf)), 1);
	/* output is cut to the buffer */
	struct bh_insn a = INSN(0xdb, 1, 2, -32768, 0xf1);
	CHECK_EQ(bh_disasm(&a, 1, 0, buf, sizeof(buf)), 1);
	CHECK_EQ(strlen(buf), sizeof(buf) - 1);
	CHECK_EQ(bh_disasm(&a, 1, 0, NULL, 0), 1);
}

/* ---- assembler ---------------------------------------------------------- */

TEST(assemble_syntax)
{
	const char *src = "# leading comment\n"
			  "start:\n"
			  "  mov %r1, 0x80000000   # hex is a bit pattern\n"
			  "  jeq %r1, -1, +1\n"
			  "  ja exit\n"
			  "  call local sub\n"
			  "  lddw %r2, -2\n"
			  "  ldxsh %r3, [%r1-0x2]\n"
			  "  lock fetch xor32 [%r10-4], %r3\n"
			  "  ja32 start\n"
			  "exit\n"
			  "sub:\n"
			  "  call %r2\n"
			  "  call runtime 7\n"
			  "  exit\n";
	const struct bh_insn want[] = {
		INSN(0xb7, 1, 0, 0, INT32_MIN),
		INSN(0x15, 1, 0, 1, -1),
		INSN(0x05, 0, 0, 6, 0), /* to the first exit, slot 9 */
		INSN(0x85, 0, 1, 0, 6),
		INSN(0x18, 2, 0, 0, -2),
		INSN(0, 0, 0, 0, -1),
		INSN(0x89, 3, 1, -2, 0),
		INSN(0xc3, 10, 3, -4, 0xa1),
		INSN(0x06, 0, 0, 0, -9),
		EXIT,
		INSN(0x8d, 2, 0, 0, 0),
		INSN(0x85, 0, 2, 0, 7),
		EXIT,
	};
	struct bh_insn *out;
	size_t cnt;
	char err[128];

	struct bh_insn got[ARRAY_LEN(want)];

	CHECK_MSG(!bh_assemble(src, &out, &cnt, err, sizeof(err)), "%s", err);
	memcpy(got, out,
	       cnt < ARRAY_LEN(want) ? cnt * sizeof(*out) : sizeof(got));
	free(out);
	CHECK_EQ(cnt, ARRAY_LEN(want));
	for (size_t i = 0; i < cnt; i++)
		CHECK_MSG(!memcmp(&got[i], &want[i], sizeof(want[i])),
			  "slot %zu", i);
}

TEST(assemble_errors)
{
	static const struct {
		const char *src, *err;
	} cases[] = {
		{"mov %r0, 1\nfoo %r1\nexit\n",
		 "line 2: unknown mnemonic 'foo'"},
		{"mov %r16, 1\n", "line 1: bad register '%r16'"},
		{"mov %r0, 2147483648\n", "line 1: bad immediate '2147483648'"},
		{"mov %r0, 0x100000000\n",
		 "line 1: bad immediate '0x100000000'"},
		{"ldxw %r0, [%r1+32768]\n",
		 "line 1: bad memory operand '[%r1+32768]'"},
		{"\n\nja nowhere\nexit\n", "line 3: unknown label 'nowhere'"},
		{"a:\na:\nexit\n", "line 2: duplicate label 'a'"},
		{"ja exit\n", "line 1: unknown label 'exit'"},
		{"mov %r0\n", "line 1: 'mov' takes 2 operands, got 1"},
		{"exit %r0\n", "line 1: 'exit' takes 0 operands, got 1"},
		{"lock fetch xchg [%r1], %r2\n",
		 "line 1: 'xchg' always fetches"},
		{"lock nand [%r1], %r2\n",
		 "line 1: unknown atomic operation 'nand'"},
		{"aadd64 [%r1], %r2\n", "line 1: unknown mnemonic 'aadd64'"},
		{"call weird 1\n", "line 1: unknown call kind 'weird'"},
		{"jeq64 %r1, 1, +1\n", "line 1: unknown mnemonic 'jeq64'"},
		{"movsx864 %r1, 5\n", "line 1: bad register '5'"},
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct bh_insn *out = (void *)1;
		size_t cnt = 7;
		char err[128];

		CHECK_EQ(
			bh_assemble(cases[i].src, &out, &cnt, err, sizeof(err)),
			-22);
		CHECK_STR(err, cases[i].err);
		CHECK(out == NULL && cnt == 0);
	}
}

/* Disassembling what the assembler made names the same operation. */
TEST(assemble_disasm_roundtrip)
{
	const char *src = "add32 %r1, %r2\nsdiv %r3, 5\nmovsx1632 %r1, %r2\n"
			  "be32 %r4\nswap64 %r5\nlock add [%r1+8], %r2\n"
			  "jslt32 %r1, %r2, -3\nstxdw [%r10-8], %r1\nexit\n";
	static const char *const want[] = {
		"w1 += w2",
		"r3 s/= 5",
		"w1 = (s16)w2",
		"r4 = be32 r4",
		"r5 = bswap64 r5",
		"lock *(u64 *)(r1 +8) += r2",
		"if w1 s< w2 goto pc-3",
		"*(u64 *)(r10 -8) = r1",
		"exit",
	};
	struct bh_insn *out;
	size_t cnt;
	char err[128], buf[128];

	CHECK_MSG(!bh_assemble(src, &out, &cnt, err, sizeof(err)), "%s", err);
	CHECK_EQ(cnt, ARRAY_LEN(want));
	for (size_t i = 0; i < cnt; i++) {
		bh_disasm(out, cnt, i, buf, sizeof(buf));
		if (strcmp(buf, want[i])) {
			free(out);
			CHECK_STR(buf, want[i]);
		}
	}
	free(out);
}
