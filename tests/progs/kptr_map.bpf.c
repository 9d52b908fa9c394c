// SPDX-License-Identifier: BSD-2-Clause
/*
 * kptr fields in map values, as kernel programs use them: a host object
 * (struct task_struct, with its registered destructor) and a program
 * object (bpf_obj_new_impl) moved in and out with bpf_kptr_xchg, direct
 * loads of __kptr fields (RCU pointers inside bpf_rcu_read_lock(), as
 * syscall programs are sleepable) and of __kptr_untrusted fields, stores
 * into __kptr_untrusted fields; and the misuses the kernel rejects, with
 * its messages (kload, 6.18).  Objects left in the map are released by
 * the map (test_maps checks the counts).  Every accepted program leaves
 * the map as it may find it: any field may hold an object already.
 */
// EXPECT(task_stash): ACCEPT
// RETVAL(task_stash): 1
// EXPECT(task_left_in_map): ACCEPT
// RETVAL(task_left_in_map): 1
// EXPECT(untrusted_store): ACCEPT
// RETVAL(untrusted_store): 1
// EXPECT(obj_stash): ACCEPT
// RETVAL(obj_stash): 42
// EXPECT(obj_left_in_map): ACCEPT
// RETVAL(obj_left_in_map): 1
// EXPECT(obj_in_hash): ACCEPT
// RETVAL(obj_in_hash): 1
// EXPECT(obj_nested_in_map): ACCEPT
// RETVAL(obj_nested_in_map): 1
// EXPECT(obj_holds_task): ACCEPT
// RETVAL(obj_holds_task): 1
// EXPECT(obj_holder_in_map): ACCEPT
// RETVAL(obj_holder_in_map): 1
// EXPECT(store_ref_kptr): REJECT store to referenced kptr disallowed
// EXPECT(kptr_narrow_load): REJECT kptr access size must be BPF_DW
// EXPECT(kptr_no_rcu): REJECT R1 must be a rcu pointer
// EXPECT(xchg_untrusted_field): REJECT off=8 kptr isn't referenced kptr
// EXPECT(xchg_wrong_type): REJECT invalid kptr access, R2 type=ptr_kp_obj expected=ptr_task_struct
// EXPECT(xchg_unreferenced): REJECT R2 must be referenced when passed to release function
// EXPECT(store_untrusted_wrong_type): REJECT invalid kptr access, R1 type=ptr_kp_obj expected=ptr_task_struct or untrusted_ptr_task_struct
// EXPECT(kptr_by_helper): REJECT kptr cannot be accessed indirectly by helper
// EXPECT(kptr_leak_after_xchg): REJECT Unreleased reference
// RETVAL(store_ref_kptr): none
// RETVAL(kptr_narrow_load): none
// RETVAL(kptr_no_rcu): none
// RETVAL(xchg_untrusted_field): none
// RETVAL(xchg_wrong_type): none
// RETVAL(xchg_unreferenced): none
// RETVAL(store_untrusted_wrong_type): none
// RETVAL(kptr_by_helper): none
// RETVAL(kptr_leak_after_xchg): none
#include "task_common.h"
#include <bpf/bpf_core_read.h>

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;

#define __kptr __attribute__((btf_type_tag("kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))

struct kp_obj {
	long v;
	long w;
};

struct kp_val {
	struct task_struct __kptr *task;
	struct task_struct __kptr_untrusted *utask;
	struct kp_obj __kptr *obj;
	long plain;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_val);
} kp_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct kp_val);
} kp_hash SEC(".maps");

/* kptrs in a nested struct and in an array, as the kernel finds them */
struct kp_inner {
	long pad;
	struct kp_obj __kptr *obj;
};

struct kp_nested {
	struct kp_inner in;
	struct kp_obj __kptr *arr[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_nested);
} kp_nest SEC(".maps");

/* a program object holding a task: a local kptr stash */
struct kp_holder {
	long v;
	struct task_struct __kptr *t;
};

struct kp_hval {
	struct kp_holder __kptr *holder;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_hval);
} kp_hmap SEC(".maps");

static __always_inline struct kp_val *val(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&kp_arr, &key);
}

