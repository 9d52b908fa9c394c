// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host-defined program types: SEC() prefixes select them (".s" = sleepable),
 * a kfunc set registered for one type is visible only to it, a set for "*"
 * to every type, and a set's filter is asked about each program, as the
 * kernel asks btf_kfunc_filter_t.
 */
#include <errno.h>

#include "bpfhost/kfunc.h"
#include "harness.h"

static char last_log[1024];

static void capture(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

__bpf_kfunc_start_defs();
__bpf_kfunc int pt_filter_only(int x)
{
	return x;
}
__bpf_kfunc int pt_everywhere(int x)
{
	return x * 2;
}
__bpf_kfunc int pt_filtered(int x)
{
	return x;
}
__bpf_kfunc int pt_sleepy(int x)
{
	return x + 100;
}
__bpf_kfunc int pt_destroy(int x)
{
	return x + 200;
}
__bpf_kfunc_end_defs();

BTF_KFUNCS_START(pt_gate_ids)
BTF_ID_FLAGS(func, pt_sleepy, KF_SLEEPABLE)
BTF_ID_FLAGS(func, pt_destroy, KF_DESTRUCTIVE)
BTF_KFUNCS_END(pt_gate_ids)

BTF_KFUNCS_START(pt_filter_ids)
BTF_ID_FLAGS(func, pt_filter_only)
BTF_KFUNCS_END(pt_filter_ids)

BTF_KFUNCS_START(pt_all_ids)
BTF_ID_FLAGS(func, pt_everywhere)
BTF_KFUNCS_END(pt_all_ids)

BTF_KFUNCS_START(pt_filtered_ids)
BTF_ID_FLAGS(func, pt_filtered)
BTF_KFUNCS_END(pt_filtered_ids)

static int filter_calls;

/* deny every kfunc of the hook to programs whose section ends in /denied */
static int deny_denied(const struct bpf_prog *prog, uint32_t kfunc_id)
{
	const char *s = strrchr(prog->sec_name, '/');

	(void)kfunc_id;
	filter_calls++;
	return s && !strcmp(s, "/denied");
}

static struct bpfhost_rt *new_rt(void)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = capture);
	BPFHOST_OPTS(bpfhost_prog_type, pt, .name = "filter",
		     .ret_checked = true, .ret_min = 0, .ret_max = 1000);
	struct btf_kfunc_id_set a = {THIS_MODULE, &pt_filter_ids, NULL};
	struct btf_kfunc_id_set b = {THIS_MODULE, &pt_all_ids, NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);

	if (!rt)
		return NULL;
	if (bpfhost_prog_type_add(rt, &pt) ||
	    bpfhost_kfunc_set_add(rt, "filter", &a) ||
	    bpfhost_kfunc_set_add(rt, "*", &b)) {
		bpfhost_rt_free(rt);
		return NULL;
	}
	return rt;
}

static struct bpfhost_obj *open_obj(struct bpfhost_rt *rt, const char *name)
{
	char path[512];
	BPFHOST_OPTS(bpfhost_open_opts, oo, .unverified = true);

	snprintf(path, sizeof(path), "%s/hostprogs/%s.bpf.o", th_build_dir(),
		 name);
	return bpfhost_obj_open(rt, path, &oo);
}

