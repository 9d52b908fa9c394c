// SPDX-License-Identifier: BSD-2-Clause
/* Combining and comparing masks: and/or/xor, equal/intersects/subset,
 * copy, the first* searches, any*_distribute, weight and populate, with a
 * struct bpf_cpumask passed where a struct cpumask is expected, as on
 * Linux (the 6.18 kernel returns the same values through
 * BPF_PROG_TEST_RUN).  Each program returns 1, or the number of the first
 * check that failed; values never depend on the number of CPUs. */
// EXPECT: ACCEPT
// RETVAL: 1
// RETVAL(packed): 0x10111
#include "cpumask_common.h"

/* a = {0}, b = every CPU, d = scratch */
struct three {
	struct bpf_cpumask *a, *b, *d;
};

static __always_inline int make3(struct three *t)
{
	t->a = bpf_cpumask_create();
	t->b = bpf_cpumask_create();
	t->d = bpf_cpumask_create();
	if (!t->a || !t->b || !t->d)
		return 0;
	bpf_cpumask_set_cpu(0, t->a);
	bpf_cpumask_setall(t->b);
	return 1;
}

static __always_inline void free3(struct three *t)
{
	if (t->a)
		bpf_cpumask_release(t->a);
	if (t->b)
		bpf_cpumask_release(t->b);
	if (t->d)
		bpf_cpumask_release(t->d);
}

static __always_inline int and_or_xor_checks(struct three *t)
{
	__u32 nr = bpf_cpumask_first_zero(cast(t->b));

	if (!bpf_cpumask_and(t->d, cast(t->a), cast(t->b)))
		return 2;
	if (!bpf_cpumask_equal(cast(t->d), cast(t->a)))
		return 3;
	bpf_cpumask_or(t->d, cast(t->a), cast(t->b));
	if (!bpf_cpumask_full(cast(t->d)) ||
	    bpf_cpumask_weight(cast(t->d)) != nr)
		return 4;
	bpf_cpumask_xor(t->d, cast(t->a), cast(t->b));
	if (bpf_cpumask_test_cpu(0, cast(t->d)) ||
	    bpf_cpumask_weight(cast(t->d)) != nr - 1)
		return 5;
	/* d = all but 0 and a = {0}: disjoint, and is false and empties d */
	if (bpf_cpumask_intersects(cast(t->a), cast(t->d)))
		return 6;
	if (bpf_cpumask_and(t->d, cast(t->a), cast(t->d)))
		return 7;
	if (!bpf_cpumask_empty(cast(t->d)))
		return 8;
	bpf_cpumask_xor(t->d, cast(t->b), cast(t->b));
	if (!bpf_cpumask_empty(cast(t->d)))
		return 9;
	return 1;
}

SEC("syscall")
int and_or_xor(void *ctx)
{
	struct three t;
	int ret = make3(&t) ? and_or_xor_checks(&t) : 100;

	free3(&t);
	return ret;
}

static __always_inline int compare_checks(struct three *t)
{
	if (!bpf_cpumask_subset(cast(t->a), cast(t->b)))
		return 2;
	if (!bpf_cpumask_intersects(cast(t->a), cast(t->b)))
		return 3;
	/* the empty d: a subset of all, meets none, equal to no non-empty */
	if (!bpf_cpumask_subset(cast(t->d), cast(t->a)) ||
	    bpf_cpumask_intersects(cast(t->d), cast(t->b)) ||
	    bpf_cpumask_equal(cast(t->d), cast(t->a)))
		return 4;
	bpf_cpumask_copy(t->d, cast(t->b));
	if (!bpf_cpumask_equal(cast(t->d), cast(t->b)) ||
	    !bpf_cpumask_full(cast(t->d)))
		return 5;
	bpf_cpumask_copy(t->d, cast(t->a));
	if (!bpf_cpumask_equal(cast(t->d), cast(t->a)) ||
	    bpf_cpumask_weight(cast(t->d)) != 1)
		return 6;
	bpf_cpumask_clear(t->d);
	if (bpf_cpumask_subset(cast(t->a), cast(t->d)))
		return 7;
	return 1;
}

SEC("syscall")
int compare_copy(void *ctx)
{
	struct three t;
	int ret = make3(&t) ? compare_checks(&t) : 100;

	free3(&t);
	return ret;
}

