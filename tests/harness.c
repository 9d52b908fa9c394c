// SPDX-License-Identifier: BSD-2-Clause
/* Runner for tests defined with TEST() (see harness.h). */
#include <stdarg.h>
#include <stdlib.h>

#include "harness.h"

static struct th_test *head, **tail = &head;
static int cur_failed;
static int skipped;
static int case_passed, case_failed, cur_cases;

void th_register(struct th_test *t)
{
	*tail = t;
	tail = &t->next;
}

void th_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!cur_failed)
		printf("FAIL: ");
	else
		printf("      ");
	va_start(ap, fmt);
	printf("%s:%d: ", file, line);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	cur_failed = 1;
}

void th_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	skipped++;
}

void th_case(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	cur_cases++;
	if (ok) {
		case_passed++;
		printf("PASS: %s\n", name);
		return;
	}
	case_failed++;
	printf("FAIL: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int th_failed(void)
{
	return cur_failed;
}

const char *th_shared_dir(void)
{
	const char *s = getenv("SHARED");

	return s && *s ? s : "../shared";
}

const char *th_build_dir(void)
{
	const char *s = getenv("BUILD");

	return s && *s ? s : "build";
}

char *th_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (size)
		*size = len;
	return buf;
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc <= 1)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct th_test *t = head; t; t = t->next) {
		if (!selected(t->name, argc, argv))
			continue;
		cur_failed = 0;
		cur_cases = 0;
		t->fn();
		if (cur_failed) {
			failed++;
		} else if (cur_cases) {
			/* counted through th_case() */
		} else {
			passed++;
			printf("PASS: %s\n", t->name);
		}
	}
	passed += case_passed;
	failed += case_failed;
	if (skipped)
		printf("%d passed, %d failed, %d skipped\n", passed, failed,
		       skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
