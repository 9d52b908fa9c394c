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
#include "harness.h"

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
