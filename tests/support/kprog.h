/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Raw instructions loaded straight into the running kernel with bpf()
 * (LOAD only: nothing is ever test-run), for differential tests of the
 * verifier on generated programs.  One array map (key 4, value
 * value_size, 1 entry) stands for the program's map: ld_imm64 of
 * BPF_PSEUDO_MAP_VALUE get its fd.  Kfunc calls (src_reg
 * BPF_PSEUDO_KFUNC_CALL) carry an index into the names given to
 * kprog_setup() in imm, replaced by the kfunc's vmlinux BTF id.
 */
#ifndef BPFHOST_TEST_KPROG_H
#define BPFHOST_TEST_KPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn/insn.h"

#define KPROG_MAX_KFUNCS 8

#define KPROG_MAX_FUNCS 32

struct kprog {
	int map_fd;
	int btf_fd; /* FUNCs for func_info: main, then static subprograms */
	uint32_t func_ids[KPROG_MAX_FUNCS];
	int kf_id[KPROG_MAX_KFUNCS];
	char why[160]; /* set: the kernel cannot be used (and why) */
};

/* kfuncs[0..n) by name (NULL entries skipped); k->why says a failure */
void kprog_setup(struct kprog *k, unsigned value_size,
		 const char *const *kfuncs, size_t n);
void kprog_teardown(struct kprog *k);
/*
 * Load as a socket filter, or (ret01) a cgroup_skb ingress program, whose
 * exit value must be in [0, 1].  sub_starts[0..nsubs) are the first
 * instructions of the static subprograms (ascending): they get BTF
 * func_info, which the kernel needs for callbacks.  1 accepted, 0 rejected (with log set:
 * the kernel's verifier log, level 1, in log), -1 on a setup error.
 */
int kprog_load(const struct kprog *k, const struct bh_insn *insns,
	       size_t cnt, const int32_t *sub_starts, size_t nsubs, bool ret01,
	       char *log, size_t log_size);
/* the last message line of a kernel verifier log (modifies log) */
const char *kprog_log_msg(char *log);

#endif
