// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF red-black tree (generic set): bpf_rbtree_add_impl with a less
 * callback, bpf_rbtree_remove, bpf_rbtree_first and the 6.16+
 * bpf_rbtree_root / bpf_rbtree_left / bpf_rbtree_right on a map value's
 * struct bpf_rb_root (__contains(rb_elem, node)) under the value's
 * bpf_spin_lock; the kernel's verdicts and messages (kload, 6.18), and
 * the trees built, walked and emptied in bpfhost.
 */
// EXPECT(rb_order): ACCEPT
// RETVAL(rb_order): 1134
// EXPECT(rb_equal_keys_right): ACCEPT
// RETVAL(rb_equal_keys_right): 123
// EXPECT(rb_shape): ACCEPT
// RETVAL(rb_shape): 213
// EXPECT(rb_remove_root): ACCEPT
// RETVAL(rb_remove_root): 2
// EXPECT(rb_threads): ACCEPT
// RETVAL(rb_threads): 2
// EXPECT(rb_keep): ACCEPT
// RETVAL(rb_keep): 0
// EXPECT(rb_add_no_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_rb_root
// EXPECT(rb_first_no_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_rb_root
// EXPECT(rb_remove_unadded): ACCEPT
// RETVAL(rb_remove_unadded): 0
// EXPECT(rb_remove_leak): REJECT Unreleased reference
// EXPECT(rb_add_twice): REJECT arg#1 expected pointer to allocated object
// EXPECT(rb_first_after_unlock): REJECT invalid mem access 'scalar'
// EXPECT(rb_cb_helper): REJECT function calls are not allowed while holding a lock
// EXPECT(rb_cb_bad_ret): REJECT At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]
// EXPECT(rb_wrong_type): REJECT operation on bpf_rb_root expects arg#1 bpf_rb_node at offset=8 in struct rb_elem, but arg is at offset=24 in struct rb_other
// EXPECT(rb_left_unadded): ACCEPT
// RETVAL(rb_left_unadded): 0
// EXPECT(rb_other_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_rb_root
// EXPECT(rb_remove_unchecked): REJECT dereference of modified ptr_or_null_ ptr R2 off=8 disallowed
// RETVAL(rb_add_no_lock): none
// RETVAL(rb_first_no_lock): none
// RETVAL(rb_remove_leak): none
// RETVAL(rb_add_twice): none
// RETVAL(rb_first_after_unlock): none
// RETVAL(rb_cb_helper): none
// RETVAL(rb_cb_bad_ret): none
// RETVAL(rb_wrong_type): none
// RETVAL(rb_other_lock): none
// RETVAL(rb_remove_unchecked): none
// EXPECT(adv_global_cb): REJECT callback function not static
// EXPECT(adv_cb_oob): REJECT access beyond struct rb_elem at off 48 size 8
// EXPECT(adv_cb_write): ACCEPT
// RETVAL(adv_cb_write): 0
// EXPECT(adv_cb_node_write): REJECT direct access to bpf_rb_node is disallowed
// EXPECT(adv_var_root): REJECT R1 doesn't have constant offset. bpf_rb_root has to be at the constant offset
// EXPECT(adv_remove_in_loop): ACCEPT
// RETVAL(adv_remove_in_loop): 3
// EXPECT(adv_right_walk): ACCEPT
// RETVAL(adv_right_walk): 3
// EXPECT(adv_drop_nonown): ACCEPT
// RETVAL(adv_drop_nonown): 0
// EXPECT(adv_add_stack): REJECT arg#1 expected pointer to allocated object
// EXPECT(adv_remove_map): REJECT bpf_rbtree_remove can only take non-owning or refcounted bpf_rb_node pointer
// RETVAL(adv_global_cb): none
// RETVAL(adv_cb_oob): none
// RETVAL(adv_cb_node_write): none
// RETVAL(adv_var_root): none
// RETVAL(adv_add_stack): none
// RETVAL(adv_remove_map): none
#include "graph_common.h"

struct rb_elem {
	long key;
	struct bpf_rb_node node;
	long data;
};

struct rb_other {
	long a, b, c;
	struct bpf_rb_node node;
};

