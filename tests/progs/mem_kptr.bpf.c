// SPDX-License-Identifier: BSD-2-Clause
/*
 * Program objects and a map kptr field: bpf_obj_new_impl, bpf_kptr_xchg,
 * bpf_obj_drop_impl.  The object type is not named "node": vmlinux has a
 * struct mk_node, and a kptr to a kernel type without a destructor makes the
 * kernel refuse the object's BTF.
 */
// EXPECT: ACCEPT
// RETVAL(kptr_empty): 7
// RETVAL(obj_kptr): 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;

#define __kptr __attribute__((btf_type_tag("kptr")))

struct mk_node {
	long v;
};

struct val {
	struct mk_node __kptr *p;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct val);
} kmap SEC(".maps");

SEC("syscall")
int kptr_empty(void *ctx)
{
	struct mk_node *old;
	struct val *v;
	__u32 key = 0;

	v = bpf_map_lookup_elem(&kmap, &key);
	if (!v)
		return 1;
	old = bpf_kptr_xchg(&v->p, NULL);
	if (old) {
		bpf_obj_drop_impl(old, NULL);
		return 2;
	}
	return 7;
}

SEC("syscall")
int obj_kptr(void *ctx)
{
	struct mk_node *n, *old;
	struct val *v;
	__u32 key = 0;
	long got;

	v = bpf_map_lookup_elem(&kmap, &key);
	if (!v)
		return 1;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct mk_node), NULL);
	if (!n)
		return 2;
	/* not read before it is written: the kernel's objects come from
	 * bpf_mem_alloc and are not zeroed (bpfhost's are) */
	n->v = 42;
	old = bpf_kptr_xchg(&v->p, n);
	if (old)
		bpf_obj_drop_impl(old, NULL);
	n = bpf_kptr_xchg(&v->p, NULL);
	if (!n)
		return 4;
	got = n->v;
	bpf_obj_drop_impl(n, NULL);
	return got == 42 ? 0 : 5;
}

char LICENSE[] SEC("license") = "GPL";
