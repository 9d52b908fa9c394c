// SPDX-License-Identifier: BSD-2-Clause
/*
 * The host's processes as the kernel's struct task_struct, the task
 * kfuncs and the helpers about the calling thread:
 *   - bpf_task_from_pid, bpf_task_from_vpid, bpf_task_acquire,
 *     bpf_task_release (and bpf_task_release_dtor), with the flags of the
 *     kernel's generic set (tracing, syscall);
 *   - bpf_iter_task_new/next/destroy over /proc, with the kernel's flags
 *     (BPF_TASK_ITER_ALL_PROCS, _ALL_THREADS, _PROC_THREADS) and order:
 *     the idle task (pid 0) first, then by pid;
 *   - bpf_get_current_pid_tgid, bpf_get_current_comm,
 *     bpf_get_current_task(_btf) and bpf_get_current_cgroup_id;
 *   - bpf_send_signal_task: a signal to the task's thread (PIDTYPE_PID) or
 *     process (PIDTYPE_TGID) with value as its si_value, queued with
 *     rt_tgsigqueueinfo(2) / rt_sigqueueinfo(2) (si_code SI_QUEUE: a user
 *     process cannot send the kernel's SI_KERNEL); -EINVAL for other pid
 *     types or a bad signal, -EPERM for kernel threads, exiting tasks and
 *     init (pid 1), -ESRCH for a task that is gone, as the kernel answers.
 *
 * A task is built from /proc/<pid>/stat, status and cgroup when first
 * looked up and is a snapshot of that moment (task.h).  Pids are those of
 * our /proc: in a pid namespace, bpf_task_from_pid and bpf_task_from_vpid
 * both see the namespace's pids.  The idle task (pid 0, "swapper/0", its
 * own parent) ends every real_parent chain as init_task does; like the
 * kernel's, it cannot be looked up by pid.
 *
 * Cache: live tasks (usage > 0) keyed by pid and start time (so a reused
 * pid is a new task), in a fixed hash table under a mutex; a task leaves
 * it on its last release.  Bounded by BH_TASK_MAX live objects.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bpfhost/kfunc.h"
#include "stdlib.h"
#include "stdlib/task.h"

#define BH_TASK_BUCKETS 1024
#define BH_TASK_MAX 65536
#define BH_TASK_MAX_DEPTH 128 /* real_parent chain */

/* task_struct.__state and exit_state values */
#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define __TASK_STOPPED 0x0004
#define __TASK_TRACED 0x0008
#define EXIT_DEAD 0x0010
#define EXIT_ZOMBIE 0x0020
#define TASK_PARKED 0x0040
#define TASK_DEAD 0x0080
#define TASK_WAKEKILL 0x0100
#define TASK_NOLOAD 0x0400
#define PF_IDLE 0x00000002

#define BPF_TASK_ITER_ALL_PROCS 0
#define BPF_TASK_ITER_ALL_THREADS 1
#define BPF_TASK_ITER_PROC_THREADS 2

static pthread_mutex_t bh_task_lock = PTHREAD_MUTEX_INITIALIZER;
static struct task_struct *bh_task_table[BH_TASK_BUCKETS];
static unsigned int bh_task_count;

static struct task_struct bh_idle;
static pthread_once_t bh_idle_once = PTHREAD_ONCE_INIT;

static pthread_key_t bh_cur_key;
static pthread_once_t bh_cur_once = PTHREAD_ONCE_INIT;
static _Thread_local struct task_struct *bh_cur;
static _Thread_local pid_t bh_cur_tid;

static void bh_idle_init(void)
{
	bh_idle.__state = TASK_RUNNING;
	bh_idle.flags = PF_KTHREAD | PF_IDLE;
	bh_idle.prio = bh_idle.static_prio = bh_idle.normal_prio = 120;
	bh_idle.real_parent = bh_idle.parent = bh_idle.group_leader = &bh_idle;
	bh_idle.real_cred = bh_idle.cred = &bh_idle.bh_cred;
	strcpy(bh_idle.comm, "swapper/0");
	bh_idle.cgroups = &bh_idle.bh_css;
	/* held for the life of the process, as init_task's */
	bh_idle.bh_css.dfl_cgrp = bh_cgroup_get_path("");
	bh_idle.usage = 1;
}

