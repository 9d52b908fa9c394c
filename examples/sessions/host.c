// SPDX-License-Identifier: BSD-2-Clause
/*
 * The example host: keeps a session table of its own, exposes it to BPF
 * programs through kfuncs defined the kernel's way (session_kfuncs.c,
 * registered from a constructor), loads sessions.bpf.o and runs its
 * programs against the live table.
 *
 *   sessions OBJ [LEAK_OBJ] [--unverified]
 *
 * With LEAK_OBJ (leak.bpf.o), also shows the verifier refusing a program
 * that leaks a session reference, and running its fixed version.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bpfhost/bpfhost.h>

#include "sessions.h"

static void on_log(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	printf("  [bpfhost%s] %s\n", level == BPFHOST_LOG_WARN ? " warning" : "",
	       msg);
}

static int run(struct bpfhost_obj *obj, const char *name, void *ctx,
	       size_t size, int64_t *r0)
{
	struct bpfhost_prog *prog = bpfhost_obj_prog(obj, name);
	uint64_t v = 0;
	int err;

	if (!prog)
		return -1;
	err = bpfhost_prog_run(prog, ctx, size, &v);
	*r0 = (int64_t)v;
	return err;
}

static void show_table(void)
{
	uint32_t pos = 0;
	struct session *s;

	printf("  id  user      bytes  refs\n");
	while ((s = session_next(&pos)))
		printf("  %2" PRIu32 "  %-8s %6" PRIu64 "  %4d\n", s->id,
		       s->user, s->bytes, session_refs(s));
}

int main(int argc, char **argv)
{
	static const struct {
		uint32_t id, bytes;
	} charges[] = { { 1, 1500 }, { 2, 300 }, { 3, 700 }, { 9, 10 } };
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = on_log);
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	int64_t r0;

	if (argc < 2) {
		fprintf(stderr, "usage: sessions OBJ [--unverified]\n");
		return 2;
	}
	session_open(1, "alice");
	session_open(2, "bob");
	session_open(3, "alice");

	rt = bpfhost_rt_new(&ro);
	if (!rt)
		return 1;
	printf("runtime: %zu kfuncs registered by this host\n",
	       bpfhost_kfunc_count(rt));
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo,
			     .unverified = argc > 2 &&
					   !strcmp(argv[2], "--unverified"));

		obj = bpfhost_obj_open(rt, argv[1], &oo);
	}
	if (!obj) {
		bpfhost_rt_free(rt);
		return 1;
	}
	printf("loading %s\n", argv[1]);
	if (bpfhost_obj_load(obj))
		goto fail;
	for (size_t i = 0; i < sizeof(charges) / sizeof(charges[0]); i++) {
		if (run(obj, "charge", (void *)&charges[i], sizeof(charges[i]),
			&r0))
			goto fail;
		printf("charge(session %" PRIu32 ", %" PRIu32 " bytes) = %" PRId64
		       "\n",
		       charges[i].id, charges[i].bytes, r0);
	}
	if (run(obj, "total_bytes", NULL, 0, &r0))
		goto fail;
	printf("total_bytes() = %" PRId64 "\n", r0);
	if (run(obj, "count_alice", NULL, 0, &r0))
		goto fail;
	printf("count_alice() = %" PRId64 "\n", r0);
	if (run(obj, "forgive", NULL, 0, &r0))
		goto fail;
	printf("forgive() = %" PRId64 " bytes dropped from session 2\n", r0);
	if (run(obj, "old_style", NULL, 0, &r0))
		goto fail;
	printf("old_style() = %" PRId64 "\n", r0);
	if (argc > 2 && strcmp(argv[2], "--unverified")) {
		struct bpfhost_obj *lo = bpfhost_obj_open(rt, argv[2], NULL);
		struct { uint32_t id, bytes; } req = { 3, 50 };

		if (!lo)
			goto fail;
		printf("loading %s, program 'leaky':\n", argv[2]);
		bpfhost_prog_set_autoload(bpfhost_obj_prog(lo, "fixed"), false);
		if (bpfhost_obj_load(lo) == 0) {
			printf("  leaky was accepted: that is a verifier bug\n");
			bpfhost_obj_free(lo);
			goto fail;
		}
		printf("  refused: %s\n", bpfhost_obj_error(lo));
		bpfhost_obj_free(lo);
		lo = bpfhost_obj_open(rt, argv[2], NULL);
		if (!lo)
			goto fail;
		bpfhost_prog_set_autoload(bpfhost_obj_prog(lo, "leaky"), false);
		if (bpfhost_obj_load(lo) ||
		    run(lo, "fixed", &req, sizeof(req), &r0)) {
			bpfhost_obj_free(lo);
			goto fail;
		}
		printf("program 'fixed' accepted; fixed(session 3, 50 bytes) = %" PRId64
		       "\n",
		       r0);
		bpfhost_obj_free(lo);
	}
	printf("session table after the programs (each open session holds 1 ref):\n");
	show_table();
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	return 0;
fail:
	fprintf(stderr, "sessions: %s\n", bpfhost_obj_error(obj));
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	return 1;
}
