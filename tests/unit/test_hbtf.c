// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host BTF tests.  Fixtures are made at test time the way a host author
 * makes them (cc -g, then pahole -J) under $BUILD/hbtf-fixtures, so the
 * tests exercise the real toolchain output, not hand-made bytes; protos
 * and malformed BTF are built with libbpf's BTF writer instead, which is
 * exact.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "harness.h"
#include "btf/hbtf.h"
#include "btf/hbtf_internal.h"

#ifdef __SANITIZE_ADDRESS__
#define FIX_FLAVOR "asan"
#else
#define FIX_FLAVOR "plain"
#endif

static const char host_src[] =
	"struct hf_widget { int id; long val; struct hf_widget *next; };\n"
	"enum hf_color { HF_RED, HF_BLUE = 7 };\n"
	"typedef unsigned long hf_handle_t;\n"
	"static struct hf_widget pool[4];\n"
	"struct hf_widget *hf_widget_get(int id__k, void *mem, int mem__sz)\n"
	"{ pool[id__k & 3].id = id__k + mem__sz + (mem != 0);\n"
	"  return &pool[id__k & 3]; }\n"
	"int hf_widget_sum(const struct hf_widget *w, enum hf_color c)\n"
	"{ return w->id + (int)c; }\n"
	"hf_handle_t hf_handle(struct hf_widget *w) { return (hf_handle_t)w; "
	"}\n"
	"void hf_widget_put(struct hf_widget *w) { w->id = 0; }\n";

static const char plugin_src[] =
	"struct hf_widget { int id; long val; struct hf_widget *next; };\n"
	"struct hf_plug { struct hf_widget *w; unsigned short k; };\n"
	"int hf_plug_use(struct hf_plug *p, struct hf_widget *w)\n"
	"{ return p->k + w->id; }\n";

static char fixdir[512];

