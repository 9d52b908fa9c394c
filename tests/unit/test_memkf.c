// SPDX-License-Identifier: BSD-2-Clause
/*
 * The built-in memory kfuncs and helpers called directly: local dynptrs
 * (bounds, error codes, read-only, slices, adjust/clone arithmetic, copy,
 * memset), the string kfuncs on normal, unterminated-at-cap, unmapped and
 * impossible pointers, program objects (budget, refcounts, kptr fields),
 * bpf_kptr_xchg from two threads, the casts and the bits iterator.
 * Expected values are the Linux 6.18 kernel's (helpers.c).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "exec/exec.h"
#include "harness.h"
#include "maps/map.h"
#include "stdlib/stdlib.h"

static uint64_t u(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static struct bpf_dynptr_kern *K(struct bpf_dynptr *p)
{
	return (struct bpf_dynptr_kern *)p;
}

/* ---- dynptrs ---- */

TEST(dynptr_from_mem)
{
	char buf[64];
	struct bpf_dynptr d;

	memset(&d, 0xff, sizeof(d));
	CHECK_EQ((int64_t)bh_helper_dynptr_from_mem(u(buf), sizeof(buf), 0,
						    u(&d), 0),
		 0);
	CHECK(K(&d)->data == buf);
	CHECK_EQ(K(&d)->offset, 0);
	CHECK_U64(K(&d)->size, 64 | 1u << 28); /* LOCAL, writable */
	CHECK(!bpf_dynptr_is_null(&d));
	CHECK(!bpf_dynptr_is_rdonly(&d));
	CHECK_EQ(bpf_dynptr_size(&d), 64);

	/* flags: -EINVAL and a null dynptr */
	CHECK_EQ((int64_t)bh_helper_dynptr_from_mem(u(buf), 8, 1, u(&d), 0),
		 -EINVAL);
	CHECK(bpf_dynptr_is_null(&d));
	CHECK_U64(bpf_dynptr_size(&d), (uint32_t)-EINVAL);
	CHECK(!bpf_dynptr_is_rdonly(&d));
	/* 2^24 - 1 is the largest size */
	CHECK_EQ((int64_t)bh_helper_dynptr_from_mem(u(buf), 1u << 24, 0, u(&d),
						    0),
		 -E2BIG);
	CHECK(bpf_dynptr_is_null(&d));
	CHECK_EQ((int64_t)bh_helper_dynptr_from_mem(u(buf), (1u << 24) - 1, 0,
						    u(&d), 0),
		 0);
	CHECK_EQ(bpf_dynptr_size(&d), (1u << 24) - 1);
	/* size 0 is a valid, non-null, empty dynptr */
	CHECK_EQ((int64_t)bh_helper_dynptr_from_mem(u(buf), 0, 0, u(&d), 0), 0);
	CHECK(!bpf_dynptr_is_null(&d));
	CHECK_EQ(bpf_dynptr_size(&d), 0);
}

TEST(dynptr_read_write_data)
{
	char buf[16] = "0123456789abcdef", out[16];
	struct bpf_dynptr d, n;

	bh_helper_dynptr_from_mem(u(buf), 16, 0, u(&d), 0);
	CHECK_EQ((int64_t)bh_helper_dynptr_read(u(out), 4, u(&d), 12, 0), 0);
	CHECK(!memcmp(out, "cdef", 4));
	/* off + len past the end; off alone past the end; len > size */
	CHECK_EQ((int64_t)bh_helper_dynptr_read(u(out), 5, u(&d), 12, 0),
		 -E2BIG);
	CHECK_EQ((int64_t)bh_helper_dynptr_read(u(out), 0, u(&d), 17, 0),
		 -E2BIG);
	CHECK_EQ((int64_t)bh_helper_dynptr_read(u(out), 0, u(&d), 16, 0), 0);
	CHECK_EQ(
		(int64_t)bh_helper_dynptr_read(u(out), 1, u(&d), 0xffffffff, 0),
		-E2BIG);
	CHECK_EQ((int64_t)bh_helper_dynptr_read(u(out), 4, u(&d), 0, 1),
		 -EINVAL);
	CHECK_EQ((int64_t)bh_helper_dynptr_write(u(&d), 0, u("XY"), 2, 0), 0);
	CHECK(!memcmp(buf, "XY23", 4));
	CHECK_EQ((int64_t)bh_helper_dynptr_write(u(&d), 15, u("XY"), 2, 0),
		 -E2BIG);
	CHECK_EQ((int64_t)bh_helper_dynptr_write(u(&d), 0, u("XY"), 2, 2),
		 -EINVAL);
	/* overlapping: memmove semantics */
	CHECK_EQ((int64_t)bh_helper_dynptr_write(u(&d), 1, u(buf), 4, 0), 0);
	CHECK(!memcmp(buf, "XXY23", 5));
	CHECK_U64(bh_helper_dynptr_data(u(&d), 4, 4, 0, 0), u(buf + 4));
	CHECK_U64(bh_helper_dynptr_data(u(&d), 13, 4, 0, 0), 0);
	/* null dynptr: -EINVAL from read and write, NULL data */
	memset(&n, 0, sizeof(n));
	CHECK_EQ((int64_t)bh_helper_dynptr_read(u(out), 0, u(&n), 0, 0),
		 -EINVAL);
	CHECK_EQ((int64_t)bh_helper_dynptr_write(u(&n), 0, u(out), 0, 0),
		 -EINVAL);
	CHECK_U64(bh_helper_dynptr_data(u(&n), 0, 0, 0, 0), 0);
}

TEST(dynptr_rdonly)
{
	char buf[8] = "abcdefg", tmp[4];
	struct bpf_dynptr d;

	CHECK_EQ(bh_dynptr_init_local(&d, buf, 8, true), 0);
	CHECK(bpf_dynptr_is_rdonly(&d));
	CHECK_EQ(bpf_dynptr_size(&d), 8);
	CHECK_EQ((int64_t)bh_helper_dynptr_write(u(&d), 0, u("z"), 1, 0),
		 -EINVAL);
	CHECK_EQ((int64_t)bh_helper_dynptr_read(u(tmp), 2, u(&d), 1, 0), 0);
	CHECK(!memcmp(tmp, "bc", 2));
	CHECK_U64(bh_helper_dynptr_data(u(&d), 0, 1, 0, 0), 0);
	CHECK(bpf_dynptr_slice(&d, 1, NULL, 2) == buf + 1);
	CHECK(bpf_dynptr_slice_rdwr(&d, 1, NULL, 2) == NULL);
	CHECK_EQ(bpf_dynptr_memset(&d, 0, 1, 'q'), -EINVAL);
	CHECK_EQ(buf[0], 'a');
	/* a clone keeps the flag; adjust keeps it */
	{
		struct bpf_dynptr c;

		CHECK_EQ(bpf_dynptr_clone(&d, &c), 0);
		CHECK(bpf_dynptr_is_rdonly(&c));
		CHECK_EQ(bpf_dynptr_adjust(&c, 2, 4), 0);
		CHECK(bpf_dynptr_is_rdonly(&c));
		CHECK_EQ(bpf_dynptr_size(&c), 2);
	}
	CHECK_EQ(bh_dynptr_init_local(&d, buf, 1u << 24, false), -E2BIG);
	CHECK(bpf_dynptr_is_null(&d));
}

TEST(dynptr_slices)
{
	char buf[32], scratch[8];
	struct bpf_dynptr d, n;

	for (int i = 0; i < 32; i++)
		buf[i] = (char)i;
	bh_helper_dynptr_from_mem(u(buf), 32, 0, u(&d), 0);
	/* local memory is linear: the buffer is never used */
	CHECK(bpf_dynptr_slice(&d, 4, scratch, 8) == buf + 4);
	CHECK(bpf_dynptr_slice(&d, 4, NULL, 8) == buf + 4);
	CHECK(bpf_dynptr_slice_rdwr(&d, 24, scratch, 8) == buf + 24);
	CHECK(bpf_dynptr_slice(&d, 25, scratch, 8) == NULL);
	CHECK(bpf_dynptr_slice(&d, 32, NULL, 0) == buf + 32);
	CHECK(bpf_dynptr_slice(&d, 33, NULL, 0) == NULL);
	CHECK(bpf_dynptr_slice(&d, 0, NULL, 33) == NULL);
	memset(&n, 0, sizeof(n));
	CHECK(bpf_dynptr_slice(&n, 0, scratch, 0) == NULL);
	CHECK(bpf_dynptr_slice_rdwr(&n, 0, scratch, 0) == NULL);
}

TEST(dynptr_adjust_clone)
{
	char buf[100];
	struct bpf_dynptr d, c, n;

	bh_helper_dynptr_from_mem(u(buf), 100, 0, u(&d), 0);
	CHECK_EQ(bpf_dynptr_adjust(&d, 10, 90), 0);
	CHECK_EQ(bpf_dynptr_size(&d), 80);
	CHECK_EQ(K(&d)->offset, 10);
	CHECK(bpf_dynptr_slice(&d, 0, NULL, 1) == buf + 10);
	/* relative to the current view */
	CHECK_EQ(bpf_dynptr_adjust(&d, 5, 80), 0);
	CHECK_EQ(bpf_dynptr_size(&d), 75);
	CHECK_EQ(K(&d)->offset, 15);
	CHECK_EQ(bpf_dynptr_adjust(&d, 10, 5), -EINVAL);
	CHECK_EQ(bpf_dynptr_adjust(&d, 0, 76), -ERANGE);
	CHECK_EQ(bpf_dynptr_adjust(&d, 76, 76), -ERANGE);
	CHECK_EQ(bpf_dynptr_size(&d), 75);
	CHECK_EQ(bpf_dynptr_adjust(&d, 75, 75), 0);
	CHECK_EQ(bpf_dynptr_size(&d), 0);
	CHECK(!bpf_dynptr_is_null(&d));
	CHECK_U64(K(&d)->size >> 28, 1); /* type kept */

	bh_helper_dynptr_from_mem(u(buf), 100, 0, u(&d), 0);
	CHECK_EQ(bpf_dynptr_clone(&d, &c), 0);
	CHECK(!memcmp(&c, &d, sizeof(c)));
	/* adjusting the clone leaves the parent alone */
	CHECK_EQ(bpf_dynptr_adjust(&c, 50, 60), 0);
	CHECK_EQ(bpf_dynptr_size(&c), 10);
	CHECK_EQ(bpf_dynptr_size(&d), 100);
	memset(&n, 0, sizeof(n));
	memset(&c, 0xaa, sizeof(c));
	CHECK_EQ(bpf_dynptr_clone(&n, &c), -EINVAL);
	CHECK(bpf_dynptr_is_null(&c));
	CHECK_EQ(bpf_dynptr_adjust(&n, 0, 0), -EINVAL);
}

TEST(dynptr_copy_memset)
{
	char a[16] = "abcdefghijklmno", b[16] = {0};
	struct bpf_dynptr da, db, ro, n;

	bh_helper_dynptr_from_mem(u(a), 16, 0, u(&da), 0);
	bh_helper_dynptr_from_mem(u(b), 16, 0, u(&db), 0);
	bh_dynptr_init_local(&ro, b, 16, true);
	memset(&n, 0, sizeof(n));
	CHECK_EQ(bpf_dynptr_copy(&db, 2, &da, 4, 6), 0);
	CHECK(!memcmp(b + 2, "efghij", 6));
	/* overlapping within one buffer */
	CHECK_EQ(bpf_dynptr_copy(&da, 1, &da, 0, 4), 0);
	CHECK(!memcmp(a, "aabcd", 5));
	CHECK_EQ(bpf_dynptr_copy(&db, 12, &da, 0, 5), -E2BIG);
	CHECK_EQ(bpf_dynptr_copy(&db, 0, &da, 12, 5), -E2BIG);
	CHECK_EQ(bpf_dynptr_copy(&ro, 0, &da, 0, 4), -EINVAL);
	CHECK_EQ(bpf_dynptr_copy(&db, 0, &n, 0, 4), -EINVAL);
	CHECK_EQ(bpf_dynptr_copy(&n, 0, &da, 0, 4), -EINVAL);
	CHECK_EQ(bpf_dynptr_copy(&n, 0, &n, 0, 0), 0);
	CHECK_EQ(bpf_dynptr_copy(&ro, 0, &n, 0, 4), -E2BIG);

	CHECK_EQ(bpf_dynptr_memset(&db, 10, 6, 'z'), 0);
	CHECK(!memcmp(b + 10, "zzzzzz", 6));
	CHECK_EQ(bpf_dynptr_memset(&db, 11, 6, 'z'), -E2BIG);
	CHECK_EQ(bpf_dynptr_memset(&ro, 0, 1, 'z'), -EINVAL);
	CHECK_EQ(bpf_dynptr_memset(&n, 0, 1, 'z'), -E2BIG);
	CHECK_EQ(bpf_dynptr_memset(&n, 0, 0, 'z'), 0);
}

