// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF program corpus: every tests/progs/NAME.bpf.c, compiled by clang-19
 * into $BUILD/progs/NAME.bpf.o, is opened, verified, loaded and run through
 * the public API, one program at a time, against what its source states:
 *
 *   // EXPECT: ACCEPT | REJECT text       every program (default: ACCEPT)
 *   // EXPECT(prog): ACCEPT | REJECT text that program; text is a substring
 *                                         of the kernel's message
 *   // RETVAL: 42, // RETVAL(prog): 7     r0 of an accepted program's run
 *   // RETVAL: none                       do not run it
 *   // CTX-HEX: 01 02 03                  ctx bytes passed to the programs
 *   // LOAD-ERROR: text                   the object must fail to load (link
 *                                         errors), text in the message
 *   // WARN: text                         loading must warn with text
 *
 * One case per program (per file for LOAD-ERROR).  The same expectations
 * are checked against the Linux kernel by test_kernel_oracle.
 *
 * tests/corpus-gaps.txt lists, with a reason, the programs bpfhost's
 * verifier does not handle yet: their failures are reported as SKIP (with
 * what happened), and a listed program that passes fails the test until
 * its line is removed, so the list only ever shrinks honestly.
 *
 * Programs may call the test kfuncs below (registered for "syscall" the
 * kernel's way, from a constructor; this binary's BTF comes from pahole).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "bpfhost/bpfhost.h"
#include "bpfhost/kfunc.h"
#include "harness.h"
#include "support/spec.h"

/* ---- test kfuncs ---- */

struct bh_test_obj {
	int refs;
	int val;
};

struct bpf_iter_bh_count {
	uint64_t state[2];
};

