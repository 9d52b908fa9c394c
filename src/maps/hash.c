// SPDX-License-Identifier: BSD-2-Clause
/*
 * Hash maps, preallocated like the kernel's default BPF_MAP_TYPE_HASH: all
 * max_entries elements are carved out of one block at creation and move
 * between the buckets and a free list, never back to the allocator.  So a
 * value pointer handed out by lookup stays mapped memory until the map is
 * freed, whatever other threads delete or insert meanwhile.
 *
 * Per-CPU hash maps (BPF_MAP_TYPE_PERCPU_HASH) keep bh_nr_cpus() copies
 * of the value in the element, side by side.
 *
 * Each bucket is guarded by one of a set of striped locks (lock order:
 * bucket lock, then the free-list lock).  Lookups take the bucket lock too:
 * without RCU's grace periods a recycled element could otherwise lead a
 * reader from one chain into another.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

#define BH_HASH_MAX_LOCKS 1024

struct bh_htab_elem {
	struct bh_htab_elem *next;
	uint32_t hash;
	uint32_t pad;
	/* key (rounded up to 8), then value (rounded up to 8) */
	char data[];
};

struct bh_htab {
	struct bh_map map;
	struct bh_htab_elem **buckets;
	uint64_t n_buckets; /* power of two */
	pthread_mutex_t *locks;
	uint32_t n_locks;	/* power of two, <= n_buckets */
	uint32_t key_off_value; /* offset of the value inside data[] */
	size_t elem_size;
	char *elems;
	pthread_mutex_t free_lock;
	struct bh_htab_elem *free_list;
};

static struct bh_htab *bh_htab_of(struct bh_map *map)
{
	return (struct bh_htab *)map;
}

/* FNV-1a with a final avalanche: cheap and good enough for bucket choice
 * from keys a program controls (the chain walk is bounded by max_entries). */
