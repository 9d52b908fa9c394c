// SPDX-License-Identifier: BSD-2-Clause
/*
 * The built-in cpumask kfuncs (src/stdlib/cpumask.c), called directly as
 * host functions: the kernel's semantics for every kfunc, out-of-range
 * CPUs, reference counts and the destructor, the allocation bound,
 * atomicity of set/clear and of references across two threads, and
 * nr_cpu_ids against the host's possible CPUs.  Then the registration a
 * new runtime sees: every kfunc for the "tracing", "struct_ops" and
 * "syscall" hooks with the kernel's flags and parameter names.
 *
 * The "wide" test re-runs the semantic tests in child processes with
 * BPFHOST_POSSIBLE_CPUS set (1, 64, 130, 1024, 5000), so masks of one
 * word, several words and the cap are covered on any machine.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfhost/bpfhost.h"
#include "bpfhost/kfunc.h"
#include "harness.h"

/* The layout of src/stdlib/cpumask.c, for white-box checks. */
#define NR_CPUS_MAX 1024
#define BPL (sizeof(unsigned long) * 8)

struct cpumask {
	unsigned long bits[NR_CPUS_MAX / (sizeof(unsigned long) * 8)];
};

struct bpf_cpumask {
	struct cpumask cpumask;
	int usage;
};

struct bpf_cpumask *bpf_cpumask_create(void);
struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask);
void bpf_cpumask_release(struct bpf_cpumask *cpumask);
void bpf_cpumask_release_dtor(void *cpumask);
uint32_t bpf_cpumask_first(const struct cpumask *cpumask);
uint32_t bpf_cpumask_first_zero(const struct cpumask *cpumask);
uint32_t bpf_cpumask_first_and(const struct cpumask *src1,
			       const struct cpumask *src2);
void bpf_cpumask_set_cpu(uint32_t cpu, struct bpf_cpumask *cpumask);
void bpf_cpumask_clear_cpu(uint32_t cpu, struct bpf_cpumask *cpumask);
bool bpf_cpumask_test_cpu(uint32_t cpu, const struct cpumask *cpumask);
bool bpf_cpumask_test_and_set_cpu(uint32_t cpu, struct bpf_cpumask *cpumask);
bool bpf_cpumask_test_and_clear_cpu(uint32_t cpu, struct bpf_cpumask *cpumask);
void bpf_cpumask_setall(struct bpf_cpumask *cpumask);
void bpf_cpumask_clear(struct bpf_cpumask *cpumask);
bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *src1,
		     const struct cpumask *src2);
void bpf_cpumask_or(struct bpf_cpumask *dst, const struct cpumask *src1,
		    const struct cpumask *src2);
void bpf_cpumask_xor(struct bpf_cpumask *dst, const struct cpumask *src1,
		     const struct cpumask *src2);
bool bpf_cpumask_equal(const struct cpumask *src1, const struct cpumask *src2);
bool bpf_cpumask_intersects(const struct cpumask *src1,
			    const struct cpumask *src2);
bool bpf_cpumask_subset(const struct cpumask *src1, const struct cpumask *src2);
bool bpf_cpumask_empty(const struct cpumask *cpumask);
bool bpf_cpumask_full(const struct cpumask *cpumask);
void bpf_cpumask_copy(struct bpf_cpumask *dst, const struct cpumask *src);
uint32_t bpf_cpumask_any_distribute(const struct cpumask *cpumask);
uint32_t bpf_cpumask_any_and_distribute(const struct cpumask *src1,
					const struct cpumask *src2);
uint32_t bpf_cpumask_weight(const struct cpumask *cpumask);
int bpf_cpumask_populate(struct cpumask *cpumask, void *src, size_t src__sz);

struct bpf_iter_cpumask {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

int bpf_iter_cpumask_new(struct bpf_iter_cpumask *it,
			 const struct cpumask *mask);
int *bpf_iter_cpumask_next(struct bpf_iter_cpumask *it);
void bpf_iter_cpumask_destroy(struct bpf_iter_cpumask *it);

#define CM(m) ((const struct cpumask *)(m))

/* nr_cpu_ids as the kernel computes it, independently of cpumask.c. */
static unsigned int expected_nr_cpu_ids(void)
{
	const char *env = getenv("BPFHOST_POSSIBLE_CPUS");
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[4096], *p;
	unsigned long hi = 0;

	if (env && *env) {
		unsigned long v = strtoul(env, NULL, 10);

		if (f)
			fclose(f);
		return v > NR_CPUS_MAX ? NR_CPUS_MAX : (unsigned int)v;
	}
	if (!f)
		return (unsigned int)sysconf(_SC_NPROCESSORS_CONF);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	/* "0-3,8-11": the highest CPU is the last number */
	for (p = buf; *p;) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (*p < '0' || *p > '9' || end == p) {
			p++;
			continue;
		}
		hi = v + 1;
		p = end;
	}
	return hi > NR_CPUS_MAX ? NR_CPUS_MAX : (unsigned int)hi;
}

