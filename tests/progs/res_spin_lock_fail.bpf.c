// SPDX-License-Identifier: BSD-2-Clause
/*
 * Misuses of the resilient spin lock kfuncs the kernel refuses, with its
 * messages: a lock that is not a map value's (stack, maybe-NULL, a
 * program object, whose records have no bpf_res_spin_lock), the same lock
 * twice on one path (AA), the result not checked, the unlock of another
 * lock or out of order, the exit with a lock held, the lock not at its
 * offset or at a variable one, a map without one, calls inside, the irq
 * flag of one family restored by the other, the bpf_spin_lock unlock of
 * a resilient lock, and a load of the lock itself.
 */
// EXPECT(on_stack): REJECT arg#0 doesn't point to map value or allocated object
// EXPECT(maybe_null): REJECT arg#0 doesn't point to map value or allocated object
// EXPECT(in_object): REJECT local 'kptr' has no valid bpf_res_spin_lock
// EXPECT(same_twice): REJECT Acquiring the same lock again, AA deadlock detected
// EXPECT(same_twice_irq): REJECT Acquiring the same lock again, AA deadlock detected
// EXPECT(unchecked): REJECT bpf_res_spin_unlock without taking a lock
// EXPECT(unlock_other): REJECT bpf_res_spin_unlock of different lock
// EXPECT(unlock_ooo): REJECT bpf_res_spin_unlock cannot be out of order
// EXPECT(exit_held): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region
// EXPECT(exit_held_fail_path): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region
// EXPECT(bad_off): REJECT off 0 doesn't point to 'struct bpf_res_spin_lock' that is at 8
// EXPECT(var_off): REJECT R1 doesn't have constant offset. bpf_res_spin_lock has to be at the constant offset
// EXPECT(no_lock_map): REJECT map 'plain' has no valid bpf_res_spin_lock
// EXPECT(helper_inside): REJECT function calls are not allowed while holding a lock
// EXPECT(kfunc_inside): REJECT function calls are not allowed while holding a lock
// EXPECT(global_inside): REJECT global function calls are not allowed while holding a lock
// EXPECT(irqsave_plain_unlock): REJECT bpf_res_spin_unlock of different lock
// EXPECT(plain_irqrestore): REJECT bpf_res_spin_unlock of different lock
// EXPECT(native_flag): REJECT irq flag acquired by native kfuncs cannot be restored with lock kfuncs
// EXPECT(flag_uninit): REJECT expected an initialized irq flag as arg#1
// EXPECT(spin_unlock_res): REJECT bpf_spin_unlock of different lock
// EXPECT(touch_lock): REJECT bpf_res_spin_lock cannot be accessed directly by load/store
// EXPECT(unlock_nothing): REJECT bpf_res_spin_unlock without taking a lock
// EXPECT(spin_unlock_ooo): REJECT bpf_spin_unlock cannot be out of order
// EXPECT(spin_lock_inside): REJECT function calls are not allowed while holding a lock
// EXPECT(which_lock): REJECT bpf_res_spin_unlock of different lock
// EXPECT(lock_in_loop): REJECT Acquiring the same lock again, AA deadlock detected
// EXPECT(global_bad_off): REJECT off 0 doesn't point to 'struct bpf_res_spin_lock' that is at 8
// EXPECT(global_touch): REJECT bpf_res_spin_lock cannot be accessed directly by load/store
// EXPECT(callback_keeps_lock): REJECT function calls are not allowed while holding a lock
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bpf_res_spin_lock {
	__u32 val;
};

extern int bpf_res_spin_lock(struct bpf_res_spin_lock *lock) __ksym;
extern void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock) __ksym;
extern int bpf_res_spin_lock_irqsave(struct bpf_res_spin_lock *lock,
				     unsigned long *flags__irq_flag) __ksym;
extern void bpf_res_spin_unlock_irqrestore(struct bpf_res_spin_lock *lock,
					   unsigned long *flags__irq_flag) __ksym;
extern void bpf_local_irq_save(unsigned long *flags__irq_flag) __ksym;
extern void bpf_local_irq_restore(unsigned long *flags__irq_flag) __ksym;
extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;

#define __hidden __attribute__((visibility("hidden")))

struct elem {
	long a;
	struct bpf_res_spin_lock lock;
	int b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} elems SEC(".maps");

struct plain_val {
	long a, b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct plain_val);
} plain SEC(".maps");

