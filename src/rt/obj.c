// SPDX-License-Identifier: BSD-2-Clause
/*
 * Public object API: open (read + statically link an ELF object, create its
 * maps), load (check, resolve, prepare every program for execution), run,
 * and the map accessors.
 *
 * Invariant: a program runs only after bpfhost_obj_load() succeeded for its
 * whole object; a failed open or load leaves nothing behind but the error.
 * Load links each program and proves it safe with the verifier
 * (verifier/verifier.h) unless the object was opened with
 * opts.unverified, a debug option: an unverified program can read and
 * write any memory of the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "link/core.h"
#include "link/link.h"
#include "verifier/verifier.h"
#include "rt.h"

#define OBJ_MAX_FILE_SIZE (256u << 20)

static void obj_log_append(struct bpfhost_obj *obj, const char *msg)
{
	int n;

	if (!obj->log_buf || obj->log_size <= obj->log_len + 1)
		return;
	n = snprintf(obj->log_buf + obj->log_len, obj->log_size - obj->log_len,
		     "%s\n", msg);
	if (n > 0)
		obj->log_len += (size_t)n < obj->log_size - obj->log_len
					? (size_t)n
					: obj->log_size - obj->log_len - 1;
}

int bh_obj_errorf(struct bpfhost_obj *obj, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(obj->err, sizeof(obj->err), fmt, ap);
	va_end(ap);
	obj_log_append(obj, obj->err);
	bh_rt_log(obj->rt, BPFHOST_LOG_WARN, "%s: %s", obj->name, obj->err);
	errno = err;
	return -err;
}

void bh_obj_warnf(struct bpfhost_obj *obj, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	obj_log_append(obj, msg);
	bh_rt_log(obj->rt, BPFHOST_LOG_WARN, "%s: %s", obj->name, msg);
}

/* ---- object records (stdlib.h: struct bh_obj_meta) ---- */

/*
 * The record of struct type_id of the object's BTF, built on first use:
 * its size, refcount and kptr fields, each referenced kptr linked to what
 * releases it: the pointee's record for a program object, the registered
 * destructor for a host struct (a host struct of that name wins, as the
 * kernel looks in vmlinux first).  NULL with the error reported.
 */
static struct bh_obj_meta *obj_meta_get(struct bpfhost_obj *obj,
					uint32_t type_id)
{
	const struct btf *btf = obj->o->btf;
	struct bh_obj_meta *m, **n;
	int ret;

	for (size_t i = 0; i < obj->nmetas; i++)
		if (obj->metas[i]->type_id == type_id)
			return obj->metas[i];
	if (!btf) {
		bh_obj_errorf(obj, EINVAL,
			      "object records need the object's BTF");
		return NULL;
	}
	n = realloc(obj->metas, (obj->nmetas + 1) * sizeof(*n));
	if (!n) {
		bh_obj_errorf(obj, ENOMEM, "out of memory");
		return NULL;
	}
	obj->metas = n;
	m = calloc(1, sizeof(*m));
	if (!m) {
		bh_obj_errorf(obj, ENOMEM, "out of memory");
		return NULL;
	}
	ret = bh_obj_meta_init(m, btf, type_id, &obj->rt->objs);
	if (ret) {
		free(m);
		bh_obj_errorf(obj, -ret, "BTF type [%u]: %s", type_id,
			      ret == -E2BIG ? "more than 10 special fields"
					    : "not a struct of non-zero size");
		return NULL;
	}
	/* in the table before its fields link, so a type may hold itself */
	obj->metas[obj->nmetas++] = m;
	for (uint32_t i = 0; i < m->nr_fields; i++) {
		struct bh_obj_field *f = &m->fields[i];
		const struct btf_type *t = btf__type_by_id(btf, f->type_id);
		const char *name =
			t ? btf__name_by_offset(btf, t->name_off) : "";
		struct bh_btf_ref host;

		if (f->kind == BH_OBJ_FIELD_LIST_HEAD ||
		    f->kind == BH_OBJ_FIELD_RB_ROOT) {
			/* the __contains struct is always the program's */
			f->meta = obj_meta_get(obj, f->type_id);
			if (!f->meta)
				return NULL;
			continue;
		}
		if (f->kind != BH_OBJ_FIELD_KPTR_REF &&
		    f->kind != BH_OBJ_FIELD_KPTR_PERCPU)
			continue;
		if (name && name[0] &&
		    !bh_hbtf_find_type(obj->rt->hbtf, name, BTF_KIND_STRUCT,
				       &host)) {
			f->dtor = bh_kfunc_reg_dtor(obj->rt->reg, name);
			if (!f->dtor) {
				bh_obj_errorf(obj, ENOENT,
					      "kptr at offset %u of BTF type "
					      "[%u]: struct %s has no "
					      "registered destructor "
					      "(register_btf_id_dtor_kfuncs)",
					      f->off, type_id, name);
				return NULL;
			}
			continue;
		}
		f->meta = obj_meta_get(obj, f->type_id);
		if (!f->meta)
			return NULL;
	}
	return m;
}

static void map_free_fields(const void *ctx, void *value)
{
	bh_obj_free_fields(ctx, value);
}

/* A map whose value type has kptr or bpf_spin_lock fields: updates skip
 * them, and the references kptrs hold are released with the value. */
static int map_link_fields(struct bpfhost_obj *obj, struct bh_obj_map *om,
			   struct bh_map *map)
{
	struct bh_map_fields mf = {.free_fields = map_free_fields};
	struct bh_obj_meta probe, *m;
	int ret;

