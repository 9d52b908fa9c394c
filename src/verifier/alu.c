// SPDX-License-Identifier: BSD-2-Clause
/*
 * check_alu_op and ld_imm64: scalar ALU through scalar.c for every op and
 * width (mov, movsx, neg, end/bswap included), linked scalar ids (64-bit
 * mov, "+= const"), and pointer arithmetic (adjust_ptr_min_max_vals).
 *
 * Invariant: a register written here is either a scalar whose bounds came
 * from scalar.c (synced and sanity-checked) or a pointer of an allowed
 * kind whose fixed offset stays inside +-2^29 and whose variable part is a
 * bounded scalar; every other combination is rejected with the kernel's
 * message.
 */
#include <stdio.h>
#include <string.h>

#include "verifier/vinternal.h"

static const char *const alu_str[16] = {
	"+=",  "-=", "*=", "/=", "|=",	 "&=",	   "<<=", ">>=",
	"neg", "%=", "^=", "=",	 "s>>=", "endian", "?",	  "?",
};

static int sanity(struct bh_venv *v, struct bh_reg *r)
{
	char msg[256];

	/* the kernel logs and forgets the bounds rather than failing */
	if (bh_scalar_check_sanity(&r->s, "alu", msg, sizeof(msg)))
		bh_log(v, "%s", msg);
	return 0;
}

/* assign_scalar_id_before_mov: copies of a scalar become linked */
static void assign_scalar_id_before_mov(struct bh_venv *v, struct bh_reg *src)
{
	if (src->type != BH_SCALAR)
		return;
	if (src->id & BH_ID_ADD_CONST) {
		src->id = 0;
		src->off = 0;
	}
	if (!src->id && !bh_tnum_is_const(src->s.var_off))
		src->id = bh_new_id(v);
}

static int check_mov(struct bh_venv *v, const struct bh_insn *in, bool is64)
{
	struct bh_reg *regs = cur_regs(v);
	struct bh_reg *dst = &regs[in->dst_reg], *src = &regs[in->src_reg];
	int err;

	if (!BH_SRC(in->code)) {
		err = check_reg_write(v, in->dst_reg);
		if (err)
			return err;
		mark_reg_known(dst, is64 ? (uint64_t)(int64_t)in->imm
					 : (uint64_t)(uint32_t)in->imm);
		return 0;
	}
	err = check_reg_read(v, in->src_reg);
	if (!err)
		err = check_reg_write(v, in->dst_reg);
	if (err)
		return err;
	if (in->off) { /* movsx */
		struct bh_reg r;

		if (src->type != BH_SCALAR) {
			if (!is64 && src->type != BH_SCALAR) {
				mark_reg_unknown(dst);
				bh_scalar_zext_32_to_64(&dst->s);
				return 0;
			}
			return bh_reject(v,
					 "R%u sign-extension part of pointer",
					 in->src_reg);
		}
		mark_reg_unknown(&r);
		err = bh_scalar_movsx(&r.s, &src->s, in->off, is64);
		if (err)
			return bh_reject(v, "invalid movsx offset %d", in->off);
		if (is64 && !memcmp(&r.s, &src->s, sizeof(r.s))) {
			/* a no-op cast keeps the copy link */
			assign_scalar_id_before_mov(v, src);
			r.id = src->id;
		}
		*dst = r;
		return sanity(v, dst);
	}
	if (is64) {
		assign_scalar_id_before_mov(v, src);
		*dst = *src;
		dst->precise = false;
		return 0;
	}
	/* 32-bit move */
	if (src->type != BH_SCALAR) {
		/* privileged: the low half of an address is just a u32 */
		mark_reg_unknown(dst);
		bh_scalar_zext_32_to_64(&dst->s);
		return 0;
	}
	if (src->s.umax <= UINT32_MAX) {
		assign_scalar_id_before_mov(v, src);
		*dst = *src;
	} else {
		*dst = *src;
		dst->id = 0;
		dst->off = 0;
	}
	dst->precise = false;
	if (dst->id & BH_ID_ADD_CONST) {
		dst->id = 0;
		dst->off = 0;
	}
	bh_scalar_zext_32_to_64(&dst->s);
	bh_scalar_sync(&dst->s);
	return sanity(v, dst);
}

static bool ptr_arith_allowed(const struct bh_reg *p)
{
	switch (p->type) {
	case BH_PTR_TO_CTX:
	case BH_PTR_TO_MAP_VALUE:
	case BH_PTR_TO_MAP_KEY:
	case BH_PTR_TO_STACK:
	case BH_PTR_TO_BTF_ID:
	case BH_PTR_TO_MEM:
	case BH_PTR_TO_BUF:
		return true;
	default:
		return false;
	}
}

