// SPDX-License-Identifier: BSD-2-Clause
/*
 * Map creation and the type-independent entry points.  Every definition
 * goes through bh_map_def_check first, so a map type's constructor only
 * ever sees sizes whose products fit the preallocation limit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/map_internal.h"

static int bh_map_err(char *err, size_t errsz, int ret, const char *name,
		      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errsz)
		return ret;
	n = snprintf(err, errsz, "map '%s': ", name ? name : "");
	if (n < 0 || (size_t)n >= errsz)
		return ret;
	va_start(ap, fmt);
	vsnprintf(err + n, errsz - n, fmt, ap);
	va_end(ap);
	return ret;
}

/* Bytes a definition preallocates; mirrors what array.c and hash.c do. */
static bool bh_def_is_array(const struct bh_map_def *def)
{
	return def->type == BH_MAP_ARRAY || def->type == BH_MAP_PERCPU_ARRAY;
}

static bool bh_def_is_percpu(const struct bh_map_def *def)
{
	return def->type == BH_MAP_PERCPU_ARRAY ||
	       def->type == BH_MAP_PERCPU_HASH;
}

uint32_t bh_map_def_ncpus(const struct bh_map_def *def)
{
	return bh_def_is_percpu(def) ? bh_nr_cpus() : 1;
}

static uint64_t bh_map_total_size(const struct bh_map_def *def)
{
	uint64_t n = def->max_entries;
	uint64_t v = BH_ROUND8(def->value_size) * bh_map_def_ncpus(def);

	if (bh_def_is_array(def))
		return n * v;
	if (def->type == BH_MAP_RINGBUF)
		return n;
	/* hash: element header (16) + key + value, plus one bucket head */
	return n * (16 + BH_ROUND8(def->key_size) + v + 2 * sizeof(void *));
}

/* ringbuf_map_alloc()'s rules: no key or value, a power-of-2 number of
 * whole pages */
static int ringbuf_def_check(const struct bh_map_def *def, char *err,
			     size_t errsz)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint32_t n = def->max_entries;

	if (def->key_size || def->value_size)
		return bh_map_err(err, errsz, -EINVAL, def->name,
				  "ring buffer key and value size must be 0");
	if (!n || (n & (n - 1)) || n % page)
		return bh_map_err(err, errsz, -EINVAL, def->name,
				  "ring buffer size %u is not a power of 2 "
				  "multiple of the page size",
				  n);
	if (def->map_flags)
		return bh_map_err(err, errsz, -EINVAL, def->name,
				  "map_flags 0x%x not supported for this type",
				  def->map_flags);
	if (n > BH_MAP_MAX_TOTAL_SIZE)
		return bh_map_err(err, errsz, -E2BIG, def->name,
				  "ring buffer size %u over the limit of %llu",
				  n, (unsigned long long)BH_MAP_MAX_TOTAL_SIZE);
	return 0;
}

int bh_map_def_check(const struct bh_map_def *def, char *err, size_t errsz)
{
	const char *name = def ? def->name : NULL;
	uint32_t allowed;

	if (!def)
		return bh_map_err(err, errsz, -EINVAL, name, "no definition");
	if (def->type != BH_MAP_HASH && def->type != BH_MAP_ARRAY &&
	    def->type != BH_MAP_RINGBUF && !bh_def_is_percpu(def))
		return bh_map_err(err, errsz, -ENOTSUP, name,
				  "map type %u not supported", def->type);
	if (def->type == BH_MAP_RINGBUF)
		return ringbuf_def_check(def, err, errsz);
	if (def->key_size == 0)
		return bh_map_err(err, errsz, -EINVAL, name, "key size 0");
	if (def->value_size == 0)
		return bh_map_err(err, errsz, -EINVAL, name, "value size 0");
	if (def->max_entries == 0)
		return bh_map_err(err, errsz, -EINVAL, name, "max_entries 0");
	if (bh_def_is_array(def) && def->key_size != 4)
		return bh_map_err(err, errsz, -EINVAL, name,
				  "array key size %u, must be 4",
				  def->key_size);
	if (def->key_size > BH_MAP_MAX_KEY_SIZE)
		return bh_map_err(err, errsz, -E2BIG, name,
				  "key size %u over the limit %u",
				  def->key_size, BH_MAP_MAX_KEY_SIZE);
	if (def->value_size > BH_MAP_MAX_VALUE_SIZE)
		return bh_map_err(err, errsz, -E2BIG, name,
				  "value size %u over the limit %u",
				  def->value_size, BH_MAP_MAX_VALUE_SIZE);
	if (bh_def_is_percpu(def) &&
	    BH_ROUND8(def->value_size) > BH_MAP_MAX_PERCPU_VALUE_SIZE)
		return bh_map_err(err, errsz, -E2BIG, name,
				  "per-CPU value size %u over the limit %u",
				  def->value_size,
				  BH_MAP_MAX_PERCPU_VALUE_SIZE);
	/* The kernel rejects NO_PREALLOC and MMAPABLE on the "wrong" type;
	 * a hash map is always preallocated here, which only makes it safer,
	 * so NO_PREALLOC is accepted and ignored for hash. */
	allowed = BH_F_RDONLY_PROG;
	if (def->type == BH_MAP_ARRAY)
		allowed |= BH_F_MMAPABLE;
	else if (!bh_def_is_array(def))
		allowed |= BH_F_NO_PREALLOC;
	if (def->map_flags & ~allowed)
		return bh_map_err(err, errsz, -EINVAL, name,
				  "map_flags 0x%x not supported for this type",
				  def->map_flags);
	if (bh_map_total_size(def) > BH_MAP_MAX_TOTAL_SIZE)
		return bh_map_err(err, errsz, -E2BIG, name,
				  "max_entries %u needs %llu bytes, over the "
				  "limit of %llu",
				  def->max_entries,
				  (unsigned long long)bh_map_total_size(def),
				  (unsigned long long)BH_MAP_MAX_TOTAL_SIZE);
	return 0;
}

