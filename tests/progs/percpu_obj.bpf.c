// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-CPU program objects as kernel programs use them: bpf_percpu_obj_new
 * / bpf_percpu_obj_drop, a __percpu_kptr field of a map value filled and
 * emptied with bpf_kptr_xchg, a direct load of it inside an RCU section
 * (percpu_rcu_ptr_: syscall programs are sleepable) turned into one CPU's
 * copy with bpf_this_cpu_ptr / bpf_per_cpu_ptr (NULL past the last
 * possible CPU); and the misuses the kernel rejects, with its messages
 * (kload, 6.18).  Every accepted program leaves the map as it may find
 * it; an object left in the map is dropped by the map.
 */
// EXPECT(pc_new_drop): ACCEPT
// RETVAL(pc_new_drop): 1
// EXPECT(pc_copies): ACCEPT
// RETVAL(pc_copies): 12
// EXPECT(pc_left_in_map): ACCEPT
// RETVAL(pc_left_in_map): 1
// EXPECT(pc_untrusted_load): ACCEPT
// RETVAL(pc_untrusted_load): 1
// EXPECT(pc_nested_scalars): ACCEPT
// RETVAL(pc_nested_scalars): 1
// EXPECT(pc_in_hash): ACCEPT
// RETVAL(pc_in_hash): 1
// EXPECT(pc_in_percpu_array): ACCEPT
// RETVAL(pc_in_percpu_array): 1
// EXPECT(pc_store_field): REJECT store to referenced kptr disallowed
// EXPECT(pc_this_cpu_offset): REJECT dereference of modified percpu_rcu_ptr_ ptr R1 off=8 disallowed
// EXPECT(pc_deref_owning): REJECT is ptr_pc_val access percpu memory: off=8
// EXPECT(pc_deref_rcu): REJECT is ptr_pc_val access percpu memory: off=16
// EXPECT(pc_this_cpu_owning): REJECT R1 type=percpu_ptr_ expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
// EXPECT(pc_this_cpu_maybe_null): REJECT R1 type=percpu_rcu_ptr_or_null_ expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
// EXPECT(pc_this_cpu_after_unlock): REJECT R1 type=percpu_untrusted_ptr_ expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
// EXPECT(pc_this_cpu_released): REJECT R1 type=scalar expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
// EXPECT(pc_obj_drop_percpu): REJECT arg#0 expected for bpf_percpu_obj_drop_impl()
// EXPECT(pc_percpu_drop_obj): REJECT arg#0 expected for bpf_obj_drop_impl()
// EXPECT(pc_new_pointer_member): REJECT bpf_percpu_obj_new type ID argument must be of a struct of scalars
// EXPECT(pc_new_special_field): REJECT bpf_percpu_obj_new type ID argument must not contain special fields
// EXPECT(pc_new_too_big): REJECT bpf_percpu_obj_new type size (600) is greater than 512
// EXPECT(pc_xchg_other_type): REJECT invalid kptr access, R2 type=percpu_ptr_pc_small expected=ptr_pc_val
// EXPECT(pc_xchg_into_plain_kptr): REJECT invalid kptr access, R2 type=percpu_ptr_ expected=ptr_pc_val
// EXPECT(pc_leak): REJECT Unreleased reference
// RETVAL(pc_store_field): none
// RETVAL(pc_this_cpu_offset): none
// RETVAL(pc_deref_owning): none
// RETVAL(pc_deref_rcu): none
// RETVAL(pc_this_cpu_owning): none
// RETVAL(pc_this_cpu_maybe_null): none
// RETVAL(pc_this_cpu_after_unlock): none
// RETVAL(pc_this_cpu_released): none
// RETVAL(pc_obj_drop_percpu): none
// RETVAL(pc_percpu_drop_obj): none
// RETVAL(pc_new_pointer_member): none
// RETVAL(pc_new_special_field): none
// RETVAL(pc_new_too_big): none
// RETVAL(pc_xchg_other_type): none
// RETVAL(pc_xchg_into_plain_kptr): none
// RETVAL(pc_leak): none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void *bpf_percpu_obj_new_impl(__u64 local_type_id__k,
				     void *meta__ign) __ksym;
extern void bpf_percpu_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

#define __kptr __attribute__((btf_type_tag("kptr")))
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#define pc_new(T) \
	((T __percpu_kptr *)bpf_percpu_obj_new_impl(bpf_core_type_id_local(T), NULL))
#define pc_drop(p) bpf_percpu_obj_drop_impl(p, NULL)
#define obj_new(T) ((T *)bpf_obj_new_impl(bpf_core_type_id_local(T), NULL))
#define obj_drop(p) bpf_obj_drop_impl(p, NULL)

