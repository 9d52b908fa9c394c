// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel's string kfuncs (6.18: bpf_strcmp, bpf_strcasecmp, bpf_strchr,
 * bpf_strchrnul, bpf_strnchr, bpf_strrchr, bpf_strlen, bpf_strnlen,
 * bpf_strspn, bpf_strcspn, bpf_strstr, bpf_strnstr; after 6.18:
 * bpf_strncasecmp, bpf_strcasestr, bpf_strncasestr), common to every
 * program type.  Their arguments are `__ign` pointers the verifier does not
 * check, so each byte is read fault-tolerantly and every walk stops at
 * XATTR_SIZE_MAX (BH_STR_MAX) bytes:
 *   -ERANGE  a pointer that cannot be a host address (bh_addr_allowed);
 *   -EFAULT  a byte that cannot be read (unmapped, PROT_NONE);
 *   -E2BIG   no terminator within the cap;
 *   -ENOENT  not found (strchr, strnchr, strrchr, strstr, strnstr).
 * Results are indexes, never pointers.  Characters compare as unsigned
 * (the kernel builds with -funsigned-char).
 *
 * Fault tolerance: reads go through process_vm_readv(2) on our own pid,
 * which copies in the kernel and reports an unreadable source as EFAULT
 * instead of delivering SIGSEGV.  No signal handler, no global state; each
 * read is bounded by the 4 KiB page it starts in, so a string that ends
 * just before an unmapped page reads as the kernel's byte-wise walk does.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include "bpfhost/kfunc.h"
#include "stdlib.h"

#define BH_MIN_ADDR 0x10000ul /* vm.mmap_min_addr's default: never mapped */
#define BH_PAGE 4096ul	      /* the smallest page: chunks never cross one */

bool bh_addr_allowed(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	if (a < BH_MIN_ADDR)
		return false;
#if defined(__x86_64__) || defined(__aarch64__)
	/* the user half: 47 bits on x86-64, 48 on arm64 (use the smaller) */
	if (a >= (1ul << 47))
		return false;
#endif
	return true;
}

/* Read up to n bytes at src, stopping at the first unreadable page:
 * bytes read, 0 if the first byte is unreadable. */
static size_t read_some(void *dst, uintptr_t src, size_t n)
{
	struct iovec l = {dst, n}, r = {(void *)src, n};
	ssize_t got = process_vm_readv(getpid(), &l, 1, &r, 1, 0);

	return got > 0 ? (size_t)got : 0;
}

int bh_read_nofault(void *dst, const void *src, size_t n)
{
	uintptr_t s = (uintptr_t)src;

	if (!n)
		return 0;
	if (s + n < s || !bh_addr_allowed(src) ||
	    !bh_addr_allowed((const void *)(s + n - 1)) ||
	    read_some(dst, s, n) != n) {
		memset(dst, 0, n);
		return -EFAULT;
	}
	return 0;
}

/* A cursor over a string in host memory with a small read-ahead window. */
struct sreader {
	uintptr_t base;
	size_t lo, len; /* buf holds [lo, lo + len) */
	unsigned char buf[256];
};

static void sr_init(struct sreader *r, const char *s)
{
	r->base = (uintptr_t)s;
	r->lo = 0;
	r->len = 0;
}

/* The byte at index i: 0, or -EFAULT. */
static int sr_get(struct sreader *r, size_t i, unsigned char *c)
{
	if (i - r->lo >= r->len) {
		uintptr_t a = r->base + i;
		size_t n = BH_PAGE - (a & (BH_PAGE - 1));

		if (a < r->base)
			return -EFAULT;
		if (n > sizeof(r->buf))
			n = sizeof(r->buf);
		r->len = read_some(r->buf, a, n);
		r->lo = i;
		if (!r->len)
			return -EFAULT;
	}
	*c = r->buf[i - r->lo];
	return 0;
}

/* The kernel's tolower: ASCII and Latin-1 capitals (its ctype table) */
static unsigned char bh_tolower(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
		return (unsigned char)(c + 0x20);
	return c;
}

