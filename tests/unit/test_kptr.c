// SPDX-License-Identifier: BSD-2-Clause
/*
 * References left in map values are released by the map through the
 * type's destructor: when the element is overwritten (update), deleted or
 * the map freed.  A host object of this test's own (struct kt_obj, its
 * destructor registered with the kernel-shaped
 * register_btf_id_dtor_kfuncs()), the stdlib's tasks (refcount back to
 * where it was) and program objects (the runtime's live count back to 0).
 * Run under ASan too: nothing may leak.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfhost/bpfhost.h"
#include "bpfhost/kfunc.h"
#include "harness.h"
#include "rt/rt.h"
#include "stdlib/task.h"

struct kt_obj {
	int refs;
	int tag;
};

struct kt_nodtor {
	int x;
};

static int kt_live;

__bpf_kfunc_start_defs();

__bpf_kfunc struct kt_obj *kt_obj_new(int tag)
{
	struct kt_obj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->refs = 1;
	o->tag = tag;
	__atomic_add_fetch(&kt_live, 1, __ATOMIC_RELAXED);
	return o;
}

__bpf_kfunc void kt_obj_release(struct kt_obj *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL))
		return;
	__atomic_sub_fetch(&kt_live, 1, __ATOMIC_RELAXED);
	free(o);
}

__bpf_kfunc void kt_obj_release_dtor(void *o)
{
	kt_obj_release(o);
}

/* in the BTF, so kptr_nodtor's struct is a host struct */
__bpf_kfunc int kt_nodtor_x(struct kt_nodtor *n)
{
	return n->x;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(kt_ids)
BTF_ID_FLAGS(func, kt_obj_new, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, kt_obj_release, KF_RELEASE)
BTF_ID_FLAGS(func, kt_nodtor_x, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(kt_ids)

static const struct btf_kfunc_id_set kt_set = {
	.owner = THIS_MODULE,
	.set = &kt_ids,
};

static const struct btf_id_dtor_kfunc kt_dtors[] = {
	{.btf_id = BTF_ID(struct, kt_obj),
	 .kfunc_btf_id = BTF_ID(func, kt_obj_release_dtor)},
};

static int kt_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &kt_set)
		       ?: register_btf_id_dtor_kfuncs(kt_dtors, 1, THIS_MODULE);
}
late_initcall(kt_init);

/* Open and load dir/name.bpf.o; with only set, just the programs whose
 * names start with it (the file's rejected ones stay unloaded). */
static struct bpfhost_obj *open_load(struct bpfhost_rt *rt, const char *dir,
				     const char *name, const char *only,
				     char *log, size_t size)
{
	struct bpfhost_open_opts o = {
		.sz = sizeof(o),
		.log_buf = log,
		.log_size = size,
	};
	struct bpfhost_obj *obj;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s.bpf.o", th_build_dir(), dir,
		 name);
	log[0] = '\0';
	obj = bpfhost_obj_open(rt, path, &o);
	for (size_t i = 0; obj && only && i < bpfhost_obj_prog_count(obj);
	     i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);

		bpfhost_prog_set_autoload(
			p, !strncmp(bpfhost_prog_name(p), only, strlen(only)));
	}
	if (obj && bpfhost_obj_load(obj)) {
		bpfhost_obj_free(obj);
		obj = NULL;
	}
	return obj;
}

static int run(struct bpfhost_obj *obj, const char *prog)
{
	struct bpfhost_prog *p = bpfhost_obj_prog(obj, prog);
	uint64_t r0 = 99;

	if (!p || bpfhost_prog_run(p, NULL, 0, &r0))
		return -1;
	return (int)r0;
}

static int usage_of(struct task_struct *t)
{
	return __atomic_load_n(&t->usage, __ATOMIC_RELAXED);
}

TEST(dtor_registered)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);

	CHECK(rt);
	CHECK(bh_kfunc_reg_dtor(rt->reg, "kt_obj") == kt_obj_release_dtor);
	CHECK(bh_kfunc_reg_dtor(rt->reg, "task_struct"));
	CHECK(bh_kfunc_reg_dtor(rt->reg, "cgroup"));
	CHECK(bh_kfunc_reg_dtor(rt->reg, "bpf_cpumask"));
	CHECK(!bh_kfunc_reg_dtor(rt->reg, "kt_nodtor"));
	/* the same again is fine, another function for it is not */
	CHECK_EQ(bpfhost_dtor_add(rt, "kt_obj", kt_obj_release_dtor), 0);
	CHECK_EQ(bpfhost_dtor_add(rt, "kt_obj", free), -EEXIST);
	CHECK_EQ(bpfhost_dtor_add(rt, "no_such_struct_here", free), -ENOENT);
	bpfhost_rt_free(rt);
}

