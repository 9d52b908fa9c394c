// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_timer: init, set_callback, start, cancel on a map value's struct
 * bpf_timer, the callback verified as an async callback (map, key, value;
 * R0 == 0; its own references), and the kernel's refusals.  Programs that
 * arm a timer use a long expiry and cancel it, so the kernel's test run
 * fires nothing.  test_timer runs timer_fire in bpfhost and watches the
 * callback count.
 */
// EXPECT(timer_setup): ACCEPT
// RETVAL(timer_setup): 1
// EXPECT(timer_errors): ACCEPT
// RETVAL(timer_errors): 1
// EXPECT(timer_fire): ACCEPT
// RETVAL(timer_fire): 1
// EXPECT(timer_hash): ACCEPT
// RETVAL(timer_hash): 1
// EXPECT(timer_hash_fire): ACCEPT
// RETVAL(timer_hash_fire): 1
// EXPECT(timer_many): ACCEPT
// (no RETVAL: in a test run the 6.18 kernel's bpf_timer_init fails with -ENOMEM
// for 60 to 100 of the 256, so it arms fewer; bpfhost arms all)
// EXPECT(timer_cb_ret1): REJECT At async callback return the register R0 has smin=1 smax=1 should have been in [0, 0]
// EXPECT(timer_cb_leak): REJECT Unreleased reference id=
// EXPECT(timer_cb_sleep): REJECT program must be sleepable to call sleepable kfunc bpf_copy_from_user_str
// EXPECT(timer_wrong_map): REJECT timer pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0
// EXPECT(timer_wrong_off): REJECT off 0 doesn't point to 'struct bpf_timer' that is at 8
// EXPECT(timer_no_timer): REJECT map 'plain' has no valid bpf_timer
// EXPECT(timer_stack): REJECT R1 type=fp expected=map_value
// EXPECT(timer_touch): REJECT bpf_timer cannot be accessed directly by load/store
// EXPECT(timer_var_off): REJECT R1 doesn't have constant offset. bpf_timer has to be at the constant offset
#include "k_common.h"

#define CLOCK_MONOTONIC 1
#define LONG_NS (3600ull * 1000000000ull)
#define BPF_F_TIMER_ABS 1 /* not in the system's (6.1) <linux/bpf.h> */

struct elem {
	long hits;
	struct bpf_timer t;
	long arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, long);
	__type(value, struct elem);
} htimers SEC(".maps");

struct plain_v {
	long a;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct plain_v);
} plain SEC(".maps");

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

volatile int idx;

extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz,
				  const void *unsafe_ptr__ign,
				  __u64 flags) __ksym;

/* counts its firings; re-arms itself while arg says so */
static int count_cb(void *map, int *key, struct elem *e)
{
	e->hits++;
	if (e->arg > 0) {
		e->arg--;
		bpf_timer_start(&e->t, 1000, 0);
	}
	return 0;
}

static struct elem *get(int k)
{
	return bpf_map_lookup_elem(&timers, &k);
}

SEC("syscall")
int timer_setup(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	if (bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC))
		return 0;
	if (bpf_timer_set_callback(&e->t, count_cb))
		return 0;
	if (bpf_timer_start(&e->t, LONG_NS, 0))
		return 0;
	/* it was armed: cancel says 1 */
	return bpf_timer_cancel(&e->t) == 1;
}

/* the error codes: init twice -EBUSY, a bad clock -EINVAL, start before
 * set_callback -EINVAL, bad start flags -EINVAL, cancel of an idle timer
 * 0, of an uninitialised one -EINVAL */
SEC("syscall")
int timer_errors(void *ctx)
{
	struct elem *a = get(1), *b = get(2);

	if (!a || !b)
		return 0;
	if (bpf_timer_cancel(&b->t) != -22)
		return 0;
	if (bpf_timer_init(&b->t, &timers, 3 /* CLOCK_THREAD_CPUTIME_ID */) !=
	    -22)
		return 0;
	if (bpf_timer_init(&a->t, &timers, CLOCK_MONOTONIC))
		return 0;
	if (bpf_timer_init(&a->t, &timers, CLOCK_MONOTONIC) != -16)
		return 0;
	if (bpf_timer_start(&a->t, 1000, 0) != -22)
		return 0;
	bpf_timer_set_callback(&a->t, count_cb);
	if (bpf_timer_start(&a->t, 1000, 4) != -22)
		return 0;
	return bpf_timer_cancel(&a->t) == 0;
}

/* arms element 3 to fire after 1 us, 1 + arg times in all */
SEC("syscall")
int timer_fire(void *ctx)
{
	struct elem *e = get(3);

	if (!e)
		return 0;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, count_cb);
	return bpf_timer_start(&e->t, 1000, 0) == 0;
}