struct pc_val {
	long a, c, d;
};

struct pc_small {
	long a;
};

struct pc_elem {
	long sum;
	struct pc_val __percpu_kptr *pc;
	struct pc_val __kptr *plain;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_elem);
} pc_arr SEC(".maps");

/* kptrs are allowed in hash maps and per-CPU maps too (each CPU's copy
 * of a per-CPU map's value has its own field) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pc_elem);
} pc_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_elem);
} pc_pcpu SEC(".maps");

static __always_inline struct pc_elem *elem(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&pc_arr, &key);
}

SEC("syscall")
int pc_new_drop(void *ctx)
{
	struct pc_val __percpu_kptr *p = pc_new(struct pc_val);

	if (!p)
		return 0;
	pc_drop(p);
	return 1;
}

/* this CPU's copy and CPU 0's, then every copy until the first NULL */
SEC("syscall")
int pc_copies(void *ctx)
{
	struct pc_val __percpu_kptr *p, *old;
	struct pc_elem *e = elem();
	struct pc_val *v;
	long sum = 0;
	int i;

	if (!e)
		return 0;
	p = pc_new(struct pc_val);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&e->pc, p);
	if (old)
		pc_drop(old);
	bpf_rcu_read_lock();
	p = e->pc;
	if (!p) {
		bpf_rcu_read_unlock();
		return 0;
	}
	v = bpf_this_cpu_ptr(p);
	v->c = 5;
	v = bpf_per_cpu_ptr(p, 0);
	if (v)
		v->d = 7;
	bpf_for(i, 0, 4096) {
		v = bpf_per_cpu_ptr(p, i);
		if (!v)
			break;
		sum += v->a + v->c + v->d;
	}
	bpf_rcu_read_unlock();
	old = bpf_kptr_xchg(&e->pc, NULL);
	if (old)
		pc_drop(old);
	return sum;
}

SEC("syscall")
int pc_left_in_map(void *ctx)
{
	struct pc_val __percpu_kptr *p, *old;
	struct pc_elem *e = elem();

	if (!e)
		return 0;
	p = pc_new(struct pc_val);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&e->pc, p);
	if (old)
		pc_drop(old);
	return 1;
}

SEC("syscall")
int pc_in_hash(void *ctx)
{
	struct pc_elem zero = {}, *e;
	struct pc_val __percpu_kptr *p;
	__u32 key = 1;

	if (bpf_map_update_elem(&pc_hash, &key, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&pc_hash, &key))
		return 0;
	e = bpf_map_lookup_elem(&pc_hash, &key);
	if (!e)
		return 0;
	p = pc_new(struct pc_val);
	if (!p)
		return 0;
	p = bpf_kptr_xchg(&e->pc, p);
	if (p)
		pc_drop(p);
	return 1;
}

/* this CPU's copy of the value holds the object; the map drops it */
SEC("syscall")
int pc_in_percpu_array(void *ctx)
{
	struct pc_val __percpu_kptr *p;
	struct pc_elem *e;
	__u32 key = 0;

	e = bpf_map_lookup_elem(&pc_pcpu, &key);
	if (!e)
		return 0;
	p = pc_new(struct pc_val);
	if (!p)
		return 0;
	p = bpf_kptr_xchg(&e->pc, p);
	if (p)
		pc_drop(p);
	return 1;
}

/* outside an RCU section the load is untrusted: a read gives a number */
SEC("syscall")
int pc_untrusted_load(void *ctx)
{
	struct pc_elem *e = elem();
	struct pc_val *p;

	if (!e)
		return 0;
	p = (struct pc_val *)e->pc;
	if (p && p->c < 0)
		return 2;
	return 1;
}

struct pc_nested {
	long arr[4];
	struct {
		int x, y;
		struct {
			char tag[3];
		} deep;
	} in;
};

SEC("syscall")
int pc_nested_scalars(void *ctx)
{
	struct pc_nested __percpu_kptr *p = pc_new(struct pc_nested);

	if (!p)
		return 0;
	pc_drop(p);
	return 1;
}

long junk;

SEC("syscall")
int pc_store_field(void *ctx)
{
	struct pc_elem *e = elem();

	if (!e)
		return 0;
	e->pc = (struct pc_val __percpu_kptr *)junk;
	return 0;
}

SEC("syscall")
int pc_deref_owning(void *ctx)
{
	struct pc_val __percpu_kptr *p = pc_new(struct pc_val);

	if (!p)
		return 0;
	p->c = 1;
	pc_drop(p);
	return 0;
}

