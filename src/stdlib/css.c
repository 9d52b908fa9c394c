// SPDX-License-Identifier: BSD-2-Clause
/*
 * Walking the host's cgroup v2 tree with the kernel's open-coded
 * iterators (common set):
 *   - bpf_iter_css_new/next/destroy: a cgroup's descendants in pre-order
 *     (BPF_CGROUP_ITER_DESCENDANTS_PRE, the cgroup first), post-order
 *     (_DESCENDANTS_POST, the cgroup last) or its ancestors up to the root
 *     (_ANCESTORS_UP); it returns each cgroup's struct
 *     cgroup_subsys_state (the cgroup's own, `self`);
 *   - bpf_iter_css_task_new/next/destroy: the tasks of one cgroup, every
 *     thread (flags 0, cgroup.threads) or the processes
 *     (CSS_TASK_ITER_PROCS, cgroup.procs).
 * Both read the tree when created (children of a directory in name
 * order) and hold a reference on everything they return until destroy,
 * so the pointers stay valid as the kernel's do inside the RCU section
 * (css) or the sleepable program (css_task) that must surround them.
 * Unknown orders or flags are -EINVAL, as in the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/kfunc.h"
#include "stdlib.h"
#include "stdlib/task.h"

enum bpf_cgroup_iter_order {
	BPF_CGROUP_ITER_ORDER_UNSPEC = 0,
	BPF_CGROUP_ITER_SELF_ONLY,
	BPF_CGROUP_ITER_DESCENDANTS_PRE,
	BPF_CGROUP_ITER_DESCENDANTS_POST,
	BPF_CGROUP_ITER_ANCESTORS_UP,
};

#define CSS_TASK_ITER_PROCS (1U << 0)
#define CSS_TASK_ITER_THREADED (1U << 1)

/* at most this many cgroups or tasks in one walk */
#define BH_CSS_ITER_MAX 65536

struct bpf_iter_css {
	uint64_t __opaque[3];
} __attribute__((aligned(8)));

struct bpf_iter_css_task {
	uint64_t __opaque[1];
} __attribute__((aligned(8)));

/* what both iterators hold: the objects, returned in order */
struct bh_css_walk {
	void **items;
	size_t cnt, cap, next;
	bool tasks;
};

static bool bh_walk_add(struct bh_css_walk *w, void *p)
{
	if (!p)
		return true; /* gone meanwhile: skipped */
	if (w->cnt == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		void **n = w->cap < BH_CSS_ITER_MAX
				   ? realloc(w->items, cap * sizeof(*n))
				   : NULL;

		if (!n) {
			if (w->tasks)
				bh_task_put(p);
			else
				bh_cgroup_put(p);
			return false;
		}
		w->items = n;
		w->cap = cap;
	}
	w->items[w->cnt++] = p;
	return true;
}

static void bh_walk_free(struct bh_css_walk *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->cnt; i++) {
		if (w->tasks)
			bh_task_put(w->items[i]);
		else
			bh_cgroup_put(w->items[i]);
	}
	free(w->items);
	free(w);
}

static int bh_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The child directories of cgroup rel, sorted; NULL-terminated array of
 * strdup'ed names, or NULL on error. */
static char **bh_cg_children(const char *rel)
{
	char full[PATH_MAX];
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", bh_cgroup_mount(),
			     rel) >= sizeof(full))
		return NULL;
	d = opendir(full);
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nn = realloc(names, ncap * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (!names)
		names = calloc(1, sizeof(*names));
	if (!names)
		return NULL;
	qsort(names, n, sizeof(*names), bh_cmp_names);
	names[n] = NULL;
	return names;
}

/* cg and what lies below it, pre- or post-order; false when full */
static bool bh_walk_descendants(struct bh_css_walk *w, struct cgroup *cg,
				bool post)
{
	char **kids;
	bool ok = true;

	if (!post && !bh_walk_add(w, bh_cgroup_get_ref(cg)))
		return false;
	kids = cg->level < BH_CGROUP_MAX_LEVEL ? bh_cg_children(cg->path)
					       : NULL;
	for (size_t i = 0; kids && kids[i]; i++) {
		char rel[PATH_MAX];
		struct cgroup *c = NULL;

		if (ok && (size_t)snprintf(rel, sizeof(rel), "%s/%s", cg->path,
					   kids[i]) < sizeof(rel))
			c = bh_cgroup_get_path(rel);
		if (c && ok)
			ok = bh_walk_descendants(w, c, post);
		bh_cgroup_put(c);
		free(kids[i]);
	}
	free(kids);
	if (ok && post)
		ok = bh_walk_add(w, bh_cgroup_get_ref(cg));
	return ok;
}