struct locked {
	struct bpf_spin_lock lock;
	int n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct locked);
} plain_locked SEC(".maps");

struct first {
	struct bpf_res_spin_lock lock;
	int n;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct first);
} firsts SEC(".maps");

struct bpf_res_spin_lock glock_x __hidden SEC(".data.gx");
struct bpf_res_spin_lock glock_y __hidden SEC(".data.gy");
int gindex;

static struct elem *get(int k)
{
	return bpf_map_lookup_elem(&elems, &k);
}

SEC("syscall")
int on_stack(void *ctx)
{
	struct bpf_res_spin_lock l = {};

	if (bpf_res_spin_lock(&l))
		return 0;
	bpf_res_spin_unlock(&l);
	return 0;
}

SEC("syscall")
int maybe_null(void *ctx)
{
	int k = 0;
	struct first *e = bpf_map_lookup_elem(&firsts, &k);

	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

struct obj {
	int v;
	struct bpf_res_spin_lock lock;
};

SEC("syscall")
int in_object(void *ctx)
{
	struct obj *o = bpf_obj_new_impl(bpf_core_type_id_local(struct obj),
					 NULL);

	if (!o)
		return 0;
	if (!bpf_res_spin_lock(&o->lock))
		bpf_res_spin_unlock(&o->lock);
	bpf_obj_drop_impl(o, NULL);
	return 0;
}

SEC("syscall")
int same_twice(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_res_spin_lock(&e->lock);
	return 0;
}

SEC("syscall")
int same_twice_irq(void *ctx)
{
	struct elem *e = get(0);
	unsigned long f1, f2;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &f1))
		return 0;
	bpf_res_spin_lock_irqsave(&e->lock, &f2);
	return 0;
}

/* the path where the lock failed unlocks nothing it holds */
SEC("syscall")
int unchecked(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	bpf_res_spin_lock(&e->lock);
	e->a++;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

SEC("syscall")
int unlock_other(void *ctx)
{
	struct elem *e = get(0), *f = get(1);

	if (!e || !f)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_res_spin_unlock(&f->lock);
	return 0;
}

SEC("syscall")
int unlock_ooo(void *ctx)
{
	if (bpf_res_spin_lock(&glock_x))
		return 0;
	if (bpf_res_spin_lock(&glock_y)) {
		bpf_res_spin_unlock(&glock_x);
		return 0;
	}
	bpf_res_spin_unlock(&glock_x);
	bpf_res_spin_unlock(&glock_y);
	return 0;
}

SEC("syscall")
int exit_held(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	return 1;
}

/* the inner lock failed, the outer one is still held */
SEC("syscall")
int exit_held_fail_path(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&glock_x))
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 1;
	bpf_res_spin_unlock(&e->lock);
	bpf_res_spin_unlock(&glock_x);
	return 0;
}

SEC("syscall")
int bad_off(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (!bpf_res_spin_lock((struct bpf_res_spin_lock *)&e->a))
		bpf_res_spin_unlock((struct bpf_res_spin_lock *)&e->a);
	return 0;
}

SEC("syscall")
int var_off(void *ctx)
{
	struct elem *e = get(0);
	unsigned int i = gindex & 8;
	struct bpf_res_spin_lock *l;

	if (!e)
		return 0;
	l = (void *)e + i;
	if (!bpf_res_spin_lock(l))
		bpf_res_spin_unlock(l);
	return 0;
}

SEC("syscall")
int no_lock_map(void *ctx)
{
	int k = 0;
	struct plain_val *p = bpf_map_lookup_elem(&plain, &k);

	if (!p)
		return 0;
	if (!bpf_res_spin_lock((struct bpf_res_spin_lock *)&p->b))
		bpf_res_spin_unlock((struct bpf_res_spin_lock *)&p->b);
	return 0;
}

