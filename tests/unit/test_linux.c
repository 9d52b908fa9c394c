// SPDX-License-Identifier: BSD-2-Clause
/*
 * Same object, two verifiers.  Every tests/linux/NAME.bpf.c is a program
 * written for the Linux kernel (vmlinux-style types with CO-RE, the core
 * kfuncs extern __ksym, SEC("syscall") and SEC("tp_btf/...")), compiled
 * once into $BUILD/linux/NAME.bpf.o.  Each program of it is:
 *
 *   - verified by bpfhost alone (the other programs not loaded) against
 *     its EXPECT line (tests/support/spec.h), and an accepted syscall
 *     program with a RETVAL is run and its r0 compared;
 *   - where bpf() is permitted, loaded into the running kernel with
 *     libbpf (kload): the kernel's verdict must equal EXPECT (a REJECT's
 *     text in its log) and bpfhost's verdict, and an accepted syscall
 *     program with a RETVAL is test-run (BPF_PROG_TEST_RUN) and its
 *     retval compared with RETVAL and with bpfhost's r0.
 *
 * Program types bpfhost has no equivalent of are verified against a host
 * stand-in with the same argument BTF: tp_btf/sched_switch is the hook
 * "sched_switch" declared from sched_switch_standin() below, whose
 * task_struct is bpfhost's; its accepted programs are also fired once on
 * the calling task.
 *
 * tests/linux-gaps.txt lists (file/prog, reason) what bpfhost does not
 * handle like the kernel yet: bpfhost's cases for them are SKIP, and a
 * listed one that passes fails.  The kernel's cases are never skipped
 * (but where bpf() is refused, the kernel part is, and says so).
 *
 * The last lines are the counts the issue asks for.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"
#include "stdlib/task.h"
#include "support/kernel.h"
#include "support/spec.h"

#define GAPS "tests/linux-gaps.txt"

/* The tracepoint's arguments (TP_PROTO of sched_switch, 6.18), typed by
 * bpfhost's task_struct.  A prototype only: never called by bpfhost. */
__attribute__((noinline, used)) void
sched_switch_standin(bool preempt, struct task_struct *prev,
		     struct task_struct *next, unsigned int prev_state)
{
	(void)preempt;
	(void)prev;
	(void)next;
	(void)prev_state;
}

static struct {
	int programs, bh_accept, bh_reject, bh_run, bh_gaps;
	int kernel_checked, disagree, disagree_gaps;
	int retval_checked, retval_mismatch;
	int kernel_refused;
} cnt;

/* bpfhost's answer for one program */
struct bh_result {
	int loaded; /* opened and load attempted */
	int accept;
	char error[1024];
	int ran;
	int run_err;
	uint64_t r0;
};

static void no_log(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static struct bpfhost_rt *new_rt(void)
{
	BPFHOST_OPTS(bpfhost_rt_opts, quiet, .log = no_log);
	struct bpfhost_rt *rt = bpfhost_rt_new(&quiet);

	if (rt &&
	    !bpfhost_hook_add(rt, "sched_switch", "sched_switch_standin")) {
		bpfhost_rt_free(rt);
		return NULL;
	}
	return rt;
}

static bool is_syscall(const char *sec)
{
	return !strcmp(sec, "syscall") || !strncmp(sec, "syscall/", 8);
}

/* fire the stand-in hook once with the calling task as prev and next */
static int fire_standin(struct bpfhost_rt *rt, struct bpfhost_obj *obj)
{
	struct bpfhost_hook *h = bpfhost_hook_find(rt, "sched_switch");
	struct task_struct *self = bh_task_get(getpid());
	uint64_t last = 0;
	int n;

	if (!h || !self) {
		if (self)
			bh_task_put(self);
		return -ENOENT;
	}
	n = bpfhost_obj_attach(obj);
	if (n >= 0)
		n = bpfhost_hook_fire(h, &last, 0, self, self, 0u);
	bh_task_put(self);
	return n < 0 ? n : 0;
}

/* verify (and run) program idx of obj_path alone in bpfhost */
static void bh_check(struct bpfhost_rt *rt, const char *obj_path,
		     const struct spec *sp, const char *pname, size_t idx,
		     struct bh_result *res)
{
	const struct spec_retval *rv = spec_retval(sp, pname);
	struct bpfhost_obj *obj;
	struct bpfhost_prog *prog;
	const char *sec;
	char log[4096];

	memset(res, 0, sizeof(*res));
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log,
			     .log_size = sizeof(log));

		log[0] = '\0';
		obj = bpfhost_obj_open(rt, obj_path, &oo);
	}
	if (!obj) {
		snprintf(res->error, sizeof(res->error), "open failed: %.900s",
			 log);
		return;
	}
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++)
		bpfhost_prog_set_autoload(bpfhost_obj_prog_at(obj, i),
					  i == idx);
	prog = bpfhost_obj_prog_at(obj, idx);
	sec = bpfhost_prog_section(prog);
	res->loaded = 1;
	res->accept = bpfhost_obj_load(obj) == 0;
	snprintf(res->error, sizeof(res->error), "%s", bpfhost_obj_error(obj));
	if (res->accept && is_syscall(sec) && rv && !rv->none) {
		uint8_t ctx[4096];

		memcpy(ctx, sp->ctx, sp->ctx_len);
		res->ran = 1;
		res->run_err = bpfhost_prog_run(prog, sp->ctx_len ? ctx : NULL,
						sp->ctx_len, &res->r0);
	} else if (res->accept && !strncmp(sec, "tp_btf/sched_switch", 19)) {
		res->ran = 2;
		res->run_err = fire_standin(rt, obj);
	}
	bpfhost_obj_free(obj);
}

