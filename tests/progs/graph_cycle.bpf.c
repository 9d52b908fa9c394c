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
#include "graph_common.h"

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
