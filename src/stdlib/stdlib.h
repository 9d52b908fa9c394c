/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpfhost's built-in kfuncs, with the Linux names, prototypes, flags and
 * behaviour.  They are ordinary kfuncs: defined with <bpfhost/kfunc.h>,
 * registered through bpfhost_kfunc_set_add(), with BTF embedded in the
 * library at build.
 */
#ifndef BPFHOST_STDLIB_H
#define BPFHOST_STDLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfhost_rt;
struct btf;

/* Register every built-in set into a new runtime; 0 or -errno. */
int bh_stdlib_add(struct bpfhost_rt *rt);

/* One per file of src/stdlib: register that file's sets and helpers. */
int bh_stdlib_common_add(struct bpfhost_rt *rt);  /* iter_num, rcu */
int bh_stdlib_cpumask_add(struct bpfhost_rt *rt); /* cpumask.c */
int bh_stdlib_task_add(struct bpfhost_rt *rt);	  /* task.c, cgroup.c */
int bh_stdlib_vma_add(struct bpfhost_rt *rt);	  /* vma.c, from task.c */
int bh_stdlib_css_add(struct bpfhost_rt *rt);	  /* css.c, from task.c */
int bh_stdlib_mem_add(
	struct bpfhost_rt *rt); /* dynptr, strings, obj_new, ... */
/* the parts of bh_stdlib_mem_add */
int bh_stdlib_dynptr_add(struct bpfhost_rt *rt);     /* dynptr.c */
int bh_stdlib_strings_add(struct bpfhost_rt *rt);    /* strings.c */
int bh_stdlib_rqspinlock_add(struct bpfhost_rt *rt); /* rqspinlock.c */
int bh_stdlib_wq_add(struct bpfhost_rt *rt);	     /* timer.c: bpf_wq_* */
/* rqspinlock.c: a run stopped inside locked regions (a fault, the
 * instruction limit) releases the resilient locks it took: the mark
 * before the run, then every lock taken since, newest first. */
unsigned int bh_rq_held_mark(void);
void bh_rq_abandon_to(unsigned int mark);

/* common.c: what bpf_local_irq_save/restore do, for the res_spin_lock
 * _irqsave/_irqrestore kfuncs */
void bh_local_irq_save(unsigned long *flags);
void bh_local_irq_restore(const unsigned long *flags);

/* ==== memory kfuncs (dynptr.c, strings.c, obj.c) ==== */

/* ---- dynptrs over local memory (dynptr.c) ---- */

