// SPDX-License-Identifier: BSD-2-Clause
/* An array map, .data, .rodata and .bss together, plus a string literal. */
// RETVAL: 321
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

const volatile int rodata_k = 3;
int data_v = 20;
int bss_v;

static const char msg[] = "hello";

SEC("syscall")
int array_globals(void *ctx)
{
	__u32 k = 2;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return -1;
	*v += 1;
	bss_v += 1;
	k = 4; /* out of range: NULL */
	if (bpf_map_lookup_elem(&arr, &k))
		return -2;
	return rodata_k * 100 + data_v + (int)*v + bss_v - 1 + (msg[4] == 'o') - 1;
}

char LICENSE[] SEC("license") = "GPL";
