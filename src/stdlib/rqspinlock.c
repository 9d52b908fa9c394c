// SPDX-License-Identifier: BSD-2-Clause
/*
 * The resilient spin lock kfuncs of the kernel's common set (Linux 6.15+):
 * bpf_res_spin_lock, bpf_res_spin_unlock and their _irqsave/_irqrestore
 * forms, on a struct bpf_res_spin_lock (4 bytes) in a map value, in global
 * data or in a program object.
 *
 * Like the kernel's rqspinlock, a lock can always be given up on, so a
 * program can never hang its host:
 *   - each thread keeps a table of the locks it holds or is taking (the
 *     kernel's per-CPU rqspinlock_held, 31 entries; the locks past them are
 *     taken but not recorded);
 *   - a lock that is busy and already in this thread's table is a
 *     deadlock on itself (AA): -EDEADLK at once;
 *   - while waiting, the tables of the other threads are looked at: when
 *     a thread holds the lock wanted here and waits for one this thread
 *     holds (ABBA), -EDEADLK;
 *   - every wait ends after 250 ms (the kernel's RES_DEF_TIMEOUT) with
 *     -ETIMEDOUT, whatever the reason (a deadlock no table shows).
 * The verifier (src/verifier/locks.c) lets a program use the lock only on
 * the path where the call returned 0, and release locks in the reverse
 * order of taking them.
 *
 * A user-space thread cannot mask interrupts: the _irqsave form saves the
 * flags as bpf_local_irq_save does (common.c) once it holds the lock, and
 * the _irqrestore form puts them back after the unlock.
 *
 * Invariant: a thread's table lists, bottom to top, the recorded locks it
 * holds, then the one it is taking (if any); cnt counts recorded and
 * unrecorded ones alike.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bpfhost/kfunc.h"
#include "stdlib.h"

#define BH_RES_NR_HELD 31
#define BH_RES_TIMEOUT_NS (1000000000ull / 4)
/* spins between yields, and between deadline and ABBA checks */
#define BH_RES_YIELD_MASK 63u
#define BH_RES_CHECK_MASK 255u

/* what a program sees: the uapi struct */
struct bpf_res_spin_lock {
	uint32_t val;
};

struct bh_rq_held {
	uint32_t cnt;
	void *locks[BH_RES_NR_HELD];
	struct bh_rq_held *next, **pprev; /* in bh_rq_threads, once used */
};

static _Thread_local struct bh_rq_held bh_rq_self;

/* every thread that has taken a lock, for the ABBA check */
static pthread_mutex_t bh_rq_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct bh_rq_held *bh_rq_threads;
static pthread_key_t bh_rq_key;
static pthread_once_t bh_rq_once = PTHREAD_ONCE_INIT;
static bool bh_rq_key_ok;

static void bh_rq_unlink(void *arg)
{
	struct bh_rq_held *h = arg;

	pthread_mutex_lock(&bh_rq_mutex);
	if (h->pprev) {
		*h->pprev = h->next;
		if (h->next)
			h->next->pprev = h->pprev;
		h->pprev = NULL;
	}
	pthread_mutex_unlock(&bh_rq_mutex);
}

static void bh_rq_key_init(void)
{
	bh_rq_key_ok = !pthread_key_create(&bh_rq_key, bh_rq_unlink);
}

/* List this thread for the others' ABBA checks; unlisted at its exit.
 * Without a key (none left) it stays unlisted: only AA and the timeout
 * then protect it, which is still safe. */
static void bh_rq_register(struct bh_rq_held *h)
{
	if (h->pprev)
		return;
	pthread_once(&bh_rq_once, bh_rq_key_init);
	if (!bh_rq_key_ok || pthread_setspecific(bh_rq_key, h))
		return;
	pthread_mutex_lock(&bh_rq_mutex);
	h->next = bh_rq_threads;
	if (h->next)
		h->next->pprev = &h->next;
	h->pprev = &bh_rq_threads;
	bh_rq_threads = h;
	pthread_mutex_unlock(&bh_rq_mutex);
}

static uint64_t bh_rq_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool bh_rq_held_below_top(const struct bh_rq_held *h, uint32_t cnt,
				 const void *lock)
{
	uint32_t n = cnt < BH_RES_NR_HELD ? cnt : BH_RES_NR_HELD;

	for (uint32_t i = 0; i + 1 < n; i++)
		if (__atomic_load_n(&h->locks[i], __ATOMIC_RELAXED) == lock)
			return true;
	return false;
}

/* Another thread holds lock and is taking one this thread holds. */
static bool bh_rq_abba(const struct bh_rq_held *self, const void *lock)
{
	bool dead = false;

	if (self->cnt < 2 || self->cnt > BH_RES_NR_HELD)
		return false;
	pthread_mutex_lock(&bh_rq_mutex);
	for (const struct bh_rq_held *h = bh_rq_threads; h && !dead;
	     h = h->next) {
		uint32_t cnt = __atomic_load_n(&h->cnt, __ATOMIC_ACQUIRE);
		const void *waits;

		if (h == self || !cnt || cnt > BH_RES_NR_HELD)
			continue;
		waits = __atomic_load_n(&h->locks[cnt - 1], __ATOMIC_ACQUIRE);
		dead = waits && bh_rq_held_below_top(h, cnt, lock) &&
		       bh_rq_held_below_top(self, self->cnt, waits);
	}
	pthread_mutex_unlock(&bh_rq_mutex);
	return dead;
}

