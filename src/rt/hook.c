// SPDX-License-Identifier: BSD-2-Clause
/*
 * Typed-argument hooks: the user-space counterpart of the kernel's tp_btf
 * and fentry attach points.  A hook has the prototype of a host function
 * (from host BTF); programs in SEC("tp_btf/<hook>") attach to it and get
 * the arguments as a ctx of u64 slots, as BPF_PROG() expects.
 *
 * Invariant: a program is only run while its object is alive: detaching
 * (when the object is freed) takes the hook's write lock, firing holds the
 * read lock for the whole run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "rt.h"

#define HOOK_MAX_ARGS 12

enum arg_kind { ARG_PTR, ARG_S32, ARG_U32, ARG_S64, ARG_U64 };

struct bpfhost_hook {
	struct bpfhost_rt *rt;
	char *name;
	struct bh_btf_ref func;
	uint32_t nargs;
	uint8_t kind[HOOK_MAX_ARGS];
	pthread_rwlock_t lock;
	struct bpfhost_prog **progs;
	size_t nprogs;
};

static int arg_kind_of(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = bh_btf_skip_mods(btf, id, NULL);

	if (!t)
		return -1;
	if (btf_is_ptr(t))
		return ARG_PTR;
	if (btf_is_int(t) || btf_is_any_enum(t)) {
		bool sig = btf_is_int(t)
				   ? (btf_int_encoding(t) & BTF_INT_SIGNED) != 0
				   : btf_kflag(t);

		if (t->size == 8)
			return sig ? ARG_S64 : ARG_U64;
		if (t->size <= 4)
			return sig ? ARG_S32 : ARG_U32;
	}
	return -1;
}

struct bpfhost_hook *bpfhost_hook_find(struct bpfhost_rt *rt, const char *name)
{
	for (size_t i = 0; rt && name && i < rt->nhooks; i++)
		if (!strcmp(rt->hooks[i]->name, name))
			return rt->hooks[i];
	errno = ENOENT;
	return NULL;
}

struct bpfhost_hook *bpfhost_hook_add(struct bpfhost_rt *rt, const char *name,
				      const char *proto_func)
{
	struct bpfhost_hook *h, **nh;
	const struct btf_type *fn, *proto;
	const struct btf_param *p;
	const struct btf *btf;
	struct bh_btf_ref ref;

	if (!rt || !name || !*name || !proto_func) {
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < rt->nhooks; i++)
		if (!strcmp(rt->hooks[i]->name, name)) {
			bh_rt_log(rt, BPFHOST_LOG_WARN,
				  "hook '%s' already exists", name);
			errno = EEXIST;
			return NULL;
		}
	if (bh_hbtf_find_func(rt->hbtf, proto_func, NULL, &ref)) {
		bh_rt_log(rt, BPFHOST_LOG_WARN,
			  "hook '%s': no BTF FUNC '%s' in the host BTF (build "
			  "with -g, then pahole -J)",
			  name, proto_func);
		errno = ENOENT;
		return NULL;
	}
	btf = bh_hbtf_btf(rt->hbtf, ref.src);
	fn = btf__type_by_id(btf, ref.id);
	proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto) ||
	    btf_vlen(proto) > HOOK_MAX_ARGS) {
		bh_rt_log(rt, BPFHOST_LOG_WARN,
			  "hook '%s': '%s' has no prototype of at most %d "
			  "arguments",
			  name, proto_func, HOOK_MAX_ARGS);
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	p = btf_params(proto);
	for (uint32_t i = 0; i < btf_vlen(proto); i++) {
		int k = p[i].type ? arg_kind_of(btf, p[i].type) : -1;

		if (k < 0) {
			bh_rt_log(rt, BPFHOST_LOG_WARN,
				  "hook '%s': argument %u of '%s' is neither a "
				  "pointer nor an integer",
				  name, i, proto_func);
			free(h);
			errno = EINVAL;
			return NULL;
		}
		h->kind[i] = (uint8_t)k;
	}
	h->rt = rt;
	h->func = ref;
	h->nargs = btf_vlen(proto);
	h->name = strdup(name);
	nh = realloc(rt->hooks, (rt->nhooks + 1) * sizeof(*nh));
	if (!h->name || !nh || pthread_rwlock_init(&h->lock, NULL)) {
		if (nh)
			rt->hooks = nh;
		free(h->name);
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	rt->hooks = nh;
	rt->hooks[rt->nhooks++] = h;
	return h;
}

void bh_hook_free(struct bpfhost_hook *h)
{
	pthread_rwlock_destroy(&h->lock);
	free(h->progs);
	free(h->name);
	free(h);
}

/* The hook name of a SEC("tp_btf/<name>") program, or NULL. */
static const char *prog_hook_name(const struct bpfhost_prog *prog)
{
	const char *sec = prog->p->sec_name, *slash = strchr(sec, '/');

	if (!prog->type || strcmp(prog->type->name, "tracing") || !slash ||
	    !slash[1])
		return NULL;
	return slash + 1;
}

