// SPDX-License-Identifier: BSD-2-Clause
/*
 * The list of built-in kfunc families a new runtime registers.  Families
 * still being written are weak references: absent, they are skipped.
 */
#include <stddef.h>

#include "stdlib.h"

#define BH_WEAK __attribute__((weak))

int bh_stdlib_add(struct bpfhost_rt *rt)
{
	int (*const fams[])(struct bpfhost_rt *) = {
		bh_stdlib_common_add,	  bh_stdlib_cpumask_add,
		bh_stdlib_task_add,	  bh_stdlib_mem_add,
		bh_stdlib_rqspinlock_add, bh_stdlib_wq_add,
	};

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		int ret = fams[i] ? fams[i](rt) : 0;

		if (ret)
			return ret;
	}
	return 0;
}
