// SPDX-License-Identifier: BSD-2-Clause
/*
 * A red-black tree with the memory layout of the kernel's struct
 * rb_root_cached and struct bpf_rb_node_kern, for the BPF rbtree kfuncs
 * (src/stdlib/obj.c): a 16-byte root { top node, leftmost node } and a
 * 32-byte node { parent | colour bit, right, left, owner }.
 *
 * Ordering is the program's: a new node goes left of a node it is less
 * than, else right, so nodes with equal keys keep their insertion order
 * (the kernel's rb_add_cached()).  Insertion and erasure rebalance as in
 * any textbook red-black tree (Cormen et al., chapter 13), so the height
 * stays within 2 log2(n + 1).
 *
 * Invariants (checked by bh_rb_check for the unit tests): the root is
 * black, a red node has no red child, every path from a node down to a
 * missing child crosses the same number of black nodes, each child's
 * parent is the node holding it, and the leftmost pointer is the first
 * node in order.  The caller serialises all access (the bpf_spin_lock
 * beside the root).
 */
#include <stddef.h>

#include "stdlib.h"

#define RB_BLACK ((uintptr_t)1)

static struct bh_rb_node *parent_of(const struct bh_rb_node *n)
{
	return (struct bh_rb_node *)(n->parent_color & ~RB_BLACK);
}

static bool is_black(const struct bh_rb_node *n)
{
	return !n || (n->parent_color & RB_BLACK); /* missing: black */
}

static void set_parent(struct bh_rb_node *n, struct bh_rb_node *p)
{
	n->parent_color = (uintptr_t)p | (n->parent_color & RB_BLACK);
}

static void set_black(struct bh_rb_node *n, bool black)
{
	n->parent_color =
		(n->parent_color & ~RB_BLACK) | (black ? RB_BLACK : 0);
}

#define LEFT BH_RB_LEFT
#define RIGHT BH_RB_RIGHT

/* Which child of p n is (n may be missing: then p's only missing one,
 * left first). */
static int side_of(const struct bh_rb_node *p, const struct bh_rb_node *n)
{
	return p->child[LEFT] == n ? LEFT : RIGHT;
}

/* Make repl take old's place under old's parent (or at the top). */
static void replace_child(struct bh_rb_root *root, struct bh_rb_node *old,
			  struct bh_rb_node *repl, struct bh_rb_node *parent)
{
	if (!parent)
		root->node = repl;
	else
		parent->child[side_of(parent, old)] = repl;
}

/* x's child y on side takes x's place; x becomes y's child on the other
 * side (side RIGHT: a left rotation). */
static void rotate(struct bh_rb_root *root, struct bh_rb_node *x, int side)
{
	struct bh_rb_node *y = x->child[side], *p = parent_of(x);

	x->child[side] = y->child[!side];
	if (y->child[!side])
		set_parent(y->child[!side], x);
	set_parent(y, p);
	replace_child(root, x, y, p);
	y->child[!side] = x;
	set_parent(x, y);
}

/* A red node z was linked in: restore "no red node has a red child". */
static void insert_fixup(struct bh_rb_root *root, struct bh_rb_node *z)
{
	struct bh_rb_node *p, *g, *u;
	int side;

	while ((p = parent_of(z)) && !is_black(p)) {
		g = parent_of(p); /* exists: a red node is never the top */
		side = side_of(g, p);
		u = g->child[!side];
		if (!is_black(u)) {
			/* red uncle: push the red up */
			set_black(p, true);
			set_black(u, true);
			set_black(g, false);
			z = g;
			continue;
		}
		if (z == p->child[!side]) {
			/* z on the inside: make it the outside case */
			rotate(root, p, !side);
			z = p;
			p = parent_of(z);
		}
		set_black(p, true);
		set_black(g, false);
		rotate(root, g, side);
	}
	set_black(root->node, true);
}

void bh_rb_add(struct bh_rb_root *root, struct bh_rb_node *n,
	       bh_rb_less_fn less, void *ctx)
{
	struct bh_rb_node *p = NULL, *cur = root->node;
	bool leftmost = true;
	int side = LEFT;

	while (cur) {
		p = cur;
		side = less(n, cur, ctx) ? LEFT : RIGHT;
		if (side == RIGHT)
			leftmost = false;
		cur = cur->child[side];
	}
	n->child[LEFT] = n->child[RIGHT] = NULL;
	n->parent_color = (uintptr_t)p; /* red */
	if (!p)
		root->node = n;
	else
		p->child[side] = n;
	if (leftmost)
		root->leftmost = n;
	insert_fixup(root, n);
}

