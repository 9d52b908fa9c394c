/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Defining kfuncs the way the Linux kernel does, in a user-space host.
 *
 *	__bpf_kfunc_start_defs();
 *	__bpf_kfunc struct sess *sess_acquire(int id) { ... }
 *	__bpf_kfunc void sess_release(struct sess *s) { ... }
 *	__bpf_kfunc_end_defs();
 *
 *	BTF_KFUNCS_START(sess_kfuncs)
 *	BTF_ID_FLAGS(func, sess_acquire, KF_ACQUIRE | KF_RET_NULL)
 *	BTF_ID_FLAGS(func, sess_release, KF_RELEASE)
 *	BTF_KFUNCS_END(sess_kfuncs)
 *
 *	static const struct btf_kfunc_id_set sess_set = {
 *		.owner = THIS_MODULE,
 *		.set = &sess_kfuncs,
 *	};
 *	static int __init sess_init(void)
 *	{
 *		return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL,
 *						 &sess_set);
 *	}
 *	late_initcall(sess_init);
 *
 * The macros capture each kfunc's name, address and flags at compile time
 * (no resolve_btfids step); prototypes, parameter names (with their
 * __sz/__k/... suffixes) and types come from the host's BTF (`cc -g`, then
 * `pahole -J` on the binary), read when the set is registered.
 *
 * Flag values are the kernel's; KF_KPTR_GET, gone since 6.4, keeps the bit
 * and the meaning it had in 6.0-6.3 (KF_ACQUIRE | KF_RET_NULL | KF_KPTR_GET
 * on T *f(T **kptr_field, ...): a new reference to the object a map
 * value's referenced __kptr field holds, or NULL).  Beyond the kernel:
 *  - KF_DEPRECATED is a real bit; BPFHOST_ID_DEPRECATED() also names the
 *    replacement, and BPFHOST_ID_REMOVED() records a kfunc that is gone;
 *  - per-argument contracts: KF_ARG(n, KF_ARG_*) gives argument n (0-based)
 *    its own flags, or-ed into the same flags expression:
 *	BTF_ID_FLAGS(func, sess_swap, KF_ARG(0, KF_ARG_TRUSTED) |
 *				      KF_ARG(1, KF_ARG_RELEASE |
 *KF_ARG_NULLABLE)) Whole-function flags are sugar for per-argument ones
 *(KF_RELEASE = KF_ARG(0, KF_ARG_RELEASE); KF_TRUSTED_ARGS = KF_ARG_TRUSTED on
 *every pointer argument; KF_RCU = KF_ARG_RCU on every pointer argument).
 *
 * register_btf_kfunc_id_set() adds to a process-wide default registry that
 * every new runtime adopts; bpfhost_kfunc_set_add() adds to one runtime.
 */
#ifndef BPFHOST_KFUNC_H
#define BPFHOST_KFUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfhost/bpfhost.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- definition hygiene, as in the kernel ---- */

#ifdef __clang__
#define __bpf_kfunc __attribute__((__used__, __noinline__))
#else
#define __bpf_kfunc __attribute__((__used__, __noinline__, __noclone__))
#endif

#define __BH_PRAGMA(x) _Pragma(#x)
#define __diag_push() _Pragma("GCC diagnostic push")
#define __diag_pop() _Pragma("GCC diagnostic pop")
#define __diag_ignore_all(option, comment) \
	__BH_PRAGMA(GCC diagnostic ignored option)

#define __bpf_kfunc_start_defs()                                            \
	__diag_push();                                                      \
	__diag_ignore_all("-Wmissing-declarations",                         \
			  "Global kfuncs as their definitions are in BTF"); \
	__diag_ignore_all("-Wmissing-prototypes",                           \
			  "Global kfuncs as their definitions are in BTF")
#define __bpf_kfunc_end_defs() __diag_pop()

#ifndef __init
#define __init
#endif
#ifndef __exit
#define __exit
#endif

/* The kernel runs these at boot or module load; a host runs them before
 * main() (or when a plugin .so is loaded). */
#define late_initcall(fn)                                                 \
	__attribute__((constructor)) static void __bh_initcall_##fn(void) \
	{                                                                 \
		(void)fn();                                               \
	}
#define module_init(fn) late_initcall(fn)
#define module_exit(fn)

struct module;
#define THIS_MODULE ((struct module *)0)

/* ---- flags (kernel bit values) ---- */

#define KF_ACQUIRE (1u << 0)	    /* returns a new reference */
#define KF_RELEASE (1u << 1)	    /* releases its referenced argument */
#define KF_RET_NULL (1u << 2)	    /* may return NULL */
#define KF_KPTR_GET (1u << 3)	    /* 6.0-6.3: T *f(T **kptr_field, ...) */
#define KF_TRUSTED_ARGS (1u << 4)   /* every pointer argument trusted */
#define KF_SLEEPABLE (1u << 5)	    /* sleepable programs only */
#define KF_DESTRUCTIVE (1u << 6)    /* needs the destructive capability */
#define KF_RCU (1u << 7)	    /* pointer args trusted or RCU */
#define KF_ITER_NEW (1u << 8)	    /* iterator constructor */
#define KF_ITER_NEXT (1u << 9)	    /* iterator next */
#define KF_ITER_DESTROY (1u << 10)  /* iterator destructor */
#define KF_RCU_PROTECTED (1u << 11) /* only inside an RCU section */
#define KF_FASTCALL (1u << 12)	    /* bpf_fastcall contract */
#define KF_ARENA_RET (1u << 13)
#define KF_ARENA_ARG1 (1u << 14)
#define KF_ARENA_ARG2 (1u << 15)
/* Linux 7.0: the last parameter, a struct bpf_prog_aux *, is supplied by
 * the runtime and is not in the prototype programs declare */
#define KF_IMPLICIT_ARGS (1u << 16)
/* bpfhost's own, above every kernel bit */
#define KF_DEPRECATED (1u << 24) /* loads warn, naming the replacement */

/* Per-argument contracts, for KF_ARG(n, ...) */
#define KF_ARG_RELEASE (1u << 0)      /* released by the call */
#define KF_ARG_TRUSTED (1u << 1)      /* must be a trusted pointer */
#define KF_ARG_RCU (1u << 2)	      /* trusted or RCU-protected */
#define KF_ARG_NULLABLE (1u << 3)     /* NULL allowed */
#define KF_ARG_CONST (1u << 4)	      /* scalar must be a known constant */
#define KF_ARG_ACQUIRE_INTO (1u << 5) /* T **out: stores a new reference */
#define KF_ARG_MASK 0x3fu
#define KF_MAX_ARGS 5

#define KF_ARG(n, f) ((uint64_t)((f)&KF_ARG_MASK) << (32 + 6 * (n)))
#define KF_ARG_FLAGS(flags64, n) \
	((uint32_t)((flags64) >> (32 + 6 * (n))) & KF_ARG_MASK)

/* ---- sets ---- */

/* One kfunc of a set: what BTF_ID_FLAGS() records. */
struct bpfhost_kfunc_desc {
	const char *name;
	void *addr;	/* NULL: a removed kfunc (BPFHOST_ID_REMOVED) */
	uint64_t flags; /* KF_* | KF_ARG(n, ...) */
	const char *replacement; /* for deprecated or removed kfuncs */
	const char *message;
};

#define BTF_SET8_KFUNCS (1u << 0)

struct btf_id_set8 {
	uint32_t cnt;
	uint32_t flags;
	const struct bpfhost_kfunc_desc *funcs;
};

#define __BH_SET8_START(name) \
	static const struct bpfhost_kfunc_desc __bh_kfuncs_##name[] = {
#define __BH_SET8_END(name, setflags)                                     \
	}                                                                 \
	;                                                                 \
	struct btf_id_set8 name = {sizeof(__bh_kfuncs_##name) /           \
					   sizeof(__bh_kfuncs_##name[0]), \
				   setflags, __bh_kfuncs_##name};

#define BTF_KFUNCS_START(name) __BH_SET8_START(name)
#define BTF_KFUNCS_END(name) __BH_SET8_END(name, BTF_SET8_KFUNCS)
/* The pre-6.8 spelling; such sets are accepted as kfunc sets. */
#define BTF_SET8_START(name) __BH_SET8_START(name)
#define BTF_SET8_END(name) __BH_SET8_END(name, 0)

/* The flags argument: one expression, or none (0). */
#define __BH_KF_FIRST(zero, f, ...) ((uint64_t)(f))
#define __BH_KF_FLAGS(...) __BH_KF_FIRST(0, ##__VA_ARGS__, 0)

/* `prefix` is `func` as in the kernel. */
#define BTF_ID_FLAGS(prefix, name, ...) \
	{#name, (void *)(name), __BH_KF_FLAGS(__VA_ARGS__), 0, 0},

#define BPFHOST_ID_DEPRECATED(prefix, name, replacement, message, ...)      \
	{#name, (void *)(name), KF_DEPRECATED | __BH_KF_FLAGS(__VA_ARGS__), \
	 replacement, message},

#define BPFHOST_ID_REMOVED(name, replacement, message) \
	{#name, 0, 0, replacement, message},

/* The program a filter is asked about. */
struct bpf_prog {
	int type;	       /* enum bpf_prog_type, or -1 for host types */
	const char *prog_type; /* bpfhost program type name */
	const char *name;      /* function name */
	const char *sec_name;  /* SEC() name */
	bool sleepable;
};

/* Non-zero denies kfunc (by BTF id) to prog, as in the kernel. */
typedef int (*btf_kfunc_filter_t)(const struct bpf_prog *prog,
				  uint32_t kfunc_id);

struct btf_kfunc_id_set {
	struct module *owner;
	const struct btf_id_set8 *set;
	btf_kfunc_filter_t filter;
};

/* The kernel's program types, by the kernel's numbers. */
#ifndef __LINUX_BPF_H__
enum bpf_prog_type {
	BPF_PROG_TYPE_UNSPEC = 0, /* every program type */
	BPF_PROG_TYPE_SOCKET_FILTER = 1,
	BPF_PROG_TYPE_KPROBE = 2,
	BPF_PROG_TYPE_SCHED_CLS = 3,
	BPF_PROG_TYPE_SCHED_ACT = 4,
	BPF_PROG_TYPE_TRACEPOINT = 5,
	BPF_PROG_TYPE_XDP = 6,
	BPF_PROG_TYPE_PERF_EVENT = 7,
	BPF_PROG_TYPE_CGROUP_SKB = 8,
	BPF_PROG_TYPE_CGROUP_SOCK = 9,
	BPF_PROG_TYPE_LWT_IN = 10,
	BPF_PROG_TYPE_LWT_OUT = 11,
	BPF_PROG_TYPE_LWT_XMIT = 12,
	BPF_PROG_TYPE_SOCK_OPS = 13,
	BPF_PROG_TYPE_SK_SKB = 14,
	BPF_PROG_TYPE_CGROUP_DEVICE = 15,
	BPF_PROG_TYPE_SK_MSG = 16,
	BPF_PROG_TYPE_RAW_TRACEPOINT = 17,
	BPF_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
	BPF_PROG_TYPE_LWT_SEG6LOCAL = 19,
	BPF_PROG_TYPE_LIRC_MODE2 = 20,
	BPF_PROG_TYPE_SK_REUSEPORT = 21,
	BPF_PROG_TYPE_FLOW_DISSECTOR = 22,
	BPF_PROG_TYPE_CGROUP_SYSCTL = 23,
	BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
	BPF_PROG_TYPE_CGROUP_SOCKOPT = 25,
	BPF_PROG_TYPE_TRACING = 26,
	BPF_PROG_TYPE_STRUCT_OPS = 27,
	BPF_PROG_TYPE_EXT = 28,
	BPF_PROG_TYPE_LSM = 29,
	BPF_PROG_TYPE_SK_LOOKUP = 30,
	BPF_PROG_TYPE_SYSCALL = 31,
	BPF_PROG_TYPE_NETFILTER = 32,
};
#endif

/*
 * Register a set for a kernel program type into the process-wide default
 * registry (as the kernel does: UNSPEC = every program type; TRACING,
 * TRACEPOINT, RAW_TRACEPOINT, PERF_EVENT, LSM share the "tracing" hook;
 * SYSCALL is "syscall"; see README for the whole map).  Validates like the
 * kernel and more; on failure prints the reason to stderr and returns
 * -errno.  Safe to call from constructors.
 */
BPFHOST_API int register_btf_kfunc_id_set(enum bpf_prog_type prog_type,
					  const struct btf_kfunc_id_set *kset);

/*
 * Native API: add a set to one runtime for a program type or hook name
 * ("syscall", "tracing", a host type's name, or "*" for every type).
 * Returns 0 or -errno with the reason in the runtime's log.
 */
BPFHOST_API int bpfhost_kfunc_set_add(struct bpfhost_rt *rt,
				      const char *prog_type,
				      const struct btf_kfunc_id_set *kset);

/* ---- destructors of kptr types ---- */

/*
 * A host struct may be stored as a referenced kptr (`__kptr`) in a map
 * value only with a registered destructor, which the runtime calls on a
 * reference left in the map when its element is overwritten or deleted or
 * the map is freed.  The kernel's shape, with names captured at compile
 * time instead of resolve_btfids (BTF_ID_LIST has no end marker, so the
 * ids go straight into the entries):
 *
 *	static const struct btf_id_dtor_kfunc my_dtors[] = {
 *		{ .btf_id = BTF_ID(struct, my_obj),
 *		  .kfunc_btf_id = BTF_ID(func, my_obj_release_dtor) },
 *	};
 *	register_btf_id_dtor_kfuncs(my_dtors, ARRAY_SIZE(my_dtors),
 *				    THIS_MODULE);
 *
 * The destructor is `void f(void *)` (or `void f(struct my_obj *)`), and
 * struct my_obj must be in the host BTF.
 */
struct bpfhost_btf_id {
	const char *name;
	void *addr; /* functions only */
};

#define __BH_BTF_ID_struct(n) \
	{                     \
#n, 0         \
	}
#define __BH_BTF_ID_func(n)     \
	{                       \
#n, (void *)(n) \
	}
#define BTF_ID(prefix, name) __BH_BTF_ID_##prefix(name)

struct btf_id_dtor_kfunc {
	struct bpfhost_btf_id btf_id;	    /* the struct */
	struct bpfhost_btf_id kfunc_btf_id; /* its destructor */
};

/* Into the process-wide default registry; 0 or -errno (the reason on
 * stderr).  Safe to call from constructors. */
BPFHOST_API int
register_btf_id_dtor_kfuncs(const struct btf_id_dtor_kfunc *dtors,
			    uint32_t add_cnt, struct module *owner);

/* Native API: the destructor of host struct `type_name` for one runtime;
 * 0 or -errno (-ENOENT: no such struct in the host BTF, -EEXIST: another
 * destructor is registered for it). */
BPFHOST_API int bpfhost_dtor_add(struct bpfhost_rt *rt, const char *type_name,
				 void (*dtor)(void *));

/*
 * Trusted nested pointers, the kernel's allowlists: a pointer member of
 * struct T listed in a BTF_TYPE_SAFE_TRUSTED(struct T) { ... } struct
 * keeps its parent's trust when a program loads it from a trusted (or
 * referenced, or RCU) T; one listed in BTF_TYPE_SAFE_RCU(struct T) gives
 * an RCU pointer inside an RCU read section.  Everything else walked out
 * of a host object is untrusted.  Listing a member is the host's promise
 * that it is never NULL and stays valid as long as its parent does (the
 * kernel's contract too).  The list must reach the host's BTF:
 * name it once with BTF_TYPE_EMIT() in any function, as the kernel does.
 *
 *	BTF_TYPE_SAFE_NESTED(struct session) {
 *		struct user *owner;
 *	};
 *	... BTF_TYPE_EMIT(BTF_TYPE_SAFE_NESTED(struct session)); ...
 *
 * BTF_TYPE_SAFE_NESTED is the name of the seed's (Linux 6.3) trusted list.
 */
#define __BH_PASTE(a, b) a##b
#define __BH_PASTE2(a, b) __BH_PASTE(a, b)
#define BTF_TYPE_EMIT(type) ((void)(type *)0)
#define BTF_TYPE_SAFE_TRUSTED(__type) __BH_PASTE2(__type, __safe_trusted)
#define BTF_TYPE_SAFE_RCU(__type) __BH_PASTE2(__type, __safe_rcu)
#define BTF_TYPE_SAFE_NESTED(__type) BTF_TYPE_SAFE_TRUSTED(__type)

/* The default registry's last registration error (for hosts that want
 * to show it), "" if none. */
BPFHOST_API const char *bpfhost_kfunc_default_error(void);

/*
 * For a dynptr constructor, a kfunc with a `struct bpf_dynptr *name__uninit`
 * argument: make it a local dynptr over data[0..size), read-only if
 * rdonly.  -E2BIG past 16 MiB - 1 bytes, leaving it null.  The verifier
 * takes the dynptr as initialised after the call, so a constructor must
 * always initialise it (null, data NULL, on failure), and the memory must
 * stay valid as long as the program may use the dynptr (its run).
 */
BPFHOST_API int bpfhost_dynptr_init(void *dynptr__uninit, void *data,
				    uint32_t size, bool rdonly);

#ifdef __cplusplus
}
#endif

#endif
