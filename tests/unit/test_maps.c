// SPDX-License-Identifier: BSD-2-Clause
/* Maps: every operation and update flag on array and hash maps, the
 * definition limits, next_key iteration, and concurrent updates. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

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
