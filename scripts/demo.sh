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
echo "== bpfhost run $OBJ --ctx-hex '01000000 dc050000' --repeat 1000 --unverified"
"$BUILD/bpfhost" run "$OBJ" --ctx-hex "01000000 dc050000" --repeat 1000 --unverified
echo
echo "== examples/ratelimit.c: a host embedding bpfhost"
"$BUILD/examples/ratelimit" "$OBJ" --unverified
