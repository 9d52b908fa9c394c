// SPDX-License-Identifier: BSD-2-Clause
/*
 * `bpfhost-conformance-plugin` driven exactly as the public
 * bpf_conformance_runner drives a plugin (its README §5): one process per
 * test, the memory as argv[1] in "xx  " form, the runner's options split on
 * single spaces (so an empty argument appears), the program on stdin in the
 * same hex form — raw slots, or with --elf a 4-section ELF object — and
 * stdout parsed with strtoull(s, 16).  Every test in both modes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support/conf_data.h"

/* The runner's hex form: two lowercase digits and two spaces a byte. */
static char *runner_hex(const uint8_t *b, size_t n)
{
	char *s = malloc(n * 4 + 2);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		snprintf(s + i * 4, 5, "%02x  ", b[i]);
	s[n * 4] = '\0';
	return s;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * The runner's --elf object: ELF64 LE ET_REL, EM_BPF, sections [0] NULL,
 * [1] .shstrtab (also the symbol string table), [2] .symtab (sh_link 1),
 * [3] .text (AX) holding the code; one global STT_FUNC "main" at 0.
 */
static uint8_t *runner_elf(const uint8_t *code, size_t code_len, size_t *len)
{
	static const char strtab[] = "\0.shstrtab\0.symtab\0.text\0main";
	const size_t ehdr = 64, shdr = 64, sym = 24;
	size_t str_off = ehdr, sym_off = (str_off + sizeof(strtab) + 7) & ~7ul;
	size_t text_off = sym_off + 2 * sym;
	size_t sh_off = (text_off + code_len + 7) & ~7ul;
	size_t total = sh_off + 4 * shdr;
	uint8_t *b = calloc(1, total), *s;

	if (!b)
		return NULL;
	memcpy(b, "\177ELF", 4);
	b[4] = 2;	    /* 64-bit */
	b[5] = 1;	    /* little-endian */
	b[6] = 1;	    /* version */
	put16(b + 16, 1);   /* ET_REL */
	put16(b + 18, 247); /* EM_BPF */
	put32(b + 20, 1);
	put64(b + 40, sh_off);
	put16(b + 52, ehdr);
	put16(b + 58, shdr);
	put16(b + 60, 4); /* shnum */
	put16(b + 62, 1); /* shstrndx */
	memcpy(b + str_off, strtab, sizeof(strtab));
	/* symbol 1: main, STB_GLOBAL | STT_FUNC, section 3 */
	s = b + sym_off + sym;
	put32(s, 25);
	s[4] = (1 << 4) | 2;
	put16(s + 6, 3);
	put64(s + 16, code_len);
	memcpy(b + text_off, code, code_len);
	/* [1] .shstrtab */
	s = b + sh_off + shdr;
	put32(s, 1);
	put32(s + 4, 3); /* SHT_STRTAB */
	put64(s + 24, str_off);
	put64(s + 32, sizeof(strtab));
	put64(s + 48, 1);
	/* [2] .symtab */
	s = b + sh_off + 2 * shdr;
	put32(s, 11);
	put32(s + 4, 2); /* SHT_SYMTAB */
	put64(s + 24, sym_off);
	put64(s + 32, 2 * sym);
	put32(s + 40, 1); /* sh_link: string table */
	put32(s + 44, 1); /* sh_info: first global */
	put64(s + 48, 8);
	put64(s + 56, sym);
	/* [3] .text */
	s = b + sh_off + 3 * shdr;
	put32(s, 19);
	put32(s + 4, 1);   /* SHT_PROGBITS */
	put64(s + 8, 0x6); /* SHF_ALLOC | SHF_EXECINSTR */
	put64(s + 24, text_off);
	put64(s + 32, code_len);
	put64(s + 48, 8);
	*len = total;
	return b;
}

/* Run the plugin once; its stdout into out.  Exit status, or -1. */
static int run_plugin(const char *plugin, const char *memhex, bool elf,
		      const char *in, char *out, size_t outsz)
{
	int pin[2], pout[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pin) || pipe(pout))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		const char *argv[8];
		int a = 0;

		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[1]);
		close(pout[0]);
		argv[a++] = plugin;
		if (memhex && *memhex)
			argv[a++] = memhex;
		argv[a++] = "--interpret"; /* --plugin_options "--interpret " */
		argv[a++] = "";
		if (elf)
			argv[a++] = "--elf";
		argv[a] = NULL;
		execv(plugin, (char *const *)argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	if (write(pin[1], in, strlen(in)) < 0 || write(pin[1], "\n", 1) < 0) {
		/* the child reads all or dies; either way waitpid tells */
	}
	close(pin[1]);
	while (got + 1 < outsz &&
	       (n = read(pout[0], out + got, outsz - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(pout[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void plugin_mode(bool elf)
{
	char plugin[512], out[512], name[160];
	struct conf_test *tests;
	size_t n;

	snprintf(plugin, sizeof(plugin), "%s/bpfhost-conformance-plugin",
		 th_build_dir());
	if (access(plugin, X_OK)) {
		th_case(elf ? "plugin-elf" : "plugin", 0, "no %s", plugin);
		return;
	}
	if (conf_load_all(&tests, &n)) {
		th_case("plugin", 0, "cannot read the conformance index");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct conf_test *t = &tests[i];
		uint8_t *prog = (uint8_t *)t->insns, *e = NULL;
		size_t len = t->cnt * 8;
		char *memhex = NULL, *proghex = NULL;
		int rc;

		snprintf(name, sizeof(name), "%s%s", elf ? "elf/" : "",
			 t->file);
		if (t->why[0]) {
			th_case(name, 0, "%s", t->why);
			continue;
		}
		if (elf) {
			e = runner_elf(prog, len, &len);
			prog = e;
		}
		memhex = t->mem_len ? runner_hex(t->mem, t->mem_len) : NULL;
		proghex = prog ? runner_hex(prog, len) : NULL;
		if (!proghex || (t->mem_len && !memhex)) {
			th_case(name, 0, "oom");
		} else {
			rc = run_plugin(plugin, memhex, elf, proghex, out,
					sizeof(out));
			if (t->has_error) {
				size_t l = strcspn(out, "\r");

				while (l && (out[l - 1] == ' ' ||
					     out[l - 1] == '\n'))
					l--;
				out[l] = '\0';
				th_case(name, rc != 0 && !strcmp(out, t->error),
					"exit %d, \"%s\", expected error "
					"\"%s\"",
					rc, out, t->error);
			} else {
				uint64_t r0 = strtoull(out, NULL, 16);

				th_case(name,
					rc == 0 && out[0] && r0 == t->expected,
					"exit %d, stdout \"%s\", expected "
					"0x%" PRIx64,
					rc, out, t->expected);
			}
		}
		free(memhex);
		free(proghex);
		free(e);
	}
	conf_free_all(tests, n);
}

TEST(plugin_raw)
{
	plugin_mode(false);
}

TEST(plugin_elf)
{
	plugin_mode(true);
}
