// SPDX-License-Identifier: BSD-2-Clause
/*
 * The running Linux kernel as the oracle for the corpus' verifier
 * expectations.  For every tests/progs/NAME.bpf.c that states
 *
 *   // EXPECT: ACCEPT | REJECT <text>          (every program in the file)
 *   // EXPECT(prog): ACCEPT | REJECT <text>    (one program)
 *   // RETVAL[(prog)]: n | none                 (r0 of an accepted program)
 *   // CTX-HEX: 01 02 ...                       (ctx bytes for the test run)
 *
 * and no `// KERNEL: skip <reason>` line, $BUILD/tools/kload loads the
 * object's programs one by one into the kernel (and test-runs the accepted
 * ones: all of them are hand-written), and each program is one case: the
 * kernel's verdict must equal EXPECT, a REJECT's text must appear in the
 * kernel's verifier log, an accepted program's retval must equal RETVAL.
 * So the expectations bpfhost's verifier is held to are the kernel's.
 *
 * Without kload, or where bpf() is refused, the test says so and skips.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define MAX_PROGS 64
#define NAME_LEN 128
#define TEXT_LEN 256
/* the tail of a rejected program's log that is searched for the text */
#define LOG_TAIL (64 * 1024)

struct oracle_expect {
	char prog[NAME_LEN]; /* "" = every program of the file */
	int reject;
	char text[TEXT_LEN];
};

struct oracle_retval {
	char prog[NAME_LEN];
	int none;
	uint64_t val;
};

struct oracle_spec {
	struct oracle_expect ex[MAX_PROGS];
	int n_ex;
	struct oracle_retval rv[MAX_PROGS];
	int n_rv;
	char skip[TEXT_LEN];
	char ctx_hex[3 * 4096 + 1]; /* normalised: "xx xx ..." */
};

/* the kernel's answer for one program */
struct oracle_result {
	char prog[NAME_LEN];
	int accept;
	int has_retval;
	uint32_t retval;
	int run_error;
	char *log; /* tail of the verifier log of a rejected program */
	size_t log_len;
};

static size_t line_len(const char *p)
{
	size_t n = strcspn(p, "\n");

	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r' || p[n - 1] == '\t'))
		n--;
	return n;
}