static unsigned int nr;

static void setup(void)
{
	nr = expected_nr_cpu_ids();
}

/* The kernel's bitmap_size(nr_cpu_ids): bytes of whole longs. */
static size_t mask_bytes(void)
{
	return (nr + BPL - 1) / BPL * sizeof(unsigned long);
}

TEST(nr_cpu_ids)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	setup();
	CHECK(m);
	CHECK(nr >= 1 && nr <= NR_CPUS_MAX);
	/* an empty mask: the searches return nr_cpu_ids */
	CHECK_EQ(bpf_cpumask_first(CM(m)), nr);
	CHECK_EQ(bpf_cpumask_first_zero(CM(m)), 0);
	CHECK_EQ(bpf_cpumask_any_distribute(CM(m)), nr);
	bpf_cpumask_setall(m);
	CHECK_EQ(bpf_cpumask_weight(CM(m)), nr);
	CHECK_EQ(bpf_cpumask_first_zero(CM(m)), nr);
	CHECK(bpf_cpumask_full(CM(m)));
	CHECK(bpf_cpumask_test_cpu(nr - 1, CM(m)));
	CHECK(!bpf_cpumask_test_cpu(nr, CM(m)));
	bpf_cpumask_release(m);
}

TEST(create_acquire_release)
{
	struct bpf_cpumask *m = bpf_cpumask_create(), *a;
	static const struct cpumask zero;

	setup();
	CHECK(m);
	CHECK_EQ(m->usage, 1);
	CHECK(!memcmp(&m->cpumask, &zero, sizeof(zero)));
	CHECK(bpf_cpumask_empty(CM(m)));
	CHECK_EQ(bpf_cpumask_weight(CM(m)), 0);
	a = bpf_cpumask_acquire(m);
	CHECK(a == m);
	CHECK_EQ(m->usage, 2);
	bpf_cpumask_set_cpu(0, a);
	CHECK(bpf_cpumask_test_cpu(0, CM(m)));
	bpf_cpumask_release(a);
	CHECK_EQ(m->usage, 1);
	/* the destructor drops one reference the same way */
	bpf_cpumask_acquire(m);
	bpf_cpumask_release_dtor(m);
	CHECK_EQ(m->usage, 1);
	CHECK(bpf_cpumask_test_cpu(0, CM(m)));
	bpf_cpumask_release_dtor(m); /* last: freed (ASan checks) */
}

/* refcount_t semantics: overflow and use-after-free saturate, never free */
TEST(refcount_saturation)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	CHECK(m);
	m->usage = INT_MAX;
	bpf_cpumask_acquire(m);
	CHECK(m->usage < 0);
	bpf_cpumask_release(m);
	CHECK(m->usage < 0); /* saturated: stays, not freed */
	m->usage = 0;
	bpf_cpumask_acquire(m); /* acquire of a dead object */
	CHECK(m->usage < 0);
	m->usage = 1;
	bpf_cpumask_release(m);
}

TEST(set_clear_test)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	setup();
	CHECK(m);
	for (unsigned int cpu = 0; cpu < nr; cpu += (cpu < 70 ? 1 : 37)) {
		CHECK(!bpf_cpumask_test_cpu(cpu, CM(m)));
		bpf_cpumask_set_cpu(cpu, m);
		CHECK(bpf_cpumask_test_cpu(cpu, CM(m)));
		CHECK_EQ(bpf_cpumask_weight(CM(m)), 1);
		CHECK_EQ(bpf_cpumask_first(CM(m)), cpu);
		CHECK(bpf_cpumask_test_and_set_cpu(cpu, m));
		CHECK(bpf_cpumask_test_and_clear_cpu(cpu, m));
		CHECK(!bpf_cpumask_test_cpu(cpu, CM(m)));
		CHECK(!bpf_cpumask_test_and_clear_cpu(cpu, m));
		CHECK(!bpf_cpumask_test_and_set_cpu(cpu, m));
		CHECK(bpf_cpumask_test_cpu(cpu, CM(m)));
		bpf_cpumask_clear_cpu(cpu, m);
		CHECK(bpf_cpumask_empty(CM(m)));
		bpf_cpumask_clear_cpu(cpu, m); /* clearing a clear bit */
		CHECK(bpf_cpumask_empty(CM(m)));
	}
	bpf_cpumask_release(m);
}