static void bh_case(const char *file, const char *pname, const struct spec *sp,
		    const struct bh_result *res)
{
	const struct spec_verdict *vd = spec_verdict(sp, pname);
	const struct spec_retval *rv = spec_retval(sp, pname);
	char case_name[2 * SPEC_NAME + 16];
	int ok;

	snprintf(case_name, sizeof(case_name), "%s/%s", file, pname);
	if (spec_gap_reason(GAPS, case_name))
		cnt.bh_gaps++;
	if (!vd) {
		th_case(case_name, 0, "no EXPECT line for this program");
		return;
	}
	if (!res->loaded) {
		spec_case(GAPS, case_name, 0, "%s", res->error);
		return;
	}
	if (vd->reject) {
		spec_case(GAPS, case_name,
			  !res->accept && strstr(res->error, vd->text),
			  "expected REJECT \"%s\", got %s%s", vd->text,
			  res->accept ? "ACCEPT" : "REJECT: ",
			  res->accept ? "" : res->error);
		return;
	}
	if (!res->accept) {
		spec_case(GAPS, case_name, 0, "expected ACCEPT, got REJECT: %s",
			  res->error);
		return;
	}
	if (res->ran == 2) {
		spec_case(GAPS, case_name, !res->run_err,
			  "fired on the stand-in hook: %d", res->run_err);
		return;
	}
	ok = !res->ran || (!res->run_err && rv && res->r0 == rv->val);
	spec_case(GAPS, case_name, ok,
		  "run: err %d, r0 %" PRIu64 ", expected %" PRIu64,
		  res->run_err, res->r0, rv ? rv->val : 0);
}

static void kernel_case(const char *file, const char *pname,
			const struct spec *sp, const struct bh_result *bh,
			const struct kernel_result *k, const char *sec)
{
	const struct spec_verdict *vd = spec_verdict(sp, pname);
	const struct spec_retval *rv = spec_retval(sp, pname);
	char case_name[2 * SPEC_NAME + 24];

	snprintf(case_name, sizeof(case_name), "kernel/%s/%s", file, pname);
	if (!k) {
		th_case(case_name, 0, "the kernel gave no verdict for it");
		return;
	}
	cnt.kernel_checked++;
	if (bh->loaded && bh->accept != k->accept) {
		char gap_name[2 * SPEC_NAME + 16];

		snprintf(gap_name, sizeof(gap_name), "%s/%s", file, pname);
		cnt.disagree++;
		if (spec_gap_reason(GAPS, gap_name))
			cnt.disagree_gaps++;
		printf("DISAGREEMENT: %s: kernel %s, bpfhost %s%s\n", gap_name,
		       k->accept ? "ACCEPT" : "REJECT",
		       bh->accept ? "ACCEPT" : "REJECT",
		       spec_gap_reason(GAPS, gap_name) ? " (listed in " GAPS ")"
						       : "");
	}
	if (!vd)
		return; /* bh_case reports it */
	if (vd->reject == k->accept) {
		th_case(case_name, 0, "kernel %s, expected %s%s; log tail: %s",
			k->accept ? "ACCEPT" : "REJECT",
			vd->reject ? "REJECT " : "ACCEPT",
			vd->reject ? vd->text : "", kernel_log_tail(k, 400));
		return;
	}
	if (vd->reject) {
		th_case(case_name, k->log && strstr(k->log, vd->text),
			"\"%s\" not in the kernel log: %s", vd->text,
			kernel_log_tail(k, 400));
		return;
	}
	if (is_syscall(sec) && rv && !rv->none) {
		uint32_t want = (uint32_t)rv->val;
		int ok = k->has_retval && k->retval == want;

		cnt.retval_checked++;
		/* bpfhost's own run, compared as the kernel's 32-bit retval */
		if (bh->ran == 1 && !bh->run_err &&
		    (uint32_t)bh->r0 != k->retval)
			ok = 0;
		if (!ok)
			cnt.retval_mismatch++;
		th_case(case_name, ok,
			"kernel retval %s%" PRIu32 ", bpfhost r0 %" PRIu64
			", expected %" PRIu32,
			k->run_error ? "(run error) " : "", k->retval, bh->r0,
			want);
		return;
	}
	th_case(case_name, 1, "%s", "");
}

