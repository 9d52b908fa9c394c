// SPDX-License-Identifier: BSD-2-Clause
/* Maps: every operation and update flag on array and hash maps, the
 * definition limits, next_key iteration, and concurrent updates. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "maps/map.h"

static struct bh_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n)
{
	struct bh_map_def d = {.name = "m",
			       .type = type,
			       .key_size = ks,
			       .value_size = vs,
			       .max_entries = n};
	char err[128];

	return bh_map_new(&d, err, sizeof(err));
}

static int def_err(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n,
		   uint32_t flags, char *err, size_t errsz)
{
	struct bh_map_def d = {.name = "bad",
			       .type = type,
			       .key_size = ks,
			       .value_size = vs,
			       .max_entries = n,
			       .map_flags = flags};
	struct bh_map *m = bh_map_new(&d, err, errsz);

	if (m) {
		bh_map_free(m);
		return 0;
	}
	return -errno;
}

TEST(def_limits)
{
	char err[160];

	CHECK_EQ(def_err(BH_MAP_HASH, 0, 4, 1, 0, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "map 'bad': key size 0");
	CHECK_EQ(def_err(BH_MAP_HASH, 4, 0, 1, 0, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "value size 0");
	CHECK_EQ(def_err(BH_MAP_ARRAY, 4, 4, 0, 0, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "max_entries 0");
	CHECK_EQ(def_err(BH_MAP_ARRAY, 8, 4, 1, 0, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "array key size 8");
	CHECK_EQ(def_err(BH_MAP_HASH, 513, 4, 1, 0, err, sizeof(err)), -E2BIG);
	CHECK_CONTAINS(err, "key size 513");
	CHECK_EQ(def_err(BH_MAP_ARRAY, 4, (1u << 20) + 1, 1, 0, err,
			 sizeof(err)),
		 -E2BIG);
	CHECK_CONTAINS(err, "value size");
	CHECK_EQ(def_err(BH_MAP_ARRAY, 4, 1u << 20, 4096, 0, err, sizeof(err)),
		 -E2BIG);
	CHECK_CONTAINS(err, "over the limit");
	CHECK_EQ(def_err(BH_MAP_HASH, 4, 8, UINT32_MAX, 0, err, sizeof(err)),
		 -E2BIG);
	CHECK_EQ(def_err(BH_MAP_ARRAY, 4, 1u << 20, UINT32_MAX, 0, err,
			 sizeof(err)),
		 -E2BIG);
	CHECK_EQ(def_err(12, 4, 4, 1, 0, err, sizeof(err)), -ENOTSUP);
	CHECK_CONTAINS(err, "map type 12");
	CHECK_EQ(def_err(BH_MAP_ARRAY, 4, 4, 1, BH_F_NO_PREALLOC, err,
			 sizeof(err)),
		 -EINVAL);
	CHECK_EQ(def_err(BH_MAP_HASH, 4, 4, 1, BH_F_MMAPABLE, err, sizeof(err)),
		 -EINVAL);
	CHECK_EQ(def_err(BH_MAP_HASH, 4, 4, 1, 1u << 20, err, sizeof(err)),
		 -EINVAL);
	CHECK_CONTAINS(err, "map_flags");
	CHECK_EQ(def_err(BH_MAP_HASH, 4, 4, 1, BH_F_NO_PREALLOC, err,
			 sizeof(err)),
		 0);
	CHECK_EQ(def_err(BH_MAP_ARRAY, 4, 4, 1,
			 BH_F_MMAPABLE | BH_F_RDONLY_PROG, err, sizeof(err)),
		 0);
	/* a NULL err buffer is fine */
	CHECK_EQ(def_err(BH_MAP_HASH, 0, 4, 1, 0, NULL, 0), -EINVAL);
}

