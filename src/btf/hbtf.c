// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host BTF sources: loading raw BTF, ELF .BTF sections, the running
 * process and the BTF built into libbpfhost, and looking names up in them.
 *
 * Invariant: a source, once added, keeps its index and its struct btf for
 * the life of the bh_hbtf, so (src, id) pairs handed out stay valid.  Every
 * BTF is validated (bh_btf_validate) before it becomes a source, so the
 * rest of src/btf may follow type ids without range checks beyond libbpf's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf/hbtf.h"
#include "btf/hbtf_internal.h"

/* A BTF file larger than this is not a host's BTF but an attack or an
 * accident; libbpf takes sizes as u32 anyway. */
#define BH_BTF_MAX_SIZE (512u << 20)

int bh_btf_errf(char *err, size_t errsz, int e, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -e;
}

struct bh_hbtf *bh_hbtf_new(void)
{
	return calloc(1, sizeof(struct bh_hbtf));
}

void bh_hbtf_free(struct bh_hbtf *h)
{
	if (!h)
		return;
	/* A split source points into its base: free newest first. */
	for (size_t i = h->cnt; i-- > 0;) {
		btf__free(h->srcs[i].btf);
		free(h->srcs[i].origin);
	}
	free(h->srcs);
	free(h);
}

const struct btf *bh_hbtf_btf(const struct bh_hbtf *h, uint32_t src)
{
	if (!h || src >= h->cnt)
		return NULL;
	return h->srcs[src].btf;
}

static int find_origin(const struct bh_hbtf *h, const char *origin)
{
	for (size_t i = 0; i < h->cnt; i++)
		if (!strcmp(h->srcs[i].origin, origin))
			return (int)i;
	return -1;
}

/* Takes ownership of btf (freed on failure). */
static int push_src(struct bh_hbtf *h, const char *origin, struct btf *btf,
		    int base, char *err, size_t errsz)
{
	struct bh_btf_src *n;
	char *o;

	if (h->cnt >= INT_MAX)
		goto nomem;
	o = strdup(origin);
	n = realloc(h->srcs, (h->cnt + 1) * sizeof(*n));
	if (!o || !n) {
		free(o);
		if (n)
			h->srcs = n;
		goto nomem;
	}
	h->srcs = n;
	h->srcs[h->cnt] = (struct bh_btf_src){o, btf, base};
	return (int)h->cnt++;
nomem:
	btf__free(btf);
	return bh_btf_errf(err, errsz, ENOMEM, "%s: out of memory", origin);
}

/*
 * libbpf's own header checks only say "-EINVAL"; check the header here so
 * the message can say what is wrong with which file.
 */
static int check_header(const void *data, size_t size, const char *origin,
			char *err, size_t errsz)
{
	struct btf_header hdr;
	uint64_t end;

	if (size < sizeof(hdr))
		return bh_btf_errf(
			err, errsz, EINVAL,
			"%s: BTF truncated: %zu bytes, header needs %zu",
			origin, size, sizeof(hdr));
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic == 0x9feb)
		return bh_btf_errf(err, errsz, EINVAL,
				   "%s: BTF of the other byte order", origin);
	if (hdr.magic != BTF_MAGIC)
		return bh_btf_errf(err, errsz, EINVAL,
				   "%s: bad BTF magic 0x%04x", origin,
				   hdr.magic);
	if (hdr.version != BTF_VERSION || hdr.flags)
		return bh_btf_errf(err, errsz, EINVAL,
				   "%s: unsupported BTF version %u flags 0x%x",
				   origin, hdr.version, hdr.flags);
	if (hdr.hdr_len < sizeof(hdr) || hdr.hdr_len > size)
		return bh_btf_errf(
			err, errsz, EINVAL,
			"%s: BTF header length %u invalid for %zu bytes",
			origin, hdr.hdr_len, size);
	end = (uint64_t)hdr.hdr_len + hdr.str_off + hdr.str_len;
	if ((uint64_t)hdr.type_off + hdr.type_len > hdr.str_off || end > size ||
	    hdr.type_off % 4)
		return bh_btf_errf(
			err, errsz, EINVAL,
			"%s: BTF header claims types at %u+%u and strings at "
			"%u+%u, file has %zu bytes after a %u-byte header",
			origin, hdr.type_off, hdr.type_len, hdr.str_off,
			hdr.str_len, size - hdr.hdr_len, hdr.hdr_len);
	return 0;
}

