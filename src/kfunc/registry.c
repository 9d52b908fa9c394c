// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kfunc registry: validation of sets as they are registered, the
 * normalised per-argument form the verifier reads, and lookups by name,
 * hook and BTF id.  See kfunc.h for the invariant.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/typestr.h"
#include "kfunc.h"

#define KF_KNOWN_FLAGS                                                     \
	(KF_ACQUIRE | KF_RELEASE | KF_RET_NULL | KF_KPTR_GET |             \
	 KF_TRUSTED_ARGS | KF_SLEEPABLE | KF_DESTRUCTIVE | KF_RCU |        \
	 KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY | KF_RCU_PROTECTED | \
	 KF_FASTCALL | KF_ARENA_RET | KF_ARENA_ARG1 | KF_ARENA_ARG2 |      \
	 KF_IMPLICIT_ARGS | KF_DEPRECATED)
#define KF_ITER_ANY (KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY)
#define BH_MAX_FILTERS 16

struct bh_hook {
	char *name;
	btf_kfunc_filter_t filters[BH_MAX_FILTERS];
	int nfilters;
};

struct bh_dtor {
	char *type; /* host struct name */
	bh_dtor_fn fn;
};

struct bh_kfunc_reg {
	struct bh_hbtf *hbtf;
	struct bh_kfunc **kf;
	size_t cnt, cap;
	struct bh_hook *hooks;
	size_t nhooks;
	struct bh_dtor *dtors;
	size_t ndtors;
};

static const struct {
	int type;
	const char *hook;
} kernel_hooks[] = {
	{BPF_PROG_TYPE_UNSPEC, "*"},
	{BPF_PROG_TYPE_XDP, "xdp"},
	{BPF_PROG_TYPE_SCHED_CLS, "tc"},
	{BPF_PROG_TYPE_STRUCT_OPS, "struct_ops"},
	{BPF_PROG_TYPE_TRACING, "tracing"},
	{BPF_PROG_TYPE_TRACEPOINT, "tracing"},
	{BPF_PROG_TYPE_RAW_TRACEPOINT, "tracing"},
	{BPF_PROG_TYPE_PERF_EVENT, "tracing"},
	{BPF_PROG_TYPE_LSM, "tracing"},
	{BPF_PROG_TYPE_SYSCALL, "syscall"},
	{BPF_PROG_TYPE_CGROUP_SKB, "cgroup"},
	{BPF_PROG_TYPE_CGROUP_SOCK, "cgroup"},
	{BPF_PROG_TYPE_CGROUP_DEVICE, "cgroup"},
	{BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "cgroup"},
	{BPF_PROG_TYPE_CGROUP_SOCKOPT, "cgroup"},
	{BPF_PROG_TYPE_CGROUP_SYSCTL, "cgroup"},
	{BPF_PROG_TYPE_SOCK_OPS, "cgroup"},
	{BPF_PROG_TYPE_SCHED_ACT, "sched_act"},
	{BPF_PROG_TYPE_SK_SKB, "sk_skb"},
	{BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter"},
	{BPF_PROG_TYPE_LWT_IN, "lwt"},
	{BPF_PROG_TYPE_LWT_OUT, "lwt"},
	{BPF_PROG_TYPE_LWT_XMIT, "lwt"},
	{BPF_PROG_TYPE_LWT_SEG6LOCAL, "lwt"},
	{BPF_PROG_TYPE_NETFILTER, "netfilter"},
	{BPF_PROG_TYPE_KPROBE, "kprobe"},
};

const char *bh_kernel_prog_type_hook(int prog_type)
{
	for (size_t i = 0; i < sizeof(kernel_hooks) / sizeof(kernel_hooks[0]);
	     i++)
		if (kernel_hooks[i].type == prog_type)
			return kernel_hooks[i].hook;
	return NULL;
}

bool bh_is_kernel_hook(const char *hook)
{
	for (size_t i = 0; i < sizeof(kernel_hooks) / sizeof(kernel_hooks[0]);
	     i++)
		if (!strcmp(kernel_hooks[i].hook, hook))
			return true;
	return false;
}

/* ---- annotations ---- */

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	/* the kernel wants a non-empty stem before the suffix */
	return n > s && !strcmp(name + n - s, suffix);
}

struct bit_name {
	uint32_t bit;
	const char *name;
};

#define NBITS(t) (sizeof(t) / sizeof((t)[0]))

/* Suffix annotations (a parameter name ending in one), then the two
 * exact-name ones. */
