// SPDX-License-Identifier: BSD-2-Clause
/*
 * KF_KPTR_GET, the kfunc flag of kernels 6.0-6.3 (removed in 6.4), for
 * hosts that still use it: bh_test_kptr_get(struct bh_test_obj **pp, a, b)
 * (KF_ACQUIRE | KF_RET_NULL | KF_KPTR_GET, the shape of those kernels'
 * bpf_kfunc_call_test_kptr_get) takes the address of a referenced __kptr
 * field of a map value and returns a new reference to the object it
 * holds, or NULL.  The argument must be a map value pointer (not NULL-able)
 * at a constant offset exactly at a referenced kptr whose type is the
 * kfunc's struct; messages are the 6.1 kernel's.
 */
// KERNEL: skip KF_KPTR_GET kfuncs left the kernel in 6.4; bh_test_kptr_get is a bpfhost test kfunc
// EXPECT(kptr_get_ok): ACCEPT
// RETVAL(kptr_get_ok): 100
// EXPECT(kptr_get_empty): ACCEPT
// RETVAL(kptr_get_empty): 7
// EXPECT(kptr_get_array): ACCEPT
// RETVAL(kptr_get_array): 101
// EXPECT(kptr_get_move): ACCEPT
// RETVAL(kptr_get_move): 100
// EXPECT(kptr_get_leak): REJECT Unreleased reference id=
// EXPECT(kptr_get_unchecked): REJECT Possibly NULL pointer passed to trusted arg0
// EXPECT(reject_kptr_get_no_map_val): REJECT arg#0 expected pointer to map value
// EXPECT(reject_kptr_get_no_null_map_val): REJECT arg#0 expected pointer to map value
// EXPECT(reject_kptr_get_no_kptr): REJECT arg#0 no referenced kptr at map value offset=0
// EXPECT(reject_kptr_get_on_unref): REJECT arg#0 no referenced kptr at map value offset=8
// EXPECT(reject_kptr_get_mid_field): REJECT arg#0 no referenced kptr at map value offset=20
// EXPECT(reject_kptr_get_bad_type_match): REJECT kernel function bh_test_kptr_get args#0 expected pointer to STRUCT bh_test_obj
// EXPECT(reject_kptr_get_var_off): REJECT arg#0 must have constant offset
// RETVAL(kptr_get_leak): none
// RETVAL(kptr_get_unchecked): none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __kptr __attribute__((btf_type_tag("kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))

struct bh_test_obj {
	int refs;
	int val;
};

/* another host struct with a destructor (the stdlib's cpumask) */
struct bpf_cpumask {
	unsigned long bits[1];
};

extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;

extern struct bh_test_obj *bh_test_acquire(int i) __ksym;
extern void bh_test_release(struct bh_test_obj *o) __ksym;
extern int bh_test_val(struct bh_test_obj *o) __ksym;
extern struct bh_test_obj *bh_test_kptr_get(struct bh_test_obj **pp, int a,
					     int b) __ksym;

