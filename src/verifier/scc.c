// SPDX-License-Identifier: BSD-2-Clause
/*
 * Loops and precision marks (VERIFIER-CORE §7.2, §7.4).
 *
 * A checkpoint's precision marks come from the paths explored after it.
 * Inside a loop that is still being explored they are not final: a path
 * pruned at the loop head against an iteration still in progress (an
 * iterator's next(), may_goto, a callback-calling helper: the RANGE_WITHIN
 * hits) has not seen what the rest of the loop will need.  So:
 *
 *  - each subprogram's control-flow graph is split into strongly
 *    connected components before exploration (a loop is a component of
 *    more than one insn, or one insn jumping to itself);
 *  - a "visit" of a loop is keyed by the call sites leading to it and the
 *    component, and remembers the first checkpoint made inside it;
 *  - every hit that relied on incomplete marks records a copy of the
 *    pruned path state (a back-edge), and while a visit has back-edges
 *    its checkpoints are compared by range, never skipping imprecise
 *    scalars;
 *  - when the visit's first checkpoint has no live path left, every
 *    back-edge propagates the precision of the checkpoint it matched,
 *    over and over until nothing changes.
 */
#include <stdlib.h>
#include <string.h>

#include "verifier/vinternal.h"

#define MAX_BACKEDGE_ITERS 64

struct bh_backedge {
	struct bh_backedge *next;
	const struct bh_vstate *equal; /* the checkpoint the path matched */
	struct bh_vstate st;	       /* the path's state at the hit */
};

struct bh_scc_visit {
	uint32_t callsites[BH_MAX_FRAMES];
	uint32_t depth; /* callsites used */
	uint32_t scc;
	const struct bh_vstate *entry; /* NULL once exited */
	struct bh_backedge *backedges;
};

/* ---- components ---- */

static bool is_ldimm64_at(const struct bh_insn *in)
{
	return in->code == (BH_LD | BH_IMM | BH_DW);
}

/* Successors of insn i inside its subprogram (a call continues after
 * itself); returns how many were written to out[2]. */
static uint32_t successors(const struct bh_venv *v, uint32_t i, uint32_t out[2])
{
	const struct bh_insn *in = &v->env->insns[i];
	uint32_t cnt = (uint32_t)v->env->insn_cnt, n = 0;
	uint8_t cls = BH_CLASS(in->code), op = BH_OP(in->code);
	int64_t t;

	if (is_ldimm64_at(in)) {
		if (i + 2 < cnt)
			out[n++] = i + 2;
		return n;
	}
	if (cls != BH_JMP && cls != BH_JMP32) {
		if (i + 1 < cnt)
			out[n++] = i + 1;
		return n;
	}
	if (op == 0x90) /* exit */
		return 0;
	if (op == 0x80) { /* call */
		if (i + 1 < cnt)
			out[n++] = i + 1;
		return n;
	}
	if (cls == BH_JMP32 && op == 0x00)
		t = (int64_t)i + in->imm + 1;
	else
		t = (int64_t)i + in->off + 1;
	if (op != 0x00 && i + 1 < cnt)
		out[n++] = i + 1;
	if (t >= 0 && t < cnt && (n == 0 || out[0] != (uint32_t)t))
		out[n++] = (uint32_t)t;
	return n;
}

/* Tarjan's algorithm without recursion: aux[i].scc becomes a component
 * id (from 1) for insns on a cycle, 0 elsewhere. */
int bh_compute_scc(struct bh_venv *v)
{
	uint32_t cnt = (uint32_t)v->env->insn_cnt;
	uint32_t *index = calloc(cnt, sizeof(*index));
	uint32_t *low = calloc(cnt, sizeof(*low));
	uint32_t *stk = malloc(cnt * sizeof(*stk) + 4);
	uint32_t *dfs = malloc(cnt * sizeof(*dfs) + 4);
	uint8_t *next_succ = calloc(cnt, 1), *on = calloc(cnt, 1);
	uint32_t next_index = 1, sp = 0, dsp = 0, scc_id = 0;
	int err = 0;

	if (!index || !low || !stk || !dfs || !next_succ || !on) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t root = 0; root < cnt;
	     root += is_ldimm64_at(&v->env->insns[root]) ? 2 : 1) {
		if (index[root])
			continue;
		dfs[dsp++] = root;
		index[root] = low[root] = next_index++;
		stk[sp++] = root;
		on[root] = 1;
		while (dsp) {
			uint32_t u = dfs[dsp - 1], s[2];
			uint32_t n = successors(v, u, s);

			if (next_succ[u] < n) {
				uint32_t w = s[next_succ[u]++];

				if (!index[w]) {
					index[w] = low[w] = next_index++;
					stk[sp++] = w;
					on[w] = 1;
					dfs[dsp++] = w;
				} else if (on[w] && index[w] < low[u]) {
					low[u] = index[w];
				}
				continue;
			}
			dsp--;
			if (dsp && low[u] < low[dfs[dsp - 1]])
				low[dfs[dsp - 1]] = low[u];
			if (low[u] != index[u])
				continue;
			{
				/* u roots a component: a loop if it has more
				 * than one insn or u jumps to itself */
				bool loop = stk[sp - 1] != u;

				for (uint32_t k = 0; k < n; k++)
					if (s[k] == u)
						loop = true;
				/* a helper calling a callback again and
				 * again is a loop through that insn */
				if (v->aux[u].flags & BH_AUXI_CALLBACK_CALL)
					loop = true;
				if (loop)
					scc_id++;
				for (;;) {
					uint32_t w = stk[--sp];

					on[w] = 0;
					v->aux[w].scc = loop ? scc_id : 0;
					if (w == u)
						break;
				}
			}
		}
	}
