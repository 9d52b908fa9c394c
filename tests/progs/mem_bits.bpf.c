// SPDX-License-Identifier: BSD-2-Clause
/*
 * bpf_iter_bits over one and several words, and its constructor's errors
 * (-EINVAL for NULL or 0 words, -E2BIG past 511 words).  Values are the
 * running 6.18 kernel's (kload --run).
 */
// EXPECT: ACCEPT
// RETVAL(bits_sum): 2289
// RETVAL(bits_errors): 8885910
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_bits {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_iter_bits_new(struct bpf_iter_bits *it,
			     const __u64 *unsafe_ptr__ign, __u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;

__u64 words[3] = {0x11, 0, 1ull << 63};

static __always_inline __u32 enc(int r)
{
	return r >= 0 ? (__u32)r : (__u32)(128 - r);
}

SEC("syscall")
int bits_sum(void *ctx)
{
	int *bit, sum = 0, n = 0;

	/* bits 0, 4 and 191: 195, three bits */
	bpf_for_each(bits, bit, words, 3) {
		sum += *bit;
		n++;
	}
	/* one word, kept inside the iterator: bits 0, 4 */
	bpf_for_each(bits, bit, words, 1)
		sum += 1000 + *bit;
	/* 195 + 3 * 30 + 2004 */
	return sum + n * 30;
}

SEC("syscall")
int bits_errors(void *ctx)
{
	struct bpf_iter_bits it;
	int a, b, c;

	a = bpf_iter_bits_new(&it, 0, 1);
	bpf_iter_bits_destroy(&it);
	b = bpf_iter_bits_new(&it, words, 0);
	bpf_iter_bits_destroy(&it);
	c = bpf_iter_bits_new(&it, words, 512);
	bpf_iter_bits_destroy(&it);
	/* -EINVAL, -EINVAL, -E2BIG */
	return enc(a) | enc(b) << 8 | enc(c) << 16;
}

char LICENSE[] SEC("license") = "GPL";
