// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kfunc system's registration surface: the kernel documentation's
 * examples compile unchanged and register; every registration rule accepts
 * what it should and refuses the rest with a message naming the kfunc and
 * the rule; annotations are parsed from parameter names; per-argument
 * flags are the same contracts as their whole-function spellings.
 *
 * The kfuncs below get their BTF from this test binary (the Makefile runs
 * `pahole -J` on it after linking), exactly as a host's would.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "bpfhost/kfunc.h"
#include "harness.h"

#include "../seed/kfuncs_rst.c"

struct tk_obj {
	int refs;
	int val;
};

struct bpf_iter_tk {
	uint64_t state[2];
};

struct bpf_iter_odd {
	uint32_t state[3]; /* size 12: not a multiple of 8 */
};

struct bpf_iter_tk2 {
	uint64_t state;
};

struct bpf_iter_tk3 {
	uint64_t state;
};

struct tk_big {
	uint64_t a, b;
};

static char last_log[1024];

static void capture(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

__bpf_kfunc_start_defs();

__bpf_kfunc struct tk_obj *tk_acquire(int id)
{
	static struct tk_obj o;

	o.val = id;
	o.refs++;
	return &o;
}
__bpf_kfunc void tk_release(struct tk_obj *o)
{
	o->refs--;
}
__bpf_kfunc void tk_release_second(struct tk_obj *a, struct tk_obj *b)
{
	(void)a;
	b->refs--;
}
__bpf_kfunc int tk_int(int x)
{
	return x;
}
struct bpf_prog_aux;
__bpf_kfunc int tk_implicit(int x, struct bpf_prog_aux *aux)
{
	return aux ? x : -1;
}
__bpf_kfunc int tk_six(int a, int b, int c, int d, int e, int f)
{
	return a + b + c + d + e + f;
}
__bpf_kfunc int tk_two_ptrs(struct tk_obj *a, struct tk_obj *b)
{
	return a->val + (b ? b->val : 0);
}
__bpf_kfunc int tk_byval(struct tk_big big)
{
	return (int)big.a;
}
__bpf_kfunc int tk_mem(void *mem, int mem__sz, int x__k, void *p__nullable,
		       const char *s__str)
{
	(void)mem;
	(void)p__nullable;
	(void)s__str;
	return mem__sz + x__k;
}
__bpf_kfunc int tk_more(void *d__uninit, void *i__ign, void *aux__prog,
			void *m__map, void *o__alloc)
{
	(void)d__uninit;
	(void)i__ign;
	(void)aux__prog;
	(void)m__map;
	(void)o__alloc;
	return 0;
}
__bpf_kfunc void *tk_buf(struct tk_obj *o, int rdonly_buf_size)
{
	(void)rdonly_buf_size;
	return o;
}
__bpf_kfunc int tk_rest(void *r__refcounted_kptr, void *it__iter,
			unsigned long *f__irq_flag, int q__szk, int b__opt)
{
	(void)r__refcounted_kptr;
	(void)it__iter;
	(void)f__irq_flag;
	(void)q__szk;
	return b__opt;
}

__bpf_kfunc int bpf_iter_tk_new(struct bpf_iter_tk *it, int start)
{
	it->state[0] = (uint64_t)start;
	return 0;
}
__bpf_kfunc int *bpf_iter_tk_next(struct bpf_iter_tk *it)
{
	return (int *)&it->state[0];
}
__bpf_kfunc void bpf_iter_tk_destroy(struct bpf_iter_tk *it)
{
	(void)it;
}
__bpf_kfunc int bpf_iter_tk_next_bad(struct bpf_iter_tk *it)
{
	(void)it;
	return 0;
}
__bpf_kfunc int *bpf_iter_odd_next(struct bpf_iter_odd *it)
{
	return (int *)it;
}
__bpf_kfunc int *bpf_iter_tkx_next(struct bpf_iter_tk *it, int extra)
{
	(void)extra;
	return (int *)it;
}
__bpf_kfunc int tk_destroy_ret(struct bpf_iter_tk *it)
{
	(void)it;
	return 0;
}
__bpf_kfunc int *bpf_iter_tk2_next(struct bpf_iter_tk2 *it, int extra)
{
	(void)extra;
	return (int *)it;
}
__bpf_kfunc int bpf_iter_tk2_destroy(struct bpf_iter_tk2 *it)
{
	(void)it;
	return 0;
}
__bpf_kfunc int bpf_iter_tk3_next(struct bpf_iter_tk3 *it)
{
	(void)it;
	return 0;
}

/* KF_KPTR_GET shapes: T *f(T **, ...) and the ways to get it wrong */
__bpf_kfunc struct tk_obj *tk_kptr_get(struct tk_obj **pp, int a)
{
	(void)a;
	return *pp;
}

__bpf_kfunc struct tk_obj *tk_kptr_get_single(struct tk_obj *p)
{
	return p;
}

__bpf_kfunc struct tk_obj *tk_kptr_get_int(int **pp)
{
	(void)pp;
	return NULL;
}

__bpf_kfunc struct tk_big *tk_kptr_get_other(struct tk_obj **pp)
{
	(void)pp;
	return NULL;
}

__bpf_kfunc_end_defs();

/* Register one entry for "syscall" in a fresh runtime; the log is kept. */
static int reg_one(struct bpfhost_rt *rt, const struct bpfhost_kfunc_desc *d)
{
	struct btf_id_set8 set = {1, BTF_SET8_KFUNCS, d};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};

	last_log[0] = '\0';
	return bpfhost_kfunc_set_add(rt, "syscall", &ks);
}

