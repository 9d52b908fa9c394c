/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the k_*.bpf.c verifier corpus: the inline-asm helpers for programs C cannot express (__naked functions whose
 * bodies are raw BPF assembly, as the kernel selftests write them).
 *
 * Every k_ file states its kernel verdict per program:
 *   // EXPECT: ACCEPT              // EXPECT(prog): REJECT <log substring>
 * and RETVAL lines for the accepted ones; test_kernel_oracle checks them
 * against the running kernel, the corpus test against bpfhost.
 */
#ifndef K_COMMON_H
#define K_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* bpf_iter_num, its kfuncs and bpf_for/bpf_repeat come from the repo's
 * include/bpf/bpf_helpers.h (libbpf 1.1's headers predate them) */

#define __naked __attribute__((naked))
#define __noinline __attribute__((noinline))
#define __imm(name) [name] "i"(name)
#define __imm_const(name, expr) [name] "i"(expr)
#define __imm_addr(name) [name] "i"(&name)
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"

/*
 * Asm prologue: r0 = bpf_map_lookup_elem(&map, &(u32){0}), the key at fp-4.
 * The map must be passed as __imm_addr(map), the helper as
 * __imm(bpf_map_lookup_elem).
 */
#define K_LOOKUP_KEY0(map)                                                    \
	"r1 = 0;"                                                             \
	"*(u32 *)(r10 - 4) = r1;"                                             \
	"r2 = r10;"                                                           \
	"r2 += -4;"                                                           \
	"r1 = %[" #map "] ll;"                                                \
	"call %[bpf_map_lookup_elem];"

/* a 64-byte array map value, one entry, for the asm programs */
#define K_ARRAY_MAP(name)                                                     \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_ARRAY);                             \
		__uint(max_entries, 1);                                       \
		__type(key, __u32);                                           \
		__type(value, struct k_val);                                  \
	} name SEC(".maps")

struct k_val {
	__u64 v[8];
};

#endif
