// SPDX-License-Identifier: BSD-2-Clause
/*
 * Helper calls by prototype (the kernel's bpf_func_proto and
 * check_helper_call): a table of the helpers bpfhost implements with
 * their argument and return types and GPL flag, the per-argument checks
 * (check_func_arg: only the registers a prototype names are read), the
 * bpf_snprintf format check, bpf_kptr_xchg's kptr field, and R0 after the
 * call.
 *
 * Invariant: a helper call is accepted only if the runtime implements the
 * helper, the program may use it, and every argument the prototype names
 * satisfies its type; afterwards R1-R5 are NOT_INIT and R0 describes
 * every value the helper may return.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "btf/hbtf.h"
#include "exec/exec.h"
#include "verifier/vinternal.h"

enum bh_arg_type {
	BH_ARG_DONTCARE = 0,
	BH_ARG_ANYTHING,
	BH_ARG_CONST_MAP_PTR,
	BH_ARG_PTR_TO_MAP_KEY,
	BH_ARG_PTR_TO_MAP_VALUE,
	BH_ARG_PTR_TO_MEM_RDONLY,	  /* ARG_PTR_TO_MEM | MEM_RDONLY */
	BH_ARG_PTR_TO_MEM_RDONLY_OR_NULL, /* ... | PTR_MAYBE_NULL */
	BH_ARG_PTR_TO_UNINIT_MEM,	  /* written by the helper */
	BH_ARG_PTR_TO_MEM_OR_NULL_WRITE,  /* ARG_PTR_TO_MEM_OR_NULL, written */
	BH_ARG_CONST_SIZE,
	BH_ARG_CONST_SIZE_OR_ZERO,
	BH_ARG_PTR_TO_FUNC,
	BH_ARG_PTR_TO_STACK_OR_NULL,
	BH_ARG_PTR_TO_CONST_STR,
	BH_ARG_KPTR_XCHG_DEST,
	BH_ARG_PTR_TO_BTF_ID_OR_NULL_RELEASE,
	BH_ARG_PTR_TO_DYNPTR,		   /* initialised (| MEM_RDONLY) */
	BH_ARG_PTR_TO_DYNPTR_LOCAL_UNINIT, /* | DYNPTR_TYPE_LOCAL | MEM_UNINIT
					    */
	BH_ARG_CONST_ALLOC_SIZE_OR_ZERO,
	BH_ARG_PTR_TO_SPIN_LOCK,
	BH_ARG_PTR_TO_RINGBUF_MEM_RELEASE,    /* | OBJ_RELEASE */
	BH_ARG_PTR_TO_DYNPTR_RINGBUF_UNINIT,  /* | DYNPTR_TYPE_RINGBUF |
						 MEM_UNINIT */
	BH_ARG_PTR_TO_DYNPTR_RINGBUF_RELEASE, /* | DYNPTR_TYPE_RINGBUF |
						 OBJ_RELEASE */
	BH_ARG_PTR_TO_PERCPU_BTF_ID,
	BH_ARG_PTR_TO_TIMER,
};

enum bh_ret_type {
	BH_RET_INTEGER = 0,
	BH_RET_MAP_VALUE_OR_NULL,
	BH_RET_BTF_ID_TRUSTED, /* a named kernel struct, trusted */
	BH_RET_KPTR_OR_NULL,   /* the kptr field's type, referenced */
	BH_RET_DYNPTR_MEM_OR_NULL,
	BH_RET_RINGBUF_MEM_OR_NULL, /* referenced */
	BH_RET_PERCPU_COPY,	    /* one CPU's copy of a per-CPU object */
	BH_RET_PERCPU_COPY_OR_NULL,
};

struct helper_proto {
	bool known;
	bool gpl_only;
	uint8_t ret;		/* enum bh_ret_type */
	uint8_t arg[5];		/* enum bh_arg_type, R1..R5 */
	const char *ret_struct; /* BH_RET_BTF_ID_TRUSTED */
};

#define PROTO(id_, gpl_, ret_, ...) \
	[id_] = {.known = true,     \
		 .gpl_only = gpl_,  \
		 .ret = ret_,       \
		 .arg = {__VA_ARGS__}}

#define ID_MAP_LOOKUP 1
#define ID_SPIN_LOCK 93
#define ID_SPIN_UNLOCK 94
#define ID_PRINTK 6
#define ID_SMP_ID 8
#define ID_PROBE_READ_USER_STR 114
#define ID_PROBE_READ_KERNEL_STR 115
#define ID_RINGBUF_OUTPUT 130
#define ID_RINGBUF_RESERVE 131
#define ID_RINGBUF_QUERY 134
#define ID_RINGBUF_RESERVE_DYNPTR 198
#define ID_RINGBUF_SUBMIT_DYNPTR 199
#define ID_RINGBUF_DISCARD_DYNPTR 200
#define ID_PER_CPU_PTR 153
#define ID_THIS_CPU_PTR 154
#define ID_SNPRINTF 165
#define ID_TIMER_INIT 169
#define ID_TIMER_SET_CALLBACK 170
#define ID_LOOP 181
#define ID_KPTR_XCHG 194
#define ID_MAP_LOOKUP_PERCPU 195
#define ID_DYNPTR_FROM_MEM 197
#define ID_DYNPTR_READ 201
#define ID_DYNPTR_WRITE 202
#define ID_DYNPTR_DATA 203

#define MAX_ERRNO 4095
#define MAX_BPRINTF_VARARGS 12