	if (!obj->o->btf || !om->def.btf_value_type_id)
		return 0;
	ret = bh_obj_meta_init(&probe, obj->o->btf, om->def.btf_value_type_id,
			       NULL);
	if (ret == -E2BIG)
		return bh_obj_errorf(obj, E2BIG,
				     "map '%s': more than %d special fields in "
				     "the value, or nested too deep",
				     om->name, BH_OBJ_MAX_FIELDS);
	if (ret)
		return 0; /* not a struct: no fields */
	for (uint32_t i = 0; i < probe.nr_fields; i++)
		if (probe.fields[i].kind == BH_OBJ_FIELD_KPTR_REF ||
		    probe.fields[i].kind == BH_OBJ_FIELD_KPTR_UNREF ||
		    probe.fields[i].kind == BH_OBJ_FIELD_KPTR_PERCPU) {
			mf.field[mf.nr].off = probe.fields[i].off;
			mf.field[mf.nr++].size = 8;
		} else if (probe.fields[i].kind == BH_OBJ_FIELD_LIST_HEAD ||
			   probe.fields[i].kind == BH_OBJ_FIELD_RB_ROOT) {
			/* updates leave the list or tree alone; the value's
			 * release drains it */
			mf.field[mf.nr].off = probe.fields[i].off;
			mf.field[mf.nr++].size = 16;
		} else if (probe.fields[i].kind == BH_OBJ_FIELD_TIMER ||
			   probe.fields[i].kind == BH_OBJ_FIELD_WQ) {
			/* updates leave it alone; the value's release
			 * cancels and frees it */
			bool wq = probe.fields[i].kind == BH_OBJ_FIELD_WQ;

			mf.field[mf.nr].off = probe.fields[i].off;
			mf.field[mf.nr++].size = 16;
			if (wq && !mf.has_wq) {
				mf.has_wq = true;
				mf.wq_off = probe.fields[i].off;
			} else if (!wq && !mf.has_timer) {
				mf.has_timer = true;
				mf.timer_off = probe.fields[i].off;
			}
		} else if (probe.fields[i].kind == BH_OBJ_FIELD_SPIN_LOCK ||
			   probe.fields[i].kind == BH_OBJ_FIELD_RES_SPIN_LOCK) {
			/* copy_map_value() leaves a lock alone */
			mf.field[mf.nr].off = probe.fields[i].off;
			mf.field[mf.nr++].size = 4;
		}
	if (!mf.nr)
		return 0;
	/* map_check_btf(): locks, lists and timers only in plain maps */
	for (uint32_t i = 0; bh_map_is_percpu(map) && i < probe.nr_fields; i++)
		if (probe.fields[i].kind == BH_OBJ_FIELD_SPIN_LOCK ||
		    probe.fields[i].kind == BH_OBJ_FIELD_LIST_HEAD ||
		    probe.fields[i].kind == BH_OBJ_FIELD_TIMER ||
		    probe.fields[i].kind == BH_OBJ_FIELD_WQ)
			return bh_obj_errorf(
				obj, EOPNOTSUPP,
				"map '%s': a per-CPU map's value cannot hold a "
				"%s",
				om->name,
				probe.fields[i].kind == BH_OBJ_FIELD_SPIN_LOCK
					? "bpf_spin_lock"
				: probe.fields[i].kind == BH_OBJ_FIELD_TIMER
					? "bpf_timer"
				: probe.fields[i].kind == BH_OBJ_FIELD_WQ
					? "bpf_wq"
					: "bpf_list_head");
	m = obj_meta_get(obj, om->def.btf_value_type_id);
	if (!m)
		return -errno;
	mf.ctx = m;
	if (bh_map_set_fields(map, &mf))
		return bh_obj_errorf(obj, EINVAL,
				     "map '%s': kptr fields past the value",
				     om->name);
	return 0;
}

static void obj_release(struct bpfhost_obj *obj)
{
	if (!obj)
		return;
	bh_obj_detach(obj);
	/* no timer callback runs from here on */
	bh_async_exec_stop(obj->async);
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		bh_code_free(obj->progs[i].code);
		free(obj->progs[i].aux);
		free(obj->progs[i].obj_type);
		free(obj->progs[i].node_off);
	}
	/* maps release their kptrs through the records: records last */
	for (size_t i = 0; i < obj->map_cnt; i++)
		bh_map_free(obj->maps[i].map);
	bh_async_exec_free(obj->async);
	for (size_t i = 0; i < obj->nmetas; i++)
		free(obj->metas[i]);
	free(obj->metas);
	free(obj->progs);
	free(obj->maps);
	bh_object_free(obj->o);
	free(obj->name);
	free(obj);
}

void bpfhost_obj_free(struct bpfhost_obj *obj)
{
	obj_release(obj);
}

/* Create the object's maps and fill global data with its initial bytes. */
static int obj_create_maps(struct bpfhost_obj *obj)
{
	struct bh_object *o = obj->o;
	char err[256];

	if (!o->map_cnt)
		return 0;
	obj->maps = calloc(o->map_cnt, sizeof(*obj->maps));
	if (!obj->maps)
		return bh_obj_errorf(obj, ENOMEM, "out of memory for maps");
	for (size_t i = 0; i < o->map_cnt; i++) {
		struct bh_obj_map *om = &o->maps[i];
		struct bh_map *m;

		err[0] = '\0';
		m = bh_map_new(&om->def, err, sizeof(err));
		if (!m)
			return bh_obj_errorf(obj, errno ? errno : EINVAL,
					     "map '%s': %s", om->name, err);
		obj->maps[i].obj = obj;
		obj->maps[i].map = m;
		obj->maps[i].name = om->name;
		obj->map_cnt = i + 1;
		if (map_link_fields(obj, om, m))
			return -errno ? -errno : -EINVAL;
		if (om->init && om->init_size) {
			void *data = bh_map_array_data(m);

			if (!data || om->init_size > om->def.value_size)
				return bh_obj_errorf(
					obj, EINVAL,
					"map '%s': initial data of %zu bytes "
					"does not fit",
					om->name, om->init_size);
			memcpy(data, om->init, om->init_size);
		}
	}
	return 0;
}

