// SPDX-License-Identifier: BSD-2-Clause
/*
 * A less callback must leave the tree it is called for alone: bpfhost
 * refuses, at any depth of static subprograms below the callback, what
 * Linux 6.18 refuses only in the callback's own frame (bpf_rbtree_remove
 * and _left/_right, bpf_spin_lock/unlock), and an add of an owning node
 * (one a list pop returned), which the kernel lets through.  Each of these
 * would change or unlock the tree while rb_add_cached() walks it.
 */
// KERNEL: skip bpfhost is stricter than Linux 6.18 here (the kernel accepts all three and would walk a changing tree)
// EXPECT(cb_nested_remove): REJECT bpf_rbtree_remove not allowed in rbtree cb
// EXPECT(cb_add_owning): REJECT bpf_rbtree_add_impl not allowed in rbtree cb
// EXPECT(cb_nested_unlock): REJECT can't spin_{lock,unlock} in rbtree cb
// RETVAL(cb_nested_remove): none
// RETVAL(cb_add_owning): none
// RETVAL(cb_nested_unlock): none
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

/* a static subprogram of less takes the walked tree's node out */
static __attribute__((noinline)) int steal(struct bpf_rb_node *a)
{
	struct bpf_rb_node *n = bpf_rbtree_remove(&root, a);

	if (n)
		push_front(&head, &container_of(n, struct rnode, r)->l);
	return 0;
}

static bool less_nested_remove(struct bpf_rb_node *a,
			       const struct bpf_rb_node *b)
{
	steal(a);
	return less(a, b);
}

SEC("syscall")
int cb_nested_remove(void *ctx)
{
	struct rnode *n = new_obj(struct rnode);

	if (!n)
		return 0;
	bpf_spin_lock(&lock);
	rb_add(&root, &n->r, less_nested_remove);
	bpf_spin_unlock(&lock);
	return 0;
}

/* less adds an object it popped off a list to the tree being walked */
static bool less_add_owning(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct bpf_list_node *l = bpf_list_pop_front(&head);

	if (l)
		rb_add(&root, &container_of(l, struct rnode, l)->r, less);
	return less(a, b);
}

SEC("syscall")
int cb_add_owning(void *ctx)
{
	struct rnode *n = new_obj(struct rnode);

	if (!n)
		return 0;
	bpf_spin_lock(&lock);
	rb_add(&root, &n->r, less_add_owning);
	bpf_spin_unlock(&lock);
	return 0;
}

/* a static subprogram of less lets the lock go and takes it again */
static __attribute__((noinline)) int blink(void)
{
	bpf_spin_unlock(&lock);
	bpf_spin_lock(&lock);
	return 0;
}

static bool less_nested_unlock(struct bpf_rb_node *a,
			       const struct bpf_rb_node *b)
{
	bool r = less(a, b);

	blink();
	return r;
}

SEC("syscall")
int cb_nested_unlock(void *ctx)
{
	struct rnode *n = new_obj(struct rnode);

	if (!n)
		return 0;
	bpf_spin_lock(&lock);
	rb_add(&root, &n->r, less_nested_unlock);
	bpf_spin_unlock(&lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
