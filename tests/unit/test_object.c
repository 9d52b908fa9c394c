// SPDX-License-Identifier: BSD-2-Clause
/* Object reader on the fixture objects built from tests/progs/obj_*.bpf.c:
 * programs, subprogram appending, relocated instruction fields, maps,
 * global data, externs, func_info/line_info. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include <bpf/btf.h>

#include "object/object.h"

static struct bh_object *load(const char *name)
{
	char path[512], err[256];
	struct bh_object *obj = NULL;
	size_t size;
	char *buf;
	int ret;

	snprintf(path, sizeof(path), "%s/progs/%s.bpf.o", th_build_dir(), name);
	buf = th_read_file(path, &size);
	if (!buf) {
		th_fail(__FILE__, __LINE__, "cannot read %s (make progs)",
			path);
		return NULL;
	}
	ret = bh_object_parse(buf, size, name, &obj, err, sizeof(err));
	free(buf);
	if (ret)
		th_fail(__FILE__, __LINE__, "%s: %d %s", name, ret, err);
	return obj;
}

static const struct bh_obj_prog *prog(const struct bh_object *o,
				      const char *name)
{
	for (size_t i = 0; i < o->prog_cnt; i++)
		if (!strcmp(o->progs[i].name, name))
			return &o->progs[i];
	return NULL;
}

static int map_idx(const struct bh_object *o, const char *name)
{
	for (size_t i = 0; i < o->map_cnt; i++)
		if (!strcmp(o->maps[i].name, name))
			return (int)i;
	return -1;
}

#define LDDW 0x18
#define CALL 0x85
#define EXIT 0x95

/* index of the n-th slot with code in prog (0-based), or -1 */
static int nth(const struct bh_obj_prog *p, uint8_t code, int n)
{
	for (size_t i = 0; i < p->insn_cnt; i++)
		if (p->insns[i].code == code && n-- == 0)
			return (int)i;
	return -1;
}

TEST(multi_programs_and_subprogs)
{
	struct bh_object *o = load("obj_multi");
	const struct bh_obj_prog *a, *b, *c;
	int i;

	CHECK(o);
	CHECK_STR(o->name, "obj_multi");
	CHECK_STR(o->license, "GPL");
	CHECK_EQ(o->prog_cnt, 3);
	/* section order, then offset order */
	CHECK_STR(o->progs[0].name, "multi_a");
	CHECK_STR(o->progs[1].name, "multi_b");
	CHECK_STR(o->progs[2].name, "multi_c");
	a = prog(o, "multi_a");
	b = prog(o, "multi_b");
	c = prog(o, "multi_c");
	CHECK_STR(a->sec_name, "syscall");
	CHECK_STR(b->sec_name, "syscall");
	CHECK_STR(c->sec_name, "syscall/other");
	/* multi_a: 7 own + twice (4) + add_one (3) */
	CHECK_EQ(a->own_cnt, 7);
	CHECK_EQ(a->insn_cnt, 14);
	/* call twice: relocated against the global symbol */
	i = nth(a, CALL, 0);
	CHECK_EQ(i, 1);
	CHECK_EQ(a->insns[i].src_reg, BH_PSEUDO_CALL);
	CHECK_EQ(i + 1 + a->insns[i].imm, 7);
	/* call add_one: section symbol + imm */
	i = nth(a, CALL, 1);
	CHECK_EQ(i + 1 + a->insns[i].imm, 11);
	/* twice's own (unrelocated) call to add_one, rebased */
	i = nth(a, CALL, 2);
	CHECK_EQ(i, 7);
	CHECK_EQ(i + 1 + a->insns[i].imm, 11);
	CHECK_EQ(a->insns[13].code, EXIT);
	/* func_info: one per function, at its image start */
	CHECK_EQ(a->func_info_cnt, 3);
	CHECK_EQ(a->func_info[0].insn_off, 0);
	CHECK_EQ(a->func_info[1].insn_off, 7);
	CHECK_EQ(a->func_info[2].insn_off, 11);
	CHECK(a->func_info[1].type_id && a->func_info[2].type_id);
	/* multi_b: ld_imm64 of a .data global, then leaf appended */
	CHECK_EQ(b->own_cnt, 5);
	CHECK_EQ(b->insn_cnt, 8);
	CHECK_EQ(b->insns[0].code, LDDW);
	CHECK_EQ(b->insns[0].src_reg, BH_PSEUDO_MAP_VALUE);
	CHECK_EQ(b->insns[0].imm, map_idx(o, ".data"));
	CHECK_EQ(b->insns[1].imm, 0);
	i = nth(b, CALL, 0);
	CHECK_EQ(i + 1 + b->insns[i].imm, 5);
	/* multi_c: bpf_loop callback by address (BPF_PSEUDO_FUNC) */
	i = nth(c, LDDW, 0);
	CHECK(i >= 0);
	CHECK_EQ(c->insns[i].src_reg, BH_PSEUDO_FUNC);
	CHECK_EQ(i + 1 + c->insns[i].imm, 10);
	CHECK_EQ(c->insns[i + 1].imm, 0);
	CHECK_EQ(c->insn_cnt, 15);
	/* the helper call stays a plain helper call */
	i = nth(c, CALL, 0);
	CHECK_EQ(c->insns[i].src_reg, 0);
	CHECK_EQ(c->insns[i].imm, 181);
	CHECK_EQ(c->func_info_cnt, 2);
	CHECK_EQ(c->func_info[1].insn_off, 10);
	bh_object_free(o);
}

