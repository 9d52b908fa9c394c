/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Stand-ins for the kernel definitions the Documentation/bpf/kfuncs.rst
 * examples use (task_struct, pid, find_get_task_by_vpid, ...), so that the
 * examples in kfuncs_rst.c compile unchanged against bpfhost/kfunc.h.
 */
#ifndef SEED_KERNEL_STANDINS_H
#define SEED_KERNEL_STANDINS_H

#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <bpfhost/kfunc.h>

typedef int32_t s32;
typedef uint32_t u32;

struct pid {
	int nr;
	int count;
};

struct task_struct {
	pid_t pid;
	struct pid *thread_pid;
	char comm[16];
};

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID };

struct task_struct *find_get_task_by_vpid(pid_t nr);
struct task_struct *find_task_by_pid_ns(pid_t nr, void *ns);
struct pid *get_task_pid(struct task_struct *task, enum pid_type type);
void put_pid(struct pid *pid);

#define rcu_read_lock()
#define rcu_read_unlock()
#define WARN_ON_ONCE(x) (x)

#endif