/* "(prog):" or ":" after a keyword; copies prog, returns the text after */
static const char *parse_target(const char *q, char *prog)
{
	prog[0] = '\0';
	if (*q == '(') {
		const char *end = strchr(q, ')');
		size_t n = end ? (size_t)(end - q - 1) : 0;

		if (!end || n >= NAME_LEN || memchr(q, '\n', (size_t)(end - q)))
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

static void parse_ctx_hex(const char *q, char *out, size_t cap)
{
	size_t o = 0;

	while (*q && *q != '\n') {
		char *end;
		unsigned long b;

		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q || *q == '\n')
			break;
		b = strtoul(q, &end, 16);
		if (end == q || o + 4 > cap)
			break;
		o += (size_t)snprintf(out + o, cap - o, "%s%02lx", o ? " " : "",
				      b & 0xff);
		q = end;
	}
	out[o] = '\0';
}

static void parse_spec(const char *src, struct oracle_spec *sp)
{
	const char *p = src;

	memset(sp, 0, sizeof(*sp));
	while ((p = strstr(p, "// "))) {
		const char *q;
		char prog[NAME_LEN];

		/* only comments that start a line */
		if (p != src && p[-1] != '\n') {
			p += 3;
			continue;
		}
		p += 3;
		if (!strncmp(p, "EXPECT", 6) && sp->n_ex < MAX_PROGS &&
		    (q = parse_target(p + 6, prog))) {
			struct oracle_expect *e = &sp->ex[sp->n_ex];
			size_t n;

			strcpy(e->prog, prog);
			if (!strncmp(q, "ACCEPT", 6)) {
				e->reject = 0;
			} else if (!strncmp(q, "REJECT", 6)) {
				e->reject = 1;
				q += 6;
				while (*q == ' ')
					q++;
				n = line_len(q);
				if (n >= TEXT_LEN)
					n = TEXT_LEN - 1;
				memcpy(e->text, q, n);
				e->text[n] = '\0';
			} else {
				continue;
			}
			sp->n_ex++;
		} else if (!strncmp(p, "RETVAL", 6) && sp->n_rv < MAX_PROGS &&
			   (q = parse_target(p + 6, prog))) {
			struct oracle_retval *r = &sp->rv[sp->n_rv++];

			strcpy(r->prog, prog);
			if (!strncmp(q, "none", 4))
				r->none = 1;
			else
				r->val = strtoull(q, NULL, 0);
		} else if (!strncmp(p, "KERNEL: skip", 12)) {
			size_t n;

			q = p + 12;
			while (*q == ' ')
				q++;
			n = line_len(q);
			if (n >= TEXT_LEN)
				n = TEXT_LEN - 1;
			memcpy(sp->skip, q, n);
			sp->skip[n] = '\0';
			if (!sp->skip[0])
				strcpy(sp->skip, "(no reason given)");
		} else if (!strncmp(p, "CTX-HEX:", 8)) {
			parse_ctx_hex(p + 8, sp->ctx_hex, sizeof(sp->ctx_hex));
		}
	}
}

static const struct oracle_expect *find_expect(const struct oracle_spec *sp,
					       const char *prog)
{
	for (int i = 0; i < sp->n_ex; i++)
		if (!strcmp(sp->ex[i].prog, prog))
			return &sp->ex[i];
	for (int i = 0; i < sp->n_ex; i++)
		if (!sp->ex[i].prog[0])
			return &sp->ex[i];
	return NULL;
}

static const struct oracle_retval *find_retval(const struct oracle_spec *sp,
					       const char *prog)
{
	for (int i = 0; i < sp->n_rv; i++)
		if (!strcmp(sp->rv[i].prog, prog))
			return &sp->rv[i];
	for (int i = 0; i < sp->n_rv; i++)
		if (!sp->rv[i].prog[0])
			return &sp->rv[i];
	return NULL;
}

/* append a log line, keeping only the last LOG_TAIL bytes */
static void log_append(struct oracle_result *r, const char *line)
{
	size_t n = strlen(line);

	if (!r->log) {
		r->log = malloc(LOG_TAIL + 1);
		if (!r->log)
			return;
		r->log_len = 0;
	}
	if (n > LOG_TAIL / 2)
		line += n - LOG_TAIL / 2, n = LOG_TAIL / 2;
	if (r->log_len + n > LOG_TAIL) {
		size_t keep = LOG_TAIL / 2;

		memmove(r->log, r->log + r->log_len - keep, keep);
		r->log_len = keep;
	}
	memcpy(r->log + r->log_len, line, n);
	r->log_len += n;
	r->log[r->log_len] = '\0';
}

static void parse_prog_line(const char *line, struct oracle_result *r)
{
	const char *p = line + 5, *sp = strchr(p, ' ');
	size_t n = sp ? (size_t)(sp - p) : 0;

	memset(r, 0, sizeof(*r));
	if (n >= NAME_LEN)
		n = NAME_LEN - 1;
	memcpy(r->prog, p, n);
	r->accept = sp && !strncmp(sp + 1, "ACCEPT", 6);
	if (sp && (p = strstr(sp, " retval "))) {
		r->has_retval = 1;
		r->retval = (uint32_t)strtoul(p + 8, NULL, 10);
	} else if (sp && strstr(sp, " run-error ")) {
		r->run_error = 1;
	}
}

/*
 * Runs kload on one object; fills res[] (caller frees the logs).  Returns
 * the number of programs, -1 if kload failed, -2 if bpf() was refused.
 */
static int run_kload(const char *kload, const char *obj, const char *ctx_hex,
		     struct oracle_result *res)
{
	char line[4096], *cmd;
	int n = 0, refused = 0, status;
	FILE *f;

	if (asprintf(&cmd, "'%s' '%s' --run --log%s%s%s 2>&1", kload, obj,
		     ctx_hex[0] ? " --ctx-hex '" : "", ctx_hex,
		     ctx_hex[0] ? "'" : "") < 0)
		return -1;
	f = popen(cmd, "r");
	free(cmd);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "SKIP bpf() refused", 18)) {
			refused = 1;
		} else if (!strncmp(line, "PROG ", 5)) {
			if (n == MAX_PROGS)
				continue;
			parse_prog_line(line, &res[n++]);
		} else if (n && !res[n - 1].accept) {
			log_append(&res[n - 1], line);
		}
	}
	status = pclose(f);
	if (refused || (WIFEXITED(status) && WEXITSTATUS(status) == 2))
		return -2;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return n ? n : -1;
	return n;
}