static struct bpfhost_rt *new_rt(void)
{
	BPFHOST_OPTS(bpfhost_rt_opts, o, .log = capture);

	return bpfhost_rt_new(&o);
}

static int find_info(struct bpfhost_rt *rt, const char *name,
		     struct bpfhost_kfunc_info *ki)
{
	for (size_t i = 0; i < bpfhost_kfunc_count(rt); i++)
		if (!bpfhost_kfunc_info(rt, i, ki) && !strcmp(ki->name, name))
			return 0;
	return -ENOENT;
}

#define DESC(fn, fl)                              \
	{                                         \
#fn, (void *)fn, (fl), NULL, NULL \
	}

TEST(seed_examples_register)
{
	struct bpfhost_rt *rt = new_rt();
	struct bpfhost_kfunc_info ki;

	/* init_subsystem() ran as a constructor into the default registry,
	 * which every new runtime adopts */
	CHECK_STR(bpfhost_kfunc_default_error(), "");
	CHECK(rt);
	CHECK_EQ(find_info(rt, "bpf_get_task_pid", &ki), 0);
	CHECK_STR(ki.prog_type, "tracing");
	CHECK_EQ(ki.flags, KF_ACQUIRE | KF_RET_NULL);
	CHECK_STR(ki.proto, "struct pid *bpf_get_task_pid(s32 pid)");
	CHECK_EQ(find_info(rt, "bpf_put_pid", &ki), 0);
	CHECK_EQ(ki.flags, KF_RELEASE);
	CHECK_EQ(ki.args[0].flags, KF_ARG_RELEASE);
	/* the seed kfuncs really run */
	CHECK(bpf_get_task_pid(42) == &seed_pid);
	CHECK_EQ(seed_pid.count, 2);
	bpf_put_pid(&seed_pid);
	CHECK_EQ(seed_pid.count, 1);
	bpfhost_rt_free(rt);
}

TEST(register_accepts_acquire_release)
{
	struct bpfhost_rt *rt = new_rt();
	const struct bpfhost_kfunc_desc d[] = {
		DESC(tk_acquire, KF_ACQUIRE | KF_RET_NULL),
		DESC(tk_release, KF_RELEASE),
	};
	struct btf_id_set8 set = {2, BTF_SET8_KFUNCS, d};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};
	struct bpfhost_kfunc_info ki;

	CHECK(rt);
	CHECK_EQ(bpfhost_kfunc_set_add(rt, "syscall", &ks), 0);
	/* the same registration again is a no-op */
	CHECK_EQ(bpfhost_kfunc_set_add(rt, "syscall", &ks), 0);
	CHECK_EQ(find_info(rt, "tk_acquire", &ki), 0);
	CHECK_STR(ki.proto, "struct tk_obj *tk_acquire(int id)");
	CHECK_STR(ki.flags_str, "KF_ACQUIRE | KF_RET_NULL");
	CHECK_STR(ki.prog_type, "syscall");
	CHECK(strstr(ki.origin, "test_kfunc"));
	bpfhost_rt_free(rt);
}

