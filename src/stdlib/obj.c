// SPDX-License-Identifier: BSD-2-Clause
/*
 * Program-allocated objects, kptr exchange, the casts and the bits
 * iterator, with the kernel's names, prototypes and flags:
 *   - bpf_obj_new_impl / bpf_obj_drop_impl / bpf_refcount_acquire_impl and
 *     the per-CPU pair (generic set: tracing, tc, xdp, struct_ops,
 *     syscall, cgroup_skb), with the struct-meta contract described in
 *     stdlib.h: the verifier passes a struct bh_obj_meta, which carries the
 *     size, the special fields to release and the runtime's budget;
 *   - the graph kfuncs: linked lists (bpf_list_*) and red-black trees
 *     (bpf_rbtree_*, the tree itself in rbtree.c), in the kernel's
 *     layouts, drained when their map value or object goes;
 *   - bpf_kptr_xchg (helper 194): an atomic exchange;
 *   - bpf_cast_to_kern_ctx and bpf_rdonly_cast (common set, KF_FASTCALL):
 *     the identity at run time, all their meaning is in the verifier;
 *   - bpf_iter_bits_new/next/destroy (common set): iterate the set bits of
 *     up to 511 words copied fault-tolerantly at construction;
 *   - bpf_throw (generic set): a BPF exception; the verifier treats the
 *     call as an exit from any frame (src/verifier/exception.c) and the
 *     interpreter unwinds the run (bh_exec_throw).
 *
 * Registration goes through bh_stdlib_mem_add(), which also adds the
 * dynptr and string families.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "bpfhost/kfunc.h"
#include "exec/exec.h"
#include "kfunc/kfunc.h"
#include "maps/map.h"
#include "rt/rt.h"
#include "stdlib.h"

/* ---- allocation: a hidden header before every object ---- */

struct bh_obj_hdr {
	struct bh_mem_pool *pool;
	uint32_t bytes; /* charged to the pool, header included */
	uint32_t magic;
};

#define BH_OBJ_HDR_MAGIC 0x0b1ec7u
_Static_assert(sizeof(struct bh_obj_hdr) == 16, "object header");

