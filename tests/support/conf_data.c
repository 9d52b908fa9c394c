// SPDX-License-Identifier: BSD-2-Clause
/* Reading the conformance suite's data (see conf_data.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_data.h"
#include "harness.h"

struct conf_data {
	uint8_t *mem;
	size_t mem_len;
	bool has_error;
	char error[256];
};

static int conf_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse a .data file (README §1).  Returns 0, or -1 with a message. */
static int conf_parse_data(char *text, struct conf_data *d, char *why,
			   size_t whysz)
{
	enum { NONE, ASM, RESULT, MEM, RAW, IGNORED, ERROR } sec = NONE;
	size_t cap = 0;
	char *save = NULL;

	memset(d, 0, sizeof(*d));
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strchr(line, '#');
		size_t n;

		if (p)
			*p = '\0';
		n = strlen(line);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
			     line[n - 1] == '\t'))
			line[--n] = '\0';
		if (strstr(line, "--")) {
			if (strstr(line, "asm"))
				sec = ASM;
			else if (strstr(line, "result"))
				sec = RESULT;
			else if (strstr(line, "mem"))
				sec = MEM;
			else if (strstr(line, "raw"))
				sec = RAW;
			else if (strstr(line, "no register offset") ||
				 strstr(line, " c"))
				sec = IGNORED;
			else if (strstr(line, "error"))
				sec = ERROR;
			else {
				snprintf(why, whysz, "unknown directive '%s'",
					 line);
				return -1;
			}
			if (sec == ERROR)
				d->has_error = true;
			continue;
		}
		if (sec == MEM) {
			for (char *t = line; *t;) {
				int hi, lo;

				if (*t == ' ' || *t == '\t') {
					t++;
					continue;
				}
				hi = conf_hex(t[0]);
				lo = hi < 0 ? -1 : conf_hex(t[1]);
				if (lo < 0) {
					snprintf(why, whysz,
						 "bad mem byte '%.8s'", t);
					return -1;
				}
				if (d->mem_len == cap) {
					cap = cap ? cap * 2 : 64;
					d->mem = realloc(d->mem, cap);
					if (!d->mem) {
						snprintf(why, whysz, "oom");
						return -1;
					}
				}
				d->mem[d->mem_len++] = (uint8_t)(hi << 4 | lo);
				t += 2;
			}
		} else if (sec == ERROR && n) {
			snprintf(d->error, sizeof(d->error), "%s", line);
		}
	}
	return 0;
}

/* "b400000000000000 ..." (memory byte order) into slots. */
static int conf_parse_bytecode(const char *s, struct bh_insn **out, size_t *cnt)
{
	size_t n = 0, cap = 0;
	struct bh_insn *v = NULL;

	while (*s) {
		uint8_t b[8];

		if (*s == ' ') {
			s++;
			continue;
		}
		for (int i = 0; i < 8; i++) {
			int hi = conf_hex(s[2 * i]);
			int lo = hi < 0 ? -1 : conf_hex(s[2 * i + 1]);

			if (lo < 0) {
				free(v);
				return -1;
			}
			b[i] = (uint8_t)(hi << 4 | lo);
		}
		s += 16;
		if (n == cap) {
			struct bh_insn *nv;

			cap = cap ? cap * 2 : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -1;
			}
			v = nv;
		}
		memcpy(&v[n++], b, sizeof(b));
	}
	*out = v;
	*cnt = n;
	return 0;
}


/* One tsv row: file, min_cpu, groups, slots, mem_len, expected_r0, code. */
static void conf_read_row(char *row, struct conf_test *t)
{
	char *col[7], *save = NULL, path[1024], *text;
	struct conf_data d;
	size_t len;
	int i;

	for (i = 0; i < 7; i++) {
		col[i] = strtok_r(i ? NULL : row, "\t", &save);
		if (!col[i]) {
			snprintf(t->why, sizeof(t->why), "short row");
			return;
		}
	}
	snprintf(t->file, sizeof(t->file), "%s", col[0]);
	t->expected = strtoull(col[5], NULL, 0);
	snprintf(path, sizeof(path), "%s/bpf_conformance/tests/%s",
		 th_shared_dir(), col[0]);
	text = th_read_file(path, &len);
	if (!text) {
		snprintf(t->why, sizeof(t->why), "cannot read %.200s", path);
		return;
	}
	i = conf_parse_data(text, &d, t->why, sizeof(t->why));
	free(text);
	if (i) {
		free(d.mem);
		return;
	}
	t->mem = d.mem;
	t->mem_len = d.mem_len;
	t->has_error = d.has_error;
	memcpy(t->error, d.error, sizeof(t->error));
	if (d.mem_len != strtoull(col[4], NULL, 10)) {
		snprintf(t->why, sizeof(t->why), "mem is %zu bytes, index says %s",
			 d.mem_len, col[4]);
		return;
	}
	if (conf_parse_bytecode(col[6], &t->insns, &t->cnt) ||
	    t->cnt != strtoull(col[3], NULL, 10))
		snprintf(t->why, sizeof(t->why), "bad bytecode column");
}

int conf_load_all(struct conf_test **out, size_t *n)
{
	char path[1024], *text, *save = NULL, *line;
	struct conf_test *v = NULL;
	size_t cnt = 0, cap = 0;

	snprintf(path, sizeof(path), "%s/bpf_conformance/test-index.tsv",
		 th_shared_dir());
	text = th_read_file(path, NULL);
	if (!text)
		return -1;
	line = strtok_r(text, "\n", &save); /* header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (!*line)
			continue;
		if (cnt == cap) {
			struct conf_test *nv;

			cap = cap ? cap * 2 : 512;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		conf_read_row(line, &v[cnt++]);
	}
	free(text);
	*out = v;
	*n = cnt;
	return 0;
}

void conf_free_all(struct conf_test *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].mem);
		free(t[i].insns);
	}
	free(t);
}
