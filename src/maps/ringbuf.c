// SPDX-License-Identifier: BSD-2-Clause
/*
 * BPF_MAP_TYPE_RINGBUF: a multi-producer, single-consumer byte ring that
 * programs write records into (bpf_ringbuf_reserve/submit/discard,
 * bpf_ringbuf_output) and the host reads in order (bpfhost_ringbuf_*).
 *
 * Records are laid out as the kernel lays them out: an 8-byte header
 * (u32 length with a BUSY and a DISCARD bit, u32 offset of the header from
 * the ring, so a record finds its ring), the data, padding to 8.  The
 * kernel maps its data pages twice so that a record may wrap; here a
 * record never wraps: one that would is preceded by a discarded padding
 * record up to the end of the ring, which the consumer skips.
 *
 * Invariants: producers reserve under the ring's lock, in order; a record
 * is published by clearing BUSY with a release store, and the consumer
 * stops at the first BUSY record, so it never reads data being written.
 * Reserved space is never reused before the consumer passed it; a sample
 * pointer stays valid memory until the ring is freed.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "maps/map_internal.h"

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8u

struct rb_hdr {
	uint32_t len; /* data length | RB_BUSY | RB_DISCARD */
	uint32_t off; /* this header's offset from the struct bh_ringbuf */
};

struct bh_ringbuf {
	struct bh_map map;
	pthread_mutex_t lock;	   /* producers */
	pthread_mutex_t cons_lock; /* consumers, one at a time */
	uint64_t mask;		   /* size - 1 */
	uint64_t cons_pos;	   /* atomic: the consumer's position */
	uint64_t prod_pos;	   /* atomic: the producers' */
	int evfd;		   /* wakes a waiting consumer; -1: none */
	_Alignas(8) uint8_t data[];
};

static struct bh_ringbuf *rb_of(struct bh_map *map)
{
	return (struct bh_ringbuf *)map;
}

static void *rb_lookup(struct bh_map *map, const void *key)
{
	(void)map, (void)key;
	return NULL;
}

static int rb_update(struct bh_map *map, const void *key, const void *value,
		     uint64_t flags, bool all)
{
	(void)map, (void)key, (void)value, (void)flags, (void)all;
	return -ENOTSUP;
}

static int rb_delete(struct bh_map *map, const void *key)
{
	(void)map, (void)key;
	return -ENOTSUP;
}

static int rb_next_key(struct bh_map *map, const void *key, void *next)
{
	(void)map, (void)key, (void)next;
	return -ENOTSUP;
}

static void rb_free(struct bh_map *map)
{
	struct bh_ringbuf *rb = rb_of(map);

	if (rb->evfd >= 0)
		close(rb->evfd);
	pthread_mutex_destroy(&rb->lock);
	pthread_mutex_destroy(&rb->cons_lock);
	free(rb);
}

static const struct bh_map_ops rb_ops = {
	.lookup = rb_lookup,
	.update = rb_update,
	.delete = rb_delete,
	.next_key = rb_next_key,
	.free = rb_free,
};

struct bh_map *bh_ringbuf_map_new(const struct bh_map_def *def, char *err,
				  size_t errsz)
{
	struct bh_ringbuf *rb;

	(void)err, (void)errsz;
	rb = calloc(1, sizeof(*rb) + def->max_entries);
	if (!rb)
		return NULL;
	rb->map.ops = &rb_ops;
	rb->mask = def->max_entries - 1;
	rb->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&rb->lock, NULL);
	pthread_mutex_init(&rb->cons_lock, NULL);
	return &rb->map;
}

bool bh_map_is_ringbuf(const struct bh_map *map)
{
	return map && map->def.type == BH_MAP_RINGBUF;
}

static struct rb_hdr *hdr_at(struct bh_ringbuf *rb, uint64_t pos)
{
	return (struct rb_hdr *)(rb->data + (pos & rb->mask));
}

void *bh_ringbuf_reserve(struct bh_map *map, uint64_t size)
{
	struct bh_ringbuf *rb = rb_of(map);
	uint64_t ring = rb->mask + 1, len, pad, cons, prod, need;
	struct rb_hdr *h;

	if (!bh_map_is_ringbuf(map) || size > ring - RB_HDR ||
	    size >= RB_DISCARD)
		return NULL;
	len = BH_ROUND8(size + RB_HDR);
	pthread_mutex_lock(&rb->lock);
	cons = __atomic_load_n(&rb->cons_pos, __ATOMIC_ACQUIRE);
	prod = rb->prod_pos;
	pad = (prod & rb->mask) + len > ring ? ring - (prod & rb->mask) : 0;
	need = prod + pad + len;
	if (need - cons > ring) {
		pthread_mutex_unlock(&rb->lock);
		return NULL;
	}
	if (pad) {
		/* the rest of the ring: a discarded record, published at
		 * once (it is never handed out) */
		h = hdr_at(rb, prod);
		h->off = (uint32_t)((uint8_t *)h - (uint8_t *)rb);
		__atomic_store_n(&h->len, (uint32_t)(pad - RB_HDR) | RB_DISCARD,
				 __ATOMIC_RELEASE);
		prod += pad;
	}
	h = hdr_at(rb, prod);
	h->off = (uint32_t)((uint8_t *)h - (uint8_t *)rb);
	__atomic_store_n(&h->len, (uint32_t)size | RB_BUSY, __ATOMIC_RELAXED);
	__atomic_store_n(&rb->prod_pos, need, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rb->lock);
	return h + 1;
}

