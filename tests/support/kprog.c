// SPDX-License-Identifier: BSD-2-Clause
/* Raw programs loaded into the running kernel (kprog.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "kprog.h"

/* int f(void) as FUNCs: "main" (global), then s1.. (static) */
static int kprog_btf(struct kprog *k)
{
	struct btf *b = btf__new_empty();
	int int_id, proto, fd;
	char name[16];

	if (!b)
		return -1;
	int_id = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(b, int_id);
	for (int i = 0; i < KPROG_MAX_FUNCS; i++) {
		snprintf(name, sizeof(name), i ? "s%d" : "main", i);
		k->func_ids[i] = (uint32_t)btf__add_func(
			b, name, i ? BTF_FUNC_STATIC : BTF_FUNC_GLOBAL, proto);
	}
	if (btf__load_into_kernel(b)) {
		btf__free(b);
		return -1;
	}
	fd = dup(btf__fd(b));
	btf__free(b);
	return fd;
}

void kprog_setup(struct kprog *k, unsigned value_size,
		 const char *const *kfuncs, size_t n)
{
	struct btf *vml;

	memset(k, 0, sizeof(*k));
	k->map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fuzz_map", 4,
				   value_size, 1, NULL);
	if (k->map_fd < 0) {
		snprintf(k->why, sizeof(k->why), "bpf() refused: %s",
			 strerror(errno));
		return;
	}
	vml = btf__load_vmlinux_btf();
	if (!vml) {
		snprintf(k->why, sizeof(k->why), "no vmlinux BTF: %s",
			 strerror(errno));
		return;
	}
	for (size_t i = 0; i < n && i < KPROG_MAX_KFUNCS; i++) {
		if (!kfuncs[i])
			continue;
		k->kf_id[i] = btf__find_by_name_kind(vml, kfuncs[i],
						     BTF_KIND_FUNC);
		if (k->kf_id[i] <= 0)
			snprintf(k->why, sizeof(k->why),
				 "no %s in vmlinux BTF", kfuncs[i]);
	}
	btf__free(vml);
	k->btf_fd = kprog_btf(k);
	if (k->btf_fd < 0)
		snprintf(k->why, sizeof(k->why), "cannot load BTF: %s",
			 strerror(errno));
}

void kprog_teardown(struct kprog *k)
{
	if (k->map_fd > 0)
		close(k->map_fd);
	if (k->btf_fd > 0)
		close(k->btf_fd);
	k->map_fd = k->btf_fd = -1;
}

int kprog_load(const struct kprog *k, const struct bh_insn *insns,
	       size_t cnt, const int32_t *sub_starts, size_t nsubs, bool ret01,
	       char *log, size_t log_size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	struct bpf_func_info fi[KPROG_MAX_FUNCS];
	enum bpf_prog_type type = BPF_PROG_TYPE_SOCKET_FILTER;
	struct bpf_insn *ki = calloc(cnt ? cnt : 1, sizeof(*ki));
	int fd;

	if (!ki)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		ki[i].code = insns[i].code;
		ki[i].dst_reg = insns[i].dst_reg;
		ki[i].src_reg = insns[i].src_reg;
		ki[i].off = insns[i].off;
		ki[i].imm = insns[i].imm;
		if (ki[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
		    ki[i].src_reg == BPF_PSEUDO_MAP_VALUE)
			ki[i].imm = k->map_fd;
		if (ki[i].code == (BPF_JMP | BPF_CALL) &&
		    ki[i].src_reg == BPF_PSEUDO_KFUNC_CALL) {
			ki[i].imm = ki[i].imm >= 0 &&
						    ki[i].imm < KPROG_MAX_KFUNCS
					    ? k->kf_id[ki[i].imm]
					    : 0;
			ki[i].off = 0;
		}
	}
	if (nsubs) {
		if (nsubs >= KPROG_MAX_FUNCS) {
			free(ki);
			return -1;
		}
		fi[0].insn_off = 0;
		fi[0].type_id = k->func_ids[0];
		for (size_t i = 0; i < nsubs; i++) {
			fi[i + 1].insn_off = (uint32_t)sub_starts[i];
			fi[i + 1].type_id = k->func_ids[i + 1];
		}
		o.prog_btf_fd = k->btf_fd;
		o.func_info = fi;
		o.func_info_cnt = (uint32_t)nsubs + 1;
		o.func_info_rec_size = sizeof(fi[0]);
	}
	if (ret01) {
		type = BPF_PROG_TYPE_CGROUP_SKB;
		o.expected_attach_type = BPF_CGROUP_INET_INGRESS;
	}
	if (log && log_size) {
		log[0] = '\0';
		o.log_buf = log;
		o.log_size = (unsigned)log_size;
		/* KPROG_LOG2 set: the whole level-2 log (investigations) */
		o.log_level = getenv("KPROG_LOG2") ? 2 : 1;
	}
	fd = bpf_prog_load(type, "fuzz", "GPL", ki, cnt, &o);
	free(ki);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return 0;
}

const char *kprog_log_msg(char *log)
{
	char *end = log + strlen(log), *p;

	while (end > log) {
		while (end > log && end[-1] == '\n')
			*--end = '\0';
		p = end;
		while (p > log && p[-1] != '\n')
			p--;
		if (strncmp(p, "processed ", 10) &&
		    strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11))
			return p;
		end = p;
	}
	return "(no log)";
}
