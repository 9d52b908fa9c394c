// SPDX-License-Identifier: BSD-2-Clause
/*
 * The host's possible CPUs and "this CPU", as every per-CPU thing in
 * bpfhost sees them (per-CPU maps and objects, cpumasks,
 * bpf_get_smp_processor_id and its verifier range): nr_cpu_ids is the
 * highest possible CPU + 1 from /sys/devices/system/cpu/possible, else
 * sysconf(_SC_NPROCESSORS_CONF), capped at BH_MAX_CPUS; the environment
 * variable BPFHOST_POSSIBLE_CPUS=N sets it instead (as the kernel's
 * possible_cpus=N boot option does).  Read once, at first use.
 *
 * "This CPU" is fixed for a whole program run, as the kernel runs a
 * program with migration disabled: bh_cpu_pin() at the run's start reads
 * sched_getcpu() once and every per-CPU access of the run on that thread
 * uses it, even if the thread migrates meanwhile.  (Unlike the kernel,
 * another thread may run a program "on" the same CPU at the same time:
 * per-CPU data is then shared by two runs, which can tear a value but
 * never touches memory outside the copy.)
 *
 * Invariant: bh_this_cpu() < bh_nr_cpus() always, so a per-CPU copy
 * indexed by it is in bounds even when the count was lowered by the
 * environment variable (CPUs above it share copies, modulo the count).
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "maps/map.h"

static unsigned int nr_cpus;
static pthread_once_t nr_cpus_once = PTHREAD_ONCE_INIT;

/* Highest CPU in a cpulist such as "0-3,8-11\n", + 1; 0 if unreadable. */
static unsigned int cpulist_count(const char *s)
{
	unsigned long hi = 0;
	bool any = false;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s)
			break;
		if (v + 1 > hi)
			hi = v + 1;
		any = true;
		s = end;
		while (*s == '-' || *s == ',' || *s == ' ' || *s == '\n')
			s++;
		if (hi > BH_MAX_CPUS)
			break;
	}
	return any ? (unsigned int)(hi > BH_MAX_CPUS ? BH_MAX_CPUS : hi) : 0;
}

static void nr_cpus_init(void)
{
	char buf[4096];
	unsigned int n = 0;
	const char *env = secure_getenv("BPFHOST_POSSIBLE_CPUS");
	FILE *f;

	if (env && *env) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);

		if (!*end && v >= 1) {
			nr_cpus =
				v > BH_MAX_CPUS ? BH_MAX_CPUS : (unsigned int)v;
			return;
		}
	}
	f = fopen("/sys/devices/system/cpu/possible", "re");
	if (f) {
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);

		buf[len] = '\0';
		fclose(f);
		n = cpulist_count(buf);
	}
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_CONF);

		n = c < 1 ? 1 : c > BH_MAX_CPUS ? BH_MAX_CPUS : (unsigned int)c;
	}
	nr_cpus = n;
}

unsigned int bh_nr_cpus(void)
{
	pthread_once(&nr_cpus_once, nr_cpus_init);
	return nr_cpus;
}

/* 1 + the CPU of the run in progress on this thread, 0 outside runs */
static _Thread_local unsigned int pinned;

static unsigned int current_cpu(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : (unsigned int)cpu % bh_nr_cpus();
}

unsigned int bh_this_cpu(void)
{
	return pinned ? pinned - 1 : current_cpu();
}

unsigned int bh_cpu_pin(void)
{
	unsigned int old = pinned;

	/* a nested run (a program run from a kfunc) keeps its caller's */
	if (!old)
		pinned = current_cpu() + 1;
	return old;
}

void bh_cpu_unpin(unsigned int old)
{
	pinned = old;
}
