// SPDX-License-Identifier: BSD-2-Clause
/*
 * Dynptrs over local memory, as Linux has them: the helper
 * bpf_dynptr_from_mem (id 197) makes a BPF_DYNPTR_TYPE_LOCAL dynptr over a
 * program's memory (stack, map value, global); bpf_dynptr_read/write/data
 * (201..203) and the common kfuncs bpf_dynptr_slice(_rdwr), _adjust,
 * _is_null, _is_rdonly, _size, _clone, _copy and _memset use it.  Layout,
 * limits (2^24 - 1 bytes) and error codes are the kernel's: -EINVAL for a
 * null or read-only dynptr or bad flags, -E2BIG for an out-of-range
 * offset/length, -ERANGE from adjust, NULL from the slice kfuncs.
 *
 * Only LOCAL (and RINGBUF, same memory model) dynptrs exist in bpfhost;
 * any other type bits come from a corrupt dynptr, which the verifier
 * prevents, and are refused like the kernel's default case.
 */
#include <errno.h>
#include <string.h>

#include "bpfhost/kfunc.h"
#include "maps/map.h"
#include "stdlib.h"

_Static_assert(sizeof(struct bpf_dynptr_kern) == sizeof(struct bpf_dynptr),
	       "dynptr layout");

static struct bpf_dynptr_kern *kern(const struct bpf_dynptr *p)
{
	return (struct bpf_dynptr_kern *)p;
}

static uint32_t dp_size(const struct bpf_dynptr_kern *d)
{
	return d->size & BH_DYNPTR_SIZE_MASK;
}

static bool dp_rdonly(const struct bpf_dynptr_kern *d)
{
	return d->size & BH_DYNPTR_RDONLY_BIT;
}

static enum bh_dynptr_type dp_type(const struct bpf_dynptr_kern *d)
{
	return (enum bh_dynptr_type)((d->size & ~BH_DYNPTR_RDONLY_BIT) >>
				     BH_DYNPTR_TYPE_SHIFT);
}

static bool dp_linear(const struct bpf_dynptr_kern *d)
{
	return dp_type(d) == BH_DYNPTR_TYPE_LOCAL ||
	       dp_type(d) == BH_DYNPTR_TYPE_RINGBUF;
}

static void dp_set_null(struct bpf_dynptr_kern *d)
{
	memset(d, 0, sizeof(*d));
}

static int dp_check_off_len(const struct bpf_dynptr_kern *d, uint32_t off,
			    uint32_t len)
{
	uint32_t size = dp_size(d);

	return len > size || off > size - len ? -E2BIG : 0;
}

static char *dp_at(const struct bpf_dynptr_kern *d, uint32_t off)
{
	return (char *)d->data + d->offset + off;
}

int bh_dynptr_init_local(struct bpf_dynptr *p, void *data, uint32_t size,
			 bool rdonly)
{
	struct bpf_dynptr_kern *d = kern(p);

	if (size > BH_DYNPTR_MAX_SIZE) {
		dp_set_null(d);
		return -E2BIG;
	}
	d->data = data;
	d->offset = 0;
	d->size = size | (uint32_t)BH_DYNPTR_TYPE_LOCAL << BH_DYNPTR_TYPE_SHIFT;
	if (rdonly)
		d->size |= BH_DYNPTR_RDONLY_BIT;
	return 0;
}

int bpfhost_dynptr_init(void *dynptr__uninit, void *data, uint32_t size,
			bool rdonly)
{
	return bh_dynptr_init_local(dynptr__uninit, data, size, rdonly);
}

/* ---- the kernel's internal read/write, shared by helpers and kfuncs ---- */

static int dp_read(void *dst, uint32_t len, const struct bpf_dynptr_kern *src,
		   uint32_t off, uint64_t flags)
{
	int err;

	if (!src->data || flags)
		return -EINVAL;
	err = dp_check_off_len(src, off, len);
	if (err)
		return err;
	if (!dp_linear(src))
		return -EFAULT;
	/* the two sides may overlap (two dynptrs over one map value) */
	memmove(dst, dp_at(src, off), len);
	return 0;
}

static int dp_write(const struct bpf_dynptr_kern *dst, uint32_t off,
		    const void *src, uint32_t len, uint64_t flags)
{
	int err;

	if (!dst->data || dp_rdonly(dst))
		return -EINVAL;
	err = dp_check_off_len(dst, off, len);
	if (err)
		return err;
	if (!dp_linear(dst))
		return -EFAULT;
	if (flags)
		return -EINVAL;
	memmove(dp_at(dst, off), src, len);
	return 0;
}

/* ---- helpers ---- */

