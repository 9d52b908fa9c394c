// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel's "common" kfuncs (registered for BPF_PROG_TYPE_UNSPEC, so
 * every program type sees them) that carry over to user space:
 *   - bpf_iter_num_new/next/destroy, the open-coded numeric iterator behind
 *     bpf_for() and bpf_repeat(), with the kernel's limits and errors;
 *   - bpf_rcu_read_lock/unlock: markers the verifier uses to delimit RCU
 *     read-side sections.  Host objects reached under them must stay valid
 *     until the unlock, which the host guarantees as the kernel's RCU does;
 *     at run time they do nothing;
 *   - bpf_preempt_disable/enable and bpf_local_irq_save/restore: sections
 *     the verifier balances (irq.c).  A user-space thread can neither stop
 *     preemption nor interrupts, and nothing in bpfhost depends on either,
 *     so they only keep a per-thread nesting depth; the irq flags word
 *     receives the depth before the save, which the restore puts back, so
 *     an unbalanced pair (which the verifier refuses) could not drift.
 *   - bpf_stream_print_stack (Linux 7.0, KF_IMPLICIT_ARGS: programs
 *     declare int bpf_stream_print_stack(int stream_id)): the program's
 *     BPF call stack, innermost first, with source lines, to a stream;
 *   - bpf_stream_vprintk_impl: bpf_stream_printk()'s kfunc, printing a
 *     bpf_snprintf-style format (a constant string, __str) with an array
 *     of u64 arguments to the program's stdout or stderr stream: here the
 *     runtime's print callback if it set one, else the host's stdout or
 *     stderr (src/exec/helpers.c);
 *   - __bpf_trap: what clang emits for a trap (an uninitialised variable);
 *     the verifier refuses every program that can reach it, so it never
 *     runs, and aborts the process if an unverified program calls it.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "bpfhost/kfunc.h"
#include "exec/exec.h"
#include "rt/rt.h"
#include "stdlib.h"

/* frames of a BPF call stack: the most a program can have */
#define BH_STACK_MAX_FRAMES 8

struct bpf_prog_aux;

/* BPF_MAX_LOOPS: the most iterations one iterator may promise */
#define BH_ITER_NUM_MAX (8 * 1024 * 1024)

struct bpf_iter_num {
	uint64_t __opaque[1];
} __attribute__((aligned(8)));

/* What the 8 opaque bytes hold. */
struct bh_iter_num_state {
	int cur;
	int end;
};

__bpf_kfunc_start_defs();

__bpf_kfunc int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)
{
	struct bh_iter_num_state *s = (struct bh_iter_num_state *)it;

	_Static_assert(sizeof(*s) == sizeof(*it), "iterator state size");
	/* a failed constructor leaves an iterator whose next() is NULL */
	s->cur = 0;
	s->end = 0;
	if (start > end)
		return -EINVAL;
	if ((int64_t)end - (int64_t)start > BH_ITER_NUM_MAX)
		return -E2BIG;
	/* next() increments first */
	s->cur = (int)((int64_t)start - 1);
	s->end = end;
	return 0;
}

__bpf_kfunc int *bpf_iter_num_next(struct bpf_iter_num *it)
{
	struct bh_iter_num_state *s = (struct bh_iter_num_state *)it;

	/* in 64 bits: cur + 1 must not wrap when end is INT_MAX */
	if ((int64_t)s->cur + 1 >= s->end) {
		s->cur = 0;
		s->end = 0;
		return NULL;
	}
	s->cur++;
	return &s->cur;
}

__bpf_kfunc void bpf_iter_num_destroy(struct bpf_iter_num *it)
{
	struct bh_iter_num_state *s = (struct bh_iter_num_state *)it;

	s->cur = 0;
	s->end = 0;
}

__bpf_kfunc void bpf_rcu_read_lock(void)
{
}

__bpf_kfunc void bpf_rcu_read_unlock(void)
{
}

static _Thread_local unsigned long bh_preempt_depth, bh_irq_depth;

__bpf_kfunc void bpf_preempt_disable(void)
{
	bh_preempt_depth++;
}

__bpf_kfunc void bpf_preempt_enable(void)
{
	if (bh_preempt_depth)
		bh_preempt_depth--;
}

void bh_local_irq_save(unsigned long *flags)
{
	*flags = bh_irq_depth++;
}

void bh_local_irq_restore(const unsigned long *flags)
{
	bh_irq_depth = *flags;
}

__bpf_kfunc void bpf_local_irq_save(unsigned long *flags__irq_flag)
{
	bh_local_irq_save(flags__irq_flag);
}

__bpf_kfunc void bpf_local_irq_restore(unsigned long *flags__irq_flag)
{
	bh_local_irq_restore(flags__irq_flag);
}

__bpf_kfunc int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str,
					const void *args, uint32_t len__sz,
					void *aux__prog)
{
	(void)aux__prog;
	return bh_stream_vprintk(stream_id, fmt__str, args, len__sz);
}

/*
 * The BPF call stack of the program, innermost frame first, in the shape
 * of the kernel's dump (a header line, "Call trace:", one entry per
 * frame with its source line, a blank line).  aux is supplied by the
 * runtime (KF_IMPLICIT_ARGS): bpfhost passes the program's host view
 * there, as for a __prog parameter.
 */
__bpf_kfunc int bpf_stream_print_stack(int stream_id, struct bpf_prog_aux *aux)
{
	const struct bpf_prog *prog = (const void *)aux;
	uint32_t idx[BH_STACK_MAX_FRAMES];
	char comm[17] = "", line[512];
	int n;

	if (stream_id != 1 && stream_id != 2)
		return -ENOENT;
	if (prctl(PR_GET_NAME, comm, 0, 0, 0))
		comm[0] = '\0';
	snprintf(line, sizeof(line), "CPU: %d UID: %u PID: %d Comm: %s\n",
		 sched_getcpu(), (unsigned int)getuid(), (int)getpid(), comm);
	bh_stream_write(stream_id, line);
	bh_stream_write(stream_id, "Call trace:\n");
	n = prog ? bh_exec_call_stack(idx, BH_STACK_MAX_FRAMES) : 0;
	for (int i = 0; i < n; i++) {
		bh_prog_frame_str(prog, idx[i], line, sizeof(line));
		bh_stream_write(stream_id, line);
	}
	bh_stream_write(stream_id, "\n");
	return 0;
}

__bpf_kfunc void __bpf_trap(void)
{
	abort();
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_common_kfunc_ids)
BTF_ID_FLAGS(func, bpf_iter_num_new, KF_ITER_NEW)
BTF_ID_FLAGS(func, bpf_iter_num_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_num_destroy, KF_ITER_DESTROY)
BTF_ID_FLAGS(func, bpf_rcu_read_lock)
BTF_ID_FLAGS(func, bpf_rcu_read_unlock)
BTF_ID_FLAGS(func, bpf_preempt_disable)
BTF_ID_FLAGS(func, bpf_preempt_enable)
BTF_ID_FLAGS(func, bpf_local_irq_save)
BTF_ID_FLAGS(func, bpf_local_irq_restore)
BTF_ID_FLAGS(func, __bpf_trap)
BTF_ID_FLAGS(func, bpf_stream_vprintk_impl, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_stream_print_stack, KF_IMPLICIT_ARGS)
BTF_KFUNCS_END(bh_common_kfunc_ids)

static const struct btf_kfunc_id_set bh_common_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_common_kfunc_ids,
};

int bh_stdlib_common_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_common_kfunc_set);
}
