/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bpf_conformance suite's data, read once for the tests that run it
 * (in-process, and through the plugin protocol): each test's program from
 * the bytecode column of test-index.tsv, its input memory from the "-- mem"
 * section of its .data file (parsed as the suite's README §1 describes).
 */
#ifndef BPFHOST_TEST_CONF_DATA_H
#define BPFHOST_TEST_CONF_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn/insn.h"

struct conf_test {
	char file[128];
	uint64_t expected;
	uint8_t *mem;
	size_t mem_len;
	struct bh_insn *insns;
	size_t cnt;
	bool has_error;
	char error[256];
	char why[256]; /* non-empty: the row could not be read */
};

/* Every test of $SHARED/bpf_conformance; 0, or -1 if the index is
 * unreadable.  Rows that cannot be read keep their reason in why. */
int conf_load_all(struct conf_test **out, size_t *n);
void conf_free_all(struct conf_test *t, size_t n);

#endif