int bh_mem_pool_charge(struct bh_mem_pool *pool, uint64_t bytes)
{
	uint64_t used = __atomic_load_n(&pool->used, __ATOMIC_RELAXED);

	do {
		if (used + bytes < used || used + bytes > pool->limit)
			return -ENOMEM;
	} while (!__atomic_compare_exchange_n(&pool->used, &used, used + bytes,
					      true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

void bh_mem_pool_uncharge(struct bh_mem_pool *pool, uint64_t bytes)
{
	__atomic_fetch_sub(&pool->used, bytes, __ATOMIC_RELAXED);
}

static void *obj_alloc(struct bh_mem_pool *pool, size_t size)
{
	uint64_t bytes = sizeof(struct bh_obj_hdr) + (uint64_t)size;
	struct bh_obj_hdr *h;

	if (bytes > UINT32_MAX || bh_mem_pool_charge(pool, bytes))
		return NULL;
	h = calloc(1, bytes);
	if (!h) {
		__atomic_fetch_sub(&pool->used, bytes, __ATOMIC_RELAXED);
		return NULL;
	}
	h->pool = pool;
	h->bytes = (uint32_t)bytes;
	h->magic = BH_OBJ_HDR_MAGIC;
	__atomic_fetch_add(&pool->live, 1, __ATOMIC_RELAXED);
	return h + 1;
}

static void obj_free(void *p)
{
	struct bh_obj_hdr *h = (struct bh_obj_hdr *)p - 1;
	struct bh_mem_pool *pool = h->pool;

	__atomic_fetch_sub(&pool->used, (uint64_t)h->bytes, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&pool->live, 1, __ATOMIC_RELAXED);
	h->magic = 0;
	free(h);
}

static const struct bh_obj_meta *meta_of(const void *meta__ign)
{
	const struct bh_obj_meta *m = meta__ign;

	return m && m->magic == BH_OBJ_META_MAGIC ? m : NULL;
}

unsigned int bh_percpu_nr_cpus(void)
{
	return bh_nr_cpus();
}

size_t bh_percpu_stride(uint32_t size)
{
	return ((size_t)size + 7) & ~(size_t)7;
}

/* ---- per-CPU objects: type-stable (stdlib.h) ---- */

#define BH_OBJ_HDR_CACHED 0xcac4edu

static void pcpu_lock(struct bh_mem_pool *pool)
{
	while (__atomic_exchange_n(&pool->pcpu_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&pool->pcpu_lock, __ATOMIC_RELAXED))
			sched_yield();
}

static void pcpu_unlock(struct bh_mem_pool *pool)
{
	__atomic_store_n(&pool->pcpu_lock, 0, __ATOMIC_RELEASE);
}

static void *pcpu_alloc(struct bh_mem_pool *pool, uint32_t size)
{
	size_t stride = bh_percpu_stride(size);
	size_t bytes = stride * bh_percpu_nr_cpus();
	uint32_t cls = (uint32_t)(stride / 8) - 1;
	struct bh_obj_hdr *h;

	if (!size || size > BH_PERCPU_OBJ_MAX)
		return NULL;
	pcpu_lock(pool);
	h = pool->pcpu_free[cls];
	if (h)
		pool->pcpu_free[cls] = h->pool; /* the cache's link */
	pcpu_unlock(pool);
	if (!h)
		return obj_alloc(pool, bytes);
	/* still charged to the pool: only the count of objects changes */
	memset(h + 1, 0, bytes);
	h->pool = pool;
	__atomic_store_n(&h->magic, BH_OBJ_HDR_MAGIC, __ATOMIC_RELEASE);
	__atomic_fetch_add(&pool->live, 1, __ATOMIC_RELAXED);
	return h + 1;
}

static void pcpu_free(void *p)
{
	struct bh_obj_hdr *h = (struct bh_obj_hdr *)p - 1;
	struct bh_mem_pool *pool = h->pool;
	size_t stride = (h->bytes - sizeof(*h)) / bh_percpu_nr_cpus();
	uint32_t cls = (uint32_t)(stride / 8) - 1;

	__atomic_fetch_sub(&pool->live, 1, __ATOMIC_RELAXED);
	h->magic = BH_OBJ_HDR_CACHED;
	pcpu_lock(pool);
	h->pool = pool->pcpu_free[cls];
	pool->pcpu_free[cls] = h;
	pcpu_unlock(pool);
}

void bh_mem_pool_fini(struct bh_mem_pool *pool)
{
	for (uint32_t c = 0; c < BH_PERCPU_CLASSES; c++) {
		struct bh_obj_hdr *h = pool->pcpu_free[c];

		while (h) {
			struct bh_obj_hdr *next = (struct bh_obj_hdr *)h->pool;

			__atomic_fetch_sub(&pool->used, (uint64_t)h->bytes,
					   __ATOMIC_RELAXED);
			free(h);
			h = next;
		}
		pool->pcpu_free[c] = NULL;
	}
}

/* A copy of a per-CPU object: its stride from the header, which stays
 * valid while the object is cached (type-stable). */
static void *pcpu_copy(void *p, uint32_t cpu)
{
	unsigned int n = bh_percpu_nr_cpus();
	const struct bh_obj_hdr *h;

	if (!p || cpu >= n)
		return NULL;
	h = (const struct bh_obj_hdr *)p - 1;
	return (char *)p + (size_t)cpu * ((h->bytes - sizeof(*h)) / n);
}

uint64_t bh_helper_per_cpu_ptr(uint64_t p, uint64_t cpu, uint64_t r3,
			       uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	if (cpu >= bh_percpu_nr_cpus())
		return 0;
	return (uint64_t)(uintptr_t)pcpu_copy((void *)(uintptr_t)p,
					      (uint32_t)cpu);
}

uint64_t bh_helper_this_cpu_ptr(uint64_t p, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return (uint64_t)(uintptr_t)pcpu_copy((void *)(uintptr_t)p,
					      bh_this_cpu());
}

/* ---- object records ---- */

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* A member's special kind, or 0: a struct bpf_refcount, or a pointer
 * whose first modifier is a kptr type tag. */
static uint32_t field_kind(const struct btf *btf, uint32_t id,
			   uint32_t *pointee)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name;

	while (t && (btf_kind(t) == BTF_KIND_VOLATILE ||
		     btf_kind(t) == BTF_KIND_CONST ||
		     btf_kind(t) == BTF_KIND_TYPEDEF)) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (!t)
		return 0;
	if (btf_is_struct(t)) {
		name = btf__name_by_offset(btf, t->name_off);
		if (name && !strcmp(name, "bpf_refcount"))
			return BH_OBJ_FIELD_REFCOUNT;
		if (name && !strcmp(name, "bpf_spin_lock"))
			return BH_OBJ_FIELD_SPIN_LOCK;
		if (name && !strcmp(name, "bpf_res_spin_lock"))
			return BH_OBJ_FIELD_RES_SPIN_LOCK;
		if (name && !strcmp(name, "bpf_list_head"))
			return BH_OBJ_FIELD_LIST_HEAD;
		if (name && !strcmp(name, "bpf_list_node"))
			return BH_OBJ_FIELD_LIST_NODE;
		if (name && !strcmp(name, "bpf_timer"))
			return BH_OBJ_FIELD_TIMER;
		if (name && !strcmp(name, "bpf_rb_root"))
			return BH_OBJ_FIELD_RB_ROOT;
		if (name && !strcmp(name, "bpf_rb_node"))
			return BH_OBJ_FIELD_RB_NODE;
		if (name && !strcmp(name, "bpf_wq"))
			return BH_OBJ_FIELD_WQ;
		return 0;
	}
	if (!btf_is_ptr(t))
		return 0;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_type_tag(t))
		return 0;
	name = btf__name_by_offset(btf, t->name_off);
	*pointee = t->type;
	skip_mods(btf, pointee);
	if (!name)
		return 0;
	if (!strcmp(name, "kptr"))
		return BH_OBJ_FIELD_KPTR_REF;
	if (!strcmp(name, "kptr_untrusted"))
		return BH_OBJ_FIELD_KPTR_UNREF;
	if (!strcmp(name, "percpu_kptr"))
		return BH_OBJ_FIELD_KPTR_PERCPU;
	return 0;
}

#define BH_OBJ_MAX_DEPTH 8

static int add_field(struct bh_obj_meta *m, uint32_t off, uint32_t kind,
		     uint32_t pointee)
{
	struct bh_obj_field *f;

	if (m->nr_fields == BH_OBJ_MAX_FIELDS)
		return -E2BIG;
	f = &m->fields[m->nr_fields++];
	f->off = off;
	f->kind = kind;
	f->type_id = pointee;
	if (kind == BH_OBJ_FIELD_REFCOUNT)
		m->refcount_off = (int32_t)off;
	return 0;
}

/*
 * The "contains:<struct>:<member>" decl tag on component idx of type
 * parent (a struct's member, or -1 on a global variable; parent 0: none):
 * the struct's id (in the same BTF) and the offset of its member of that
 * name, which must be a node of kind node.  false when there is no such
 * tag or it names nothing fitting.
 */
static bool graph_contains(const struct btf *btf, uint32_t parent, int idx,
			   uint32_t node, uint32_t *type_id, uint32_t *node_off)
{
	uint32_t n = btf__type_cnt(btf);

	for (uint32_t i = 1; parent && i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *v, *sep;
		char sname[128];
		const struct btf_member *mem;
		const struct btf_type *st;
		int32_t sid;
		uint32_t dummy;

		if (!btf_is_decl_tag(t) || t->type != parent ||
		    btf_decl_tag(t)->component_idx != idx)
			continue;
		v = btf__name_by_offset(btf, t->name_off);
		if (!v || strncmp(v, "contains:", 9))
			continue;
		v += 9;
		sep = strchr(v, ':');
		if (!sep || (size_t)(sep - v) >= sizeof(sname) || sep == v)
			return false;
		memcpy(sname, v, (size_t)(sep - v));
		sname[sep - v] = 0;
		sid = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
		if (sid <= 0)
			return false;
		st = btf__type_by_id(btf, (uint32_t)sid);
		mem = btf_members(st);
		for (uint16_t j = 0; j < btf_vlen(st); j++, mem++) {
			const char *mn =
				btf__name_by_offset(btf, mem->name_off);

			if (!mn || strcmp(mn, sep + 1) ||
			    btf_member_bitfield_size(st, j))
				continue;
			if (field_kind(btf, mem->type, &dummy) != node)
				return false;
			*type_id = (uint32_t)sid;
			*node_off = btf_member_bit_offset(st, j) / 8;
			return true;
		}
		return false;
	}
	return false;
}

/* The special fields of the object of type id at base: itself, or, in
 * nested structs and arrays, its members (as the kernel's
 * btf_parse_fields finds them).  parent/idx: the struct and member index
 * id is the type of, for its decl tags (idx -1: none). */
static int scan_fields(struct bh_obj_meta *m, const struct btf *btf,
		       uint32_t id, uint32_t base, int depth, uint32_t parent,
		       int idx)
{
	uint32_t pointee = 0, kind = field_kind(btf, id, &pointee);
	const struct btf_type *t;
	const struct btf_member *mem;

	if (kind == BH_OBJ_FIELD_LIST_HEAD || kind == BH_OBJ_FIELD_RB_ROOT) {
		uint32_t node_off = 0;
		int ret;

		/* without a usable __contains no list or tree can be used:
		 * the root stays an opaque field */
		if (!graph_contains(btf, parent, idx,
				    kind == BH_OBJ_FIELD_LIST_HEAD
					    ? BH_OBJ_FIELD_LIST_NODE
					    : BH_OBJ_FIELD_RB_NODE,
				    &pointee, &node_off))
			return add_field(m, base, BH_OBJ_FIELD_OTHER, 0);
		ret = add_field(m, base, kind, pointee);
		if (!ret)
			m->fields[m->nr_fields - 1].node_off = node_off;
		return ret;
	}
	if (kind)
		return add_field(m, base, kind, pointee);
	if (depth > BH_OBJ_MAX_DEPTH)
		return -E2BIG;
	t = skip_mods(btf, &id);
	if (t && btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		long esz = btf__resolve_size(btf, a->type);
		struct bh_obj_meta probe = *m;
		int pr;

		/* an element type with no special field: none of them has
		 * one (a big char array costs nothing) */
		if (esz <= 0 || !a->nelems)
			return 0;
		pr = scan_fields(&probe, btf, a->type, base, depth + 1, 0, -1);
		if (pr || probe.nr_fields == m->nr_fields)
			return pr;
		for (uint32_t i = 0; esz > 0 && i < a->nelems; i++) {
			int ret = scan_fields(m, btf, a->type,
					      base + i * (uint32_t)esz,
					      depth + 1, 0, -1);

			if (ret)
				return ret;
		}
		return 0;
	}
	/* global data: the variables of the section, at their offsets,
	 * their decl tags on the VAR */
	if (t && btf_is_datasec(t)) {
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);

		for (uint16_t i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *var =
				btf__type_by_id(btf, vs->type);
			int ret;

			if (!var || !btf_is_var(var))
				continue;
			ret = scan_fields(m, btf, var->type, base + vs->offset,
					  depth + 1, vs->type, -1);
			if (ret)
				return ret;
		}
		return 0;
	}
	if (!t || !btf_is_struct(t))
		return 0;
	mem = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, mem++) {
		int ret;

		if (btf_member_bitfield_size(t, i))
			continue;
		ret = scan_fields(m, btf, mem->type,
				  base + btf_member_bit_offset(t, i) / 8,
				  depth + 1, id, i);
		if (ret)
			return ret;
	}
	return 0;
}

