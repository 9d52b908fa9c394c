// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel's cpumask kfuncs (kernel/bpf/cpumask.c), registered as the
 * kernel registers them: for BPF_PROG_TYPE_TRACING, STRUCT_OPS and SYSCALL
 * (the "tracing", "struct_ops" and "syscall" hooks).  Names, parameter
 * names, prototypes and KF_* flags are the 6.18 kernel's.
 *
 * struct cpumask is a fixed bitmap of BH_NR_CPUS bits (the host's
 * NR_CPUS); only the first nr_cpu_ids of them are meaningful.  nr_cpu_ids
 * is the host's number of possible CPUs, as every per-CPU part of bpfhost
 * counts them (bh_nr_cpus(), src/maps/cpus.c: highest possible CPU + 1,
 * from /sys/devices/system/cpu/possible, else sysconf, or
 * BPFHOST_POSSIBLE_CPUS=N as the kernel's possible_cpus=N boot option, so
 * hosts and tests can model machines other than the one they run on),
 * capped at BH_NR_CPUS.
 * struct bpf_cpumask wraps a struct cpumask as its first member, so a
 * struct bpf_cpumask * is a valid struct cpumask *.
 *
 * Behaviour follows the kernel's cpumask helpers as built for a kernel whose
 * nr_cpu_ids is a run-time value (NR_CPUS > BITS_PER_LONG):
 *  - a cpu >= nr_cpu_ids is a no-op for set/clear and false for the tests;
 *  - searches return nr_cpu_ids when nothing is found;
 *  - whole-word operations (setall, or, xor, populate, copy) may leave bits
 *    at or above nr_cpu_ids in the last word, as the kernel's do, and every
 *    query ignores those bits, as the kernel's do;
 *  - set/clear/test_and_set/test_and_clear are atomic bit operations, every
 *    other word access is a relaxed atomic load or store, so concurrent
 *    callers are data-race free (no cross-word atomicity, as in the kernel);
 *  - bpf_cpumask_any_distribute/any_and_distribute remember the last CPU
 *    they chose per thread (the kernel keeps it per CPU) and return the
 *    next set CPU after it, wrapping.
 *
 * Objects come from a bounded allocator: at most BH_CPUMASK_MAX_LIVE masks
 * exist at once (the kernel's bpf_mem_alloc and memory cgroup bound them);
 * beyond that, or when malloc fails, bpf_cpumask_create returns NULL.
 * References are counted as refcount_t counts them: an overflow or an
 * acquire of a dead object saturates the count and the object is leaked,
 * never freed twice.  The last release frees at once: bpfhost has no RCU
 * grace period, so a host must not let programs reach a mask through an
 * RCU-protected pointer after its last reference is gone.
 *
 * bpf_cpumask_release_dtor is the destructor for struct bpf_cpumask kptrs
 * (the kernel's register_btf_id_dtor_kfuncs pairing); it is not in the
 * kfunc set, as in the kernel.
 *
 * bpf_iter_cpumask_new/next/destroy (proposed upstream, not in 6.18; the
 * last version posted: KF_ITER_NEW | KF_RCU, KF_ITER_NEXT | KF_RET_NULL,
 * KF_ITER_DESTROY): the constructor copies the mask into memory of its
 * own, so the CPUs visited are those set when the iteration began even if
 * the mask changes or dies meanwhile; next() gives each set CPU below
 * nr_cpu_ids in increasing order.  A failed copy (-ENOMEM) leaves an
 * iterator whose next() is NULL, and destroy frees the copy.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfhost/kfunc.h"
#include "maps/map.h"
#include "stdlib.h"

/* The most CPUs a struct cpumask can describe (the kernel's NR_CPUS). */
#define BH_NR_CPUS 1024
/* The most struct bpf_cpumask objects alive at once. */
#define BH_CPUMASK_MAX_LIVE 65536

#define BH_BITS_PER_LONG ((unsigned int)(sizeof(unsigned long) * CHAR_BIT))
#define BH_BITS_TO_LONGS(n) (((n) + BH_BITS_PER_LONG - 1) / BH_BITS_PER_LONG)
#define BH_CPUMASK_LONGS BH_BITS_TO_LONGS(BH_NR_CPUS)

/* refcount_t's saturation value: a count stuck here is never freed */
#define BH_REFCOUNT_SATURATED (INT_MIN / 2)

struct cpumask {
	unsigned long bits[BH_CPUMASK_LONGS];
};

struct bpf_cpumask {
	struct cpumask cpumask; /* first: a bpf_cpumask is a cpumask */
	int usage;		/* reference count, atomic */
};

_Static_assert(offsetof(struct bpf_cpumask, cpumask) == 0,
	       "struct bpf_cpumask must start with its struct cpumask");
_Static_assert(BH_NR_CPUS % (sizeof(unsigned long) * CHAR_BIT) == 0,
	       "BH_NR_CPUS must fill whole words");

/* ---- nr_cpu_ids: the possible CPUs every per-CPU part sees ---- */

static unsigned int nr_cpu_ids(void)
{
	unsigned int n = bh_nr_cpus();

	return n > BH_NR_CPUS ? BH_NR_CPUS : n;
}

static bool cpu_valid(uint32_t cpu)
{
	return cpu < nr_cpu_ids();
}

/* ---- bitmap words ---- */

static unsigned long ld(const struct cpumask *m, unsigned int i)
{
	return __atomic_load_n(&m->bits[i], __ATOMIC_RELAXED);
}

static void st(struct cpumask *m, unsigned int i, unsigned long v)
{
	__atomic_store_n(&m->bits[i], v, __ATOMIC_RELAXED);
}

/* Words covering nr_cpu_ids bits. */
static unsigned int nr_words(void)
{
	return BH_BITS_TO_LONGS(nr_cpu_ids());
}

/* The meaningful bits of word i of a mask. */
static unsigned long word_mask(unsigned int i)
{
	unsigned int nr = nr_cpu_ids();

	if (i + 1 < BH_BITS_TO_LONGS(nr) || nr % BH_BITS_PER_LONG == 0)
		return ~0UL;
	return (1UL << (nr % BH_BITS_PER_LONG)) - 1;
}

/* Bits [lo, hi) of word i, 0 <= lo <= hi <= BH_BITS_PER_LONG. */
/* The word holding cpu's bit, and the bit. */
static unsigned long *cpu_word(struct bpf_cpumask *m, uint32_t cpu)
{
	return &m->cpumask.bits[cpu / BH_BITS_PER_LONG];
}

static unsigned long cpu_bit(uint32_t cpu)
{
	return 1UL << (cpu % BH_BITS_PER_LONG);
}

static unsigned long range_mask(unsigned int lo, unsigned int hi)
{
	unsigned long m = hi >= BH_BITS_PER_LONG ? ~0UL : (1UL << hi) - 1;

	return m & (~0UL << lo);
}

/*
 * First set bit in [start, end) of a (& b if b, inverted if inv), or end.
 * end <= nr_cpu_ids.
 */
static unsigned int find_bit(const struct cpumask *a, const struct cpumask *b,
			     bool inv, unsigned int start, unsigned int end)
{
	for (unsigned int i = start / BH_BITS_PER_LONG; start < end; i++) {
		unsigned int base = i * BH_BITS_PER_LONG;
		unsigned int hi = end - base;
		unsigned long w = ld(a, i);

		if (b)
			w &= ld(b, i);
		if (inv)
			w = ~w;
		w &= range_mask(start - base,
				hi > BH_BITS_PER_LONG ? BH_BITS_PER_LONG : hi);
		if (w)
			return base + (unsigned int)__builtin_ctzl(w);
		start = base + BH_BITS_PER_LONG;
	}
	return end;
}

/* The first set bit at or after start, wrapping around to 0; nr if none. */
static unsigned int find_bit_wrap(const struct cpumask *a,
				  const struct cpumask *b, unsigned int start)
{
	unsigned int nr = nr_cpu_ids();
	unsigned int bit;

	if (start < nr) {
		bit = find_bit(a, b, false, start, nr);
		if (bit < nr)
			return bit;
	} else {
		start = nr;
	}
	bit = find_bit(a, b, false, 0, start);
	return bit < start ? bit : nr;
}

/* The kernel keeps the last distributed CPU per CPU; bpfhost per thread. */
static _Thread_local unsigned int bh_distribute_prev;

static unsigned int distribute(const struct cpumask *a, const struct cpumask *b)
{
	unsigned int next = find_bit_wrap(a, b, bh_distribute_prev + 1);

	if (next < nr_cpu_ids())
		bh_distribute_prev = next;
	return next;
}

/* ---- allocation and references ---- */

static unsigned int bh_cpumask_live; /* stands for the kernel's allocator */

static struct bpf_cpumask *cpumask_alloc(void)
{
	struct bpf_cpumask *m;
	unsigned int n =
		__atomic_add_fetch(&bh_cpumask_live, 1, __ATOMIC_RELAXED);

	if (n > BH_CPUMASK_MAX_LIVE) {
		__atomic_sub_fetch(&bh_cpumask_live, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		__atomic_sub_fetch(&bh_cpumask_live, 1, __ATOMIC_RELAXED);
	return m;
}

static void cpumask_free(struct bpf_cpumask *m)
{
	free(m);
	__atomic_sub_fetch(&bh_cpumask_live, 1, __ATOMIC_RELAXED);
}

static void refcount_saturate(int *r)
{
	__atomic_store_n(r, BH_REFCOUNT_SATURATED, __ATOMIC_RELAXED);
}

static void refcount_inc(int *r)
{
	int old = __atomic_fetch_add(r, 1, __ATOMIC_RELAXED);

	/* 0: use after free; negative or INT_MAX: overflow */
	if (old <= 0 || old == INT_MAX)
		refcount_saturate(r);
}

/* true when this dropped the last reference */
static bool refcount_dec_and_test(int *r)
{
	int old = __atomic_fetch_sub(r, 1, __ATOMIC_RELEASE);

	if (old == 1) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	if (old <= 0)
		refcount_saturate(r);
	return false;
}

/* ---- the kfuncs ---- */

__bpf_kfunc_start_defs();

__bpf_kfunc struct bpf_cpumask *bpf_cpumask_create(void)
{
	struct bpf_cpumask *m = cpumask_alloc();

	if (!m)
		return NULL;
	__atomic_store_n(&m->usage, 1, __ATOMIC_RELAXED);
	return m;
}

__bpf_kfunc struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask)
{
	refcount_inc(&cpumask->usage);
	return cpumask;
}

__bpf_kfunc void bpf_cpumask_release(struct bpf_cpumask *cpumask)
{
	if (refcount_dec_and_test(&cpumask->usage))
		cpumask_free(cpumask);
}

__bpf_kfunc void bpf_cpumask_release_dtor(void *cpumask)
{
	bpf_cpumask_release(cpumask);
}

__bpf_kfunc uint32_t bpf_cpumask_first(const struct cpumask *cpumask)
{
	return find_bit(cpumask, NULL, false, 0, nr_cpu_ids());
}

__bpf_kfunc uint32_t bpf_cpumask_first_zero(const struct cpumask *cpumask)
{
	return find_bit(cpumask, NULL, true, 0, nr_cpu_ids());
}

__bpf_kfunc uint32_t bpf_cpumask_first_and(const struct cpumask *src1,
					   const struct cpumask *src2)
{
	return find_bit(src1, src2, false, 0, nr_cpu_ids());
}

__bpf_kfunc void bpf_cpumask_set_cpu(uint32_t cpu, struct bpf_cpumask *cpumask)
{
	if (!cpu_valid(cpu))
		return;
	__atomic_fetch_or(cpu_word(cpumask, cpu), cpu_bit(cpu),
			  __ATOMIC_RELAXED);
}

__bpf_kfunc void bpf_cpumask_clear_cpu(uint32_t cpu,
				       struct bpf_cpumask *cpumask)
{
	if (!cpu_valid(cpu))
		return;
	__atomic_fetch_and(cpu_word(cpumask, cpu), ~cpu_bit(cpu),
			   __ATOMIC_RELAXED);
}

__bpf_kfunc bool bpf_cpumask_test_cpu(uint32_t cpu,
				      const struct cpumask *cpumask)
{
	if (!cpu_valid(cpu))
		return false;
	return ld(cpumask, cpu / BH_BITS_PER_LONG) & cpu_bit(cpu);
}

__bpf_kfunc bool bpf_cpumask_test_and_set_cpu(uint32_t cpu,
					      struct bpf_cpumask *cpumask)
{
	unsigned long old;

	if (!cpu_valid(cpu))
		return false;
	old = __atomic_fetch_or(cpu_word(cpumask, cpu), cpu_bit(cpu),
				__ATOMIC_SEQ_CST);
	return old & cpu_bit(cpu);
}

__bpf_kfunc bool bpf_cpumask_test_and_clear_cpu(uint32_t cpu,
						struct bpf_cpumask *cpumask)
{
	unsigned long old;

	if (!cpu_valid(cpu))
		return false;
	old = __atomic_fetch_and(cpu_word(cpumask, cpu), ~cpu_bit(cpu),
				 __ATOMIC_SEQ_CST);
	return old & cpu_bit(cpu);
}

/* Whole words, as the kernel's bitmap_fill: the last word's bits past
 * nr_cpu_ids are set too, and ignored by every query. */
__bpf_kfunc void bpf_cpumask_setall(struct bpf_cpumask *cpumask)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		st(&cpumask->cpumask, i, ~0UL);
}

__bpf_kfunc void bpf_cpumask_clear(struct bpf_cpumask *cpumask)
{
	for (unsigned int i = 0; i < BH_CPUMASK_LONGS; i++)
		st(&cpumask->cpumask, i, 0);
}

__bpf_kfunc bool bpf_cpumask_and(struct bpf_cpumask *dst,
				 const struct cpumask *src1,
				 const struct cpumask *src2)
{
	unsigned long any = 0;

	for (unsigned int i = 0; i < nr_words(); i++) {
		unsigned long w = ld(src1, i) & ld(src2, i) & word_mask(i);

		st(&dst->cpumask, i, w);
		any |= w;
	}
	return any != 0;
}

__bpf_kfunc void bpf_cpumask_or(struct bpf_cpumask *dst,
				const struct cpumask *src1,
				const struct cpumask *src2)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		st(&dst->cpumask, i, ld(src1, i) | ld(src2, i));
}

__bpf_kfunc void bpf_cpumask_xor(struct bpf_cpumask *dst,
				 const struct cpumask *src1,
				 const struct cpumask *src2)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		st(&dst->cpumask, i, ld(src1, i) ^ ld(src2, i));
}

