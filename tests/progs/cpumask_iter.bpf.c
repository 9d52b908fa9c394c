// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_iter_cpumask_new/next/destroy (proposed upstream, not in 6.18) with
 * bpf_for_each: the CPUs of a mask in increasing order, the walk fixed
 * when it began; and the iterator rules (a leak, use after destroy, a
 * NULL or untrusted mask).  Each accepted program returns 1 or the number
 * of the first failed check.
 */
// KERNEL: skip bpf_iter_cpumask_* are not in the 6.18 kernel
// EXPECT(iter_walk): ACCEPT
// RETVAL(iter_walk): 1
// EXPECT(iter_snapshot): ACCEPT
// RETVAL(iter_snapshot): 1
// EXPECT(iter_leak): REJECT Unreleased reference id=
// EXPECT(iter_after_destroy): REJECT expected an initialized iter_cpumask as arg #0
// EXPECT(iter_null_mask): REJECT Possibly NULL pointer passed to trusted arg1
#include "cpumask_common.h"

struct bpf_iter_cpumask {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_iter_cpumask_new(struct bpf_iter_cpumask *it,
				const struct cpumask *mask) __ksym;
extern int *bpf_iter_cpumask_next(struct bpf_iter_cpumask *it) __ksym;
extern void bpf_iter_cpumask_destroy(struct bpf_iter_cpumask *it) __ksym;

/*
 * CPU 0 and the last CPU: visited in increasing order, nothing else.  The
 * loop keeps its bookkeeping in globals, not in registers, so that no
 * exactly known counter keeps the iterator loop from converging.
 */
int bad, visits, next_min;

SEC("syscall")
int iter_walk(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create(), *full;
	__u32 nr;
	int *cpu, ret = 1;

	if (!m)
		return 100;
	full = bpf_cpumask_create();
	if (!full) {
		bpf_cpumask_release(m);
		return 101;
	}
	bpf_cpumask_setall(full);
	nr = bpf_cpumask_first_zero(cast(full));
	bpf_cpumask_release(full);
	bpf_cpumask_set_cpu(0, m);
	bpf_cpumask_set_cpu(nr - 1, m);
	bad = 0;
	visits = 0;
	next_min = 0;
	bpf_for_each(cpumask, cpu, cast(m)) {
		if (!bpf_cpumask_test_cpu(*cpu, cast(m)))
			bad = 2;
		if (*cpu < next_min)
			bad = 3;
		next_min = *cpu + 1;
		visits++;
	}
	if (bad)
		ret = bad;
	else if (visits != (nr > 1 ? 2 : 1))
		ret = 4;
	else if (next_min != nr)
		ret = 5;
	bpf_cpumask_release(m);
	return ret;
}

/* the mask cleared after new(): the walk still sees CPU 0 */
SEC("syscall")
int iter_snapshot(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct bpf_iter_cpumask it;
	int *cpu, ret = 1;

	if (!m)
		return 100;
	bpf_cpumask_set_cpu(0, m);
	bpf_iter_cpumask_new(&it, cast(m));
	bpf_cpumask_clear(m);
	cpu = bpf_iter_cpumask_next(&it);
	if (!cpu || *cpu != 0)
		ret = 2;
	bpf_iter_cpumask_destroy(&it);
	bpf_cpumask_release(m);
	return ret;
}

SEC("syscall")
int iter_leak(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct bpf_iter_cpumask it;

	if (!m)
		return 0;
	bpf_iter_cpumask_new(&it, cast(m));
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int iter_after_destroy(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct bpf_iter_cpumask it;

	if (!m)
		return 0;
	bpf_iter_cpumask_new(&it, cast(m));
	bpf_iter_cpumask_destroy(&it);
	bpf_iter_cpumask_next(&it);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
int iter_null_mask(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	struct bpf_iter_cpumask it;

	bpf_iter_cpumask_new(&it, cast(m));
	bpf_iter_cpumask_destroy(&it);
	if (m)
		bpf_cpumask_release(m);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