TEST(array_ops)
{
	struct bh_map *m = mk(BH_MAP_ARRAY, 4, 12, 5);
	uint32_t k, nk;
	char v[12], *p;
	int i;

	CHECK(m);
	CHECK_EQ(bh_map_array_stride(m), 16);
	CHECK(bh_map_array_data(m));
	CHECK_EQ(bh_map_def(m)->max_entries, 5);
	CHECK_STR(bh_map_def(m)->name, "m");
	for (k = 0; k < 5; k++) {
		p = bh_map_lookup(m, &k);
		CHECK(p);
		CHECK_EQ(((uintptr_t)p) % 8, 0);
		CHECK_EQ(p, (char *)bh_map_array_data(m) + k * 16);
		for (i = 0; i < 12; i++)
			CHECK_EQ(p[i], 0);
	}
	k = 5;
	CHECK(!bh_map_lookup(m, &k));
	memset(v, 7, sizeof(v));
	k = 2;
	CHECK_EQ(bh_map_update(m, &k, v, BH_ANY), 0);
	CHECK_EQ(bh_map_update(m, &k, v, BH_EXIST), 0);
	CHECK_EQ(bh_map_update(m, &k, v, BH_NOEXIST), -EEXIST);
	CHECK_EQ(bh_map_update(m, &k, v, 3), -EINVAL);
	p = bh_map_lookup(m, &k);
	CHECK_EQ(p[0], 7);
	CHECK_EQ(p[11], 7);
	CHECK_EQ(p[12], 0); /* padding of the stride untouched */
	k = 5;
	CHECK_EQ(bh_map_update(m, &k, v, BH_ANY), -E2BIG);
	k = 1;
	CHECK_EQ(bh_map_delete(m, &k), -EINVAL);
	/* next_key: NULL or out of range -> 0, then 1..4, then -ENOENT */
	CHECK_EQ(bh_map_next_key(m, NULL, &nk), 0);
	CHECK_EQ(nk, 0);
	k = 99;
	CHECK_EQ(bh_map_next_key(m, &k, &nk), 0);
	CHECK_EQ(nk, 0);
	for (k = 0; k < 4; k++) {
		CHECK_EQ(bh_map_next_key(m, &k, &nk), 0);
		CHECK_EQ(nk, k + 1);
	}
	CHECK_EQ(bh_map_next_key(m, &k, &nk), -ENOENT);
	CHECK_EQ(bh_map_update(NULL, &k, v, 0), -EINVAL);
	bh_map_free(m);
	bh_map_free(NULL);
}