struct task_struct *bh_task_idle(void)
{
	pthread_once(&bh_idle_once, bh_idle_init);
	return &bh_idle;
}

unsigned int bh_task_cached(void)
{
	unsigned int n;

	pthread_mutex_lock(&bh_task_lock);
	n = bh_task_count;
	pthread_mutex_unlock(&bh_task_lock);
	return n;
}

struct task_struct *bh_task_get_ref(struct task_struct *t)
{
	if (t == &bh_idle)
		return t;
	return t && bh_ref_get_unless_zero(&t->usage) ? t : NULL;
}

static unsigned int bh_task_hash(int pid)
{
	return ((unsigned int)pid * 2654435761u) % BH_TASK_BUCKETS;
}

static void bh_task_unlink_locked(struct task_struct *t)
{
	struct task_struct **pp = &bh_task_table[bh_task_hash(t->pid)];

	for (; *pp; pp = &(*pp)->bh_next)
		if (*pp == t) {
			*pp = t->bh_next;
			bh_task_count--;
			return;
		}
}

static void bh_task_free(struct task_struct *t)
{
	struct task_struct *parent = t->real_parent, *leader = t->group_leader;
	struct cgroup *cg = t->bh_css.dfl_cgrp;

	free(t);
	bh_task_put(parent);
	if (leader != t)
		bh_task_put(leader);
	bh_cgroup_put(cg);
}

void bh_task_put(struct task_struct *t)
{
	if (!t || t == &bh_idle ||
	    __atomic_sub_fetch(&t->usage, 1, __ATOMIC_ACQ_REL))
		return;
	pthread_mutex_lock(&bh_task_lock);
	bh_task_unlink_locked(t);
	pthread_mutex_unlock(&bh_task_lock);
	bh_task_free(t);
}

/* What /proc/<pid>/stat says; false if the process is gone */
struct bh_stat {
	char comm[TASK_COMM_LEN];
	char state;
	int ppid;
	unsigned int flags;
	unsigned long long utime, stime, starttime;
	long priority, nice;
	unsigned int rt_priority, policy;
};

static bool bh_read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0;
}

static bool bh_parse_stat(int pid, struct bh_stat *st)
{
	char path[64], buf[1024], *open, *close, *p;
	unsigned long long v[40];
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!bh_read_file(path, buf, sizeof(buf)))
		return false;
	/* "pid (comm) S ppid ...": comm may hold spaces and parentheses */
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return false;
	memset(st, 0, sizeof(*st));
	n = (int)(close - open - 1);
	if (n > TASK_COMM_LEN - 1)
		n = TASK_COMM_LEN - 1;
	memcpy(st->comm, open + 1, (size_t)n);
	st->state = close[2];
	/* fields 4.. (ppid is v[0]); signed ones parse through strtoll */
	p = close + 3;
	for (n = 0; n < 40 && *p; n++) {
		char *end;

		v[n] = (unsigned long long)strtoll(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	if (n < 19) /* through starttime (field 22) */
		return false;
	st->ppid = (int)v[0];
	st->flags = (unsigned int)v[5];
	st->utime = v[10];
	st->stime = v[11];
	st->priority = (long)v[14];
	st->nice = (long)v[15];
	st->starttime = v[18];
	if (n > 37) {
		st->rt_priority = (unsigned int)v[36];
		st->policy = (unsigned int)v[37];
	}
	return true;
}

/* Tgid and the four uids and gids from /proc/<pid>/status */
static void bh_parse_status(int pid, struct task_struct *t)
{
	char path[64], buf[4096], *l;
	unsigned int u[4], g[4];

	t->tgid = t->pid;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!bh_read_file(path, buf, sizeof(buf)))
		return;
	if ((l = strstr(buf, "\nTgid:")))
		t->tgid = atoi(l + 6);
	if ((l = strstr(buf, "\nUid:")) &&
	    sscanf(l + 5, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]) == 4) {
		t->bh_cred.uid.val = u[0];
		t->bh_cred.euid.val = u[1];
		t->bh_cred.suid.val = u[2];
		t->bh_cred.fsuid.val = u[3];
	}
	if ((l = strstr(buf, "\nGid:")) &&
	    sscanf(l + 5, "%u %u %u %u", &g[0], &g[1], &g[2], &g[3]) == 4) {
		t->bh_cred.gid.val = g[0];
		t->bh_cred.egid.val = g[1];
		t->bh_cred.sgid.val = g[2];
		t->bh_cred.fsgid.val = g[3];
	}
}

