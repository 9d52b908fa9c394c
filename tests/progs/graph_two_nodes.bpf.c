// SPDX-License-Identifier: BSD-2-Clause
/*
 * Refcounted objects with two graph nodes of the same kind (two
 * bpf_list_nodes, two bpf_rb_nodes), in two lists or two trees at once:
 * each push or add names the node the root's __contains says (the
 * kernel's insert_off fixup tells the kfunc which), each collection holds
 * its own reference.  The kernel's verdicts and messages (kload, 6.18)
 * and results (kload --run).
 */
// EXPECT(two_lists): ACCEPT
// RETVAL(two_lists): 77
// EXPECT(two_trees): ACCEPT
// RETVAL(two_trees): 513
// EXPECT(two_keep): ACCEPT
// RETVAL(two_keep): 0
// EXPECT(two_wrong_node): REJECT arg#1 offset=40, but expected bpf_list_node at offset=0 in struct twin
// RETVAL(two_wrong_node): none
#include "graph_common.h"

struct twin {
	struct bpf_list_node a;
	long v;
	struct bpf_refcount ref;
	struct bpf_list_node b;
};

struct pair {
	long k1;
	struct bpf_rb_node r1;
	long k2;
	struct bpf_rb_node r2;
	struct bpf_refcount ref;
};

private_bss(A) struct bpf_spin_lock lock;
private_bss(A) struct bpf_list_head la __contains(twin, a);
private_bss(A) struct bpf_list_head lb __contains(twin, b);
private_bss(A) struct bpf_rb_root t1 __contains(pair, r1);
private_bss(A) struct bpf_rb_root t2 __contains(pair, r2);

static bool less1(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct pair, r1)->k1 <
	       container_of(b, struct pair, r1)->k1;
}

static bool less2(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct pair, r2)->k2 <
	       container_of(b, struct pair, r2)->k2;
}

/* one twin on both lists: 0, or < 0 */
static int twin_both(long v)
{
	struct twin *n, *m;

	n = new_obj(struct twin);
	if (!n)
		return -1;
	n->v = v;
	m = acquire(n);
	if (!m) {
		drop(n);
		return -1;
	}
	bpf_spin_lock(&lock);
	push_front(&la, &n->a);
	push_front(&lb, &m->b);
	bpf_spin_unlock(&lock);
	return 0;
}

SEC("syscall")
int two_lists(void *ctx)
{
	struct bpf_list_node *x, *y;
	long r = 0;

	if (twin_both(7))
		return 0;
	bpf_spin_lock(&lock);
	x = bpf_list_pop_front(&lb);
	y = bpf_list_pop_front(&la);
	bpf_spin_unlock(&lock);
	if (x) {
		r += container_of(x, struct twin, b)->v * 10;
		drop(container_of(x, struct twin, b));
	}
	if (y) {
		r += container_of(y, struct twin, a)->v;
		drop(container_of(y, struct twin, a));
	}
	return r;
}

SEC("syscall")
int two_trees(void *ctx)
{
	struct bpf_rb_node *x, *y;
	struct pair *n, *m;
	long r = 0;

	n = new_obj(struct pair);
	if (!n)
		return 0;
	n->k1 = 5;
	n->k2 = 13;
	m = acquire(n);
	if (!m) {
		drop(n);
		return 0;
	}
	bpf_spin_lock(&lock);
	rb_add(&t1, &n->r1, less1);
	rb_add(&t2, &m->r2, less2);
	x = bpf_rbtree_first(&t2);
	if (x)
		x = bpf_rbtree_remove(&t2, x);
	y = bpf_rbtree_first(&t1);
	if (y)
		y = bpf_rbtree_remove(&t1, y);
	bpf_spin_unlock(&lock);
	if (x) {
		r += container_of(x, struct pair, r2)->k2;
		drop(container_of(x, struct pair, r2));
	}
	if (y) {
		r += container_of(y, struct pair, r1)->k1 * 100;
		drop(container_of(y, struct pair, r1));
	}
	return r;
}

/* left on both lists until the object goes */
SEC("syscall")
int two_keep(void *ctx)
{
	return twin_both(3);
}

SEC("syscall")
int two_wrong_node(void *ctx)
{
	struct twin *n = new_obj(struct twin);

	if (!n)
		return 0;
	bpf_spin_lock(&lock);
	push_front(&la, &n->b);
	bpf_spin_unlock(&lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