int bh_obj_meta_init(struct bh_obj_meta *m, const struct btf *btf,
		     uint32_t type_id, struct bh_mem_pool *pool)
{
	uint32_t id = type_id;
	const struct btf_type *t = skip_mods(btf, &id);

	memset(m, 0, sizeof(*m));
	if (!t || !(btf_is_struct(t) || btf_is_datasec(t)) || !t->size)
		return -EINVAL;
	m->magic = BH_OBJ_META_MAGIC;
	m->size = t->size;
	m->type_id = type_id;
	m->refcount_off = -1;
	m->btf = btf;
	m->pool = pool;
	return scan_fields(m, btf, id, 0, 0, 0, -1);
}

static void obj_drop(void *p, const struct bh_obj_meta *m, bool percpu);

void bh_obj_free_fields(const struct bh_obj_meta *rec, void *base)
{
	if (!rec)
		return;
	for (uint32_t i = 0; i < rec->nr_fields; i++) {
		const struct bh_obj_field *f = &rec->fields[i];
		void **slot = (void **)((char *)base + f->off);
		void *old;

		if (f->kind == BH_OBJ_FIELD_LIST_HEAD ||
		    f->kind == BH_OBJ_FIELD_RB_ROOT) {
			uint32_t *lock = NULL;

			for (uint32_t j = 0; j < rec->nr_fields; j++)
				if (rec->fields[j].kind ==
				    BH_OBJ_FIELD_SPIN_LOCK)
					lock = (uint32_t *)((char *)base +
							    rec->fields[j].off);
			if (f->kind == BH_OBJ_FIELD_LIST_HEAD)
				bh_list_drain(slot, f->meta, f->node_off, lock);
			else
				bh_rb_drain(slot, f->meta, f->node_off, lock);
			continue;
		}
		if (f->kind == BH_OBJ_FIELD_TIMER ||
		    f->kind == BH_OBJ_FIELD_WQ) {
			bh_timer_free(slot);
			continue;
		}
		if (f->kind != BH_OBJ_FIELD_KPTR_REF &&
		    f->kind != BH_OBJ_FIELD_KPTR_PERCPU)
			continue;
		old = __atomic_exchange_n(slot, NULL, __ATOMIC_ACQ_REL);
		if (!old)
			continue;
		if (f->dtor)
			f->dtor(old);
		else
			obj_drop(old, f->meta,
				 f->kind == BH_OBJ_FIELD_KPTR_PERCPU);
	}
}

