#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Status requests per second of `vpack serve`, against a baseline measured in the
# same run: wrk on GET /packaged_content/{id} (a Ready job) and GET /healthz, and
# wrk on a static file of the same size served by `python3 -m http.server`.
# Alternated RUNS times; prints the medians and the ratios vpack/baseline.
#
#   bench/server-status.sh [--runs N] [--seconds S] [--threads T] [--connections C]
#
# Everything listens on 127.0.0.1 only. vpack runs on its embedded default (a
# private mariadbd) in a temporary state folder, removed at the end.
# Needs wrk (apt-get install wrk), ffmpeg, curl, python3; VPACK (default: vpack
# on PATH) and, for a build, VPACK_PLUGIN_PATH (see bench/README.md).
set -eu

runs=1
seconds=20
threads=2
connections=50
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--seconds S] [--threads T] [--connections C]" >&2; exit 1 ;;
  esac
done
vpack=${VPACK:-vpack}
for tool in wrk ffmpeg curl python3; do
  command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 1; }
done

. "$(dirname "$0")/lib-serve.sh"

# json_member NAME: a top-level member of the JSON object on stdin.
json_member () {
  python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1]))' "$1"
}

median () { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# bench URL NAME: one wrk run; appends requests/s to $work/NAME.txt and checks
# that every reply was 2xx/3xx.
bench () {
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -H "$auth" "$1" > "$work/wrk.txt" 2>&1
  if grep -q -e "Non-2xx" -e "Socket errors" "$work/wrk.txt"; then
    echo "$2: $(grep -e "Non-2xx" -e "Socket errors" "$work/wrk.txt" | tr -s ' ')" >&2
  fi
  awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt" >> "$work/$2.txt"
  awk '/^ +99%/ {print $2}' "$work/wrk.txt" >> "$work/$2-p99.txt"
}

start_vpack

# One Ready job to ask about.
ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -t 4 \
  -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p "$work/clip.mp4"
input=$(curl -sf -H "$auth" -H "Content-Type: video/mp4" --data-binary @"$work/clip.mp4" \
  "$base/input_content?filename=clip.mp4" | json_member input_content_id)
job=$(curl -sf -H "$auth" -H "Content-Type: application/json" -d "{\"input_content_id\": $input}" \
  "$base/packaged_content" | json_member packaged_content_id)
i=0
while [ "$(curl -sf -H "$auth" "$base/packaged_content/$job" | json_member status)" != Ready ]; do
  i=$((i + 1))
  [ $i -le 240 ] || { echo "job $job did not become Ready" >&2; exit 1; }
  sleep 0.5
done

# The baseline serves a file as large as the status reply.
mkdir "$work/static"
curl -sf -H "$auth" "$base/packaged_content/$job" > "$work/static/status.json"
http_port=$(free_port)
(cd "$work/static" && exec python3 -u -m http.server --bind 127.0.0.1 "$http_port" \
  > "$work/http.log" 2>&1) &
other_pids="$other_pids $!"
wait_for "$work/http.log" "Serving HTTP" 30 ||
  curl -sf "http://127.0.0.1:$http_port/status.json" > /dev/null

echo "wrk -t$threads -c$connections -d${seconds}s, $runs run(s) each, alternated" >&2
: > "$work/status.txt"; : > "$work/healthz.txt"; : > "$work/static.txt"
i=0
while [ $i -lt "$runs" ]; do
  bench "$base/packaged_content/$job" status
  bench "$base/healthz" healthz
  bench "http://127.0.0.1:$http_port/status.json" static
  i=$((i + 1))
done

rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$vpack_pid/status")
status=$(median < "$work/status.txt")
healthz=$(median < "$work/healthz.txt")
static=$(median < "$work/static.txt")
echo "reply size: $(stat -c %s "$work/static/status.json") bytes (GET /packaged_content/$job)"
echo "GET /packaged_content/{id}:       median $status req/s (p99 $(tail -n 1 "$work/status-p99.txt"))"
echo "GET /healthz:                     median $healthz req/s (p99 $(tail -n 1 "$work/healthz-p99.txt"))"
echo "python3 -m http.server (static):  median $static req/s (p99 $(tail -n 1 "$work/static-p99.txt"))"
awk -v a="$status" -v b="$static" 'BEGIN { printf "ratio status/static:  %.2f\n", (b > 0 ? a / b : 0) }'
awk -v a="$healthz" -v b="$static" 'BEGIN { printf "ratio healthz/static: %.2f\n", (b > 0 ? a / b : 0) }'
awk -v r="$rss" 'BEGIN { printf "vpack peak RSS: %.1f MiB\n", r / 1024 }'
