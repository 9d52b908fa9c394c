// SPDX-License-Identifier: BSD-2-Clause
/*
 * The red-black tree behind the BPF rbtree kfuncs (src/stdlib/rbtree.c):
 * after every one of many random inserts and erases the red-black
 * invariants hold (bh_rb_check), the height stays within 2 log2(n + 1),
 * an in-order walk gives the keys sorted with equal keys in insertion
 * order, and the cached leftmost node is the first.  Then the kfuncs at
 * run time: tests/progs/graph_rbtree.bpf.c's rb_threads from several
 * threads on one tree under its lock (no error, no object left), and the
 * objects left in trees (map values, global data) freed when the value is
 * overwritten or the object goes, refcounted ones once every tree and
 * list holding them lets go, and objects holding trees with them; and
 * kptrs in global data.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"
#include "support/objs.h"
#include "rt/rt.h"
#include "stdlib/stdlib.h"

#define NODES 600
#define OPS 30000

struct item {
	long key;
	long seq; /* insertion order, for equal keys */
	struct bh_rb_node rb;
	bool in;
};

#define item_of(n) ((struct item *)((char *)(n)-offsetof(struct item, rb)))

static bool item_less(struct bh_rb_node *a, const struct bh_rb_node *b,
		      void *ctx)
{
	(*(long *)ctx)++;
	return item_of(a)->key < item_of(b)->key;
}

/* h <= 2 log2(n + 1), the red-black bound, as 2^h <= (n + 1)^2 */
static bool height_ok(long h, size_t n)
{
	return h < 62 && (1ull << h) <= (unsigned long long)(n + 1) * (n + 1);
}

static long height(const struct bh_rb_node *n)
{
	long l, r;

	if (!n)
		return 0;
	l = height(n->child[BH_RB_LEFT]);
	r = height(n->child[BH_RB_RIGHT]);
	return 1 + (l > r ? l : r);
}

/* the whole tree in order: sorted, stable, n nodes, leftmost first */
static int check_order(const struct bh_rb_root *root, size_t n)
{
	const struct bh_rb_node *p = root->leftmost;
	const struct item *prev = NULL;
	size_t seen = 0;

	for (; p; p = bh_rb_next(p), seen++) {
		const struct item *it = item_of(p);

		if (!it->in)
			return -1;
		if (prev && (prev->key > it->key ||
			     (prev->key == it->key && prev->seq > it->seq)))
			return -1;
		prev = it;
	}
	return seen == n ? 0 : -1;
}

TEST(rbtree_random_ops)
{
	static struct item items[NODES];
	struct bh_rb_root root = {0};
	unsigned int seed = 12345;
	long calls = 0, seq = 0;
	size_t n = 0, count;

	for (int op = 0; op < OPS; op++) {
		struct item *it = &items[rand_r(&seed) % NODES];
		long bh;

		if (!it->in) {
			/* few distinct keys: many equal ones */
			it->key = rand_r(&seed) % (NODES / 8);
			it->seq = seq++;
			bh_rb_add(&root, &it->rb, item_less, &calls);
			it->in = true;
			n++;
		} else {
			bh_rb_erase(&root, &it->rb);
			it->in = false;
			n--;
		}
		bh = bh_rb_check(&root, NODES, &count);
		CHECK_MSG(bh >= 0, "op %d: red-black invariants broken", op);
		CHECK_EQ(count, n);
		CHECK_MSG(height_ok(height(root.node), n),
			  "op %d: height %ld for %zu nodes", op,
			  height(root.node), n);
		if (op % 64 == 0)
			CHECK_MSG(!check_order(&root, n), "op %d: order", op);
	}
	CHECK(!check_order(&root, n));
	CHECK(calls > 0);
	/* empty it from the front, as bpf_rbtree_first + remove do */
	while (root.leftmost) {
		struct item *it = item_of(root.leftmost);

		bh_rb_erase(&root, root.leftmost);
		it->in = false;
		n--;
		CHECK(bh_rb_check(&root, NODES, &count) >= 0 && count == n);
	}
	CHECK_EQ(n, 0);
	CHECK(!root.node);
}