static void obj_drop(void *p, const struct bh_obj_meta *m, bool percpu)
{
	if (!p)
		return;
	if (percpu) {
		/* structs of scalars only: nothing to release inside */
		pcpu_free(p);
		return;
	}
	if (m && m->refcount_off >= 0) {
		uint32_t *ref = (uint32_t *)((char *)p + m->refcount_off);

		/* a saturated count stays (bpf_refcount_acquire_impl) */
		if (__atomic_load_n(ref, __ATOMIC_RELAXED) == UINT32_MAX ||
		    __atomic_sub_fetch(ref, 1, __ATOMIC_ACQ_REL))
			return; /* other owners remain */
	}
	if (m)
		bh_obj_free_fields(m, p);
	obj_free(p);
}

/* ---- linked lists ---- */

struct bh_list {
	struct bh_list *next, *prev;
};

struct bh_list_node {
	struct bh_list l;
	void *owner; /* the head it is on, or NULL */
};

_Static_assert(sizeof(struct bh_list) == 16, "bpf_list_head is 16 bytes");
_Static_assert(sizeof(struct bh_list_node) == 24, "bpf_list_node is 24 bytes");

/* A zeroed head (a new map value or object) is an empty list. */
static struct bh_list *list_init(void *head)
{
	struct bh_list *h = head;