/* KF_IMPLICIT_ARGS: the last parameter is the runtime's; the C header
 * programs include declares the others only */
TEST(register_implicit_args)
{
	struct bpfhost_rt *rt = new_rt();
	const struct bpfhost_kfunc_desc d[] = {
		DESC(tk_implicit, KF_IMPLICIT_ARGS),
	};
	struct btf_id_set8 set = {1, BTF_SET8_KFUNCS, d};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};
	struct bpfhost_kfunc_info ki;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(rt);
	CHECK_EQ(bpfhost_kfunc_set_add(rt, "syscall", &ks), 0);
	CHECK_EQ(find_info(rt, "tk_implicit", &ki), 0);
	CHECK_STR(ki.flags_str, "KF_IMPLICIT_ARGS");
	f = open_memstream(&buf, &len);
	CHECK(f);
	CHECK_EQ(bpfhost_btf_dump_c(rt, f), 0);
	fclose(f);
	CHECK_CONTAINS(buf, "extern int tk_implicit(int x) __ksym;");
	free(buf);
	bpfhost_rt_free(rt);
}

struct refusal {
	struct bpfhost_kfunc_desc d;
	const char *msg;
};

TEST(register_refusals)
{
	const struct refusal cases[] = {
		{DESC(tk_int, KF_ACQUIRE), "kfunc 'tk_int': KF_ACQUIRE must "
					   "return a pointer to a struct"},
		{DESC(tk_int, KF_RELEASE), "kfunc 'tk_int': KF_RELEASE needs a "
					   "pointer as its first argument"},
		{DESC(tk_int, KF_RET_NULL),
		 "kfunc 'tk_int': KF_RET_NULL on a kfunc that does not return "
		 "a pointer"},
		{DESC(tk_six, 0), "kfunc 'tk_six' has 6 parameters; at most 5"},
		{DESC(tk_int, 1u << 20),
		 "kfunc 'tk_int': unknown flag bits 0x100000"},
		{DESC(tk_byval, 0), "kfunc 'tk_byval': arg#0 'big' is neither "
				    "a pointer nor an integer"},
		/* KF_IMPLICIT_ARGS (7.0): the runtime's last argument */
		{DESC(tk_int, KF_IMPLICIT_ARGS),
		 "kfunc 'tk_int': KF_IMPLICIT_ARGS needs a last parameter "
		 "'struct bpf_prog_aux *'"},
		{DESC(tk_two_ptrs, KF_IMPLICIT_ARGS),
		 "kfunc 'tk_two_ptrs': KF_IMPLICIT_ARGS needs a last "
		 "parameter"},
		{DESC(tk_int, KF_ARG(1, KF_ARG_TRUSTED)),
		 "kfunc 'tk_int': KF_ARG(1, ...) given but it has 1 "
		 "parameters"},
		{DESC(tk_int, KF_ARG(0, KF_ARG_NULLABLE)),
		 "kfunc 'tk_int': arg#0 'x' is not a pointer but has pointer "
		 "flags"},
		{DESC(tk_two_ptrs, KF_ARG(0, KF_ARG_CONST)),
		 "kfunc 'tk_two_ptrs': arg#0 'a' is a pointer; KF_ARG_CONST is "
		 "for scalars"},
		{DESC(tk_two_ptrs,
		      KF_ARG(0, KF_ARG_RELEASE) | KF_ARG(1, KF_ARG_RELEASE)),
		 "kfunc 'tk_two_ptrs': releases 2 arguments; a kfunc releases "
		 "at most one"},
		{DESC(tk_two_ptrs, KF_ARG(0, KF_ARG_ACQUIRE_INTO)),
		 "KF_ARG_ACQUIRE_INTO needs a pointer to a pointer to a "
		 "struct"},
		/* a name with no BTF FUNC, and a name whose address is another
		 * function's */
		{{"tk_no_such", (void *)tk_int, 0, NULL, NULL},
		 "kfunc 'tk_no_such': no BTF FUNC 'tk_no_such' in the host "
		 "BTF"},
		{{"tk_int", (void *)tk_six, 0, NULL, NULL}, "tk_six"},
		/* iterators: the kernel's seven rules */
		{DESC(bpf_iter_tk_next, KF_ITER_NEXT | KF_ITER_DESTROY),
		 "take exactly one of KF_ITER_NEW, KF_ITER_NEXT, "
		 "KF_ITER_DESTROY"},
		{DESC(tk_int, KF_ITER_NEW),
		 "kfunc 'tk_int': first parameter must be a pointer to struct "
		 "bpf_iter_<type>"},
		{DESC(bpf_iter_odd_next, KF_ITER_NEXT),
		 "struct bpf_iter_odd has size 12, must be a non-zero multiple "
		 "of 8"},
		{DESC(bpf_iter_tk2_next, KF_ITER_NEXT),
		 "kfunc 'bpf_iter_tk2_next': only the iterator constructor may "
		 "take more than one parameter"},
		{DESC(bpf_iter_tk2_destroy, KF_ITER_DESTROY),
		 "kfunc 'bpf_iter_tk2_destroy': iterator destroy must return "
		 "void"},
		{DESC(bpf_iter_tk3_next, KF_ITER_NEXT),
		 "kfunc 'bpf_iter_tk3_next': iterator next must return a "
		 "pointer"},
		{DESC(tk_destroy_ret, KF_ITER_DESTROY),
		 "an iterator destroy kfunc for struct bpf_iter_tk must be "
		 "named 'bpf_iter_tk_destroy'"},
		{DESC(bpf_iter_tk_next_bad, KF_ITER_NEXT),
		 "must be named 'bpf_iter_tk_next'"},
		{DESC(bpf_iter_tkx_next, KF_ITER_NEXT),
		 "must be named 'bpf_iter_tk_next'"},
		{DESC(bpf_iter_tk_new, KF_ITER_NEXT),
		 "an iterator next kfunc for struct bpf_iter_tk must be named "
		 "'bpf_iter_tk_next'"},
		/* KF_KPTR_GET (6.0-6.3): T *f(T **, ...), acquire, NULL-able */
		{DESC(tk_kptr_get, KF_KPTR_GET),
		 "kfunc 'tk_kptr_get': KF_KPTR_GET needs KF_ACQUIRE | "
		 "KF_RET_NULL"},
		{DESC(tk_kptr_get, KF_KPTR_GET | KF_ACQUIRE),
		 "kfunc 'tk_kptr_get': KF_KPTR_GET needs KF_ACQUIRE | "
		 "KF_RET_NULL"},
		{DESC(tk_kptr_get,
		      KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL | KF_RELEASE),
		 "kfunc 'tk_kptr_get': KF_KPTR_GET cannot be combined with "
		 "KF_RELEASE"},
		{DESC(tk_acquire, KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL),
		 "kfunc 'tk_acquire': arg#0 BTF type must be a double pointer "
		 "for KF_KPTR_GET"},
		{DESC(tk_kptr_get_single,
		      KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL),
		 "kfunc 'tk_kptr_get_single': arg#0 BTF type must be a double "
		 "pointer"},
		{DESC(tk_kptr_get_int, KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL),
		 "kfunc 'tk_kptr_get_int': arg#0 of a KF_KPTR_GET kfunc must "
		 "point to a pointer to a struct"},
		{DESC(tk_kptr_get_other,
		      KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL),
		 "kfunc 'tk_kptr_get_other': a KF_KPTR_GET kfunc must return a "
		 "pointer to the struct its kptr field holds (struct tk_obj)"},
		{DESC(tk_kptr_get, KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL |
					   KF_ARG(0, KF_ARG_NULLABLE)),
		 "kfunc 'tk_kptr_get': arg#0 of a KF_KPTR_GET kfunc is a map "
		 "value address; it takes no KF_ARG flags"},
	};
	struct bpfhost_rt *rt = new_rt();

	CHECK(rt);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];
		int ret = reg_one(rt, &cases[i].d);

		snprintf(name, sizeof(name), "refuse/%zu/%s", i,
			 cases[i].d.name);
		th_case(name, ret < 0 && strstr(last_log, cases[i].msg),
			"ret %d, log \"%s\", expected \"%s\"", ret, last_log,
			cases[i].msg);
	}
	bpfhost_rt_free(rt);
}