/* check_reg_sane_offset for the scalar operand */
static int check_sane_offset(struct bh_venv *v, const struct bh_reg *off,
			     const char *tstr)
{
	uint64_t k;

	if (is_reg_const(off, &k) &&
	    ((int64_t)k >= BH_MAX_VAR_OFF || (int64_t)k <= -BH_MAX_VAR_OFF))
		return bh_reject_err(
			v, -EACCES,
			"math between %s pointer and %lld is not allowed", tstr,
			(long long)k);
	if (off->s.smin == INT64_MIN)
		return bh_reject_err(v, -EACCES,
				     "math between %s pointer and register "
				     "with unbounded min value is not allowed",
				     tstr);
	if (off->s.smin <= -BH_MAX_VAR_OFF)
		return bh_reject_err(
			v, -EACCES,
			"value %lld makes %s pointer be out of bounds",
			(long long)off->s.smin, tstr);
	return 0;
}

/* An operator other than add/sub on a pointer (adjust_ptr_min_max_vals):
 * the kernel names bitwise operators apart. */
static int reject_ptr_op(struct bh_venv *v, uint32_t regno, uint8_t op)
{
	if (op == 0x40 || op == 0x50 || op == 0xa0) /* or, and, xor */
		return bh_reject_err(
			v, -EACCES,
			"R%u bitwise operator %s on pointer prohibited", regno,
			alu_str[op >> 4]);
	return bh_reject_err(
		v, -EACCES,
		"R%u pointer arithmetic with %s operator prohibited", regno,
		alu_str[op >> 4]);
}

/* adjust_ptr_min_max_vals: dst = ptr <op> off */
static int adjust_ptr(struct bh_venv *v, const struct bh_insn *in,
		      const struct bh_reg *ptr, const struct bh_reg *off,
		      uint32_t ptr_regno)
{
	struct bh_reg *dst = &cur_regs(v)[in->dst_reg];
	uint8_t op = BH_OP(in->code);
	struct bh_reg res = *ptr;
	char ts[96];
	uint64_t k;
	int err;

	bh_reg_type_str(v, ptr, ts, sizeof(ts));
	if (BH_CLASS(in->code) == BH_ALU)
		return bh_reject_err(v, -EACCES,
				     "R%u 32-bit pointer arithmetic prohibited",
				     in->dst_reg);
	if (ptr->flags & BH_PTR_MAYBE_NULL)
		return bh_reject_err(v, -EACCES,
				     "R%u pointer arithmetic on %s prohibited, "
				     "null-check it first",
				     in->dst_reg, ts);
	if (ptr->type == BH_CONST_PTR_TO_MAP && is_reg_const(off, &k) && !k &&
	    op == 0x00)
		return 0; /* map_ptr += 0 */
	if (!ptr_arith_allowed(ptr))
		return bh_reject_err(v, -EACCES,
				     "R%u pointer arithmetic on %s prohibited",
				     in->dst_reg, ts);
	if (op != 0x00 && op != 0x10)
		return reject_ptr_op(v, in->dst_reg, op);
	(void)ptr_regno;
	err = check_sane_offset(v, off, ts);
	if (err)
		return err;
	if (ptr->off >= BH_MAX_VAR_OFF || ptr->off <= -BH_MAX_VAR_OFF)
		return bh_reject_err(v, -EACCES,
				     "%s pointer offset %d is not allowed", ts,
				     ptr->off);
	if (op == 0x10 && ptr->type == BH_PTR_TO_STACK)
		return bh_reject_err(
			v, -EACCES,
			"R%u subtraction from stack pointer prohibited",
			in->dst_reg);
	if (is_reg_const(off, &k)) {
		int64_t n = op == 0x00 ? (int64_t)ptr->off + (int64_t)k
				       : (int64_t)ptr->off - (int64_t)k;

		if (n >= BH_MAX_VAR_OFF || n <= -BH_MAX_VAR_OFF)
			return bh_reject_err(
				v, -EACCES,
				"value %lld makes %s pointer be out of bounds",
				(long long)n, ts);
		res.off = (int32_t)n;
	} else {
		err = bh_scalar_alu(&res.s, &off->s,
				    op == 0x00 ? BH_ALU_ADD : BH_ALU_SUB, true);
		if (err)
			return bh_bug(v, "pointer alu op %#x", op);
		if (res.s.smin <= -BH_MAX_VAR_OFF ||
		    res.s.smax >= BH_MAX_VAR_OFF) {
			/* privileged kernels keep such pointers and fail
			 * the access; an unbounded variable part is
			 * refused at access time the same way */
		}
	}
	res.precise = false;
	*dst = res;
	return 0;
}

