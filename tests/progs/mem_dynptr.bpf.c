// SPDX-License-Identifier: BSD-2-Clause
/*
 * Local dynptrs over global data (the kernel takes map values only, not
 * the stack, as bpf_dynptr_from_mem's memory): bpf_dynptr_from_mem/read/write/data
 * (helpers) and the slice, adjust, clone, size, is_null, copy and memset
 * kfuncs, with their bounds and error codes.  Results are packed a byte
 * each (low byte first), a negative errno e as 128 - e (EINVAL 150, E2BIG
 * 135, ERANGE 162).  Values are the running 6.18 kernel's (kload --run).
 */
// EXPECT: ACCEPT
// RETVAL(dp_read_write): 0
// RETVAL(dp_errors): 0
// RETVAL(dp_adjust_clone): 0
// RETVAL(dp_slices): 0
// RETVAL(dp_copy_memset): 0
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset,
			      void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start,
			     __u32 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p,
			    struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off,
			   struct bpf_dynptr *src_ptr, __u32 src_off,
			   __u32 size) __ksym;
extern int bpf_dynptr_memset(struct bpf_dynptr *p, __u32 offset, __u32 size,
			     __u8 val) __ksym;

static __always_inline __u32 enc(long r)
{
	return r >= 0 ? (__u32)r : (__u32)(128 - r);
}

static __always_inline __u32 pack(long a, long b, long c)
{
	return enc(a) | enc(b) << 8 | enc(c) << 16;
}

/* returns 0 when every value is the expected one, else the first
 * mismatch's line */
#define EXPECT_EQ(a, b)              \
	do {                         \
		if ((a) != (b))      \
			return __LINE__; \
	} while (0)

char g_rw[16], g_err[16], g_adj[64], a[16], b[16];
__u32 g_words[8];

SEC("syscall")
int dp_read_write(void *ctx)
{
	char out[8] = {};
	struct bpf_dynptr d;
	char *p;

	__builtin_memcpy(g_rw, "0123456789abcde", 16);

	EXPECT_EQ(bpf_dynptr_from_mem(g_rw, sizeof(g_rw), 0, &d), 0);
	EXPECT_EQ(bpf_dynptr_size(&d), 16);
	EXPECT_EQ(bpf_dynptr_is_null(&d), 0);
	EXPECT_EQ(bpf_dynptr_is_rdonly(&d), 0);
	EXPECT_EQ(bpf_dynptr_write(&d, 2, "XY", 2, 0), 0);
	EXPECT_EQ(bpf_dynptr_read(out, 4, &d, 0, 0), 0);
	EXPECT_EQ(out[1], '1');
	EXPECT_EQ(out[2], 'X');
	EXPECT_EQ(out[3], 'Y');
	p = bpf_dynptr_data(&d, 8, 4);
	if (!p)
		return 1000;
	EXPECT_EQ(p[0], '8');
	p[0] = 'Q';
	EXPECT_EQ(g_rw[8], 'Q');
	EXPECT_EQ(bpf_dynptr_data(&d, 13, 4), 0);
	return 0;
}

SEC("syscall")
int dp_errors(void *ctx)
{
	char out[8] = {};
	struct bpf_dynptr d, n;

	bpf_dynptr_from_mem(g_err, sizeof(g_err), 0, &d);
	EXPECT_EQ(pack(bpf_dynptr_read(out, 8, &d, 9, 0),
		       bpf_dynptr_read(out, 8, &d, 0, 1),
		       bpf_dynptr_write(&d, 16, out, 1, 0)),
		  135 | 150 << 8 | 135 << 16);
	EXPECT_EQ(bpf_dynptr_write(&d, 0, out, 1, 2), -22);
	/* flags make from_mem fail and leave a null dynptr */
	EXPECT_EQ(bpf_dynptr_from_mem(g_err, sizeof(g_err), 1, &n), -22);
	EXPECT_EQ(bpf_dynptr_is_null(&n), 1);
	EXPECT_EQ(bpf_dynptr_size(&n), (__u32)-22);
	EXPECT_EQ(bpf_dynptr_read(out, 1, &n, 0, 0), -22);
	EXPECT_EQ(bpf_dynptr_write(&n, 0, out, 1, 0), -22);
	EXPECT_EQ(bpf_dynptr_adjust(&n, 0, 0), -22);
	return 0;
}

