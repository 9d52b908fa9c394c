// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kfunc registration entry points: the kernel-compatible
 * register_btf_kfunc_id_set() into the process-wide default registry (the
 * only global state of the library, guarded by a mutex), the per-runtime
 * bpfhost_kfunc_set_add(), and the listing used by `bpfhost kfunc list`.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "rt.h"

static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bh_hbtf *default_hbtf;
static struct bh_kfunc_reg *default_reg;
static char default_err[512];

/* Host BTF of this process: the library's own, then the executable's and
 * its shared objects'.  Missing BTF is not an error here: registration
 * says which kfunc has no FUNC. */
struct bh_hbtf *bh_rt_self_hbtf(char *err, size_t errsz)
{
	struct bh_hbtf *h = bh_hbtf_new();

	if (!h)
		return NULL;
	if (bh_hbtf_add_embedded(h, err, errsz) < 0 ||
	    bh_hbtf_add_self(h, err, errsz) < 0) {
		bh_hbtf_free(h);
		return NULL;
	}
	return h;
}

/* Call with default_lock held. */
static struct bh_kfunc_reg *default_reg_locked(void)
{
	if (default_reg)
		return default_reg;
	default_hbtf = bh_rt_self_hbtf(default_err, sizeof(default_err));
	if (!default_hbtf)
		return NULL;
	default_reg = bh_kfunc_reg_new(default_hbtf);
	return default_reg;
}