static void *ptr_of(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

uint64_t bh_helper_dynptr_from_mem(uint64_t data, uint64_t size, uint64_t flags,
				   uint64_t ptr, uint64_t r5)
{
	struct bpf_dynptr *p = ptr_of(ptr);
	int err;

	(void)r5;
	if ((uint32_t)size > BH_DYNPTR_MAX_SIZE) {
		err = -E2BIG;
		goto error;
	}
	if (flags) { /* no flags are defined */
		err = -EINVAL;
		goto error;
	}
	return (uint64_t)bh_dynptr_init_local(p, ptr_of(data), (uint32_t)size,
					      false);
error:
	dp_set_null(kern(p));
	return (uint64_t)(int64_t)err;
}

/* bpf_ringbuf_reserve_dynptr: a RINGBUF dynptr over a new record, or a
 * null one (which the program must still submit or discard) */
uint64_t bh_helper_ringbuf_reserve_dynptr(uint64_t map, uint64_t size,
					  uint64_t flags, uint64_t ptr,
					  uint64_t r5)
{
	struct bpf_dynptr_kern *d = kern(ptr_of(ptr));
	void *sample;

	(void)r5;
	dp_set_null(d);
	if (flags)
		return (uint64_t)(int64_t)-EINVAL;
	/* the size is a u32, as the kernel's prototype has it */
	if ((uint32_t)size > BH_DYNPTR_MAX_SIZE)
		return (uint64_t)(int64_t)-E2BIG;
	sample = bh_ringbuf_reserve(ptr_of(map), (uint32_t)size);
	if (!sample) /* the kernel's code for a full ring here */
		return (uint64_t)(int64_t)-EINVAL;
	d->data = sample;
	d->offset = 0;
	d->size = (uint32_t)size | (uint32_t)BH_DYNPTR_TYPE_RINGBUF
					   << BH_DYNPTR_TYPE_SHIFT;
	return 0;
}

static uint64_t ringbuf_commit_dynptr(uint64_t ptr, uint64_t flags,
				      bool discard)
{
	struct bpf_dynptr_kern *d = kern(ptr_of(ptr));

	if (d->data)
		bh_ringbuf_commit(d->data, flags, discard);
	dp_set_null(d);
	return 0;
}

uint64_t bh_helper_ringbuf_submit_dynptr(uint64_t ptr, uint64_t flags,
					 uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return ringbuf_commit_dynptr(ptr, flags, false);
}

uint64_t bh_helper_ringbuf_discard_dynptr(uint64_t ptr, uint64_t flags,
					  uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return ringbuf_commit_dynptr(ptr, flags, true);
}

uint64_t bh_helper_dynptr_read(uint64_t dst, uint64_t len, uint64_t src,
			       uint64_t offset, uint64_t flags)
{
	return (uint64_t)(int64_t)dp_read(ptr_of(dst), (uint32_t)len,
					  ptr_of(src), (uint32_t)offset, flags);
}

uint64_t bh_helper_dynptr_write(uint64_t dst, uint64_t offset, uint64_t src,
				uint64_t len, uint64_t flags)
{
	return (uint64_t)(int64_t)dp_write(ptr_of(dst), (uint32_t)offset,
					   ptr_of(src), (uint32_t)len, flags);
}

uint64_t bh_helper_dynptr_data(uint64_t ptr, uint64_t offset, uint64_t len,
			       uint64_t r4, uint64_t r5)
{
	const struct bpf_dynptr_kern *d = ptr_of(ptr);

	(void)r4, (void)r5;
	if (!d->data || dp_check_off_len(d, (uint32_t)offset, (uint32_t)len))
		return 0;
	/* the helper gives writable memory only; rdonly wants a slice */
	if (dp_rdonly(d) || !dp_linear(d))
		return 0;
	return (uint64_t)(uintptr_t)dp_at(d, (uint32_t)offset);
}

/* ---- kfuncs ---- */

__bpf_kfunc_start_defs();

__bpf_kfunc void *bpf_dynptr_slice(const struct bpf_dynptr *p, uint32_t offset,
				   void *buffer__opt, uint32_t buffer__szk)
{
	const struct bpf_dynptr_kern *d = kern(p);

	/* memory is always linear here: the buffer is never needed */
	(void)buffer__opt;
	if (!d->data || dp_check_off_len(d, offset, buffer__szk) ||
	    !dp_linear(d))
		return NULL;
	return dp_at(d, offset);
}

__bpf_kfunc void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p,
					uint32_t offset, void *buffer__opt,
					uint32_t buffer__szk)
{
	const struct bpf_dynptr_kern *d = kern(p);

	if (!d->data || dp_rdonly(d))
		return NULL;
	return bpf_dynptr_slice(p, offset, buffer__opt, buffer__szk);
}

