// SPDX-License-Identifier: BSD-2-Clause
/*
 * Where bpfhost rejects what the kernel accepts, on purpose.
 * obj_rcu_write: the kernel lets a program write a program object it
 * reaches through an RCU pointer (a __kptr load in an RCU section): the
 * object outlives the section by a grace period.  bpfhost frees objects at
 * their last release, so another thread could free it under the write:
 * only an owning reference may write.
 */
// KERNEL: skip bpfhost rejects one of these on purpose (kload 6.18 accepts all three)
// EXPECT(obj_rcu_write): REJECT writes to a program object need an owning reference in bpfhost
// EXPECT(obj_rcu_read): ACCEPT
// RETVAL(obj_rcu_read): 1
// EXPECT(obj_fill): ACCEPT
// RETVAL(obj_fill): 1
// RETVAL(obj_rcu_write): none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct bo_obj {
	long v;
};

struct bo_val {
	struct bo_obj __attribute__((btf_type_tag("kptr"))) *obj;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bo_val);
} bo_arr SEC(".maps");

SEC("syscall")
int obj_rcu_write(void *ctx)
{
	__u32 key = 0;
	struct bo_val *v = bpf_map_lookup_elem(&bo_arr, &key);
	struct bo_obj *p;

	if (!v)
		return 2;
	bpf_rcu_read_lock();
	p = v->obj;
	if (p)
		p->v = 1;
	bpf_rcu_read_unlock();
	return 1;
}

/* puts an object in the map for the two others to find */
SEC("syscall")
int obj_fill(void *ctx)
{
	__u32 key = 0;
	struct bo_val *v = bpf_map_lookup_elem(&bo_arr, &key);
	struct bo_obj *p;

	if (!v)
		return 2;
	p = bpf_obj_new_impl(bpf_core_type_id_local(struct bo_obj), NULL);
	if (!p)
		return 3;
	p = bpf_kptr_xchg(&v->obj, p);
	if (p)
		bpf_obj_drop_impl(p, NULL);
	return 1;
}

/* reading is fine (stale at worst) */
SEC("syscall")
int obj_rcu_read(void *ctx)
{
	__u32 key = 0;
	struct bo_val *v = bpf_map_lookup_elem(&bo_arr, &key);
	struct bo_obj *p;
	long r = 0;

	if (!v)
		return 2;
	bpf_rcu_read_lock();
	p = v->obj;
	if (p)
		r = p->v;
	bpf_rcu_read_unlock();
	return r ? 3 : 1;
}

char LICENSE[] SEC("license") = "GPL";