SEC("syscall")
int timer_hash(void *ctx)
{
	struct elem init = {}, *e;
	long k = 5;

	bpf_map_update_elem(&htimers, &k, &init, 0);
	e = bpf_map_lookup_elem(&htimers, &k);
	if (!e)
		return 0;
	bpf_timer_init(&e->t, &htimers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, count_cb);
	bpf_timer_start(&e->t, LONG_NS, 0);
	/* deleting the element cancels and frees its timer */
	return bpf_map_delete_elem(&htimers, &k) == 0;
}

/* a hash element's callback sees its key */
static int key_cb(void *map, long *key, struct elem *e)
{
	e->arg = *key;
	e->hits++;
	return 0;
}

SEC("syscall")
int timer_hash_fire(void *ctx)
{
	struct elem init = {}, *e;
	long k = 7;

	bpf_map_update_elem(&htimers, &k, &init, 0);
	e = bpf_map_lookup_elem(&htimers, &k);
	if (!e)
		return 0;
	bpf_timer_init(&e->t, &htimers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, key_cb);
	return bpf_timer_start(&e->t, 1000, 0) == 0;
}

/* 256 timers armed at absolute expiries in a shuffled order, 20 ms
 * ahead: they fire in the order of their expiries (test_timer checks) */
#define MANY 256

struct many_elem {
	long order;
	struct bpf_timer t;
	long due;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MANY);
	__type(key, int);
	__type(value, struct many_elem);
} many SEC(".maps");

long fired;

static int order_cb(void *map, int *key, struct many_elem *e)
{
	e->order = __sync_fetch_and_add(&fired, 1);
	return 0;
}

struct arm_ctx {
	__u64 base;
	long armed;
};

static long arm_one(__u64 i, struct arm_ctx *c)
{
	int k = (int)i;
	struct many_elem *e = bpf_map_lookup_elem(&many, &k);

	if (!e)
		return 1;
	/* a permutation of 0..255 (97 is odd), 20 us apart, absolute */
	e->due = (long)((i * 97) % MANY) * 20000;
	bpf_timer_init(&e->t, &many, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, order_cb);
	if (!bpf_timer_start(&e->t, c->base + e->due, BPF_F_TIMER_ABS))
		c->armed++;
	return 0;
}

SEC("syscall")
int timer_many(void *ctx)
{
	struct arm_ctx c = {.base = bpf_ktime_get_ns() + 20000000};

	bpf_loop(MANY, arm_one, &c, 0);
	return c.armed;
}

static int ret1_cb(void *map, int *key, struct elem *e)
{
	return 1;
}

SEC("syscall")
int timer_cb_ret1(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, ret1_cb);
	return 0;
}

static int leak_cb(void *map, int *key, struct elem *e)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		e->arg = 1;
	return 0;
}

SEC("syscall")
int timer_cb_leak(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, leak_cb);
	return 0;
}

/* a timer's callback does not run in process context: no sleeping
 * (a bpf_wq's may, k_wq.bpf.c) */
static int sleep_cb(void *map, int *key, struct elem *e)
{
	char buf[8];

	bpf_copy_from_user_str(buf, sizeof(buf), (void *)0, 0);
	return 0;
}

SEC("syscall")
int timer_cb_sleep(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	bpf_timer_set_callback(&e->t, sleep_cb);
	return 0;
}

SEC("syscall")
int timer_wrong_map(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	return bpf_timer_init(&e->t, &htimers, CLOCK_MONOTONIC);
}

SEC("syscall")
int timer_wrong_off(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	return bpf_timer_init((struct bpf_timer *)e, &timers, CLOCK_MONOTONIC);
}

SEC("syscall")
int timer_no_timer(void *ctx)
{
	int k = 0;
	struct plain_v *p = bpf_map_lookup_elem(&plain, &k);

	if (!p)
		return 0;
	return bpf_timer_init((struct bpf_timer *)p, &plain, CLOCK_MONOTONIC);
}

SEC("syscall")
int timer_stack(void *ctx)
{
	struct bpf_timer t;

	return bpf_timer_init(&t, &timers, CLOCK_MONOTONIC);
}

SEC("syscall")
int timer_touch(void *ctx)
{
	struct elem *e = get(0);

	if (!e)
		return 0;
	return *(long *)&e->t;
}

SEC("syscall")
int timer_var_off(void *ctx)
{
	struct elem *e = get(0);
	int i = idx & 1;

	if (!e)
		return 0;
	return bpf_timer_init((struct bpf_timer *)((char *)&e->t + i * 8),
			      &timers, CLOCK_MONOTONIC);
}

char _license[] SEC("license") = "GPL";
