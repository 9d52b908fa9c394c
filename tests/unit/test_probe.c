// SPDX-License-Identifier: BSD-2-Clause
/*
 * Probe loads: a load the verifier marked as a probe load reads 0 from a
 * NULL, unmapped or PROT_NONE address instead of crashing the host, reads
 * the value from a good one, in every width and sign extension; ordinary
 * faults outside probe loads still reach the handler installed before.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>

#include "exec/exec.h"
#include "harness.h"

static struct bh_code *probe_prog(uint8_t code, int probe)
{
	/* r0 = *(size *)(r1 + 0); exit */
	struct bh_insn insns[2] = {
		{.code = code, .dst_reg = 0, .src_reg = 1},
		{.code = 0x95},
	};
	uint8_t flags[2] = {(uint8_t)probe, 0};
	struct bh_resolve res = {.probe = flags};
	struct bh_code *c = NULL;
	char err[256];

	if (bh_code_new(insns, 2, &res, &c, err, sizeof(err)))
		return NULL;
	return c;
}

static uint64_t run(struct bh_code *c, const void *p)
{
	uint64_t r0 = 0xdead;

	if (bh_code_run(c, (uint64_t)(uintptr_t)p, 0, NULL, &r0))
		return 0xfa17;
	return r0;
}

static sigjmp_buf host_jmp;

static void host_handler(int sig)
{
	siglongjmp(host_jmp, sig);
}

/* A fault that is not a probe load still reaches the host's handler
 * (installed before bpfhost's), so crash handling is unchanged.  First in
 * the file: the child must install the host handler before this process
 * ever installs bpfhost's (that happens once per process). */
TEST(other_faults_reach_the_previous_handler)
{
	struct sigaction sa, old;
	volatile uintptr_t bad_addr = 8; /* hidden from the optimiser */
	volatile int *bad = (volatile int *)bad_addr;
	struct bh_code *c;
	int got;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = host_handler;
	sigemptyset(&sa.sa_mask);
	/* this process may have set up bpfhost's handler already; install
	 * ours first in a child so the order is "host, then bpfhost" */
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		sigaction(SIGSEGV, &sa, &old);
		c = probe_prog(0x79, 1); /* installs bpfhost's handler */
		if (!c || run(c, NULL) != 0)
			_exit(2);
		got = sigsetjmp(host_jmp, 1);
		if (!got) {
			(void)*bad; /* an ordinary fault */
			_exit(3);
		}
		_exit(got == SIGSEGV ? 0 : 4);
	}
	{
		int status = 0;

		waitpid(pid, &status, 0);
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "child status 0x%x", status);
	}
}

TEST(probe_loads_read_zero_from_bad_addresses)
{
	static const uint8_t codes[] = {0x71, 0x69, 0x61, 0x79,
					0x91, 0x89, 0x81};
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *none = mmap(NULL, (size_t)pg, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *gone = mmap(NULL, (size_t)pg, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t good = 0xf1f2f3f4f5f6f7f8ull;

	CHECK(none != MAP_FAILED && gone != MAP_FAILED);
	munmap(gone, (size_t)pg);
	for (size_t i = 0; i < sizeof(codes); i++) {
		struct bh_code *c = probe_prog(codes[i], 1);

		CHECK(c);
		CHECK_U64(run(c, NULL), 0);
		CHECK_U64(run(c, none), 0);
		CHECK_U64(run(c, gone), 0);
		CHECK_U64(run(c, (void *)(uintptr_t)0xdeadbeefcafe0000ull), 0);
		CHECK_U64(run(c, (void *)(uintptr_t)0x8000000000000000ull), 0);
		bh_code_free(c);
	}
	{
		struct bh_code *b = probe_prog(0x71, 1),
			       *w = probe_prog(0x61, 1);
		struct bh_code *d = probe_prog(0x79, 1),
			       *sb = probe_prog(0x91, 1);
		struct bh_code *sw = probe_prog(0x81, 1);

		CHECK(b && w && d && sb && sw);
		CHECK_U64(run(b, &good), 0xf8);
		CHECK_U64(run(w, &good), 0xf5f6f7f8);
		CHECK_U64(run(d, &good), good);
		CHECK_U64(run(sb, &good), (uint64_t)(int64_t)(int8_t)0xf8);
		CHECK_U64(run(sw, &good),
			  (uint64_t)(int64_t)(int32_t)0xf5f6f7f8);
		bh_code_free(b);
		bh_code_free(w);
		bh_code_free(d);
		bh_code_free(sb);
		bh_code_free(sw);
	}
	munmap(none, (size_t)pg);
}

TEST(only_loads_can_be_probe_loads)
{
	struct bh_insn insns[2] = {
		{.code = 0xb7, .dst_reg = 0, .imm = 1}, /* r0 = 1 */
		{.code = 0x95},
	};
	uint8_t flags[2] = {1, 0};
	struct bh_resolve res = {.probe = flags};
	struct bh_code *c = NULL;
	char err[256] = "";

	CHECK_EQ(bh_code_new(insns, 2, &res, &c, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "insn 0: only loads can be probe loads");
}

/* %s in bpf_trace_printk takes any scalar: a bad pointer must end the
 * string, not crash (the kernel copies it with a no-fault read). */
TEST(printk_string_from_bad_pointer)
{
	const uint64_t bad[3] = {0xdeadbeef0000ull, 8, 0};
	const uint64_t good[3] = {(uint64_t)(uintptr_t) "ok", 0, 0};
	char out[64];

	CHECK_EQ(bh_trace_printk_fmt(out, sizeof(out), "s=%s.", 6, bad), 3);
	CHECK_STR(out, "s=.");
	CHECK_EQ(bh_trace_printk_fmt(out, sizeof(out), "s=%s.", 6, good), 5);
	CHECK_STR(out, "s=ok.");
}
