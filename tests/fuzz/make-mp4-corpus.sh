#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fills DIR (default ./corpus-mp4) with small MP4 seeds for the fuzz-mp4-* targets:
# progressive, fragmented, HEVC/AC-3 and MOV files made by ffmpeg, plus the
# shared real-world media when ../shared/media exists.
set -eu
dir=${1:-corpus-mp4}
mkdir -p "$dir"
src="-f lavfi -i testsrc2=size=64x48:rate=10 -f lavfi -i sine=sample_rate=8000"
ff() { ffmpeg -nostdin -v error -y $src "$@"; }
ff -c:v libx264 -bf 2 -g 5 -c:a aac -t 1 "$dir/prog.mp4"
ff -c:v libx264 -bf 2 -g 5 -c:a aac -t 1 -movflags frag_keyframe+empty_moov+default_base_moof "$dir/frag.mp4"
ff -c:v libx265 -x265-params log-level=error -tag:v hvc1 -c:a ac3 -t 1 "$dir/hevc.mp4"
ff -c:v libx264 -c:a aac -t 1 "$dir/clip.mov"
media="$(dirname "$0")/../../../shared/media"
if [ -d "$media" ]; then
  for f in "$media"/*.mp4; do
    [ "$(stat -c %s "$f")" -lt 200000 ] && cp "$f" "$dir/"
  done
fi
echo "seeds in $dir"