struct rb_val {
	struct bpf_spin_lock lock;
	struct bpf_rb_root root __contains(rb_elem, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct rb_val);
} rb_trees SEC(".maps");

static struct rb_val *get(__u32 k)
{
	return bpf_map_lookup_elem(&rb_trees, &k);
}

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct rb_elem *ea = container_of(a, struct rb_elem, node);
	struct rb_elem *eb = container_of(b, struct rb_elem, node);

	return ea->key < eb->key;
}

/* a new element into v's tree; 0, or -1 when none could be allocated */
static int put(struct rb_val *v, long key, long data)
{
	struct rb_elem *e = new_obj(struct rb_elem);

	if (!e)
		return -1;
	e->key = key;
	e->data = data;
	bpf_spin_lock(&v->lock);
	rb_add(&v->root, &e->node, less);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* a new element into tree 0 with this less callback (inlined into each
 * program, as the kernel selftests' add_with_cb) */
static __always_inline int add_with(bool (*cb)(struct bpf_rb_node *a,
					       const struct bpf_rb_node *b))
{
	struct rb_val *v = get(0);
	struct rb_elem *e;

	if (!v)
		return 0;
	e = new_obj(struct rb_elem);
	if (!e)
		return 0;
	bpf_spin_lock(&v->lock);
	rb_add(&v->root, &e->node, cb);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* the smallest element off v's tree: its key * 100 + data, or -1 */
static long take(struct rb_val *v)
{
	struct bpf_rb_node *n;
	struct rb_elem *e;
	long r;

	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_first(&v->root);
	if (!n) {
		bpf_spin_unlock(&v->lock);
		return -1;
	}
	n = bpf_rbtree_remove(&v->root, n);
	bpf_spin_unlock(&v->lock);
	if (!n)
		return -1;
	e = container_of(n, struct rb_elem, node);
	r = e->key * 100 + e->data;
	drop(e);
	return r;
}

SEC("syscall")
int rb_order(void *ctx)
{
	struct rb_val *v = get(1);
	long r = 0, x;
	int i;

	if (!v)
		return 0;
	if (put(v, 3, 0) || put(v, 1, 0) || put(v, 4, 0) || put(v, 1, 0))
		return 0;
	for (i = 0; i < 4; i++) {
		x = take(v);
		if (x < 0)
			return -1;
		r = r * 10 + x / 100;
	}
	return take(v) == -1 ? r : -2;
}

SEC("syscall")
int rb_equal_keys_right(void *ctx)
{
	struct rb_val *v = get(1);
	long r = 0, x;
	int i;

	if (!v)
		return 0;
	if (put(v, 7, 1) || put(v, 7, 2) || put(v, 7, 3))
		return 0;
	for (i = 0; i < 3; i++) {
		x = take(v);
		if (x < 0)
			return -1;
		r = r * 10 + x % 100;
	}
	return r;
}

SEC("syscall")
int rb_shape(void *ctx)
{
	struct rb_val *v = get(1);
	struct bpf_rb_node *rt, *l, *rr;
	long r = -1;
	int i;

	if (!v)
		return 0;
	if (put(v, 1, 0) || put(v, 2, 0) || put(v, 3, 0))
		return 0;
	bpf_spin_lock(&v->lock);
	rt = bpf_rbtree_root(&v->root);
	if (rt) {
		l = bpf_rbtree_left(&v->root, rt);
		rr = bpf_rbtree_right(&v->root, rt);
		if (l && rr)
			r = container_of(rt, struct rb_elem, node)->key * 100 +
			    container_of(l, struct rb_elem, node)->key * 10 +
			    container_of(rr, struct rb_elem, node)->key;
	}
	bpf_spin_unlock(&v->lock);
	for (i = 0; i < 3; i++)
		take(v);
	return r;
}

SEC("syscall")
int rb_remove_root(void *ctx)
{
	struct rb_val *v = get(1);
	struct bpf_rb_node *n;
	struct rb_elem *e;
	long r = -1;

	if (!v)
		return 0;
	if (put(v, 1, 0) || put(v, 2, 0) || put(v, 3, 0))
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_root(&v->root);
	if (!n) {
		bpf_spin_unlock(&v->lock);
		return -1;
	}
	n = bpf_rbtree_remove(&v->root, n);
	bpf_spin_unlock(&v->lock);
	if (n) {
		e = container_of(n, struct rb_elem, node);
		r = e->key;
		drop(e);
	}
	take(v);
	take(v);
	return r;
}

/* two random keys in, the two smallest out (maybe others', when several
 * threads share the tree; there are always two): how many came back */
SEC("syscall")
int rb_threads(void *ctx)
{
	struct rb_val *v = get(1);
	int got = 0;

	if (!v)
		return 0;
	if (put(v, bpf_get_prandom_u32() % 64, 0))
		return -1;
	if (put(v, bpf_get_prandom_u32() % 64, 1)) {
		take(v);
		return -1;
	}
	got += take(v) >= 0;
	got += take(v) >= 0;
	return got;
}

/* elements left in the tree stay until the map goes */
SEC("syscall")
int rb_keep(void *ctx)
{
	struct rb_val *v = get(0);

	if (!v)
		return 0;
	if (put(v, 5, 0) || put(v, 6, 0))
		return 0;
	return 0;
}

SEC("syscall")
int rb_add_no_lock(void *ctx)
{
	struct rb_val *v = get(0);
	struct rb_elem *e;

	if (!v)
		return 0;
	e = new_obj(struct rb_elem);
	if (!e)
		return 0;
	rb_add(&v->root, &e->node, less);
	return 0;
}

SEC("syscall")
int rb_first_no_lock(void *ctx)
{
	struct rb_val *v = get(0);

	if (!v)
		return 0;
	return bpf_rbtree_first(&v->root) != 0;
}

SEC("syscall")
int rb_remove_unadded(void *ctx)
{
	struct rb_val *v = get(0);
	struct bpf_rb_node *n;
	struct rb_elem *e;

	if (!v)
		return 0;
	e = new_obj(struct rb_elem);
	if (!e)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_remove(&v->root, &e->node);
	bpf_spin_unlock(&v->lock);
	if (n)
		drop(container_of(n, struct rb_elem, node));
	drop(e);
	return 0;
}

SEC("syscall")
int rb_remove_leak(void *ctx)
{
	struct rb_val *v = get(0);
	struct bpf_rb_node *n;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_first(&v->root);
	if (n)
		n = bpf_rbtree_remove(&v->root, n);
	bpf_spin_unlock(&v->lock);
	return n != 0;
}

SEC("syscall")
int rb_add_twice(void *ctx)
{
	struct rb_val *v = get(0);
	struct rb_elem *e;

	if (!v)
		return 0;
	e = new_obj(struct rb_elem);
	if (!e)
		return 0;
	bpf_spin_lock(&v->lock);
	rb_add(&v->root, &e->node, less);
	rb_add(&v->root, &e->node, less);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int rb_first_after_unlock(void *ctx)
{
	struct rb_val *v = get(0);
	struct bpf_rb_node *n;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_first(&v->root);
	bpf_spin_unlock(&v->lock);
	if (!n)
		return 0;
	return container_of(n, struct rb_elem, node)->key;
}

static bool less_helper(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	/* a helper call with the lock held */
	return bpf_get_prandom_u32() & 1;
}

SEC("syscall")
int rb_cb_helper(void *ctx)
{
	return add_with(less_helper);
}

/* a less callback whose result is not a bool */
static long less_two(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return 2;
}

SEC("syscall")
int rb_cb_bad_ret(void *ctx)
{
	return add_with((void *)less_two);
}

SEC("syscall")
int rb_wrong_type(void *ctx)
{
	struct rb_val *v = get(0);
	struct rb_other *o;

	if (!v)
		return 0;
	o = new_obj(struct rb_other);
	if (!o)
		return 0;
	bpf_spin_lock(&v->lock);
	rb_add(&v->root, &o->node, less);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int rb_left_unadded(void *ctx)
{
	struct rb_val *v = get(0);
	struct bpf_rb_node *n;
	struct rb_elem *e;

	if (!v)
		return 0;
	e = new_obj(struct rb_elem);
	if (!e)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_left(&v->root, &e->node);
	bpf_spin_unlock(&v->lock);
	drop(e);
	return n != 0;
}

SEC("syscall")
int rb_other_lock(void *ctx)
{
	struct rb_val *v = get(0), *w = get(1);
	struct bpf_rb_node *n;

	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_first(&w->root);
	bpf_spin_unlock(&v->lock);
	return n != 0;
}

SEC("syscall")
int rb_remove_unchecked(void *ctx)
{
	struct rb_val *v = get(0);
	struct bpf_rb_node *n;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_first(&v->root);
	if (!n) {
		bpf_spin_unlock(&v->lock);
		return 0;
	}
	n = bpf_rbtree_remove(&v->root, n);
	rb_add(&v->root, n, less);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* a less callback must be a static function */
__attribute__((noinline)) bool gless(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return a < b;
}

SEC("syscall")
int adv_global_cb(void *ctx)
{
	return add_with(gless);
}

/* the callback's nodes are the tree's type, bounds-checked */
static bool less_oob(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct rb_elem, node)[1].key < 3;
}

SEC("syscall")
int adv_cb_oob(void *ctx)
{
	return add_with(less_oob);
}

/* ... and writable but for the node itself */
static bool less_write(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	container_of(a, struct rb_elem, node)->data = 5;
	return 0;
}

SEC("syscall")
int adv_cb_write(void *ctx)
{
	return add_with(less_write);
}

static bool less_node_write(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	*(long *)a = 0;
	return 0;
}

SEC("syscall")
int adv_cb_node_write(void *ctx)
{
	return add_with(less_node_write);
}

SEC("syscall")
int adv_var_root(void *ctx)
{
	struct rb_val *v = get(0);
	struct bpf_rb_node *n;
	__u32 k = bpf_get_prandom_u32() & 8;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_first((void *)v + k);
	bpf_spin_unlock(&v->lock);
	return n != 0;
}

/* emptied from a loop, each element out under the lock, dropped outside */
SEC("syscall")
int adv_remove_in_loop(void *ctx)
{
	struct rb_val *v = get(1);
	struct bpf_rb_node *n;
	int i, c = 0;

	if (!v)
		return 0;
	if (put(v, 9, 0) || put(v, 8, 0) || put(v, 7, 0))
		return -1;
	for (i = 0; i < 8; i++) {
		bpf_spin_lock(&v->lock);
		n = bpf_rbtree_first(&v->root);
		if (n)
			n = bpf_rbtree_remove(&v->root, n);
		bpf_spin_unlock(&v->lock);
		if (!n)
			break;
		c++;
		drop(container_of(n, struct rb_elem, node));
	}
	return c;
}

/* the rightmost path from the root, non-owning all the way */
SEC("syscall")
int adv_right_walk(void *ctx)
{
	struct rb_val *v = get(1);
	struct bpf_rb_node *n;
	int i, c = 0;

	if (!v)
		return 0;
	if (put(v, 1, 0) || put(v, 2, 0) || put(v, 3, 0) || put(v, 4, 0))
		return -1;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_root(&v->root);
	for (i = 0; i < 16 && n; i++) {
		c++;
		n = bpf_rbtree_right(&v->root, n);
	}
	bpf_spin_unlock(&v->lock);
	for (i = 0; i < 4; i++)
		take(v);
	return c;
}

/* a non-owning result may be dropped on the floor */
SEC("syscall")
int adv_drop_nonown(void *ctx)
{
	struct rb_val *v = get(0);
	struct bpf_rb_node *n;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_rbtree_first(&v->root);
	if (n)
		n = bpf_rbtree_left(&v->root, n);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* only program objects go into trees */
SEC("syscall")
int adv_add_stack(void *ctx)
{
	struct rb_val *v = get(0);
	struct rb_elem e = {};

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	rb_add(&v->root, &e.node, less);
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* remove takes a node, not the root */
SEC("syscall")
int adv_remove_map(void *ctx)
{
	struct rb_val *v = get(0);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_rbtree_remove(&v->root, (void *)&v->root);
	bpf_spin_unlock(&v->lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
