// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stack accesses (VERIFIER-CORE §4.2): bounds, alignment, spills and
 * fills (full and partial), STACK_ZERO/MISC bytes, variable-offset
 * accesses, privileged reads of uninitialised bytes, and the byte ranges
 * helpers read or write; the STACK_ITER slots of open-coded iterators
 * (which plain loads and helper reads may not touch).
 * The STACK_DYNPTR slots of local dynptrs (two slots each): any write over
 * one destroys the whole dynptr and the slices taken from it, helpers may
 * not write into them, loads may not read them.
 *
 * Invariant: a slot's spilled register is meaningful only while its
 * lowest byte (slot_type[0] here; the kernel indexes the other way round)
 * is STACK_SPILL; any write that breaks a spill turns the slot's other
 * initialised bytes into STACK_MISC, so a stale register is never filled.
 */
#include <stdio.h>
#include <string.h>

#include "verifier/vinternal.h"

static bool is_spilled(const struct bh_stack_slot *s)
{
	return s->slot_type[0] == BH_STACK_SPILL;
}

static void byte_at(int32_t off, uint32_t *spi, uint32_t *idx)
{
	*spi = (uint32_t)(-off - 1) / 8;
	*idx = (uint32_t)(off + 8 * (int32_t)(*spi + 1));
}

void grow_stack(struct bh_venv *v, struct bh_func_state *f, int32_t lowest)
{
	uint32_t need = (uint32_t)((-lowest + 7) & ~7);

	if (need > f->allocated_stack) {
		for (uint32_t spi = f->allocated_stack / 8; spi < need / 8;
		     spi++)
			memset(&f->stack[spi], 0, sizeof(f->stack[spi]));
		f->allocated_stack = need;
	}
	if (f->subprogno < v->subprog_cnt &&
	    need > v->subprogs[f->subprogno].stack_depth)
		v->subprogs[f->subprogno].stack_depth = need;
}

static void tnum_str(char *buf, size_t size, struct bh_tnum t)
{
	bh_tnum_strn(buf, size, t);
}

/* bounds + alignment; on success [lo, hi) is the byte range touched */
static int check_stack_bounds(struct bh_venv *v, const struct bh_reg *reg,
			      int32_t off, int size, bool write, uint32_t regno,
			      int64_t *lo, int64_t *hi)
{
	char tn[64];
	struct bh_tnum a =
		bh_tnum_add(reg->s.var_off,
			    bh_tnum_const((uint64_t)(int64_t)(reg->off + off)));

	if (size > 0 && !bh_tnum_is_aligned(a, (uint64_t)size)) {
		if (bh_tnum_is_const(reg->s.var_off))
			snprintf(tn, sizeof(tn), "%lld",
				 (long long)reg->s.var_off.value);
		else
			tnum_str(tn, sizeof(tn), reg->s.var_off);
		return bh_reject_err(
			v, -EACCES,
			"misaligned stack access off %s+%d+%d size %d", tn,
			reg->off, off, size);
	}
	if (bh_tnum_is_const(reg->s.var_off)) {
		*lo = (int64_t)reg->s.var_off.value + reg->off + off;
		*hi = *lo + size;
	} else {
		if (reg->s.smax >= BH_MAX_VAR_OFF ||
		    reg->s.smin <= -BH_MAX_VAR_OFF)
			return bh_reject_err(
				v, -EACCES,
				"invalid unbounded variable-offset%s stack R%u",
				write ? " write to" : " read from", regno);
		*lo = reg->s.smin + reg->off + off;
		*hi = reg->s.smax + reg->off + off + size;
	}
	if (*lo < -BH_MAX_STACK || *hi > 0 || *lo >= *hi) {
		if (bh_tnum_is_const(reg->s.var_off))
			return bh_reject_err(
				v, -EACCES,
				"invalid %s stack R%u off=%d size=%d",
				write ? "write to" : "read from", regno,
				reg->off + off, size);
		tnum_str(tn, sizeof(tn), reg->s.var_off);
		return bh_reject_err(v, -EACCES,
				     "invalid variable-offset%s stack R%u "
				     "var_off=%s off=%d size=%d",
				     write ? " write to" : " read from", regno,
				     tn, reg->off + off, size);
	}
	return 0;
}

