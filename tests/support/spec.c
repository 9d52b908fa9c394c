// SPDX-License-Identifier: BSD-2-Clause
/* The expectations of a test BPF program's source, and the gaps files. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "spec.h"

/* the length of the rest of the line, trailing blanks dropped */
static size_t line_len(const char *p)
{
	size_t n = strcspn(p, "\n");

	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r' || p[n - 1] == '\t'))
		n--;
	return n;
}

static void copy_line(char *dst, size_t cap, const char *src)
{
	size_t n = line_len(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "(prog):" or ":" after a keyword; copies prog, returns the text after */
static const char *parse_target(const char *q, char *prog)
{
	prog[0] = '\0';
	if (*q == '(') {
		const char *end = strchr(q, ')');
		size_t n = end ? (size_t)(end - q - 1) : 0;

		if (!end || n >= SPEC_NAME ||
		    memchr(q, '\n', (size_t)(end - q)))
			return NULL;
		memcpy(prog, q + 1, n);
		prog[n] = '\0';
		q = end + 1;
	}
	if (*q != ':')
		return NULL;
	q++;
	while (*q == ' ')
		q++;
	return q;
}

static void parse_ctx_hex(const char *q, struct spec *sp)
{
	while (*q && *q != '\n' && sp->ctx_len < sizeof(sp->ctx)) {
		char *end;
		unsigned long b;

		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q || *q == '\n')
			break;
		b = strtoul(q, &end, 16);
		if (end == q)
			break;
		sp->ctx[sp->ctx_len++] = (uint8_t)b;
		q = end;
	}
}

void spec_parse(const char *src, struct spec *sp)
{
	const char *p = src;

	memset(sp, 0, sizeof(*sp));
	while ((p = strstr(p, "// "))) {
		char prog[SPEC_NAME];
		const char *q;

		/* only comments that start a line */
		if (p != src && p[-1] != '\n') {
			p += 3;
			continue;
		}
		p += 3;
		if (!strncmp(p, "EXPECT", 6) && sp->nvd < SPEC_MAX &&
		    (q = parse_target(p + 6, prog))) {
			struct spec_verdict *vd = &sp->vd[sp->nvd];

			if (!strncmp(q, "REJECT", 6)) {
				vd->reject = 1;
				q += 6;
				while (*q == ' ')
					q++;
				copy_line(vd->text, sizeof(vd->text), q);
			} else if (strncmp(q, "ACCEPT", 6)) {
				continue;
			}
			strcpy(vd->prog, prog);
			sp->nvd++;
		} else if (!strncmp(p, "RETVAL", 6) && sp->nrv < SPEC_MAX &&
			   (q = parse_target(p + 6, prog))) {
			struct spec_retval *r = &sp->rv[sp->nrv++];

			strcpy(r->prog, prog);
			if (!strncmp(q, "none", 4))
				r->none = 1;
			else
				r->val = strtoull(q, NULL, 0);
		} else if (!strncmp(p, "LOAD-ERROR: ", 12)) {
			copy_line(sp->load_error, sizeof(sp->load_error),
				  p + 12);
		} else if (!strncmp(p, "WARN: ", 6)) {
			copy_line(sp->warn, sizeof(sp->warn), p + 6);
		} else if (!strncmp(p, "KERNEL: skip", 12)) {
			q = p + 12;
			while (*q == ' ')
				q++;
			copy_line(sp->kernel_skip, sizeof(sp->kernel_skip), q);
			if (!sp->kernel_skip[0])
				strcpy(sp->kernel_skip, "(no reason given)");
		} else if (!strncmp(p, "CTX-HEX:", 8)) {
			parse_ctx_hex(p + 8, sp);
		}
	}
}

const struct spec_verdict *spec_verdict(const struct spec *sp, const char *prog)
{
	for (int i = 0; i < sp->nvd; i++)
		if (!strcmp(sp->vd[i].prog, prog))
			return &sp->vd[i];
	for (int i = 0; i < sp->nvd; i++)
		if (!sp->vd[i].prog[0])
			return &sp->vd[i];
	return NULL;
}

const char *spec_reject(const struct spec *sp, const char *prog)
{
	const struct spec_verdict *vd = spec_verdict(sp, prog);

	return vd && vd->reject ? vd->text : NULL;
}

const struct spec_retval *spec_retval(const struct spec *sp, const char *prog)
{
	for (int i = 0; i < sp->nrv; i++)
		if (!strcmp(sp->rv[i].prog, prog))
			return &sp->rv[i];
	for (int i = 0; i < sp->nrv; i++)
		if (!sp->rv[i].prog[0])
			return &sp->rv[i];
	return NULL;
}

void spec_ctx_hex(const struct spec *sp, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sp->ctx_len && o + 4 <= cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%02x", i ? " " : "",
				      sp->ctx[i]);
}

/* gaps files, each read once */
static struct {
	const char *path;
	char *text;
} gap_files[4];

const char *spec_gap_reason(const char *path, const char *case_name)
{
	size_t n = strlen(case_name), i;
	const char *p;

	for (i = 0; i < 4 && gap_files[i].path; i++)
		if (!strcmp(gap_files[i].path, path))
			break;
	if (i == 4)
		return NULL;
	if (!gap_files[i].path) {
		gap_files[i].path = path;
		gap_files[i].text = th_read_file(path, NULL);
		if (!gap_files[i].text)
			gap_files[i].text = calloc(1, 1);
	}
	for (p = gap_files[i].text; p && *p;) {
		const char *eol = strchr(p, '\n');

		if (*p != '#' && !strncmp(p, case_name, n) &&
		    (p[n] == ' ' || p[n] == '\t')) {
			p += n;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

void spec_case(const char *gaps_path, const char *case_name, int ok,
	       const char *fmt, ...)
{
	const char *gap = spec_gap_reason(gaps_path, case_name);
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!gap) {
		th_case(case_name, ok, "%s", why);
	} else if (ok) {
		th_case(case_name, 0, "passes now: remove it from %s",
			gaps_path);
	} else {
		th_skip("%s: known gap (%.*s): %s", case_name,
			(int)strcspn(gap, "\n"), gap, why);
	}
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int spec_list_dir(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	int n = 0, cap = 0;

	*names = NULL;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= 6 || strcmp(de->d_name + len - 6, ".bpf.c"))
			continue;
		if (n == cap) {
			char **nv = realloc(v, (size_t)(cap ? cap * 2 : 64) *
						       sizeof(*nv));

			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		v[n] = strndup(de->d_name, len - 6);
		if (v[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), cmp_name);
	*names = v;
	return n;
}

void spec_names_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
