// SPDX-License-Identifier: BSD-2-Clause
/*
 * Register constructors and predicates (__mark_reg_known/unknown,
 * mark_reg_not_init) and the register-operand checks every instruction
 * starts with (check_reg_arg).
 *
 * Invariant: a register leaving one of the mark_* functions is a complete,
 * self-consistent description: scalars have synced bounds, pointers have a
 * zero fixed and variable offset unless the caller sets them afterwards.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "verifier/vinternal.h"

void mark_reg_not_init(struct bh_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = BH_NOT_INIT;
	bh_scalar_mark_unknown(&r->s);
}

void mark_reg_unknown(struct bh_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = BH_SCALAR;
	bh_scalar_mark_unknown(&r->s);
}

void mark_reg_known(struct bh_reg *r, uint64_t value)
{
	memset(r, 0, sizeof(*r));
	r->type = BH_SCALAR;
	bh_scalar_mark_const(&r->s, value);
}

void mark_reg_ptr(struct bh_reg *r, uint8_t type, uint32_t flags)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->flags = flags;
	bh_scalar_mark_const(&r->s, 0);
}

bool is_pointer(const struct bh_reg *r)
{
	return r->type != BH_NOT_INIT && r->type != BH_SCALAR;
}

bool is_reg_const(const struct bh_reg *r, uint64_t *val)
{
	if (r->type != BH_SCALAR || !bh_tnum_is_const(r->s.var_off))
		return false;
	if (val)
		*val = r->s.var_off.value;
	return true;
}

uint32_t bh_new_id(struct bh_venv *v)
{
	/* ids stay below BH_ID_ADD_CONST so the flag bit is free */
	v->id_gen = (v->id_gen + 1) & ~BH_ID_ADD_CONST;
	if (!v->id_gen)
		v->id_gen = 1;
	return v->id_gen;
}

static const char *base_type_str(uint8_t t)
{
	switch (t) {
	case BH_SCALAR:
		return "scalar";
	case BH_PTR_TO_CTX:
		return "ctx";
	case BH_CONST_PTR_TO_MAP:
		return "map_ptr";
	case BH_PTR_TO_MAP_VALUE:
		return "map_value";
	case BH_PTR_TO_MAP_KEY:
		return "map_key";
	case BH_PTR_TO_STACK:
		return "fp";
	case BH_PTR_TO_MEM:
		return "mem";
	case BH_PTR_TO_BTF_ID:
		return "ptr_";
	case BH_PTR_TO_FUNC:
		return "func";
	case BH_PTR_TO_BUF:
		return "buf";
	default:
		return "?";
	}
}

const struct btf *bh_src_btf(const struct bh_venv *v, uint32_t src)
{
	if (src == BH_BTF_SRC_PROG)
		return v->env->prog_btf;
	return v->env->hbtf ? bh_hbtf_btf(v->env->hbtf, src) : NULL;
}

/* The kernel's reg_type_str(): flag prefixes, base name, "_or_null"
 * ("or_null_" after "ptr_"); no struct name, as in the kernel's messages
 * (the state log appends it: bh_reg_btf_name()). */
const char *bh_reg_type_str(const struct bh_venv *v, const struct bh_reg *r,
			    char *buf, size_t size)
{
	char pfx[64] = "";
	bool btf = r->type == BH_PTR_TO_BTF_ID;

	(void)v;
	if (r->type == BH_NOT_INIT) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (r->flags & BH_MEM_RDONLY)
		strcat(pfx, "rdonly_");
	if (r->flags & BH_MEM_RINGBUF)
		strcat(pfx, "ringbuf_");
	/* MEM_ALLOC has no prefix in the kernel's reg_type_str() */
	if (r->flags & BH_MEM_PERCPU)
		strcat(pfx, "percpu_");
	if (r->flags & BH_PTR_UNTRUSTED)
		strcat(pfx, "untrusted_");
	if (r->flags & BH_MEM_RCU)
		strcat(pfx, "rcu_");
	if (r->flags & BH_PTR_TRUSTED)
		strcat(pfx, "trusted_");
	snprintf(buf, size, "%s%s%s", pfx, base_type_str(r->type),
		 !(r->flags & BH_PTR_MAYBE_NULL) ? ""
		 : btf				 ? "or_null_"
						 : "_or_null");
	return buf;
}

/* The struct a PTR_TO_BTF_ID points to, "" if none or unknown. */
const char *bh_reg_btf_name(const struct bh_venv *v, const struct bh_reg *r)
{
	const struct btf *b;
	const struct btf_type *t;

	if (r->type != BH_PTR_TO_BTF_ID || !v)
		return "";
	b = bh_src_btf(v, r->btf_src);
	t = b ? btf__type_by_id(b, r->btf_id) : NULL;
	return t ? btf__name_by_offset(b, t->name_off) : "";
}

void mark_reg_scratched(struct bh_venv *v, uint32_t regno)
{
	v->scratched_regs |= 1u << regno;
}

void mark_stack_scratched(struct bh_venv *v, uint32_t spi)
{
	if (spi < 64)
		v->scratched_stack |= 1ull << spi;
}

int check_reg_read(struct bh_venv *v, uint32_t regno)
{
	if (regno >= BH_MAX_REG)
		return bh_reject(v, "R%u is invalid", regno);
	mark_reg_scratched(v, regno);
	if (cur_regs(v)[regno].type == BH_NOT_INIT)
		return bh_reject_err(v, -EACCES, "R%u !read_ok", regno);
	return 0;
}

int check_reg_write(struct bh_venv *v, uint32_t regno)
{
	if (regno >= BH_MAX_REG)
		return bh_reject(v, "R%u is invalid", regno);
	mark_reg_scratched(v, regno);
	if (regno == BH_FP)
		return bh_reject_err(v, -EACCES, "frame pointer is read only");
	return 0;
}
