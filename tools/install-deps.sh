#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs every Debian package vpack needs to build, run and test (Debian 12, as root).
# Idempotent: packages already present are left alone, apt is only asked when one is missing.
set -eu

PACKAGES="
  meson ninja-build pkg-config gcc clang llvm libclang-rt-14-dev
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libxml2-dev libssl-dev libmariadb-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  mariadb-server mariadb-client ffmpeg
  chromium python3 curl
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

# Node.js may come from another source than Debian (it then ships npm itself): only ask Debian
# for it when there is no node at all.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
  echo "vpack: installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi
