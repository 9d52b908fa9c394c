// SPDX-License-Identifier: BSD-2-Clause
/*
 * Open-coded iterator rules with the 6.18 kernel's verdicts (kload):
 * iterators in subprograms (created and drained there, or passed in by
 * pointer), nested loops, an iterator leaked by a subprogram, writing
 * over an iterator, and the RCU-protected task iterator: outside an RCU
 * section it cannot be created, and after the section ends it cannot be
 * used.
 */
// EXPECT(sub_sum): ACCEPT
// RETVAL(sub_sum): 46
// EXPECT(sub_leak): REJECT Unreleased reference id=
// RETVAL(sub_leak): none
// EXPECT(nested_sum): ACCEPT
// RETVAL(nested_sum): 20
// EXPECT(overwrite): REJECT expected an initialized iter_num as arg #0
// RETVAL(overwrite): none
// EXPECT(task_no_rcu): REJECT kernel func bpf_iter_task_new requires RCU critical section protection
// RETVAL(task_no_rcu): none
// EXPECT(task_after_unlock): REJECT expected an RCU CS when using bpf_iter_task_next
// RETVAL(task_after_unlock): none
#include "task_common.h"

#define __naked __attribute__((naked))
#define __imm(name) [name] "i"(name)
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"

static __noinline int sum_to(int n)
{
	int i, s = 0;

	bpf_for(i, 0, n)
		s += i;
	return s;
}

static __noinline int drain(struct bpf_iter_num *it)
{
	int n = 0;

	while (bpf_iter_num_next(it))
		n++;
	return n;
}

SEC("syscall")
int sub_sum(void *ctx)
{
	struct bpf_iter_num it;
	int r;

	bpf_iter_num_new(&it, 0, 1);
	r = sum_to(10) + drain(&it);
	bpf_iter_num_destroy(&it);
	return r;
}

static __noinline int leak_one(void)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	return 0;
}

SEC("syscall")
int sub_leak(void *ctx)
{
	return leak_one();
}

SEC("syscall")
int nested_sum(void *ctx)
{
	int i, j, n = 0;

	bpf_for(i, 0, 4)
		bpf_for(j, 0, 5)
			n++;
	return n;
}

SEC("syscall")
__naked int overwrite(void)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r0 = 7;"
		     "*(u64 *)(r10 - 8) = r0;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_num_destroy];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy)
		     : __clobber_all);
}

SEC("syscall")
int task_no_rcu(void *ctx)
{
	struct bpf_iter_task it;

	bpf_iter_task_new(&it, 0, BPF_TASK_ITER_ALL_PROCS);
	bpf_iter_task_destroy(&it);
	return 0;
}

SEC("syscall")
int task_after_unlock(void *ctx)
{
	struct bpf_iter_task it;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, 0, BPF_TASK_ITER_ALL_PROCS);
	bpf_rcu_read_unlock();
	bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
