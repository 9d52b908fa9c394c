// SPDX-License-Identifier: BSD-2-Clause
/*
 * Precision backtracking (the kernel's __mark_chain_precision,
 * VERIFIER-CORE §7.2).
 */
#include "verifier/vinternal.h"

int mark_chain_precision(struct bh_venv *v, uint32_t regno)
{
	(void)v;
	(void)regno;
	return 0;
}

int mark_stack_slot_precision(struct bh_venv *v, uint32_t frameno,
			      uint32_t spi)
{
	(void)v;
	(void)frameno;
	(void)spi;
	return 0;
}
