// SPDX-License-Identifier: BSD-2-Clause
/*
 * The case-insensitive string kfuncs merged after 6.18 (bpf_strncasecmp,
 * bpf_strcasestr, bpf_strncasestr), with the same __ign pointers, caps
 * and errors as the 6.18 family.  Results are packed one byte each (low
 * byte first), a negative errno e as 128 - e (ENOENT 130, ERANGE 162).
 */
// KERNEL: skip bpf_strncasecmp, bpf_strcasestr and bpf_strncasestr are newer than the 6.18 kernel
// EXPECT: ACCEPT
// RETVAL(ncasecmp): 256
// RETVAL(casestr): 33286
// RETVAL(ncasestr): 33286
// RETVAL(case_errors): 8561314
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_strncasecmp(const char *s1__ign, const char *s2__ign,
			   __u64 len) __ksym;
extern int bpf_strcasestr(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strncasestr(const char *s1__ign, const char *s2__ign,
			   __u64 len) __ksym;

static __always_inline __u32 enc(int r)
{
	return r >= 0 ? (__u32)r : (__u32)(128 - r);
}

static __always_inline __u32 pack(int a, int b, int c)
{
	return enc(a) | enc(b) << 8 | enc(c) << 16;
}

SEC("syscall")
int ncasecmp(void *ctx)
{
	char a[12] = "HeLLo world";

	/* 0 (the first 5 equal), 1 ('w' > 't' at 6), 0 (the first 2) */
	return pack(bpf_strncasecmp(a, "hello there", 5),
		    bpf_strncasecmp(a, "hello there", 7),
		    bpf_strncasecmp("abc", "ABD", 2));
}

SEC("syscall")
int casestr(void *ctx)
{
	char s[12] = "Hello World";

	/* 6, -ENOENT, 0 */
	return pack(bpf_strcasestr(s, "wORLD"), bpf_strcasestr(s, "worlds"),
		    bpf_strcasestr(s, ""));
}

SEC("syscall")
int ncasestr(void *ctx)
{
	/* a match ending exactly at len, one past it, "" at len 0 */
	return pack(bpf_strncasestr("Hello World", "WORLD", 11),
		    bpf_strncasestr("Hello World", "WORLD", 10),
		    bpf_strncasestr("x", "", 0));
}

SEC("syscall")
int case_errors(void *ctx)
{
	/* -ERANGE, -ERANGE, -ENOENT */
	return pack(bpf_strncasecmp((const char *)0, "a", 1),
		    bpf_strcasestr("a", (const char *)16),
		    bpf_strncasestr("aAa", "B", 3));
}

char LICENSE[] SEC("license") = "GPL";