static const struct helper_proto protos[] = {
	PROTO(1, false, BH_RET_MAP_VALUE_OR_NULL, BH_ARG_CONST_MAP_PTR,
	      BH_ARG_PTR_TO_MAP_KEY),
	PROTO(2, false, BH_RET_INTEGER, BH_ARG_CONST_MAP_PTR,
	      BH_ARG_PTR_TO_MAP_KEY, BH_ARG_PTR_TO_MAP_VALUE, BH_ARG_ANYTHING),
	PROTO(3, false, BH_RET_INTEGER, BH_ARG_CONST_MAP_PTR,
	      BH_ARG_PTR_TO_MAP_KEY),
	PROTO(5, false, BH_RET_INTEGER),
	PROTO(6, true, BH_RET_INTEGER, BH_ARG_PTR_TO_MEM_RDONLY,
	      BH_ARG_CONST_SIZE),
	PROTO(7, false, BH_RET_INTEGER),
	PROTO(8, false, BH_RET_INTEGER),
	PROTO(14, false, BH_RET_INTEGER),
	PROTO(16, false, BH_RET_INTEGER, BH_ARG_PTR_TO_UNINIT_MEM,
	      BH_ARG_CONST_SIZE),
	PROTO(35, true, BH_RET_INTEGER),
	PROTO(80, false, BH_RET_INTEGER),
	PROTO(ID_SPIN_LOCK, false, BH_RET_INTEGER, BH_ARG_PTR_TO_SPIN_LOCK),
	PROTO(ID_SPIN_UNLOCK, false, BH_RET_INTEGER, BH_ARG_PTR_TO_SPIN_LOCK),
	PROTO(112, true, BH_RET_INTEGER, BH_ARG_PTR_TO_UNINIT_MEM,
	      BH_ARG_CONST_SIZE_OR_ZERO, BH_ARG_ANYTHING),
	PROTO(113, true, BH_RET_INTEGER, BH_ARG_PTR_TO_UNINIT_MEM,
	      BH_ARG_CONST_SIZE_OR_ZERO, BH_ARG_ANYTHING),
	PROTO(114, true, BH_RET_INTEGER, BH_ARG_PTR_TO_UNINIT_MEM,
	      BH_ARG_CONST_SIZE_OR_ZERO, BH_ARG_ANYTHING),
	PROTO(115, true, BH_RET_INTEGER, BH_ARG_PTR_TO_UNINIT_MEM,
	      BH_ARG_CONST_SIZE_OR_ZERO, BH_ARG_ANYTHING),
	PROTO(130, false, BH_RET_INTEGER, BH_ARG_CONST_MAP_PTR,
	      BH_ARG_PTR_TO_MEM_RDONLY, BH_ARG_CONST_SIZE_OR_ZERO,
	      BH_ARG_ANYTHING),
	PROTO(131, false, BH_RET_RINGBUF_MEM_OR_NULL, BH_ARG_CONST_MAP_PTR,
	      BH_ARG_CONST_ALLOC_SIZE_OR_ZERO, BH_ARG_ANYTHING),
	PROTO(132, false, BH_RET_INTEGER, BH_ARG_PTR_TO_RINGBUF_MEM_RELEASE,
	      BH_ARG_ANYTHING),
	PROTO(133, false, BH_RET_INTEGER, BH_ARG_PTR_TO_RINGBUF_MEM_RELEASE,
	      BH_ARG_ANYTHING),
	PROTO(134, false, BH_RET_INTEGER, BH_ARG_CONST_MAP_PTR,
	      BH_ARG_ANYTHING),
	PROTO(ID_PER_CPU_PTR, false, BH_RET_PERCPU_COPY_OR_NULL,
	      BH_ARG_PTR_TO_PERCPU_BTF_ID, BH_ARG_ANYTHING),
	PROTO(ID_THIS_CPU_PTR, false, BH_RET_PERCPU_COPY,
	      BH_ARG_PTR_TO_PERCPU_BTF_ID),
	[158] = {.known = true,
		 .gpl_only = true,
		 .ret = BH_RET_BTF_ID_TRUSTED,
		 .ret_struct = "task_struct"},
	PROTO(165, true, BH_RET_INTEGER, BH_ARG_PTR_TO_MEM_OR_NULL_WRITE,
	      BH_ARG_CONST_SIZE_OR_ZERO, BH_ARG_PTR_TO_CONST_STR,
	      BH_ARG_PTR_TO_MEM_RDONLY_OR_NULL, BH_ARG_CONST_SIZE_OR_ZERO),
	PROTO(ID_TIMER_INIT, true, BH_RET_INTEGER, BH_ARG_PTR_TO_TIMER,
	      BH_ARG_CONST_MAP_PTR, BH_ARG_ANYTHING),
	PROTO(ID_TIMER_SET_CALLBACK, true, BH_RET_INTEGER, BH_ARG_PTR_TO_TIMER,
	      BH_ARG_PTR_TO_FUNC),
	PROTO(171, true, BH_RET_INTEGER, BH_ARG_PTR_TO_TIMER, BH_ARG_ANYTHING,
	      BH_ARG_ANYTHING),
	PROTO(172, true, BH_RET_INTEGER, BH_ARG_PTR_TO_TIMER),
	PROTO(181, false, BH_RET_INTEGER, BH_ARG_ANYTHING, BH_ARG_PTR_TO_FUNC,
	      BH_ARG_PTR_TO_STACK_OR_NULL, BH_ARG_ANYTHING),
	PROTO(194, false, BH_RET_KPTR_OR_NULL, BH_ARG_KPTR_XCHG_DEST,
	      BH_ARG_PTR_TO_BTF_ID_OR_NULL_RELEASE),
	PROTO(ID_MAP_LOOKUP_PERCPU, false, BH_RET_MAP_VALUE_OR_NULL,
	      BH_ARG_CONST_MAP_PTR, BH_ARG_PTR_TO_MAP_KEY, BH_ARG_ANYTHING),
	PROTO(197, false, BH_RET_INTEGER, BH_ARG_PTR_TO_UNINIT_MEM,
	      BH_ARG_CONST_SIZE_OR_ZERO, BH_ARG_ANYTHING,
	      BH_ARG_PTR_TO_DYNPTR_LOCAL_UNINIT),
	PROTO(ID_RINGBUF_RESERVE_DYNPTR, false, BH_RET_INTEGER,
	      BH_ARG_CONST_MAP_PTR, BH_ARG_ANYTHING, BH_ARG_ANYTHING,
	      BH_ARG_PTR_TO_DYNPTR_RINGBUF_UNINIT),
	PROTO(ID_RINGBUF_SUBMIT_DYNPTR, false, BH_RET_INTEGER,
	      BH_ARG_PTR_TO_DYNPTR_RINGBUF_RELEASE, BH_ARG_ANYTHING),
	PROTO(ID_RINGBUF_DISCARD_DYNPTR, false, BH_RET_INTEGER,
	      BH_ARG_PTR_TO_DYNPTR_RINGBUF_RELEASE, BH_ARG_ANYTHING),
	PROTO(201, false, BH_RET_INTEGER, BH_ARG_PTR_TO_UNINIT_MEM,
	      BH_ARG_CONST_SIZE_OR_ZERO, BH_ARG_PTR_TO_DYNPTR, BH_ARG_ANYTHING,
	      BH_ARG_ANYTHING),
	PROTO(202, false, BH_RET_INTEGER, BH_ARG_PTR_TO_DYNPTR, BH_ARG_ANYTHING,
	      BH_ARG_PTR_TO_MEM_RDONLY, BH_ARG_CONST_SIZE_OR_ZERO,
	      BH_ARG_ANYTHING),
	PROTO(203, false, BH_RET_DYNPTR_MEM_OR_NULL, BH_ARG_PTR_TO_DYNPTR,
	      BH_ARG_ANYTHING, BH_ARG_CONST_ALLOC_SIZE_OR_ZERO),
};