static void scrub_slot(struct bh_stack_slot *s)
{
	if (!is_spilled(s) && s->slot_type[7] != BH_STACK_SPILL)
		return;
	for (int i = 0; i < 8; i++)
		if (s->slot_type[i] != BH_STACK_INVALID)
			s->slot_type[i] = BH_STACK_MISC;
	mark_reg_not_init(&s->spilled);
}

static void mark_slot_misc(uint8_t *t)
{
	if (*t == BH_STACK_ZERO || *t == BH_STACK_INVALID)
		return;
	*t = BH_STACK_MISC;
}

/* save_register_state: spill the low size bytes of r at a slot start */
static void save_reg(struct bh_stack_slot *s, const struct bh_reg *r, int size)
{
	s->spilled = *r;
	for (int i = 0; i < 8; i++) {
		if (i < size)
			s->slot_type[i] = BH_STACK_SPILL;
		else
			mark_slot_misc(&s->slot_type[i]);
	}
}

/* bits the scalar may occupy (get_reg_width) */
static int reg_width(const struct bh_reg *r)
{
	uint64_t m = r->s.umax;
	int w = 0;

	while (m) {
		w++;
		m >>= 1;
	}
	return w;
}

static int stack_write_fixed(struct bh_venv *v, struct bh_func_state *f,
			     int32_t off, int size, struct bh_reg *val,
			     const struct bh_insn *in)
{
	uint32_t spi, idx;

	byte_at(off, &spi, &idx);
	mark_stack_scratched(v, spi);
	/* every branch but the last spills a register */
	v->stack_reg_access = true;
	if (val && !(off % 8) && val->type == BH_SCALAR) {
		if (reg_width(val) <= 8 * size && val->type == BH_SCALAR) {
			if (val->id & BH_ID_ADD_CONST) {
				val->id = 0;
				val->off = 0;
			}
			if (!val->id && !bh_tnum_is_const(val->s.var_off))
				val->id = bh_new_id(v);
		}
		save_reg(&f->stack[spi], val, size);
		if (reg_width(val) > 8 * size)
			f->stack[spi].spilled.id = 0;
		return 0;
	}
	if (!val && !(off % 8) && BH_CLASS(in->code) == BH_ST) {
		struct bh_reg k;

		mark_reg_known(&k, (uint64_t)(int64_t)in->imm);
		save_reg(&f->stack[spi], &k, size);
		return 0;
	}
	if (val && is_pointer(val)) {
		if (size != 8)
			return bh_reject_err(v, -EACCES,
					     "invalid size of register spill");
		if (f != cur_frame(v) && val->type == BH_PTR_TO_STACK)
			return bh_reject(v, "cannot spill pointers to stack "
					    "into stack frame of the caller");
		save_reg(&f->stack[spi], val, size);
		return 0;
	}
	{
		uint8_t t = BH_STACK_MISC;
		uint64_t k;

		v->stack_reg_access = false;
		scrub_slot(&f->stack[spi]);
		if ((val && is_reg_const(val, &k) && !k) ||
		    (!val && BH_CLASS(in->code) == BH_ST && !in->imm))
			t = BH_STACK_ZERO;
		for (int i = 0; i < size; i++)
			f->stack[spi].slot_type[idx + i] = t;
	}
	return 0;
}

static void mark_read_result(struct bh_venv *v, int dst, bool all_zero)
{
	struct bh_reg *r = &cur_regs(v)[dst];

	if (all_zero)
		mark_reg_known(r, 0);
	else
		mark_reg_unknown(r);
}

