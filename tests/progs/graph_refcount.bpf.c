// SPDX-License-Identifier: BSD-2-Clause
/*
 * Refcounted objects with two graph nodes (a bpf_rb_node and a
 * bpf_list_node beside a struct bpf_refcount), in a tree and a list at
 * once through bpf_refcount_acquire_impl, the roots in .bss.<name>
 * sections (the kernel's refcounted_kptr selftests' pattern): each
 * collection holds its own reference, an object in one tree cannot enter
 * another (the add fails and drops the reference), an owning reference
 * may name a node for bpf_rbtree_remove.  The kernel's verdicts and
 * messages (kload, 6.18) and results (kload --run).
 */
// EXPECT(rc_tree_and_list): ACCEPT
// RETVAL(rc_tree_and_list): 579
// EXPECT(rc_list_then_tree): ACCEPT
// RETVAL(rc_list_then_tree): 579
// EXPECT(rc_tree_twice): ACCEPT
// RETVAL(rc_tree_twice): 0xffffffff
// EXPECT(rc_second_tree): ACCEPT
// RETVAL(rc_second_tree): 0xffffffea
// EXPECT(rc_remove_owning): ACCEPT
// RETVAL(rc_remove_owning): 7
// EXPECT(rc_acquire_in_lock): ACCEPT
// RETVAL(rc_acquire_in_lock): 2
// EXPECT(rc_threads): ACCEPT
// RETVAL(rc_threads): 2
// EXPECT(rc_keep): ACCEPT
// RETVAL(rc_keep): 0
// EXPECT(rc_after_unlock): REJECT invalid mem access 'scalar'
// EXPECT(rc_list_node_as_rb): REJECT bpf_rb_node not found at offset=48
// EXPECT(rc_wrong_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_list_head
// RETVAL(rc_after_unlock): none
// RETVAL(rc_list_node_as_rb): none
// RETVAL(rc_wrong_lock): none
#include "graph_common.h"

struct rnode {
	long key;
	long list_data;
	struct bpf_rb_node r;
	struct bpf_list_node l;
	struct bpf_refcount ref;
};

private_bss(A) struct bpf_spin_lock lock;
private_bss(A) struct bpf_rb_root root __contains(rnode, r);
private_bss(A) struct bpf_list_head head __contains(rnode, l);

private_bss(B) struct bpf_spin_lock lock_b;
private_bss(B) struct bpf_rb_root root_b __contains(rnode, r);

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct rnode, r)->key <
	       container_of(b, struct rnode, r)->key;
}

/* one object in the tree and on the list: 0, or < 0 */
static long insert_both(long key, long data)
{
	struct rnode *n, *m;

	n = new_obj(struct rnode);
	if (!n)
		return -1;
	m = acquire(n);
	if (!m) {
		drop(n);
		return -1;
	}
	m->key = key;
	m->list_data = data;
	bpf_spin_lock(&lock);
	if (rb_add(&root, &n->r, less)) {
		bpf_spin_unlock(&lock);
		drop(m);
		return -2;
	}
	bpf_spin_unlock(&lock);
	bpf_spin_lock(&lock);
	if (push_front(&head, &m->l)) {
		bpf_spin_unlock(&lock);
		return -3;
	}
	bpf_spin_unlock(&lock);
	return 0;
}

/* the tree's first object's key, taken out of the tree, or -1 */
static long from_tree(void)
{
	struct bpf_rb_node *rb;
	struct rnode *n;
	long key;

	bpf_spin_lock(&lock);
	rb = bpf_rbtree_first(&root);
	if (!rb) {
		bpf_spin_unlock(&lock);
		return -1;
	}
	rb = bpf_rbtree_remove(&root, rb);
	bpf_spin_unlock(&lock);
	if (!rb)
		return -2;
	n = container_of(rb, struct rnode, r);
	key = n->key;
	drop(n);
	return key;
}

/* the list's first object's data, taken off the list, or -1 */
static long from_list(void)
{
	struct bpf_list_node *l;
	struct rnode *n;
	long data;

	bpf_spin_lock(&lock);
	l = bpf_list_pop_front(&head);
	bpf_spin_unlock(&lock);
	if (!l)
		return -1;
	n = container_of(l, struct rnode, l);
	data = n->list_data;
	drop(n);
	return data;
}

SEC("syscall")
int rc_tree_and_list(void *ctx)
{
	long t, l, err = insert_both(123, 456);

	if (err)
		return err;
	t = from_tree();
	l = from_list();
	return t < 0 || l < 0 ? -5 : t + l;
}

SEC("syscall")
int rc_list_then_tree(void *ctx)
{
	long t, l, err = insert_both(123, 456);

	if (err)
		return err;
	l = from_list();
	t = from_tree();
	return t < 0 || l < 0 ? -5 : t + l;
}