/* ---- strings ---- */

TEST(strings_normal)
{
	CHECK_EQ(bpf_strcmp("abc", "abc"), 0);
	CHECK_EQ(bpf_strcmp("abc", "abd"), -1);
	CHECK_EQ(bpf_strcmp("abd", "abc"), 1);
	CHECK_EQ(bpf_strcmp("ab", "abc"), -1);
	CHECK_EQ(bpf_strcmp("", ""), 0);
	/* unsigned comparison, as the kernel's -funsigned-char */
	CHECK_EQ(bpf_strcmp("\xff", "a"), 1);
	CHECK_EQ(bpf_strcasecmp("HeLLo", "hello"), 0);
	CHECK_EQ(bpf_strcasecmp("a", "B"), -1);
	CHECK_EQ(bpf_strcasecmp("\xc0", "\xe0"), 0); /* Latin-1, as ctype.c */
	CHECK_EQ(bpf_strchr("hello", 'l'), 2);
	CHECK_EQ(bpf_strchr("hello", 'z'), -ENOENT);
	CHECK_EQ(bpf_strchr("hello", '\0'), 5);
	CHECK_EQ(bpf_strchrnul("hello", 'z'), 5);
	CHECK_EQ(bpf_strchrnul("hello", 'e'), 1);
	CHECK_EQ(bpf_strnchr("hello", 2, 'l'), -ENOENT);
	CHECK_EQ(bpf_strnchr("hello", 3, 'l'), 2);
	CHECK_EQ(bpf_strnchr("hello", 0, 'h'), -ENOENT);
	CHECK_EQ(bpf_strrchr("hello", 'l'), 3);
	CHECK_EQ(bpf_strrchr("hello", 'z'), -ENOENT);
	CHECK_EQ(bpf_strrchr("hello", 0), 5);
	CHECK_EQ(bpf_strrchr("\xff", -1), -ENOENT); /* int c: no match */
	CHECK_EQ(bpf_strrchr("\xff", 0xff), 0);
	CHECK_EQ(bpf_strlen("hello"), 5);
	CHECK_EQ(bpf_strlen(""), 0);
	CHECK_EQ(bpf_strnlen("hello", 3), 3);
	CHECK_EQ(bpf_strnlen("hello", 10), 5);
	CHECK_EQ(bpf_strspn("aabbcd", "ab"), 4);
	CHECK_EQ(bpf_strspn("xyz", "ab"), 0);
	CHECK_EQ(bpf_strspn("abab", "ab"), 4);
	CHECK_EQ(bpf_strcspn("hello world", " "), 5);
	CHECK_EQ(bpf_strcspn("hello", "xyz"), 5);
	CHECK_EQ(bpf_strcspn("hello", ""), 5);
	CHECK_EQ(bpf_strstr("hello world", "world"), 6);
	CHECK_EQ(bpf_strstr("hello world", "worlds"), -ENOENT);
	CHECK_EQ(bpf_strstr("hello", ""), 0);
	CHECK_EQ(bpf_strstr("", "a"), -ENOENT);
	CHECK_EQ(bpf_strnstr("hello world", "world", 11), 6);
	CHECK_EQ(bpf_strnstr("hello world", "world", 10), -ENOENT);
	/* 6.18 (kload): a match ending at len counts; "" is at 0 */
	CHECK_EQ(bpf_strnstr("hello", "", 0), 0);
	CHECK_EQ(bpf_strnstr("", "", 0), 0);
	CHECK_EQ(bpf_strnstr("ab", "abc", 5), -ENOENT);
	CHECK_EQ(bpf_strnstr("hello", "lo", 5), 3);
}

/* the case-insensitive kfuncs merged after 6.18 */
TEST(strings_case)
{
	CHECK_EQ(bpf_strncasecmp("HeLLo", "hello", 5), 0);
	CHECK_EQ(bpf_strncasecmp("HeLLo world", "hello there", 5), 0);
	CHECK_EQ(bpf_strncasecmp("HeLLo world", "hello there", 6), 0);
	CHECK_EQ(bpf_strncasecmp("HeLLo world", "hello there", 7), 1);
	CHECK_EQ(bpf_strncasecmp("abc", "ABD", 3), -1);
	CHECK_EQ(bpf_strncasecmp("abc", "ABD", 2), 0);
	CHECK_EQ(bpf_strncasecmp("a", "b", 0), 0);
	CHECK_EQ(bpf_strncasecmp("ab", "AB", (size_t)-1), 0);
	CHECK_EQ(bpf_strncasecmp("\xc0x", "\xe0X", 9), 0);
	CHECK_EQ(bpf_strcasestr("Hello World", "WORLD"), 6);
	CHECK_EQ(bpf_strcasestr("Hello World", "worlds"), -ENOENT);
	CHECK_EQ(bpf_strcasestr("Hello", ""), 0);
	CHECK_EQ(bpf_strcasestr("", "A"), -ENOENT);
	CHECK_EQ(bpf_strstr("Hello World", "WORLD"), -ENOENT);
	CHECK_EQ(bpf_strncasestr("Hello World", "wOrLd", 11), 6);
	CHECK_EQ(bpf_strncasestr("Hello World", "wOrLd", 10), -ENOENT);
	CHECK_EQ(bpf_strncasestr("aAaB", "AB", 4), 2);
	CHECK_EQ(bpf_strncasestr("x", "", 0), 0);
	CHECK_EQ(bpf_strncasecmp(NULL, "a", 1), -ERANGE);
	CHECK_EQ(bpf_strcasestr("a", (const char *)16), -ERANGE);
}

