// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_wq: work items in a map value (bpf_wq_init, bpf_wq_set_callback_impl,
 * bpf_wq_start), the callback verified as a sleepable async callback, and
 * the kernel's refusals.  test_timer runs wq_start in bpfhost and watches
 * the callback's count.
 */
// EXPECT(wq_start): ACCEPT
// RETVAL(wq_start): 1
// EXPECT(wq_errors): ACCEPT
// RETVAL(wq_errors): 1
// EXPECT(wq_cb_sleepable): ACCEPT
// RETVAL(wq_cb_sleepable): 0
// EXPECT(wq_cb_ret1): REJECT At async callback return the register R0 has smin=1 smax=1 should have been in [0, 0]
// EXPECT(wq_wrong_map): REJECT workqueue pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0
// EXPECT(wq_wrong_off): REJECT off 0 doesn't point to 'struct bpf_wq' that is at 8
// EXPECT(wq_stack): REJECT arg#0 doesn't point to a map value
// EXPECT(wq_no_wq): REJECT map 'wq_plain' has no valid bpf_wq
// EXPECT(wq_touch): REJECT bpf_wq cannot be accessed directly by load/store
#include "k_common.h"

/* not in the system's (6.1) <linux/bpf.h> yet */
struct bpf_wq {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map,
		       unsigned int flags) __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq,
				    int (callback_fn)(void *map, int *key,
						      void *value),
				    unsigned int flags, void *aux__ign) __ksym;
extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz,
				  const void *unsafe_ptr__ign,
				  __u64 flags) __ksym;

struct welem {
	long hits;
	struct bpf_wq w;
	long arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct welem);
} wqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct welem);
} hwqs SEC(".maps");

struct wplain {
	long a;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct wplain);
} wq_plain SEC(".maps");

static int count_cb(void *map, int *key, void *value)
{
	struct welem *e = value;

	e->hits++;
	return 0;
}

static struct welem *wget(int k)
{
	return bpf_map_lookup_elem(&wqs, &k);
}

SEC("syscall")
int wq_start(void *ctx)
{
	struct welem *e = wget(0);

	if (!e)
		return 0;
	bpf_wq_init(&e->w, &wqs, 0);
	if (bpf_wq_set_callback_impl(&e->w, count_cb, 0, NULL))
		return 0;
	return bpf_wq_start(&e->w, 0) == 0;
}

/* start before init or callback -EINVAL, flags -EINVAL, init twice
 * -EBUSY */
SEC("syscall")
int wq_errors(void *ctx)
{
	struct welem *e = wget(1);

	if (!e)
		return 0;
	if (bpf_wq_start(&e->w, 0) != -22)
		return 0;
	if (bpf_wq_init(&e->w, &wqs, 1) != -22)
		return 0;
	if (bpf_wq_init(&e->w, &wqs, 0))
		return 0;
	if (bpf_wq_init(&e->w, &wqs, 0) != -16)
		return 0;
	if (bpf_wq_start(&e->w, 0) != -22)
		return 0;
	if (bpf_wq_set_callback_impl(&e->w, count_cb, 1, NULL) != -22)
		return 0;
	return 1;
}

/* the callback runs in process context: it may call sleepable kfuncs */
static int sleepy_cb(void *map, int *key, void *value)
{
	char buf[8];

	bpf_copy_from_user_str(buf, sizeof(buf), (void *)0, 0);
	return 0;
}

SEC("syscall")
int wq_cb_sleepable(void *ctx)
{
	struct welem *e = wget(1);

	if (!e)
		return 0;
	bpf_wq_set_callback_impl(&e->w, sleepy_cb, 0, NULL);
	return 0;
}

static int ret1_cb(void *map, int *key, void *value)
{
	return 1;
}

SEC("syscall")
int wq_cb_ret1(void *ctx)
{
	struct welem *e = wget(0);

	if (!e)
		return 0;
	bpf_wq_set_callback_impl(&e->w, ret1_cb, 0, NULL);
	return 0;
}

SEC("syscall")
int wq_wrong_map(void *ctx)
{
	struct welem *e = wget(0);

	if (!e)
		return 0;
	return bpf_wq_init(&e->w, &hwqs, 0);
}

SEC("syscall")
int wq_wrong_off(void *ctx)
{
	struct welem *e = wget(0);

	if (!e)
		return 0;
	return bpf_wq_init((struct bpf_wq *)e, &wqs, 0);
}

SEC("syscall")
int wq_stack(void *ctx)
{
	struct bpf_wq w;

	return bpf_wq_init(&w, &wqs, 0);
}

SEC("syscall")
int wq_no_wq(void *ctx)
{
	int k = 0;
	struct wplain *p = bpf_map_lookup_elem(&wq_plain, &k);

	if (!p)
		return 0;
	return bpf_wq_init((struct bpf_wq *)p, &wq_plain, 0);
}

SEC("syscall")
int wq_touch(void *ctx)
{
	struct welem *e = wget(0);

	if (!e)
		return 0;
	return *(long *)&e->w;
}

char _license[] SEC("license") = "GPL";