/*
 * libbpf 1.1 declares btf__new_split() but does not export it; its
 * exported btf__parse_raw_split() reads a path, so the bytes (already
 * checked) go through an anonymous memory file.
 */
static struct btf *new_split(const void *data, size_t size, struct btf *base)
{
	char path[64];
	struct btf *btf = NULL;
	int fd = memfd_create("bh-split-btf", MFD_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		btf = btf__parse_raw_split(path, base);
	} else {
		errno = EIO;
	}
	close(fd);
	return btf;
}

/* Parse and validate; the caller adds it.  NULL with err set on failure. */
static struct btf *parse_btf(const struct bh_hbtf *h, const void *data,
			     size_t size, int base, const char *origin,
			     int *ret, char *err, size_t errsz)
{
	struct btf *btf;
	int e;

	*ret = check_header(data, size, origin, err, errsz);
	if (*ret)
		return NULL;
	if (size > BH_BTF_MAX_SIZE) {
		*ret = bh_btf_errf(err, errsz, EFBIG,
				   "%s: BTF of %zu bytes is too large", origin,
				   size);
		return NULL;
	}
	if (base >= 0)
		btf = new_split(data, size, h->srcs[base].btf);
	else
		btf = btf__new(data, size);
	if (!btf) {
		e = errno ? errno : EINVAL;
		*ret = bh_btf_errf(err, errsz, e, "%s: malformed BTF: %s",
				   origin, strerror(e));
		return NULL;
	}
	*ret = bh_btf_validate(btf, origin, err, errsz);
	if (*ret) {
		btf__free(btf);
		return NULL;
	}
	return btf;
}

static int add_bytes(struct bh_hbtf *h, const void *data, size_t size, int base,
		     const char *origin, char *err, size_t errsz)
{
	struct btf *btf;
	int ret;

	btf = parse_btf(h, data, size, base, origin, &ret, err, errsz);
	if (!btf)
		return ret;
	return push_src(h, origin, btf, base, err, errsz);
}

int bh_hbtf_add_raw(struct bh_hbtf *h, const void *data, size_t size,
		    const char *origin, char *err, size_t errsz)
{
	int i;

	if (!h || !data || !origin)
		return bh_btf_errf(err, errsz, EINVAL,
				   "add_raw: bad arguments");
	i = find_origin(h, origin);
	if (i >= 0)
		return i;
	return add_bytes(h, data, size, -1, origin, err, errsz);
}

/*
 * The .BTF section of an open ELF file: 0 with data and size set, 1 when
 * the file has no .BTF, -errno for a malformed file.
 */
static int elf_btf_section(Elf *elf, const char *path, const void **data,
			   size_t *size, char *err, size_t errsz)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_kind(elf) != ELF_K_ELF)
		return bh_btf_errf(err, errsz, EINVAL, "%s: not an ELF file",
				   path);
	if (elf_getshdrstrndx(elf, &shstrndx))
		return bh_btf_errf(err, errsz, EINVAL,
				   "%s: bad ELF section headers: %s", path,
				   elf_errmsg(-1));
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			return bh_btf_errf(err, errsz, EINVAL,
					   "%s: bad ELF section header: %s",
					   path, elf_errmsg(-1));
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".BTF"))
			continue;
		if (sh.sh_type == SHT_NOBITS || (sh.sh_flags & SHF_COMPRESSED))
			return bh_btf_errf(err, errsz, EINVAL,
					   "%s: .BTF section is %s", path,
					   sh.sh_type == SHT_NOBITS
						   ? "empty (NOBITS)"
						   : "compressed");
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			return bh_btf_errf(err, errsz, EINVAL,
					   "%s: cannot read .BTF section: %s",
					   path, elf_errmsg(-1));
		*data = d->d_buf;
		*size = d->d_size;
		return 0;
	}
	return 1;
}

