// SPDX-License-Identifier: BSD-2-Clause
/*
 * Graph roots in global data: a bpf_spin_lock, a bpf_rb_root and a
 * bpf_list_head as variables of one .data.<name> section (the kernel
 * selftests' private(A) pattern), the lock of a section protecting the
 * roots of that section only; and the less callback's limits (no
 * remove, no insert of its arguments, no unlock).  The kernel's verdicts
 * and messages (kload, 6.18), the trees and lists built and emptied in
 * bpfhost.
 */
// EXPECT(g_rb_roundtrip): ACCEPT
// RETVAL(g_rb_roundtrip): 1234
// EXPECT(g_list_roundtrip): ACCEPT
// RETVAL(g_list_roundtrip): 21
// EXPECT(g_two_sections): ACCEPT
// RETVAL(g_two_sections): 11
// EXPECT(g_cb_first): ACCEPT
// RETVAL(g_cb_first): 1
// EXPECT(g_keep): ACCEPT
// RETVAL(g_keep): 0
// EXPECT(g_wrong_lock): REJECT bpf_spin_lock at off=16 must be held for bpf_rb_root
// EXPECT(g_no_lock_list): REJECT bpf_spin_lock at off=16 must be held for bpf_list_head
// EXPECT(g_cb_remove): REJECT bpf_rbtree_remove not allowed in rbtree cb
// EXPECT(g_cb_add): REJECT arg#1 expected pointer to allocated object
// EXPECT(g_cb_unlock): REJECT can't spin_{lock,unlock} in rbtree cb
// EXPECT(g_root_direct): REJECT bpf_rb_root cannot be accessed directly by load/store
// EXPECT(g_lock_write): REJECT bpf_spin_lock cannot be accessed directly by load/store
// EXPECT(g_escape): REJECT invalid mem access 'scalar'
// RETVAL(g_wrong_lock): none
// RETVAL(g_no_lock_list): none
// RETVAL(g_cb_remove): none
// RETVAL(g_cb_add): none
// RETVAL(g_cb_unlock): none
// RETVAL(g_root_direct): none
// RETVAL(g_lock_write): none
// RETVAL(g_escape): none
#include "graph_common.h"

struct gnode {
	long key;
	struct bpf_rb_node rb;
};

struct gitem {
	struct bpf_list_node ln;
	long v;
};

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_rb_root groot __contains(gnode, rb);
private(A) struct bpf_list_head glist __contains(gitem, ln);

private(B) struct bpf_spin_lock glock2;
private(B) struct bpf_rb_root groot2 __contains(gnode, rb);

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct gnode, rb)->key <
	       container_of(b, struct gnode, rb)->key;
}

static int gput(struct bpf_rb_root *root, struct bpf_spin_lock *lock,
		long key)
{
	struct gnode *n = new_obj(struct gnode);

	if (!n)
		return -1;
	n->key = key;
	bpf_spin_lock(lock);
	rb_add(root, &n->rb, less);
	bpf_spin_unlock(lock);
	return 0;
}

static long gtake(struct bpf_rb_root *root, struct bpf_spin_lock *lock)
{
	struct bpf_rb_node *r;
	struct gnode *n;
	long key;

	bpf_spin_lock(lock);
	r = bpf_rbtree_first(root);
	if (r)
		r = bpf_rbtree_remove(root, r);
	bpf_spin_unlock(lock);
	if (!r)
		return -1;
	n = container_of(r, struct gnode, rb);
	key = n->key;
	drop(n);
	return key;
}

SEC("syscall")
int g_rb_roundtrip(void *ctx)
{
	long r = 0, k;
	int i;

	if (gput(&groot, &glock, 4) || gput(&groot, &glock, 2) ||
	    gput(&groot, &glock, 1) || gput(&groot, &glock, 3))
		return 0;
	/* smallest first */
	for (i = 0; i < 4; i++) {
		k = gtake(&groot, &glock);
		if (k < 0)
			return -1;
		r = r * 10 + k;
	}
	return r;
}