static const struct bit_name suffixes[] =
	{
		{BH_ANN_SZ, "__sz"},
		{BH_ANN_SZK, "__szk"},
		{BH_ANN_K, "__k"},
		{BH_ANN_UNINIT, "__uninit"},
		{BH_ANN_OPT, "__opt"},
		{BH_ANN_NULLABLE, "__nullable"},
		{BH_ANN_STR, "__str"},
		{BH_ANN_IGN, "__ign"},
		{BH_ANN_PROG, "__prog"},
		{BH_ANN_MAP, "__map"},
		{BH_ANN_ALLOC, "__alloc"},
		{BH_ANN_REFCOUNTED_KPTR, "__refcounted_kptr"},
		{BH_ANN_ITER, "__iter"},
		{BH_ANN_IRQ_FLAG, "__irq_flag"},
},
			     exact_names[] = {
				     {BH_ANN_RDONLY_BUF_SIZE,
				      "rdonly_buf_size"},
				     {BH_ANN_RDWR_BUF_SIZE, "rdwr_buf_size"},
};

uint32_t bh_kfunc_parse_annot(const char *name)
{
	uint32_t a = 0;

	if (!name)
		return 0;
	for (size_t i = 0; i < NBITS(exact_names); i++)
		if (!strcmp(name, exact_names[i].name))
			return exact_names[i].bit;
	for (size_t i = 0; i < NBITS(suffixes); i++)
		if (has_suffix(name, suffixes[i].name))
			a |= suffixes[i].bit;
	return a;
}

/* Append the names of the bits set in bits to buf (len bytes used so far),
 * separated by sep; truncates, always NUL-terminated.  The new length. */
static size_t join_names(const struct bit_name *t, size_t n, uint32_t bits,
			 const char *sep, char *buf, size_t size, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		int w;

		if (!(bits & t[i].bit) || len + 1 >= size)
			continue;
		w = snprintf(buf + len, size - len, "%s%s", len ? sep : "",
			     t[i].name);
		if (w > 0)
			len = len + (size_t)w < size ? len + (size_t)w
						     : size - 1;
	}
	return len;
}

const char *bh_kfunc_annot_str(uint32_t annot, char *buf, size_t size)
{
	size_t len;

	buf[0] = '\0';
	len = join_names(suffixes, NBITS(suffixes), annot, " ", buf, size, 0);
	join_names(exact_names, NBITS(exact_names), annot, " ", buf, size, len);
	return buf;
}

static const struct bit_name flag_names[] =
	{
		{KF_ACQUIRE, "KF_ACQUIRE"},
		{KF_RELEASE, "KF_RELEASE"},
		{KF_RET_NULL, "KF_RET_NULL"},
		{KF_KPTR_GET, "KF_KPTR_GET"},
		{KF_TRUSTED_ARGS, "KF_TRUSTED_ARGS"},
		{KF_SLEEPABLE, "KF_SLEEPABLE"},
		{KF_DESTRUCTIVE, "KF_DESTRUCTIVE"},
		{KF_RCU, "KF_RCU"},
		{KF_ITER_NEW, "KF_ITER_NEW"},
		{KF_ITER_NEXT, "KF_ITER_NEXT"},
		{KF_ITER_DESTROY, "KF_ITER_DESTROY"},
		{KF_RCU_PROTECTED, "KF_RCU_PROTECTED"},
		{KF_FASTCALL, "KF_FASTCALL"},
		{KF_ARENA_RET, "KF_ARENA_RET"},
		{KF_ARENA_ARG1, "KF_ARENA_ARG1"},
		{KF_ARENA_ARG2, "KF_ARENA_ARG2"},
		{KF_IMPLICIT_ARGS, "KF_IMPLICIT_ARGS"},
		{KF_DEPRECATED, "KF_DEPRECATED"},
},
			     arg_flag_names[] = {
				     {KF_ARG_RELEASE, "release"},
				     {KF_ARG_TRUSTED, "trusted"},
				     {KF_ARG_RCU, "rcu"},
				     {KF_ARG_NULLABLE, "nullable"},
				     {KF_ARG_CONST, "const"},
				     {KF_ARG_ACQUIRE_INTO, "acquire_into"},
};

const char *bh_kfunc_flags_str(uint32_t flags, char *buf, size_t size)
{
	buf[0] = '\0';
	join_names(flag_names, NBITS(flag_names), flags, " | ", buf, size, 0);
	return buf;
}

const char *bh_kfunc_arg_flags_str(uint32_t flags, char *buf, size_t size)
{
	buf[0] = '\0';
	join_names(arg_flag_names, NBITS(arg_flag_names), flags, ",", buf, size,
		   0);
	return buf;
}

/* ---- BTF helpers ---- */

static const char *type_name(const struct btf *btf, const struct btf_type *t)
{
	const char *n = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	return n ? n : "";
}

/* ABI class of an integer-like type; -1 if the type cannot cross the
 * kfunc boundary as a scalar (struct by value, float, ...). */