/* What a program has on its stack: 16 opaque bytes, as the uapi's. */
struct bpf_dynptr {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

/*
 * What the 16 bytes hold, the kernel's struct bpf_dynptr_kern: data, then
 * a word whose low 24 bits are the size, bits 28..30 the type and bit 31
 * the read-only flag, then the offset of the view into data.  A null
 * dynptr is all zeroes.
 */
struct bpf_dynptr_kern {
	void *data;
	uint32_t size;
	uint32_t offset;
} __attribute__((aligned(8)));

#define BH_DYNPTR_MAX_SIZE ((1u << 24) - 1)
#define BH_DYNPTR_SIZE_MASK 0xffffffu
#define BH_DYNPTR_TYPE_SHIFT 28
#define BH_DYNPTR_RDONLY_BIT (1u << 31)

enum bh_dynptr_type {
	BH_DYNPTR_TYPE_INVALID = 0,
	BH_DYNPTR_TYPE_LOCAL = 1, /* bpf_dynptr_from_mem */
	BH_DYNPTR_TYPE_RINGBUF = 2,
	BH_DYNPTR_TYPE_SKB = 3,
	BH_DYNPTR_TYPE_XDP = 4,
	BH_DYNPTR_TYPE_SKB_META = 5,
};

/* Make p a local dynptr over data[0..size) (rdonly: read-only); -E2BIG
 * past BH_DYNPTR_MAX_SIZE, leaving p null.  For hosts that hand programs
 * dynptrs over their own memory. */
int bh_dynptr_init_local(struct bpf_dynptr *p, void *data, uint32_t size,
			 bool rdonly);

/* The dynptr helpers (Linux ids 197, 201, 202, 203), in bh_fn shape for
 * src/exec/helpers.c's table. */
uint64_t bh_helper_dynptr_from_mem(uint64_t data, uint64_t size, uint64_t flags,
				   uint64_t ptr, uint64_t r5);
uint64_t bh_helper_dynptr_read(uint64_t dst, uint64_t len, uint64_t src,
			       uint64_t offset, uint64_t flags);
/* Ring buffer records as dynptrs (Linux ids 198, 199, 200) */
uint64_t bh_helper_ringbuf_reserve_dynptr(uint64_t map, uint64_t size,
					  uint64_t flags, uint64_t ptr,
					  uint64_t r5);
uint64_t bh_helper_ringbuf_submit_dynptr(uint64_t ptr, uint64_t flags,
					 uint64_t r3, uint64_t r4, uint64_t r5);
uint64_t bh_helper_ringbuf_discard_dynptr(uint64_t ptr, uint64_t flags,
					  uint64_t r3, uint64_t r4,
					  uint64_t r5);
uint64_t bh_helper_dynptr_write(uint64_t dst, uint64_t offset, uint64_t src,
				uint64_t len, uint64_t flags);
uint64_t bh_helper_dynptr_data(uint64_t ptr, uint64_t offset, uint64_t len,
			       uint64_t r4, uint64_t r5);

/* The dynptr kfuncs, with the kernel's prototypes (for direct calls). */
void *bpf_dynptr_slice(const struct bpf_dynptr *p, uint32_t offset,
		       void *buffer__opt, uint32_t buffer__szk);
void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, uint32_t offset,
			    void *buffer__opt, uint32_t buffer__szk);
int bpf_dynptr_adjust(const struct bpf_dynptr *p, uint32_t start, uint32_t end);
bool bpf_dynptr_is_null(const struct bpf_dynptr *p);
bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p);
uint32_t bpf_dynptr_size(const struct bpf_dynptr *p);
int bpf_dynptr_clone(const struct bpf_dynptr *p,
		     struct bpf_dynptr *clone__uninit);
int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, uint32_t dst_off,
		    struct bpf_dynptr *src_ptr, uint32_t src_off,
		    uint32_t size);
int bpf_dynptr_memset(struct bpf_dynptr *p, uint32_t offset, uint32_t size,
		      uint8_t val);

/* ---- fault-tolerant reads and string kfuncs (strings.c) ---- */

/* The kernel's XATTR_SIZE_MAX: the longest string the kfuncs walk. */
#define BH_STR_MAX 65536

/*
 * Whether addr can be a host address at all (the kernel's
 * copy_from_kernel_nofault_allowed): not in the never-mappable low 64 KiB,
 * not past the user half of the address space.  Such pointers give
 * -ERANGE; others are read and give -EFAULT if unmapped.
 */
bool bh_addr_allowed(const void *addr);
/* Copy n bytes from src, which may be unmapped, without faulting: 0, or
 * -EFAULT (dst then zeroed, as bpf_probe_read_kernel leaves it). */
int bh_read_nofault(void *dst, const void *src, size_t n);

int bpf_strcmp(const char *s1__ign, const char *s2__ign);
int bpf_strcasecmp(const char *s1__ign, const char *s2__ign);
int bpf_strnchr(const char *s__ign, size_t count, char c);
int bpf_strchr(const char *s__ign, char c);
int bpf_strchrnul(const char *s__ign, char c);
int bpf_strrchr(const char *s__ign, int c);
int bpf_strnlen(const char *s__ign, size_t count);
int bpf_strlen(const char *s__ign);
int bpf_strspn(const char *s__ign, const char *accept__ign);
int bpf_strcspn(const char *s__ign, const char *reject__ign);
int bpf_strnstr(const char *s1__ign, const char *s2__ign, size_t len);
int bpf_strstr(const char *s1__ign, const char *s2__ign);
/* after 6.18 */
int bpf_strncasecmp(const char *s1__ign, const char *s2__ign, size_t len);
int bpf_strcasestr(const char *s1__ign, const char *s2__ign);
int bpf_strncasestr(const char *s1__ign, const char *s2__ign, size_t len);

