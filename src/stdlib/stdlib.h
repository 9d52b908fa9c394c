/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpfhost's built-in kfuncs, with the Linux names, prototypes, flags and
 * behaviour.  They are ordinary kfuncs: defined with <bpfhost/kfunc.h>,
 * registered through bpfhost_kfunc_set_add(), with BTF embedded in the
 * library at build.
 */
#ifndef BPFHOST_STDLIB_H
#define BPFHOST_STDLIB_H

struct bpfhost_rt;

/* Register every built-in set into a new runtime; 0 or -errno. */
int bh_stdlib_add(struct bpfhost_rt *rt);

/* One per file of src/stdlib: register that file's sets and helpers. */
int bh_stdlib_common_add(struct bpfhost_rt *rt);  /* iter_num, rcu */
int bh_stdlib_cpumask_add(struct bpfhost_rt *rt); /* cpumask.c */
int bh_stdlib_task_add(struct bpfhost_rt *rt);	  /* task.c, cgroup.c */
int bh_stdlib_mem_add(struct bpfhost_rt *rt);	  /* dynptr, strings, obj_new, ... */

#endif
