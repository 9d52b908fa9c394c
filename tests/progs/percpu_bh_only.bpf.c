// SPDX-License-Identifier: BSD-2-Clause
/*
 * Where bpfhost rejects per-CPU programs that Linux 6.18 accepts, on
 * purpose (both accepted by kload 6.18, checked by hand):
 * plain_into_percpu: bpf_kptr_xchg lets a plain bpf_obj_new object into a
 * __percpu_kptr field; a later load of the field takes it for a per-CPU
 * object and bpf_per_cpu_ptr would find "copies" past its end.
 * per_cpu_no_null_check: for a per-CPU object the kernel types R0 of
 * bpf_per_cpu_ptr as never NULL, though the helper returns NULL for a
 * CPU past the last possible one; bpfhost keeps PTR_MAYBE_NULL.
 * this_cpu_write_ok: the accepted twin, a copy written with no owning
 * reference (per-CPU objects are type-stable in bpfhost).
 */
// KERNEL: skip bpfhost rejects two of these on purpose (kload 6.18 accepts all three)
// EXPECT(plain_into_percpu): REJECT invalid kptr access, R2 type=ptr_ expected=ptr_bo_pc
// EXPECT(per_cpu_no_null_check): REJECT invalid mem access 'rcu_ptr_or_null_'
// EXPECT(this_cpu_write_ok): ACCEPT
// RETVAL(this_cpu_write_ok): 9
// RETVAL(plain_into_percpu): none
// RETVAL(per_cpu_no_null_check): none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void *bpf_percpu_obj_new_impl(__u64 local_type_id__k,
				     void *meta__ign) __ksym;
extern void bpf_percpu_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))

struct bo_pc {
	long a, b;
};

struct bo_elem {
	struct bo_pc __percpu_kptr *pc;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bo_elem);
} bo_arr SEC(".maps");

static __always_inline struct bo_elem *elem(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&bo_arr, &key);
}

SEC("syscall")
int plain_into_percpu(void *ctx)
{
	struct bo_elem *e = elem();
	struct bo_pc *p, *old;

	if (!e)
		return 0;
	p = bpf_obj_new_impl(bpf_core_type_id_local(struct bo_pc), NULL);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&e->pc, p);
	if (old)
		bpf_percpu_obj_drop_impl(old, NULL);
	return 0;
}

SEC("syscall")
int per_cpu_no_null_check(void *ctx)
{
	struct bo_pc __percpu_kptr *p;
	struct bo_elem *e = elem();
	struct bo_pc *v;
	long r;

	if (!e)
		return 0;
	bpf_rcu_read_lock();
	p = e->pc;
	if (!p) {
		bpf_rcu_read_unlock();
		return 0;
	}
	v = bpf_per_cpu_ptr(p, 100000);
	r = v->a;
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
int this_cpu_write_ok(void *ctx)
{
	struct bo_pc __percpu_kptr *p, *old;
	struct bo_elem *e = elem();
	struct bo_pc *v;
	long r = 0;

	if (!e)
		return 0;
	p = bpf_percpu_obj_new_impl(bpf_core_type_id_local(struct bo_pc), NULL);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&e->pc, p);
	if (old)
		bpf_percpu_obj_drop_impl(old, NULL);
	bpf_rcu_read_lock();
	p = e->pc;
	if (p) {
		v = bpf_this_cpu_ptr(p);
		v->b = 4;
		v->a = v->b + 5;
		r = v->a;
	}
	bpf_rcu_read_unlock();
	return r;
}

char LICENSE[] SEC("license") = "GPL";