out:
	free(index);
	free(low);
	free(stk);
	free(dfs);
	free(next_succ);
	free(on);
	return err;
}

/* ---- visits ---- */

struct chain {
	uint32_t callsites[BH_MAX_FRAMES];
	uint32_t depth, scc;
};

/* The outermost loop along st's call chain, with the call sites that
 * lead to it; false when st is in no loop. */
static bool state_chain(const struct bh_venv *v, const struct bh_vstate *st,
			struct chain *c)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i <= st->curframe; i++) {
		int64_t idx = i == st->curframe ? (int64_t)st->insn_idx
						: st->frame[i + 1]->callsite;

		if (idx < 0 || idx >= (int64_t)v->env->insn_cnt)
			return false;
		if (v->aux[idx].scc) {
			c->scc = v->aux[idx].scc;
			c->depth = i;
			return true;
		}
		c->callsites[i] = (uint32_t)idx;
	}
	return false;
}

static struct bh_scc_visit *find_visit(struct bh_venv *v, const struct chain *c)
{
	for (uint32_t i = 0; i < v->scc_visit_cnt; i++) {
		struct bh_scc_visit *s = &v->scc_visits[i];

		if (s->scc == c->scc && s->depth == c->depth &&
		    !memcmp(s->callsites, c->callsites,
			    c->depth * sizeof(c->callsites[0])))
			return s;
	}
	return NULL;
}

int bh_scc_enter(struct bh_venv *v, const struct bh_vstate *st)
{
	struct bh_scc_visit *s;
	struct chain c;

	if (!state_chain(v, st, &c))
		return 0;
	s = find_visit(v, &c);
	if (!s) {
		if (!(v->scc_visit_cnt & (v->scc_visit_cnt + 1)) ||
		    !v->scc_visits) {
			uint32_t cap = (v->scc_visit_cnt + 1) * 2;
			struct bh_scc_visit *p =
				realloc(v->scc_visits, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			v->scc_visits = p;
		}
		s = &v->scc_visits[v->scc_visit_cnt++];
		memset(s, 0, sizeof(*s));
		memcpy(s->callsites, c.callsites, sizeof(c.callsites));
		s->depth = c.depth;
		s->scc = c.scc;
	}
	if (!s->entry) {
		s->entry = st;
		if (bh_log_on(v, 2))
			bh_log(v, "SCC enter (%u)", s->scc);
	}
	return 0;
}

bool bh_scc_incomplete(struct bh_venv *v, const struct bh_vstate *st)
{
	struct bh_scc_visit *s;
	struct chain c;

	if (!state_chain(v, st, &c))
		return false;
	s = find_visit(v, &c);
	return s && s->backedges;
}

int bh_scc_add_backedge(struct bh_venv *v, const struct bh_vstate *equal,
			const struct bh_vstate *cur)
{
	struct bh_scc_visit *s;
	struct bh_backedge *be;
	struct chain c;

	if (!state_chain(v, equal, &c) || !(s = find_visit(v, &c)) ||
	    !s->entry) {
		/* no visit to complete the marks later: make them
		 * final now, which is always sound; the reads of the
		 * rest of that iteration are not all seen yet either, so
		 * stack liveness can no longer be trusted */
		bh_mark_all_scalars_precise(v, cur);
		v->stk_live_off = true;
		return 0;
	}
	be = calloc(1, sizeof(*be));
	if (!be)
		return -ENOMEM;
	if (bh_state_copy(&be->st, cur)) {
		bh_state_release(&be->st);
		free(be);
		return -ENOMEM;
	}
	be->equal = equal;
	be->next = s->backedges;
	s->backedges = be;
	if (bh_log_on(v, 2))
		bh_log(v, "SCC backedge (%u)", s->scc);
	return 0;
}

static void free_backedges(struct bh_scc_visit *s)
{
	struct bh_backedge *be, *n;

	for (be = s->backedges; be; be = n) {
		n = be->next;
		bh_state_release(&be->st);
		free(be);
	}
	s->backedges = NULL;
}

static int propagate_backedges(struct bh_venv *v, struct bh_scc_visit *s)
{
	struct bh_backedge *be;
	int err = 0;

	for (int iter = 0;; iter++) {
		bool changed = false;

		if (iter > MAX_BACKEDGE_ITERS) {
			if (bh_log_on(v, 2))
				bh_log(v, "propagate_backedges: too many "
					  "iterations");
			for (be = s->backedges; be; be = be->next)
				bh_mark_all_scalars_precise(v, &be->st);
			break;
		}
		for (be = s->backedges; be && !err; be = be->next)
			err = bh_propagate_precision(v, be->equal, &be->st,
						     NULL, &changed);
		if (err || !changed)
			break;
	}
	free_backedges(s);
	return err;
}

int bh_scc_exit(struct bh_venv *v, const struct bh_vstate *st)
{
	struct bh_scc_visit *s;
	struct chain c;

	if (!state_chain(v, st, &c))
		return 0;
	s = find_visit(v, &c);
	if (!s || s->entry != st)
		return 0;
	if (bh_log_on(v, 2))
		bh_log(v, "SCC exit (%u)", s->scc);
	s->entry = NULL;
	return propagate_backedges(v, s);
}

void bh_scc_free(struct bh_venv *v)
{
	for (uint32_t i = 0; i < v->scc_visit_cnt; i++)
		free_backedges(&v->scc_visits[i]);
	free(v->scc_visits);
	v->scc_visits = NULL;
	v->scc_visit_cnt = 0;
}
