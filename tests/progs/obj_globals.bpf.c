// SPDX-License-Identifier: BSD-2-Clause
/* Globals in .data, .rodata, .bss, a custom .data.* section, and string
 * literals in .rodata.str1.1, read through section symbols with addends
 * and through named symbols. */
// RETVAL: 100
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 17;
long pair[2] = { 5, 6 };
const volatile int limit = 40;
const volatile long table[3] = { 1, 2, 3 };
int zeroed;
long zarr[4];
volatile int pick;
int custom SEC(".data.custom") = 9;

static __noinline int second_char(const char *s)
{
	return s[1];
}

SEC("syscall")
int globals(void *ctx)
{
	const char *s = pick ? "hello" : "world!";
	/* 17 + 6 + 40 + 3 + 0 + 0 + 9 + 'o' (111) - 86 */
	int r = counter + pair[1] + limit + table[2] + zeroed + zarr[3] +
		custom + second_char(s) - 86;

	zeroed = 1;
	return r;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060c00;
