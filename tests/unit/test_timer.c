// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_timer at run time (tests/progs/k_timer.bpf.c): a timer armed by a
 * program fires its callback on the object's timer thread, which sees its
 * map value; a callback re-arming itself fires again; an update of the
 * value from the host leaves the timer alone; freeing the object with
 * timers armed (and one firing) cancels them, under ASan too; a bpf_wq
 * work item runs its callback each time it is started.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"
#include "rt/rt.h"
#include "support/objs.h"

struct elem {
	long hits;
	uint64_t timer[2];
	long arg;
};

/* the hits of element 3 once they reach want, or what they were after
 * two seconds */
static long wait_hits(struct bpfhost_map *m, long want)
{
	struct elem e = {0};
	int k = 3;

	for (int i = 0; i < 2000; i++) {
		if (bpfhost_map_lookup(m, &k, &e))
			return -1;
		if (e.hits >= want)
			return e.hits;
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	return e.hits;
}

TEST(timer_fires)
{
	static const char *const progs[] = {"timer_fire", "timer_setup",
					    "timer_hash_fire", "timer_many",
					    NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	char log[4096];
	struct bpfhost_obj *obj =
		th_obj_load(rt, "k_timer.bpf.o", progs, log, sizeof(log));
	struct bpfhost_prog *fire;
	struct bpfhost_map *m;
	struct elem e = {0};
	uint64_t r0 = 0;
	int k = 3;

	uint64_t used0 = rt ? rt->objs.used : 0;

	CHECK_MSG(obj, "k_timer.bpf.o: %s", log);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	fire = bpfhost_obj_prog(obj, "timer_fire");
	m = bpfhost_obj_map(obj, "timers");
	CHECK(fire && m);
	CHECK_EQ(bpfhost_prog_run(fire, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 1u);
	CHECK_EQ(wait_hits(m, 1), 1);
	/* the callback re-arms itself arg more times; the host's update
	 * writes hits and arg around the timer, which stays initialised */
	CHECK_EQ(bpfhost_map_lookup(m, &k, &e), 0);
	e.arg = 3;
	memset(e.timer, 0xff, sizeof(e.timer));
	CHECK_EQ(bpfhost_map_update(m, &k, &e, 0), 0);
	CHECK_EQ(bpfhost_prog_run(fire, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 1u);
	CHECK_EQ(wait_hits(m, 5), 5);
	CHECK_EQ(bpfhost_map_lookup(m, &k, &e), 0);
	CHECK_EQ(e.arg, 0);
	/* a hash element's timer: its callback gets the element's key */
	{
		struct bpfhost_map *h = bpfhost_obj_map(obj, "htimers");
		long hk = 7;
		struct elem he = {0};

		CHECK_EQ(bpfhost_prog_run(
				 bpfhost_obj_prog(obj, "timer_hash_fire"), NULL,
				 0, &r0),
			 0);
		CHECK_EQ(r0, 1u);
		for (int i = 0; i < 2000 && he.hits < 1; i++) {
			CHECK_EQ(bpfhost_map_lookup(h, &hk, &he), 0);
			nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
		}
		CHECK_EQ(he.hits, 1);
		CHECK_EQ(he.arg, 7);
	}
	/* 256 timers armed out of order fire in the order of their
	 * expiries, each once */
	{
		struct bpfhost_map *mm = bpfhost_obj_map(obj, "many");
		struct {
			long order;
			uint64_t t[2];
			long due;
		} v[256];
		long by_order[256];
		int seen = 0, late = 0;

		CHECK_EQ(bpfhost_prog_run(bpfhost_obj_prog(obj, "timer_many"),
					  NULL, 0, &r0),
			 0);
		CHECK_EQ(r0, 256u);
		nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
		for (int i = 0; i < 256; i++)
			by_order[i] = -1;
		for (int i = 0; i < 256; i++) {
			CHECK_EQ(bpfhost_map_lookup(mm, &i, &v[i]), 0);
			if (v[i].order >= 0 && v[i].order < 256 &&
			    by_order[v[i].order] < 0) {
				by_order[v[i].order] = v[i].due;
				seen++;
			}
		}
		CHECK_EQ(seen, 256);
		for (int i = 1; i < 256; i++)
			late += by_order[i] < by_order[i - 1];
		CHECK_EQ(late, 0);
	}
	/* armed far in the future (timer_setup cancels its own), then one
	 * armed to fire now, and the object freed at once */
	CHECK_EQ(bpfhost_prog_run(bpfhost_obj_prog(obj, "timer_setup"), NULL, 0,
				  &r0),
		 0);
	CHECK_EQ(r0, 1u);
	e.arg = 1000000;
	CHECK_EQ(bpfhost_map_update(m, &k, &e, 0), 0);
	CHECK_EQ(bpfhost_prog_run(fire, NULL, 0, &r0), 0);
	/* every timer is charged to the runtime's budget for program
	 * objects, and given back with its object */
	CHECK(rt->objs.used >= used0 + 256 * 64);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.used, used0);
	bpfhost_rt_free(rt);
}

/* tests/progs/k_wq.bpf.c's wq_start: the work item's callback runs once
 * on the object's thread; started again, it runs again */
TEST(wq_runs)
{
	static const char *const progs[] = {"wq_start", NULL};
	char log[4096];
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	struct bpfhost_prog *p;
	struct bpfhost_map *m;
	struct elem e = {0};
	uint64_t r0 = 0;
	int k = 0;

	obj = th_obj_load(rt, "k_wq.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "k_wq.bpf.o: %s", log);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	p = bpfhost_obj_prog(obj, "wq_start");
	m = bpfhost_obj_map(obj, "wqs");
	CHECK(p && m);
	CHECK_EQ(bpfhost_prog_run(p, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 1u);
	for (int i = 0; i < 2000 && e.hits < 1; i++) {
		CHECK_EQ(bpfhost_map_lookup(m, &k, &e), 0);
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	CHECK_EQ(e.hits, 1);
	CHECK_EQ(bpfhost_prog_run(p, NULL, 0, &r0), 0);
	for (int i = 0; i < 2000 && e.hits < 2; i++) {
		CHECK_EQ(bpfhost_map_lookup(m, &k, &e), 0);
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	CHECK_EQ(e.hits, 2);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}