/* At most limit bytes; equal up to a limit below the cap is equal. */
static int str_cmp(const char *s1, const char *s2, bool icase, size_t limit)
{
	struct sreader a, b;
	unsigned char c1, c2;

	if (!bh_addr_allowed(s1) || !bh_addr_allowed(s2))
		return -ERANGE;
	sr_init(&a, s1);
	sr_init(&b, s2);
	for (size_t i = 0; i < limit && i < BH_STR_MAX; i++) {
		if (sr_get(&a, i, &c1) || sr_get(&b, i, &c2))
			return -EFAULT;
		if (icase) {
			c1 = bh_tolower(c1);
			c2 = bh_tolower(c2);
		}
		if (c1 != c2)
			return c1 < c2 ? -1 : 1;
		if (!c1)
			return 0;
	}
	return limit >= BH_STR_MAX ? -E2BIG : 0;
}

/* strspn (accept) and strcspn (!accept) */
static int str_span(const char *s, const char *set, bool accept)
{
	struct sreader rs, rset;
	unsigned char cs, cc = 0;
	size_t i, j;

	if (!bh_addr_allowed(s) || !bh_addr_allowed(set))
		return -ERANGE;
	sr_init(&rs, s);
	sr_init(&rset, set);
	for (i = 0; i < BH_STR_MAX; i++) {
		if (sr_get(&rs, i, &cs))
			return -EFAULT;
		if (!cs)
			return (int)i;
		for (j = 0; j < BH_STR_MAX; j++) {
			if (sr_get(&rset, j, &cc))
				return -EFAULT;
			if (cs == cc || !cc)
				break;
		}
		if (j == BH_STR_MAX)
			return -E2BIG;
		if (accept ? !cc : cc != 0)
			return (int)i;
	}
	return -E2BIG;
}

__bpf_kfunc_start_defs();

__bpf_kfunc int bpf_strcmp(const char *s1__ign, const char *s2__ign)
{
	return str_cmp(s1__ign, s2__ign, false, BH_STR_MAX);
}

__bpf_kfunc int bpf_strcasecmp(const char *s1__ign, const char *s2__ign)
{
	return str_cmp(s1__ign, s2__ign, true, BH_STR_MAX);
}

__bpf_kfunc int bpf_strncasecmp(const char *s1__ign, const char *s2__ign,
				size_t len)
{
	return str_cmp(s1__ign, s2__ign, true, len);
}

/* the NUL terminator is part of the string and can be searched for */
__bpf_kfunc int bpf_strnchr(const char *s__ign, size_t count, char c)
{
	struct sreader r;
	unsigned char sc;
	size_t i;

	if (!bh_addr_allowed(s__ign))
		return -ERANGE;
	sr_init(&r, s__ign);
	for (i = 0; i < count && i < BH_STR_MAX; i++) {
		if (sr_get(&r, i, &sc))
			return -EFAULT;
		if (sc == (unsigned char)c)
			return (int)i;
		if (!sc)
			return -ENOENT;
	}
	return i == BH_STR_MAX ? -E2BIG : -ENOENT;
}

__bpf_kfunc int bpf_strchr(const char *s__ign, char c)
{
	return bpf_strnchr(s__ign, BH_STR_MAX, c);
}

__bpf_kfunc int bpf_strchrnul(const char *s__ign, char c)
{
	struct sreader r;
	unsigned char sc;

	if (!bh_addr_allowed(s__ign))
		return -ERANGE;
	sr_init(&r, s__ign);
	for (size_t i = 0; i < BH_STR_MAX; i++) {
		if (sr_get(&r, i, &sc))
			return -EFAULT;
		if (!sc || sc == (unsigned char)c)
			return (int)i;
	}
	return -E2BIG;
}

/* c is an int here, as in the kernel: compared with the byte's value */
__bpf_kfunc int bpf_strrchr(const char *s__ign, int c)
{
	struct sreader r;
	unsigned char sc;
	int last = -ENOENT;

	if (!bh_addr_allowed(s__ign))
		return -ERANGE;
	sr_init(&r, s__ign);
	for (size_t i = 0; i < BH_STR_MAX; i++) {
		if (sr_get(&r, i, &sc))
			return -EFAULT;
		if (sc == c)
			last = (int)i;
		if (!sc)
			return last;
	}
	return -E2BIG;
}