static unsigned int bh_state_of(char c, int *exit_state)
{
	*exit_state = 0;
	switch (c) {
	case 'R':
		return TASK_RUNNING;
	case 'S':
		return TASK_INTERRUPTIBLE;
	case 'D':
		return TASK_UNINTERRUPTIBLE;
	case 'T':
		return __TASK_STOPPED | TASK_WAKEKILL;
	case 't':
		return __TASK_TRACED | TASK_WAKEKILL;
	case 'Z':
		*exit_state = EXIT_ZOMBIE;
		return TASK_DEAD;
	case 'X':
		*exit_state = EXIT_DEAD;
		return TASK_DEAD;
	case 'P':
		return TASK_PARKED;
	case 'I':
		return TASK_UNINTERRUPTIBLE | TASK_NOLOAD;
	default:
		return TASK_INTERRUPTIBLE;
	}
}

/* ns between CLOCK_BOOTTIME and CLOCK_MONOTONIC (time spent suspended) */
static uint64_t bh_suspended_ns(void)
{
	struct timespec b, m;
	int64_t d;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_BOOTTIME, &b);
	d = ((int64_t)b.tv_sec - (int64_t)m.tv_sec) * 1000000000 +
	    (int64_t)b.tv_nsec - (int64_t)m.tv_nsec;
	return d > 0 ? (uint64_t)d : 0;
}

static struct task_struct *bh_task_lookup_locked(int pid,
						 unsigned long long start)
{
	struct task_struct *t;

	for (t = bh_task_table[bh_task_hash(pid)]; t; t = t->bh_next)
		if (t->pid == pid && t->bh_starttime == start &&
		    bh_ref_get_unless_zero(&t->usage))
			return t;
	return NULL;
}

static struct task_struct *bh_task_get_depth(int pid, int depth);

static struct task_struct *bh_task_build(int pid, const struct bh_stat *st,
					 int depth)
{
	uint64_t tick_ns = 1000000000u / (uint64_t)sysconf(_SC_CLK_TCK);
	struct task_struct *t = calloc(1, sizeof(*t)), *other;
	char spid[16];
	uint64_t susp;

	if (!t)
		return NULL;
	t->usage = 1;
	t->pid = pid;
	t->bh_starttime = st->starttime;
	memcpy(t->comm, st->comm, sizeof(t->comm));
	t->__state = bh_state_of(st->state, &t->exit_state);
	t->flags = st->flags;
	t->prio = t->normal_prio = (int)st->priority + 100;
	t->static_prio = (int)st->nice + 120;
	t->rt_priority = st->rt_priority;
	t->policy = st->policy;
	t->utime = st->utime * tick_ns;
	t->stime = st->stime * tick_ns;
	t->start_boottime = st->starttime * tick_ns;
	susp = bh_suspended_ns();
	t->start_time = t->start_boottime > susp ? t->start_boottime - susp : 0;
	t->real_cred = t->cred = &t->bh_cred;
	t->cgroups = &t->bh_css;
	bh_parse_status(pid, t);
	snprintf(spid, sizeof(spid), "%d", pid);
	t->bh_css.dfl_cgrp = bh_cgroup_of(spid);

	/* a parent that is gone (or too deep) is the idle task, as the
	 * kernel's real_parent is never NULL */
	t->real_parent = st->ppid > 0 && depth < BH_TASK_MAX_DEPTH
				 ? bh_task_get_depth(st->ppid, depth + 1)
				 : NULL;
	if (!t->real_parent)
		t->real_parent = bh_task_idle();
	t->parent = t->real_parent;
	t->group_leader = t;
	if (t->tgid != pid) {
		t->group_leader = bh_task_get_depth(t->tgid, depth + 1);
		if (!t->group_leader)
			t->group_leader = t;
	}

	pthread_mutex_lock(&bh_task_lock);
	other = bh_task_lookup_locked(pid, st->starttime);
	if (!other && bh_task_count < BH_TASK_MAX) {
		unsigned int h = bh_task_hash(pid);

		t->bh_next = bh_task_table[h];
		bh_task_table[h] = t;
		bh_task_count++;
		pthread_mutex_unlock(&bh_task_lock);
		return t;
	}
	pthread_mutex_unlock(&bh_task_lock);
	bh_task_free(t);
	return other;
}

