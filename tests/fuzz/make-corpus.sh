#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make-corpus.sh DIR: seed corpora for every tests/fuzz target, made at run time:
#   DIR/corpus-mp4         fuzz-mp4-*       make-mp4-corpus.sh (ffmpeg)
#   DIR/corpus-cenc-boxes  fuzz-cenc-boxes  hand-built boxes, plus boxes cut out of
#                                           what $VPACK encrypts (when set and it
#                                           works), else of the shared CENC file
#   DIR/corpus-nal         fuzz-nal         hand-built samples, plus samples cut
#                                           out of the same files and the mp4 seeds
#   DIR/corpus-dash-mpd    fuzz-dash-mpd    hand-written MPDs, plus those $VPACK writes
# Every step that needs a tool (ffmpeg, python3, vpack) is skipped with a note
# when the tool is missing or fails; the hand-built seeds are always there.
set -u
dir=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
media="$here/../../../shared/media"
key=63cb5f7184dd4b689a5c5ff11ee6a328  # those of $media/mp4ff__prog_8s_enc_dashinit_CENC.mp4
kid=cd7eb9ff88f34caeb06185b00024e4c2
cenc="$dir/corpus-cenc-boxes" nal="$dir/corpus-nal" mpd="$dir/corpus-dash-mpd"
mkdir -p "$dir/corpus-mp4" "$cenc" "$nal" "$mpd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpk-corpus-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# hex FILE BYTES...: writes the bytes given as hex pairs (dash's printf has no \x).
hex () {
  out=$1; shift
  for h in "$@"; do printf "\\$(printf %03o "0x$h")"; done > "$out"
}
kid_hex="cd 7e b9 ff 88 f3 4c ae b0 61 85 b0 00 24 e4 c2"

# --- fuzz-cenc-boxes: configuration byte + whole box (+ sample bytes for senc).
# shellcheck disable=SC2086
{
  hex "$cenc/tenc-v0-iv8" 01 00 00 00 20 74 65 6e 63 00 00 00 00 00 00 01 08 $kid_hex
  hex "$cenc/tenc-v1-cbcs" 14 00 00 00 31 74 65 6e 63 01 00 00 00 00 19 01 00 $kid_hex \
    10 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff
  hex "$cenc/schm-cenc" 01 00 00 00 14 73 63 68 6d 00 00 00 00 63 65 6e 63 00 01 00 00
  hex "$cenc/schm-cbcs" 04 00 00 00 14 73 63 68 6d 00 00 00 00 63 62 63 73 00 01 00 00
  hex "$cenc/frma" 01 00 00 00 0c 66 72 6d 61 61 76 63 31
  hex "$cenc/pssh-v1" 01 00 00 00 34 70 73 73 68 01 00 00 00 \
    10 77 ef ec c0 b2 4d 02 ac e3 3c 1e 52 e2 fb 4b 00 00 00 01 $kid_hex 00 00 00 00
  hex "$cenc/pssh-v0-data" 01 00 00 00 24 70 73 73 68 00 00 00 00 \
    ed ef 8b a9 79 d6 4a ce a3 c8 27 dc d5 1d 21 ed 00 00 00 04 de ad be ef
  hex "$cenc/saiz-default" 01 00 00 00 11 73 61 69 7a 00 00 00 00 10 00 00 00 02
  hex "$cenc/saiz-sizes" 01 00 00 00 1b 73 61 69 7a 00 00 00 01 63 65 6e 63 00 00 00 00 \
    00 00 00 00 02 0e 14
  hex "$cenc/saio-v1" 01 00 00 00 18 73 61 69 6f 01 00 00 00 00 00 00 01 00 00 00 00 00 00 00 50
  # Two samples with 8-byte IVs and subsamples (2 clear + 16 protected, then
  # 3 clear + 16 protected), followed by their 37 bytes.
  hex "$cenc/senc-iv8-subsamples" 01 00 00 00 30 73 65 6e 63 00 00 00 02 00 00 00 02 \
    00 00 00 00 00 00 00 01 00 01 00 02 00 00 00 10 \
    00 00 00 00 00 00 00 02 00 01 00 03 00 00 00 10 \
    00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 \
    20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32
  # cbcs with a constant IV: no per-sample IVs, whole-sample (32 bytes).
  hex "$cenc/senc-cbcs-whole" 04 00 00 00 10 73 65 6e 63 00 00 00 00 00 00 00 01 \
    00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
}