/* cpu >= nr_cpu_ids: set/clear do nothing, the tests say false */
TEST(out_of_range_cpus)
{
	const uint32_t bad[] = {0,    1,    63,	  64,	     1023,
				1024, 1025, 4096, INT32_MAX, UINT32_MAX};
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct cpumask before;

	setup();
	CHECK(m);
	bpf_cpumask_set_cpu(0, m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t cpu = bad[i] < nr ? nr + bad[i] : bad[i];

		if (cpu < nr) /* wrapped: nr + UINT32_MAX */
			continue;
		before = m->cpumask;
		bpf_cpumask_set_cpu(cpu, m);
		CHECK(!memcmp(&before, &m->cpumask, sizeof(before)));
		CHECK(!bpf_cpumask_test_cpu(cpu, CM(m)));
		CHECK(!bpf_cpumask_test_and_set_cpu(cpu, m));
		CHECK(!memcmp(&before, &m->cpumask, sizeof(before)));
		bpf_cpumask_setall(m);
		before = m->cpumask;
		bpf_cpumask_clear_cpu(cpu, m);
		CHECK(!bpf_cpumask_test_and_clear_cpu(cpu, m));
		CHECK(!bpf_cpumask_test_cpu(cpu, CM(m)));
		CHECK(!memcmp(&before, &m->cpumask, sizeof(before)));
		bpf_cpumask_clear(m);
		bpf_cpumask_set_cpu(0, m);
	}
	CHECK_EQ(bpf_cpumask_weight(CM(m)), 1);
	bpf_cpumask_release(m);
}

TEST(setall_clear_full_empty)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	setup();
	CHECK(m);
	CHECK(bpf_cpumask_empty(CM(m)));
	CHECK(!bpf_cpumask_full(CM(m)));
	bpf_cpumask_setall(m);
	CHECK(bpf_cpumask_full(CM(m)));
	CHECK(!bpf_cpumask_empty(CM(m)));
	CHECK_EQ(bpf_cpumask_weight(CM(m)), nr);
	CHECK_EQ(bpf_cpumask_first(CM(m)), 0);
	bpf_cpumask_clear_cpu(nr - 1, m);
	CHECK(!bpf_cpumask_full(CM(m)));
	CHECK_EQ(bpf_cpumask_first_zero(CM(m)), nr - 1);
	CHECK_EQ(bpf_cpumask_weight(CM(m)), nr - 1);
	bpf_cpumask_clear(m);
	CHECK(bpf_cpumask_empty(CM(m)));
	CHECK_EQ(bpf_cpumask_weight(CM(m)), 0);
	for (size_t i = 0; i < NR_CPUS_MAX / BPL; i++)
		CHECK_U64(m->cpumask.bits[i], 0);
	bpf_cpumask_release(m);
}

/* Two masks from a pattern: a has cpus % 3 == 0, b has cpus % 2 == 0. */
static void fill(struct bpf_cpumask *a, struct bpf_cpumask *b)
{
	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		if (cpu % 3 == 0)
			bpf_cpumask_set_cpu(cpu, a);
		if (cpu % 2 == 0)
			bpf_cpumask_set_cpu(cpu, b);
	}
}

static unsigned int count_where(int (*pred)(unsigned int))
{
	unsigned int n = 0;

	for (unsigned int cpu = 0; cpu < nr; cpu++)
		n += pred(cpu) != 0;
	return n;
}

static int in_and(unsigned int c)
{
	return c % 6 == 0;
}

static int in_or(unsigned int c)
{
	return c % 3 == 0 || c % 2 == 0;
}

static int in_xor(unsigned int c)
{
	return (c % 3 == 0) != (c % 2 == 0);
}