TEST(line_info)
{
	struct bh_object *o = load("obj_multi");
	const struct bh_obj_prog *a;
	const struct bh_line_info *li;

	CHECK(o);
	a = prog(o, "multi_a");
	CHECK(a->line_info_cnt >= 4);
	li = bh_prog_line(a, 0);
	CHECK(li);
	CHECK_CONTAINS(li->file, "obj_multi.bpf.c");
	CHECK_CONTAINS(li->line, "return twice(20) + add_one(1);");
	CHECK_EQ(li->line_num, 35);
	/* an appended subprogram's lines, rebased */
	li = bh_prog_line(a, 8);
	CHECK(li);
	CHECK_CONTAINS(li->line, "return add_one(x) * 2 - 2;");
	li = bh_prog_line(a, 12);
	CHECK_CONTAINS(li->line, "return x + 1;");
	CHECK(!bh_prog_line(a, a->insn_cnt));
	for (size_t i = 1; i < a->line_info_cnt; i++)
		CHECK(a->line_info[i].insn_off >= a->line_info[i - 1].insn_off);
	bh_object_free(o);
}

TEST(btf_maps)
{
	struct bh_object *o = load("obj_maps");
	const struct bh_obj_prog *p;
	const struct bh_map_def *d;
	int ci, ti, i;

	CHECK(o);
	CHECK_STR(o->license, "Dual BSD/GPL");
	ci = map_idx(o, "counts");
	ti = map_idx(o, "table");
	CHECK_EQ(ci, 0);
	CHECK_EQ(ti, 1);
	d = &o->maps[ci].def;
	CHECK_STR(d->name, "counts");
	CHECK_EQ(d->type, BH_MAP_HASH);
	CHECK_EQ(d->key_size, 4);
	CHECK_EQ(d->value_size, 16);
	CHECK_EQ(d->max_entries, 64);
	CHECK_EQ(d->kind, BH_MAPK_USER);
	CHECK(d->btf_key_type_id && d->btf_value_type_id);
	CHECK(!o->maps[ci].init);
	d = &o->maps[ti].def;
	CHECK_EQ(d->type, BH_MAP_ARRAY);
	CHECK_EQ(d->key_size, 4);
	CHECK_EQ(d->value_size, 12);
	CHECK_EQ(d->max_entries, 8);
	CHECK_EQ(d->map_flags, BH_F_RDONLY_PROG);
	CHECK_EQ(d->btf_key_type_id, 0);
	p = prog(o, "use_maps");
	CHECK(p);
	/* three map references: counts, counts, table */
	i = nth(p, LDDW, 0);
	CHECK_EQ(p->insns[i].src_reg, BH_PSEUDO_MAP_FD);
	CHECK_EQ(p->insns[i].imm, ci);
	i = nth(p, LDDW, 1);
	CHECK_EQ(p->insns[i].imm, ci);
	i = nth(p, LDDW, 2);
	CHECK_EQ(p->insns[i].src_reg, BH_PSEUDO_MAP_FD);
	CHECK_EQ(p->insns[i].imm, ti);
	CHECK_EQ(p->insns[i + 1].imm, 0);
	/* each map can be created as defined */
	for (size_t k = 0; k < o->map_cnt; k++) {
		char err[128];
		struct bh_map *m =
			bh_map_new(&o->maps[k].def, err, sizeof(err));

		CHECK_MSG(m, "%s: %s", o->maps[k].name, err);
		bh_map_free(m);
	}
	bh_object_free(o);
}

