// SPDX-License-Identifier: BSD-2-Clause
/*
 * Graph roots inside program objects: a bpf_obj_new'd struct holding a
 * bpf_spin_lock, a bpf_rb_root and a bpf_list_head, used through the
 * program's owning reference with that object's lock held; the elements
 * dropped with the object (or with the map whose kptr holds it).  The
 * kernel's verdicts and messages (kload, 6.18) and results (--run).
 */
// EXPECT(obj_tree): ACCEPT
// RETVAL(obj_tree): 103
// EXPECT(obj_list): ACCEPT
// RETVAL(obj_list): 12
// EXPECT(obj_stash): ACCEPT
// RETVAL(obj_stash): 0
// EXPECT(obj_no_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_rb_root
// EXPECT(obj_other_bag_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_rb_root
// EXPECT(obj_map_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_list_head
// EXPECT(obj_root_after_push): REJECT arg#0 expected pointer to map value or allocated object
// RETVAL(obj_no_lock): none
// RETVAL(obj_other_bag_lock): none
// RETVAL(obj_map_lock): none
// RETVAL(obj_root_after_push): none
#include "graph_common.h"

struct item {
	long key;
	struct bpf_rb_node rb;
};

struct litem {
	struct bpf_list_node ln;
	long v;
};

struct bag {
	struct bpf_spin_lock lock;
	struct bpf_rb_root tree __contains(item, rb);
	struct bpf_list_head list __contains(litem, ln);
	long n;
};

/* a bag on a map value's list: a node type whose elements hold no root */
struct holder {
	struct bpf_list_node ln;
	long v;
};

struct slot {
	struct bpf_spin_lock lock;
	struct bpf_list_head holders __contains(holder, ln);
	struct bag __kptr *bag;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct item, rb)->key <
	       container_of(b, struct item, rb)->key;
}

/* a key into the bag's tree: 0, or -1 */
static int bag_put(struct bag *g, long key)
{
	struct item *it = new_obj(struct item);

	if (!it)
		return -1;
	it->key = key;
	bpf_spin_lock(&g->lock);
	rb_add(&g->tree, &it->rb, less);
	bpf_spin_unlock(&g->lock);
	return 0;
}

SEC("syscall")
int obj_tree(void *ctx)
{
	struct bpf_rb_node *rb;
	struct bag *g;
	long k = -1;

	g = new_obj(struct bag);
	if (!g)
		return 0;
	if (bag_put(g, 103) || bag_put(g, 104) || bag_put(g, 105)) {
		drop(g);
		return 0;
	}
	bpf_spin_lock(&g->lock);
	rb = bpf_rbtree_first(&g->tree);
	if (rb)
		rb = bpf_rbtree_remove(&g->tree, rb);
	bpf_spin_unlock(&g->lock);
	if (rb) {
		k = container_of(rb, struct item, rb)->key;
		drop(container_of(rb, struct item, rb));
	}
	/* the two left go with the bag */
	drop(g);
	return k;
}

SEC("syscall")
int obj_list(void *ctx)
{
	struct bpf_list_node *ln;
	struct litem *a, *b;
	struct bag *g;
	long r = 0;
	int i;

	g = new_obj(struct bag);
	if (!g)
		return 0;
	a = new_obj(struct litem);
	b = new_obj(struct litem);
	if (!a || !b) {
		if (a)
			drop(a);
		if (b)
			drop(b);
		drop(g);
		return 0;
	}
	a->v = 1;
	b->v = 2;
	bpf_spin_lock(&g->lock);
	push_back(&g->list, &a->ln);
	push_back(&g->list, &b->ln);
	bpf_spin_unlock(&g->lock);
	for (i = 0; i < 2; i++) {
		bpf_spin_lock(&g->lock);
		ln = bpf_list_pop_front(&g->list);
		bpf_spin_unlock(&g->lock);
		if (!ln)
			break;
		r = r * 10 + container_of(ln, struct litem, ln)->v;
		drop(container_of(ln, struct litem, ln));
	}
	drop(g);
	return r;
}

/* a full bag kept in the map until it goes */
SEC("syscall")
int obj_stash(void *ctx)
{
	struct slot *s;
	struct bag *g;
	__u32 k = 0;

	s = bpf_map_lookup_elem(&slots, &k);
	if (!s)
		return 0;
	g = new_obj(struct bag);
	if (!g)
		return 0;
	if (bag_put(g, 1) || bag_put(g, 2)) {
		drop(g);
		return 0;
	}
	g = bpf_kptr_xchg(&s->bag, g);
	if (g)
		drop(g);
	return 0;
}

SEC("syscall")
int obj_no_lock(void *ctx)
{
	struct item *it;
	struct bag *g;

	g = new_obj(struct bag);
	if (!g)
		return 0;
	it = new_obj(struct item);
	if (!it) {
		drop(g);
		return 0;
	}
	rb_add(&g->tree, &it->rb, less);
	drop(g);
	return 0;
}

SEC("syscall")
int obj_other_bag_lock(void *ctx)
{
	struct bag *g, *h;
	struct item *it;

	g = new_obj(struct bag);
	if (!g)
		return 0;
	h = new_obj(struct bag);
	if (!h) {
		drop(g);
		return 0;
	}
	it = new_obj(struct item);
	if (!it) {
		drop(g);
		drop(h);
		return 0;
	}
	bpf_spin_lock(&g->lock);
	rb_add(&h->tree, &it->rb, less);
	bpf_spin_unlock(&g->lock);
	drop(g);
	drop(h);
	return 0;
}

SEC("syscall")
int obj_map_lock(void *ctx)
{
	struct litem *a;
	struct slot *s;
	struct bag *g;
	__u32 k = 0;

	s = bpf_map_lookup_elem(&slots, &k);
	if (!s)
		return 0;
	g = new_obj(struct bag);
	if (!g)
		return 0;
	a = new_obj(struct litem);
	if (!a) {
		drop(g);
		return 0;
	}
	bpf_spin_lock(&s->lock);
	push_back(&g->list, &a->ln);
	bpf_spin_unlock(&s->lock);
	drop(g);
	return 0;
}

SEC("syscall")
int obj_root_after_push(void *ctx)
{
	struct holder *hd;
	struct slot *s;
	__u32 k = 0;

	s = bpf_map_lookup_elem(&slots, &k);
	if (!s)
		return 0;
	hd = new_obj(struct holder);
	if (!hd)
		return 0;
	bpf_spin_lock(&s->lock);
	push_back(&s->holders, &hd->ln);
	/* hd is non-owning now: not a root holder's owner */
	bpf_list_pop_front((struct bpf_list_head *)&hd->ln);
	bpf_spin_unlock(&s->lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
