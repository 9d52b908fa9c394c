// SPDX-License-Identifier: BSD-2-Clause
/* Every atomic form clang emits for -mcpu=v4, on globals and the stack. */
// RETVAL: 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 g64 = 10;
__u32 g32 = 10;

SEC("syscall")
int atomic_ops(void *ctx)
{
	__u64 old;
	__u32 old32;

	__sync_fetch_and_add(&g64, 5); /* 15 */
	old = __sync_fetch_and_add(&g64, 1); /* old 15, now 16 */
	if (old != 15)
		return 2;
	old = __sync_fetch_and_or(&g64, 0x100); /* 0x110 */
	if (old != 16)
		return 3;
	old = __sync_fetch_and_and(&g64, 0xff0); /* 0x110 */
	if (old != 0x110)
		return 4;
	old = __sync_fetch_and_xor(&g64, 0x10); /* 0x100 */
	if (old != 0x110 || g64 != 0x100)
		return 5;
	old = __sync_lock_test_and_set(&g64, 7); /* xchg */
	if (old != 0x100 || g64 != 7)
		return 6;
	old = __sync_val_compare_and_swap(&g64, 7, 9);
	if (old != 7 || g64 != 9)
		return 7;
	old = __sync_val_compare_and_swap(&g64, 7, 11);
	if (old != 9 || g64 != 9)
		return 8;
	old32 = __sync_fetch_and_add(&g32, 3);
	if (old32 != 10 || g32 != 13)
		return 9;
	old32 = __sync_val_compare_and_swap(&g32, 13, 1);
	if (old32 != 13 || g32 != 1)
		return 10;
	__sync_fetch_and_sub(&g32, 1);
	return g32 == 0;
}

char LICENSE[] SEC("license") = "GPL";