static int stack_read_fixed(struct bh_venv *v, struct bh_func_state *f,
			    int32_t off, int size, int dst)
{
	uint32_t spi, idx;
	struct bh_stack_slot *s;

	byte_at(off, &spi, &idx);
	s = &f->stack[spi];
	mark_stack_scratched(v, spi);
	if (is_spilled(s)) {
		int spill_size = 1;

		while (spill_size < 8 &&
		       s->slot_type[spill_size] == BH_STACK_SPILL)
			spill_size++;
		if (size == 8 && spill_size == 8) {
			v->stack_reg_access = true;
			if (dst >= 0) {
				cur_regs(v)[dst] = s->spilled;
				cur_regs(v)[dst].precise = false;
			}
			return 0;
		}
		if (s->spilled.type != BH_SCALAR)
			return bh_reject_err(v, -EACCES,
					     "invalid size of register fill");
		if (dst < 0)
			return 0;
		if (size <= spill_size && idx == 0) {
			struct bh_reg *sp = &s->spilled;

			if (size == 4 && spill_size == 4 &&
			    reg_width(sp) <= 32) {
				if (sp->id & BH_ID_ADD_CONST) {
					sp->id = 0;
					sp->off = 0;
				}
				if (!sp->id && !bh_tnum_is_const(sp->s.var_off))
					sp->id = bh_new_id(v);
			}
			cur_regs(v)[dst] = *sp;
			cur_regs(v)[dst].precise = false;
			if (reg_width(sp) > size * 8)
				cur_regs(v)[dst].id = 0;
			v->stack_reg_access = true;
			return 0;
		} else {
			int spill_cnt = 0, zero_cnt = 0;
			uint64_t k;

			for (int i = 0; i < size; i++) {
				uint8_t t = s->slot_type[idx + i];

				if (t == BH_STACK_SPILL)
					spill_cnt++;
				else if (t == BH_STACK_ZERO)
					zero_cnt++;
				else if (t != BH_STACK_MISC &&
					 t != BH_STACK_INVALID)
					return bh_reject_err(
						v, -EACCES,
						"invalid read from stack off "
						"%d+%d size %d",
						off, i, size);
			}
			/* a zero read out of the spill itself is a fill */
			v->stack_reg_access = spill_cnt == size &&
					      is_reg_const(&s->spilled, &k) &&
					      !k;
			mark_read_result(v, dst,
					 v->stack_reg_access ||
						 zero_cnt == size);
			return 0;
		}
	}
	{
		int zeros = 0;

		for (int i = 0; i < size; i++) {
			uint8_t t = s->slot_type[idx + i];

			if (t == BH_STACK_ZERO)
				zeros++;
			else if (t != BH_STACK_MISC && t != BH_STACK_INVALID)
				return bh_reject_err(v, -EACCES,
						     "invalid read from stack "
						     "off %d+%d size %d",
						     off, i, size);
		}
		if (dst >= 0)
			mark_read_result(v, dst, zeros == size);
	}
	return 0;
}

/* every byte in [lo, hi): readable (privileged: uninit too); zero? */
static int stack_range_readable(struct bh_venv *v, struct bh_func_state *f,
				int64_t lo, int64_t hi, bool *all_zero,
				uint32_t regno, int32_t off, int size)
{
	*all_zero = true;
	for (int64_t o = lo; o < hi; o++) {
		uint32_t spi, idx;
		uint8_t t;

		byte_at((int32_t)o, &spi, &idx);
		mark_stack_scratched(v, spi);
		t = f->stack[spi].slot_type[idx];
		if (t == BH_STACK_ZERO)
			continue;
		*all_zero = false;
		if (t == BH_STACK_MISC || t == BH_STACK_INVALID ||
		    t == BH_STACK_SPILL)
			continue;
		return bh_reject_err(v, -EACCES,
				     "invalid indirect read from stack R%u off "
				     "%d+%d size %d",
				     regno, off, (int)(o - lo), size);
	}
	return 0;
}

static void stack_range_write_misc(struct bh_venv *v, struct bh_func_state *f,
				   int64_t lo, int64_t hi, bool zero)
{
	for (int64_t o = lo; o < hi; o++) {
		uint32_t spi, idx;
		uint64_t k;
		uint8_t *t;

		byte_at((int32_t)o, &spi, &idx);
		mark_stack_scratched(v, spi);
		/* a zero written over a spilled scalar zero keeps the spill
		 * (the kernel's check_stack_write_var_off) */
		if (zero && f->stack[spi].slot_type[idx] == BH_STACK_SPILL &&
		    f->stack[spi].spilled.type == BH_SCALAR &&
		    is_reg_const(&f->stack[spi].spilled, &k) && !k)
			continue;
		scrub_slot(&f->stack[spi]);
		t = &f->stack[spi].slot_type[idx];
		if (!(zero && *t == BH_STACK_ZERO))
			*t = BH_STACK_MISC;
	}
}

static int destroy_dynptrs_in(struct bh_venv *v, struct bh_func_state *f,
			      int64_t lo, int64_t hi);

