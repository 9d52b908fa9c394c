// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-CPU data the way kernel programs keep it: a BPF_MAP_TYPE_PERCPU_ARRAY
 * counter bumped from tp_btf/sched_switch, and a per-CPU object
 * (bpf_percpu_obj_new) stashed in a __percpu_kptr field by a syscall
 * program and written through bpf_this_cpu_ptr from the tracepoint, where
 * the program is non-sleepable and so inside RCU without asking: the
 * field's load is a percpu_rcu_ptr_.  A syscall program sums every CPU's
 * copy with bpf_per_cpu_ptr.
 */
// EXPECT(percpu_stash): ACCEPT
// RETVAL(percpu_stash): 1
// EXPECT(percpu_sum): ACCEPT
// RETVAL(percpu_sum): 1
// EXPECT(switch_count): ACCEPT
// EXPECT(switch_obj_copy): ACCEPT
// EXPECT(switch_obj_deref): REJECT access percpu memory
// EXPECT(switch_obj_no_null_check): REJECT R1 type=percpu_rcu_ptr_or_null_ expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_
// EXPECT(switch_count_other_map): REJECT cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195
#include "kfuncs.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

extern void *bpf_percpu_obj_new_impl(__u64 local_type_id__k,
				     void *meta__ign) __ksym;
extern void bpf_percpu_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;

#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))

struct sw_stat {
	__u64 switches;
	__u64 preempted;
};

struct sw_holder {
	struct sw_stat __percpu_kptr *stat;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sw_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sw_holder);
} sw_holders SEC(".maps");

static __always_inline struct sw_holder *holder(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&sw_holders, &key);
}

static __always_inline int stash(struct sw_holder *h)
{
	struct sw_stat __percpu_kptr *p;

	p = bpf_percpu_obj_new_impl(bpf_core_type_id_local(struct sw_stat),
				    NULL);
	if (!p)
		return 0;
	p = bpf_kptr_xchg(&h->stat, p);
	if (p)
		bpf_percpu_obj_drop_impl(p, NULL);
	return 1;
}

SEC("syscall")
int percpu_stash(void *ctx)
{
	struct sw_holder *h = holder();

	return h ? stash(h) : 0;
}

/* every CPU's copy of a fresh object, until bpf_per_cpu_ptr says there
 * are no more */
SEC("syscall")
int percpu_sum(void *ctx)
{
	struct sw_stat __percpu_kptr *p;
	struct sw_holder *h = holder();
	struct sw_stat *s;
	__u64 sum = 0;
	int i, cpus = 0;

	if (!h || !stash(h))
		return 0;
	bpf_rcu_read_lock();
	p = h->stat;
	if (p) {
		bpf_for(i, 0, 4096) {
			s = bpf_per_cpu_ptr(p, i);
			if (!s)
				break;
			sum += s->switches;
			cpus++;
		}
	}
	bpf_rcu_read_unlock();
	return cpus > 0 && !sum;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_count, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&sw_counts, &key);

	if (n)
		(*n)++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_obj_copy, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct sw_holder *h = holder();
	struct sw_stat __percpu_kptr *p;
	struct sw_stat *s;

	if (!h)
		return 0;
	p = h->stat;
	if (!p)
		return 0;
	s = bpf_this_cpu_ptr(p);
	s->switches++;
	if (preempt)
		s->preempted++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_obj_deref, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct sw_holder *h = holder();
	struct sw_stat __percpu_kptr *p;

	if (!h)
		return 0;
	p = h->stat;
	if (p)
		p->switches++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_obj_no_null_check, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	struct sw_holder *h = holder();
	struct sw_stat *s;

	if (!h)
		return 0;
	s = bpf_this_cpu_ptr(h->stat);
	s->switches++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_count_other_map, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	__u32 key = 0;
	struct sw_holder *h = bpf_map_lookup_percpu_elem(&sw_holders, &key, 0);

	return h ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
