/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to src/maps: the common map header every map type embeds first,
 * and the per-type operations table.  A map's def (and the name it points
 * at) is owned by the map and never changes after creation.
 */
#ifndef BPFHOST_MAP_INTERNAL_H
#define BPFHOST_MAP_INTERNAL_H

#include "maps/map.h"

struct bh_map_ops {
	/* the element's value area: its first copy, the others following
	 * vstride apart (per-CPU maps) */
	void *(*lookup)(struct bh_map *map, const void *key);
	/* all: value holds every CPU's copy (per-CPU maps, host side);
	 * else one value, for this CPU's copy */
	int (*update)(struct bh_map *map, const void *key, const void *value,
		      uint64_t flags, bool all);
	int (*delete)(struct bh_map *map, const void *key);
	int (*next_key)(struct bh_map *map, const void *key, void *next_key);
	void (*free)(struct bh_map *map);
};

struct bh_map {
	struct bh_map_def def;
	const struct bh_map_ops *ops;
	char *name;
	struct bh_map_fields fields; /* nr == 0: plain values */
	uint32_t ncpus;		     /* copies per value: 1, or bh_nr_cpus() */
	uint32_t vstride;	     /* value_size rounded up to 8 */
};

/* The copies a value of def holds (1 unless per-CPU). */
uint32_t bh_map_def_ncpus(const struct bh_map_def *def);
/* Store value into the element's copies: every CPU's from values (all),
 * or this CPU's (fresh: the other copies zeroed, a new element); the
 * references a copy held before are released. */
void bh_map_elem_store(const struct bh_map *map, void *elem, const void *value,
		       bool all, bool fresh);
/* Release the references of every copy of an element. */
void bh_map_elem_release(const struct bh_map *map, void *elem);

/* A new value into a stored one, leaving the special fields alone. */
void bh_map_value_copy(const struct bh_map *map, void *dst, const void *src);
/* Release the references a stored value holds (overwrite, delete, free). */
void bh_map_value_release(const struct bh_map *map, void *value);

/* Constructors for a def that bh_map_def_check accepted; they fill in
 * everything but def/name, which bh_map_new sets. */
struct bh_map *bh_array_map_new(const struct bh_map_def *def, char *err,
				size_t errsz);
struct bh_map *bh_ringbuf_map_new(const struct bh_map_def *def, char *err,
				  size_t errsz);
struct bh_map *bh_hash_map_new(const struct bh_map_def *def, char *err,
			       size_t errsz);

#define BH_ROUND8(x) (((uint64_t)(x) + 7) & ~(uint64_t)7)

#endif