SEC("syscall")
int rc_tree_twice(void *ctx)
{
	long err = insert_both(1, 2);

	if (err)
		return err;
	if (from_tree() != 1)
		return -5;
	err = from_tree(); /* gone from the tree, still on the list */
	from_list();
	return err;
}

SEC("syscall")
int rc_second_tree(void *ctx)
{
	struct rnode *n, *m;
	long ret;

	n = new_obj(struct rnode);
	if (!n)
		return 0;
	m = acquire(n);
	if (!m) {
		drop(n);
		return 0;
	}
	bpf_spin_lock(&lock);
	rb_add(&root, &n->r, less);
	bpf_spin_unlock(&lock);
	/* in root already: the add fails and drops m's reference */
	bpf_spin_lock(&lock_b);
	ret = rb_add(&root_b, &m->r, less);
	bpf_spin_unlock(&lock_b);
	from_tree();
	return ret;
}

SEC("syscall")
int rc_remove_owning(void *ctx)
{
	struct bpf_rb_node *res;
	struct rnode *n, *m;
	long ret = 0;

	n = new_obj(struct rnode);
	if (!n)
		return 0;
	m = acquire(n);
	if (!m) {
		drop(n);
		return 0;
	}
	m->key = 7;
	bpf_spin_lock(&lock);
	rb_add(&root, &n->r, less);
	/* m is owning and refcounted: it may name the node */
	res = bpf_rbtree_remove(&root, &m->r);
	bpf_spin_unlock(&lock);
	if (res) {
		ret = container_of(res, struct rnode, r)->key;
		drop(container_of(res, struct rnode, r));
	}
	drop(m);
	return ret;
}

SEC("syscall")
int rc_acquire_in_lock(void *ctx)
{
	struct rnode *n, *m;

	n = new_obj(struct rnode);
	if (!n)
		return 0;
	bpf_spin_lock(&lock);
	rb_add(&root, &n->r, less);
	m = acquire(n); /* from a non-owning reference: may fail */
	bpf_spin_unlock(&lock);
	if (!m)
		return 1;
	m->key = 2;
	drop(m);
	return from_tree();
}

/* one object in section B's tree and on section A's list, two locks;
 * then one object off each (maybe others', when threads share them):
 * how many came back */
SEC("syscall")
int rc_threads(void *ctx)
{
	struct bpf_list_node *l;
	struct bpf_rb_node *rb;
	struct rnode *n, *m;
	int got = 0;

	n = new_obj(struct rnode);
	if (!n)
		return -1;
	n->key = bpf_get_prandom_u32() % 16;
	m = acquire(n);
	if (!m) {
		drop(n);
		return -1;
	}
	bpf_spin_lock(&lock_b);
	rb_add(&root_b, &n->r, less);
	bpf_spin_unlock(&lock_b);
	bpf_spin_lock(&lock);
	push_front(&head, &m->l);
	bpf_spin_unlock(&lock);

	bpf_spin_lock(&lock);
	l = bpf_list_pop_front(&head);
	bpf_spin_unlock(&lock);
	if (l) {
		drop(container_of(l, struct rnode, l));
		got++;
	}
	bpf_spin_lock(&lock_b);
	rb = bpf_rbtree_first(&root_b);
	if (rb)
		rb = bpf_rbtree_remove(&root_b, rb);
	bpf_spin_unlock(&lock_b);
	if (rb) {
		drop(container_of(rb, struct rnode, r));
		got++;
	}
	return got;
}

/* objects left in both stay until the object goes */
SEC("syscall")
int rc_keep(void *ctx)
{
	return insert_both(5, 6);
}

SEC("syscall")
int rc_after_unlock(void *ctx)
{
	struct rnode *n = new_obj(struct rnode);

	if (!n)
		return 0;
	bpf_spin_lock(&lock);
	rb_add(&root, &n->r, less);
	bpf_spin_unlock(&lock);
	return n->key;
}

SEC("syscall")
int rc_list_node_as_rb(void *ctx)
{
	struct rnode *n = new_obj(struct rnode);

	if (!n)
		return 0;
	bpf_spin_lock(&lock);
	rb_add(&root, (struct bpf_rb_node *)&n->l, less);
	bpf_spin_unlock(&lock);
	return 0;
}

SEC("syscall")
int rc_wrong_lock(void *ctx)
{
	struct rnode *n = new_obj(struct rnode);

	if (!n)
		return 0;
	bpf_spin_lock(&lock_b);
	push_front(&head, &n->l);
	bpf_spin_unlock(&lock_b);
	return 0;
}

char _license[] SEC("license") = "GPL";
