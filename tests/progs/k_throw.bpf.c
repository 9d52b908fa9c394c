// SPDX-License-Identifier: BSD-2-Clause
/*
 * BPF exceptions: bpf_throw(cookie) ends the program from any frame depth
 * (main, a static or global subprogram), unwinding every frame; without
 * an exception callback the program returns the cookie.  At a throw every
 * reference held in any frame is a leak (iterators too), and open RCU /
 * irq / preemption sections are errors even in a subprogram.  No callback
 * subprogram (bpf_loop's) may throw, nor anything it calls.
 * The exception callback itself: throw_cb.bpf.c.
 */
// EXPECT(throw_main): ACCEPT
// RETVAL(throw_main): 7
// EXPECT(throw_not_taken): ACCEPT
// RETVAL(throw_not_taken): 1
// EXPECT(throw_subprog): ACCEPT
// RETVAL(throw_subprog): 16
// EXPECT(throw_deep): ACCEPT
// RETVAL(throw_deep): 33
// EXPECT(throw_global): ACCEPT
// RETVAL(throw_global): 21
// EXPECT(throw_loop_cb): REJECT bpf_throw kfunc (insn 16) cannot be called from callback subprog 1
// EXPECT(throw_released): ACCEPT
// RETVAL(throw_released): 9
// EXPECT(throw_leak): REJECT Unreleased reference id=2 alloc_insn=0
// EXPECT(throw_leak_sub): REJECT Unreleased reference id=2 alloc_insn=0
// EXPECT(throw_rcu): REJECT bpf_throw cannot be used inside bpf_rcu_read_lock-ed region
// EXPECT(throw_rcu_sub): REJECT bpf_throw cannot be used inside bpf_rcu_read_lock-ed region
// EXPECT(throw_preempt): REJECT bpf_throw cannot be used inside bpf_preempt_disable-ed region
// EXPECT(throw_iter): REJECT Unreleased reference id=1 alloc_insn=6
// EXPECT(throw_locked): REJECT function calls are not allowed while holding a lock
// EXPECT(throw_locked_sub): REJECT function calls are not allowed while holding a lock
#include "k_common.h"

extern void bpf_throw(__u64 cookie) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;
struct cpumask {
	unsigned long bits[1];
} __attribute__((preserve_access_index));
struct bpf_cpumask {
	struct cpumask cpumask;
	int usage;
} __attribute__((preserve_access_index));
extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;

/* a value the verifier does not know */
volatile int k_zero;

SEC("syscall")
int throw_main(void *ctx)
{
	bpf_throw(7);
	return 1;
}

SEC("syscall")
int throw_not_taken(void *ctx)
{
	if (k_zero)
		bpf_throw(7);
	return 1;
}

static __noinline int throw_if_big(int x)
{
	if (x > 10)
		bpf_throw((__u64)x);
	return x;
}

SEC("syscall")
int throw_subprog(void *ctx)
{
	int s = 0;

	for (int i = 0; i < 6; i++)
		s += throw_if_big(s + 4 + k_zero);
	return s;
}

static __noinline int level3(int x)
{
	if (x == 33)
		bpf_throw(33);
	return x;
}

static __noinline int level2(int x)
{
	return level3(x + 11) + 1;
}

static __noinline int level1(int x)
{
	return level2(x + 11) + 1;
}

SEC("syscall")
int throw_deep(void *ctx)
{
	return level1(11 + k_zero);
}

__noinline int global_thrower(int x)
{
	if (x > 20)
		bpf_throw(21);
	return x;
}

SEC("syscall")
int throw_global(void *ctx)
{
	return global_thrower(k_zero + 30);
}

static int loop_cb(__u32 i, void *data)
{
	*(__u64 *)data += i;
	if (i == 3)
		bpf_throw(100 + i);
	return 0;
}

SEC("syscall")
int throw_loop_cb(void *ctx)
{
	__u64 sum = 0;

	bpf_loop(10, loop_cb, &sum, 0);
	return (int)sum;
}

SEC("syscall")
int throw_released(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_throw(9);
	return 1;
}

SEC("syscall")
int throw_leak(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	if (k_zero)
		bpf_throw(1);
	bpf_cpumask_release(m);
	return 0;
}

static __noinline int throw_in_callee(int x)
{
	if (x)
		bpf_throw(2);
	return 0;
}

SEC("syscall")
int throw_leak_sub(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	throw_in_callee(k_zero);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int throw_rcu(void *ctx)
{
	bpf_rcu_read_lock();
	if (k_zero)
		bpf_throw(1);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int throw_rcu_sub(void *ctx)
{
	bpf_rcu_read_lock();
	throw_in_callee(k_zero);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int throw_preempt(void *ctx)
{
	bpf_preempt_disable();
	if (k_zero)
		bpf_throw(1);
	bpf_preempt_enable();
	return 0;
}

SEC("syscall")
int throw_iter(void *ctx)
{
	struct bpf_iter_num it;
	int *v, s = 0;

	bpf_iter_num_new(&it, 0, 5);
	while ((v = bpf_iter_num_next(&it))) {
		if (*v == 3)
			bpf_throw(3);
		s += *v;
	}
	bpf_iter_num_destroy(&it);
	return s;
}


struct locked_val {
	struct bpf_spin_lock lock;
	long n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct locked_val);
} locked SEC(".maps");

SEC("syscall")
int throw_locked(void *ctx)
{
	int k = 0;
	struct locked_val *v = bpf_map_lookup_elem(&locked, &k);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (k_zero)
		bpf_throw(1);
	bpf_spin_unlock(&v->lock);
	return 0;
}

static __noinline int locked_thrower(struct locked_val *v)
{
	bpf_spin_lock(&v->lock);
	if (v->n)
		bpf_throw(2);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int throw_locked_sub(void *ctx)
{
	int k = 0;
	struct locked_val *v = bpf_map_lookup_elem(&locked, &k);

	if (!v)
		return 0;
	return locked_thrower(v);
}

char _license[] SEC("license") = "GPL";