static const struct helper_proto *proto_of(int32_t id)
{
	if (id < 0 || (size_t)id >= sizeof(protos) / sizeof(protos[0]) ||
	    !protos[id].known)
		return NULL;
	return &protos[id];
}

int bh_helper_nargs(int32_t id)
{
	const struct helper_proto *p = proto_of(id);
	int n = 0;

	if (!p)
		return 5;
	for (int i = 0; i < 5; i++)
		if (p->arg[i] != BH_ARG_DONTCARE)
			n = i + 1;
	return n;
}

/* The kernel's license_is_gpl_compatible(). */
static bool is_gpl_compatible(const char *license)
{
	static const char *const ok[] = {
		"GPL",		"GPL v2",	"GPL and additional rights",
		"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
	};

	if (!license)
		return true; /* the caller did not say: not a loaded object */
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(license, ok[i]))
			return true;
	return false;
}

/* ---- argument checks ---- */

static int reject_type(struct bh_venv *v, uint32_t regno, const char *expected)
{
	char ts[96];

	reg_type_name(v, regno, ts, sizeof(ts));
	return bh_reject_err(v, -EACCES, "R%u type=%s expected=%s", regno, ts,
			     expected);
}

/* bpf_spin_lock/unlock: a map value or program object (locks.c) */
static int process_spin_lock(struct bh_venv *v, uint32_t regno, bool lock)
{
	uint32_t type_id;

	if (!bh_reg_lock_owner(v, &cur_regs(v)[regno], &type_id))
		return reject_type(v, regno, "map_value, ptr_");
	return bh_process_spin_lock(v, regno, lock ? BH_LOCK_TAKE : 0);
}

static const char mem_types[] = "fp, pkt, pkt_meta, map_key, map_value, mem, "
				"ringbuf_mem, buf, trusted_ptr_";

static bool is_null_reg(const struct bh_reg *r)
{
	uint64_t k;

	return r->type == BH_SCALAR && is_reg_const(r, &k) && !k;
}

/* The memory argument's register type, before its size is known. */
static int check_mem_arg_type(struct bh_venv *v, uint32_t regno, bool write,
			      bool maybe_null)
{
	const struct bh_reg *r = &cur_regs(v)[regno];

	if (maybe_null && is_null_reg(r))
		return 0;
	switch (r->type) {
	case BH_PTR_TO_STACK:
	case BH_PTR_TO_MAP_KEY:
	case BH_PTR_TO_MAP_VALUE:
	case BH_PTR_TO_MEM:
	case BH_PTR_TO_BUF:
		if ((r->flags & BH_PTR_MAYBE_NULL) && !maybe_null)
			break;
		if (write && (r->flags & BH_MEM_RDONLY))
			break;
		return 0;
	default:
		break;
	}
	return reject_type(v, regno, mem_types);
}

/* Helper memory [ptr, ptr+size) of a register already type-checked. */
static int check_mem_arg(struct bh_venv *v, uint32_t regno, uint64_t size,
			 bool write, bool zero_ok)
{
	if (is_null_reg(&cur_regs(v)[regno]))
		return 0; /* a NULL buffer: the helper handles size 0 only */
	return check_helper_mem_access(v, regno, 0, size, write, zero_ok);
}

static int check_map_key_value(struct bh_venv *v, uint32_t regno,
			       const struct bh_verify_map *m, bool value)
{
	int err;

	if (!m)
		return bh_bug(v, "invalid map_ptr to access map->%s",
			      value ? "value" : "key");
	err = check_mem_arg_type(v, regno, false, false);
	if (err)
		return err;
	return check_helper_mem_access(
		v, regno, 0, value ? m->def->value_size : m->def->key_size,
		false, false);
}

/* ARG_PTR_TO_CONST_STR: a NUL-terminated string in a frozen read-only
 * map at a constant offset (check_reg_const_str). */
