// SPDX-License-Identifier: BSD-2-Clause
/*
 * A referenced kptr in global data (a variable of a .data.<name>
 * section): bpf_kptr_xchg moves program objects in and out, plain
 * stores are refused, and an object left there is dropped when the
 * program object goes (the section's record, found per variable).  The
 * kernel's verdicts and messages (kload, 6.18).
 */
// EXPECT(gk_stash): ACCEPT
// RETVAL(gk_stash): 1
// EXPECT(gk_roundtrip): ACCEPT
// RETVAL(gk_roundtrip): 5
// EXPECT(gk_plain_store): REJECT store to referenced kptr disallowed
// RETVAL(gk_plain_store): none
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __kptr __attribute__((btf_type_tag("kptr")))
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;

#define new_obj(T) bpf_obj_new_impl(bpf_core_type_id_local(T), NULL)
#define drop(p) bpf_obj_drop_impl(p, NULL)

struct thing {
	long v;
};

private(K) long before;
private(K) struct thing __kptr *gk;
private(K) struct thing __kptr *gk2;

/* one object left in gk2 until the object goes */
SEC("syscall")
int gk_stash(void *ctx)
{
	struct thing *t = new_obj(struct thing);

	if (!t)
		return 0;
	t->v = 1;
	t = bpf_kptr_xchg(&gk2, t);
	if (t)
		drop(t);
	return 1;
}

SEC("syscall")
int gk_roundtrip(void *ctx)
{
	struct thing *t = new_obj(struct thing);
	long v;

	if (!t)
		return 0;
	t->v = 5;
	t = bpf_kptr_xchg(&gk, t);
	if (t)
		drop(t);
	t = bpf_kptr_xchg(&gk, NULL);
	if (!t)
		return -1;
	v = t->v;
	drop(t);
	return v;
}

SEC("syscall")
int gk_plain_store(void *ctx)
{
	*(volatile long *)&gk = 0;
	return 0;
}

char _license[] SEC("license") = "GPL";
