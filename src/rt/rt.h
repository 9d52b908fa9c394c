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
#include "bpfhost/kfunc.h"
#include "btf/hbtf.h"
#include "btf/typestr.h"
#include "exec/exec.h"
#include "kfunc/kfunc.h"
#include "maps/map.h"
#include "object/object.h"
#include "stdlib/stdlib.h"

struct bh_prog_type {
	char *name;
	char *sec;
	char *hook;
	char *ctx_type;
	uint32_t ctx_size;
	struct bpfhost_ctx_range *ctx_read, *ctx_write;
	size_t n_ctx_read, n_ctx_write;
	bool sleepable;
	bool ret_checked;
	int64_t ret_min, ret_max;
	uint32_t caps;
	int kernel_type; /* enum bpf_prog_type it stands for, or -1 */
};

struct bpfhost_rt {
	bpfhost_log_fn log;
	void *log_ctx;
	bpfhost_log_fn printk;
	void *printk_ctx;
	struct bh_hbtf *hbtf;
	struct bh_kfunc_reg *reg;
	struct bh_prog_type *types;
	size_t ntypes;
	struct bpfhost_hook **hooks;
	size_t nhooks;
	/* what programs' bpf_obj_new calls may allocate, all objects */
	struct bh_mem_pool objs;
};

struct bpfhost_map {
	struct bpfhost_obj *obj;
	struct bh_map *map;
	const char *name;
};

struct bpfhost_prog {
	struct bpfhost_obj *obj;
	struct bh_obj_prog *p;		 /* image inside obj->o */
	struct bh_code *code;		 /* after load */
	const struct bh_prog_type *type; /* from its SEC(), at open */
	struct bpf_prog info; /* what filters and __prog kfuncs see */
	bool no_autoload;     /* bpfhost_prog_set_autoload(prog, false) */
	/* from the verifier: what execution needs to know */
	uint8_t *aux; /* per insn: BH_AUX_* (NULL if unverified) */
	/* per insn: the program-BTF struct of an object kfunc call (NULL if
	 * none); its record goes in as the call's meta argument */
	uint32_t *obj_type;
	uint32_t *node_off;    /* per insn: a graph insert's node offset */
	uint32_t min_ctx_size; /* a run must pass at least this many bytes */
	bool verified;	       /* the verifier ran (accepted or not) */
	struct bpfhost_verify_info vinfo;
};

struct bpfhost_obj {
	struct bpfhost_rt *rt;
	struct bh_object *o;
	char *name;
	struct bpfhost_prog *progs;
	size_t prog_cnt;
	struct bpfhost_map *maps;
	size_t map_cnt;
	/* records of the object's BTF structs that programs allocate or
	 * maps hold (stdlib.h), built on demand, freed with the object
	 * after its maps */
	struct bh_obj_meta **metas;
	size_t nmetas;
	/* where the programs' timers fire (stdlib.h); its thread stops
	 * before the code and maps are freed */
	struct bh_async_exec *async;
	bool loaded;
	bool attached;
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
/* A warning: appended to the caller's log buffer and sent to the log. */
void bh_obj_warnf(struct bpfhost_obj *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send a message to the runtime's log callback (stderr by default). */
void bh_rt_log(struct bpfhost_rt *rt, enum bpfhost_log_level level,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* bpf_trace_printk sink for struct bh_run_env: ctx is the runtime. */
void bh_rt_printk(void *ctx, const char *msg);

/* Host BTF of this process (library, executable, shared objects). */
struct bh_hbtf *bh_rt_self_hbtf(char *err, size_t errsz);
/* Copy the default registry's kfuncs into rt's registry. */
int bh_rt_adopt_default(struct bpfhost_rt *rt, char *err, size_t errsz);

/* Built-in program types into a new runtime; 0 or -errno. */
int bh_rt_add_builtin_types(struct bpfhost_rt *rt);
void bh_rt_free_types(struct bpfhost_rt *rt);
/* The program type a SEC() name selects, and whether the name asks for a
 * sleepable program; NULL if none matches. */
const struct bh_prog_type *bh_rt_type_for_sec(const struct bpfhost_rt *rt,
					      const char *sec, bool *sleepable);
/* Names of the known SEC() prefixes, for messages. */
void bh_rt_type_list(const struct bpfhost_rt *rt, char *buf, size_t size);

void bh_hook_free(struct bpfhost_hook *h);
/* The host FUNC a tracing program's hook was declared with (verifier ctx
 * typing); -ENOENT if the program names no declared hook. */
int bh_hook_func_of(struct bpfhost_rt *rt, const struct bpfhost_prog *prog,
		    struct bh_btf_ref *func);
/* Detach every program of obj from the runtime's hooks. */
void bh_obj_detach(struct bpfhost_obj *obj);

/*
 * One frame of a BPF stack trace (bpf_stream_print_stack), for insn idx
 * of the program whose host view (what __prog kfuncs receive) is info:
 * "bpf_prog_<function>+0x<off>/0x<size>\n" (byte offsets, as the
 * kernel's %pS of a program address), then, when line info has it,
 * "  <source line> @ <file>:<line>\n".  The length written.
 */
int bh_prog_frame_str(const struct bpf_prog *info, uint32_t idx, char *buf,
		      size_t size);

/* Check an opts struct: NULL, or sz covering at least `base` bytes, and any
 * bytes past what we know zero (so newer callers fail loudly). */
bool bh_opts_valid(const void *opts, size_t known_sz);

#endif