/* ---- program-allocated objects, kptrs, casts, bits (obj.c) ---- */

/*
 * Objects: what the verifier passes to bpf_obj_new_impl & co.
 *
 * In the kernel the verifier rewrites each call
 *	bpf_obj_new_impl(local_type_id__k, meta__ign = NULL)
 * into r1 = object size, r2 = the struct's btf_struct_meta (or NULL when
 * the struct has no special fields), so the kfunc never sees the type id.
 * bpfhost keeps that shape, with one difference: meta is never NULL,
 * because it also names the runtime's allocation budget.  At every
 * bpf_obj_new_impl / bpf_obj_drop_impl / bpf_refcount_acquire_impl call
 * the verifier knows the program-BTF type (the __k constant, or the
 * __alloc / __refcounted_kptr argument's type) and reports it per call
 * site (bh_verify_result.obj_type); the runtime's decoder then passes that
 * type's record as the meta__ign argument of that call (src/rt/obj.c,
 * the kernel's fixup_kfunc_call), leaving r1 alone: the kfuncs use
 * meta->size.  One bh_obj_meta per (object BTF, type), built by
 * bh_obj_meta_init() on first use, linked (kptr fields' pointee records
 * or registered destructors filled in), freed with the object after its
 * maps.  A call that reaches the kfunc with meta NULL (an unverified
 * program) allocates nothing: new returns NULL, acquire NULL, drop frees
 * the memory only.
 *
 * Per-CPU objects (bpf_percpu_obj_new_impl) hold one copy per possible
 * CPU, bh_percpu_stride(size) apart, and are type-stable: a dropped one
 * goes to its pool's cache for its size (still charged to the pool) and
 * is reused, zeroed, only by another per-CPU object of that size; the
 * memory goes back to the allocator at bh_mem_pool_fini().  So a program
 * writing through an RCU pointer to a copy (the kernel's pattern: a
 * __percpu_kptr load in an RCU section, then bpf_this_cpu_ptr) after
 * another thread dropped the object writes scalars of a dead or reused
 * per-CPU object (only structs of scalars may be per-CPU), never freed
 * memory, as the kernel's bpf_mem_alloc caches reuse them.
 *
 * Every object is preceded by a hidden 16-byte header (its pool and
 * size), so a drop can always return the memory to the right budget.
 */
#define BH_OBJ_MAX_FIELDS 10	      /* the kernel's BTF_FIELDS_MAX */
#define BH_OBJ_META_MAGIC 0x6f626a6du /* "objm" */
#define BH_PERCPU_OBJ_MAX 512 /* the kernel's BPF_GLOBAL_PERCPU_MA_MAX_SIZE */

/*
 * A runtime's allocation budget for program objects: what struct
 * bpfhost_rt would hold (proposed: `struct bh_mem_pool objs;`, limit from
 * a runtime option, default BH_OBJ_DEFAULT_LIMIT).  Thread-safe.
 */
#define BH_OBJ_DEFAULT_LIMIT (64u << 20)
#define BH_PERCPU_CLASSES (BH_PERCPU_OBJ_MAX / 8)
struct bh_mem_pool {
	uint64_t limit; /* bytes (headers included); 0 = nothing may be
			 * allocated */
	uint64_t used;	/* atomic */
	uint64_t live;	/* atomic: objects not yet freed */
	/* dropped per-CPU objects by stride / 8 - 1, linked through their
	 * headers, under pcpu_lock (a spin lock, zero = free) */
	void *pcpu_free[BH_PERCPU_CLASSES];
	uint32_t pcpu_lock;
};

/* Give the cached per-CPU objects' memory back (no object of the pool
 * may be in use any more: the runtime is being freed). */
