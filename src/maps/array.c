// SPDX-License-Identifier: BSD-2-Clause
/*
 * Array maps: max_entries values in one zeroed block, each slot
 * value_size rounded up to 8 bytes, as the kernel lays them out so that
 * programs can rely on 8-byte alignment of every element.
 *
 * Lookups are lock-free (the block never moves or shrinks); updates copy
 * under one of a few striped locks so two concurrent updates of the same
 * element never interleave, while a concurrent reader may still see a torn
 * value, exactly as with the kernel's non-spin-locked arrays.
 *
 * Per-CPU arrays (BPF_MAP_TYPE_PERCPU_ARRAY) hold bh_nr_cpus() copies of
 * each value side by side in the same block: slot = ncpus * stride.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

#define BH_ARRAY_LOCKS 16

struct bh_array {
	struct bh_map map;
	uint32_t stride; /* of one element: all its copies */
	pthread_mutex_t locks[BH_ARRAY_LOCKS];
	char *values;
};

static struct bh_array *bh_array_of(struct bh_map *map)
{
	return (struct bh_array *)map;
}

static uint32_t bh_array_index(const void *key)
{
	uint32_t idx;

	memcpy(&idx, key, sizeof(idx));
	return idx;
}

static void *bh_array_lookup(struct bh_map *map, const void *key)
{
	struct bh_array *a = bh_array_of(map);
	uint32_t idx = bh_array_index(key);

	if (idx >= map->def.max_entries)
		return NULL;
	return a->values + (size_t)idx * a->stride;
}

static int bh_array_update(struct bh_map *map, const void *key,
			   const void *value, uint64_t flags, bool all)
{
	struct bh_array *a = bh_array_of(map);
	uint32_t idx = bh_array_index(key);
	pthread_mutex_t *lock;

	if (idx >= map->def.max_entries)
		return -E2BIG;
	/* every element of an array always exists */
	if (flags == BH_NOEXIST)
		return -EEXIST;
	lock = &a->locks[idx % BH_ARRAY_LOCKS];
	pthread_mutex_lock(lock);
	bh_map_elem_store(map, a->values + (size_t)idx * a->stride, value, all,
			  false);
	pthread_mutex_unlock(lock);
	return 0;
}

static int bh_array_delete(struct bh_map *map, const void *key)
{
	(void)map;
	(void)key;
	return -EINVAL;
}

static int bh_array_next_key(struct bh_map *map, const void *key,
			     void *next_key)
{
	uint32_t idx, next;

	idx = key ? bh_array_index(key) : UINT32_MAX;
	if (idx >= map->def.max_entries) {
		next = 0;
	} else {
		if (idx == map->def.max_entries - 1)
			return -ENOENT;
		next = idx + 1;
	}
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

static void bh_array_free(struct bh_map *map)
{
	struct bh_array *a = bh_array_of(map);
	int i;

	for (uint32_t e = 0; map->fields.nr && e < map->def.max_entries; e++)
		bh_map_elem_release(map, a->values + (size_t)e * a->stride);
	for (i = 0; i < BH_ARRAY_LOCKS; i++)
		pthread_mutex_destroy(&a->locks[i]);
	free(a->values);
	free(a);
}

static const struct bh_map_ops bh_array_ops = {
	.lookup = bh_array_lookup,
	.update = bh_array_update,
	.delete = bh_array_delete,
	.next_key = bh_array_next_key,
	.free = bh_array_free,
};

struct bh_map *bh_array_map_new(const struct bh_map_def *def, char *err,
				size_t errsz)
{
	struct bh_array *a;
	int i;

	(void)err;
	(void)errsz;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->stride =
		(uint32_t)BH_ROUND8(def->value_size) * bh_map_def_ncpus(def);
	/* bh_map_def_check bounded max_entries * stride by 1 GiB */
	a->values = calloc(def->max_entries, a->stride);
	if (!a->values) {
		free(a);
		return NULL;
	}
	for (i = 0; i < BH_ARRAY_LOCKS; i++)
		pthread_mutex_init(&a->locks[i], NULL);
	a->map.ops = &bh_array_ops;
	return &a->map;
}

void *bh_map_array_data(struct bh_map *map)
{
	if (!map || map->def.type != BH_MAP_ARRAY)
		return NULL;
	return bh_array_of(map)->values;
}

uint32_t bh_map_array_stride(const struct bh_map *map)
{
	if (!map || map->def.type != BH_MAP_ARRAY)
		return 0;
	return ((const struct bh_array *)map)->stride;
}
