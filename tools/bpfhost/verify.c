// SPDX-License-Identifier: BSD-2-Clause
/*
 * `bpfhost verify OBJ [-p PROG] [--log-level 1|2] [--json]`: each program
 * verified on its own (so one rejection does not hide another program's
 * verdict), one line per program: verdict, processed instructions, states,
 * time, and the rejection message; with --log-level, the verifier log.
 * Exit status 0 when every program is accepted, 1 otherwise.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define VERIFY_LOG_SIZE (16u << 20)

/* Verify program idx of path alone; 1 accepted, 0 rejected, -1 error. */
static int verify_one(struct bpfhost_rt *rt, const char *path, size_t idx,
		      uint32_t log_level, char *log, bool json, bool *first)
{
	BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log,
		     .log_size = log ? VERIFY_LOG_SIZE : 0,
		     .log_level = log_level);
	struct bpfhost_obj *obj = bpfhost_obj_open(rt, path, &oo);
	struct bpfhost_verify_info vi = {0};
	struct bpfhost_prog *prog;
	const char *err = "";
	int loaded, ok;

	if (!obj)
		return -1;
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++)
		bpfhost_prog_set_autoload(bpfhost_obj_prog_at(obj, i),
					  i == idx);
	prog = bpfhost_obj_prog_at(obj, idx);
	loaded = bpfhost_obj_load(obj);
	if (bpfhost_prog_verify_info(prog, &vi) == 0)
		ok = vi.accepted && !loaded;
	else
		ok = !loaded; /* failed before verification (linking) */
	if (!ok)
		err = bpfhost_obj_error(obj);
	if (json) {
		printf("%s\n  {\"prog\": ", *first ? "" : ",");
		cli_json_str(bpfhost_prog_name(prog));
		printf(", \"section\": ");
		cli_json_str(bpfhost_prog_section(prog));
		printf(", \"verdict\": \"%s\", \"insns_processed\": %" PRIu64
		       ", \"max_states_per_insn\": %u, \"total_states\": %u, "
		       "\"peak_states\": %u, \"time_us\": %.1f, "
		       "\"stack_depth\": %u, \"error\": ",
		       ok ? "accept" : "reject", vi.insn_processed,
		       vi.max_states_per_insn, vi.total_states, vi.peak_states,
		       (double)vi.verification_ns / 1000.0, vi.stack_depth);
		cli_json_str(err);
		printf("}");
	} else {
		printf("%-24s %-6s processed %" PRIu64
		       " insns, %u states (peak %u), %.1f us%s%s\n",
		       bpfhost_prog_name(prog), ok ? "ACCEPT" : "REJECT",
		       vi.insn_processed, vi.total_states, vi.peak_states,
		       (double)vi.verification_ns / 1000.0, ok ? "" : ": ",
		       err);
		if (log && log[0])
			printf("%s\n", log);
	}
	*first = false;
	bpfhost_obj_free(obj);
	return ok;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"prog", required_argument, NULL, 'p'},
		{"log-level", required_argument, NULL, 'l'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	BPFHOST_OPTS(bpfhost_rt_opts, ro, .log = cli_quiet_log);
	const char *prog_name = NULL;
	uint32_t log_level = 0;
	bool json = false, first = true;
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	char *log = NULL;
	int c, rejected = 0, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			prog_name = optarg;
			break;
		case 'l':
			log_level = (uint32_t)strtoul(optarg, NULL, 0);
			if (log_level < 1 || log_level > 2) {
				fprintf(stderr,
					"bpfhost: --log-level is 1 or 2\n");
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: bpfhost verify OBJ [-p PROG] "
				"[--log-level 1|2] [--json]\n");
		return 2;
	}
	rt = bpfhost_rt_new(&ro); /* each line carries its own error */
	if (!rt)
		return 1;
	obj = bpfhost_obj_open(rt, argv[optind], NULL);
	if (!obj)
		goto out;
	if (log_level && !json) {
		log = malloc(VERIFY_LOG_SIZE);
		if (!log)
			goto out;
	}
	if (json)
		printf("[");
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
		int r;

		if (prog_name &&
		    strcmp(bpfhost_prog_name(bpfhost_obj_prog_at(obj, i)),
			   prog_name))
			continue;
		r = verify_one(rt, argv[optind], i, log_level, log, json,
			       &first);
		if (r < 0)
			goto out;
		rejected += !r;
	}
	if (json)
		printf("\n]\n");
	if (first && prog_name) {
		fprintf(stderr, "bpfhost: no program '%s'\n", prog_name);
		goto out;
	}
	ret = rejected ? 1 : 0;
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(log);
	return ret;
}