static uint32_t bh_htab_hash(const void *key, uint32_t size)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t i;

	for (i = 0; i < size; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static pthread_mutex_t *bh_htab_lock(struct bh_htab *h, uint64_t bucket)
{
	return &h->locks[bucket & (h->n_locks - 1)];
}

static void *bh_elem_value(struct bh_htab *h, struct bh_htab_elem *e)
{
	return e->data + h->key_off_value;
}

/* Caller holds the bucket's lock. */
static struct bh_htab_elem *bh_htab_find(struct bh_htab *h, uint64_t bucket,
					 uint32_t hash, const void *key)
{
	struct bh_htab_elem *e;

	for (e = h->buckets[bucket]; e; e = e->next)
		if (e->hash == hash &&
		    !memcmp(e->data, key, h->map.def.key_size))
			return e;
	return NULL;
}

static void *bh_htab_lookup(struct bh_map *map, const void *key)
{
	struct bh_htab *h = bh_htab_of(map);
	uint32_t hash = bh_htab_hash(key, map->def.key_size);
	uint64_t b = hash & (h->n_buckets - 1);
	struct bh_htab_elem *e;

	pthread_mutex_lock(bh_htab_lock(h, b));
	e = bh_htab_find(h, b, hash, key);
	pthread_mutex_unlock(bh_htab_lock(h, b));
	return e ? bh_elem_value(h, e) : NULL;
}

static int bh_htab_update(struct bh_map *map, const void *key,
			  const void *value, uint64_t flags, bool all)
{
	struct bh_htab *h = bh_htab_of(map);
	uint32_t hash = bh_htab_hash(key, map->def.key_size);
	uint64_t b = hash & (h->n_buckets - 1);
	struct bh_htab_elem *e;
	int ret = 0;

	pthread_mutex_lock(bh_htab_lock(h, b));
	e = bh_htab_find(h, b, hash, key);
	if (e) {
		if (flags == BH_NOEXIST)
			ret = -EEXIST;
		else
			bh_map_elem_store(map, bh_elem_value(h, e), value, all,
					  false);
		goto out;
	}
	if (flags == BH_EXIST) {
		ret = -ENOENT;
		goto out;
	}
	pthread_mutex_lock(&h->free_lock);
	e = h->free_list;
	if (e)
		h->free_list = e->next;
	pthread_mutex_unlock(&h->free_lock);
	if (!e) {
		ret = -E2BIG;
		goto out;
	}
	e->hash = hash;
	memcpy(e->data, key, map->def.key_size);
	/* a recycled element: whatever a program stored into it after its
	 * delete goes now (bh_map_elem_store, fresh) */
	bh_map_elem_store(map, bh_elem_value(h, e), value, all, true);
	e->next = h->buckets[b];
	h->buckets[b] = e;
out:
	pthread_mutex_unlock(bh_htab_lock(h, b));
	return ret;
}

static int bh_htab_delete(struct bh_map *map, const void *key)
{
	struct bh_htab *h = bh_htab_of(map);
	uint32_t hash = bh_htab_hash(key, map->def.key_size);
	uint64_t b = hash & (h->n_buckets - 1);
	struct bh_htab_elem **pp, *e = NULL;

	pthread_mutex_lock(bh_htab_lock(h, b));
	for (pp = &h->buckets[b]; *pp; pp = &(*pp)->next) {
		if ((*pp)->hash == hash &&
		    !memcmp((*pp)->data, key, map->def.key_size)) {
			e = *pp;
			*pp = e->next;
			break;
		}
	}
	pthread_mutex_unlock(bh_htab_lock(h, b));
	if (!e)
		return -ENOENT;
	bh_map_elem_release(map, bh_elem_value(h, e));
	pthread_mutex_lock(&h->free_lock);
	e->next = h->free_list;
	h->free_list = e;
	pthread_mutex_unlock(&h->free_lock);
	return 0;
}

/* Copy the first key of the first non-empty bucket at or after b. */
static int bh_htab_first_from(struct bh_htab *h, uint64_t b, void *next_key)
{
	for (; b < h->n_buckets; b++) {
		struct bh_htab_elem *e;

		pthread_mutex_lock(bh_htab_lock(h, b));
		e = h->buckets[b];
		if (e)
			memcpy(next_key, e->data, h->map.def.key_size);
		pthread_mutex_unlock(bh_htab_lock(h, b));
		if (e)
			return 0;
	}
	return -ENOENT;
}

/* The kernel's order: the key's successor in its chain, else the head of
 * the next non-empty bucket; an absent key restarts from the first key. */
static int bh_htab_next_key(struct bh_map *map, const void *key, void *next_key)
{
	struct bh_htab *h = bh_htab_of(map);
	struct bh_htab_elem *e, *n;
	uint32_t hash;
	uint64_t b;

	if (!key)
		return bh_htab_first_from(h, 0, next_key);
	hash = bh_htab_hash(key, map->def.key_size);
	b = hash & (h->n_buckets - 1);
	pthread_mutex_lock(bh_htab_lock(h, b));
	e = bh_htab_find(h, b, hash, key);
	n = e ? e->next : NULL;
	if (n)
		memcpy(next_key, n->data, map->def.key_size);
	pthread_mutex_unlock(bh_htab_lock(h, b));
	if (!e)
		return bh_htab_first_from(h, 0, next_key);
	if (n)
		return 0;
	return bh_htab_first_from(h, b + 1, next_key);
}

static void bh_htab_free(struct bh_map *map)
{
	struct bh_htab *h = bh_htab_of(map);
	uint32_t i;

	for (i = 0; map->fields.nr && i < map->def.max_entries; i++)
		bh_map_elem_release(
			map,
			bh_elem_value(
				h,
				(struct bh_htab_elem *)(h->elems +
							(size_t)i *
								h->elem_size)));
	for (i = 0; i < h->n_locks; i++)
		pthread_mutex_destroy(&h->locks[i]);
	pthread_mutex_destroy(&h->free_lock);
	free(h->locks);
	free(h->buckets);
	free(h->elems);
	free(h);
}

static const struct bh_map_ops bh_htab_ops = {
	.lookup = bh_htab_lookup,
	.update = bh_htab_update,
	.delete = bh_htab_delete,
	.next_key = bh_htab_next_key,
	.free = bh_htab_free,
};

struct bh_map *bh_hash_map_new(const struct bh_map_def *def, char *err,
			       size_t errsz)
{
	struct bh_htab *h;
	uint64_t i;

	(void)err;
	(void)errsz;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->n_buckets = 1;
	while (h->n_buckets < def->max_entries)
		h->n_buckets <<= 1;
	h->n_locks = h->n_buckets < BH_HASH_MAX_LOCKS ? (uint32_t)h->n_buckets
						      : BH_HASH_MAX_LOCKS;
	h->key_off_value = (uint32_t)BH_ROUND8(def->key_size);
	h->elem_size = sizeof(struct bh_htab_elem) + h->key_off_value +
		       BH_ROUND8(def->value_size) * bh_map_def_ncpus(def);
	/* bh_map_def_check bounded all three allocations by 1 GiB */
	h->buckets = calloc(h->n_buckets, sizeof(*h->buckets));
	h->locks = calloc(h->n_locks, sizeof(*h->locks));
	h->elems = calloc(def->max_entries, h->elem_size);
	if (!h->buckets || !h->locks || !h->elems) {
		free(h->buckets);
		free(h->locks);
		free(h->elems);
		free(h);
		return NULL;
	}
	for (i = 0; i < h->n_locks; i++)
		pthread_mutex_init(&h->locks[i], NULL);
	pthread_mutex_init(&h->free_lock, NULL);
	/* thread the free list so the first insert takes element 0 */
	for (i = def->max_entries; i-- > 0;) {
		struct bh_htab_elem *e =
			(struct bh_htab_elem *)(h->elems + i * h->elem_size);

		e->next = h->free_list;
		h->free_list = e;
	}
	h->map.ops = &bh_htab_ops;
	return &h->map;
}
