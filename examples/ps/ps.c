// SPDX-License-Identifier: BSD-2-Clause
/*
 * `ps` with a BPF program: loads ps.bpf.o (written as a Linux program:
 * task iterator, CO-RE fields), runs it once, and prints the table it
 * filled from the host's processes (bpfhost's task kfuncs read /proc).
 *
 *   ps OBJ [--unverified]
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bpfhost/bpfhost.h>

struct row {
	uint32_t pid;
	uint32_t ppid;
	char comm[16];
};

int main(int argc, char **argv)
{
	struct bpfhost_rt *rt = bpfhost_rt_new(NULL);
	struct bpfhost_obj *obj;
	struct bpfhost_map *rows;
	uint64_t n = 0;

	if (argc < 2 || !rt) {
		fprintf(stderr, "usage: ps OBJ [--unverified]\n");
		return 2;
	}
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo,
			     .unverified = argc > 2 &&
					   !strcmp(argv[2], "--unverified"));

		obj = bpfhost_obj_open(rt, argv[1], &oo);
	}
	if (!obj || bpfhost_obj_load(obj) ||
	    bpfhost_prog_run(bpfhost_obj_prog(obj, "ps"), NULL, 0, &n))
		return 1;
	rows = bpfhost_obj_map(obj, "rows");
	printf("%7s %7s  %s\n", "PID", "PPID", "COMMAND");
	for (uint32_t i = 0; i < n; i++) {
		struct row r;

		if (bpfhost_map_lookup(rows, &i, &r))
			break;
		r.comm[sizeof(r.comm) - 1] = '\0';
		printf("%7" PRIu32 " %7" PRIu32 "  %s\n", r.pid, r.ppid, r.comm);
	}
	printf("%" PRIu64 " processes\n", n);
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	return 0;
}