TEST(hash_ops)
{
	struct bh_map *m = mk(BH_MAP_HASH, 8, 4, 3);
	uint64_t k;
	uint32_t v, *p;

	CHECK(m);
	CHECK(!bh_map_array_data(m));
	CHECK_EQ(bh_map_array_stride(m), 0);
	k = 1;
	v = 10;
	CHECK(!bh_map_lookup(m, &k));
	CHECK_EQ(bh_map_update(m, &k, &v, BH_EXIST), -ENOENT);
	CHECK_EQ(bh_map_update(m, &k, &v, BH_NOEXIST), 0);
	CHECK_EQ(bh_map_update(m, &k, &v, BH_NOEXIST), -EEXIST);
	v = 11;
	CHECK_EQ(bh_map_update(m, &k, &v, BH_EXIST), 0);
	p = bh_map_lookup(m, &k);
	CHECK(p);
	CHECK_EQ(*p, 11);
	CHECK_EQ((uintptr_t)p % 8, 0);
	k = 2;
	CHECK_EQ(bh_map_update(m, &k, &v, BH_ANY), 0);
	k = 3;
	CHECK_EQ(bh_map_update(m, &k, &v, BH_ANY), 0);
	k = 4;
	CHECK_EQ(bh_map_update(m, &k, &v, BH_ANY), -E2BIG);
	CHECK_EQ(bh_map_update(m, &k, &v, BH_NOEXIST), -E2BIG);
	/* replacing an existing key works when full */
	k = 3;
	v = 33;
	CHECK_EQ(bh_map_update(m, &k, &v, BH_ANY), 0);
	CHECK_EQ(*(uint32_t *)bh_map_lookup(m, &k), 33);
	CHECK_EQ(bh_map_update(m, &k, &v, 4), -EINVAL);
	CHECK_EQ(bh_map_delete(m, &k), 0);
	CHECK_EQ(bh_map_delete(m, &k), -ENOENT);
	CHECK(!bh_map_lookup(m, &k));
	k = 4;
	CHECK_EQ(bh_map_update(m, &k, &v, BH_ANY), 0);
	bh_map_free(m);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST(hash_next_key)
{
	struct bh_map *m = mk(BH_MAP_HASH, 8, 8, 100);
	uint64_t k, nk, seen[100];
	size_t n = 0, i;

	CHECK(m);
	CHECK_EQ(bh_map_next_key(m, NULL, &nk), -ENOENT);
	for (k = 0; k < 100; k++)
		CHECK_EQ(bh_map_update(m, &k, &k, BH_NOEXIST), 0);
	/* full walk visits each key exactly once */
	for (int r = bh_map_next_key(m, NULL, &nk); !r;
	     r = bh_map_next_key(m, &k, &nk)) {
		CHECK(n < 100);
		seen[n++] = nk;
		k = nk;
	}
	CHECK_EQ(n, 100);
	qsort(seen, n, sizeof(seen[0]), cmp_u64);
	for (i = 0; i < n; i++)
		CHECK_EQ(seen[i], i);
	/* an absent key restarts at the first key */
	CHECK_EQ(bh_map_next_key(m, NULL, &k), 0);
	nk = 12345;
	CHECK_EQ(bh_map_next_key(m, &nk, &nk), 0);
	CHECK_EQ(nk, k);
	/* deleting while walking (the usual drain loop) empties the map */
	n = 0;
	while (!bh_map_next_key(m, NULL, &k)) {
		CHECK_EQ(bh_map_delete(m, &k), 0);
		n++;
		CHECK(n <= 100);
	}
	CHECK_EQ(n, 100);
	bh_map_free(m);
}

struct worker {
	struct bh_map *m;
	int id;
	int bad;
};

#define ROUNDS 20000

static void *hash_worker(void *arg)
{
	struct worker *w = arg;
	uint32_t i;

	for (i = 0; i < ROUNDS; i++) {
		uint32_t k = (uint32_t)w->id * 1000 + i % 64,
			 v[4] = {k, k, k, k};
		uint32_t *p;
		int r = bh_map_update(w->m, &k, v, BH_ANY);

		if (r && r != -E2BIG)
			w->bad++;
		p = bh_map_lookup(w->m, &k);
		if (p && p[0] != k)
			w->bad++;
		if (i % 3 == 0)
			bh_map_delete(w->m, &k);
	}
	return NULL;
}

static void *array_worker(void *arg)
{
	struct worker *w = arg;
	uint32_t i;

	for (i = 0; i < ROUNDS; i++) {
		uint32_t k = i % 8;
		uint64_t v[4];

		for (int j = 0; j < 4; j++)
			v[j] = (uint64_t)w->id << 32 | i;
		if (bh_map_update(w->m, &k, v, BH_ANY))
			w->bad++;
	}
	return NULL;
}

static void run_threads(struct bh_map *m, void *(*fn)(void *), int *bad)
{
	pthread_t t[4];
	struct worker w[4];
	int i;

	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){.m = m, .id = i + 1};
		pthread_create(&t[i], NULL, fn, &w[i]);
	}
	*bad = 0;
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		*bad += w[i].bad;
	}
}

TEST(concurrent_hash)
{
	/* fewer slots than live keys: exercises -E2BIG and the free list */
	struct bh_map *m = mk(BH_MAP_HASH, 4, 16, 200);
	uint32_t k, nk;
	int bad, n = 0;

	CHECK(m);
	run_threads(m, hash_worker, &bad);
	CHECK_EQ(bad, 0);
	for (int r = bh_map_next_key(m, NULL, &nk); !r;
	     r = bh_map_next_key(m, &k, &nk)) {
		uint32_t *p = bh_map_lookup(m, &nk);

		CHECK(p);
		CHECK_EQ(p[0], nk);
		CHECK_EQ(p[3], nk);
		k = nk;
		CHECK(++n <= 200);
	}
	bh_map_free(m);
}