static struct task_struct *bh_task_get_depth(int pid, int depth)
{
	struct task_struct *t;
	struct bh_stat st;

	if (pid <= 0 || !bh_parse_stat(pid, &st))
		return NULL;
	pthread_mutex_lock(&bh_task_lock);
	t = bh_task_lookup_locked(pid, st.starttime);
	pthread_mutex_unlock(&bh_task_lock);
	return t ? t : bh_task_build(pid, &st, depth);
}

struct task_struct *bh_task_get(int pid)
{
	return bh_task_get_depth(pid, 0);
}

static pid_t bh_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void bh_cur_release(void *t)
{
	bh_task_put(t);
}

static void bh_cur_key_init(void)
{
	if (pthread_key_create(&bh_cur_key, bh_cur_release))
		bh_cur_key = (pthread_key_t)-1;
}

struct task_struct *bh_task_current(void)
{
	pid_t tid = bh_gettid();
	struct task_struct *t;

	if (bh_cur && bh_cur_tid == tid)
		return bh_cur;
	/* first call on this thread, or a forked child's inherited copy */
	pthread_once(&bh_cur_once, bh_cur_key_init);
	t = bh_task_get(tid);
	if (!t)
		return bh_task_idle(); /* no /proc: never NULL, as current */
	if (bh_cur_key == (pthread_key_t)-1 ||
	    pthread_setspecific(bh_cur_key, t)) {
		bh_task_put(t);
		return bh_task_idle();
	}
	bh_task_put(bh_cur);
	bh_cur = t;
	bh_cur_tid = tid;
	return t;
}

/* ---- the task iterator ---- */

struct bpf_iter_task {
	uint64_t __opaque[3];
} __attribute__((aligned(8)));

struct bh_task_iter {
	unsigned int flags;
	bool idle_done;
	DIR *procs;		   /* /proc */
	DIR *threads;		   /* /proc/<tgid>/task */
	int tgid;		   /* whose threads */
	struct task_struct *start; /* PROC_THREADS: the given task */
	bool started;
	/* every task returned, held until destroy (the kernel's stay valid
	 * through the RCU section) */
	struct task_struct **held;
	size_t nheld, capheld;
};

static int bh_dirent_pid(const struct dirent *de)
{
	char *end;
	long v;

	if (de->d_name[0] < '1' || de->d_name[0] > '9')
		return 0;
	v = strtol(de->d_name, &end, 10);
	return *end || v > 0x7fffffff ? 0 : (int)v;
}

static bool bh_iter_hold(struct bh_task_iter *it, struct task_struct *t)
{
	if (it->nheld == it->capheld) {
		size_t cap = it->capheld ? it->capheld * 2 : 32;
		void *n = realloc(it->held, cap * sizeof(*it->held));

		if (!n)
			return false;
		it->held = n;
		it->capheld = cap;
	}
	it->held[it->nheld++] = t;
	return true;
}

/* The next thread of it->tgid from it->threads, a new reference */
static struct task_struct *bh_iter_next_thread(struct bh_task_iter *it)
{
	struct dirent *de;

	while (it->threads && (de = readdir(it->threads))) {
		int tid = bh_dirent_pid(de);
		struct task_struct *t;

		if (!tid)
			continue;
		if (it->start && !it->started) {
			/* PROC_THREADS: those after the given one */
			it->started = tid == it->start->pid;
			continue;
		}
		t = bh_task_get(tid);
		if (t)
			return t;
	}
	return NULL;
}

