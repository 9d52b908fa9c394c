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

#endif
