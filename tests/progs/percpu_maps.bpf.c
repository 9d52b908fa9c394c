// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-CPU maps as Linux programs use them: BPF_MAP_TYPE_PERCPU_ARRAY and
 * BPF_MAP_TYPE_PERCPU_HASH, where a program's lookup and update touch
 * this CPU's copy, and bpf_map_lookup_percpu_elem reaches any CPU's (NULL
 * past the last possible CPU), summed here the way the kernel selftests
 * sum them with bpf_loop; and the misuses the kernel rejects, with its
 * messages (kload, 6.18).  Results do not depend on the CPU count or on
 * which CPU runs the program: each program first clears every copy.
 */
// EXPECT(pa_this_and_all): ACCEPT
// RETVAL(pa_this_and_all): 43
// EXPECT(ph_this_and_all): ACCEPT
// RETVAL(ph_this_and_all): 48
// EXPECT(pa_smp_id_copy): ACCEPT
// RETVAL(pa_smp_id_copy): 1
// EXPECT(pa_loop_sum): ACCEPT
// RETVAL(pa_loop_sum): 21
// EXPECT(percpu_lookup_on_array): REJECT cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195
// EXPECT(percpu_lookup_on_hash): REJECT cannot pass map_type 1 into func bpf_map_lookup_percpu_elem#195
// EXPECT(pa_const_key): ACCEPT
// RETVAL(pa_const_key): 0
// EXPECT(pa_no_null_check): REJECT invalid mem access 'map_value_or_null'
// EXPECT(pa_past_value): REJECT invalid access to map value, value_size=16 off=16 size=8
// RETVAL(percpu_lookup_on_array): none
// RETVAL(percpu_lookup_on_hash): none
// RETVAL(pa_no_null_check): none
// RETVAL(pa_past_value): none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pm_val {
	__u64 n;
	__u64 m;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pm_val);
} pm_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, struct pm_val);
} pm_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pm_plain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pm_plain_hash SEC(".maps");

#define MAX_CPUS 4096

/* every CPU's copy of key in the per-CPU array: cleared, or summed */
static __always_inline __u64 arr_all(__u32 key, int clear)
{
	struct pm_val *v;
	__u64 sum = 0;
	int i;

	bpf_for(i, 0, MAX_CPUS) {
		v = bpf_map_lookup_percpu_elem(&pm_arr, &key, i);
		if (!v)
			break;
		if (clear)
			v->n = v->m = 0;
		sum += v->n + v->m;
	}
	return sum;
}

SEC("syscall")
int pa_this_and_all(void *ctx)
{
	struct pm_val val = { .n = 40, .m = 2 }, *v;
	__u32 key = 1;
	__u64 sum;

	arr_all(key, 1);
	if (bpf_map_update_elem(&pm_arr, &key, &val, BPF_ANY))
		return 100;
	sum = arr_all(key, 0);
	v = bpf_map_lookup_elem(&pm_arr, &key);
	if (!v)
		return 101;
	/* the run stays on one CPU: the copy updated is the one looked up */
	return sum + (v->n == 40 && v->m == 2);
}

static __always_inline __u64 hash_all(__u64 key)
{
	struct pm_val *v;
	__u64 sum = 0;
	int i;

	bpf_for(i, 0, MAX_CPUS) {
		v = bpf_map_lookup_percpu_elem(&pm_hash, &key, i);
		if (!v)
			break;
		sum += v->n + v->m;
	}
	return sum;
}

SEC("syscall")
int ph_this_and_all(void *ctx)
{
	struct pm_val val = { .n = 40, .m = 2 }, *v;
	__u64 key = 7, a, b;

	bpf_map_delete_elem(&pm_hash, &key);
	/* a new element: this CPU's copy is the value, the others zero */
	if (bpf_map_update_elem(&pm_hash, &key, &val, BPF_NOEXIST))
		return 100;
	a = hash_all(key);
	v = bpf_map_lookup_elem(&pm_hash, &key);
	if (!v || v->n != 40)
		return 101;
	val.n = 3;
	if (bpf_map_update_elem(&pm_hash, &key, &val, BPF_EXIST))
		return 102;
	b = hash_all(key);
	if (bpf_map_delete_elem(&pm_hash, &key))
		return 103;
	/* 42 + 5 + 1 */
	return a + b + !bpf_map_lookup_elem(&pm_hash, &key);
}

/* this CPU's copy is the one bpf_get_smp_processor_id() names */
SEC("syscall")
int pa_smp_id_copy(void *ctx)
{
	__u32 key = 2, cpu = bpf_get_smp_processor_id();
	struct pm_val *mine, *byid;

	mine = bpf_map_lookup_elem(&pm_arr, &key);
	byid = bpf_map_lookup_percpu_elem(&pm_arr, &key, cpu);
	if (!mine || !byid)
		return 0;
	mine->n = 0;
	byid->n = 123;
	return mine->n == 123;
}

struct pm_loop_ctx {
	__u32 key;
	__u64 sum;
};

static int sum_cpu(__u32 index, struct pm_loop_ctx *c)
{
	struct pm_val *v = bpf_map_lookup_percpu_elem(&pm_arr, &c->key, index);

	if (!v)
		return 1;
	c->sum += v->n;
	return 0;
}

/* bpf_loop over the CPUs, as the kernel's selftest reads them */
SEC("syscall")
int pa_loop_sum(void *ctx)
{
	struct pm_loop_ctx c = { .key = 3 };
	struct pm_val val = { .n = 21 };

	arr_all(c.key, 1);
	if (bpf_map_update_elem(&pm_arr, &c.key, &val, BPF_ANY))
		return 100;
	bpf_loop(MAX_CPUS, sum_cpu, &c, 0);
	return c.sum;
}

SEC("syscall")
int percpu_lookup_on_array(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_percpu_elem(&pm_plain, &key, 0);

	return v ? *v : 0;
}

SEC("syscall")
int percpu_lookup_on_hash(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_percpu_elem(&pm_plain_hash, &key, 0);

	return v ? *v : 0;
}

/* a known in-range key makes a (per-CPU) array's value non-NULL: key 0,
 * which no program writes */
SEC("syscall")
int pa_const_key(void *ctx)
{
	__u32 key = 0;
	struct pm_val *v = bpf_map_lookup_elem(&pm_arr, &key);

	return v->n;
}

/* but not one out of range, nor bpf_map_lookup_percpu_elem's */
SEC("syscall")
int pa_no_null_check(void *ctx)
{
	__u32 key = 0;
	struct pm_val *v = bpf_map_lookup_percpu_elem(&pm_arr, &key, 0);

	return v->n;
}

SEC("syscall")
int pa_past_value(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&pm_arr, &key);

	return v ? v[2] : 0;
}

char LICENSE[] SEC("license") = "GPL";
