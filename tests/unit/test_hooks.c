// SPDX-License-Identifier: BSD-2-Clause
/*
 * Typed-argument hooks: a host declares a hook by a function's prototype,
 * programs in SEC("tp_btf/<hook>") attach, and one call fires them with
 * the arguments (pointers arrive as the host's typed objects).
 */
#include <errno.h>

#include "bpfhost/bpfhost.h"
#include "harness.h"

struct request {
	int id;
	int bytes;
	char path[32];
};

/* The hook's prototype, from this binary's BTF.  Never called by bpfhost. */
__attribute__((noinline, used)) void on_request(struct request *req, int flags)
{
	(void)req;
	(void)flags;
}

static char last_log[512];

static void capture(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* Opened and loaded: verified, with the hook's prototype typing the args
 * (req arrives as a trusted pointer to struct request), so the hook must
 * be declared first. */
static struct bpfhost_obj *open_hook_obj(struct bpfhost_rt *rt)
{
	char path[512];
	BPFHOST_OPTS(bpfhost_open_opts, oo);
	struct bpfhost_obj *obj;

	snprintf(path, sizeof(path), "%s/progs/hook_request.bpf.o",
		 th_build_dir());
	obj = bpfhost_obj_open(rt, path, &oo);
	if (obj && bpfhost_obj_load(obj)) {
		bpfhost_obj_free(obj);
		return NULL;
	}
	return obj;
}

TEST(hook_fire_runs_attached_programs)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = capture);
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	struct request req = {.id = 7, .bytes = 100, .path = "/index.html"};
	struct bpfhost_hook *h;
	struct bpfhost_obj *obj;
	uint64_t last = 0, seen = 0;
	uint32_t zero = 0;

	CHECK(rt);
	h = bpfhost_hook_add(rt, "on_request", "on_request");
	CHECK_MSG(h, "%s", last_log);
	CHECK(bpfhost_hook_find(rt, "on_request") == h);
	obj = open_hook_obj(rt);
	CHECK(obj);
	CHECK_EQ(bpfhost_prog_type(bpfhost_obj_prog(obj, "count_bytes")) !=
			 NULL,
		 1);
	CHECK_STR(bpfhost_prog_type(bpfhost_obj_prog(obj, "count_bytes")),
		  "tracing");
	/* nothing attached yet */
	CHECK_EQ(bpfhost_hook_fire(h, &last, &req, 0), 0);
	CHECK_EQ(bpfhost_obj_attach(obj), 2);
	CHECK_EQ(bpfhost_hook_fire(h, &last, &req, 0), 2);
	CHECK_EQ(last, 11); /* path_len ran last: strlen + flags */
	CHECK_EQ(bpfhost_hook_fire(h, &last, &req, 1), 2);
	CHECK_EQ(last, 12);
	CHECK_EQ(bpfhost_map_lookup(bpfhost_obj_map(obj, "seen"), &zero, &seen),
		 0);
	CHECK_EQ(seen, 300); /* 100 + 2 * 100 */
	{
		uint64_t args[2] = {(uintptr_t)&req, 5};

		CHECK_EQ(bpfhost_hook_fire_args(h, args, 2, &last), 2);
		CHECK_EQ(last, 16);
		CHECK_EQ(bpfhost_hook_fire_args(h, args, 1, &last), -EINVAL);
	}
	/* freeing the object detaches its programs */
	bpfhost_obj_free(obj);
	CHECK_EQ(bpfhost_hook_fire(h, &last, &req, 0), 0);
	bpfhost_rt_free(rt);
}

TEST(hook_errors)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = capture);
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	struct bpfhost_obj *obj;

	CHECK(rt);
	CHECK(!bpfhost_hook_add(rt, "x", "no_such_function"));
	CHECK_CONTAINS(last_log, "hook 'x': no BTF FUNC 'no_such_function'");
	/* loading (verifying) needs the hook to be declared */
	CHECK(!open_hook_obj(rt));
	CHECK(bpfhost_hook_add(rt, "on_request", "on_request"));
	obj = open_hook_obj(rt);
	CHECK(obj);
	CHECK(!bpfhost_hook_add(rt, "on_request", "on_request"));
	CHECK_EQ(errno, EEXIST);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}

/* a program left out of the load (autoload off) is not attached either */
TEST(hook_attach_skips_unloaded)
{
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = capture);
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	struct request req = {.id = 1, .bytes = 10, .path = "/a"};
	struct bpfhost_hook *h;
	struct bpfhost_obj *obj;
	char path[512];
	uint64_t last = 0;

	CHECK(rt);
	h = bpfhost_hook_add(rt, "on_request", "on_request");
	CHECK(h);
	snprintf(path, sizeof(path), "%s/progs/hook_request.bpf.o",
		 th_build_dir());
	obj = bpfhost_obj_open(rt, path, NULL);
	CHECK(obj);
	CHECK_EQ(bpfhost_prog_set_autoload(bpfhost_obj_prog(obj, "path_len"),
					   false),
		 0);
	CHECK_EQ(bpfhost_obj_load(obj), 0);
	CHECK_EQ(bpfhost_obj_attach(obj), 1);
	CHECK_EQ(bpfhost_hook_fire(h, &last, &req, 0), 1);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
}
