// SPDX-License-Identifier: BSD-2-Clause
/*
 * Symbol check: does a host-supplied (name, address) pair really name the
 * same function?  A kfunc's BTF comes from its name, its code from its
 * address; if the two disagree the verifier would type-check one function
 * and the program would call another.
 *
 * The answer comes from the ELF symbol table of the file mapped at the
 * address, read afresh on every call (no cache, no global state): ELF
 * addresses plus the load bias the dynamic linker chose (link_map.l_addr,
 * which is 0 for a non-PIE executable and the slide for PIE and shared
 * objects alike).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf/hbtf.h"
#include "btf/hbtf_internal.h"

char *bh_addr_file(const void *addr, uintptr_t *bias)
{
	struct link_map *lm = NULL;
	Dl_info info;

	if (!dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		return NULL;
	*bias = lm->l_addr;
	/* dladdr reports argv[0] for the executable, which need not be a
	 * path at all. */
	if (!lm->l_name || !lm->l_name[0])
		return realpath("/proc/self/exe", NULL);
	return realpath(lm->l_name, NULL);
}

/* .symtab if there is one, else .dynsym (which lacks hidden and static
 * functions), else NULL. */
static Elf_Scn *find_symtab(Elf *elf, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr sh, dynsh;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return NULL;
		if (sh.sh_type == SHT_SYMTAB) {
			*out = sh;
			return scn;
		}
		if (sh.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dynsh = sh;
		}
	}
	if (dyn)
		*out = dynsh;
	return dyn;
}

struct sym_search {
	const char *name;
	GElf_Addr target;
	bool name_found;
	bool match;
	GElf_Addr name_at;
	const char *exact;  /* function starting at target */
	const char *inside; /* function whose body holds target */
	GElf_Addr inside_off;
};

static int scan_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			struct sym_search *s)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t ent = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);

	if (!d || !ent)
		return -EINVAL;
	for (size_t i = 0; i < d->d_size / ent; i++) {
		GElf_Sym sym;
		const char *n;

		if (!gelf_getsym(d, (int)i, &sym))
			return -EINVAL;
		/* IFUNC symbols name a resolver, not the function called. */
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		n = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!n)
			continue;
		if (!strcmp(n, s->name)) {
			s->name_found = true;
			s->name_at = sym.st_value;
			if (sym.st_value == s->target) {
				s->match = true;
				return 0;
			}
		}
		if (sym.st_value == s->target) {
			if (!s->exact)
				s->exact = n;
		} else if (sym.st_value < s->target &&
			   s->target - sym.st_value < sym.st_size &&
			   !s->inside) {
			s->inside = n;
			s->inside_off = s->target - sym.st_value;
		}
	}
	return 0;
}

int bh_sym_check(const char *name, const void *addr, char *err, size_t errsz)
{
	struct sym_search s = {.name = name};
	uintptr_t bias = 0, a = (uintptr_t)addr;
	char *file;
	Elf *elf = NULL;
	Elf_Scn *scn;
	GElf_Shdr sh;
	int fd, ret;

	if (!name || !addr)
		return bh_btf_errf(err, errsz, EINVAL,
				   "sym_check: bad arguments");
	file = bh_addr_file(addr, &bias);
	if (!file)
		return bh_btf_errf(
			err, errsz, EINVAL,
			"kfunc '%s': address %#lx is in no loaded file", name,
			(unsigned long)a);
	s.target = a - bias;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = bh_btf_errf(err, errsz, errno, "kfunc '%s': %s: %s", name,
				  file, strerror(errno));
		goto out;
	}
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    !(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) ||
	    elf_kind(elf) != ELF_K_ELF) {
		ret = bh_btf_errf(err, errsz, EINVAL,
				  "kfunc '%s': %s: cannot read ELF: %s", name,
				  file, elf_errmsg(-1));
		goto out;
	}
	scn = find_symtab(elf, &sh);
	if (!scn) {
		ret = 1;
		goto out;
	}
	if (scan_symbols(elf, scn, &sh, &s)) {
		ret = bh_btf_errf(err, errsz, EINVAL,
				  "kfunc '%s': %s: bad symbol table: %s", name,
				  file, elf_errmsg(-1));
		goto out;
	}
	if (s.match) {
		ret = 0;
	} else if (!s.name_found) {
		/* .dynsym lists exported functions only: absence proves
		 * nothing there. */
		if (sh.sh_type == SHT_DYNSYM)
			ret = 1;
		else
			ret = bh_btf_errf(err, errsz, ENOENT,
					  "kfunc '%s': no function '%s' in %s",
					  name, name, file);
	} else if (s.exact) {
		ret = bh_btf_errf(err, errsz, EINVAL,
				  "kfunc '%s': address %#lx is '%s' in %s",
				  name, (unsigned long)a, s.exact, file);
	} else if (s.inside) {
		ret = bh_btf_errf(err, errsz, EINVAL,
				  "kfunc '%s': address %#lx is '%s'+%#lx in %s",
				  name, (unsigned long)a, s.inside,
				  (unsigned long)s.inside_off, file);
	} else {
		ret = bh_btf_errf(err, errsz, EINVAL,
				  "kfunc '%s': address %#lx is no function in "
				  "%s ('%s' is at %#lx)",
				  name, (unsigned long)a, file, name,
				  (unsigned long)(s.name_at + bias));
	}
out:
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	free(file);
	return ret;
}
