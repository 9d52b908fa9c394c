#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Run every test binary (plain and ASan+UBSan builds), each printing
# "N passed, N failed" last; print one line per suite and the total.
# Logs go to $BUILD/logs.  Exit status 1 when anything failed.
set -u
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
export BUILD SHARED
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$BUILD/logs"
total_p=0
total_f=0
total_s=0
for bin in "$BUILD"/tests/* "$BUILD"/asan/tests/*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	case "$bin" in
	"$BUILD"/asan/*) name="asan/$(basename "$bin")" ;;
	*) name=$(basename "$bin") ;;
	esac
	log="$BUILD/logs/$(echo "$name" | tr / _).log"
	timeout 900 "$bin" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	s=$(echo "$last" | sed -n 's/.*failed, \([0-9]*\) skipped.*/\1/p')
	p=${p:-0}
	f=${f:-0}
	s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, timed out or sanitizer report
		echo "  $name exited with status $rc (see $log)"
	fi
	if [ "$f" -ne 0 ]; then
		grep -E '^(FAIL|      )' "$log" | head -n 20 | sed 's/^/    /'
		grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$log" | head -n 5 | sed 's/^/    /'
	fi
	printf '%-28s %4d passed, %d failed%s\n' "$name" "$p" "$f" \
		"$([ "$s" -ne 0 ] && echo ", $s skipped")"
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	total_s=$((total_s + s))
done
if [ "$total_s" -ne 0 ]; then
	echo "(skipped parts are listed as SKIP: in $BUILD/logs)"
fi
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
