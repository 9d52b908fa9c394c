// SPDX-License-Identifier: BSD-2-Clause
/*
 * The built-in "common" kfuncs without memory of their own, called
 * directly: bpf_stream_vprintk_impl (its output through the run's print
 * callback and the kernel's error codes), bpf_stream_print_stack (from
 * programs: the frames and source lines of its traces), and the run-time
 * side of the
 * sections the verifier balances (bpf_preempt_*, bpf_local_irq_*), which
 * must nest and unwind without effect on the host; and the dynptr forms
 * of the probe reads on host memory (valid, unmapped, impossible
 * addresses; read-only and null dynptrs).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bpfhost/bpfhost.h"
#include "exec/exec.h"
#include "harness.h"
#include "stdlib/stdlib.h"

int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str,
			    const void *args, uint32_t len__sz,
			    void *aux__prog);
void bpf_preempt_disable(void);
void bpf_preempt_enable(void);
void bpf_local_irq_save(unsigned long *flags__irq_flag);
void bpf_local_irq_restore(unsigned long *flags__irq_flag);
int bpf_probe_read_kernel_dynptr(struct bpf_dynptr *dptr, uint32_t off,
				 uint32_t size, const void *unsafe_ptr__ign);
int bpf_probe_read_kernel_str_dynptr(struct bpf_dynptr *dptr, uint32_t off,
				     uint32_t size,
				     const void *unsafe_ptr__ign);
int bpf_probe_read_user_dynptr(struct bpf_dynptr *dptr, uint32_t off,
			       uint32_t size, const void *unsafe_ptr__ign);
int bpf_probe_read_user_str_dynptr(struct bpf_dynptr *dptr, uint32_t off,
				   uint32_t size, const void *unsafe_ptr__ign);
int bpf_copy_from_user_dynptr(struct bpf_dynptr *dptr, uint32_t off,
			      uint32_t size, const void *unsafe_ptr__ign);
int bpf_copy_from_user_str_dynptr(struct bpf_dynptr *dptr, uint32_t off,
				  uint32_t size, const void *unsafe_ptr__ign);

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

static char trace[4096];

static void capture_trace(void *ctx, enum bpfhost_log_level level,
			  const char *msg)
{
	(void)ctx, (void)level;
	strncat(trace, msg, sizeof(trace) - strlen(trace) - 1);
}

/* The frames of stream_stack.bpf.c's traces, innermost first, each with
 * its source line; a callback's caller is the frame that called
 * bpf_loop. */
