// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fault-tolerant reads of the host's own memory: bpf_probe_read_kernel
 * and bpf_probe_read_kernel_str (helpers 113, 115; 112 and 114, the user
 * forms, read the same memory) and the bpf_copy_from_user_str
 * kfunc, with the kernel's return codes.
 *
 * A bad address (NULL, unmapped, PROT_NONE) never faults: the copy goes
 * through process_vm_readv(2) on our own pid, which the kernel performs
 * with its own fault handling and which obeys page protections.  Where
 * that call is refused (seccomp, old kernels) a write(2) of the source
 * into a pipe does the same.  No signal handler is involved.
 *
 * Return codes are the kernel's (x86-64 6.18, checked with kload): the
 * _kernel forms give -ERANGE for an address the kernel could never read
 * (copy_from_kernel_nofault_allowed; here: the never-mapped low 64 KiB,
 * NULL included, and past the user half), -EFAULT for an unmapped or
 * inaccessible one; the _user forms and bpf_copy_from_user_str give
 * -EFAULT for both.  On failure the helpers zero the whole buffer.
 *
 * The dynptr forms (bpf_probe_read_{kernel,user}{,_str}_dynptr and the
 * sleepable bpf_copy_from_user{,_str}_dynptr) copy into [off, off + size)
 * of a dynptr: -E2BIG outside it, -EINVAL into a read-only one (after the
 * first chunk was read, as the kernel's chunked path does), else the copy's
 * own result.  As the 6.18 kernel's: a failed _kernel or _user read does
 * not zero the destination (bytes before the fault may have been copied),
 * a failed copy_from_user one zeroes it; the _kernel data form gives -ERANGE
 * for an impossible address even for size 0; the string forms return the length
 * with the NUL (size when truncated, 0 for size 0).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include "bpfhost/kfunc.h"
#include "stdlib.h"
#include "stdlib/task.h"

#define BH_PROBE_CHUNK 256
#define BH_MIN_ADDR 0x10000ul /* vm.mmap_min_addr default: never mapped */
#define BPF_F_PAD_ZEROS (1ULL << 0)

/* write() into a pipe and read it back: EFAULT on a bad source */
static int bh_copy_pipe(void *dst, const void *src, size_t n)
{
	int fds[2], ret = 0;

	if (pipe2(fds, O_CLOEXEC))
		return -EFAULT;
	while (n) {
		/* a pipe holds at least 4096 bytes without blocking */
		size_t part = n < 4096 ? n : 4096;
		ssize_t w = write(fds[1], src, part);

		if (w <= 0 || read(fds[0], dst, (size_t)w) != w) {
			ret = -EFAULT;
			break;
		}
		dst = (char *)dst + w;
		src = (const char *)src + w;
		n -= (size_t)w;
	}
	close(fds[0]);
	close(fds[1]);
	return ret;
}

/* Copy n bytes from the address space of process pid (0: our own); 0 or
 * -EFAULT (a gone or unreadable process too) */
static int bh_copy_vm(pid_t pid, void *dst, const void *src, size_t n)
{
	struct iovec local = {dst, n};
	struct iovec remote = {(void *)(uintptr_t)src, n};
	ssize_t got;

	if (!n)
		return 0;
	if (!src)
		return -EFAULT;
	got = process_vm_readv(pid ? pid : getpid(), &local, 1, &remote, 1, 0);
	if (got == (ssize_t)n)
		return 0;
	if (!pid && got < 0 && (errno == ENOSYS || errno == EPERM))
		return bh_copy_pipe(dst, src, n);
	return -EFAULT;
}

/* Copy n bytes from our own address space; 0 or -EFAULT */
static int bh_copy_nofault(void *dst, const void *src, size_t n)
{
	return bh_copy_vm(0, dst, src, n);
}

/* Could the kernel's copy_from_kernel_nofault read there at all? */
static bool bh_kernel_addr_ok(const void *src, uint32_t size)
{
	uintptr_t a = (uintptr_t)src;

	if (a < BH_MIN_ADDR || a + size < a)
		return false;
#if defined(__x86_64__) || defined(__aarch64__)
	if (a + size > (1ul << 47))
		return false;
#endif
	return true;
}

long bh_probe_read(void *dst, uint32_t size, const void *src, bool kernel)
{
	int ret = kernel && size && !bh_kernel_addr_ok(src, size) ? -ERANGE : 0;

	if (ret || bh_copy_nofault(dst, src, size)) {
		memset(dst, 0, size);
		return ret ? ret : -EFAULT;
	}
	return 0;
}

/*
 * Copy a NUL-terminated string of at most max bytes (NUL excluded) into
 * dst, reading no byte past the NUL (a string may end just before an
 * unmapped page).  Returns its length, or -EFAULT; dst is NUL-terminated
 * on success and untouched past the copied bytes.
 */
static long bh_strncpy_vm(pid_t pid, char *dst, const char *src, uint32_t max)
{
	uint32_t done = 0;

	while (done < max) {
		char buf[BH_PROBE_CHUNK];
		uintptr_t at = (uintptr_t)src + done;
		/* stay inside one 4 KiB page: never touch the next one */
		size_t n = 4096 - (at & 4095);
		char *nul;

		if (n > sizeof(buf))
			n = sizeof(buf);
		if (n > max - done)
			n = max - done;
		if (bh_copy_vm(pid, buf, (const void *)at, n))
			return -EFAULT;
		nul = memchr(buf, '\0', n);
		if (nul) {
			memcpy(dst + done, buf, (size_t)(nul - buf) + 1);
			return done + (nul - buf);
		}
		memcpy(dst + done, buf, n);
		done += (uint32_t)n;
	}
	dst[done] = '\0';
	return done;
}

static long bh_strncpy_nofault(char *dst, const char *src, uint32_t max)
{
	return bh_strncpy_vm(0, dst, src, max);
}

long bh_probe_read_str(void *dst, uint32_t size, const void *src, bool kernel)
{
	long n;

	/* the kernel: at most size - 1 characters and a NUL, the length
	 * with the NUL returned; a fault zeroes the whole buffer */
	if (!size)
		return 0;
	n = kernel && !bh_kernel_addr_ok(src, 1)
		    ? -ERANGE
		    : bh_strncpy_nofault(dst, src, size - 1);
	if (n < 0) {
		memset(dst, 0, size);
		return n;
	}
	return n + 1;
}

static void *bh_ptr(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

uint64_t bh_helper_probe_read_kernel(uint64_t dst, uint64_t size, uint64_t src,
				     uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return (uint64_t)bh_probe_read(bh_ptr(dst), (uint32_t)size, bh_ptr(src),
				       true);
}

uint64_t bh_helper_probe_read_kernel_str(uint64_t dst, uint64_t size,
					 uint64_t src, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return (uint64_t)bh_probe_read_str(bh_ptr(dst), (uint32_t)size,
					   bh_ptr(src), true);
}

uint64_t bh_helper_probe_read_user(uint64_t dst, uint64_t size, uint64_t src,
				   uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return (uint64_t)bh_probe_read(bh_ptr(dst), (uint32_t)size, bh_ptr(src),
				       false);
}

uint64_t bh_helper_probe_read_user_str(uint64_t dst, uint64_t size,
				       uint64_t src, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return (uint64_t)bh_probe_read_str(bh_ptr(dst), (uint32_t)size,
					   bh_ptr(src), false);
}

__bpf_kfunc_start_defs();

/*
 * As the kernel's: at most dst__sz - 1 characters and a NUL; returns the
 * length with the NUL, 0 for an empty buffer, -EFAULT for a bad source
 * (dst then zeroed only with BPF_F_PAD_ZEROS), -EINVAL for unknown flags.
 * BPF_F_PAD_ZEROS also zeroes the tail after the NUL on success.
 */
__bpf_kfunc int bpf_copy_from_user_str(void *dst, uint32_t dst__sz,
				       const void *unsafe_ptr__ign,
				       uint64_t flags)
{
	long n;

	if (flags & ~BPF_F_PAD_ZEROS)
		return -EINVAL;
	if (!dst__sz)
		return 0;
	n = bh_strncpy_nofault(dst, unsafe_ptr__ign, dst__sz - 1);
	if (n < 0) {
		if (flags & BPF_F_PAD_ZEROS)
			memset(dst, 0, dst__sz);
		return (int)n;
	}
	if (flags & BPF_F_PAD_ZEROS)
		memset((char *)dst + n, 0, dst__sz - (uint32_t)n);
	return (int)n + 1;
}

/* The process a task's memory is read from (0: ours, as current's). */
static pid_t task_vm_pid(const struct task_struct *tsk)
{
	return tsk->tgid == getpid() ? 0 : tsk->pid;
}

enum bh_copy_kind {
	BH_COPY_KERNEL, /* copy_from_kernel_nofault */
	BH_COPY_USER,	/* copy_from_user_nofault */
	BH_COPY_SLEEP,	/* copy_from_user: a fault zeroes the range */
	BH_COPY_TASK,	/* access_process_vm of another task */
};

static int copy_data(void *dst, const void *src, uint32_t size,
		     enum bh_copy_kind kind, pid_t pid)
{
	if (kind == BH_COPY_KERNEL && !bh_kernel_addr_ok(src, size))
		return -ERANGE;
	if (!size)
		return 0;
	if (bh_copy_vm(pid, dst, src, size)) {
		if (kind == BH_COPY_SLEEP)
			memset(dst, 0, size);
		return -EFAULT;
	}
	return 0;
}

static int copy_str(void *dst, const void *src, uint32_t size,
		    enum bh_copy_kind kind, pid_t pid)
{
	long n;

	if (!size)
		return 0;
	if (kind == BH_COPY_KERNEL && !bh_kernel_addr_ok(src, 1))
		return -ERANGE;
	n = bh_strncpy_vm(pid, dst, src, size - 1);
	/* copy_remote_vm_str leaves an empty string behind a fault */
	if (n < 0 && kind == BH_COPY_TASK)
		((char *)dst)[0] = '\0';
	return n < 0 ? (int)n : (int)n + 1;
}

/* __bpf_dynptr_copy(_data) for bpfhost's (local) dynptrs */
static int dynptr_copy(struct bpf_dynptr *p, uint32_t off, uint32_t size,
		       const void *src, bool str, enum bh_copy_kind kind,
		       pid_t pid)
{
	const struct bpf_dynptr_kern *d = (const void *)p;
	uint32_t dsize = d->size & BH_DYNPTR_SIZE_MASK;
	char tmp[BH_PROBE_CHUNK];
	int r;

	if (size > dsize || off > dsize - size)
		return -E2BIG;
	if (d->data && !(d->size & BH_DYNPTR_RDONLY_BIT)) {
		char *dst = (char *)d->data + d->offset + off;

		return str ? copy_str(dst, src, size, kind, pid)
			   : copy_data(dst, src, size, kind, pid);
	}
	if (!size)
		return 0;
	/* read-only: the first chunk is read, writing it is refused */
	if (size > sizeof(tmp))
		size = sizeof(tmp);
	r = str ? copy_str(tmp, src, size, kind, pid)
		: copy_data(tmp, src, size, kind, pid);
	return r < 0 ? r : -EINVAL;
}

__bpf_kfunc int bpf_probe_read_kernel_dynptr(struct bpf_dynptr *dptr,
					     uint32_t off, uint32_t size,
					     const void *unsafe_ptr__ign)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, false,
			   BH_COPY_KERNEL, 0);
}

