// SPDX-License-Identifier: BSD-2-Clause
/*
 * Referenced kptrs stored in a map value with bpf_kptr_xchg, as the
 * kernel's cpumask and task selftests keep them: the map owns the
 * reference until it is exchanged out again, and what comes back out
 * is a reference the program must release.
 */
// EXPECT(kptr_cpumask_stash): ACCEPT
// RETVAL(kptr_cpumask_stash): 1
// EXPECT(kptr_task_stash): ACCEPT
// RETVAL(kptr_task_stash): 1
// EXPECT(kptr_rcu_read): ACCEPT
// RETVAL(kptr_rcu_read): 1
// EXPECT(kptr_old_leaked): REJECT Unreleased reference
// EXPECT(kptr_store_unreferenced): REJECT R2 must be referenced when passed to release function
// EXPECT(kptr_direct_store): REJECT store to referenced kptr disallowed
// EXPECT(kptr_forged): REJECT store to referenced kptr disallowed
// EXPECT(kptr_null_check_missing): REJECT Possibly NULL pointer passed to trusted arg0
#include "kfuncs.h"

struct stash {
	struct bpf_cpumask __kptr *mask;
	struct task_struct __kptr *task;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stash);
} stashes SEC(".maps");

static __always_inline struct stash *stash_get(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&stashes, &key);
}

/* stash a mask with CPU 0 set, take it back, test it */
SEC("syscall")
int kptr_cpumask_stash(void *ctx)
{
	struct bpf_cpumask *m, *old;
	struct stash *s = stash_get();
	int ret;

	if (!s)
		return 2;
	m = bpf_cpumask_create();
	if (!m)
		return 3;
	bpf_cpumask_set_cpu(0, m);
	old = bpf_kptr_xchg(&s->mask, m);
	if (old)
		bpf_cpumask_release(old);
	m = bpf_kptr_xchg(&s->mask, NULL);
	if (!m)
		return 4;
	ret = bpf_cpumask_test_cpu(0, cast(m)) ? 1 : 5;
	bpf_cpumask_release(m);
	return ret;
}

/* a reference to the calling task kept in the map */
SEC("syscall")
int kptr_task_stash(void *ctx)
{
	struct task_struct *t, *old;
	struct stash *s = stash_get();
	int ret = 1;

	if (!s)
		return 2;
	t = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	if (!t)
		return 3;
	old = bpf_kptr_xchg(&s->task, t);
	if (old)
		bpf_task_release(old);
	t = bpf_kptr_xchg(&s->task, NULL);
	if (!t)
		return 4;
	if (t->tgid != bpf_get_current_pid_tgid() >> 32)
		ret = 5;
	bpf_task_release(t);
	return ret;
}

/* a stashed cpumask read in place under RCU, without taking it out */
SEC("syscall")
int kptr_rcu_read(void *ctx)
{
	struct bpf_cpumask *m, *old;
	struct stash *s = stash_get();
	int ret = 1;

	if (!s)
		return 2;
	m = bpf_cpumask_create();
	if (!m)
		return 3;
	bpf_cpumask_set_cpu(0, m);
	old = bpf_kptr_xchg(&s->mask, m);
	if (old)
		bpf_cpumask_release(old);
	bpf_rcu_read_lock();
	m = s->mask;
	if (!m || !bpf_cpumask_test_cpu(0, cast(m)))
		ret = 4;
	bpf_rcu_read_unlock();
	/* leave the map empty */
	m = bpf_kptr_xchg(&s->mask, NULL);
	if (m)
		bpf_cpumask_release(m);
	return ret;
}

/* what comes out of the map is a reference too */
SEC("syscall")
int kptr_old_leaked(void *ctx)
{
	struct bpf_cpumask *m;
	struct stash *s = stash_get();

	if (!s)
		return 0;
	m = bpf_cpumask_create();
	if (!m)
		return 0;
	bpf_kptr_xchg(&s->mask, m);
	return 1;
}

/* only an owned reference can be stored */
SEC("syscall")
int kptr_store_unreferenced(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *old;
	struct stash *s = stash_get();

	if (!s)
		return 0;
	old = bpf_kptr_xchg(&s->task, cur);
	if (old)
		bpf_task_release(old);
	return 1;
}

/* a referenced kptr field is written only through bpf_kptr_xchg */
SEC("syscall")
int kptr_direct_store(void *ctx)
{
	struct bpf_cpumask *m;
	struct stash *s = stash_get();

	if (!s)
		return 0;
	m = bpf_cpumask_create();
	if (!m)
		return 0;
	s->mask = m;
	return 1;
}

/* a number written into the field would come back out as a "mask" */
SEC("syscall")
int kptr_forged(void *ctx)
{
	struct bpf_cpumask *m;
	struct stash *s = stash_get();

	if (!s)
		return 0;
	*(volatile __u64 *)&s->mask = 0x1000;
	m = bpf_kptr_xchg(&s->mask, NULL);
	if (m) {
		bpf_cpumask_set_cpu(0, m);
		bpf_cpumask_release(m);
	}
	return 1;
}

/* the exchanged-out value may be NULL */
SEC("syscall")
int kptr_null_check_missing(void *ctx)
{
	struct bpf_cpumask *m;
	struct stash *s = stash_get();

	if (!s)
		return 0;
	m = bpf_kptr_xchg(&s->mask, NULL);
	bpf_cpumask_release(m);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