TEST(stream_print_stack)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .printk = capture_trace);
	char log[4096] = "", path[512];
	BPFHOST_OPTS(bpfhost_open_opts, o, .log_buf = log,
		     .log_size = sizeof(log));
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	struct bpfhost_obj *obj;
	struct bpfhost_prog *nested, *cb, *bad;
	uint64_t r0 = 1;
	const char *a, *b, *c;

	CHECK(rt);
	snprintf(path, sizeof(path), "%s/progs/stream_stack.bpf.o",
		 th_build_dir());
	obj = bpfhost_obj_open(rt, path, &o);
	CHECK_MSG(obj && !bpfhost_obj_load(obj), "%s: %s", path, log);
	nested = bpfhost_obj_prog(obj, "print_stack_nested");
	cb = bpfhost_obj_prog(obj, "print_stack_in_callback");
	bad = bpfhost_obj_prog(obj, "print_stack_bad_id");
	CHECK(nested && cb && bad);

	trace[0] = '\0';
	CHECK_EQ(bpfhost_prog_run(nested, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 0);
	CHECK_MSG(!strncmp(trace, "CPU: ", 5), "%s", trace);
	a = strstr(trace, "Call trace:\nbpf_prog_inner+0x0/0x");
	b = strstr(trace, "\nbpf_prog_outer+0x");
	c = strstr(trace, "\nbpf_prog_print_stack_nested+0x");
	CHECK_MSG(a && b && c && a < b && b < c, "%s", trace);
	CHECK_CONTAINS(trace, "  return bpf_stream_print_stack(id); @ "
			      "stream_stack.bpf.c:");
	CHECK_CONTAINS(trace, "  return outer(stream); @ stream_stack.bpf.c:");
	CHECK_MSG(strlen(trace) > 2 &&
			  !strcmp(trace + strlen(trace) - 2, "\n\n"),
		  "%s", trace);

	trace[0] = '\0';
	CHECK_EQ(bpfhost_prog_run(cb, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 0);
	a = strstr(trace, "Call trace:\nbpf_prog_inner+");
	b = strstr(trace, "\nbpf_prog_print_cb+");
	c = strstr(trace, "\nbpf_prog_print_stack_in_callback+");
	CHECK_MSG(a && b && c && a < b && b < c, "%s", trace);
	CHECK_CONTAINS(trace, "bpf_loop(1, print_cb, &ret, 0); @ ");

	trace[0] = '\0';
	CHECK_EQ(bpfhost_prog_run(bad, NULL, 0, &r0), 0);
	CHECK_EQ(r0, ENOENT);
	CHECK_STR(trace, "");
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
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

TEST(probe_dynptr)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[16], *end;
	struct bpf_dynptr d, ro, null = {{0}};

	CHECK(m != MAP_FAILED);
	CHECK_EQ(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	end = m + pg - 2;
	memcpy(end, "ab", 2); /* no NUL before the unreadable page */
	CHECK_EQ(bh_dynptr_init_local(&d, buf, sizeof(buf), false), 0);
	CHECK_EQ(bh_dynptr_init_local(&ro, buf, sizeof(buf), true), 0);

	/* host memory is both "kernel" and "user" memory here */
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(bpf_probe_read_user_dynptr(&d, 1, 3, "hey"), 0);
	CHECK(!memcmp(buf, "xheyx", 5));
	CHECK_EQ(bpf_probe_read_user_str_dynptr(&d, 0, 16, "hello"), 6);
	CHECK_STR(buf, "hello");
	CHECK_EQ(bpf_copy_from_user_str_dynptr(&d, 8, 4, "hello"), 4);
	CHECK_STR(buf + 8, "hel");
	CHECK_EQ(bpf_probe_read_kernel_str_dynptr(&d, 0, 16, end), -EFAULT);

	/* a fault: nofault reads do not zero (bytes before the fault may be
	 * copied, as in the kernel), copy_from_user zeroes the range */
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(bpf_probe_read_kernel_dynptr(&d, 0, 4, end), -EFAULT);
	CHECK_EQ(bpf_probe_read_user_dynptr(&d, 0, 4, end), -EFAULT);
	CHECK(buf[2] == 'x' && buf[3] == 'x' && buf[4] == 'x');
	CHECK_EQ(bpf_copy_from_user_dynptr(&d, 0, 4, end), -EFAULT);
	CHECK(!memcmp(buf, "\0\0\0\0x", 5));
	CHECK_EQ(bpf_probe_read_kernel_dynptr(&d, 0, 2, end), 0);
	CHECK(!memcmp(buf, "ab", 2));

	/* impossible addresses: -ERANGE for the kernel forms only */
	CHECK_EQ(bpf_probe_read_kernel_dynptr(&d, 0, 0, NULL), -ERANGE);
	CHECK_EQ(bpf_probe_read_kernel_str_dynptr(&d, 0, 1, NULL), -ERANGE);
	CHECK_EQ(bpf_probe_read_kernel_str_dynptr(&d, 0, 0, NULL), 0);
	CHECK_EQ(bpf_probe_read_user_dynptr(&d, 0, 4, NULL), -EFAULT);
	CHECK_EQ(bpf_probe_read_user_dynptr(&d, 0, 0, NULL), 0);

	/* the dynptr's own rules */
	CHECK_EQ(bpf_probe_read_user_dynptr(&d, 10, 8, "12345678"), -E2BIG);
	CHECK_EQ(bpf_probe_read_user_dynptr(&d, 17, 0, "1"), -E2BIG);
	CHECK_EQ(bpf_probe_read_user_dynptr(&ro, 0, 4, "1234"), -EINVAL);
	CHECK_EQ(bpf_probe_read_user_dynptr(&ro, 0, 4, NULL), -EFAULT);
	CHECK_EQ(bpf_probe_read_user_str_dynptr(&ro, 0, 4, "ab"), -EINVAL);
	CHECK_EQ(bpf_probe_read_user_dynptr(&null, 0, 1, "1"), -E2BIG);
	CHECK_EQ(bpf_probe_read_user_dynptr(&null, 0, 0, "1"), 0);
	munmap(m, (size_t)pg * 2);
}
