// SPDX-License-Identifier: BSD-2-Clause
/*
 * The task and cgroup kfuncs and helpers from the host side: tasks of
 * ourselves, a thread, a zombie and a dead child against getpid(),
 * getppid() and /proc; refcounts and the cache; the task iterator; our
 * cgroup and its ancestors (a nested cgroup when we may create one); the
 * fault-tolerant reads on valid, NULL, unmapped and PROT_NONE memory.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "harness.h"
#include "stdlib/stdlib.h"
#include "stdlib/task.h"

struct bpf_iter_task {
	uint64_t __opaque[3];
} __attribute__((aligned(8)));

struct task_struct *bpf_task_from_pid(int32_t pid);
struct task_struct *bpf_task_from_vpid(int32_t vpid);
struct task_struct *bpf_task_acquire(struct task_struct *p);
void bpf_task_release(struct task_struct *p);
int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
		      unsigned int flags);
struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it);
void bpf_iter_task_destroy(struct bpf_iter_task *it);
struct cgroup *bpf_cgroup_from_id(uint64_t cgid);
struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp);
void bpf_cgroup_release(struct cgroup *cgrp);
struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level);
long bpf_task_under_cgroup(struct task_struct *task, struct cgroup *ancestor);
int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
			  struct task_struct *task, uint64_t addr);
struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it);
void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it);
struct bpf_iter_css {
	uint64_t __opaque[3];
} __attribute__((aligned(8)));
struct bpf_iter_css_task {
	uint64_t __opaque[1];
} __attribute__((aligned(8)));
int bpf_iter_css_new(struct bpf_iter_css *it, struct cgroup_subsys_state *start,
		     unsigned int flags);
struct cgroup_subsys_state *bpf_iter_css_next(struct bpf_iter_css *it);
void bpf_iter_css_destroy(struct bpf_iter_css *it);
int bpf_iter_css_task_new(struct bpf_iter_css_task *it,
			  struct cgroup_subsys_state *css, unsigned int flags);
struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it);
void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it);
int bpf_copy_from_user_str(void *dst, uint32_t dst__sz,
			   const void *unsafe_ptr__ign, uint64_t flags);
int bpf_cgroup_read_xattr(struct cgroup *cgroup, const char *name__str,
			  struct bpf_dynptr *value_p);
int bpf_send_signal_task(struct task_struct *task, int sig, int type,
			 uint64_t value);
int bpf_copy_from_user_task_str(void *dst, uint32_t dst__sz,
				const void *unsafe_ptr__ign,
				struct task_struct *tsk, uint64_t flags);
int bpf_copy_from_user_task_dynptr(struct bpf_dynptr *dptr, uint32_t off,
				   uint32_t size, const void *unsafe_ptr__ign,
				   struct task_struct *tsk);
int bpf_copy_from_user_task_str_dynptr(struct bpf_dynptr *dptr, uint32_t off,
				       uint32_t size,
				       const void *unsafe_ptr__ign,
				       struct task_struct *tsk);

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

TEST(from_pid_self)
{
	unsigned int base = bh_task_cached();
	struct task_struct *t = bpf_task_from_pid(getpid()), *t2, *a;
	char comm[64];
	int u0;

	CHECK(t);
	read_line("/proc/self/comm", comm, sizeof(comm));
	CHECK_EQ(t->pid, getpid());
	CHECK_EQ(t->tgid, getpid());
	CHECK(!strncmp(t->comm, comm, 15));
	CHECK(t->group_leader == t);
	CHECK(t->real_parent && t->real_parent->pid == getppid());
	CHECK(!(t->flags & PF_KTHREAD));
	CHECK_EQ(t->cred->uid.val, getuid());
	CHECK_EQ(t->cred->egid.val, getegid());
	CHECK(t->start_boottime > 0 && t->start_time <= t->start_boottime);
	u0 = t->usage; /* 2 if this thread's current task is cached */
	CHECK(u0 == 1 || u0 == 2);
	/* the same pid is the same object while referenced */
	t2 = bpf_task_from_vpid(getpid());
	CHECK(t2 == t);
	a = bpf_task_acquire(t);
	CHECK(a == t);
	CHECK_EQ(t->usage, u0 + 2);
	bpf_task_release(a);
	bpf_task_release(t2);
	CHECK_EQ(t->usage, u0);
	bpf_task_release(t);
	CHECK_EQ(bh_task_cached(), base);
}