TEST(host_type_sections_and_visibility)
{
	struct bpfhost_rt *rt = new_rt();
	struct btf_kfunc_id_set f = {THIS_MODULE, &pt_filtered_ids,
				     deny_denied};
	struct bpfhost_obj *obj;
	uint64_t r0;

	CHECK_MSG(rt, "%s", last_log);
	CHECK_EQ(bpfhost_kfunc_set_add(rt, "filter", &f), 0);
	obj = open_obj(rt, "ptype");
	CHECK_MSG(obj, "%s", last_log);
	CHECK_STR(bpfhost_prog_type(bpfhost_obj_prog(obj, "use_filter_kfunc")),
		  "filter");
	CHECK_STR(bpfhost_prog_type(bpfhost_obj_prog(obj, "sleepy")), "filter");
	/* the filter denies the program in filter/denied */
	CHECK(bpfhost_obj_load(obj) < 0);
	CHECK_CONTAINS(bpfhost_obj_error(obj),
		       "prog 'denied_by_filter': calling kernel function "
		       "pt_filtered is not allowed");
	CHECK(filter_calls > 0);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);

	/* without the filtered set, the type's own and the "*" kfuncs link */
	rt = new_rt();
	CHECK(rt);
	{
		static const struct bpfhost_kfunc_desc d = {
			"pt_filtered", (void *)pt_filtered, 0, NULL, NULL};
		struct btf_id_set8 set = {1, BTF_SET8_KFUNCS, &d};
		struct btf_kfunc_id_set ks = {THIS_MODULE, &set, NULL};

		CHECK_EQ(bpfhost_kfunc_set_add(rt, "filter", &ks), 0);
	}
	obj = open_obj(rt, "ptype");
	CHECK(obj);
	CHECK_MSG(bpfhost_obj_load(obj) == 0, "%s", bpfhost_obj_error(obj));
	CHECK_EQ(bpfhost_prog_run(bpfhost_obj_prog(obj, "use_filter_kfunc"),
				  NULL, 0, &r0),
		 0);
	CHECK_EQ(r0, 21);
	CHECK_EQ(
		bpfhost_prog_run(bpfhost_obj_prog(obj, "sleepy"), NULL, 0, &r0),
		0);
	CHECK_EQ(r0, 4);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(kfunc_of_another_type_refused)
{
	struct bpfhost_rt *rt = new_rt();
	struct bpfhost_obj *obj;

	CHECK(rt);
	obj = open_obj(rt, "ptype_syscall");
	CHECK(obj);
	CHECK(bpfhost_obj_load(obj) < 0);
	CHECK_CONTAINS(
		bpfhost_obj_error(obj),
		"calling kernel function pt_filter_only is not allowed (it is "
		"registered for 'filter', not for program type 'syscall')");
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(unknown_section_refused)
{
	struct bpfhost_rt *rt = new_rt();

	CHECK(rt);
	CHECK(!open_obj(rt, "ptype_unknown"));
	CHECK_CONTAINS(last_log,
		       "prog 'not_here': SEC(\"xdp\") matches no program type "
		       "(known: syscall, tp_btf/<hook>, filter)");
	bpfhost_rt_free(rt);
}

TEST(prog_type_add_errors)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = capture);
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	BPFHOST_OPTS(bpfhost_prog_type, dup, .name = "syscall");
	BPFHOST_OPTS(bpfhost_prog_type, bad, .name = "a/b");
	BPFHOST_OPTS(bpfhost_prog_type, range, .name = "r", .ret_checked = true,
		     .ret_min = 5, .ret_max = 1);

	CHECK(rt);
	CHECK_EQ(bpfhost_prog_type_add(rt, &dup), -EEXIST);
	CHECK_EQ(bpfhost_prog_type_add(rt, &bad), -EINVAL);
	CHECK_EQ(bpfhost_prog_type_add(rt, &range), -EINVAL);
	CHECK_CONTAINS(last_log, "program type 'r': ret_min > ret_max");
	bpfhost_rt_free(rt);
}

/* Load one program of gates.bpf.o under a "gated" type with caps. */
static int load_gated(uint32_t caps, const char *prog, uint64_t *r0, char *err,
		      size_t errsz)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = capture);
	BPFHOST_OPTS(bpfhost_prog_type, pt, .name = "gated", .caps = caps);
	struct btf_kfunc_id_set ks = {THIS_MODULE, &pt_gate_ids, NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	struct bpfhost_obj *obj = NULL;
	char path[512];
	int ret = -1;

	err[0] = '\0';
	if (!rt || bpfhost_prog_type_add(rt, &pt) ||
	    bpfhost_kfunc_set_add(rt, "gated", &ks))
		goto out;
	snprintf(path, sizeof(path), "%s/hostprogs/gates.bpf.o",
		 th_build_dir());
	obj = bpfhost_obj_open(rt, path, NULL);
	if (!obj)
		goto out;
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);

		bpfhost_prog_set_autoload(p,
					  !strcmp(bpfhost_prog_name(p), prog));
	}
	ret = bpfhost_obj_load(obj);
	snprintf(err, errsz, "%s", bpfhost_obj_error(obj));
	if (!ret)
		ret = bpfhost_prog_run(bpfhost_obj_prog(obj, prog), NULL, 0,
				       r0);
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	return ret;
}

/* KF_SLEEPABLE only in sleepable programs (".s" sections); KF_DESTRUCTIVE
 * only for program types granted BPFHOST_CAP_DESTRUCTIVE: the kernel's
 * messages, verified (not linked: the gates are the verifier's). */
TEST(sleepable_and_destructive_gates)
{
	char err[1024];
	uint64_t r0 = 0;

	CHECK(load_gated(0, "sleepy_in_plain", &r0, err, sizeof(err)) < 0);
	CHECK_CONTAINS(
		err,
		"program must be sleepable to call sleepable kfunc pt_sleepy");
	CHECK_MSG(load_gated(0, "sleepy_in_sleepable", &r0, err, sizeof(err)) ==
			  0,
		  "%s", err);
	CHECK_EQ(r0, 102);
	CHECK(load_gated(0, "destructive", &r0, err, sizeof(err)) < 0);
	CHECK_CONTAINS(
		err, "destructive kfunc calls require CAP_SYS_BOOT capability");
	CHECK_MSG(load_gated(BPFHOST_CAP_DESTRUCTIVE, "destructive", &r0, err,
			     sizeof(err)) == 0,
		  "%s", err);
	CHECK_EQ(r0, 203);
}