static __always_inline int search_checks(struct three *t)
{
	__u32 nr = bpf_cpumask_first_zero(cast(t->b));

	if (bpf_cpumask_first(cast(t->d)) != nr)
		return 2;
	if (bpf_cpumask_first(cast(t->a)) != 0 ||
	    bpf_cpumask_first(cast(t->b)) != 0)
		return 3;
	/* first_zero of {0}: 1, or nr_cpu_ids (also 1) on one CPU */
	if (bpf_cpumask_first_zero(cast(t->a)) != 1)
		return 4;
	if (bpf_cpumask_first_zero(cast(t->d)) != 0)
		return 5;
	if (bpf_cpumask_first_and(cast(t->a), cast(t->b)) != 0)
		return 6;
	if (bpf_cpumask_first_and(cast(t->a), cast(t->d)) != nr)
		return 7;
	/* any_distribute picks a set CPU, nr_cpu_ids for none */
	if (bpf_cpumask_any_distribute(cast(t->a)) != 0)
		return 8;
	if (bpf_cpumask_any_distribute(cast(t->d)) != nr)
		return 9;
	if (bpf_cpumask_any_distribute(cast(t->b)) >= nr)
		return 10;
	if (bpf_cpumask_any_and_distribute(cast(t->a), cast(t->b)) != 0)
		return 11;
	if (bpf_cpumask_any_and_distribute(cast(t->b), cast(t->d)) != nr)
		return 12;
	return 1;
}

SEC("syscall")
int searches(void *ctx)
{
	struct three t;
	int ret = make3(&t) ? search_checks(&t) : 100;

	free3(&t);
	return ret;
}

/* populate from program memory: too small is -EACCES, else whole words */
SEC("syscall")
int populate(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	__u64 bits[16] = {};
	int ret = 1, err;

	if (!m)
		return 100;
	bits[0] = 1;
	err = bpf_cpumask_populate((struct cpumask *)m, bits, 4);
	if (err != -13 || !bpf_cpumask_empty(cast(m)))
		ret = 2;
	err = bpf_cpumask_populate((struct cpumask *)m, bits, sizeof(bits));
	if (ret == 1 && err)
		ret = 3;
	else if (ret == 1 && (bpf_cpumask_weight(cast(m)) != 1 ||
			      !bpf_cpumask_test_cpu(0, cast(m))))
		ret = 4;
	/* every bit of the source set: the mask is full, no more */
	for (int i = 0; i < 16; i++)
		bits[i] = ~0ull;
	err = bpf_cpumask_populate((struct cpumask *)m, bits, sizeof(bits));
	if (ret == 1 && (err || !bpf_cpumask_full(cast(m))))
		ret = 5;
	else if (ret == 1 &&
		 bpf_cpumask_weight(cast(m)) != bpf_cpumask_first_zero(cast(m)))
		ret = 6;
	bpf_cpumask_release(m);
	return ret;
}

/*
 * The words themselves, read through the program's view of the type:
 * setall fills whole words (the 6.18 kernel, NR_CPUS > BITS_PER_LONG, sets
 * the bits past nr_cpu_ids in the last word too), set_cpu one bit.
 */
SEC("syscall")
int words(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	unsigned long w0, w1;

	if (!m)
		return 100;
	bpf_cpumask_setall(m);
	w0 = m->cpumask.bits[0];
	bpf_cpumask_clear(m);
	bpf_cpumask_set_cpu(0, m);
	w1 = m->cpumask.bits[0];
	bpf_cpumask_release(m);
	return w0 == ~0ul && w1 == 1;
}

/* Results packed in one value (0x10111): first_zero({0}), weight({0}),
 * test_and_set on a set and on a clear bit, and() of {0} and {0}. */
SEC("syscall")
int packed(void *ctx)
{
	struct bpf_cpumask *a = bpf_cpumask_create();
	struct bpf_cpumask *d = bpf_cpumask_create();
	__u32 v = 0;

	if (!a || !d) {
		if (a)
			bpf_cpumask_release(a);
		if (d)
			bpf_cpumask_release(d);
		return 100;
	}
	bpf_cpumask_set_cpu(0, a);
	v |= bpf_cpumask_first_zero(cast(a));
	v |= bpf_cpumask_weight(cast(a)) << 4;
	v |= (__u32)bpf_cpumask_test_and_set_cpu(0, a) << 8;
	v |= (__u32)bpf_cpumask_test_and_set_cpu(0, d) << 12;
	v |= (__u32)bpf_cpumask_and(d, cast(a), cast(d)) << 16;
	bpf_cpumask_release(a);
	bpf_cpumask_release(d);
	return v;
}

char LICENSE[] SEC("license") = "GPL";