TEST(rbtree_sequential)
{
	static struct item items[1024];
	struct bh_rb_root root = {0};
	size_t count;
	long calls = 0;

	/* ascending and then descending keys: the worst case for an
	 * unbalanced tree */
	for (int i = 0; i < 1024; i++) {
		items[i].key = i < 512 ? i : 2048 - i;
		items[i].seq = i;
		items[i].in = true;
		bh_rb_add(&root, &items[i].rb, item_less, &calls);
	}
	CHECK(bh_rb_check(&root, 1024, &count) >= 0);
	CHECK_EQ(count, 1024);
	CHECK(height_ok(height(root.node), 1024));
	CHECK(!check_order(&root, 1024));
	CHECK(item_of(root.leftmost) == &items[0]);
	/* about log2(n) comparisons each, not n */
	CHECK(calls < 1024 * 24);
}

#define THREADS 4
#define RUNS 5000

static struct bpfhost_prog *threads_prog;
static int run_errors;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < RUNS; i++) {
		uint64_t r0;

		if (bpfhost_prog_run(threads_prog, NULL, 0, &r0) || r0 != 2)
			__atomic_add_fetch(&run_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(rbtree_kfuncs_threads)
{
	static const char *const progs[] = {"rb_threads", "rb_keep", "rb_order",
					    NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_prog *keep, *order;
	struct bpfhost_map *map;
	struct bpfhost_obj *obj;
	pthread_t th[THREADS];
	char log[4096] = "", zero[24] = {0};
	uint64_t r0 = 0;
	uint32_t key = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "graph_rbtree.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "graph_rbtree.bpf.o: %s", log);
	threads_prog = bpfhost_obj_prog(obj, "rb_threads");
	keep = bpfhost_obj_prog(obj, "rb_keep");
	order = bpfhost_obj_prog(obj, "rb_order");
	map = bpfhost_obj_map(obj, "rb_trees");
	CHECK(threads_prog && keep && order && map);
	CHECK_EQ(bpfhost_prog_run(order, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 1134);
	run_errors = 0;
	for (int t = 0; t < THREADS; t++)
		CHECK_EQ(pthread_create(&th[t], NULL, worker, NULL), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ(run_errors, 0);
	CHECK_EQ(rt->objs.live, 0);

	/* objects left in a tree: freed when the value is overwritten */
	CHECK_EQ(bpfhost_prog_run(keep, NULL, 0, &r0), 0);
	CHECK_EQ(bpfhost_prog_run(keep, NULL, 0, &r0), 0);
	CHECK_EQ(rt->objs.live, 4);
	CHECK_EQ(bpfhost_map_update(map, &key, zero, 0), 0);
	CHECK_EQ(rt->objs.live, 0);
	/* ... and when the map goes */
	CHECK_EQ(bpfhost_prog_run(keep, NULL, 0, &r0), 0);
	CHECK_EQ(rt->objs.live, 2);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

TEST(rbtree_global_data_freed)
{
	static const char *const progs[] = {"g_keep", "g_rb_roundtrip", NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_prog *keep, *rt_prog;
	struct bpfhost_obj *obj;
	char log[4096] = "";
	uint64_t r0 = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "graph_global.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "graph_global.bpf.o: %s", log);
	keep = bpfhost_obj_prog(obj, "g_keep");
	rt_prog = bpfhost_obj_prog(obj, "g_rb_roundtrip");
	CHECK(keep && rt_prog);
	CHECK_EQ(bpfhost_prog_run(rt_prog, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 1234);
	CHECK_EQ(rt->objs.live, 0);
	/* a list item and two tree nodes in two sections */
	CHECK_EQ(bpfhost_prog_run(keep, NULL, 0, &r0), 0);
	CHECK_EQ(rt->objs.live, 3);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

TEST(rbtree_refcounted_in_tree_and_list)
{
	static const char *const progs[] = {"rc_keep", "rc_tree_and_list",
					    "rc_second_tree", NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_prog *keep, *both, *second;
	struct bpfhost_obj *obj;
	char log[4096] = "";
	uint64_t r0 = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "graph_refcount.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "graph_refcount.bpf.o: %s", log);
	keep = bpfhost_obj_prog(obj, "rc_keep");
	both = bpfhost_obj_prog(obj, "rc_tree_and_list");
	second = bpfhost_obj_prog(obj, "rc_second_tree");
	CHECK(keep && both && second);
	/* one object, two owners, both gone after the round trip */
	CHECK_EQ(bpfhost_prog_run(both, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 579);
	CHECK_EQ(rt->objs.live, 0);
	/* the second tree refuses it and drops that reference */
	CHECK_EQ(bpfhost_prog_run(second, NULL, 0, &r0), 0);
	CHECK_EQ((uint32_t)r0, (uint32_t)-22);
	CHECK_EQ(rt->objs.live, 0);
	/* left in both: one object, freed once both let go */
	CHECK_EQ(bpfhost_prog_run(keep, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 0);
	CHECK_EQ(rt->objs.live, 1);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

TEST(rbtree_roots_in_objects_freed)
{
	static const char *const progs[] = {"obj_tree", "obj_stash", NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_prog *tree, *stash;
	struct bpfhost_obj *obj;
	char log[4096] = "";
	uint64_t r0 = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "graph_obj_root.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "graph_obj_root.bpf.o: %s", log);
	tree = bpfhost_obj_prog(obj, "obj_tree");
	stash = bpfhost_obj_prog(obj, "obj_stash");
	CHECK(tree && stash);
	/* the bag's two items left go with the bag */
	CHECK_EQ(bpfhost_prog_run(tree, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 103);
	CHECK_EQ(rt->objs.live, 0);
	/* a bag of two in the map's kptr; a second replaces the first */
	CHECK_EQ(bpfhost_prog_run(stash, NULL, 0, &r0), 0);
	CHECK_EQ(rt->objs.live, 3);
	CHECK_EQ(bpfhost_prog_run(stash, NULL, 0, &r0), 0);
	CHECK_EQ(rt->objs.live, 3);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

TEST(rbtree_two_nodes_of_a_kind)
{
	static const char *const progs[] = {"two_lists", "two_trees",
					    "two_keep", NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_prog *lists, *trees, *keep;
	struct bpfhost_obj *obj;
	char log[4096] = "";
	uint64_t r0 = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "graph_two_nodes.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "graph_two_nodes.bpf.o: %s", log);
	lists = bpfhost_obj_prog(obj, "two_lists");
	trees = bpfhost_obj_prog(obj, "two_trees");
	keep = bpfhost_obj_prog(obj, "two_keep");
	CHECK(lists && trees && keep);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(bpfhost_prog_run(lists, NULL, 0, &r0), 0);
		CHECK_EQ(r0, 77);
		CHECK_EQ(bpfhost_prog_run(trees, NULL, 0, &r0), 0);
		CHECK_EQ(r0, 513);
	}
	CHECK_EQ(rt->objs.live, 0);
	/* one object on two lists, freed once both let go */
	CHECK_EQ(bpfhost_prog_run(keep, NULL, 0, &r0), 0);
	CHECK_EQ(rt->objs.live, 1);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

TEST(kptr_in_global_data_freed)
{
	static const char *const progs[] = {"gk_stash", "gk_roundtrip", NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_prog *stash, *round;
	struct bpfhost_obj *obj;
	char log[4096] = "";
	uint64_t r0 = 0;

	CHECK(rt);
	obj = th_obj_load(rt, "kptr_global.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "kptr_global.bpf.o: %s", log);
	stash = bpfhost_obj_prog(obj, "gk_stash");
	round = bpfhost_obj_prog(obj, "gk_roundtrip");
	CHECK(stash && round);
	CHECK_EQ(bpfhost_prog_run(round, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 5);
	CHECK_EQ(rt->objs.live, 0);
	CHECK_EQ(bpfhost_prog_run(stash, NULL, 0, &r0), 0);
	CHECK_EQ(bpfhost_prog_run(stash, NULL, 0, &r0), 0);
	CHECK_EQ(rt->objs.live, 1);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}

static struct bpfhost_prog *rc_prog;

static void *rc_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < RUNS; i++) {
		uint64_t r0;

		if (bpfhost_prog_run(rc_prog, NULL, 0, &r0) || r0 != 2)
			__atomic_add_fetch(&run_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(rbtree_refcounted_threads)
{
	static const char *const progs[] = {"rc_threads", NULL};
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	pthread_t th[THREADS];
	char log[4096] = "";

	CHECK(rt);
	obj = th_obj_load(rt, "graph_refcount.bpf.o", progs, log, sizeof(log));
	CHECK_MSG(obj, "graph_refcount.bpf.o: %s", log);
	rc_prog = bpfhost_obj_prog(obj, "rc_threads");
	CHECK(rc_prog);
	/* the tree and the list under two locks, each object in both,
	 * dropped by whichever thread takes it last */
	run_errors = 0;
	for (int t = 0; t < THREADS; t++)
		CHECK_EQ(pthread_create(&th[t], NULL, rc_worker, NULL), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ(run_errors, 0);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_obj_free(obj);
	CHECK_EQ(rt->objs.live, 0);
	bpfhost_rt_free(rt);
}