/*
 * Add the BTF of the file at path (already resolved to origin).
 * missing_ok: an ELF file without .BTF adds nothing and returns -ENOENT
 * without a message (the process scan skips such files).
 */
static int add_path(struct bh_hbtf *h, const char *path, const char *origin,
		    int base, bool missing_ok, char *err, size_t errsz)
{
	unsigned char magic[4];
	struct stat st;
	const void *data = NULL;
	size_t size = 0;
	Elf *elf = NULL;
	void *buf = NULL;
	int fd, ret;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bh_btf_errf(err, errsz, errno, "%s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		ret = bh_btf_errf(err, errsz, EINVAL, "%s: not a regular file",
				  path);
		goto out;
	}
	n = pread(fd, magic, sizeof(magic), 0);
	if (n >= 2 && magic[0] == 0x9f && magic[1] == 0xeb) {
		/* Raw BTF (little-endian magic 0xeB9F). */
		if ((uint64_t)st.st_size > BH_BTF_MAX_SIZE) {
			ret = bh_btf_errf(err, errsz, EFBIG,
					  "%s: BTF file too large", path);
			goto out;
		}
		size = (size_t)st.st_size;
		buf = malloc(size ? size : 1);
		if (!buf) {
			ret = bh_btf_errf(err, errsz, ENOMEM,
					  "%s: out of memory", path);
			goto out;
		}
		n = pread(fd, buf, size, 0);
		if (n < 0 || (size_t)n != size) {
			ret = bh_btf_errf(err, errsz, EIO, "%s: short read",
					  path);
			goto out;
		}
		ret = add_bytes(h, buf, size, base, origin, err, errsz);
		goto out;
	}
	if (n != 4 || memcmp(magic, ELFMAG, SELFMAG)) {
		ret = bh_btf_errf(err, errsz, EINVAL,
				  "%s: neither a raw BTF nor an ELF file",
				  path);
		goto out;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		ret = bh_btf_errf(err, errsz, EINVAL, "libelf: %s",
				  elf_errmsg(-1));
		goto out;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		ret = bh_btf_errf(err, errsz, EINVAL, "%s: cannot read ELF: %s",
				  path, elf_errmsg(-1));
		goto out;
	}
	ret = elf_btf_section(elf, path, &data, &size, err, errsz);
	if (ret == 1) {
		if (missing_ok)
			ret = -ENOENT;
		else
			ret = bh_btf_errf(err, errsz, ENOENT,
					  "%s: no .BTF section (build with -g, "
					  "then run pahole -J on it)",
					  path);
	} else if (ret == 0) {
		ret = add_bytes(h, data, size, base, origin, err, errsz);
	}
out:
	if (elf)
		elf_end(elf);
	free(buf);
	close(fd);
	return ret;
}

int bh_hbtf_add_file(struct bh_hbtf *h, const char *path, int base, char *err,
		     size_t errsz)
{
	char *real;
	int ret;

	if (!h || !path)
		return bh_btf_errf(err, errsz, EINVAL,
				   "add_file: bad arguments");
	if (base >= 0 && (size_t)base >= h->cnt)
		return bh_btf_errf(err, errsz, EINVAL,
				   "%s: base source %d does not exist", path,
				   base);
	/* libbpf 1.1 gets string offsets wrong two levels deep (it ignores
	 * the base's own base), so only one level of split is supported. */
	if (base >= 0 && h->srcs[base].base >= 0)
		return bh_btf_errf(err, errsz, ENOTSUP,
				   "%s: base source %d is itself split BTF",
				   path, base);
	/* Origins are real paths so find_func can match them to dladdr(). */
	real = realpath(path, NULL);
	ret = find_origin(h, real ? real : path);
	if (ret < 0)
		ret = add_path(h, path, real ? real : path,
			       base < 0 ? -1 : base, false, err, errsz);
	free(real);
	return ret;
}

struct self_scan {
	struct bh_hbtf *h;
	char *err;
	size_t errsz;
	int added;
	int ret;
};

