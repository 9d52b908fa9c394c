// SPDX-License-Identifier: BSD-2-Clause
/*
 * Program-allocated objects: bpf_obj_new_impl's type is the program's own
 * struct (its BTF id, a known constant), the object is written and read
 * within its size, owned until bpf_obj_drop_impl, shared with
 * bpf_refcount_acquire_impl when it has a struct bpf_refcount; and the
 * misuses the kernel rejects, with its messages (kload, 6.18).
 */
// EXPECT(obj_rw): ACCEPT
// RETVAL(obj_rw): 7
// EXPECT(obj_refcount): ACCEPT
// RETVAL(obj_refcount): 1
// EXPECT(obj_refcount_owner): ACCEPT
// RETVAL(obj_refcount_owner): 6
// EXPECT(obj_leak): REJECT Unreleased reference
// EXPECT(obj_drop_task): REJECT arg#0 expected pointer to allocated object
// EXPECT(obj_drop_maybe_null): REJECT Possibly NULL pointer passed to trusted arg0
// EXPECT(obj_new_typedef): REJECT bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct
// EXPECT(obj_new_var_id): REJECT R1 must be a known constant
// EXPECT(obj_use_after_drop): REJECT R6 invalid mem access 'scalar'
// EXPECT(obj_drop_twice): REJECT R1 must be referenced or trusted
// EXPECT(obj_past_end): REJECT access beyond struct ob_obj at off 16 size 8
// EXPECT(obj_drop_offset): REJECT R1 must have zero offset when passed to release func or trusted arg to kfunc
// EXPECT(obj_refcount_no_field): REJECT arg#0 doesn't point to a type with bpf_refcount field
// EXPECT(obj_refcount_field_access): REJECT direct access to bpf_refcount is disallowed
// EXPECT(obj_drop_map_value): REJECT R1 must be referenced or trusted
// EXPECT(obj_as_task): REJECT kernel function bpf_task_release args#0 expected pointer to STRUCT task_struct but R1 has a pointer to STRUCT task_struct
// RETVAL(obj_as_task): none
// RETVAL(obj_leak): none
// RETVAL(obj_drop_task): none
// RETVAL(obj_drop_maybe_null): none
// RETVAL(obj_new_typedef): none
// RETVAL(obj_new_var_id): none
// RETVAL(obj_use_after_drop): none
// RETVAL(obj_drop_twice): none
// RETVAL(obj_past_end): none
// RETVAL(obj_drop_offset): none
// RETVAL(obj_refcount_no_field): none
// RETVAL(obj_refcount_field_access): none
// RETVAL(obj_drop_map_value): none
#include "task_common.h"
#include <bpf/bpf_core_read.h>

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void *bpf_refcount_acquire_impl(void *p__refcounted_kptr,
				       void *meta__ign) __ksym;

struct bpf_refcount {
	__u32 __opaque[1];
} __attribute__((aligned(4)));

struct ob_obj {
	long v;
	long w;
};

typedef struct ob_obj ob_obj_t;

/* special fields (a btf_record), but no bpf_refcount */
struct ob_holder {
	long v;
	struct ob_obj __attribute__((btf_type_tag("kptr"))) *inner;
};

struct ob_shared {
	long v;
	struct bpf_refcount ref;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, long);
} ob_arr SEC(".maps");

#define new_obj(T) bpf_obj_new_impl(bpf_core_type_id_local(T), NULL)
#define drop(p) bpf_obj_drop_impl(p, NULL)

SEC("syscall")
int obj_rw(void *ctx)
{
	struct ob_obj *n = new_obj(struct ob_obj);
	long r;

	if (!n)
		return 2;
	n->v = 3;
	n->w = 4;
	r = n->v + n->w;
	drop(n);
	return r;
}

SEC("syscall")
int obj_refcount(void *ctx)
{
	struct ob_shared *n = new_obj(struct ob_shared), *m;

	if (!n)
		return 2;
	n->v = 1;
	m = bpf_refcount_acquire_impl(n, NULL);
	drop(n);
	if (!m)
		return 3;
	n = m;
	m = NULL;
	if (n->v != 1) {
		drop(n);
		return 4;
	}
	drop(n);
	return 1;
}

/* the owner's acquire cannot fail: no NULL check needed */
SEC("syscall")
int obj_refcount_owner(void *ctx)
{
	struct ob_shared *n = new_obj(struct ob_shared), *m;
	long r;

	if (!n)
		return 2;
	n->v = 5;
	m = bpf_refcount_acquire_impl(n, NULL);
	drop(n);
	r = m->v + 1;
	drop(m);
	return r;
}

SEC("syscall")
int obj_leak(void *ctx)
{
	struct ob_obj *n = new_obj(struct ob_obj);

	if (!n)
		return 2;
	n->v = 1;
	return 1;
}

SEC("syscall")
int obj_drop_task(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 2;
	drop(t);
	return 1;
}

SEC("syscall")
int obj_drop_maybe_null(void *ctx)
{
	struct ob_obj *n = new_obj(struct ob_obj);

	drop(n);
	return 1;
}

SEC("syscall")
int obj_new_typedef(void *ctx)
{
	ob_obj_t *n = bpf_obj_new_impl(bpf_core_type_id_local(ob_obj_t), NULL);

	if (!n)
		return 2;
	drop(n);
	return 1;
}

SEC("syscall")
int obj_new_var_id(void *ctx)
{
	__u32 key = 0;
	long *id = bpf_map_lookup_elem(&ob_arr, &key);
	struct ob_obj *n;

	if (!id)
		return 2;
	n = bpf_obj_new_impl(*id, NULL);
	if (!n)
		return 3;
	drop(n);
	return 1;
}

SEC("syscall")
int obj_use_after_drop(void *ctx)
{
	struct ob_obj *n = new_obj(struct ob_obj);

	if (!n)
		return 2;
	drop(n);
	return *(volatile long *)&n->w;
}

SEC("syscall")
int obj_drop_twice(void *ctx)
{
	struct ob_obj *n = new_obj(struct ob_obj);

	if (!n)
		return 2;
	drop(n);
	drop(n);
	return 1;
}

SEC("syscall")
int obj_past_end(void *ctx)
{
	struct ob_obj *n = new_obj(struct ob_obj);
	long r;

	if (!n)
		return 2;
	r = ((volatile long *)n)[2];
	drop(n);
	return r;
}

SEC("syscall")
int obj_drop_offset(void *ctx)
{
	struct ob_obj *n = new_obj(struct ob_obj);

	if (!n)
		return 2;
	drop(&n->w);
	return 1;
}

SEC("syscall")
int obj_refcount_no_field(void *ctx)
{
	struct ob_holder *n = new_obj(struct ob_holder), *m;

	if (!n)
		return 2;
	m = bpf_refcount_acquire_impl(n, NULL);
	if (m)
		drop(m);
	drop(n);
	return 1;
}

SEC("syscall")
int obj_refcount_field_access(void *ctx)
{
	struct ob_shared *n = new_obj(struct ob_shared);
	__u32 r;

	if (!n)
		return 2;
	r = *(volatile __u32 *)&n->ref;
	drop(n);
	return r;
}

SEC("syscall")
int obj_drop_map_value(void *ctx)
{
	__u32 key = 0;
	long *v = bpf_map_lookup_elem(&ob_arr, &key);

	if (!v)
		return 2;
	drop(v);
	return 1;
}

/* a program's own struct named like a host one is still the program's */
SEC("syscall")
int obj_as_task(void *ctx)
{
	struct task_struct *t = new_obj(struct task_struct);

	if (!t)
		return 2;
	bpf_task_release(t);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