/* The caller's options, as many bytes as it has (an older, shorter
 * struct leaves the newer fields zero). */
static void open_opts_copy(struct bpfhost_open_opts *o,
			   const struct bpfhost_open_opts *opts)
{
	memset(o, 0, sizeof(*o));
	if (opts)
		memcpy(o, opts, opts->sz < sizeof(*o) ? opts->sz : sizeof(*o));
	o->sz = sizeof(*o);
}

static struct bpfhost_obj *obj_new(struct bpfhost_rt *rt, const char *name,
				   const struct bpfhost_open_opts *opts)
{
	struct bpfhost_open_opts o;
	struct bpfhost_obj *obj;

	if (!rt || !bh_opts_valid(opts, sizeof(*opts))) {
		errno = EINVAL;
		return NULL;
	}
	open_opts_copy(&o, opts);
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return NULL;
	obj->rt = rt;
	obj->name = strdup(o.name ? o.name : name ? name : "obj");
	if (!obj->name) {
		free(obj);
		return NULL;
	}
	obj->unverified = o.unverified;
	obj->log_level = o.log_level;
	obj->log_buf = o.log_buf;
	obj->log_size = o.log_size;
	if (obj->log_buf && obj->log_size)
		obj->log_buf[0] = '\0';
	return obj;
}

static struct bpfhost_obj *obj_finish_open(struct bpfhost_obj *obj)
{
	int err;