TEST(from_pid_missing)
{
	CHECK(!bpf_task_from_pid(0));
	CHECK(!bpf_task_from_pid(-1));
	CHECK(!bpf_task_from_pid(INT_MAX));
}

/* a zombie is found (exit_state set); a reaped child is gone */
TEST(from_pid_zombie_dead)
{
	struct task_struct *t;
	pid_t pid = fork();
	char path[64];
	int status;

	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	/* wait until it is a zombie */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 1000; i++) {
		char line[256], *p;

		read_line(path, line, sizeof(line));
		p = strrchr(line, ')');
		if (p && p[2] == 'Z')
			break;
		usleep(1000);
	}
	t = bpf_task_from_pid(pid);
	CHECK(t);
	CHECK_EQ(t->exit_state, 0x20);
	CHECK_EQ(t->real_parent->pid, getpid());
	CHECK(waitpid(pid, &status, 0) == pid);
	/* a snapshot stays valid; the pid no longer finds it */
	CHECK(!bpf_task_from_pid(pid));
	CHECK_EQ(t->pid, pid);
	bpf_task_release(t);
}

static pid_t thread_tid;
static pthread_mutex_t thread_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_cv = PTHREAD_COND_INITIALIZER;
static int thread_stop;

static void *thread_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&thread_mu);
	thread_tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_broadcast(&thread_cv);
	while (!thread_stop)
		pthread_cond_wait(&thread_cv, &thread_mu);
	pthread_mutex_unlock(&thread_mu);
	return NULL;
}

TEST(thread_and_iterators)
{
	struct task_struct *t, *self, *pos;
	struct bpf_iter_task it;
	int n = 0, seen_self = 0, seen_thread = 0, first_idle = 0;
	pthread_t th;

	CHECK(!pthread_create(&th, NULL, thread_fn, NULL));
	pthread_mutex_lock(&thread_mu);
	while (!thread_tid)
		pthread_cond_wait(&thread_cv, &thread_mu);
	pthread_mutex_unlock(&thread_mu);

	t = bpf_task_from_pid(thread_tid);
	self = bpf_task_from_pid(getpid());
	CHECK(t && self);
	CHECK_EQ(t->tgid, getpid());
	CHECK(t->group_leader == self);
	CHECK_EQ(t->real_parent->pid, getppid());

	/* every process: idle first, us once, never a thread */
	CHECK_EQ(bpf_iter_task_new(&it, NULL, 0), 0);
	while ((pos = bpf_iter_task_next(&it))) {
		if (!n)
			first_idle = pos->pid == 0 && pos->real_parent == pos;
		seen_self += pos == self;
		seen_thread += pos->pid == thread_tid;
		n++;
	}
	bpf_iter_task_destroy(&it);
	CHECK(first_idle && seen_self == 1 && !seen_thread && n > 2);

	/* every thread: both of ours */
	n = seen_self = seen_thread = 0;
	CHECK_EQ(bpf_iter_task_new(&it, NULL, 1), 0);
	while ((pos = bpf_iter_task_next(&it))) {
		seen_self += pos == self;
		seen_thread += pos == t;
		n++;
	}
	bpf_iter_task_destroy(&it);
	CHECK(seen_self == 1 && seen_thread == 1 && n > 3);

	/* our threads, from the leader */
	n = seen_thread = 0;
	CHECK_EQ(bpf_iter_task_new(&it, self, 2), 0);
	pos = bpf_iter_task_next(&it);
	CHECK(pos == self);
	while ((pos = bpf_iter_task_next(&it))) {
		seen_thread += pos == t;
		n++;
	}
	bpf_iter_task_destroy(&it);
	CHECK(seen_thread == 1);

	CHECK_EQ(bpf_iter_task_new(&it, NULL, 2), -EINVAL);
	CHECK(!bpf_iter_task_next(&it));
	bpf_iter_task_destroy(&it);
	CHECK_EQ(bpf_iter_task_new(&it, self, 3), -EINVAL);
	bpf_iter_task_destroy(&it);

	bpf_task_release(t);
	bpf_task_release(self);
	pthread_mutex_lock(&thread_mu);
	thread_stop = 1;
	pthread_cond_broadcast(&thread_cv);
	pthread_mutex_unlock(&thread_mu);
	pthread_join(th, NULL);
}

