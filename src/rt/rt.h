/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The runtime's handles behind the public API: what a runtime, an object, a
 * program and a map hold.  Only src/rt/ looks inside them; the stages it
 * drives (object reader, maps, interpreter) know nothing of these structs.
 */
#ifndef BPFHOST_RT_H
#define BPFHOST_RT_H

#include <stdarg.h>

#include "bpfhost/bpfhost.h"
#include "exec/exec.h"
#include "maps/map.h"
#include "object/object.h"

struct bpfhost_rt {
	bpfhost_log_fn log;
	void *log_ctx;
	bpfhost_log_fn printk;
	void *printk_ctx;
};

struct bpfhost_map {
	struct bpfhost_obj *obj;
	struct bh_map *map;
	const char *name;
};

struct bpfhost_prog {
	struct bpfhost_obj *obj;
	struct bh_obj_prog *p; /* image inside obj->o */
	struct bh_code *code;  /* after load */
};

struct bpfhost_obj {
	struct bpfhost_rt *rt;
	struct bh_object *o;
	char *name;
	struct bpfhost_prog *progs;
	size_t prog_cnt;
	struct bpfhost_map *maps;
	size_t map_cnt;
	bool loaded;
	bool unverified;
	uint32_t log_level;
	char *log_buf; /* the caller's, from open opts */
	size_t log_size;
	size_t log_len;
	char err[1024];
};

/* Report an error (kept in obj->err, appended to the caller's log buffer,
 * sent to the runtime's log) and return -err. */
int bh_obj_errorf(struct bpfhost_obj *obj, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send a message to the runtime's log callback (stderr by default). */
void bh_rt_log(struct bpfhost_rt *rt, enum bpfhost_log_level level,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* bpf_trace_printk sink for struct bh_run_env: ctx is the runtime. */
void bh_rt_printk(void *ctx, const char *msg);

/* Check an opts struct: NULL, or sz covering at least `base` bytes, and any
 * bytes past what we know zero (so newer callers fail loudly). */
bool bh_opts_valid(const void *opts, size_t known_sz);

#endif
