// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kfunc and ksym linking of one program image (see link.h).  Every call
 * site is linked, reachable or not, as the kernel's loader checks every
 * kfunc call instruction before verification.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "link.h"

size_t bh_link_essential_len(const char *name)
{
	const char *f = strstr(name, "___");

	return f && f != name ? (size_t)(f - name) : strlen(name);
}

/* The FUNC_PROTO of an extern in the object's BTF, or 0. */
static uint32_t extern_proto(const struct bh_object *o,
			     const struct bh_obj_extern *e)
{
	const struct btf_type *t;

	if (!o->btf || !e->btf_id)
		return 0;
	t = btf__type_by_id(o->btf, e->btf_id);
	if (!t || !btf_is_func(t))
		return 0;
	return t->type;
}

static void replacement_hint(const struct bh_kfunc *k, char *buf, size_t size)
{
	buf[0] = '\0';
	if (k && k->replacement)
		snprintf(buf, size, "; use '%s' instead%s%s", k->replacement,
			 k->message ? ": " : "", k->message ? k->message : "");
	else if (k && k->message)
		snprintf(buf, size, ": %s", k->message);
}

/*
 * Find what extern e names for this program.  0 with *out (NULL for an
 * unresolved weak extern), or -errno with a message.
 */
static int resolve_extern(const struct bh_obj_prog *p,
			  const struct bh_object *o,
			  const struct bh_obj_extern *e,
			  const struct bh_link_env *env,
			  const struct bh_kfunc **out, char *err, size_t errsz)
{
	char name[256], hint[512];
	size_t len = bh_link_essential_len(e->name);
	const struct bh_kfunc *k, *any;
	uint32_t proto;
	int ret;

	*out = NULL;
	if (len >= sizeof(name)) {
		snprintf(err, errsz, "prog '%s': extern '%s': name too long",
			 p->name, e->name);
		return -EINVAL;
	}
	memcpy(name, e->name, len);
	name[len] = '\0';
	k = bh_kfunc_find(env->reg, name, env->hook);
	if (!k || !k->addr) {
		any = k ? k : bh_kfunc_find_any(env->reg, name);
		if (e->weak)
			return 0;
		replacement_hint(any, hint, sizeof(hint));
		if (any && !any->addr)
			snprintf(err, errsz,
				 "prog '%s': kfunc '%s' has been removed from "
				 "this runtime (program type '%s')%s",
				 p->name, name, env->prog_type, hint);
		else if (any)
			snprintf(err, errsz,
				 "prog '%s': calling kernel function %s is not "
				 "allowed (it is registered for '%s', not for "
				 "program type '%s')",
				 p->name, name, any->hook, env->prog_type);
		else
			snprintf(err, errsz,
				 "prog '%s': kfunc '%s' is not provided by "
				 "this runtime for program type '%s'",
				 p->name, name, env->prog_type);
		return -ENOENT;
	}
	if (env->prog && !bh_kfunc_allowed(env->reg, k, env->prog)) {
		if (e->weak)
			return 0;
		snprintf(err, errsz,
			 "prog '%s': calling kernel function %s is not allowed",
			 p->name, name);
		return -EACCES;
	}
	proto = extern_proto(o, e);
	if (proto) {
		const struct btf *hb = bh_hbtf_btf(env->hbtf, k->func.src);

		ret = bh_btf_protos_compat_n(o->btf, proto, hb, k->proto_id,
					     k->nargs_visible);
		if (ret <= 0) {
			if (e->weak)
				return 0;
			snprintf(err, errsz,
				 "prog '%s': extern (func ksym) '%s': "
				 "func_proto [%u] incompatible with %s [%u]",
				 p->name, e->name, proto, k->origin,
				 k->proto_id);
			return -EINVAL;
		}
	}
	if ((k->flags & KF_DEPRECATED) && env->warn) {
		char msg[1280];

		replacement_hint(k, hint, sizeof(hint));
		snprintf(msg, sizeof(msg),
			 "prog '%s': kfunc '%s' is deprecated%s", p->name, name,
			 hint[0] ? hint : "");
		env->warn(env->warn_ctx, msg);
	}
	*out = k;
	return 0;
}

int bh_link_kfuncs(struct bh_obj_prog *p, const struct bh_object *o,
		   const struct bh_link_env *env, char *err, size_t errsz)
{
	for (size_t i = 0; i < p->insn_cnt; i++) {
		struct bh_insn *in = &p->insns[i];
		const struct bh_obj_extern *e;
		const struct bh_kfunc *k;
		bool call = in->code == (BH_JMP | 0x80) &&
			    in->src_reg == BH_PSEUDO_KFUNC_CALL;
		bool ld = in->code == (BH_LD | BH_DW | BH_IMM) &&
			  in->src_reg == BH_PSEUDO_BTF_ID;
		int ret;

		if (!call && !ld)
			continue;
		if (ld && i + 1 >= p->insn_cnt) {
			snprintf(err, errsz,
				 "prog '%s': insn %zu: truncated ld_imm64",
				 p->name, i);
			return -EINVAL;
		}
		if (in->imm < 0 || (size_t)in->imm >= o->extern_cnt) {
			snprintf(err, errsz,
				 "prog '%s': insn %zu: extern index %d out of "
				 "range",
				 p->name, i, in->imm);
			return -EINVAL;
		}
		e = &o->externs[in->imm];
		if (ld && e->kind != BH_EXT_FUNC) {
			snprintf(err, errsz,
				 "prog '%s': insn %zu: extern variable '%s' "
				 "(%s): ksym variables are not supported; only "
				 "kfuncs",
				 p->name, i, e->name, e->sec ? e->sec : "");
			return -ENOTSUP;
		}
		ret = resolve_extern(p, o, e, env, &k, err, errsz);
		if (ret)
			return ret;
		if (call) {
			in->imm = k ? (int32_t)k->func.id : 0;
			in->off = k ? (int16_t)k->func.src : 0;
		} else if (k) {
			in[0].imm = (int32_t)k->func.id;
			in[1].imm = (int32_t)k->func.src;
		} else {
			/* unresolved weak: bpf_ksym_exists() sees 0 */
			in[0].src_reg = 0;
			in[0].imm = 0;
			in[1].imm = 0;
		}
	}
	return 0;
}