	if (!h->next)
		h->next = h->prev = h;
	return h;
}

int bh_list_push(void *head, void *node, const struct bh_obj_meta *meta,
		 uint64_t off, bool tail)
{
	struct bh_list *h = list_init(head);
	struct bh_list_node *n = node;
	void *none = NULL;

	/* the node may be on another list already (a refcounted object
	 * with two owners): then it goes nowhere and this reference drops */
	if (!__atomic_compare_exchange_n(&n->owner, &none, head, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		obj_drop((char *)node - off, meta, false);
		return -EINVAL;
	}
	if (tail) {
		n->l.prev = h->prev;
		n->l.next = h;
		h->prev->next = &n->l;
		h->prev = &n->l;
	} else {
		n->l.next = h->next;
		n->l.prev = h;
		h->next->prev = &n->l;
		h->next = &n->l;
	}
	return 0;
}

void *bh_list_peek(void *head, bool tail)
{
	struct bh_list *h = list_init(head);
	struct bh_list *n = tail ? h->prev : h->next;

	return n == h ? NULL : n;
}

void *bh_list_pop(void *head, bool tail)
{
	struct bh_list_node *n = bh_list_peek(head, tail);

	if (!n)
		return NULL;
	n->l.prev->next = n->l.next;
	n->l.next->prev = n->l.prev;
	n->l.next = n->l.prev = &n->l;
	__atomic_store_n(&n->owner, NULL, __ATOMIC_RELEASE);
	return n;
}

static void list_lock(uint32_t *l)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			if (++spins > 1000)
				sched_yield();
}

void bh_list_drain(void *head, const struct bh_obj_meta *meta,
		   uint32_t node_off, uint32_t *lock)
{
	struct bh_list *h = head, *first, *n;

	/* detach the whole chain under the lock, drop it outside */
	if (lock)
		list_lock(lock);
	first = h->next;
	if (!first || first == h) {
		first = NULL;
	} else {
		h->prev->next = NULL;
	}
	h->next = h->prev = h;
	if (lock)
		__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
	while ((n = first)) {
		first = n->next;
		n->next = n->prev = n;
		__atomic_store_n(&((struct bh_list_node *)n)->owner, NULL,
				 __ATOMIC_RELEASE);
		obj_drop((char *)n - node_off, meta, false);
	}
}

/* ---- red-black trees ---- */

_Static_assert(sizeof(struct bh_rb_root) == sizeof(struct bpf_rb_root),
	       "bpf_rb_root is 16 bytes");
_Static_assert(sizeof(struct bh_rb_node) == sizeof(struct bpf_rb_node),
	       "bpf_rb_node is 32 bytes");

/* the owner of a node whose tree is being drained, or that is being
 * added (never a root) */
#define RB_DRAINING ((void *)1)
#define RB_ADDING ((void *)2)

void bh_rb_drain(void *root, const struct bh_obj_meta *meta, uint32_t node_off,
		 uint32_t *lock)
{
	struct bh_rb_root *r = root, orig;
	struct bh_rb_node *n, *p;

	/* detach the whole tree under the lock, drop it outside; until a
	 * node is dropped its owner says "being drained", so no add,
	 * remove or walk (all check the owner under the lock) touches it
	 * meanwhile, whoever else holds a reference to it */
	if (lock)
		list_lock(lock);
	orig = *r;
	r->node = r->leftmost = NULL;
	for (n = orig.leftmost; n; n = bh_rb_next(n))
		__atomic_store_n(&n->owner, RB_DRAINING, __ATOMIC_RELAXED);
	if (lock)
		__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
	/* children before parents, each freed once its subtree is gone */
	n = orig.node;
	while (n) {
		if (n->child[BH_RB_LEFT]) {
			n = n->child[BH_RB_LEFT];
			continue;
		}
		if (n->child[BH_RB_RIGHT]) {
			n = n->child[BH_RB_RIGHT];
			continue;
		}
		p = (struct bh_rb_node *)(n->parent_color & ~(uintptr_t)1);
		if (p)
			p->child[p->child[BH_RB_LEFT] == n ? BH_RB_LEFT
							   : BH_RB_RIGHT] =
				NULL;
		n->parent_color = 0;
		__atomic_store_n(&n->owner, NULL, __ATOMIC_RELEASE);
		obj_drop((char *)n - node_off, meta, false);
		n = p;
	}
}

/* whether the record has a node of this kind at off (the offset the
 * verifier saw at the call, passed in as the kernel's fixup does) */
static bool node_at(const struct bh_obj_meta *m, uint64_t off, uint32_t kind)
{
	for (uint32_t i = 0; m && i < m->nr_fields; i++)
		if (m->fields[i].kind == kind && m->fields[i].off == off)
			return true;
	return false;
}

