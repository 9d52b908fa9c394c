#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make demo`: the bundled example, a proxy's rate-limit filter, shown
# through the CLI (dump, run) and through a host program that embeds bpfhost.
set -eu
BUILD=${1:-build}
OBJ="$BUILD/examples/ratelimit.bpf.o"
echo "== bpfhost dump $OBJ (first lines)"
"$BUILD/bpfhost" dump "$OBJ" | head -n 30
echo
echo "== bpfhost verify $OBJ"
"$BUILD/bpfhost" verify "$OBJ"
echo
echo "== bpfhost run $OBJ --ctx-hex '07000000 01000000' --repeat 1000   (client 7, 1 byte each)"
"$BUILD/bpfhost" run "$OBJ" --ctx-hex "07000000 01000000" --repeat 1000
echo
echo "== examples/ratelimit.c: a host embedding bpfhost"
"$BUILD/examples/ratelimit" "$OBJ"
echo
echo "== kfuncs the sessions host offers (bpfhost --plugin libsessions.so kfunc list --name '*session*')"
"$BUILD/bpfhost" --plugin "$(pwd)/$BUILD/examples/libsessions.so" kfunc list --name '*session*'
echo
echo "== examples/sessions: a host that defines kfuncs the kernel's way"
"$BUILD/examples/sessions" "$BUILD/examples/sessions.bpf.o" "$BUILD/examples/leak.bpf.o"
echo
echo "== examples/ps: a Linux-style BPF program walking the host's processes (task iterator, CO-RE)"
"$BUILD/examples/ps" "$BUILD/examples/ps.bpf.o" | head -n 12
echo "  ..."