int check_const_str(struct bh_venv *v, uint32_t regno, const char **str,
		    uint32_t *len)
{
	const struct bh_reg *r = &cur_regs(v)[regno];
	const struct bh_verify_map *m;
	uint64_t off;
	const char *s;

	if (r->type != BH_PTR_TO_MAP_VALUE || r->flags)
		return reject_type(v, regno, "map_value");
	m = &v->env->maps[r->map_idx];
	if (!m->frozen_rdonly)
		return bh_reject_err(v, -EACCES,
				     "R%u does not point to a readonly map'",
				     regno);
	if (!bh_tnum_is_const(r->s.var_off))
		return bh_reject_err(v, -EACCES,
				     "R%u is not a constant address'", regno);
	if (!m->data)
		return bh_reject_err(
			v, -EACCES,
			"no direct value access support for this map type");
	off = r->s.var_off.value + (uint64_t)(int64_t)r->off;
	if (off >= m->def->value_size) {
		bh_log_detail(v,
			      "invalid access to map value, value_size=%u "
			      "off=%lld size=0",
			      m->def->value_size, (long long)off);
		return bh_reject_err(
			v, -EACCES,
			"R%u min value is outside of the allowed memory range",
			regno);
	}
	s = (const char *)m->data + off;
	if (!memchr(s, 0, m->def->value_size - off))
		return bh_reject(v, "string is not zero-terminated");
	if (str)
		*str = s;
	if (len)
		*len = (uint32_t)strlen(s);
	return 0;
}

/* bpf_bprintf_prepare's format validation (no argument copying). */
static bool is_valid_bprintf_fmt(const char *fmt, uint32_t size,
				 uint32_t num_args)
{
	uint32_t num_spec = 0;

	for (uint32_t i = 0; i < size; i++) {
		unsigned char c = (unsigned char)fmt[i];

		if ((!isprint(c) && !isspace(c)) || !isascii(c))
			return false;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (num_spec >= num_args)
			return false;
		i++;
		while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' ||
		       fmt[i] == ' ')
			i++;
		if (fmt[i] >= '1' && fmt[i] <= '9') {
			i++;
			while (fmt[i] >= '0' && fmt[i] <= '9')
				i++;
		}
		if (fmt[i] == 'p') {
			unsigned char n = (unsigned char)fmt[i + 1];

			if ((n == 'k' || n == 'u' || n == 'K') &&
			    fmt[i + 2] == 's') {
				i += 2;
			} else if (n == 'B') {
				i++;
			} else if ((n == 'i' || n == 'I') &&
				   (fmt[i + 2] == '4' || fmt[i + 2] == '6')) {
				i += 2;
			} else if (n && !isspace(n) && !ispunct(n)) {
				return false;
			}
		} else if (fmt[i] == 's' || fmt[i] == 'c') {
			/* a string or a character */
		} else {
			if (fmt[i] == 'l')
				i++;
			if (fmt[i] == 'l')
				i++;
			if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' &&
			    fmt[i] != 'x' && fmt[i] != 'X')
				return false;
		}
		num_spec++;
	}
	return true;
}

/* check_bpf_snprintf_call */
static int check_snprintf_fmt(struct bh_venv *v, const char *fmt, uint32_t len)
{
	const struct bh_reg *dlen = &cur_regs(v)[5];
	uint64_t n = dlen->s.var_off.value;

	if (!bh_tnum_is_const(dlen->s.var_off) || n % 8)
		return bh_reject(v, "Invalid format string");
	if (n / 8 > MAX_BPRINTF_VARARGS ||
	    !is_valid_bprintf_fmt(fmt, len, (uint32_t)(n / 8)))
		return bh_reject(v, "Invalid format string");
	return 0;
}

/* ---- bpf_kptr_xchg ---- */

struct kptr_field {
	struct bh_field f;	/* in the map value, the program's BTF */
	struct bh_kptr_type kt; /* where its pointee type lives */
};

/* btf_record_has_field(rec, BPF_KPTR) */
static bool has_kptr(const struct btf *b, uint32_t id, uint32_t size)
{
	struct bh_field f;
	int64_t lo = 0;

	while (bh_find_field(b, id, lo, size, &f)) {
		if (f.type == BH_FIELD_KPTR_REF ||
		    f.type == BH_FIELD_KPTR_UNREF ||
		    f.type == BH_FIELD_KPTR_PERCPU || f.type == BH_FIELD_UPTR)
			return true;
		lo = (int64_t)f.off + f.size;
	}
	return false;
}

static int check_kptr_dest(struct bh_venv *v, struct kptr_field *kf)
{
	const struct bh_reg *r = &cur_regs(v)[1];
	const struct btf *b = v->env->prog_btf;
	uint32_t id, size;
	struct bh_field f;
	int64_t off;

	if (r->type == BH_PTR_TO_BTF_ID && r->flags == BH_MEM_ALLOC &&
	    r->btf_src == BH_BTF_SRC_PROG) {
		/* a program object's own kptr field (a local kptr stash) */
		const struct btf_type *t = btf__type_by_id(b, r->btf_id);

		id = r->btf_id;
		size = t ? t->size : 0;
	} else if (r->type == BH_PTR_TO_MAP_VALUE && !r->flags) {
		const struct bh_verify_map *m = &v->env->maps[r->map_idx];

		if (!b || !m->def->btf_value_type_id)
			return bh_reject(v,
					 "map '%s' has to have BTF in order to "
					 "use bpf_kptr_xchg",
					 m->name ? m->name : "");
		id = m->def->btf_value_type_id;
		size = m->def->value_size;
	} else {
		return reject_type(v, 1, "map_value, ptr_");
	}
	if (!bh_tnum_is_const(r->s.var_off))
		return bh_reject(v, "R1 doesn't have constant offset. kptr has "
				    "to be at the constant offset");
	if (!has_kptr(b, id, size))
		return bh_reject(v, "R1 has no valid kptr");
	off = (int64_t)(r->s.var_off.value + (uint64_t)(int64_t)r->off);
	if (!bh_find_field(b, id, off, off + 1, &f) || f.off != off ||
	    (f.type != BH_FIELD_KPTR_REF && f.type != BH_FIELD_KPTR_UNREF &&
	     f.type != BH_FIELD_KPTR_PERCPU))
		return bh_reject(v, "off=%lld doesn't point to kptr",
				 (long long)off);
	if (f.type == BH_FIELD_KPTR_UNREF)
		return bh_reject(v, "off=%lld kptr isn't referenced kptr",
				 (long long)off);
	kf->f = f;
	return bh_kptr_type(v, &kf->f, &kf->kt);
}

