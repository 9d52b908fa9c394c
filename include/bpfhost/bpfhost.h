/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpfhost public runtime API.
 *
 * A runtime (bpfhost_rt) holds what a host registers: program types, kfunc
 * sets, BTF.  Objects (clang-built BPF ELF files) are opened against a
 * runtime, loaded (linked, verified, prepared for execution) and their
 * programs run.  Conventions: int functions return 0 or a negative errno;
 * pointer functions return NULL and set errno; every opts struct starts with
 * `size_t sz` (use BPFHOST_OPTS) so it can grow; every object has one _free.
 * A loaded program may be run from many threads at once.
 */
#ifndef BPFHOST_BPFHOST_H
#define BPFHOST_BPFHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFHOST_API __attribute__((visibility("default")))

/* Declare and zero an opts struct with its size filled in. */
#define BPFHOST_OPTS(type, name, ...) \
	struct type name = {.sz = sizeof(struct type), __VA_ARGS__}

struct bpfhost_rt;
struct bpfhost_obj;
struct bpfhost_prog;
struct bpfhost_map;

enum bpfhost_log_level {
	BPFHOST_LOG_WARN = 0,
	BPFHOST_LOG_INFO = 1,
	BPFHOST_LOG_DEBUG = 2,
};

/* Receives runtime messages (errors, warnings) and bpf_printk output. */
typedef void (*bpfhost_log_fn)(void *ctx, enum bpfhost_log_level level,
			       const char *msg);

struct bpfhost_rt_opts {
	size_t sz;
	bpfhost_log_fn log; /* NULL: messages to stderr */
	void *log_ctx;
	bpfhost_log_fn printk; /* bpf_printk output; NULL: same as log */
	void *printk_ctx;
};

/*
 * A new runtime knows the built-in program types ("syscall", and "tracing"
 * for typed hooks), the host BTF of the running process (libbpfhost's own,
 * the executable's and every loaded shared object's .BTF section) and
 * every kfunc set registered so far with register_btf_kfunc_id_set().
 */
BPFHOST_API struct bpfhost_rt *
bpfhost_rt_new(const struct bpfhost_rt_opts *opts);
BPFHOST_API void bpfhost_rt_free(struct bpfhost_rt *rt);
/* Add host BTF: a raw BTF file or an ELF file with a .BTF section. */
BPFHOST_API int bpfhost_rt_add_btf_file(struct bpfhost_rt *rt,
					const char *path);

/* ---- program types ---- */

struct bpfhost_ctx_range {
	uint32_t off;
	uint32_t size;
};

#define BPFHOST_CAP_DESTRUCTIVE (1u << 0) /* may call KF_DESTRUCTIVE kfuncs */

struct bpfhost_prog_type {
	size_t sz;
	const char *name;     /* "filter" */
	const char *sec;      /* SEC() prefix: "filter" matches SEC("filter")
			       * and SEC("filter/..."); "filter.s..." is the
			       * sleepable form.  NULL: name */
	const char *hook;     /* whose kfunc sets it sees; NULL: name */
	const char *ctx_type; /* host BTF struct of the ctx; NULL: a
			       * caller-given buffer (as "syscall") */
	uint32_t ctx_size;    /* buffer types: largest ctx, 0 = any */
	const struct bpfhost_ctx_range *ctx_read; /* readable byte ranges */
	size_t n_ctx_read;
	const struct bpfhost_ctx_range *ctx_write; /* writable byte ranges */
	size_t n_ctx_write;
	bool sleepable;	  /* every program of the type may sleep */
	bool ret_checked; /* r0 at exit must lie in [ret_min, ret_max] */
	int64_t ret_min;
	int64_t ret_max;
	uint32_t caps; /* BPFHOST_CAP_* granted to its programs */
};

/* Register a program type before opening objects that use it. */
BPFHOST_API int bpfhost_prog_type_add(struct bpfhost_rt *rt,
				      const struct bpfhost_prog_type *type);

struct bpfhost_open_opts {
	size_t sz;
	const char *name; /* object name for messages (default: path) */
	char *log_buf;	  /* load log (errors, verifier log) */
	size_t log_size;
	uint32_t log_level; /* 0 errors only, 1 path to error, 2 every insn */
	bool unverified;    /* DEBUG ONLY: load without verification */
};