int check_stack_access(struct bh_venv *v, const struct bh_reg *reg, int32_t off,
		       int size, bool write, int value_regno, bool sign_ext,
		       uint32_t regno)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	const struct bh_insn *in = &v->env->insns[v->cur->insn_idx];
	int64_t lo = 0, hi = 0;
	int err;

	err = check_stack_bounds(v, reg, off, size, write, regno, &lo, &hi);
	if (err)
		return err;
	grow_stack(v, f, (int32_t)lo);
	/* liveness: a read of the whole range the offset allows; a store
	 * only counts as a write when it covers a whole slot for sure */
	if (!write)
		bh_stack_mark_read(v, reg->frameno, lo, hi);
	else if (bh_tnum_is_const(reg->s.var_off) && value_regno != -2)
		bh_stack_mark_write(v, reg->frameno, lo, size);
	if (write) {
		err = destroy_dynptrs_in(v, f, lo, hi);
		if (err)
			return err;
	}
	if (bh_tnum_is_const(reg->s.var_off)) {
		if (write) {
			struct bh_reg *val = value_regno >= 0
						     ? &cur_regs(v)[value_regno]
						     : NULL;

			/* an atomic's write half stores an unknown value */
			if (value_regno == -2) {
				stack_range_write_misc(v, f, lo, hi, false);
				return 0;
			}
			return stack_write_fixed(v, f, (int32_t)lo, size, val,
						 in);
		}
		err = stack_read_fixed(v, f, (int32_t)lo, size, value_regno);
	} else if (write) {
		uint64_t k;
		bool zero = value_regno >= 0 &&
			    is_reg_const(&cur_regs(v)[value_regno], &k) && !k;

		if (value_regno == -1 && BH_CLASS(in->code) == BH_ST &&
		    !in->imm)
			zero = true;
		stack_range_write_misc(v, f, lo, hi, zero);
		return 0;
	} else {
		bool all_zero;

		err = stack_range_readable(v, f, lo, hi, &all_zero, regno,
					   reg->off + off, size);
		if (!err && value_regno >= 0)
			mark_read_result(v, value_regno, all_zero);
	}
	(void)sign_ext;
	return err;
}

int check_stack_range(struct bh_venv *v, const struct bh_reg *reg, int32_t off,
		      uint64_t size, bool write, uint32_t regno)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int64_t lo, hi;
	bool all_zero;
	char tn[64];

	if (!bh_tnum_is_const(reg->s.var_off)) {
		bh_tnum_strn(tn, sizeof(tn), reg->s.var_off);
		return bh_reject_err(
			v, -EACCES,
			"variable offset stack pointer cannot be passed into "
			"helper function; var_off=%s off=%d size=%llu",
			tn, reg->off + off, (unsigned long long)size);
	}
	lo = (int64_t)reg->s.var_off.value + reg->off + off;
	hi = lo + (int64_t)size;
	if (lo < -BH_MAX_STACK || hi > 0 || (size && lo >= hi))
		return bh_reject_err(v, -EACCES,
				     "invalid %s stack R%u off=%lld size=%llu",
				     write ? "write to" : "read from", regno,
				     (long long)lo, (unsigned long long)size);
	if (!size)
		return 0;
	grow_stack(v, f, (int32_t)lo);
	/* a helper's or kfunc's read; its writes are not counted */
	if (!write)
		bh_stack_mark_read(v, reg->frameno, lo, hi);
	if (write) {
		/* check_stack_range_initialized, raw mode */
		for (int64_t o = lo; o < hi; o++) {
			uint32_t spi, idx;

			byte_at((int32_t)o, &spi, &idx);
			if (f->stack[spi].slot_type[idx] == BH_STACK_DYNPTR)
				return bh_reject_err(
					v, -EACCES,
					"potential write to dynptr at off=%lld "
					"disallowed",
					(long long)o);
		}
		stack_range_write_misc(v, f, lo, hi, false);
		return 0;
	}
	return stack_range_readable(v, f, lo, hi, &all_zero, regno, (int32_t)lo,
				    (int)size);
}

/* ---- iterator slots (KFUNC-SEMANTICS §6.1) ---- */

/* stack_slot_obj_get_spi: the slot of the object's first byte counted
 * like the kernel's spi; -ERANGE when the slots are not allocated yet (a
 * constructor will allocate them). */