/* R2: NULL, or a reference of the field's type (map_kptr_match_type),
 * moved into the map */
static int check_kptr_xchg_new(struct bh_venv *v, const struct kptr_field *kf,
			       uint32_t *release_id)
{
	const struct bh_reg *r = &cur_regs(v)[2];
	int err;

	*release_id = 0;
	if (is_null_reg(r))
		return 0;
	if (r->type != BH_PTR_TO_BTF_ID)
		return reject_type(v, 2, "ptr_");
	err = check_kptr_store(v, &kf->f, &kf->kt, 2);
	if (err)
		return err;
	if (!r->ref_obj_id)
		return bh_reject(v, "R2 must be referenced when passed to "
				    "release function");
	if (r->off || !bh_tnum_is_const(r->s.var_off) || r->s.var_off.value)
		return bh_reject(
			v,
			"R2 must have zero offset when passed to release func");
	*release_id = r->ref_obj_id;
	return 0;
}

/* R0: the old value, a new reference the program must release */
static int mark_kptr_ret(struct bh_venv *v, const struct kptr_field *kf)
{
	struct bh_reg *r0 = &cur_regs(v)[0];
	uint32_t id;
	int err;

	mark_reg_ptr(r0, BH_PTR_TO_BTF_ID,
		     BH_PTR_MAYBE_NULL | (kf->kt.local ? BH_MEM_ALLOC : 0) |
			     (kf->kt.local && kf->f.type == BH_FIELD_KPTR_PERCPU
				      ? BH_MEM_PERCPU
				      : 0));
	r0->btf_src = kf->kt.src;
	r0->btf_id = kf->kt.id;
	err = acquire_reference(v, &id);
	if (err)
		return err;
	r0->id = id;
	r0->ref_obj_id = id;
	return 0;
}

/* ---- per-CPU objects: bpf_per_cpu_ptr, bpf_this_cpu_ptr ---- */

/*
 * ARG_PTR_TO_PERCPU_BTF_ID: the kernel takes percpu_ptr_,
 * percpu_rcu_ptr_ and percpu_trusted_ptr_; bpfhost makes only the
 * second (a __percpu_kptr loaded in an RCU section: an owning
 * percpu_ptr_ from bpf_percpu_obj_new is not one of the three).  Its
 * fixed offset must be 0 too (bpfhost's rule; the kernel allows one),
 * since the runtime finds the copies from the object's start.
 */
static int check_percpu_btf_arg(struct bh_venv *v, uint32_t regno,
				uint32_t *btf_id)
{
	const struct bh_reg *r = &cur_regs(v)[regno];
	char ts[96], tn[48];

	if (r->type != BH_PTR_TO_BTF_ID ||
	    (r->flags != BH_MEM_PERCPU &&
	     r->flags != (BH_MEM_PERCPU | BH_MEM_RCU) &&
	     r->flags != (BH_MEM_PERCPU | BH_PTR_TRUSTED)))
		return reject_type(
			v, regno,
			"percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_");
	if (r->flags != (BH_MEM_PERCPU | BH_MEM_RCU) ||
	    r->btf_src != BH_BTF_SRC_PROG)
		return bh_bug(v, "a per-CPU pointer bpfhost never makes");
	bh_reg_type_str(v, r, ts, sizeof(ts));
	if (!bh_tnum_is_const(r->s.var_off) || r->s.var_off.value) {
		bh_tnum_strn(tn, sizeof(tn), r->s.var_off);
		return bh_reject_err(v, -EACCES,
				     "variable %s access var_off=%s disallowed",
				     ts, tn);
	}
	if (r->off)
		return bh_reject_err(
			v, -EACCES,
			"dereference of modified %s ptr R%u off=%d disallowed",
			ts, regno, r->off);
	if (!r->btf_id)
		return bh_reject_err(v, -EACCES,
				     "Helper has invalid btf_id in R%u", regno);
	*btf_id = r->btf_id;
	return 0;
}

/* ---- the call ---- */

struct call_meta {
	const struct bh_verify_map *map;
	uint32_t map_idx;
	uint64_t msize_max; /* the last size argument's umax */
	struct kptr_field kptr;
	uint32_t release_id;
	uint64_t mem_size;	      /* ARG_CONST_ALLOC_SIZE_OR_ZERO */
	uint32_t subprogno;	      /* ARG_PTR_TO_FUNC */
	struct bh_dynptr_info dynptr; /* the initialised dynptr argument */
	uint32_t percpu_btf_id;	      /* ARG_PTR_TO_PERCPU_BTF_ID's struct */
};

static int check_func_arg(struct bh_venv *v, int32_t func_id,
			  const struct helper_proto *p, uint32_t regno,
			  struct call_meta *meta)
{
	struct bh_reg *r = &cur_regs(v)[regno];
	uint8_t at = p->arg[regno - 1];
	uint8_t prev = regno > 1 ? p->arg[regno - 2] : BH_ARG_DONTCARE;
	const char *fmt = "";
	uint32_t fmt_len = 0;
	uint64_t size;
	int err;