BPFHOST_API struct bpfhost_obj *
bpfhost_obj_open(struct bpfhost_rt *rt, const char *path,
		 const struct bpfhost_open_opts *opts);
BPFHOST_API struct bpfhost_obj *
bpfhost_obj_open_mem(struct bpfhost_rt *rt, const void *buf, size_t size,
		     const struct bpfhost_open_opts *opts);
/*
 * An object holding one program "main" made of raw instructions (8-byte
 * slots, little-endian), with no maps: for test suites and tools that
 * speak bytecode, such as the eBPF conformance suite.
 */
BPFHOST_API struct bpfhost_obj *
bpfhost_obj_open_insns(struct bpfhost_rt *rt, const char *name,
		       const void *insns, size_t size,
		       const struct bpfhost_open_opts *opts);
/* Link, verify and prepare every program; after it, programs can run. */
BPFHOST_API int bpfhost_obj_load(struct bpfhost_obj *obj);
BPFHOST_API void bpfhost_obj_free(struct bpfhost_obj *obj);
BPFHOST_API const char *bpfhost_obj_name(const struct bpfhost_obj *obj);
BPFHOST_API const char *bpfhost_obj_license(const struct bpfhost_obj *obj);
/* The message of the last failed call on obj ("" if none). */
BPFHOST_API const char *bpfhost_obj_error(const struct bpfhost_obj *obj);

/* The object's own BTF (libbpf's struct btf, <bpf/btf.h>), or NULL. */
struct btf;
BPFHOST_API const struct btf *bpfhost_obj_btf(const struct bpfhost_obj *obj);

BPFHOST_API size_t bpfhost_obj_prog_count(const struct bpfhost_obj *obj);
BPFHOST_API struct bpfhost_prog *bpfhost_obj_prog_at(struct bpfhost_obj *obj,
						     size_t i);
/* By function name, or by SEC() name when no function has that name. */
BPFHOST_API struct bpfhost_prog *bpfhost_obj_prog(struct bpfhost_obj *obj,
						  const char *name);

BPFHOST_API const char *bpfhost_prog_name(const struct bpfhost_prog *prog);
/* Before load: whether bpfhost_obj_load() prepares this program (default
 * true); a program not loaded cannot run (-EPERM). */
BPFHOST_API int bpfhost_prog_set_autoload(struct bpfhost_prog *prog,
					  bool autoload);
BPFHOST_API const char *bpfhost_prog_section(const struct bpfhost_prog *prog);
/* The program type its SEC() selected, e.g. "syscall". */
BPFHOST_API const char *bpfhost_prog_type(const struct bpfhost_prog *prog);
BPFHOST_API size_t bpfhost_prog_insn_count(const struct bpfhost_prog *prog);

/* The program image: the program and its subprograms, 8-byte slots. */
BPFHOST_API const void *bpfhost_prog_insns(const struct bpfhost_prog *prog,
					   size_t *cnt);

struct bpfhost_line {
	const char *file; /* source file path, "" if unknown */
	const char *text; /* the source line, "" if unknown */
	uint32_t line;
	uint32_t col;
};
/* The source line of instruction idx (from .BTF.ext line info): 0, or
 * -ENOENT when the object carries none for it. */
BPFHOST_API int bpfhost_prog_line(const struct bpfhost_prog *prog, size_t idx,
				  struct bpfhost_line *line);
/* Name of the (sub)program starting at instruction idx, else NULL. */
BPFHOST_API const char *bpfhost_prog_func_at(const struct bpfhost_prog *prog,
					     size_t idx);

/*
 * Disassemble insns[idx] (cnt slots in all) in the kernel verifier-log
 * syntax.  Returns how many slots the instruction takes (1 or 2).
 */
BPFHOST_API int bpfhost_disasm(const void *insns, size_t cnt, size_t idx,
			       char *buf, size_t size);

/* What the verifier did for a program (after bpfhost_obj_load(), whether
 * it accepted it or not): the kernel's statistics. */
struct bpfhost_verify_info {
	bool accepted;
	uint64_t insn_processed; /* "processed N insns" */
	uint32_t max_states_per_insn;
	uint32_t total_states;
	uint32_t peak_states;
	uint64_t verification_ns;
	uint32_t stack_depth; /* bytes, summed over subprograms */
};
/* -ENOENT when the program was not verified (not loaded, or unverified). */
BPFHOST_API int bpfhost_prog_verify_info(const struct bpfhost_prog *prog,
					 struct bpfhost_verify_info *info);