/* Add path if it carries .BTF; 0 when added or skipped, -errno on error. */
static int self_add(struct self_scan *s, const char *path)
{
	char *real = realpath(path, NULL);
	int ret;

	/* The vDSO and deleted files have no path to read: nothing to add. */
	if (!real)
		return 0;
	if (find_origin(s->h, real) >= 0) {
		free(real);
		return 0;
	}
	ret = add_path(s->h, real, real, -1, true, s->err, s->errsz);
	free(real);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	s->added++;
	return 0;
}

static int self_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct self_scan *s = ctx;

	(void)size;
	/* The executable has an empty name here; it was read from
	 * /proc/self/exe already. */
	if (!info->dlpi_name || !info->dlpi_name[0])
		return 0;
	s->ret = self_add(s, info->dlpi_name);
	return s->ret ? 1 : 0;
}

int bh_hbtf_add_self(struct bh_hbtf *h, char *err, size_t errsz)
{
	struct self_scan s = {h, err, errsz, 0, 0};

	if (!h)
		return bh_btf_errf(err, errsz, EINVAL,
				   "add_self: bad arguments");
	s.ret = self_add(&s, "/proc/self/exe");
	if (!s.ret)
		dl_iterate_phdr(self_cb, &s);
	return s.ret ? s.ret : s.added;
}

int bh_hbtf_add_embedded(struct bh_hbtf *h, char *err, size_t errsz)
{
	static const char origin[] = "libbpfhost";
	struct btf *btf;
	int i;

	if (!h)
		return bh_btf_errf(err, errsz, EINVAL,
				   "add_embedded: bad arguments");
	i = find_origin(h, origin);
	if (i >= 0)
		return i;
	if (bh_embedded_btf_len)
		return add_bytes(h, bh_embedded_btf, bh_embedded_btf_len, -1,
				 origin, err, errsz);
	/* Built without BTF (no built-in kfuncs or no pahole): an empty
	 * source still takes index 0 so the numbering stays the same. */
	btf = btf__new_empty();
	if (!btf)
		return bh_btf_errf(err, errsz, ENOMEM, "%s: out of memory",
				   origin);
	return push_src(h, origin, btf, -1, err, errsz);
}

/* A type of btf's own (not its base's) with this name and kind, or 0. */
static uint32_t find_own(const struct btf *btf, const char *name, int kind)
{
	const struct btf *base = btf__base_btf(btf);
	uint32_t cnt = btf__type_cnt(btf);

	for (uint32_t id = base ? btf__type_cnt(base) : 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *n;

		if (!t || BTF_INFO_KIND(t->info) != (uint32_t)kind)
			continue;
		n = btf__name_by_offset(btf, t->name_off);
		if (n && !strcmp(n, name))
			return id;
	}
	return 0;
}

int bh_hbtf_find_func(const struct bh_hbtf *h, const char *name,
		      const void *addr, struct bh_btf_ref *out)
{
	long first = -1;
	uint32_t id;

	if (!h || !name || !out)
		return -EINVAL;
	if (addr) {
		uintptr_t bias;
		char *file = bh_addr_file(addr, &bias);

		if (file)
			first = find_origin(h, file);
		free(file);
	}
	if (first >= 0) {
		id = find_own(h->srcs[first].btf, name, BTF_KIND_FUNC);
		if (id) {
			*out = (struct bh_btf_ref){(uint32_t)first, id};
			return 0;
		}
	}
	for (size_t i = 0; i < h->cnt; i++) {
		if ((long)i == first)
			continue;
		id = find_own(h->srcs[i].btf, name, BTF_KIND_FUNC);
		if (id) {
			*out = (struct bh_btf_ref){(uint32_t)i, id};
			return 0;
		}
	}
	return -ENOENT;
}

int bh_hbtf_find_type(const struct bh_hbtf *h, const char *name, int kind,
		      struct bh_btf_ref *out)
{
	if (!h || !name || !out)
		return -EINVAL;
	for (size_t i = 0; i < h->cnt; i++) {
		uint32_t id = find_own(h->srcs[i].btf, name, kind);

		if (id) {
			*out = (struct bh_btf_ref){(uint32_t)i, id};
			return 0;
		}
	}
	return -ENOENT;
}
