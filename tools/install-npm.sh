#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the npm modules the project pins (browser tests, the web player) into the
# project's own folders, from their lockfiles. Never downloads a browser: the tests
# drive Debian's chromium.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
for dir in "$root/tests/browser" "$root/data/web"; do
  [ -f "$dir/package-lock.json" ] || continue
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
