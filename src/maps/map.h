/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Maps: fixed-size key/value stores shared by BPF programs and the host.
 *
 * Invariant: every value pointer a map ever hands out (bh_map_lookup, the
 * value area of an array) stays valid memory of value_size bytes until the
 * map itself is freed.  Hash maps preallocate all max_entries elements and
 * recycle deleted ones through a free list, as the kernel's preallocated
 * hash maps do, so a program holding a looked-up value while another thread
 * deletes it reads stale but mapped memory, never freed memory.
 * All operations are thread-safe.
 */
#ifndef BPFHOST_MAP_H
#define BPFHOST_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Map types, numbered as enum bpf_map_type in <linux/bpf.h>. */
#define BH_MAP_HASH 1
#define BH_MAP_ARRAY 2
#define BH_MAP_RINGBUF 27
#define BH_MAP_PERCPU_HASH 5
#define BH_MAP_PERCPU_ARRAY 6

/*
 * Possible CPUs (src/maps/cpus.c): per-CPU maps hold one copy of each
 * value per possible CPU; "this CPU" is the one the calling thread runs
 * on (sched_getcpu(), what bpf_get_smp_processor_id reports), always
 * below bh_nr_cpus().
 */
#define BH_MAX_CPUS 1024
unsigned int bh_nr_cpus(void);
unsigned int bh_this_cpu(void);
/* A program run starts: this CPU stays the one it starts on until
 * bh_cpu_unpin(the value returned) (runs nest). */
unsigned int bh_cpu_pin(void);
void bh_cpu_unpin(unsigned int old);
/* The kernel's PCPU_MIN_UNIT_SIZE: a per-CPU value's limit. */
#define BH_MAP_MAX_PERCPU_VALUE_SIZE (32u << 10)

/* Update flags, as the kernel's BPF_ANY / BPF_NOEXIST / BPF_EXIST. */
#define BH_ANY 0
#define BH_NOEXIST 1
#define BH_EXIST 2

/* map_flags bits we honour (kernel values) */
#define BH_F_NO_PREALLOC (1u << 0)
#define BH_F_RDONLY_PROG (1u << 7)
#define BH_F_MMAPABLE (1u << 10)

/* How the loader made the map: a BTF-defined map or a global-data area. */
enum bh_map_kind {
	BH_MAPK_USER,	/* SEC(".maps") */
	BH_MAPK_DATA,	/* .data, .data.* */
	BH_MAPK_RODATA, /* .rodata, .rodata.*: read-only for programs */
	BH_MAPK_BSS,	/* .bss */
};

struct bh_map_def {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	enum bh_map_kind kind;
	uint32_t btf_key_type_id;   /* 0 when unknown */
	uint32_t btf_value_type_id; /* 0 when unknown */
};

/*
 * Limits (the kernel's where they fit a user-space host): keys up to 512
 * bytes (the BPF stack), values up to 1 MiB, and at most 1 GiB preallocated
 * per map, so a hostile object cannot make the host allocate without bound.
 */
#define BH_MAP_MAX_KEY_SIZE 512u
#define BH_MAP_MAX_VALUE_SIZE (1u << 20)
#define BH_MAP_MAX_TOTAL_SIZE (1ull << 30)

struct bh_map;

/*
 * Check a definition without allocating: 0, -EINVAL (bad sizes, flags,
 * max_entries), -E2BIG (over the limits above) or -ENOTSUP (a map type
 * bpfhost does not implement), with "map 'name': why" in err.  The loader
 * uses it to reject a bad object before anything runs.
 */
int bh_map_def_check(const struct bh_map_def *def, char *err, size_t errsz);

/* Create an empty map; NULL with errno and a message in err on failure. */
struct bh_map *bh_map_new(const struct bh_map_def *def, char *err,
			  size_t errsz);
void bh_map_free(struct bh_map *map);

const struct bh_map_def *bh_map_def(const struct bh_map *map);

/* Pointer to the value stored under key, or NULL.  Safe from programs.
 * Per-CPU maps: this CPU's copy (what a program's lookup sees). */
void *bh_map_lookup(struct bh_map *map, const void *key);
/* 0 or -errno (-ENOENT, -EEXIST, -E2BIG, -EINVAL) as the kernel's.
 * Per-CPU maps: a program's update, of this CPU's copy only (a new hash
 * element's other copies are zeroed). */
int bh_map_update(struct bh_map *map, const void *key, const void *value,
		  uint64_t flags);

