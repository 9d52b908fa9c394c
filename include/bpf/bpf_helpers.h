/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libbpf's bpf_helpers.h plus what newer libbpf releases added and Debian
 * 12's libbpf 1.1 lacks: the open-coded iterator loops bpf_for(),
 * bpf_repeat() and bpf_for_each(), and bpf_ksym_exists(), so BPF programs
 * written for current kernels compile unchanged here.  Each addition is
 * skipped when the libbpf underneath already defines it.
 *
 * Include a vmlinux.h-style header (or bpfhost's `btf dump` output) before
 * this one if it defines struct bpf_iter_num.
 */
#ifndef BPFHOST_BPF_HELPERS_H
#define BPFHOST_BPF_HELPERS_H

#include_next <bpf/bpf_helpers.h>

#ifndef bpf_ksym_exists
/* Whether a __weak __ksym resolved; a strong one would always be true. */
#define bpf_ksym_exists(sym)                                                  \
	({                                                                    \
		_Static_assert(!__builtin_constant_p(!!(sym)),                \
			       #sym " must be declared __weak to be tested"); \
		!!(sym);                                                      \
	})
#endif

#ifndef bpf_for

#if !defined(__VMLINUX_H__) && !defined(__BPFHOST_HOST_H__)
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
#endif

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

/*
 * The loops below keep the iterator in a variable whose cleanup attribute
 * calls _destroy on every way out of the loop, call _new exactly once in
 * the declaration, and call _next as the loop condition, so the verifier
 * sees the new/next/destroy protocol it proves finite.  Naming the destroy
 * function in the initialiser makes clang emit its BTF.
 */

/* for (i = start; i < end; i++), with i re-checked against the range so
 * the verifier knows its bounds inside the body */
#define bpf_for(i, start, end)                                               \
	for (struct bpf_iter_num ___bh_it __attribute__((                    \
		     aligned(8), cleanup(bpf_iter_num_destroy))),           \
	     *___bh_init __attribute__((unused)) =                           \
		     (bpf_iter_num_new(&___bh_it, (start), (end)),           \
		      (void)bpf_iter_num_destroy, (void *)0);                \
	     ({                                                              \
		     int *___bh_v = bpf_iter_num_next(&___bh_it);            \
		     ___bh_v && ((i) = *___bh_v, (i) >= (start) && (i) < (end)); \
	     });)

/* run the body n times */
#define bpf_repeat(n)                                                        \
	for (struct bpf_iter_num ___bh_it __attribute__((                    \
		     aligned(8), cleanup(bpf_iter_num_destroy))),           \
	     *___bh_init __attribute__((unused)) =                           \
		     (bpf_iter_num_new(&___bh_it, 0, (n)),                   \
		      (void)bpf_iter_num_destroy, (void *)0);                \
	     bpf_iter_num_next(&___bh_it);)

/* for each element of an open-coded iterator bpf_iter_<type>: cur gets
 * what bpf_iter_<type>_next() returns, args go to bpf_iter_<type>_new() */
#define bpf_for_each(type, cur, args...)                                     \
	for (struct bpf_iter_##type ___bh_it __attribute__((                 \
		     aligned(8), cleanup(bpf_iter_##type##_destroy))),      \
	     *___bh_init __attribute__((unused)) =                           \
		     (bpf_iter_##type##_new(&___bh_it, ##args),              \
		      (void)bpf_iter_##type##_destroy, (void *)0);           \
	     (((cur) = bpf_iter_##type##_next(&___bh_it)));)

#endif /* bpf_for */

#endif