__bpf_kfunc int bpf_probe_read_kernel_str_dynptr(struct bpf_dynptr *dptr,
						 uint32_t off, uint32_t size,
						 const void *unsafe_ptr__ign)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, true,
			   BH_COPY_KERNEL, 0);
}

__bpf_kfunc int bpf_probe_read_user_dynptr(struct bpf_dynptr *dptr,
					   uint32_t off, uint32_t size,
					   const void *unsafe_ptr__ign)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, false,
			   BH_COPY_USER, 0);
}

__bpf_kfunc int bpf_probe_read_user_str_dynptr(struct bpf_dynptr *dptr,
					       uint32_t off, uint32_t size,
					       const void *unsafe_ptr__ign)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, true, BH_COPY_USER,
			   0);
}

__bpf_kfunc int bpf_copy_from_user_dynptr(struct bpf_dynptr *dptr, uint32_t off,
					  uint32_t size,
					  const void *unsafe_ptr__ign)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, false,
			   BH_COPY_SLEEP, 0);
}

__bpf_kfunc int bpf_copy_from_user_task_dynptr(struct bpf_dynptr *dptr,
					       uint32_t off, uint32_t size,
					       const void *unsafe_ptr__ign,
					       struct task_struct *tsk)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, false,
			   BH_COPY_TASK, task_vm_pid(tsk));
}