struct bpfhost_run_opts {
	size_t sz;
	uint64_t insn_limit; /* unverified runs only: stop after N insns */
};

/*
 * Run a loaded program on ctx (ctx_size bytes; the program sees r1 = ctx,
 * r2 = ctx_size).  0 with *retval = r0, or -errno: -EPERM if the object
 * was not loaded, -EINVAL if ctx is shorter than the bytes the verifier
 * saw the program access, -EFAULT if an unverified program faulted (call
 * depth, bad callx, instruction limit).
 */
BPFHOST_API int bpfhost_prog_run(struct bpfhost_prog *prog, void *ctx,
				 size_t ctx_size, uint64_t *retval);
BPFHOST_API int bpfhost_prog_run_opts(struct bpfhost_prog *prog, void *ctx,
				      size_t ctx_size, uint64_t *retval,
				      const struct bpfhost_run_opts *opts);

/* ---- typed-argument hooks (the user-space tp_btf / fentry) ---- */

struct bpfhost_hook;

/*
 * Declare a hook named `name` whose arguments are those of the host
 * function `proto_func` as its BTF states them (e.g. a function
 * `void on_request(struct request *req, int flags)`; it is not called).
 * Programs attach with SEC("tp_btf/<name>") and read the arguments the
 * kernel way (BPF_PROG(), or a ctx of u64 slots); pointer arguments are
 * typed by the host's BTF.  At most 12 arguments, each a pointer or an
 * integer.  NULL with errno on failure (message in the runtime's log).
 */
BPFHOST_API struct bpfhost_hook *bpfhost_hook_add(struct bpfhost_rt *rt,
						  const char *name,
						  const char *proto_func);
BPFHOST_API struct bpfhost_hook *bpfhost_hook_find(struct bpfhost_rt *rt,
						   const char *name);
/*
 * Attach every SEC("tp_btf/...") program of a loaded object to its hook
 * (each hook must have been declared).  Detached when the object is freed.
 */
BPFHOST_API int bpfhost_obj_attach(struct bpfhost_obj *obj);
/*
 * Run every program attached to the hook, in attach order, with the
 * arguments given after `last_ret` (as the hook's prototype types them:
 * pointers and integers, as for a call of the prototype).  Returns the
 * number of programs run, *last_ret (if not NULL) the last one's r0; or
 * -errno.  Safe to call from many threads, and while objects attach.
 */
BPFHOST_API int bpfhost_hook_fire(struct bpfhost_hook *hook, uint64_t *last_ret,
				  ...);
/* The same with the arguments as an array of u64 slots. */
BPFHOST_API int bpfhost_hook_fire_args(struct bpfhost_hook *hook,
				       const uint64_t *args, size_t nargs,
				       uint64_t *last_ret);

/* ---- maps ---- */

struct bpfhost_map_info {
	const char *name;
	uint32_t type; /* Linux enum bpf_map_type value */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
};

BPFHOST_API size_t bpfhost_obj_map_count(const struct bpfhost_obj *obj);
BPFHOST_API struct bpfhost_map *bpfhost_obj_map_at(struct bpfhost_obj *obj,
						   size_t i);
BPFHOST_API struct bpfhost_map *bpfhost_obj_map(struct bpfhost_obj *obj,
						const char *name);
BPFHOST_API void bpfhost_map_info(const struct bpfhost_map *map,
				  struct bpfhost_map_info *info);
/* For a kfunc's `__map` argument (the verifier made sure the program
 * passed a map; what arrives is the runtime's own map object, as the
 * kernel passes its struct bpf_map): the map's info, name NULL. */
BPFHOST_API void bpfhost_kfunc_map_info(const void *map__map,
					struct bpfhost_map_info *info);
/* Copies the value out; -ENOENT if absent.  Maps exist from open on.
 * Per-CPU maps (BPF_MAP_TYPE_PERCPU_ARRAY, _PERCPU_HASH), as libbpf's
 * bpf_map_lookup_elem/bpf_map_update_elem: value holds one copy per
 * possible CPU, value_size rounded up to 8 apart,
 * bpfhost_map_value_size() bytes in all. */