	if (at == BH_ARG_DONTCARE)
		return 0;
	err = check_reg_read(v, regno);
	if (err)
		return err;
	switch (at) {
	case BH_ARG_ANYTHING:
		return 0;
	case BH_ARG_CONST_MAP_PTR:
		if (r->type != BH_CONST_PTR_TO_MAP)
			return reject_type(v, regno, "map_ptr");
		/* bpf_timer_init: the timer's own map (map_uid 0: bpfhost
		 * has no inner maps) */
		if (meta->map && meta->map_idx != r->map_idx)
			return bh_reject_err(
				v, -EINVAL,
				"timer pointer in R1 map_uid=0 doesn't match "
				"map pointer in R2 map_uid=0");
		meta->map = &v->env->maps[r->map_idx];
		meta->map_idx = r->map_idx;
		return 0;
	case BH_ARG_PTR_TO_MAP_KEY:
		return check_map_key_value(v, regno, meta->map, false);
	case BH_ARG_PTR_TO_MAP_VALUE:
		return check_map_key_value(v, regno, meta->map, true);
	case BH_ARG_PTR_TO_MEM_RDONLY:
		return check_mem_arg_type(v, regno, false, false);
	case BH_ARG_PTR_TO_MEM_RDONLY_OR_NULL:
		return check_mem_arg_type(v, regno, false, true);
	case BH_ARG_PTR_TO_UNINIT_MEM:
		return check_mem_arg_type(v, regno, true, false);
	case BH_ARG_PTR_TO_MEM_OR_NULL_WRITE:
		return check_mem_arg_type(v, regno, true, true);
	case BH_ARG_CONST_SIZE:
	case BH_ARG_CONST_SIZE_OR_ZERO:
		err = check_const_size(v, regno,
				       at == BH_ARG_CONST_SIZE_OR_ZERO, &size);
		if (err)
			return err;
		meta->msize_max = size;
		err = check_mem_arg(
			v, regno - 1, size,
			prev == BH_ARG_PTR_TO_UNINIT_MEM ||
				prev == BH_ARG_PTR_TO_MEM_OR_NULL_WRITE,
			at == BH_ARG_CONST_SIZE_OR_ZERO);
		if (err)
			return err;
		return mark_chain_precision(v, regno);
	case BH_ARG_PTR_TO_TIMER: {
		uint32_t mi;

		err = bh_check_map_field_ptr(v, regno, BH_FIELD_TIMER, &mi);
		if (err)
			return err;
		meta->map = &v->env->maps[mi];
		meta->map_idx = mi;
		return 0;
	}
	case BH_ARG_PTR_TO_FUNC:
		if (r->type != BH_PTR_TO_FUNC)
			return reject_type(v, regno, "func");
		meta->subprogno = r->subprogno;
		if (v->subprogs[r->subprogno].global)
			return bh_reject(v,
					 "global function %s as a %s callback "
					 "is not supported",
					 bh_subprog_name(v, r->subprogno),
					 bh_helper_name(func_id));
		return 0;
	case BH_ARG_PTR_TO_STACK_OR_NULL:
		if (is_null_reg(r))
			return 0;
		if (r->type != BH_PTR_TO_STACK)
			return reject_type(v, regno, "fp");
		return 0;
	case BH_ARG_PTR_TO_CONST_STR:
		err = check_const_str(v, regno, &fmt, &fmt_len);
		if (err)
			return err;
		if (func_id == ID_SNPRINTF) {
			/* the data and its length come later: check the
			 * format once R5 is known */
			err = check_reg_read(v, 5);
			if (!err && cur_regs(v)[5].type != BH_SCALAR)
				err = reject_type(v, 5, "scalar");
			if (!err)
				err = check_snprintf_fmt(v, fmt, fmt_len);
		}
		return err;
	case BH_ARG_KPTR_XCHG_DEST:
		return check_kptr_dest(v, &meta->kptr);
	case BH_ARG_PTR_TO_BTF_ID_OR_NULL_RELEASE:
		return check_kptr_xchg_new(v, &meta->kptr, &meta->release_id);
	case BH_ARG_PTR_TO_DYNPTR:
	case BH_ARG_PTR_TO_DYNPTR_LOCAL_UNINIT:
	case BH_ARG_PTR_TO_DYNPTR_RINGBUF_UNINIT:
	case BH_ARG_PTR_TO_DYNPTR_RINGBUF_RELEASE:
		/* check_reg_type: the stack or a const dynptr (callbacks,
		 * which bpfhost does not make) */
		if (r->type != BH_PTR_TO_STACK)
			return reject_type(v, regno, "fp, dynptr_ptr");
		if (at == BH_ARG_PTR_TO_DYNPTR_LOCAL_UNINIT)
			return process_dynptr_func(v, regno, true,
						   BH_DYNPTR_LOCAL, 0, NULL);
		if (at == BH_ARG_PTR_TO_DYNPTR_RINGBUF_UNINIT)
			return process_dynptr_func(v, regno, true,
						   BH_DYNPTR_RINGBUF, 0, NULL);
		if (at == BH_ARG_PTR_TO_DYNPTR_RINGBUF_RELEASE) {
			int spi = dynptr_get_spi(v, r);

			if (spi < 0 || !v->cur->frame[r->frameno]
						->stack[spi]
						.spilled.ref_obj_id)
				return bh_reject_err(
					v, -EINVAL,
					"arg %u is an unacquired reference",
					regno);
		}
		err = process_dynptr_func(v, regno, false, BH_DYNPTR_INVALID, 0,
					  &meta->dynptr);
		if (err || at != BH_ARG_PTR_TO_DYNPTR_RINGBUF_RELEASE)
			return err;
		if (meta->dynptr.type != BH_DYNPTR_RINGBUF)
			return bh_reject_err(
				v, -EINVAL,
				"Expected a dynptr of type ringbuf as arg #%u",
				regno - 1);
		meta->release_id = meta->dynptr.ref_obj_id;
		return 0;
	case BH_ARG_PTR_TO_SPIN_LOCK:
		return process_spin_lock(v, regno, func_id == ID_SPIN_LOCK);
	case BH_ARG_PTR_TO_RINGBUF_MEM_RELEASE:
		/* exactly what bpf_ringbuf_reserve returned, null-checked */
		if (r->type != BH_PTR_TO_MEM || !(r->flags & BH_MEM_RINGBUF) ||
		    (r->flags & BH_PTR_MAYBE_NULL))
			return reject_type(v, regno, "ringbuf_mem");
		if (r->off)
			return bh_reject_err(
				v, -EINVAL,
				"R%u must have zero offset when passed to "
				"release func or trusted arg to kfunc",
				regno);
		err = bh_check_ptr_off(v, regno, false);
		if (err)
			return err;
		if (!r->ref_obj_id)
			return bh_reject_err(v, -EINVAL,
					     "R%u must be referenced when "
					     "passed to release function",
					     regno);
		meta->release_id = r->ref_obj_id;
		return 0;
	case BH_ARG_PTR_TO_PERCPU_BTF_ID:
		return check_percpu_btf_arg(v, regno, &meta->percpu_btf_id);
	case BH_ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (r->type != BH_SCALAR)
			return reject_type(v, regno, "scalar");
		if (!bh_tnum_is_const(r->s.var_off))
			return bh_reject_err(v, -EACCES,
					     "R%u is not a known constant'",
					     regno);
		meta->mem_size = r->s.var_off.value;
		return mark_chain_precision(v, regno);
	default:
		return bh_bug(v, "unhandled helper argument type %u", at);
	}
}

