/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small unit-test harness.  Each test binary defines tests with TEST();
 * harness.c's main runs them in order (or those named on the command line),
 * prints "PASS: name" / "FAIL: name: why", and ends with the line
 * "N passed, N failed".  A test fails at its first failed CHECK.
 *
 * Tests find shared data through the SHARED environment variable (the
 * read-only ../shared folder) and write only under BUILD.
 */
#ifndef BPFHOST_TEST_HARNESS_H
#define BPFHOST_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct th_test {
	const char *name;
	void (*fn)(void);
	struct th_test *next;
};

void th_register(struct th_test *t);
/* Record a failure of the running test; returns so the caller can return. */
void th_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record a skipped part (printed, counted apart from pass/fail). */
void th_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int th_failed(void);
/*
 * Count one case of a data-driven test (a conformance file, a corpus
 * program) in the totals, printing "PASS: name" or "FAIL: name: why".
 * Used inside a TEST() that loops over many inputs; such a TEST() counts
 * only its cases, not itself, unless one of its CHECKs fails.
 */
void th_case(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Paths: $SHARED (default ../shared) and $BUILD (default build). */
const char *th_shared_dir(void);
const char *th_build_dir(void);
/* Read a whole file; malloc'ed, NUL-terminated; NULL on error. */
char *th_read_file(const char *path, size_t *size);

#define TEST(name)                                                  \
	static void test_##name(void);                                  \
	static struct th_test th_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void th_reg_##name(void)    \
	{                                                               \
		th_register(&th_##name);                                \
	}                                                               \
	static void test_##name(void)

#define CHECK(cond)                                                  \
	do {                                                         \
		if (!(cond)) {                                       \
			th_fail(__FILE__, __LINE__, "%s", #cond);   \
			return;                                      \
		}                                                    \
	} while (0)

#define CHECK_MSG(cond, ...)                                         \
	do {                                                         \
		if (!(cond)) {                                       \
			th_fail(__FILE__, __LINE__, __VA_ARGS__);    \
			return;                                      \
		}                                                    \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long th_a = (long long)(a), th_b = (long long)(b);        \
		if (th_a != th_b) {                                            \
			th_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",  \
				#a, #b, th_a, th_b);                           \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_U64(a, b)                                                        \
	do {                                                                   \
		uint64_t th_a = (uint64_t)(a), th_b = (uint64_t)(b);           \
		if (th_a != th_b) {                                            \
			th_fail(__FILE__, __LINE__,                            \
				"%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, #a,   \
				#b, th_a, th_b);                               \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *th_a = (a), *th_b = (b);                           \
		if (!th_a || !th_b || strcmp(th_a, th_b)) {                    \
			th_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
				#a, #b, th_a ? th_a : "(null)",                \
				th_b ? th_b : "(null)");                       \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                            \
	do {                                                                   \
		const char *th_h = (hay), *th_n = (needle);                    \
		if (!th_h || !strstr(th_h, th_n)) {                            \
			th_fail(__FILE__, __LINE__, "\"%s\" not in \"%s\"",    \
				th_n, th_h ? th_h : "(null)");                 \
			return;                                                \
		}                                                              \
	} while (0)

#endif