TEST(and_or_xor)
{
	struct bpf_cpumask *a = bpf_cpumask_create();
	struct bpf_cpumask *b = bpf_cpumask_create();
	struct bpf_cpumask *d = bpf_cpumask_create();

	setup();
	CHECK(a && b && d);
	fill(a, b);
	CHECK(bpf_cpumask_and(d, CM(a), CM(b))); /* cpu 0 in both */
	CHECK_EQ(bpf_cpumask_weight(CM(d)), count_where(in_and));
	for (unsigned int c = 0; c < nr; c++)
		CHECK_EQ(bpf_cpumask_test_cpu(c, CM(d)), in_and(c));
	bpf_cpumask_or(d, CM(a), CM(b));
	CHECK_EQ(bpf_cpumask_weight(CM(d)), count_where(in_or));
	for (unsigned int c = 0; c < nr; c++)
		CHECK_EQ(bpf_cpumask_test_cpu(c, CM(d)), in_or(c));
	bpf_cpumask_xor(d, CM(a), CM(b));
	CHECK_EQ(bpf_cpumask_weight(CM(d)), count_where(in_xor));
	for (unsigned int c = 0; c < nr; c++)
		CHECK_EQ(bpf_cpumask_test_cpu(c, CM(d)), in_xor(c));
	/* and of disjoint masks: false, dst empty */
	bpf_cpumask_clear(b);
	if (nr > 1)
		bpf_cpumask_set_cpu(1, b);
	bpf_cpumask_setall(d);
	CHECK(!bpf_cpumask_and(d, CM(a), CM(b)));
	CHECK(bpf_cpumask_empty(CM(d)));
	/* dst may be one of the sources */
	bpf_cpumask_or(a, CM(a), CM(b));
	CHECK_EQ(bpf_cpumask_test_cpu(1, CM(a)), nr > 1);
	bpf_cpumask_xor(a, CM(a), CM(a));
	CHECK(bpf_cpumask_empty(CM(a)));
	bpf_cpumask_release(a);
	bpf_cpumask_release(b);
	bpf_cpumask_release(d);
}

TEST(equal_intersects_subset_copy)
{
	struct bpf_cpumask *a = bpf_cpumask_create();
	struct bpf_cpumask *b = bpf_cpumask_create();
	struct bpf_cpumask *c = bpf_cpumask_create();

	setup();
	CHECK(a && b && c);
	CHECK(bpf_cpumask_equal(CM(a), CM(b))); /* both empty */
	CHECK(bpf_cpumask_subset(CM(a), CM(b)));
	CHECK(!bpf_cpumask_intersects(CM(a), CM(b)));
	fill(a, b);
	CHECK_EQ(bpf_cpumask_equal(CM(a), CM(b)), nr <= 2);
	CHECK(bpf_cpumask_intersects(CM(a), CM(b)));
	CHECK_EQ(bpf_cpumask_subset(CM(a), CM(b)), nr <= 3);
	bpf_cpumask_and(c, CM(a), CM(b));
	CHECK(bpf_cpumask_subset(CM(c), CM(a)));
	CHECK(bpf_cpumask_subset(CM(c), CM(b)));
	bpf_cpumask_copy(c, CM(a));
	CHECK(bpf_cpumask_equal(CM(c), CM(a)));
	CHECK(!memcmp(&c->cpumask, &a->cpumask, sizeof(a->cpumask)));
	bpf_cpumask_clear_cpu(nr - 1, c);
	bpf_cpumask_set_cpu(nr - 1, a);
	CHECK(!bpf_cpumask_equal(CM(c), CM(a)));
	CHECK(bpf_cpumask_subset(CM(c), CM(a)));
	CHECK(!bpf_cpumask_subset(CM(a), CM(c)));
	/* the empty mask is a subset of every mask and meets none */
	bpf_cpumask_clear(c);
	CHECK(bpf_cpumask_subset(CM(c), CM(a)));
	CHECK(!bpf_cpumask_intersects(CM(c), CM(a)));
	bpf_cpumask_release(a);
	bpf_cpumask_release(b);
	bpf_cpumask_release(c);
}

TEST(first_and_friends)
{
	struct bpf_cpumask *a = bpf_cpumask_create();
	struct bpf_cpumask *b = bpf_cpumask_create();

	setup();
	CHECK(a && b);
	CHECK_EQ(bpf_cpumask_first_and(CM(a), CM(b)), nr);
	bpf_cpumask_set_cpu(nr - 1, a);
	CHECK_EQ(bpf_cpumask_first(CM(a)), nr - 1);
	CHECK_EQ(bpf_cpumask_first_and(CM(a), CM(b)), nr);
	bpf_cpumask_set_cpu(nr - 1, b);
	CHECK_EQ(bpf_cpumask_first_and(CM(a), CM(b)), nr - 1);
	bpf_cpumask_set_cpu(0, b);
	CHECK_EQ(bpf_cpumask_first(CM(b)), 0);
	CHECK_EQ(bpf_cpumask_first_and(CM(a), CM(b)), nr - 1);
	bpf_cpumask_setall(a);
	CHECK_EQ(bpf_cpumask_first_zero(CM(a)), nr);
	if (nr > 65) {
		bpf_cpumask_clear_cpu(65, a);
		CHECK_EQ(bpf_cpumask_first_zero(CM(a)), 65);
		bpf_cpumask_clear(b);
		bpf_cpumask_set_cpu(64, b);
		CHECK_EQ(bpf_cpumask_first(CM(b)), 64);
		CHECK_EQ(bpf_cpumask_first_and(CM(a), CM(b)), 64);
	}
	bpf_cpumask_release(a);
	bpf_cpumask_release(b);
}