BPFHOST_API int bpfhost_map_lookup(struct bpfhost_map *map, const void *key,
				   void *value);
/* flags: BPFHOST_ANY, BPFHOST_NOEXIST, BPFHOST_EXIST */
BPFHOST_API int bpfhost_map_update(struct bpfhost_map *map, const void *key,
				   const void *value, uint64_t flags);
/* The bytes bpfhost_map_lookup/_update move: value_size, or for a per-CPU
 * map round_up(value_size, 8) * bpfhost_num_possible_cpus(). */
BPFHOST_API size_t bpfhost_map_value_size(const struct bpfhost_map *map);
/* The host's possible CPUs as bpfhost counts them (libbpf's
 * libbpf_num_possible_cpus()): per-CPU data has one copy for each. */
BPFHOST_API int bpfhost_num_possible_cpus(void);
BPFHOST_API int bpfhost_map_delete(struct bpfhost_map *map, const void *key);
/* key NULL: first key.  -ENOENT after the last. */
BPFHOST_API int bpfhost_map_next_key(struct bpfhost_map *map, const void *key,
				     void *next_key);

/*
 * Ring buffers (BPF_MAP_TYPE_RINGBUF), read by the host as libbpf's
 * ring_buffer__consume/poll read the kernel's: cb gets each record the
 * programs submitted, in order (discarded ones skipped); a negative
 * return from cb stops and is returned.  One consumer at a time per map.
 * consume: the number of records read (0: none ready).  poll: the same,
 * but when none was ready waits up to timeout_ms (-1: forever) for the
 * programs' wake-up.  fd: an eventfd that a wake-up makes readable, for
 * the host's own epoll loop.  -EINVAL if map is not a ring buffer.
 */
typedef int (*bpfhost_ringbuf_cb)(void *ctx, void *data, size_t size);
BPFHOST_API int bpfhost_ringbuf_consume(struct bpfhost_map *map,
					bpfhost_ringbuf_cb cb, void *ctx);
BPFHOST_API int bpfhost_ringbuf_poll(struct bpfhost_map *map,
				     bpfhost_ringbuf_cb cb, void *ctx,
				     int timeout_ms);
BPFHOST_API int bpfhost_ringbuf_fd(struct bpfhost_map *map);

/* ---- kfuncs registered in a runtime (for listings and tools) ---- */

struct bpfhost_kfunc_arg_info {
	const char *name;      /* parameter name */
	char type[128];	       /* C type, e.g. "struct sess *" */
	char annotations[128]; /* "__sz", "__k", ... */
	uint32_t flags;	       /* KF_ARG_* contract after normalisation */
	uint32_t declared;     /* KF_ARG_* as the set wrote them */
	char flags_str[96];    /* the contract, e.g. "trusted,nullable" */
};

struct bpfhost_kfunc_info {
	const char *name;
	const char *prog_type; /* hook it is registered for, "*" = all */
	uint32_t flags;	       /* KF_* */
	char flags_str[256];   /* "KF_ACQUIRE | KF_RET_NULL" */
	char proto[512];       /* C prototype with parameter names */
	uint32_t nargs;
	struct bpfhost_kfunc_arg_info args[5];
	bool removed;		 /* BPFHOST_ID_REMOVED */
	bool deprecated;	 /* KF_DEPRECATED */
	const char *replacement; /* or NULL */
	const char *message;	 /* or NULL */
	const char *origin;	 /* the BTF source of its prototype */
	uint32_t btf_id;	 /* the id a linked call carries in imm */
	uint32_t btf_src;	 /* ... and the source index in off */
};

BPFHOST_API size_t bpfhost_kfunc_count(const struct bpfhost_rt *rt);
BPFHOST_API int bpfhost_kfunc_info(const struct bpfhost_rt *rt, size_t i,
				   struct bpfhost_kfunc_info *info);
/* Write a C header of every host type and an `extern ... __ksym;` line
 * for each kfunc, for BPF programs to include (like vmlinux.h). */
BPFHOST_API int bpfhost_btf_dump_c(const struct bpfhost_rt *rt, FILE *out);

#define BPFHOST_ANY 0
#define BPFHOST_NOEXIST 1
#define BPFHOST_EXIST 2

#ifdef __cplusplus
}
#endif

#endif