/* update, delete and free each release what the values hold */
TEST(map_releases_kptrs)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct task_struct *self = bh_task_get(getpid());
	struct bpfhost_map *arr, *hash;
	struct bpfhost_obj *obj;
	char log[4096], zero[24] = {0};
	uint32_t k0 = 0, k5 = 5;
	int u0;

	CHECK(rt && self);
	u0 = usage_of(self);
	obj = open_load(rt, "hostprogs", "kptr_dtor", NULL, log, sizeof(log));
	CHECK_MSG(obj, "load: %s", log);
	arr = bpfhost_obj_map(obj, "kd_arr");
	hash = bpfhost_obj_map(obj, "kd_hash");
	CHECK(arr && hash);
	CHECK_EQ(run(obj, "stash_arr"), 0);
	CHECK_EQ(kt_live, 1);
	CHECK_EQ(usage_of(self), u0 + 1);
	/* a second stash gives the first objects back, released */
	CHECK_EQ(run(obj, "stash_arr"), 0);
	CHECK_EQ(kt_live, 1);
	CHECK_EQ(usage_of(self), u0 + 1);
	/* a host update leaves no kptr behind (and cannot write one) */
	CHECK_EQ(bpfhost_map_update(arr, &k0, zero, 0), 0);
	CHECK_EQ(kt_live, 0);
	CHECK_EQ(usage_of(self), u0);
	CHECK_EQ(run(obj, "stash_arr"), 0);
	CHECK_EQ(run(obj, "stash_hash"), 0);
	CHECK_EQ(kt_live, 2);
	CHECK_EQ(usage_of(self), u0 + 2);
	CHECK_EQ(bpfhost_map_delete(hash, &k5), 0);
	CHECK_EQ(kt_live, 1);
	CHECK_EQ(usage_of(self), u0 + 1);
	/* and freeing the maps releases the rest */
	CHECK_EQ(run(obj, "stash_hash"), 0);
	CHECK_EQ(kt_live, 2);
	bpfhost_obj_free(obj);
	CHECK_EQ(kt_live, 0);
	CHECK_EQ(usage_of(self), u0);
	bh_task_put(self);
	bpfhost_rt_free(rt);
}

/* program objects left in maps go back to the runtime's budget */
TEST(map_releases_program_objects)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct task_struct *self = bh_task_get(getpid());
	struct bpfhost_obj *obj;
	char log[4096];
	int u0;

	CHECK(rt && self);
	u0 = usage_of(self);
	obj = open_load(rt, "progs", "kptr_map", "obj_", log, sizeof(log));
	CHECK_MSG(obj, "load: %s", log);
	CHECK_EQ(run(obj, "obj_left_in_map"), 1);
	CHECK_EQ(rt->objs.live, 1);
	CHECK_EQ(run(obj, "obj_left_in_map"), 1); /* the first one dropped */
	CHECK_EQ(rt->objs.live, 1);
	CHECK_EQ(run(obj, "obj_stash"), 42);
	CHECK_EQ(rt->objs.live, 0);
	CHECK_EQ(run(obj, "obj_left_in_map"), 1);
	CHECK_EQ(run(obj, "obj_in_hash"), 1);
	CHECK_EQ(rt->objs.live, 1);
	/* kptrs in a nested struct and an array are the map's too */
	CHECK_EQ(run(obj, "obj_nested_in_map"), 1);
	CHECK_EQ(run(obj, "obj_nested_in_map"), 1);
	CHECK_EQ(rt->objs.live, 3);
	/* an object's own kptr goes with it: dropped, or freed by the map */
	CHECK_EQ(run(obj, "obj_holds_task"), 1);
	CHECK_EQ(usage_of(self), u0);
	CHECK_EQ(rt->objs.live, 3);
	CHECK_EQ(run(obj, "obj_holder_in_map"), 1);
	CHECK_EQ(run(obj, "obj_holder_in_map"), 1);
	CHECK_EQ(usage_of(self), u0 + 1);
	CHECK_EQ(rt->objs.live, 4);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	CHECK_EQ(rt->objs.used, 0);
	CHECK_EQ(usage_of(self), u0);
	bh_task_put(self);
	bpfhost_rt_free(rt);
}

/* a host struct without a destructor cannot be a referenced kptr */
TEST(kptr_needs_dtor)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	char log[4096];

	CHECK(rt);
	obj = open_load(rt, "hostprogs", "kptr_nodtor", NULL, log, sizeof(log));
	CHECK(!obj);
	CHECK_MSG(strstr(log, "struct kt_nodtor has no registered destructor"),
		  "log: %s", log);
	bpfhost_rt_free(rt);
}