static int check_prog(const char *name, const struct oracle_spec *sp,
		      const struct oracle_result *r)
{
	const struct oracle_expect *e = find_expect(sp, r->prog);
	const struct oracle_retval *rv = find_retval(sp, r->prog);
	char case_name[2 * NAME_LEN + 16];

	snprintf(case_name, sizeof(case_name), "kernel/%s/%s", name, r->prog);
	if (!e) {
		th_case(case_name, 0, "no EXPECT line for this program");
		return 0;
	}
	if (e->reject != !r->accept) {
		th_case(case_name, 0, "kernel %s, expected %s%s%s%s",
			r->accept ? "ACCEPT" : "REJECT",
			e->reject ? "REJECT " : "ACCEPT",
			e->reject ? e->text : "", r->log ? "; log tail: " : "",
			r->log ? r->log + (r->log_len > 400 ? r->log_len - 400
							    : 0)
			       : "");
		return 0;
	}
	if (e->reject) {
		int ok = e->text[0] && r->log && strstr(r->log, e->text);

		th_case(case_name, ok, "\"%s\" not in the kernel log: %s",
			e->text,
			r->log ? r->log + (r->log_len > 400 ? r->log_len - 400
							    : 0)
			       : "(none)");
		return ok;
	}
	if (rv && !rv->none) {
		int ok = r->has_retval && r->retval == (uint32_t)rv->val;

		th_case(case_name, ok,
			"kernel retval %s%" PRIu32 ", expected %" PRIu64,
			r->run_error ? "(run error) " : "", r->retval, rv->val);
		return ok;
	}
	th_case(case_name, 1, "%s", "");
	return 1;
}

/* returns 0, or -2 when bpf() is refused */
static int check_file(const char *kload, const char *name)
{
	char src_path[512], obj_path[512];
	struct oracle_spec *sp = calloc(1, sizeof(*sp));
	struct oracle_result *res = calloc(MAX_PROGS, sizeof(*res));
	char *src = NULL;
	int n = 0, ret = 0;

	snprintf(src_path, sizeof(src_path), "tests/progs/%s.bpf.c", name);
	snprintf(obj_path, sizeof(obj_path), "%s/progs/%s.bpf.o",
		 th_build_dir(), name);
	if (!sp || !res || !(src = th_read_file(src_path, NULL))) {
		th_case(name, 0, "cannot read %s", src_path);
		goto out;
	}
	parse_spec(src, sp);
	if (!sp->n_ex)
		goto out; /* states no verdict: not an oracle case */
	if (sp->skip[0]) {
		th_skip("kernel/%s: %s", name, sp->skip);
		goto out;
	}
	if (access(obj_path, R_OK)) {
		th_case(name, 0, "%s missing (make progs)", obj_path);
		goto out;
	}
	n = run_kload(kload, obj_path, sp->ctx_hex, res);
	if (n == -2) {
		ret = -2;
		n = 0;
		goto out;
	}
	if (n <= 0) {
		th_case(name, 0, "kload could not load %s", obj_path);
		n = 0;
		goto out;
	}
	for (int i = 0; i < n; i++)
		check_prog(name, sp, &res[i]);
	/* an EXPECT naming a program the object does not have */
	for (int i = 0; i < sp->n_ex; i++) {
		int found = !sp->ex[i].prog[0];

		for (int j = 0; j < n && !found; j++)
			found = !strcmp(sp->ex[i].prog, res[j].prog);
		if (!found) {
			char case_name[2 * NAME_LEN + 16];

			snprintf(case_name, sizeof(case_name), "kernel/%s/%s",
				 name, sp->ex[i].prog);
			th_case(case_name, 0, "no such program in %s",
				obj_path);
		}
	}
out:
	for (int i = 0; i < n; i++)
		free(res[i].log);
	free(res);
	free(sp);
	free(src);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(kernel_oracle)
{
	char kload[512], *names[1024];
	DIR *d = opendir("tests/progs");
	struct dirent *de;
	int n = 0, refused = 0;

	CHECK_MSG(d, "cannot open tests/progs (run from the repo root)");
	snprintf(kload, sizeof(kload), "%s/tools/kload", th_build_dir());
	if (access(kload, X_OK)) {
		closedir(d);
		th_skip("kernel oracle: %s not built (make tools)", kload);
		return;
	}
	while ((de = readdir(d)) && n < 1024) {
		size_t len = strlen(de->d_name);

		if (len > 6 && !strcmp(de->d_name + len - 6, ".bpf.c")) {
			names[n] = strndup(de->d_name, len - 6);
			if (names[n])
				n++;
		}
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		if (!refused && check_file(kload, names[i]) == -2) {
			refused = 1;
			th_skip("kernel oracle: bpf() refused (needs root or "
				"CAP_BPF+CAP_PERFMON+CAP_SYS_ADMIN)");
		}
		free(names[i]);
	}
}
