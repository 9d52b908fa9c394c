// SPDX-License-Identifier: BSD-2-Clause
/* Creating, acquiring and releasing struct bpf_cpumask; single-CPU bit
 * operations and CPUs past nr_cpu_ids (no-ops, false), as on Linux (the
 * 6.18 kernel returns the same values through BPF_PROG_TEST_RUN).
 * Each program returns 1, or the number of the first check that failed. */
// EXPECT: ACCEPT
// RETVAL: 1
#include "cpumask_common.h"

SEC("syscall")
int create_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	int ret = 1;

	if (!m)
		return 100;
	if (!bpf_cpumask_empty(cast(m)) || bpf_cpumask_weight(cast(m)))
		ret = 2;
	else if (bpf_cpumask_test_cpu(0, cast(m)))
		ret = 3;
	bpf_cpumask_set_cpu(0, m);
	if (ret == 1 && !bpf_cpumask_test_cpu(0, cast(m)))
		ret = 4;
	else if (ret == 1 && !bpf_cpumask_test_and_set_cpu(0, m))
		ret = 5;
	else if (ret == 1 && !bpf_cpumask_test_and_clear_cpu(0, m))
		ret = 6;
	else if (ret == 1 && bpf_cpumask_test_and_clear_cpu(0, m))
		ret = 7;
	else if (ret == 1 && bpf_cpumask_test_and_set_cpu(0, m))
		ret = 8;
	else if (ret == 1 && bpf_cpumask_weight(cast(m)) != 1)
		ret = 9;
	bpf_cpumask_clear_cpu(0, m);
	if (ret == 1 && !bpf_cpumask_empty(cast(m)))
		ret = 10;
	bpf_cpumask_release(m);
	return ret;
}

/* acquire returns the same mask: a change through one is seen by both */
SEC("syscall")
int acquire_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create(), *a;
	int ret = 1;

	if (!m)
		return 100;
	a = bpf_cpumask_acquire(m);
	bpf_cpumask_set_cpu(0, a);
	if (!bpf_cpumask_test_cpu(0, cast(m)))
		ret = 2;
	else if (a != m)
		ret = 3;
	bpf_cpumask_release(a);
	if (ret == 1 && !bpf_cpumask_test_cpu(0, cast(m)))
		ret = 4;
	bpf_cpumask_release(m);
	return ret;
}

/* nr_cpu_ids and CPUs past it: set/clear do nothing, tests are false */
SEC("syscall")
int out_of_range(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	__u32 nr, big = 0xffffffff;
	int ret = 1;

	if (!m)
		return 100;
	if (bpf_cpumask_first_zero(cast(m)) != 0)
		ret = 2;
	bpf_cpumask_setall(m);
	nr = bpf_cpumask_first_zero(cast(m));
	if (ret == 1 && (nr < 1 || bpf_cpumask_weight(cast(m)) != nr))
		ret = 3;
	else if (ret == 1 && !bpf_cpumask_full(cast(m)))
		ret = 4;
	bpf_cpumask_clear_cpu(nr, m);
	bpf_cpumask_clear_cpu(big, m);
	if (ret == 1 && !bpf_cpumask_full(cast(m)))
		ret = 5;
	else if (ret == 1 && (bpf_cpumask_test_cpu(nr, cast(m)) ||
			      bpf_cpumask_test_cpu(big, cast(m))))
		ret = 6;
	else if (ret == 1 && (bpf_cpumask_test_and_clear_cpu(nr, m) ||
			      bpf_cpumask_test_and_clear_cpu(big, m)))
		ret = 7;
	else if (ret == 1 && !bpf_cpumask_test_cpu(nr - 1, cast(m)))
		ret = 8;
	bpf_cpumask_clear(m);
	bpf_cpumask_set_cpu(nr, m);
	bpf_cpumask_set_cpu(big, m);
	if (ret == 1 && !bpf_cpumask_empty(cast(m)))
		ret = 9;
	else if (ret == 1 && (bpf_cpumask_test_and_set_cpu(nr, m) ||
			      bpf_cpumask_test_and_set_cpu(big, m)))
		ret = 10;
	else if (ret == 1 && !bpf_cpumask_empty(cast(m)))
		ret = 11;
	else if (ret == 1 && bpf_cpumask_first(cast(m)) != nr)
		ret = 12;
	bpf_cpumask_release(m);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