static int check_scalar_alu(struct bh_venv *v, const struct bh_insn *in,
			    bool is64)
{
	struct bh_reg *regs = cur_regs(v);
	struct bh_reg *dst = &regs[in->dst_reg];
	uint8_t op = BH_OP(in->code);
	struct bh_scalar src, zero;
	bool have_k = !BH_SRC(in->code);
	uint64_t kval = 0;
	bool src_const;
	int err;

	if (have_k)
		src = bh_scalar_const(is64 ? (uint64_t)(int64_t)in->imm
					   : (uint64_t)(uint32_t)in->imm);
	else
		src = regs[in->src_reg].s;
	src_const = bh_tnum_is_const(src.var_off);
	if (src_const)
		kval = src.var_off.value;
	if ((op == 0x50 || op == 0x40) &&
	    bh_scalar_fork_neg1_zero(&dst->s, &zero, &src,
				     (enum bh_alu_op)op)) {
		struct bh_scalar keep = dst->s;

		/* the queued state re-executes this insn with dst = 0 */
		dst->s = zero;
		err = bh_push_stack(v, v->cur->insn_idx, v->cur->insn_idx,
				    NULL);
		dst->s = keep;
		if (err)
			return err;
	}
	err = bh_scalar_alu(&dst->s, &src, (enum bh_alu_op)op, is64);
	if (err)
		return bh_bug(v, "scalar alu op %#x", op);
	dst->precise = false;
	if (op == 0x00 && is64 && dst->id && src_const) {
		if ((dst->id & BH_ID_ADD_CONST) ||
		    (int64_t)kval != (int64_t)(int32_t)kval) {
			dst->id = 0;
			dst->off = 0;
		} else {
			dst->id |= BH_ID_ADD_CONST;
			dst->off = (int32_t)kval;
		}
	} else {
		dst->id = 0;
		dst->off = 0;
	}
	return sanity(v, dst);
}

int check_alu_op(struct bh_venv *v, const struct bh_insn *in)
{
	struct bh_reg *regs = cur_regs(v);
	struct bh_reg *dst = &regs[in->dst_reg];
	bool is64 = BH_CLASS(in->code) == BH_ALU64;
	uint8_t op = BH_OP(in->code);
	char ts[96];
	int err;

	if (op == 0xb0)
		return check_mov(v, in, is64);
	err = check_reg_read(v, in->dst_reg);
	if (!err && BH_SRC(in->code) && op != 0x80 && op != 0xd0)
		err = check_reg_read(v, in->src_reg);
	if (!err)
		err = check_reg_write(v, in->dst_reg);
	if (err)
		return err;
	if (op == 0x80 || op == 0xd0) { /* neg, end */
		if (dst->type != BH_SCALAR)
			return bh_reject_err(v, -EACCES,
					     "R%u pointer arithmetic with %s "
					     "operator prohibited",
					     in->dst_reg, alu_str[op >> 4]);
		if (op == 0x80)
			err = bh_scalar_alu(&dst->s, &dst->s, BH_ALU_NEG, is64);
		else
			err = bh_scalar_end(&dst->s,
					    is64	       ? BH_END_BSWAP
					    : BH_SRC(in->code) ? BH_END_TO_BE
							       : BH_END_TO_LE,
					    in->imm);
		if (err)
			return bh_bug(v, "neg/end");
		dst->id = 0;
		dst->off = 0;
		dst->precise = false;
		return sanity(v, dst);
	}
	if (!BH_SRC(in->code)) {
		if ((op == 0x30 || op == 0x90) && in->imm == 0)
			return bh_reject(v, "div by zero");
		if ((op == 0x60 || op == 0x70 || op == 0xc0) &&
		    (uint32_t)in->imm >= (is64 ? 64u : 32u))
			return bh_reject(v, "invalid shift %d", in->imm);
	}
	if (BH_SRC(in->code)) {
		struct bh_reg *src = &regs[in->src_reg];

		if (is_pointer(dst) && is_pointer(src)) {
			if (op == 0x10 && is64) {
				mark_reg_unknown(dst);
				return 0;
			}
			if (!is64)
				return bh_reject_err(v, -EACCES,
						     "R%u 32-bit pointer "
						     "arithmetic prohibited",
						     in->dst_reg);
			return bh_reject_err(
				v, -EACCES, "R%u pointer %s pointer prohibited",
				in->dst_reg, alu_str[op >> 4]);
		}
		if (is_pointer(src)) {
			struct bh_reg ptr = *src, off = *dst;

			if (op == 0x10 && is64)
				return bh_reject_err(v, -EACCES,
						     "R%u tried to subtract "
						     "pointer from scalar",
						     in->dst_reg);
			if (op != 0x00 || !is64) {
				bh_reg_type_str(v, src, ts, sizeof(ts));
				if (!is64)
					return bh_reject_err(
						v, -EACCES,
						"R%u 32-bit pointer arithmetic "
						"prohibited",
						in->dst_reg);
				return reject_ptr_op(v, in->dst_reg, op);
			}
			err = mark_chain_precision(v, in->dst_reg);
			if (err)
				return err;
			return adjust_ptr(v, in, &ptr, &off, in->src_reg);
		}
	}
	if (is_pointer(dst)) {
		struct bh_reg ptr = *dst, off;

		if (BH_SRC(in->code)) {
			off = regs[in->src_reg];
			if (off.type == BH_SCALAR) {
				err = mark_chain_precision(v, in->src_reg);
				if (err)
					return err;
			}
		} else
			mark_reg_known(&off,
				       is64 ? (uint64_t)(int64_t)in->imm
					    : (uint64_t)(uint32_t)in->imm);
		return adjust_ptr(v, in, &ptr, &off, in->dst_reg);
	}
	return check_scalar_alu(v, in, is64);
}