/* Per-CPU maps (bh_map_is_percpu): each value is bh_nr_cpus() copies. */
bool bh_map_is_percpu(const struct bh_map *map);
/* CPU cpu's copy of the value under key (bpf_map_lookup_percpu_elem);
 * NULL if absent, if cpu >= bh_nr_cpus() or for other maps. */
void *bh_map_lookup_cpu(struct bh_map *map, const void *key, uint32_t cpu);
/* The host's (user space's) view, as libbpf's bpf_map_lookup_elem and
 * bpf_map_update_elem see it: for per-CPU maps the buffer holds every
 * CPU's copy, value_size rounded up to 8 apart (bh_map_host_value_size()
 * bytes in all); for other maps it is one value. */
size_t bh_map_host_value_size(const struct bh_map *map);
int bh_map_lookup_copy(struct bh_map *map, const void *key, void *values);
int bh_map_update_all(struct bh_map *map, const void *key, const void *values,
		      uint64_t flags);
int bh_map_delete(struct bh_map *map, const void *key);
/* First key when key is NULL or absent; -ENOENT after the last. */
int bh_map_next_key(struct bh_map *map, const void *key, void *next_key);

/*
 * Special fields of the values that hold references (kptrs; the kernel's
 * btf_record of the value type): updates leave those bytes alone and,
 * when a value is overwritten, deleted or the map freed, free_fields(ctx,
 * value) releases the references it holds (and NULLs them).  Set once,
 * after creation and before any program or host touches the map.
 */
#define BH_MAP_MAX_FIELDS 10
struct bh_map_fields {
	uint32_t nr;
	struct {
		uint32_t off, size;
	} field[BH_MAP_MAX_FIELDS];
	void (*free_fields)(const void *ctx, void *value);
	const void *ctx;
	/* the value's struct bpf_timer and struct bpf_wq, if it has them */
	bool has_timer, has_wq;
	uint32_t timer_off, wq_off;
};

/* 0, or -EINVAL (too many fields, or one past the value). */
int bh_map_set_fields(struct bh_map *map, const struct bh_map_fields *f);

/* The offset of the struct bpf_timer (wq: bpf_wq) in map's values, or
 * -1. */
int64_t bh_map_timer_off(const struct bh_map *map, bool wq);
/* The key of a stored value (a callback's second argument): for arrays
 * the index, written to *idx; NULL if value is not one of map's. */
const void *bh_map_value_key(struct bh_map *map, const void *value,
			     uint32_t *idx);

/* For array maps: the contiguous value area (max_entries * value_size,
 * each value rounded up to 8 bytes as the kernel does), else NULL. */
void *bh_map_array_data(struct bh_map *map);
/* Byte stride between array values (value_size rounded up to 8). */
uint32_t bh_map_array_stride(const struct bh_map *map);

/*
 * Ring buffers (BPF_MAP_TYPE_RINGBUF: key and value size 0, max_entries
 * the ring's bytes, a power of 2 and a multiple of the page size).
 * Producers (programs, any thread): reserve then commit, or output.
 * The consumer (the host): consume, or poll; one at a time.
 */
#define BH_RB_NO_WAKEUP (1u << 0)
#define BH_RB_FORCE_WAKEUP (1u << 1)
#define BH_RB_AVAIL_DATA 0
#define BH_RB_RING_SIZE 1
#define BH_RB_CONS_POS 2
#define BH_RB_PROD_POS 3

bool bh_map_is_ringbuf(const struct bh_map *map);
/* size bytes of record data, or NULL when it does not fit (yet) */
void *bh_ringbuf_reserve(struct bh_map *map, uint64_t size);
/* publish (or discard) a reserved record; flags: BH_RB_*_WAKEUP */
void bh_ringbuf_commit(void *sample, uint64_t flags, bool discard);
/* 0, -EAGAIN (no room) or -EINVAL (flags) */
int bh_ringbuf_output(struct bh_map *map, const void *data, uint64_t size,
		      uint64_t flags);
uint64_t bh_ringbuf_query(struct bh_map *map, uint64_t flags);
/* cb on each published record in order, until none is ready or cb
 * returns < 0: the number of records, or cb's error */
int bh_ringbuf_consume(struct bh_map *map,
		       int (*cb)(void *ctx, void *data, size_t size),
		       void *ctx);
/* consume; when nothing was ready, wait up to timeout_ms (-1: forever)
 * for a wake-up and consume again */
int bh_ringbuf_poll(struct bh_map *map,
		    int (*cb)(void *ctx, void *data, size_t size), void *ctx,
		    int timeout_ms);
/* the eventfd a wake-up makes readable (for epoll), or -EINVAL */
int bh_ringbuf_fd(struct bh_map *map);

#endif