static void rb_wake(struct bh_ringbuf *rb)
{
	uint64_t one = 1;

	if (rb->evfd >= 0 && write(rb->evfd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: a wake-up is pending anyway */
	}
}

void bh_ringbuf_commit(void *sample, uint64_t flags, bool discard)
{
	struct rb_hdr *h = (struct rb_hdr *)sample - 1;
	struct bh_ringbuf *rb = (struct bh_ringbuf *)((uint8_t *)h - h->off);
	uint64_t pos = (uint64_t)((uint8_t *)h - rb->data), cons;
	uint32_t len = h->len & ~RB_BUSY;

	if (discard)
		len |= RB_DISCARD;
	__atomic_store_n(&h->len, len, __ATOMIC_RELEASE);
	/* wake the consumer when it has caught up with this record (it may
	 * be asleep), or when asked to */
	cons = __atomic_load_n(&rb->cons_pos, __ATOMIC_ACQUIRE);
	if (flags & BH_RB_FORCE_WAKEUP)
		rb_wake(rb);
	else if (!(flags & BH_RB_NO_WAKEUP) && (cons & rb->mask) == pos)
		rb_wake(rb);
}

int bh_ringbuf_output(struct bh_map *map, const void *data, uint64_t size,
		      uint64_t flags)
{
	void *p;

	if (flags & ~(uint64_t)(BH_RB_NO_WAKEUP | BH_RB_FORCE_WAKEUP))
		return -EINVAL;
	p = bh_ringbuf_reserve(map, size);
	if (!p)
		return -EAGAIN;
	memcpy(p, data, size);
	bh_ringbuf_commit(p, flags, false);
	return 0;
}

uint64_t bh_ringbuf_query(struct bh_map *map, uint64_t flags)
{
	struct bh_ringbuf *rb = rb_of(map);
	uint64_t cons = __atomic_load_n(&rb->cons_pos, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(&rb->prod_pos, __ATOMIC_ACQUIRE);

	switch (flags) {
	case BH_RB_AVAIL_DATA:
		return prod - cons;
	case BH_RB_RING_SIZE:
		return rb->mask + 1;
	case BH_RB_CONS_POS:
		return cons;
	case BH_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}

int bh_ringbuf_consume(struct bh_map *map,
		       int (*cb)(void *ctx, void *data, size_t size), void *ctx)
{
	struct bh_ringbuf *rb = rb_of(map);
	uint64_t cons, prod, adv;
	int n = 0, ret = 0;

	if (!bh_map_is_ringbuf(map) || !cb)
		return -EINVAL;
	pthread_mutex_lock(&rb->cons_lock);
	cons = rb->cons_pos;
	for (;;) {
		prod = __atomic_load_n(&rb->prod_pos, __ATOMIC_ACQUIRE);
		if (cons == prod)
			break;
		struct rb_hdr *h = hdr_at(rb, cons);
		uint32_t len = __atomic_load_n(&h->len, __ATOMIC_ACQUIRE);

		if (len & RB_BUSY)
			break;
		adv = BH_ROUND8((len & ~RB_DISCARD) + RB_HDR);
		/* a header only a producer writes: still, never read past
		 * what was produced or past the ring */
		if (adv > prod - cons ||
		    (cons & rb->mask) + adv > rb->mask + 1) {
			ret = -EFAULT;
			break;
		}
		cons += adv;
		if (!(len & RB_DISCARD)) {
			n++;
			ret = cb(ctx, h + 1, len);
		}
		__atomic_store_n(&rb->cons_pos, cons, __ATOMIC_RELEASE);
		if (ret < 0)
			break;
	}
	pthread_mutex_unlock(&rb->cons_lock);
	return ret < 0 ? ret : n;
}

int bh_ringbuf_poll(struct bh_map *map,
		    int (*cb)(void *ctx, void *data, size_t size), void *ctx,
		    int timeout_ms)
{
	struct bh_ringbuf *rb = rb_of(map);
	struct pollfd p;
	uint64_t cnt;
	int n = bh_ringbuf_consume(map, cb, ctx);

	if (n || rb->evfd < 0)
		return n;
	p.fd = rb->evfd;
	p.events = POLLIN;
	if (poll(&p, 1, timeout_ms) < 0)
		return -errno;
	if (read(rb->evfd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return -errno;
	return bh_ringbuf_consume(map, cb, ctx);
}

int bh_ringbuf_fd(struct bh_map *map)
{
	return bh_map_is_ringbuf(map) ? rb_of(map)->evfd : -EINVAL;
}
