// SPDX-License-Identifier: BSD-2-Clause
/*
 * A process's memory map as the kernel's struct vm_area_struct, walked
 * with the open-coded iterator bpf_iter_task_vma_new/next/destroy (the
 * kernel's common set: every program type; the task argument must be
 * trusted or RCU, as KF_RCU says).
 *
 * The iterator reads /proc/<pid>/maps once, at _new, and returns the
 * areas ending above `addr` in address order, as the kernel's maple-tree
 * walk does.  Each area is a snapshot owned by the iterator: pointers
 * returned by _next stay valid until _destroy.  vm_flags has VM_READ,
 * VM_WRITE, VM_EXEC and VM_SHARED from the permissions column;
 * vm_pgoff the file offset in pages; vm_file, for a file mapping, a
 * struct file whose f_path.dentry->d_name is the file's base name (and
 * bpfhost's own bh_path the whole path), NULL for anonymous memory.
 *
 * Errors of _new, as the kernel's: -ENOENT for a task without a memory
 * map (the idle task, kernel threads, a task gone), -ENOMEM; then _next
 * returns NULL.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/kfunc.h"
#include "stdlib.h"
#include "stdlib/task.h"

#define BH_PAGE_SHIFT 12

struct bh_vma_iter {
	size_t cnt, next;
	struct vm_area_struct *vmas;
	char *names; /* the paths, NUL-separated */
};

static void bh_vma_iter_free(struct bh_vma_iter *s)
{
	if (!s)
		return;
	free(s->vmas);
	free(s->names);
	free(s);
}

/* One line of maps: "start-end perms offset dev inode [path]". */
static bool bh_parse_maps_line(const char *line, struct vm_area_struct *v,
			       const char **path)
{
	unsigned long start, end;
	unsigned long long off;
	char perms[8];
	int n = 0;

	if (sscanf(line, "%lx-%lx %7s %llx %*s %*s%n", &start, &end, perms,
		   &off, &n) != 4 ||
	    !n || start >= end || strlen(perms) < 4)
		return false;
	memset(v, 0, sizeof(*v));
	v->vm_start = start;
	v->vm_end = end;
	v->vm_pgoff = (unsigned long)(off >> BH_PAGE_SHIFT);
	v->vm_flags = (perms[0] == 'r' ? VM_READ : 0) |
		      (perms[1] == 'w' ? VM_WRITE : 0) |
		      (perms[2] == 'x' ? VM_EXEC : 0) |
		      (perms[3] == 's' ? VM_SHARED : 0);
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	*path = line;
	return true;
}

/* Snapshot the areas of pid ending above addr; 0 or -errno. */
static int bh_vma_snapshot(struct bh_vma_iter *s, int pid, uint64_t addr)
{
	char fn[64], line[4096 + 128];
	size_t cap = 0, names_len = 0, names_cap = 0;
	size_t *name_off = NULL, lines = 0;
	FILE *f;
	int err = 0;

	snprintf(fn, sizeof(fn), "/proc/%d/maps", pid);
	f = fopen(fn, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		struct vm_area_struct v;
		const char *path;
		size_t plen;

		line[strcspn(line, "\n")] = '\0';
		if (!bh_parse_maps_line(line, &v, &path))
			continue;
		lines++;
		if (v.vm_end <= addr)
			continue;
		if (s->cnt == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *nv = realloc(s->vmas, ncap * sizeof(*s->vmas));
			void *no;

			if (!nv) {
				err = -ENOMEM;
				break;
			}
			s->vmas = nv;
			no = realloc(name_off, ncap * sizeof(*name_off));
			if (!no) {
				err = -ENOMEM;
				break;
			}
			name_off = no;
			cap = ncap;
		}
		/* a file mapping names an absolute path; [heap], [stack],
		 * [vdso] and anonymous memory have no file */
		plen = path[0] == '/' ? strlen(path) + 1 : 0;
		if (names_len + plen > names_cap) {
			size_t ncap = (names_len + plen) * 2 + 256;
			char *nn = realloc(s->names, ncap);

			if (!nn) {
				err = -ENOMEM;
				break;
			}
			s->names = nn;
			names_cap = ncap;
		}
		name_off[s->cnt] = plen ? names_len : SIZE_MAX;
		if (plen) {
			memcpy(s->names + names_len, path, plen);
			names_len += plen;
		}
		s->vmas[s->cnt++] = v;
	}
	fclose(f);
	if (!err && !lines)
		err = -ENOENT; /* no memory map: a kernel thread */
	/* point the files at the names once no realloc can move them */
	for (size_t i = 0; !err && i < s->cnt; i++) {
		struct vm_area_struct *v = &s->vmas[i];
		const char *full, *base;

		if (name_off[i] == SIZE_MAX)
			continue;
		full = s->names + name_off[i];
		base = strrchr(full, '/');
		base = base ? base + 1 : full;
		v->bh_dentry.d_name.name = (const unsigned char *)base;
		v->bh_dentry.d_name.len = (uint32_t)strlen(base);
		v->bh_file.f_path.dentry = &v->bh_dentry;
		v->bh_file.bh_path = full;
		v->vm_file = &v->bh_file;
	}
	free(name_off);
	return err;
}

__bpf_kfunc_start_defs();

__bpf_kfunc int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
				      struct task_struct *task, uint64_t addr)
{
	struct bh_vma_iter **kit = (struct bh_vma_iter **)it;
	struct bh_vma_iter *s;
	int err;

	_Static_assert(sizeof(struct bh_vma_iter *) <= sizeof(*it),
		       "iterator state size");
	memset(it, 0, sizeof(*it));
	if (!task || task->pid <= 0)
		return -ENOENT;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	err = bh_vma_snapshot(s, task->pid, addr);
	if (err) {
		bh_vma_iter_free(s);
		return err;
	}
	*kit = s;
	return 0;
}

__bpf_kfunc struct vm_area_struct *
bpf_iter_task_vma_next(struct bpf_iter_task_vma *it)
{
	struct bh_vma_iter *s = *(struct bh_vma_iter **)it;

	if (!s || s->next >= s->cnt)
		return NULL;
	return &s->vmas[s->next++];
}

__bpf_kfunc void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it)
{
	bh_vma_iter_free(*(struct bh_vma_iter **)it);
	memset(it, 0, sizeof(*it));
}

__bpf_kfunc_end_defs();

/* in the kernel's common set: every program type */
BTF_KFUNCS_START(bh_vma_kfunc_ids)
BTF_ID_FLAGS(func, bpf_iter_task_vma_new, KF_ITER_NEW | KF_RCU)
BTF_ID_FLAGS(func, bpf_iter_task_vma_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_task_vma_destroy, KF_ITER_DESTROY)
BTF_KFUNCS_END(bh_vma_kfunc_ids)

static const struct btf_kfunc_id_set bh_vma_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_vma_kfunc_ids,
};

int bh_stdlib_vma_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_vma_kfunc_set);
}