TEST(global_data)
{
	struct bh_object *o = load("obj_globals");
	const struct bh_obj_prog *p;
	const struct bh_obj_map *m;
	int di, ri, bi, ci, si, i;
	int32_t v32;
	int64_t v64;

	CHECK(o);
	CHECK_EQ(o->kern_version, 0x060c00);
	di = map_idx(o, ".data");
	ri = map_idx(o, ".rodata");
	bi = map_idx(o, ".bss");
	ci = map_idx(o, ".data.custom");
	si = map_idx(o, ".rodata.str1.1");
	CHECK(di >= 0 && ri >= 0 && bi >= 0 && ci >= 0 && si >= 0);
	m = &o->maps[di];
	CHECK_EQ(m->def.type, BH_MAP_ARRAY);
	CHECK_EQ(m->def.max_entries, 1);
	CHECK_EQ(m->def.key_size, 4);
	CHECK_EQ(m->def.value_size, 24);
	CHECK_EQ(m->def.kind, BH_MAPK_DATA);
	CHECK_EQ(m->init_size, 24);
	memcpy(&v32, m->init, 4);
	CHECK_EQ(v32, 17); /* counter */
	memcpy(&v64, (char *)m->init + 16, 8);
	CHECK_EQ(v64, 6); /* pair[1] */
	m = &o->maps[ri];
	CHECK_EQ(m->def.kind, BH_MAPK_RODATA);
	CHECK(m->def.map_flags & BH_F_RDONLY_PROG);
	memcpy(&v32, m->init, 4);
	CHECK_EQ(v32, 40);
	memcpy(&v64, (char *)m->init + 24, 8);
	CHECK_EQ(v64, 3); /* table[2] */
	m = &o->maps[bi];
	CHECK_EQ(m->def.kind, BH_MAPK_BSS);
	CHECK_EQ(m->def.value_size, 40);
	for (i = 0; i < 40; i++)
		CHECK_EQ(((char *)m->init)[i], 0);
	m = &o->maps[si];
	CHECK_EQ(m->def.kind, BH_MAPK_RODATA);
	CHECK_EQ(m->def.value_size, 13);
	CHECK(!memcmp(m->init, "hello\0world!", 13));
	m = &o->maps[ci];
	memcpy(&v32, m->init, 4);
	CHECK_EQ(v32, 9);

	p = prog(o, "globals");
	CHECK(p);
	/* pick (.bss + 0), then the two literals: section symbol+addend */
	CHECK_EQ(p->insns[0].src_reg, BH_PSEUDO_MAP_VALUE);
	CHECK_EQ(p->insns[0].imm, bi);
	CHECK_EQ(p->insns[1].imm, 0);
	CHECK_EQ(p->insns[3].imm, si);
	CHECK_EQ(p->insns[4].imm, 6); /* "world!" */
	CHECK_EQ(p->insns[6].imm, si);
	CHECK_EQ(p->insns[7].imm, 0); /* "hello" */
	/* named symbols with st_value != 0: zarr (.bss+8), table
	 * (.rodata+8), pair (.data+8), zeroed (.bss+4) */
	CHECK_EQ(p->insns[12].imm, bi);
	CHECK_EQ(p->insns[13].imm, 8);
	CHECK_EQ(p->insns[16].imm, ri);
	CHECK_EQ(p->insns[17].imm, 8);
	CHECK_EQ(p->insns[23].imm, di);
	CHECK_EQ(p->insns[24].imm, 8);
	CHECK_EQ(p->insns[26].imm, ci);
	CHECK_EQ(p->insns[29].imm, bi);
	CHECK_EQ(p->insns[30].imm, 4);
	/* the static subprogram taking the string */
	CHECK_EQ(p->own_cnt, 49);
	CHECK_EQ(p->insn_cnt, 51);
	i = nth(p, CALL, 0);
	CHECK_EQ(i + 1 + p->insns[i].imm, 49);
	bh_object_free(o);
}

