// SPDX-License-Identifier: BSD-2-Clause
/*
 * A struct bpf_cpumask kept in a map value as a __kptr, the kernel
 * selftests' way (cpumask_success.c): created, stashed with
 * bpf_kptr_xchg, read in place under bpf_rcu_read_lock() (an RCU pointer
 * the KF_RCU cpumask kfuncs take), taken back and released; one left for
 * the map's destructor; and, rejected (kload, 6.18): the RCU pointer given
 * to bpf_cpumask_acquire (KF_TRUSTED_ARGS, not KF_RCU, in 6.18) and used
 * after the section.
 */
// EXPECT(mask_stash): ACCEPT
// RETVAL(mask_stash): 1
// EXPECT(mask_left_in_map): ACCEPT
// RETVAL(mask_left_in_map): 1
// EXPECT(mask_acquire_rcu): REJECT R1 must be referenced or trusted
// EXPECT(mask_after_unlock): REJECT R2 must be a rcu pointer
// RETVAL(mask_acquire_rcu): none
// RETVAL(mask_after_unlock): none
#include "cpumask_common.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct km_val {
	struct bpf_cpumask __attribute__((btf_type_tag("kptr"))) *mask;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct km_val);
} km_arr SEC(".maps");

static __always_inline struct km_val *val(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&km_arr, &key);
}

SEC("syscall")
int mask_stash(void *ctx)
{
	struct bpf_cpumask *m;
	struct km_val *v = val();
	int ok = 0;

	if (!v)
		return 2;
	m = bpf_cpumask_create();
	if (!m)
		return 3;
	bpf_cpumask_set_cpu(0, m);
	m = bpf_kptr_xchg(&v->mask, m);
	if (m)
		bpf_cpumask_release(m);
	bpf_rcu_read_lock();
	m = v->mask;
	if (m) {
		ok = bpf_cpumask_test_cpu(0, cast(m)) &&
		     bpf_cpumask_weight(cast(m)) == 1;
		bpf_cpumask_set_cpu(0, m);
	}
	bpf_rcu_read_unlock();
	m = bpf_kptr_xchg(&v->mask, NULL);
	if (!m)
		return 4;
	bpf_cpumask_release(m);
	return ok ? 1 : 5;
}

SEC("syscall")
int mask_left_in_map(void *ctx)
{
	struct km_val *v = val();
	struct bpf_cpumask *m;

	if (!v)
		return 2;
	m = bpf_cpumask_create();
	if (!m)
		return 3;
	m = bpf_kptr_xchg(&v->mask, m);
	if (m)
		bpf_cpumask_release(m);
	return 1;
}

SEC("syscall")
int mask_acquire_rcu(void *ctx)
{
	struct km_val *v = val();
	struct bpf_cpumask *m;

	if (!v)
		return 2;
	bpf_rcu_read_lock();
	m = v->mask;
	if (m) {
		m = bpf_cpumask_acquire(m);
		if (m)
			bpf_cpumask_release(m);
	}
	bpf_rcu_read_unlock();
	return 1;
}

SEC("syscall")
int mask_after_unlock(void *ctx)
{
	struct km_val *v = val();
	struct bpf_cpumask *m;

	if (!v)
		return 2;
	bpf_rcu_read_lock();
	m = v->mask;
	bpf_rcu_read_unlock();
	if (!m)
		return 3;
	bpf_cpumask_set_cpu(0, m);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