SEC("syscall")
int pc_deref_rcu(void *ctx)
{
	struct pc_elem *e = elem();
	struct pc_val __percpu_kptr *p;
	long r = 0;

	if (!e)
		return 0;
	bpf_rcu_read_lock();
	p = e->pc;
	if (p)
		r = p->d;
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
int pc_this_cpu_owning(void *ctx)
{
	struct pc_val __percpu_kptr *p = pc_new(struct pc_val);
	struct pc_val *v;

	if (!p)
		return 0;
	v = bpf_this_cpu_ptr(p);
	junk = v->c;
	pc_drop(p);
	return 0;
}

SEC("syscall")
int pc_this_cpu_maybe_null(void *ctx)
{
	struct pc_elem *e = elem();
	struct pc_val *v;

	if (!e)
		return 0;
	bpf_rcu_read_lock();
	v = bpf_this_cpu_ptr(e->pc);
	junk = v->c;
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int pc_this_cpu_after_unlock(void *ctx)
{
	struct pc_val __percpu_kptr *p;
	struct pc_elem *e = elem();
	struct pc_val *v;

	if (!e)
		return 0;
	bpf_rcu_read_lock();
	p = e->pc;
	if (!p) {
		bpf_rcu_read_unlock();
		return 0;
	}
	bpf_rcu_read_unlock();
	v = bpf_this_cpu_ptr(p);
	return v->c;
}

/* bpf_this_cpu_ptr takes the object's start only */
SEC("syscall")
int pc_this_cpu_offset(void *ctx)
{
	struct pc_val __percpu_kptr *p;
	struct pc_elem *e = elem();
	long *c, r = 0;

	if (!e)
		return 0;
	bpf_rcu_read_lock();
	p = e->pc;
	if (p) {
		c = bpf_this_cpu_ptr(&p->c);
		r = *c;
	}
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
int pc_this_cpu_released(void *ctx)
{
	struct pc_val __percpu_kptr *p, *old;
	struct pc_elem *e = elem();
	struct pc_val *v;

	if (!e)
		return 0;
	p = pc_new(struct pc_val);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&e->pc, p);
	if (old)
		pc_drop(old);
	v = bpf_this_cpu_ptr(p);
	return v->c;
}

SEC("syscall")
int pc_obj_drop_percpu(void *ctx)
{
	struct pc_val __percpu_kptr *p = pc_new(struct pc_val);

	if (!p)
		return 0;
	obj_drop(p);
	return 0;
}

SEC("syscall")
int pc_percpu_drop_obj(void *ctx)
{
	struct pc_val *p = obj_new(struct pc_val);

	if (!p)
		return 0;
	pc_drop(p);
	return 0;
}

struct pc_with_ptr {
	long a;
	char *s;
};

SEC("syscall")
int pc_new_pointer_member(void *ctx)
{
	struct pc_with_ptr __percpu_kptr *p = pc_new(struct pc_with_ptr);

	if (!p)
		return 0;
	pc_drop(p);
	return 0;
}

struct pc_with_lock {
	struct bpf_spin_lock lock;
	long a;
};

SEC("syscall")
int pc_new_special_field(void *ctx)
{
	struct pc_with_lock __percpu_kptr *p = pc_new(struct pc_with_lock);

	if (!p)
		return 0;
	pc_drop(p);
	return 0;
}

struct pc_600 {
	char b[600];
};

SEC("syscall")
int pc_new_too_big(void *ctx)
{
	struct pc_600 __percpu_kptr *p = pc_new(struct pc_600);

	if (!p)
		return 0;
	pc_drop(p);
	return 0;
}

SEC("syscall")
int pc_xchg_other_type(void *ctx)
{
	struct pc_small __percpu_kptr *p;
	struct pc_val __percpu_kptr *old;
	struct pc_elem *e = elem();

	if (!e)
		return 0;
	p = pc_new(struct pc_small);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&e->pc, p);
	if (old)
		pc_drop(old);
	return 0;
}

SEC("syscall")
int pc_xchg_into_plain_kptr(void *ctx)
{
	struct pc_val __percpu_kptr *p;
	struct pc_val *old;
	struct pc_elem *e = elem();

	if (!e)
		return 0;
	p = pc_new(struct pc_val);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&e->plain, p);
	if (old)
		obj_drop(old);
	return 0;
}

SEC("syscall")
int pc_leak(void *ctx)
{
	struct pc_val __percpu_kptr *p = pc_new(struct pc_val);

	return p ? 1 : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
