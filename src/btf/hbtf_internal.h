/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to src/btf: helpers shared by the host-BTF files.  Nothing here
 * is reachable from a public header.
 */
#ifndef BPFHOST_HBTF_INTERNAL_H
#define BPFHOST_HBTF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct btf;

/* Generated at library build from the BTF of src/stdlib (Makefile); the
 * length is 0 when that BTF could not be made. */
extern const unsigned char bh_embedded_btf[];
extern const unsigned int bh_embedded_btf_len;

/* snprintf into err when err is non-NULL; returns -e so callers can
 * `return bh_btf_errf(...)`. */
int bh_btf_errf(char *err, size_t errsz, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Reject BTF that libbpf 1.1 parses but that later walks (dedup, btf_dump,
 * our own lookups) would trip over: type ids or string offsets out of
 * range, unknown kinds, and reference cycles that do not pass through a
 * pointer.  Only the types btf itself holds are checked (a split BTF's
 * base was checked when it was added).
 */
int bh_btf_validate(const struct btf *btf, const char *origin, char *err,
		    size_t errsz);

/*
 * The real path of the file mapped at addr (the executable or a shared
 * object), malloc'ed, and its load bias (runtime address minus ELF
 * address).  NULL when addr is in no loaded file.
 */
char *bh_addr_file(const void *addr, uintptr_t *bias);

#endif
