#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs vpack into a scratch folder, builds the example plugin in this folder
# against the installed headers and vpack-1.pc only, and runs it in a pipeline.
set -eu

: "${VPACK_BUILD_ROOT:?}" "${VPACK_SOURCE_ROOT:?}" "${VPACK:?}"
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "1..4"
meson install -C "$VPACK_BUILD_ROOT" --no-rebuild --quiet --destdir "$scratch/dest" >/dev/null
pc=$(find "$scratch/dest" -name vpack-1.pc | head -n 1)
[ -n "$pc" ] || { echo "not ok 1 - vpack-1.pc is installed"; exit 1; }
echo "ok 1 - vpack-1.pc is installed"

# The .pc file names the real prefix; point a copy of it at the scratch install.
mkdir "$scratch/pc"
sed "s|^prefix=|prefix=$scratch/dest|" "$pc" > "$scratch/pc/vpack-1.pc"
export PKG_CONFIG_PATH="$scratch/pc"
mkdir "$scratch/plugins"
# Only the installed SDK: no -I into the source tree.
# shellcheck disable=SC2046
cc -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
   -o "$scratch/plugins/vpk-sizelimit.so" "$here/vpk-sizelimit.c" \
   $(pkg-config --cflags --libs vpack-1)
echo "ok 2 - the example plugin builds against the installed SDK"

media="$scratch/clip.mp4"
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=25 -t 1 -c:v libx264 -g 25 "$media"
size=$(stat -c %s "$media")
cat > "$scratch/vpack.conf" <<CONF
[pipeline]
ingest = sizelimit, native
[sizelimit]
max_size = $((size - 1))
CONF
export VPACK_PLUGIN_PATH="$scratch/plugins:$VPACK_PLUGIN_PATH"

set +e
out=$("$VPACK" probe --config "$scratch/vpack.conf" "$media" 2>&1); status=$?
set -e
if [ "$status" -eq 2 ] && echo "$out" | grep -q "ingest (sizelimit): the input is $size bytes"; then
  echo "ok 3 - the plugin refuses a file over its limit (exit 2)"
else
  echo "not ok 3 - the plugin refuses a file over its limit: status $status, '$out'"; exit 1
fi

sed -i "s/^max_size = .*/max_size = $size/" "$scratch/vpack.conf"
out=$("$VPACK" package --config "$scratch/vpack.conf" "$media" -o "$scratch/out" --json \
      --key hyN9IKGfWKdAwFaE5pm0qg --kid oW5AK5BW43HzbTSKpiu3SQ)
if echo "$out" | grep -q '"backend" : "native"' && [ -f "$scratch/out/stream.mpd" ]; then
  echo "ok 4 - a file within the limit passes to native, which packages it"
else
  echo "not ok 4 - a file within the limit passes to the next backend: '$out'"; exit 1
fi