/* the uapi's opaque dynptr, as programs declare it */
struct bpf_dynptr {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

static struct bh_test_obj test_objs[4];

__bpf_kfunc_start_defs();

__bpf_kfunc uint64_t bh_test_add(uint64_t a, uint64_t b)
{
	return a + b;
}

__bpf_kfunc int bh_test_kfunc(int x)
{
	return x * 10;
}

/* narrow types: the runtime must extend them as the ABI leaves them */
__bpf_kfunc short bh_test_s16(short x)
{
	return (short)(x - 1);
}

__bpf_kfunc unsigned char bh_test_u8(unsigned char x)
{
	return (unsigned char)(x + 1);
}

__bpf_kfunc _Bool bh_test_bool(_Bool b)
{
	return !b;
}

__bpf_kfunc struct bh_test_obj *bh_test_acquire(int i)
{
	if (i < 0 || i >= 4)
		return NULL;
	test_objs[i].refs++;
	test_objs[i].val = 100 + i;
	return &test_objs[i];
}

__bpf_kfunc void bh_test_release(struct bh_test_obj *o)
{
	o->refs--;
}

/* the destructor of bh_test_obj kptrs left in maps */
__bpf_kfunc void bh_test_release_dtor(void *o)
{
	bh_test_release(o);
}

/*
 * KF_KPTR_GET (kernels 6.0-6.3, as their bpf_kfunc_call_test_kptr_get):
 * a new reference to the object a map value's kptr field holds, taken
 * only while the object is alive (refcount_inc_not_zero).  test_objs are
 * never freed, so reading a dying object's count is safe; a and b are
 * ordinary arguments, unused.
 */
__bpf_kfunc struct bh_test_obj *bh_test_kptr_get(struct bh_test_obj **pp, int a,
						 int b)
{
	struct bh_test_obj *o = __atomic_load_n(pp, __ATOMIC_ACQUIRE);
	int refs;

	(void)a;
	(void)b;
	if (!o)
		return NULL;
	refs = __atomic_load_n(&o->refs, __ATOMIC_RELAXED);
	do {
		if (refs <= 0)
			return NULL;
	} while (!__atomic_compare_exchange_n(&o->refs, &refs, refs + 1, false,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return o;
}

__bpf_kfunc int bh_test_val(struct bh_test_obj *o)
{
	return o->val;
}

/* walked pointers: outer.safe is listed as trusted, outer.other is not */
struct bh_test_outer {
	int refs;
	struct bh_test_obj *safe;
	struct bh_test_obj *other;
};

BTF_TYPE_SAFE_NESTED(struct bh_test_outer)
{
	struct bh_test_obj *safe;
};

static struct bh_test_obj outer_safe = {.val = 102};
static struct bh_test_obj outer_other = {.val = 103};
static struct bh_test_outer test_outer = {
	.safe = &outer_safe,
	.other = &outer_other,
};

__bpf_kfunc struct bh_test_outer *bh_test_outer_get(void)
{
	test_outer.refs++;
	return &test_outer;
}

__bpf_kfunc void bh_test_outer_put(struct bh_test_outer *o)
{
	o->refs--;
}

/* per-argument contracts (KF_ARG): releases its second argument */
__bpf_kfunc int bh_test_swap(struct bh_test_obj *keep, struct bh_test_obj *drop)
{
	drop->refs--;
	return keep->val + drop->val;
}

/* trusted, but NULL allowed */
__bpf_kfunc int bh_test_maybe(struct bh_test_obj *o)
{
	return o ? o->val : -1;
}

/* k must be a known constant */
__bpf_kfunc int bh_test_scale(int x, int k)
{
	return x * k;
}

__bpf_kfunc int bh_test_sum_mem(const unsigned char *mem, uint32_t mem__sz)
{
	int s = 0;

	for (uint32_t i = 0; i < mem__sz; i++)
		s += mem[i];
	return s;
}

/* the calling program, as the runtime injects it for __prog */
__bpf_kfunc int bh_test_prog_name_len(int x, void *aux__prog)
{
	const struct bpf_prog *p = aux__prog;

	return p && p->name ? (int)strlen(p->name) + x : -1;
}

/* __str: a constant string from the program's read-only data */
__bpf_kfunc int bh_test_strlen(const char *name__str)
{
	return (int)strlen(name__str);
}

/* __map: the runtime's map for a map the program names */
__bpf_kfunc uint32_t bh_test_map_entries(void *map__map)
{
	struct bpfhost_map_info info;

	bpfhost_kfunc_map_info(map__map, &info);
	return info.max_entries;
}

/* rdwr_buf_size / rdonly_buf_size: R0 is memory of that many bytes */
static int test_bufs[4][16];
static const int test_table[16] = {0,  1,  4,	9,   16,  25,  36,  49,
				   64, 81, 100, 121, 144, 169, 196, 225};

__bpf_kfunc int *bh_test_buf(struct bh_test_obj *o, int rdwr_buf_size)
{
	if (rdwr_buf_size < 0 || rdwr_buf_size > (int)sizeof(test_bufs[0]))
		return NULL;
	return test_bufs[o - test_objs];
}

__bpf_kfunc const int *bh_test_table(int rdonly_buf_size)
{
	if (rdonly_buf_size < 0 || rdonly_buf_size > (int)sizeof(test_table))
		return NULL;
	return test_table;
}

/* a host dynptr constructor over an object's buffer (static memory) */
__bpf_kfunc int bh_test_dynptr(struct bh_test_obj *o, uint32_t size,
			       struct bpf_dynptr *ptr__uninit)
{
	int *buf = test_bufs[o - test_objs];

	buf[0] = o->val;
	return bpfhost_dynptr_init(ptr__uninit, buf, size, false);
}

__bpf_kfunc int bh_test_old(int x)
{
	return x + 1;
}

__bpf_kfunc int bh_test_tracing_only(int x)
{
	return x;
}

__bpf_kfunc int bpf_iter_bh_count_new(struct bpf_iter_bh_count *it, int n)
{
	it->state[0] = 0;
	it->state[1] = n < 0 ? 0 : (uint64_t)n;
	return 0;
}

__bpf_kfunc int *bpf_iter_bh_count_next(struct bpf_iter_bh_count *it)
{
	if (it->state[0] >= it->state[1])
		return NULL;
	it->state[0]++;
	return (int *)&it->state[0];
}

__bpf_kfunc void bpf_iter_bh_count_destroy(struct bpf_iter_bh_count *it)
{
	it->state[1] = 0;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(corpus_kfuncs)
BTF_ID_FLAGS(func, bh_test_add)
BTF_ID_FLAGS(func, bh_test_kfunc)
BTF_ID_FLAGS(func, bh_test_s16)
BTF_ID_FLAGS(func, bh_test_u8)
BTF_ID_FLAGS(func, bh_test_bool)
BTF_ID_FLAGS(func, bh_test_acquire, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bh_test_release, KF_RELEASE)
BTF_ID_FLAGS(func, bh_test_val, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bh_test_outer_get, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bh_test_outer_put, KF_RELEASE)
BTF_ID_FLAGS(func, bh_test_kptr_get, KF_ACQUIRE | KF_RET_NULL | KF_KPTR_GET)
BTF_ID_FLAGS(func, bh_test_sum_mem)
BTF_ID_FLAGS(func, bh_test_swap,
	     KF_ARG(0, KF_ARG_TRUSTED) | KF_ARG(1, KF_ARG_RELEASE))
BTF_ID_FLAGS(func, bh_test_maybe, KF_ARG(0, KF_ARG_TRUSTED | KF_ARG_NULLABLE))
BTF_ID_FLAGS(func, bh_test_scale, KF_ARG(1, KF_ARG_CONST))
BTF_ID_FLAGS(func, bh_test_prog_name_len)
BTF_ID_FLAGS(func, bh_test_strlen)
BTF_ID_FLAGS(func, bh_test_map_entries)
BTF_ID_FLAGS(func, bh_test_buf, KF_TRUSTED_ARGS | KF_RET_NULL)
BTF_ID_FLAGS(func, bh_test_table, KF_RET_NULL)
BTF_ID_FLAGS(func, bh_test_dynptr, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_iter_bh_count_new, KF_ITER_NEW)
BTF_ID_FLAGS(func, bpf_iter_bh_count_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_bh_count_destroy, KF_ITER_DESTROY)
BPFHOST_ID_DEPRECATED(func, bh_test_old, "bh_test_kfunc", "scales by 10")
BPFHOST_ID_REMOVED(bh_test_gone, "bh_test_add", "merged into bh_test_add")
BTF_KFUNCS_END(corpus_kfuncs)

BTF_KFUNCS_START(corpus_tracing_kfuncs)
BTF_ID_FLAGS(func, bh_test_tracing_only)
BTF_KFUNCS_END(corpus_tracing_kfuncs)

static const struct btf_kfunc_id_set corpus_set = {
	.owner = THIS_MODULE,
	.set = &corpus_kfuncs,
};

static const struct btf_kfunc_id_set corpus_tracing_set = {
	.owner = THIS_MODULE,
	.set = &corpus_tracing_kfuncs,
};

static const struct btf_id_dtor_kfunc corpus_dtors[] = {
	{.btf_id = BTF_ID(struct, bh_test_obj),
	 .kfunc_btf_id = BTF_ID(func, bh_test_release_dtor)},
};

static int __init corpus_kfuncs_init(void)
{
	BTF_TYPE_EMIT(BTF_TYPE_SAFE_NESTED(struct bh_test_outer));
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &corpus_set) ?:
		       register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING,
						 &corpus_tracing_set) ?:
		       register_btf_id_dtor_kfuncs(corpus_dtors, 1,
						   THIS_MODULE);
}
late_initcall(corpus_kfuncs_init);

static void no_log(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

#define GAPS "tests/corpus-gaps.txt"

static void run_prog(struct bpfhost_rt *rt, const char *obj_path,
		     const char *file, const struct spec *sp, const char *pname,
		     size_t idx)
{
	char log[8192], case_name[300];
	const char *reject = spec_reject(sp, pname);
	const struct spec_retval *e = spec_retval(sp, pname);
	struct bpfhost_obj *obj;
	struct bpfhost_prog *prog;
	uint8_t ctx[4096];
	uint64_t r0 = 0;
	int err;

	snprintf(case_name, sizeof(case_name), "%s/%s", file, pname);
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log,
			     .log_size = sizeof(log));

		log[0] = '\0';
		obj = bpfhost_obj_open(rt, obj_path, &oo);
	}
	if (!obj) {
		spec_case(GAPS, case_name, 0, "open failed: %s", log);
		return;
	}
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++)
		bpfhost_prog_set_autoload(bpfhost_obj_prog_at(obj, i),
					  i == idx);
	prog = bpfhost_obj_prog_at(obj, idx);
	err = bpfhost_obj_load(obj);
	if (reject) {
		spec_case(GAPS, case_name,
			  err && strstr(bpfhost_obj_error(obj), reject),
			  "expected REJECT \"%s\", got %s%s", reject,
			  err ? "REJECT: " : "ACCEPT",
			  err ? bpfhost_obj_error(obj) : "");
		goto out;
	}
	if (err) {
		spec_case(GAPS, case_name, 0, "expected ACCEPT, got REJECT: %s",
			  bpfhost_obj_error(obj));
		goto out;
	}
	if (sp->warn[0] && !strstr(log, sp->warn)) {
		spec_case(GAPS, case_name, 0,
			  "no warning \"%s\" in the load log: %s", sp->warn,
			  log);
		goto out;
	}
	if (!e || e->none) {
		spec_case(GAPS, case_name, 1, "%s", "");
		goto out;
	}
	memcpy(ctx, sp->ctx, sp->ctx_len);
	err = bpfhost_prog_run(prog, sp->ctx_len ? ctx : NULL, sp->ctx_len,
			       &r0);
	spec_case(GAPS, case_name, !err && r0 == e->val,
		  "run: err %d, r0 %" PRIu64 " (0x%" PRIx64
		  "), expected %" PRIu64,
		  err, r0, r0, e->val);
out:
	bpfhost_obj_free(obj);
}

