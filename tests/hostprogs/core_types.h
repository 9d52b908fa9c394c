/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The program's view of test_core's host types, as a vmlinux.h from an
 * older or newer "kernel" would declare them: fields reordered, resized
 * (pid is 64-bit here, 32-bit on the host), an array shorter, a field the
 * host lacks (gone), enum values that differ, an enumerator the host lacks.
 * Every access is relocated (preserve_access_index), so what the programs
 * read must be the host's layout, never this one.
 */
#ifndef CORE_TYPES_H
#define CORE_TYPES_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __core __attribute__((preserve_access_index))

enum core_state { CORE_RUNNING = 1, CORE_SLEEPING = 2, CORE_ZOMBIE = 3 };
enum core_wide { CORE_WIDE = 0x100000000ULL };

struct core_inner {
	long long b;
	short a;
} __core;

struct core_task {
	unsigned long long pid; /* host: unsigned int */
	char comm[8];		/* host: char[16] */
	struct core_inner inner;
	int flags;
	struct core_task *parent;
	unsigned int bf_mid : 10;
	int bf_signed : 5;
	unsigned int bf_lo : 3;
	int gone; /* not on the host */
	enum core_state state;
	union {
		char u_c;
		int u_i;
	};
	/* pahole writes the host's int grid[3][4] as int[12], as vmlinux
	 * BTF has it; a header generated from it says so */
	int grid[12];
	struct core_inner pairs[2];
	long small; /* host: short, signed: cannot be resized */
	int tail[];
} __core;

/* flavors: the same host type under other local names */
struct core_task___v2 {
	unsigned int pid;
	int renamed; /* not on the host */
} __core;

/* for TYPE_MATCHES: a subset of the host's members, in another order */
struct core_pair___same {
	unsigned int y;
	int x;
	struct core_task *owner;
};

struct core_pair___bad {
	unsigned int x; /* host: int (signedness must agree) */
};

/* matches in layout, but gcc names the host's ints "short int" and
 * "long long int", clang "short" and "long long": libbpf's TYPE_MATCHES
 * compares names, so against a gcc-built host this does not match */
struct core_inner___same {
	short a;
	long long b;
};

struct core_nothere {
	int x;
};

extern struct core_task *core_get_task(void) __ksym;

#endif
