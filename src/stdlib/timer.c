// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_timer, as Linux has it: a map value's struct bpf_timer is
 * initialised with a clock (bpf_timer_init), given a callback of the
 * program (bpf_timer_set_callback), armed (bpf_timer_start, relative or
 * absolute nanoseconds) and cancelled (bpf_timer_cancel), with the
 * kernel's error codes.  When it expires, the callback runs as
 * callback(map, key, value) on the object's timer thread (the kernel runs
 * it in softirq context: never on the thread that armed it).
 *
 * Invariants: all timer state is under the executor's lock; a callback
 * runs with the lock dropped and `running` set, and whoever frees or
 * cancels a timer from another thread waits for that to clear, so no
 * callback outlives its timer, its map value or its program (the object
 * stops the thread before freeing maps and code).  A callback that
 * cancels its own timer gets -EDEADLK; one that frees it (deleting its
 * own element) leaves the free to the thread, after it returns.
 *
 * bpf_wq (the common kfuncs bpf_wq_init, bpf_wq_set_callback_impl,
 * bpf_wq_start) is the same machinery without a delay: a started work
 * item runs its (sleepable) callback on the object's thread as soon as it
 * can, once however often it was started before that.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfhost/kfunc.h"
#include "exec/exec.h"
#include "maps/map.h"
#include "stdlib.h"

#define BH_TIMER_F_ABS (1u << 0)
#define BH_TIMER_F_CPU_PIN (1u << 1)

struct bh_timer {
	struct bh_async_exec *ex;
	struct bh_map *map;
	void *value;
	const struct bh_code *code;
	uint64_t cb;	  /* 0: no callback yet */
	int clock;	  /* CLOCK_MONOTONIC, _REALTIME or _BOOTTIME */
	uint64_t expires; /* CLOCK_MONOTONIC ns */
	bool armed, running, freeing;
	pthread_t runner;
	uint32_t waiters; /* threads in wait_idle on it */
	uint64_t seq;	  /* arming order: equal expiries fire in it */
	size_t heap_idx;  /* in ex->heap while armed */
};

struct bh_async_exec {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the thread: something to do */
	pthread_cond_t idle; /* a callback finished */
	pthread_t thread;
	bool started, stopping;
	/* armed timers, a binary min-heap by (expires, seq): arming and
	 * cancelling cost O(log n) however many a program arms */
	struct bh_timer **heap;
	size_t nheap, cap;
	uint64_t seq;
	struct bh_run_env env; /* callbacks print as the object's runs do */
	struct bh_mem_pool *pool;
};

/* what one timer costs the runtime's budget: itself and its heap slot */
#define BH_TIMER_BYTES (sizeof(struct bh_timer) + sizeof(struct bh_timer *))

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct bh_async_exec *bh_async_exec_new(const struct bh_run_env *env,
					struct bh_mem_pool *pool)
{
	struct bh_async_exec *ex = calloc(1, sizeof(*ex));
	pthread_condattr_t ca;

	if (!ex)
		return NULL;
	pthread_mutex_init(&ex->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ex->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&ex->idle, NULL);
	if (env)
		ex->env = *env;
	ex->env.async = ex;
	ex->pool = pool;
	return ex;
}

static bool earlier(const struct bh_timer *a, const struct bh_timer *b)
{
	return a->expires < b->expires ||
	       (a->expires == b->expires && a->seq < b->seq);
}

static void heap_set(struct bh_async_exec *ex, size_t i, struct bh_timer *t)
{
	ex->heap[i] = t;
	t->heap_idx = i;
}

static void sift_up(struct bh_async_exec *ex, size_t i)
{
	struct bh_timer *t = ex->heap[i];

	while (i && earlier(t, ex->heap[(i - 1) / 2])) {
		heap_set(ex, i, ex->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(ex, i, t);
}

static void sift_down(struct bh_async_exec *ex, size_t i)
{
	struct bh_timer *t = ex->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= ex->nheap)
			break;
		if (c + 1 < ex->nheap && earlier(ex->heap[c + 1], ex->heap[c]))
			c++;
		if (!earlier(ex->heap[c], t))
			break;
		heap_set(ex, i, ex->heap[c]);
		i = c;
	}
	heap_set(ex, i, t);
}

