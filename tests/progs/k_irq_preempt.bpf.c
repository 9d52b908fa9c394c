// SPDX-License-Identifier: BSD-2-Clause
/*
 * IRQ-flag and preemption sections (KFUNC-SEMANTICS §7.5, §5.1 step 8):
 * bpf_local_irq_save/restore keep a STACK_IRQ_FLAG slot holding an irq
 * reference, restored in LIFO order; bpf_preempt_disable/enable are a
 * counter.  Neither may be left open at exit, nor cover a sleepable
 * kfunc or a call of a global function that may sleep (syscall programs
 * are sleepable); a global function that does not sleep is fine.
 */
// EXPECT(irq_balance): ACCEPT
// RETVAL(irq_balance): 0
// EXPECT(irq_nested): ACCEPT
// RETVAL(irq_nested): 3
// EXPECT(irq_subprog): ACCEPT
// RETVAL(irq_subprog): 0
// EXPECT(irq_bad_arg): REJECT arg#0 doesn't point to an irq flag on stack
// EXPECT(irq_missing): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region
// EXPECT(irq_missing_sub): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region
// EXPECT(irq_ooo): REJECT cannot restore irq state out of order, expected id=2 acquired at insn_idx=
// EXPECT(irq_not_saved): REJECT expected an initialized irq flag as arg#0
// EXPECT(irq_twice): REJECT expected uninitialized irq flag as arg#0
// EXPECT(irq_overwrite): REJECT expected an initialized irq flag as arg#0
// EXPECT(irq_overwrite_byte): REJECT expected an initialized irq flag as arg#0
// EXPECT(irq_global): ACCEPT
// RETVAL(irq_global): 0
// EXPECT(irq_global_sleep): REJECT global functions that may sleep are not allowed in non-sleepable context
// EXPECT(irq_sleepable): REJECT kernel func bpf_copy_from_user_str is sleepable within IRQ-disabled region
// EXPECT(irq_over_iter): REJECT Unreleased reference id=1
// EXPECT(irq_restore_iter): REJECT expected an initialized irq flag as arg#0
// EXPECT(irq_with_leak): REJECT Unreleased reference id=3
// EXPECT(preempt_balance): ACCEPT
// RETVAL(preempt_balance): 2
// EXPECT(preempt_sub): ACCEPT
// RETVAL(preempt_sub): 0
// EXPECT(preempt_missing): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_preempt_disable-ed region
// EXPECT(preempt_unmatched): REJECT unmatched attempt to enable preemption (kernel function bpf_preempt_enable)
// EXPECT(preempt_sleepable): REJECT kernel func bpf_copy_from_user_str is sleepable within non-preemptible region
// EXPECT(preempt_global): ACCEPT
// RETVAL(preempt_global): 0
// EXPECT(preempt_global_sleep): REJECT global functions that may sleep are not allowed in non-sleepable context
// EXPECT(irq_and_rcu): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region
// EXPECT(rcu_and_preempt): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region
// EXPECT(all_balanced): ACCEPT
// RETVAL(all_balanced): 7
// EXPECT(irq_in_loop): ACCEPT
// RETVAL(irq_in_loop): 45
// EXPECT(preempt_in_loop): ACCEPT
// RETVAL(preempt_in_loop): 45
// EXPECT(irq_same_cond): ACCEPT
// RETVAL(irq_same_cond): 1
// EXPECT(irq_two_conds): REJECT BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_local_irq_save(unsigned long *flags__irq_flag) __ksym;
extern void bpf_local_irq_restore(unsigned long *flags__irq_flag) __ksym;
extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz,
				  const void *unsafe_ptr__ign,
				  __u64 flags) __ksym;
struct task_struct {
	int pid;
} __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;

#define __noinline __attribute__((noinline))

unsigned long global_flags;
volatile int sink, pick;

SEC("syscall")
int irq_balance(void *ctx)
{
	unsigned long flags;

	bpf_local_irq_save(&flags);
	bpf_local_irq_restore(&flags);
	return 0;
}

SEC("syscall")
int irq_nested(void *ctx)
{
	unsigned long f1, f2, f3;

	bpf_local_irq_save(&f1);
	bpf_local_irq_save(&f2);
	bpf_local_irq_save(&f3);
	bpf_local_irq_restore(&f3);
	bpf_local_irq_restore(&f2);
	bpf_local_irq_restore(&f1);
	return 3;
}

static __noinline void save_it(unsigned long *flags)
{
	bpf_local_irq_save(flags);
}

static __noinline void restore_it(unsigned long *flags)
{
	bpf_local_irq_restore(flags);
}

SEC("syscall")
int irq_subprog(void *ctx)
{
	unsigned long flags;

	save_it(&flags);
	restore_it(&flags);
	return 0;
}

SEC("syscall")
int irq_bad_arg(void *ctx)
{
	bpf_local_irq_save(&global_flags);
	return 0;
}

SEC("syscall")
int irq_missing(void *ctx)
{
	unsigned long f1, f2;

	bpf_local_irq_save(&f1);
	bpf_local_irq_save(&f2);
	bpf_local_irq_restore(&f2);
	return 0;
}

SEC("syscall")
int irq_missing_sub(void *ctx)
{
	unsigned long flags;

	save_it(&flags);
	return 0;
}

SEC("syscall")
int irq_ooo(void *ctx)
{
	unsigned long f1, f2;

	bpf_local_irq_save(&f1);
	bpf_local_irq_save(&f2);
	bpf_local_irq_restore(&f1);
	bpf_local_irq_restore(&f2);
	return 0;
}

