// SPDX-License-Identifier: BSD-2-Clause
/*
 * BPF exceptions at run time: bpf_throw unwinds every frame (subprograms,
 * global functions, a bpf_loop callback of an unverified program) and the
 * run returns the cookie, or the exception callback's result for it.  The
 * host goes on: the same programs run again and again with the same
 * results, other programs after them too, and under ASan nothing leaks
 * (throw_released creates and releases a cpumask before throwing).
 */
#include <stdio.h>
#include <string.h>

#include "bpfhost/bpfhost.h"
#include "bpfhost/kfunc.h"
#include "harness.h"

void bpf_throw(uint64_t cookie);

static const char *const accepted[] = {
	"throw_main",	 "throw_not_taken",   "throw_subprog",
	"throw_deep",	 "throw_global",      "throw_released",
	"throw_with_cb", "throw_sub_with_cb", "no_throw_with_cb",
};

static bool is_accepted(const char *name)
{
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (!strcmp(accepted[i], name))
			return true;
	return false;
}

/* progs/name.bpf.o: its accepted programs, or all of them unverified */
static struct bpfhost_obj *open_load(struct bpfhost_rt *rt, const char *name,
				     bool unverified)
{
	static char log[8192];
	struct bpfhost_open_opts o = {
		.sz = sizeof(o),
		.log_buf = log,
		.log_size = sizeof(log),
		.unverified = unverified,
	};
	struct bpfhost_obj *obj;
	char path[512];

	snprintf(path, sizeof(path), "%s/progs/%s.bpf.o", th_build_dir(), name);
	obj = bpfhost_obj_open(rt, path, &o);
	for (size_t i = 0;
	     obj && !unverified && i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);

		bpfhost_prog_set_autoload(p, is_accepted(bpfhost_prog_name(p)));
	}
	if (obj && bpfhost_obj_load(obj)) {
		fprintf(stderr, "%s\n", log);
		bpfhost_obj_free(obj);
		obj = NULL;
	}
	return obj;
}

static long long run(struct bpfhost_obj *obj, const char *prog)
{
	struct bpfhost_prog *p = bpfhost_obj_prog(obj, prog);
	uint64_t r0 = 99;

	if (!p || bpfhost_prog_run(p, NULL, 0, &r0))
		return -1;
	return (long long)r0;
}

TEST(throw_unwinds_every_frame)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	bool same = true;

	CHECK(rt != NULL);
	obj = open_load(rt, "k_throw", false);
	CHECK(obj != NULL);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	for (int i = 0; i < 1000; i++) {
		same &= run(obj, "throw_main") == 7;
		same &= run(obj, "throw_deep") == 33;
		same &= run(obj, "throw_subprog") == 16;
		same &= run(obj, "throw_global") == 21;
		same &= run(obj, "throw_released") == 9;
		same &= run(obj, "throw_not_taken") == 1;
	}
	CHECK(same);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(exception_callback)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;

	CHECK(rt != NULL);
	obj = open_load(rt, "throw_cb", false);
	CHECK(obj != NULL);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(run(obj, "throw_with_cb"), 15);
		CHECK_EQ(run(obj, "throw_sub_with_cb"), 34);
		CHECK_EQ(run(obj, "no_throw_with_cb"), 2);
	}
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

/* The verifier refuses a throw from a bpf_loop callback; run unverified,
 * the interpreter still unwinds through the helper and its callback. */
TEST(throw_through_bpf_loop_unverified)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;

	CHECK(rt != NULL);
	obj = open_load(rt, "k_throw", true);
	CHECK(obj != NULL);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	CHECK_EQ(run(obj, "throw_loop_cb"), 103);
	CHECK_EQ(run(obj, "throw_loop_cb"), 103);
	CHECK_EQ(run(obj, "throw_main"), 7);
	CHECK_EQ(run(obj, "throw_deep"), 33);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

/* A host type with a return range, offered bpf_throw: the cookie, or the
 * exception callback's return, is the program's return value. */
static struct bpfhost_obj *open_ranged(struct bpfhost_rt **rt, char *log,
				       size_t size)
{
	static const struct bpfhost_kfunc_desc d = {
		"bpf_throw", (void *)bpf_throw, 0, NULL, NULL};
	static struct btf_id_set8 set = {1, BTF_SET8_KFUNCS, &d};
	struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};
	BPFHOST_OPTS(bpfhost_prog_type, pt, .name = "ranged",
		     .ret_checked = true, .ret_min = 0, .ret_max = 10);
	BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log, .log_size = size);
	char path[512];

	*rt = bpfhost_rt_new(NULL);
	if (!*rt || bpfhost_prog_type_add(*rt, &pt) ||
	    bpfhost_kfunc_set_add(*rt, "ranged", &ks))
		return NULL;
	snprintf(path, sizeof(path), "%s/hostprogs/throw_range.bpf.o",
		 th_build_dir());
	return bpfhost_obj_open(*rt, path, &oo);
}

/* Load only prog of the object: 0, or the load's error with the log. */
static int load_one(struct bpfhost_obj *obj, const char *prog)
{
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);

		bpfhost_prog_set_autoload(p,
					  !strcmp(bpfhost_prog_name(p), prog));
	}
	return bpfhost_obj_load(obj);
}

TEST(cookie_is_the_return_value)
{
	static const struct {
		const char *prog;
		const char *msg; /* NULL: accepted, returning ret */
		long long ret;
	} cases[] = {
		{"cookie_in_range", NULL, 5},
		{"cookie_out_of_range",
		 "At program exit the register R1 has smin=50 smax=50 should "
		 "have been in [0, 10]",
		 0},
		{"cookie_in_subprog",
		 "At program exit the register R1 has smin=50 smax=50 should "
		 "have been in [0, 10]",
		 0},
		/* stricter than Linux 6.18, which accepts a global function's
		 * cookie whatever it is */
		{"cookie_in_global",
		 "At program exit the register R1 has smin=50 smax=50 should "
		 "have been in [0, 10]",
		 0},
		{"cb_clamps", NULL, 10},
		{"cb_bad_return",
		 "At program exit the register R0 has smin=42 smax=42 should "
		 "have been in [0, 10]",
		 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpfhost_rt *rt = NULL;
		char log[4096] = "";
		struct bpfhost_obj *obj = open_ranged(&rt, log, sizeof(log));
		int err;

		CHECK_MSG(obj, "%s", log);
		if (!obj) {
			bpfhost_rt_free(rt);
			continue;
		}
		err = load_one(obj, cases[i].prog);
		if (cases[i].msg) {
			CHECK_MSG(err < 0, "%s loaded", cases[i].prog);
			CHECK_MSG(strstr(bpfhost_obj_error(obj), cases[i].msg),
				  "%s: %s", cases[i].prog,
				  bpfhost_obj_error(obj));
		} else {
			CHECK_MSG(!err, "%s: %s", cases[i].prog,
				  bpfhost_obj_error(obj));
			if (!err)
				CHECK_EQ(run(obj, cases[i].prog), cases[i].ret);
		}
		bpfhost_obj_free(obj);
		bpfhost_rt_free(rt);
	}
}