/* the program's less callback, run by the interpreter */
static bool rb_less_cb(struct bh_rb_node *a, const struct bh_rb_node *b,
		       void *ctx)
{
	uint64_t r0 = 0;

	/* a fault stops the run when the kfunc returns; the tree stays
	 * well-formed whatever the answer */
	if (bh_callback_call((uint64_t)(uintptr_t)ctx, (uint64_t)(uintptr_t)a,
			     (uint64_t)(uintptr_t)b, 0, 0, 0, &r0))
		return false;
	return r0 != 0;
}

/* ---- helper ---- */

uint64_t bh_helper_kptr_xchg(uint64_t dst, uint64_t ptr, uint64_t r3,
			     uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return __atomic_exchange_n((uint64_t *)(uintptr_t)dst, ptr,
				   __ATOMIC_SEQ_CST);
}

/* ---- bits iterator state ---- */

struct bh_iter_bits_kern {
	union {
		uint64_t *bits;
		uint64_t bits_copy;
	};
	int nr_bits;
	int bit;
} __attribute__((aligned(8)));

_Static_assert(sizeof(struct bh_iter_bits_kern) == sizeof(struct bpf_iter_bits),
	       "bits iterator layout");

__bpf_kfunc_start_defs();

/* size comes from meta (the verifier's rewrite), never from the type id */
__bpf_kfunc void *bpf_obj_new_impl(uint64_t local_type_id__k, void *meta__ign)
{
	const struct bh_obj_meta *m = meta_of(meta__ign);
	void *p;

	(void)local_type_id__k;
	if (!m || !m->pool)
		return NULL;
	p = obj_alloc(m->pool, m->size);
	if (p && m->refcount_off >= 0)
		*(uint32_t *)((char *)p + m->refcount_off) = 1;
	return p;
}

__bpf_kfunc void bpf_obj_drop_impl(void *p__alloc, void *meta__ign)
{
	obj_drop(p__alloc, meta_of(meta__ign), false);
}

/* one copy per possible CPU, bh_percpu_stride() apart; at most 512 bytes
 * each, as the kernel's per-CPU allocator */
__bpf_kfunc void *bpf_percpu_obj_new_impl(uint64_t local_type_id__k,
					  void *meta__ign)
{
	const struct bh_obj_meta *m = meta_of(meta__ign);

	(void)local_type_id__k;
	if (!m || !m->pool)
		return NULL;
	return pcpu_alloc(m->pool, m->size);
}

__bpf_kfunc void bpf_percpu_obj_drop_impl(void *p__alloc, void *meta__ign)
{
	(void)meta__ign;
	obj_drop(p__alloc, NULL, true);
}