SEC("syscall")
int dp_adjust_clone(void *ctx)
{
	struct bpf_dynptr d, c;

	bpf_dynptr_from_mem(g_adj, sizeof(g_adj), 0, &d);
	g_adj[10] = 7;
	EXPECT_EQ(bpf_dynptr_adjust(&d, 10, 50), 0);
	EXPECT_EQ(bpf_dynptr_size(&d), 40);
	EXPECT_EQ(bpf_dynptr_clone(&d, &c), 0);
	EXPECT_EQ(bpf_dynptr_adjust(&c, 5, 10), 0);
	EXPECT_EQ(bpf_dynptr_size(&c), 5);
	EXPECT_EQ(bpf_dynptr_size(&d), 40);
	EXPECT_EQ(pack(bpf_dynptr_adjust(&d, 30, 20), bpf_dynptr_adjust(&d, 0, 41),
		       bpf_dynptr_adjust(&d, 41, 41)),
		  150 | 162 << 8 | 162 << 16);
	/* offsets are relative to the current view */
	{
		char *p = bpf_dynptr_slice(&d, 0, NULL, 1);

		if (!p)
			return 1000;
		EXPECT_EQ(*p, 7);
	}
	EXPECT_EQ(bpf_dynptr_adjust(&d, 40, 40), 0);
	EXPECT_EQ(bpf_dynptr_size(&d), 0);
	EXPECT_EQ(bpf_dynptr_is_null(&d), 0);
	return 0;
}

SEC("syscall")
int dp_slices(void *ctx)
{
	char tmp[8];
	struct bpf_dynptr d;
	__u32 *p;

	for (int i = 0; i < 8; i++)
		g_words[i] = i + 1;
	bpf_dynptr_from_mem(g_words, sizeof(g_words), 0, &d);
	p = bpf_dynptr_slice(&d, 4, NULL, 8);
	if (!p)
		return 1000;
	EXPECT_EQ(p[0], 2);
	EXPECT_EQ(p[1], 3);
	/* with a buffer: local memory is direct, the buffer is unused */
	p = bpf_dynptr_slice(&d, 24, tmp, 8);
	if (!p)
		return 1001;
	EXPECT_EQ(p[1], 8);
	/* (bpf_dynptr_slice_rdwr: a syscall program is refused "the prog
	 * does not allow writes to packet data" by the kernel) */
	EXPECT_EQ(bpf_dynptr_slice(&d, 28, NULL, 8), 0);
	EXPECT_EQ(bpf_dynptr_slice(&d, 25, tmp, 8), 0);
	return 0;
}

SEC("syscall")
int dp_copy_memset(void *ctx)
{
	struct bpf_dynptr da, db;

	__builtin_memcpy(a, "abcdefghijklmno", 16);
	__builtin_memset(b, 0, 16);
	bpf_dynptr_from_mem(a, sizeof(a), 0, &da);
	bpf_dynptr_from_mem(b, sizeof(b), 0, &db);
	EXPECT_EQ(bpf_dynptr_copy(&db, 2, &da, 4, 6), 0);
	EXPECT_EQ(b[2], 'e');
	EXPECT_EQ(b[7], 'j');
	EXPECT_EQ(pack(bpf_dynptr_copy(&db, 12, &da, 0, 5),
		       bpf_dynptr_memset(&db, 11, 6, 'z'),
		       bpf_dynptr_memset(&db, 10, 6, 'z')),
		  135 | 135 << 8);
	EXPECT_EQ(b[15], 'z');
	EXPECT_EQ(b[9], 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