void bh_mem_pool_fini(struct bh_mem_pool *pool);
/* Count bytes against the budget: 0, or -ENOMEM past its limit. */
int bh_mem_pool_charge(struct bh_mem_pool *pool, uint64_t bytes);
void bh_mem_pool_uncharge(struct bh_mem_pool *pool, uint64_t bytes);

enum bh_obj_field_kind {
	BH_OBJ_FIELD_KPTR_UNREF = 1, /* __kptr_untrusted: nothing to release */
	BH_OBJ_FIELD_KPTR_REF,	     /* __kptr: drop/dtor on release */
	BH_OBJ_FIELD_KPTR_PERCPU,    /* __percpu_kptr: percpu drop */
	BH_OBJ_FIELD_REFCOUNT,	     /* struct bpf_refcount */
	BH_OBJ_FIELD_OTHER,	    /* list/rbtree/timer...: not handled here */
	BH_OBJ_FIELD_SPIN_LOCK,	    /* struct bpf_spin_lock: updates skip it */
	BH_OBJ_FIELD_LIST_HEAD,	    /* struct bpf_list_head with __contains */
	BH_OBJ_FIELD_LIST_NODE,	    /* struct bpf_list_node */
	BH_OBJ_FIELD_RES_SPIN_LOCK, /* struct bpf_res_spin_lock: likewise */
	BH_OBJ_FIELD_TIMER,	    /* struct bpf_timer: cancelled, freed */
	BH_OBJ_FIELD_WQ,	    /* struct bpf_wq: likewise */
	BH_OBJ_FIELD_RB_ROOT,	    /* struct bpf_rb_root with __contains */
	BH_OBJ_FIELD_RB_NODE,	    /* struct bpf_rb_node */
};

struct bh_obj_meta;

struct bh_obj_field {
	uint32_t off;
	uint32_t kind;	   /* enum bh_obj_field_kind */
	uint32_t type_id;  /* kptrs: the pointee struct in the same BTF;
			    * graph roots: the __contains struct */
	uint32_t node_off; /* graph roots: the contained node's offset */
	/* Linked by the verifier for referenced kptrs, exactly one of: */
	const struct bh_obj_meta *meta; /* pointee is a program object */
	void (*dtor)(void *);		/* pointee is a host object */
};

struct bh_obj_meta {
	uint32_t magic;	       /* BH_OBJ_META_MAGIC */
	uint32_t size;	       /* of the struct (percpu: of one CPU's copy) */
	uint32_t type_id;      /* in btf */
	int32_t refcount_off;  /* struct bpf_refcount, or -1 */
	const struct btf *btf; /* the program's */
	struct bh_mem_pool *pool;
	uint32_t nr_fields;
	struct bh_obj_field fields[BH_OBJ_MAX_FIELDS];
};

/*
 * Fill m for struct type_id of btf (a program's), allocating from pool:
 * size, the bpf_refcount offset and the special fields (kptrs by their
 * "kptr", "kptr_untrusted", "percpu_kptr" type tags), in nested structs
 * and arrays too, fields' meta/dtor left NULL for the caller to link.  0,
 * -EINVAL (not a struct, or of size 0), -E2BIG (more than
 * BH_OBJ_MAX_FIELDS special fields, or nested too deep).
 */
int bh_obj_meta_init(struct bh_obj_meta *m, const struct btf *btf,
		     uint32_t type_id, struct bh_mem_pool *pool);

/*
 * Release every referenced kptr field of the value at base laid out as rec
 * says (exchanging each with NULL first): for objects being dropped, and
 * for map values being deleted, overwritten or freed (src/maps, with the
 * map value's record).
 */
void bh_obj_free_fields(const struct bh_obj_meta *rec, void *base);

