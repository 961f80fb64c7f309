#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's first command: installs what is missing (Debian packages, npm modules),
# builds vpack, installs it under /usr/local and starts the service on its embedded
# default (a private MariaDB under the state folder). Arguments go to `vpack serve`.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${VPACK_BUILD_DIR:-$root/_build}

sh tools/install-deps.sh
sh tools/install-npm.sh

if [ ! -d "$build" ]; then
  meson setup "$build" --buildtype=release --prefix=/usr/local -Dtests=false
fi
ninja -C "$build"
meson install -C "$build" --quiet
ldconfig 2>/dev/null || true

echo "vpack: installed $(/usr/local/bin/vpack --version)"
/usr/local/bin/vpack plugins
exec /usr/local/bin/vpack serve "$@"
