// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ring buffers (src/maps/ringbuf.c): the kernel's definition rules;
 * records of every size coming out in order while the ring wraps many
 * times, a full ring refusing reservations until the consumer catches
 * up, discarded records skipped, query's positions; 4 producer threads
 * against a polling consumer losing, duplicating or tearing nothing; and
 * tests/progs/k_ringbuf.bpf.c's rb_events read through the public API.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"
#include "support/objs.h"
#include "maps/map.h"

static struct bh_map *mk_rb(uint32_t size, uint32_t ks, char *err, size_t errsz)
{
	struct bh_map_def d = {.name = "rb",
			       .type = BH_MAP_RINGBUF,
			       .key_size = ks,
			       .max_entries = size};

	return bh_map_new(&d, err, errsz);
}

TEST(ringbuf_def)
{
	char err[160];
	struct bh_map *m;

	m = mk_rb(4096, 4, err, sizeof(err));
	CHECK(!m && strstr(err, "key and value size must be 0"));
	m = mk_rb(3 * 4096, 0, err, sizeof(err));
	CHECK(!m && strstr(err, "not a power of 2"));
	m = mk_rb(1024, 0, err, sizeof(err));
	CHECK(!m && strstr(err, "not a power of 2"));
	m = mk_rb(0, 0, err, sizeof(err));
	CHECK(!m);
	m = mk_rb(1u << 31, 0, err, sizeof(err));
	CHECK(!m && errno == E2BIG);
	m = mk_rb(8192, 0, err, sizeof(err));
	CHECK(m && bh_map_is_ringbuf(m));
	CHECK(!bh_map_lookup(m, &(int){0}));
	bh_map_free(m);
}

struct seen {
	uint32_t next; /* the sequence number expected next */
	uint32_t bad;
	uint64_t bytes;
};

/* a record: u32 seq, then (seq % 61) bytes of (seq & 0xff) */
static int check_rec(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	uint32_t seq;

	memcpy(&seq, data, 4);
	if (seq != s->next || size != 4 + seq % 61)
		s->bad++;
	for (size_t i = 4; i < size; i++)
		if (((uint8_t *)data)[i] != (uint8_t)seq)
			s->bad++;
	s->next = seq + 1;
	s->bytes += size;
	return 0;
}

static bool put_rec(struct bh_map *m, uint32_t seq)
{
	uint8_t *p = bh_ringbuf_reserve(m, 4 + seq % 61);

	if (!p)
		return false;
	memcpy(p, &seq, 4);
	memset(p + 4, (uint8_t)seq, seq % 61);
	bh_ringbuf_commit(p, BH_RB_NO_WAKEUP, false);
	return true;
}

TEST(ringbuf_order_wrap)
{
	char err[160];
	struct bh_map *m = mk_rb(4096, 0, err, sizeof(err));
	struct seen s = {0};
	uint32_t seq = 0;
	int full = 0;
	void *p;

	CHECK(m);
	if (!m)
		return;
	/* 20000 records through a 4 KiB ring: it wraps hundreds of times */
	while (seq < 20000) {
		if (put_rec(m, seq)) {
			seq++;
			continue;
		}
		full++;
		CHECK(bh_ringbuf_consume(m, check_rec, &s) > 0);
	}
	CHECK(bh_ringbuf_consume(m, check_rec, &s) >= 0);
	CHECK_EQ(s.next, 20000u);
	CHECK_EQ(s.bad, 0u);
	CHECK(full > 100);
	CHECK_EQ(bh_ringbuf_query(m, BH_RB_AVAIL_DATA), 0u);
	CHECK_EQ(bh_ringbuf_query(m, BH_RB_RING_SIZE), 4096u);
	CHECK_EQ(bh_ringbuf_query(m, BH_RB_CONS_POS),
		 bh_ringbuf_query(m, BH_RB_PROD_POS));
	/* never more than the ring minus a header; a discard is skipped */
	CHECK(!bh_ringbuf_reserve(m, 4096 - 7));
	p = bh_ringbuf_reserve(m, 16);
	CHECK(p);
	bh_ringbuf_commit(p, 0, true);
	CHECK(put_rec(m, 20000));
	CHECK_EQ(bh_ringbuf_consume(m, check_rec, &s), 1);
	CHECK_EQ(s.bad, 0u);
	/* a busy record holds back the ones after it */
	p = bh_ringbuf_reserve(m, 8);
	CHECK(put_rec(m, 20001));
	CHECK_EQ(bh_ringbuf_consume(m, check_rec, &s), 0);
	bh_ringbuf_commit(p, 0, true);
	CHECK_EQ(bh_ringbuf_consume(m, check_rec, &s), 1);
	CHECK_EQ(s.next, 20002u);
	/* a header claiming more than was produced (only memory corruption
	 * could write one) stops the consumer instead of reading past */
	p = bh_ringbuf_reserve(m, 8);
	CHECK(p);
	if (p)
		__atomic_store_n((uint32_t *)p - 2, 1u << 20, __ATOMIC_RELEASE);
	CHECK_EQ(bh_ringbuf_consume(m, check_rec, &s), -EFAULT);
	bh_map_free(m);
}

#define PRODUCERS 4
#define PER_PRODUCER 100000u