static void unlink_armed(struct bh_async_exec *ex, struct bh_timer *t)
{
	size_t i = t->heap_idx;
	struct bh_timer *last = ex->heap[--ex->nheap];

	t->armed = false;
	if (last == t)
		return;
	heap_set(ex, i, last);
	sift_up(ex, i);
	sift_down(ex, last->heap_idx);
}

/* lock held; -ENOMEM when the heap cannot grow */
static int insert_armed(struct bh_async_exec *ex, struct bh_timer *t)
{
	if (ex->nheap == ex->cap) {
		size_t cap = ex->cap ? ex->cap * 2 : 16;
		struct bh_timer **h = realloc(ex->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		ex->heap = h;
		ex->cap = cap;
	}
	t->seq = ex->seq++;
	t->armed = true;
	heap_set(ex, ex->nheap++, t);
	sift_up(ex, t->heap_idx);
	return 0;
}

static void timer_release(struct bh_async_exec *ex, struct bh_timer *t)
{
	if (ex->pool)
		bh_mem_pool_uncharge(ex->pool, BH_TIMER_BYTES);
	free(t);
}

static void run_one(struct bh_async_exec *ex, struct bh_timer *t)
{
	const struct bh_run_env *old;
	uint32_t idx;
	const void *key = bh_map_value_key(t->map, t->value, &idx);
	uint64_t r0;

	old = bh_run_env_set(&ex->env);
	if (key)
		bh_code_run_callback(t->code, t->cb,
				     (uint64_t)(uintptr_t)t->map,
				     (uint64_t)(uintptr_t)key,
				     (uint64_t)(uintptr_t)t->value, &r0);
	bh_run_env_set(old);
}

static void *exec_thread(void *arg)
{
	struct bh_async_exec *ex = arg;

	pthread_mutex_lock(&ex->lock);
	while (!ex->stopping) {
		struct bh_timer *t = ex->nheap ? ex->heap[0] : NULL;
		uint64_t now;

		if (!t) {
			pthread_cond_wait(&ex->wake, &ex->lock);
			continue;
		}
		now = now_ns(CLOCK_MONOTONIC);
		if (t->expires > now) {
			struct timespec ts = {
				.tv_sec = (time_t)(t->expires / 1000000000ull),
				.tv_nsec = (long)(t->expires % 1000000000ull),
			};

			pthread_cond_timedwait(&ex->wake, &ex->lock, &ts);
			continue;
		}
		unlink_armed(ex, t);
		t->running = true;
		t->runner = pthread_self();
		pthread_mutex_unlock(&ex->lock);
		run_one(ex, t);
		pthread_mutex_lock(&ex->lock);
		t->running = false;
		if (t->freeing)
			timer_release(ex, t);
		pthread_cond_broadcast(&ex->idle);
	}
	pthread_mutex_unlock(&ex->lock);
	return NULL;
}

void bh_async_exec_stop(struct bh_async_exec *ex)
{
	if (!ex)
		return;
	pthread_mutex_lock(&ex->lock);
	ex->stopping = true;
	pthread_cond_broadcast(&ex->wake);
	pthread_mutex_unlock(&ex->lock);
	if (ex->started)
		pthread_join(ex->thread, NULL);
	ex->started = false;
}

void bh_async_exec_free(struct bh_async_exec *ex)
{
	if (!ex)
		return;
	bh_async_exec_stop(ex);
	pthread_cond_destroy(&ex->wake);
	pthread_cond_destroy(&ex->idle);
	pthread_mutex_destroy(&ex->lock);
	free(ex->heap);
	free(ex);
}

/* The running program's executor (its object's), or NULL. */
static struct bh_async_exec *cur_exec(void)
{
	const struct bh_run_env *env = bh_run_env_get();

	return env ? env->async : NULL;
}

/* The timer in a field; with ex->lock held it cannot be freed under us
 * (bh_timer_free takes the lock to clear the field). */
static struct bh_timer *timer_of(uint64_t field)
{
	return __atomic_load_n((struct bh_timer **)(uintptr_t)field,
			       __ATOMIC_ACQUIRE);
}

/* Wait, lock held, until t's callback is not running on another thread. */
static void wait_idle(struct bh_async_exec *ex, struct bh_timer *t)
{
	t->waiters++;
	while (t->running && !pthread_equal(t->runner, pthread_self()))
		pthread_cond_wait(&ex->idle, &ex->lock);
	t->waiters--;
	pthread_cond_broadcast(&ex->idle);
}

/* The map holding field releases it (the value is deleted, overwritten
 * or freed); the map serialises the releases of one value. */
void bh_timer_free(void *field)
{
	struct bh_timer *t = timer_of((uint64_t)(uintptr_t)field);
	struct bh_async_exec *ex;

	if (!t)
		return;
	ex = t->ex;
	pthread_mutex_lock(&ex->lock);
	__atomic_store_n((struct bh_timer **)field, NULL, __ATOMIC_RELEASE);
	if (t->armed)
		unlink_armed(ex, t);
	wait_idle(ex, t);
	/* nobody else may still be looking at it (a cancel waiting) */
	while (t->waiters)
		pthread_cond_wait(&ex->idle, &ex->lock);
	if (t->running) {
		/* its own callback frees it: after the callback returns */
		t->freeing = true;
		t = NULL;
	}
	pthread_mutex_unlock(&ex->lock);
	if (t)
		timer_release(ex, t);
}

/* __bpf_async_init(): a timer (clock) or work item in its field */
static int async_init(uint64_t field, struct bh_map *m, int clock, bool wq)
{
	struct bh_async_exec *ex = cur_exec();
	int64_t off = bh_map_timer_off(m, wq);
	struct bh_timer *t;
	int err = 0;

	if (!ex || off < 0)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&ex->lock);
	if (timer_of(field)) {
		err = -EBUSY;
	} else if (ex->pool && bh_mem_pool_charge(ex->pool, BH_TIMER_BYTES)) {
		err = -ENOMEM; /* the runtime's budget, as the kernel's memcg */
	} else if (!(t = calloc(1, sizeof(*t)))) {
		if (ex->pool)
			bh_mem_pool_uncharge(ex->pool, BH_TIMER_BYTES);
		err = -ENOMEM;
	} else {
		t->ex = ex;
		t->map = m;
		t->value = (char *)(uintptr_t)field - off;
		t->clock = clock;
		__atomic_store_n((struct bh_timer **)(uintptr_t)field, t,
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ex->lock);
	return err;
}

uint64_t bh_helper_timer_init(uint64_t field, uint64_t map, uint64_t flags,
			      uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	if (flags != CLOCK_MONOTONIC && flags != CLOCK_REALTIME &&
	    flags != CLOCK_BOOTTIME)
		return (uint64_t)(int64_t)-EINVAL;
	return (uint64_t)(int64_t)async_init(
		field, (struct bh_map *)(uintptr_t)map, (int)flags, false);
}

static int async_set_callback(uint64_t field, uint64_t cb)
{
	struct bh_async_exec *ex = cur_exec();
	const struct bh_code *code = bh_code_current();
	struct bh_timer *t;
	int err = 0;

	if (!ex || !code)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&ex->lock);
	t = timer_of(field);
	if (!t) {
		err = -EINVAL;
	} else {
		t->code = code;
		t->cb = cb;
	}
	pthread_mutex_unlock(&ex->lock);
	return err;
}