/* The nonnull inference for array lookups with a constant key
 * (get_constant_map_key): the key's bytes on the stack, from its first
 * to the end of its slot, are zeroes, or exactly a spilled constant. */
static bool const_stack_key(struct bh_venv *v, const struct bh_reg *key,
			    uint32_t key_size, uint64_t *out, uint32_t *key_spi)
{
	struct bh_func_state *f;
	struct bh_stack_slot *s;
	uint32_t spi, first, zeroes = 0, spilled = 0;
	int64_t off;

	if (key->type != BH_PTR_TO_STACK || !bh_tnum_is_const(key->s.var_off) ||
	    key_size != 4)
		return false;
	off = (int64_t)key->s.var_off.value + key->off;
	if (off < -BH_MAX_STACK || off >= 0)
		return false;
	f = v->cur->frame[key->frameno];
	bh_stack_mark_read(v, key->frameno, off, off + key_size);
	spi = (uint32_t)(-off - 1) / 8;
	if (spi >= f->allocated_stack / 8)
		return false;
	s = &f->stack[spi];
	/* slot_type[0] is the slot's lowest address */
	first = 7 - (uint32_t)(-off - 1) % 8;
	*key_spi = spi;
	for (uint32_t i = first; i < 8 && s->slot_type[i] == BH_STACK_ZERO; i++)
		zeroes++;
	if (zeroes >= key_size) {
		*out = 0;
		return true;
	}
	if (s->slot_type[0] != BH_STACK_SPILL || s->spilled.type != BH_SCALAR)
		return false;
	for (uint32_t i = first; i < 8 && s->slot_type[i] == BH_STACK_SPILL;
	     i++)
		spilled++;
	if (spilled != key_size || !is_reg_const(&s->spilled, out))
		return false;
	/* the key's bytes of the spilled value (little-endian) */
	*out = (uint32_t)(*out >> (8 * first));
	return true;
}

static void mark_ret_bounds(struct bh_reg *r0, int64_t smin, int64_t smax)
{
	r0->s.smin = smin;
	r0->s.smax = smax;
	r0->s.s32_min = (int32_t)(smin < INT32_MIN ? INT32_MIN : smin);
	r0->s.s32_max = (int32_t)(smax > INT32_MAX ? INT32_MAX : smax);
	bh_scalar_sync(&r0->s);
}

static int mark_helper_ret(struct bh_venv *v, int32_t id,
			   const struct helper_proto *p, struct call_meta *meta,
			   bool nonnull)
{
	struct bh_reg *r0 = &cur_regs(v)[0];
	struct bh_btf_ref ref;

	switch (p->ret) {
	case BH_RET_MAP_VALUE_OR_NULL:
		mark_reg_ptr(r0, BH_PTR_TO_MAP_VALUE,
			     nonnull ? 0 : BH_PTR_MAYBE_NULL);
		r0->map_idx = meta->map_idx;
		/* a value with a lock: its id names the lock */
		if (!nonnull || bh_reg_has_spin_lock(v, r0))
			r0->id = bh_new_id(v);
		return 0;
	case BH_RET_BTF_ID_TRUSTED:
		if (!v->env->hbtf ||
		    bh_hbtf_find_type(v->env->hbtf, p->ret_struct,
				      BTF_KIND_STRUCT, &ref))
			return bh_reject(v, "%s: no host BTF for struct %s",
					 bh_helper_name(id), p->ret_struct);
		mark_reg_ptr(r0, BH_PTR_TO_BTF_ID, BH_PTR_TRUSTED);
		r0->btf_src = ref.src;
		r0->btf_id = ref.id;
		return 0;
	case BH_RET_KPTR_OR_NULL:
		return mark_kptr_ret(v, &meta->kptr);
	case BH_RET_RINGBUF_MEM_OR_NULL: {
		uint32_t ref;
		int err;

		mark_reg_ptr(r0, BH_PTR_TO_MEM,
			     BH_MEM_RINGBUF | BH_PTR_MAYBE_NULL);
		r0->mem_size = (uint32_t)meta->mem_size;
		err = acquire_reference(v, &ref);
		if (err)
			return err;
		r0->id = ref;
		r0->ref_obj_id = ref;
		return 0;
	}
	case BH_RET_PERCPU_COPY:
	case BH_RET_PERCPU_COPY_OR_NULL: {
		const struct btf *b = v->env->prog_btf;
		const struct btf_type *t =
			b ? btf__type_by_id(b, meta->percpu_btf_id) : NULL;

		if (!t || !btf_is_struct(t))
			return bh_reject_err(
				v, -EFAULT,
				"Helper has invalid btf/btf_id in R1");
		/* the kernel's R0 here is MEM_ALLOC | MEM_RCU and drops
		 * bpf_per_cpu_ptr's PTR_MAYBE_NULL, though the helper
		 * returns NULL for a CPU past the last: bpfhost keeps it */
		mark_reg_ptr(r0, BH_PTR_TO_BTF_ID,
			     BH_MEM_ALLOC | BH_MEM_RCU | BH_PCPU_COPY |
				     (p->ret == BH_RET_PERCPU_COPY_OR_NULL
					      ? BH_PTR_MAYBE_NULL
					      : 0));
		r0->btf_src = BH_BTF_SRC_PROG;
		r0->btf_id = meta->percpu_btf_id;
		if (r0->flags & BH_PTR_MAYBE_NULL)
			r0->id = bh_new_id(v);
		return 0;
	}
	case BH_RET_DYNPTR_MEM_OR_NULL:
		/* bpf_dynptr_data: mem_or_null of the constant length,
		 * a slice that dies with its dynptr */
		if (meta->mem_size > UINT32_MAX)
			return bh_reject(v, "%s: length %llu is too large",
					 bh_helper_name(id),
					 (unsigned long long)meta->mem_size);
		mark_reg_ptr(r0, BH_PTR_TO_MEM, BH_PTR_MAYBE_NULL);
		r0->mem_size = (uint32_t)meta->mem_size;
		r0->dynptr_id = meta->dynptr.id;
		r0->id = bh_new_id(v);
		return 0;
	default:
		mark_reg_unknown(r0);
		break;
	}
	/* do_refine_retval_range */
	switch (id) {
	case ID_PROBE_READ_USER_STR:
	case ID_PROBE_READ_KERNEL_STR:
		mark_ret_bounds(r0, -MAX_ERRNO, (int64_t)meta->msize_max);
		break;
	case ID_SMP_ID: {
		int64_t n = bh_nr_cpus();

		bh_scalar_mark_unknown(&r0->s);
		r0->s.umin = 0;
		r0->s.umax = (uint64_t)n - 1;
		r0->s.u32_min = 0;
		r0->s.u32_max = (uint32_t)n - 1;
		r0->s.smin = 0;
		r0->s.smax = n - 1;
		r0->s.s32_min = 0;
		r0->s.s32_max = (int32_t)n - 1;
		bh_scalar_sync(&r0->s);
		break;
	}
	default:
		break;
	}
	return 0;
}