__bpf_kfunc int bpf_strnlen(const char *s__ign, size_t count)
{
	struct sreader r;
	unsigned char c;
	size_t i;

	if (!bh_addr_allowed(s__ign))
		return -ERANGE;
	sr_init(&r, s__ign);
	for (i = 0; i < count && i < BH_STR_MAX; i++) {
		if (sr_get(&r, i, &c))
			return -EFAULT;
		if (!c)
			return (int)i;
	}
	return i == BH_STR_MAX ? -E2BIG : (int)i;
}

__bpf_kfunc int bpf_strlen(const char *s__ign)
{
	return bpf_strnlen(s__ign, BH_STR_MAX);
}

__bpf_kfunc int bpf_strspn(const char *s__ign, const char *accept__ign)
{
	return str_span(s__ign, accept__ign, true);
}

__bpf_kfunc int bpf_strcspn(const char *s__ign, const char *reject__ign)
{
	return str_span(s__ign, reject__ign, false);
}

/*
 * The first occurrence of s2 that lies within s1's first len bytes.  As in
 * 6.18 (with the suffix fix): one byte of s2 past len is read, so a match
 * that ends exactly at len is found, and "" is found at 0 even for len 0.
 */
static int str_nstr(const char *s1__ign, const char *s2__ign, size_t len,
		    bool icase)
{
	struct sreader r1, r2;
	unsigned char c1, c2;
	size_t i, j;

	if (!bh_addr_allowed(s1__ign) || !bh_addr_allowed(s2__ign))
		return -ERANGE;
	sr_init(&r1, s1__ign);
	sr_init(&r2, s2__ign);
	for (i = 0; i < BH_STR_MAX; i++) {
		for (j = 0; i + j <= len && j < BH_STR_MAX; j++) {
			if (sr_get(&r2, j, &c2))
				return -EFAULT;
			if (!c2)
				return (int)i;
			if (i + j == len)
				return -ENOENT;
			if (sr_get(&r1, i + j, &c1))
				return -EFAULT;
			if (!c1)
				return -ENOENT;
			if (icase) {
				c1 = bh_tolower(c1);
				c2 = bh_tolower(c2);
			}
			if (c1 != c2)
				break;
		}
		if (j == BH_STR_MAX)
			return -E2BIG;
	}
	return -E2BIG;
}

__bpf_kfunc int bpf_strnstr(const char *s1__ign, const char *s2__ign,
			    size_t len)
{
	return str_nstr(s1__ign, s2__ign, len, false);
}

__bpf_kfunc int bpf_strstr(const char *s1__ign, const char *s2__ign)
{
	return str_nstr(s1__ign, s2__ign, BH_STR_MAX, false);
}

__bpf_kfunc int bpf_strncasestr(const char *s1__ign, const char *s2__ign,
				size_t len)
{
	return str_nstr(s1__ign, s2__ign, len, true);
}

__bpf_kfunc int bpf_strcasestr(const char *s1__ign, const char *s2__ign)
{
	return str_nstr(s1__ign, s2__ign, BH_STR_MAX, true);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_strings_kfunc_ids)
BTF_ID_FLAGS(func, bpf_strcmp)
BTF_ID_FLAGS(func, bpf_strcasecmp)
BTF_ID_FLAGS(func, bpf_strncasecmp)
BTF_ID_FLAGS(func, bpf_strchr)
BTF_ID_FLAGS(func, bpf_strchrnul)
BTF_ID_FLAGS(func, bpf_strnchr)
BTF_ID_FLAGS(func, bpf_strrchr)
BTF_ID_FLAGS(func, bpf_strlen)
BTF_ID_FLAGS(func, bpf_strnlen)
BTF_ID_FLAGS(func, bpf_strspn)
BTF_ID_FLAGS(func, bpf_strcspn)
BTF_ID_FLAGS(func, bpf_strstr)
BTF_ID_FLAGS(func, bpf_strcasestr)
BTF_ID_FLAGS(func, bpf_strnstr)
BTF_ID_FLAGS(func, bpf_strncasestr)
BTF_KFUNCS_END(bh_strings_kfunc_ids)

static const struct btf_kfunc_id_set bh_strings_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_strings_kfunc_ids,
};

/* common_kfunc_set in the kernel: every program type */
int bh_stdlib_strings_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_strings_kfunc_set);
}
