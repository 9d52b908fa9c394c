// SPDX-License-Identifier: BSD-2-Clause
/*
 * Probe loads: the user-space counterpart of the kernel's BPF_PROBE_MEM.
 * A load through a pointer the verifier cannot prove valid (a field walked
 * out of a host object, an untrusted pointer) must read as 0 when the
 * address is bad, never crash the host.
 *
 * On x86-64 each load width is one instruction inside a small block of
 * code whose bounds are known; a SIGSEGV/SIGBUS handler that finds the
 * faulting instruction pointer inside that block resumes at a fix-up that
 * returns 0.  Every other fault goes to the handler that was installed
 * before ours (or the default action), so the host's own crash handling is
 * unchanged.  The handler is the process-wide state this needs, installed
 * once, the first time a program with probe loads is prepared.  Elsewhere,
 * process_vm_readv() on our own process reads without faulting.
 *
 * Hosts that install their own SIGSEGV handler after bpfhost must chain to
 * the previous one, as bpfhost does.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "exec.h"

#if defined(__x86_64__) && defined(REG_RIP)

/* The loads; a fault anywhere in [bh_probe_begin, bh_probe_end) resumes
 * at bh_probe_fixup, which returns 0 to the caller of the faulting load. */
__asm__(".text\n"
	".p2align 4\n"
	".globl bh_probe_begin\n"
	".hidden bh_probe_begin\n"
	"bh_probe_begin:\n"
	".globl bh_probe_ld8\n"
	".hidden bh_probe_ld8\n"
	".type bh_probe_ld8,@function\n"
	"bh_probe_ld8:\n"
	"	movzbl (%rdi), %eax\n"
	"	ret\n"
	".globl bh_probe_ld16\n"
	".hidden bh_probe_ld16\n"
	".type bh_probe_ld16,@function\n"
	"bh_probe_ld16:\n"
	"	movzwl (%rdi), %eax\n"
	"	ret\n"
	".globl bh_probe_ld32\n"
	".hidden bh_probe_ld32\n"
	".type bh_probe_ld32,@function\n"
	"bh_probe_ld32:\n"
	"	movl (%rdi), %eax\n"
	"	ret\n"
	".globl bh_probe_ld64\n"
	".hidden bh_probe_ld64\n"
	".type bh_probe_ld64,@function\n"
	"bh_probe_ld64:\n"
	"	movq (%rdi), %rax\n"
	"	ret\n"
	".globl bh_probe_end\n"
	".hidden bh_probe_end\n"
	"bh_probe_end:\n"
	".globl bh_probe_fixup\n"
	".hidden bh_probe_fixup\n"
	"bh_probe_fixup:\n"
	"	xorl %eax, %eax\n"
	"	ret\n");

extern const char bh_probe_begin[], bh_probe_end[], bh_probe_fixup[];

static struct sigaction old_segv, old_bus;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

/* Hand a fault that is not ours to whoever handled it before us. */
static void chain(const struct sigaction *old, int sig, siginfo_t *info,
		  void *uc)
{
	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, info, uc);
	} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
	} else {
		/* default action: return and fault again without us */
		signal(sig, SIG_DFL);
	}
}

static void probe_fault(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t rip = uc->uc_mcontext.gregs[REG_RIP];

	if ((uintptr_t)rip >= (uintptr_t)bh_probe_begin &&
	    (uintptr_t)rip < (uintptr_t)bh_probe_end) {
		uc->uc_mcontext.gregs[REG_RIP] =
			(greg_t)(uintptr_t)bh_probe_fixup;
		return;
	}
	chain(sig == SIGBUS ? &old_bus : &old_segv, sig, info, ucv);
}

static void probe_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = probe_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
}

void bh_probe_init(void)
{
	pthread_once(&probe_once, probe_install);
}

#else /* no fault recovery on this target: read without faulting */

static uint64_t probe_read(const void *addr, size_t n)
{
	uint64_t v = 0;
	struct iovec local = {&v, n};
	struct iovec remote = {(void *)addr, n};

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)n)
		return 0;
	return v;
}

uint64_t bh_probe_ld8(const void *addr)
{
	return probe_read(addr, 1);
}

uint64_t bh_probe_ld16(const void *addr)
{
	return probe_read(addr, 2);
}

uint64_t bh_probe_ld32(const void *addr)
{
	return probe_read(addr, 4);
}

uint64_t bh_probe_ld64(const void *addr)
{
	return probe_read(addr, 8);
}

void bh_probe_init(void)
{
}

#endif