static void bh_iter_open_threads(struct bh_task_iter *it, int tgid)
{
	char path[64];

	if (it->threads)
		closedir(it->threads);
	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	it->threads = opendir(path);
	it->tgid = tgid;
}

static struct task_struct *bh_iter_step(struct bh_task_iter *it)
{
	struct task_struct *t;
	struct dirent *de;

	if (!it->idle_done) {
		it->idle_done = true;
		return it->start ? bh_task_get_ref(it->start) : bh_task_idle();
	}
	if (it->flags != BPF_TASK_ITER_ALL_PROCS) {
		t = bh_iter_next_thread(it);
		if (t || it->flags == BPF_TASK_ITER_PROC_THREADS)
			return t;
	}
	while (it->procs && (de = readdir(it->procs))) {
		int pid = bh_dirent_pid(de);

		if (!pid)
			continue;
		if (it->flags == BPF_TASK_ITER_ALL_THREADS) {
			bh_iter_open_threads(it, pid);
			t = bh_iter_next_thread(it);
		} else {
			t = bh_task_get(pid);
		}
		if (t)
			return t;
	}
	return NULL;
}

__bpf_kfunc_start_defs();

/* A new reference to the task with this pid, NULL if there is none. */
__bpf_kfunc struct task_struct *bpf_task_from_pid(int32_t pid)
{
	return bh_task_get(pid);
}

/* The same: our /proc's pid namespace is the caller's. */
__bpf_kfunc struct task_struct *bpf_task_from_vpid(int32_t vpid)
{
	return bh_task_get(vpid);
}

/* A new reference to p, NULL if it is being freed. */
__bpf_kfunc struct task_struct *bpf_task_acquire(struct task_struct *p)
{
	return bh_task_get_ref(p);
}

__bpf_kfunc void bpf_task_release(struct task_struct *p)
{
	bh_task_put(p);
}

/* The destructor of a struct task_struct kptr (not a kfunc). */
__bpf_kfunc void bpf_task_release_dtor(void *p)
{
	bh_task_put(p);
}

__bpf_kfunc int bpf_iter_task_new(struct bpf_iter_task *it,
				  struct task_struct *task__nullable,
				  unsigned int flags)
{
	struct bh_task_iter **kit = (struct bh_task_iter **)it;
	struct bh_task_iter *s;

	_Static_assert(sizeof(struct bh_task_iter *) <= sizeof(*it),
		       "iterator state size");
	memset(it, 0, sizeof(*it));
	switch (flags) {
	case BPF_TASK_ITER_ALL_PROCS:
	case BPF_TASK_ITER_ALL_THREADS:
		break;
	case BPF_TASK_ITER_PROC_THREADS:
		if (!task__nullable)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->flags = flags;
	if (flags == BPF_TASK_ITER_PROC_THREADS) {
		s->start = bh_task_get_ref(task__nullable);
		if (!s->start) {
			free(s);
			return -EINVAL;
		}
		bh_iter_open_threads(s, s->start->tgid);
	} else {
		s->procs = opendir("/proc");
	}
	*kit = s;
	return 0;
}

__bpf_kfunc struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it)
{
	struct bh_task_iter *s = *(struct bh_task_iter **)it;
	struct task_struct *t;

	if (!s)
		return NULL;
	t = bh_iter_step(s);
	if (t && !bh_iter_hold(s, t)) {
		bh_task_put(t);
		t = NULL;
	}
	return t;
}

__bpf_kfunc void bpf_iter_task_destroy(struct bpf_iter_task *it)
{
	struct bh_task_iter *s = *(struct bh_task_iter **)it;

	if (!s)
		return;
	if (s->procs)
		closedir(s->procs);
	if (s->threads)
		closedir(s->threads);
	for (size_t i = 0; i < s->nheld; i++)
		bh_task_put(s->held[i]);
	bh_task_put(s->start);
	free(s->held);
	free(s);
	memset(it, 0, sizeof(*it));
}

__bpf_kfunc_end_defs();

/* ---- helpers ---- */

uint64_t bh_helper_get_current_pid_tgid(uint64_t r1, uint64_t r2, uint64_t r3,
					uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)bh_gettid();
}