TEST(concurrent_array)
{
	struct bh_map *m = mk(BH_MAP_ARRAY, 4, 32, 8);
	int bad;

	CHECK(m);
	run_threads(m, array_worker, &bad);
	CHECK_EQ(bad, 0);
	/* updates are serialised per element: no element ends up mixed */
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t *p = bh_map_lookup(m, &k);

		for (int j = 1; j < 4; j++)
			CHECK_EQ(p[j], p[0]);
	}
	bh_map_free(m);
}

/* ---- per-CPU maps ---- */

/* the host's view of key: every CPU's copy, 8-byte strided */
static void *host_values(struct bh_map *m)
{
	return calloc(1, bh_map_host_value_size(m));
}

TEST(percpu_array_ops)
{
	struct bh_map *m = mk(BH_MAP_PERCPU_ARRAY, 4, 12, 3);
	unsigned int n = bh_nr_cpus(), pin, me;
	uint32_t k = 1;
	char v[12], *p, *all;
	char err[128];

	CHECK(m);
	CHECK(bh_map_is_percpu(m));
	CHECK_EQ(bh_map_host_value_size(m), (size_t)16 * n);
	all = host_values(m);
	CHECK(all);
	/* a program's update and lookup: this CPU's copy, fixed for a run */
	pin = bh_cpu_pin();
	me = bh_this_cpu();
	CHECK(me < n);
	memset(v, 7, sizeof(v));
	CHECK_EQ(bh_map_update(m, &k, v, BH_ANY), 0);
	p = bh_map_lookup(m, &k);
	CHECK(p);
	CHECK_EQ(p, bh_map_lookup_cpu(m, &k, me));
	CHECK_EQ(p[0], 7);
	CHECK_EQ(p[11], 7);
	CHECK_EQ(p[12], 0);
	bh_cpu_unpin(pin);
	for (unsigned int c = 0; c < n; c++) {
		char *q = bh_map_lookup_cpu(m, &k, c);

		CHECK(q);
		CHECK_EQ(((uintptr_t)q) % 8, 0);
		CHECK_EQ(q[5], c == me ? 7 : 0);
	}
	CHECK(!bh_map_lookup_cpu(m, &k, n));
	k = 3;
	CHECK(!bh_map_lookup_cpu(m, &k, 0));
	CHECK(!bh_map_lookup(m, &k));
	/* the host reads and writes every copy, libbpf's layout */
	k = 1;
	memset(all, 0x55, bh_map_host_value_size(m));
	CHECK_EQ(bh_map_lookup_copy(m, &k, all), 0);
	for (unsigned int c = 0; c < n; c++) {
		CHECK_EQ(all[c * 16], c == me ? 7 : 0);
		CHECK_EQ(all[c * 16 + 12], 0); /* the stride's tail */
		memset(all + c * 16, (int)(c + 1), 16);
	}
	CHECK_EQ(bh_map_update_all(m, &k, all, BH_EXIST), 0);
	for (unsigned int c = 0; c < n; c++) {
		char *q = bh_map_lookup_cpu(m, &k, c);

		CHECK_EQ(q[0], (char)(c + 1));
		CHECK_EQ(q[11], (char)(c + 1));
		CHECK_EQ(q[12], 0); /* only value_size bytes are copied in */
	}
	CHECK_EQ(bh_map_update_all(m, &k, all, BH_NOEXIST), -EEXIST);
	CHECK_EQ(bh_map_delete(m, &k), -EINVAL);
	k = 3;
	CHECK_EQ(bh_map_update_all(m, &k, all, BH_ANY), -E2BIG);
	CHECK_EQ(bh_map_lookup_copy(m, &k, all), -ENOENT);
	/* non-per-CPU maps have no per-CPU view */
	CHECK(!bh_map_array_data(m));
	free(all);
	bh_map_free(m);
	/* the kernel's limits: no mmap, a 32 KiB value per CPU */
	CHECK_EQ(def_err(BH_MAP_PERCPU_ARRAY, 4, 8, 1, BH_F_MMAPABLE, err,
			 sizeof(err)),
		 -EINVAL);
	CHECK_EQ(def_err(BH_MAP_PERCPU_ARRAY, 4, (32 << 10) + 1, 1, 0, err,
			 sizeof(err)),
		 -E2BIG);
	CHECK_EQ(def_err(BH_MAP_PERCPU_HASH, 8, 32 << 10, 1, 0, err,
			 sizeof(err)),
		 0);
	CHECK_EQ(def_err(BH_MAP_PERCPU_ARRAY, 8, 8, 1, 0, err, sizeof(err)),
		 -EINVAL);
}