TEST(externs)
{
	struct bh_object *o = load("obj_ksym");
	const struct bh_obj_prog *p;
	const struct bh_obj_extern *e;
	int i;

	CHECK(o);
	CHECK_EQ(o->extern_cnt, 3);
	e = &o->externs[0];
	CHECK_STR(e->name, "bh_test_kfunc");
	CHECK_EQ(e->kind, BH_EXT_FUNC);
	CHECK(!e->weak);
	CHECK_STR(e->sec, ".ksyms");
	CHECK(e->btf_id);
	CHECK(btf__type_cnt(o->btf) > e->btf_id);
	e = &o->externs[1];
	CHECK_STR(e->name, "bh_test_weak_kfunc");
	CHECK_EQ(e->kind, BH_EXT_FUNC);
	CHECK(e->weak);
	e = &o->externs[2];
	CHECK_STR(e->name, "bh_test_ksym_var");
	CHECK_EQ(e->kind, BH_EXT_VAR);
	CHECK(!e->weak);
	CHECK(e->btf_id);
	p = prog(o, "use_ksym");
	CHECK(p);
	i = nth(p, CALL, 0);
	CHECK_EQ(p->insns[i].src_reg, BH_PSEUDO_KFUNC_CALL);
	CHECK_EQ(p->insns[i].imm, 0);
	CHECK_EQ(p->insns[i].off, 0);
	i = nth(p, CALL, 1);
	CHECK_EQ(p->insns[i].src_reg, BH_PSEUDO_KFUNC_CALL);
	CHECK_EQ(p->insns[i].imm, 1);
	/* address of the weak kfunc and of the variable */
	i = nth(p, LDDW, 0);
	CHECK_EQ(p->insns[i].src_reg, BH_PSEUDO_BTF_ID);
	CHECK_EQ(p->insns[i].imm, 1);
	i = nth(p, LDDW, 1);
	CHECK_EQ(p->insns[i].src_reg, BH_PSEUDO_BTF_ID);
	CHECK_EQ(p->insns[i].imm, 2);
	bh_object_free(o);
}

/* Every corpus object in $BUILD/progs parses, with sane images. */
TEST(corpus_parses)
{
	static const char *const names[] = {
		"array_globals", "atomic_ops",	  "crc32",
		"ctx_sum",	 "hash_count",	  "loop_sum",
		"printk",	 "subprog_chain", "v4_ops",
	};

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		char path[512], err[256], cname[128];
		struct bh_object *o = NULL;
		size_t size;
		char *buf;
		int ret, ok;

		snprintf(path, sizeof(path), "%s/progs/%s.bpf.o",
			 th_build_dir(), names[n]);
		snprintf(cname, sizeof(cname), "parse %s", names[n]);
		buf = th_read_file(path, &size);
		if (!buf) {
			th_skip("%s not built", path);
			continue;
		}
		ret = bh_object_parse(buf, size, names[n], &o, err,
				      sizeof(err));
		free(buf);
		ok = !ret && o->prog_cnt > 0;
		for (size_t i = 0; ok && i < o->prog_cnt; i++)
			ok = o->progs[i].insn_cnt >= o->progs[i].own_cnt &&
			     o->progs[i].insns[o->progs[i].own_cnt - 1].code ==
				     EXIT;
		th_case(cname, ok, "%d %s", ret, err);
		bh_object_free(o);
	}
}

TEST(bad_args)
{
	struct bh_object *o = (void *)1;
	char err[64];

	CHECK_EQ(bh_object_parse(NULL, 0, "x", &o, err, sizeof(err)), -EINVAL);
	CHECK(!o);
	CHECK_CONTAINS(err, "too small");
	CHECK_EQ(bh_object_parse("x", 1, "x", NULL, NULL, 0), -EINVAL);
	bh_object_free(NULL);
	CHECK(!bh_prog_line(NULL, 0));
}
