// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_spin_lock/bpf_spin_unlock on a map value's struct bpf_spin_lock:
 * the region they guard, and every misuse the kernel refuses (two
 * locks, a call or an exit inside, unlock without or of another lock,
 * the lock not at its offset, a map without one, direct access, a lock
 * on the stack), and a lock in global data.  test_spin_lock runs lock_ok
 * from several threads.
 */
// EXPECT(lock_ok): ACCEPT
// RETVAL(lock_ok): 1
// EXPECT(lock_twice): REJECT function calls are not allowed while holding a lock
// EXPECT(no_unlock): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region
// EXPECT(unlock_only): REJECT bpf_spin_unlock without taking a lock
// EXPECT(unlock_other): REJECT bpf_spin_unlock of different lock
// EXPECT(call_in_lock): REJECT function calls are not allowed while holding a lock
// EXPECT(wrong_off): REJECT off 0 doesn't point to 'struct bpf_spin_lock' that is at 4
// EXPECT(no_lock_in_map): REJECT map 'plains' has no valid bpf_spin_lock
// EXPECT(touch_lock): REJECT bpf_spin_lock cannot be accessed directly by load/store
// EXPECT(lock_stack): REJECT R1 type=fp expected=map_value, ptr_
// EXPECT(lock_global): ACCEPT
// RETVAL(lock_global): 1
// EXPECT(global_unlock_other): REJECT bpf_spin_unlock of different lock
// EXPECT(global_no_lock): REJECT has no valid bpf_spin_lock
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val {
	int cnt;
	struct bpf_spin_lock lock;
	long sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct val);
} vals SEC(".maps");

struct plain { long a; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct plain);
} plains SEC(".maps");

static struct val *get(int k)
{
	return bpf_map_lookup_elem(&vals, &k);
}

SEC("syscall")
int lock_ok(void *ctx)
{
	struct val *v = get(0);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	v->sum += 5;
	bpf_spin_unlock(&v->lock);
	return v->cnt;
}

SEC("syscall")
int lock_twice(void *ctx)
{
	struct val *a = get(0), *b = get(1);

	if (!a || !b)
		return 0;
	bpf_spin_lock(&a->lock);
	bpf_spin_lock(&b->lock);
	bpf_spin_unlock(&b->lock);
	bpf_spin_unlock(&a->lock);
	return 0;
}

SEC("syscall")
int no_unlock(void *ctx)
{
	struct val *v = get(0);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	return 0;
}

SEC("syscall")
int unlock_only(void *ctx)
{
	struct val *v = get(0);

	if (!v)
		return 0;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int unlock_other(void *ctx)
{
	struct val *a = get(0), *b = get(1);

	if (!a || !b)
		return 0;
	bpf_spin_lock(&a->lock);
	bpf_spin_unlock(&b->lock);
	return 0;
}

SEC("syscall")
int call_in_lock(void *ctx)
{
	struct val *v = get(0);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt = bpf_get_prandom_u32();
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int wrong_off(void *ctx)
{
	struct val *v = get(0);

	if (!v)
		return 0;
	bpf_spin_lock((void *)&v->cnt);
	bpf_spin_unlock((void *)&v->cnt);
	return 0;
}

SEC("syscall")
int no_lock_in_map(void *ctx)
{
	int k = 0;
	struct plain *p = bpf_map_lookup_elem(&plains, &k);

	if (!p)
		return 0;
	bpf_spin_lock((void *)p);
	bpf_spin_unlock((void *)p);
	return 0;
}

SEC("syscall")
int touch_lock(void *ctx)
{
	struct val *v = get(0);

	if (!v)
		return 0;
	return *(int *)&v->lock;
}

SEC("syscall")
int lock_stack(void *ctx)
{
	struct bpf_spin_lock l = {};

	bpf_spin_lock(&l);
	bpf_spin_unlock(&l);
	return 0;
}

/* a lock in global data: its own section, as the kernel's selftests
 * place one (a map value whose type is the section's) */
#define __hidden __attribute__((visibility("hidden")))
struct bpf_spin_lock glock __hidden SEC(".data.glk");
long glk_count __hidden SEC(".data.glk");
long plain_global __hidden SEC(".data.noglk");

SEC("syscall")
int lock_global(void *ctx)
{
	long n;

	bpf_spin_lock(&glock);
	n = ++glk_count;
	bpf_spin_unlock(&glock);
	return n;
}

SEC("syscall")
int global_unlock_other(void *ctx)
{
	struct val *v = get(0);

	if (!v)
		return 0;
	bpf_spin_lock(&glock);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("syscall")
int global_no_lock(void *ctx)
{
	bpf_spin_lock((struct bpf_spin_lock *)&plain_global);
	bpf_spin_unlock((struct bpf_spin_lock *)&plain_global);
	return 0;
}

char _license[] SEC("license") = "GPL";