static bool is_ringbuf_func(int32_t id)
{
	return id == ID_RINGBUF_OUTPUT || id == ID_RINGBUF_RESERVE ||
	       id == ID_RINGBUF_QUERY || id == ID_RINGBUF_RESERVE_DYNPTR ||
	       id == ID_RINGBUF_SUBMIT_DYNPTR ||
	       id == ID_RINGBUF_DISCARD_DYNPTR;
}

/* check_map_func_compatibility(): a ring buffer only with the ring
 * buffer helpers, and those only with a ring buffer;
 * bpf_map_lookup_percpu_elem only with a per-CPU map */
static int check_map_func_compatibility(struct bh_venv *v, int32_t id,
					const struct bh_verify_map *m)
{
	bool rb;

	if (!m)
		return 0;
	rb = m->def->type == BH_MAP_RINGBUF;
	if (rb == is_ringbuf_func(id) && (id != ID_MAP_LOOKUP_PERCPU ||
					  m->def->type == BH_MAP_PERCPU_ARRAY ||
					  m->def->type == BH_MAP_PERCPU_HASH))
		return 0;
	return bh_reject(v, "cannot pass map_type %u into func %s#%d",
			 m->def->type, bh_helper_name(id), id);
}

int check_helper_call(struct bh_venv *v, const struct bh_insn *in)
{
	int32_t id = in->imm;
	const struct helper_proto *p = proto_of(id);
	const char *name = bh_helper_name(id);
	struct call_meta meta = {0};
	struct bh_reg *regs;
	uint64_t key = 0;
	uint32_t key_spi = 0;
	bool nonnull = false;
	int err;

	if (!name && !p)
		return bh_reject(v, "invalid func unknown#%d", id);
	if (!p)
		return bh_reject(v,
				 "program of this type cannot use helper %s#%d",
				 name ? name : "unknown", id);
	if (p->gpl_only && !is_gpl_compatible(v->env->license))
		return bh_reject(v, "cannot call GPL-restricted function from "
				    "non-GPL compatible program");
	for (uint32_t r = 1; r <= 5; r++) {
		err = check_func_arg(v, id, p, r, &meta);
		if (err)
			return err;
	}
	err = check_map_func_compatibility(v, id, meta.map);
	if (err)
		return err;
	/* a prototype the runtime has no implementation of: the arguments
	 * were checked as the kernel does, but it cannot run */
	if (!bh_helper_by_id(id))
		return bh_reject(v,
				 "helper %s#%d is not implemented by bpfhost",
				 name, id);
	regs = cur_regs(v);
	/* local dynptrs are over map values only (the kernel's rule) */
	if (id == ID_DYNPTR_FROM_MEM && regs[1].type != BH_PTR_TO_MAP_VALUE) {
		char ts[96];

		reg_type_name(v, 1, ts, sizeof(ts));
		return bh_reject_err(
			v, -EACCES,
			"Unsupported reg type %s for bpf_dynptr_from_mem data",
			ts);
	}
	if (id == ID_MAP_LOOKUP &&
	    (meta.map->def->type == BH_MAP_ARRAY ||
	     meta.map->def->type == BH_MAP_PERCPU_ARRAY) &&
	    const_stack_key(v, &regs[2], meta.map->def->key_size, &key,
			    &key_spi) &&
	    key < meta.map->def->max_entries) {
		nonnull = true;
		err = mark_stack_slot_precision(v, regs[2].frameno, key_spi);
		if (err)
			return err;
	}
	if (meta.release_id) {
		err = release_reference(v, meta.release_id);
		if (err)
			return err;
	}
	if (id == ID_TIMER_SET_CALLBACK) {
		err = bh_push_async_callback(v, meta.subprogno, meta.map_idx,
					     false);
		if (err)
			return err;
	}
	if (id == ID_LOOP) {
		err = mark_chain_precision(v, 1);
		if (!err)
			err = check_loop_callback(v);
		if (err)
			return err;
	}
	clobber_caller_saved(v);
	return mark_helper_ret(v, id, p, &meta, nonnull);
}