struct bh_map *bh_map_new(const struct bh_map_def *def, char *err, size_t errsz)
{
	struct bh_map *map;
	char *name;
	int ret;

	ret = bh_map_def_check(def, err, errsz);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	name = strdup(def->name ? def->name : "");
	if (!name) {
		bh_map_err(err, errsz, -ENOMEM, def->name, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (bh_def_is_array(def))
		map = bh_array_map_new(def, err, errsz);
	else if (def->type == BH_MAP_RINGBUF)
		map = bh_ringbuf_map_new(def, err, errsz);
	else
		map = bh_hash_map_new(def, err, errsz);
	if (!map) {
		bh_map_err(err, errsz, -ENOMEM, def->name, "out of memory");
		free(name);
		errno = ENOMEM;
		return NULL;
	}
	map->def = *def;
	map->def.name = name;
	map->name = name;
	map->ncpus = bh_map_def_ncpus(def);
	map->vstride = (uint32_t)BH_ROUND8(def->value_size);
	return map;
}

void bh_map_free(struct bh_map *map)
{
	char *name;

	if (!map)
		return;
	name = map->name;
	map->ops->free(map);
	free(name);
}

const struct bh_map_def *bh_map_def(const struct bh_map *map)
{
	return &map->def;
}

void *bh_map_lookup(struct bh_map *map, const void *key)
{
	char *elem;

	if (!map || !key)
		return NULL;
	elem = map->ops->lookup(map, key);
	if (!elem || map->ncpus == 1)
		return elem;
	return elem + (size_t)bh_this_cpu() * map->vstride;
}

int bh_map_update(struct bh_map *map, const void *key, const void *value,
		  uint64_t flags)
{
	if (!map || !key || !value)
		return -EINVAL;
	/* BPF_F_LOCK and the rest are not supported: reject, as the kernel
	 * does for flags a map type does not know. */
	if (flags > BH_EXIST)
		return -EINVAL;
	return map->ops->update(map, key, value, flags, false);
}

bool bh_map_is_percpu(const struct bh_map *map)
{
	return map && bh_def_is_percpu(&map->def);
}

void *bh_map_lookup_cpu(struct bh_map *map, const void *key, uint32_t cpu)
{
	char *elem;

	if (!bh_map_is_percpu(map) || !key || cpu >= map->ncpus)
		return NULL;
	elem = map->ops->lookup(map, key);
	return elem ? elem + (size_t)cpu * map->vstride : NULL;
}

size_t bh_map_host_value_size(const struct bh_map *map)
{
	if (!bh_map_is_percpu(map))
		return map->def.value_size;
	return (size_t)map->vstride * map->ncpus;
}

int bh_map_lookup_copy(struct bh_map *map, const void *key, void *values)
{
	const char *elem;

	if (!map || !key || !values)
		return -EINVAL;
	elem = map->ops->lookup(map, key);
	if (!elem)
		return -ENOENT;
	if (!bh_map_is_percpu(map)) {
		memcpy(values, elem, map->def.value_size);
		return 0;
	}
	/* each copy's value_size bytes, zeroes up to the stride (the kernel
	 * copies the rounded size, whose tail is zero) */
	for (uint32_t cpu = 0; cpu < map->ncpus; cpu++) {
		char *dst = (char *)values + (size_t)cpu * map->vstride;

		memcpy(dst, elem + (size_t)cpu * map->vstride,
		       map->def.value_size);
		memset(dst + map->def.value_size, 0,
		       map->vstride - map->def.value_size);
	}
	return 0;
}

int bh_map_update_all(struct bh_map *map, const void *key, const void *values,
		      uint64_t flags)
{
	if (!map || !key || !values)
		return -EINVAL;
	if (flags > BH_EXIST)
		return -EINVAL;
	return map->ops->update(map, key, values, flags, true);
}

int bh_map_delete(struct bh_map *map, const void *key)
{
	if (!map || !key)
		return -EINVAL;
	return map->ops->delete (map, key);
}

int bh_map_next_key(struct bh_map *map, const void *key, void *next_key)
{
	if (!map || !next_key)
		return -EINVAL;
	return map->ops->next_key(map, key, next_key);
}

int bh_map_set_fields(struct bh_map *map, const struct bh_map_fields *f)
{
	if (!map || !f || f->nr > BH_MAP_MAX_FIELDS)
		return -EINVAL;
	for (uint32_t i = 0; i < f->nr; i++)
		if ((uint64_t)f->field[i].off + f->field[i].size >
		    map->def.value_size)
			return -EINVAL;
	map->fields = *f;
	return 0;
}

/* copy_map_value(): every byte but the special fields' (src NULL:
 * zero them, zero_map_value()) */
void bh_map_value_copy(const struct bh_map *map, void *dst, const void *src)
{
	uint32_t at = 0, end = map->def.value_size;

	while (at < end) {
		uint32_t next = end, skip = 0;

		/* the nearest field at or after at */
		for (uint32_t i = 0; i < map->fields.nr; i++) {
			uint32_t off = map->fields.field[i].off;

			if (off + map->fields.field[i].size > at &&
			    off < next) {
				next = off > at ? off : at;
				skip = off + map->fields.field[i].size;
			}
		}
		if (src)
			memcpy((char *)dst + at, (const char *)src + at,
			       next - at);
		else
			memset((char *)dst + at, 0, next - at);
		if (next == end)
			break;
		at = skip;
	}
}

void bh_map_value_release(const struct bh_map *map, void *value)
{
	if (map->fields.nr && map->fields.free_fields)
		map->fields.free_fields(map->fields.ctx, value);
}

void bh_map_elem_store(const struct bh_map *map, void *elem, const void *value,
		       bool all, bool fresh)
{
	uint32_t me = map->ncpus > 1 ? bh_this_cpu() : 0;

	for (uint32_t cpu = 0; cpu < map->ncpus; cpu++) {
		char *dst = (char *)elem + (size_t)cpu * map->vstride;
		const char *src;

		if (all)
			src = (const char *)value + (size_t)cpu * map->vstride;
		else if (cpu == me)
			src = value;
		else if (fresh)
			src = NULL;
		else
			continue;
		/* a recycled element: whatever a program stored into it
		 * after its delete goes first */
		if (fresh)
			bh_map_value_release(map, dst);
		bh_map_value_copy(map, dst, src);
		/* the kernel's bpf_obj_free_fields() after the copy */
		bh_map_value_release(map, dst);
	}
}

void bh_map_elem_release(const struct bh_map *map, void *elem)
{
	for (uint32_t cpu = 0; map->fields.nr && cpu < map->ncpus; cpu++)
		bh_map_value_release(map,
				     (char *)elem + (size_t)cpu * map->vstride);
}

int64_t bh_map_timer_off(const struct bh_map *map, bool wq)
{
	if (!map)
		return -1;
	if (wq)
		return map->fields.has_wq ? (int64_t)map->fields.wq_off : -1;
	return map->fields.has_timer ? (int64_t)map->fields.timer_off : -1;
}

const void *bh_map_value_key(struct bh_map *map, const void *value,
			     uint32_t *idx)
{
	if (map->def.type == BH_MAP_ARRAY) {
		const char *data = bh_map_array_data(map);
		uint32_t stride = bh_map_array_stride(map);
		uintptr_t off = (uintptr_t)value - (uintptr_t)data;

		if (!data || !stride || (uintptr_t)value < (uintptr_t)data ||
		    off % stride || off / stride >= map->def.max_entries)
			return NULL;
		*idx = (uint32_t)(off / stride);
		return idx;
	}
	if (map->def.type == BH_MAP_HASH)
		return (const char *)value - BH_ROUND8(map->def.key_size);
	return NULL;
}
