// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kfunc examples of the kernel's Documentation/bpf/kfuncs.rst, as a
 * kernel developer writes them: a wrapper kfunc, a __sz annotated kfunc,
 * and an acquire/release set registered from an initcall.  Below the
 * marker line the code is the documentation's, unchanged.
 */
#include "kernel_standins.h"

static struct pid seed_pid = { 42, 1 };
static struct task_struct seed_task = { 42, &seed_pid, "seed" };

struct task_struct *find_get_task_by_vpid(pid_t nr)
{
	return nr == seed_task.pid ? &seed_task : NULL;
}

struct task_struct *find_task_by_pid_ns(pid_t nr, void *ns)
{
	(void)ns;
	return find_get_task_by_vpid(nr);
}

struct pid *get_task_pid(struct task_struct *task, enum pid_type type)
{
	(void)type;
	task->thread_pid->count++;
	return task->thread_pid;
}

void put_pid(struct pid *pid)
{
	pid->count--;
}

/* ---- from kfuncs.rst, unchanged ---- */

__bpf_kfunc_start_defs();

__bpf_kfunc struct task_struct *bpf_find_get_task_by_vpid(pid_t nr)
{
        return find_get_task_by_vpid(nr);
}

__bpf_kfunc_end_defs();

__bpf_kfunc void bpf_memzero(void *mem, int mem__sz)
{
        memset(mem, 0, mem__sz);
}

__bpf_kfunc_start_defs();

__bpf_kfunc struct pid *bpf_get_task_pid(s32 pid)
{
        struct task_struct *task;
        struct pid *p;

        rcu_read_lock();
        task = find_task_by_pid_ns(pid, NULL);
        if (!task) {
                rcu_read_unlock();
                return NULL;
        }
        p = get_task_pid(task, PIDTYPE_PID);
        rcu_read_unlock();
        return p;
}

__bpf_kfunc void bpf_put_pid(struct pid *p)
{
        put_pid(p);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bpf_task_set)
BTF_ID_FLAGS(func, bpf_get_task_pid, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_put_pid, KF_RELEASE)
BTF_KFUNCS_END(bpf_task_set)

static const struct btf_kfunc_id_set bpf_task_kfunc_set = {
        .owner = THIS_MODULE,
        .set   = &bpf_task_set,
};

static int init_subsystem(void)
{
        return register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &bpf_task_kfunc_set);
}
late_initcall(init_subsystem);
