// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_iter_num open-coded iterators, the way users write them: bpf_for and
 * bpf_repeat, nested loops, an index used to address a map value (the
 * iterator's value is bounded by the macro's range check), an empty range
 * and start > end (new() fails, next() returns NULL at once).
 */
// EXPECT: ACCEPT
// RETVAL(for_sum): 45
// RETVAL(repeat_count): 7
// RETVAL(nested): 12
// RETVAL(index_map): 28
// RETVAL(empty_range): 0
// RETVAL(bad_range): 1
#include "k_common.h"

struct vals {
	__u32 v[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vals);
} arr SEC(".maps");

SEC("syscall")
int for_sum(void *ctx)
{
	int i, sum = 0;

	bpf_for(i, 0, 10)
		sum += i;
	return sum;
}

SEC("syscall")
int repeat_count(void *ctx)
{
	int n = 0;

	bpf_repeat(7)
		n++;
	return n;
}

SEC("syscall")
int nested(void *ctx)
{
	int i, j, n = 0;

	bpf_for(i, 0, 3)
		bpf_for(j, 0, 4)
			n++;
	return n;
}

SEC("syscall")
int index_map(void *ctx)
{
	__u32 k = 0, sum = 0;
	struct vals *v = bpf_map_lookup_elem(&arr, &k);
	int i;

	if (!v)
		return 0;
	bpf_for(i, 0, 8)
		v->v[i] = i;
	bpf_for(i, 0, 8)
		sum += v->v[i];
	return sum;
}

SEC("syscall")
int empty_range(void *ctx)
{
	int i, n = 0;

	bpf_for(i, 5, 5)
		n++;
	return n;
}

SEC("syscall")
int bad_range(void *ctx)
{
	struct bpf_iter_num it;
	int r;

	r = bpf_iter_num_new(&it, 10, 0);
	if (bpf_iter_num_next(&it))
		r = 0;
	bpf_iter_num_destroy(&it);
	return r == -22;
}

char LICENSE[] SEC("license") = "GPL";
