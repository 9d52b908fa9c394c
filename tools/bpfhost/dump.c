// SPDX-License-Identifier: BSD-2-Clause
/*
 * `bpfhost dump OBJ`: what an object holds — programs, maps, a BTF summary
 * and each program's disassembly in the kernel's log syntax, with the
 * source line (from .BTF.ext line info) above the instructions it made.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "cli.h"

static void dump_btf(const struct btf *btf)
{
	static const char *const kinds[] = {
		"UNKN",	   "INT",      "PTR",	   "ARRAY",	 "STRUCT",
		"UNION",   "ENUM",     "FWD",	   "TYPEDEF",	 "VOLATILE",
		"CONST",   "RESTRICT", "FUNC",	   "FUNC_PROTO", "VAR",
		"DATASEC", "FLOAT",    "DECL_TAG", "TYPE_TAG",	 "ENUM64",
	};
	unsigned int count[20] = {0};
	unsigned int n;

	if (!btf) {
		printf("BTF: none\n");
		return;
	}
	n = btf__type_cnt(btf);
	for (unsigned int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		unsigned int k = t ? btf_kind(t) : 0;

		count[k < 20 ? k : 0]++;
	}
	printf("BTF: %u types (", n - 1);
	for (unsigned int k = 0, first = 1; k < 20; k++) {
		if (!count[k])
			continue;
		printf("%s%u %s", first ? "" : ", ", count[k], kinds[k]);
		first = 0;
	}
	printf(")\n");
}

static void dump_prog(struct bpfhost_prog *prog)
{
	size_t cnt;
	const void *insns = bpfhost_prog_insns(prog, &cnt);
	const char *last_text = NULL;
	uint32_t last_line = 0;
	char buf[256];

	printf("\nprog '%s' (section '%s'):\n", bpfhost_prog_name(prog),
	       bpfhost_prog_section(prog));
	for (size_t i = 0; i < cnt;) {
		const uint8_t *raw = (const uint8_t *)insns + i * 8;
		const char *fn = bpfhost_prog_func_at(prog, i);
		struct bpfhost_line li;
		int n;

		if (fn)
			printf("%s:\n", fn);
		if (!bpfhost_prog_line(prog, i, &li) &&
		    (li.text != last_text || li.line != last_line)) {
			const char *file = strrchr(li.file, '/');

			const char *t = li.text;

			while (*t == ' ' || *t == '\t')
				t++;
			printf("; %s @ %s:%u\n", t, file ? file + 1 : li.file,
			       li.line);
			last_text = li.text;
			last_line = li.line;
		}
		n = bpfhost_disasm(insns, cnt, i, buf, sizeof(buf));
		printf("%5zu: (%02x) %s\n", i, raw[0], buf);
		i += n > 0 ? (size_t)n : 1;
	}
}

int cmd_dump(int argc, char **argv)
{
	struct bpfhost_rt *rt;
	struct bpfhost_obj *obj;
	int ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bpfhost dump OBJ\n");
		return 2;
	}
	rt = bpfhost_rt_new(NULL);
	if (!rt)
		return 1;
	obj = bpfhost_obj_open(rt, argv[1], NULL);
	if (!obj) {
		bpfhost_rt_free(rt);
		return 1;
	}
	printf("object: %s\nlicense: %s\n", bpfhost_obj_name(obj),
	       bpfhost_obj_license(obj));
	printf("programs: %zu\n", bpfhost_obj_prog_count(obj));
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++) {
		struct bpfhost_prog *p = bpfhost_obj_prog_at(obj, i);

		printf("  %-20s section %-20s %zu insns\n",
		       bpfhost_prog_name(p), bpfhost_prog_section(p),
		       bpfhost_prog_insn_count(p));
	}
	printf("maps: %zu\n", bpfhost_obj_map_count(obj));
	for (size_t i = 0; i < bpfhost_obj_map_count(obj); i++) {
		struct bpfhost_map_info mi;

		bpfhost_map_info(bpfhost_obj_map_at(obj, i), &mi);
		printf("  %-20s %-6s key %u value %u max_entries %u flags "
		       "0x%x\n",
		       mi.name, cli_map_type_name(mi.type), mi.key_size,
		       mi.value_size, mi.max_entries, mi.map_flags);
	}
	dump_btf(bpfhost_obj_btf(obj));
	for (size_t i = 0; i < bpfhost_obj_prog_count(obj); i++)
		dump_prog(bpfhost_obj_prog_at(obj, i));
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	return ret;
}
