#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Memory of `vpack serve` while it takes COUNT concurrent uploads of one
# SIZE-MB file (POST /input_content, Content-Type video/mp4, a raw body sent by
# `curl --data-binary @FILE`): its RSS before, sampled every 0.1 s during the
# uploads, and after; its VmHWM; and whether every upload got its expected status
# (201 for a real MP4, which is stored and ingested; 422 for --random bytes, which
# are stored, probed and refused). An upload is streamed to disk as it arrives, so
# the peak should not grow with COUNT x SIZE.
#
#   bench/server-uploads.sh [--count N] [--size-mb M] [--random] [--keep DIR]
#
# Everything listens on 127.0.0.1 only. vpack runs on its embedded default (a
# private mariadbd) in a temporary state folder, removed at the end; --keep DIR
# keeps the generated input there for the next run. curl --data-binary reads the
# file into memory: the clients need COUNT x SIZE of RAM (not counted above).
# Needs ffmpeg (without --random), curl, python3; VPACK (default: vpack on PATH)
# and, for a build, VPACK_PLUGIN_PATH (see bench/README.md).
set -eu

count=20
size_mb=100
random=0
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --size-mb) size_mb=$2; shift 2 ;;
    --random) random=1; shift ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "usage: $0 [--count N] [--size-mb M] [--random] [--keep DIR]" >&2; exit 1 ;;
  esac
done
vpack=${VPACK:-vpack}
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 1; }
done

. "$(dirname "$0")/lib-serve.sh"

# kib FIELD: a field of vpack's /proc status, in KiB.
kib () {
  awk -v f="$1:" '$1 == f {print $2}' "/proc/$vpack_pid/status"
}

mib () { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# The input.
dir=${keep:-$work}
mkdir -p "$dir"
if [ "$random" -eq 1 ]; then
  input="$dir/random-${size_mb}m.bin"
  expected=422
  [ -f "$input" ] || head -c $((size_mb * 1024 * 1024)) /dev/urandom > "$input"
else
  command -v ffmpeg >/dev/null || { echo "$0: needs ffmpeg (or use --random)" >&2; exit 1; }
  input="$dir/upload-${size_mb}m.mp4"
  expected=201
  if [ ! -f "$input" ]; then
    # 720p30 at 20 Mb/s: about 2.4 MB a second; 10 % more time, as x264 undershoots.
    duration=$(( (size_mb * 1024 * 1024 * 11) / (2500000 * 10) + 1 ))
    echo "making a ~${size_mb} MB MP4 ($duration s of 720p30 H.264 + AAC)..." >&2
    ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
      -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$duration" \
      -c:v libx264 -preset ultrafast -b:v 20M -maxrate 20M -bufsize 40M -pix_fmt yuv420p \
      -c:a aac -b:a 128k -movflags +faststart "$input"
  fi
fi
bytes=$(stat -c %s "$input")

start_vpack
curl -sf "$base/healthz" > /dev/null
sleep 1
rss_before=$(kib VmRSS)
hwm_before=$(kib VmHWM)

echo "$count concurrent uploads of $bytes bytes..." >&2
start=$(date +%s.%N)
i=0
while [ $i -lt "$count" ]; do
  curl -s -o "$work/reply-$i.json" -w '%{http_code}\n' -H "$auth" -H "Content-Type: video/mp4" \
    --data-binary @"$input" "$base/input_content?filename=upload-$i.mp4" \
    > "$work/code-$i.txt" &
  other_pids="$other_pids $!"
  i=$((i + 1))
done

# Sample RSS until every curl has finished (at most 30 minutes).
peak=$rss_before
samples=0
while [ $samples -lt 18000 ]; do
  alive=0
  for p in $other_pids; do kill -0 "$p" 2>/dev/null && alive=1 && break; done
  [ $alive -eq 1 ] || break
  rss=$(kib VmRSS)
  [ "$rss" -gt "$peak" ] && peak=$rss
  samples=$((samples + 1))
  sleep 0.1
done
for p in $other_pids; do wait "$p" || true; done
other_pids=""
end=$(date +%s.%N)
sleep 2
rss_after=$(kib VmRSS)
hwm=$(kib VmHWM)

ok=0
i=0
while [ $i -lt "$count" ]; do
  code=$(cat "$work/code-$i.txt")
  if [ "$code" = "$expected" ]; then
    ok=$((ok + 1))
  else
    echo "upload $i: $code $(head -c 300 "$work/reply-$i.json")" >&2
  fi
  i=$((i + 1))
done
stored=$(find "$work/state/inputs" -maxdepth 1 -type f ! -name '.upload-*' | wc -l)
partial=$(find "$work/state/inputs" -maxdepth 1 -name '.upload-*' | wc -l)

echo "uploads: $count x $bytes bytes ($( [ "$random" -eq 1 ] && echo random bytes || echo MP4)), expected $expected: $ok/$count got it"
awk -v s="$start" -v e="$end" -v b="$bytes" -v n="$count" \
  'BEGIN { printf "wall time: %.1f s, %.0f MB/s in total\n", e - s, n * b / (e - s) / 1e6 }'
echo "stored inputs: $stored, partial uploads left: $partial"
echo "vpack RSS before: $(mib "$rss_before") (VmHWM $(mib "$hwm_before"))"
awk -v s="$start" -v e="$end" -v n="$samples" -v p="$(mib "$peak")" 'BEGIN {
  printf "vpack RSS peak:   %s sampled (%d samples, one every %.2f s)\n", p, n, (n > 0 ? (e - s) / n : 0) }'
echo "vpack VmHWM:      $(mib "$hwm")"
echo "vpack RSS after:  $(mib "$rss_after")"
