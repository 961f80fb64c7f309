#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The vpack command as a user meets it: help, plugins, keygen round trips, exit statuses.
set -u
: "${VPACK:?}" "${VPACK_PLUGIN_PATH:?}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
fail () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check () { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
status_of () { "$@" >"$scratch/out" 2>"$scratch/err"; echo $?; }

echo "1..16"

s=$(status_of "$VPACK" --help)
check "vpack --help exits 0 and lists the commands" \
  sh -c "[ $s -eq 0 ] && grep -q package '$scratch/out' && grep -q verify '$scratch/out'"
all_help=0
for c in probe package verify keygen plugins serve; do
  [ "$(status_of "$VPACK" "$c" --help)" -eq 0 ] || all_help=1
done
check "every subcommand has --help" [ $all_help -eq 0 ]
check "an unknown command exits 1" [ "$(status_of "$VPACK" frobnicate)" -eq 1 ]

s=$(status_of "$VPACK" plugins)
cp "$scratch/out" "$scratch/plugins.txt"
check "vpack plugins lists native with its four stages" \
  sh -c "grep -A2 '^native\$' '$scratch/plugins.txt' | grep -q 'stages: *ingest, fragment, encrypt, package'"
check "vpack plugins lists gst with ingest and fragment" \
  sh -c "grep -A2 '^gst\$' '$scratch/plugins.txt' | grep -q 'stages: *ingest, fragment\$'"
check "vpack plugins lists bento4 and the ABI" \
  sh -c "grep -q '^bento4\$' '$scratch/plugins.txt' && grep -q 'abi: *1\$' '$scratch/plugins.txt'"
if grep -A1 '^testabi$' "$scratch/plugins.txt" | grep -q 'refused:.*ABI 42.*ABI 1'; then
  ok "a wrong-ABI plugin is listed as refused, naming both versions"
else
  fail "a wrong-ABI plugin is listed as refused, naming both versions"
fi
check "vpack plugins exits 3 when a plugin in the path is refused" [ "$s" -eq 3 ]

# keygen: every printed form of the key must package and verify as the hex form.
"$VPACK" keygen --json > "$scratch/keys.json"
check "vpack keygen --json prints four forms of a KID and a key" \
  python3 -c "import json,sys; d=json.load(open('$scratch/keys.json')); sys.exit(0 if all(len(d[k])==4 for k in ('kid','key')) else 1)"
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=25 -t 1 -c:v libx264 -g 25 \
  "$scratch/clip.mp4" || fail "ffmpeg made the fixture"
hexkey=$(python3 -c "import json; print(json.load(open('$scratch/keys.json'))['key']['hex'])")
hexkid=$(python3 -c "import json; print(json.load(open('$scratch/keys.json'))['kid']['hex'])")
round=0
for form in base64url base64 hex uuid; do
  key=$(python3 -c "import json; print(json.load(open('$scratch/keys.json'))['key']['$form'])")
  kid=$(python3 -c "import json; print(json.load(open('$scratch/keys.json'))['kid']['$form'])")
  rm -rf "$scratch/o"
  "$VPACK" package "$scratch/clip.mp4" -o "$scratch/o" --key "$key" --kid "$kid" >/dev/null 2>&1 &&
    "$VPACK" verify "$scratch/o" --key "$hexkey" --kid "$hexkid" >/dev/null 2>&1 || round=1
done
check "keygen's key and KID in every form package, and verify with the hex form" [ $round -eq 0 ]

s=$(status_of "$VPACK" package "$scratch/clip.mp4" -o "$scratch/bad" --key nope --kid "$hexkid")
check "a bad key exits 2 naming the accepted forms" \
  sh -c "[ $s -eq 2 ] && grep -q 'base64url' '$scratch/err' && ! grep -q nope '$scratch/err'"
s=$(status_of "$VPACK" probe "$scratch/missing.mp4")
check "a missing input exits 2" [ "$s" -eq 2 ]
printf '[package]\nscheme = rot13\n' > "$scratch/bad.conf"
s=$(status_of "$VPACK" probe --config "$scratch/bad.conf" "$scratch/clip.mp4")
check "a bad config value exits 1 naming file, group and key" \
  sh -c "[ $s -eq 1 ] && grep -q 'bad.conf: \[package\] scheme' '$scratch/err'"
head -c 5000 /dev/urandom > "$scratch/noise.mp4"
s=$(status_of "$VPACK" package "$scratch/noise.mp4" -o "$scratch/n" --key "$hexkey" --kid "$hexkid")
check "random bytes exit 2 with a reason, and no output folder" \
  sh -c "[ $s -eq 2 ] && [ ! -e '$scratch/n' ] && [ -s '$scratch/err' ]"
mkdir "$scratch/full" && touch "$scratch/full/x"
s=$(status_of "$VPACK" package "$scratch/clip.mp4" -o "$scratch/full" --key "$hexkey" --kid "$hexkid")
check "a non-empty output folder is refused without --force (exit 2), and kept" \
  sh -c "[ $s -eq 2 ] && [ -e '$scratch/full/x' ]"
s=$(status_of "$VPACK" probe "$scratch/clip.mp4")
check "vpack probe prints the media info as JSON" \
  sh -c "[ $s -eq 0 ] && python3 -c \"import json; d=json.load(open('$scratch/out')); assert d['tracks'][0]['codecs'].startswith('avc1.')\""

[ "$failed" -eq 0 ]