TEST(any_distribute)
{
	struct bpf_cpumask *a = bpf_cpumask_create();
	struct bpf_cpumask *b = bpf_cpumask_create();
	unsigned int seen[3] = {0}, hi = nr - 1;

	setup();
	hi = nr - 1;
	CHECK(a && b);
	CHECK_EQ(bpf_cpumask_any_distribute(CM(a)), nr);
	CHECK_EQ(bpf_cpumask_any_and_distribute(CM(a), CM(b)), nr);
	bpf_cpumask_set_cpu(0, a);
	bpf_cpumask_set_cpu(hi, a);
	bpf_cpumask_set_cpu(hi / 2, a);
	/* round robin over the set cpus: each comes up once in three */
	for (int i = 0; i < 30; i++) {
		uint32_t cpu = bpf_cpumask_any_distribute(CM(a));

		CHECK(cpu < nr && bpf_cpumask_test_cpu(cpu, CM(a)));
		seen[cpu == 0 ? 0 : cpu == hi ? 2 : 1]++;
	}
	if (nr >= 3)
		CHECK(seen[0] == 10 && seen[1] == 10 && seen[2] == 10);
	/* and: only the common cpu */
	bpf_cpumask_set_cpu(hi, b);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(bpf_cpumask_any_and_distribute(CM(a), CM(b)), hi);
	bpf_cpumask_clear(a);
	CHECK_EQ(bpf_cpumask_any_and_distribute(CM(a), CM(b)), nr);
	bpf_cpumask_release(a);
	bpf_cpumask_release(b);
}

TEST(populate)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	unsigned long src[NR_CPUS_MAX / 64 + 2];
	unsigned char *raw = (unsigned char *)src;
	size_t need;

	setup();
	need = mask_bytes();
	CHECK(m);
	memset(src, 0, sizeof(src));
	for (unsigned int c = 0; c < nr; c += 2)
		src[c / BPL] |= 1UL << (c % BPL);
	CHECK_EQ(bpf_cpumask_populate(&m->cpumask, src, need - 1), -EACCES);
	CHECK_EQ(bpf_cpumask_populate(&m->cpumask, src, 0), -EACCES);
	CHECK(bpf_cpumask_empty(CM(m)));
	CHECK_EQ(bpf_cpumask_populate(&m->cpumask, src, need), 0);
	CHECK_EQ(bpf_cpumask_weight(CM(m)), (nr + 1) / 2);
	for (unsigned int c = 0; c < nr; c++)
		CHECK_EQ(bpf_cpumask_test_cpu(c, CM(m)), c % 2 == 0);
	/* bits past nr_cpu_ids in the last word are copied, and ignored */
	memset(src, 0xff, sizeof(src));
	CHECK_EQ(bpf_cpumask_populate(&m->cpumask, src, sizeof(src)), 0);
	CHECK(bpf_cpumask_full(CM(m)));
	CHECK_EQ(bpf_cpumask_weight(CM(m)), nr);
	CHECK_EQ(bpf_cpumask_first_zero(CM(m)), nr);
	/* words past the ones nr_cpu_ids needs are not touched */
	for (size_t i = need / sizeof(long); i < NR_CPUS_MAX / BPL; i++)
		CHECK_U64(m->cpumask.bits[i], 0);
#if defined(__x86_64__) || defined(__aarch64__)
	/* unaligned sources are fine where unaligned loads are */
	memset(src, 0, sizeof(src));
	raw[1] = 0x01; /* cpu 0 at offset 1 */
	CHECK_EQ(bpf_cpumask_populate(&m->cpumask, raw + 1, need), 0);
	CHECK_EQ(bpf_cpumask_weight(CM(m)), 1);
	CHECK(bpf_cpumask_test_cpu(0, CM(m)));
#else
	(void)raw;