/*
 * The BPF linked list (the kernel's bpf_list_head / bpf_list_node_kern):
 * a 16-byte head { next, prev } (all zero: an empty list not yet set up)
 * and a 24-byte node { next, prev, owner }, owner the head the node is on
 * (NULL: on none).  The caller holds the bpf_spin_lock protecting head.
 *
 * bh_list_push: put the node at node (of the program object node - off,
 * of record meta) first (tail false) or last; 0, or -EINVAL when the node
 * is already on a list (the object is then dropped, as the kernel does).
 * bh_list_pop: take the first (tail false) or last node off, returning it
 * (the caller owns its object now), or NULL when the list is empty.
 * bh_list_peek: the first or last node, left on the list, or NULL.
 * bh_list_drain: drop every object on the list (of record meta, node at
 * node_off), leaving it empty; lock, when not NULL, is the value's
 * bpf_spin_lock, held while the list is detached.
 */
int bh_list_push(void *head, void *node, const struct bh_obj_meta *meta,
		 uint64_t off, bool tail);
void *bh_list_pop(void *head, bool tail);
void *bh_list_peek(void *head, bool tail);
void bh_list_drain(void *head, const struct bh_obj_meta *meta,
		   uint32_t node_off, uint32_t *lock);

/* bpf_per_cpu_ptr (helper 153) and bpf_this_cpu_ptr (154) on a per-CPU
 * object: CPU cpu's copy (NULL when cpu >= the possible CPUs), this
 * CPU's. */
uint64_t bh_helper_per_cpu_ptr(uint64_t p, uint64_t cpu, uint64_t r3,
			       uint64_t r4, uint64_t r5);
uint64_t bh_helper_this_cpu_ptr(uint64_t p, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5);

/*
 * The red-black tree (src/stdlib/rbtree.c) in the layout of the kernel's
 * rb_root_cached (16 bytes: top, leftmost; all zero: empty) and
 * bpf_rb_node_kern (32 bytes: parent | colour, right, left, owner; owner
 * the root the node is in, NULL: in none).  The caller serialises access.
 *
 * bh_rb_add: link n in, left of the nodes it is less(n, node, ctx) than,
 * right of the others (equal keys keep insertion order), and rebalance.
 * bh_rb_erase: unlink n (which must be in root) and rebalance.
 * bh_rb_next: the node after n in order, or NULL.
 * bh_rb_check: the black height of a valid tree of at most limit nodes
 * (its node count in *count), -1 if any red-black invariant is broken.
 */
enum { BH_RB_RIGHT = 0, BH_RB_LEFT = 1 }; /* the kernel's field order */

struct bh_rb_node {
	uintptr_t parent_color;
	struct bh_rb_node *child[2]; /* [BH_RB_RIGHT], [BH_RB_LEFT] */
	void *owner;
};

struct bh_rb_root {
	struct bh_rb_node *node, *leftmost;
};

typedef bool (*bh_rb_less_fn)(struct bh_rb_node *a, const struct bh_rb_node *b,
			      void *ctx);

void bh_rb_add(struct bh_rb_root *root, struct bh_rb_node *n,
	       bh_rb_less_fn less, void *ctx);
void bh_rb_erase(struct bh_rb_root *root, struct bh_rb_node *n);
struct bh_rb_node *bh_rb_next(const struct bh_rb_node *n);
long bh_rb_check(const struct bh_rb_root *root, size_t limit, size_t *count);

/* Drop every object in the tree at root (of record meta, node at
 * node_off), leaving it empty; lock, when not NULL, is the bpf_spin_lock
 * beside it, held while the tree is detached. */
void bh_rb_drain(void *root, const struct bh_obj_meta *meta, uint32_t node_off,
		 uint32_t *lock);

/* bpf_kptr_xchg (helper 194): atomic exchange of the 8-byte field. */
uint64_t bh_helper_kptr_xchg(uint64_t dst, uint64_t ptr, uint64_t r3,
			     uint64_t r4, uint64_t r5);

void *bpf_obj_new_impl(uint64_t local_type_id__k, void *meta__ign);
void bpf_obj_drop_impl(void *p__alloc, void *meta__ign);
void *bpf_percpu_obj_new_impl(uint64_t local_type_id__k, void *meta__ign);
void bpf_percpu_obj_drop_impl(void *p__alloc, void *meta__ign);
void *bpf_refcount_acquire_impl(void *p__refcounted_kptr, void *meta__ign);
void *bpf_rdonly_cast(const void *obj__ign, uint32_t btf_id__k);
void *bpf_cast_to_kern_ctx(void *obj);

