// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF program corpus: every tests/progs/NAME.bpf.c, compiled by clang-19
 * into $BUILD/progs/NAME.bpf.o, is opened, loaded and run through the
 * public API, and its programs' r0 compared with the expectations its
 * source states in comments:
 *
 *   // RETVAL: 42              every program in the file returns 42
 *   // RETVAL(prog_name): 7    that program returns 7
 *   // RETVAL: none            load only (e.g. needs kfuncs not linked yet)
 *   // CTX-HEX: 01 02 03       ctx bytes passed to the programs
 *
 * One case per program.  Until the verifier lands, programs are loaded
 * with the unverified debug option.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"

struct expect {
	char prog[128]; /* "" = every program */
	int none;
	uint64_t val;
};

struct spec {
	struct expect ex[32];
	int cnt;
	uint8_t ctx[4096];
	size_t ctx_len;
};

static void parse_spec(const char *src, struct spec *sp)
{
	const char *p = src;

	memset(sp, 0, sizeof(*sp));
	while ((p = strstr(p, "// "))) {
		p += 3;
		if (!strncmp(p, "RETVAL", 6) && sp->cnt < 32) {
			struct expect *e = &sp->ex[sp->cnt];
			const char *q = p + 6;

			if (*q == '(') {
				const char *end = strchr(q, ')');
				size_t n = end ? (size_t)(end - q - 1) : 0;

				if (!end || n >= sizeof(e->prog))
					continue;
				memcpy(e->prog, q + 1, n);
				q = end + 1;
			}
			if (*q != ':')
				continue;
			q++;
			while (*q == ' ')
				q++;
			if (!strncmp(q, "none", 4))
				e->none = 1;
			else
				e->val = strtoull(q, NULL, 0);
			sp->cnt++;
		} else if (!strncmp(p, "CTX-HEX:", 8)) {
			const char *q = p + 8;

			while (*q && *q != '\n' && sp->ctx_len < sizeof(sp->ctx)) {
				char *end;
				unsigned long b;

				while (*q == ' ')
					q++;
				if (*q == '\n' || !*q)
					break;
				b = strtoul(q, &end, 16);
				if (end == q)
					break;
				sp->ctx[sp->ctx_len++] = (uint8_t)b;
				q = end;
			}
		}
	}
}

static const struct expect *find_expect(const struct spec *sp,
					const char *prog)
{
	for (int i = 0; i < sp->cnt; i++)
		if (!strcmp(sp->ex[i].prog, prog))
			return &sp->ex[i];
	for (int i = 0; i < sp->cnt; i++)
		if (!sp->ex[i].prog[0])
			return &sp->ex[i];
	return NULL;
}

static void run_one(const char *name)
{
	char src_path[512], obj_path[512], log[8192], case_name[256];
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	struct spec *sp = calloc(1, sizeof(*sp));
	char *src;
	int all_none = 1;

	snprintf(src_path, sizeof(src_path), "tests/progs/%s.bpf.c", name);
	snprintf(obj_path, sizeof(obj_path), "%s/progs/%s.bpf.o",
		 th_build_dir(), name);
	src = th_read_file(src_path, NULL);
	if (!src || !sp) {
		th_case(name, 0, "cannot read %s", src_path);
		free(src);
		free(sp);
		return;
	}
	parse_spec(src, sp);
	free(src);
	if (!sp->cnt) {
		th_case(name, 0, "%s states no // RETVAL:", src_path);
		free(sp);
		return;
	}
	rt = bpfhost_rt_new(NULL);
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log,
			     .log_size = sizeof(log), .unverified = true);

		log[0] = '\0';
		obj = bpfhost_obj_open(rt, obj_path, &oo);
	}
	for (int i = 0; i < sp->cnt; i++)
		all_none &= sp->ex[i].none;
	if (!obj) {
		th_case(name, 0, "open failed: %s", log);
		goto out;
	}
	if (bpfhost_obj_load(obj)) {
		/* "none" files may legitimately need what is not built yet */
		th_case(name, all_none, "load failed: %s",
			bpfhost_obj_error(obj));
		goto out;
	}
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *prog = bpfhost_obj_prog_at(obj, i);
		const struct expect *e = find_expect(sp, bpfhost_prog_name(prog));
		uint8_t ctx[4096];
		uint64_t r0 = 0;
		int err;

		snprintf(case_name, sizeof(case_name), "%s/%s", name,
			 bpfhost_prog_name(prog));
		if (!e) {
			th_case(case_name, 0, "no RETVAL for this program");
			continue;
		}
		if (e->none) {
			th_case(case_name, 1, "%s", "");
			continue;
		}
		memcpy(ctx, sp->ctx, sp->ctx_len);
		err = bpfhost_prog_run(prog, sp->ctx_len ? ctx : NULL,
				       sp->ctx_len, &r0);
		th_case(case_name, !err && r0 == e->val,
			"run: err %d, r0 %" PRIu64 " (0x%" PRIx64
			"), expected %" PRIu64,
			err, r0, r0, e->val);
	}
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(sp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(corpus)
{
	DIR *d = opendir("tests/progs");
	struct dirent *de;
	char *names[1024];
	int n = 0;

	CHECK_MSG(d, "cannot open tests/progs (run from the repo root)");
	while ((de = readdir(d)) && n < 1024) {
		size_t len = strlen(de->d_name);

		if (len > 6 && !strcmp(de->d_name + len - 6, ".bpf.c")) {
			names[n] = strndup(de->d_name, len - 6);
			if (names[n])
				n++;
		}
	}
	closedir(d);
	CHECK_MSG(n > 0, "no programs in tests/progs");
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		run_one(names[i]);
		free(names[i]);
	}
}