static void run_one(const char *name)
{
	/* messages are checked through the object's log buffer */
	BPFHOST_OPTS(bpfhost_rt_opts, quiet, .log = no_log);
	char src_path[512], obj_path[512], log[8192];
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	struct spec *sp = calloc(1, sizeof(*sp));
	char *src;

	snprintf(src_path, sizeof(src_path), "tests/progs/%s.bpf.c", name);
	snprintf(obj_path, sizeof(obj_path), "%s/progs/%s.bpf.o",
		 th_build_dir(), name);
	src = th_read_file(src_path, NULL);
	if (!src || !sp) {
		th_case(name, 0, "cannot read %s", src_path);
		free(src);
		free(sp);
		return;
	}
	spec_parse(src, sp);
	free(src);
	rt = bpfhost_rt_new(&quiet);
	if (!rt) {
		th_case(name, 0, "no runtime");
		free(sp);
		return;
	}
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log,
			     .log_size = sizeof(log));

		log[0] = '\0';
		obj = bpfhost_obj_open(rt, obj_path, &oo);
	}
	if (!obj) {
		th_case(name, sp->load_error[0] && strstr(log, sp->load_error),
			"open failed: %s", log);
		goto out;
	}
	if (sp->load_error[0]) {
		int err = bpfhost_obj_load(obj);

		th_case(name,
			err && strstr(bpfhost_obj_error(obj), sp->load_error),
			"load: err %d, \"%s\"; expected an error with \"%s\"",
			err, bpfhost_obj_error(obj), sp->load_error);
		goto out;
	}
	/* each program verified and loaded on its own, as kload does with
	 * the kernel, so one rejection does not hide the others' verdicts */
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++)
		run_prog(rt, obj_path, name, sp,
			 bpfhost_prog_name(bpfhost_obj_prog_at(obj, i)), i);
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(sp);
}

TEST(corpus)
{
	char **names;
	int n = spec_list_dir("tests/progs", &names);

	CHECK_MSG(n >= 0, "cannot open tests/progs (run from the repo root)");
	CHECK_MSG(n > 0, "no programs in tests/progs");
	for (int i = 0; i < n; i++)
		run_one(names[i]);
	spec_names_free(names, n);
}
