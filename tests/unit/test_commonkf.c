// SPDX-License-Identifier: BSD-2-Clause
/*
 * The built-in "common" kfuncs without memory of their own, called
 * directly: bpf_stream_vprintk_impl (its output through the run's print
 * callback and the kernel's error codes), and the run-time side of the
 * sections the verifier balances (bpf_preempt_*, bpf_local_irq_*), which
 * must nest and unwind without effect on the host.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "exec/exec.h"
#include "harness.h"

int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str,
			    const void *args, uint32_t len__sz,
			    void *aux__prog);
void bpf_preempt_disable(void);
void bpf_preempt_enable(void);
void bpf_local_irq_save(unsigned long *flags__irq_flag);
void bpf_local_irq_restore(unsigned long *flags__irq_flag);

static char out[1024];
static int outs;

static void capture(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(out, msg, sizeof(out) - strlen(out) - 1);
	outs++;
}

TEST(stream_vprintk)
{
	const struct bh_run_env env = {.print = capture};
	const struct bh_run_env *old = bh_run_env_set(&env);
	uint64_t a[3] = {42, (uint64_t)(uintptr_t) "str", 'c'};
	uint64_t many[13] = {0};

	out[0] = '\0';
	outs = 0;
	CHECK_EQ(bpf_stream_vprintk_impl(1, "v=%d\n", a, 8, NULL), 0);
	CHECK_EQ(bpf_stream_vprintk_impl(2, "%s %c %llx\n", &a[1], 16, NULL),
		 -EINVAL); /* three conversions, two arguments */
	CHECK_EQ(bpf_stream_vprintk_impl(2, "%d %s %c|\n", a, 24, NULL), 0);
	CHECK_EQ(bpf_stream_vprintk_impl(1, "plain %%\n", NULL, 0, NULL), 0);
	CHECK_STR(out, "v=42\n42 str c|\nplain %\n");
	CHECK_EQ(outs, 3);
	/* the kernel's errors, nothing printed */
	CHECK_EQ(bpf_stream_vprintk_impl(0, "x", NULL, 0, NULL), -ENOENT);
	CHECK_EQ(bpf_stream_vprintk_impl(3, "x", NULL, 0, NULL), -ENOENT);
	CHECK_EQ(bpf_stream_vprintk_impl(1, "%d", a, 4, NULL), -EINVAL);
	CHECK_EQ(bpf_stream_vprintk_impl(1, "%d", NULL, 8, NULL), -EINVAL);
	CHECK_EQ(bpf_stream_vprintk_impl(1, "x", many, sizeof(many), NULL),
		 -EINVAL);
	CHECK_EQ(bpf_stream_vprintk_impl(1, "%q", a, 8, NULL), -EINVAL);
	CHECK_EQ(bpf_stream_vprintk_impl(1, "%d %d", a, 8, NULL), -EINVAL);
	CHECK_EQ(outs, 3);
	bh_run_env_set(old);
}

TEST(sections_runtime)
{
	unsigned long f1 = 99, f2 = 99, f3 = 99;

	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	/* an extra enable (refused by the verifier) must not underflow */
	bpf_preempt_enable();
	bpf_local_irq_save(&f1);
	bpf_local_irq_save(&f2);
	CHECK_EQ(f2, f1 + 1);
	bpf_local_irq_restore(&f2);
	bpf_local_irq_save(&f3);
	CHECK_EQ(f3, f2); /* the depth came back */
	bpf_local_irq_restore(&f3);
	bpf_local_irq_restore(&f1);
	bpf_local_irq_save(&f2);
	CHECK_EQ(f2, f1);
	bpf_local_irq_restore(&f2);
}
