/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Expectations stated in a BPF program's source, for every runner that
 * verifies, runs or kernel-loads the test programs (test_corpus,
 * test_kernel_oracle, test_linux), parsed once here.  Lines starting with
 * "// " anywhere in the file:
 *
 *   // EXPECT: ACCEPT | REJECT text        every program (default: none)
 *   // EXPECT(prog): ACCEPT | REJECT text  one program; text is a substring
 *                                          of the kernel's message
 *   // RETVAL: n | none, RETVAL(prog): ... r0 of an accepted program's run
 *   // CTX-HEX: 01 02 03                   ctx bytes passed to the runs
 *   // LOAD-ERROR: text                    the object must fail to load
 *   // WARN: text                          loading must warn with text
 *   // KERNEL: skip reason                 not for the kernel oracle
 *
 * The gaps files (tests/corpus-gaps.txt, tests/linux-gaps.txt) list, one
 * "file/prog<TAB>reason" a line, what bpfhost does not handle yet; a
 * runner reports those cases as SKIP, and fails one that passes.
 */
#ifndef BPFHOST_TEST_SPEC_H
#define BPFHOST_TEST_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define SPEC_MAX 64
#define SPEC_NAME 128
#define SPEC_TEXT 256

struct spec_verdict {
	char prog[SPEC_NAME]; /* "" = every program */
	int reject;
	char text[SPEC_TEXT]; /* REJECT: the message substring */
};

struct spec_retval {
	char prog[SPEC_NAME];
	int none;
	uint64_t val;
};

struct spec {
	struct spec_verdict vd[SPEC_MAX];
	int nvd;
	struct spec_retval rv[SPEC_MAX];
	int nrv;
	char load_error[SPEC_TEXT];
	char warn[SPEC_TEXT];
	char kernel_skip[SPEC_TEXT]; /* "" unless KERNEL: skip */
	uint8_t ctx[4096];
	size_t ctx_len;
};

void spec_parse(const char *src, struct spec *sp);
/* The verdict for prog (its own line, else the file's), NULL if none. */
const struct spec_verdict *spec_verdict(const struct spec *sp,
					const char *prog);
/* The REJECT text for prog, or NULL when it must be accepted (or the
 * file states no verdict for it). */
const char *spec_reject(const struct spec *sp, const char *prog);
const struct spec_retval *spec_retval(const struct spec *sp, const char *prog);
/* ctx as "xx xx ..." for kload's --ctx-hex ("" when none) */
void spec_ctx_hex(const struct spec *sp, char *out, size_t cap);

/* The reason listed for case_name ("file/prog") in the gaps file at path,
 * NULL if not listed.  The reason runs to the end of its line. */
const char *spec_gap_reason(const char *path, const char *case_name);

/* th_case for a bpfhost case, with the gaps file applied: a listed case
 * that fails is a SKIP naming the gap, a listed case that passes fails
 * until its line is removed. */
void spec_case(const char *gaps_path, const char *case_name, int ok,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The programs of a corpus directory: its *.bpf.c files' names without
 * the suffix, sorted, in a new array (*names); their count, or -1 when
 * the directory cannot be opened.  spec_names_free() frees them. */
int spec_list_dir(const char *dir, char ***names);
void spec_names_free(char **names, int n);

#endif
