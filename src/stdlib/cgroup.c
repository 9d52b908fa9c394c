// SPDX-License-Identifier: BSD-2-Clause
/*
 * The host's cgroup v2 hierarchy as the kernel's struct cgroup, and the
 * cgroup kfuncs: bpf_cgroup_from_id, bpf_cgroup_acquire,
 * bpf_cgroup_release (with bpf_cgroup_release_dtor), bpf_cgroup_ancestor
 * and bpf_task_under_cgroup, with the kernel's flags; and
 * bpf_cgroup_read_xattr (common to every program type, as in the
 * kernel): a "user." extended attribute of the cgroup's directory into a
 * dynptr, read with getxattr(2), so a missing one is -ENODATA and a
 * value larger than the dynptr -ERANGE, as kernfs answers.
 *
 * The hierarchy is the first cgroup2 mount of /proc/self/mountinfo; its
 * root is level 0 (inside a cgroup namespace, the namespace's root).  A
 * cgroup's id is its directory's inode number, which on 64-bit is the
 * kernfs id the kernel uses (the root's is 1).  Finding a cgroup by id
 * walks the tree (readdir's d_ino; no stat per directory) unless the
 * cache holds it.  A host without cgroup v2 makes every lookup NULL.
 *
 * Cache: live objects (usage > 0) by id, in a fixed hash table under a
 * mutex, as the kernel keeps its cgroups; an object leaves it on its last
 * release.  Bounded by BH_CGROUP_MAX live objects (past it lookups fail).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "bpfhost/kfunc.h"
#include "stdlib.h"
#include "stdlib/task.h"

#define BH_CGROUP_BUCKETS 256
#define BH_CGROUP_MAX 16384

static pthread_once_t bh_cg_once = PTHREAD_ONCE_INIT;
static char bh_cg_mnt[PATH_MAX];

static pthread_mutex_t bh_cg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cgroup *bh_cg_table[BH_CGROUP_BUCKETS];
static unsigned int bh_cg_count;

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void bh_unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

static void bh_cg_find_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), *mnt, *save = NULL;
		int i;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		/* id parent maj:min root mountpoint ... */
		*sep = '\0';
		mnt = strtok_r(line, " ", &save);
		for (i = 0; mnt && i < 4; i++)
			mnt = strtok_r(NULL, " ", &save);
		if (!mnt)
			continue;
		bh_unescape(mnt);
		if (strlen(mnt) < sizeof(bh_cg_mnt)) {
			strcpy(bh_cg_mnt, mnt);
			break;
		}
	}
	fclose(f);
}

const char *bh_cgroup_mount(void)
{
	pthread_once(&bh_cg_once, bh_cg_find_mount);
	return bh_cg_mnt;
}

unsigned int bh_cgroup_cached(void)
{
	unsigned int n;

	pthread_mutex_lock(&bh_cg_lock);
	n = bh_cg_count;
	pthread_mutex_unlock(&bh_cg_lock);
	return n;
}

struct cgroup *bh_cgroup_get_ref(struct cgroup *cg)
{
	return cg && bh_ref_get_unless_zero(&cg->usage) ? cg : NULL;
}

static unsigned int bh_cg_hash(uint64_t id)
{
	return (unsigned int)((id * 0x9e3779b97f4a7c15ull) >> 56) %
	       BH_CGROUP_BUCKETS;
}

/* A live cached cgroup with this id, referenced; under bh_cg_lock */
static struct cgroup *bh_cg_lookup_locked(uint64_t id)
{
	struct cgroup *c;

	for (c = bh_cg_table[bh_cg_hash(id)]; c; c = c->bh_next)
		if (c->kn->id == id && bh_ref_get_unless_zero(&c->usage))
			return c;
	return NULL;
}

static void bh_cg_unlink_locked(struct cgroup *cg)
{
	struct cgroup **pp = &bh_cg_table[bh_cg_hash(cg->kn->id)];

	for (; *pp; pp = &(*pp)->bh_next)
		if (*pp == cg) {
			*pp = cg->bh_next;
			bh_cg_count--;
			return;
		}
}

static void bh_cg_free(struct cgroup *cg)
{
	struct cgroup *parent = cg->level ? cg->ancestors[cg->level - 1] : NULL;

	free((char *)cg->bh_kn.name);
	free(cg->path);
	free(cg);
	bh_cgroup_put(parent);
}

void bh_cgroup_put(struct cgroup *cg)
{
	if (!cg || __atomic_sub_fetch(&cg->usage, 1, __ATOMIC_ACQ_REL))
		return;
	pthread_mutex_lock(&bh_cg_lock);
	bh_cg_unlink_locked(cg);
	pthread_mutex_unlock(&bh_cg_lock);
	bh_cg_free(cg);
}

