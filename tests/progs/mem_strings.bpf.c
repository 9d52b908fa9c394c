// SPDX-License-Identifier: BSD-2-Clause
/*
 * The string kfuncs (6.18) on .rodata, stack, .bss and impossible
 * pointers.  Each program packs three results, one byte each (low byte
 * first); a negative errno e is packed as 128 - e (ENOENT 130, E2BIG 135,
 * ERANGE 162).  Values are the running 6.18 kernel's, through kload --run.
 */
// EXPECT: ACCEPT
// RETVAL(str_cmp): 98560
// RETVAL(str_chr): 229890
// RETVAL(str_nchr_len): 199554
// RETVAL(str_span): 394500
// RETVAL(str_nstr): 83919366
// RETVAL(str_errors): 8888994
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_strcmp(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strcasecmp(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strchr(const char *s__ign, char c) __ksym;
extern int bpf_strchrnul(const char *s__ign, char c) __ksym;
extern int bpf_strnchr(const char *s__ign, __u64 count, char c) __ksym;
extern int bpf_strrchr(const char *s__ign, int c) __ksym;
extern int bpf_strlen(const char *s__ign) __ksym;
extern int bpf_strnlen(const char *s__ign, __u64 count) __ksym;
extern int bpf_strspn(const char *s__ign, const char *accept__ign) __ksym;
extern int bpf_strcspn(const char *s__ign, const char *reject__ign) __ksym;
extern int bpf_strstr(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strnstr(const char *s1__ign, const char *s2__ign,
		       __u64 len) __ksym;

#define BIG 66000
char big[BIG];

static __always_inline __u32 enc(int r)
{
	return r >= 0 ? (__u32)r : (__u32)(128 - r);
}

static __always_inline __u32 pack(int a, int b, int c)
{
	return enc(a) | enc(b) << 8 | enc(c) << 16;
}

SEC("syscall")
int str_cmp(void *ctx)
{
	char a[4] = "abc", b[4] = "abd";

	/* 0, -1 (129), 1 */
	return pack(bpf_strcmp(a, "abc"), bpf_strcmp(a, b),
		    bpf_strcmp("b", "a")) + (bpf_strcasecmp("HeLLo", "hello") << 24);
}

SEC("syscall")
int str_chr(void *ctx)
{
	/* 2, -ENOENT, 3 */
	return pack(bpf_strchr("hello", 'l'), bpf_strchr("hello", 'z'),
		    bpf_strrchr("hello", 'l'));
}

SEC("syscall")
int str_nchr_len(void *ctx)
{
	/* -ENOENT, 11, 3 */
	return pack(bpf_strnchr("hello", 2, 'l'), bpf_strlen("hello world"),
		    bpf_strnlen("hello", 3));
}

SEC("syscall")
int str_span(void *ctx)
{
	/* 4, 5, 6 */
	return pack(bpf_strspn("aabbcd", "ab"), bpf_strcspn("hello world", " "),
		    bpf_strstr("hello world", "world"));
}

SEC("syscall")
int str_nstr(void *ctx)
{
	/* a match ending exactly at len, one ending past it, "" */
	return pack(bpf_strnstr("hello world", "world", 11),
		    bpf_strnstr("hello world", "world", 10),
		    bpf_strstr("hello", "")) + (bpf_strchrnul("hello", 'z') << 24);
}

SEC("syscall")
int str_errors(void *ctx)
{
	int i;

	bpf_for(i, 0, BIG)
		big[i] = 'a';
	/* -ERANGE, -ERANGE, -E2BIG */
	return pack(bpf_strlen((const char *)0), bpf_strcmp("a", (const char *)16),
		    bpf_strlen(big));
}

char LICENSE[] SEC("license") = "GPL";
