#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Packaging speed against a baseline measured in the same run: `dd bs=1M` copying the
# same input, then `vpack package` of it, alternated RUNS times; prints the medians,
# their ratio and vpack's peak RSS. With --big, also the peak RSS on a ≥ 2 GB input.
#
#   bench/package-vs-dd.sh [--runs N] [--big] [--keep DIR]
#
# Needs ffmpeg and /usr/bin/time (GNU time); VPACK (default: vpack on PATH).
set -eu

runs=5
big=0
work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --big) big=1; shift ;;
    --keep) work=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--big] [--keep DIR]" >&2; exit 1 ;;
  esac
done
vpack=${VPACK:-vpack}
[ -n "$work" ] || { work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; }
mkdir -p "$work"
key=87237d20a19f58a740c05684e699b4aa
kid=a16e402b9056e371f36d348aa62bb749

input="$work/bench-120s-1080p.mp4"
if [ ! -f "$input" ]; then
  echo "making a 120 s 1080p30 8 Mb/s H.264 + AAC input (takes a while)..." >&2
  ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 120 \
    -c:v libx264 -preset ultrafast -b:v 8M -maxrate 8M -bufsize 16M -g 60 -pix_fmt yuv420p \
    -c:a aac -b:a 128k "$input"
fi

# seconds (wall, from bash's clock: GNU time's %e has only two decimals) and
# peak RSS (KiB, from GNU time) of one command; both commands pay the same
# start of /usr/bin/time
measure () {
  local t0=$EPOCHREALTIME t1
  /usr/bin/time -f "%M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" ||
    { cat "$work/stderr.txt" >&2; exit 1; }
  t1=$EPOCHREALTIME
  echo "$t0 $t1 $(cat "$work/time.txt")" | awk '{ printf "%.6f %s\n", $2 - $1, $3 }'
}

median () { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: > "$work/dd.txt"; : > "$work/vpack.txt"; : > "$work/rss.txt"
i=0
while [ "$i" -lt "$runs" ]; do
  rm -f "$work/copy.mp4"; sync
  measure dd if="$input" of="$work/copy.mp4" bs=1M | awk '{print $1}' >> "$work/dd.txt"
  rm -rf "$work/out"; sync
  set -- $(measure "$vpack" package "$input" -o "$work/out" --key "$key" --kid "$kid")
  echo "$1" >> "$work/vpack.txt"; echo "$2" >> "$work/rss.txt"
  i=$((i + 1))
done

dd_s=$(median < "$work/dd.txt")
vp_s=$(median < "$work/vpack.txt")
rss=$(sort -n "$work/rss.txt" | tail -n 1)
size=$(stat -c %s "$input")
echo "input: $size bytes, $runs runs each, alternated"
printf 'dd bs=1M:       median %.3f s\n' "$dd_s"
printf 'vpack package:  median %.3f s (cbcs, live, verify on)\n' "$vp_s"
awk -v a="$vp_s" -v b="$dd_s" 'BEGIN { printf "ratio vpack/dd: %.2f\n", (b > 0 ? a / b : 0) }'
awk -v r="$rss" 'BEGIN { printf "vpack peak RSS: %.1f MiB\n", r / 1024 }'

if [ "$big" -eq 1 ]; then
  bigin="$work/bench-big.mp4"
  if [ ! -f "$bigin" ]; then
    echo "making a >= 2 GB input by looping the first one..." >&2
    loops=$(( (2200000000 / size) + 1 ))
    ffmpeg -loglevel error -y -stream_loop "$loops" -i "$input" -c copy "$bigin"
  fi
  rm -rf "$work/out-big"
  set -- $(measure "$vpack" package "$bigin" -o "$work/out-big" --key "$key" --kid "$kid")
  echo "big input: $(stat -c %s "$bigin") bytes, $(printf '%.2f' "$1") s, peak RSS $(awk -v r="$2" 'BEGIN { printf "%.1f", r / 1024 }') MiB"
  rm -rf "$work/out-big"
fi
