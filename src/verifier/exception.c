// SPDX-License-Identifier: BSD-2-Clause
/*
 * BPF exceptions (KFUNC-SEMANTICS §8): bpf_throw(cookie) and the exception
 * callback.
 *
 * A bpf_throw call ends its path as an exit of the whole program would,
 * from any frame depth: every reference still held in any frame is a leak,
 * and open irq, RCU and preemption sections are errors even in a
 * subprogram ("bpf_throw cannot be used inside ...").  At run time every
 * frame is unwound and the program returns the exception callback's result
 * for the cookie, or, without a callback, the cookie itself, which is then
 * held to the program type's return range (from any frame; Linux 6.18
 * does not check it in a global function, bpfhost does).
 *
 * The exception callback is the global function that the main program's
 * BTF FUNC names with a decl tag `exception_callback:<name>` (libbpf's
 * __exception_cb).  It is a subprogram of its own, never called: verified
 * as a global function whose prototype must be `int cb(u64)` and whose
 * return is held to the program's return range.  It may not be called
 * directly, and neither it nor any callback subprogram (bpf_loop's) may
 * throw (check_max_stack_depth in verifier.c).
 */
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include <bpf/btf.h>

#include "kfunc/kfunc.h"
#include "verifier/vinternal.h"

bool is_bpf_throw_insn(const struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_kfunc *k = bh_insn_kfunc(v, in);

	return k && !strcmp(k->name, "bpf_throw");
}

/* The name an `exception_callback:` tag on the main program gives: 0 and
 * *name (NULL without a tag), or a rejection. */
static int exception_cb_tag(struct bh_venv *v, const char **name)
{
	static const char pfx[] = "exception_callback:";
	const struct btf *b = v->env->prog_btf;
	uint32_t main_id = v->env->func_info[0].type_id;
	uint32_t n = btf__type_cnt(b);

	*name = NULL;
	if (!btf__type_by_id(b, main_id))
		return bh_reject(
			v, "invalid btf id for main subprog in func_info");
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		const char *s;

		if (!btf_is_decl_tag(t) || t->type != main_id ||
		    btf_decl_tag(t)->component_idx != -1)
			continue;
		s = btf__name_by_offset(b, t->name_off);
		if (!s || strncmp(s, pfx, sizeof(pfx) - 1))
			continue;
		if (*name)
			return bh_reject(v, "multiple exception callback tags "
					    "for main subprog");
		*name = s + sizeof(pfx) - 1;
	}
	return 0;
}

int find_exception_cb(struct bh_venv *v, long *insn_off)
{
	const struct bh_verify_env *env = v->env;
	const struct btf *b = env->prog_btf;
	const char *name;
	uint32_t n;
	int err;

	*insn_off = 0;
	if (!env->func_info_cnt || !b)
		return 0;
	err = exception_cb_tag(v, &name);
	if (err || !name)
		return err;
	n = btf__type_cnt(b);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		const char *fname;

		if (!btf_is_func(t))
			continue;
		fname = btf__name_by_offset(b, t->name_off);
		if (!fname || strcmp(fname, name))
			continue;
		if (btf_vlen(t) != BTF_FUNC_GLOBAL)
			return bh_reject(v,
					 "exception callback '%s' must have "
					 "global linkage",
					 name);
		for (size_t j = 0; j < env->func_info_cnt; j++) {
			if (env->func_info[j].type_id != id)
				continue;
			*insn_off = env->func_info[j].insn_off;
			if (!*insn_off)
				return bh_reject(v,
						 "invalid exception callback "
						 "insn_off in func_info: 0");
		}
		if (!*insn_off)
			return bh_reject(v, "exception callback type id not "
					    "found in func_info");
		return 0;
	}
	return bh_reject(v, "exception callback '%s' could not be found in BTF",
			 name);
}

int check_exception_cb_proto(struct bh_venv *v, uint32_t s)
{
	const struct btf *b = v->env->prog_btf;
	const struct btf_type *fn =
		btf__type_by_id(b, v->subprogs[s].btf_func_id);
	const struct btf_type *proto = fn ? btf__type_by_id(b, fn->type) : NULL;
	const struct btf_type *t;
	uint32_t id;

	if (!proto || !btf_is_func_proto(proto))
		return bh_reject(v, "global function %s has no BTF prototype",
				 bh_subprog_name(v, s));
	/* btf_prepare_func_args(): an exception callback returns a scalar
	 * (Linux 6.18 words a void one so too) */
	t = btf__type_by_id(b, proto->type);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(b, t->type);
	if (!t || !(btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t)))
		return bh_reject(v,
				 "Global function %s() doesn't return scalar. "
				 "Only those are supported.",
				 bh_subprog_name(v, s));
	if (btf_vlen(proto) != 1)
		return bh_reject(
			v,
			"exception cb only supports single integer argument");
	id = btf_params(proto)[0].type;
	t = btf__type_by_id(b, id);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(b, t->type);
	if (!t || !(btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t)))
		return bh_reject(
			v,
			"exception cb only supports single integer argument");
	return 0;
}

int check_throw_cookie(struct bh_venv *v)
{
	struct bh_reg *r1 = &cur_regs(v)[1];

	/* with a callback the cookie is only its argument; a non-scalar
	 * cookie is the kfunc argument check's to report */
	if (v->exception_cb || r1->type != BH_SCALAR)
		return 0;
	/* from any frame of the main program (Linux 6.18 too); in a global
	 * function, which 6.18 only requires to throw a scalar, bpfhost
	 * holds the cookie to the range as well: hosts rely on it */
	return check_return_code(v, 1, false);
}

void mark_subprogs_might_throw(struct bh_venv *v)
{
	bh_mark_subprogs_calling(v, is_bpf_throw_insn,
				 offsetof(struct bh_subprog, might_throw));
}

/* The checks of a throw, prefix naming it in the messages. */
static int throw_resources(struct bh_venv *v, const char *pfx)
{
	int err = check_reference_leak(v);

	if (err) {
		bh_log(v, "%s would lead to reference leak", pfx);
		return err;
	}
	err = check_irq_section_exit(v, pfx);
	if (!err)
		err = check_rcu_section_exit(v, pfx);
	if (!err)
		err = check_preempt_section_exit(v, pfx);
	return err;
}

int process_throw(struct bh_venv *v)
{
	int err = throw_resources(v, "bpf_throw");

	return err ? err : 1;
}

/*
 * A global function is verified on its own, and its callers only see its
 * prototype, so a throw inside it would unwind past whatever the caller
 * holds.  Linux 6.18 accepts that and leaks; bpfhost, whose references are
 * host objects and whose sections are per-thread counters, checks the
 * caller's resources as the throw would.
 */
int check_global_call_throw(struct bh_venv *v, uint32_t s)
{
	char pfx[128];

	snprintf(pfx, sizeof(pfx),
		 "calling global function %s() that may throw",
		 bh_subprog_name(v, s));
	return throw_resources(v, pfx);
}
