/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening a built test object for a runtime test: only the programs a
 * test runs are verified and loaded.
 */
#ifndef BH_TEST_OBJS_H
#define BH_TEST_OBJS_H

#include <stddef.h>

#include "bpfhost/bpfhost.h"

/*
 * $BUILD/progs/<file> opened in rt and loaded with only the programs
 * named in progs (NULL-terminated; NULL: all of them).  NULL on failure,
 * with the reason in log (which may be NULL).
 */
struct bpfhost_obj *th_obj_load(struct bpfhost_rt *rt, const char *file,
				const char *const *progs, char *log,
				size_t logsz);

#endif
