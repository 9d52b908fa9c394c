// SPDX-License-Identifier: BSD-2-Clause
/*
 * The resilient spin lock kfuncs (Linux 6.15+) used as the kernel allows:
 * a bpf_res_spin_lock in a map value or in global data (its own .data.*
 * section), held only where the lock call
 * returned 0, several at once released newest first, the _irqsave forms
 * with a flag on the stack, static calls inside, a bpf_spin_lock region
 * around one.  At run time a lock this thread holds is refused with
 * -EDEADLK (35, AA), and once 31 locks are held a re-take is not seen by
 * the held-lock table and ends after 250 ms with -ETIMEDOUT (110).
 * test_spin_lock runs count_one from several threads.
 */
// EXPECT(count_one): ACCEPT
// RETVAL(count_one): 1
// EXPECT(aa_at_run_time): ACCEPT
// RETVAL(aa_at_run_time): 35
// EXPECT(nested_global): ACCEPT
// RETVAL(nested_global): 3
// EXPECT(irqsave_pair): ACCEPT
// RETVAL(irqsave_pair): 7
// EXPECT(irqsave_nested): ACCEPT
// RETVAL(irqsave_nested): 2
// EXPECT(inside_native_irq): ACCEPT
// RETVAL(inside_native_irq): 1
// EXPECT(static_call_inside): ACCEPT
// RETVAL(static_call_inside): 10
// EXPECT(unlock_in_callee): ACCEPT
// RETVAL(unlock_in_callee): 1
// EXPECT(allowed_inside): ACCEPT
// RETVAL(allowed_inside): 6
// EXPECT(inside_spin_lock): ACCEPT
// RETVAL(inside_spin_lock): 2
// EXPECT(fail_path_value): ACCEPT
// RETVAL(fail_path_value): 0
// EXPECT(in_loop_callback): ACCEPT
// RETVAL(in_loop_callback): 4
// EXPECT(global_second_var): ACCEPT
// RETVAL(global_second_var): 8
// EXPECT(held_table_timeout): ACCEPT
// RETVAL(held_table_timeout): 110
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* the uapi struct (newer than the installed headers) */
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

#define EDEADLK 35
#define ETIMEDOUT 110
#define __hidden __attribute__((visibility("hidden")))

struct counted {
	long hits;
	struct bpf_res_spin_lock lock;
	int last;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 40);
	__type(key, int);
	__type(value, struct counted);
} counters SEC(".maps");

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

struct bpf_res_spin_lock glock_a __hidden SEC(".data.ga");
struct bpf_res_spin_lock glock_b __hidden SEC(".data.gb");
long gsum;

static struct counted *counter(int k)
{
	return bpf_map_lookup_elem(&counters, &k);
}

SEC("syscall")
int count_one(void *ctx)
{
	struct counted *c = counter(0);
	long n;

	if (!c)
		return -1;
	if (bpf_res_spin_lock(&c->lock))
		return -2;
	n = ++c->hits;
	bpf_res_spin_unlock(&c->lock);
	return n;
}

/* Two lookups of one element: two pointers the verifier cannot tell
 * apart, one lock at run time, which refuses the second take. */
SEC("syscall")
int aa_at_run_time(void *ctx)
{
	struct counted *a = counter(1), *b = counter(1);
	int r;

	if (!a || !b)
		return -1;
	if (bpf_res_spin_lock(&a->lock))
		return -2;
	r = bpf_res_spin_lock(&b->lock);
	if (!r) {
		bpf_res_spin_unlock(&b->lock);
		bpf_res_spin_unlock(&a->lock);
		return -3;
	}
	bpf_res_spin_unlock(&a->lock);
	return -r;
}

SEC("syscall")
int nested_global(void *ctx)
{
	struct counted *c = counter(2);
	int ret = 0;

	if (!c)
		return -1;
	if (bpf_res_spin_lock(&glock_a))
		return -2;
	ret++;
	if (!bpf_res_spin_lock(&glock_b)) {
		ret++;
		if (!bpf_res_spin_lock(&c->lock)) {
			ret++;
			bpf_res_spin_unlock(&c->lock);
		}
		bpf_res_spin_unlock(&glock_b);
	}
	bpf_res_spin_unlock(&glock_a);
	return ret;
}

SEC("syscall")
int irqsave_pair(void *ctx)
{
	struct counted *c = counter(3);
	unsigned long flags;
	int v;

	if (!c)
		return -1;
	if (bpf_res_spin_lock_irqsave(&c->lock, &flags))
		return -2;
	c->last = 7;
	v = c->last;
	bpf_res_spin_unlock_irqrestore(&c->lock, &flags);
	return v;
}

/* the failure of the inner take leaves only the outer lock and flag */
SEC("syscall")
int irqsave_nested(void *ctx)
{
	struct counted *c = counter(4);
	unsigned long f1, f2;

	if (!c)
		return -1;
	if (bpf_res_spin_lock_irqsave(&glock_a, &f1))
		return -2;
	if (bpf_res_spin_lock_irqsave(&c->lock, &f2)) {
		bpf_res_spin_unlock_irqrestore(&glock_a, &f1);
		return -3;
	}
	bpf_res_spin_unlock_irqrestore(&c->lock, &f2);
	bpf_res_spin_unlock_irqrestore(&glock_a, &f1);
	return 2;
}