struct kg_val {
	long plain;					/* 0 */
	struct bh_test_obj __kptr_untrusted *unref;	/* 8 */
	struct bh_test_obj __kptr *ref;			/* 16 */
	struct bpf_cpumask __kptr *mask;		/* 24 */
	struct bh_test_obj __kptr *arr[2];		/* 32, 40 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kg_val);
} kg_arr SEC(".maps");

static __always_inline struct kg_val *value(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&kg_arr, &key);
}

/* store a new reference to test object i into *slot */
static __always_inline int stash(struct bh_test_obj **slot, int i)
{
	struct bh_test_obj *o = bh_test_acquire(i);

	if (!o)
		return 1;
	o = bpf_kptr_xchg(slot, o);
	if (o)
		bh_test_release(o);
	return 0;
}

/* take the object back out of *slot and drop the map's reference */
static __always_inline void unstash(struct bh_test_obj **slot)
{
	struct bh_test_obj *o = bpf_kptr_xchg(slot, NULL);

	if (o)
		bh_test_release(o);
}

SEC("syscall")
int kptr_get_ok(void *ctx)
{
	struct kg_val *v = value();
	struct bh_test_obj *g;
	int r;

	if (!v)
		return 1;
	if (stash(&v->ref, 0))
		return 2;
	g = bh_test_kptr_get(&v->ref, 0, 0);
	if (!g) {
		unstash(&v->ref);
		return 3;
	}
	/* an acquired reference: trusted, and the program must drop it */
	r = bh_test_val(g);
	bh_test_release(g);
	unstash(&v->ref);
	return r;
}

/* an empty field gives NULL */
SEC("syscall")
int kptr_get_empty(void *ctx)
{
	struct kg_val *v = value();
	struct bh_test_obj *g;

	if (!v)
		return 1;
	g = bh_test_kptr_get(&v->ref, 1, 2);
	if (g) {
		bh_test_release(g);
		return 2;
	}
	return 7;
}

/* a kptr in an array member, at its constant offset */
SEC("syscall")
int kptr_get_array(void *ctx)
{
	struct kg_val *v = value();
	struct bh_test_obj *g;
	int r;

	if (!v)
		return 1;
	if (stash(&v->arr[1], 1))
		return 2;
	g = bh_test_kptr_get(&v->arr[1], 0, 0);
	if (!g) {
		unstash(&v->arr[1]);
		return 3;
	}
	r = bh_test_val(g);
	bh_test_release(g);
	unstash(&v->arr[1]);
	return r;
}

/* the result is a full reference: it can move into another kptr field */
SEC("syscall")
int kptr_get_move(void *ctx)
{
	struct kg_val *v = value();
	struct bh_test_obj *g;

	if (!v)
		return 1;
	if (stash(&v->ref, 0))
		return 2;
	g = bh_test_kptr_get(&v->ref, 0, 0);
	if (!g) {
		unstash(&v->ref);
		return 3;
	}
	g = bpf_kptr_xchg(&v->arr[0], g);
	if (g)
		bh_test_release(g);
	unstash(&v->ref);
	g = bpf_kptr_xchg(&v->arr[0], NULL);
	if (!g)
		return 4;
	/* still alive: the reference moved out of arr[0] keeps it */
	if (g->refs < 1) {
		bh_test_release(g);
		return 5;
	}
	bh_test_release(g);
	return 100;
}

/* the result is a new reference: it must be released */
SEC("syscall")
int kptr_get_leak(void *ctx)
{
	struct kg_val *v = value();
	struct bh_test_obj *g;

	if (!v)
		return 1;
	g = bh_test_kptr_get(&v->ref, 0, 0);
	return g ? 2 : 0;
}

/* ... and may be NULL */
SEC("syscall")
int kptr_get_unchecked(void *ctx)
{
	struct kg_val *v = value();
	struct bh_test_obj *g;
	int r;

	if (!v)
		return 1;
	g = bh_test_kptr_get(&v->ref, 0, 0);
	r = bh_test_val(g);
	if (g)
		bh_test_release(g);
	return r;
}

SEC("syscall")
int reject_kptr_get_no_map_val(void *ctx)
{
	bh_test_kptr_get((void *)&ctx, 0, 0);
	return 0;
}

SEC("syscall")
int reject_kptr_get_no_null_map_val(void *ctx)
{
	/* an unknown key: the value may be NULL */
	bh_test_kptr_get(bpf_map_lookup_elem(&kg_arr,
					     &(__u32){ bpf_get_prandom_u32() }),
			 0, 0);
	return 0;
}

SEC("syscall")
int reject_kptr_get_no_kptr(void *ctx)
{
	struct kg_val *v = value();

	if (!v)
		return 0;
	bh_test_kptr_get((void *)v, 0, 0);
	return 0;
}

SEC("syscall")
int reject_kptr_get_on_unref(void *ctx)
{
	struct kg_val *v = value();

	if (!v)
		return 0;
	bh_test_kptr_get(&v->unref, 0, 0);
	return 0;
}

SEC("syscall")
int reject_kptr_get_mid_field(void *ctx)
{
	struct kg_val *v = value();

	if (!v)
		return 0;
	bh_test_kptr_get((void *)((char *)&v->ref + 4), 0, 0);
	return 0;
}

SEC("syscall")
int reject_kptr_get_bad_type_match(void *ctx)
{
	struct kg_val *v = value();
	struct bpf_cpumask *m;

	if (!v)
		return 0;
	bh_test_kptr_get((void *)&v->mask, 0, 0);
	m = bpf_kptr_xchg(&v->mask, NULL);
	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int reject_kptr_get_var_off(void *ctx)
{
	struct kg_val *v = value();
	__u32 i = bpf_get_prandom_u32() & 1;

	if (!v)
		return 0;
	bh_test_kptr_get(&v->arr[i], 0, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
