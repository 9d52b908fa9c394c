/* SPDX-License-Identifier: BSD-2-Clause */
/* C text of BTF types and function declarations, for listings and logs. */
#ifndef BPFHOST_TYPESTR_H
#define BPFHOST_TYPESTR_H

#include <stddef.h>
#include <stdint.h>

struct btf;
struct btf_type;

/* The type id names after typedefs and modifiers (with its id in *res
 * when res is not NULL); NULL for a bad id or a chain over 32 deep. */
const struct btf_type *bh_btf_skip_mods(const struct btf *btf, uint32_t id,
					uint32_t *res);

/* "struct sess *", "unsigned int", ...; "?" on a bad id.  Returns buf. */
const char *bh_btf_type_str(const struct btf *btf, uint32_t id, char *buf,
			    size_t size);
/* "struct sess *sess_get(int id, void *mem, int mem__sz)" for a FUNC id.
 * Returns buf. */
const char *bh_btf_func_decl_str(const struct btf *btf, uint32_t func_id,
				 char *buf, size_t size);

#endif