TEST(strings_cap)
{
	size_t n = BH_STR_MAX + 16;
	char *big = malloc(n), *b2 = malloc(n);

	CHECK(big && b2);
	memset(big, 'a', n);
	memset(b2, 'a', n);
	/* no terminator within XATTR_SIZE_MAX */
	CHECK_EQ(bpf_strlen(big), -E2BIG);
	CHECK_EQ(bpf_strnlen(big, BH_STR_MAX - 1), BH_STR_MAX - 1);
	CHECK_EQ(bpf_strnlen(big, (size_t)-1), -E2BIG);
	CHECK_EQ(bpf_strcmp(big, b2), -E2BIG);
	CHECK_EQ(bpf_strchr(big, 'b'), -E2BIG);
	CHECK_EQ(bpf_strnchr(big, 10, 'b'), -ENOENT);
	CHECK_EQ(bpf_strchrnul(big, 'b'), -E2BIG);
	CHECK_EQ(bpf_strrchr(big, 'a'), -E2BIG);
	CHECK_EQ(bpf_strspn(big, "a"), -E2BIG);
	CHECK_EQ(bpf_strcspn(big, "b"), -E2BIG);
	CHECK_EQ(bpf_strspn("b", big), -E2BIG);
	CHECK_EQ(bpf_strstr(big, "b"), -E2BIG);
	CHECK_EQ(bpf_strcasestr(big, "B"), -E2BIG);
	/* a limit below the cap ends the comparison; at the cap it is E2BIG */
	CHECK_EQ(bpf_strncasecmp(big, b2, BH_STR_MAX - 1), 0);
	CHECK_EQ(bpf_strncasecmp(big, b2, BH_STR_MAX), -E2BIG);
	CHECK_EQ(bpf_strncasecmp(big, b2, (size_t)-1), -E2BIG);
	/* exactly at the cap: a terminator at index 65535 is found */
	big[BH_STR_MAX - 1] = '\0';
	CHECK_EQ(bpf_strlen(big), BH_STR_MAX - 1);
	free(big);
	free(b2);
}

TEST(strings_unmapped)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *end, *none;

	CHECK(m != MAP_FAILED);
	CHECK_EQ(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	end = m + pg - 3; /* "ab" then the unreadable page */
	none = m + pg;
	memcpy(end, "abc", 3);
	CHECK_EQ(bpf_strlen(end), -EFAULT);
	CHECK_EQ(bpf_strnlen(end, 3), 3);  /* never reaches the page */
	CHECK_EQ(bpf_strchr(end, 'b'), 1); /* found before the page */
	CHECK_EQ(bpf_strchr(end, 'z'), -EFAULT);
	CHECK_EQ(bpf_strcmp(end, "abd"), -1); /* differs in the mapped part */
	CHECK_EQ(bpf_strcmp(end, "abc"), -EFAULT);
	CHECK_EQ(bpf_strlen(none), -EFAULT);
	CHECK_EQ(bpf_strcmp("a", none), -EFAULT);
	CHECK_EQ(bpf_strspn("abc", none), -EFAULT);
	CHECK_EQ(bpf_strstr(none, "a"), -EFAULT);
	CHECK_EQ(bpf_strstr("abc", none), -EFAULT);
	CHECK_EQ(bpf_strncasecmp(end, "ABC", 2), 0);
	CHECK_EQ(bpf_strncasecmp(end, "ABC", 4), -EFAULT);
	CHECK_EQ(bpf_strncasestr(none, "a", 4), -EFAULT);
	/* pointers that cannot be host addresses */
	CHECK_EQ(bpf_strlen(NULL), -ERANGE);
	CHECK_EQ(bpf_strlen((const char *)16), -ERANGE);
	CHECK_EQ(bpf_strcmp("a", NULL), -ERANGE);
	CHECK_EQ(bpf_strstr(NULL, "a"), -ERANGE);
	CHECK_EQ(bpf_strrchr((const char *)-4096L, 'a'), -ERANGE);
	CHECK_EQ(bpf_strnchr(NULL, 0, 'a'), -ERANGE);
	munmap(m, (size_t)pg * 2);
}

TEST(read_nofault)
{
	char dst[4] = "xyz";

	CHECK_EQ(bh_read_nofault(dst, "abc", 4), 0);
	CHECK_STR(dst, "abc");
	CHECK_EQ(bh_read_nofault(dst, NULL, 4), -EFAULT);
	CHECK(!dst[0] && !dst[3]);
	CHECK_EQ(bh_read_nofault(dst, NULL, 0), 0);
}

/* ---- objects ---- */

struct obj_btf {
	struct btf *btf;
	int plain, node, holder;
};

/* struct plain { long a, b; };
 * struct node { int v; struct bpf_refcount r; };
 * struct holder { struct node __kptr *k; long pad;
 *		   struct plain __kptr_untrusted *u; } */
static int make_btf(struct obj_btf *b)
{
	int l, i, rc, tag, ptr, tag2, ptr2;

	b->btf = btf__new_empty();
	if (!b->btf)
		return -1;
	l = btf__add_int(b->btf, "long", 8, BTF_INT_SIGNED);
	i = btf__add_int(b->btf, "int", 4, BTF_INT_SIGNED);
	b->plain = btf__add_struct(b->btf, "plain", 16);
	btf__add_field(b->btf, "a", l, 0, 0);
	btf__add_field(b->btf, "b", l, 64, 0);
	rc = btf__add_struct(b->btf, "bpf_refcount", 4);
	btf__add_field(b->btf, "__opaque", i, 0, 0);
	b->node = btf__add_struct(b->btf, "node", 8);
	btf__add_field(b->btf, "v", i, 0, 0);
	btf__add_field(b->btf, "r", rc, 32, 0);
	tag = btf__add_type_tag(b->btf, "kptr", b->node);
	ptr = btf__add_ptr(b->btf, tag);
	tag2 = btf__add_type_tag(b->btf, "kptr_untrusted", b->plain);
	ptr2 = btf__add_ptr(b->btf, tag2);
	b->holder = btf__add_struct(b->btf, "holder", 24);
	btf__add_field(b->btf, "k", ptr, 0, 0);
	btf__add_field(b->btf, "pad", l, 64, 0);
	return btf__add_field(b->btf, "u", ptr2, 128, 0);
}