/* a well-formed KF_KPTR_GET kfunc registers, KF_TRUSTED_ARGS or not, and
 * its field address carries no pointer contract (it is a map value) */
TEST(register_kptr_get_accept)
{
	static const uint32_t flags[] = {
		KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL,
		KF_KPTR_GET | KF_ACQUIRE | KF_RET_NULL | KF_TRUSTED_ARGS,
	};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct bpfhost_rt *rt = new_rt();
		const struct bpfhost_kfunc_desc d = DESC(tk_kptr_get, flags[i]);
		struct bpfhost_kfunc_info ki;

		CHECK(rt);
		CHECK_MSG(reg_one(rt, &d) == 0, "log: %s", last_log);
		CHECK_EQ(find_info(rt, "tk_kptr_get", &ki), 0);
		CHECK_EQ(ki.flags & KF_KPTR_GET, KF_KPTR_GET);
		CHECK_EQ(ki.args[0].flags, 0);
		bpfhost_rt_free(rt);
	}
}

TEST(register_iterator_rules_accept)
{
	struct bpfhost_rt *rt = new_rt();
	const struct bpfhost_kfunc_desc d[] = {
		DESC(bpf_iter_tk_new, KF_ITER_NEW),
		DESC(bpf_iter_tk_next, KF_ITER_NEXT | KF_RET_NULL),
		DESC(bpf_iter_tk_destroy, KF_ITER_DESTROY),
	};
	struct btf_id_set8 set = {3, BTF_SET8_KFUNCS, d};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};

	CHECK(rt);
	CHECK_MSG(bpfhost_kfunc_set_add(rt, "syscall", &ks) == 0, "%s",
		  last_log);
	bpfhost_rt_free(rt);
}

