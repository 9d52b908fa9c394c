#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install the Debian packages bpfhost builds and tests with.  Idempotent:
# does nothing when every package is present.  As root it installs them;
# otherwise it prints the exact apt-get line and fails.
set -eu
PKGS="clang-19 llvm-19 libelf-dev zlib1g-dev libbpf-dev bpftool dwarves pkg-config make gcc libclang-rt-19-dev"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "bpfhost: missing Debian packages:$missing" >&2
	echo "bpfhost: run as root:  apt-get install -y$missing" >&2
	exit 1
fi
echo "bpfhost: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update >/dev/null 2>&1
	apt-get install -y --no-install-recommends $missing >/dev/null
}
