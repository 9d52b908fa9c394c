// SPDX-License-Identifier: BSD-2-Clause
/*
 * Verifier benchmark: every program of every corpus object accepted by
 * both verifiers, bpfhost's (in process) and the running kernel's (through
 * kload --stats, when bpf() is permitted), side by side: processed
 * instructions and verification time, with the bpfhost/kernel ratios and
 * their median and worst over the corpus.
 *
 *   verify_bench KLOAD OBJ...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/bpfhost.h"

struct row {
	char name[160];
	uint64_t bh_insns, k_insns;
	double bh_us, k_us;
};

static void quiet(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

/* The kernel's figures for prog from kload's output, or 0. */
static int kernel_stats(const char *out, const char *prog, uint64_t *insns,
			double *us)
{
	char key[200];
	const char *p, *q;

	snprintf(key, sizeof(key), "PROG %s ACCEPT", prog);
	p = strstr(out, key);
	if (!p || (p[strlen(key)] != ' ' && p[strlen(key)] != '\n'))
		return 0;
	q = strstr(p, "verification time ");
	if (!q || strchr(p, '\n') < q)
		return 0;
	*us = strtod(q + 18, NULL);
	q = strstr(p, "processed ");
	if (!q || strchr(p, '\n') < q)
		return 0;
	*insns = strtoull(q + 10, NULL, 10);
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void summary(const char *what, double *r, size_t n)
{
	if (!n)
		return;
	qsort(r, n, sizeof(*r), cmp_double);
	printf("%-28s median %.2fx  best %.2fx  worst %.2fx  (%zu programs)\n",
	       what, r[n / 2], r[0], r[n - 1], n);
}

int main(int argc, char **argv)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = quiet);
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	struct row *rows = calloc((size_t)argc * 64, sizeof(*rows));
	size_t nrows = 0, nk = 0;
	double *ri, *rt_ratio;
	bool kernel = true;

	if (argc < 3 || !rt || !rows) {
		fprintf(stderr, "usage: verify_bench KLOAD OBJ...\n");
		return 2;
	}
	for (int a = 2; a < argc; a++) {
		char cmd[1024], *kout = NULL;
		size_t kcap = 0, klen = 0, got;
		struct bpfhost_obj *obj = bpfhost_obj_open(rt, argv[a], NULL);
		FILE *f;

		if (!obj)
			continue;
		if (kernel) {
			snprintf(cmd, sizeof(cmd), "%s %s --stats 2>/dev/null",
				 argv[1], argv[a]);
			f = popen(cmd, "r");
			while (f) {
				if (klen + 4096 + 1 > kcap) {
					char *nb = realloc(kout, kcap + 65536);

					if (!nb)
						break;
					kout = nb;
					kcap += 65536;
				}
				got = fread(kout + klen, 1, kcap - klen - 1, f);
				if (!got)
					break;
				klen += got;
			}
			if (kout)
				kout[klen] = '\0';
			if (f && pclose(f) == 2 << 8)
				kernel = false; /* bpf() refused */
		}
		for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
			const char *pn =
				bpfhost_prog_name(bpfhost_obj_prog_at(obj, i));
			struct bpfhost_obj *one = bpfhost_obj_open(rt, argv[a], NULL);
			struct bpfhost_verify_info vi;
			struct row *r = &rows[nrows];

			if (!one)
				continue;
			for (size_t j = 0; j < bpfhost_obj_prog_count(one); j++)
				bpfhost_prog_set_autoload(
					bpfhost_obj_prog_at(one, j), j == i);
			if (bpfhost_obj_load(one) ||
			    bpfhost_prog_verify_info(bpfhost_obj_prog_at(one, i),
						     &vi)) {
				bpfhost_obj_free(one);
				continue; /* only programs bpfhost accepts */
			}
			snprintf(r->name, sizeof(r->name), "%s",
				 strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 :
							 argv[a]);
			r->name[strcspn(r->name, ".")] = '\0';
			strncat(r->name, "/", sizeof(r->name) - strlen(r->name) - 1);
			strncat(r->name, pn, sizeof(r->name) - strlen(r->name) - 1);
			r->bh_insns = vi.insn_processed;
			r->bh_us = (double)vi.verification_ns / 1000.0;
			if (kout && kernel_stats(kout, pn, &r->k_insns, &r->k_us))
				nk++;
			nrows++;
			bpfhost_obj_free(one);
		}
		free(kout);
		bpfhost_obj_free(obj);
	}
	printf("%-44s %10s %10s %7s %10s %10s %7s\n", "program", "insns",
	       "kernel", "ratio", "time us", "kernel us", "ratio");
	ri = calloc(nrows + 1, sizeof(*ri));
	rt_ratio = calloc(nrows + 1, sizeof(*rt_ratio));
	nk = 0;
	for (size_t i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		if (!r->k_insns) {
			printf("%-44s %10" PRIu64 " %10s %7s %10.1f %10s %7s\n",
			       r->name, r->bh_insns, "-", "-", r->bh_us, "-", "-");
			continue;
		}
		printf("%-44s %10" PRIu64 " %10" PRIu64 " %6.2fx %10.1f %10.1f %6.2fx\n",
		       r->name, r->bh_insns, r->k_insns,
		       (double)r->bh_insns / (double)r->k_insns, r->bh_us,
		       r->k_us, r->bh_us / (r->k_us > 0 ? r->k_us : 1));
		ri[nk] = (double)r->bh_insns / (double)r->k_insns;
		rt_ratio[nk] = r->bh_us / (r->k_us > 0 ? r->k_us : 1);
		nk++;
	}
	if (!kernel)
		printf("(the kernel refused bpf(): no kernel figures)\n");
	summary("processed insns bpfhost/kernel", ri, nk);
	summary("verification time bpfhost/kernel", rt_ratio, nk);
	free(ri);
	free(rt_ratio);
	free(rows);
	bpfhost_rt_free(rt);
	return 0;
}
