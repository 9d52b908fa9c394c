// SPDX-License-Identifier: BSD-2-Clause
/* A host's open-coded iterator, driven the way bpf_for drives bpf_iter_num. */
// RETVAL: 55
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_bh_count {
	__u64 state[2];
};

extern int bpf_iter_bh_count_new(struct bpf_iter_bh_count *it, int n) __ksym;
extern int *bpf_iter_bh_count_next(struct bpf_iter_bh_count *it) __ksym;
extern void bpf_iter_bh_count_destroy(struct bpf_iter_bh_count *it) __ksym;

SEC("syscall")
int count_to_ten(void *ctx)
{
	struct bpf_iter_bh_count it;
	int *v, sum = 0;

	bpf_iter_bh_count_new(&it, 10);
	while ((v = bpf_iter_bh_count_next(&it)))
		sum += *v;
	bpf_iter_bh_count_destroy(&it);
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