TEST(current_helpers)
{
	uint64_t pt = bh_helper_get_current_pid_tgid(0, 0, 0, 0, 0);
	struct task_struct *cur, *t;
	char comm[16], name[16] = "", small[4];

	CHECK_EQ(pt >> 32, getpid());
	CHECK_EQ((uint32_t)pt, syscall(SYS_gettid));
	cur = (struct task_struct *)(uintptr_t)bh_helper_get_current_task(
		0, 0, 0, 0, 0);
	CHECK(cur && cur == bh_task_current());
	CHECK_EQ(cur->pid, syscall(SYS_gettid));
	t = bpf_task_from_pid(cur->pid);
	CHECK(t == cur);
	bpf_task_release(t);

	memset(comm, 'x', sizeof(comm));
	CHECK_EQ(bh_helper_get_current_comm((uintptr_t)comm, sizeof(comm), 0, 0,
					    0),
		 0);
	prctl(PR_GET_NAME, name, 0, 0, 0);
	CHECK(!strcmp(comm, name));
	CHECK(!comm[15]);
	bh_helper_get_current_comm((uintptr_t)small, sizeof(small), 0, 0, 0);
	CHECK(!strncmp(small, name, 3) && !small[3]);
}

static uint64_t ino_of(const char *rel)
{
	char full[PATH_MAX];
	struct stat st;

	snprintf(full, sizeof(full), "%s%s", bh_cgroup_mount(), rel);
	return stat(full, &st) ? 0 : (uint64_t)st.st_ino;
}