static __always_inline int self_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/* in, read through the map under RCU, out again */
SEC("syscall")
int task_stash(void *ctx)
{
	struct task_struct *t, *p, *t2;
	struct kp_val *v = val();
	int tgid = self_tgid(), pid = 0;

	if (!v)
		return 2;
	t = bpf_task_from_pid(tgid);
	if (!t)
		return 3;
	t = bpf_kptr_xchg(&v->task, t);
	if (t)
		bpf_task_release(t);
	bpf_rcu_read_lock();
	p = v->task;
	if (p) {
		pid = p->pid;
		t2 = bpf_task_acquire(p);
		if (t2)
			bpf_task_release(t2);
	}
	bpf_rcu_read_unlock();
	t = bpf_kptr_xchg(&v->task, NULL);
	if (!t)
		return 4;
	bpf_task_release(t);
	return pid == tgid ? 1 : 5;
}

/* the map keeps the reference: its destructor runs when the map goes */
SEC("syscall")
int task_left_in_map(void *ctx)
{
	struct kp_val *v = val();
	struct task_struct *t;

	if (!v)
		return 2;
	t = bpf_task_from_pid(self_tgid());
	if (!t)
		return 3;
	t = bpf_kptr_xchg(&v->task, t);
	if (t)
		bpf_task_release(t);
	return 1;
}

/* an untrusted field holds any pointer of its type, no reference */
SEC("syscall")
int untrusted_store(void *ctx)
{
	struct kp_val *v = val();
	struct task_struct *t, *u;
	int tgid = self_tgid(), pid = 0;

	if (!v)
		return 2;
	t = bpf_task_from_pid(tgid);
	if (!t)
		return 3;
	v->utask = t;
	u = v->utask;
	if (u)
		pid = u->tgid;
	v->utask = NULL;
	bpf_task_release(t);
	return pid == tgid ? 1 : 4;
}

/* a program object through the map: written, read back (the kernel's
 * objects are not zeroed: bpf_mem_alloc, so nothing is read first) */
SEC("syscall")
int obj_stash(void *ctx)
{
	struct kp_val *v = val();
	struct kp_obj *n, *p;
	long got = 0;

	if (!v)
		return 2;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_obj), NULL);
	if (!n)
		return 3;
	n->v = 40;
	n->w = 2;
	n = bpf_kptr_xchg(&v->obj, n);
	if (n)
		bpf_obj_drop_impl(n, NULL);
	bpf_rcu_read_lock();
	p = v->obj;
	if (p)
		got = p->v + p->w;
	bpf_rcu_read_unlock();
	n = bpf_kptr_xchg(&v->obj, NULL);
	if (!n)
		return 5;
	bpf_obj_drop_impl(n, NULL);
	return got;
}

SEC("syscall")
int obj_left_in_map(void *ctx)
{
	struct kp_val *v = val();
	struct kp_obj *n;

	if (!v)
		return 2;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_obj), NULL);
	if (!n)
		return 3;
	n = bpf_kptr_xchg(&v->obj, n);
	if (n)
		bpf_obj_drop_impl(n, NULL);
	return 1;
}

/* a hash element holding an object; the update that overwrites it
 * releases it */
SEC("syscall")
int obj_in_hash(void *ctx)
{
	struct kp_val init = {}, *v;
	struct kp_obj *n;
	__u32 key = 1;

	if (bpf_map_update_elem(&kp_hash, &key, &init, BPF_ANY))
		return 2;
	v = bpf_map_lookup_elem(&kp_hash, &key);
	if (!v)
		return 3;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_obj), NULL);
	if (!n)
		return 4;
	n = bpf_kptr_xchg(&v->obj, n);
	if (n)
		bpf_obj_drop_impl(n, NULL);
	if (bpf_map_update_elem(&kp_hash, &key, &init, BPF_ANY))
		return 5;
	v = bpf_map_lookup_elem(&kp_hash, &key);
	if (!v)
		return 6;
	return v->obj ? 7 : 1;
}

/* two objects left in nested fields, for the map to release */
SEC("syscall")
int obj_nested_in_map(void *ctx)
{
	struct kp_nested *v;
	struct kp_obj *n;
	__u32 key = 0;

	v = bpf_map_lookup_elem(&kp_nest, &key);
	if (!v)
		return 2;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_obj), NULL);
	if (!n)
		return 3;
	n = bpf_kptr_xchg(&v->in.obj, n);
	if (n)
		bpf_obj_drop_impl(n, NULL);
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_obj), NULL);
	if (!n)
		return 4;
	n = bpf_kptr_xchg(&v->arr[1], n);
	if (n)
		bpf_obj_drop_impl(n, NULL);
	return 1;
}

