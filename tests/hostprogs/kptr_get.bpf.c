// SPDX-License-Identifier: BSD-2-Clause
/*
 * For test_kptr: a KF_KPTR_GET kfunc of the host's own (kg_obj_kptr_get,
 * KF_ACQUIRE | KF_RET_NULL | KF_KPTR_GET, the 6.0-6.3 kernels' flag): a
 * new reference to the object a map value's __kptr field holds, taken
 * only while the object is alive.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __kptr __attribute__((btf_type_tag("kptr")))

struct kg_obj {
	int refs;
	int tag;
};

extern struct kg_obj *kg_obj_new(int tag) __ksym;
extern void kg_obj_release(struct kg_obj *o) __ksym;
extern struct kg_obj *kg_obj_kptr_get(struct kg_obj **pp) __ksym;

struct kg_val {
	struct kg_obj __kptr *o;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kg_val);
} kg_arr SEC(".maps");

static __always_inline struct kg_val *value(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&kg_arr, &key);
}

/* a new object with tag 42 into the field (the map's reference) */
SEC("syscall")
int kg_stash(void *ctx)
{
	struct kg_val *v = value();
	struct kg_obj *o;

	if (!v)
		return 1;
	o = kg_obj_new(42);
	if (!o)
		return 2;
	o = bpf_kptr_xchg(&v->o, o);
	if (o)
		kg_obj_release(o);
	return 0;
}

/* the object's tag * 100 + its count while the program holds its
 * reference, or 0 when the kfunc gave none */
SEC("syscall")
int kg_get(void *ctx)
{
	struct kg_val *v = value();
	struct kg_obj *g;
	int r;

	if (!v)
		return 1;
	g = kg_obj_kptr_get(&v->o);
	if (!g)
		return 0;
	r = g->tag * 100 + g->refs;
	kg_obj_release(g);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