#endif
	bpf_cpumask_release(m);
}

/* Bits past nr_cpu_ids that whole-word operations leave (as the kernel's
 * do) never show through a query. */
TEST(tail_bits_ignored)
{
	struct bpf_cpumask *a = bpf_cpumask_create();
	struct bpf_cpumask *b = bpf_cpumask_create();

	setup();
	CHECK(a && b);
	bpf_cpumask_setall(a);
	bpf_cpumask_clear_cpu(0, a);
	bpf_cpumask_copy(b, CM(a));
	bpf_cpumask_xor(b, CM(b), CM(a)); /* empty, tail bits too */
	CHECK(bpf_cpumask_empty(CM(b)));
	bpf_cpumask_setall(b);
	bpf_cpumask_clear_cpu(0, b);
	if (nr % BPL) /* drop b's tail bits */
		b->cpumask.bits[nr / BPL] &= (1UL << (nr % BPL)) - 1;
	/* a has tail bits, b does not: still equal */
	CHECK(bpf_cpumask_equal(CM(a), CM(b)));
	CHECK(bpf_cpumask_subset(CM(a), CM(b)));
	CHECK_EQ(bpf_cpumask_weight(CM(a)), nr - 1);
	bpf_cpumask_clear(b);
	bpf_cpumask_set_cpu(0, b);
	CHECK(!bpf_cpumask_intersects(CM(a), CM(b)));
	CHECK(!bpf_cpumask_and(b, CM(a), CM(b)));
	CHECK_EQ(bpf_cpumask_first_and(CM(a), CM(a)), nr > 1 ? 1 : nr);
	bpf_cpumask_release(a);
	bpf_cpumask_release(b);
}

/* At most 65536 masks exist at once; then create returns NULL. */
TEST(allocation_bound)
{
	enum { MAX = 65536 };
	struct bpf_cpumask **all = calloc(MAX + 1, sizeof(*all));
	struct bpf_cpumask *extra = NULL, *again = NULL;
	int n = 0;

	CHECK(all);
	while (n <= MAX && (all[n] = bpf_cpumask_create()))
		n++;
	if (n == MAX) {
		extra = bpf_cpumask_create(); /* one too many: NULL */
		bpf_cpumask_release(all[--n]);
		again = bpf_cpumask_create(); /* room again */
	}
	if (again)
		bpf_cpumask_release(again);
	while (n > 0)
		bpf_cpumask_release(all[--n]);
	free(all);
	CHECK_MSG(!extra && again, "%d masks, then %p and %p", n, (void *)extra,
		  (void *)again);
}

/* ---- two threads ---- */

#define ITERS 200000

struct toggler {
	struct bpf_cpumask *m;
	uint32_t cpu;
	int errors;
};

/* Only this thread touches its bit: with atomic read-modify-writes the
 * other thread's updates to the same word never undo ours. */
static void *toggle(void *arg)
{
	struct toggler *t = arg;

	for (int i = 0; i < ITERS; i++) {
		if (bpf_cpumask_test_and_set_cpu(t->cpu, t->m))
			t->errors++;
		if (!bpf_cpumask_test_cpu(t->cpu, CM(t->m)))
			t->errors++;
		if (!bpf_cpumask_test_and_clear_cpu(t->cpu, t->m))
			t->errors++;
		bpf_cpumask_set_cpu(t->cpu, t->m);
		bpf_cpumask_clear_cpu(t->cpu, t->m);
		if (bpf_cpumask_test_cpu(t->cpu, CM(t->m)))
			t->errors++;
	}
	return NULL;
}

TEST(concurrent_set_clear)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct toggler t[2];
	pthread_t th[2];

	setup();
	CHECK(m);
	if (nr < 2) {
		th_skip("concurrent_set_clear: one CPU");
		bpf_cpumask_release(m);
		return;
	}
	for (int i = 0; i < 2; i++) {
		t[i] = (struct toggler){m, (uint32_t)i, 0};
		CHECK(!pthread_create(&th[i], NULL, toggle, &t[i]));
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(t[0].errors, 0);
	CHECK_EQ(t[1].errors, 0);
	CHECK(bpf_cpumask_empty(CM(m)));
	bpf_cpumask_release(m);
}

static void *ref_churn(void *arg)
{
	struct bpf_cpumask *m = arg;

	for (int i = 0; i < ITERS; i++)
		bpf_cpumask_release(bpf_cpumask_acquire(m));
	return NULL;
}