static const struct kernel_result *kernel_find(const struct kernel_result *res,
					       int n, const char *prog)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(res[i].prog, prog))
			return &res[i];
	return NULL;
}

static void check_file(const char *name)
{
	char src_path[512], obj_path[512], ctx_hex[3 * 4096 + 1];
	struct spec *sp = calloc(1, sizeof(*sp));
	struct kernel_result *kres = calloc(KERNEL_MAX_PROGS, sizeof(*kres));
	struct bpfhost_rt *rt = NULL;
	struct bpfhost_obj *obj = NULL;
	char *src = NULL;
	int kn = 0;

	snprintf(src_path, sizeof(src_path), "tests/linux/%s.bpf.c", name);
	snprintf(obj_path, sizeof(obj_path), "%s/linux/%s.bpf.o",
		 th_build_dir(), name);
	if (!sp || !kres || !(src = th_read_file(src_path, NULL))) {
		th_case(name, 0, "cannot read %s", src_path);
		goto out;
	}
	spec_parse(src, sp);
	rt = new_rt();
	if (!rt) {
		th_case(name, 0, "no runtime (or no sched_switch stand-in)");
		goto out;
	}
	obj = bpfhost_obj_open(rt, obj_path, NULL);
	if (!obj) {
		th_case(name, 0, "cannot open %s (make progs)", obj_path);
		goto out;
	}
	if (!cnt.kernel_refused && kernel_kload() && !sp->kernel_skip[0]) {
		spec_ctx_hex(sp, ctx_hex, sizeof(ctx_hex));
		kn = kernel_load(obj_path, ctx_hex, kres);
		if (kn == -2) {
			cnt.kernel_refused = 1;
			th_skip("linux: bpf() refused (needs root or "
				"CAP_BPF+CAP_PERFMON+CAP_SYS_ADMIN): the "
				"kernel part is skipped");
			kn = 0;
		} else if (kn < 0) {
			th_case(name, 0, "kload could not load %s", obj_path);
			kn = 0;
		}
	} else if (sp->kernel_skip[0]) {
		th_skip("kernel/%s: %s", name, sp->kernel_skip);
	}
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);
		const char *pname = bpfhost_prog_name(p);
		struct bh_result bh;

		cnt.programs++;
		bh_check(rt, obj_path, sp, pname, i, &bh);
		if (bh.loaded && bh.accept)
			cnt.bh_accept++;
		else if (bh.loaded)
			cnt.bh_reject++;
		if (bh.ran == 1)
			cnt.bh_run++;
		bh_case(name, pname, sp, &bh);
		if (kn > 0)
			kernel_case(name, pname, sp, &bh,
				    kernel_find(kres, kn, pname),
				    bpfhost_prog_section(p));
	}
out:
	if (kres)
		kernel_results_free(kres, kn);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(kres);
	free(sp);
	free(src);
}

TEST(linux_same_object)
{
	char **names;
	int n = spec_list_dir("tests/linux", &names);

	CHECK_MSG(n >= 0, "cannot open tests/linux (run from the repo root)");
	CHECK_MSG(n > 0, "no programs in tests/linux");
	for (int i = 0; i < n; i++)
		check_file(names[i]);
	spec_names_free(names, n);
	if (!kernel_kload())
		th_skip("linux: %s/tools/kload not built: the kernel part is "
			"skipped",
			th_build_dir());
	printf("linux: %d programs in %d files; bpfhost accepted %d, rejected "
	       "%d, ran %d (%d listed in %s)\n",
	       cnt.programs, n, cnt.bh_accept, cnt.bh_reject, cnt.bh_run,
	       cnt.bh_gaps, GAPS);
	if (cnt.kernel_refused || !kernel_kload())
		printf("linux: kernel cross-check skipped (bpf() refused or "
		       "kload missing)\n");
	else
		printf("linux: cross-checked with the kernel %d, disagreements "
		       "%d (%d listed in %s), retvals compared %d, retval "
		       "mismatches %d\n",
		       cnt.kernel_checked, cnt.disagree, cnt.disagree_gaps,
		       GAPS, cnt.retval_checked, cnt.retval_mismatch);
	/* a disagreement not in the gaps file fails */
	CHECK_MSG(cnt.disagree == cnt.disagree_gaps,
		  "%d verdict disagreements with the kernel not listed in %s",
		  cnt.disagree - cnt.disagree_gaps, GAPS);
}