static struct bh_rb_node *min_of(struct bh_rb_node *n)
{
	while (n->child[LEFT])
		n = n->child[LEFT];
	return n;
}

struct bh_rb_node *bh_rb_next(const struct bh_rb_node *n)
{
	struct bh_rb_node *p;

	if (n->child[RIGHT])
		return min_of(n->child[RIGHT]);
	while ((p = parent_of(n)) && n == p->child[RIGHT])
		n = p;
	return p;
}

/* x (maybe missing) under xp carries an extra black: push it up or
 * resolve it by recolouring and rotations. */
static void erase_fixup(struct bh_rb_root *root, struct bh_rb_node *x,
			struct bh_rb_node *xp)
{
	struct bh_rb_node *w;
	int side;

	while (x != root->node && is_black(x)) {
		side = side_of(xp, x);
		w = xp->child[!side]; /* exists: that side holds a black */
		if (!is_black(w)) {
			set_black(w, true);
			set_black(xp, false);
			rotate(root, xp, !side);
			w = xp->child[!side];
		}
		if (is_black(w->child[LEFT]) && is_black(w->child[RIGHT])) {
			set_black(w, false);
			x = xp;
			xp = parent_of(x);
			continue;
		}
		if (is_black(w->child[!side])) {
			set_black(w->child[side], true);
			set_black(w, false);
			rotate(root, w, side);
			w = xp->child[!side];
		}
		set_black(w, is_black(xp));
		set_black(xp, true);
		set_black(w->child[!side], true);
		rotate(root, xp, !side);
		x = root->node;
	}
	if (x)
		set_black(x, true);
}

void bh_rb_erase(struct bh_rb_root *root, struct bh_rb_node *z)
{
	struct bh_rb_node *x, *xp, *y, *zp = parent_of(z);
	bool removed_black;

	if (root->leftmost == z)
		root->leftmost = bh_rb_next(z);
	if (!z->child[LEFT] || !z->child[RIGHT]) {
		/* z itself leaves: its only child (if any) moves up */
		x = z->child[LEFT] ? z->child[LEFT] : z->child[RIGHT];
		xp = zp;
		removed_black = is_black(z);
		if (x)
			set_parent(x, zp);
		replace_child(root, z, x, zp);
	} else {
		/* z's successor y (no left child) takes z's place and
		 * colour; y's right child moves up into y's old place */
		y = min_of(z->child[RIGHT]);
		x = y->child[RIGHT];
		removed_black = is_black(y);
		if (parent_of(y) == z) {
			xp = y;
		} else {
			xp = parent_of(y);
			xp->child[LEFT] = x;
			if (x)
				set_parent(x, xp);
			y->child[RIGHT] = z->child[RIGHT];
			set_parent(z->child[RIGHT], y);
		}
		y->child[LEFT] = z->child[LEFT];
		set_parent(z->child[LEFT], y);
		y->parent_color = z->parent_color; /* parent and colour */
		replace_child(root, z, y, zp);
	}
	z->parent_color = 0;
	z->child[LEFT] = z->child[RIGHT] = NULL;
	if (removed_black)
		erase_fixup(root, x, xp);
}

/* The black height of the subtree at n, or -1 when it breaks a rule. */
static long check_sub(const struct bh_rb_node *n, const struct bh_rb_node *p,
		      size_t *count, size_t limit)
{
	long l, r;

	if (!n)
		return 1;
	if (parent_of(n) != p || ++*count > limit)
		return -1;
	if (!is_black(n) &&
	    (!is_black(n->child[LEFT]) || !is_black(n->child[RIGHT])))
		return -1;
	l = check_sub(n->child[LEFT], n, count, limit);
	r = check_sub(n->child[RIGHT], n, count, limit);
	if (l < 0 || r < 0 || l != r)
		return -1;
	return l + (is_black(n) ? 1 : 0);
}

long bh_rb_check(const struct bh_rb_root *root, size_t limit, size_t *count)
{
	const struct bh_rb_node *first = root->node;

	*count = 0;
	if (!root->node)
		return root->leftmost ? -1 : 0;
	if (!is_black(root->node))
		return -1;
	while (first->child[LEFT])
		first = first->child[LEFT];
	if (root->leftmost != first)
		return -1;
	return check_sub(root->node, NULL, count, limit);
}