/* inode of mount + rel, or 0 if it is not a directory */
static uint64_t bh_cg_ino(const char *rel)
{
	char full[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", bh_cgroup_mount(),
			     rel) >= sizeof(full) ||
	    stat(full, &st) || !S_ISDIR(st.st_mode))
		return 0;
	return (uint64_t)st.st_ino;
}

/*
 * The cgroup at rel ("" for the root, else "/a/b" below the mount), a new
 * reference.  Builds it (and its ancestors) unless cached and current.
 */
struct cgroup *bh_cgroup_get_path(const char *rel)
{
	struct cgroup *cg, *parent = NULL, *other;
	const char *last;
	uint64_t id;
	int level = 0;

	if (!bh_cgroup_mount()[0] || strstr(rel, "/..") || strstr(rel, "//"))
		return NULL;
	for (const char *p = rel; *p; p++)
		level += *p == '/';
	if (level > BH_CGROUP_MAX_LEVEL || (rel[0] && rel[0] != '/') ||
	    (rel[0] && rel[strlen(rel) - 1] == '/'))
		return NULL;
	id = bh_cg_ino(rel);
	if (!id)
		return NULL;
	pthread_mutex_lock(&bh_cg_lock);
	cg = bh_cg_lookup_locked(id);
	pthread_mutex_unlock(&bh_cg_lock);
	if (cg)
		return cg;

	last = strrchr(rel, '/');
	if (level) {
		char *prel = strndup(rel, (size_t)(last - rel));

		parent = prel ? bh_cgroup_get_path(prel) : NULL;
		free(prel);
		if (!parent)
			return NULL;
	}
	cg = calloc(1, sizeof(*cg) + (size_t)(level + 1) * sizeof(cg));
	if (!cg)
		goto fail;
	cg->path = strdup(rel);
	cg->bh_kn.name = strdup(level ? last + 1 : "/");
	if (!cg->path || !cg->bh_kn.name) {
		free(cg->path);
		free((char *)cg->bh_kn.name);
		free(cg);
		goto fail;
	}
	cg->usage = 1;
	cg->level = level;
	cg->max_depth = INT_MAX;
	cg->kn = &cg->bh_kn;
	cg->bh_kn.id = id;
	cg->bh_kn.parent = parent ? parent->kn : NULL;
	cg->self.cgroup = cg;
	cg->self.parent = parent ? &parent->self : NULL;
	for (int i = 0; i < level; i++)
		cg->ancestors[i] = parent->ancestors[i];
	cg->ancestors[level] = cg;

	pthread_mutex_lock(&bh_cg_lock);
	other = bh_cg_lookup_locked(id); /* built meanwhile by another thread */
	if (!other && bh_cg_count < BH_CGROUP_MAX) {
		unsigned int h = bh_cg_hash(id);

		cg->bh_next = bh_cg_table[h];
		bh_cg_table[h] = cg;
		bh_cg_count++;
		pthread_mutex_unlock(&bh_cg_lock);
		return cg;
	}
	pthread_mutex_unlock(&bh_cg_lock);
	cg->level = level; /* bh_cg_free drops the parent */
	bh_cg_free(cg);
	return other;
fail:
	bh_cgroup_put(parent);
	return NULL;
}

/* Depth-first search below mount + path (length len) for directory id */
static bool bh_cg_walk(char *path, size_t len, size_t cap, uint64_t id,
		       int depth)
{
	char full[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (depth > BH_CGROUP_MAX_LEVEL ||
	    (size_t)snprintf(full, sizeof(full), "%s%s", bh_cgroup_mount(),
			     path) >= sizeof(full))
		return false;
	d = opendir(full);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, "..") || len + n + 2 > cap)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		if ((uint64_t)de->d_ino == id ||
		    bh_cg_walk(path, len + 1 + n, cap, id, depth + 1))
			found = true;
		else
			path[len] = '\0';
	}
	closedir(d);
	return found;
}

struct cgroup *bh_cgroup_get_id(uint64_t id)
{
	char path[PATH_MAX] = "";
	struct cgroup *cg;

	if (!id || !bh_cgroup_mount()[0])
		return NULL;
	pthread_mutex_lock(&bh_cg_lock);
	cg = bh_cg_lookup_locked(id);
	pthread_mutex_unlock(&bh_cg_lock);
	if (cg) {
		/* still there? (a removed cgroup is not returned) */
		if (bh_cg_ino(cg->path) == id)
			return cg;
		bh_cgroup_put(cg);
	}
	if (bh_cg_ino("") != id && !bh_cg_walk(path, 0, sizeof(path), id, 0))
		return NULL;
	cg = bh_cgroup_get_path(path);
	if (cg && cg->kn->id != id) { /* replaced while we looked */
		bh_cgroup_put(cg);
		return NULL;
	}
	return cg;
}