SEC("syscall")
int irq_not_saved(void *ctx)
{
	unsigned long f1, flags = 0xfaceb00c;

	bpf_local_irq_save(&f1);
	bpf_local_irq_restore(&flags);
	return 0;
}

SEC("syscall")
int irq_twice(void *ctx)
{
	unsigned long flags;

	bpf_local_irq_save(&flags);
	bpf_local_irq_save(&flags);
	return 0;
}

SEC("syscall")
int irq_overwrite(void *ctx)
{
	unsigned long flags;

	bpf_local_irq_save(&flags);
	*(volatile unsigned long *)&flags = 0xdeadbeef;
	bpf_local_irq_restore(&flags);
	return 0;
}

SEC("syscall")
int irq_overwrite_byte(void *ctx)
{
	unsigned long flags;

	bpf_local_irq_save(&flags);
	*(((volatile char *)&flags) + 1) = 0xff;
	bpf_local_irq_restore(&flags);
	return 0;
}

__noinline int global_work(void)
{
	return sink;
}

__noinline int global_sleeper(void)
{
	char buf[8];

	return bpf_copy_from_user_str(buf, sizeof(buf), (void *)0, 0);
}

SEC("syscall")
int irq_global_sleep(void *ctx)
{
	unsigned long flags;
	int r;

	bpf_local_irq_save(&flags);
	r = global_sleeper();
	bpf_local_irq_restore(&flags);
	return r;
}

SEC("syscall")
int preempt_global_sleep(void *ctx)
{
	int r;

	bpf_preempt_disable();
	r = global_sleeper();
	bpf_preempt_enable();
	return r;
}

SEC("syscall")
int irq_global(void *ctx)
{
	unsigned long flags;
	int r;

	bpf_local_irq_save(&flags);
	r = global_work();
	bpf_local_irq_restore(&flags);
	return r;
}

SEC("syscall")
int irq_sleepable(void *ctx)
{
	unsigned long flags;
	char buf[8];

	bpf_local_irq_save(&flags);
	bpf_copy_from_user_str(buf, sizeof(buf), (void *)0, 0);
	bpf_local_irq_restore(&flags);
	return 0;
}

SEC("syscall")
int irq_over_iter(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 4);
	bpf_local_irq_save((unsigned long *)&it);
	bpf_local_irq_restore((unsigned long *)&it);
	return 0;
}

SEC("syscall")
int irq_restore_iter(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 4);
	bpf_local_irq_restore((unsigned long *)&it);
	bpf_iter_num_destroy(&it);
	return 0;
}

/* a leaked pointer reference is reported before an open irq section */
SEC("syscall")
int irq_with_leak(void *ctx)
{
	unsigned long flags;
	struct task_struct *t;

	bpf_local_irq_save(&flags);
	t = bpf_task_from_pid(1);
	if (!t)
		bpf_local_irq_restore(&flags);
	return 0;
}

SEC("syscall")
int preempt_balance(void *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return 2;
}

static __noinline void pdisable(void)
{
	bpf_preempt_disable();
}

static __noinline void penable(void)
{
	bpf_preempt_enable();
}

SEC("syscall")
int preempt_sub(void *ctx)
{
	pdisable();
	penable();
	return 0;
}

SEC("syscall")
int preempt_missing(void *ctx)
{
	pdisable();
	pdisable();
	penable();
	return 0;
}

SEC("syscall")
int preempt_unmatched(void *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return 0;
}

SEC("syscall")
int preempt_sleepable(void *ctx)
{
	char buf[8];

	bpf_preempt_disable();
	bpf_copy_from_user_str(buf, sizeof(buf), (void *)0, 0);
	bpf_preempt_enable();
	return 0;
}

SEC("syscall")
int preempt_global(void *ctx)
{
	int r;

	bpf_preempt_disable();
	r = global_work();
	bpf_preempt_enable();
	return r;
}

SEC("syscall")
int irq_and_rcu(void *ctx)
{
	unsigned long flags;

	bpf_rcu_read_lock();
	bpf_local_irq_save(&flags);
	return 0;
}

SEC("syscall")
int rcu_and_preempt(void *ctx)
{
	bpf_preempt_disable();
	bpf_rcu_read_lock();
	return 0;
}

SEC("syscall")
int all_balanced(void *ctx)
{
	unsigned long flags;

	bpf_preempt_disable();
	bpf_rcu_read_lock();
	bpf_local_irq_save(&flags);
	bpf_local_irq_restore(&flags);
	bpf_rcu_read_unlock();
	bpf_preempt_enable();
	return 7;
}

/* a section per iteration: the loop converges with it closed */
SEC("syscall")
int irq_in_loop(void *ctx)
{
	unsigned long flags;
	int i, sum = 0;

	bpf_for(i, 0, 10) {
		bpf_local_irq_save(&flags);
		sum += i;
		bpf_local_irq_restore(&flags);
	}
	return sum;
}

SEC("syscall")
int preempt_in_loop(void *ctx)
{
	int i, sum = 0;

	bpf_for(i, 0, 10) {
		bpf_preempt_disable();
		sum += i;
		bpf_preempt_enable();
	}
	return sum;
}

/* the same condition opens and closes: each path is balanced */
SEC("syscall")
int irq_same_cond(void *ctx)
{
	unsigned long flags;
	int p = pick & 1;

	if (!p)
		bpf_local_irq_save(&flags);
	sink = 1;
	if (!p)
		bpf_local_irq_restore(&flags);
	return 1;
}

/* two reads of pick: some path opens without closing, or closes
 * what it never opened */
SEC("syscall")
int irq_two_conds(void *ctx)
{
	unsigned long flags;

	if (pick)
		bpf_local_irq_save(&flags);
	sink = 1;
	if (pick)
		bpf_local_irq_restore(&flags);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