/* ld_imm64 BPF_PSEUDO_BTF_ID naming a linked kfunc: (imm, next imm) =
 * (FUNC id, BTF source), offered to this program's hook or to all. */
static bool is_linked_kfunc(struct bh_venv *v, const struct bh_insn *in)
{
	const struct bh_verify_env *env = v->env;
	uint32_t src = (uint32_t)in[1].imm, id = (uint32_t)in->imm;

	if (!env->kfuncs)
		return false;
	/* a lookup by hook matches every hook's kfuncs too */
	return bh_kfunc_by_btf(env->kfuncs, src, id,
			       env->type->hook ? env->type->hook
					       : env->type->name);
}

int check_ld_imm64(struct bh_venv *v, const struct bh_insn *in)
{
	struct bh_reg *dst = &cur_regs(v)[in->dst_reg];
	const struct bh_verify_map *m;
	uint32_t idx = (uint32_t)in->imm;
	uint32_t off = (uint32_t)in[1].imm;
	int err;

	err = check_reg_write(v, in->dst_reg);
	if (err)
		return err;
	switch (in->src_reg) {
	case 0:
		mark_reg_known(dst,
			       (uint64_t)(uint32_t)in->imm |
				       (uint64_t)(uint32_t)in[1].imm << 32);
		return 0;
	case BH_PSEUDO_FUNC: {
		uint32_t t = v->cur->insn_idx + (uint32_t)in->imm + 1;

		mark_reg_ptr(dst, BH_PTR_TO_FUNC, 0);
		dst->subprogno = bh_subprog_of(v, t);
		/* only static functions are callbacks */
		if (v->subprogs[dst->subprogno].global)
			return bh_reject(v, "callback function not static");
		return 0;
	}
	case BH_PSEUDO_MAP_FD:
	case BH_PSEUDO_MAP_IDX:
	case BH_PSEUDO_MAP_VALUE:
	case BH_PSEUDO_MAP_IDX_VALUE:
		break;
	case BH_PSEUDO_BTF_ID:
		/* a linked kfunc's address (bpf_ksym_exists): memory of
		 * size 0, only compared; ksym variables are not supported */
		if (is_linked_kfunc(v, in)) {
			/* the kernel: a FUNC ksym is rdonly memory of size
			 * 0 at the function's (non-NULL) address */
			mark_reg_ptr(dst, BH_PTR_TO_MEM, BH_MEM_RDONLY);
			dst->mem_size = 0;
			return 0;
		}
		return bh_reject(v,
				 "ksym variables (ld_imm64 BPF_PSEUDO_BTF_ID) "
				 "are not supported by bpfhost");
	default:
		return bh_reject(v, "invalid bpf_ld_imm64 insn");
	}
	if (idx >= v->env->map_cnt || !v->env->maps[idx].def)
		return bh_reject(v, "fd %d is not pointing to valid bpf_map",
				 in->imm);
	m = &v->env->maps[idx];
	if (in->src_reg == BH_PSEUDO_MAP_FD ||
	    in->src_reg == BH_PSEUDO_MAP_IDX) {
		mark_reg_ptr(dst, BH_CONST_PTR_TO_MAP, 0);
		dst->map_idx = idx;
		return 0;
	}
	if (m->def->type != BH_MAP_ARRAY || m->def->max_entries != 1)
		return bh_reject(
			v, "map '%s' does not support direct value access",
			m->name ? m->name : "");
	if (off >= m->def->value_size)
		return bh_reject(v,
				 "invalid access to map value pointer, "
				 "value_size=%u off=%u",
				 m->def->value_size, off);
	mark_reg_ptr(dst, BH_PTR_TO_MAP_VALUE, 0);
	dst->map_idx = idx;
	dst->off = (int32_t)off;
	return 0;
}
