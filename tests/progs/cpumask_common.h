/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the cpumask_*.bpf.c corpus: the kernel's cpumask types and
 * kfuncs declared as a BPF program sees them (vmlinux.h style: the types
 * with preserve_access_index, the kfuncs extern __ksym with the kernel's
 * prototypes), as the kernel selftests' cpumask_common.h does.  The same
 * objects load into Linux (6.18) and into bpfhost.
 *
 * Results never depend on the machine's CPU count: a program finds
 * nr_cpu_ids as bpf_cpumask_first_zero() of a full mask and uses only
 * CPU 0 (always present) for absolute values.
 */
#ifndef CPUMASK_COMMON_H
#define CPUMASK_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct cpumask {
	unsigned long bits[1];
} __attribute__((preserve_access_index));

struct bpf_cpumask {
	struct cpumask cpumask;
	int usage;
} __attribute__((preserve_access_index));

struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask) __ksym;
__u32 bpf_cpumask_first(const struct cpumask *cpumask) __ksym;
__u32 bpf_cpumask_first_zero(const struct cpumask *cpumask) __ksym;
__u32 bpf_cpumask_first_and(const struct cpumask *src1,
			    const struct cpumask *src2) __ksym;
void bpf_cpumask_set_cpu(__u32 cpu, struct bpf_cpumask *cpumask) __ksym;
void bpf_cpumask_clear_cpu(__u32 cpu, struct bpf_cpumask *cpumask) __ksym;
bool bpf_cpumask_test_cpu(__u32 cpu, const struct cpumask *cpumask) __ksym;
bool bpf_cpumask_test_and_set_cpu(__u32 cpu,
				  struct bpf_cpumask *cpumask) __ksym;
bool bpf_cpumask_test_and_clear_cpu(__u32 cpu,
				    struct bpf_cpumask *cpumask) __ksym;
void bpf_cpumask_setall(struct bpf_cpumask *cpumask) __ksym;
void bpf_cpumask_clear(struct bpf_cpumask *cpumask) __ksym;
bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *src1,
		     const struct cpumask *src2) __ksym;
void bpf_cpumask_or(struct bpf_cpumask *dst, const struct cpumask *src1,
		    const struct cpumask *src2) __ksym;
void bpf_cpumask_xor(struct bpf_cpumask *dst, const struct cpumask *src1,
		     const struct cpumask *src2) __ksym;
bool bpf_cpumask_equal(const struct cpumask *src1,
		       const struct cpumask *src2) __ksym;
bool bpf_cpumask_intersects(const struct cpumask *src1,
			    const struct cpumask *src2) __ksym;
bool bpf_cpumask_subset(const struct cpumask *src1,
			const struct cpumask *src2) __ksym;
bool bpf_cpumask_empty(const struct cpumask *cpumask) __ksym;
bool bpf_cpumask_full(const struct cpumask *cpumask) __ksym;
void bpf_cpumask_copy(struct bpf_cpumask *dst,
		      const struct cpumask *src) __ksym;
__u32 bpf_cpumask_any_distribute(const struct cpumask *cpumask) __ksym;
__u32 bpf_cpumask_any_and_distribute(const struct cpumask *src1,
				     const struct cpumask *src2) __ksym;
__u32 bpf_cpumask_weight(const struct cpumask *cpumask) __ksym;
int bpf_cpumask_populate(struct cpumask *cpumask, void *src,
			 size_t src__sz) __ksym;

/* a struct bpf_cpumask * where a struct cpumask * is expected */
#define cast(m) ((const struct cpumask *)(m))

#endif