TEST(percpu_hash_ops)
{
	struct bh_map *m = mk(BH_MAP_PERCPU_HASH, 8, 4, 2);
	unsigned int n = bh_nr_cpus(), pin, me;
	uint64_t k = 9, k2 = 10, k3 = 11, nk;
	uint32_t v = 42, *p;
	char *all;

	CHECK(m);
	all = host_values(m);
	CHECK(all);
	pin = bh_cpu_pin();
	me = bh_this_cpu();
	/* a new element from a program: this CPU's copy, the others zero */
	CHECK_EQ(bh_map_update(m, &k, &v, BH_NOEXIST), 0);
	p = bh_map_lookup(m, &k);
	CHECK(p && *p == 42);
	for (unsigned int c = 0; c < n; c++)
		CHECK_EQ(*(uint32_t *)bh_map_lookup_cpu(m, &k, c),
			 c == me ? 42 : 0);
	v = 5;
	CHECK_EQ(bh_map_update(m, &k, &v, BH_EXIST), 0);
	CHECK_EQ(*p, 5);
	CHECK_EQ(bh_map_update(m, &k2, &v, BH_EXIST), -ENOENT);
	bh_cpu_unpin(pin);
	/* the host's whole view, then every copy written */
	CHECK_EQ(bh_map_lookup_copy(m, &k, all), 0);
	for (unsigned int c = 0; c < n; c++) {
		CHECK_EQ(*(uint32_t *)(all + c * 8), c == me ? 5 : 0);
		CHECK_EQ(*(uint32_t *)(all + c * 8 + 4), 0);
		*(uint32_t *)(all + c * 8) = 100 + c;
	}
	CHECK_EQ(bh_map_update_all(m, &k2, all, BH_ANY), 0);
	for (unsigned int c = 0; c < n; c++)
		CHECK_EQ(*(uint32_t *)bh_map_lookup_cpu(m, &k2, c), 100 + c);
	CHECK_EQ(bh_map_update_all(m, &k3, all, BH_ANY), -E2BIG);
	CHECK_EQ(bh_map_next_key(m, NULL, &nk), 0);
	CHECK(nk == k || nk == k2);
	/* a deleted element's slot comes back zeroed but for the copy a
	 * program writes */
	CHECK_EQ(bh_map_delete(m, &k2), 0);
	CHECK(!bh_map_lookup(m, &k2));
	CHECK_EQ(bh_map_lookup_copy(m, &k2, all), -ENOENT);
	CHECK_EQ(bh_map_delete(m, &k2), -ENOENT);
	pin = bh_cpu_pin();
	me = bh_this_cpu();
	v = 77;
	CHECK_EQ(bh_map_update(m, &k3, &v, BH_ANY), 0);
	for (unsigned int c = 0; c < n; c++)
		CHECK_EQ(*(uint32_t *)bh_map_lookup_cpu(m, &k3, c),
			 c == me ? 77 : 0);
	bh_cpu_unpin(pin);
	free(all);
	bh_map_free(m);
}

/* special fields: every CPU's copy is released on update, delete, free */
static int released;

static void count_release(const void *ctx, void *value)
{
	(void)ctx;
	if (*(uint64_t *)value) {
		*(uint64_t *)value = 0;
		released++;
	}
}

