// SPDX-License-Identifier: BSD-2-Clause
/*
 * Program types: what a SEC() name selects — the kfunc hook a program
 * sees, its ctx, whether it may sleep, the return range and the
 * capabilities it is granted.  Built in: "syscall" (the kernel's
 * BPF_PROG_TYPE_SYSCALL: ctx is a caller-given buffer, sleepable) and
 * "tracing" (SEC("tp_btf/<hook>"): typed-argument hooks the host fires).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static void type_clear(struct bh_prog_type *t)
{
	free(t->name);
	free(t->sec);
	free(t->hook);
	free(t->ctx_type);
	free(t->ctx_read);
	free(t->ctx_write);
	memset(t, 0, sizeof(*t));
}

void bh_rt_free_types(struct bpfhost_rt *rt)
{
	for (size_t i = 0; i < rt->ntypes; i++)
		type_clear(&rt->types[i]);
	free(rt->types);
	rt->types = NULL;
	rt->ntypes = 0;
}

static int ranges_copy(const struct bpfhost_ctx_range *r, size_t n,
		       struct bpfhost_ctx_range **out)
{
	*out = NULL;
	if (!n)
		return 0;
	if (!r)
		return -EINVAL;
	*out = malloc(n * sizeof(*r));
	if (!*out)
		return -ENOMEM;
	memcpy(*out, r, n * sizeof(*r));
	return 0;
}

static int type_add(struct bpfhost_rt *rt, const struct bpfhost_prog_type *in,
		    int kernel_type)
{
	struct bh_prog_type t = {0}, *nt;
	bool oom = false;
	int ret;

	if (!in->name || !in->name[0] || strchr(in->name, '/')) {
		bh_rt_log(rt, BPFHOST_LOG_WARN,
			  "program type: a name without '/' is required");
		return -EINVAL;
	}
	for (size_t i = 0; i < rt->ntypes; i++)
		if (!strcmp(rt->types[i].name, in->name)) {
			bh_rt_log(rt, BPFHOST_LOG_WARN,
				  "program type '%s' already exists", in->name);
			return -EEXIST;
		}
	if (in->ret_checked && in->ret_min > in->ret_max) {
		bh_rt_log(rt, BPFHOST_LOG_WARN,
			  "program type '%s': ret_min > ret_max", in->name);
		return -EINVAL;
	}
	for (size_t i = 0; i < in->n_ctx_read + in->n_ctx_write; i++) {
		const struct bpfhost_ctx_range *r =
			i < in->n_ctx_read ? &in->ctx_read[i]
					   : &in->ctx_write[i - in->n_ctx_read];

		if (!r || (uint64_t)r->off + r->size > UINT32_MAX) {
			bh_rt_log(rt, BPFHOST_LOG_WARN,
				  "program type '%s': bad ctx range", in->name);
			return -EINVAL;
		}
	}
	t.name = dup_or_null(in->name, &oom);
	t.sec = dup_or_null(in->sec ? in->sec : in->name, &oom);
	t.hook = dup_or_null(in->hook ? in->hook : in->name, &oom);
	t.ctx_type = dup_or_null(in->ctx_type, &oom);
	t.ctx_size = in->ctx_size;
	t.sleepable = in->sleepable;
	t.ret_checked = in->ret_checked;
	t.ret_min = in->ret_min;
	t.ret_max = in->ret_max;
	t.caps = in->caps;
	t.kernel_type = kernel_type;
	ret = oom ? -ENOMEM : 0;
	if (!ret)
		ret = ranges_copy(in->ctx_read, in->n_ctx_read, &t.ctx_read);
	if (!ret)
		ret = ranges_copy(in->ctx_write, in->n_ctx_write, &t.ctx_write);
	t.n_ctx_read = in->n_ctx_read;
	t.n_ctx_write = in->n_ctx_write;
	if (!ret) {
		nt = realloc(rt->types, (rt->ntypes + 1) * sizeof(*nt));
		if (!nt)
			ret = -ENOMEM;
		else
			rt->types = nt;
	}
	if (ret) {
		type_clear(&t);
		return ret;
	}
	rt->types[rt->ntypes++] = t;
	return 0;
}

int bpfhost_prog_type_add(struct bpfhost_rt *rt,
			  const struct bpfhost_prog_type *type)
{
	if (!rt || !type || !bh_opts_valid(type, sizeof(*type)))
		return -EINVAL;
	return type_add(rt, type, -1);
}

int bh_rt_add_builtin_types(struct bpfhost_rt *rt)
{
	BPFHOST_OPTS(bpfhost_prog_type, syscall, .name = "syscall",
		     .sleepable = true);
	/* the kernel checks no return value for tp_btf (raw tracepoint)
	 * programs; a hook's caller gets each program's r0 */
	BPFHOST_OPTS(bpfhost_prog_type, tracing, .name = "tracing",
		     .sec = "tp_btf");
	int ret = type_add(rt, &syscall, BPF_PROG_TYPE_SYSCALL);

	return ret ? ret : type_add(rt, &tracing, BPF_PROG_TYPE_TRACING);
}

/* How well prefix p matches sec: its length, or 0.  "p", "p/...",
 * "p.s", "p.s/..." match; the ".s" forms ask for a sleepable program. */
static size_t sec_match(const char *p, const char *sec, bool *sleepable)
{
	size_t n = strlen(p);

	if (strncmp(sec, p, n))
		return 0;
	*sleepable = false;
	if (sec[n] == '\0' || sec[n] == '/')
		return n;
	if (!strncmp(sec + n, ".s", 2) &&
	    (sec[n + 2] == '\0' || sec[n + 2] == '/')) {
		*sleepable = true;
		return n;
	}
	return 0;
}

const struct bh_prog_type *bh_rt_type_for_sec(const struct bpfhost_rt *rt,
					      const char *sec, bool *sleepable)
{
	const struct bh_prog_type *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < rt->ntypes; i++) {
		bool s;
		size_t n = sec_match(rt->types[i].sec, sec, &s);

		if (n > best_len) {
			best = &rt->types[i];
			best_len = n;
			*sleepable = s || best->sleepable;
		}
	}
	return best;
}

void bh_rt_type_list(const struct bpfhost_rt *rt, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < rt->ntypes && len < size; i++)
		len += (size_t)snprintf(
			buf + len, size - len, "%s%s%s", i ? ", " : "",
			rt->types[i].sec,
			strcmp(rt->types[i].sec, "tp_btf") ? "" : "/<hook>");
}
