/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The running Linux kernel as an oracle: $BUILD/tools/kload loads each
 * program of an object into the kernel with libbpf, one at a time, and
 * test-runs the accepted ones (BPF_PROG_TEST_RUN; only hand-written
 * programs whose behaviour is known are given to it).
 */
#ifndef BPFHOST_TEST_KERNEL_H
#define BPFHOST_TEST_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "spec.h"

#define KERNEL_MAX_PROGS 64

/* the kernel's answer for one program */
struct kernel_result {
	char prog[SPEC_NAME];
	int accept;
	int has_retval; /* test-run succeeded: retval is r0 (32 bits) */
	uint32_t retval;
	int run_error; /* test-run failed (e.g. a type without test_run) */
	char *log;     /* tail of the verifier log of a rejected program */
	size_t log_len;
};

/* $BUILD/tools/kload, or NULL when it is not built */
const char *kernel_kload(void);
/*
 * Loads obj's programs (with ctx_hex, "" for none, as their test-run ctx)
 * into res[KERNEL_MAX_PROGS].  Returns the number of programs, -1 if kload
 * failed, -2 if bpf() was refused.  kernel_results_free() after.
 */
int kernel_load(const char *obj, const char *ctx_hex,
		struct kernel_result *res);
void kernel_results_free(struct kernel_result *res, int n);
/* the last n bytes of a result's log ("(none)" without one) */
const char *kernel_log_tail(const struct kernel_result *r, size_t n);

#endif
