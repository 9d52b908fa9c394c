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
#include "stdlib/stdlib.h"

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
	struct bpfhost_rt_opts o = {0};
	char err[512];
	int ret;

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
	rt->objs.limit = BH_OBJ_DEFAULT_LIMIT;

	err[0] = '\0';
	rt->hbtf = bh_rt_self_hbtf(err, sizeof(err));
	rt->reg = rt->hbtf ? bh_kfunc_reg_new(rt->hbtf) : NULL;
	ret = rt->reg ? bh_rt_add_builtin_types(rt) : -ENOMEM;
	if (!ret)
		ret = bh_stdlib_add(rt);
	if (!ret)
		ret = bh_rt_adopt_default(rt, err, sizeof(err));
	if (ret) {
		bh_rt_log(rt, BPFHOST_LOG_WARN, "runtime: %s",
			  err[0] ? err : strerror(-ret));
		bpfhost_rt_free(rt);
		errno = -ret;
		return NULL;
	}
	return rt;
}

void bpfhost_rt_free(struct bpfhost_rt *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; i < rt->nhooks; i++)
		bh_hook_free(rt->hooks[i]);
	free(rt->hooks);
	bh_kfunc_reg_free(rt->reg);
	bh_hbtf_free(rt->hbtf);
	bh_rt_free_types(rt);
	bh_mem_pool_fini(&rt->objs);
	free(rt);
}

int bpfhost_rt_add_btf_file(struct bpfhost_rt *rt, const char *path)
{
	char err[512] = "";
	int ret;

	if (!rt || !path)
		return -EINVAL;
	ret = bh_hbtf_add_file(rt->hbtf, path, -1, err, sizeof(err));
	if (ret < 0) {
		bh_rt_log(rt, BPFHOST_LOG_WARN, "%s", err);
		return ret;
	}
	return 0;
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
