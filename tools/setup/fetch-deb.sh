#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-deb.sh SUITE PACKAGE VERSION DESTDIR
#
# Download one Debian package (binary, or with --source the source package)
# from a suite the host's apt sources do not carry, through a private apt
# configuration under $VDSA_CACHE/apt. apt checks the package against the
# suite's signed index; the caller may check a pinned sha256 on top.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/setup/versions.sh
. "$here/versions.sh"

source_pkg=
if [ "${1:-}" = --source ]; then
	source_pkg=1
	shift
fi
[ $# -eq 4 ] || { echo "usage: $0 [--source] SUITE PACKAGE VERSION DESTDIR" >&2; exit 2; }
suite=$1 pkg=$2 ver=$3 dest=$4

aptdir="$VDSA_CACHE/apt/$suite"
mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" "$dest"
cat >"$aptdir/sources.list" <<EOS
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main
EOS
opts=(-o "Dir::Etc::sourcelist=$aptdir/sources.list" -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache::archives=$aptdir/archives"
      -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::AllowUnauthenticated=false"
      -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")

# Refresh the index once a day at most.
if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*InRelease' -mmin -1440 2>/dev/null)" ]; then
	apt-get "${opts[@]}" update -qq
fi

cd "$dest"
if [ -n "$source_pkg" ]; then
	apt-get "${opts[@]}" source -qq --download-only "$pkg=$ver"
else
	apt-get "${opts[@]}" download -qq "$pkg=$ver"
fi
