// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_spin_lock at run time: tests/progs/k_spin_lock.bpf.c's lock_ok,
 * which counts and sums inside its locked region with plain loads and
 * stores, run from several threads at once loses no update; and an
 * update of the map value from the host leaves the lock's bytes alone
 * (the kernel's copy_map_value).  tests/progs/graph_list.bpf.c's
 * round trips (push two objects, pop them; push, peek, pop) from several
 * threads on one list: no error, no object left.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"
#include "support/objs.h"
#include "rt/rt.h"

#define THREADS 4
#define RUNS 100000

struct val {
	int32_t cnt;
	uint32_t lock;
	int64_t sum;
};

static struct bpfhost_prog *lock_ok;
static int run_errors;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < RUNS; i++) {
		uint64_t r0;

		if (bpfhost_prog_run(lock_ok, NULL, 0, &r0))
			__atomic_add_fetch(&run_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(spin_lock_threads)
{
	static const char *const progs[] = {"lock_ok", NULL};
	char log[4096];
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	struct bpfhost_map *map;
	pthread_t th[THREADS];
	struct val v = {0}, in = {.cnt = 7, .lock = 0xffffffffu, .sum = 3};
	int key = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "k_spin_lock.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "k_spin_lock.bpf.o: %s", log);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	lock_ok = bpfhost_obj_prog(obj, "lock_ok");
	map = bpfhost_obj_map(obj, "vals");
	CHECK(lock_ok && map);
	if (!lock_ok || !map)
		goto out;
	for (int t = 0; t < THREADS; t++)
		CHECK_EQ(pthread_create(&th[t], NULL, worker, NULL), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ(run_errors, 0);
	CHECK_EQ(bpfhost_map_lookup(map, &key, &v), 0);
	CHECK_EQ(v.cnt, THREADS * RUNS);
	CHECK_EQ(v.sum, (int64_t)THREADS * RUNS * 5);
	CHECK_EQ(v.lock, 0u);

	/* the host's update writes the value around the lock */
	CHECK_EQ(bpfhost_map_update(map, &key, &in, 0), 0);
	CHECK_EQ(bpfhost_map_lookup(map, &key, &v), 0);
	CHECK(v.cnt == 7 && v.sum == 3 && v.lock == 0);
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

static struct bpfhost_prog *list_progs[2];

static void *list_worker(void *arg)
{
	uintptr_t which = (uintptr_t)arg & 1;
	struct bpfhost_prog *p = list_progs[which];

	/* the round trip always gets two objects back (each thread pops
	 * only what it pushed before), though maybe others' */
	for (int i = 0; i < RUNS / 10; i++) {
		uint64_t r0;

		if (bpfhost_prog_run(p, NULL, 0, &r0) ||
		    (which == 0 && (int64_t)r0 <= 0))
			__atomic_add_fetch(&run_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(list_threads)
{
	static const char *const progs[] = {"list_roundtrip", "list_peek",
					    NULL};
	char log[4096];
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	pthread_t th[THREADS];
	uint64_t r0 = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "graph_list.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "graph_list.bpf.o: %s", log);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	list_progs[0] = bpfhost_obj_prog(obj, "list_roundtrip");
	list_progs[1] = bpfhost_obj_prog(obj, "list_peek");
	CHECK(list_progs[0] && list_progs[1]);
	if (!list_progs[0] || !list_progs[1])
		goto out;
	/* alone, the round trip's order is exact */
	CHECK_EQ(bpfhost_prog_run(list_progs[0], NULL, 0, &r0), 0);
	CHECK_EQ(r0, 12);
	run_errors = 0;
	for (int t = 0; t < THREADS; t++)
		CHECK_EQ(pthread_create(&th[t], NULL, list_worker,
					(void *)(uintptr_t)t),
			 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ(run_errors, 0);
	CHECK_EQ(rt->objs.live, 0);
out:
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

/* A bpf_spin_lock in global data (k_spin_lock.bpf.c's lock_global): the
 * host's update of the section writes around the lock, as for a map
 * value, so a program never finds it taken. */
TEST(spin_lock_global_data)
{
	static const char *const progs[] = {"lock_global", NULL};
	char log[4096];
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	struct bpfhost_map *map;
	struct bpfhost_prog *p;
	struct {
		uint32_t lock;
		uint32_t pad;
		int64_t count;
	} sec = {.lock = 0xffffffffu, .count = 41};
	uint64_t r0 = 0;
	int key = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "k_spin_lock.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "k_spin_lock.bpf.o: %s", log);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	p = bpfhost_obj_prog(obj, "lock_global");
	map = bpfhost_obj_map(obj, ".data.glk");
	CHECK(p && map);
	CHECK_EQ(bpfhost_map_update(map, &key, &sec, 0), 0);
	CHECK_EQ(bpfhost_map_lookup(map, &key, &sec), 0);
	CHECK(sec.lock == 0 && sec.count == 41);
	CHECK_EQ(bpfhost_prog_run(p, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 42);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}