	obj->prog_cnt = obj->o->prog_cnt;
	if (obj->prog_cnt) {
		obj->progs = calloc(obj->prog_cnt, sizeof(*obj->progs));
		if (!obj->progs) {
			err = bh_obj_errorf(obj, ENOMEM, "out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfhost_prog *prog = &obj->progs[i];
		bool sleepable = false;

		prog->obj = obj;
		prog->p = &obj->o->progs[i];
		prog->type = bh_rt_type_for_sec(obj->rt, prog->p->sec_name,
						&sleepable);
		if (!prog->type) {
			char known[512];

			bh_rt_type_list(obj->rt, known, sizeof(known));
			err = bh_obj_errorf(obj, EINVAL,
					    "prog '%s': SEC(\"%s\") matches no "
					    "program type (known: %s)",
					    prog->p->name, prog->p->sec_name,
					    known);
			goto fail;
		}
		prog->info.type = prog->type->kernel_type;
		prog->info.prog_type = prog->type->name;
		prog->info.name = prog->p->name;
		prog->info.sec_name = prog->p->sec_name;
		prog->info.sleepable = sleepable;
	}
	err = obj_create_maps(obj);
	if (err)
		goto fail;
	return obj;
fail:
	obj_release(obj);
	errno = -err;
	return NULL;
}

struct bpfhost_obj *bpfhost_obj_open_mem(struct bpfhost_rt *rt, const void *buf,
					 size_t size,
					 const struct bpfhost_open_opts *opts)
{
	struct bpfhost_obj *obj = obj_new(rt, "mem", opts);
	char err[512];
	int ret;

	if (!obj)
		return NULL;
	err[0] = '\0';
	ret = bh_object_parse(buf, size, obj->name, &obj->o, err, sizeof(err));
	if (ret) {
		bh_obj_errorf(obj, -ret, "%s", err[0] ? err : strerror(-ret));
		obj_release(obj);
		errno = -ret;
		return NULL;
	}
	return obj_finish_open(obj);
}

struct bpfhost_obj *bpfhost_obj_open(struct bpfhost_rt *rt, const char *path,
				     const struct bpfhost_open_opts *opts)
{
	struct bpfhost_obj *obj;
	struct stat st;
	void *buf;
	ssize_t n;
	size_t got = 0;
	int fd, err;

	if (!rt || !path) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = errno;
		bh_rt_log(rt, BPFHOST_LOG_WARN, "%s: cannot open: %s", path,
			  strerror(err));
		if (fd >= 0)
			close(fd);
		errno = err;
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > OBJ_MAX_FILE_SIZE) {
		bh_rt_log(rt, BPFHOST_LOG_WARN,
			  "%s: not a regular file of at most %u MiB", path,
			  OBJ_MAX_FILE_SIZE >> 20);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, (char *)buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!bh_opts_valid(opts, sizeof(*opts))) {
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	{
		/* messages name the object by its path unless told otherwise */
		struct bpfhost_open_opts o;

		open_opts_copy(&o, opts);
		if (!o.name)
			o.name = path;
		obj = bpfhost_obj_open_mem(rt, buf, got, &o);
	}
	err = errno;
	free(buf);
	errno = err;
	return obj;
}

struct bpfhost_obj *bpfhost_obj_open_insns(struct bpfhost_rt *rt,
					   const char *name, const void *insns,
					   size_t size,
					   const struct bpfhost_open_opts *opts)
{
	struct bpfhost_obj *obj = obj_new(rt, name ? name : "insns", opts);
	struct bh_obj_prog *p;

	if (!obj)
		return NULL;
	if (!insns || !size || size % sizeof(struct bh_insn)) {
		bh_obj_errorf(obj, EINVAL,
			      "program of %zu bytes is not a whole number of "
			      "8-byte instructions",
			      size);
		obj_release(obj);
		errno = EINVAL;
		return NULL;
	}
	obj->o = calloc(1, sizeof(*obj->o));
	p = calloc(1, sizeof(*p));
	if (!obj->o || !p)
		goto nomem;
	obj->o->progs = p;
	obj->o->prog_cnt = 1;
	p->name = strdup("main");
	p->sec_name = strdup("syscall");
	p->insns = malloc(size);
	if (!p->name || !p->sec_name || !p->insns)
		goto nomem;
	memcpy(p->insns, insns, size);
	p->insn_cnt = p->own_cnt = size / sizeof(struct bh_insn);
	return obj_finish_open(obj);
nomem:
	obj_release(obj);
	errno = ENOMEM;
	return NULL;
}

/* ---- load ---- */

static int res_ldimm64(void *ctx, const struct bh_insn *insns, size_t idx,
		       uint64_t *val, char *err, size_t errsz)
{
	struct bpfhost_prog *prog = ctx;
	struct bpfhost_obj *obj = prog->obj;
	const struct bh_insn *in = &insns[idx];
	uint32_t mi = (uint32_t)in->imm;

	switch (in->src_reg) {
	case BH_PSEUDO_BTF_ID: {
		/* a linked ksym function: bpf_ksym_exists() sees its address */
		const struct bh_kfunc *k =
			bh_kfunc_by_btf(obj->rt->reg, (uint32_t)in[1].imm,
					(uint32_t)in->imm, prog->type->hook);

		if (!k) {
			snprintf(err, errsz,
				 "insn %zu: unlinked ksym btf_id %d", idx,
				 in->imm);
			return -EINVAL;
		}
		*val = (uint64_t)(uintptr_t)k->addr;
		return 0;
	}
	case BH_PSEUDO_MAP_FD:
	case BH_PSEUDO_MAP_IDX:
		if (mi >= obj->map_cnt)
			break;
		*val = (uint64_t)(uintptr_t)obj->maps[mi].map;
		return 0;
	case BH_PSEUDO_MAP_VALUE:
	case BH_PSEUDO_MAP_IDX_VALUE: {
		uint32_t off = (uint32_t)in[1].imm;
		void *data;

		if (mi >= obj->map_cnt)
			break;
		data = bh_map_array_data(obj->maps[mi].map);
		if (!data) {
			snprintf(
				err, errsz,
				"insn %zu: map '%s' has no direct value access",
				idx, obj->maps[mi].name);
			return -EINVAL;
		}
		if (off >= bh_map_def(obj->maps[mi].map)->value_size) {
			snprintf(err, errsz,
				 "insn %zu: offset %u past the value of map "
				 "'%s'",
				 idx, off, obj->maps[mi].name);
			return -EINVAL;
		}
		*val = (uint64_t)(uintptr_t)data + off;
		return 0;
	}
	default:
		snprintf(err, errsz,
			 "insn %zu: ld_imm64 form src_reg=%u is not supported "
			 "yet",
			 idx, in->src_reg);
		return -ENOTSUP;
	}
	snprintf(err, errsz, "insn %zu: map index %u out of range (%zu maps)",
		 idx, mi, obj->map_cnt);
	return -EINVAL;
}

static bh_fn res_helper(void *ctx, int32_t id)
{
	const struct bh_helper_info *h = bh_helper_by_id(id);

	(void)ctx;
	return h ? h->fn : NULL;
}

/* The kernel's fixup of an object kfunc's hidden meta argument: the
 * record of the type the verifier saw at this call. */
static int inject_obj_meta(struct bpfhost_prog *prog, const struct bh_kfunc *k,
			   uint32_t type_id, struct bh_kcall *out, char *err,
			   size_t errsz)
{
	const struct bh_obj_meta *m;

	for (int i = 0; i < k->nargs; i++) {
		if (!(k->args[i].annot & BH_ANN_IGN) ||
		    strcmp(k->args[i].name, "meta__ign"))
			continue;
		if (out->inject_mask) {
			snprintf(err, errsz, "kfunc %s: two hidden arguments",
				 k->name);
			return -EINVAL;
		}
		m = obj_meta_get(prog->obj, type_id);
		if (!m) {
			snprintf(err, errsz, "%s", prog->obj->err);
			return -errno ? -errno : -EINVAL;
		}
		out->inject_mask = (uint8_t)(1u << i);
		out->inject_val[i] = (uint64_t)(uintptr_t)m;
		return 0;
	}
	snprintf(err, errsz,
		 "kfunc %s has no meta__ign argument for its type record",
		 k->name);
	return -EINVAL;
}

/* The kernel's insert_off fixup: a list push or rbtree add is told where
 * the node it inserts lies in its struct (which may have two nodes). */
static int inject_node_off(struct bpfhost_prog *prog, const struct bh_kfunc *k,
			   size_t idx, struct bh_kcall *out, char *err,
			   size_t errsz)
{
	if (strcmp(k->name, "bpf_list_push_front_impl") &&
	    strcmp(k->name, "bpf_list_push_back_impl") &&
	    strcmp(k->name, "bpf_rbtree_add_impl"))
		return 0;
	for (int i = 0; prog->node_off && i < k->nargs; i++) {
		if (strcmp(k->args[i].name, "off") || k->args[i].is_ptr)
			continue;
		out->inject_mask |= (uint8_t)(1u << i);
		out->inject_val[i] = prog->node_off[idx];
		return 0;
	}
	snprintf(err, errsz, "insn %zu: kfunc %s without its node offset", idx,
		 k->name);
	return -EINVAL;
}

static int res_kfunc(void *ctx, size_t idx, int32_t imm, int16_t off,
		     struct bh_kcall *out, char *err, size_t errsz)
{
	struct bpfhost_prog *prog = ctx;
	uint32_t obj_type = prog->obj_type ? prog->obj_type[idx] : 0;
	const struct bh_kfunc *k;

	memset(out, 0, sizeof(*out));
	if (imm == 0 && off == 0)
		return 0; /* an unresolved __weak kfunc: fn NULL */
	k = bh_kfunc_by_btf(prog->obj->rt->reg, (uint32_t)off, (uint32_t)imm,
			    prog->type->hook);
	if (!k) {
		snprintf(err, errsz, "unlinked kfunc call (btf_id %d, btf %d)",
			 imm, off);
		return -EINVAL;
	}
	out->fn = (bh_fn)k->addr;
	out->ret_ext = k->ret_ext;
	for (int i = 0; i < k->nargs; i++) {
		out->arg_ext[i] = k->args[i].ext;
		if (k->args[i].annot & BH_ANN_PROG) {
			/* the kernel passes the program's aux; a host gets
			 * the struct bpf_prog its filters see */
			out->inject_mask |= (uint8_t)(1u << i);
			out->inject_val[i] = (uint64_t)(uintptr_t)&prog->info;
		}
	}
	if (!obj_type)
		return 0;
	return inject_obj_meta(prog, k, obj_type, out, err, errsz)
		       ?: inject_node_off(prog, k, idx, out, err, errsz);
}

static void link_warn(void *ctx, const char *msg)
{
	struct bpfhost_obj *obj = ctx;

	bh_obj_warnf(obj, "%s", msg);
}

static int prog_link(struct bpfhost_obj *obj, struct bpfhost_prog *prog)
{
	struct bh_link_env env = {
		.reg = obj->rt->reg,
		.hbtf = obj->rt->hbtf,
		.prog_type = prog->type->name,
		.hook = prog->type->hook,
		.prog = &prog->info,
		.warn = link_warn,
		.warn_ctx = obj,
	};
	char err[768] = "";
	/* CO-RE first, as libbpf relocates CO-RE before anything else
	 * (link/core.h); it leaves kfunc calls and ksyms alone */
	int ret = bh_core_relocate(prog->p, obj->o, &env, err, sizeof(err));

	if (!ret)
		ret = bh_link_kfuncs(prog->p, obj->o, &env, err, sizeof(err));
	return ret ? bh_obj_errorf(obj, -ret, "%s", err) : 0;
}

/*
 * CO-RE (link/core.h): a rejection at a poisoned instruction means a CO-RE
 * relocation that could not be resolved was reached; say which one, as
 * libbpf rewrites the kernel's "invalid func unknown#195896080".
 */
static bool core_reject(struct bpfhost_obj *obj,
			const struct bpfhost_prog *prog,
			const struct bh_verify_result *vres, int ret)
{
	const struct bh_obj_prog *p = prog->p;
	char what[512];

	if (vres->err_insn < 0 || (size_t)vres->err_insn >= p->insn_cnt ||
	    !bh_core_is_poison(&p->insns[vres->err_insn]) ||
	    bh_core_describe(p, obj->o, (size_t)vres->err_insn, what,
			     sizeof(what)))
		return false;
	bh_obj_errorf(obj, -ret,
		      "prog '%s': insn %ld: <invalid CO-RE relocation>: %s",
		      p->name, vres->err_insn, what);
	return true;
}

/* Prove one linked program safe (verifier/verifier.h). */
static int prog_verify(struct bpfhost_obj *obj, struct bpfhost_prog *prog)
{
	const struct bh_prog_type *t = prog->type;
	const struct bh_obj_prog *p = prog->p;
	struct bh_verify_prog_type vt = {
		.name = t->name,
		.ctx_kind = BH_CTX_BUFFER,
		.ctx_size = t->ctx_size,
		.ctx_read = (const struct bh_ctx_range *)t->ctx_read,
		.ctx_write = (const struct bh_ctx_range *)t->ctx_write,
		.n_ctx_read = t->n_ctx_read,
		.n_ctx_write = t->n_ctx_write,
		.sleepable = t->sleepable,
		.ret_checked = t->ret_checked,
		.ret_min = t->ret_min,
		.ret_max = t->ret_max,
		.caps = t->caps,
		.hook = t->hook,
	};
	struct bh_verify_env env = {
		.insns = p->insns,
		.insn_cnt = p->insn_cnt,
		.map_cnt = obj->map_cnt,
		.type = &vt,
		.sleepable =
			prog->info.sleepable, /* the type, or a ".s" SEC() */
		.prog_name = p->name,
		.license = obj->o->license ? obj->o->license : "",
		.prog_btf = obj->o->btf,
		.func_info = p->func_info,
		.func_info_cnt = p->func_info_cnt,
		.line_info = p->line_info,
		.line_info_cnt = p->line_info_cnt,
		.kfuncs = obj->rt->reg,
		.hbtf = obj->rt->hbtf,
		.log_level = obj->log_level,
	};
	struct bh_verify_map *maps = NULL;
	struct bh_verify_result vres;
	char *log = NULL;
	int ret;

	_Static_assert(sizeof(struct bh_ctx_range) ==
			       sizeof(struct bpfhost_ctx_range),
		       "ctx range layouts agree");
	if (t->ctx_type && t->ctx_type[0]) {
		struct bh_btf_ref ref;

		if (bh_hbtf_find_type(obj->rt->hbtf, t->ctx_type,
				      BTF_KIND_STRUCT, &ref) == 0) {
			vt.ctx_kind = BH_CTX_STRUCT;
			vt.ctx_btf = bh_hbtf_btf(obj->rt->hbtf, ref.src);
			vt.ctx_type_id = ref.id;
			vt.ctx_btf_src = ref.src;
		}
	}
	if (!strcmp(t->name, "tracing")) {
		struct bh_btf_ref fn;
		const struct btf *b;
		const struct btf_type *ft;

		if (bh_hook_func_of(obj->rt, prog, &fn))
			return bh_obj_errorf(
				obj, ENOENT,
				"prog '%s': no declared hook for '%s'", p->name,
				p->sec_name);
		b = bh_hbtf_btf(obj->rt->hbtf, fn.src);
		ft = b ? btf__type_by_id(b, fn.id) : NULL;
		vt.ctx_kind = BH_CTX_ARGS;
		vt.ctx_btf = b;
		vt.ctx_btf_src = fn.src;
		vt.ctx_type_id = ft ? ft->type : 0;
	}
	if (obj->map_cnt) {
		maps = calloc(obj->map_cnt, sizeof(*maps));
		if (!maps)
			return bh_obj_errorf(obj, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < obj->map_cnt; i++) {
		const struct bh_obj_map *om = &obj->o->maps[i];

		maps[i].def = &om->def;
		maps[i].name = om->name;
		/* .rodata is frozen before programs run, as libbpf does */
		if (om->def.kind == BH_MAPK_RODATA) {
			maps[i].frozen_rdonly = true;
			maps[i].data = bh_map_array_data(obj->maps[i].map);
		}
	}
	env.maps = maps;
	if (obj->log_level && obj->log_buf && obj->log_size) {
		log = malloc(obj->log_size);
		if (log) {
			env.log_buf = log;
			env.log_size = obj->log_size;
		}
	}
	ret = bh_verify(&env, &vres);
	if (log) {
		obj_log_append(obj, log);
		free(log);
	}
	free(maps);
	prog->verified = true;
	prog->vinfo.accepted = ret == 0;
	prog->vinfo.insn_processed = vres.stats.insn_processed;
	prog->vinfo.max_states_per_insn = vres.stats.max_states_per_insn;
	prog->vinfo.total_states = vres.stats.total_states;
	prog->vinfo.peak_states = vres.stats.peak_states;
	prog->vinfo.verification_ns = vres.stats.verification_ns;
	for (uint32_t s = 0; s < vres.stats.subprog_cnt && s < 64; s++)
		prog->vinfo.stack_depth += vres.stats.stack_depth[s];
	if (ret && !core_reject(obj, prog, &vres, ret))
		bh_obj_errorf(obj, -ret, "prog '%s': %s", p->name, vres.err);
	if (!ret) {
		/* keep what execution needs: probe loads, dead code, and the
		 * ctx bytes the program may touch */
		prog->aux = vres.aux;
		vres.aux = NULL;
		prog->obj_type = vres.obj_type;
		vres.obj_type = NULL;
		prog->node_off = vres.node_off;
		vres.node_off = NULL;
		if (vt.ctx_kind == BH_CTX_BUFFER)
			prog->min_ctx_size = vres.stats.max_ctx_offset;
	}
	bh_verify_result_free(&vres);
	return ret;
}

/*
 * From the verifier's per-instruction facts, the decoder's: which loads are
 * probe loads, and which instructions no path reaches (they become traps
 * and are not decoded, as the kernel removes dead code after verifying).
 */
static int prog_exec_flags(const struct bpfhost_prog *prog,
			   struct bh_resolve *res)
{
	size_t n = prog->p->insn_cnt;
	uint8_t *probe, *dead;

	res->probe = res->dead = NULL;
	if (!prog->aux)
		return 0;
	probe = calloc(n, 1);
	dead = calloc(n, 1);
	if (!probe || !dead) {
		free(probe);
		free(dead);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		probe[i] = (prog->aux[i] & BH_AUX_PROBE_MEM) != 0;
		dead[i] = !(prog->aux[i] & BH_AUX_SEEN);
	}
	res->probe = probe;
	res->dead = dead;
	return 0;
}

int bpfhost_prog_verify_info(const struct bpfhost_prog *prog,
			     struct bpfhost_verify_info *info)
{
	if (!prog || !info)
		return -EINVAL;
	if (!prog->verified)
		return -ENOENT;
	*info = prog->vinfo;
	return 0;
}

int bpfhost_prog_set_autoload(struct bpfhost_prog *prog, bool autoload)
{
	if (!prog)
		return -EINVAL;
	if (prog->obj->loaded)
		return -EBUSY;
	prog->no_autoload = !autoload;
	return 0;
}

int bpfhost_obj_load(struct bpfhost_obj *obj)
{
	struct bh_resolve res = {
		.ldimm64 = res_ldimm64,
		.helper = res_helper,
		.kfunc = res_kfunc,
	};
	char err[512];
	int ret = 0;

	if (!obj)
		return -EINVAL;
	if (obj->loaded)
		return bh_obj_errorf(obj, EBUSY, "object already loaded");
	if (!obj->async) {
		struct bh_run_env env = {.print = bh_rt_printk,
					 .print_ctx = obj->rt};

		obj->async = bh_async_exec_new(&env, &obj->rt->objs);
		if (!obj->async)
			return bh_obj_errorf(obj, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfhost_prog *prog = &obj->progs[i];
		const struct bh_obj_prog *p = prog->p;

		if (prog->no_autoload)
			continue;
		err[0] = '\0';
		ret = bh_insns_check(p->insns, p->insn_cnt, err, sizeof(err));
		if (ret) {
			bh_obj_errorf(obj, -ret, "prog '%s': %s", p->name, err);
			goto fail;
		}
		ret = prog_link(obj, prog);
		if (ret)
			goto fail;
		if (!obj->unverified) {
			ret = prog_verify(obj, prog);
			if (ret)
				goto fail;
		}
		res.ctx = prog;
		ret = prog_exec_flags(prog, &res);
		if (ret) {
			bh_obj_errorf(obj, -ret, "out of memory");
			goto fail;
		}
		ret = bh_code_new(p->insns, p->insn_cnt, &res, &prog->code, err,
				  sizeof(err));
		if (!ret && p->exc_cb_off)
			bh_code_set_exception_cb(prog->code, p->exc_cb_off);
		free((void *)res.probe);
		free((void *)res.dead);
		res.probe = res.dead = NULL;
		if (ret) {
			bh_obj_errorf(obj, -ret, "prog '%s': %s", p->name, err);
			goto fail;
		}
	}
	obj->loaded = true;
	return 0;
fail:
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		bh_code_free(obj->progs[i].code);
		obj->progs[i].code = NULL;
		free(obj->progs[i].aux);
		obj->progs[i].aux = NULL;
		free(obj->progs[i].obj_type);
		obj->progs[i].obj_type = NULL;
		free(obj->progs[i].node_off);
		obj->progs[i].node_off = NULL;
	}
	return ret;
}

/* ---- accessors ---- */

const char *bpfhost_obj_name(const struct bpfhost_obj *obj)
{
	return obj->name;
}

const char *bpfhost_obj_license(const struct bpfhost_obj *obj)
{
	return obj->o->license ? obj->o->license : "";
}

const char *bpfhost_obj_error(const struct bpfhost_obj *obj)
{
	return obj->err;
}

const struct btf *bpfhost_obj_btf(const struct bpfhost_obj *obj)
{
	return obj->o->btf;
}

size_t bpfhost_obj_prog_count(const struct bpfhost_obj *obj)
{
	return obj->prog_cnt;
}

struct bpfhost_prog *bpfhost_obj_prog_at(struct bpfhost_obj *obj, size_t i)
{
	if (i >= obj->prog_cnt) {
		errno = ENOENT;
		return NULL;
	}
	return &obj->progs[i];
}

struct bpfhost_prog *bpfhost_obj_prog(struct bpfhost_obj *obj, const char *name)
{
	for (size_t i = 0; i < obj->prog_cnt; i++)
		if (!strcmp(obj->progs[i].p->name, name))
			return &obj->progs[i];
	for (size_t i = 0; i < obj->prog_cnt; i++)
		if (!strcmp(obj->progs[i].p->sec_name, name))
			return &obj->progs[i];
	errno = ENOENT;
	return NULL;
}

const char *bpfhost_prog_name(const struct bpfhost_prog *prog)
{
	return prog->p->name;
}

const char *bpfhost_prog_section(const struct bpfhost_prog *prog)
{
	return prog->p->sec_name;
}

const char *bpfhost_prog_type(const struct bpfhost_prog *prog)
{
	return prog->type->name;
}

size_t bpfhost_prog_insn_count(const struct bpfhost_prog *prog)
{
	return prog->p->insn_cnt;
}

const void *bpfhost_prog_insns(const struct bpfhost_prog *prog, size_t *cnt)
{
	if (cnt)
		*cnt = prog->p->insn_cnt;
	return prog->p->insns;
}

int bpfhost_prog_line(const struct bpfhost_prog *prog, size_t idx,
		      struct bpfhost_line *line)
{
	const struct bh_line_info *li = bh_prog_line(prog->p, idx);

	if (!li)
		return -ENOENT;
	line->file = li->file ? li->file : "";
	line->text = li->line ? li->line : "";
	line->line = li->line_num;
	line->col = li->line_col;
	return 0;
}

const char *bpfhost_prog_func_at(const struct bpfhost_prog *prog, size_t idx)
{
	const struct bh_obj_prog *p = prog->p;
	const struct btf *btf = prog->obj->o->btf;

	if (idx == 0)
		return p->name;
	if (!btf)
		return NULL;
	for (size_t i = 0; i < p->func_info_cnt; i++) {
		const struct bh_func_info *fi = &p->func_info[i];

		if (fi->insn_off == idx) {
			const struct btf_type *t =
				btf__type_by_id(btf, fi->type_id);
			const char *n =
				t ? btf__name_by_offset(btf, t->name_off)
				  : NULL;

			return n && *n ? n : NULL;
		}
	}
	return NULL;
}

int bpfhost_disasm(const void *insns, size_t cnt, size_t idx, char *buf,
		   size_t size)
{
	return bh_disasm(insns, cnt, idx, buf, size);
}

int bpfhost_prog_run_opts(struct bpfhost_prog *prog, void *ctx, size_t ctx_size,
			  uint64_t *retval, const struct bpfhost_run_opts *opts)
{
	struct bpfhost_rt *rt = prog->obj->rt;
	struct bh_run_opts ro = {0};
	struct bh_run_env env;
	const struct bh_run_env *old;
	unsigned int mark;
	uint64_t r0 = 0;
	int fault;

	if (!bh_opts_valid(opts, sizeof(*opts)))
		return -EINVAL;
	if (!prog->code)
		return -EPERM;
	/* the verifier proved accesses below min_ctx_size only */
	if (ctx_size < prog->min_ctx_size || (prog->min_ctx_size && !ctx))
		return -EINVAL;
	if (opts)
		ro.insn_limit = opts->insn_limit;
	env.print = bh_rt_printk;
	env.print_ctx = rt;
	env.async = prog->obj->async;
	old = bh_run_env_set(&env);
	mark = bh_rq_held_mark();
	fault = bh_code_run(prog->code, (uint64_t)(uintptr_t)ctx,
			    (uint64_t)ctx_size, &ro, &r0);
	bh_run_env_set(old);
	/* a verified program releases what it locks before it exits; one
	 * stopped on the way (or an unverified one) must not leave it
	 * taken: no-ops otherwise */
	bh_spin_lock_abandon();
	bh_rq_abandon_to(mark);
	if (fault)
		return -EFAULT;
	if (retval)
		*retval = r0;
	return 0;
}

int bh_prog_frame_str(const struct bpf_prog *info, uint32_t idx, char *buf,
		      size_t size)
{
	const struct bpfhost_prog *prog =
		(const void *)((const char *)info -
			       offsetof(struct bpfhost_prog, info));
	const struct bh_obj_prog *p = prog->p;
	const struct btf *btf = prog->obj->o->btf;
	const char *name = p->name, *file, *line;
	size_t start = 0, end = p->insn_cnt;
	const struct bh_line_info *li;
	int n;

	/* the function holding idx: the last func_info at or before it */
	for (size_t i = 0; i < p->func_info_cnt; i++) {
		const struct bh_func_info *fi = &p->func_info[i];
		const struct btf_type *t;

		if (fi->insn_off > idx) {
			end = fi->insn_off < end ? fi->insn_off : end;
			continue;
		}
		if (fi->insn_off < start)
			continue;
		start = fi->insn_off;
		t = btf ? btf__type_by_id(btf, fi->type_id) : NULL;
		name = t ? btf__name_by_offset(btf, t->name_off) : p->name;
		if (!name || !*name)
			name = p->name;
	}
	n = snprintf(buf, size, "bpf_prog_%s+0x%zx/0x%zx\n", name,
		     (idx - start) * 8, (end - start) * 8);
	if (n < 0 || (size_t)n >= size)
		return n < 0 ? 0 : (int)size - 1;
	li = bh_prog_line(p, idx);
	if (!li || !li->file || !*li->file)
		return n;
	file = strrchr(li->file, '/');
	file = file ? file + 1 : li->file;
	for (line = li->line ? li->line : ""; *line == ' ' || *line == '\t';
	     line++)
		;
	n += snprintf(buf + n, size - (size_t)n, "  %s @ %s:%u\n", line, file,
		      li->line_num);
	return (size_t)n >= size ? (int)size - 1 : n;
}

int bpfhost_prog_run(struct bpfhost_prog *prog, void *ctx, size_t ctx_size,
		     uint64_t *retval)
{
	return bpfhost_prog_run_opts(prog, ctx, ctx_size, retval, NULL);
}

/* ---- maps ---- */

size_t bpfhost_obj_map_count(const struct bpfhost_obj *obj)
{
	return obj->map_cnt;
}

struct bpfhost_map *bpfhost_obj_map_at(struct bpfhost_obj *obj, size_t i)
{
	if (i >= obj->map_cnt) {
		errno = ENOENT;
		return NULL;
	}
	return &obj->maps[i];
}

struct bpfhost_map *bpfhost_obj_map(struct bpfhost_obj *obj, const char *name)
{
	for (size_t i = 0; i < obj->map_cnt; i++)
		if (!strcmp(obj->maps[i].name, name))
			return &obj->maps[i];
	errno = ENOENT;
	return NULL;
}

void bpfhost_map_info(const struct bpfhost_map *map,
		      struct bpfhost_map_info *info)
{
	const struct bh_map_def *d = bh_map_def(map->map);

	info->name = map->name;
	info->type = d->type;
	info->key_size = d->key_size;
	info->value_size = d->value_size;
	info->max_entries = d->max_entries;
	info->map_flags = d->map_flags;
}

void bpfhost_kfunc_map_info(const void *map__map, struct bpfhost_map_info *info)
{
	const struct bh_map_def *d = bh_map_def(map__map);

	info->name = NULL;
	info->type = d->type;
	info->key_size = d->key_size;
	info->value_size = d->value_size;
	info->max_entries = d->max_entries;
	info->map_flags = d->map_flags;
}

int bpfhost_map_lookup(struct bpfhost_map *map, const void *key, void *value)
{
	return bh_map_lookup_copy(map->map, key, value);
}

int bpfhost_map_update(struct bpfhost_map *map, const void *key,
		       const void *value, uint64_t flags)
{
	return bh_map_update_all(map->map, key, value, flags);
}

size_t bpfhost_map_value_size(const struct bpfhost_map *map)
{
	return bh_map_host_value_size(map->map);
}

int bpfhost_num_possible_cpus(void)
{
	return (int)bh_nr_cpus();
}

int bpfhost_map_delete(struct bpfhost_map *map, const void *key)
{
	return bh_map_delete(map->map, key);
}

int bpfhost_map_next_key(struct bpfhost_map *map, const void *key,
			 void *next_key)
{
	return bh_map_next_key(map->map, key, next_key);
}

int bpfhost_ringbuf_consume(struct bpfhost_map *map, bpfhost_ringbuf_cb cb,
			    void *ctx)
{
	if (!map || !bh_map_is_ringbuf(map->map))
		return -EINVAL;
	return bh_ringbuf_consume(map->map, cb, ctx);
}

int bpfhost_ringbuf_poll(struct bpfhost_map *map, bpfhost_ringbuf_cb cb,
			 void *ctx, int timeout_ms)
{
	if (!map || !bh_map_is_ringbuf(map->map))
		return -EINVAL;
	return bh_ringbuf_poll(map->map, cb, ctx, timeout_ms);
}

int bpfhost_ringbuf_fd(struct bpfhost_map *map)
{
	if (!map)
		return -EINVAL;
	return bh_ringbuf_fd(map->map);
}