TEST(concurrent_refcount)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	pthread_t th[2];

	CHECK(m);
	for (int i = 0; i < 2; i++)
		CHECK(!pthread_create(&th[i], NULL, ref_churn, m));
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(__atomic_load_n(&m->usage, __ATOMIC_RELAXED), 1);
	bpf_cpumask_release(m);
}

/* ---- the registration a runtime sees ---- */

struct expect_kf {
	const char *name;
	uint32_t flags;
	const char *params; /* parameter names, space-separated */
};

static const struct expect_kf kfuncs[] = {
	{"bpf_cpumask_create", KF_ACQUIRE | KF_RET_NULL, ""},
	{"bpf_cpumask_release", KF_RELEASE, "cpumask"},
	{"bpf_cpumask_acquire", KF_ACQUIRE | KF_TRUSTED_ARGS, "cpumask"},
	{"bpf_cpumask_first", KF_RCU, "cpumask"},
	{"bpf_cpumask_first_zero", KF_RCU, "cpumask"},
	{"bpf_cpumask_first_and", KF_RCU, "src1 src2"},
	{"bpf_cpumask_set_cpu", KF_RCU, "cpu cpumask"},
	{"bpf_cpumask_clear_cpu", KF_RCU, "cpu cpumask"},
	{"bpf_cpumask_test_cpu", KF_RCU, "cpu cpumask"},
	{"bpf_cpumask_test_and_set_cpu", KF_RCU, "cpu cpumask"},
	{"bpf_cpumask_test_and_clear_cpu", KF_RCU, "cpu cpumask"},
	{"bpf_cpumask_setall", KF_RCU, "cpumask"},
	{"bpf_cpumask_clear", KF_RCU, "cpumask"},
	{"bpf_cpumask_and", KF_RCU, "dst src1 src2"},
	{"bpf_cpumask_or", KF_RCU, "dst src1 src2"},
	{"bpf_cpumask_xor", KF_RCU, "dst src1 src2"},
	{"bpf_cpumask_equal", KF_RCU, "src1 src2"},
	{"bpf_cpumask_intersects", KF_RCU, "src1 src2"},
	{"bpf_cpumask_subset", KF_RCU, "src1 src2"},
	{"bpf_cpumask_empty", KF_RCU, "cpumask"},
	{"bpf_cpumask_full", KF_RCU, "cpumask"},
	{"bpf_cpumask_copy", KF_RCU, "dst src"},
	{"bpf_cpumask_any_distribute", KF_RCU, "cpumask"},
	{"bpf_cpumask_any_and_distribute", KF_RCU, "src1 src2"},
	{"bpf_cpumask_weight", KF_RCU, "cpumask"},
	{"bpf_cpumask_populate", KF_RCU, "cpumask src src__sz"},
};

#define NKF (sizeof(kfuncs) / sizeof(kfuncs[0]))

static const char *const hooks[] = {"tracing", "struct_ops", "syscall"};

/* The set CPUs in increasing order, from a copy taken at new(). */
TEST(iter_cpumask)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct bpf_iter_cpumask it;
	unsigned int want[3], n = 0, got = 0;
	int *cpu;

	setup();
	CHECK(m);
	/* empty: drained at once, and stays drained */
	CHECK_EQ(bpf_iter_cpumask_new(&it, CM(m)), 0);
	CHECK(!bpf_iter_cpumask_next(&it));
	CHECK(!bpf_iter_cpumask_next(&it));
	bpf_iter_cpumask_destroy(&it);

	want[n++] = 0;
	if (nr > 2)
		want[n++] = nr / 2;
	if (nr > 1)
		want[n++] = nr - 1;
	for (unsigned int i = 0; i < n; i++)
		bpf_cpumask_set_cpu(want[i], m);
	bpf_cpumask_set_cpu(nr, m); /* out of range: ignored */
	CHECK_EQ(bpf_iter_cpumask_new(&it, CM(m)), 0);
	/* changing (or releasing) the mask does not change the walk */
	bpf_cpumask_clear(m);
	if (nr > 3)
		bpf_cpumask_set_cpu(1, m);
	while ((cpu = bpf_iter_cpumask_next(&it))) {
		CHECK(got < n);
		if (got < n)
			CHECK_EQ((unsigned int)*cpu, want[got]);
		got++;
	}
	CHECK_EQ(got, n);
	CHECK(!bpf_iter_cpumask_next(&it));
	bpf_iter_cpumask_destroy(&it);
	/* a full mask visits every CPU once */
	bpf_cpumask_setall(m);
	got = 0;
	CHECK_EQ(bpf_iter_cpumask_new(&it, CM(m)), 0);
	bpf_cpumask_release(m);
	while ((cpu = bpf_iter_cpumask_next(&it)))
		CHECK_EQ((unsigned int)*cpu, got++);
	CHECK_EQ(got, nr);
	bpf_iter_cpumask_destroy(&it);
	/* destroy after destroy, next after destroy: nothing */
	bpf_iter_cpumask_destroy(&it);
	CHECK(!bpf_iter_cpumask_next(&it));
}