/* Per-CPU objects hold one copy per possible CPU, each this far apart. */
size_t bh_percpu_stride(uint32_t size);
unsigned int bh_percpu_nr_cpus(void);

struct bpf_iter_bits {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

#define BH_ITER_BITS_NR_WORDS_MAX 511 /* the kernel's BITS_ITER_NR_WORDS_MAX \
				       */

int bpf_iter_bits_new(struct bpf_iter_bits *it, const uint64_t *unsafe_ptr__ign,
		      uint32_t nr_words);
int *bpf_iter_bits_next(struct bpf_iter_bits *it);
void bpf_iter_bits_destroy(struct bpf_iter_bits *it);

/* The list kfuncs (generic set): the verifier allows them on a list head
 * (in a map value, global data or a program object) under its lock;
 * meta__ign is the contained type's record and off its node's offset,
 * both passed in by the runtime as the kernel's fixups do. */
struct bpf_list_head {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_node {
	uint64_t __opaque[3];
} __attribute__((aligned(8)));

int bpf_list_push_front_impl(struct bpf_list_head *head,
			     struct bpf_list_node *node, void *meta__ign,
			     uint64_t off);
int bpf_list_push_back_impl(struct bpf_list_head *head,
			    struct bpf_list_node *node, void *meta__ign,
			    uint64_t off);
struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head);
struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head);
struct bpf_list_node *bpf_list_front(struct bpf_list_head *head);
struct bpf_list_node *bpf_list_back(struct bpf_list_head *head);

/*
 * bpf_timer (src/stdlib/timer.c).  A struct bh_async_exec runs an
 * object's timer callbacks on a thread of its own; the helpers find it in
 * the run's environment.  bh_timer_free: the timer in a map value being
 * deleted, overwritten or freed is cancelled (waiting for its callback
 * unless that is the caller) and freed.
 */
struct bh_async_exec;
struct bh_run_env;
/* timers and work items are charged to pool (the runtime's budget for
 * program objects) */
struct bh_async_exec *bh_async_exec_new(const struct bh_run_env *env,
					struct bh_mem_pool *pool);
/* stop the thread: no callback runs once this returns; timers stay until
 * bh_timer_free, the executor until bh_async_exec_free */
void bh_async_exec_stop(struct bh_async_exec *ex);
void bh_async_exec_free(struct bh_async_exec *ex);
void bh_timer_free(void *field);
uint64_t bh_helper_timer_init(uint64_t timer, uint64_t map, uint64_t flags,
			      uint64_t r4, uint64_t r5);
uint64_t bh_helper_timer_set_callback(uint64_t timer, uint64_t cb, uint64_t r3,
				      uint64_t r4, uint64_t r5);
uint64_t bh_helper_timer_start(uint64_t timer, uint64_t nsecs, uint64_t flags,
			       uint64_t r4, uint64_t r5);
uint64_t bh_helper_timer_cancel(uint64_t timer, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5);
/* The rbtree kfuncs (generic set): the verifier allows them on a root (in
 * a map value, global data or a program object) under its lock;
 * meta__ign is the contained type's record and off its node's offset (the
 * kernel's fixups), less the program's callback (an interpreter slot
 * handle). */
struct bpf_rb_root {
	uint64_t __opaque[2];
} __attribute__((aligned(8)));

struct bpf_rb_node {
	uint64_t __opaque[4];
} __attribute__((aligned(8)));

int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			bool(less)(struct bpf_rb_node *a,
				   const struct bpf_rb_node *b),
			void *meta__ign, uint64_t off);
struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root,
				      struct bpf_rb_node *node);
struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root);
struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root);
struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root,
				    struct bpf_rb_node *node);
struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root,
				     struct bpf_rb_node *node);

#endif
