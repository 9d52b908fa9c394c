// SPDX-License-Identifier: BSD-2-Clause
/*
 * The built-in helper functions, with Linux's ids, names and return
 * conventions, in the common bh_fn shape (five u64 in, one u64 out).
 *
 * Helpers that take a callback run it through bh_callback_call(), which
 * finds the calling run itself.
 *
 * Invariant: helpers keep no process-wide mutable state.  What a helper
 * needs beyond its arguments is per thread: the run environment (where
 * bpf_trace_printk prints) and the bpf_get_prandom_u32 generator.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "exec/exec.h"
#include "maps/map.h"
#include "stdlib/task.h"
#include "stdlib/stdlib.h"

#define BH_PRINTK_SIZE 1024 /* the kernel's BPF_TRACE_PRINTK_SIZE */
#define BH_PRINTK_MAX_ARGS 3

static _Thread_local const struct bh_run_env *bh_env;
static _Thread_local uint64_t bh_prandom_state;

const struct bh_run_env *bh_run_env_set(const struct bh_run_env *env)
{
	const struct bh_run_env *old = bh_env;

	bh_env = env;
	return old;
}

const struct bh_run_env *bh_run_env_get(void)
{
	return bh_env;
}

static void *bh_ptr(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

static uint64_t bh_map_lookup_elem(uint64_t map, uint64_t key, uint64_t r3,
				   uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return (uint64_t)(uintptr_t)bh_map_lookup(bh_ptr(map), bh_ptr(key));
}

static uint64_t bh_map_lookup_percpu_elem(uint64_t map, uint64_t key,
					  uint64_t cpu, uint64_t r4,
					  uint64_t r5)
{
	(void)r4, (void)r5;
	if (cpu > UINT32_MAX)
		return 0;
	return (uint64_t)(uintptr_t)bh_map_lookup_cpu(bh_ptr(map), bh_ptr(key),
						      (uint32_t)cpu);
}

static uint64_t bh_map_update_elem(uint64_t map, uint64_t key, uint64_t value,
				   uint64_t flags, uint64_t r5)
{
	(void)r5;
	return (uint64_t)(int64_t)bh_map_update(bh_ptr(map), bh_ptr(key),
						bh_ptr(value), flags);
}

static uint64_t bh_map_delete_elem(uint64_t map, uint64_t key, uint64_t r3,
				   uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return (uint64_t)(int64_t)bh_map_delete(bh_ptr(map), bh_ptr(key));
}

static uint64_t bh_ktime_get_ns(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	struct timespec ts;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- bpf_trace_printk ---- */

struct bh_outbuf {
	char *buf;
	size_t size;
	size_t len; /* what would have been written, like vsnprintf */
};

static void bh_out(struct bh_outbuf *o, const char *s, size_t n)
{
	if (o->len < o->size - 1) {
		size_t room = o->size - 1 - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

/*
 * Format one argument.  spec is the program's "%[flags][width]"; conv the
 * conversion we chose ("lld", "llx", "s", "c").  Only a spec that passed
 * the parser and a conversion from that closed set reach snprintf.
 */
static void bh_out_conv(struct bh_outbuf *o, const char *spec, size_t speclen,
			const char *conv, uint64_t arg)
{
	char fmt[32], tmp[BH_PRINTK_SIZE];
	int n;

	snprintf(fmt, sizeof(fmt), "%.*s%s", (int)speclen, spec, conv);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (conv[0] == 's') {
		/* any scalar may be passed for %s: copy the string with probe
		 * loads (a bad address ends it), as the kernel reads it with a
		 * no-fault copy */
		char str[BH_PRINTK_SIZE];
		size_t k = 0;

		bh_probe_init();
		while (arg && k + 1 < sizeof(str)) {
			str[k] = (char)bh_probe_ld8(
				(const void *)(uintptr_t)(arg + k));
			if (!str[k])
				break;
			k++;
		}
		str[k] = '\0';
		n = snprintf(tmp, sizeof(tmp), fmt, str);
	} else if (conv[0] == 'c') {
		n = snprintf(tmp, sizeof(tmp), fmt, (int)(char)arg);
	} else {
		n = snprintf(tmp, sizeof(tmp), fmt, (unsigned long long)arg);
	}
#pragma GCC diagnostic pop
	if (n > 0)
		bh_out(o, tmp,
		       (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static bool bh_is_alnum(char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool bh_is_print_or_space(char c)
{
	return (c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r');
}

/*
 * Parse the conversion after the '%' at fmt[*i] (flags and width already
 * skipped up to fmt[*i]); choose the snprintf conversion and narrow the
 * argument as the kernel does.  Returns false for what the kernel rejects.
 */
static bool bh_printk_conv(const char *fmt, size_t *i, char conv[8],
			   uint64_t *arg)
{
	size_t j = *i;
	int longs = 0;

	switch (fmt[j]) {
	case 'p':
		/* %p, %pK, %px: the address in full, as %px prints it (a host
		 * process has no pointers to hide); other extensions are
		 * kernel-only */
		if (fmt[j + 1] == 'K' || fmt[j + 1] == 'x')
			j++;
		else if (bh_is_alnum(fmt[j + 1]) || fmt[j + 1] == '_')
			return false;
		strcpy(conv, "016llx");
		break;
	case 's':
	case 'c':
		conv[0] = fmt[j];
		conv[1] = '\0';
		break;
	default:
		while (fmt[j] == 'l' && longs < 2) {
			longs++;
			j++;
		}
		if (!strchr("diuxX", fmt[j]) || !fmt[j])
			return false;
		snprintf(conv, 8, "ll%c", fmt[j]);
		if (!longs) /* %d, %u, %x take an int */
			*arg = fmt[j] == 'd' || fmt[j] == 'i'
				       ? (uint64_t)(int64_t)(int32_t)*arg
				       : (uint32_t)*arg;
		break;
	}
	*i = j;
	return true;
}

/*
 * bpf_trace_printk's formatting, with the kernel's rules
 * (bpf_bprintf_prepare): the format is NUL-terminated within fmt_size and
 * printable, uses at most three arguments, and each conversion is
 * [flags][width] then d i u x X (with l or ll), p, s or c; %% is literal.
 * Anything else is -EINVAL.  Returns the length of the full message
 * (buf holds at most bufsz - 1 bytes of it).
 */
static int bh_format(char *buf, size_t bufsz, const char *fmt,
		     uint32_t fmt_size, const uint64_t *args, int max_args);

int bh_trace_printk_fmt(char *buf, size_t bufsz, const char *fmt,
			uint32_t fmt_size, const uint64_t args[3])
{
	return bh_format(buf, bufsz, fmt, fmt_size, args, BH_PRINTK_MAX_ARGS);
}

/* The formatter of bpf_trace_printk and bpf_snprintf: max_args is 3 for
 * the first, the number of u64s passed for the second. */
static int bh_format(char *buf, size_t bufsz, const char *fmt,
		     uint32_t fmt_size, const uint64_t *args, int max_args)
{
	struct bh_outbuf o = {buf, bufsz, 0};
	int nargs = 0;
	size_t i, lit;

	if (!fmt || !fmt_size || fmt[fmt_size - 1] || !bufsz)
		return -EINVAL;
	for (i = 0, lit = 0; fmt[i]; i++) {
		char conv[8];
		uint64_t arg;
		size_t spec;

		if (!bh_is_print_or_space(fmt[i]))
			return -EINVAL;
		if (fmt[i] != '%')
			continue;
		bh_out(&o, fmt + lit, i - lit);
		if (fmt[i + 1] == '%') {
			bh_out(&o, "%", 1);
			lit = ++i + 1;
			continue;
		}
		if (nargs == max_args)
			return -EINVAL;
		spec = i++;
		while (fmt[i] && strchr("0+- ", fmt[i]))
			i++;
		while (fmt[i] >= '0' && fmt[i] <= '9')
			i++;
		if (i - spec > 12)
			return -EINVAL;
		arg = args[nargs++];
		{
			size_t speclen = i - spec;

			if (!bh_printk_conv(fmt, &i, conv, &arg))
				return -EINVAL;
			if (conv[0] == '0') /* %p sets its own width */
				speclen = 1;
			bh_out_conv(&o, fmt + spec, speclen, conv, arg);
		}
		lit = i + 1;
	}
	bh_out(&o, fmt + lit, i - lit);
	buf[o.len < bufsz ? o.len : bufsz - 1] = '\0';
	return (int)o.len;
}

static uint64_t bh_trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t a1,
				uint64_t a2, uint64_t a3)
{
	const uint64_t args[3] = {a1, a2, a3};
	char buf[BH_PRINTK_SIZE];
	int n;

	n = bh_trace_printk_fmt(buf, sizeof(buf), bh_ptr(fmt),
				(uint32_t)fmt_size, args);
	if (n < 0)
		return (uint64_t)(int64_t)n;
	if (bh_env && bh_env->print)
		bh_env->print(bh_env->print_ctx, buf);
	else
		fputs(buf, stderr);
	return (uint64_t)n;
}

/*
 * bpf_snprintf(str, str_size, fmt, data, data_len): fmt is a constant
 * string the verifier checked, data up to 12 u64 arguments.  Returns the
 * length of the whole result including its NUL, as the kernel does (str
 * holds at most str_size bytes of it).
 */
#define BH_SNPRINTF_MAX_ARGS 12
static uint64_t bh_snprintf(uint64_t str, uint64_t str_size, uint64_t fmt,
			    uint64_t data, uint64_t data_len)
{
	uint64_t args[BH_SNPRINTF_MAX_ARGS];
	char tmp[BH_PRINTK_SIZE];
	const char *f = bh_ptr(fmt);
	size_t flen;
	int n;

	if (data_len % 8 || data_len > sizeof(args) || (data_len && !data) ||
	    !f)
		return (uint64_t)(int64_t)-EINVAL;
	memcpy(args, bh_ptr(data), (size_t)data_len);
	flen = strnlen(f, BH_PRINTK_SIZE);
	n = bh_format(tmp, sizeof(tmp), f, (uint32_t)flen + 1, args,
		      (int)(data_len / 8));
	if (n < 0)
		return (uint64_t)(int64_t)n;
	if (str_size) {
		size_t c = (size_t)n < str_size ? (size_t)n : str_size - 1;

		if (c > sizeof(tmp) - 1)
			c = sizeof(tmp) - 1;
		memcpy(bh_ptr(str), tmp, c);
		((char *)bh_ptr(str))[c] = '\0';
	}
	return (uint64_t)n + 1;
}

/*
 * bpf_stream_vprintk_impl's work (the kfunc is in src/stdlib/common.c):
 * stream 1 (BPF_STDOUT) or 2 (BPF_STDERR), else -ENOENT; args holds len
 * bytes of u64 arguments (at most 12, len a multiple of 8, args non-NULL
 * if len), else -EINVAL; the format is bpf_snprintf's.  The message goes
 * to the run's print callback when the runtime set one, else to the
 * process's stdout or stderr.  0 on success, as the kernel's.
 */
int bh_stream_vprintk(int stream_id, const char *fmt, const void *args,
		      uint32_t len)
{
	uint64_t a[BH_SNPRINTF_MAX_ARGS];
	char tmp[BH_PRINTK_SIZE];
	int n;

	if (stream_id != 1 && stream_id != 2)
		return -ENOENT;
	if (len % 8 || len > sizeof(a) || (len && !args) || !fmt)
		return -EINVAL;
	if (len)
		memcpy(a, args, len);
	n = bh_format(tmp, sizeof(tmp), fmt,
		      (uint32_t)strnlen(fmt, BH_PRINTK_SIZE) + 1, a,
		      (int)(len / 8));
	if (n < 0)
		return n;
	return bh_stream_write(stream_id, tmp);
}

int bh_stream_write(int stream_id, const char *text)
{
	if (stream_id != 1 && stream_id != 2)
		return -ENOENT;
	if (bh_env && bh_env->print) {
		bh_env->print(bh_env->print_ctx, text);
	} else {
		FILE *f = stream_id == 1 ? stdout : stderr;

		fputs(text, f);
		fflush(f);
	}
	return 0;
}

/* xorshift64*, seeded per thread on first use */
static uint64_t bh_get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3,
				   uint64_t r4, uint64_t r5)
{
	uint64_t x = bh_prandom_state;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (!x) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
		    (uint64_t)ts.tv_sec ^ (uint64_t)syscall(SYS_gettid) << 32 ^
		    (uint64_t)(uintptr_t)&bh_prandom_state;
		if (!x)
			x = 0x2545f4914f6cdd1dull;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	bh_prandom_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static uint64_t bh_get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3,
					uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return bh_this_cpu();
}

/* ---- bpf_loop ---- */

#define BH_MAX_LOOPS (8u * 1024 * 1024) /* the kernel's BPF_MAX_LOOPS */

/*
 * As the kernel's: the verifier bounds the callback's result to [0, 1],
 * but the loop itself stops on any non-zero one, counting that call.
 */
static uint64_t bh_loop(uint64_t nr_loops, uint64_t callback_fn,
			uint64_t callback_ctx, uint64_t flags, uint64_t r5)
{
	uint32_t n = (uint32_t)nr_loops, i;
	uint64_t ret;

	(void)r5;
	if (flags)
		return (uint64_t)-EINVAL;
	if (n > BH_MAX_LOOPS)
		return (uint64_t)-E2BIG;
	for (i = 0; i < n; i++) {
		/* a fault ends the run as soon as we return, whatever we
		 * return */
		if (bh_callback_call(callback_fn, i, callback_ctx, 0, 0, 0,
				     &ret))
			return i;
		if (ret)
			return i + 1;
	}
	return i;
}

/* ---- bpf_spin_lock ---- */

/*
 * The 4-byte struct bpf_spin_lock of a map value or program object: a
 * test-and-set lock, taken for the short region the verifier allows
 * (no calls, no exit before the unlock).  The kernel disables
 * preemption around it; a user-space thread may be descheduled while
 * holding it, so waiters yield after a while instead of spinning on.
 */
/* the one lock this thread's program holds (the verifier allows one),
 * for a run stopped inside its region (bh_spin_lock_abandon) */
static _Thread_local uint32_t *bh_spin_held;

static uint64_t bh_spin_lock(uint64_t lock, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5)
{
	uint32_t *l = (uint32_t *)(uintptr_t)lock;
	unsigned int spins = 0;

	(void)r2, (void)r3, (void)r4, (void)r5;
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
			if (++spins > 1000)
				sched_yield();
#if defined(__x86_64__) || defined(__i386__)
			else
				__builtin_ia32_pause();
#endif
		}
	}
	bh_spin_held = l;
	return 0;
}

static uint64_t bh_spin_unlock(uint64_t lock, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	bh_spin_held = NULL;
	__atomic_store_n((uint32_t *)(uintptr_t)lock, 0, __ATOMIC_RELEASE);
	return 0;
}

void bh_spin_lock_abandon(void)
{
	uint32_t *l = bh_spin_held;

	bh_spin_held = NULL;
	if (l)
		__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* ---- ring buffers (src/maps/ringbuf.c) ---- */

static uint64_t bh_ringbuf_output_h(uint64_t map, uint64_t data, uint64_t size,
				    uint64_t flags, uint64_t r5)
{
	(void)r5;
	return (uint64_t)(int64_t)bh_ringbuf_output(bh_ptr(map), bh_ptr(data),
						    size, flags);
}

static uint64_t bh_ringbuf_reserve_h(uint64_t map, uint64_t size,
				     uint64_t flags, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	if (flags)
		return 0;
	return (uint64_t)(uintptr_t)bh_ringbuf_reserve(bh_ptr(map), size);
}

static uint64_t bh_ringbuf_submit_h(uint64_t sample, uint64_t flags,
				    uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	bh_ringbuf_commit(bh_ptr(sample), flags, false);
	return 0;
}

static uint64_t bh_ringbuf_discard_h(uint64_t sample, uint64_t flags,
				     uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	bh_ringbuf_commit(bh_ptr(sample), flags, true);
	return 0;
}

static uint64_t bh_ringbuf_query_h(uint64_t map, uint64_t flags, uint64_t r3,
				   uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return bh_ringbuf_query(bh_ptr(map), flags);
}

#define BH_HELPER(id_, name_, fn_) [id_] = {.id = id_, .name = name_, .fn = fn_}

static const struct bh_helper_info bh_helpers[] = {
	BH_HELPER(1, "bpf_map_lookup_elem", bh_map_lookup_elem),
	BH_HELPER(2, "bpf_map_update_elem", bh_map_update_elem),
	BH_HELPER(3, "bpf_map_delete_elem", bh_map_delete_elem),
	BH_HELPER(5, "bpf_ktime_get_ns", bh_ktime_get_ns),
	BH_HELPER(6, "bpf_trace_printk", bh_trace_printk),
	BH_HELPER(165, "bpf_snprintf", bh_snprintf),
	BH_HELPER(7, "bpf_get_prandom_u32", bh_get_prandom_u32),
	BH_HELPER(8, "bpf_get_smp_processor_id", bh_get_smp_processor_id),
	/* tasks, cgroups and memory reads: src/stdlib/task.c, probe.c */
	BH_HELPER(14, "bpf_get_current_pid_tgid",
		  bh_helper_get_current_pid_tgid),
	BH_HELPER(16, "bpf_get_current_comm", bh_helper_get_current_comm),
	BH_HELPER(35, "bpf_get_current_task", bh_helper_get_current_task),
	BH_HELPER(80, "bpf_get_current_cgroup_id",
		  bh_helper_get_current_cgroup_id),
	BH_HELPER(93, "bpf_spin_lock", bh_spin_lock),
	BH_HELPER(94, "bpf_spin_unlock", bh_spin_unlock),
	BH_HELPER(112, "bpf_probe_read_user", bh_helper_probe_read_user),
	BH_HELPER(113, "bpf_probe_read_kernel", bh_helper_probe_read_kernel),
	BH_HELPER(114, "bpf_probe_read_user_str",
		  bh_helper_probe_read_user_str),
	BH_HELPER(115, "bpf_probe_read_kernel_str",
		  bh_helper_probe_read_kernel_str),
	BH_HELPER(130, "bpf_ringbuf_output", bh_ringbuf_output_h),
	BH_HELPER(131, "bpf_ringbuf_reserve", bh_ringbuf_reserve_h),
	BH_HELPER(132, "bpf_ringbuf_submit", bh_ringbuf_submit_h),
	BH_HELPER(133, "bpf_ringbuf_discard", bh_ringbuf_discard_h),
	BH_HELPER(134, "bpf_ringbuf_query", bh_ringbuf_query_h),
	BH_HELPER(153, "bpf_per_cpu_ptr", bh_helper_per_cpu_ptr),
	BH_HELPER(154, "bpf_this_cpu_ptr", bh_helper_this_cpu_ptr),
	BH_HELPER(158, "bpf_get_current_task_btf", bh_helper_get_current_task),
	/* bpf_timer: src/stdlib/timer.c */
	BH_HELPER(169, "bpf_timer_init", bh_helper_timer_init),
	BH_HELPER(170, "bpf_timer_set_callback", bh_helper_timer_set_callback),
	BH_HELPER(171, "bpf_timer_start", bh_helper_timer_start),
	BH_HELPER(172, "bpf_timer_cancel", bh_helper_timer_cancel),
	BH_HELPER(181, "bpf_loop", bh_loop),
	/* memory helpers, implemented in src/stdlib (dynptr.c, obj.c) */
	BH_HELPER(194, "bpf_kptr_xchg", bh_helper_kptr_xchg),
	BH_HELPER(195, "bpf_map_lookup_percpu_elem", bh_map_lookup_percpu_elem),
	BH_HELPER(197, "bpf_dynptr_from_mem", bh_helper_dynptr_from_mem),
	BH_HELPER(198, "bpf_ringbuf_reserve_dynptr",
		  bh_helper_ringbuf_reserve_dynptr),
	BH_HELPER(199, "bpf_ringbuf_submit_dynptr",
		  bh_helper_ringbuf_submit_dynptr),
	BH_HELPER(200, "bpf_ringbuf_discard_dynptr",
		  bh_helper_ringbuf_discard_dynptr),
	BH_HELPER(201, "bpf_dynptr_read", bh_helper_dynptr_read),
	BH_HELPER(202, "bpf_dynptr_write", bh_helper_dynptr_write),
	BH_HELPER(203, "bpf_dynptr_data", bh_helper_dynptr_data),
};

const struct bh_helper_info *bh_helper_by_id(int32_t id)
{
	if (id < 0 || (size_t)id >= sizeof(bh_helpers) / sizeof(bh_helpers[0]))
		return NULL;
	return bh_helpers[id].fn ? &bh_helpers[id] : NULL;
}
