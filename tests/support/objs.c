// SPDX-License-Identifier: BSD-2-Clause
/* Opening a built test object with some of its programs (objs.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "support/objs.h"

struct bpfhost_obj *th_obj_load(struct bpfhost_rt *rt, const char *file,
				const char *const *progs, char *log,
				size_t logsz)
{
	struct bpfhost_open_opts o = {
		.sz = sizeof(o),
		.log_buf = log,
		.log_size = log ? logsz : 0,
	};
	struct bpfhost_obj *obj;
	char path[512];

	if (log && logsz)
		log[0] = '\0';
	if (!rt)
		return NULL;
	snprintf(path, sizeof(path), "%s/progs/%s", th_build_dir(), file);
	obj = bpfhost_obj_open(rt, path, &o);
	if (!obj)
		return NULL;
	for (size_t i = 0; progs && i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);
		bool want = false;

		for (const char *const *n = progs; *n; n++)
			want |= !strcmp(bpfhost_prog_name(p), *n);
		bpfhost_prog_set_autoload(p, want);
	}
	if (bpfhost_obj_load(obj)) {
		bpfhost_obj_free(obj);
		return NULL;
	}
	return obj;
}