/* The "0::<path>" line of /proc/<pid>/cgroup */
struct cgroup *bh_cgroup_of(const char *pid)
{
	char file[64], line[PATH_MAX + 8];
	struct cgroup *cg = NULL;
	FILE *f;

	if (!bh_cgroup_mount()[0])
		return NULL;
	snprintf(file, sizeof(file), "/proc/%s/cgroup", pid);
	f = fopen(file, "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* "0::/" is the root: "" */
		cg = bh_cgroup_get_path(line[4] ? line + 3 : "");
		break;
	}
	fclose(f);
	return cg;
}

__bpf_kfunc_start_defs();

/* A new reference to the cgroup with this id, or NULL. */
__bpf_kfunc struct cgroup *bpf_cgroup_from_id(uint64_t cgid)
{
	return bh_cgroup_get_id(cgid);
}

/* A new reference to cgrp, NULL if it is being freed. */
__bpf_kfunc struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp)
{
	return bh_cgroup_get_ref(cgrp);
}

__bpf_kfunc void bpf_cgroup_release(struct cgroup *cgrp)
{
	bh_cgroup_put(cgrp);
}

/* The destructor of a struct cgroup kptr (not a kfunc). */
__bpf_kfunc void bpf_cgroup_release_dtor(void *cgrp)
{
	bh_cgroup_put(cgrp);
}

/* A new reference to cgrp's ancestor at level, NULL past cgrp's level. */
__bpf_kfunc struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level)
{
	if (level > cgrp->level || level < 0)
		return NULL;
	return bh_cgroup_get_ref(cgrp->ancestors[level]);
}

/* Whether task's default cgroup is ancestor or below it. */
__bpf_kfunc long bpf_task_under_cgroup(struct task_struct *task,
				       struct cgroup *ancestor)
{
	struct cgroup *cg = task->cgroups->dfl_cgrp;

	if (!cg || ancestor->level > cg->level)
		return 0;
	return cg->ancestors[ancestor->level]->kn->id == ancestor->kn->id;
}

__bpf_kfunc int bpf_cgroup_read_xattr(struct cgroup *cgroup,
				      const char *name__str,
				      struct bpf_dynptr *value_p)
{
	const struct bpf_dynptr_kern *d = (const void *)value_p;
	uint32_t len = d->size & BH_DYNPTR_SIZE_MASK;
	char path[PATH_MAX];
	ssize_t n;

	if (strncmp(name__str, "user.", 5))
		return -EPERM;
	/* __bpf_dynptr_data_rw: a null or read-only dynptr has no room */
	if (!d->data || (d->size & BH_DYNPTR_RDONLY_BIT))
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s%s", bh_cgroup_mount(),
		     cgroup->path) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = getxattr(path, name__str, (char *)d->data + d->offset, len);
	return n < 0 ? -errno : (int)n;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_cgroup_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cgroup_acquire, KF_ACQUIRE | KF_RCU | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_cgroup_release, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_cgroup_ancestor, KF_ACQUIRE | KF_RCU | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_cgroup_from_id, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_task_under_cgroup, KF_RCU)
BTF_KFUNCS_END(bh_cgroup_kfunc_ids)

static const struct btf_kfunc_id_set bh_cgroup_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_cgroup_kfunc_ids,
};

BTF_KFUNCS_START(bh_cgroup_common_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cgroup_read_xattr, KF_RCU)
BTF_KFUNCS_END(bh_cgroup_common_kfunc_ids)

static const struct btf_kfunc_id_set bh_cgroup_common_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_cgroup_common_kfunc_ids,
};

/* The kernel's generic set: tracing, struct_ops, syscall, tc, xdp and
 * cgroup programs; bpfhost has the first three. */
int bh_stdlib_cgroup_add(struct bpfhost_rt *rt)
{
	int ret = bpfhost_kfunc_set_add(rt, "syscall", &bh_cgroup_kfunc_set);

	ret = ret ? ret
		  : bpfhost_kfunc_set_add(rt, "tracing", &bh_cgroup_kfunc_set);
	/* the kernel's common set */
	ret = ret ? ret
		  : bpfhost_kfunc_set_add(rt, "*", &bh_cgroup_common_kfunc_set);
	/* the kernel's generic_dtors: cgroups can be map kptrs */
	return ret ? ret
		   : bpfhost_dtor_add(rt, "cgroup", bpf_cgroup_release_dtor);
}
