// SPDX-License-Identifier: BSD-2-Clause
/*
 * Open-coded loops over bpf_iter_num: bpf_for(), bpf_repeat(), the raw
 * new/next/destroy protocol with its error returns, and the misuses.
 */
// EXPECT(for_sum): ACCEPT
// RETVAL(for_sum): 4950
// EXPECT(repeat_count): ACCEPT
// RETVAL(repeat_count): 10
// EXPECT(for_index_array): ACCEPT
// RETVAL(for_index_array): 120
// EXPECT(raw_protocol): ACCEPT
// RETVAL(raw_protocol): 1
// EXPECT(for_nested): ACCEPT
// RETVAL(for_nested): 48
// EXPECT(for_each_num): ACCEPT
// RETVAL(for_each_num): 55
// EXPECT(iter_not_destroyed): REJECT Unreleased reference
// EXPECT(iter_new_twice): REJECT expected uninitialized iter_num as arg #0
// EXPECT(iter_next_uninit): REJECT expected an initialized iter_num as arg #0
// EXPECT(iter_destroy_twice): REJECT expected an initialized iter_num as arg #0
// EXPECT(iter_value_unbounded): REJECT value -2147483648 makes map_value pointer be out of bounds
// EXPECT(iter_value_unchecked): REJECT R0 invalid mem access 'scalar'
// EXPECT(iter_value_write): REJECT R0 cannot write into rdonly_mem
#include "kfuncs.h"

SEC("syscall")
int for_sum(void *ctx)
{
	int i, sum = 0;

	bpf_for(i, 0, 100)
		sum += i;
	return sum;
}

SEC("syscall")
int repeat_count(void *ctx)
{
	int n = 0;

	bpf_repeat(10)
		n++;
	return n;
}

/* bpf_for re-checks i against its range: a bounded array index */
__u32 vals[16];

SEC("syscall")
int for_index_array(void *ctx)
{
	int i, sum = 0;

	bpf_for(i, 0, 16)
		vals[i] = i;
	bpf_for(i, 0, 16)
		sum += vals[i];
	return sum;
}

/* the kernel's limits: start > end is -EINVAL and an empty range ends at
 * once; a failed _new still needs its _destroy */
SEC("syscall")
int raw_protocol(void *ctx)
{
	struct bpf_iter_num it;
	int *v, n = 0, err, ret = 1;

	err = bpf_iter_num_new(&it, 5, 2);
	if (err != -22)
		ret = 2;
	if (bpf_iter_num_next(&it))
		ret = 3;
	bpf_iter_num_destroy(&it);
	bpf_iter_num_new(&it, 3, 3);
	if (bpf_iter_num_next(&it))
		ret = 4;
	bpf_iter_num_destroy(&it);
	bpf_iter_num_new(&it, -2, 2);
	while ((v = bpf_iter_num_next(&it)))
		n += *v + 10;
	bpf_iter_num_destroy(&it);
	if (n != 38)
		ret = 5;
	return ret;
}

SEC("syscall")
int for_nested(void *ctx)
{
	int i, j, n = 0;

	bpf_for(i, 0, 6)
		bpf_for(j, 0, 8)
			n++;
	return n;
}

/* bpf_for_each over bpf_iter_num: cur points to the value */
SEC("syscall")
int for_each_num(void *ctx)
{
	int *v, sum = 0;

	bpf_for_each(num, v, 1, 11)
		sum += *v;
	return sum;
}

SEC("syscall")
int iter_not_destroyed(void *ctx)
{
	struct bpf_iter_num it;
	int *v, n = 0;

	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it)))
		n += *v;
	return n;
}

SEC("syscall")
int iter_new_twice(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_num_new(&it, 0, 5);
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("syscall")
int iter_next_uninit(void *ctx)
{
	struct bpf_iter_num it;
	int *v = bpf_iter_num_next(&it);

	return v ? *v : 0;
}

SEC("syscall")
int iter_destroy_twice(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_num_destroy(&it);
	bpf_iter_num_destroy(&it);
	return 0;
}

/* the value _next returns is not bounded by the range: indexing needs
 * a check (bpf_for does it) */
SEC("syscall")
int iter_value_unbounded(void *ctx)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 16);
	while ((v = bpf_iter_num_next(&it)))
		sum += *(volatile __u32 *)((char *)vals + *v * 4);
	bpf_iter_num_destroy(&it);
	return sum;
}

SEC("syscall")
int iter_value_unchecked(void *ctx)
{
	struct bpf_iter_num it;
	int *v, x;

	bpf_iter_num_new(&it, 0, 16);
	v = bpf_iter_num_next(&it);
	x = *v;
	bpf_iter_num_destroy(&it);
	return x;
}

SEC("syscall")
int iter_value_write(void *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 16);
	while ((v = bpf_iter_num_next(&it)))
		*v = 0;
	bpf_iter_num_destroy(&it);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
