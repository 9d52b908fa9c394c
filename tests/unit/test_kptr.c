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
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfhost/bpfhost.h"
#include "bpfhost/kfunc.h"
#include "harness.h"
#include "support/objs.h"
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

/*
 * KF_KPTR_GET (kernels 6.0-6.3): kg_obj_kptr_get(&v->o) gives a new
 * reference to the object a map value's kptr field holds, or NULL when
 * the field is empty or the object is dying (its count already 0: the
 * kernel's refcount_inc_not_zero under RCU).  bpfhost has no RCU grace
 * period, so the memory of a dead object must stay readable another way:
 * kg_objs live in a type-stable pool (the kernel's SLAB_TYPESAFE_BY_RCU),
 * never given back to malloc.  A slot may be reused for a new object
 * between the load of the field and the increment -- the reuse race that
 * took KF_KPTR_GET out of 6.4 -- so the kfunc checks the field still
 * holds the object it counted, and else drops that count and retries.
 */
struct kg_obj {
	int refs;
	int tag;
};

#define KG_POOL 8
static struct kg_obj kg_pool[KG_POOL];

static bool kg_inc_not_zero(struct kg_obj *o)
{
	int refs = __atomic_load_n(&o->refs, __ATOMIC_RELAXED);

	do {
		if (refs <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&o->refs, &refs, refs + 1, false,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

__bpf_kfunc struct kg_obj *kg_obj_new(int tag)
{
	for (int i = 0; i < KG_POOL; i++) {
		int zero = 0;

		/* a free slot's count is 0; taking it makes it 1 */
		if (__atomic_compare_exchange_n(&kg_pool[i].refs, &zero, 1,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED)) {
			__atomic_store_n(&kg_pool[i].tag, tag,
					 __ATOMIC_RELEASE);
			return &kg_pool[i];
		}
	}
	return NULL;
}

/* the last release gives the slot back to the pool */
__bpf_kfunc void kg_obj_release(struct kg_obj *o)
{
	__atomic_sub_fetch(&o->refs, 1, __ATOMIC_RELEASE);
}

__bpf_kfunc void kg_obj_release_dtor(void *o)
{
	kg_obj_release(o);
}

__bpf_kfunc struct kg_obj *kg_obj_kptr_get(struct kg_obj **pp)
{
	for (;;) {
		struct kg_obj *o = __atomic_load_n(pp, __ATOMIC_ACQUIRE);

		if (!o || !kg_inc_not_zero(o))
			return NULL;
		if (__atomic_load_n(pp, __ATOMIC_ACQUIRE) == o)
			return o;
		kg_obj_release(o); /* the slot holds another object now */
	}
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(kt_ids)
BTF_ID_FLAGS(func, kt_obj_new, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, kt_obj_release, KF_RELEASE)
BTF_ID_FLAGS(func, kt_nodtor_x, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, kg_obj_new, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, kg_obj_release, KF_RELEASE)
BTF_ID_FLAGS(func, kg_obj_kptr_get, KF_ACQUIRE | KF_RET_NULL | KF_KPTR_GET)
BTF_KFUNCS_END(kt_ids)

static const struct btf_kfunc_id_set kt_set = {
	.owner = THIS_MODULE,
	.set = &kt_ids,
};

static const struct btf_id_dtor_kfunc kt_dtors[] = {
	{.btf_id = BTF_ID(struct, kt_obj),
	 .kfunc_btf_id = BTF_ID(func, kt_obj_release_dtor)},
	{.btf_id = BTF_ID(struct, kg_obj),
	 .kfunc_btf_id = BTF_ID(func, kg_obj_release_dtor)},
};

static int kt_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &kt_set)
		       ?: register_btf_id_dtor_kfuncs(kt_dtors, 2, THIS_MODULE);
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

/* per-CPU objects left in a map go back to the runtime: dropped when
 * the field is overwritten (by a program or the host) or the map freed;
 * their memory stays cached (type-stable) until the runtime goes */
TEST(map_releases_percpu_objects)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	struct bpfhost_map *arr;
	char log[4096], zero[24] = {0};
	uint32_t k0 = 0, k1 = 1;
	uint64_t used;

	CHECK(rt);
	static const char *const progs[] = {
		"pc_new_drop",	      "pc_copies",
		"pc_left_in_map",     "pc_untrusted_load",
		"pc_nested_scalars",  "pc_in_hash",
		"pc_in_percpu_array", NULL};

	obj = th_obj_load(rt, "percpu_obj.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "load: %s", log);
	arr = bpfhost_obj_map(obj, "pc_arr");
	CHECK(arr);
	CHECK_EQ(bpfhost_map_value_size(arr), 24);
	CHECK_EQ(run(obj, "pc_left_in_map"), 1);
	CHECK_EQ(rt->objs.live, 1);
	CHECK_EQ(run(obj, "pc_left_in_map"), 1); /* the first one dropped */
	CHECK_EQ(rt->objs.live, 1);
	used = rt->objs.used;
	CHECK(used > 0);
	/* the new object is made before the old one goes: from now on the
	 * two blocks take turns */
	CHECK_EQ(run(obj, "pc_left_in_map"), 1);
	CHECK_EQ(rt->objs.live, 1);
	CHECK_EQ(rt->objs.used, used);
	CHECK_EQ(run(obj, "pc_untrusted_load"), 1);
	CHECK_EQ(run(obj, "pc_copies"), 12);
	CHECK_EQ(rt->objs.live, 0);
	CHECK_EQ(run(obj, "pc_new_drop"), 1);
	CHECK_EQ(run(obj, "pc_nested_scalars"), 1);
	CHECK_EQ(rt->objs.live, 0);
	/* a host update releases the field */
	CHECK_EQ(run(obj, "pc_left_in_map"), 1);
	CHECK_EQ(bpfhost_map_update(arr, &k0, zero, 0), 0);
	CHECK_EQ(rt->objs.live, 0);
	CHECK_EQ(run(obj, "pc_left_in_map"), 1);
	CHECK_EQ(rt->objs.live, 1);
	/* a hash element's field, deleted by the host */
	CHECK_EQ(run(obj, "pc_in_hash"), 1);
	CHECK_EQ(run(obj, "pc_in_hash"), 1);
	CHECK_EQ(rt->objs.live, 2);
	CHECK_EQ(bpfhost_map_delete(bpfhost_obj_map(obj, "pc_hash"), &k1), 0);
	CHECK_EQ(rt->objs.live, 1);
	/* a per-CPU array: the run's CPU's copy holds one (runs on other
	 * CPUs fill other copies), all dropped with the map */
	CHECK_EQ(run(obj, "pc_in_percpu_array"), 1);
	CHECK_EQ(run(obj, "pc_in_percpu_array"), 1);
	CHECK(rt->objs.live >= 2 && rt->objs.live <= 3);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

/* per-CPU maps from the host: every CPU's copy of what programs wrote,
 * in libbpf's layout, and a value written for every CPU read back by a
 * program on its own CPU */
TEST(percpu_map_host_view)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	int n = bpfhost_num_possible_cpus();
	struct bpfhost_obj *obj;
	struct bpfhost_map *arr, *hash;
	char log[4096];
	uint64_t *all, sum = 0, key7 = 7;
	uint32_t k1 = 1, k2 = 2;

	CHECK(rt && n >= 1);
	static const char *const progs[] = {"pa_this_and_all", "pa_smp_id_copy",
					    "ph_this_and_all", NULL};

	obj = th_obj_load(rt, "percpu_maps.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "load: %s", log);
	arr = bpfhost_obj_map(obj, "pm_arr");
	hash = bpfhost_obj_map(obj, "pm_hash");
	CHECK(arr && hash);
	CHECK_EQ(bpfhost_map_value_size(arr), (size_t)16 * n);
	all = calloc((size_t)n, 16);
	CHECK(all);
	CHECK_EQ(run(obj, "pa_this_and_all"), 43);
	CHECK_EQ(bpfhost_map_lookup(arr, &k1, all), 0);
	for (int c = 0; c < n; c++)
		sum += all[2 * c] + all[2 * c + 1];
	CHECK_EQ(sum, 42);
	/* the host writes every copy; a program reads its own */
	for (int c = 0; c < n; c++)
		all[2 * c] = 123, all[2 * c + 1] = (uint64_t)c;
	CHECK_EQ(bpfhost_map_update(arr, &k2, all, 0), 0);
	CHECK_EQ(run(obj, "pa_smp_id_copy"), 1);
	CHECK_EQ(run(obj, "ph_this_and_all"), 48);
	CHECK_EQ(bpfhost_map_lookup(hash, &key7, all), -ENOENT);
	CHECK_EQ(bpfhost_map_update(hash, &key7, all, 0), 0);
	CHECK_EQ(bpfhost_map_lookup(hash, &key7, all), 0);
	CHECK_EQ(all[2 * (n - 1) + 1], (uint64_t)(n - 1));
	free(all);
	bpfhost_obj_free(obj);
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

static int kg_pool_refs(void)
{
	int sum = 0;

	for (int i = 0; i < KG_POOL; i++)
		sum += __atomic_load_n(&kg_pool[i].refs, __ATOMIC_RELAXED);
	return sum;
}

/* KF_KPTR_GET's kfunc, called as a program would: a reference only while
 * the object is alive, never one that brings a dead object back */
TEST(kptr_get_only_while_alive)
{
	struct kg_obj *o = kg_obj_new(5), *field;

	CHECK(o);
	CHECK_EQ(o->refs, 1);
	field = o;
	CHECK(kg_obj_kptr_get(&field) == o);
	CHECK_EQ(o->refs, 2);
	kg_obj_release(o);
	field = NULL;
	CHECK(kg_obj_kptr_get(&field) == NULL);
	/* the last reference dropped while a reader still sees the object
	 * in the field: no new reference, the count stays 0 */
	field = o;
	kg_obj_release(o);
	CHECK_EQ(o->refs, 0);
	CHECK(kg_obj_kptr_get(&field) == NULL);
	CHECK_EQ(o->refs, 0);
	CHECK_EQ(kg_pool_refs(), 0);
}

struct kg_race {
	struct kg_obj *field;
	int stop;
	long got, bad;
};

/* replaces the field's object again and again, dropping the old one */
static void *kg_writer(void *arg)
{
	struct kg_race *r = arg;

	/* until the reader has taken enough references (bounded) */
	for (int i = 0;
	     i < 5000000 && __atomic_load_n(&r->got, __ATOMIC_RELAXED) < 20000;
	     i++) {
		struct kg_obj *n = kg_obj_new(i), *old;

		if (!n)
			continue;
		old = __atomic_exchange_n(&r->field, n, __ATOMIC_ACQ_REL);
		if (old)
			kg_obj_release(old);
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* takes references through the field while objects die and are reused */
static void *kg_reader(void *arg)
{
	struct kg_race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct kg_obj *g = kg_obj_kptr_get(&r->field);

		if (!g)
			continue;
		/* ours and (at the recheck) the field's: at least one */
		if (__atomic_load_n(&g->refs, __ATOMIC_RELAXED) < 1)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&r->got, 1, __ATOMIC_RELAXED);
		kg_obj_release(g);
	}
	return NULL;
}

/* a writer recycling pool slots under a reader: every count ends at 0 */
TEST(kptr_get_race)
{
	struct kg_race r = {0};
	pthread_t w, rd;

	CHECK(!pthread_create(&rd, NULL, kg_reader, &r));
	CHECK(!pthread_create(&w, NULL, kg_writer, &r));
	pthread_join(w, NULL);
	pthread_join(rd, NULL);
	CHECK_EQ(r.bad, 0);
	CHECK(r.got > 0);
	if (r.field)
		kg_obj_release(r.field);
	CHECK_EQ(kg_pool_refs(), 0);
	printf("kptr_get_race: %ld references taken\n", r.got);
}

static struct kg_obj *kg_find(int tag)
{
	for (int i = 0; i < KG_POOL; i++)
		if (kg_pool[i].tag == tag && kg_pool[i].refs)
			return &kg_pool[i];
	return NULL;
}

/* the same from a BPF program: the map's object, counted while held */
TEST(kptr_get_program)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	struct kg_obj *o;
	char log[4096];

	CHECK(rt);
	obj = open_load(rt, "hostprogs", "kptr_get", NULL, log, sizeof(log));
	CHECK_MSG(obj, "load: %s", log);
	CHECK_EQ(run(obj, "kg_get"), 0); /* an empty field */
	CHECK_EQ(run(obj, "kg_stash"), 0);
	o = kg_find(42);
	CHECK(o);
	CHECK_EQ(o->refs, 1);
	/* 42 * 100 + the map's reference and the program's */
	CHECK_EQ(run(obj, "kg_get"), 4202);
	CHECK_EQ(o->refs, 1);
	/* dying: its count is 0 while the field still holds it */
	__atomic_store_n(&o->refs, 0, __ATOMIC_RELAXED);
	CHECK_EQ(run(obj, "kg_get"), 0);
	CHECK_EQ(o->refs, 0);
	__atomic_store_n(&o->refs, 1, __ATOMIC_RELAXED);
	CHECK_EQ(run(obj, "kg_get"), 4202);
	/* the map gives its reference back through the destructor */
	bpfhost_obj_free(obj);
	CHECK_EQ(o->refs, 0);
	CHECK_EQ(kg_pool_refs(), 0);
	bpfhost_rt_free(rt);
}
