// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stack-slot liveness in state pruning (Linux 6.18's liveness.c): 24
 * branches each leave a stack pointer or a scalar in a slot of their own.
 * When nothing reads those slots again the paths are equal where they
 * join and the program is verified in linear time; compared byte for
 * byte they would stay apart (2^24 paths, past the 1M insn limit).  A
 * slot read at the end keeps its two paths apart, and the one holding a
 * scalar is caught dereferencing it; so is one a subprogram reads
 * through a pointer to the caller's stack, while the slots it is not
 * given stay dead.
 */
// EXPECT(dead_slots): ACCEPT
// RETVAL(dead_slots): 0
// EXPECT(dead_after_overwrite): ACCEPT
// RETVAL(dead_after_overwrite): 7
// EXPECT(live_slot_read): REJECT R1 invalid mem access 'scalar'
// RETVAL(live_slot_read): none
// EXPECT(dead_slots_callee): ACCEPT
// RETVAL(dead_slots_callee): 5
// EXPECT(live_slot_callee_reads): REJECT R1 invalid mem access 'scalar'
// RETVAL(live_slot_callee_reads): none
#include "k_common.h"

/* a coin flip, then fp-off holds r6 (a stack pointer) or the scalar 0 */
#define SPLIT(off)                                                     \
	"call %[bpf_get_prandom_u32];"                                 \
	"if r0 > 0x7fffffff goto 1f;"                                  \
	"*(u64 *)(r10 - " #off ") = r6;"                               \
	"goto 2f;"                                                     \
	"1: *(u64 *)(r10 - " #off ") = 0;"                             \
	"2:"

#define SPLITS                                                         \
	SPLIT(8) SPLIT(16) SPLIT(24) SPLIT(32) SPLIT(40) SPLIT(48)      \
	SPLIT(56) SPLIT(64) SPLIT(72) SPLIT(80) SPLIT(88) SPLIT(96)    \
	SPLIT(104) SPLIT(112) SPLIT(120) SPLIT(128) SPLIT(136)         \
	SPLIT(144) SPLIT(152) SPLIT(160) SPLIT(168) SPLIT(176)         \
	SPLIT(184) SPLIT(192)

SEC("syscall")
__naked int dead_slots(void)
{
	asm volatile("r6 = r10;"
		     "r6 += -256;"
		     SPLITS
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

/* fp-8 is written whole before it is read: dead at every join */
SEC("syscall")
__naked int dead_after_overwrite(void)
{
	asm volatile("r6 = r10;"
		     "r6 += -256;"
		     SPLITS
		     "r1 = 7;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

/* fp-8 is read and dereferenced: live, so the path leaving 0 there is
 * not pruned */
SEC("syscall")
__naked int live_slot_read(void)
{
	asm volatile("r6 = r10;"
		     "r6 += -256;"
		     "r1 = 0;"
		     "*(u64 *)(r10 - 256) = r1;"
		     SPLITS
		     "r1 = *(u64 *)(r10 - 8);"
		     "r0 = *(u8 *)(r1 + 0);"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

/* *(u64 *)r1 = 5, then returns the u64 at r1 + r2 */
static __naked __noinline __attribute__((used)) int store_then_load(void)
{
	asm volatile("r3 = 5;"
		     "*(u64 *)(r1 + 0) = r3;"
		     "r1 += r2;"
		     "r0 = *(u64 *)(r1 + 0);"
		     "exit;" ::: __clobber_all);
}

/* returns the byte the pointer in *(u64 *)r1 points to */
static __naked __noinline __attribute__((used)) int load_through(void)
{
	asm volatile("r1 = *(u64 *)(r1 + 0);"
		     "r0 = *(u8 *)(r1 + 0);"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

/* the callee writes and reads fp-200 only: the split slots stay dead */
SEC("syscall")
__naked int dead_slots_callee(void)
{
	asm volatile("r6 = r10;"
		     "r6 += -256;"
		     SPLITS
		     "r1 = r10;"
		     "r1 += -200;"
		     "r2 = 0;"
		     "call store_then_load;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

/* the callee loads fp-8 of its caller and dereferences it */
SEC("syscall")
__naked int live_slot_callee_reads(void)
{
	asm volatile("r6 = r10;"
		     "r6 += -256;"
		     "r1 = 0;"
		     "*(u64 *)(r10 - 256) = r1;"
		     SPLITS
		     "r1 = r10;"
		     "r1 += -8;"
		     "call load_through;"
		     "r0 = 0;"
		     "exit;"
		     :
		     : __imm(bpf_get_prandom_u32)
		     : __clobber_all);
}

char _license[] SEC("license") = "GPL";