TEST(registration)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_kfunc_info info;
	int found[NKF][3];
	size_t cnt;

	CHECK(rt);
	memset(found, 0, sizeof(found));
	cnt = bpfhost_kfunc_count(rt);
	for (size_t i = 0; i < cnt; i++) {
		CHECK(!bpfhost_kfunc_info(rt, i, &info));
		if (!strcmp(info.name, "bpf_iter_cpumask_new"))
			CHECK_EQ(info.flags, KF_ITER_NEW | KF_RCU);
		if (!strcmp(info.name, "bpf_iter_cpumask_next"))
			CHECK_EQ(info.flags, KF_ITER_NEXT | KF_RET_NULL);
		if (!strcmp(info.name, "bpf_iter_cpumask_destroy"))
			CHECK_EQ(info.flags, KF_ITER_DESTROY);
		if (strncmp(info.name, "bpf_cpumask_", 12))
			continue;
		/* the destructor is no kfunc, as in the kernel */
		CHECK_MSG(strcmp(info.name, "bpf_cpumask_release_dtor"),
			  "the dtor is registered as a kfunc");
		for (size_t k = 0; k < NKF; k++) {
			char names[128] = "";
			int h;

			if (strcmp(info.name, kfuncs[k].name))
				continue;
			for (h = 0; h < 3; h++)
				if (!strcmp(info.prog_type, hooks[h]))
					break;
			CHECK_MSG(h < 3, "%s registered for %s", info.name,
				  info.prog_type);
			found[k][h]++;
			CHECK_MSG(info.flags == kfuncs[k].flags, "%s flags %s",
				  info.name, info.flags_str);
			for (uint32_t a = 0; a < info.nargs; a++) {
				if (a)
					strcat(names, " ");
				strcat(names, info.args[a].name);
			}
			CHECK_MSG(!strcmp(names, kfuncs[k].params),
				  "%s parameters \"%s\" (%s)", info.name, names,
				  info.proto);
			if (!strcmp(info.name, "bpf_cpumask_populate"))
				CHECK_STR(info.args[2].annotations, "__sz");
		}
	}
	for (size_t k = 0; k < NKF; k++)
		for (int h = 0; h < 3; h++)
			CHECK_MSG(found[k][h] == 1, "%s for %s: %d times",
				  kfuncs[k].name, hooks[h], found[k][h]);
	bpfhost_rt_free(rt);
}

/* ---- every semantic test again on other machine sizes ---- */

static const char *const semantic[] = {
	"nr_cpu_ids",
	"set_clear_test",
	"out_of_range_cpus",
	"setall_clear_full_empty",
	"and_or_xor",
	"equal_intersects_subset_copy",
	"first_and_friends",
	"any_distribute",
	"populate",
	"tail_bits_ignored",
	"concurrent_set_clear",
	"iter_cpumask",
};

TEST(wide)
{
	static const char *const sizes[] = {"1", "64", "130", "1024", "5000"};
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (getenv("BPFHOST_POSSIBLE_CPUS"))
		return; /* already a child */
	CHECK(len > 0);
	exe[len] = '\0';
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		char *argv[16];
		int n = 0, status = 0;
		pid_t pid;

		argv[n++] = exe;
		for (size_t i = 0; i < sizeof(semantic) / sizeof(semantic[0]);
		     i++)
			argv[n++] = (char *)semantic[i];
		argv[n] = NULL;
		fflush(stdout);
		pid = fork();
		CHECK(pid >= 0);
		if (!pid) {
			setenv("BPFHOST_POSSIBLE_CPUS", sizes[s], 1);
			/* the child's lines are its own, not ours */
			if (!freopen("/dev/null", "w", stdout))
				_exit(127);
			execv(exe, argv);
			_exit(127);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "semantic tests with BPFHOST_POSSIBLE_CPUS=%s failed "
			  "(rerun: BPFHOST_POSSIBLE_CPUS=%s %s)",
			  sizes[s], sizes[s], exe);
	}
}