TEST(percpu_fields_released)
{
	struct bh_map_fields f = {
		.nr = 1,
		.field = {{.off = 0, .size = 8}},
		.free_fields = count_release,
	};
	struct bh_map *m = mk(BH_MAP_PERCPU_HASH, 4, 16, 4);
	unsigned int n = bh_nr_cpus();
	uint32_t k = 1;
	uint64_t *all;

	CHECK(m);
	CHECK_EQ(bh_map_set_fields(m, &f), 0);
	all = host_values(m);
	CHECK(all);
	CHECK_EQ(bh_map_update_all(m, &k, all, BH_ANY), 0);
	/* a program fills each copy's field (as bpf_kptr_xchg would) */
	for (unsigned int c = 0; c < n; c++)
		*(uint64_t *)bh_map_lookup_cpu(m, &k, c) = 1;
	released = 0;
	/* the host's update leaves the fields alone, then releases them */
	for (unsigned int c = 0; c < n; c++)
		all[c * 2] = 9, all[c * 2 + 1] = c;
	CHECK_EQ(bh_map_update_all(m, &k, all, BH_EXIST), 0);
	CHECK_EQ(released, (int)n);
	for (unsigned int c = 0; c < n; c++) {
		uint64_t *q = bh_map_lookup_cpu(m, &k, c);

		CHECK_EQ(q[0], 0);
		CHECK_EQ(q[1], c);
		q[0] = 1;
	}
	/* a program's update releases this CPU's copy only */
	released = 0;
	CHECK_EQ(bh_map_update(m, &k, all, BH_EXIST), 0);
	CHECK_EQ(released, 1);
	released = 0;
	CHECK_EQ(bh_map_delete(m, &k), 0);
	CHECK_EQ(released, (int)n - 1);
	CHECK_EQ(bh_map_update_all(m, &k, all, BH_ANY), 0);
	for (unsigned int c = 0; c < n; c++)
		*(uint64_t *)bh_map_lookup_cpu(m, &k, c) = 1;
	released = 0;
	bh_map_free(m);
	CHECK_EQ(released, (int)n);
	free(all);
}

/* programs on four threads update their CPU's copy while the host
 * writes and reads every copy and deletes: no torn copy, no fault */
struct pc_work {
	struct bh_map *m;
	int id, bad;
	bool hash;
};

static void *percpu_worker(void *arg)
{
	struct pc_work *w = arg;
	unsigned int n = bh_nr_cpus();
	uint64_t *all = calloc(n, 16);

	for (int i = 0; i < 20000 && all; i++) {
		uint32_t k = (uint32_t)(i % 8);
		uint64_t v[2];

		if (w->id & 1) {
			unsigned int pin = bh_cpu_pin();
			uint64_t *p;

			v[0] = v[1] = (uint64_t)i;
			bh_map_update(w->m, &k, v, BH_ANY);
			p = bh_map_lookup(w->m, &k);
			/* an array's element stays where it is: its copy for
			 * this CPU is the one a lookup gives (a hash element
			 * may be deleted and come back elsewhere meanwhile) */
			if (p && !w->hash &&
			    p != bh_map_lookup_cpu(w->m, &k, bh_this_cpu()))
				w->bad++;
			bh_cpu_unpin(pin);
		} else if (i % 3) {
			for (unsigned int c = 0; c < n; c++)
				all[c * 2] = all[c * 2 + 1] = c;
			bh_map_update_all(w->m, &k, all, BH_ANY);
			bh_map_lookup_copy(w->m, &k, all);
		} else {
			bh_map_delete(w->m, &k);
		}
	}
	free(all);
	return NULL;
}

TEST(concurrent_percpu)
{
	uint32_t types[] = {BH_MAP_PERCPU_HASH, BH_MAP_PERCPU_ARRAY};

	for (int t = 0; t < 2; t++) {
		struct bh_map *m = mk(types[t], 4, 16, 8);
		struct pc_work w[4];
		pthread_t th[4];

		CHECK(m);
		for (int i = 0; i < 4; i++) {
			w[i] = (struct pc_work){.m = m, .id = i, .hash = !t};
			CHECK_EQ(pthread_create(&th[i], NULL, percpu_worker,
						&w[i]),
				 0);
		}
		for (int i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
		bh_map_free(m);
		for (int i = 0; i < 4; i++)
			CHECK_EQ(w[i].bad, 0);
	}
}