static int ext_of(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = bh_btf_skip_mods(btf, id, NULL);
	bool sig;

	if (!t)
		return -1;
	if (btf_is_ptr(t))
		return BH_EXT_NONE;
	if (btf_is_any_enum(t))
		sig = btf_kflag(t);
	else if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL))
		return BH_EXT_BOOL;
	else if (btf_is_int(t))
		sig = btf_int_encoding(t) & BTF_INT_SIGNED;
	else
		return -1;
	switch (t->size) {
	case 1:
		return sig ? BH_EXT_S8 : BH_EXT_U8;
	case 2:
		return sig ? BH_EXT_S16 : BH_EXT_U16;
	case 4:
		return sig ? BH_EXT_S32 : BH_EXT_U32;
	case 8:
		return BH_EXT_NONE;
	}
	return -1;
}

/* The struct a pointer type points to (after modifiers), or NULL. */
static const struct btf_type *ptr_to_struct(const struct btf *btf, uint32_t id,
					    uint32_t *sid)
{
	const struct btf_type *t = bh_btf_skip_mods(btf, id, NULL);

	if (!t || !btf_is_ptr(t))
		return NULL;
	t = bh_btf_skip_mods(btf, t->type, sid);
	return t && btf_is_struct(t) ? t : NULL;
}

/* A struct bpf_prog_aux * (the struct may be only declared). */
static bool is_prog_aux_ptr(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = bh_btf_skip_mods(btf, id, NULL);
	const char *name;

	if (!t || !btf_is_ptr(t))
		return false;
	t = bh_btf_skip_mods(btf, t->type, NULL);
	if (!t || !(btf_is_struct(t) || (btf_is_fwd(t) && !btf_kflag(t))))
		return false;
	name = btf__name_by_offset(btf, t->name_off);
	return name && !strcmp(name, "bpf_prog_aux");
}

/* The kernel's allocation kfuncs, whose acquired result is typed by the
 * program's BTF (local_type_id__k), not by their own return type. */
