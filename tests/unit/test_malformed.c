// SPDX-License-Identifier: BSD-2-Clause
/* The object reader against hostile input: good objects mutated in memory
 * (truncations, lying headers, bad links/indices/offsets, lying BTF and
 * .BTF.ext, absurd map definitions), each rejected with a specific
 * message, plus a deterministic random byte-flip loop that must never
 * crash or leak (run under ASan). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "object/object.h"

struct img {
	unsigned char *buf;
	size_t size;
};

static int read_obj(const char *name, struct img *im)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/progs/%s.bpf.o", th_build_dir(), name);
	im->buf = (unsigned char *)th_read_file(path, &im->size);
	if (!im->buf)
		th_fail(__FILE__, __LINE__, "cannot read %s (make progs)",
			path);
	return im->buf ? 0 : -1;
}

static Elf64_Ehdr ehdr(const struct img *im)
{
	Elf64_Ehdr e;

	memcpy(&e, im->buf, sizeof(e));
	return e;
}

static size_t shdr_off(const struct img *im, size_t idx)
{
	return ehdr(im).e_shoff + idx * sizeof(Elf64_Shdr);
}

static Elf64_Shdr shdr(const struct img *im, size_t idx)
{
	Elf64_Shdr s;

	memcpy(&s, im->buf + shdr_off(im, idx), sizeof(s));
	return s;
}

static void put_shdr(struct img *im, size_t idx, const Elf64_Shdr *s)
{
	memcpy(im->buf + shdr_off(im, idx), s, sizeof(*s));
}

static size_t sec_by_name(const struct img *im, const char *name)
{
	Elf64_Ehdr e = ehdr(im);
	Elf64_Shdr str = shdr(im, e.e_shstrndx);

	for (size_t i = 1; i < e.e_shnum; i++) {
		Elf64_Shdr s = shdr(im, i);

		if (!strcmp((char *)im->buf + str.sh_offset + s.sh_name, name))
			return i;
	}
	return 0;
}

static unsigned char *sec_data(struct img *im, const char *name)
{
	size_t i = sec_by_name(im, name);

	return i ? im->buf + shdr(im, i).sh_offset : NULL;
}

/* Parse; returns the error and leaves the message in err. */
static int parse(const struct img *im, size_t size, char *err, size_t errsz)
{
	struct bh_object *o = NULL;
	int ret = bh_object_parse(im->buf, size, "m", &o, err, errsz);

	if (!ret && !o)
		return 1; /* contract broken: success without an object */
	if (ret && o)
		return 2; /* contract broken: failure with an object */
	bh_object_free(o);
	return ret;
}

/* Apply mutation to a copy of base, expect failure with msg in the
 * error, as one data-driven case. */
#define EXPECT_REJECT(base, label, msg, mutate)                            \
	do {                                                               \
		struct img m_ = {malloc((base)->size), (base)->size};      \
		char err_[256] = "";                                       \
		int r_;                                                    \
		if (!m_.buf)                                               \
			break;                                             \
		memcpy(m_.buf, (base)->buf, (base)->size);                 \
		{                                                          \
			struct img *im = &m_;                              \
			(void)im;                                          \
			mutate;                                            \
		}                                                          \
		r_ = parse(&m_, m_.size, err_, sizeof(err_));              \
		th_case(label, r_ < 0 && strstr(err_, msg),                \
			"ret %d, message \"%s\", wanted \"%s\"", r_, err_, \
			msg);                                              \
		free(m_.buf);                                              \
	} while (0)

TEST(truncated)
{
	struct img im;
	char err[256], name[64];
	Elf64_Ehdr e;
	int bad = 0, n = 0;

	if (read_obj("obj_multi", &im))
		return;
	e = ehdr(&im);
	/* every length up to the header, every section start and end, and
	 * a stride over the whole file */
	for (size_t len = 0; len < im.size; len++) {
		int pick = len <= 80 || len % 61 == 0 || len + 80 > im.size;

		for (size_t i = 0; i < e.e_shnum && !pick; i++) {
			Elf64_Shdr s = shdr(&im, i);

			pick = len == s.sh_offset ||
			       len == s.sh_offset + s.sh_size ||
			       len == shdr_off(&im, i);
		}
		if (!pick)
			continue;
		n++;
		err[0] = '\0';
		if (parse(&im, len, err, sizeof(err)) >= 0 || !err[0]) {
			if (!bad++)
				th_fail(__FILE__, __LINE__,
					"truncated to %zu: accepted or no "
					"message",
					len);
		}
	}
	snprintf(name, sizeof(name), "truncations (%d lengths)", n);
	th_case(name, !bad, "%d accepted", bad);
	EXPECT_REJECT(&im, "truncated_header", "too small", im->size = 63);
	EXPECT_REJECT(&im, "truncated_shdrs", "past end of file",
		      im->size -= 1);
	free(im.buf);
}

