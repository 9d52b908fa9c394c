// SPDX-License-Identifier: BSD-2-Clause
/* CO-RE reads of test_core's host struct through a local header whose
 * layout differs (core_types.h): each program returns one value that the
 * test compares with the host's. */
#include "core_types.h"

SEC("syscall")
int read_pid(void *ctx)
{
	return core_get_task()->pid; /* 8-byte local load becomes 4 */
}

SEC("syscall")
int read_flags(void *ctx)
{
	return core_get_task()->flags;
}

SEC("syscall")
int read_comm3(void *ctx)
{
	return core_get_task()->comm[3];
}

SEC("syscall")
long read_inner_b(void *ctx)
{
	return core_get_task()->inner.b;
}

SEC("syscall")
int read_inner_a(void *ctx)
{
	return core_get_task()->inner.a;
}

SEC("syscall")
int read_parent_pid(void *ctx)
{
	return core_get_task()->parent->pid;
}

SEC("syscall")
int read_union(void *ctx)
{
	struct core_task *t = core_get_task();

	return t->u_c * 1000 + (t->u_i >> 24);
}

SEC("syscall")
int read_grid(void *ctx)
{
	return core_get_task()->grid[11];
}

SEC("syscall")
long read_pairs(void *ctx)
{
	struct core_task *t = core_get_task();

	return t->pairs[1].b + t->pairs[1].a + t->pairs[0].a * 1000;
}

SEC("syscall")
int read_tail(void *ctx)
{
	return core_get_task()->tail[2];
}

SEC("syscall")
int read_state(void *ctx)
{
	return core_get_task()->state;
}

SEC("syscall")
long read_bf_lo(void *ctx)
{
	struct core_task *t = core_get_task();

	return BPF_CORE_READ_BITFIELD(t, bf_lo);
}

SEC("syscall")
long read_bf_mid(void *ctx)
{
	struct core_task *t = core_get_task();

	return BPF_CORE_READ_BITFIELD(t, bf_mid);
}

SEC("syscall")
long read_bf_signed(void *ctx)
{
	struct core_task *t = core_get_task();

	return BPF_CORE_READ_BITFIELD(t, bf_signed);
}

SEC("syscall")
int field_offsets(void *ctx)
{
	/* offset of pid, of comm[3] and of inner.b, in bytes, packed */
	return bpf_core_field_offset(struct core_task, pid) +
	       bpf_core_field_offset(struct core_task, comm[3]) * 256 +
	       bpf_core_field_offset(struct core_task, inner.b) * 65536;
}

SEC("syscall")
int field_sizes(void *ctx)
{
	struct core_task *t = 0;

	return bpf_core_field_size(t->comm) +
	       bpf_core_field_size(t->pid) * 100 +
	       bpf_core_field_size(t->grid) * 1000 +
	       bpf_core_field_size(t->pairs[1]) * 100000;
}

SEC("syscall")
int field_signed(void *ctx)
{
	struct core_task *t = 0;

	/* bit n says whether field n is signed on the host (libbpf 1.1
	 * has no bpf_core_field_signed(): the builtin it wraps) */
	return __builtin_preserve_field_info(t->bf_signed, BPF_FIELD_SIGNED) |
	       __builtin_preserve_field_info(t->bf_mid, BPF_FIELD_SIGNED) << 1 |
	       __builtin_preserve_field_info(t->inner.a, BPF_FIELD_SIGNED) << 2 |
	       __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED) << 3;
}

SEC("syscall")
int field_exists(void *ctx)
{
	struct core_task *t = 0;
	struct core_task___v2 *t2 = 0;

	return bpf_core_field_exists(t->gone) |
	       bpf_core_field_exists(t->flags) << 1 |
	       bpf_core_field_exists(t->inner.a) << 2 |
	       bpf_core_field_exists(t2->renamed) << 3 |
	       bpf_core_field_exists(t2->pid) << 4;
}

SEC("syscall")
int flavor_pid(void *ctx)
{
	struct core_task___v2 *t2 = (void *)core_get_task();

	return t2->pid;
}

SEC("syscall")
int types_exist(void *ctx)
{
	return bpf_core_type_exists(struct core_task) |
	       bpf_core_type_exists(struct core_task___v2) << 1 |
	       bpf_core_type_exists(struct core_nothere) << 2 |
	       bpf_core_type_exists(enum core_state) << 3;
}

SEC("syscall")
int types_match(void *ctx)
{
	return bpf_core_type_matches(struct core_pair___same) |
	       bpf_core_type_matches(struct core_pair___bad) << 1 |
	       bpf_core_type_matches(struct core_inner___same) << 2 |
	       bpf_core_type_matches(struct core_task) << 3 |
	       bpf_core_type_matches(struct core_nothere) << 4 |
	       bpf_core_type_matches(enum core_state) << 5;
}

SEC("syscall")
int type_size(void *ctx)
{
	return bpf_core_type_size(struct core_task) +
	       bpf_core_type_size(struct core_inner) * 1000 +
	       bpf_core_type_size(struct core_nothere) * 100000;
}

SEC("syscall")
long type_id_local(void *ctx)
{
	return bpf_core_type_id_local(struct core_task);
}

SEC("syscall")
long type_id_target(void *ctx)
{
	return bpf_core_type_id_kernel(struct core_task);
}

SEC("syscall")
long type_id_target_missing(void *ctx)
{
	return bpf_core_type_id_kernel(struct core_nothere);
}

SEC("syscall")
int enum_values(void *ctx)
{
	return bpf_core_enum_value(enum core_state, CORE_SLEEPING) +
	       bpf_core_enum_value(enum core_state, CORE_RUNNING) * 1000;
}

SEC("syscall")
int enum_exists(void *ctx)
{
	return bpf_core_enum_value_exists(enum core_state, CORE_RUNNING) |
	       bpf_core_enum_value_exists(enum core_state, CORE_ZOMBIE) << 1 |
	       bpf_core_enum_value_exists(enum core_wide, CORE_WIDE) << 2;
}

SEC("syscall")
long enum_wide(void *ctx)
{
	return bpf_core_enum_value(enum core_wide, CORE_WIDE);
}

/* one subprogram, two copies: its record applies to each */
static __attribute__((noinline)) int sub_flags(struct core_task *t)
{
	return t->flags + t->comm[1];
}

SEC("syscall")
int sub_a(void *ctx)
{
	return sub_flags(core_get_task()) + 1000;
}

SEC("syscall")
int sub_b(void *ctx)
{
	return sub_flags(core_get_task()) + 2000;
}

char LICENSE[] SEC("license") = "GPL";