struct prod {
	struct bh_map *m;
	uint32_t id;
	uint64_t retries;
};

static void *producer(void *arg)
{
	struct prod *p = arg;

	for (uint32_t i = 0; i < PER_PRODUCER; i++) {
		uint32_t *r;

		while (!(r = bh_ringbuf_reserve(p->m, 12 + (i % 5) * 8))) {
			p->retries++;
			sched_yield();
		}
		r[0] = p->id;
		r[1] = i;
		r[2] = p->id ^ i;
		bh_ringbuf_commit(r, 0, false);
	}
	return NULL;
}

struct multi {
	uint32_t next[PRODUCERS];
	uint64_t records, bad;
};

static int check_multi(void *ctx, void *data, size_t size)
{
	struct multi *c = ctx;
	uint32_t *r = data;

	c->records++;
	if (size < 12 || r[0] >= PRODUCERS || r[1] != c->next[r[0]] ||
	    r[2] != (r[0] ^ r[1]) || size != 12 + (r[1] % 5) * 8) {
		c->bad++;
		return 0;
	}
	c->next[r[0]]++;
	return 0;
}

TEST(ringbuf_concurrent)
{
	char err[160];
	struct bh_map *m = mk_rb(65536, 0, err, sizeof(err));
	struct prod p[PRODUCERS];
	pthread_t t[PRODUCERS];
	struct multi c = {0};
	uint64_t retries = 0;
	int polls = 0;

	CHECK(m);
	if (!m)
		return;
	for (uint32_t i = 0; i < PRODUCERS; i++) {
		p[i] = (struct prod){.m = m, .id = i};
		pthread_create(&t[i], NULL, producer, &p[i]);
	}
	while (c.records < (uint64_t)PRODUCERS * PER_PRODUCER &&
	       polls < 10000000) {
		int n = bh_ringbuf_poll(m, check_multi, &c, 100);

		CHECK(n >= 0);
		polls++;
	}
	for (uint32_t i = 0; i < PRODUCERS; i++) {
		pthread_join(t[i], NULL);
		retries += p[i].retries;
	}
	bh_ringbuf_consume(m, check_multi, &c);
	printf("ringbuf: %u producers x %u records, %llu read, %llu bad, "
	       "%llu full-ring retries, %d polls\n",
	       PRODUCERS, PER_PRODUCER, (unsigned long long)c.records,
	       (unsigned long long)c.bad, (unsigned long long)retries, polls);
	CHECK_EQ(c.records, (uint64_t)PRODUCERS * PER_PRODUCER);
	CHECK_EQ(c.bad, 0u);
	for (uint32_t i = 0; i < PRODUCERS; i++)
		CHECK_EQ(c.next[i], PER_PRODUCER);
	bh_map_free(m);
}

struct event {
	int seq;
	int pid;
	long val;
};

static int collect(void *ctx, void *data, size_t size)
{
	struct event *out = ctx, *e = data;
	int i = 0;

	if (size != sizeof(*e))
		return -EBADMSG;
	while (out[i].pid)
		i++;
	if (i >= 8)
		return -ENOSPC;
	out[i] = *e;
	return 0;
}

/* the program writes four records and discards the third */
TEST(ringbuf_program)
{
	static const char *const progs[] = {"rb_events", NULL};
	char log[4096];
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct event got[9] = {{0}};
	struct bpfhost_obj *obj;
	struct bpfhost_prog *p;
	struct bpfhost_map *rb, *h;
	uint64_t r0 = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "k_ringbuf.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "k_ringbuf.bpf.o: %s", log);
	if (!obj) {
		bpfhost_rt_free(rt);
		return;
	}
	p = bpfhost_obj_prog(obj, "rb_events");
	rb = bpfhost_obj_map(obj, "rb");
	h = bpfhost_obj_map(obj, "h");
	CHECK(p && rb && h);
	if (p && rb && h) {
		CHECK_EQ(bpfhost_ringbuf_consume(h, collect, got), -EINVAL);
		CHECK_EQ(bpfhost_ringbuf_poll(rb, collect, got, 0), 0);
		CHECK_EQ(bpfhost_prog_run(p, NULL, 0, &r0), 0);
		CHECK_EQ(r0, 4u);
		CHECK(bpfhost_ringbuf_fd(rb) >= 0);
		CHECK_EQ(bpfhost_ringbuf_poll(rb, collect, got, 1000), 3);
		CHECK(got[0].seq == 0 && got[1].seq == 1 && got[2].seq == 3);
		CHECK(got[2].val == 30 && got[2].pid == 7 && !got[3].pid);
	}
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

/* `bpfhost run` prints what the program wrote into its ring buffers */
TEST(ringbuf_cli_run)
{
	char cmd[512], line[512];
	int records = 0, total = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "%s/bpfhost run %s/progs/k_ringbuf.bpf.o -p rb_events 2>&1",
		 th_build_dir(), th_build_dir());
	p = popen(cmd, "r");
	CHECK(p);
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, "  record ") && strstr(line, "16 bytes"))
			records++;
		if (strstr(line, "  3 records"))
			total++;
	}
	CHECK_EQ(pclose(p), 0);
	CHECK_EQ(records, 3);
	CHECK_EQ(total, 1);
}
