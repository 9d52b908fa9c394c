// SPDX-License-Identifier: BSD-2-Clause
/*
 * Trusted nested pointers: a pointer member the host lists with
 * BTF_TYPE_SAFE_NESTED (test_corpus.c: bh_test_outer.safe) keeps its
 * parent's trust and may be passed to a KF_TRUSTED_ARGS kfunc; a member
 * not listed (bh_test_outer.other) is untrusted, as any pointer walked out
 * of a host object; and trust is not transitive through an untrusted one.
 */
// EXPECT(nested_safe): ACCEPT
// RETVAL(nested_safe): 102
// EXPECT(nested_other): REJECT R1 must be referenced or trusted
// EXPECT(nested_read_other): ACCEPT
// RETVAL(nested_read_other): 103
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bh_test_obj {
	int refs;
	int val;
};

struct bh_test_outer {
	int refs;
	struct bh_test_obj *safe;
	struct bh_test_obj *other;
};

extern struct bh_test_obj *bh_test_acquire(int i) __ksym;
extern void bh_test_release(struct bh_test_obj *o) __ksym;
extern int bh_test_val(struct bh_test_obj *o) __ksym;
extern struct bh_test_outer *bh_test_outer_get(void) __ksym;
extern void bh_test_outer_put(struct bh_test_outer *o) __ksym;

SEC("syscall")
int nested_safe(void *ctx)
{
	struct bh_test_outer *o = bh_test_outer_get();
	int v;

	if (!o)
		return -1;
	v = bh_test_val(o->safe);
	bh_test_outer_put(o);
	return v;
}

SEC("syscall")
int nested_other(void *ctx)
{
	struct bh_test_outer *o = bh_test_outer_get();
	int v;

	if (!o)
		return -1;
	v = bh_test_val(o->other);
	bh_test_outer_put(o);
	return v;
}

/* an untrusted pointer may still be read (a probe load) */
SEC("syscall")
int nested_read_other(void *ctx)
{
	struct bh_test_outer *o = bh_test_outer_get();
	int v;

	if (!o)
		return -1;
	v = o->other->val;
	bh_test_outer_put(o);
	return v;
}

char _license[] SEC("license") = "GPL";
