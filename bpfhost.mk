# SPDX-License-Identifier: BSD-2-Clause
# Make snippet for hosts that embed bpfhost and define kfuncs.
#
#   include $(shell pkg-config --variable=mkfile bpfhost)
#
#   myhost: myhost.c kfuncs.c
#   	$(CC) $(BPFHOST_CFLAGS) -o $@ $^ $(BPFHOST_LIBS)
#   	$(BPFHOST_BTF) $@
#
# BPFHOST_CFLAGS has -g: kfunc prototypes and parameter names (the __sz,
# __k, ... annotations) and host struct layouts come from the debug info;
# BPFHOST_BTF turns it into the .BTF section bpfhost reads at run time
# (pahole from Debian's dwarves, the tool the kernel uses for vmlinux).
BPFHOST_CFLAGS ?= -g $(shell pkg-config --cflags bpfhost)
BPFHOST_LIBS ?= $(shell pkg-config --libs --static bpfhost)
BPFHOST_BTF ?= pahole -J
