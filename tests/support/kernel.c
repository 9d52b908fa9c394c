// SPDX-License-Identifier: BSD-2-Clause
/* Loading objects into the running kernel through kload (kernel.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "kernel.h"

/* the tail of a rejected program's log that is kept */
#define LOG_TAIL (64 * 1024)

const char *kernel_kload(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/tools/kload", th_build_dir());
	return access(path, X_OK) ? NULL : path;
}

/* append a log line, keeping only the last LOG_TAIL bytes */
static void log_append(struct kernel_result *r, const char *line)
{
	size_t n = strlen(line);

	if (!r->log) {
		r->log = malloc(LOG_TAIL + 1);
		if (!r->log)
			return;
		r->log_len = 0;
	}
	if (n > LOG_TAIL / 2) {
		line += n - LOG_TAIL / 2;
		n = LOG_TAIL / 2;
	}
	if (r->log_len + n > LOG_TAIL) {
		size_t keep = LOG_TAIL / 2;

		memmove(r->log, r->log + r->log_len - keep, keep);
		r->log_len = keep;
	}
	memcpy(r->log + r->log_len, line, n);
	r->log_len += n;
	r->log[r->log_len] = '\0';
}

/* "PROG <name> ACCEPT|REJECT [retval N | run-error E]" */
static void parse_prog_line(const char *line, struct kernel_result *r)
{
	const char *p = line + 5, *sp = strchr(p, ' ');
	size_t n = sp ? (size_t)(sp - p) : 0;

	memset(r, 0, sizeof(*r));
	if (n >= SPEC_NAME)
		n = SPEC_NAME - 1;
	memcpy(r->prog, p, n);
	r->accept = sp && !strncmp(sp + 1, "ACCEPT", 6);
	if (sp && (p = strstr(sp, " retval "))) {
		r->has_retval = 1;
		r->retval = (uint32_t)strtoul(p + 8, NULL, 10);
	} else if (sp && strstr(sp, " run-error ")) {
		r->run_error = 1;
	}
}

int kernel_load(const char *obj, const char *ctx_hex, struct kernel_result *res)
{
	const char *kload = kernel_kload();
	char line[4096], *cmd;
	int n = 0, refused = 0, status;
	FILE *f;

	if (!kload)
		return -1;
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
			if (n == KERNEL_MAX_PROGS)
				continue;
			parse_prog_line(line, &res[n++]);
		} else if (n && !res[n - 1].accept) {
			log_append(&res[n - 1], line);
		}
	}
	status = pclose(f);
	if (refused || (WIFEXITED(status) && WEXITSTATUS(status) == 2)) {
		kernel_results_free(res, n);
		return -2;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return n ? n : -1;
	return n;
}

void kernel_results_free(struct kernel_result *res, int n)
{
	for (int i = 0; i < n; i++) {
		free(res[i].log);
		res[i].log = NULL;
	}
}

const char *kernel_log_tail(const struct kernel_result *r, size_t n)
{
	if (!r->log)
		return "(none)";
	return r->log + (r->log_len > n ? r->log_len - n : 0);
}