TEST(cgroups)
{
	unsigned int base = bh_cgroup_cached();
	struct cgroup *cg, *byid, *root, *a;
	struct task_struct *self;
	char rel[PATH_MAX], dir[PATH_MAX];
	uint64_t id;

	if (!bh_cgroup_mount()[0]) {
		th_skip("no cgroup v2 mount");
		CHECK(!bpf_cgroup_from_id(1));
		return;
	}
	cg = bh_cgroup_of("self");
	CHECK(cg);
	id = bh_helper_get_current_cgroup_id(0, 0, 0, 0, 0);
	CHECK_EQ(cg->kn->id, id);
	CHECK_EQ(id, ino_of(cg->path));
	byid = bpf_cgroup_from_id(id);
	CHECK(byid == cg);
	root = bpf_cgroup_ancestor(cg, 0);
	CHECK(root && root->level == 0 && root->kn->id == ino_of(""));
	CHECK(cg->ancestors[cg->level] == cg);
	CHECK(!bpf_cgroup_ancestor(cg, cg->level + 1));
	CHECK(!bpf_cgroup_ancestor(cg, -1));
	self = bpf_task_from_pid(getpid());
	CHECK(self && self->cgroups->dfl_cgrp == cg);
	CHECK_EQ(bpf_task_under_cgroup(self, root), 1);
	CHECK_EQ(bpf_task_under_cgroup(self, cg), 1);
	CHECK(!bpf_cgroup_from_id(0));
	CHECK(!bpf_cgroup_from_id(~0ull));

	/* a nested cgroup, when we may make one */
	snprintf(rel, sizeof(rel), "/bh_test_%d", getpid());
	snprintf(dir, sizeof(dir), "%s%s", bh_cgroup_mount(), rel);
	if (mkdir(dir, 0755)) {
		th_skip("cannot create a cgroup: %s", strerror(errno));
	} else {
		char sub[PATH_MAX + 8];
		uint64_t pid_id = ino_of(rel), sid;

		snprintf(sub, sizeof(sub), "%s/sub", dir);
		CHECK(!mkdir(sub, 0755));
		strcat(rel, "/sub");
		sid = ino_of(rel);
		a = bpf_cgroup_from_id(sid);
		CHECK(a && a->level == 2 && a->kn->id == sid);
		CHECK(a->ancestors[1]->kn->id == pid_id);
		CHECK(a->ancestors[0] == root);
		CHECK(a->kn->parent == a->ancestors[1]->kn);
		CHECK(!strcmp(a->kn->name, "sub"));
		CHECK_EQ(bpf_task_under_cgroup(self, a), 0);
		CHECK(bpf_cgroup_acquire(a) == a);
		bpf_cgroup_release(a);
		bpf_cgroup_release(a);
		rmdir(sub);
		rmdir(dir);
		/* a removed cgroup is not found */
		CHECK(!bpf_cgroup_from_id(sid));
	}
	bpf_task_release(self);
	bpf_cgroup_release(root);
	bpf_cgroup_release(byid);
	bh_cgroup_put(cg);
	/* the idle task holds the root for good */
	CHECK(bh_cgroup_cached() <= base + 1);
}

/* bpf_cgroup_read_xattr on a cgroup of our own (made and removed here) */
TEST(cgroup_xattr)
{
	char rel[64], dir[PATH_MAX + 64], val[8];
	struct bpf_dynptr d, small, null = {{0}};
	struct cgroup *cg;

	if (!bh_cgroup_mount()[0]) {
		th_skip("no cgroup v2 mount");
		return;
	}
	snprintf(rel, sizeof(rel), "/bh_xattr_%d", getpid());
	snprintf(dir, sizeof(dir), "%s%s", bh_cgroup_mount(), rel);
	if (mkdir(dir, 0755)) {
		th_skip("cannot create a cgroup: %s", strerror(errno));
		return;
	}
	cg = bpf_cgroup_from_id(ino_of(rel));
	CHECK(cg);
	CHECK_EQ(bh_dynptr_init_local(&d, val, sizeof(val), false), 0);
	CHECK_EQ(bh_dynptr_init_local(&small, val, 2, false), 0);
	if (cg) {
		CHECK_EQ(bpf_cgroup_read_xattr(cg, "user.bh", &d), -ENODATA);
		CHECK_EQ(bpf_cgroup_read_xattr(cg, "trusted.bh", &d), -EPERM);
		CHECK_EQ(bpf_cgroup_read_xattr(cg, "user", &d), -EPERM);
		CHECK_EQ(bpf_cgroup_read_xattr(cg, "user.bh", &null), -EINVAL);
		if (setxattr(dir, "user.bh", "abc", 3, 0)) {
			th_skip("no user xattrs on cgroups: %s",
				strerror(errno));
		} else {
			memset(val, 0, sizeof(val));
			CHECK_EQ(bpf_cgroup_read_xattr(cg, "user.bh", &d), 3);
			CHECK(!memcmp(val, "abc", 3));
			CHECK_EQ(bpf_cgroup_read_xattr(cg, "user.bh", &small),
				 -ERANGE);
			CHECK_EQ(bh_dynptr_init_local(&d, val, sizeof(val),
						      true),
				 0);
			CHECK_EQ(bpf_cgroup_read_xattr(cg, "user.bh", &d),
				 -EINVAL); /* read-only dynptr */
		}
		bpf_cgroup_release(cg);
	}
	rmdir(dir);
}

