// SPDX-License-Identifier: BSD-2-Clause
/*
 * The bpf_conformance suite, run in-process on the interpreter.
 *
 * Programs come from the bytecode column of test-index.tsv (the upstream
 * assembler's output), input memory from the matching .data file's
 * "-- mem" section, parsed as the suite's README §1 describes.  Every
 * test is one case; a test with an "-- error" section passes only if
 * decoding or running really fails.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "harness.h"
#include "exec/exec.h"
#include "support/conf_data.h"

/* A safety net so an interpreter bug shows as a failure, not a hang. */
#define CONF_INSN_LIMIT (1ull << 32)

static void conf_run(const struct conf_test *t)
{
	struct bh_run_opts opts = {.insn_limit = CONF_INSN_LIMIT};
	struct bh_code *code = NULL;
	uint64_t r0 = 0;
	uint8_t *mem = NULL;
	char err[256];
	int ret, fault;

	if (t->why[0]) {
		th_case(t->file[0] ? t->file : "test-index.tsv", 0, "%s",
			t->why);
		return;
	}
	ret = bh_insns_check(t->insns, t->cnt, err, sizeof(err));
	if (!ret)
		ret = bh_code_new(t->insns, t->cnt, NULL, &code, err,
				  sizeof(err));
	if (ret) {
		if (t->has_error)
			th_case(t->file, 1, " ");
		else
			th_case(t->file, 0, "decode: %s", err);
		goto out;
	}
	if (t->mem_len) {
		/* a writable copy, exactly mem_len bytes so ASan sees
		 * any access past it */
		mem = malloc(t->mem_len);
		if (!mem) {
			th_case(t->file, 0, "oom");
			goto out;
		}
		memcpy(mem, t->mem, t->mem_len);
	}
	fault = bh_code_run(code, (uint64_t)(uintptr_t)mem, t->mem_len, &opts,
			    &r0);
	if (t->has_error)
		th_case(t->file, fault != BH_RUN_OK,
			"expected error \"%s\", but r0 = 0x%" PRIx64, t->error,
			r0);
	else if (fault != BH_RUN_OK)
		th_case(t->file, 0, "run fault %d", fault);
	else
		th_case(t->file, r0 == t->expected,
			"r0 = 0x%" PRIx64 ", expected 0x%" PRIx64, r0,
			t->expected);
out:
	bh_code_free(code);
	free(mem);
}

TEST(conformance)
{
	struct conf_test *tests;
	size_t n;

	CHECK_MSG(conf_load_all(&tests, &n) == 0,
		  "cannot read the conformance index under %s",
		  th_shared_dir());
	for (size_t i = 0; i < n; i++)
		conf_run(&tests[i]);
	conf_free_all(tests, n);
	CHECK_EQ(n, 313);
}
