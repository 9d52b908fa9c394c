// SPDX-License-Identifier: BSD-2-Clause
/*
 * The cpumask kfuncs: create/set/test/release, the query and set-algebra
 * kfuncs, acquire, and the misuses the verifier refuses.  Results never
 * depend on the number of CPUs: only CPU 0 is used for absolute values.
 */
// EXPECT(cpumask_set_test): ACCEPT
// RETVAL(cpumask_set_test): 1
// EXPECT(cpumask_queries): ACCEPT
// RETVAL(cpumask_queries): 1
// EXPECT(cpumask_algebra): ACCEPT
// RETVAL(cpumask_algebra): 1
// EXPECT(cpumask_acquire_twice): ACCEPT
// RETVAL(cpumask_acquire_twice): 1
// EXPECT(cpumask_unchecked): REJECT Possibly NULL pointer passed to trusted arg1
// EXPECT(cpumask_leak): REJECT Unreleased reference
// EXPECT(cpumask_use_after_release): REJECT R2 type=scalar expected=fp
// EXPECT(cpumask_stack_mask): REJECT invalid read from stack R2 off=-8 size=
// EXPECT(cpumask_release_cast): REJECT expected pointer to STRUCT bpf_cpumask but R1 has a pointer to STRUCT task_struct
#include "kfuncs.h"

SEC("syscall")
int cpumask_set_test(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	int ret = 1;

	if (!m)
		return 2;
	if (!bpf_cpumask_empty(cast(m)) || bpf_cpumask_test_cpu(0, cast(m)))
		ret = 3;
	bpf_cpumask_set_cpu(0, m);
	if (!bpf_cpumask_test_cpu(0, cast(m)) || bpf_cpumask_weight(cast(m)) != 1)
		ret = 4;
	if (!bpf_cpumask_test_and_clear_cpu(0, m) || !bpf_cpumask_empty(cast(m)))
		ret = 5;
	if (bpf_cpumask_test_and_set_cpu(0, m) || bpf_cpumask_first(cast(m)) != 0)
		ret = 6;
	bpf_cpumask_clear_cpu(0, m);
	if (bpf_cpumask_test_cpu(0, cast(m)))
		ret = 7;
	bpf_cpumask_release(m);
	return ret;
}

/* full/empty/first_zero/weight/any_distribute on a full and an empty
 * mask: nr_cpu_ids is first_zero of a full mask */
SEC("syscall")
int cpumask_queries(void *ctx)
{
	struct bpf_cpumask *full = bpf_cpumask_create(), *none;
	__u32 nr;
	int ret = 1;

	if (!full)
		return 2;
	none = bpf_cpumask_create();
	if (!none) {
		bpf_cpumask_release(full);
		return 3;
	}
	bpf_cpumask_setall(full);
	nr = bpf_cpumask_first_zero(cast(full));
	if (!bpf_cpumask_full(cast(full)) || bpf_cpumask_empty(cast(full)))
		ret = 4;
	else if (nr < 1 || bpf_cpumask_weight(cast(full)) != nr)
		ret = 5;
	else if (bpf_cpumask_first(cast(none)) < nr ||
		 bpf_cpumask_first_zero(cast(none)) != 0)
		ret = 6;
	else if (bpf_cpumask_any_distribute(cast(full)) >= nr ||
		 bpf_cpumask_any_distribute(cast(none)) < nr)
		ret = 7;
	else if (bpf_cpumask_first_and(cast(full), cast(none)) < nr)
		ret = 8;
	bpf_cpumask_release(none);
	bpf_cpumask_release(full);
	return ret;
}

/* and/or/xor/copy/equal/subset/intersects with CPU 0 */
SEC("syscall")
int cpumask_algebra(void *ctx)
{
	struct bpf_cpumask *a = bpf_cpumask_create(), *b, *c;
	int ret = 1;

	if (!a)
		return 2;
	b = bpf_cpumask_create();
	if (!b) {
		bpf_cpumask_release(a);
		return 3;
	}
	c = bpf_cpumask_create();
	if (!c) {
		bpf_cpumask_release(b);
		bpf_cpumask_release(a);
		return 4;
	}
	bpf_cpumask_set_cpu(0, a);
	bpf_cpumask_setall(b);
	if (!bpf_cpumask_and(c, cast(a), cast(b)) ||
	    !bpf_cpumask_equal(cast(a), cast(c)))
		ret = 5;
	else if (!bpf_cpumask_subset(cast(a), cast(b)) ||
		 !bpf_cpumask_intersects(cast(a), cast(b)))
		ret = 6;
	bpf_cpumask_xor(c, cast(a), cast(a));
	if (!bpf_cpumask_empty(cast(c)))
		ret = 7;
	bpf_cpumask_or(c, cast(c), cast(a));
	if (!bpf_cpumask_test_cpu(0, cast(c)))
		ret = 8;
	bpf_cpumask_clear(c);
	bpf_cpumask_copy(c, cast(a));
	if (!bpf_cpumask_equal(cast(a), cast(c)) ||
	    bpf_cpumask_any_and_distribute(cast(a), cast(b)) != 0)
		ret = 9;
	bpf_cpumask_release(c);
	bpf_cpumask_release(b);
	bpf_cpumask_release(a);
	return ret;
}

/* two references to one mask, each released */
SEC("syscall")
int cpumask_acquire_twice(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create(), *a;
	int ret;

	if (!m)
		return 2;
	a = bpf_cpumask_acquire(m);
	bpf_cpumask_set_cpu(0, m);
	ret = a == m && bpf_cpumask_test_cpu(0, cast(a)) ? 1 : 3;
	bpf_cpumask_release(m);
	bpf_cpumask_release(a);
	return ret;
}

SEC("syscall")
int cpumask_unchecked(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	bpf_cpumask_set_cpu(0, m);
	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int cpumask_leak(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_set_cpu(0, m);
	return bpf_cpumask_test_cpu(0, cast(m));
}

SEC("syscall")
int cpumask_use_after_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	return bpf_cpumask_test_cpu(0, cast(m));
}

/* a mask on the stack is not a bpf_cpumask object */
SEC("syscall")
int cpumask_stack_mask(void *ctx)
{
	struct bpf_cpumask m = {};

	bpf_cpumask_set_cpu(0, &m);
	return m.cpumask.bits[0] & 1;
}

/* only the reference that create/acquire returned can be released */
SEC("syscall")
int cpumask_release_cast(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release((struct bpf_cpumask *)((char *)m + 0));
	bpf_cpumask_release((struct bpf_cpumask *)bpf_get_current_task_btf());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