static int obj_get_spi(struct bh_venv *v, const struct bh_reg *reg,
		       const char *kind, int nr_slots)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int32_t off;
	int spi;

	/* the kernel logs why and its caller gives the verdict */
	if (!bh_tnum_is_const(reg->s.var_off)) {
		bh_log(v, "%s has to be at a constant offset", kind);
		return -EINVAL;
	}
	off = reg->off + (int32_t)reg->s.var_off.value;
	spi = (-off - 1) / 8;
	if (off % 8 || off >= 0 || spi + 1 < nr_slots) {
		bh_log(v, "cannot pass in %s at an offset=%d", kind, off);
		return -EINVAL;
	}
	if (spi >= BH_STACK_SLOTS ||
	    (uint32_t)(spi + 1) * 8 > f->allocated_stack)
		return -ERANGE;
	return spi;
}

int iter_get_spi(struct bh_venv *v, const struct bh_reg *reg, int nr_slots)
{
	return obj_get_spi(v, reg, "iter", nr_slots);
}

int irq_flag_get_spi(struct bh_venv *v, const struct bh_reg *reg)
{
	return obj_get_spi(v, reg, "irq_flag", 1);
}

bool is_iter_reg_valid_uninit(struct bh_venv *v, const struct bh_reg *reg,
			      int nr_slots)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int spi = iter_get_spi(v, reg, nr_slots);

	if (spi == -ERANGE)
		return true;
	if (spi < 0)
		return false;
	for (int i = 0; i < nr_slots; i++)
		for (int j = 0; j < 8; j++)
			if (f->stack[spi - i].slot_type[j] == BH_STACK_ITER)
				return false;
	return true;
}

int is_iter_reg_valid_init(struct bh_venv *v, const struct bh_reg *reg,
			   uint32_t btf_src, uint32_t btf_id, int nr_slots)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int spi = iter_get_spi(v, reg, nr_slots);

	if (spi < 0)
		return -EINVAL;
	for (int i = 0; i < nr_slots; i++) {
		const struct bh_stack_slot *s = &f->stack[spi - i];
		const struct bh_reg *st = &s->spilled;

		if (st->flags & BH_PTR_UNTRUSTED)
			return -EPROTO;
		/* only the first slot holds the reference */
		if ((i == 0) != (st->ref_obj_id != 0))
			return -EINVAL;
		if (st->btf_src != btf_src || st->btf_id != btf_id)
			return -EINVAL;
		for (int j = 0; j < 8; j++)
			if (s->slot_type[j] != BH_STACK_ITER)
				return -EINVAL;
	}
	return 0;
}

void mark_stack_slots_iter(struct bh_venv *v, const struct bh_reg *reg, int spi,
			   int nr_slots, uint32_t btf_src, uint32_t btf_id,
			   uint32_t ref_id, uint32_t flags)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];

	for (int i = 0; i < nr_slots; i++) {
		struct bh_stack_slot *s = &f->stack[spi - i];

		mark_reg_ptr(&s->spilled, BH_PTR_TO_STACK, flags);
		s->spilled.frameno = (uint8_t)reg->frameno;
		s->spilled.btf_src = btf_src;
		s->spilled.btf_id = btf_id;
		s->spilled.ref_obj_id = i == 0 ? ref_id : 0;
		s->iter_state = BH_ITER_ACTIVE;
		s->iter_depth = 0;
		memset(s->slot_type, BH_STACK_ITER, sizeof(s->slot_type));
		mark_stack_scratched(v, (uint32_t)(spi - i));
	}
}

void unmark_stack_slots_iter(struct bh_venv *v, const struct bh_reg *reg,
			     int spi, int nr_slots)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];

	for (int i = 0; i < nr_slots; i++) {
		struct bh_stack_slot *s = &f->stack[spi - i];

		mark_reg_not_init(&s->spilled);
		s->iter_state = BH_ITER_INVALID;
		s->iter_depth = 0;
		memset(s->slot_type, BH_STACK_INVALID, sizeof(s->slot_type));
		mark_stack_scratched(v, (uint32_t)(spi - i));
	}
}

/* ---- dynptr slots (KFUNC-SEMANTICS §2, §5; VERIFIER-CORE §4.2) ---- */