/* dropping the holder releases the task it holds */
SEC("syscall")
int obj_holds_task(void *ctx)
{
	struct kp_holder *h;
	struct task_struct *t;

	h = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_holder), NULL);
	if (!h)
		return 2;
	t = bpf_task_from_pid(self_tgid());
	if (t) {
		t = bpf_kptr_xchg(&h->t, t);
		if (t)
			bpf_task_release(t);
	}
	bpf_obj_drop_impl(h, NULL);
	return 1;
}

/* a holder with its task left in a map: the map releases both */
SEC("syscall")
int obj_holder_in_map(void *ctx)
{
	struct kp_holder *h;
	struct task_struct *t;
	struct kp_hval *v;
	__u32 key = 0;

	v = bpf_map_lookup_elem(&kp_hmap, &key);
	if (!v)
		return 2;
	h = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_holder), NULL);
	if (!h)
		return 3;
	t = bpf_task_from_pid(self_tgid());
	if (t) {
		t = bpf_kptr_xchg(&h->t, t);
		if (t)
			bpf_task_release(t);
	}
	h = bpf_kptr_xchg(&v->holder, h);
	if (h)
		bpf_obj_drop_impl(h, NULL);
	return 1;
}

SEC("syscall")
int store_ref_kptr(void *ctx)
{
	struct kp_val *v = val();
	struct task_struct *t;

	if (!v)
		return 2;
	t = bpf_task_from_pid(self_tgid());
	if (!t)
		return 3;
	v->task = t;
	bpf_task_release(t);
	return 1;
}

SEC("syscall")
int kptr_narrow_load(void *ctx)
{
	struct kp_val *v = val();

	if (!v)
		return 2;
	return *(volatile __u32 *)&v->task;
}

/* outside an RCU section a sleepable program's __kptr load is untrusted */
SEC("syscall")
int kptr_no_rcu(void *ctx)
{
	struct kp_val *v = val();
	struct task_struct *p, *t;

	if (!v)
		return 2;
	p = v->task;
	if (!p)
		return 3;
	t = bpf_task_acquire(p);
	if (t)
		bpf_task_release(t);
	return 1;
}

SEC("syscall")
int xchg_untrusted_field(void *ctx)
{
	struct kp_val *v = val();
	struct task_struct *t;

	if (!v)
		return 2;
	t = bpf_task_from_pid(self_tgid());
	if (!t)
		return 3;
	t = bpf_kptr_xchg(&v->utask, t);
	if (t)
		bpf_task_release(t);
	return 1;
}

SEC("syscall")
int xchg_wrong_type(void *ctx)
{
	struct kp_val *v = val();
	struct kp_obj *n;

	if (!v)
		return 2;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_obj), NULL);
	if (!n)
		return 3;
	n = bpf_kptr_xchg(&v->task, n);
	if (n)
		bpf_obj_drop_impl(n, NULL);
	return 1;
}

/* a pointer loaded from the map is no reference to give away */
SEC("syscall")
int xchg_unreferenced(void *ctx)
{
	struct kp_val *v = val();
	struct task_struct *p;

	if (!v)
		return 2;
	bpf_rcu_read_lock();
	p = v->task;
	if (p) {
		p = bpf_kptr_xchg(&v->task, p);
		if (p)
			bpf_task_release(p);
	}
	bpf_rcu_read_unlock();
	return 1;
}

SEC("syscall")
int store_untrusted_wrong_type(void *ctx)
{
	struct kp_val *v = val();
	struct kp_obj *n;

	if (!v)
		return 2;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct kp_obj), NULL);
	if (!n)
		return 3;
	*(struct kp_obj **)&v->utask = n;
	bpf_obj_drop_impl(n, NULL);
	return 1;
}

SEC("syscall")
int kptr_by_helper(void *ctx)
{
	struct kp_val *v = val();
	__u32 key = 2;

	if (!v)
		return 2;
	return bpf_map_update_elem(&kp_hash, &key, v, BPF_ANY);
}

/* the old value bpf_kptr_xchg returns is a reference to release */
SEC("syscall")
int kptr_leak_after_xchg(void *ctx)
{
	struct kp_val *v = val();

	if (!v)
		return 2;
	bpf_kptr_xchg(&v->obj, NULL);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