__bpf_kfunc bool bpf_cpumask_equal(const struct cpumask *src1,
				   const struct cpumask *src2)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		if ((ld(src1, i) ^ ld(src2, i)) & word_mask(i))
			return false;
	return true;
}

__bpf_kfunc bool bpf_cpumask_intersects(const struct cpumask *src1,
					const struct cpumask *src2)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		if (ld(src1, i) & ld(src2, i) & word_mask(i))
			return true;
	return false;
}

__bpf_kfunc bool bpf_cpumask_subset(const struct cpumask *src1,
				    const struct cpumask *src2)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		if (ld(src1, i) & ~ld(src2, i) & word_mask(i))
			return false;
	return true;
}

__bpf_kfunc bool bpf_cpumask_empty(const struct cpumask *cpumask)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		if (ld(cpumask, i) & word_mask(i))
			return false;
	return true;
}

__bpf_kfunc bool bpf_cpumask_full(const struct cpumask *cpumask)
{
	for (unsigned int i = 0; i < nr_words(); i++)
		if (~ld(cpumask, i) & word_mask(i))
			return false;
	return true;
}

__bpf_kfunc void bpf_cpumask_copy(struct bpf_cpumask *dst,
				  const struct cpumask *src)
{
	for (unsigned int i = 0; i < BH_CPUMASK_LONGS; i++)
		st(&dst->cpumask, i, ld(src, i));
}

