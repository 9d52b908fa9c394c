// SPDX-License-Identifier: BSD-2-Clause
/*
 * CO-RE, the same object in both: a partial struct task_struct with
 * preserve_access_index (only the fields read, in an order of its own), as
 * a program built against any vmlinux.h sees it.  libbpf relocates the
 * field offsets against the kernel's BTF, bpfhost against its own task
 * type; both must read the calling task's pid, tgid and comm.
 */
// EXPECT: ACCEPT
// RETVAL(core_task_ids): 1
// RETVAL(core_task_comm): 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct {
	char comm[16];
	int tgid;
	int pid;
} __attribute__((preserve_access_index));

/* helper 158: the calling thread's task, a trusted BTF pointer */
static struct task_struct *(*get_task)(void) = (void *)158;

SEC("syscall")
int core_task_ids(void *ctx)
{
	struct task_struct *t = get_task();
	__u64 pt = bpf_get_current_pid_tgid();

	return t->pid == (__u32)pt && t->tgid == (__u32)(pt >> 32);
}

SEC("syscall")
int core_task_comm(void *ctx)
{
	struct task_struct *t = get_task();
	char comm[16];

	if (bpf_get_current_comm(comm, sizeof(comm)))
		return -1;
	for (int i = 0; i < 16; i++) {
		if (t->comm[i] != comm[i])
			return 0;
		if (!comm[i])
			break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