SEC("syscall")
int g_list_roundtrip(void *ctx)
{
	struct bpf_list_node *ln;
	struct gitem *a, *b;
	long r = 0;
	int i;

	a = new_obj(struct gitem);
	if (!a)
		return 0;
	b = new_obj(struct gitem);
	if (!b) {
		drop(a);
		return 0;
	}
	a->v = 2;
	b->v = 1;
	bpf_spin_lock(&glock);
	push_back(&glist, &a->ln);
	push_back(&glist, &b->ln);
	bpf_spin_unlock(&glock);
	for (i = 0; i < 2; i++) {
		bpf_spin_lock(&glock);
		ln = bpf_list_pop_front(&glist);
		bpf_spin_unlock(&glock);
		if (!ln)
			return -1;
		a = container_of(ln, struct gitem, ln);
		r = r * 10 + a->v;
		drop(a);
	}
	return r;
}

SEC("syscall")
int g_two_sections(void *ctx)
{
	long a, b;

	if (gput(&groot, &glock, 5) || gput(&groot2, &glock2, 6))
		return 0;
	a = gtake(&groot, &glock);
	b = gtake(&groot2, &glock2);
	return a + b;
}

static bool less_first(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	/* reading the tree's first node from a less callback is allowed */
	struct bpf_rb_node *f = bpf_rbtree_first(&groot);

	if (f && container_of(f, struct gnode, rb)->key < 0)
		return true;
	return less(a, b);
}

SEC("syscall")
int g_cb_first(void *ctx)
{
	struct gnode *n, *m;
	long k;

	n = new_obj(struct gnode);
	if (!n)
		return 0;
	m = new_obj(struct gnode);
	if (!m) {
		drop(n);
		return 0;
	}
	n->key = 2;
	m->key = 1;
	bpf_spin_lock(&glock);
	rb_add(&groot, &n->rb, less_first);
	rb_add(&groot, &m->rb, less_first);
	bpf_spin_unlock(&glock);
	k = gtake(&groot, &glock);
	gtake(&groot, &glock);
	return k;
}

/* elements left in global data stay until the object goes */
SEC("syscall")
int g_keep(void *ctx)
{
	struct gitem *a = new_obj(struct gitem);

	if (!a)
		return 0;
	bpf_spin_lock(&glock);
	push_back(&glist, &a->ln);
	bpf_spin_unlock(&glock);
	return gput(&groot, &glock, 9) ? 0 : gput(&groot2, &glock2, 8);
}

SEC("syscall")
int g_wrong_lock(void *ctx)
{
	struct gnode *n = new_obj(struct gnode);

	if (!n)
		return 0;
	bpf_spin_lock(&glock);
	rb_add(&groot2, &n->rb, less);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("syscall")
int g_no_lock_list(void *ctx)
{
	struct bpf_list_node *ln = bpf_list_pop_front(&glist);

	if (ln)
		drop(container_of(ln, struct gitem, ln));
	return 0;
}

static bool less_remove(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_rbtree_remove(&groot, a);
	return less(a, b);
}

SEC("syscall")
int g_cb_remove(void *ctx)
{
	struct gnode *n = new_obj(struct gnode);

	if (!n)
		return 0;
	bpf_spin_lock(&glock);
	rb_add(&groot, &n->rb, less_remove);
	bpf_spin_unlock(&glock);
	return 0;
}

static bool less_add(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	rb_add(&groot, a, less);
	return less(a, b);
}

SEC("syscall")
int g_cb_add(void *ctx)
{
	struct gnode *n = new_obj(struct gnode);

	if (!n)
		return 0;
	bpf_spin_lock(&glock);
	rb_add(&groot, &n->rb, less_add);
	bpf_spin_unlock(&glock);
	return 0;
}

static bool less_unlock(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_rbtree_first(&groot);
	bpf_spin_unlock(&glock);
	return less(a, b);
}

SEC("syscall")
int g_cb_unlock(void *ctx)
{
	struct gnode *n = new_obj(struct gnode);

	if (!n)
		return 0;
	bpf_spin_lock(&glock);
	rb_add(&groot, &n->rb, less_unlock);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("syscall")
int g_root_direct(void *ctx)
{
	/* a root is no plain memory */
	return *(volatile long *)&groot != 0;
}

SEC("syscall")
int g_lock_write(void *ctx)
{
	*(volatile __u32 *)&glock2 = 0;
	return 0;
}

SEC("syscall")
int g_escape(void *ctx)
{
	struct bpf_rb_node *r;
	long k = 0;

	bpf_spin_lock(&glock);
	r = bpf_rbtree_first(&groot);
	bpf_spin_unlock(&glock);
	if (r)
		k = container_of(r, struct gnode, rb)->key;
	return k;
}

char _license[] SEC("license") = "GPL";