#define DYNPTR_NR_SLOTS 2

int dynptr_get_spi(struct bh_venv *v, const struct bh_reg *reg)
{
	return obj_get_spi(v, reg, "dynptr", DYNPTR_NR_SLOTS);
}

/* Any register of the state: PTR_TO_MEM slices of dynptr id die. */
static void invalidate_slices(struct bh_vstate *st, uint32_t id)
{
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (int r = 0; r < BH_MAX_REG; r++) {
			struct bh_reg *reg = &f->regs[r];

			if (reg->type == BH_PTR_TO_MEM && reg->dynptr_id == id)
				mark_reg_unknown(reg); /* mark_reg_invalid */
		}
		for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++) {
			struct bh_stack_slot *s = &f->stack[spi];

			if (s->slot_type[0] == BH_STACK_SPILL &&
			    s->spilled.type == BH_PTR_TO_MEM &&
			    s->spilled.dynptr_id == id)
				mark_reg_unknown(&s->spilled);
		}
	}
}

/* destroy_if_dynptr_stack_slot: a write touches slot spi of frame f; a
 * dynptr there is gone (both slots invalid), and its slices with it. */
static int destroy_dynptr_slot(struct bh_venv *v, struct bh_func_state *f,
			       int spi)
{
	uint32_t id;

	if (spi < 0 || spi >= BH_STACK_SLOTS ||
	    (uint32_t)spi >= f->allocated_stack / 8 ||
	    f->stack[spi].slot_type[0] != BH_STACK_DYNPTR)
		return 0;
	if (!f->stack[spi].dynptr_first)
		spi++;
	if (spi < 1 || spi >= BH_STACK_SLOTS ||
	    (uint32_t)spi >= f->allocated_stack / 8)
		return bh_bug(v, "dynptr slot without its first slot");
	/* only local dynptrs exist: none is referenced */
	if (f->stack[spi].dynptr_type != BH_DYNPTR_LOCAL)
		return bh_reject(v, "cannot overwrite referenced dynptr");
	mark_stack_scratched(v, (uint32_t)spi);
	mark_stack_scratched(v, (uint32_t)spi - 1);
	id = f->stack[spi].spilled.id;
	/* writing partially to one dynptr stack slot destroys both */
	for (int i = 0; i < DYNPTR_NR_SLOTS; i++) {
		struct bh_stack_slot *s = &f->stack[spi - i];

		if (s->slot_type[0] != BH_STACK_DYNPTR)
			continue;
		memset(s->slot_type, BH_STACK_INVALID, sizeof(s->slot_type));
		mark_reg_not_init(&s->spilled);
		s->dynptr_type = BH_DYNPTR_INVALID;
		s->dynptr_first = false;
	}
	invalidate_slices(v->cur, id);
	return 0;
}

static int destroy_dynptrs_in(struct bh_venv *v, struct bh_func_state *f,
			      int64_t lo, int64_t hi)
{
	for (int64_t o = lo; o < hi; o++) {
		uint32_t spi, idx;
		int err;

		byte_at((int32_t)o, &spi, &idx);
		err = destroy_dynptr_slot(v, f, (int)spi);
		if (err)
			return err;
	}
	return 0;
}

bool is_dynptr_reg_valid_uninit(struct bh_venv *v, const struct bh_reg *reg)
{
	int spi = dynptr_get_spi(v, reg);

	return spi >= 0 || spi == -ERANGE;
}

bool is_dynptr_reg_valid_init(struct bh_venv *v, const struct bh_reg *reg)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int spi = dynptr_get_spi(v, reg);

	if (spi < 0 || !f->stack[spi].dynptr_first)
		return false;
	for (int i = 0; i < DYNPTR_NR_SLOTS; i++)
		for (int j = 0; j < 8; j++)
			if (f->stack[spi - i].slot_type[j] != BH_STACK_DYNPTR)
				return false;
	return f->stack[spi - 1].spilled.id == f->stack[spi].spilled.id &&
	       !f->stack[spi - 1].dynptr_first;
}

/* The initialised dynptr reg points to (is_dynptr_reg_valid_init held). */
const struct bh_stack_slot *dynptr_slot(struct bh_venv *v,
					const struct bh_reg *reg)
{
	int spi = dynptr_get_spi(v, reg);

	return spi < 0 ? NULL : &v->cur->frame[reg->frameno]->stack[spi];
}

