// SPDX-License-Identifier: BSD-2-Clause
/*
 * `bpfhost conformance-plugin`: the plugin protocol of the public eBPF
 * conformance suite (bpf_conformance_runner --plugin_path), so that its
 * runner drives bpfhost as it drives uBPF.
 *
 *   argv:  [MEMHEX] [plugin options...] [--elf]
 *   stdin: the program as hex bytes ("b7  00  ...\n"); with --elf, a small
 *          ELF object whose code section holds the program
 *   out:   r0 in hex on stdout, exit 0; or a message and exit 1
 *
 * Test programs are not verified (the suite exercises the ISA, not safety),
 * so a budget of instructions keeps a looping program from hanging the
 * runner, which has no timeout of its own.
 */
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PLUGIN_INSN_LIMIT 100000000ull

/* The bytes of the code section that holds symbol "main" (or the first
 * executable section), copied out of an ELF object. */
static int elf_code(const uint8_t *buf, size_t len, uint8_t **code,
		    size_t *code_len)
{
	Elf *elf;
	Elf_Scn *scn = NULL, *text = NULL;
	size_t shstrndx;
	int ret = -1;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)buf, len);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			goto out;
		if (sh.sh_type == SHT_SYMTAB) {
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t n = d && sh.sh_entsize
					   ? sh.sh_size / sh.sh_entsize
					   : 0;

			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				const char *name;

				if (!gelf_getsym(d, (int)i, &sym))
					break;
				name = elf_strptr(elf, sh.sh_link, sym.st_name);
				if (name && !strcmp(name, "main") &&
				    GELF_ST_TYPE(sym.st_info) == STT_FUNC)
					text = elf_getscn(elf, sym.st_shndx);
			}
		}
		if (!text && sh.sh_type == SHT_PROGBITS &&
		    (sh.sh_flags & SHF_EXECINSTR))
			text = scn;
	}
	if (text) {
		Elf_Data *d = elf_getdata(text, NULL);

		if (d && d->d_buf && d->d_size) {
			*code = malloc(d->d_size);
			if (*code) {
				memcpy(*code, d->d_buf, d->d_size);
				*code_len = d->d_size;
				ret = 0;
			}
		}
	}
out:
	if (elf)
		elf_end(elf);
	return ret;
}

int cmd_conformance_plugin(int argc, char **argv)
{
	uint8_t *mem = NULL, *input = NULL, *prog = NULL;
	size_t mem_len = 0, input_len = 0, prog_len = 0;
	bool use_elf = false;
	char log[4096];
	struct bpfhost_rt *rt = NULL;
	struct bpfhost_obj *obj = NULL;
	uint64_t r0 = 0;
	int ret = 1, err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--elf"))
			use_elf = true;
		else if (i == 1 && argv[i][0] && strncmp(argv[i], "--", 2)) {
			if (cli_parse_hex(argv[i], &mem, &mem_len)) {
				printf("bad memory argument\n");
				return 1;
			}
		}
		/* other options (--jit, --interpret, "", ...) change nothing */
	}
	if (cli_read_file("-", &input, &input_len)) {
		printf("cannot read the program from stdin\n");
		goto out;
	}
	{
		uint8_t *grown = realloc(input, input_len + 1);

		if (!grown)
			goto out;
		input = grown;
	}
	input[input_len] = '\0';
	if (cli_parse_hex((const char *)input, &prog, &prog_len)) {
		printf("program on stdin is not hex bytes\n");
		goto out;
	}
	if (use_elf) {
		uint8_t *code;
		size_t code_len;

		if (elf_code(prog, prog_len, &code, &code_len)) {
			printf("no code section in the ELF object\n");
			goto out;
		}
		free(prog);
		prog = code;
		prog_len = code_len;
	}

	rt = bpfhost_rt_new(NULL);
	if (!rt)
		goto out;
	{
		BPFHOST_OPTS(bpfhost_open_opts, oo, .log_buf = log,
			     .log_size = sizeof(log), .unverified = true);
		BPFHOST_OPTS(bpfhost_run_opts, ro,
			     .insn_limit = PLUGIN_INSN_LIMIT);

		log[0] = '\0';
		obj = bpfhost_obj_open_insns(rt, "conformance", prog, prog_len,
					     &oo);
		if (!obj || bpfhost_obj_load(obj)) {
			/* the suite compares expected errors with stdout */
			printf("%s\n", obj ? bpfhost_obj_error(obj) : log);
			goto out;
		}
		err = bpfhost_prog_run_opts(bpfhost_obj_prog_at(obj, 0), mem,
					    mem_len, &r0, &ro);
		if (err) {
			printf("program faulted: %s\n", strerror(-err));
			goto out;
		}
	}
	printf("%" PRIx64 "\n", r0);
	ret = 0;
out:
	bpfhost_obj_free(obj);
	bpfhost_rt_free(rt);
	free(mem);
	free(input);
	free(prog);
	return ret;
}
