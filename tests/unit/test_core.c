// SPDX-License-Identifier: BSD-2-Clause
/*
 * CO-RE relocations (src/link/core.c): programs in tests/hostprogs/core_*
 * declare this file's host types with other layouts (core_types.h) and
 * reach a host instance through the kfunc core_get_task(); every value they
 * return must be the host's.  The host types come from this binary's own
 * BTF (pahole -J at link, as for every test), so they are the "kernel".
 * Also: poisoning of what the host lacks, flavors, subprogram copies, and
 * malformed .BTF.ext CO-RE areas refused with the offset they lie at.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdlib.h>

#include <bpf/btf.h>

#include "bpfhost/kfunc.h"
#include "exec/exec.h"
#include "harness.h"
#include "link/core.h"
#include "object/object.h"
#include "rt/rt.h"

/* ---- the host's types (different from core_types.h on purpose) ---- */

enum core_state { CORE_RUNNING = 7, CORE_SLEEPING = 42 };
enum core_wide { CORE_WIDE = 0x200000003ULL };

struct core_inner {
	short a;
	long long b;
};

struct core_pair {
	int x;
	unsigned int y;
	struct core_task *owner;
	char extra;
};

struct core_task {
	long pad0;
	int flags;
	unsigned int pid;
	char comm[16];
	struct core_inner inner;
	unsigned int bf_lo : 3;
	unsigned int bf_mid : 10;
	int bf_signed : 5;
	enum core_state state;
	struct core_task *parent;
	union {
		int u_i;
		char u_c;
	};
	int grid[3][4];
	struct core_inner pairs[2];
	enum core_wide wide;
	short small;
	struct core_pair pair;
	int tail[];
};

/* room for tail[0..3] after the struct */
static union {
	struct core_task t;
	char room[sizeof(struct core_task) + 4 * sizeof(int)];
} task_mem;
static struct core_task parent_task = {.pid = 1, .comm = "init"};

__bpf_kfunc_start_defs();
__bpf_kfunc struct core_task *core_get_task(void)
{
	return &task_mem.t;
}
__bpf_kfunc_end_defs();

BTF_KFUNCS_START(core_ids)
BTF_ID_FLAGS(func, core_get_task)
BTF_KFUNCS_END(core_ids)

static char last_log[1024];

static void capture(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static void fill_task(void)
{
	struct core_task *t = &task_mem.t;

	memset(&task_mem, 0, sizeof(task_mem));
	t->pad0 = -1;
	t->flags = 0x55;
	t->pid = 1234;
	snprintf(t->comm, sizeof(t->comm), "%s", "bpfhost-task");
	t->inner.a = -7;
	t->inner.b = 0x1122334455667788ll;
	t->bf_lo = 5;
	t->bf_mid = 777;
	t->bf_signed = -9;
	t->state = CORE_SLEEPING;
	t->parent = &parent_task;
	t->u_i = 0x41424344;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 4; j++)
			t->grid[i][j] = i * 10 + j;
	t->pairs[0].a = 3;
	t->pairs[1].a = 4;
	t->pairs[1].b = 5000000000ll;
	t->wide = CORE_WIDE;
	t->small = -3;
	for (int i = 0; i < 4; i++)
		t->tail[i] = 100 + i;
}

static struct bpfhost_rt *new_rt(void)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = capture);
	struct btf_kfunc_id_set ks = {THIS_MODULE, &core_ids, NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);

	if (rt && bpfhost_kfunc_set_add(rt, "syscall", &ks)) {
		bpfhost_rt_free(rt);
		return NULL;
	}
	fill_task();
	return rt;
}

static char load_log[4096];

static char *prog_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/hostprogs/%s.bpf.o", th_build_dir(),
		 name);
	return path;
}

static struct bpfhost_obj *open_obj(struct bpfhost_rt *rt, const char *name)
{
	BPFHOST_OPTS(bpfhost_open_opts, oo, .unverified = true,
		     .log_buf = load_log, .log_size = sizeof(load_log));

	return bpfhost_obj_open(rt, prog_path(name), &oo);
}

