// SPDX-License-Identifier: BSD-2-Clause
/*
 * The resilient spin lock kfuncs at run time (src/stdlib/rqspinlock.c):
 *   - tests/progs/res_spin_lock.bpf.c's count_one from several threads on
 *     one lock: every run that got the lock counted, none was lost;
 *   - the kfuncs called from C the way a program calls them: a second
 *     take by the holder fails at once with -EDEADLK (AA); a lock another
 *     thread holds fails after 250 ms with -ETIMEDOUT; two threads each
 *     holding the lock the other wants: one gets -EDEADLK well before the
 *     timeout (ABBA), and the other then gets its lock;
 *   - the programs that hit AA (35) and the full held-lock table (110,
 *     after at least 250 ms) at run time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"

#define THREADS 4
#define RUNS 50000

struct bpf_res_spin_lock {
	uint32_t val;
};

/* the stdlib's kfuncs, as a program calls them */
int bpf_res_spin_lock(struct bpf_res_spin_lock *lock);
void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock);
int bpf_res_spin_lock_irqsave(struct bpf_res_spin_lock *lock,
			      unsigned long *flags);
void bpf_res_spin_unlock_irqrestore(struct bpf_res_spin_lock *lock,
				    unsigned long *flags);

/* the value of res_spin_lock.bpf.c's counters map */
struct counted {
	int64_t hits;
	struct bpf_res_spin_lock lock;
	int32_t last;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct bpfhost_obj *open_progs(struct bpfhost_rt *rt, const char *only)
{
	char log[4096] = "", path[512];
	struct bpfhost_open_opts o = {
		.sz = sizeof(o),
		.log_buf = log,
		.log_size = sizeof(log),
	};
	struct bpfhost_obj *obj;

	snprintf(path, sizeof(path), "%s/progs/res_spin_lock.bpf.o",
		 th_build_dir());
	obj = bpfhost_obj_open(rt, path, &o);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", path, log);
		return NULL;
	}
	for (size_t i = 0; only && i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);

		bpfhost_prog_set_autoload(
			p, strstr(only, bpfhost_prog_name(p)) != NULL);
	}
	if (bpfhost_obj_load(obj)) {
		fprintf(stderr, "load: %s\n", log);
		bpfhost_obj_free(obj);
		return NULL;
	}
	return obj;
}

static struct bpfhost_prog *count_prog;
static int64_t counted_ok, counted_failed, run_errors;