uint64_t bh_helper_timer_set_callback(uint64_t field, uint64_t cb, uint64_t r3,
				      uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return (uint64_t)(int64_t)async_set_callback(field, cb);
}

/* lock held */
static int start_thread(struct bh_async_exec *ex)
{
	if (ex->started)
		return 0;
	if (pthread_create(&ex->thread, NULL, exec_thread, ex))
		return -EAGAIN;
	ex->started = true;
	return 0;
}

uint64_t bh_helper_timer_start(uint64_t field, uint64_t nsecs, uint64_t flags,
			       uint64_t r4, uint64_t r5)
{
	struct bh_async_exec *ex = cur_exec();
	struct bh_timer *t;
	uint64_t now;
	int err = 0;

	(void)r4, (void)r5;
	if (!ex)
		return (uint64_t)(int64_t)-EOPNOTSUPP;
	if (flags & ~(uint64_t)(BH_TIMER_F_ABS | BH_TIMER_F_CPU_PIN))
		return (uint64_t)(int64_t)-EINVAL;
	pthread_mutex_lock(&ex->lock);
	t = timer_of(field);
	if (!t || !t->cb || ex->stopping) {
		err = -EINVAL;
		goto out;
	}
	err = start_thread(ex);
	if (err)
		goto out;
	if (t->armed)
		unlink_armed(ex, t);
	now = now_ns(CLOCK_MONOTONIC);
	if (flags & BH_TIMER_F_ABS) {
		/* nsecs on the timer's clock: as far from now */
		uint64_t on = now_ns((clockid_t)t->clock);

		t->expires = nsecs > on ? now + (nsecs - on) : now;
	} else {
		t->expires = now + nsecs < now ? UINT64_MAX : now + nsecs;
	}
	err = insert_armed(ex, t);
	if (!err)
		pthread_cond_broadcast(&ex->wake);
out:
	pthread_mutex_unlock(&ex->lock);
	return (uint64_t)(int64_t)err;
}