/* Run prog of a loaded object; r0, or a value no test expects. */
static uint64_t run(struct bpfhost_obj *obj, const char *prog)
{
	struct bpfhost_prog *p = bpfhost_obj_prog(obj, prog);
	uint64_t r0 = 0xdeadbeefdeadbeefull;

	if (!p || bpfhost_prog_run(p, NULL, 0, &r0))
		return 0xdeadbeefdeadbeefull;
	return r0;
}

/* The type id of a named type in this binary's BTF (host source 1). */
static long self_type_id(const char *name, int kind)
{
	struct btf *btf = btf__parse_elf("/proc/self/exe", NULL);
	long id;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, name, kind);
	btf__free(btf);
	return id;
}

TEST(field_reads_follow_the_host_layout)
{
	struct bpfhost_rt *rt = new_rt();
	struct bpfhost_obj *obj;
	const struct core_task *t = &task_mem.t;

	CHECK_MSG(rt, "%s", last_log);
	obj = open_obj(rt, "core_read");
	CHECK_MSG(obj, "%s", last_log);
	CHECK_MSG(bpfhost_obj_load(obj) == 0, "%s", bpfhost_obj_error(obj));
	/* pid: 8 bytes locally, 4 on the host: the load was resized */
	CHECK_U64(run(obj, "read_pid"), 1234);
	CHECK_U64(run(obj, "read_flags"), 0x55);
	CHECK_U64(run(obj, "read_comm3"), 'h');
	CHECK_U64(run(obj, "read_inner_b"), 0x1122334455667788ull);
	CHECK_U64((uint32_t)run(obj, "read_inner_a"), (uint32_t)-7);
	CHECK_U64(run(obj, "read_parent_pid"), 1);
	CHECK_U64(run(obj, "read_union"), 0x44 * 1000 + 0x41);
	CHECK_U64(run(obj, "read_grid"), 23);
	CHECK_U64(run(obj, "read_pairs"), 5000000000ull + 4 + 3000);
	CHECK_U64(run(obj, "read_tail"), 102);
	CHECK_U64(run(obj, "read_state"), CORE_SLEEPING);
	CHECK_U64(run(obj, "read_bf_lo"), 5);
	CHECK_U64(run(obj, "read_bf_mid"), 777);
	CHECK_U64(run(obj, "read_bf_signed"), (uint64_t)-9);
	CHECK_U64(run(obj, "field_offsets"),
		  offsetof(struct core_task, pid) +
			  (offsetof(struct core_task, comm) + 3) * 256 +
			  offsetof(struct core_task, inner.b) * 65536);
	CHECK_U64(run(obj, "field_sizes"),
		  sizeof(t->comm) + sizeof(t->pid) * 100 +
			  sizeof(t->grid) * 1000 +
			  sizeof(t->pairs[1]) * 100000);
	/* bf_signed and inner.a are signed; bf_mid and pid are not */
	CHECK_U64(run(obj, "field_signed"), 0x5);
	/* gone, t2->renamed missing; flags, inner.a, t2->pid present */
	CHECK_U64(run(obj, "field_exists"), 0x16);
	/* struct core_task___v2 is struct core_task on the host */
	CHECK_U64(run(obj, "flavor_pid"), 1234);
	/* the one subprogram's relocations hold in both images */
	CHECK_U64(run(obj, "sub_a"), 0x55 + 'p' + 1000);
	CHECK_U64(run(obj, "sub_b"), 0x55 + 'p' + 2000);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(type_and_enum_relocations)
{
	struct bpfhost_rt *rt = new_rt();
	struct bpfhost_obj *obj;
	long local_id, host_id;

	CHECK_MSG(rt, "%s", last_log);
	obj = open_obj(rt, "core_read");
	CHECK_MSG(obj, "%s", last_log);
	CHECK_MSG(bpfhost_obj_load(obj) == 0, "%s", bpfhost_obj_error(obj));
	/* core_task, its ___v2 flavor and enum core_state exist; core_nothere
	 * does not */
	CHECK_U64(run(obj, "types_exist"), 0xb);
	/* core_pair___same (a reordered subset) matches; ___bad has an
	 * unsigned x; core_inner___same has clang's int names ("short"),
	 * the host gcc's ("short int"); core_task has a 64-bit pid and a
	 * field the host lacks; core_nothere does not exist; the local
	 * enum core_state has an enumerator the host lacks */
	CHECK_U64(run(obj, "types_match"), 0x1);
	CHECK_U64(run(obj, "type_size"),
		  sizeof(struct core_task) + sizeof(struct core_inner) * 1000);
	local_id = btf__find_by_name_kind(bpfhost_obj_btf(obj), "core_task",
					  BTF_KIND_STRUCT);
	CHECK(local_id > 0);
	CHECK_U64(run(obj, "type_id_local"), local_id);
	host_id = self_type_id("core_task", BTF_KIND_STRUCT);
	CHECK(host_id > 0);
	CHECK_U64(run(obj, "type_id_target"), host_id);
	CHECK_U64(run(obj, "type_id_target_missing"), 0);
	/* the host's values, not the header's */
	CHECK_U64(run(obj, "enum_values"), CORE_SLEEPING + CORE_RUNNING * 1000);
	/* RUNNING and WIDE exist on the host, ZOMBIE does not */
	CHECK_U64(run(obj, "enum_exists"), 0x5);
	/* a 64-bit enumerator: the ld_imm64 carries the host's value */
	CHECK_U64(run(obj, "enum_wide"), 0x200000003ull);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

/* Parse an object and CO-RE-relocate its programs against this process's
 * host BTF, the way prog_link() does, without the rest of the load. */
static struct bh_object *relocate_file(const char *name, struct bh_hbtf **hp,
				       char *err, size_t errsz, int *ret)
{
	struct bh_link_env env = {0};
	struct bh_object *o = NULL;
	size_t size;
	char *buf = th_read_file(prog_path(name), &size);

	*ret = -ENOENT;
	*hp = bh_rt_self_hbtf(err, errsz);
	if (!buf || !*hp)
		goto out;
	*ret = bh_object_parse(buf, size, name, &o, err, errsz);
	if (*ret)
		goto out;
	env.hbtf = *hp;
	for (size_t i = 0; i < o->prog_cnt && !*ret; i++)
		*ret = bh_core_relocate(&o->progs[i], o, &env, err, errsz);
out:
	free(buf);
	return o;
}

static const struct bh_obj_prog *find_prog(const struct bh_object *o,
					   const char *name)
{
	for (size_t i = 0; i < o->prog_cnt; i++)
		if (!strcmp(o->progs[i].name, name))
			return &o->progs[i];
	return NULL;
}

static long first_poison(const struct bh_obj_prog *p)
{
	for (size_t i = 0; i < p->insn_cnt; i++)
		if (bh_core_is_poison(&p->insns[i]))
			return (long)i;
	return -1;
}

TEST(unreachable_poison_is_dead_code)
{
	char err[512] = "", what[512];
	struct bh_hbtf *h = NULL;
	const struct bh_obj_prog *p;
	struct bh_object *o;
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	long at;
	int ret;

	o = relocate_file("core_guard", &h, err, sizeof(err), &ret);
	CHECK_MSG(o && ret == 0, "%s", err);
	p = find_prog(o, "guarded");
	CHECK(p);
	at = first_poison(p);
	CHECK_MSG(at >= 0, "no poisoned insn in 'guarded'");
	CHECK_EQ(bh_core_describe(p, o, (size_t)at, what, sizeof(what)), 0);
	CHECK_CONTAINS(what, "failed to resolve CO-RE relocation <byte_off> [");
	CHECK_CONTAINS(what, "struct core_task.gone (0:8 @ offset ");
	CHECK_EQ(bh_core_describe(p, o, 0, what, sizeof(what)), -ENOENT);
	bh_object_free(o);
	bh_hbtf_free(h);

	rt = new_rt();
	CHECK(rt);
	obj = open_obj(rt, "core_guard");
	CHECK_MSG(obj, "%s", last_log);
	if (bpfhost_obj_load(obj) == 0) {
		/* the existence check is 0, so the poison is never reached */
		CHECK_U64(run(obj, "guarded"), 77);
	} else {
		/* the unverified interpreter decodes every slot and cannot
		 * yet tell dead code; it must at least name the poison */
		CHECK_CONTAINS(bpfhost_obj_error(obj), "195896080");
		th_skip("guarded: unreachable CO-RE poison refused by the "
			"unverified decoder (needs interp support, see "
			"link/core.h)");
	}
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(reached_poison_never_runs)
{
	char err[512] = "", what[512];
	struct bh_hbtf *h = NULL;
	const struct bh_obj_prog *p;
	struct bh_object *o;
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	long at;
	int ret;

	o = relocate_file("core_missing", &h, err, sizeof(err), &ret);
	CHECK_MSG(o && ret == 0, "%s", err);
	p = find_prog(o, "missing_field");
	CHECK(p);
	at = first_poison(p);
	CHECK_MSG(at >= 0, "no poisoned insn in 'missing_field'");
	CHECK_EQ(bh_core_describe(p, o, (size_t)at, what, sizeof(what)), 0);
	CHECK_CONTAINS(what, "struct core_task.gone (0:8 @ offset ");
	/* a 64-bit enumval is an ld_imm64: poisoned in both slots, and
	 * described in libbpf's words */
	p = find_prog(o, "missing_enumval");
	CHECK(p);
	CHECK_EQ(first_poison(p), 0);
	CHECK(p->insn_cnt > 2 && bh_core_is_poison(&p->insns[1]));
	CHECK_EQ(bh_core_describe(p, o, 0, what, sizeof(what)), 0);
	CHECK_CONTAINS(what, "failed to resolve CO-RE relocation "
			     "<enumval_value> [");
	CHECK_CONTAINS(what, "] enum core_state::CORE_ZOMBIE = 3");
	bh_object_free(o);
	bh_hbtf_free(h);

	/* through the public API: never a value from a poisoned slot */
	rt = new_rt();
	CHECK(rt);
	obj = open_obj(rt, "core_missing");
	CHECK_MSG(obj, "%s", last_log);
	if (bpfhost_obj_load(obj) == 0) {
		struct bpfhost_prog *bp =
			bpfhost_obj_prog(obj, "missing_field");
		uint64_t r0;

		CHECK(bp);
		CHECK(bpfhost_prog_run(bp, NULL, 0, &r0) < 0);
	} else {
		CHECK_CONTAINS(bpfhost_obj_error(obj), "195896080");
	}
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(signed_resize_is_poisoned_with_a_warning)
{
	char err[512] = "", what[512];
	struct bh_hbtf *h = NULL;
	const struct bh_obj_prog *p;
	struct bh_object *o;
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	long at;
	int ret;

	o = relocate_file("core_badsize", &h, err, sizeof(err), &ret);
	CHECK_MSG(o && ret == 0, "%s", err);
	p = find_prog(o, "bad_size");
	CHECK(p);
	at = first_poison(p);
	CHECK_MSG(at >= 0, "no poisoned insn in 'bad_size'");
	CHECK_EQ(bh_core_describe(p, o, (size_t)at, what, sizeof(what)), 0);
	CHECK_CONTAINS(what, "struct core_task.small (0:13 @ offset ");
	bh_object_free(o);
	bh_hbtf_free(h);

	rt = new_rt();
	CHECK(rt);
	obj = open_obj(rt, "core_badsize");
	CHECK_MSG(obj, "%s", last_log);
	ret = bpfhost_obj_load(obj);
	CHECK_CONTAINS(load_log, "prog 'bad_size': relo #0: insn #1 "
				 "(LDX/ST/STX) accesses field incorrectly");
	if (ret == 0) {
		uint64_t r0;

		CHECK(bpfhost_prog_run(bpfhost_obj_prog(obj, "bad_size"), NULL,
				       0, &r0) < 0);
	}
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(core_read_through_probe_read)
{
	char err[512] = "";
	struct bh_hbtf *h = NULL;
	const struct bh_obj_prog *p;
	struct bh_object *o;
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	bool saw_parent = false;
	int ret;

	/* BPF_CORE_READ moves relocated offsets into a register (ALU imm) */
	o = relocate_file("core_probe", &h, err, sizeof(err), &ret);
	CHECK_MSG(o && ret == 0, "%s", err);
	p = find_prog(o, "probe_parent_pid");
	CHECK(p);
	for (size_t i = 0; i < p->insn_cnt; i++) {
		const struct bh_insn *in = &p->insns[i];

		if (BH_CLASS(in->code) == BH_ALU64 && BH_OP(in->code) == 0xb0 &&
		    BH_SRC(in->code) == BH_K &&
		    in->imm == (int32_t)offsetof(struct core_task, parent))
			saw_parent = true;
		CHECK(!bh_core_is_poison(in));
	}
	CHECK_MSG(saw_parent, "no mov of the host's offset of parent");
	bh_object_free(o);
	bh_hbtf_free(h);

	if (!bh_helper_by_id(113)) {
		th_skip("bpf_probe_read_kernel not in this build: "
			"BPF_CORE_READ checked at link level only");
		return;
	}
	rt = new_rt();
	CHECK(rt);
	obj = open_obj(rt, "core_probe");
	CHECK_MSG(obj, "%s", last_log);
	CHECK_MSG(bpfhost_obj_load(obj) == 0, "%s", bpfhost_obj_error(obj));
	/* an int return: alu32 leaves the upper half zero */
	CHECK_U64(run(obj, "probe_parent_pid"), (uint32_t)(1 + -7 * 10));
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

/* ---- malformed .BTF.ext CO-RE areas ---- */

/* Offset and size of .BTF.ext in an ELF image; 0 when absent. */
static size_t find_btf_ext(char *buf, size_t size, size_t *sec_size)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx, off = 0;

	elf_version(EV_CURRENT);
	elf = elf_memory(buf, size);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			break;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, ".BTF.ext")) {
			off = sh.sh_offset;
			*sec_size = sh.sh_size;
			break;
		}
	}
out:
	if (elf)
		elf_end(elf);
	return off;
}

static uint32_t get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Open + load a copy of core_guard with mutate() applied to the CO-RE
 * area; returns the load's error text (static). */
static const char *load_mutated(void (*mutate)(char *ext, size_t ext_size,
					       char *core))
{
	static char msg[1100];
	BPFHOST_OPTS(bpfhost_open_opts, oo, .unverified = true);
	struct bpfhost_rt *rt = new_rt();
	struct bpfhost_obj *obj = NULL;
	size_t size, ext_size = 0, ext_off;
	char *buf = th_read_file(prog_path("core_guard"), &size);

	snprintf(msg, sizeof(msg), "(setup failed)");
	if (!rt || !buf)
		goto out;
	ext_off = find_btf_ext(buf, size, &ext_size);
	if (!ext_off || get32(buf + ext_off + 4) < 32)
		goto out;
	mutate(buf + ext_off, ext_size,
	       buf + ext_off + get32(buf + ext_off + 4) +
		       get32(buf + ext_off + 24));
	obj = bpfhost_obj_open_mem(rt, buf, size, &oo);
	if (!obj) {
		snprintf(msg, sizeof(msg), "open: %s", last_log);
		goto out;
	}
	if (bpfhost_obj_load(obj) == 0)
		snprintf(msg, sizeof(msg), "(loaded)");
	else
		snprintf(msg, sizeof(msg), "%s", bpfhost_obj_error(obj));
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(buf);
	return msg;
}

/* the core area: u32 rec_size, then {sec_name_off, num_info, records} */
static void m_truncated(char *ext, size_t n, char *core)
{
	(void)n, (void)core;
	put32(ext + 28, 10); /* rec_size + 6 bytes of a block header */
}

static void m_rec_size_small(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	put32(core, 12);
}

static void m_rec_size_lying(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	put32(core, 64); /* records claim to be 64 bytes: they do not fit */
}

static void m_num_info(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	put32(core + 8, 0x10000000);
}

static void m_past_end(char *ext, size_t n, char *core)
{
	(void)core;
	put32(ext + 28, (uint32_t)n);
}

static void m_insn_off(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	put32(core + 12, get32(core + 12) + 4);
}

static void m_type_id(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	put32(core + 16, 0x7fffff);
}

static void m_kind(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	put32(core + 24, 99);
}

static void m_access(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	/* the section name ("syscall") as the access string */
	put32(core + 20, get32(core + 4));
}

static void m_sec_name(char *ext, size_t n, char *core)
{
	(void)ext, (void)n;
	put32(core + 4, 0x7fffffff);
}

TEST(malformed_core_areas_are_refused)
{
	static const struct {
		void (*fn)(char *, size_t, char *);
		const char *want;
	} cases[] = {
		{m_truncated, "truncated section header"},
		{m_rec_size_small, "record size 12 invalid"},
		{m_rec_size_lying, "records of 64 bytes do not fit"},
		{m_num_info, "268435456 records of 16 bytes do not fit"},
		{m_past_end, "past the end of the section"},
		{m_insn_off, "is not a multiple of 8"},
		{m_type_id, "type id 8388607 out of range"},
		{m_kind, "unknown relocation kind 99"},
		{m_access, "+ syscall failed"},
		{m_sec_name, "section name offset 0x7fffffff invalid"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *msg = load_mutated(cases[i].fn);

		CHECK_CONTAINS(msg, cases[i].want);
		/* every frame error names where in .BTF.ext it is */
		if (cases[i].fn != m_access)
			CHECK_CONTAINS(msg, ".BTF.ext core_relo at offset 0x");
	}
}

TEST(essential_names)
{
	CHECK_EQ(bh_core_essential_len("task_struct"), 11);
	CHECK_EQ(bh_core_essential_len("task_struct___v2"), 11);
	CHECK_EQ(bh_core_essential_len("a___b___c"), 5);
	CHECK_EQ(bh_core_essential_len("a____b"), 6);
	CHECK_EQ(bh_core_essential_len("___x"), 4);
	CHECK_EQ(bh_core_essential_len("x___"), 4);
	CHECK_EQ(bh_core_essential_len(""), 0);
}

/* Verified loads (the default): the verifier sees the relocated image. */
static struct bpfhost_obj *open_verified(struct bpfhost_rt *rt,
					 const char *name)
{
	BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = load_log,
		     .log_size = sizeof(load_log));

	return bpfhost_obj_open(rt, prog_path(name), &oo);
}

TEST(verifier_sees_relocated_reads_and_names_failed_relocations)
{
	struct bpfhost_rt *rt = new_rt();
	struct bpfhost_obj *obj;

	CHECK_MSG(rt, "%s", last_log);
	/* core_read's programs verify up to read_tail, which the kernel
	 * refuses too: tail[2] lies past the struct's BTF size */
	obj = open_verified(rt, "core_read");
	CHECK_MSG(obj, "%s", last_log);
	CHECK(bpfhost_obj_load(obj) < 0);
	CHECK_CONTAINS(bpfhost_obj_error(obj), "prog 'read_tail': access "
					       "beyond struct core_task");
	bpfhost_obj_free(obj);

	/* a reached poison: libbpf's words, not the kernel's */
	obj = open_verified(rt, "core_missing");
	CHECK_MSG(obj, "%s", last_log);
	CHECK(bpfhost_obj_load(obj) < 0);
	CHECK_CONTAINS(bpfhost_obj_error(obj),
		       "prog 'missing_field': insn 1: <invalid CO-RE "
		       "relocation>: failed to resolve CO-RE relocation "
		       "<byte_off> [");
	CHECK_CONTAINS(bpfhost_obj_error(obj),
		       "struct core_task.gone (0:8 @ offset ");
	bpfhost_obj_free(obj);

	/* an unreached one verifies */
	obj = open_verified(rt, "core_guard");
	CHECK_MSG(obj, "%s", last_log);
	if (bpfhost_obj_load(obj) == 0) {
		CHECK_U64(run(obj, "guarded"), 77);
	} else {
		CHECK_CONTAINS(bpfhost_obj_error(obj),
			       "unknown helper 195896080");
		th_skip("guarded (verified): the verifier accepts, the decoder "
			"still refuses the dead poisoned slot (needs interp "
			"support, see link/core.h)");
	}
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}
