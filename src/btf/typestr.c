// SPDX-License-Identifier: BSD-2-Clause
/*
 * Small BTF queries shared by the registry and the runtime, and the C
 * text of BTF types through libbpf's btf_dump declaration emitter, into
 * caller buffers (truncated, always NUL-terminated).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "typestr.h"

struct sbuf {
	char *buf;
	size_t size, len;
};

static void sbuf_printf(void *ctx, const char *fmt, va_list args)
{
	struct sbuf *sb = ctx;
	int n;

	if (sb->len + 1 >= sb->size)
		return;
	n = vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, args);
	if (n > 0)
		sb->len = sb->len + (size_t)n < sb->size ? sb->len + (size_t)n
							 : sb->size - 1;
}

static void sbuf_puts(struct sbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (sb->len + 1 >= sb->size)
		return;
	if (n > sb->size - sb->len - 1)
		n = sb->size - sb->len - 1;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static int emit(struct btf_dump *d, uint32_t id, const char *name)
{
	struct btf_dump_emit_type_decl_opts o = {
		.sz = sizeof(o),
		.field_name = name,
	};

	return btf_dump__emit_type_decl(d, id, &o);
}

const struct btf_type *bh_btf_skip_mods(const struct btf *btf, uint32_t id,
					uint32_t *res)
{
	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return NULL;
		if (!btf_is_mod(t) && !btf_is_typedef(t)) {
			if (res)
				*res = id;
			return t;
		}
		id = t->type;
	}
	return NULL;
}

const char *bh_btf_type_str(const struct btf *btf, uint32_t id, char *buf,
			    size_t size)
{
	struct sbuf sb = {buf, size, 0};
	struct btf_dump *d;

	buf[0] = '\0';
	if (!btf || !btf__type_by_id(btf, id)) {
		snprintf(buf, size, "?");
		return buf;
	}
	d = btf_dump__new(btf, sbuf_printf, &sb, NULL);
	if (!d) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (emit(d, id, "") < 0)
		snprintf(buf, size, "?");
	btf_dump__free(d);
	return buf;
}

const char *bh_btf_func_decl_str(const struct btf *btf, uint32_t func_id,
				 char *buf, size_t size)
{
	const struct btf_type *fn = btf ? btf__type_by_id(btf, func_id) : NULL;
	const struct btf_type *proto;
	const struct btf_param *p;
	struct sbuf sb = {buf, size, 0};
	struct btf_dump *d;
	const char *name;

	buf[0] = '\0';
	proto = fn && btf_is_func(fn) ? btf__type_by_id(btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto)) {
		snprintf(buf, size, "?");
		return buf;
	}
	d = btf_dump__new(btf, sbuf_printf, &sb, NULL);
	if (!d) {
		snprintf(buf, size, "?");
		return buf;
	}
	name = btf__name_by_offset(btf, fn->name_off);
	if (!proto->type)
		sbuf_puts(&sb, "void");
	else
		emit(d, proto->type, "");
	if (sb.len && buf[sb.len - 1] != '*')
		sbuf_puts(&sb, " ");
	sbuf_puts(&sb, name ? name : "?");
	sbuf_puts(&sb, "(");
	p = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto); i++) {
		const char *pn = btf__name_by_offset(btf, p[i].name_off);

		if (i)
			sbuf_puts(&sb, ", ");
		if (!p[i].type)
			sbuf_puts(&sb, "...");
		else
			emit(d, p[i].type, pn ? pn : "");
	}
	if (!btf_vlen(proto))
		sbuf_puts(&sb, "void");
	sbuf_puts(&sb, ")");
	btf_dump__free(d);
	return buf;
}