int bh_hook_func_of(struct bpfhost_rt *rt, const struct bpfhost_prog *prog,
		    struct bh_btf_ref *func)
{
	const char *hn = prog_hook_name(prog);
	struct bpfhost_hook *h = hn ? bpfhost_hook_find(rt, hn) : NULL;

	if (!h)
		return -ENOENT;
	*func = h->func;
	return 0;
}

static void hook_remove(struct bpfhost_hook *h, const struct bpfhost_obj *obj)
{
	size_t j = 0;

	pthread_rwlock_wrlock(&h->lock);
	for (size_t i = 0; i < h->nprogs; i++)
		if (h->progs[i]->obj != obj)
			h->progs[j++] = h->progs[i];
	h->nprogs = j;
	pthread_rwlock_unlock(&h->lock);
}

void bh_obj_detach(struct bpfhost_obj *obj)
{
	if (!obj->attached)
		return;
	for (size_t i = 0; i < obj->rt->nhooks; i++)
		hook_remove(obj->rt->hooks[i], obj);
	obj->attached = false;
}

int bpfhost_obj_attach(struct bpfhost_obj *obj)
{
	size_t n = 0;

	if (!obj)
		return -EINVAL;
	if (!obj->loaded)
		return bh_obj_errorf(obj, EPERM, "attach: object not loaded");
	if (obj->attached)
		return bh_obj_errorf(obj, EBUSY, "attach: already attached");
	/* check every hook exists before attaching anything */
	/* programs not loaded (autoload off) are not attached, as libbpf
	 * attaches only the programs it loaded */
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		const char *hn = obj->progs[i].no_autoload
					 ? NULL
					 : prog_hook_name(&obj->progs[i]);

		if (hn && !bpfhost_hook_find(obj->rt, hn))
			return bh_obj_errorf(obj, ENOENT,
					     "prog '%s': attach to hook '%s': "
					     "the host declares no such hook",
					     obj->progs[i].p->name, hn);
	}
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfhost_prog *prog = &obj->progs[i];
		const char *hn =
			prog->no_autoload ? NULL : prog_hook_name(prog);
		struct bpfhost_hook *h;
		struct bpfhost_prog **np;

		if (!hn)
			continue;
		h = bpfhost_hook_find(obj->rt, hn);
		pthread_rwlock_wrlock(&h->lock);
		np = realloc(h->progs, (h->nprogs + 1) * sizeof(*np));
		if (np) {
			h->progs = np;
			h->progs[h->nprogs++] = prog;
		}
		pthread_rwlock_unlock(&h->lock);
		obj->attached = true;
		if (!np) {
			bh_obj_detach(obj);
			return bh_obj_errorf(obj, ENOMEM,
					     "attach: out of memory");
		}
		n++;
	}
	obj->attached = true;
	return (int)n;
}

int bpfhost_hook_fire_args(struct bpfhost_hook *hook, const uint64_t *args,
			   size_t nargs, uint64_t *last_ret)
{
	uint64_t ctx[HOOK_MAX_ARGS];
	int ran = 0;

	if (!hook || nargs != hook->nargs || (nargs && !args))
		return -EINVAL;
	pthread_rwlock_rdlock(&hook->lock);
	for (size_t i = 0; i < hook->nprogs; i++) {
		uint64_t r0 = 0;
		int err;

		/* a fresh copy per program: a program may not see what
		 * another wrote into its ctx */
		memcpy(ctx, args, nargs * sizeof(*args));
		err = bpfhost_prog_run(hook->progs[i], ctx, nargs * 8, &r0);
		if (err) {
			pthread_rwlock_unlock(&hook->lock);
			return err;
		}
		if (last_ret)
			*last_ret = r0;
		ran++;
	}
	pthread_rwlock_unlock(&hook->lock);
	return ran;
}

int bpfhost_hook_fire(struct bpfhost_hook *hook, uint64_t *last_ret, ...)
{
	uint64_t args[HOOK_MAX_ARGS];
	va_list ap;

	if (!hook)
		return -EINVAL;
	va_start(ap, last_ret);
	for (uint32_t i = 0; i < hook->nargs; i++) {
		switch (hook->kind[i]) {
		case ARG_PTR:
			args[i] = (uint64_t)(uintptr_t)va_arg(ap, void *);
			break;
		case ARG_S32:
			args[i] = (uint64_t)(int64_t)va_arg(ap, int);
			break;
		case ARG_U32:
			args[i] = (uint64_t)va_arg(ap, unsigned int);
			break;
		default:
			args[i] = va_arg(ap, uint64_t);
			break;
		}
	}
	va_end(ap);
	return bpfhost_hook_fire_args(hook, args, hook->nargs, last_ret);
}