static void set_e(struct img *im, size_t off, const void *v, size_t n)
{
	memcpy(im->buf + off, v, n);
}

#define EOFF(field) offsetof(Elf64_Ehdr, field)

TEST(bad_elf_header)
{
	struct img im;
	uint64_t u64;
	uint16_t u16;

	if (read_obj("obj_multi", &im))
		return;
	EXPECT_REJECT(&im, "bad_magic", "not an ELF", im->buf[1] = 'X');
	EXPECT_REJECT(&im, "elfclass32", "only 64-bit",
		      im->buf[EI_CLASS] = ELFCLASS32);
	EXPECT_REJECT(&im, "big_endian", "little-endian",
		      im->buf[EI_DATA] = ELFDATA2MSB);
	EXPECT_REJECT(&im, "e_type", "not a relocatable",
		      (u16 = ET_EXEC, set_e(im, EOFF(e_type), &u16, 2)));
	EXPECT_REJECT(&im, "e_machine", "not BPF",
		      (u16 = EM_X86_64, set_e(im, EOFF(e_machine), &u16, 2)));
	EXPECT_REJECT(&im, "e_shentsize", "e_shentsize",
		      (u16 = 32, set_e(im, EOFF(e_shentsize), &u16, 2)));
	EXPECT_REJECT(&im, "e_shoff_past_eof", "past end of file",
		      (u64 = im->size - 8, set_e(im, EOFF(e_shoff), &u64, 8)));
	EXPECT_REJECT(&im, "e_shoff_huge", "past end of file",
		      (u64 = ~0ull - 100, set_e(im, EOFF(e_shoff), &u64, 8)));
	EXPECT_REJECT(&im, "e_shoff_zero", "no section header table",
		      (u64 = 0, set_e(im, EOFF(e_shoff), &u64, 8)));
	EXPECT_REJECT(&im, "e_shnum_zero", "no section header table",
		      (u16 = 0, set_e(im, EOFF(e_shnum), &u16, 2)));
	EXPECT_REJECT(&im, "e_shnum_big", "past end of file",
		      (u16 = 0xfeff, set_e(im, EOFF(e_shnum), &u16, 2)));
	EXPECT_REJECT(
		&im, "e_shstrndx_range", "e_shstrndx",
		(u16 = ehdr(im).e_shnum, set_e(im, EOFF(e_shstrndx), &u16, 2)));
	EXPECT_REJECT(&im, "e_shstrndx_zero", "e_shstrndx",
		      (u16 = 0, set_e(im, EOFF(e_shstrndx), &u16, 2)));
	EXPECT_REJECT(&im, "e_shstrndx_not_strtab", "not a string table",
		      (u16 = (uint16_t)sec_by_name(im, ".text"),
		       set_e(im, EOFF(e_shstrndx), &u16, 2)));
	free(im.buf);
}

