// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verifier log in the kernel's format: instruction lines padded to
 * column 40 with the touched registers appended, source lines from
 * line_info, register and stack state printing (VERIFIER-CORE §10.2), the
 * statistics line, and the recording of a rejection (message, instruction
 * index, disassembly and source line in res->err).
 *
 * Invariant: logging never changes a verdict; a full log buffer only
 * loses log text (the internal buffer is capped; the tail is what the
 * caller receives, as with the kernel's rotating log).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "verifier/vinternal.h"

#define LOG_CAP (64u << 20)

bool bh_log_on(const struct bh_venv *v, uint32_t level)
{
	return v->env->log_level >= level && v->env->log_buf &&
	       v->env->log_size;
}

static void log_vappend(struct bh_venv *v, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (!v->env->log_level || !v->env->log_buf || v->log_full)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (v->log_len + (size_t)n + 1 > v->logb_cap) {
		size_t cap = v->logb_cap ? v->logb_cap * 2 : 4096;
		char *nb;

		while (cap < v->log_len + (size_t)n + 1)
			cap *= 2;
		if (cap > LOG_CAP) {
			v->log_full = true;
			return;
		}
		nb = realloc(v->logb, cap);
		if (!nb) {
			v->log_full = true;
			return;
		}
		v->logb = nb;
		v->logb_cap = cap;
	}
	vsnprintf(v->logb + v->log_len, v->logb_cap - v->log_len, fmt, ap);
	v->log_len += (size_t)n;
}

static void log_append(struct bh_venv *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_append(struct bh_venv *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vappend(v, fmt, ap);
	va_end(ap);
}

void bh_log(struct bh_venv *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vappend(v, fmt, ap);
	va_end(ap);
	log_append(v, "\n");
}

void bh_log_detail(struct bh_venv *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
	bh_log(v, "%s", v->detail);
}

void bh_log_rewind(struct bh_venv *v, size_t pos)
{
	if (pos <= v->log_len) {
		v->log_len = pos;
		if (v->logb)
			v->logb[pos] = '\0';
	}
	v->insn_line_end = 0;
}

static const char *kfunc_call_name(void *ctx, const struct bh_insn *insn)
{
	const struct bh_kfunc *k = bh_insn_kfunc(ctx, insn);

	return k ? k->name : NULL;
}

static void disasm(struct bh_venv *v, uint32_t idx, char *buf, size_t size)
{
	struct bh_disasm_cbs cbs = {.call_name = kfunc_call_name, .ctx = v};

	bh_disasm_cb(v->env->insns, v->env->insn_cnt, idx, buf, size, &cbs);
}

static const struct bh_line_info *line_of(const struct bh_venv *v, uint32_t idx,
					  bool exact)
{
	const struct bh_line_info *best = NULL;

	for (size_t i = 0; i < v->env->line_info_cnt; i++) {
		const struct bh_line_info *l = &v->env->line_info[i];

		if (l->insn_off == idx)
			return l;
		if (!exact && l->insn_off < idx &&
		    (!best || l->insn_off > best->insn_off))
			best = l;
	}
	return best;
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : (path ? path : "");
}

void bh_log_source(struct bh_venv *v, uint32_t idx)
{
	const struct bh_line_info *l;

	if (!bh_log_on(v, 1))
		return;
	l = line_of(v, idx, true);
	if (!l || !l->line || !l->line[0])
		return;
	bh_log(v, "; %s @ %s:%u", l->line, base_name(l->file), l->line_num);
}

void bh_log_insn(struct bh_venv *v, uint32_t idx)
{
	char text[256];

	if (!bh_log_on(v, 1))
		return;
	disasm(v, idx, text, sizeof(text));
	v->insn_line_start = v->log_len;
	log_append(v, "%u: (%02x) %s\n", idx, v->env->insns[idx].code, text);
	v->insn_line_end = v->log_len;
}

/* ---- register and state printing ---- */

static const struct bh_verify_map *reg_map(const struct bh_venv *v,
					   const struct bh_reg *r)
{
	return r->map_idx < v->env->map_cnt ? &v->env->maps[r->map_idx] : NULL;
}

#define APPEND(...)                                                       \
	do {                                                              \
		int n_ = snprintf(buf + len, len < size ? size - len : 0, \
				  __VA_ARGS__);                           \
		if (n_ > 0)                                               \
			len += (size_t)n_;                                \
	} while (0)

int bh_print_reg(char *buf, size_t size, const struct bh_venv *v,
		 const struct bh_reg *r)
{
	size_t len = 0;
	char tmp[512], tb[96];
	bool sep = false;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (r->type == BH_SCALAR) {
		bool cst = bh_tnum_is_const(r->s.var_off);

		if (cst && !r->id && !r->ref_obj_id) {
			APPEND("%s", r->precise ? "P" : "");
			bh_scalar_print(tmp, sizeof(tmp), &r->s);
			APPEND("%s", tmp);
			return (int)len;
		}
		APPEND("%sscalar(", r->precise ? "P" : "");
		if (r->id) {
			APPEND("id=%u", r->id & ~BH_ID_ADD_CONST);
			if (r->id & BH_ID_ADD_CONST)
				APPEND("%+d", r->off);
			sep = true;
		}
		if (r->ref_obj_id) {
			APPEND("%sref_obj_id=%u", sep ? "," : "",
			       r->ref_obj_id);
			sep = true;
		}
		if (cst) {
			bh_scalar_print_snum(tmp, sizeof(tmp),
					     (int64_t)r->s.var_off.value);
			APPEND("%simm=%s", sep ? "," : "", tmp);
		} else if (bh_scalar_print_bounds(tmp, sizeof(tmp), &r->s) >
			   0) {
			APPEND("%s%s", sep ? "," : "", tmp);
		}
		APPEND(")");
		return (int)len;
	}
	if (r->type == BH_PTR_TO_STACK && bh_tnum_is_const(r->s.var_off) &&
	    !r->s.var_off.value && !r->id) {
		if (v && r->frameno != v->cur->curframe)
			APPEND("fp[%u]", r->frameno);
		else
			APPEND("fp");
		APPEND("%d", r->off);
		return (int)len;
	}
	APPEND("%s%s(", bh_reg_type_str(v, r, tb, sizeof(tb)),
	       bh_reg_btf_name(v, r));
	if (r->id) {
		APPEND("id=%u", r->id);
		sep = true;
	}
	if (r->ref_obj_id) {
		APPEND("%sref_obj_id=%u", sep ? "," : "", r->ref_obj_id);
		sep = true;
	}
	if (r->type == BH_PTR_TO_STACK && r->frameno) {
		APPEND("%sframe=%u", sep ? "," : "", r->frameno);
		sep = true;
	}
	if (r->off) {
		APPEND("%soff=%d", sep ? "," : "", r->off);
		sep = true;
	}
	if (r->type == BH_CONST_PTR_TO_MAP || r->type == BH_PTR_TO_MAP_VALUE ||
	    r->type == BH_PTR_TO_MAP_KEY) {
		const struct bh_verify_map *m = v ? reg_map(v, r) : NULL;

		if (m)
			APPEND("%smap=%.15s,ks=%u,vs=%u", sep ? "," : "",
			       m->name ? m->name : "", m->def->key_size,
			       m->def->value_size);
		sep = true;
	}
	if (r->type == BH_PTR_TO_MEM || r->type == BH_PTR_TO_BUF) {
		APPEND("%ssz=%u", sep ? "," : "", r->mem_size);
		sep = true;
	}
	if (!bh_tnum_is_const(r->s.var_off) || r->s.var_off.value) {
		if (bh_scalar_print_bounds(tmp, sizeof(tmp), &r->s) > 0)
			APPEND("%s%s", sep ? "," : "", tmp);
	}
	APPEND(")");
	return (int)len;
}

static void print_slot(struct bh_venv *v, const struct bh_stack_slot *s,
		       uint32_t spi)
{
	static const char chars[] = "?rm0dif";
	char buf[600], tmp[512];
	size_t len = 0, size = sizeof(buf);
	bool any = false;

	for (int i = 0; i < 8; i++)
		if (s->slot_type[i] != BH_STACK_INVALID)
			any = true;
	if (!any)
		return;
	if (s->slot_type[7] == BH_STACK_SPILL ||
	    s->slot_type[0] == BH_STACK_SPILL) {
		for (int i = 7; i >= 0; i--)
			if (s->slot_type[i] != BH_STACK_SPILL)
				APPEND("%c", chars[s->slot_type[i] % 7]);
		bh_print_reg(tmp, sizeof(tmp), v, &s->spilled);
		APPEND("%s", tmp);
	} else {
		for (int i = 7; i >= 0; i--)
			APPEND("%c", chars[s->slot_type[i] % 7]);
	}
	log_append(v, " fp%d=%s", -(int)(spi + 1) * 8, buf);
}

static void print_frame(struct bh_venv *v, const struct bh_func_state *f,
			uint32_t regs, uint64_t slots)
{
	char buf[600];

	for (int r = 0; r < BH_MAX_REG; r++) {
		if (!(regs & (1u << r)) || f->regs[r].type == BH_NOT_INIT)
			continue;
		bh_print_reg(buf, sizeof(buf), v, &f->regs[r]);
		log_append(v, " R%d=%s", r, buf);
	}
	for (uint32_t spi = 0; spi < f->allocated_stack / 8; spi++)
		if (slots & (1ull << spi))
			print_slot(v, &f->stack[spi], spi);
}

static void print_refs(struct bh_venv *v, const struct bh_vstate *st)
{
	if (!st->acquired_refs)
		return;
	log_append(v, " refs=");
	for (uint32_t i = 0; i < st->acquired_refs; i++)
		log_append(v, "%s%u", i ? "," : "", st->refs[i].id);
}

void bh_log_state(struct bh_venv *v, const struct bh_vstate *st, bool all)
{
	if (!bh_log_on(v, 1))
		return;
	for (uint32_t fi = 0; fi <= st->curframe; fi++) {
		const struct bh_func_state *f = st->frame[fi];

		if (!all && fi != st->curframe)
			continue;
		if (fi)
			log_append(v, " frame%u:", fi);
		print_frame(v, f, ~0u, ~0ull);
		if (f->in_callback_fn)
			log_append(v, " cb");
	}
	print_refs(v, st);
	log_append(v, "\n");
}

void bh_log_state_pfx(struct bh_venv *v, const char *pfx,
		      const struct bh_vstate *st, bool all)
{
	if (!bh_log_on(v, 1))
		return;
	log_append(v, "%s", pfx);
	bh_log_state(v, st, all);
}

/* Replace the insn line's newline with padding and "; <touched state>". */
void bh_log_scratched(struct bh_venv *v)
{
	struct bh_func_state *f;
	size_t pos;
	int pad;

	if (!bh_log_on(v, 1) || !v->cur)
		goto out;
	if (!v->scratched_regs && !v->scratched_stack)
		goto out;
	f = cur_frame(v);
	if (v->insn_line_end && v->insn_line_end == v->log_len) {
		bh_log_rewind(v, v->log_len - 1);
		pos = v->log_len - v->insn_line_start;
		pad = (int)(((pos + 4 > 40 ? pos + 4 : 40) + 7) / 8 * 8 - pos -
			    1);
		log_append(v, "%*c;", pad, ' ');
	} else {
		log_append(v, "%u:", v->cur->insn_idx);
	}
	print_frame(v, f, v->scratched_regs, v->scratched_stack);
	print_refs(v, v->cur);
	log_append(v, "\n");
out:
	v->scratched_regs = 0;
	v->scratched_stack = 0;
	v->insn_line_end = 0;
}

void bh_log_stats(struct bh_venv *v)
{
	log_append(v,
		   "processed %llu insns (limit %d) max_states_per_insn %u "
		   "total_states %u peak_states %u mark_read 0\n",
		   (unsigned long long)v->insn_processed,
		   BH_COMPLEXITY_LIMIT_INSNS, v->max_states_per_insn,
		   v->total_states, v->peak_states);
}

/* ---- rejections ---- */

static int record(struct bh_venv *v, int err, const char *fmt, va_list ap)
{
	struct bh_verify_result *res = v->res;
	char msg[400], text[160] = "";
	const struct bh_line_info *l = NULL;
	long idx = v->cur ? (long)v->cur->insn_idx : -1;
	size_t dl = 0;
	va_list aq;

	/* a two-line error: "detail; message" in res->err */
	if (v->detail[0] && !v->rejected)
		dl = (size_t)snprintf(msg, sizeof(msg), "%s; ", v->detail);
	if (dl >= sizeof(msg))
		dl = 0;
	va_copy(aq, ap);
	vsnprintf(msg + dl, sizeof(msg) - dl, fmt, aq);
	va_end(aq);
	v->detail[0] = '\0';
	log_append(v, "%s\n", msg + dl);
	if (v->rejected)
		return err; /* the first message is the verdict */
	v->rejected = true;
	res->err_insn = idx;
	if (idx >= 0 && (size_t)idx < v->env->insn_cnt) {
		disasm(v, (uint32_t)idx, text, sizeof(text));
		l = line_of(v, (uint32_t)idx, false);
		if (l && l->line && l->line[0])
			snprintf(res->err, sizeof(res->err),
				 "%.250s (insn %ld: %.100s; %.60s @ %.40s:%u)",
				 msg, idx, text, l->line, base_name(l->file),
				 l->line_num);
		else
			snprintf(res->err, sizeof(res->err),
				 "%.300s (insn %ld: %.150s)", msg, idx, text);
	} else {
		snprintf(res->err, sizeof(res->err), "%s", msg);
	}
	return err;
}

int bh_reject(struct bh_venv *v, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = record(v, -EINVAL, fmt, ap);
	va_end(ap);
	return ret;
}

int bh_reject_err(struct bh_venv *v, int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = record(v, err, fmt, ap);
	va_end(ap);
	return ret;
}

int bh_bug(struct bh_venv *v, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bh_reject_err(v, -EFAULT, "verifier bug: %s", msg);
}
