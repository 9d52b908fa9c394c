// SPDX-License-Identifier: BSD-2-Clause
/*
 * Async callbacks (the kernel's push_async_cb): a bpf_timer's callback
 * runs later, on another thread, with nothing of the caller's state.  It
 * is verified as a program of its own: a fresh state whose frame 0 is the
 * callback subprogram, entered with (map, key, value) of the map value
 * holding the timer, no references, locks or sections, and R0 == 0 at its
 * exit.  The path that set the callback goes on as if it returned.
 *
 * Also the check of a pointer to a map value's struct bpf_timer (or
 * bpf_wq): the field at a constant offset of a map with BTF.
 */
#include <errno.h>
#include <stdlib.h>

#include "verifier/vinternal.h"

int bh_check_map_field_ptr(struct bh_venv *v, uint32_t regno,
			   enum bh_field_type type, uint32_t *map_idx)
{
	const struct bh_reg *r = &cur_regs(v)[regno];
	const struct btf *b = v->env->prog_btf;
	const char *sname = bh_field_name(type);
	const struct bh_verify_map *m;
	struct bh_field f;
	int64_t off;

	if (r->type != BH_PTR_TO_MAP_VALUE || (r->flags & BH_PTR_MAYBE_NULL)) {
		char ts[96];

		reg_type_name(v, regno, ts, sizeof(ts));
		return bh_reject_err(v, -EACCES,
				     "R%u type=%s expected=map_value", regno,
				     ts);
	}
	m = &v->env->maps[r->map_idx];
	if (!bh_tnum_is_const(r->s.var_off))
		return bh_reject_err(v, -EINVAL,
				     "R%u doesn't have constant offset. %s has "
				     "to be at the constant offset",
				     regno, sname);
	if (!b || !m->def->btf_value_type_id)
		return bh_reject_err(
			v, -EINVAL,
			"map '%s' has to have BTF in order to use %s",
			m->name ? m->name : "", sname);
	/* the first field of the type (the kernel keeps one per value) */
	if (!bh_find_field_of(b, m->def->btf_value_type_id, type, &f))
		return bh_reject_err(v, -EINVAL, "map '%s' has no valid %s",
				     m->name ? m->name : "", sname);
	off = (int64_t)r->s.var_off.value + r->off;
	if (off != (int64_t)f.off)
		return bh_reject_err(
			v, -EINVAL,
			"off %lld doesn't point to 'struct %s' that is at %u",
			(long long)off, sname, f.off);
	*map_idx = r->map_idx;
	return 0;
}

int bh_push_async_callback(struct bh_venv *v, uint32_t s, uint32_t map_idx,
			   bool sleepable)
{
	struct bh_vstate *st = bh_state_alloc();
	struct bh_func_state *f = bh_frame_alloc();
	struct bh_reg *regs;

	if (!st || !f) {
		bh_state_free(st);
		free(f);
		return -ENOMEM;
	}
	st->frame[0] = f;
	st->curframe = 0;
	st->first_insn_idx = v->subprogs[s].start;
	st->in_sleepable = sleepable;
	f->callsite = -1;
	f->frameno = 0;
	f->subprogno = s;
	f->in_async_callback_fn = true;
	f->callback_ret_min = 0;
	f->callback_ret_max = 0;
	regs = f->regs;
	for (int r = 0; r < BH_MAX_REG; r++)
		mark_reg_not_init(&regs[r]);
	mark_reg_ptr(&regs[1], BH_CONST_PTR_TO_MAP, 0);
	regs[1].map_idx = map_idx;
	mark_reg_ptr(&regs[2], BH_PTR_TO_MAP_KEY, 0);
	regs[2].map_idx = map_idx;
	mark_reg_ptr(&regs[3], BH_PTR_TO_MAP_VALUE, 0);
	regs[3].map_idx = map_idx;
	/* a value with a lock: its id names the lock */
	if (bh_reg_has_spin_lock(v, &regs[3]))
		regs[3].id = bh_new_id(v);
	mark_reg_ptr(&regs[BH_FP], BH_PTR_TO_STACK, 0);
	return bh_push_async(v, st, v->subprogs[s].start, v->cur->insn_idx);
}
