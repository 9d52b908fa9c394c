// SPDX-License-Identifier: BSD-2-Clause
/*
 * The bpf_conformance suite, run in-process on the interpreter.
 *
 * Programs come from the bytecode column of test-index.tsv (the upstream
 * assembler's output), input memory from the matching .data file's
 * "-- mem" section, parsed as the suite's README §1 describes.  Every
 * test is one case; a test with an "-- error" section passes only if
 * decoding or running really fails.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "harness.h"
#include "exec/exec.h"

/* A safety net so an interpreter bug shows as a failure, not a hang. */
#define CONF_INSN_LIMIT (1ull << 32)

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
static void conf_run_row(char *row)
{
	char *col[7], *save = NULL, why[512], path[1024], err[256];
	struct bh_run_opts opts = {.insn_limit = CONF_INSN_LIMIT};
	struct bh_code *code = NULL;
	struct bh_insn *insns = NULL;
	struct conf_data d = {0};
	uint64_t expected, r0 = 0;
	uint8_t *mem = NULL;
	char *text;
	size_t cnt, len;
	int i, ret, fault;

	for (i = 0; i < 7; i++) {
		col[i] = strtok_r(i ? NULL : row, "\t", &save);
		if (!col[i]) {
			th_case("test-index.tsv", 0, "short row");
			return;
		}
	}
	expected = strtoull(col[5], NULL, 0);

	snprintf(path, sizeof(path), "%s/bpf_conformance/tests/%s",
		 th_shared_dir(), col[0]);
	text = th_read_file(path, &len);
	if (!text) {
		th_case(col[0], 0, "cannot read %s", path);
		return;
	}
	ret = conf_parse_data(text, &d, why, sizeof(why));
	free(text);
	if (ret) {
		th_case(col[0], 0, "%s", why);
		goto out;
	}
	if (d.mem_len != strtoull(col[4], NULL, 10)) {
		th_case(col[0], 0, "mem is %zu bytes, index says %s", d.mem_len,
			col[4]);
		goto out;
	}
	if (conf_parse_bytecode(col[6], &insns, &cnt) ||
	    cnt != strtoull(col[3], NULL, 10)) {
		th_case(col[0], 0, "bad bytecode column");
		goto out;
	}

	ret = bh_insns_check(insns, cnt, err, sizeof(err));
	if (!ret)
		ret = bh_code_new(insns, cnt, NULL, &code, err, sizeof(err));
	if (ret) {
		if (d.has_error)
			th_case(col[0], 1, " ");
		else
			th_case(col[0], 0, "decode: %s", err);
		goto out;
	}
	if (d.mem_len) {
		/* a writable copy, exactly mem_len bytes so ASan sees
		 * any access past it */
		mem = malloc(d.mem_len);
		if (!mem) {
			th_case(col[0], 0, "oom");
			goto out;
		}
		memcpy(mem, d.mem, d.mem_len);
	}
	fault = bh_code_run(code, (uint64_t)(uintptr_t)mem, d.mem_len, &opts,
			    &r0);
	if (d.has_error)
		th_case(col[0], fault != BH_RUN_OK,
			"expected error \"%s\", but r0 = 0x%" PRIx64, d.error,
			r0);
	else if (fault != BH_RUN_OK)
		th_case(col[0], 0, "run fault %d", fault);
	else
		th_case(col[0], r0 == expected,
			"r0 = 0x%" PRIx64 ", expected 0x%" PRIx64, r0,
			expected);
out:
	bh_code_free(code);
	free(insns);
	free(mem);
	free(d.mem);
}

TEST(conformance)
{
	char path[1024], *text, *save = NULL, *line;
	size_t len;
	int rows = 0;

	snprintf(path, sizeof(path), "%s/bpf_conformance/test-index.tsv",
		 th_shared_dir());
	text = th_read_file(path, &len);
	CHECK_MSG(text, "cannot read %s", path);
	line = strtok_r(text, "\n", &save); /* header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (!*line)
			continue;
		conf_run_row(line);
		rows++;
	}
	free(text);
	CHECK_EQ(rows, 313);
}