TEST(register_twice_different_flags)
{
	struct bpfhost_rt *rt = new_rt();
	const struct bpfhost_kfunc_desc a = DESC(tk_acquire, KF_ACQUIRE);
	const struct bpfhost_kfunc_desc b =
		DESC(tk_acquire, KF_ACQUIRE | KF_RET_NULL);

	CHECK(rt);
	CHECK_EQ(reg_one(rt, &a), 0);
	CHECK(reg_one(rt, &b) < 0);
	CHECK_CONTAINS(last_log, "kfunc 'tk_acquire' registered twice for "
				 "'syscall' with different flags");
	/* a different program type may have its own flags, as in the kernel */
	{
		struct btf_id_set8 set = {1, BTF_SET8_KFUNCS, &b};
		struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};

		CHECK_EQ(bpfhost_kfunc_set_add(rt, "tracing", &ks), 0);
	}
	bpfhost_rt_free(rt);
}

TEST(register_unknown_prog_type)
{
	struct bpfhost_rt *rt = new_rt();
	const struct bpfhost_kfunc_desc a = DESC(tk_int, 0);
	struct btf_id_set8 set = {1, BTF_SET8_KFUNCS, &a};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};

	CHECK(rt);
	CHECK_EQ(bpfhost_kfunc_set_add(rt, "no-such-type", &ks), -ENOENT);
	CHECK_CONTAINS(last_log, "unknown program type 'no-such-type'");
	CHECK_EQ(register_btf_kfunc_id_set((enum bpf_prog_type)999, &ks),
		 -EINVAL);
	CHECK_CONTAINS(bpfhost_kfunc_default_error(), "has no kfunc hook");
	bpfhost_rt_free(rt);
}

