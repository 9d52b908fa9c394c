// SPDX-License-Identifier: BSD-2-Clause
/*
 * For test_kptr: references left in map values, to be released by the
 * map through the types' destructors: a host object of test_kptr's own
 * (struct kt_obj, destructor registered with register_btf_id_dtor_kfuncs)
 * and a task (the stdlib's destructor), in an array and a hash map.
 */
#include "../progs/task_common.h"

#define __kptr __attribute__((btf_type_tag("kptr")))

struct kt_obj {
	int refs;
	int tag;
};

extern struct kt_obj *kt_obj_new(int tag) __ksym;
extern void kt_obj_release(struct kt_obj *o) __ksym;

struct kd_val {
	struct kt_obj __kptr *o;
	struct task_struct __kptr *t;
	long plain;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kd_val);
} kd_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct kd_val);
} kd_hash SEC(".maps");

static __always_inline int stash(struct kd_val *v)
{
	struct kt_obj *o = kt_obj_new(7);
	struct task_struct *t;

	if (!o)
		return 3;
	o = bpf_kptr_xchg(&v->o, o);
	if (o)
		kt_obj_release(o);
	t = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	if (!t)
		return 4;
	t = bpf_kptr_xchg(&v->t, t);
	if (t)
		bpf_task_release(t);
	v->plain = 1;
	return 0;
}

SEC("syscall")
int stash_arr(void *ctx)
{
	__u32 key = 0;
	struct kd_val *v = bpf_map_lookup_elem(&kd_arr, &key);

	return v ? stash(v) : 2;
}

SEC("syscall")
int stash_hash(void *ctx)
{
	struct kd_val init = {}, *v;
	__u32 key = 5;

	if (!bpf_map_lookup_elem(&kd_hash, &key) &&
	    bpf_map_update_elem(&kd_hash, &key, &init, BPF_NOEXIST))
		return 1;
	v = bpf_map_lookup_elem(&kd_hash, &key);
	return v ? stash(v) : 2;
}

char LICENSE[] SEC("license") = "GPL";
