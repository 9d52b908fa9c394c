// SPDX-License-Identifier: BSD-2-Clause
/* Host kfuncs called as kernel kfuncs are: scalars, narrow types, a
 * mem/size pair, acquire/release, and a __prog argument the runtime fills. */
// RETVAL(scalars): 1
// RETVAL(narrow): 1
// RETVAL(objects): 204
// RETVAL(mem_pair): 15
// RETVAL(prog_arg): 13
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bh_test_obj {
	int refs;
	int val;
};

extern __u64 bh_test_add(__u64 a, __u64 b) __ksym;
extern int bh_test_kfunc(int x) __ksym;
extern short bh_test_s16(short x) __ksym;
extern unsigned char bh_test_u8(unsigned char x) __ksym;
extern _Bool bh_test_bool(_Bool b) __ksym;
extern struct bh_test_obj *bh_test_acquire(int i) __ksym;
extern void bh_test_release(struct bh_test_obj *o) __ksym;
extern int bh_test_val(struct bh_test_obj *o) __ksym;
extern int bh_test_sum_mem(const unsigned char *mem, __u32 mem__sz) __ksym;
extern int bh_test_prog_name_len(int x, void *aux__prog) __ksym;

volatile __u64 big = 0x100000000ull;
volatile int neg = -3;

SEC("syscall")
int scalars(void *ctx)
{
	if (bh_test_add(big, 5) != 0x100000005ull)
		return 2;
	if (bh_test_kfunc(neg) != -30)
		return 3;
	return 1;
}

SEC("syscall")
int narrow(void *ctx)
{
	if (bh_test_s16((short)neg) != -4)
		return 2;
	if (bh_test_u8(255) != 0)
		return 3;
	if (bh_test_bool(0) != 1 || bh_test_bool(1) != 0)
		return 4;
	return 1;
}

SEC("syscall")
int objects(void *ctx)
{
	struct bh_test_obj *a = bh_test_acquire(1), *b;
	int v;

	if (!a)
		return -1;
	b = bh_test_acquire(3);
	if (!b) {
		bh_test_release(a);
		return -2;
	}
	v = bh_test_val(a) + bh_test_val(b) + a->refs + b->refs - 2;
	bh_test_release(a);
	bh_test_release(b);
	/* id 7 does not exist: NULL, and nothing to release */
	b = bh_test_acquire(7);
	if (b) {
		bh_test_release(b);
		return -3;
	}
	return v;
}

SEC("syscall")
int mem_pair(void *ctx)
{
	unsigned char buf[5] = { 1, 2, 3, 4, 5 };

	return bh_test_sum_mem(buf, sizeof(buf));
}

SEC("syscall")
int prog_arg(void *ctx)
{
	/* strlen("prog_arg") + 5 */
	return bh_test_prog_name_len(5, 0);
}

char LICENSE[] SEC("license") = "GPL";
