// SPDX-License-Identifier: BSD-2-Clause
/* cpu v4 forms: sign-extending loads and moves, signed div/mod, bswap. */
// CTX-HEX: 80 ff 7f 00 fe ff ff ff
// RETVAL: 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct in {
	signed char a;	/* 0x80 = -128 */
	signed char b;	/* 0xff = -1 */
	short c;	/* 0x007f */
	int d;		/* 0xfffffffe = -2 */
};

volatile long divisor = -3;

SEC("syscall")
int v4_ops(struct in *in)
{
	long a = in->a, b = in->b, d = in->d;

	if (a != -128 || b != -1 || in->c != 127 || d != -2)
		return 2;
	if (a / divisor != 42) /* sdiv: -128 / -3 = 42 */
		return 3;
	if (a % divisor != -2) /* smod */
		return 4;
	if ((int)(a / (int)divisor) != 42)
		return 5;
	if (__builtin_bswap32((unsigned int)d) != 0xfeffffff)
		return 6;
	if (__builtin_bswap64(0x0102030405060708ull) != 0x0807060504030201ull)
		return 7;
	if ((long)(signed char)(d + 0x100) != -2)
		return 8;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