__bpf_kfunc_start_defs();

__bpf_kfunc int bpf_iter_css_new(struct bpf_iter_css *it,
				 struct cgroup_subsys_state *start,
				 unsigned int flags)
{
	struct bh_css_walk **kit = (struct bh_css_walk **)it;
	struct cgroup *cg = start ? start->cgroup : NULL;
	struct bh_css_walk *w;

	_Static_assert(sizeof(struct bh_css_walk *) <= sizeof(*it),
		       "iterator state size");
	memset(it, 0, sizeof(*it));
	switch (flags) {
	case BPF_CGROUP_ITER_DESCENDANTS_PRE:
	case BPF_CGROUP_ITER_DESCENDANTS_POST:
	case BPF_CGROUP_ITER_ANCESTORS_UP:
		break;
	default:
		return -EINVAL;
	}
	if (!cg)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (flags == BPF_CGROUP_ITER_ANCESTORS_UP) {
		for (int l = cg->level; l >= 0; l--)
			bh_walk_add(w, bh_cgroup_get_ref(cg->ancestors[l]));
	} else {
		bh_walk_descendants(w, cg,
				    flags == BPF_CGROUP_ITER_DESCENDANTS_POST);
	}
	*kit = w;
	return 0;
}

__bpf_kfunc struct cgroup_subsys_state *
bpf_iter_css_next(struct bpf_iter_css *it)
{
	struct bh_css_walk *w = *(struct bh_css_walk **)it;
	struct cgroup *cg;

	if (!w || w->next >= w->cnt)
		return NULL;
	cg = w->items[w->next++];
	return &cg->self;
}

__bpf_kfunc void bpf_iter_css_destroy(struct bpf_iter_css *it)
{
	bh_walk_free(*(struct bh_css_walk **)it);
	memset(it, 0, sizeof(*it));
}

__bpf_kfunc int bpf_iter_css_task_new(struct bpf_iter_css_task *it,
				      struct cgroup_subsys_state *css,
				      unsigned int flags)
{
	struct bh_css_walk **kit = (struct bh_css_walk **)it;
	struct cgroup *cg = css ? css->cgroup : NULL;
	struct bh_css_walk *w;
	char full[PATH_MAX];
	FILE *f;
	int pid;

	_Static_assert(sizeof(struct bh_css_walk *) <= sizeof(*it),
		       "iterator state size");
	memset(it, 0, sizeof(*it));
	switch (flags) {
	case CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED:
	case CSS_TASK_ITER_PROCS:
	case 0:
		break;
	default:
		return -EINVAL;
	}
	if (!cg)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->tasks = true;
	if ((size_t)snprintf(full, sizeof(full), "%s%s/%s", bh_cgroup_mount(),
			     cg->path,
			     flags & CSS_TASK_ITER_PROCS
				     ? "cgroup.procs"
				     : "cgroup.threads") < sizeof(full) &&
	    (f = fopen(full, "re"))) {
		while (fscanf(f, "%d", &pid) == 1)
			if (!bh_walk_add(w, bh_task_get(pid)))
				break;
		fclose(f);
	}
	*kit = w;
	return 0;
}

__bpf_kfunc struct task_struct *
bpf_iter_css_task_next(struct bpf_iter_css_task *it)
{
	struct bh_css_walk *w = *(struct bh_css_walk **)it;

	if (!w || w->next >= w->cnt)
		return NULL;
	return w->items[w->next++];
}

__bpf_kfunc void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it)
{
	bh_walk_free(*(struct bh_css_walk **)it);
	memset(it, 0, sizeof(*it));
}

__bpf_kfunc_end_defs();

/* in the kernel's common set: every program type (css_task only for
 * sleepable ones, which the verifier checks) */
BTF_KFUNCS_START(bh_css_kfunc_ids)
BTF_ID_FLAGS(func, bpf_iter_css_new,
	     KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED)
BTF_ID_FLAGS(func, bpf_iter_css_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_css_destroy, KF_ITER_DESTROY)
BTF_ID_FLAGS(func, bpf_iter_css_task_new, KF_ITER_NEW | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_iter_css_task_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_css_task_destroy, KF_ITER_DESTROY)
BTF_KFUNCS_END(bh_css_kfunc_ids)

static const struct btf_kfunc_id_set bh_css_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_css_kfunc_ids,
};

int bh_stdlib_css_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_css_kfunc_set);
}