int register_btf_kfunc_id_set(enum bpf_prog_type prog_type,
			      const struct btf_kfunc_id_set *kset)
{
	const char *hook = bh_kernel_prog_type_hook((int)prog_type);
	char err[512] = "";
	struct bh_kfunc_reg *reg;
	int ret;

	pthread_mutex_lock(&default_lock);
	if (!hook) {
		snprintf(err, sizeof(err),
			 "register_btf_kfunc_id_set: program type %d has no "
			 "kfunc hook",
			 (int)prog_type);
		ret = -EINVAL;
		goto out;
	}
	reg = default_reg_locked();
	if (!reg) {
		snprintf(err, sizeof(err), "%s",
			 default_err[0] ? default_err : "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	ret = bh_kfunc_reg_add_set(reg, hook, kset, err, sizeof(err));
	if (ret == -ENOENT) {
		/* a plugin loaded since: its BTF is new to us */
		bh_hbtf_add_self(default_hbtf, err, sizeof(err));
		err[0] = '\0';
		ret = bh_kfunc_reg_add_set(reg, hook, kset, err, sizeof(err));
	}
out:
	if (ret) {
		snprintf(default_err, sizeof(default_err), "%s", err);
		fprintf(stderr, "bpfhost: %s\n", err);
	}
	pthread_mutex_unlock(&default_lock);
	return ret;
}

int register_btf_id_dtor_kfuncs(const struct btf_id_dtor_kfunc *dtors,
				uint32_t add_cnt, struct module *owner)
{
	char err[512] = "";
	struct bh_kfunc_reg *reg;
	int ret = 0;

	(void)owner;
	if (!dtors && add_cnt)
		return -EINVAL;
	pthread_mutex_lock(&default_lock);
	reg = default_reg_locked();
	if (!reg) {
		snprintf(err, sizeof(err), "%s",
			 default_err[0] ? default_err : "out of memory");
		ret = -ENOMEM;
	}
	for (uint32_t i = 0; !ret && i < add_cnt; i++) {
		const struct btf_id_dtor_kfunc *d = &dtors[i];

		ret = bh_kfunc_reg_add_dtor(
			reg, d->btf_id.name, (bh_dtor_fn)d->kfunc_btf_id.addr,
			d->kfunc_btf_id.name, err, sizeof(err));
		if (ret == -ENOENT) {
			/* a plugin loaded since: its BTF is new to us */
			bh_hbtf_add_self(default_hbtf, err, sizeof(err));
			err[0] = '\0';
			ret = bh_kfunc_reg_add_dtor(
				reg, d->btf_id.name,
				(bh_dtor_fn)d->kfunc_btf_id.addr,
				d->kfunc_btf_id.name, err, sizeof(err));
		}
	}
	if (ret) {
		snprintf(default_err, sizeof(default_err), "%s", err);
		fprintf(stderr, "bpfhost: %s\n", err);
	}
	pthread_mutex_unlock(&default_lock);
	return ret;
}

int bpfhost_dtor_add(struct bpfhost_rt *rt, const char *type_name,
		     void (*dtor)(void *))
{
	char err[512] = "";
	int ret;

	if (!rt || !type_name || !dtor)
		return -EINVAL;
	ret = bh_kfunc_reg_add_dtor(rt->reg, type_name, dtor, NULL, err,
				    sizeof(err));
	if (ret)
		bh_rt_log(rt, BPFHOST_LOG_WARN, "%s", err);
	return ret;
}

const char *bpfhost_kfunc_default_error(void)
{
	return default_err;
}

/* Adopt every registration of the default registry into rt's. */
int bh_rt_adopt_default(struct bpfhost_rt *rt, char *err, size_t errsz)
{
	int ret = 0;

	pthread_mutex_lock(&default_lock);
	if (default_reg)
		ret = bh_kfunc_reg_copy(rt->reg, default_reg, err, errsz);
	pthread_mutex_unlock(&default_lock);
	return ret;
}

int bpfhost_kfunc_set_add(struct bpfhost_rt *rt, const char *prog_type,
			  const struct btf_kfunc_id_set *kset)
{
	const char *hook = NULL;
	char err[512] = "";
	int ret;

	if (!rt || !prog_type)
		return -EINVAL;
	if (!strcmp(prog_type, "*")) {
		hook = "*";
	} else {
		for (size_t i = 0; i < rt->ntypes; i++)
			if (!strcmp(rt->types[i].name, prog_type) ||
			    !strcmp(rt->types[i].hook, prog_type))
				hook = rt->types[i].hook;
		/* the kernel's hooks ("tc", "xdp", ...) exist whether or not a
		 * program type of this runtime uses them yet */
		if (!hook && bh_is_kernel_hook(prog_type))
			hook = prog_type;
	}
	if (!hook) {
		bh_rt_log(rt, BPFHOST_LOG_WARN,
			  "kfunc set for unknown program type '%s'", prog_type);
		return -ENOENT;
	}
	ret = bh_kfunc_reg_add_set(rt->reg, hook, kset, err, sizeof(err));
	if (ret == -ENOENT) {
		bh_hbtf_add_self(rt->hbtf, err, sizeof(err));
		err[0] = '\0';
		ret = bh_kfunc_reg_add_set(rt->reg, hook, kset, err,
					   sizeof(err));
	}
	if (ret)
		bh_rt_log(rt, BPFHOST_LOG_WARN, "%s", err);
	return ret;
}

size_t bpfhost_kfunc_count(const struct bpfhost_rt *rt)
{
	return bh_kfunc_reg_count(rt->reg);
}

int bpfhost_kfunc_info(const struct bpfhost_rt *rt, size_t i,
		       struct bpfhost_kfunc_info *info)
{
	const struct bh_kfunc *k = bh_kfunc_reg_at(rt->reg, i);
	const struct btf *btf;

	if (!k)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->name = k->name;
	info->prog_type = k->hook;
	info->flags = k->flags;
	bh_kfunc_flags_str(k->flags, info->flags_str, sizeof(info->flags_str));
	info->removed = !k->addr;
	info->deprecated = k->flags & KF_DEPRECATED;
	info->replacement = k->replacement;
	info->message = k->message;
	info->origin = k->origin ? k->origin : "";
	if (!k->addr)
		return 0;
	info->btf_id = k->func.id;
	info->btf_src = k->func.src;
	info->nargs = k->nargs;
	btf = bh_hbtf_btf(rt->hbtf, k->func.src);
	bh_btf_func_decl_str(btf, k->func.id, info->proto, sizeof(info->proto));
	for (int a = 0; a < k->nargs; a++) {
		struct bpfhost_kfunc_arg_info *ai = &info->args[a];

		ai->name = k->args[a].name;
		bh_btf_type_str(btf, k->args[a].type_id, ai->type,
				sizeof(ai->type));
		bh_kfunc_annot_str(k->args[a].annot, ai->annotations,
				   sizeof(ai->annotations));
		ai->flags = k->args[a].contract;
		bh_kfunc_arg_flags_str(ai->flags, ai->flags_str,
				       sizeof(ai->flags_str));
		ai->declared = k->args[a].declared;
	}
	return 0;
}

static void dump_out(void *ctx, const char *text)
{
	fputs(text, ctx);
}

int bpfhost_btf_dump_c(const struct bpfhost_rt *rt, FILE *out)
{
	size_t n = bh_kfunc_reg_count(rt->reg), m = 0;
	struct bh_hbtf_func_decl *decls = calloc(n ? n : 1, sizeof(*decls));
	char(*comments)[256] = calloc(n ? n : 1, sizeof(*comments));
	int ret;

	if (!decls || !comments) {
		free(decls);
		free(comments);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bh_kfunc *k = bh_kfunc_reg_at(rt->reg, i);
		bool dup = false;

		if (!k->addr)
			continue;
		/* one declaration per function, whatever its hooks */
		for (size_t j = 0; j < m; j++)
			if (decls[j].func.src == k->func.src &&
			    decls[j].func.id == k->func.id)
				dup = true;
		if (dup)
			continue;
		bh_kfunc_flags_str(k->flags, comments[m], sizeof(comments[m]));
		decls[m].func = k->func;
		decls[m].comment = comments[m][0] ? comments[m] : NULL;
		decls[m].hidden_args = (uint32_t)(k->nargs - k->nargs_visible);
		m++;
	}
	ret = bh_hbtf_dump_c(rt->hbtf, decls, m, dump_out, out);
	free(decls);
	free(comments);
	return ret;
}
