// SPDX-License-Identifier: BSD-2-Clause
/*
 * Example host: embeds bpfhost, loads ratelimit.bpf.o, sets its budget
 * through the .rodata map, runs the filter on a stream of requests and
 * reads the per-client usage back from the program's hash map.
 *
 *   ratelimit OBJ [--unverified]
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bpfhost/bpfhost.h>

struct request {
	uint32_t client;
	uint32_t bytes;
};

struct usage {
	uint64_t bytes;
	uint64_t dropped;
};

static void on_printk(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	size_t n = strlen(msg);

	/* like trace_pipe, one line per message, with or without "\n" */
	printf("  [bpf] %s%s", msg, n && msg[n - 1] == '\n' ? "" : "\n");
}

int main(int argc, char **argv)
{
	static const struct request reqs[] = {
		{ 1, 1500 }, { 2, 700 },  { 1, 1500 }, { 3, 4000 },
		{ 1, 1500 }, { 2, 3000 }, { 3, 200 },  { 2, 500 },
	};
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .printk = on_printk);
	struct bpfhost_rt *rt = bpfhost_rt_new(&ro);
	struct bpfhost_obj *obj;
	struct bpfhost_prog *prog;
	struct bpfhost_map *map;
	uint32_t key, next, *prev = NULL;
	int allowed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ratelimit OBJ [--unverified]\n");
		return 2;
	}
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo,
			     .unverified = argc > 2 &&
					   !strcmp(argv[2], "--unverified"));

		obj = bpfhost_obj_open(rt, argv[1], &oo);
	}
	if (!obj || bpfhost_obj_load(obj))
		return 1;
	prog = bpfhost_obj_prog(obj, "filter");
	map = bpfhost_obj_map(obj, "usage");
	if (!prog || !map)
		return 1;

	printf("filtering %zu requests, budget 4096 bytes per client\n",
	       sizeof(reqs) / sizeof(reqs[0]));
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		struct request r = reqs[i];
		uint64_t verdict = 0;

		if (bpfhost_prog_run(prog, &r, sizeof(r), &verdict))
			return 1;
		printf("request %zu: client %" PRIu32 " %5" PRIu32
		       " bytes -> %s\n",
		       i, r.client, r.bytes, verdict ? "allow" : "drop");
		allowed += verdict == 1;
	}
	printf("usage table (from the program's hash map):\n");
	while (bpfhost_map_next_key(map, prev, &next) == 0) {
		struct usage u;

		key = next;
		prev = &key;
		if (bpfhost_map_lookup(map, &key, &u))
			continue;
		printf("  client %" PRIu32 ": %" PRIu64 " bytes allowed, %" PRIu64
		       " requests dropped\n",
		       key, u.bytes, u.dropped);
	}
	printf("%d of %zu requests allowed\n", allowed,
	       sizeof(reqs) / sizeof(reqs[0]));
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	return allowed == 5 ? 0 : 1;
}
