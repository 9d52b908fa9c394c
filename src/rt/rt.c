// SPDX-License-Identifier: BSD-2-Clause
/*
 * The runtime handle: where messages and bpf_printk output go.  Later it
 * also holds registered program types, kfunc sets and host BTF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

bool bh_opts_valid(const void *opts, size_t known_sz)
{
	const size_t *sz = opts;

	if (!opts)
		return true;
	if (*sz < sizeof(size_t))
		return false;
	/* a newer caller's extra fields must be zero: we would ignore them */
	for (size_t i = known_sz; i < *sz; i++)
		if (((const char *)opts)[i])
			return false;
	return true;
}

struct bpfhost_rt *bpfhost_rt_new(const struct bpfhost_rt_opts *opts)
{
	struct bpfhost_rt *rt;
	struct bpfhost_rt_opts o = { 0 };

	if (!bh_opts_valid(opts, sizeof(*opts))) {
		errno = EINVAL;
		return NULL;
	}
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return NULL;
	rt->log = o.log;
	rt->log_ctx = o.log_ctx;
	rt->printk = o.printk ? o.printk : o.log;
	rt->printk_ctx = o.printk ? o.printk_ctx : o.log_ctx;
	return rt;
}

void bpfhost_rt_free(struct bpfhost_rt *rt)
{
	free(rt);
}

void bh_rt_log(struct bpfhost_rt *rt, enum bpfhost_log_level level,
	       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rt && rt->log)
		rt->log(rt->log_ctx, level, msg);
	else
		fprintf(stderr, "bpfhost: %s\n", msg);
	errno = saved;
}

void bh_rt_printk(void *ctx, const char *msg)
{
	struct bpfhost_rt *rt = ctx;

	if (rt && rt->printk)
		rt->printk(rt->printk_ctx, BPFHOST_LOG_INFO, msg);
	else
		fputs(msg, stderr);
}