/* Signals with a value, to ourselves (thread and process) */
static volatile sig_atomic_t sig_got;
static volatile uintptr_t sig_value;
static volatile int sig_code;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	sig_got = sig;
	sig_value = (uintptr_t)si->si_value.sival_ptr;
	sig_code = si->si_code;
}

TEST(send_signal_task)
{
	struct sigaction sa = {0}, old;
	struct task_struct *self =
		bpf_task_from_pid((int32_t)syscall(SYS_gettid));
	struct task_struct *init = bpf_task_from_pid(1);
	pid_t pid;
	int status;

	CHECK(self);
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	CHECK(!sigaction(SIGUSR1, &sa, &old));
	if (self) {
		sig_got = 0;
		CHECK_EQ(bpf_send_signal_task(self, SIGUSR1, 0, 0x1234), 0);
		CHECK_EQ(sig_got, SIGUSR1); /* to this thread: already here */
		CHECK_EQ(sig_value, 0x1234);
		CHECK_EQ(sig_code, SI_QUEUE);
		sig_got = 0;
		CHECK_EQ(bpf_send_signal_task(self, SIGUSR1, 1, 42), 0);
		/* to the process: any of its threads may take it */
		for (int i = 0; i < 1000 && !sig_got; i++)
			usleep(1000);
		CHECK_EQ(sig_got, SIGUSR1);
		CHECK_EQ(sig_value, 42);
		/* the kernel's refusals, nothing sent */
		CHECK_EQ(bpf_send_signal_task(self, SIGUSR1, 2, 0), -EINVAL);
		CHECK_EQ(bpf_send_signal_task(self, 99, 1, 0), -EINVAL);
		CHECK_EQ(bpf_send_signal_task(self, 0, 1, 0), 0);
	}
	if (init) {
		CHECK_EQ(bpf_send_signal_task(init, 0, 1, 0), -EPERM);
		bpf_task_release(init);
	}
	/* a child, signalled to death, then gone */
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		pause();
		_exit(0);
	}
	{
		struct task_struct *child = bpf_task_from_pid(pid);

		CHECK(child);
		if (child) {
			CHECK_EQ(bpf_send_signal_task(child, SIGTERM, 1, 0), 0);
			CHECK(waitpid(pid, &status, 0) == pid);
			CHECK(WIFSIGNALED(status) &&
			      WTERMSIG(status) == SIGTERM);
			CHECK_EQ(bpf_send_signal_task(child, 0, 1, 0), -ESRCH);
			bpf_task_release(child);
		} else {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
	sigaction(SIGUSR1, &old, NULL);
	if (self)
		bpf_task_release(self);
}

/* Copies from another process's memory: a child whose copy of a buffer
 * holds other bytes than ours at the same address. */
static char task_copy_buf[16] = "parent";

TEST(task_copies)
{
	int ready[2], done[2];
	struct task_struct *child, *self = bpf_task_from_pid(getpid());
	struct bpf_dynptr d;
	char out[16], c;
	pid_t pid;

	CHECK(self && !pipe(ready) && !pipe(done));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		strcpy(task_copy_buf, "child!");
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	CHECK_EQ(read(ready[0], &c, 1), 1);
	child = bpf_task_from_pid(pid);
	CHECK(child);
	if (child) {
		memset(out, 'x', sizeof(out));
		CHECK_EQ(bpf_copy_from_user_task_str(out, sizeof(out),
						     task_copy_buf, child, 0),
			 7);
		CHECK_STR(out, "child!");
		CHECK_EQ(bpf_copy_from_user_task_str(out, 4, task_copy_buf,
						     child, 1),
			 4);
		CHECK_STR(out, "chi");
		CHECK_EQ(bpf_copy_from_user_task_str(out, sizeof(out),
						     task_copy_buf, self, 0),
			 7);
		CHECK_STR(out, "parent");
		CHECK_EQ(bh_dynptr_init_local(&d, out, sizeof(out), false), 0);
		memset(out, 'x', sizeof(out));
		CHECK_EQ(bpf_copy_from_user_task_dynptr(&d, 2, 3, task_copy_buf,
							child),
			 0);
		CHECK(!memcmp(out, "xxchix", 6));
		CHECK_EQ(bpf_copy_from_user_task_str_dynptr(
				 &d, 0, 16, task_copy_buf, child),
			 7);
		CHECK_STR(out, "child!");
		/* a fault: -EFAULT, the string form leaves "" */
		memset(out, 'x', sizeof(out));
		CHECK_EQ(bpf_copy_from_user_task_dynptr(&d, 0, 4, NULL, child),
			 -EFAULT);
		CHECK_EQ(out[0], 'x');
		CHECK_EQ(bpf_copy_from_user_task_str(out, 8, NULL, child, 0),
			 -EFAULT);
		CHECK_EQ(out[0], '\0');
		CHECK_EQ(bpf_copy_from_user_task_str(out, 8, task_copy_buf,
						     child, 4),
			 -EINVAL);
	}
	CHECK_EQ(write(done[1], "d", 1), 1);
	waitpid(pid, NULL, 0);
	if (child) {
		/* the process is gone: its memory cannot be read */
		CHECK_EQ(bpf_copy_from_user_task_str(out, 8, task_copy_buf,
						     child, 0),
			 -EFAULT);
		bpf_task_release(child);
	}
	bpf_task_release(self);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

TEST(probe_reads)
{
	long pg = sysconf(_SC_PAGESIZE);
	char src[] = "hello", buf[16];
	char *map;

	CHECK_EQ(bh_probe_read(buf, sizeof(src), src, true), 0);
	CHECK(!strcmp(buf, "hello"));
	CHECK_EQ(bh_probe_read(buf, 0, NULL, true), 0);
	/* NULL: the kernel's codes, buffer zeroed */
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(bh_probe_read(buf, 8, NULL, true), -ERANGE);
	CHECK(!buf[0] && !buf[7] && buf[8] == 1);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(bh_probe_read(buf, 8, NULL, false), -EFAULT);
	CHECK(!buf[0] && !buf[7]);

	map = mmap(NULL, (size_t)pg * 3, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	/* page 1 PROT_NONE, page 2 unmapped */
	CHECK(!mprotect(map + pg, (size_t)pg, PROT_NONE));
	CHECK(!munmap(map + 2 * pg, (size_t)pg));
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(bh_probe_read(buf, 8, map + pg, true), -EFAULT);
	CHECK(!buf[0]);
	CHECK_EQ(bh_probe_read(buf, 8, map + 2 * pg, false), -EFAULT);
	/* straddling into PROT_NONE: all or nothing */
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(bh_probe_read(buf, 8, map + pg - 4, true), -EFAULT);
	CHECK(!buf[0] && !buf[3]);

	/* strings: one ending right before a PROT_NONE page reads fine */
	memcpy(map + pg - 4, "abc", 4);
	CHECK_EQ(bh_probe_read_str(buf, sizeof(buf), map + pg - 4, true), 4);
	CHECK(!strcmp(buf, "abc"));
	/* one running into it faults, buffer zeroed */
	memcpy(map + pg - 4, "abcd", 4);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(bh_probe_read_str(buf, sizeof(buf), map + pg - 4, true),
		 -EFAULT);
	CHECK(!buf[0] && !buf[15]);
	/* ... unless size stops it first */
	CHECK_EQ(bh_probe_read_str(buf, 5, map + pg - 4, true), 5);
	CHECK(!strcmp(buf, "abcd"));
	CHECK_EQ(bh_probe_read_str(buf, 3, src, false), 3);
	CHECK(!strcmp(buf, "he"));
	CHECK_EQ(bh_probe_read_str(buf, 8, NULL, true), -ERANGE);
	CHECK_EQ(bh_probe_read_str(buf, 8, NULL, false), -EFAULT);
	CHECK_EQ(bh_probe_read_str(buf, 0, NULL, false), 0);

	/* the helper entry points */
	CHECK_EQ((int64_t)bh_helper_probe_read_kernel(
			 (uintptr_t)buf, 8, (uintptr_t)(map + pg), 0, 0),
		 -EFAULT);
	CHECK_EQ((int64_t)bh_helper_probe_read_user_str(
			 (uintptr_t)buf, sizeof(buf), (uintptr_t)src, 0, 0),
		 6);

	/* bpf_copy_from_user_str: lengths, truncation, flags */
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(bpf_copy_from_user_str(buf, sizeof(buf), src, 0), 6);
	CHECK(!strcmp(buf, "hello") && buf[6] == 'x');
	CHECK_EQ(bpf_copy_from_user_str(buf, sizeof(buf), src, 1), 6);
	CHECK(!buf[6] && !buf[15]);
	CHECK_EQ(bpf_copy_from_user_str(buf, 3, src, 0), 3);
	CHECK(!strcmp(buf, "he"));
	CHECK_EQ(bpf_copy_from_user_str(buf, 0, NULL, 0), 0);
	CHECK_EQ(bpf_copy_from_user_str(buf, 8, src, 2), -EINVAL);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(bpf_copy_from_user_str(buf, 8, map + pg, 0), -EFAULT);
	CHECK(buf[0] == 'x');
	CHECK_EQ(bpf_copy_from_user_str(buf, 8, map + pg, 1), -EFAULT);
	CHECK(!buf[0] && !buf[7] && buf[8] == 'x');
	munmap(map, (size_t)pg * 2);
}

/* many threads looking up and releasing the same tasks */
static void *hammer(void *arg)
{
	int *ok = arg;

	for (int i = 0; i < 200; i++) {
		struct task_struct *t = bpf_task_from_pid(getpid());
		struct task_struct *p =
			t ? bpf_task_acquire(t->real_parent) : NULL;

		if (!t || !p || t->real_parent != p)
			*ok = 0;
		bpf_task_release(p);
		bpf_task_release(t);
	}
	return NULL;
}

TEST(concurrent_refs)
{
	pthread_t th[4];
	int ok[4] = {1, 1, 1, 1};
	unsigned int base = bh_task_cached();

	for (int i = 0; i < 4; i++)
		CHECK(!pthread_create(&th[i], NULL, hammer, &ok[i]));
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		CHECK(ok[i]);
	CHECK_EQ(bh_task_cached(), base);
}

/* The memory map: ordered areas; the stack, the code and a file mapping
 * found where they are; iteration from an address; no map for pid 0. */
TEST(task_vma)
{
	struct task_struct *self = bpf_task_from_pid(getpid());
	struct bpf_iter_task_vma it;
	struct vm_area_struct *v, *code = NULL;
	uintptr_t stack_addr = (uintptr_t)&it,
		  code_addr = (uintptr_t)&read_line;
	unsigned long prev_end = 0;
	int n = 0, ordered = 1, on_stack = 0;

	if (!self) {
		th_skip("no /proc");
		return;
	}
	CHECK_EQ(bpf_iter_task_vma_new(&it, self, 0), 0);
	while ((v = bpf_iter_task_vma_next(&it))) {
		if (v->vm_start < prev_end || v->vm_start >= v->vm_end)
			ordered = 0;
		prev_end = v->vm_end;
		if (stack_addr >= v->vm_start && stack_addr < v->vm_end)
			on_stack = (v->vm_flags & 3) == 3; /* read, write */
		if (code_addr >= v->vm_start && code_addr < v->vm_end)
			code = v;
		n++;
	}
	CHECK(n > 3);
	CHECK(ordered);
	CHECK(on_stack);
	CHECK(code && (code->vm_flags & 4) && code->vm_file &&
	      code->vm_file->f_path.dentry &&
	      strstr((const char *)code->vm_file->f_path.dentry->d_name.name,
		     "test_task") != NULL);
	CHECK(bpf_iter_task_vma_next(&it) == NULL);
	bpf_iter_task_vma_destroy(&it);

	/* from the code's address: its area first */
	CHECK_EQ(bpf_iter_task_vma_new(&it, self, code_addr), 0);
	v = bpf_iter_task_vma_next(&it);
	CHECK(v && v->vm_start <= code_addr && code_addr < v->vm_end);
	bpf_iter_task_vma_destroy(&it);
	/* past the last area: an empty walk */
	CHECK_EQ(bpf_iter_task_vma_new(&it, self, UINT64_MAX), 0);
	CHECK(bpf_iter_task_vma_next(&it) == NULL);
	bpf_iter_task_vma_destroy(&it);
	/* the idle task, where every real_parent chain ends, has no map */
	{
		struct task_struct *t = self;

		for (int i = 0; i < 4096 && t->pid; i++)
			t = t->real_parent;
		CHECK_EQ(t->pid, 0);
		CHECK_EQ(bpf_iter_task_vma_new(&it, t, 0), -ENOENT);
		CHECK(bpf_iter_task_vma_next(&it) == NULL);
		bpf_iter_task_vma_destroy(&it);
	}
	bpf_task_release(self);
}

/* The cgroup iterators: pre-order from the root reaches our cgroup after
 * the root; post-order ends with the start; ancestors climb to the root;
 * our cgroup's processes include us; bad orders and flags are -EINVAL. */
TEST(css_iters)
{
	struct cgroup *cg, *root;
	struct cgroup_subsys_state *pos, *last = NULL;
	struct bpf_iter_css it;
	struct bpf_iter_css_task tit;
	struct task_struct *t;
	int n = 0, found = 0, first_root = 0, level = -1, me = 0;

	if (!bh_cgroup_mount()[0]) {
		th_skip("no cgroup v2 mount");
		return;
	}
	cg = bh_cgroup_of("self");
	CHECK(cg);
	if (!cg)
		return;
	root = cg->ancestors[0];
	CHECK_EQ(bpf_iter_css_new(&it, &root->self, 2), 0);
	while ((pos = bpf_iter_css_next(&it))) {
		if (!n)
			first_root = pos->cgroup == root;
		found |= pos->cgroup == cg;
		n++;
	}
	bpf_iter_css_destroy(&it);
	CHECK(first_root && found && n >= cg->level + 1);

	n = 0;
	CHECK_EQ(bpf_iter_css_new(&it, &cg->self, 3), 0);
	while ((pos = bpf_iter_css_next(&it)))
		last = pos, n++;
	bpf_iter_css_destroy(&it);
	CHECK(n >= 1 && last == &cg->self);

	n = 0;
	CHECK_EQ(bpf_iter_css_new(&it, &cg->self, 4), 0);
	while ((pos = bpf_iter_css_next(&it)))
		level = pos->cgroup->level, n++;
	bpf_iter_css_destroy(&it);
	CHECK(n == cg->level + 1 && level == 0);

	CHECK_EQ(bpf_iter_css_task_new(&tit, &cg->self, 1), 0);
	while ((t = bpf_iter_css_task_next(&tit)))
		me |= t->pid == getpid();
	bpf_iter_css_task_destroy(&tit);
	CHECK(me);

	CHECK_EQ(bpf_iter_css_new(&it, &cg->self, 0), -EINVAL);
	CHECK(!bpf_iter_css_next(&it));
	bpf_iter_css_destroy(&it);
	CHECK_EQ(bpf_iter_css_task_new(&tit, &cg->self, 2), -EINVAL);
	CHECK(!bpf_iter_css_task_next(&tit));
	bpf_iter_css_task_destroy(&tit);
	bh_cgroup_put(cg);
}