__bpf_kfunc int bpf_copy_from_user_task_str_dynptr(struct bpf_dynptr *dptr,
						   uint32_t off, uint32_t size,
						   const void *unsafe_ptr__ign,
						   struct task_struct *tsk)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, true, BH_COPY_TASK,
			   task_vm_pid(tsk));
}

__bpf_kfunc int bpf_copy_from_user_str_dynptr(struct bpf_dynptr *dptr,
					      uint32_t off, uint32_t size,
					      const void *unsafe_ptr__ign)
{
	return dynptr_copy(dptr, off, size, unsafe_ptr__ign, true,
			   BH_COPY_SLEEP, 0);
}

/*
 * bpf_copy_from_user_str on another task's memory (process_vm_readv(2) on
 * its thread: -EFAULT when it is gone or may not be read), same results,
 * except that a fault leaves dst an empty string (copy_remote_vm_str).
 */
__bpf_kfunc int bpf_copy_from_user_task_str(void *dst, uint32_t dst__sz,
					    const void *unsafe_ptr__ign,
					    struct task_struct *tsk,
					    uint64_t flags)
{
	long n;

	if (flags & ~BPF_F_PAD_ZEROS)
		return -EINVAL;
	if (!dst__sz)
		return 0;
	n = bh_strncpy_vm(task_vm_pid(tsk), dst, unsafe_ptr__ign, dst__sz - 1);
	if (n < 0) {
		/* copy_remote_vm_str leaves an empty string behind a fault */
		((char *)dst)[0] = '\0';
		if (flags & BPF_F_PAD_ZEROS)
			memset(dst, 0, dst__sz);
		return (int)n;
	}
	if (flags & BPF_F_PAD_ZEROS)
		memset((char *)dst + n, 0, dst__sz - (uint32_t)n);
	return (int)n + 1;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_probe_kfunc_ids)
BTF_ID_FLAGS(func, bpf_copy_from_user_str, KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_probe_read_user_dynptr)
BTF_ID_FLAGS(func, bpf_probe_read_kernel_dynptr)
BTF_ID_FLAGS(func, bpf_probe_read_user_str_dynptr)
BTF_ID_FLAGS(func, bpf_probe_read_kernel_str_dynptr)
BTF_ID_FLAGS(func, bpf_copy_from_user_dynptr, KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_copy_from_user_str_dynptr, KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_copy_from_user_task_dynptr,
	     KF_SLEEPABLE | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_copy_from_user_task_str_dynptr,
	     KF_SLEEPABLE | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_copy_from_user_task_str, KF_SLEEPABLE)
BTF_KFUNCS_END(bh_probe_kfunc_ids)

static const struct btf_kfunc_id_set bh_probe_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_probe_kfunc_ids,
};

int bh_stdlib_probe_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_probe_kfunc_set);
}
