// SPDX-License-Identifier: BSD-2-Clause
/*
 * The dynptr forms of the probe reads and copies: bpf_probe_read_kernel
 * (_str)_dynptr, bpf_probe_read_user(_str)_dynptr and the sleepable
 * bpf_copy_from_user(_str)_dynptr, into a 16-byte local dynptr over a
 * buffer first filled with 'x'.  Each program returns
 *	(r < 0 ? 1000 - r : r) * 1000 + what buf[2] holds * 10 + buf[4]'s
 * with 1 = 'x' (untouched), 2 = NUL, 3 = 'h', 4 = 'l', 9 = other: so both
 * the result and whether a failure zeroed the bytes are compared with the
 * 6.18 kernel.  (User-memory reads of valid addresses are not compared:
 * the kernel's user memory is not the program's.)
 */
// EXPECT: ACCEPT
// RETVAL(kd_ok): 34
// RETVAL(kd_str): 6049
// RETVAL(kd_str_trunc): 3032
// RETVAL(kd_null): 1034011
// RETVAL(kd_str_null): 1034011
// RETVAL(kd_e2big): 1007011
// RETVAL(kd_zero_null): 1034011
// RETVAL(kd_str_zero): 11
// RETVAL(kd_off_end): 11
// RETVAL(ku_null): 1014011
// RETVAL(ku_str_null): 1014011
// RETVAL(cu_null): 1014021
// RETVAL(cu_str_null): 1014011
// RETVAL(cu_str_zero): 11
// RETVAL(cu_e2big): 1007011
// EXPECT(pd_uninit): REJECT Expected an initialized dynptr as arg #0
// EXPECT(pd_in_rcu): REJECT kernel func bpf_copy_from_user_dynptr is sleepable within rcu_read_lock region
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_probe_read_kernel_dynptr(struct bpf_dynptr *dptr, __u32 off,
					__u32 size,
					const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_kernel_str_dynptr(struct bpf_dynptr *dptr,
					    __u32 off, __u32 size,
					    const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_user_dynptr(struct bpf_dynptr *dptr, __u32 off,
				      __u32 size,
				      const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_user_str_dynptr(struct bpf_dynptr *dptr, __u32 off,
					  __u32 size,
					  const void *unsafe_ptr__ign) __ksym;
extern int bpf_copy_from_user_dynptr(struct bpf_dynptr *dptr, __u32 off,
				     __u32 size,
				     const void *unsafe_ptr__ign) __ksym;
extern int bpf_copy_from_user_str_dynptr(struct bpf_dynptr *dptr, __u32 off,
					 __u32 size,
					 const void *unsafe_ptr__ign) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

const char hello[] = "hello";
char buf[16];

static __always_inline int code(char c)
{
	return c == 'x' ? 1 : c == 0 ? 2 : c == 'h' ? 3 : c == 'l' ? 4 : 9;
}

static __always_inline int report(int r)
{
	return (r < 0 ? 1000 - r : r) * 1000 + code(buf[2]) * 10 +
	       code(buf[4]);
}

/* one program per call: d is a dynptr over buf, filled with 'x' */
#define CASE(name, call)                                                      \
	SEC("syscall")                                                        \
	int name(void *ctx)                                                   \
	{                                                                     \
		struct bpf_dynptr d;                                          \
                                                                              \
		__builtin_memset(buf, 'x', sizeof(buf));                      \
		bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);                 \
		return report(call);                                          \
	}

CASE(kd_ok, bpf_probe_read_kernel_dynptr(&d, 2, 5, hello))
CASE(kd_str, bpf_probe_read_kernel_str_dynptr(&d, 0, 16, hello))
CASE(kd_str_trunc, bpf_probe_read_kernel_str_dynptr(&d, 2, 3, hello))
CASE(kd_null, bpf_probe_read_kernel_dynptr(&d, 0, 4, 0))
CASE(kd_str_null, bpf_probe_read_kernel_str_dynptr(&d, 0, 4, 0))
CASE(kd_e2big, bpf_probe_read_kernel_dynptr(&d, 10, 8, hello))
CASE(kd_zero_null, bpf_probe_read_kernel_dynptr(&d, 0, 0, 0))
CASE(kd_str_zero, bpf_probe_read_kernel_str_dynptr(&d, 0, 0, 0))
CASE(kd_off_end, bpf_probe_read_kernel_dynptr(&d, 16, 0, hello))
CASE(ku_null, bpf_probe_read_user_dynptr(&d, 0, 4, 0))
CASE(ku_str_null, bpf_probe_read_user_str_dynptr(&d, 0, 4, 0))
CASE(cu_null, bpf_copy_from_user_dynptr(&d, 0, 4, 0))
CASE(cu_str_null, bpf_copy_from_user_str_dynptr(&d, 0, 4, 0))
CASE(cu_str_zero, bpf_copy_from_user_str_dynptr(&d, 0, 0, 0))
CASE(cu_e2big, bpf_copy_from_user_dynptr(&d, 12, 8, 0))

SEC("syscall")
int pd_uninit(void *ctx)
{
	struct bpf_dynptr d;

	return bpf_probe_read_kernel_dynptr(&d, 0, 4, hello);
}

SEC("syscall")
int pd_in_rcu(void *ctx)
{
	struct bpf_dynptr d;
	int r;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	bpf_rcu_read_lock();
	r = bpf_copy_from_user_dynptr(&d, 0, 4, 0);
	bpf_rcu_read_unlock();
	return r;
}

char LICENSE[] SEC("license") = "GPL";