SEC("syscall")
int helper_inside(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	e->a = bpf_ktime_get_ns();
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

SEC("syscall")
int kfunc_inside(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	bpf_rcu_read_lock();
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

__attribute__((noinline)) int global_add(struct elem *e)
{
	if (!e)
		return 0;
	e->a++;
	return 1;
}

SEC("syscall")
int global_inside(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return 0;
	global_add(e);
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

SEC("syscall")
int irqsave_plain_unlock(void *ctx)
{
	unsigned long f;

	if (bpf_res_spin_lock_irqsave(&glock_x, &f))
		return 0;
	bpf_res_spin_unlock(&glock_x);
	return 0;
}

SEC("syscall")
int plain_irqrestore(void *ctx)
{
	unsigned long f;

	bpf_local_irq_save(&f);
	if (bpf_res_spin_lock(&glock_x)) {
		bpf_local_irq_restore(&f);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&glock_x, &f);
	return 0;
}

/* the lock is right (taken by _irqsave), the flag is bpf_local_irq's */
SEC("syscall")
int native_flag(void *ctx)
{
	unsigned long f1, f2;

	bpf_local_irq_save(&f1);
	if (bpf_res_spin_lock_irqsave(&glock_x, &f2)) {
		bpf_local_irq_restore(&f1);
		return 0;
	}
	bpf_res_spin_unlock_irqrestore(&glock_x, &f1);
	bpf_local_irq_restore(&f2);
	return 0;
}

/* the lock is right, its flag is another slot, never saved */
SEC("syscall")
int flag_uninit(void *ctx)
{
	unsigned long f1, f2;

	if (bpf_res_spin_lock_irqsave(&glock_x, &f1))
		return 0;
	bpf_res_spin_unlock_irqrestore(&glock_x, &f2);
	return 0;
}

SEC("syscall")
int spin_unlock_res(void *ctx)
{
	int k = 0;
	struct locked *l = bpf_map_lookup_elem(&plain_locked, &k);

	if (!l)
		return 0;
	if (bpf_res_spin_lock(&glock_x))
		return 0;
	bpf_spin_unlock(&l->lock);
	return 0;
}

SEC("syscall")
int touch_lock(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	return *(volatile __u32 *)&e->lock;
}

SEC("syscall")
int unlock_nothing(void *ctx)
{
	bpf_res_spin_unlock(&glock_x);
	return 0;
}

/* a bpf_spin_lock region may hold a resilient lock, released first */
SEC("syscall")
int spin_unlock_ooo(void *ctx)
{
	int k = 0;
	struct locked *l = bpf_map_lookup_elem(&plain_locked, &k);

	if (!l)
		return 0;
	bpf_spin_lock(&l->lock);
	if (bpf_res_spin_lock(&glock_x)) {
		bpf_spin_unlock(&l->lock);
		return 0;
	}
	bpf_spin_unlock(&l->lock);
	bpf_res_spin_unlock(&glock_x);
	return 0;
}

SEC("syscall")
int spin_lock_inside(void *ctx)
{
	int k = 0;
	struct locked *l = bpf_map_lookup_elem(&plain_locked, &k);

	if (!l)
		return 0;
	if (bpf_res_spin_lock(&glock_x))
		return 0;
	bpf_spin_lock(&l->lock);
	bpf_spin_unlock(&l->lock);
	bpf_res_spin_unlock(&glock_x);
	return 0;
}

/* the two paths join holding different locks: no pruning may merge
 * them, and the one holding glock_y unlocks the wrong one */
SEC("syscall")
int which_lock(void *ctx)
{
	if (gindex) {
		if (bpf_res_spin_lock(&glock_x))
			return 0;
	} else {
		if (bpf_res_spin_lock(&glock_y))
			return 0;
	}
	gindex++;
	bpf_res_spin_unlock(&glock_x);
	return 0;
}

/* a loop that takes a lock it does not release takes it twice */
SEC("syscall")
int lock_in_loop(void *ctx)
{
	int i;

	for (i = 0; i < 2; i++)
		if (bpf_res_spin_lock(&glock_y))
			break;
	return 0;
}

/* a section whose lock is its second variable, at offset 8 */
long glk2_first __hidden SEC(".data.glk2");
struct bpf_res_spin_lock glk2_lock __hidden SEC(".data.glk2");

SEC("syscall")
int global_bad_off(void *ctx)
{
	struct bpf_res_spin_lock *l = (void *)&glk2_first;

	if (!bpf_res_spin_lock(l))
		bpf_res_spin_unlock(l);
	return 0;
}

SEC("syscall")
int global_touch(void *ctx)
{
	return *(volatile __u32 *)&glk2_lock;
}

static int keep_cb(__u32 i, void *ctx)
{
	if (bpf_res_spin_lock(&glock_y))
		return 1;
	return 0;
}

/* a callback returning with the lock held: bpf_loop itself is a call
 * inside the lock when the callback is verified again */
SEC("syscall")
int callback_keeps_lock(void *ctx)
{
	bpf_loop(2, keep_cb, NULL, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