/* Take the entry off this thread's table (the top one, when the
 * verifier's order is kept). */
static void bh_rq_forget(struct bh_rq_held *h, const void *lock)
{
	uint32_t cnt = h->cnt;

	if (!cnt)
		return;
	/* past the table's end nothing was recorded */
	if (cnt <= BH_RES_NR_HELD) {
		uint32_t i = cnt;

		while (i > 0 && h->locks[i - 1] != lock)
			i--;
		if (i > 0) {
			for (; i < cnt; i++)
				__atomic_store_n(&h->locks[i - 1], h->locks[i],
						 __ATOMIC_RELAXED);
			__atomic_store_n(&h->locks[cnt - 1], NULL,
					 __ATOMIC_RELAXED);
		}
	}
	__atomic_store_n(&h->cnt, cnt - 1, __ATOMIC_RELEASE);
}

static int bh_rq_lock(struct bpf_res_spin_lock *lock)
{
	struct bh_rq_held *h = &bh_rq_self;
	uint32_t *word = &lock->val, zero = 0;
	uint64_t deadline = 0;
	unsigned int spins = 0;

	bh_rq_register(h);
	if (h->cnt < BH_RES_NR_HELD)
		__atomic_store_n(&h->locks[h->cnt], lock, __ATOMIC_RELAXED);
	__atomic_store_n(&h->cnt, h->cnt + 1, __ATOMIC_RELEASE);
	for (;;) {
		if (__atomic_compare_exchange_n(word, &zero, 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 0;
		zero = 0;
		if (!spins) {
			/* busy: if this thread holds it, it waits forever */
			if (bh_rq_held_below_top(h, h->cnt, lock))
				goto deadlock;
			deadline = bh_rq_now() + BH_RES_TIMEOUT_NS;
		}
		spins++;
		if (!(spins & BH_RES_YIELD_MASK))
			sched_yield();
		if (spins & BH_RES_CHECK_MASK)
			continue;
		if (bh_rq_abba(h, lock))
			goto deadlock;
		if (bh_rq_now() >= deadline) {
			bh_rq_forget(h, lock);
			return -ETIMEDOUT;
		}
	}
deadlock:
	bh_rq_forget(h, lock);
	return -EDEADLK;
}

static void bh_rq_unlock(struct bpf_res_spin_lock *lock)
{
	bh_rq_forget(&bh_rq_self, lock);
	__atomic_store_n(&lock->val, 0, __ATOMIC_RELEASE);
}

unsigned int bh_rq_held_mark(void)
{
	return bh_rq_self.cnt;
}

void bh_rq_abandon_to(unsigned int mark)
{
	struct bh_rq_held *h = &bh_rq_self;

	/* newest first; the ones past the table were not recorded and stay
	 * taken (their waiters time out) */
	while (h->cnt > mark) {
		void *lock =
			h->cnt <= BH_RES_NR_HELD ? h->locks[h->cnt - 1] : NULL;

		if (lock)
			bh_rq_unlock(lock);
		else
			bh_rq_forget(h, NULL);
	}
}

__bpf_kfunc_start_defs();

__bpf_kfunc int bpf_res_spin_lock(struct bpf_res_spin_lock *lock)
{
	return bh_rq_lock(lock);
}

__bpf_kfunc void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock)
{
	bh_rq_unlock(lock);
}

__bpf_kfunc int bpf_res_spin_lock_irqsave(struct bpf_res_spin_lock *lock,
					  unsigned long *flags__irq_flag)
{
	int ret = bh_rq_lock(lock);

	if (!ret)
		bh_local_irq_save(flags__irq_flag);
	return ret;
}

__bpf_kfunc void bpf_res_spin_unlock_irqrestore(struct bpf_res_spin_lock *lock,
						unsigned long *flags__irq_flag)
{
	bh_rq_unlock(lock);
	bh_local_irq_restore(flags__irq_flag);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_rqspinlock_kfunc_ids)
BTF_ID_FLAGS(func, bpf_res_spin_lock)
BTF_ID_FLAGS(func, bpf_res_spin_unlock)
BTF_ID_FLAGS(func, bpf_res_spin_lock_irqsave)
BTF_ID_FLAGS(func, bpf_res_spin_unlock_irqrestore)
BTF_KFUNCS_END(bh_rqspinlock_kfunc_ids)

static const struct btf_kfunc_id_set bh_rqspinlock_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_rqspinlock_kfunc_ids,
};

int bh_stdlib_rqspinlock_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_rqspinlock_kfunc_set);
}