# --- fuzz-nal: configuration byte + one sample.
# AVC, 4-byte lengths: SPS, PPS, an IDR slice of 64 bytes.
idr=""
i=0
while [ $i -lt 63 ]; do idr="$idr $(printf %02x $((i * 7 % 256)))"; i=$((i + 1)); done
# shellcheck disable=SC2086
{
  hex "$nal/avc-len4" 04 00 00 00 04 67 64 00 0a 00 00 00 02 68 ee 00 00 00 40 65 $idr
  hex "$nal/avc-len2-cbcs" 0a 00 02 09 10 00 40 41 $idr
  hex "$nal/avc-len1" 00 02 06 05 40 21 $idr
  # HEVC, 4-byte lengths: VPS, an IDR_W_RADL slice (type 19).
  hex "$nal/hevc-len4" 05 00 00 00 03 40 01 0c 00 00 00 41 26 01 $idr
}

# --- fuzz-dash-mpd: a live MPD (SegmentTimeline, ContentProtection) and an
# on-demand one (SegmentBase).
cat > "$mpd/live.mpd" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" xmlns:clearkey="http://dashif.org/guidelines/clearKey" xmlns:dashif="https://dashif.org/CPS" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT1M2.5S" minBufferTime="PT2S">
  <Period id="0" start="PT0S">
    <AdaptationSet contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">
      <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cbcs" cenc:default_KID="cd7eb9ff-88f3-4cae-b061-85b00024e4c2"/>
      <ContentProtection schemeIdUri="urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b" cenc:default_KID="cd7eb9ff-88f3-4cae-b061-85b00024e4c2">
        <cenc:pssh>AAAANHBzc2gBAAAAEHfv7MCyTQKs4zweUuL7SwAAAAHNfrn/iPNMrrBhhbAAJOTCAAAAAA==</cenc:pssh>
      </ContentProtection>
      <ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0">
        <clearkey:Laurl Lic_type="EME-1.0">https://example.com/license</clearkey:Laurl>
        <dashif:Laurl>https://example.com/license</dashif:Laurl>
      </ContentProtection>
      <Representation id="v1" bandwidth="800000" codecs="avc1.64001f" width="640" height="360" frameRate="30000/1001">
        <SegmentTemplate timescale="90000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg-$Number%05d$.m4s" startNumber="1">
          <SegmentTimeline>
            <S t="0" d="180000" r="2"/>
            <S d="90000"/>
          </SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">
      <SegmentTemplate timescale="48000" initialization="a/init-$Bandwidth$.mp4" media="a/$Time$.m4s">
        <SegmentTimeline>
          <S t="1024" d="96256" r="1"/>
          <S d="48128"/>
        </SegmentTimeline>
      </SegmentTemplate>
      <Representation id="a1" bandwidth="128000" codecs="mp4a.40.2" audioSamplingRate="48000">
        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
EOF
cat > "$mpd/on-demand.mpd" <<'EOF'
<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static" mediaPresentationDuration="P1DT2H3M4.005S" minBufferTime="PT1.5S">
  <Period>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="zX65_4jzTK6wYYWwACTkwg"/>
      <Representation id="video" bandwidth="500000" codecs="hvc1.1.6.L93.B0" width="320" height="240" frameRate="25">
        <BaseURL>video/stream.mp4</BaseURL>
        <SegmentBase timescale="12800" indexRange="800-1023" indexRangeExact="true">
          <Initialization range="0-799"/>
        </SegmentBase>
      </Representation>
    </AdaptationSet>
    <AdaptationSet mimeType="audio/mp4">
      <Representation id="audio" bandwidth="64000" codecs="mp4a.40.2" audioSamplingRate="44100">
        <BaseURL> audio.mp4 </BaseURL>
        <SegmentBase indexRange="700-899"><Initialization range="0-699"/></SegmentBase>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
