// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpfhost's per-argument contracts (KF_ARG) on test kfuncs, each enforced
 * as its whole-function kernel flag is: a kfunc releasing its second
 * argument (the copy dies, the other argument lives on; the same object
 * as both is released once), NULL refused for
 * a released (hence trusted) argument, NULL accepted where the trusted
 * argument is also nullable, and a known-constant scalar.
 */
// EXPECT(swap_ok): ACCEPT
// RETVAL(swap_ok): 201
// EXPECT(swap_use_after): REJECT R1 type=scalar
// RETVAL(swap_use_after): none
// EXPECT(swap_null): REJECT Possibly NULL pointer passed to trusted arg1
// RETVAL(swap_null): none
// EXPECT(swap_same): ACCEPT
// RETVAL(swap_same): 200
// EXPECT(maybe_null): ACCEPT
// RETVAL(maybe_null): -1
// EXPECT(scale_const): ACCEPT
// RETVAL(scale_const): 12
// EXPECT(scale_var): REJECT R2 must be a known constant
// RETVAL(scale_var): none
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bh_test_obj {
	int refs;
	int val;
};

extern struct bh_test_obj *bh_test_acquire(int i) __ksym;
extern void bh_test_release(struct bh_test_obj *o) __ksym;
extern int bh_test_val(struct bh_test_obj *o) __ksym;
extern int bh_test_swap(struct bh_test_obj *keep,
			struct bh_test_obj *drop) __ksym;
extern int bh_test_maybe(struct bh_test_obj *o) __ksym;
extern int bh_test_scale(int x, int k) __ksym;

SEC("syscall")
int swap_ok(void *ctx)
{
	struct bh_test_obj *a = bh_test_acquire(0), *b;
	int r;

	if (!a)
		return 0;
	b = bh_test_acquire(1);
	if (!b) {
		bh_test_release(a);
		return 0;
	}
	r = bh_test_swap(a, b);
	bh_test_release(a);
	return r;
}

SEC("syscall")
int swap_use_after(void *ctx)
{
	struct bh_test_obj *a = bh_test_acquire(0), *b;
	int r;

	if (!a)
		return 0;
	b = bh_test_acquire(1);
	if (!b) {
		bh_test_release(a);
		return 0;
	}
	bh_test_swap(a, b);
	r = bh_test_val(b);
	bh_test_release(a);
	return r;
}

SEC("syscall")
int swap_null(void *ctx)
{
	struct bh_test_obj *a = bh_test_acquire(0);
	int r;

	if (!a)
		return 0;
	r = bh_test_swap(a, 0);
	bh_test_release(a);
	return r;
}

SEC("syscall")
int swap_same(void *ctx)
{
	struct bh_test_obj *a = bh_test_acquire(0);

	if (!a)
		return 0;
	return bh_test_swap(a, a);
}

SEC("syscall")
int maybe_null(void *ctx)
{
	return bh_test_maybe(0);
}

SEC("syscall")
int scale_const(void *ctx)
{
	return bh_test_scale(3, 4);
}

SEC("syscall")
int scale_var(void *ctx)
{
	return bh_test_scale(3, bpf_get_prandom_u32() & 7);
}

char LICENSE[] SEC("license") = "GPL";