static void *count_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < RUNS; i++) {
		uint64_t r0;

		if (bpfhost_prog_run(count_prog, NULL, 0, &r0))
			__atomic_add_fetch(&run_errors, 1, __ATOMIC_RELAXED);
		else if ((int64_t)r0 > 0)
			__atomic_add_fetch(&counted_ok, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&counted_failed, 1,
					   __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(res_lock_threads)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj = rt ? open_progs(rt, "count_one") : NULL;
	struct bpfhost_map *map;
	struct counted v = {0}, in = {.hits = 9, .lock = {0xffffffffu}};
	pthread_t th[THREADS];
	int key = 0;

	CHECK(rt && obj);
	count_prog = bpfhost_obj_prog(obj, "count_one");
	map = bpfhost_obj_map(obj, "counters");
	CHECK(count_prog && map);
	for (int t = 0; t < THREADS; t++)
		CHECK_EQ(pthread_create(&th[t], NULL, count_worker, NULL), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ(run_errors, 0);
	CHECK_EQ(counted_ok + counted_failed, (int64_t)THREADS * RUNS);
	/* a run may give up (a holder descheduled for 250 ms), none may be
	 * lost: the count is exactly the runs that held the lock */
	CHECK_EQ(bpfhost_map_lookup(map, &key, &v), 0);
	CHECK_EQ(v.hits, counted_ok);
	CHECK(counted_ok > 0);
	CHECK_EQ(v.lock.val, 0u);
	if (counted_failed)
		printf("note: %lld of %d runs timed out on a loaded host\n",
		       (long long)counted_failed, THREADS * RUNS);
	/* the host's update writes the value around the lock */
	CHECK_EQ(bpfhost_map_update(map, &key, &in, 0), 0);
	CHECK_EQ(bpfhost_map_lookup(map, &key, &v), 0);
	CHECK(v.hits == 9 && v.lock.val == 0);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

TEST(res_lock_aa)
{
	struct bpf_res_spin_lock a = {0}, b = {0};
	unsigned long flags;
	uint64_t t0;

	CHECK_EQ(bpf_res_spin_lock(&a), 0);
	CHECK_EQ(a.val, 1u);
	t0 = now_ms();
	CHECK_EQ(bpf_res_spin_lock(&a), -EDEADLK);
	CHECK(now_ms() - t0 < 100);
	/* a failed take leaves nothing behind: b, then a again, still
	 * nest and release in order */
	CHECK_EQ(bpf_res_spin_lock_irqsave(&b, &flags), 0);
	CHECK_EQ(bpf_res_spin_lock(&b), -EDEADLK);
	CHECK_EQ(bpf_res_spin_lock(&a), -EDEADLK);
	bpf_res_spin_unlock_irqrestore(&b, &flags);
	CHECK_EQ(b.val, 0u);
	bpf_res_spin_unlock(&a);
	CHECK_EQ(a.val, 0u);
	CHECK_EQ(bpf_res_spin_lock(&a), 0);
	bpf_res_spin_unlock(&a);
}

static struct bpf_res_spin_lock held_lock;
static int holder_stage; /* 1: holds; 2: may release */

static void *holder(void *arg)
{
	(void)arg;
	if (bpf_res_spin_lock(&held_lock))
		return (void *)1;
	__atomic_store_n(&holder_stage, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&holder_stage, __ATOMIC_ACQUIRE) != 2) {
		struct timespec ts = {0, 1000000};

		nanosleep(&ts, NULL);
	}
	bpf_res_spin_unlock(&held_lock);
	return NULL;
}

TEST(res_lock_timeout)
{
	pthread_t th;
	void *ret = (void *)1;
	uint64_t t0, dt;

	CHECK_EQ(pthread_create(&th, NULL, holder, NULL), 0);
	while (!__atomic_load_n(&holder_stage, __ATOMIC_ACQUIRE))
		sched_yield();
	t0 = now_ms();
	CHECK_EQ(bpf_res_spin_lock(&held_lock), -ETIMEDOUT);
	dt = now_ms() - t0;
	__atomic_store_n(&holder_stage, 2, __ATOMIC_RELEASE);
	pthread_join(th, &ret);
	CHECK(ret == NULL);
	CHECK_MSG(dt >= 250 && dt < 5000, "waited %llu ms",
		  (unsigned long long)dt);
	/* released: the lock is free again, and this thread holds nothing */
	CHECK_EQ(bpf_res_spin_lock(&held_lock), 0);
	bpf_res_spin_unlock(&held_lock);
}

static struct bpf_res_spin_lock lock_x, lock_y;
static int abba_ready;

struct abba_arg {
	struct bpf_res_spin_lock *first, *second;
	int ret;
	uint64_t ms;
};

static void *abba_worker(void *p)
{
	struct abba_arg *a = p;
	uint64_t t0;

	a->ret = bpf_res_spin_lock(a->first);
	if (a->ret)
		return NULL;
	__atomic_add_fetch(&abba_ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&abba_ready, __ATOMIC_ACQUIRE) < 2)
		sched_yield();
	t0 = now_ms();
	a->ret = bpf_res_spin_lock(a->second);
	a->ms = now_ms() - t0;
	if (!a->ret)
		bpf_res_spin_unlock(a->second);
	bpf_res_spin_unlock(a->first);
	return NULL;
}

TEST(res_lock_abba)
{
	struct abba_arg a = {&lock_x, &lock_y, 1, 0};
	struct abba_arg b = {&lock_y, &lock_x, 1, 0};
	pthread_t ta, tb;

	CHECK_EQ(pthread_create(&ta, NULL, abba_worker, &a), 0);
	CHECK_EQ(pthread_create(&tb, NULL, abba_worker, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	/* one of them saw the cycle; the other got its lock once the first
	 * let go (or, if both saw it, both gave up) */
	CHECK_MSG(a.ret == -EDEADLK || b.ret == -EDEADLK, "a=%d b=%d", a.ret,
		  b.ret);
	CHECK(a.ret == 0 || a.ret == -EDEADLK);
	CHECK(b.ret == 0 || b.ret == -EDEADLK);
	CHECK_MSG((a.ret ? a.ms : b.ms) < 250, "ABBA seen after %llu ms",
		  (unsigned long long)(a.ret ? a.ms : b.ms));
	CHECK(lock_x.val == 0 && lock_y.val == 0);
}

TEST(res_lock_programs)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj =
		rt ? open_progs(rt, "aa_at_run_time held_table_timeout "
				    "irqsave_nested nested_global")
		   : NULL;
	struct bpfhost_prog *aa, *full, *irq, *nested;
	uint64_t r0 = 0, t0;

	CHECK(rt && obj);
	aa = bpfhost_obj_prog(obj, "aa_at_run_time");
	full = bpfhost_obj_prog(obj, "held_table_timeout");
	irq = bpfhost_obj_prog(obj, "irqsave_nested");
	nested = bpfhost_obj_prog(obj, "nested_global");
	CHECK(aa && full && irq && nested);
	CHECK_EQ(bpfhost_prog_run(aa, NULL, 0, &r0), 0);
	CHECK_EQ(r0, EDEADLK);
	CHECK_EQ(bpfhost_prog_run(irq, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 2);
	CHECK_EQ(bpfhost_prog_run(nested, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 3);
	t0 = now_ms();
	CHECK_EQ(bpfhost_prog_run(full, NULL, 0, &r0), 0);
	CHECK_EQ(r0, ETIMEDOUT);
	CHECK(now_ms() - t0 >= 250);
	/* every lock was released: the runs repeat the same way */
	CHECK_EQ(bpfhost_prog_run(aa, NULL, 0, &r0), 0);
	CHECK_EQ(r0, EDEADLK);
	CHECK_EQ(bpfhost_prog_run(nested, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 3);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

struct run_arg {
	struct bpfhost_prog *prog;
	uint64_t r0;
	int ret, done;
};

static void *run_once(void *p)
{
	struct run_arg *a = p;

	a->ret = bpfhost_prog_run(a->prog, NULL, 0, &a->r0);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Run prog to its end in another thread, waiting at most 3 s (a lock
 * left taken would make it spin or time out): its r0, or -1. */
static int64_t run_bounded(struct bpfhost_prog *prog)
{
	static struct run_arg a;
	pthread_t th;

	memset(&a, 0, sizeof(a));
	a.prog = prog;
	if (pthread_create(&th, NULL, run_once, &a))
		return -1;
	for (int i = 0; i < 300 && !__atomic_load_n(&a.done, __ATOMIC_ACQUIRE);
	     i++) {
		struct timespec ts = {0, 10000000};

		nanosleep(&ts, NULL);
	}
	if (!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE)) {
		pthread_detach(th);
		return -1;
	}
	pthread_join(th, NULL);
	return a.ret ? -1 : (int64_t)a.r0;
}

/* A run stopped inside a locked region (here by the instruction limit)
 * leaves neither kind of lock taken: after every stopping point, the
 * program runs to its end again. */
TEST(res_lock_stopped_run)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj = rt ? open_progs(rt, "allowed_inside "
						      "inside_spin_lock")
				     : NULL;
	struct bpfhost_prog *progs[2];
	const int64_t want[2] = {6, 0};
	int stopped = 0;

	CHECK(rt && obj);
	progs[0] = bpfhost_obj_prog(obj, "allowed_inside");
	progs[1] = bpfhost_obj_prog(obj, "inside_spin_lock");
	CHECK(progs[0] && progs[1]);
	for (int p = 0; p < 2; p++)
		for (uint64_t limit = 1; limit < 60; limit++) {
			BPFHOST_OPTS(bpfhost_run_opts, ro, .insn_limit = limit);
			uint64_t r0;
			int64_t again;

			if (bpfhost_prog_run_opts(progs[p], NULL, 0, &r0, &ro))
				stopped++;
			again = run_bounded(progs[p]);
			/* inside_spin_lock counts its runs */
			CHECK_MSG(p ? again > 0 : again == want[p],
				  "%s after a stop at %llu: %lld",
				  bpfhost_prog_name(progs[p]),
				  (unsigned long long)limit, (long long)again);
		}
	CHECK(stopped > 10);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}