EOF

# --- MP4 seeds (ffmpeg), made in $tmp/mp4 so that only they (not what the
# fuzzer added to corpus-mp4) are cut into NAL and CENC seeds below.
mkdir -p "$tmp/mp4"
if command -v ffmpeg >/dev/null 2>&1; then
  sh "$here/make-mp4-corpus.sh" "$tmp/mp4" >/dev/null ||
    echo "corpus: make-mp4-corpus.sh failed; corpus-mp4 is partial"
else
  echo "corpus: no ffmpeg; corpus-mp4 has only the shared media"
  [ -d "$media" ] && find "$media" -name '*.mp4' -size -200k -exec cp {} "$tmp/mp4/" \;
fi
cp "$tmp"/mp4/* "$dir/corpus-mp4/" 2>/dev/null

# --- Files encrypted by vpack: a clip (from ffmpeg, else a shared file)
# packaged with each scheme and profile. Each line of $groups lists files that
# mp4-seeds.py reads together (an init segment, then media segments).
groups="$tmp/groups"
: > "$groups"
run_vpack () {
  scheme=$1 profile=$2 out=$3; shift 3
  "$VPACK" package "$clip" -o "$out" --force --scheme "$scheme" --profile "$profile" \
    --key $key --kid $kid --license-url https://example.com/license "$@" >/dev/null 2>&1
}
if [ -n "${VPACK:-}" ] && [ -x "$VPACK" ]; then
  clip="$tmp/clip.mp4"
  ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=64x48:rate=10 \
    -f lavfi -i sine=sample_rate=8000 -c:v libx264 -g 5 -c:a aac -t 2 "$clip" 2>/dev/null ||
    clip="$media/bento4__video-h264-001.mp4"
  for job in "cenc live" "cbcs live" "cenc on-demand"; do
    # shellcheck disable=SC2086
    set -- $job
    out="$tmp/vpack-$1-$2"
    # The default pipeline, else the native backend alone.
    if run_vpack "$1" "$2" "$out" ||
       run_vpack "$1" "$2" "$out" -s pipeline.ingest=native -s pipeline.fragment=native; then
      cp "$out/stream.mpd" "$mpd/vpack-$1-$2.mpd"
      ls "$out"/*.mp4 2>/dev/null >> "$groups"  # on-demand: one file per Representation
      for rep in "$out"/*/; do
        if [ -f "$rep/init.mp4" ]; then
          echo "$rep/init.mp4 $(ls "$rep"*.m4s 2>/dev/null | head -n 2 | tr '\n' ' ')" >> "$groups"
        else
          ls "$rep"*.mp4 2>/dev/null >> "$groups"
        fi
      done
    else
      echo "corpus: '$VPACK package --scheme $1 --profile $2' failed; skipped"
    fi
  done
fi
if [ ! -s "$groups" ] && [ -f "$media/mp4ff__prog_8s_enc_dashinit_CENC.mp4" ]; then
  echo "$media/mp4ff__prog_8s_enc_dashinit_CENC.mp4" > "$groups"
fi
ls "$tmp"/mp4/* 2>/dev/null >> "$groups"

if command -v python3 >/dev/null 2>&1; then
  while read -r files; do
    # shellcheck disable=SC2086
    python3 "$here/mp4-seeds.py" "$cenc" "$nal" $files >/dev/null ||
      echo "corpus: cannot cut seeds from $files"
  done < "$groups"
else
  echo "corpus: no python3; only hand-built CENC and NAL seeds"
fi

for c in corpus-mp4 corpus-cenc-boxes corpus-nal corpus-dash-mpd; do
  echo "corpus: $c: $(ls "$dir/$c" | wc -l) inputs"
done