uint64_t bh_helper_timer_cancel(uint64_t field, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	struct bh_async_exec *ex = cur_exec();
	struct bh_timer *t;
	int ret;

	(void)r2, (void)r3, (void)r4, (void)r5;
	if (!ex)
		return (uint64_t)(int64_t)-EOPNOTSUPP;
	pthread_mutex_lock(&ex->lock);
	t = timer_of(field);
	if (!t) {
		ret = -EINVAL;
	} else if (t->running && pthread_equal(t->runner, pthread_self())) {
		ret = -EDEADLK;
	} else {
		ret = t->armed;
		if (t->armed)
			unlink_armed(ex, t);
		wait_idle(ex, t);
	}
	pthread_mutex_unlock(&ex->lock);
	return (uint64_t)(int64_t)ret;
}

/* ---- bpf_wq ---- */

struct bpf_wq {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

__bpf_kfunc_start_defs();

__bpf_kfunc int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags)
{
	if (flags)
		return -EINVAL;
	return async_init((uint64_t)(uintptr_t)wq, p__map, CLOCK_MONOTONIC,
			  true);
}

__bpf_kfunc int bpf_wq_set_callback_impl(struct bpf_wq *wq,
					 int(callback_fn)(void *map, int *key,
							  void *value),
					 unsigned int flags, void *aux__prog)
{
	(void)aux__prog;
	if (flags)
		return -EINVAL;
	return async_set_callback((uint64_t)(uintptr_t)wq,
				  (uint64_t)(uintptr_t)callback_fn);
}

/* schedule_work(): pending once until its callback starts */
__bpf_kfunc int bpf_wq_start(struct bpf_wq *wq, unsigned int flags)
{
	struct bh_async_exec *ex = cur_exec();
	struct bh_timer *t;
	int err;

	if (flags)
		return -EINVAL;
	if (!ex)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&ex->lock);
	t = timer_of((uint64_t)(uintptr_t)wq);
	if (!t || !t->cb || ex->stopping) {
		err = -EINVAL;
	} else {
		err = start_thread(ex);
		if (!err && !t->armed) {
			t->expires = now_ns(CLOCK_MONOTONIC);
			err = insert_armed(ex, t);
			if (!err)
				pthread_cond_broadcast(&ex->wake);
		}
	}
	pthread_mutex_unlock(&ex->lock);
	return err;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_wq_kfunc_ids)
BTF_ID_FLAGS(func, bpf_wq_init)
BTF_ID_FLAGS(func, bpf_wq_set_callback_impl)
BTF_ID_FLAGS(func, bpf_wq_start)
BTF_KFUNCS_END(bh_wq_kfunc_ids)

static const struct btf_kfunc_id_set bh_wq_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_wq_kfunc_ids,
};

int bh_stdlib_wq_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_wq_kfunc_set);
}