TEST(bad_sections)
{
	struct img im;
	Elf64_Shdr s;
	size_t i;

	if (read_obj("obj_multi", &im))
		return;
	EXPECT_REJECT(&im, "code_offset_past_eof", "(syscall): offset",
		      (i = sec_by_name(im, "syscall"), s = shdr(im, i),
		       s.sh_offset = im->size, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "code_size_past_eof", "past end of file",
		      (i = sec_by_name(im, "syscall"), s = shdr(im, i),
		       s.sh_size = ~0ull - 4, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "code_size_odd", "not a multiple of 8",
		      (i = sec_by_name(im, "syscall"), s = shdr(im, i),
		       s.sh_size -= 4, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "section_name_off", "name offset",
		      (i = sec_by_name(im, "syscall"), s = shdr(im, i),
		       s.sh_name = 0x7fffffff, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "rel_sh_link", "sh_link",
		      (i = sec_by_name(im, ".relsyscall"), s = shdr(im, i),
		       s.sh_link = 1, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "rel_sh_info", "sh_info",
		      (i = sec_by_name(im, ".relsyscall"), s = shdr(im, i),
		       s.sh_info = 999, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "rel_entsize", "not a table of Elf64_Rel",
		      (i = sec_by_name(im, ".relsyscall"), s = shdr(im, i),
		       s.sh_size -= 3, s.sh_entsize = 0, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "symtab_sh_link", "is not a string table",
		      (i = sec_by_name(im, ".symtab"), s = shdr(im, i),
		       s.sh_link = (uint32_t)sec_by_name(im, ".text"),
		       put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "symtab_size", "not a table of Elf64_Sym",
		      (i = sec_by_name(im, ".symtab"), s = shdr(im, i),
		       s.sh_size -= 5, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "no_symtab", "no symbol table",
		      (i = sec_by_name(im, ".symtab"), s = shdr(im, i),
		       s.sh_type = SHT_PROGBITS, put_shdr(im, i, &s)));
	EXPECT_REJECT(&im, "license_unterminated", "(license): not",
		      (i = sec_by_name(im, "license"), s = shdr(im, i),
		       s.sh_size = 3, put_shdr(im, i, &s)));
	free(im.buf);
}

/* Pointer to relocation n of section name. */
static Elf64_Rel *rel(struct img *im, const char *name, size_t n)
{
	return (Elf64_Rel *)(sec_data(im, name) + n * sizeof(Elf64_Rel));
}

static Elf64_Sym *sym_named(struct img *im, const char *name)
{
	size_t i = sec_by_name(im, ".symtab");
	Elf64_Shdr s = shdr(im, i);
	Elf64_Shdr str = shdr(im, s.sh_link);

	for (size_t k = 0; k < s.sh_size / sizeof(Elf64_Sym); k++) {
		Elf64_Sym *sym = (Elf64_Sym *)(im->buf + s.sh_offset) + k;

		if (!strcmp((char *)im->buf + str.sh_offset + sym->st_name,
			    name))
			return sym;
	}
	return NULL;
}

/* insn n of section name */
static struct bh_insn *insn(struct img *im, const char *name, size_t n)
{
	return (struct bh_insn *)sec_data(im, name) + n;
}

TEST(bad_relocations)
{
	struct img im;

	/* .relsyscall of obj_multi: 0 call twice @1, 1 call .text @4,
	 * 2 ld_imm64 four @7, 3 call .text @10 */
	if (read_obj("obj_multi", &im))
		return;
	EXPECT_REJECT(&im, "relo_offset_range",
		      "relocation 0 offset "
		      "0x10000 out of range",
		      rel(im, ".relsyscall", 0)->r_offset = 0x10000);
	EXPECT_REJECT(&im, "relo_offset_unaligned", "not on an instruction",
		      rel(im, ".relsyscall", 1)->r_offset = 0x21);
	EXPECT_REJECT(
		&im, "relo_symbol_range", "symbol index 4096 out of range",
		rel(im, ".relsyscall", 0)->r_info = ELF64_R_INFO(4096, 10));
	EXPECT_REJECT(&im, "relo_symbol_zero", "symbol index 0",
		      rel(im, ".relsyscall", 0)->r_info = ELF64_R_INFO(0, 10));
	EXPECT_REJECT(&im, "relo_not_ldimm64_or_call", "only ld_imm64",
		      rel(im, ".relsyscall", 0)->r_offset = 0);
	EXPECT_REJECT(
		&im, "relo_wrong_type", "only ld_imm64",
		rel(im, ".relsyscall", 2)->r_info = ELF64_R_INFO(
			ELF64_R_SYM(rel(im, ".relsyscall", 2)->r_info), 10));
	EXPECT_REJECT(&im, "relo_twice", "relocated twice",
		      rel(im, ".relsyscall", 1)->r_offset = 8);
	EXPECT_REJECT(&im, "relo_second_slot", "only ld_imm64",
		      rel(im, ".relsyscall", 2)->r_offset = 0x40);
	EXPECT_REJECT(&im, "call_outside_section", "outside section",
		      insn(im, "syscall", 4)->imm = 1000);
	EXPECT_REJECT(&im, "call_negative", "outside section",
		      insn(im, "syscall", 4)->imm = -100);
	EXPECT_REJECT(&im, "call_mid_function", "not the start of a function",
		      insn(im, "syscall", 4)->imm = 4);
	EXPECT_REJECT(&im, "local_call_mid_function",
		      "not the start of a function",
		      insn(im, ".text", 0)->imm = 1);
	EXPECT_REJECT(
		&im, "call_to_data", "not code",
		rel(im, ".relsyscall", 0)->r_info = ELF64_R_INFO(
			ELF64_R_SYM(rel(im, ".relsyscall", 2)->r_info), 10));
	EXPECT_REJECT(&im, "unrelocated_pseudo_ldimm64", "no relocation",
		      insn(im, ".text", 1)->code = 0x18;
		      insn(im, ".text", 1)->src_reg = 1);
	EXPECT_REJECT(&im, "unrelocated_kfunc_call", "kfunc call without",
		      insn(im, ".text", 0)->src_reg = 2);
	EXPECT_REJECT(&im, "funcaddr_not_function", "is not a function",
		      insn(im, "syscall/other", 4)->imm = 8);
	EXPECT_REJECT(&im, "global_offset_out_of_section", "outside section",
		      insn(im, "syscall", 7)->imm = 4);
	EXPECT_REJECT(&im, "func_symbol_size", "invalid in section",
		      sym_named(im, "twice")->st_size = 0x1000);
	EXPECT_REJECT(&im, "func_symbol_unaligned", "invalid in section",
		      sym_named(im, "add_one")->st_value = 0x21);
	EXPECT_REJECT(&im, "func_overlap", "overlaps",
		      sym_named(im, "twice")->st_size = 0x28);
	EXPECT_REJECT(&im, "symbol_name_off", "name offset",
		      sym_named(im, "twice")->st_name = 0x7fffffff);
	EXPECT_REJECT(&im, "func_symbol_in_data", "not a code section",
		      sym_named(im, "twice")->st_shndx =
			      (uint16_t)sec_by_name(im, ".data"));
	free(im.buf);
}

/* Offset inside .BTF of the first ARRAY type whose nelems is n (the
 * __uint() encoding of a map field). */
static unsigned char *btf_array_nelems(struct img *im, uint32_t n)
{
	unsigned char *b = sec_data(im, ".BTF");
	size_t size = shdr(im, sec_by_name(im, ".BTF")).sh_size;
	uint32_t hdr_len, type_off, type_len;

	memcpy(&hdr_len, b + 4, 4);
	memcpy(&type_off, b + 8, 4);
	memcpy(&type_len, b + 12, 4);
	for (size_t o = hdr_len + type_off;
	     o + 24 <= size && o + 24 <= hdr_len + type_off + type_len;
	     o += 4) {
		uint32_t info, name, nel;

		memcpy(&name, b + o, 4);
		memcpy(&info, b + o + 4, 4);
		memcpy(&nel, b + o + 20, 4);
		if (name == 0 && info == (3u << 24) && nel == n)
			return b + o + 20;
	}
	return NULL;
}

static void set32(unsigned char *p, uint32_t v)
{
	if (p)
		memcpy(p, &v, 4);
}

TEST(bad_btf_and_maps)
{
	struct img im;

	if (read_obj("obj_maps", &im))
		return;
	CHECK(btf_array_nelems(&im, 64));
	CHECK(btf_array_nelems(&im, 12));
	EXPECT_REJECT(&im, "map_absurd_max_entries",
		      "map 'counts': max_entries 4294967295 needs",
		      set32(btf_array_nelems(im, 64), 0xffffffff));
	EXPECT_REJECT(&im, "map_zero_max_entries",
		      "map 'counts': max_entries 0",
		      set32(btf_array_nelems(im, 64), 0));
	EXPECT_REJECT(&im, "map_value_size_0", "map 'table': value size 0",
		      set32(btf_array_nelems(im, 12), 0));
	EXPECT_REJECT(&im, "map_value_too_big", "map 'table': value size",
		      set32(btf_array_nelems(im, 12), 1u << 30));
	EXPECT_REJECT(&im, "btf_type_len_lies", "(.BTF): libbpf rejects",
		      set32(sec_data(im, ".BTF") + 12, 0x7fffff00));
	EXPECT_REJECT(&im, "btf_str_len_lies", "(.BTF): libbpf rejects",
		      set32(sec_data(im, ".BTF") + 20, 0x7fffff00));
	EXPECT_REJECT(&im, "btf_bad_magic", "(.BTF): libbpf rejects",
		      set32(sec_data(im, ".BTF"), 0));
	/* renaming .BTF to "BTF" (skip its first byte) hides it */
	EXPECT_REJECT(&im, "maps_without_btf", "map definitions need .BTF", {
		size_t i = sec_by_name(im, ".BTF");
		Elf64_Shdr s = shdr(im, i);

		s.sh_name += 1;
		put_shdr(im, i, &s);
	});
	free(im.buf);
}

/* ring buffer definitions the kernel's ringbuf_map_alloc() refuses */
TEST(bad_ringbuf_maps)
{
	struct img im;

	if (read_obj("k_ringbuf", &im))
		return;
	CHECK(btf_array_nelems(&im, 4096));
	EXPECT_REJECT(&im, "ringbuf_not_pow2",
		      "map 'rb': ring buffer size 1000 is not a power of 2",
		      set32(btf_array_nelems(im, 4096), 1000));
	EXPECT_REJECT(&im, "ringbuf_not_pow2_pages",
		      "map 'rb': ring buffer size 12288 is not a power of 2",
		      set32(btf_array_nelems(im, 4096), 3 * 4096));
	EXPECT_REJECT(&im, "ringbuf_under_a_page",
		      "map 'rb': ring buffer size 2048 is not a power of 2",
		      set32(btf_array_nelems(im, 4096), 2048));
	EXPECT_REJECT(&im, "ringbuf_too_big",
		      "map 'rb': ring buffer size 2147483648 over the limit",
		      set32(btf_array_nelems(im, 4096), 1u << 31));
	free(im.buf);
}

/* .BTF.ext header: magic(2) ver(1) flags(1) hdr_len(4) func_off(4)
 * func_len(4) line_off(4) line_len(4) ... */
TEST(bad_btf_ext)
{
	struct img im;
	unsigned char *x;
	uint32_t hdr_len = 0, foff = 0, loff = 0;

	if (read_obj("obj_multi", &im))
		return;
	x = sec_data(&im, ".BTF.ext");
	CHECK(x);
	memcpy(&hdr_len, x + 4, 4);
	memcpy(&foff, x + 8, 4);
	memcpy(&loff, x + 16, 4);
	EXPECT_REJECT(&im, "btf_ext_magic", "bad magic",
		      set32(sec_data(im, ".BTF.ext"), 0));
	EXPECT_REJECT(&im, "btf_ext_hdr_len", "header length",
		      set32(sec_data(im, ".BTF.ext") + 4, 0x10000));
	EXPECT_REJECT(&im, "btf_ext_func_len", "func_info offset",
		      set32(sec_data(im, ".BTF.ext") + 12, 0x7ffffff0));
	EXPECT_REJECT(&im, "btf_ext_line_len", "line_info offset",
		      set32(sec_data(im, ".BTF.ext") + 20, 0xfffffff0));
	EXPECT_REJECT(&im, "btf_ext_func_rec_size", "func_info: record size 4",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + foff, 4));
	EXPECT_REJECT(&im, "btf_ext_line_rec_size", "line_info: record size 7",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + loff, 7));
	EXPECT_REJECT(&im, "btf_ext_func_count", "do not fit",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + foff + 8,
			    0x40000000));
	EXPECT_REJECT(&im, "btf_ext_line_count", "do not fit",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + loff + 8,
			    0xffffffff));
	EXPECT_REJECT(&im, "btf_ext_zero_count", "do not fit",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + foff + 8, 0));
	EXPECT_REJECT(&im, "btf_ext_sec_name", "section name offset",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + foff + 4,
			    0x7fffffff));
	EXPECT_REJECT(
		&im, "btf_ext_insn_off", "insn_off 0x10000 out of range",
		set32(sec_data(im, ".BTF.ext") + hdr_len + foff + 12, 0x10000));
	EXPECT_REJECT(&im, "btf_ext_func_type", "is not a FUNC",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + foff + 16, 1));
	EXPECT_REJECT(&im, "btf_ext_line_str", "bad string offset",
		      set32(sec_data(im, ".BTF.ext") + hdr_len + loff + 16,
			    0x7fffffff));
	free(im.buf);
}

/* Deterministic xorshift: the same mutations every run. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fuzz(const char *name, int rounds, uint64_t seed)
{
	struct img im;
	unsigned char *copy;
	size_t hot[64][2], nhot = 0;
	Elf64_Ehdr e;
	char label[96];
	int accepted = 0;

	if (read_obj(name, &im))
		return;
	copy = malloc(im.size);
	if (!copy) {
		free(im.buf);
		return;
	}
	e = ehdr(&im);
	/* the parts the reader interprets, where a flip matters most */
	hot[nhot][0] = 0;
	hot[nhot++][1] = sizeof(Elf64_Ehdr);
	hot[nhot][0] = e.e_shoff;
	hot[nhot++][1] = (size_t)e.e_shnum * sizeof(Elf64_Shdr);
	for (size_t i = 1; i < e.e_shnum && nhot < 64; i++) {
		Elf64_Shdr s = shdr(&im, i);

		if (s.sh_type == SHT_NOBITS || !s.sh_size ||
		    (s.sh_type == SHT_PROGBITS && !(s.sh_flags & SHF_ALLOC) &&
		     i != sec_by_name(&im, ".BTF") &&
		     i != sec_by_name(&im, ".BTF.ext")))
			continue; /* debug info: ignored by the reader */
		hot[nhot][0] = s.sh_offset;
		hot[nhot++][1] = s.sh_size;
	}
	for (int r = 0; r < rounds; r++) {
		int flips = 1 + next_rand(&seed) % 4;
		struct img m = {copy, im.size};
		char err[256];

		memcpy(copy, im.buf, im.size);
		for (int f = 0; f < flips; f++) {
			size_t h = next_rand(&seed) % nhot, pos;
			uint64_t v = next_rand(&seed);

			pos = hot[h][0] + v % hot[h][1];
			if (pos >= im.size)
				continue;
			if (v >> 60 <
			    4) /* some writes of "interesting" values */
				copy[pos] = (v >> 60) == 0   ? 0xff
					    : (v >> 60) == 1 ? 0
							     : 0x80;
			else
				copy[pos] ^=
					(unsigned char)(1u << (v >> 32) % 8);
		}
		if (parse(&m, im.size, err, sizeof(err)) == 0)
			accepted++;
		else if (!err[0])
			th_fail(__FILE__, __LINE__, "round %d: no message", r);
	}
	snprintf(label, sizeof(label),
		 "fuzz %s: %d mutations, %d still accepted, no crash", name,
		 rounds, accepted);
	th_case(label, !th_failed(), "see above");
	free(copy);
	free(im.buf);
}

TEST(random_flips)
{
	fuzz("obj_multi", 1500, 0x9e3779b97f4a7c15ull);
	fuzz("obj_maps", 1000, 0x2545f4914f6cdd1dull);
	fuzz("obj_globals", 1000, 0xda942042e4dd58b5ull);
	fuzz("obj_ksym", 500, 0x1234567887654321ull);
}

/* Not malformed, but only reachable by editing: a code section without
 * function symbols becomes one program named after the section. */
TEST(section_without_func_symbols)
{
	struct img im;
	struct bh_object *o = NULL;
	char err[256];
	Elf64_Sym *s;

	if (read_obj("obj_multi", &im))
		return;
	s = sym_named(&im, "multi_c");
	CHECK(s);
	s->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
	CHECK_EQ(bh_object_parse(im.buf, im.size, "m", &o, err, sizeof(err)),
		 0);
	CHECK_EQ(o->prog_cnt, 3);
	CHECK_STR(o->progs[2].name, "syscall/other");
	CHECK_STR(o->progs[2].sec_name, "syscall/other");
	CHECK_EQ(o->progs[2].own_cnt, 10);
	CHECK_EQ(o->progs[2].insn_cnt, 15);
	bh_object_free(o);
	free(im.buf);
}