static const char *fix(const char *name)
{
	static char paths[8][640];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", fixdir, name);
	return p;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

static int write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(data, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * host.so and host_b.so (same source, so both define the same functions),
 * host.btf (raw .BTF of host.so), plugin.so (split BTF on host.so).
 */
static int fixtures(void)
{
	static int state; /* 0 not yet, 1 ok, -1 failed */
	char dir[512];

	if (state)
		return state > 0 ? 0 : -1;
	state = -1;
	snprintf(dir, sizeof(dir), "%s/hbtf-fixtures", th_build_dir());
	mkdir(th_build_dir(), 0755);
	mkdir(dir, 0755);
	snprintf(fixdir, sizeof(fixdir), "%s/hbtf-fixtures/" FIX_FLAVOR,
		 th_build_dir());
	mkdir(fixdir, 0755);
	if (write_file(fix("host.c"), host_src, strlen(host_src)) ||
	    write_file(fix("plugin.c"), plugin_src, strlen(plugin_src)))
		return -1;
	if (sh("cd %s && gcc -g -O2 -fPIC -shared -o host.so host.c && "
	       "pahole -J host.so && cp host.c host_b.c && "
	       "gcc -g -O2 -fPIC -shared -o host_b.so host_b.c && "
	       "pahole -J host_b.so && "
	       "objcopy --dump-section .BTF=host.btf host.so && "
	       "gcc -g -O2 -fPIC -shared -o plugin.so plugin.c && "
	       "pahole -J --btf_base host.so plugin.so && "
	       "gcc -O2 -fPIC -shared -o nobtf.so plugin.c",
	       fixdir))
		return -1;
	state = 1;
	return 0;
}

#define NEED_FIXTURES() CHECK_MSG(fixtures() == 0, "cannot build fixtures")

static uint32_t kind_of(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(b, id);

	return t ? BTF_INFO_KIND(t->info) : ~0u;
}

static const char *name_of(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(b, id);

	return t ? btf__name_by_offset(b, t->name_off) : NULL;
}

TEST(file_source_funcs_and_types)
{
	struct bh_hbtf *h = bh_hbtf_new();
	struct bh_btf_ref r;
	char err[512] = "";
	const struct btf *b;
	const struct btf_type *p;
	const struct btf_param *prm;
	int i;

	NEED_FIXTURES();
	i = bh_hbtf_add_file(h, fix("host.so"), -1, err, sizeof(err));
	CHECK_MSG(i == 0, "add_file: %d %s", i, err);
	/* same file again, by another spelling of its path */
	CHECK_EQ(bh_hbtf_add_file(h, fix("../" FIX_FLAVOR "/host.so"), -1, err,
				  sizeof(err)),
		 0);
	CHECK_EQ(h->cnt, 1);
	CHECK(h->srcs[0].origin[0] == '/');
	CHECK_EQ(h->srcs[0].base, -1);
	b = bh_hbtf_btf(h, 0);
	CHECK(b);
	CHECK(!bh_hbtf_btf(h, 1));

	CHECK_EQ(bh_hbtf_find_func(h, "hf_widget_get", NULL, &r), 0);
	CHECK_EQ(r.src, 0);
	CHECK_EQ(kind_of(b, r.id), BTF_KIND_FUNC);
	p = btf__type_by_id(b, btf__type_by_id(b, r.id)->type);
	CHECK_EQ(BTF_INFO_KIND(p->info), BTF_KIND_FUNC_PROTO);
	CHECK_EQ(BTF_INFO_VLEN(p->info), 3);
	prm = (const void *)(p + 1);
	CHECK_STR(btf__name_by_offset(b, prm[0].name_off), "id__k");
	CHECK_STR(btf__name_by_offset(b, prm[2].name_off), "mem__sz");
	CHECK_EQ(bh_hbtf_find_func(h, "hf_nope", NULL, &r), -ENOENT);
	/* a struct name is not a FUNC */
	CHECK_EQ(bh_hbtf_find_func(h, "hf_widget", NULL, &r), -ENOENT);

	CHECK_EQ(bh_hbtf_find_type(h, "hf_widget", BTF_KIND_STRUCT, &r), 0);
	CHECK_STR(name_of(b, r.id), "hf_widget");
	CHECK_EQ(btf__resolve_size(b, r.id), 24);
	CHECK_EQ(bh_hbtf_find_type(h, "hf_color", BTF_KIND_ENUM, &r), 0);
	CHECK_EQ(bh_hbtf_find_type(h, "hf_handle_t", BTF_KIND_TYPEDEF, &r), 0);
	CHECK_EQ(bh_hbtf_find_type(h, "hf_widget", BTF_KIND_UNION, &r),
		 -ENOENT);
	bh_hbtf_free(h);
}

TEST(raw_file_equals_elf_section)
{
	struct bh_hbtf *h = bh_hbtf_new();
	char err[512] = "";
	int a, b;

	NEED_FIXTURES();
	a = bh_hbtf_add_file(h, fix("host.so"), -1, err, sizeof(err));
	b = bh_hbtf_add_file(h, fix("host.btf"), -1, err, sizeof(err));
	CHECK_MSG(a == 0 && b == 1, "%d %d %s", a, b, err);
	CHECK_EQ(btf__type_cnt(bh_hbtf_btf(h, 0)),
		 btf__type_cnt(bh_hbtf_btf(h, 1)));
	CHECK(btf__type_cnt(bh_hbtf_btf(h, 1)) > 10);
	bh_hbtf_free(h);
}

TEST(split_btf_on_its_base)
{
	struct bh_hbtf *h = bh_hbtf_new();
	const struct btf *pb;
	struct bh_btf_ref r;
	char err[512] = "";
	int base, plug;

	NEED_FIXTURES();
	base = bh_hbtf_add_file(h, fix("host.so"), -1, err, sizeof(err));
	CHECK_EQ(base, 0);
	CHECK_EQ(bh_hbtf_add_file(h, fix("plugin.so"), 5, err, sizeof(err)),
		 -EINVAL);
	plug = bh_hbtf_add_file(h, fix("plugin.so"), base, err, sizeof(err));
	CHECK_MSG(plug == 1, "%d %s", plug, err);
	CHECK_EQ(h->srcs[1].base, 0);
	pb = bh_hbtf_btf(h, 1);
	CHECK(btf__base_btf(pb) == bh_hbtf_btf(h, 0));
	CHECK_EQ(bh_hbtf_find_func(h, "hf_plug_use", NULL, &r), 0);
	CHECK_EQ(r.src, 1);
	CHECK(r.id >= btf__type_cnt(bh_hbtf_btf(h, 0)));
	CHECK_EQ(bh_hbtf_find_type(h, "hf_plug", BTF_KIND_STRUCT, &r), 0);
	CHECK_EQ(r.src, 1);
	/* hf_widget lives in the base only (pahole deduplicated it there) */
	CHECK_EQ(bh_hbtf_find_type(h, "hf_widget", BTF_KIND_STRUCT, &r), 0);
	CHECK_EQ(r.src, 0);
	bh_hbtf_free(h);

	/* the split BTF without its base refers to types it does not have */
	h = bh_hbtf_new();
	CHECK(bh_hbtf_add_file(h, fix("plugin.so"), -1, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "plugin.so");
	CHECK_EQ(h->cnt, 0);
	bh_hbtf_free(h);
}

TEST(find_func_prefers_source_of_address)
{
	struct bh_hbtf *h = bh_hbtf_new();
	void *ha, *hb, *fa, *fb;
	struct bh_btf_ref r;
	char err[512] = "";

	NEED_FIXTURES();
	CHECK_EQ(bh_hbtf_add_file(h, fix("host.so"), -1, err, sizeof(err)), 0);
	CHECK_EQ(bh_hbtf_add_file(h, fix("host_b.so"), -1, err, sizeof(err)),
		 1);
	ha = dlopen(fix("host.so"), RTLD_NOW | RTLD_LOCAL);
	hb = dlopen(fix("host_b.so"), RTLD_NOW | RTLD_LOCAL);
	CHECK_MSG(ha && hb, "dlopen: %s", dlerror());
	fa = dlsym(ha, "hf_widget_get");
	fb = dlsym(hb, "hf_widget_get");
	CHECK(fa && fb && fa != fb);
	CHECK_EQ(bh_hbtf_find_func(h, "hf_widget_get", fb, &r), 0);
	CHECK_EQ(r.src, 1);
	CHECK_EQ(bh_hbtf_find_func(h, "hf_widget_get", fa, &r), 0);
	CHECK_EQ(r.src, 0);
	CHECK_EQ(bh_hbtf_find_func(h, "hf_widget_get", NULL, &r), 0);
	CHECK_EQ(r.src, 0);
	/* an address in a file with no source: plain source order */
	CHECK_EQ(
		bh_hbtf_find_func(h, "hf_widget_get", (void *)th_read_file, &r),
		0);
	CHECK_EQ(r.src, 0);
	dlclose(ha);
	dlclose(hb);
	bh_hbtf_free(h);
}

static int local_helper(int x)
{
	return x * 3;
}

TEST(sym_check)
{
	int (*volatile keep)(int) = local_helper;
	char err[512] = "", want[256];
	void *ha, *get, *sum;

	NEED_FIXTURES();
	ha = dlopen(fix("host.so"), RTLD_NOW | RTLD_LOCAL);
	CHECK_MSG(ha, "dlopen: %s", dlerror());
	get = dlsym(ha, "hf_widget_get");
	sum = dlsym(ha, "hf_widget_sum");
	CHECK(get && sum);
	CHECK_EQ(bh_sym_check("hf_widget_get", get, err, sizeof(err)), 0);
	CHECK_EQ(bh_sym_check("hf_widget_sum", sum, err, sizeof(err)), 0);

	CHECK_EQ(bh_sym_check("hf_widget_sum", get, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "kfunc 'hf_widget_sum': address %#lx is 'hf_widget_get' in /",
		 (unsigned long)get);
	CHECK_CONTAINS(err, want);
	CHECK_CONTAINS(err, "/" FIX_FLAVOR "/host.so");

	CHECK_EQ(bh_sym_check("hf_widget_get", (char *)get + 1, err,
			      sizeof(err)),
		 -EINVAL);
	CHECK_CONTAINS(err, "is 'hf_widget_get'+0x1 in ");

	CHECK_EQ(bh_sym_check("hf_nope", get, err, sizeof(err)), -ENOENT);
	CHECK_CONTAINS(err, "no function 'hf_nope' in /");

	/* the (PIE) test executable itself, static function included */
	CHECK_EQ(bh_sym_check("th_read_file", (void *)th_read_file, err,
			      sizeof(err)),
		 0);
	CHECK_EQ(bh_sym_check("local_helper", (void *)keep, err, sizeof(err)),
		 0);
	CHECK_EQ(bh_sym_check("th_build_dir", (void *)th_read_file, err,
			      sizeof(err)),
		 -EINVAL);
	CHECK_CONTAINS(err, "is 'th_read_file' in /");

	/* not in any file: a heap address */
	{
		char *heap = malloc(16);

		CHECK_EQ(bh_sym_check("x", heap, err, sizeof(err)), -EINVAL);
		free(heap);
		CHECK_CONTAINS(err, "in no loaded file");
	}
	dlclose(ha);
}

TEST(self_and_embedded)
{
	struct bh_hbtf *h = bh_hbtf_new();
	struct bh_btf_ref r;
	char err[512] = "";
	int n;

	CHECK_EQ(bh_hbtf_add_embedded(h, err, sizeof(err)), 0);
	CHECK_STR(h->srcs[0].origin, "libbpfhost");
	CHECK(bh_embedded_btf_len > 0);
	/* the placeholder or the real built-in kfuncs: some FUNC is there */
	{
		const struct btf *b = bh_hbtf_btf(h, 0);
		uint32_t funcs = 0;

		for (uint32_t id = 1; id < btf__type_cnt(b); id++)
			funcs += kind_of(b, id) == BTF_KIND_FUNC;
		CHECK(funcs > 0);
	}
	CHECK_EQ(bh_hbtf_add_embedded(h, err, sizeof(err)), 0);

	n = bh_hbtf_add_self(h, err, sizeof(err));
	CHECK_MSG(n >= 1, "add_self: %d %s (test binary without pahole -J?)", n,
		  err);
	CHECK_EQ(h->cnt, 1 + (size_t)n);
	/* again: everything is there already */
	CHECK_EQ(bh_hbtf_add_self(h, err, sizeof(err)), 0);
	CHECK_EQ(bh_hbtf_find_type(h, "th_test", BTF_KIND_STRUCT, &r), 0);
	CHECK_EQ(r.src, 1);
	CHECK_EQ(bh_hbtf_find_func(h, "th_read_file", (void *)th_read_file, &r),
		 0);
	CHECK_EQ(r.src, 1);
	bh_hbtf_free(h);
}

TEST(no_btf_is_not_an_error_for_self_but_is_for_file)
{
	struct bh_hbtf *h = bh_hbtf_new();
	char err[512] = "";
	void *hd;

	NEED_FIXTURES();
	/* a loaded object without .BTF is skipped by the process scan */
	hd = dlopen(fix("nobtf.so"), RTLD_NOW | RTLD_LOCAL);
	CHECK(hd);
	CHECK(bh_hbtf_add_self(h, err, sizeof(err)) >= 0);
	for (size_t i = 0; i < h->cnt; i++)
		CHECK(!strstr(h->srcs[i].origin, "nobtf.so"));
	dlclose(hd);
	CHECK_EQ(bh_hbtf_add_file(h, fix("nobtf.so"), -1, err, sizeof(err)),
		 -ENOENT);
	CHECK_CONTAINS(err, "nobtf.so: no .BTF section");
	bh_hbtf_free(h);
}

TEST(corrupt_files_rejected_with_file_name)
{
	struct bh_hbtf *h = bh_hbtf_new();
	char err[512] = "";
	size_t sz;
	unsigned char *raw;

	NEED_FIXTURES();
	raw = (unsigned char *)th_read_file(fix("host.btf"), &sz);
	CHECK(raw && sz > 64);

	/* truncated inside the header */
	CHECK(!write_file(fix("trunc.btf"), raw, 10));
	CHECK_EQ(bh_hbtf_add_file(h, fix("trunc.btf"), -1, err, sizeof(err)),
		 -EINVAL);
	CHECK_CONTAINS(err, "trunc.btf: BTF truncated");

	/* truncated after the header: the header now lies about the size */
	CHECK(!write_file(fix("short.btf"), raw, sz - 7));
	CHECK_EQ(bh_hbtf_add_file(h, fix("short.btf"), -1, err, sizeof(err)),
		 -EINVAL);
	CHECK_CONTAINS(err, "short.btf: BTF header claims");

	/* a header claiming a huge string section */
	raw[20] = 0xff, raw[21] = 0xff, raw[22] = 0xff, raw[23] = 0x7f;
	CHECK(!write_file(fix("lying.btf"), raw, sz));
	CHECK_EQ(bh_hbtf_add_file(h, fix("lying.btf"), -1, err, sizeof(err)),
		 -EINVAL);
	CHECK_CONTAINS(err, "lying.btf: BTF header claims");
	free(raw);

	CHECK(!write_file(fix("junk.bin"), "hello, world", 12));
	CHECK_EQ(bh_hbtf_add_file(h, fix("junk.bin"), -1, err, sizeof(err)),
		 -EINVAL);
	CHECK_CONTAINS(err, "junk.bin: neither a raw BTF nor an ELF file");

	/* an ELF header and nothing else */
	CHECK(!write_file(fix("trunc.elf"),
			  "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0", 18));
	CHECK(bh_hbtf_add_file(h, fix("trunc.elf"), -1, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "trunc.elf: ");

	CHECK(bh_hbtf_add_file(h, fix("missing.btf"), -1, err, sizeof(err)) ==
	      -ENOENT);
	CHECK_CONTAINS(err, "missing.btf: ");
	CHECK_EQ(h->cnt, 0);
	bh_hbtf_free(h);
}

static int add_raw_btf(struct bh_hbtf *h, struct btf *b, const char *origin,
		       char *err, size_t errsz)
{
	uint32_t n;
	const void *data = btf__raw_data(b, &n);

	return data ? bh_hbtf_add_raw(h, data, n, origin, err, errsz) : -ENOMEM;
}

TEST(structurally_bad_btf_rejected)
{
	struct bh_hbtf *h = bh_hbtf_new();
	struct btf *b;
	char err[512] = "";

	/* a pointer to a type that does not exist */
	b = btf__new_empty();
	btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	btf__add_ptr(b, 99);
	CHECK_EQ(add_raw_btf(h, b, "dangling", err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(
		err,
		"dangling: BTF type [2]: refers to a type id out of range");
	btf__free(b);

	/* typedefs that name each other, and a struct containing itself */
	b = btf__new_empty();
	btf__add_typedef(b, "a", 2);
	btf__add_typedef(b, "b", 1);
	CHECK_EQ(add_raw_btf(h, b, "loop", err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "loop: BTF type [");
	CHECK_CONTAINS(err, "contains itself");
	btf__free(b);
	b = btf__new_empty();
	btf__add_struct(b, "s", 8);
	btf__add_field(b, "self", 1, 0, 0);
	CHECK_EQ(add_raw_btf(h, b, "selfish", err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "contains itself");
	btf__free(b);

	/* but through a pointer it is fine, and origin dedups */
	b = btf__new_empty();
	btf__add_struct(b, "s", 8);
	btf__add_field(b, "next", 2, 0, 0);
	btf__add_ptr(b, 1);
	CHECK_EQ(add_raw_btf(h, b, "list", err, sizeof(err)), 0);
	CHECK_EQ(add_raw_btf(h, b, "list", err, sizeof(err)), 0);
	CHECK_EQ(h->cnt, 1);
	btf__free(b);
	bh_hbtf_free(h);
}

/* Types every protos_compat BTF has, in this order, after `shift` fillers
 * (so equal names have different ids on the two sides). */
enum {
	T_INT,
	T_LONG,
	T_UCHAR,
	T_ENUM,
	T_FOO,
	T_FOO_V2,
	T_BAR,
	T_UFOO,
	T_FWD_FOO,
	T_FWD_UFOO,
	T_CFOO,
	T_TD_FOO,
	T_DOUBLE,
	P_VOID,
	P_INT,
	P_LONG,
	P_FOO,
	P_FOO_V2,
	P_BAR,
	P_UFOO,
	P_FWD_FOO,
	P_FWD_UFOO,
	P_CFOO,
	P_TD_FOO,
	PP_FOO,
	P_CHAIN40,
	T_NR,
	VOID = 1000, /* type id 0 */
	END = -1,
};

static void build_types(struct btf *b, int shift, int *ids)
{
	int chain;

	for (int i = 0; i < shift; i++)
		btf__add_int(b, "filler", 2, 0);
	ids[T_INT] = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	ids[T_LONG] = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	ids[T_UCHAR] = btf__add_int(b, "unsigned char", 1, 0);
	ids[T_ENUM] = btf__add_enum(b, "hf_color", 4);
	btf__add_enum_value(b, "HF_RED", 0);
	ids[T_FOO] = btf__add_struct(b, "foo", 4);
	btf__add_field(b, "x", ids[T_INT], 0, 0);
	ids[T_FOO_V2] = btf__add_struct(b, "foo___v2", 4);
	btf__add_field(b, "x", ids[T_INT], 0, 0);
	ids[T_BAR] = btf__add_struct(b, "bar", 4);
	btf__add_field(b, "x", ids[T_INT], 0, 0);
	ids[T_UFOO] = btf__add_union(b, "foo", 4);
	btf__add_field(b, "x", ids[T_INT], 0, 0);
	ids[T_FWD_FOO] = btf__add_fwd(b, "foo", BTF_FWD_STRUCT);
	ids[T_FWD_UFOO] = btf__add_fwd(b, "foo", BTF_FWD_UNION);
	ids[T_CFOO] = btf__add_const(b, ids[T_FOO]);
	ids[T_TD_FOO] = btf__add_typedef(b, "foo_t", ids[T_FOO]);
	ids[T_DOUBLE] = btf__add_float(b, "double", 8);
	ids[P_VOID] = btf__add_ptr(b, 0);
	ids[P_INT] = btf__add_ptr(b, ids[T_INT]);
	ids[P_LONG] = btf__add_ptr(b, ids[T_LONG]);
	ids[P_FOO] = btf__add_ptr(b, ids[T_FOO]);
	ids[P_FOO_V2] = btf__add_ptr(b, ids[T_FOO_V2]);
	ids[P_BAR] = btf__add_ptr(b, ids[T_BAR]);
	ids[P_UFOO] = btf__add_ptr(b, ids[T_UFOO]);
	ids[P_FWD_FOO] = btf__add_ptr(b, ids[T_FWD_FOO]);
	ids[P_FWD_UFOO] = btf__add_ptr(b, ids[T_FWD_UFOO]);
	ids[P_CFOO] = btf__add_ptr(b, ids[T_CFOO]);
	ids[P_TD_FOO] = btf__add_ptr(b, ids[T_TD_FOO]);
	ids[PP_FOO] = btf__add_ptr(b, ids[P_FOO]);
	chain = ids[T_INT];
	for (int i = 0; i < 40; i++)
		chain = btf__add_ptr(b, chain);
	ids[P_CHAIN40] = chain;
}

static int mkproto(struct btf *b, const int *ids, const int *spec)
{
	int proto = btf__add_func_proto(b, spec[0] == VOID ? 0 : ids[spec[0]]);

	for (int i = 1; spec[i] != END; i++)
		btf__add_func_param(b, "p", spec[i] == VOID ? 0 : ids[spec[i]]);
	return proto;
}

TEST(protos_compat_table)
{
	static const struct {
		const char *what;
		int local[4], targ[4];
		int want;
	} cases[] = {
		{"same int", {T_INT, T_INT, END}, {T_INT, T_INT, END}, 1},
		{"ints of any size",
		 {T_INT, T_INT, END},
		 {T_LONG, T_UCHAR, END},
		 1},
		{"enum vs int", {T_INT, T_ENUM, END}, {T_INT, T_INT, END}, 1},
		{"param count",
		 {T_INT, T_INT, T_INT, END},
		 {T_INT, T_INT, END},
		 0},
		{"no params", {VOID, END}, {VOID, END}, 1},
		{"void vs int return", {VOID, END}, {T_INT, END}, 0},
		{"int vs void return", {T_INT, END}, {VOID, END}, 0},
		{"struct ptr", {T_INT, P_FOO, END}, {T_INT, P_FOO, END}, 1},
		{"flavor ignored",
		 {T_INT, P_FOO_V2, END},
		 {T_INT, P_FOO, END},
		 1},
		{"other struct", {T_INT, P_BAR, END}, {T_INT, P_FOO, END}, 0},
		{"fwd vs struct",
		 {T_INT, P_FWD_FOO, END},
		 {T_INT, P_FOO, END},
		 1},
		{"struct vs fwd",
		 {T_INT, P_FOO, END},
		 {T_INT, P_FWD_FOO, END},
		 1},
		{"union fwd vs struct",
		 {T_INT, P_FWD_UFOO, END},
		 {T_INT, P_FOO, END},
		 0},
		{"union fwd vs union",
		 {T_INT, P_FWD_UFOO, END},
		 {T_INT, P_UFOO, END},
		 1},
		{"union vs struct",
		 {T_INT, P_UFOO, END},
		 {T_INT, P_FOO, END},
		 0},
		{"const skipped", {T_INT, P_CFOO, END}, {T_INT, P_FOO, END}, 1},
		{"typedef skipped",
		 {T_INT, P_TD_FOO, END},
		 {T_INT, P_FOO, END},
		 1},
		{"void * vs struct *",
		 {T_INT, P_VOID, END},
		 {T_INT, P_FOO, END},
		 0},
		{"struct * vs void *",
		 {T_INT, P_FOO, END},
		 {T_INT, P_VOID, END},
		 0},
		{"void * vs void *",
		 {T_INT, P_VOID, END},
		 {T_INT, P_VOID, END},
		 1},
		{"int * vs long *",
		 {T_INT, P_INT, END},
		 {T_INT, P_LONG, END},
		 1},
		{"ptr depth", {T_INT, PP_FOO, END}, {T_INT, P_FOO, END}, 0},
		{"struct by value",
		 {T_INT, T_FOO, END},
		 {T_INT, T_TD_FOO, END},
		 1},
		{"int vs ptr", {T_INT, T_INT, END}, {T_INT, P_INT, END}, 0},
		{"ptr vs int", {T_INT, P_INT, END}, {T_INT, T_LONG, END}, 0},
		{"float", {T_INT, T_DOUBLE, END}, {T_INT, T_DOUBLE, END}, 0},
		{"struct ret", {P_FOO, T_INT, END}, {P_FOO, T_ENUM, END}, 1},
		{"struct ret vs void", {P_FOO, END}, {VOID, END}, 0},
		{"varargs",
		 {T_INT, T_INT, VOID, END},
		 {T_INT, T_INT, VOID, END},
		 1},
	};
	struct btf *lb = btf__new_empty(), *tb = btf__new_empty();
	int lids[T_NR], tids[T_NR], lp, tp, got;

	build_types(lb, 3, lids);
	build_types(tb, 0, tids);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lp = mkproto(lb, lids, cases[i].local);
		tp = mkproto(tb, tids, cases[i].targ);
		CHECK(lp > 0 && tp > 0);
		got = bh_btf_protos_compat(lb, lp, tb, tp);
		th_case(cases[i].what, got == cases[i].want, "got %d, want %d",
			got, cases[i].want);
	}
	/* FUNC ids stand for their protos */
	lp = mkproto(lb, lids, (int[]){T_INT, P_FOO, END});
	tp = btf__add_func(tb, "f", BTF_FUNC_GLOBAL,
			   mkproto(tb, tids, (int[]){T_INT, P_FOO, END}));
	CHECK_EQ(bh_btf_protos_compat(lb, lp, tb, tp), 1);
	/* not a proto, out of range, too deep */
	CHECK_EQ(bh_btf_protos_compat(lb, lids[T_INT], tb, tp), -EINVAL);
	CHECK_EQ(bh_btf_protos_compat(lb, 100000, tb, tp), -EINVAL);
	lp = mkproto(lb, lids, (int[]){T_INT, P_CHAIN40, END});
	tp = mkproto(tb, tids, (int[]){T_INT, P_CHAIN40, END});
	CHECK(bh_btf_protos_compat(lb, lp, tb, tp) < 0);
	btf__free(lb);
	btf__free(tb);
}

struct strbuf {
	char *s;
	size_t len;
};

static void collect(void *ctx, const char *text)
{
	struct strbuf *b = ctx;
	size_t n = strlen(text);
	char *ns = realloc(b->s, b->len + n + 1);

	if (!ns)
		abort();
	memcpy(ns + b->len, text, n + 1);
	b->s = ns;
	b->len += n;
}

static const char bpf_prog_src[] =
	"#include \"host.h\"\n"
	"#define SEC(n) __attribute__((section(n), used))\n"
	"char LICENSE[] SEC(\"license\") = \"GPL\";\n"
	"SEC(\"syscall\") int prog(void *ctx)\n"
	"{\n"
	"	struct hf_widget *w = hf_widget_get(1, ctx, 0);\n"
	"	int r;\n"
	"\n"
	"	if (!w)\n"
	"		return 0;\n"
	"	r = w->id + hf_widget_sum(w, HF_BLUE) + (int)hf_handle(w);\n"
	"	hf_widget_put(w);\n"
	"	return r;\n"
	"}\n";

TEST(dump_c_compiles_for_bpf)
{
	static const char *names[] = {"hf_widget_get", "hf_widget_sum",
				      "hf_handle", "hf_widget_put"};
	struct bh_hbtf *h = bh_hbtf_new();
	struct bh_hbtf_func_decl decls[4] = {0};
	struct strbuf out = {NULL, 0};
	char err[512] = "";
	int ret;

	NEED_FIXTURES();
	CHECK_EQ(bh_hbtf_add_embedded(h, err, sizeof(err)), 0);
	CHECK_EQ(bh_hbtf_add_file(h, fix("host.so"), -1, err, sizeof(err)), 1);
	CHECK_EQ(bh_hbtf_add_file(h, fix("plugin.so"), 1, err, sizeof(err)), 2);
	/* and the whole test binary, with its libc types */
	CHECK(bh_hbtf_add_self(h, err, sizeof(err)) >= 1);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(bh_hbtf_find_func(h, names[i], NULL, &decls[i].func),
			 0);
		decls[i].comment = i == 0 ? "KF_ACQUIRE | KF_RET_NULL" : NULL;
	}
	decls[3].comment = "KF_RELEASE */ tricky";
	ret = bh_hbtf_dump_c(h, decls, 4, collect, &out);
	CHECK_MSG(ret == 0, "dump_c: %d", ret);
	CHECK_CONTAINS(out.s, "#ifndef __BPFHOST_HOST_H__");
	CHECK_CONTAINS(
		out.s,
		"#pragma clang attribute push "
		"(__attribute__((preserve_access_index)), apply_to = record)");
	CHECK_CONTAINS(out.s, "struct hf_widget {\n\tint id;\n\tlong int val;");
	CHECK_CONTAINS(out.s, "struct hf_plug {");
	CHECK_CONTAINS(out.s, "struct th_test {");
	CHECK_CONTAINS(out.s, "/* KF_ACQUIRE | KF_RET_NULL */\n"
			      "extern struct hf_widget *hf_widget_get(int "
			      "id__k, void *mem, int mem__sz) __ksym;\n");
	CHECK_CONTAINS(out.s, "extern int hf_widget_sum(const struct hf_widget "
			      "*w, enum hf_color c) __ksym;");
	CHECK_CONTAINS(
		out.s,
		"extern hf_handle_t hf_handle(struct hf_widget *w) __ksym;");
	CHECK_CONTAINS(
		out.s,
		"/* KF_RELEASE * / tricky */\nextern void hf_widget_put(");
	/* one definition of each struct although three sources have it */
	CHECK(!strstr(strstr(out.s, "struct hf_widget {") + 1,
		      "struct hf_widget {"));
	CHECK(!strstr(out.s, "bh_decl_"));

	CHECK(!write_file(fix("host.h"), out.s, out.len));
	CHECK(!write_file(fix("prog.bpf.c"), bpf_prog_src,
			  strlen(bpf_prog_src)));
	if (sh("command -v clang-19 >/dev/null")) {
		th_skip("clang-19 not installed: BPF compile of the dump");
	} else {
		CHECK_MSG(!sh("cd %s && clang-19 -O2 -g -target bpf -Wall "
			      "-Werror "
			      "-c prog.bpf.c -o prog.bpf.o",
			      fixdir),
			  "dumped header does not compile: %s/host.h", fixdir);
		/* the externs made it into the object as undefined symbols */
		CHECK(!sh("cd %s && llvm-objdump-19 -t prog.bpf.o | "
			  "grep -q '\\*UND\\*.*hf_widget_get'",
			  fixdir));
	}
	free(out.s);
	bh_hbtf_free(h);
}

TEST(dump_c_rejects_bad_func_refs)
{
	struct bh_hbtf *h = bh_hbtf_new();
	struct bh_hbtf_func_decl d = {{0, 1}, NULL};
	struct strbuf out = {NULL, 0};
	char err[256];

	CHECK_EQ(bh_hbtf_add_embedded(h, err, sizeof(err)), 0);
	/* id 1 of the embedded BTF is not a FUNC (a struct or an int) */
	if (kind_of(bh_hbtf_btf(h, 0), 1) != BTF_KIND_FUNC)
		CHECK_EQ(bh_hbtf_dump_c(h, &d, 1, collect, &out), -EINVAL);
	d.func.src = 7;
	CHECK_EQ(bh_hbtf_dump_c(h, &d, 1, collect, &out), -EINVAL);
	free(out.s);
	bh_hbtf_free(h);
}

static void sink(void *ctx, const char *text)
{
	*(size_t *)ctx += strlen(text);
}

/*
 * Mutated BTF must be rejected or work: never crash, hang or leak in the
 * parser, the lookups, the compat check or the dump (run under ASan too).
 */
TEST(mutated_btf_never_crashes)
{
	/* BH_FUZZ_ITERS / BH_FUZZ_SEED: longer runs by hand */
	const char *ei = getenv("BH_FUZZ_ITERS"), *es = getenv("BH_FUZZ_SEED");
	int iters = ei ? atoi(ei) : 3000;
	unsigned int seed = es ? (unsigned int)atoi(es) : 12345, accepted = 0;
	libbpf_print_fn_t old_print;
	unsigned char *raw, *mut;
	size_t sz;

	NEED_FIXTURES();
	raw = (unsigned char *)th_read_file(fix("host.btf"), &sz);
	CHECK(raw && sz > 64);
	mut = malloc(sz);
	CHECK(mut);
	/* libbpf would log every rejected mutant */
	old_print = libbpf_set_print(NULL);
	for (int iter = 0; iter < iters; iter++) {
		struct bh_hbtf *h = bh_hbtf_new();
		struct bh_btf_ref r;
		char err[256];
		size_t n = 0;
		int flips = 1 + iter % 4;

		memcpy(mut, raw, sz);
		for (int i = 0; i < flips; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly past the header, sometimes in it */
			size_t at = iter % 10 ? 24 + (seed >> 8) % (sz - 24)
					      : (seed >> 8) % 24;
			mut[at] = (unsigned char)(seed >> 20);
		}
		if (bh_hbtf_add_raw(h, mut, sz, "mutant", err, sizeof(err)) ==
		    0) {
			const struct btf *b = bh_hbtf_btf(h, 0);
			uint32_t cnt = btf__type_cnt(b);
			struct bh_hbtf_func_decl d[2];
			size_t nd = 0;

			accepted++;
			bh_hbtf_find_type(h, "hf_widget", BTF_KIND_STRUCT, &r);
			for (uint32_t id = 1; id < cnt && nd < 2; id++)
				if (kind_of(b, id) == BTF_KIND_FUNC)
					d[nd++] = (struct bh_hbtf_func_decl){
						{0, id}, NULL};
			for (uint32_t a = 1; a < cnt; a++)
				bh_btf_protos_compat(b, a, b, cnt - a);
			bh_hbtf_dump_c(h, d, nd, sink, &n);
		} else {
			CHECK_CONTAINS(err, "mutant");
		}
		bh_hbtf_free(h);
	}
	libbpf_set_print(old_print);
	free(mut);
	free(raw);
	/* some mutations only change names or sizes: they must still load */
	CHECK(accepted > 0);
}

/* Same for ELF files: headers and section table mutated, then added. */
TEST(mutated_elf_never_crashes)
{
	unsigned int seed = 777;
	libbpf_print_fn_t old_print;
	unsigned char *raw, *mut;
	uint64_t shoff;
	size_t sz;

	NEED_FIXTURES();
	raw = (unsigned char *)th_read_file(fix("host.so"), &sz);
	CHECK(raw && sz > 1024);
	memcpy(&shoff, raw + 0x28, sizeof(shoff));
	CHECK(shoff > 64 && shoff < sz);
	mut = malloc(sz);
	CHECK(mut);
	old_print = libbpf_set_print(NULL);
	for (int iter = 0; iter < 400; iter++) {
		struct bh_hbtf *h = bh_hbtf_new();
		char err[512];

		memcpy(mut, raw, sz);
		for (int i = 0; i < 1 + iter % 3; i++) {
			size_t at;

			seed = seed * 1103515245u + 12345u;
			at = iter % 2 ? (seed >> 8) % 64
				      : shoff + (seed >> 8) % (sz - shoff);
			mut[at] = (unsigned char)(seed >> 20);
		}
		CHECK(!write_file(fix("mutant.so"), mut, sz));
		if (bh_hbtf_add_file(h, fix("mutant.so"), -1, err,
				     sizeof(err)) < 0)
			CHECK_CONTAINS(err, "mutant.so");
		bh_hbtf_free(h);
	}
	libbpf_set_print(old_print);
	free(mut);
	free(raw);
}