__bpf_kfunc void *bpf_refcount_acquire_impl(void *p__refcounted_kptr,
					    void *meta__ign)
{
	const struct bh_obj_meta *m = meta_of(meta__ign);
	uint32_t *ref, old;

	if (!m || m->refcount_off < 0 || !p__refcounted_kptr)
		return NULL;
	ref = (uint32_t *)((char *)p__refcounted_kptr + m->refcount_off);
	old = __atomic_load_n(ref, __ATOMIC_RELAXED);
	do {
		if (!old) /* refcount_inc_not_zero */
			return NULL;
		/* saturated, as the kernel's refcount_t: the object is
		 * never freed, and an owner's acquire never fails (the
		 * verifier relies on it) */
		if (old == UINT32_MAX)
			return p__refcounted_kptr;
	} while (!__atomic_compare_exchange_n(
		ref, &old, old + 1, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return p__refcounted_kptr;
}

__bpf_kfunc void *bpf_cast_to_kern_ctx(void *obj)
{
	return obj;
}

__bpf_kfunc void *bpf_rdonly_cast(const void *obj__ign, uint32_t btf_id__k)
{
	(void)btf_id__k;
	return (void *)(uintptr_t)obj__ign;
}

__bpf_kfunc int bpf_iter_bits_new(struct bpf_iter_bits *it,
				  const uint64_t *unsafe_ptr__ign,
				  uint32_t nr_words)
{
	struct bh_iter_bits_kern *k = (struct bh_iter_bits_kern *)it;
	uint32_t nr_bytes = nr_words * 8;
	int err;

	k->nr_bits = 0;
	k->bits_copy = 0;
	k->bit = -1;
	if (!unsafe_ptr__ign || !nr_words)
		return -EINVAL;
	if (nr_words > BH_ITER_BITS_NR_WORDS_MAX)
		return -E2BIG;
	if (nr_words == 1) {
		/* one word is kept in the iterator itself */
		if (bh_read_nofault(&k->bits_copy, unsafe_ptr__ign, 8))
			return -EFAULT;
		k->nr_bits = 64;
		return 0;
	}
	k->bits = malloc(nr_bytes);
	if (!k->bits)
		return -ENOMEM;
	/* the kernel's copy_from_kernel_nofault: -ERANGE before -EFAULT */
	err = bh_addr_allowed(unsafe_ptr__ign)
		      ? bh_read_nofault(k->bits, unsafe_ptr__ign, nr_bytes)
		      : -ERANGE;
	if (err) {
		free(k->bits);
		k->bits = NULL;
		return err;
	}
	k->nr_bits = (int)nr_bytes * 8;
	return 0;
}

__bpf_kfunc int *bpf_iter_bits_next(struct bpf_iter_bits *it)
{
	struct bh_iter_bits_kern *k = (struct bh_iter_bits_kern *)it;
	int bit = k->bit, nr_bits = k->nr_bits;
	const uint64_t *words;

	if (!nr_bits || bit >= nr_bits)
		return NULL;
	words = nr_bits == 64 ? &k->bits_copy : k->bits;
	for (bit++; bit < nr_bits; bit++) {
		uint64_t w = words[bit / 64] >> (bit % 64);

		if (w) {
			bit += __builtin_ctzll(w);
			break;
		}
		bit |= 63; /* rest of this word is clear */
	}
	if (bit > nr_bits)
		bit = nr_bits;
	k->bit = bit;
	return bit < nr_bits ? &k->bit : NULL;
}

__bpf_kfunc void bpf_iter_bits_destroy(struct bpf_iter_bits *it)
{
	struct bh_iter_bits_kern *k = (struct bh_iter_bits_kern *)it;

	if (k->nr_bits <= 64)
		return;
	free(k->bits);
	k->bits = NULL;
	k->nr_bits = 0;
}

__bpf_kfunc void bpf_throw(uint64_t cookie)
{
	bh_exec_throw(cookie);
}

static int list_push_kfunc(struct bpf_list_head *head,
			   struct bpf_list_node *node, void *meta__ign,
			   uint64_t off, bool tail)
{
	const struct bh_obj_meta *m = meta_of(meta__ign);

	if (!node_at(m, off, BH_OBJ_FIELD_LIST_NODE))
		return -EINVAL; /* not reached: the verifier saw the type */
	return bh_list_push(head, node, m, off, tail);
}

__bpf_kfunc int bpf_list_push_front_impl(struct bpf_list_head *head,
					 struct bpf_list_node *node,
					 void *meta__ign, uint64_t off)
{
	return list_push_kfunc(head, node, meta__ign, off, false);
}

__bpf_kfunc int bpf_list_push_back_impl(struct bpf_list_head *head,
					struct bpf_list_node *node,
					void *meta__ign, uint64_t off)
{
	return list_push_kfunc(head, node, meta__ign, off, true);
}

__bpf_kfunc struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head)
{
	return bh_list_pop(head, false);
}

__bpf_kfunc struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head)
{
	return bh_list_pop(head, true);
}

__bpf_kfunc struct bpf_list_node *bpf_list_front(struct bpf_list_head *head)
{
	return bh_list_peek(head, false);
}

__bpf_kfunc struct bpf_list_node *bpf_list_back(struct bpf_list_head *head)
{
	return bh_list_peek(head, true);
}

__bpf_kfunc int bpf_rbtree_add_impl(struct bpf_rb_root *root,
				    struct bpf_rb_node *node,
				    bool(less)(struct bpf_rb_node *a,
					       const struct bpf_rb_node *b),
				    void *meta__ign, uint64_t off)
{
	const struct bh_obj_meta *m = meta_of(meta__ign);
	struct bh_rb_node *n = (struct bh_rb_node *)node;
	void *none = NULL;

	if (!node_at(m, off, BH_OBJ_FIELD_RB_NODE))
		return -EINVAL; /* not reached: the verifier saw the type */
	/* in another tree already (a refcounted object with two owners):
	 * it goes nowhere and this reference drops, as in the kernel; while
	 * less runs it is in no tree yet */
	if (!__atomic_compare_exchange_n(&n->owner, &none, RB_ADDING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		obj_drop((char *)node - off, m, false);
		return -EINVAL;
	}
	bh_rb_add((struct bh_rb_root *)root, n, rb_less_cb,
		  (void *)(uintptr_t)less);
	__atomic_store_n(&n->owner, (void *)root, __ATOMIC_RELEASE);
	return 0;
}

__bpf_kfunc struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root,
						  struct bpf_rb_node *node)
{
	struct bh_rb_node *n = (struct bh_rb_node *)node;

	/* not in this tree: in none, or in another one */
	if (__atomic_load_n(&n->owner, __ATOMIC_ACQUIRE) != root)
		return NULL;
	bh_rb_erase((struct bh_rb_root *)root, n);
	__atomic_store_n(&n->owner, NULL, __ATOMIC_RELEASE);
	return node;
}

__bpf_kfunc struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root)
{
	return (struct bpf_rb_node *)((struct bh_rb_root *)root)->leftmost;
}