TEST(obj_meta)
{
	struct bh_mem_pool pool = {.limit = 1 << 20};
	struct bh_obj_meta m;
	struct obj_btf b;

	CHECK_EQ(make_btf(&b), 0);
	CHECK_EQ(bh_obj_meta_init(&m, b.btf, (uint32_t)b.plain, &pool), 0);
	CHECK_EQ(m.size, 16);
	CHECK_EQ(m.nr_fields, 0);
	CHECK_EQ(m.refcount_off, -1);
	CHECK_EQ(bh_obj_meta_init(&m, b.btf, (uint32_t)b.node, &pool), 0);
	CHECK_EQ(m.refcount_off, 4);
	CHECK_EQ(bh_obj_meta_init(&m, b.btf, (uint32_t)b.holder, &pool), 0);
	CHECK_EQ(m.nr_fields, 2);
	CHECK_EQ(m.fields[0].kind, BH_OBJ_FIELD_KPTR_REF);
	CHECK_EQ(m.fields[0].off, 0);
	CHECK_EQ(m.fields[0].type_id, b.node);
	CHECK_EQ(m.fields[1].kind, BH_OBJ_FIELD_KPTR_UNREF);
	CHECK_EQ(m.fields[1].off, 16);
	CHECK_EQ(bh_obj_meta_init(&m, b.btf, 1, &pool), -EINVAL); /* int */
	btf__free(b.btf);
}

