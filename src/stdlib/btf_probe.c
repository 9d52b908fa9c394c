// SPDX-License-Identifier: BSD-2-Clause
/*
 * Placeholder until the built-in kfuncs land here: the C files of
 * src/stdlib are the input of the embedded-BTF step (Makefile), and this
 * function gives that step a FUNC and a struct to carry, so the pipeline
 * is exercised.
 * Remove it once src/stdlib has real kfuncs.
 */
struct bh_btf_probe_arg {
	int a;
	long b;
};

long bh_btf_probe(const struct bh_btf_probe_arg *arg);

long bh_btf_probe(const struct bh_btf_probe_arg *arg)
{
	return arg ? arg->a + arg->b : 0;
}