__bpf_kfunc struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root)
{
	return (struct bpf_rb_node *)((struct bh_rb_root *)root)->node;
}

__bpf_kfunc struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root,
						struct bpf_rb_node *node)
{
	struct bh_rb_node *n = (struct bh_rb_node *)node;

	if (__atomic_load_n(&n->owner, __ATOMIC_ACQUIRE) != root)
		return NULL;
	return (struct bpf_rb_node *)n->child[BH_RB_LEFT];
}

__bpf_kfunc struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root,
						 struct bpf_rb_node *node)
{
	struct bh_rb_node *n = (struct bh_rb_node *)node;

	if (__atomic_load_n(&n->owner, __ATOMIC_ACQUIRE) != root)
		return NULL;
	return (struct bpf_rb_node *)n->child[BH_RB_RIGHT];
}

__bpf_kfunc_end_defs();

/* generic_kfunc_set in the kernel */
BTF_KFUNCS_START(bh_obj_kfunc_ids)
BTF_ID_FLAGS(func, bpf_obj_new_impl, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_percpu_obj_new_impl, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_percpu_obj_drop_impl, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_refcount_acquire_impl, KF_ACQUIRE | KF_RET_NULL | KF_RCU)
BTF_ID_FLAGS(func, bpf_throw)
BTF_ID_FLAGS(func, bpf_list_push_front_impl)
BTF_ID_FLAGS(func, bpf_list_push_back_impl)
BTF_ID_FLAGS(func, bpf_list_pop_front, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_list_pop_back, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_list_front, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_list_back, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_rbtree_add_impl)
BTF_ID_FLAGS(func, bpf_rbtree_remove, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_rbtree_first, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_rbtree_root, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_rbtree_left, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_rbtree_right, KF_RET_NULL)
BTF_KFUNCS_END(bh_obj_kfunc_ids)

/* common_kfunc_set in the kernel */
BTF_KFUNCS_START(bh_obj_common_kfunc_ids)
BTF_ID_FLAGS(func, bpf_cast_to_kern_ctx, KF_FASTCALL)
BTF_ID_FLAGS(func, bpf_rdonly_cast, KF_FASTCALL)
BTF_ID_FLAGS(func, bpf_iter_bits_new, KF_ITER_NEW)
BTF_ID_FLAGS(func, bpf_iter_bits_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_bits_destroy, KF_ITER_DESTROY)
BTF_KFUNCS_END(bh_obj_common_kfunc_ids)

static const struct btf_kfunc_id_set bh_obj_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_obj_kfunc_ids,
};

static const struct btf_kfunc_id_set bh_obj_common_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_obj_common_kfunc_ids,
};

/*
 * The generic set goes to the hooks of the kernel's TRACING, SCHED_CLS,
 * XDP, STRUCT_OPS, SYSCALL and CGROUP_SKB types: through the public
 * bpfhost_kfunc_set_add() for hooks the runtime's program types use, and
 * into the registry directly (as register_btf_kfunc_id_set() does) for a
 * hook no type uses yet, so a type added later for it sees the set.
 */
static int add_generic(struct bpfhost_rt *rt, const char *hook)
{
	char err[512] = "";
	bool known = false;
	int ret;

	for (size_t t = 0; t < rt->ntypes; t++)
		known |= !strcmp(rt->types[t].hook, hook);
	if (known)
		return bpfhost_kfunc_set_add(rt, hook, &bh_obj_kfunc_set);
	ret = bh_kfunc_reg_add_set(rt->reg, hook, &bh_obj_kfunc_set, err,
				   sizeof(err));
	if (ret && err[0])
		bh_rt_log(rt, BPFHOST_LOG_WARN, "%s", err);
	return ret;
}

int bh_stdlib_mem_add(struct bpfhost_rt *rt)
{
	static const enum bpf_prog_type generic[] = {
		BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_SCHED_CLS,
		BPF_PROG_TYPE_XDP,     BPF_PROG_TYPE_STRUCT_OPS,
		BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_CGROUP_SKB,
	};
	const char *done[sizeof(generic) / sizeof(generic[0])];
	size_t ndone = 0;
	int ret = bh_stdlib_dynptr_add(rt) ?: bh_stdlib_strings_add(rt) ?:
		  bpfhost_kfunc_set_add(rt, "*", &bh_obj_common_kfunc_set);

	/* each hook once (several types share "tracing") */
	for (size_t i = 0; !ret && i < sizeof(generic) / sizeof(generic[0]);
	     i++) {
		const char *hook = bh_kernel_prog_type_hook((int)generic[i]);
		bool dup = false;

		if (!hook)
			return -EINVAL;
		for (size_t j = 0; j < ndone; j++)
			dup |= !strcmp(done[j], hook);
		if (dup)
			continue;
		done[ndone++] = hook;
		ret = add_generic(rt, hook);
	}
	return ret;
}
