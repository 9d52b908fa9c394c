// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF linked list (generic set): bpf_list_push_front_impl /
 * bpf_list_push_back_impl, bpf_list_pop_front / bpf_list_pop_back,
 * bpf_list_front / bpf_list_back on a map value's struct bpf_list_head
 * (__contains(elem, node)) under the value's bpf_spin_lock; the kernel's
 * verdicts and messages (kload, 6.18), and the round trips run in
 * bpfhost (push, pop, container_of, drop; front/back non-owning until the
 * unlock).
 */
// EXPECT(list_roundtrip): ACCEPT
// RETVAL(list_roundtrip): 12
// EXPECT(list_peek): ACCEPT
// RETVAL(list_peek): 7
// EXPECT(list_push_no_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_list_head
// EXPECT(list_pop_no_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_list_head
// EXPECT(list_front_after_unlock): REJECT invalid mem access 'scalar'
// EXPECT(list_node_after_unlock): REJECT invalid mem access 'scalar'
// EXPECT(list_pop_leak): REJECT Unreleased reference
// EXPECT(list_push_twice): REJECT arg#1 expected pointer to allocated object
// EXPECT(list_wrong_type): REJECT operation on bpf_list_head expects arg#1 bpf_list_node at offset=8 in struct gl_elem, but arg is at offset=16 in struct gl_other
// EXPECT(list_call_in_lock): REJECT function calls are not allowed while holding a lock
// EXPECT(list_drop_in_lock): REJECT function calls are not allowed while holding a lock
// EXPECT(list_node_base): REJECT bpf_list_node not found at offset=0
// EXPECT(list_other_lock): REJECT bpf_spin_lock at off=0 must be held for bpf_list_head
// EXPECT(list_head_wrong_off): REJECT bpf_list_head not found at offset=0
// EXPECT(list_node_maybe_null): REJECT R7 pointer arithmetic on ptr_or_null_ prohibited, null-check it first
// RETVAL(list_drop_in_lock): none
// RETVAL(list_node_base): none
// RETVAL(list_other_lock): none
// RETVAL(list_head_wrong_off): none
// RETVAL(list_node_maybe_null): none
// RETVAL(list_push_no_lock): none
// RETVAL(list_pop_no_lock): none
// RETVAL(list_front_after_unlock): none
// RETVAL(list_node_after_unlock): none
// RETVAL(list_pop_leak): none
// RETVAL(list_push_twice): none
// RETVAL(list_wrong_type): none
// RETVAL(list_call_in_lock): none
#include "graph_common.h"

struct gl_elem {
	long v;
	struct bpf_list_node node;
};

struct gl_other {
	long a, b;
	struct bpf_list_node node;
};

struct gl_val {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(gl_elem, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct gl_val);
} gl_lists SEC(".maps");

static struct gl_val *get(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&gl_lists, &k);
}

static long take(struct gl_val *v, int back)
{
	struct bpf_list_node *n;
	struct gl_elem *e;
	long r;

	bpf_spin_lock(&v->lock);
	n = back ? bpf_list_pop_back(&v->head) : bpf_list_pop_front(&v->head);
	bpf_spin_unlock(&v->lock);
	if (!n)
		return -1;
	e = container_of(n, struct gl_elem, node);
	r = e->v;
	drop(e);
	return r;
}

SEC("syscall")
int list_roundtrip(void *ctx)
{
	struct gl_val *v = get();
	struct gl_elem *a, *b;
	long x, y;

	if (!v)
		return 0;
	a = new_obj(struct gl_elem);
	if (!a)
		return 0;
	b = new_obj(struct gl_elem);
	if (!b) {
		drop(a);
		return 0;
	}
	a->v = 1;
	b->v = 2;
	bpf_spin_lock(&v->lock);
	push_back(&v->head, &b->node);
	push_front(&v->head, &a->node);
	bpf_spin_unlock(&v->lock);
	x = take(v, 0);
	y = take(v, 1);
	return x * 10 + y;
}

SEC("syscall")
int list_peek(void *ctx)
{
	struct gl_val *v = get();
	struct bpf_list_node *f, *l;
	struct gl_elem *a;
	long r = 0;

	if (!v)
		return 0;
	a = new_obj(struct gl_elem);
	if (!a)
		return 0;
	a->v = 3;
	bpf_spin_lock(&v->lock);
	push_front(&v->head, &a->node);
	a->v += 4; /* non-owning until the unlock */
	f = bpf_list_front(&v->head);
	l = bpf_list_back(&v->head);
	if (f && l && f == l)
		r = container_of(f, struct gl_elem, node)->v;
	bpf_spin_unlock(&v->lock);
	take(v, 0);
	return r;
}