TEST(annotations_parsed)
{
	struct bpfhost_rt *rt = new_rt();
	const struct bpfhost_kfunc_desc d[] = {
		DESC(tk_mem, 0),
		DESC(tk_more, 0),
		DESC(tk_buf, 0),
		DESC(tk_rest, 0),
	};
	struct btf_id_set8 set = {4, BTF_SET8_KFUNCS, d};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};
	struct bpfhost_kfunc_info ki;

	CHECK(rt);
	CHECK_MSG(bpfhost_kfunc_set_add(rt, "syscall", &ks) == 0, "%s",
		  last_log);
	CHECK_EQ(find_info(rt, "tk_mem", &ki), 0);
	CHECK_STR(ki.args[0].annotations, "");
	CHECK_STR(ki.args[1].annotations, "__sz");
	CHECK_STR(ki.args[2].annotations, "__k");
	CHECK_EQ(ki.args[2].flags, KF_ARG_CONST);
	CHECK_STR(ki.args[3].annotations, "__nullable");
	CHECK_EQ(ki.args[3].flags, KF_ARG_NULLABLE);
	CHECK_STR(ki.args[4].annotations, "__str");
	CHECK_EQ(find_info(rt, "tk_more", &ki), 0);
	CHECK_STR(ki.args[0].annotations, "__uninit");
	CHECK_STR(ki.args[1].annotations, "__ign");
	CHECK_STR(ki.args[2].annotations, "__prog");
	CHECK_STR(ki.args[3].annotations, "__map");
	CHECK_STR(ki.args[4].annotations, "__alloc");
	CHECK_EQ(find_info(rt, "tk_buf", &ki), 0);
	CHECK_STR(ki.args[1].annotations, "rdonly_buf_size");
	CHECK_EQ(find_info(rt, "tk_rest", &ki), 0);
	CHECK_STR(ki.args[0].annotations, "__refcounted_kptr");
	CHECK_STR(ki.args[1].annotations, "__iter");
	CHECK_STR(ki.args[2].annotations, "__irq_flag");
	CHECK_STR(ki.args[3].annotations, "__szk");
	CHECK_EQ(ki.args[3].flags, KF_ARG_CONST);
	CHECK_STR(ki.args[4].annotations, "__opt");
	CHECK_EQ(ki.args[4].flags, 0); /* __opt on a scalar: no pointer flag */
	bpfhost_rt_free(rt);
}

/* Whole-function flags are sugar: the stored contracts are identical. */
TEST(per_arg_flags_equal_whole_function_flags)
{
	struct bpfhost_rt *a = new_rt(), *b = new_rt();
	const struct bpfhost_kfunc_desc whole[] = {
		DESC(tk_release, KF_RELEASE),
		DESC(tk_two_ptrs, KF_TRUSTED_ARGS),
		DESC(tk_acquire, KF_ACQUIRE | KF_RET_NULL),
	};
	const struct bpfhost_kfunc_desc per_arg[] = {
		DESC(tk_release, KF_ARG(0, KF_ARG_RELEASE)),
		DESC(tk_two_ptrs,
		     KF_ARG(0, KF_ARG_TRUSTED) | KF_ARG(1, KF_ARG_TRUSTED)),
		DESC(tk_acquire, KF_ACQUIRE | KF_RET_NULL),
	};
	struct btf_id_set8 sa = {3, BTF_SET8_KFUNCS, whole};
	struct btf_id_set8 sb = {3, BTF_SET8_KFUNCS, per_arg};
	struct btf_kfunc_id_set ka = {THIS_MODULE, &sa, NULL};
	struct btf_kfunc_id_set kb = {THIS_MODULE, &sb, NULL};

	CHECK(a && b);
	CHECK_EQ(bpfhost_kfunc_set_add(a, "syscall", &ka), 0);
	CHECK_EQ(bpfhost_kfunc_set_add(b, "syscall", &kb), 0);
	for (size_t i = 0; i < 3; i++) {
		struct bpfhost_kfunc_info x, y;

		CHECK_EQ(find_info(a, whole[i].name, &x), 0);
		CHECK_EQ(find_info(b, whole[i].name, &y), 0);
		CHECK_EQ(x.nargs, y.nargs);
		for (uint32_t n = 0; n < x.nargs; n++)
			CHECK_MSG(x.args[n].flags == y.args[n].flags,
				  "%s arg#%u: 0x%x vs 0x%x", x.name, n,
				  x.args[n].flags, y.args[n].flags);
	}
	/* and per-argument flags say what whole-function ones cannot:
	 * release the second argument, the first trusted */
	{
		const struct bpfhost_kfunc_desc d = DESC(
			tk_release_second,
			KF_ARG(0, KF_ARG_TRUSTED) | KF_ARG(1, KF_ARG_RELEASE));
		struct bpfhost_kfunc_info ki;

		CHECK_EQ(reg_one(b, &d), 0);
		CHECK_EQ(find_info(b, "tk_release_second", &ki), 0);
		CHECK_EQ(ki.args[0].flags, KF_ARG_TRUSTED);
		CHECK_EQ(ki.args[1].flags, KF_ARG_RELEASE);
	}
	bpfhost_rt_free(a);
	bpfhost_rt_free(b);
}