/* strscpy_pad of the thread's name; 0 */
uint64_t bh_helper_get_current_comm(uint64_t buf, uint64_t size, uint64_t r3,
				    uint64_t r4, uint64_t r5)
{
	char name[TASK_COMM_LEN] = "", *dst = (char *)(uintptr_t)buf;
	size_t n;

	(void)r3, (void)r4, (void)r5;
	if (!size)
		return 0;
	if (prctl(PR_GET_NAME, name, 0, 0, 0))
		name[0] = '\0';
	name[TASK_COMM_LEN - 1] = '\0';
	n = strlen(name);
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, name, n);
	memset(dst + n, 0, size - n);
	return 0;
}

/* bpf_get_current_task and bpf_get_current_task_btf: never NULL */
uint64_t bh_helper_get_current_task(uint64_t r1, uint64_t r2, uint64_t r3,
				    uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return (uint64_t)(uintptr_t)bh_task_current();
}

/* the id of the calling thread's cgroup v2, 0 without one */
uint64_t bh_helper_get_current_cgroup_id(uint64_t r1, uint64_t r2, uint64_t r3,
					 uint64_t r4, uint64_t r5)
{
	struct cgroup *cg = bh_cgroup_of("thread-self");
	uint64_t id = cg ? cg->kn->id : 0;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	bh_cgroup_put(cg);
	return id;
}

/* ---- signals ---- */

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

__bpf_kfunc_start_defs();

__bpf_kfunc int bpf_send_signal_task(struct task_struct *task, int sig,
				     enum pid_type type, uint64_t value)
{
	siginfo_t si;
	long r;

	if (type != PIDTYPE_PID && type != PIDTYPE_TGID)
		return -EINVAL;
	if (task->flags & (PF_KTHREAD | PF_EXITING) || task->exit_state ||
	    task->tgid == 1)
		return -EPERM;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_ptr = (void *)(uintptr_t)value;
	if (type == PIDTYPE_PID)
		r = syscall(SYS_rt_tgsigqueueinfo, task->tgid, task->pid, sig,
			    &si);
	else
		r = syscall(SYS_rt_sigqueueinfo, task->tgid, sig, &si);
	return r ? -errno : 0;
}

__bpf_kfunc_end_defs();

/* ---- registration ---- */

BTF_KFUNCS_START(bh_task_kfunc_ids)
BTF_ID_FLAGS(func, bpf_task_acquire, KF_ACQUIRE | KF_RCU | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_task_release, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_task_from_pid, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_task_from_vpid, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_send_signal_task, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(bh_task_kfunc_ids)

static const struct btf_kfunc_id_set bh_task_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_task_kfunc_ids,
};

/* in the kernel's common set: every program type */
BTF_KFUNCS_START(bh_task_iter_kfunc_ids)
BTF_ID_FLAGS(func, bpf_iter_task_new,
	     KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED)
BTF_ID_FLAGS(func, bpf_iter_task_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_task_destroy, KF_ITER_DESTROY)
BTF_KFUNCS_END(bh_task_iter_kfunc_ids)

static const struct btf_kfunc_id_set bh_task_iter_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bh_task_iter_kfunc_ids,
};

int bh_stdlib_task_add(struct bpfhost_rt *rt)
{
	int ret;

	/* the kernel's generic set: tracing, syscall (and program types
	 * bpfhost does not have: struct_ops, tc, xdp, cgroup) */
	ret = bpfhost_kfunc_set_add(rt, "syscall", &bh_task_kfunc_set);
	ret = ret ? ret
		  : bpfhost_kfunc_set_add(rt, "tracing", &bh_task_kfunc_set);
	ret = ret ? ret
		  : bpfhost_kfunc_set_add(rt, "*", &bh_task_iter_kfunc_set);
	/* the kernel's generic_dtors: tasks can be map kptrs */
	ret = ret ? ret
		  : bpfhost_dtor_add(rt, "task_struct", bpf_task_release_dtor);
	ret = ret ? ret : bh_stdlib_cgroup_add(rt);
	ret = ret ? ret : bh_stdlib_vma_add(rt);
	ret = ret ? ret : bh_stdlib_css_add(rt);
	return ret ? ret : bh_stdlib_probe_add(rt);
}