SEC("syscall")
int list_push_no_lock(void *ctx)
{
	struct gl_val *v = get();
	struct gl_elem *a;

	if (!v)
		return 0;
	a = new_obj(struct gl_elem);
	if (!a)
		return 0;
	push_front(&v->head, &a->node);
	return 0;
}

SEC("syscall")
int list_pop_no_lock(void *ctx)
{
	struct gl_val *v = get();
	struct bpf_list_node *n;

	if (!v)
		return 0;
	n = bpf_list_pop_front(&v->head);
	if (n)
		drop(container_of(n, struct gl_elem, node));
	return 0;
}

SEC("syscall")
int list_front_after_unlock(void *ctx)
{
	struct gl_val *v = get();
	struct bpf_list_node *f;
	long r = 0;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	f = bpf_list_front(&v->head);
	bpf_spin_unlock(&v->lock);
	if (f)
		r = container_of(f, struct gl_elem, node)->v;
	return r;
}

SEC("syscall")
int list_node_after_unlock(void *ctx)
{
	struct gl_val *v = get();
	struct gl_elem *a;

	if (!v)
		return 0;
	a = new_obj(struct gl_elem);
	if (!a)
		return 0;
	bpf_spin_lock(&v->lock);
	push_front(&v->head, &a->node);
	bpf_spin_unlock(&v->lock);
	return a->v;
}

SEC("syscall")
int list_pop_leak(void *ctx)
{
	struct gl_val *v = get();
	struct bpf_list_node *n;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_list_pop_front(&v->head);
	bpf_spin_unlock(&v->lock);
	return n != 0;
}

SEC("syscall")
int list_push_twice(void *ctx)
{
	struct gl_val *v = get();
	struct gl_elem *a;

	if (!v)
		return 0;
	a = new_obj(struct gl_elem);
	if (!a)
		return 0;
	bpf_spin_lock(&v->lock);
	push_front(&v->head, &a->node);
	push_back(&v->head, &a->node);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int list_wrong_type(void *ctx)
{
	struct gl_val *v = get();
	struct gl_other *o;

	if (!v)
		return 0;
	o = new_obj(struct gl_other);
	if (!o)
		return 0;
	bpf_spin_lock(&v->lock);
	push_front(&v->head, &o->node);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int list_call_in_lock(void *ctx)
{
	struct gl_val *v = get();
	struct gl_elem *a;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	a = new_obj(struct gl_elem);
	bpf_spin_unlock(&v->lock);
	if (a)
		drop(a);
	return 0;
}

SEC("syscall")
int list_drop_in_lock(void *ctx)
{
	struct gl_val *v = get();
	struct bpf_list_node *n;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_list_pop_front(&v->head);
	if (n)
		drop(container_of(n, struct gl_elem, node));
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int list_node_base(void *ctx)
{
	struct gl_val *v = get();
	struct gl_elem *a;

	if (!v)
		return 0;
	a = new_obj(struct gl_elem);
	if (!a)
		return 0;
	bpf_spin_lock(&v->lock);
	push_front(&v->head, (struct bpf_list_node *)a);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int list_other_lock(void *ctx)
{
	struct gl_val *v = get(), *w;
	struct gl_elem *a;
	__u32 k = 1;

	w = bpf_map_lookup_elem(&gl_lists, &k);
	if (!v || !w)
		return 0;
	a = new_obj(struct gl_elem);
	if (!a)
		return 0;
	bpf_spin_lock(&v->lock);
	push_front(&w->head, &a->node);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int list_head_wrong_off(void *ctx)
{
	struct gl_val *v = get();
	struct bpf_list_node *n;

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	n = bpf_list_pop_front((struct bpf_list_head *)&v->lock);
	bpf_spin_unlock(&v->lock);
	if (n)
		drop(container_of(n, struct gl_elem, node));
	return 0;
}

SEC("syscall")
int list_node_maybe_null(void *ctx)
{
	struct gl_val *v = get();
	struct gl_elem *a;

	if (!v)
		return 0;
	a = new_obj(struct gl_elem);
	bpf_spin_lock(&v->lock);
	push_front(&v->head, &a->node);
	bpf_spin_unlock(&v->lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
