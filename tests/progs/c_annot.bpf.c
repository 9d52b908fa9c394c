// SPDX-License-Identifier: BSD-2-Clause
/*
 * Argument annotations on bpfhost test kfuncs, enforced with the kernel's
 * rules and messages: __str (a NUL-terminated string at a constant offset
 * of frozen read-only data), __map (a map the program names), and
 * rdwr_buf_size / rdonly_buf_size (R0 is memory of that constant size,
 * writable or not, dying with the object it came from); and __uninit
 * on a host's dynptr constructor (bpfhost_dynptr_init), a bpfhost
 * extension: the kernel has no generic dynptr constructors.
 */
// KERNEL: skip calls bpfhost test kfuncs (bh_*) the kernel does not have
// EXPECT(str_ok): ACCEPT
// RETVAL(str_ok): 11
// EXPECT(str_stack): REJECT arg#0 doesn't point to a const string
// EXPECT(str_data): REJECT R1 does not point to a readonly map'
// EXPECT(str_varoff): REJECT R1 is not a constant address'
// EXPECT(str_unterminated): REJECT string is not zero-terminated
// EXPECT(map_ok): ACCEPT
// RETVAL(map_ok): 42
// EXPECT(map_value): REJECT pointer in R1 isn't map pointer
// EXPECT(buf_rdwr): ACCEPT
// RETVAL(buf_rdwr): 7
// EXPECT(buf_oob): REJECT invalid access to memory, mem_size=16 off=16 size=4
// EXPECT(buf_var_size): REJECT R2 is not a const
// EXPECT(buf_after_release): REJECT invalid mem access 'scalar'
// EXPECT(table_read): ACCEPT
// RETVAL(table_read): 234
// EXPECT(table_write): REJECT cannot write into rdonly_mem
// EXPECT(table_unchecked): REJECT invalid mem access 'rdonly_mem_or_null'
// EXPECT(dynptr_host): ACCEPT
// RETVAL(dynptr_host): 118
// EXPECT(dynptr_host_again): ACCEPT
// RETVAL(dynptr_host_again): 8
// EXPECT(dynptr_host_misaligned): REJECT Dynptr has to be an uninitialized dynptr
// EXPECT(dynptr_host_unused): REJECT Expected an initialized dynptr as arg #2
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bh_test_obj {
	int refs;
	int val;
};

extern struct bh_test_obj *bh_test_acquire(int i) __ksym;
extern void bh_test_release(struct bh_test_obj *o) __ksym;
extern int bh_test_strlen(const char *name__str) __ksym;
extern __u32 bh_test_map_entries(void *map__map) __ksym;
extern int *bh_test_buf(struct bh_test_obj *o, int rdwr_buf_size) __ksym;
extern const int *bh_test_table(int rdonly_buf_size) __ksym;
extern int bh_test_dynptr(struct bh_test_obj *o, __u32 size,
			  struct bpf_dynptr *ptr__uninit) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 42);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

const char greeting[] = "hello world";
char scratch[8] = "abc";
const char nonterm[4] SEC(".rodata.nonterm") = {'a', 'b', 'c', 'd'};
volatile int pick;

SEC("syscall")
int str_ok(void *ctx)
{
	return bh_test_strlen(greeting);
}

SEC("syscall")
int str_stack(void *ctx)
{
	char buf[8] = "abc";

	return bh_test_strlen(buf);
}

SEC("syscall")
int str_data(void *ctx)
{
	return bh_test_strlen(scratch);
}

SEC("syscall")
int str_varoff(void *ctx)
{
	return bh_test_strlen(greeting + (pick & 3));
}

SEC("syscall")
int str_unterminated(void *ctx)
{
	return bh_test_strlen(nonterm);
}

SEC("syscall")
int map_ok(void *ctx)
{
	return bh_test_map_entries(&arr);
}

SEC("syscall")
int map_value(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	return bh_test_map_entries(v);
}

SEC("syscall")
int buf_rdwr(void *ctx)
{
	struct bh_test_obj *o = bh_test_acquire(2);
	int *p, r = 0;

	if (!o)
		return -1;
	p = bh_test_buf(o, 16);
	if (p) {
		p[3] = 7;
		r = p[3];
	}
	bh_test_release(o);
	return r;
}

SEC("syscall")
int buf_oob(void *ctx)
{
	struct bh_test_obj *o = bh_test_acquire(2);
	int *p, r = 0;

	if (!o)
		return -1;
	p = bh_test_buf(o, 16);
	if (p)
		r = ((volatile int *)p)[4];
	bh_test_release(o);
	return r;
}

SEC("syscall")
int buf_var_size(void *ctx)
{
	struct bh_test_obj *o = bh_test_acquire(2);
	int *p, r = 0;

	if (!o)
		return -1;
	p = bh_test_buf(o, pick & 15);
	if (p)
		r = p[0];
	bh_test_release(o);
	return r;
}

SEC("syscall")
int buf_after_release(void *ctx)
{
	struct bh_test_obj *o = bh_test_acquire(2);
	int *p;

	if (!o)
		return -1;
	p = bh_test_buf(o, 16);
	bh_test_release(o);
	if (!p)
		return 0;
	return *(volatile int *)p;
}

SEC("syscall")
int table_read(void *ctx)
{
	const int *t = bh_test_table(64);

	if (!t)
		return -1;
	return t[15] + t[3]; /* 225 + 9 */
}

SEC("syscall")
int table_write(void *ctx)
{
	int *t = (int *)bh_test_table(64);

	if (!t)
		return -1;
	*(volatile int *)t = 1;
	return 0;
}

SEC("syscall")
int table_unchecked(void *ctx)
{
	const volatile int *t = bh_test_table(8);

	return t[1];
}

/* the object's value (102) through the dynptr, plus its size (16) */
SEC("syscall")
int dynptr_host(void *ctx)
{
	struct bh_test_obj *o = bh_test_acquire(2);
	struct bpf_dynptr d;
	int v = 0;

	if (!o)
		return -1;
	bh_test_dynptr(o, 16, &d);
	bh_test_release(o);
	if (bpf_dynptr_read(&v, sizeof(v), &d, 0, 0))
		return -2;
	return v + bpf_dynptr_size(&d);
}

/* an unreferenced dynptr may be overwritten by a new one, as in the
 * kernel (is_dynptr_reg_valid_uninit) */
SEC("syscall")
int dynptr_host_again(void *ctx)
{
	struct bh_test_obj *o = bh_test_acquire(2);
	struct bpf_dynptr d;

	if (!o)
		return -1;
	bh_test_dynptr(o, 16, &d);
	bh_test_dynptr(o, 8, &d);
	bh_test_release(o);
	return bpf_dynptr_size(&d);
}

SEC("syscall")
int dynptr_host_misaligned(void *ctx)
{
	struct bh_test_obj *o = bh_test_acquire(2);
	struct bpf_dynptr d[2];

	if (!o)
		return -1;
	bh_test_dynptr(o, 16, (struct bpf_dynptr *)((char *)d + 4));
	bh_test_release(o);
	return 0;
}

SEC("syscall")
int dynptr_host_unused(void *ctx)
{
	struct bpf_dynptr d;
	int v = 0;

	bpf_dynptr_read(&v, sizeof(v), &d, 0, 0);
	return v;
}

char LICENSE[] SEC("license") = "GPL";
