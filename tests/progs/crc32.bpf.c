// SPDX-License-Identifier: BSD-2-Clause
/* Bitwise CRC-32 of "123456789" from .rodata: the standard check value. */
// RETVAL: 0xcbf43926
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static const char input[] = "123456789";

SEC("syscall")
int crc32(void *ctx)
{
	__u32 crc = 0xffffffff;

	for (int i = 0; i < 9; i++) {
		crc ^= (unsigned char)input[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

char LICENSE[] SEC("license") = "GPL";