/* mark_stack_slots_dynptr, after the two 8-byte writes of the
 * constructor were checked (they allocated the slots). */
static int mark_stack_slots_dynptr(struct bh_venv *v, const struct bh_reg *reg,
				   uint8_t type, uint32_t ref)
{
	struct bh_func_state *f = v->cur->frame[reg->frameno];
	int spi = dynptr_get_spi(v, reg);
	uint32_t id;
	int err;

	if (spi < 0)
		return spi == -ERANGE ? bh_bug(v, "dynptr slots not allocated")
				      : bh_reject(v, "Dynptr has to be an "
						     "uninitialized dynptr");
	err = destroy_dynptr_slot(v, f, spi);
	if (!err)
		err = destroy_dynptr_slot(v, f, spi - 1);
	if (err)
		return err;
	id = bh_new_id(v);
	for (int i = 0; i < DYNPTR_NR_SLOTS; i++) {
		struct bh_stack_slot *s = &f->stack[spi - i];

		memset(s->slot_type, BH_STACK_DYNPTR, sizeof(s->slot_type));
		mark_reg_not_init(&s->spilled);
		s->spilled.id = id;
		s->spilled.ref_obj_id = ref;
		s->dynptr_type = type;
		s->dynptr_first = i == 0;
		mark_stack_scratched(v, (uint32_t)(spi - i));
	}
	return 0;
}

int process_dynptr_func(struct bh_venv *v, uint32_t regno, bool uninit,
			uint8_t type, uint32_t ref, struct bh_dynptr_info *out)
{
	struct bh_reg *reg = &cur_regs(v)[regno];
	const struct bh_stack_slot *s;
	int err;

	if (reg->type != BH_PTR_TO_STACK)
		return bh_reject(v,
				 "arg#%u expected pointer to stack or const "
				 "struct bpf_dynptr",
				 regno - 1);
	if (uninit) {
		if (type != BH_DYNPTR_LOCAL && type != BH_DYNPTR_RINGBUF)
			return bh_bug(v, "dynptr constructor of type %u", type);
		if (!is_dynptr_reg_valid_uninit(v, reg))
			return bh_reject(
				v, "Dynptr has to be an uninitialized dynptr");
		/* we write BPF_DW bits (8 bytes) at a time */
		for (int i = 0; i < DYNPTR_NR_SLOTS * 8; i += 8) {
			err = check_mem_access(v, regno, i, 8, true, -1, false);
			if (err)
				return err;
		}
		if (type == BH_DYNPTR_RINGBUF && !ref) {
			err = acquire_reference(v, &ref);
			if (err)
				return err;
		}
		return mark_stack_slots_dynptr(v, reg, type, ref);
	}
	if (!is_dynptr_reg_valid_init(v, reg))
		return bh_reject(v, "Expected an initialized dynptr as arg #%u",
				 regno - 1);
	s = dynptr_slot(v, reg);
	if (!s || (s->dynptr_type != BH_DYNPTR_LOCAL &&
		   s->dynptr_type != BH_DYNPTR_RINGBUF))
		return bh_bug(v, "dynptr of unknown type");
	if (out) {
		out->id = s->spilled.id;
		out->type = s->dynptr_type;
		out->ref_obj_id = s->spilled.ref_obj_id;
	}
	mark_stack_scratched(v, (uint32_t)dynptr_get_spi(v, reg));
	return 0;
}

void bh_invalidate_dynptr_ref(struct bh_venv *v, uint32_t ref)
{
	struct bh_vstate *st = v->cur;

	if (!ref)
		return;
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		struct bh_func_state *f = st->frame[fi];

		for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++) {
			struct bh_stack_slot *s = &f->stack[spi];
			uint32_t id = s->spilled.id;

			if (s->slot_type[0] != BH_STACK_DYNPTR ||
			    s->spilled.ref_obj_id != ref)
				continue;
			memset(s->slot_type, BH_STACK_INVALID,
			       sizeof(s->slot_type));
			mark_reg_not_init(&s->spilled);
			s->dynptr_type = BH_DYNPTR_INVALID;
			s->dynptr_first = false;
			invalidate_slices(st, id);
		}
	}
}