static bool is_alloc_kfunc(const char *name)
{
	static const char *const names[] = {
		"bpf_obj_new_impl",
		"bpf_percpu_obj_new_impl",
		"bpf_refcount_acquire_impl",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* ---- registry ---- */

struct bh_kfunc_reg *bh_kfunc_reg_new(struct bh_hbtf *hbtf)
{
	struct bh_kfunc_reg *reg = calloc(1, sizeof(*reg));

	if (reg)
		reg->hbtf = hbtf;
	return reg;
}

static void kfunc_free(struct bh_kfunc *k)
{
	if (!k)
		return;
	free(k->name);
	free(k->hook);
	free(k->replacement);
	free(k->message);
	free(k->origin);
	free(k);
}

void bh_kfunc_reg_free(struct bh_kfunc_reg *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->cnt; i++)
		kfunc_free(reg->kf[i]);
	for (size_t i = 0; i < reg->nhooks; i++)
		free(reg->hooks[i].name);
	free(reg->hooks);
	for (size_t i = 0; i < reg->ndtors; i++)
		free(reg->dtors[i].type);
	free(reg->dtors);
	free(reg->kf);
	free(reg);
}

size_t bh_kfunc_reg_count(const struct bh_kfunc_reg *reg)
{
	return reg->cnt;
}

const struct bh_kfunc *bh_kfunc_reg_at(const struct bh_kfunc_reg *reg, size_t i)
{
	return i < reg->cnt ? reg->kf[i] : NULL;
}

static const struct bh_kfunc *find_exact(const struct bh_kfunc_reg *reg,
					 const char *name, const char *hook)
{
	for (size_t i = 0; i < reg->cnt; i++)
		if (!strcmp(reg->kf[i]->name, name) &&
		    !strcmp(reg->kf[i]->hook, hook))
			return reg->kf[i];
	return NULL;
}

const struct bh_kfunc *bh_kfunc_find(const struct bh_kfunc_reg *reg,
				     const char *name, const char *hook)
{
	const struct bh_kfunc *k = find_exact(reg, name, "*");

	if (k || !hook)
		return k;
	return find_exact(reg, name, hook);
}

const struct bh_kfunc *bh_kfunc_find_any(const struct bh_kfunc_reg *reg,
					 const char *name)
{
	for (size_t i = 0; i < reg->cnt; i++)
		if (!strcmp(reg->kf[i]->name, name))
			return reg->kf[i];
	return NULL;
}

const struct bh_kfunc *bh_kfunc_by_btf(const struct bh_kfunc_reg *reg,
				       uint32_t src, uint32_t id,
				       const char *hook)
{
	for (size_t i = 0; i < reg->cnt; i++) {
		const struct bh_kfunc *k = reg->kf[i];

		if (k->addr && k->func.src == src && k->func.id == id &&
		    (!strcmp(k->hook, "*") || (hook && !strcmp(k->hook, hook))))
			return k;
	}
	return NULL;
}

int bh_kfunc_allowed(const struct bh_kfunc_reg *reg, const struct bh_kfunc *k,
		     const struct bpf_prog *prog)
{
	for (size_t i = 0; i < reg->nhooks; i++) {
		const struct bh_hook *h = &reg->hooks[i];

		if (strcmp(h->name, k->hook))
			continue;
		for (int f = 0; f < h->nfilters; f++)
			if (h->filters[f](prog, k->func.id))
				return 0;
	}
	return 1;
}

static int add_filter(struct bh_kfunc_reg *reg, const char *hook,
		      btf_kfunc_filter_t filter, char *err, size_t errsz)
{
	struct bh_hook *h = NULL, *nh;

	for (size_t i = 0; i < reg->nhooks; i++)
		if (!strcmp(reg->hooks[i].name, hook))
			h = &reg->hooks[i];
	if (!h) {
		nh = realloc(reg->hooks, (reg->nhooks + 1) * sizeof(*nh));
		if (!nh)
			return -ENOMEM;
		reg->hooks = nh;
		h = &reg->hooks[reg->nhooks];
		memset(h, 0, sizeof(*h));
		h->name = strdup(hook);
		if (!h->name)
			return -ENOMEM;
		reg->nhooks++;
	}
	for (int f = 0; f < h->nfilters; f++)
		if (h->filters[f] == filter)
			return 0;
	if (h->nfilters == BH_MAX_FILTERS) {
		snprintf(err, errsz, "hook '%s': more than %d filters", hook,
			 BH_MAX_FILTERS);
		return -E2BIG;
	}
	h->filters[h->nfilters++] = filter;
	return 0;
}

/* ---- validation ---- */

static int fail(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The kernel's iterator trio rules (btf_check_iter_kfuncs), with reasons. */
static int check_iter(const struct btf *btf, const struct bh_kfunc *k,
		      char *err, size_t errsz)
{
	uint32_t it = k->flags & KF_ITER_ANY;
	const struct btf_type *st;
	const char *sname, *tname, *want;
	char expect[256];
	uint32_t sid;

	if (it != KF_ITER_NEW && it != KF_ITER_NEXT && it != KF_ITER_DESTROY)
		return fail(err, errsz,
			    "kfunc '%s': iterator kfuncs take exactly one of "
			    "KF_ITER_NEW, KF_ITER_NEXT, KF_ITER_DESTROY",
			    k->name);
	if (k->nargs < 1)
		return fail(err, errsz,
			    "kfunc '%s': iterator kfunc needs the iterator as "
			    "its first parameter",
			    k->name);
	st = ptr_to_struct(btf, k->args[0].type_id, &sid);
	sname = st ? type_name(btf, st) : "";
	if (!st || strncmp(sname, "bpf_iter_", 9) || !sname[9])
		return fail(err, errsz,
			    "kfunc '%s': first parameter must be a pointer to "
			    "struct bpf_iter_<type>",
			    k->name);
	if (st->size == 0 || st->size % 8)
		return fail(err, errsz,
			    "kfunc '%s': struct %s has size %u, must be a "
			    "non-zero multiple of 8",
			    k->name, sname, st->size);
	tname = sname + 9;
	want = it == KF_ITER_NEW    ? "new"
	       : it == KF_ITER_NEXT ? "next"
				    : "destroy";
	snprintf(expect, sizeof(expect), "bpf_iter_%s_%s", tname, want);
	if (strcmp(k->name, expect))
		return fail(err, errsz,
			    "kfunc '%s': an iterator %s kfunc for struct %s "
			    "must be named '%s'",
			    k->name, want, sname, expect);
	if (it != KF_ITER_NEW && k->nargs != 1)
		return fail(err, errsz,
			    "kfunc '%s': only the iterator constructor may "
			    "take more than one parameter",
			    k->name);
	if (it == KF_ITER_NEXT && !k->ret_ptr)
		return fail(err, errsz,
			    "kfunc '%s': iterator next must return a pointer",
			    k->name);
	if (it == KF_ITER_DESTROY && k->ret_type_id)
		return fail(err, errsz,
			    "kfunc '%s': iterator destroy must return void",
			    k->name);
	return 0;
}

/*
 * KF_KPTR_GET (kernels 6.0-6.3): T *f(T **field, ...) takes the address of
 * a referenced __kptr field of a map value and returns a new reference to
 * the object the field holds, or NULL when the field is empty or the
 * object is already dying.  So: a first parameter that is a pointer to a
 * pointer to a struct (the 6.1 verifier's "BTF type must be a double
 * pointer" and "pointer type ... is not supported", refused here at
 * registration instead of at every call), an acquired maybe-NULL result
 * of that same struct, and none of the flags that would give the map
 * value pointer another meaning.
 */
static int check_kptr_get(const struct btf *btf, const struct bh_kfunc *k,
			  char *err, size_t errsz)
{
	const struct btf_type *t, *st;
	uint32_t sid, rid;

	if ((k->flags & (KF_ACQUIRE | KF_RET_NULL)) !=
	    (KF_ACQUIRE | KF_RET_NULL))
		return fail(err, errsz,
			    "kfunc '%s': KF_KPTR_GET needs KF_ACQUIRE | "
			    "KF_RET_NULL (it returns a new reference, or NULL "
			    "when the kptr is empty or dying)",
			    k->name);
	if (k->flags & (KF_RELEASE | KF_ITER_ANY))
		return fail(err, errsz,
			    "kfunc '%s': KF_KPTR_GET cannot be combined with "
			    "KF_RELEASE or iterator flags",
			    k->name);
	if (k->nargs < 1)
		return fail(err, errsz,
			    "kfunc '%s': KF_KPTR_GET needs the kptr field's "
			    "address as its first parameter",
			    k->name);
	t = bh_btf_skip_mods(btf, k->args[0].type_id, NULL);
	if (!t || !btf_is_ptr(t) ||
	    !(t = bh_btf_skip_mods(btf, t->type, NULL)) || !btf_is_ptr(t))
		return fail(err, errsz,
			    "kfunc '%s': arg#0 BTF type must be a double "
			    "pointer for KF_KPTR_GET (T **)",
			    k->name);
	st = bh_btf_skip_mods(btf, t->type, &sid);
	if (!st || !btf_is_struct(st))
		return fail(err, errsz,
			    "kfunc '%s': arg#0 of a KF_KPTR_GET kfunc must "
			    "point to a pointer to a struct",
			    k->name);
	if (k->args[0].declared || k->args[0].annot)
		return fail(err, errsz,
			    "kfunc '%s': arg#0 of a KF_KPTR_GET kfunc is a map "
			    "value address; it takes no KF_ARG flags or "
			    "annotations",
			    k->name);
	if (!ptr_to_struct(btf, k->ret_type_id, &rid) || rid != sid)
		return fail(
			err, errsz,
			"kfunc '%s': a KF_KPTR_GET kfunc must return a pointer "
			"to the struct its kptr field holds (struct %s)",
			k->name, type_name(btf, st));
	return 0;
}

/* Expand whole-function flags into per-argument contracts and fold the
 * parameter-name annotations in, then check that they fit the types. */
static int normalise_args(const struct btf *btf, struct bh_kfunc *k, char *err,
			  size_t errsz)
{
	int releases = 0, first_ptr = -1;

	for (int i = 0; i < k->nargs; i++) {
		struct bh_kfunc_arg *a = &k->args[i];

		a->contract = a->declared;
		if (a->is_ptr && first_ptr < 0)
			first_ptr = i;
		if (a->is_ptr && (k->flags & KF_TRUSTED_ARGS))
			a->contract |= KF_ARG_TRUSTED;
		if (a->is_ptr && (k->flags & KF_RCU))
			a->contract |= KF_ARG_RCU;
		if (a->is_ptr && (a->annot & (BH_ANN_NULLABLE | BH_ANN_OPT)))
			a->contract |= KF_ARG_NULLABLE;
		if (!a->is_ptr && (a->annot & (BH_ANN_K | BH_ANN_SZK)))
			a->contract |= KF_ARG_CONST;
	}
	if (k->flags & KF_RELEASE) {
		if (first_ptr != 0)
			return fail(err, errsz,
				    "kfunc '%s': KF_RELEASE needs a pointer as "
				    "its first argument",
				    k->name);
		k->args[0].contract |= KF_ARG_RELEASE;
	}
	for (int i = 0; i < k->nargs; i++) {
		struct bh_kfunc_arg *a = &k->args[i];
		uint32_t ptr_only = KF_ARG_RELEASE | KF_ARG_TRUSTED |
				    KF_ARG_RCU | KF_ARG_NULLABLE |
				    KF_ARG_ACQUIRE_INTO;

		if (!a->is_ptr && (a->declared & ptr_only))
			return fail(err, errsz,
				    "kfunc '%s': arg#%d '%s' is not a pointer "
				    "but has pointer flags",
				    k->name, i, a->name);
		if (a->is_ptr && (a->declared & KF_ARG_CONST))
			return fail(err, errsz,
				    "kfunc '%s': arg#%d '%s' is a pointer; "
				    "KF_ARG_CONST is for scalars",
				    k->name, i, a->name);
		if (a->declared & KF_ARG_ACQUIRE_INTO) {
			const struct btf_type *t =
				bh_btf_skip_mods(btf, a->type_id, NULL);

			if (!t || !btf_is_ptr(t) ||
			    !ptr_to_struct(btf, t->type, NULL))
				return fail(err, errsz,
					    "kfunc '%s': arg#%d '%s': "
					    "KF_ARG_ACQUIRE_INTO needs a "
					    "pointer to a pointer to a struct",
					    k->name, i, a->name);
		}
		if (a->contract & KF_ARG_RELEASE) {
			if (!ptr_to_struct(btf, a->type_id, NULL) &&
			    !(a->annot & BH_ANN_ALLOC))
				return fail(
					err, errsz,
					"kfunc '%s': arg#%d '%s': a released "
					"argument must point to a struct",
					k->name, i, a->name);
			releases++;
		}
	}
	if (releases > 1)
		return fail(err, errsz,
			    "kfunc '%s': releases %d arguments; a kfunc "
			    "releases at most one",
			    k->name, releases);
	return 0;
}

/* Build the normalised record of one set entry.  *out NULL on failure. */
static int kfunc_build(struct bh_kfunc_reg *reg, const char *hook,
		       const struct bpfhost_kfunc_desc *d,
		       btf_kfunc_filter_t filter, struct bh_kfunc **out,
		       char *err, size_t errsz)
{
	struct bh_kfunc *k;
	const struct btf *btf;
	const struct btf_type *fn, *proto;
	const struct btf_param *params;
	uint32_t low = (uint32_t)d->flags;
	int ret, ext;

	*out = NULL;
	if (!d->name || !d->name[0])
		return fail(err, errsz, "kfunc set entry without a name");
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->name = strdup(d->name);
	k->hook = strdup(hook);
	k->replacement = d->replacement ? strdup(d->replacement) : NULL;
	k->message = d->message ? strdup(d->message) : NULL;
	if (!k->name || !k->hook || (d->replacement && !k->replacement) ||
	    (d->message && !k->message)) {
		kfunc_free(k);
		return -ENOMEM;
	}
	k->addr = d->addr;
	k->flags = low;
	k->filter = filter;
	if (!d->addr) {
		/* a removed kfunc: a name and where to go instead */
		*out = k;
		return 0;
	}
	ret = -EINVAL;
	if (low & ~KF_KNOWN_FLAGS) {
		fail(err, errsz, "kfunc '%s': unknown flag bits 0x%x", k->name,
		     low & ~KF_KNOWN_FLAGS);
		goto out;
	}
	ret = bh_hbtf_find_func(reg->hbtf, k->name, k->addr, &k->func);
	if (ret) {
		fail(err, errsz,
		     "kfunc '%s': no BTF FUNC '%s' in the host BTF (build the "
		     "host with -g and run `pahole -J` on the binary; see "
		     "README)",
		     k->name, k->name);
		ret = -ENOENT;
		goto out;
	}
	ret = bh_sym_check(k->name, k->addr, err, errsz);
	if (ret < 0)
		goto out;
	ret = -EINVAL;
	btf = bh_hbtf_btf(reg->hbtf, k->func.src);
	k->origin = strdup(reg->hbtf->srcs[k->func.src].origin);
	fn = btf__type_by_id(btf, k->func.id);
	proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	if (!k->origin || !proto || !btf_is_func_proto(proto)) {
		fail(err, errsz, "kfunc '%s': BTF FUNC has no valid prototype",
		     k->name);
		goto out;
	}
	k->proto_id = fn->type;
	if (btf_vlen(proto) > KF_MAX_ARGS) {
		fail(err, errsz, "kfunc '%s' has %u parameters; at most %d",
		     k->name, btf_vlen(proto), KF_MAX_ARGS);
		goto out;
	}
	k->nargs = (uint8_t)btf_vlen(proto);
	params = btf_params(proto);
	for (int i = 0; i < k->nargs; i++) {
		struct bh_kfunc_arg *a = &k->args[i];
		const struct btf_type *t;

		if (!params[i].type) {
			fail(err, errsz, "kfunc '%s' is variadic", k->name);
			goto out;
		}
		a->name = btf__name_by_offset(btf, params[i].name_off);
		if (!a->name)
			a->name = "";
		a->type_id = params[i].type;
		a->annot = bh_kfunc_parse_annot(a->name);
		a->declared = KF_ARG_FLAGS(d->flags, i);
		t = bh_btf_skip_mods(btf, a->type_id, NULL);
		a->is_ptr = t && btf_is_ptr(t);
		ext = ext_of(btf, a->type_id);
		if (ext < 0) {
			fail(err, errsz,
			     "kfunc '%s': arg#%d '%s' is neither a pointer nor "
			     "an integer of 1, 2, 4 or 8 bytes",
			     k->name, i, a->name);
			goto out;
		}
		a->ext = (uint8_t)ext;
	}
	k->nargs_visible = k->nargs;
	if (low & KF_IMPLICIT_ARGS) {
		struct bh_kfunc_arg *last =
			k->nargs ? &k->args[k->nargs - 1] : NULL;

		if (!last || !is_prog_aux_ptr(btf, last->type_id) ||
		    last->declared) {
			fail(err, errsz,
			     "kfunc '%s': KF_IMPLICIT_ARGS needs a last "
			     "parameter 'struct bpf_prog_aux *' (without "
			     "KF_ARG flags)",
			     k->name);
			goto out;
		}
		/* the runtime passes it, as for a __prog parameter */
		last->annot |= BH_ANN_PROG;
		k->nargs_visible = k->nargs - 1;
	}
	for (int i = k->nargs; i < KF_MAX_ARGS; i++)
		if (KF_ARG_FLAGS(d->flags, i)) {
			fail(err, errsz,
			     "kfunc '%s': KF_ARG(%d, ...) given but it has %u "
			     "parameters",
			     k->name, i, k->nargs);
			goto out;
		}
	k->ret_type_id = proto->type;
	if (k->ret_type_id) {
		const struct btf_type *t =
			bh_btf_skip_mods(btf, k->ret_type_id, NULL);

		k->ret_ptr = t && btf_is_ptr(t);
		ext = ext_of(btf, k->ret_type_id);
		if (ext < 0) {
			fail(err, errsz,
			     "kfunc '%s': returns neither void, a pointer nor "
			     "an integer of 1, 2, 4 or 8 bytes",
			     k->name);
			goto out;
		}
		k->ret_ext = (uint8_t)ext;
	} else {
		k->ret_ext = BH_EXT_VOID;
	}
	/* as in the kernel, only its allocation kfuncs acquire a pointer
	 * that is not to a struct: the program's own object type is known
	 * from the call's constant type-id argument */
	if ((k->flags & KF_ACQUIRE) && !is_alloc_kfunc(k->name) &&
	    !ptr_to_struct(btf, k->ret_type_id, NULL)) {
		fail(err, errsz,
		     "kfunc '%s': KF_ACQUIRE must return a pointer to a struct",
		     k->name);
		goto out;
	}
	if ((k->flags & KF_RET_NULL) && !k->ret_ptr) {
		fail(err, errsz,
		     "kfunc '%s': KF_RET_NULL on a kfunc that does not return "
		     "a pointer",
		     k->name);
		goto out;
	}
	if ((k->flags & KF_ITER_ANY) && (ret = check_iter(btf, k, err, errsz)))
		goto out;
	if ((k->flags & KF_KPTR_GET) &&
	    (ret = check_kptr_get(btf, k, err, errsz)))
		goto out;
	ret = normalise_args(btf, k, err, errsz);
	if (ret)
		goto out;
	/* the field's address is a map value pointer: KF_TRUSTED_ARGS and
	 * KF_RCU are about the other (BTF-typed) arguments */
	if (k->flags & KF_KPTR_GET)
		k->args[0].contract = 0;
	*out = k;
	return 0;
out:
	kfunc_free(k);
	return ret;
}

static bool same_registration(const struct bh_kfunc *a,
			      const struct bh_kfunc *b)
{
	if (a->addr != b->addr || a->flags != b->flags || a->nargs != b->nargs)
		return false;
	for (int i = 0; i < a->nargs; i++)
		if (a->args[i].declared != b->args[i].declared)
			return false;
	return true;
}

int bh_kfunc_reg_add_set(struct bh_kfunc_reg *reg, const char *hook,
			 const struct btf_kfunc_id_set *kset, char *err,
			 size_t errsz)
{
	const struct btf_id_set8 *set = kset ? kset->set : NULL;
	struct bh_kfunc **built;
	size_t nnew = 0;
	int ret = 0;

	if (!hook || !*hook)
		return fail(err, errsz,
			    "kfunc set registered for no program type");
	if (!set)
		return fail(err, errsz, "kfunc set has no btf_id_set8");
	if (set->cnt && !set->funcs)
		return fail(err, errsz, "kfunc set has %u entries but no table",
			    set->cnt);
	built = calloc(set->cnt ? set->cnt : 1, sizeof(*built));
	if (!built)
		return -ENOMEM;
	for (uint32_t i = 0; i < set->cnt; i++) {
		const struct bh_kfunc *old;
		struct bh_kfunc *k;

		ret = kfunc_build(reg, hook, &set->funcs[i], kset->filter, &k,
				  err, errsz);
		if (ret)
			goto out;
		old = find_exact(reg, k->name, hook);
		for (size_t j = 0; !old && j < nnew; j++)
			if (!strcmp(built[j]->name, k->name))
				old = built[j];
		if (old && !same_registration(old, k)) {
			char f1[256], f2[256];

			fail(err, errsz,
			     "kfunc '%s' registered twice for '%s' with "
			     "different flags or addresses (%s / %s)",
			     k->name, hook,
			     bh_kfunc_flags_str(old->flags, f1, sizeof(f1)),
			     bh_kfunc_flags_str(k->flags, f2, sizeof(f2)));
			kfunc_free(k);
			ret = -EINVAL;
			goto out;
		}
		if (old) {
			kfunc_free(k); /* the same registration again: no-op */
			continue;
		}
		built[nnew++] = k;
	}
	if (reg->cnt + nnew > reg->cap) {
		size_t cap = reg->cap ? reg->cap : 16;
		struct bh_kfunc **nk;

		while (cap < reg->cnt + nnew)
			cap *= 2;
		nk = realloc(reg->kf, cap * sizeof(*nk));
		if (!nk) {
			ret = -ENOMEM;
			goto out;
		}
		reg->kf = nk;
		reg->cap = cap;
	}
	if (kset->filter) {
		ret = add_filter(reg, hook, kset->filter, err, errsz);
		if (ret)
			goto out;
	}
	memcpy(reg->kf + reg->cnt, built, nnew * sizeof(*built));
	reg->cnt += nnew;
	nnew = 0;
out:
	for (size_t j = 0; j < nnew; j++)
		kfunc_free(built[j]);
	free(built);
	return ret;
}

/* ---- destructors ---- */

/* btf_check_dtor_kfuncs(): `void f(T *)` when the host BTF has f. */
static int check_dtor_proto(const struct bh_hbtf *hbtf, const char *fn_name,
			    char *err, size_t errsz)
{
	const struct btf_type *t;
	const struct btf *btf;
	struct bh_btf_ref ref;

	if (!fn_name || bh_hbtf_find_type(hbtf, fn_name, BTF_KIND_FUNC, &ref))
		return 0; /* no BTF for it: the C prototype is the contract */
	btf = bh_hbtf_btf(hbtf, ref.src);
	t = btf ? btf__type_by_id(btf, ref.id) : NULL;
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || t->type || btf_vlen(t) != 1 ||
	    !bh_btf_skip_mods(btf, btf_params(t)[0].type, NULL) ||
	    !btf_is_ptr(bh_btf_skip_mods(btf, btf_params(t)[0].type, NULL)))
		return fail(
			err, errsz,
			"destructor '%s' must have the prototype void %s(T *)",
			fn_name, fn_name);
	return 0;
}

int bh_kfunc_reg_add_dtor(struct bh_kfunc_reg *reg, const char *type,
			  bh_dtor_fn fn, const char *fn_name, char *err,
			  size_t errsz)
{
	struct bh_btf_ref ref;
	struct bh_dtor *n;
	int ret;

	if (!type || !type[0] || !fn)
		return fail(
			err, errsz,
			"destructor: a struct name and a function are needed");
	if (bh_hbtf_find_type(reg->hbtf, type, BTF_KIND_STRUCT, &ref)) {
		fail(err, errsz,
		     "destructor '%s': struct %s is not in the host BTF",
		     fn_name ? fn_name : "", type);
		return -ENOENT;
	}
	ret = check_dtor_proto(reg->hbtf, fn_name, err, errsz);
	if (ret)
		return ret;
	for (size_t i = 0; i < reg->ndtors; i++) {
		if (strcmp(reg->dtors[i].type, type))
			continue;
		if (reg->dtors[i].fn == fn)
			return 0; /* the same registration again */
		fail(err, errsz,
		     "destructor for struct %s is already registered", type);
		return -EEXIST;
	}
	n = realloc(reg->dtors, (reg->ndtors + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	reg->dtors = n;
	n[reg->ndtors].type = strdup(type);
	if (!n[reg->ndtors].type)
		return -ENOMEM;
	n[reg->ndtors].fn = fn;
	reg->ndtors++;
	return 0;
}

bh_dtor_fn bh_kfunc_reg_dtor(const struct bh_kfunc_reg *reg, const char *type)
{
	for (size_t i = 0; type && i < reg->ndtors; i++)
		if (!strcmp(reg->dtors[i].type, type))
			return reg->dtors[i].fn;
	return NULL;
}

int bh_kfunc_reg_copy(struct bh_kfunc_reg *dst, const struct bh_kfunc_reg *src,
		      char *err, size_t errsz)
{
	for (size_t i = 0; i < src->ndtors; i++) {
		int ret = bh_kfunc_reg_add_dtor(dst, src->dtors[i].type,
						src->dtors[i].fn, NULL, err,
						errsz);

		if (ret)
			return ret;
	}
	for (size_t i = 0; i < src->cnt; i++) {
		const struct bh_kfunc *k = src->kf[i];
		struct bpfhost_kfunc_desc d = {
			.name = k->name,
			.addr = k->addr,
			.flags = k->flags,
			.replacement = k->replacement,
			.message = k->message,
		};
		struct btf_id_set8 set = {1, BTF_SET8_KFUNCS, &d};
		struct btf_kfunc_id_set ks = {NULL, &set, k->filter};
		int ret;

		for (int a = 0; a < k->nargs; a++)
			d.flags |= KF_ARG(a, k->args[a].declared);
		ret = bh_kfunc_reg_add_set(dst, k->hook, &ks, err, errsz);
		if (ret)
			return ret;
	}
	return 0;
}
