# SPDX-License-Identifier: BSD-2-Clause
# bpfhost build.  `make` builds the library (static + shared), the CLI, the
# tests and the examples; `make check` runs every test (also under
# ASan+UBSan) and ends with "N passed, N failed"; `make demo` runs the
# bundled example; `make bench` prints the benchmark table.

CC ?= gcc
BPF_CLANG ?= clang-19
BUILD ?= build
SHARED ?= $(abspath ../shared)
PREFIX ?= /usr/local

WARN := -Wall -Wextra -Werror -Wno-missing-field-initializers
BASE_CFLAGS := -std=gnu11 -g -fPIC -fvisibility=hidden -D_GNU_SOURCE \
	-Iinclude -Isrc $(WARN)
OPT := -O2
ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDLIBS := -lbpf -lelf -lz -lpthread

LIB_SRCS := $(sort $(wildcard src/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan/%.o)
HDRS := $(wildcard include/bpfhost/*.h src/*/*.h src/*/*.def)

# libbpfhost's own BTF (src/btf): the objects of the built-in kfuncs
# (src/stdlib) linked into a scratch shared object, pahole -J turns their
# DWARF into .BTF, and the raw bytes become bh_embedded_btf in a generated
# C file linked into both libraries.  No stdlib objects: an empty array.
STDLIB_OBJS := $(filter $(BUILD)/src/stdlib/%,$(LIB_OBJS))
LIB_OBJS += $(BUILD)/gen/embedded_btf.o
ASAN_LIB_OBJS += $(BUILD)/asan/gen/embedded_btf.o

$(BUILD)/gen/stdlib.btf: $(STDLIB_OBJS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ $@.so && touch $@
	$(if $(STDLIB_OBJS),$(CC) -shared -g -o $@.so $^ && pahole -J $@.so && \
		objcopy --dump-section .BTF=$@ $@.so)

$(BUILD)/gen/embedded_btf.c: $(BUILD)/gen/stdlib.btf
	{ echo '/* Generated from $<: do not edit. */'; \
	  echo '#include "btf/hbtf_internal.h"'; \
	  echo 'const unsigned char bh_embedded_btf[] = {'; \
	  od -An -v -tx1 $< | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0 };'; \
	  echo "const unsigned int bh_embedded_btf_len = $$(wc -c < $<);"; } > $@

$(BUILD)/gen/embedded_btf.o: $(BUILD)/gen/embedded_btf.c src/btf/hbtf_internal.h
	$(CC) $(BASE_CFLAGS) $(OPT) -c $< -o $@

$(BUILD)/asan/gen/embedded_btf.o: $(BUILD)/gen/embedded_btf.c src/btf/hbtf_internal.h
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(ASAN_FLAGS) -c $< -o $@

# Host BTF in a linked test binary (bh_hbtf_add_self reads it): pahole on a
# relocatable link of the same inputs, because pahole 1.24 gives up on the
# C++ DWARF that -fsanitize=address links in (asan_preinit.cpp).
add_btf = $(CC) -r -nostdlib -o $@.btf.o $(filter %.o %.a,$^) && \
	pahole -J $@.btf.o && objcopy --dump-section .BTF=$@.btf $@.btf.o && \
	objcopy --add-section .BTF=$@.btf $@ && rm -f $@.btf.o $@.btf

CLI_SRCS := $(sort $(wildcard tools/bpfhost/*.c))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
# linked into every test binary: the harness and shared test helpers
TEST_SUPPORT := tests/harness.c $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
ASAN_TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(BUILD)/asan/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
ASAN_TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/asan/tests/%)

BPF_SRCS := $(sort $(wildcard tests/progs/*.bpf.c))
BPF_OBJS := $(BPF_SRCS:tests/progs/%.bpf.c=$(BUILD)/progs/%.bpf.o)
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v4 -Wall -Werror -Iinclude \
	-I/usr/include/$(shell uname -m)-linux-gnu

DEPS_STAMP := $(BUILD)/.deps-ok

# keep intermediate objects (test .o files) between builds; a failed recipe
# (e.g. pahole after a link) leaves no half-made target behind
.DELETE_ON_ERROR:
.SECONDARY:

EXAMPLES := $(BUILD)/examples/ratelimit $(BUILD)/examples/ratelimit.bpf.o \
	$(BUILD)/examples/sessions $(BUILD)/examples/libsessions.so \
	$(BUILD)/examples/sessions.bpf.o $(BUILD)/examples/leak.bpf.o \
	$(BUILD)/examples/ps \
	$(BUILD)/examples/ps.bpf.o
SESS := examples/sessions
SESS_SRCS := $(SESS)/session_table.c $(SESS)/session_kfuncs.c

.PHONY: all lib cli tests progs tools examples check demo bench install clean format lint deps
all: lib cli tests progs tools examples

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/deps.sh
	@touch $@

lib: $(BUILD)/libbpfhost.a $(BUILD)/libbpfhost.so
cli: $(BUILD)/bpfhost $(BUILD)/bpfhost-conformance-plugin
$(BUILD)/bpfhost-conformance-plugin: $(BUILD)/bpfhost
	ln -sf bpfhost $@
tests: $(TEST_BINS) $(ASAN_TEST_BINS) $(BUILD)/asan/bpfhost
# programs for tests that set up host program types of their own
HOSTPROG_SRCS := $(sort $(wildcard tests/hostprogs/*.bpf.c))
HOSTPROG_OBJS := $(HOSTPROG_SRCS:tests/hostprogs/%.bpf.c=$(BUILD)/hostprogs/%.bpf.o)
# programs written for the Linux kernel, verified by bpfhost and by the
# running kernel (test_linux)
LINUX_SRCS := $(sort $(wildcard tests/linux/*.bpf.c))
LINUX_OBJS := $(LINUX_SRCS:tests/linux/%.bpf.c=$(BUILD)/linux/%.bpf.o)
progs: $(BPF_OBJS) $(HOSTPROG_OBJS) $(LINUX_OBJS)
$(BUILD)/linux/%.bpf.o: tests/linux/%.bpf.c $(wildcard tests/linux/*.h include/bpf/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/hostprogs/%.bpf.o: tests/hostprogs/%.bpf.c $(wildcard include/bpf/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@
tools: $(BUILD)/tools/kload

# The kernel as an oracle (tests load corpus programs into it when bpf()
# is permitted); built with libbpf only, not with bpfhost.
$(BUILD)/tools/kload: tests/tools/kload.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(WARN) -o $@ $< $(LDLIBS)

$(BUILD)/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT) -c $< -o $@

$(BUILD)/asan/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(ASAN_FLAGS) -c $< -o $@

$(BUILD)/libbpfhost.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/asan/libbpfhost.a: $(ASAN_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libbpfhost.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libbpfhost.so.0 -o $@ $^ $(LDLIBS)

# -rdynamic: --plugin libraries call register_btf_kfunc_id_set() in here
$(BUILD)/bpfhost: $(CLI_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/libbpfhost.a
	$(CC) -rdynamic -o $@ $^ $(LDLIBS)

$(BUILD)/asan/bpfhost: $(CLI_SRCS:%.c=$(BUILD)/asan/%.o) $(BUILD)/asan/libbpfhost.a
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT_OBJS) $(BUILD)/libbpfhost.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDLIBS)
	$(add_btf)

$(BUILD)/asan/tests/%: $(BUILD)/asan/tests/unit/%.o $(ASAN_TEST_SUPPORT_OBJS) $(BUILD)/asan/libbpfhost.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)
	$(add_btf)

$(BUILD)/tests/unit/%.o $(TEST_SUPPORT_OBJS): BASE_CFLAGS += -Itests
$(BUILD)/asan/tests/unit/%.o $(ASAN_TEST_SUPPORT_OBJS): BASE_CFLAGS += -Itests

$(BUILD)/progs/%.bpf.o: tests/progs/%.bpf.c $(wildcard include/bpf/*.h tests/progs/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

examples: $(EXAMPLES)
# The sessions example: a host defining kfuncs the kernel's way.  As README
# says for any host: build with -g, then `pahole -J` on the binary.
$(BUILD)/examples/sessions: $(SESS)/host.c $(SESS_SRCS) $(SESS)/sessions.h $(BUILD)/libbpfhost.a
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(WARN) -Iinclude -o $@ $(SESS)/host.c $(SESS_SRCS) $(BUILD)/libbpfhost.a $(LDLIBS)
	pahole -J $@
# The same kfuncs as a plugin, for `bpfhost --plugin` (kfunc list, btf dump)
$(BUILD)/examples/libsessions.so: $(SESS_SRCS) $(SESS)/sessions.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -fPIC -shared $(WARN) -Iinclude -o $@ $(SESS_SRCS)
	pahole -J $@
# Programs include the host's types as kernel programs include vmlinux.h
$(BUILD)/examples/sessions_btf.h: $(BUILD)/examples/libsessions.so $(BUILD)/bpfhost
	$(BUILD)/bpfhost --plugin $(abspath $<) btf dump --format c > $@.tmp
	mv $@.tmp $@
$(BUILD)/examples/sessions.bpf.o: $(SESS)/sessions.bpf.c $(BUILD)/examples/sessions_btf.h
	$(BPF_CLANG) $(BPF_CFLAGS) -I$(BUILD)/examples -c $< -o $@
$(BUILD)/examples/leak.bpf.o: $(SESS)/leak.bpf.c $(BUILD)/examples/sessions_btf.h
	$(BPF_CLANG) $(BPF_CFLAGS) -I$(BUILD)/examples -c $< -o $@

$(BUILD)/examples/ps: examples/ps/ps.c $(BUILD)/libbpfhost.a
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(WARN) -Iinclude -o $@ $< $(BUILD)/libbpfhost.a $(LDLIBS)
$(BUILD)/examples/ps.bpf.o: examples/ps/ps.bpf.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/examples/%: examples/%.c $(BUILD)/libbpfhost.a
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(WARN) -Iinclude -o $@ $< $(BUILD)/libbpfhost.a $(LDLIBS)
$(BUILD)/examples/%.bpf.o: examples/%.bpf.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

check: all
	@BUILD=$(BUILD) SHARED=$(SHARED) sh scripts/check.sh

# A long soundness-fuzz run of the verifier (ASan build): FUZZ_ITERS
# random programs and FUZZ_PREC_ITERS precision/pruning programs from
# FUZZ_SEED, each accepted one run against guard pages; the first
# FUZZ_KERNEL of the latter also loaded into the running kernel (when
# bpf() is permitted) and the verdicts compared.
.PHONY: fuzz
fuzz: $(BUILD)/asan/tests/test_fuzz_verifier
	BUILD=$(BUILD) FUZZ_ITERS=$${FUZZ_ITERS:-200000} \
		FUZZ_PREC_ITERS=$${FUZZ_PREC_ITERS:-100000} \
		FUZZ_KERNEL=$${FUZZ_KERNEL:-20000} $<

demo: all
	@sh scripts/demo.sh $(BUILD)

bench: all
	@$(MAKE) -s -C bench BUILD=$(abspath $(BUILD))

install: lib cli
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/bpfhost \
		$(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(BUILD)/libbpfhost.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libbpfhost.so $(DESTDIR)$(PREFIX)/lib/libbpfhost.so.0
	ln -sf libbpfhost.so.0 $(DESTDIR)$(PREFIX)/lib/libbpfhost.so
	install -m 644 include/bpfhost/*.h $(DESTDIR)$(PREFIX)/include/bpfhost/
	install -d $(DESTDIR)$(PREFIX)/include/bpfhost/bpf
	install -m 644 include/bpf/*.h $(DESTDIR)$(PREFIX)/include/bpfhost/bpf/
	install -m 755 $(BUILD)/bpfhost $(DESTDIR)$(PREFIX)/bin/
	ln -sf bpfhost $(DESTDIR)$(PREFIX)/bin/bpfhost-conformance-plugin
	sed -e 's|@PREFIX@|$(PREFIX)|g' bpfhost.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bpfhost.pc
	install -d $(DESTDIR)$(PREFIX)/share/bpfhost
	install -m 644 bpfhost.mk $(DESTDIR)$(PREFIX)/share/bpfhost/

format:
	clang-format -i $(LIB_SRCS) $(CLI_SRCS) $(TEST_SRCS) $(wildcard src/*/*.h include/bpfhost/*.h)

lint: | $(DEPS_STAMP)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=missingIncludeSystem --inline-suppr -Iinclude -Isrc \
		$(LIB_SRCS) $(CLI_SRCS)

clean:
	rm -rf $(BUILD)