SEC("syscall")
int inside_native_irq(void *ctx)
{
	struct counted *c = counter(5);
	unsigned long flags;
	int ret = 0;

	if (!c)
		return -1;
	bpf_local_irq_save(&flags);
	if (!bpf_res_spin_lock(&c->lock)) {
		ret = 1;
		bpf_res_spin_unlock(&c->lock);
	}
	bpf_local_irq_restore(&flags);
	return ret;
}

static __attribute__((noinline)) int add_hits(struct counted *c, int n)
{
	c->hits += n;
	return c->hits;
}

SEC("syscall")
int static_call_inside(void *ctx)
{
	struct counted *c = counter(6);
	int v;

	if (!c)
		return -1;
	if (bpf_res_spin_lock(&c->lock))
		return -2;
	v = add_hits(c, 10);
	bpf_res_spin_unlock(&c->lock);
	return v;
}

static __attribute__((noinline)) int finish(struct counted *c)
{
	c->last = 1;
	bpf_res_spin_unlock(&c->lock);
	return 1;
}

SEC("syscall")
int unlock_in_callee(void *ctx)
{
	struct counted *c = counter(7);

	if (!c)
		return -1;
	if (bpf_res_spin_lock(&c->lock))
		return -2;
	return finish(c);
}

/* bpf_iter_num_* and more bpf_res_spin_lock calls are allowed inside */
SEC("syscall")
int allowed_inside(void *ctx)
{
	struct counted *c = counter(8);
	int *i, sum = 0;
	struct bpf_iter_num it;

	if (!c)
		return -1;
	if (bpf_res_spin_lock(&c->lock))
		return -2;
	bpf_iter_num_new(&it, 0, 4);
	while ((i = bpf_iter_num_next(&it)))
		sum += *i;
	bpf_iter_num_destroy(&it);
	bpf_res_spin_unlock(&c->lock);
	return sum;
}

/* a bpf_res_spin_lock may be taken while a bpf_spin_lock is held */
SEC("syscall")
int inside_spin_lock(void *ctx)
{
	struct locked *l;
	int k = 0, ret = 0;

	l = bpf_map_lookup_elem(&plain_locked, &k);
	if (!l)
		return -1;
	bpf_spin_lock(&l->lock);
	l->n++;
	ret = l->n;
	if (!bpf_res_spin_lock(&glock_b)) {
		ret++;
		bpf_res_spin_unlock(&glock_b);
	}
	bpf_spin_unlock(&l->lock);
	return ret;
}

/* the failed path knows only that the result is in [-4095, -1] */
SEC("syscall")
int fail_path_value(void *ctx)
{
	struct counted *c = counter(9);
	int r;

	if (!c)
		return -1;
	r = bpf_res_spin_lock(&c->lock);
	if (r) {
		if (r >= 0 || r < -4095)
			return 1000; /* dead: the verifier prunes it */
		return 2;
	}
	bpf_res_spin_unlock(&c->lock);
	return r;
}

static int count_cb(__u32 i, void *ctx)
{
	struct counted *c = counter(10);

	if (!c)
		return 1;
	if (bpf_res_spin_lock(&c->lock))
		return 1;
	c->hits++;
	bpf_res_spin_unlock(&c->lock);
	return 0;
}

SEC("syscall")
int in_loop_callback(void *ctx)
{
	return bpf_loop(4, count_cb, NULL, 0);
}

/* the lock is a section's second variable (offset 8) */
long gsec_total __hidden SEC(".data.gsec");
struct bpf_res_spin_lock gsec_lock __hidden SEC(".data.gsec");

SEC("syscall")
int global_second_var(void *ctx)
{
	long v = -1;

	if (!bpf_res_spin_lock(&gsec_lock)) {
		gsec_total += 8;
		v = gsec_total;
		bpf_res_spin_unlock(&gsec_lock);
	}
	return v;
}

/* 33 locks held fill the 31-entry held-lock table; taking the 33rd
 * again is not seen as AA, only the timeout ends it. */
SEC("syscall")
int held_table_timeout(void *ctx)
{
	struct bpf_res_spin_lock *locks[33];
	struct counted *c, *again;
	int i, ret = 0, key;

	for (i = 0; i < 33; i++) {
		key = i;
		c = bpf_map_lookup_elem(&counters, &key);
		if (!c)
			return -1;
		locks[i] = &c->lock;
	}
	key = 32;
	again = bpf_map_lookup_elem(&counters, &key);
	if (!again)
		return -1;
	for (i = 0; i < 33; i++)
		if (bpf_res_spin_lock(locks[i])) {
			ret = -4;
			goto out;
		}
	ret = bpf_res_spin_lock(&again->lock);
	if (!ret) {
		bpf_res_spin_unlock(&again->lock);
		ret = -5;
	} else {
		ret = -ret;
	}
out:
	for (i = i - 1; i >= 0; i--)
		bpf_res_spin_unlock(locks[i]);
	return ret;
}

char _license[] SEC("license") = "GPL";
