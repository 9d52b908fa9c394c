/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the graph_*.bpf.c corpus (linked lists and red-black trees):
 * the kernel's opaque graph types, __contains and __kptr, the kernel
 * selftests' private() global data sections, the object and graph
 * kfuncs, and short forms of the _impl calls (as the kernel's
 * bpf_experimental.h macros give them).
 */
#ifndef GRAPH_COMMON_H
#define GRAPH_COMMON_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bpf_list_head {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_node {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

struct bpf_rb_root {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_rb_node {
	__u64 __opaque[4];
} __attribute__((aligned(8)));

struct bpf_refcount {
	__u32 __opaque[1];
} __attribute__((aligned(4)));

#define __contains(name, node)                                                \
	__attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define __kptr __attribute__((btf_type_tag("kptr")))
/* a global in a section of its own (a map value of its own) */
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))
#define private_bss(name)                                                     \
	SEC(".bss." #name) __hidden __attribute__((aligned(8)))

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void *bpf_refcount_acquire_impl(void *p__refcounted_kptr,
				       void *meta__ign) __ksym;

extern int bpf_list_push_front_impl(struct bpf_list_head *head,
				    struct bpf_list_node *node,
				    void *meta__ign, __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head,
				   struct bpf_list_node *node,
				   void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_back(struct bpf_list_head *head) __ksym;

extern int bpf_rbtree_add_impl(struct bpf_rb_root *root,
			       struct bpf_rb_node *node,
			       bool (less)(struct bpf_rb_node *a,
					   const struct bpf_rb_node *b),
			       void *meta__ign, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root,
					     struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root,
					   struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root,
					    struct bpf_rb_node *node) __ksym;

#define new_obj(T) bpf_obj_new_impl(bpf_core_type_id_local(T), NULL)
#define drop(p) bpf_obj_drop_impl(p, NULL)
#define acquire(p) bpf_refcount_acquire_impl(p, NULL)
#define push_front(h, n) bpf_list_push_front_impl(h, n, NULL, 0)
#define push_back(h, n) bpf_list_push_back_impl(h, n, NULL, 0)
#define rb_add(r, n, less) bpf_rbtree_add_impl(r, n, less, NULL, 0)

#endif