__bpf_kfunc uint32_t bpf_cpumask_any_distribute(const struct cpumask *cpumask)
{
	return distribute(cpumask, NULL);
}

__bpf_kfunc uint32_t bpf_cpumask_any_and_distribute(const struct cpumask *src1,
						    const struct cpumask *src2)
{
	return distribute(src1, src2);
}

__bpf_kfunc uint32_t bpf_cpumask_weight(const struct cpumask *cpumask)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < nr_words(); i++)
		n += (uint32_t)__builtin_popcountl(ld(cpumask, i) &
						   word_mask(i));
	return n;
}

/*
 * Whole words from src: -EACCES when src__sz is smaller than the words
 * covering nr_cpu_ids.  The kernel also returns -EINVAL for a src not
 * aligned to a long where unaligned loads are slow; the architectures
 * bpfhost runs on either load unaligned words efficiently (x86, arm64,
 * ppc64, s390x) or get the same -EINVAL here.
 */
__bpf_kfunc int bpf_cpumask_populate(struct cpumask *cpumask, void *src,
				     size_t src__sz)
{
	const unsigned char *p = src;
	unsigned int n = nr_words();

	if (src__sz < (size_t)n * sizeof(unsigned long))
		return -EACCES;
#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__) && \
	!defined(__powerpc64__) && !defined(__s390x__)
	if ((uintptr_t)src % sizeof(unsigned long))
		return -EINVAL;
#endif
	for (unsigned int i = 0; i < n; i++) {
		unsigned long w;

		memcpy(&w, p + (size_t)i * sizeof(w), sizeof(w));
		st(cpumask, i, w);
	}
	return 0;
}