__bpf_kfunc int bpf_dynptr_adjust(const struct bpf_dynptr *p, uint32_t start,
				  uint32_t end)
{
	struct bpf_dynptr_kern *d = kern(p);
	uint32_t size;

	if (!d->data || start > end)
		return -EINVAL;
	size = dp_size(d);
	if (start > size || end > size)
		return -ERANGE;
	d->offset += start;
	d->size = (d->size & ~BH_DYNPTR_SIZE_MASK) | (end - start);
	return 0;
}

__bpf_kfunc bool bpf_dynptr_is_null(const struct bpf_dynptr *p)
{
	return !kern(p)->data;
}

__bpf_kfunc bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p)
{
	const struct bpf_dynptr_kern *d = kern(p);

	return d->data && dp_rdonly(d);
}

/* -EINVAL as a u32 for a null dynptr, as the kernel returns it */
__bpf_kfunc uint32_t bpf_dynptr_size(const struct bpf_dynptr *p)
{
	const struct bpf_dynptr_kern *d = kern(p);

	if (!d->data)
		return (uint32_t)-EINVAL;
	return dp_size(d);
}

__bpf_kfunc int bpf_dynptr_clone(const struct bpf_dynptr *p,
				 struct bpf_dynptr *clone__uninit)
{
	const struct bpf_dynptr_kern *d = kern(p);
	struct bpf_dynptr_kern *c = kern(clone__uninit);

	if (!d->data) {
		dp_set_null(c);
		return -EINVAL;
	}
	*c = *d;
	return 0;
}

/* the kernel's order of checks: direct slices first, then the slow path
 * whose errors say which side failed */
__bpf_kfunc int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, uint32_t dst_off,
				struct bpf_dynptr *src_ptr, uint32_t src_off,
				uint32_t size)
{
	const struct bpf_dynptr_kern *dst = kern(dst_ptr), *src = kern(src_ptr);
	void *s = bpf_dynptr_slice(src_ptr, src_off, NULL, size);
	void *d = bpf_dynptr_slice_rdwr(dst_ptr, dst_off, NULL, size);

	if (s && d) {
		memmove(d, s, size);
		return 0;
	}
	if (s)
		return dp_write(dst, dst_off, s, size, 0);
	if (d)
		return dp_read(d, size, src, src_off, 0);
	if (dp_check_off_len(dst, dst_off, size) ||
	    dp_check_off_len(src, src_off, size))
		return -E2BIG;
	/* both in range, neither sliceable: only a null or read-only side,
	 * which the chunked copy reports as the kernel's does */
	for (uint32_t off = 0; off < size;) {
		char buf[256];
		uint32_t n = size - off < sizeof(buf) ? size - off
						      : (uint32_t)sizeof(buf);
		int err = dp_read(buf, n, src, src_off + off, 0);

		if (!err)
			err = dp_write(dst, dst_off + off, buf, n, 0);
		if (err)
			return err;
		off += n;
	}
	return 0;
}

__bpf_kfunc int bpf_dynptr_memset(struct bpf_dynptr *p, uint32_t offset,
				  uint32_t size, uint8_t val)
{
	const struct bpf_dynptr_kern *d = kern(p);
	void *slice = bpf_dynptr_slice_rdwr(p, offset, NULL, size);
	int err;

	if (slice) {
		memset(slice, val, size);
		return 0;
	}
	if (dp_rdonly(d))
		return -EINVAL;
	err = dp_check_off_len(d, offset, size);
	if (err)
		return err;
	/* in range but not sliceable: a null dynptr (size 0) */
	return size ? dp_write(d, offset, &val, 1, 0) : 0;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bh_dynptr_kfunc_ids)
BTF_ID_FLAGS(func, bpf_dynptr_slice, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_dynptr_slice_rdwr, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_dynptr_adjust)
BTF_ID_FLAGS(func, bpf_dynptr_is_null)
BTF_ID_FLAGS(func, bpf_dynptr_is_rdonly)
BTF_ID_FLAGS(func, bpf_dynptr_size)
BTF_ID_FLAGS(func, bpf_dynptr_clone)
BTF_ID_FLAGS(func, bpf_dynptr_copy)
BTF_ID_FLAGS(func, bpf_dynptr_memset)
BTF_KFUNCS_END(bh_dynptr_kfunc_ids)

static const struct btf_kfunc_id_set bh_dynptr_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_dynptr_kfunc_ids,
};

/* common_kfunc_set in the kernel: every program type */
int bh_stdlib_dynptr_add(struct bpfhost_rt *rt)
{
	return bpfhost_kfunc_set_add(rt, "*", &bh_dynptr_kfunc_set);
}
