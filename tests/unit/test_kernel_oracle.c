// SPDX-License-Identifier: BSD-2-Clause
/*
 * The running Linux kernel as the oracle for the corpus' verifier
 * expectations.  For every tests/progs/NAME.bpf.c that states
 *
 *   // EXPECT: ACCEPT | REJECT <text>          (every program in the file)
 *   // EXPECT(prog): ACCEPT | REJECT <text>    (one program)
 *   // RETVAL[(prog)]: n | none                 (r0 of an accepted program)
 *   // CTX-HEX: 01 02 ...                       (ctx bytes for the test run)
 *
 * and no `// KERNEL: skip <reason>` line, $BUILD/tools/kload loads the
 * object's programs one by one into the kernel (and test-runs the accepted
 * ones: all of them are hand-written), and each program is one case: the
 * kernel's verdict must equal EXPECT, a REJECT's text must appear in the
 * kernel's verifier log, an accepted program's retval must equal RETVAL.
 * So the expectations bpfhost's verifier is held to are the kernel's.
 *
 * Without kload, or where bpf() is refused, the test says so and skips.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "support/kernel.h"
#include "support/spec.h"

static int check_prog(const char *name, const struct spec *sp,
		      const struct kernel_result *r)
{
	const struct spec_verdict *e = spec_verdict(sp, r->prog);
	const struct spec_retval *rv = spec_retval(sp, r->prog);
	char case_name[2 * SPEC_NAME + 16];

	snprintf(case_name, sizeof(case_name), "kernel/%s/%s", name, r->prog);
	if (!e) {
		th_case(case_name, 0, "no EXPECT line for this program");
		return 0;
	}
	if (e->reject != !r->accept) {
		th_case(case_name, 0, "kernel %s, expected %s%s%s%s",
			r->accept ? "ACCEPT" : "REJECT",
			e->reject ? "REJECT " : "ACCEPT",
			e->reject ? e->text : "", r->log ? "; log tail: " : "",
			r->log ? kernel_log_tail(r, 400) : "");
		return 0;
	}
	if (e->reject) {
		int ok = e->text[0] && r->log && strstr(r->log, e->text);

		th_case(case_name, ok, "\"%s\" not in the kernel log: %s",
			e->text, kernel_log_tail(r, 400));
		return ok;
	}
	if (rv && !rv->none) {
		int ok = r->has_retval && r->retval == (uint32_t)rv->val;

		th_case(case_name, ok,
			"kernel retval %s%" PRIu32 ", expected %" PRIu64,
			r->run_error ? "(run error) " : "", r->retval, rv->val);
		return ok;
	}
	th_case(case_name, 1, "%s", "");
	return 1;
}

/* returns 0, or -2 when bpf() is refused */
static int check_file(const char *name)
{
	char src_path[512], obj_path[512], ctx_hex[3 * 4096 + 1];
	struct spec *sp = calloc(1, sizeof(*sp));
	struct kernel_result *res = calloc(KERNEL_MAX_PROGS, sizeof(*res));
	char *src = NULL;
	int n = 0, ret = 0;

	snprintf(src_path, sizeof(src_path), "tests/progs/%s.bpf.c", name);
	snprintf(obj_path, sizeof(obj_path), "%s/progs/%s.bpf.o",
		 th_build_dir(), name);
	if (!sp || !res || !(src = th_read_file(src_path, NULL))) {
		th_case(name, 0, "cannot read %s", src_path);
		goto out;
	}
	spec_parse(src, sp);
	if (!sp->nvd)
		goto out; /* states no verdict: not an oracle case */
	if (sp->kernel_skip[0]) {
		th_skip("kernel/%s: %s", name, sp->kernel_skip);
		goto out;
	}
	if (access(obj_path, R_OK)) {
		th_case(name, 0, "%s missing (make progs)", obj_path);
		goto out;
	}
	spec_ctx_hex(sp, ctx_hex, sizeof(ctx_hex));
	n = kernel_load(obj_path, ctx_hex, res);
	if (n == -2) {
		ret = -2;
		n = 0;
		goto out;
	}
	if (n <= 0) {
		th_case(name, 0, "kload could not load %s", obj_path);
		n = 0;
		goto out;
	}
	for (int i = 0; i < n; i++)
		check_prog(name, sp, &res[i]);
	/* an EXPECT naming a program the object does not have */
	for (int i = 0; i < sp->nvd; i++) {
		int found = !sp->vd[i].prog[0];

		for (int j = 0; j < n && !found; j++)
			found = !strcmp(sp->vd[i].prog, res[j].prog);
		if (!found) {
			char case_name[2 * SPEC_NAME + 16];

			snprintf(case_name, sizeof(case_name), "kernel/%s/%s",
				 name, sp->vd[i].prog);
			th_case(case_name, 0, "no such program in %s",
				obj_path);
		}
	}
out:
	if (res)
		kernel_results_free(res, n);
	free(res);
	free(sp);
	free(src);
	return ret;
}

TEST(kernel_oracle)
{
	char **names;
	int n, refused = 0;

	if (!kernel_kload()) {
		th_skip("kernel oracle: %s/tools/kload not built (make tools)",
			th_build_dir());
		return;
	}
	n = spec_list_dir("tests/progs", &names);
	CHECK_MSG(n >= 0, "cannot open tests/progs (run from the repo root)");
	for (int i = 0; i < n; i++) {
		if (!refused && check_file(names[i]) == -2) {
			refused = 1;
			th_skip("kernel oracle: bpf() refused (needs root or "
				"CAP_BPF+CAP_PERFMON+CAP_SYS_ADMIN)");
		}
	}
	spec_names_free(names, n);
}