struct bpf_iter_cpumask {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

/* What the 16 opaque bytes hold. */
struct bh_iter_cpumask_state {
	struct cpumask *mask; /* the copy; NULL when new() failed */
	int cpu;	      /* the last CPU returned, -1 before the first */
};

__bpf_kfunc int bpf_iter_cpumask_new(struct bpf_iter_cpumask *it,
				     const struct cpumask *mask)
{
	struct bh_iter_cpumask_state *s = (struct bh_iter_cpumask_state *)it;
	unsigned int nw = nr_words();

	_Static_assert(sizeof(*s) <= sizeof(*it), "iterator state size");
	s->cpu = -1;
	s->mask = calloc(1, sizeof(*s->mask));
	if (!s->mask)
		return -ENOMEM;
	for (unsigned int i = 0; i < nw; i++)
		s->mask->bits[i] = ld(mask, i);
	return 0;
}

__bpf_kfunc int *bpf_iter_cpumask_next(struct bpf_iter_cpumask *it)
{
	struct bh_iter_cpumask_state *s = (struct bh_iter_cpumask_state *)it;
	unsigned int nr = nr_cpu_ids(), cpu;

	if (!s->mask || s->cpu + 1 >= (int)nr)
		return NULL;
	cpu = find_bit(s->mask, NULL, false, (unsigned int)(s->cpu + 1), nr);
	if (cpu >= nr)
		return NULL;
	s->cpu = (int)cpu;
	return &s->cpu;
}

__bpf_kfunc void bpf_iter_cpumask_destroy(struct bpf_iter_cpumask *it)
{
	struct bh_iter_cpumask_state *s = (struct bh_iter_cpumask_state *)it;

	free(s->mask);
	s->mask = NULL;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_cpumask_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cpumask_create, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_cpumask_release, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_cpumask_acquire, KF_ACQUIRE | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cpumask_first, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_first_zero, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_first_and, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_set_cpu, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_clear_cpu, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_test_cpu, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_test_and_set_cpu, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_test_and_clear_cpu, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_setall, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_clear, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_and, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_or, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_xor, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_equal, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_intersects, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_subset, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_empty, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_full, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_copy, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_any_distribute, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_any_and_distribute, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_weight, KF_RCU)
BTF_ID_FLAGS(func, bpf_cpumask_populate, KF_RCU)
BTF_ID_FLAGS(func, bpf_iter_cpumask_new, KF_ITER_NEW | KF_RCU)
BTF_ID_FLAGS(func, bpf_iter_cpumask_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_cpumask_destroy, KF_ITER_DESTROY)
BTF_KFUNCS_END(bh_cpumask_kfunc_ids)

static const struct btf_kfunc_id_set bh_cpumask_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_cpumask_kfunc_ids,
};

/*
 * The kernel registers the set for BPF_PROG_TYPE_TRACING, STRUCT_OPS and
 * SYSCALL; their hooks, in the kernel's order.  "struct_ops" has no
 * built-in program type: the set waits there for a host type that uses it.
 */
int bh_stdlib_cpumask_add(struct bpfhost_rt *rt)
{
	static const char *const hooks[] = {"tracing", "struct_ops", "syscall"};

	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		int ret = bpfhost_kfunc_set_add(rt, hooks[i],
						&bh_cpumask_kfunc_set);

		if (ret)
			return ret;
	}
	/* the kernel's cpumask_dtors: masks can be map kptrs */
	return bpfhost_dtor_add(rt, "bpf_cpumask", bpf_cpumask_release_dtor);
}