TEST(deprecated_and_removed_entries)
{
	struct bpfhost_rt *rt = new_rt();
	const struct bpfhost_kfunc_desc d[] = {
		BPFHOST_ID_DEPRECATED(func, tk_int, "tk_acquire",
				      "use the acquire form")
			BPFHOST_ID_REMOVED(tk_gone, "tk_release",
					   "gone in v2")};
	struct btf_id_set8 set = {2, BTF_SET8_KFUNCS, d};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};
	struct bpfhost_kfunc_info ki;

	CHECK(rt);
	CHECK_EQ(bpfhost_kfunc_set_add(rt, "syscall", &ks), 0);
	CHECK_EQ(find_info(rt, "tk_int", &ki), 0);
	CHECK(ki.deprecated && !ki.removed);
	CHECK_STR(ki.replacement, "tk_acquire");
	CHECK_STR(ki.message, "use the acquire form");
	CHECK_EQ(find_info(rt, "tk_gone", &ki), 0);
	CHECK(ki.removed);
	CHECK_STR(ki.replacement, "tk_release");
	bpfhost_rt_free(rt);
}

TEST(flag_values_are_the_kernels)
{
	CHECK_EQ(KF_ACQUIRE, 1 << 0);
	CHECK_EQ(KF_RELEASE, 1 << 1);
	CHECK_EQ(KF_RET_NULL, 1 << 2);
	CHECK_EQ(KF_KPTR_GET, 1 << 3);
	CHECK_EQ(KF_TRUSTED_ARGS, 1 << 4);
	CHECK_EQ(KF_SLEEPABLE, 1 << 5);
	CHECK_EQ(KF_DESTRUCTIVE, 1 << 6);
	CHECK_EQ(KF_RCU, 1 << 7);
	CHECK_EQ(KF_ITER_NEW, 1 << 8);
	CHECK_EQ(KF_ITER_NEXT, 1 << 9);
	CHECK_EQ(KF_ITER_DESTROY, 1 << 10);
	CHECK_EQ(KF_RCU_PROTECTED, 1 << 11);
	CHECK_EQ(KF_FASTCALL, 1 << 12);
	CHECK_EQ(BPF_PROG_TYPE_SYSCALL, 31);
	CHECK_EQ(BPF_PROG_TYPE_TRACING, 26);
}

/* The CLI's kfunc list filters by program type and by name (a glob). */
TEST(cli_kfunc_list_filters)
{
	char cmd[512], line[512];
	int iters = 0, others = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "%s/bpfhost kfunc list --name 'bpf_iter_num_*' 2>&1",
		 th_build_dir());
	p = popen(cmd, "r");
	CHECK(p);
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		if (line[0] == ' ')
			continue; /* a prototype line */
		if (!strncmp(line, "bpf_iter_num_", 13))
			iters++;
		else
			others++;
	}
	CHECK_EQ(pclose(p), 0);
	CHECK_EQ(iters, 3);
	CHECK_EQ(others, 0);
}