TEST(obj_new_drop_limit)
{
	struct bh_mem_pool pool = {.limit = 4 * (16 + 16)};
	struct bh_obj_meta m;
	struct obj_btf b;
	void *p[5];

	CHECK_EQ(make_btf(&b), 0);
	CHECK_EQ(bh_obj_meta_init(&m, b.btf, (uint32_t)b.plain, &pool), 0);
	/* without the verifier's record nothing is allocated */
	CHECK(bpf_obj_new_impl((uint64_t)b.plain, NULL) == NULL);
	for (int i = 0; i < 4; i++) {
		p[i] = bpf_obj_new_impl(m.size, &m);
		CHECK(p[i]);
		CHECK(!memcmp(p[i], "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
		memset(p[i], 0xab, 16);
	}
	CHECK_EQ(pool.live, 4);
	CHECK(bpf_obj_new_impl(m.size, &m) == NULL); /* over the budget */
	bpf_obj_drop_impl(p[0], &m);
	CHECK_EQ(pool.live, 3);
	p[4] = bpf_obj_new_impl(m.size, &m);
	CHECK(p[4]);
	for (int i = 1; i < 5; i++)
		bpf_obj_drop_impl(p[i], &m);
	CHECK_EQ(pool.used, 0);
	CHECK_EQ(pool.live, 0);
	/* limit 0: never */
	pool.limit = 0;
	CHECK(bpf_obj_new_impl(m.size, &m) == NULL);
	btf__free(b.btf);
}

TEST(obj_refcount_kptr_fields)
{
	struct bh_mem_pool pool = {.limit = 1 << 20};
	struct bh_obj_meta mn, mh;
	struct obj_btf b;
	int *n, *n2;
	void **h;

	CHECK_EQ(make_btf(&b), 0);
	CHECK_EQ(bh_obj_meta_init(&mn, b.btf, (uint32_t)b.node, &pool), 0);
	CHECK_EQ(bh_obj_meta_init(&mh, b.btf, (uint32_t)b.holder, &pool), 0);
	mh.fields[0].meta = &mn; /* linked, as the verifier would */
	n = bpf_obj_new_impl(mn.size, &mn);
	CHECK(n);
	CHECK_EQ(n[1], 1); /* refcount starts at 1 */
	n2 = bpf_refcount_acquire_impl(n, &mn);
	CHECK(n2 == n);
	CHECK_EQ(n[1], 2);
	CHECK(bpf_refcount_acquire_impl(n, NULL) == NULL);
	bpf_obj_drop_impl(n, &mn); /* one owner left */
	CHECK_EQ(pool.live, 1);
	CHECK_EQ(n[1], 1);
	/* move the last reference into a holder's kptr field */
	h = bpf_obj_new_impl(mh.size, &mh);
	CHECK(h);
	CHECK(bh_helper_kptr_xchg(u(&h[0]), u(n), 0, 0, 0) == 0);
	CHECK(h[0] == n);
	CHECK_EQ(pool.live, 2);
	/* dropping the holder releases the node through the field */
	bpf_obj_drop_impl(h, &mh);
	CHECK_EQ(pool.live, 0);
	CHECK_EQ(pool.used, 0);
	btf__free(b.btf);
}

TEST(percpu_obj)
{
	struct bh_mem_pool pool = {.limit = 1 << 20};
	unsigned int n = bh_percpu_nr_cpus();
	size_t stride;
	struct bh_obj_meta m;
	struct obj_btf b;
	uint64_t used;
	char *p, *q;

	CHECK_EQ(make_btf(&b), 0);
	CHECK_EQ(bh_obj_meta_init(&m, b.btf, (uint32_t)b.plain, &pool), 0);
	CHECK_EQ(n, bh_nr_cpus());
	stride = bh_percpu_stride(m.size);
	p = bpf_percpu_obj_new_impl(m.size, &m);
	CHECK(p);
	CHECK_EQ(pool.live, 1);
	/* every CPU's copy is there and zeroed, stride apart */
	for (unsigned int c = 0; c < n; c++) {
		CHECK_EQ(p[c * stride + 15], 0);
		CHECK_EQ(bh_helper_per_cpu_ptr(u(p), c, 0, 0, 0),
			 u(p + c * stride));
		p[c * stride] = (char)(c + 1);
	}
	CHECK_EQ(bh_helper_per_cpu_ptr(u(p), n, 0, 0, 0), 0);
	CHECK_EQ(bh_helper_per_cpu_ptr(u(p), UINT64_MAX, 0, 0, 0), 0);
	/* this CPU's copy: pinned for a run, as bpf_get_smp_processor_id
	 * reports it */
	{
		unsigned int old = bh_cpu_pin(), cpu = bh_this_cpu();

		CHECK(cpu < n);
		CHECK_EQ(bh_helper_this_cpu_ptr(u(p), 0, 0, 0, 0),
			 u(p + cpu * stride));
		bh_cpu_unpin(old);
	}
	used = pool.used;
	CHECK(used >= 16 + stride * n);
	/* a drop keeps the memory (type-stable): the next object of that
	 * size gets it back, zeroed; the charge stays */
	bpf_percpu_obj_drop_impl(p, NULL);
	CHECK_EQ(pool.live, 0);
	CHECK_EQ(pool.used, used);
	CHECK_EQ(bh_helper_per_cpu_ptr(u(p), 0, 0, 0, 0), u(p));
	q = bpf_percpu_obj_new_impl(m.size, &m);
	CHECK(q == p);
	CHECK_EQ(pool.used, used);
	for (unsigned int c = 0; c < n; c++)
		CHECK_EQ(q[c * stride], 0);
	/* another size does not take it */
	m.size = 24;
	p = bpf_percpu_obj_new_impl(m.size, &m);
	CHECK(p && p != q);
	bpf_percpu_obj_drop_impl(p, NULL);
	bpf_percpu_obj_drop_impl(q, NULL);
	CHECK_EQ(pool.live, 0);
	m.size = BH_PERCPU_OBJ_MAX + 1;
	CHECK(bpf_percpu_obj_new_impl(m.size, &m) == NULL);
	m.size = BH_PERCPU_OBJ_MAX;
	p = bpf_percpu_obj_new_impl(m.size, &m);
	CHECK(p);
	bpf_percpu_obj_drop_impl(p, NULL);
	bh_mem_pool_fini(&pool);
	CHECK_EQ(pool.used, 0);
	btf__free(b.btf);
}

/* the pool's limit counts the cached memory: a full pool whose objects
 * were dropped still serves the same size, from its cache */
TEST(percpu_obj_limit)
{
	struct bh_mem_pool pool = {0};
	struct bh_obj_meta m;
	struct obj_btf b;
	void *p;

	CHECK_EQ(make_btf(&b), 0);
	CHECK_EQ(bh_obj_meta_init(&m, b.btf, (uint32_t)b.plain, &pool), 0);
	pool.limit = 16 + bh_percpu_stride(m.size) * bh_percpu_nr_cpus();
	p = bpf_percpu_obj_new_impl(m.size, &m);
	CHECK(p);
	CHECK(bpf_percpu_obj_new_impl(m.size, &m) == NULL);
	bpf_percpu_obj_drop_impl(p, NULL);
	CHECK(bpf_percpu_obj_new_impl(m.size, &m) == p);
	m.size = 8;
	CHECK(bpf_percpu_obj_new_impl(m.size, &m) == NULL);
	bpf_percpu_obj_drop_impl(p, NULL);
	bh_mem_pool_fini(&pool);
	CHECK_EQ(pool.used, 0);
	CHECK_EQ(pool.live, 0);
	btf__free(b.btf);
}

/* Threads allocate, write their copy of and drop per-CPU objects of two
 * sizes at once: every object they hold is theirs alone (no copy handed
 * out twice), and nothing is left live. */
#define PCPU_THREADS 4
#define PCPU_ROUNDS 20000
struct pcpu_arg {
	struct bh_obj_meta *m[2];
	int bad;
};

static void *pcpu_thread(void *arg)
{
	struct pcpu_arg *a = arg;
	uint64_t me = (uint64_t)(uintptr_t)&a;

	for (int i = 0; i < PCPU_ROUNDS; i++) {
		struct bh_obj_meta *m = a->m[i & 1];
		uint64_t *p = bpf_percpu_obj_new_impl(m->size, m);
		uint64_t *mine;

		if (!p)
			continue;
		mine = (uint64_t *)(uintptr_t)bh_helper_this_cpu_ptr(u(p), 0, 0,
								     0, 0);
		if (*mine)
			a->bad++;
		*mine = me;
		sched_yield();
		if (*mine != me)
			a->bad++;
		bpf_percpu_obj_drop_impl(p, NULL);
	}
	return NULL;
}

TEST(percpu_obj_threads)
{
	struct bh_mem_pool pool = {.limit = 1 << 24};
	struct bh_obj_meta m1, m2;
	struct pcpu_arg a[PCPU_THREADS];
	pthread_t t[PCPU_THREADS];
	struct obj_btf b;

	CHECK_EQ(make_btf(&b), 0);
	CHECK_EQ(bh_obj_meta_init(&m1, b.btf, (uint32_t)b.plain, &pool), 0);
	CHECK_EQ(bh_obj_meta_init(&m2, b.btf, (uint32_t)b.plain, &pool), 0);
	m2.size = 40;
	for (int i = 0; i < PCPU_THREADS; i++) {
		a[i] = (struct pcpu_arg){.m = {&m1, &m2}};
		CHECK_EQ(pthread_create(&t[i], NULL, pcpu_thread, &a[i]), 0);
	}
	for (int i = 0; i < PCPU_THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(a[i].bad, 0);
	}
	CHECK_EQ(pool.live, 0);
	bh_mem_pool_fini(&pool);
	CHECK_EQ(pool.used, 0);
	btf__free(b.btf);
}

/* Two threads exchange their tokens through one field: every token must
 * be held by exactly one party at the end. */
#define XCHG_ROUNDS 200000
struct xchg_arg {
	uint64_t *field;
	uint64_t held;
};

static void *xchg_thread(void *arg)
{
	struct xchg_arg *a = arg;

	for (int i = 0; i < XCHG_ROUNDS; i++)
		a->held = bh_helper_kptr_xchg(u(a->field), a->held, 0, 0, 0);
	return NULL;
}

TEST(kptr_xchg_atomic)
{
	uint64_t field = 3;
	struct xchg_arg a = {&field, 1}, b = {&field, 2};
	pthread_t ta, tb;
	uint64_t seen;

	CHECK_EQ(pthread_create(&ta, NULL, xchg_thread, &a), 0);
	CHECK_EQ(pthread_create(&tb, NULL, xchg_thread, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	seen = (1ull << a.held) | (1ull << b.held) | (1ull << field);
	CHECK_U64(seen, 0xe); /* 1, 2, 3 each exactly once */
	CHECK(bh_helper_by_id(194) && bh_helper_by_id(194)->fn);
	CHECK_STR(bh_helper_by_id(194)->name, "bpf_kptr_xchg");
	CHECK_STR(bh_helper_by_id(197)->name, "bpf_dynptr_from_mem");
	CHECK_STR(bh_helper_by_id(203)->name, "bpf_dynptr_data");
}

TEST(casts)
{
	int x = 0;

	CHECK(bpf_rdonly_cast(&x, 42) == &x);
	CHECK(bpf_rdonly_cast(NULL, 1) == NULL);
	CHECK(bpf_cast_to_kern_ctx(&x) == &x);
}

/* ---- bits iterator ---- */

static int bits_collect(const uint64_t *w, uint32_t n, int *out, int max)
{
	struct bpf_iter_bits it;
	int *b, cnt = 0, err = bpf_iter_bits_new(&it, w, n);

	while ((b = bpf_iter_bits_next(&it)) && cnt < max)
		out[cnt++] = *b;
	bpf_iter_bits_destroy(&it);
	return err ? err : cnt;
}

TEST(iter_bits)
{
	uint64_t one = 0x8000000000000011ull, many[511] = {0};
	int got[64];
	struct bpf_iter_bits it;

	CHECK_EQ(bits_collect(&one, 1, got, 64), 3);
	CHECK_EQ(got[0], 0);
	CHECK_EQ(got[1], 4);
	CHECK_EQ(got[2], 63);
	many[0] = 1;
	many[2] = 1ull << 5;
	many[510] = 1ull << 63;
	CHECK_EQ(bits_collect(many, 511, got, 64), 3);
	CHECK_EQ(got[1], 133);
	CHECK_EQ(got[2], 511 * 64 - 1);
	CHECK_EQ(bits_collect(many, 2, got, 64), 1);
	/* errors: next() then finds nothing */
	CHECK_EQ(bpf_iter_bits_new(&it, NULL, 1), -EINVAL);
	CHECK(!bpf_iter_bits_next(&it));
	bpf_iter_bits_destroy(&it);
	CHECK_EQ(bpf_iter_bits_new(&it, &one, 0), -EINVAL);
	bpf_iter_bits_destroy(&it);
	CHECK_EQ(bpf_iter_bits_new(&it, many, 512), -E2BIG);
	bpf_iter_bits_destroy(&it);
	CHECK_EQ(bpf_iter_bits_new(&it, (const uint64_t *)8, 1), -EFAULT);
	bpf_iter_bits_destroy(&it);
	CHECK_EQ(bpf_iter_bits_new(&it, (const uint64_t *)8, 2), -ERANGE);
	bpf_iter_bits_destroy(&it);
	{
		long pg = sysconf(_SC_PAGESIZE);
		char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		CHECK(m != MAP_FAILED);
		mprotect(m + pg, (size_t)pg, PROT_NONE);
		CHECK_EQ(bpf_iter_bits_new(&it, (uint64_t *)(m + pg - 8), 2),
			 -EFAULT);
		bpf_iter_bits_destroy(&it);
		CHECK_EQ(bpf_iter_bits_new(&it, (uint64_t *)(m + pg - 8), 1),
			 0);
		bpf_iter_bits_destroy(&it);
		munmap(m, (size_t)pg * 2);
	}
	/* no bits set */
	one = 0;
	CHECK_EQ(bits_collect(&one, 1, got, 64), 0);
}

/* ---- linked lists ---- */

struct list_btf {
	struct btf *btf;
	int elem, val;
};

/* struct elem { int v; struct bpf_list_node node; };
 * struct val { struct bpf_spin_lock lock;
 *		struct bpf_list_head head __contains(elem, node);
 *		struct elem __kptr *k; } */
static int make_list_btf(struct list_btf *b)
{
	int i, l, lock, node, head, tag, ptr;

	b->btf = btf__new_empty();
	if (!b->btf)
		return -ENOMEM;
	i = btf__add_int(b->btf, "int", 4, BTF_INT_SIGNED);
	l = btf__add_int(b->btf, "long", 8, BTF_INT_SIGNED);
	lock = btf__add_struct(b->btf, "bpf_spin_lock", 4);
	btf__add_field(b->btf, "val", i, 0, 0);
	node = btf__add_struct(b->btf, "bpf_list_node", 24);
	btf__add_field(b->btf, "a", l, 0, 0);
	btf__add_field(b->btf, "b", l, 64, 0);
	btf__add_field(b->btf, "c", l, 128, 0);
	head = btf__add_struct(b->btf, "bpf_list_head", 16);
	btf__add_field(b->btf, "a", l, 0, 0);
	btf__add_field(b->btf, "b", l, 64, 0);
	b->elem = btf__add_struct(b->btf, "elem", 32);
	btf__add_field(b->btf, "v", i, 0, 0);
	btf__add_field(b->btf, "node", node, 64, 0);
	tag = btf__add_type_tag(b->btf, "kptr", b->elem);
	ptr = btf__add_ptr(b->btf, tag);
	b->val = btf__add_struct(b->btf, "val", 32);
	btf__add_field(b->btf, "lock", lock, 0, 0);
	btf__add_field(b->btf, "head", head, 64, 0);
	btf__add_field(b->btf, "k", ptr, 192, 0);
	return btf__add_decl_tag(b->btf, "contains:elem:node", b->val, 1);
}

static int *list_elem(struct bh_obj_meta *me, int v)
{
	int *e = bpf_obj_new_impl(me->size, me);

	if (e)
		e[0] = v;
	return e;
}

TEST(list_records_and_ops)
{
	struct bh_mem_pool pool = {.limit = 1 << 20};
	struct bh_obj_meta me, mv;
	struct list_btf b;
	char value[32] = {0};
	int *e[3];
	void *n;

	CHECK(make_list_btf(&b) > 0);
	CHECK_EQ(bh_obj_meta_init(&me, b.btf, (uint32_t)b.elem, &pool), 0);
	CHECK_EQ(me.nr_fields, 1);
	CHECK_EQ(me.fields[0].kind, BH_OBJ_FIELD_LIST_NODE);
	CHECK_EQ(me.fields[0].off, 8);
	CHECK_EQ(bh_obj_meta_init(&mv, b.btf, (uint32_t)b.val, &pool), 0);
	CHECK_EQ(mv.nr_fields, 3);
	CHECK_EQ(mv.fields[1].kind, BH_OBJ_FIELD_LIST_HEAD);
	CHECK_EQ(mv.fields[1].off, 8);
	CHECK_EQ(mv.fields[1].type_id, b.elem);
	CHECK_EQ(mv.fields[1].node_off, 8);
	mv.fields[1].meta = &me; /* linked, as the loader does */
	mv.fields[2].meta = &me;

	CHECK(bh_list_peek(value + 8, false) == NULL); /* zeroed: empty */
	CHECK(bh_list_pop(value + 8, true) == NULL);
	for (int i = 0; i < 3; i++) {
		e[i] = list_elem(&me, i + 1);
		CHECK(e[i]);
	}
	/* 2 1 3 */
	CHECK_EQ(bh_list_push(value + 8, e[0] + 2, &me, 8, false), 0);
	CHECK_EQ(bh_list_push(value + 8, e[1] + 2, &me, 8, false), 0);
	CHECK_EQ(bh_list_push(value + 8, e[2] + 2, &me, 8, true), 0);
	CHECK(bh_list_peek(value + 8, false) == e[1] + 2);
	CHECK(bh_list_peek(value + 8, true) == e[2] + 2);
	CHECK_EQ(pool.live, 3);
	n = bh_list_pop(value + 8, true);
	CHECK(n == e[2] + 2);
	CHECK(((void **)n)[2] == NULL); /* owned by no list */
	CHECK_EQ(bh_list_push(value + 8, e[2] + 2, &me, 8, true), 0);
	CHECK(((void **)n)[2] == value + 8);
	/* 2 1 3: take 2 off, drop it */
	n = bh_list_pop(value + 8, false);
	CHECK(n == e[1] + 2);
	CHECK_EQ(((int *)n - 2)[0], 2);
	bpf_obj_drop_impl((int *)n - 2, &me);
	CHECK_EQ(pool.live, 2);
	CHECK(bh_list_peek(value + 8, false) == e[0] + 2);
	CHECK(bh_list_peek(value + 8, true) == e[2] + 2);
	/* the value's release drains the list (and its kptr) */
	*(void **)(value + 24) = list_elem(&me, 9);
	CHECK_EQ(pool.live, 3);
	bh_obj_free_fields(&mv, value);
	CHECK_EQ(pool.live, 0);
	CHECK_EQ(pool.used, 0);
	CHECK(bh_list_peek(value + 8, false) == NULL);
	CHECK_EQ(*(uint32_t *)value, 0); /* the lock is free again */
	btf__free(b.btf);
}

static void list_free_fields(const void *ctx, void *value)
{
	bh_obj_free_fields(ctx, value);
}

/* Lists in map values are drained on delete, overwrite and map free: no
 * object left behind (and nothing leaked under ASan). */
TEST(list_map_drain)
{
	struct bh_mem_pool pool = {.limit = 1 << 20};
	struct bh_obj_meta me, mv;
	struct list_btf b;
	struct bh_map_def d = {.name = "lists",
			       .key_size = 4,
			       .value_size = 32,
			       .max_entries = 4};
	struct bh_map_fields mf = {.nr = 3,
				   .field = {{0, 4}, {8, 16}, {24, 8}},
				   .free_fields = list_free_fields};
	uint32_t types[] = {BH_MAP_ARRAY, BH_MAP_HASH};
	char zero[32] = {0}, err[128];

	CHECK(make_list_btf(&b) > 0);
	CHECK_EQ(bh_obj_meta_init(&me, b.btf, (uint32_t)b.elem, &pool), 0);
	CHECK_EQ(bh_obj_meta_init(&mv, b.btf, (uint32_t)b.val, &pool), 0);
	mv.fields[1].meta = &me;
	mv.fields[2].meta = &me;
	mf.ctx = &mv;
	for (size_t t = 0; t < 2; t++) {
		struct bh_map *m;

		d.type = types[t];
		d.btf_value_type_id = (uint32_t)b.val;
		m = bh_map_new(&d, err, sizeof(err));
		CHECK_MSG(m, "bh_map_new: %s", err);
		CHECK_EQ(bh_map_set_fields(m, &mf), 0);
		for (uint32_t k = 0; k < 4; k++) {
			char *v;

			CHECK_EQ(bh_map_update(m, &k, zero, 0), 0);
			v = bh_map_lookup(m, &k);
			CHECK(v);
			for (int i = 0; i < 5; i++) {
				int *e = list_elem(&me, i);

				CHECK(e);
				CHECK_EQ(bh_list_push(v + 8, e + 2, &me, 8,
						      i & 1),
					 0);
			}
		}
		CHECK_EQ(pool.live, 20);
		/* overwrite key 0, delete key 1 (hash) */
		{
			uint32_t k = 0;

			CHECK_EQ(bh_map_update(m, &k, zero, 0), 0);
			CHECK_EQ(pool.live, 15);
			if (types[t] == BH_MAP_HASH) {
				k = 1;
				CHECK_EQ(bh_map_delete(m, &k), 0);
				CHECK_EQ(pool.live, 10);
			}
		}
		bh_map_free(m);
		CHECK_EQ(pool.live, 0);
		CHECK_EQ(pool.used, 0);
	}
	btf__free(b.btf);
}
