// SPDX-License-Identifier: BSD-2-Clause
/*
 * Graph ownership never forms a cycle: a type that holds a graph root and
 * is itself a graph node cannot hold elements that hold roots (the
 * kernel's btf_check_and_fixup_fields(), which refuses such a program's
 * BTF with -ELOOP when it loads, so libbpf retries without BTF and the
 * verifier then refuses bpf_obj_new; bpfhost refuses the insertion).
 * Without the rule objects could nest without bound and their release
 * recurse as deep.
 */
// KERNEL: skip the kernel refuses this program's BTF (-ELOOP) before verifying; both refuse it
// EXPECT(nest_self): REJECT arg#0: struct nest both holds graph roots and is a graph node: its elements (struct nest) cannot hold roots
// RETVAL(nest_self): none
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

#define __contains(name, node)                                                \
	__attribute__((btf_decl_tag("contains:" #name ":" #node)))

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head,
				   struct bpf_list_node *node,
				   void *meta__ign, __u64 off) __ksym;

#define new_obj(T) bpf_obj_new_impl(bpf_core_type_id_local(T), NULL)
#define drop(p) bpf_obj_drop_impl(p, NULL)

/* a list of its own kind: each could hold a list of more */
struct nest {
	struct bpf_spin_lock lock;
	struct bpf_list_node ln;
	struct bpf_list_head kids __contains(nest, ln);
};

SEC("syscall")
int nest_self(void *ctx)
{
	struct nest *a, *b;

	a = new_obj(struct nest);
	if (!a)
		return 0;
	b = new_obj(struct nest);
	if (!b) {
		drop(a);
		return 0;
	}
	bpf_spin_lock(&a->lock);
	bpf_list_push_back_impl(&a->kids, &b->ln, NULL, 0);
	bpf_spin_unlock(&a->lock);
	drop(a);
	return 0;
}

char _license[] SEC("license") = "GPL";
