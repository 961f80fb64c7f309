#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make-corpus.sh DIR: seed corpora for the tests/fuzz-server targets:
#   DIR/corpus-multipart  fuzz-multipart  multipart/form-data bodies as browsers and
#                                         curl send them, each behind its three
#                                         chunking bytes (first cut, chunk size)
#   DIR/corpus-request    fuzz-request    POST /packaged_content and POST /license
#                                         bodies behind their selector byte
# Every seed is valid (the parsers accept it); the fuzzer makes the rest.
set -u
dir=${1:-.}
mp="$dir/corpus-multipart" req="$dir/corpus-request"
mkdir -p "$mp" "$req"
b=----vpkFuzzBoundary7MA4YWxk  # BOUNDARY in fuzz-multipart.c

# octal N: N as a \ooo printf escape (0-255).
octal () {
  printf '\\%03o' "$1"
}

# seed FILE CUT CHUNK: the chunking bytes (CUT as 16 bits, little endian, and
# CHUNK - 1), then the body read from stdin.
seed () {
  # shellcheck disable=SC2059
  printf "$(octal $(($2 % 256)))$(octal $(($2 / 256)))$(octal $(($3 - 1)))" > "$1"
  cat >> "$1"
}

# One file part, as curl -F sends it.
printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename="in.mp4"\r\nContent-Type: video/mp4\r\n\r\n\000\000\000\030ftypisom\000\000\002\000isomiso2\r\n--%s--\r\n' "$b" "$b" |
  seed "$mp/curl-file" 40 64
# A text field, then the file (a browser's FormData), cut inside the first delimiter.
printf -- '--%s\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--%s\r\nContent-Disposition: form-data; name="file"; filename="clip.mov"\r\nContent-Type: video/quicktime\r\n\r\nAB\r\n--%sCD\r\n--%s--\r\n' "$b" "$b" "$b" "$b" |
  seed "$mp/two-parts" 70 7
# Preamble, transport padding after a delimiter, an epilogue; fed a byte at a time.
printf -- 'preamble\r\n--%s \t\r\ncontent-disposition: form-data; name=file; filename=a.ts\r\n\r\nxyz\r\n--%s--  \r\nepilogue' "$b" "$b" |
  seed "$mp/preamble-padding" 0 1
# Non-ASCII and RFC 5987 file names, a part without headers after the name.
printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8'"''"'v%%C3%%A9lo.mp4\r\n\r\n\r\n--%s\r\nContent-Disposition: form-data; name="x"; filename="C:\\\\dir\\\\..\\\\b.mkv"\r\n\r\n1\r\n--%s--' "$b" "$b" "$b" |
  seed "$mp/filenames" 100 256
# A part whose header block is just under VPK_MULTIPART_MAX_HEADERS, cut inside
# the CRLF CRLF that ends it: it must be accepted however it is cut.
{
  printf -- '--%s\r\nContent-Disposition: form-data; name="file"\r\nX-Pad: ' "$b"
  head -c 8139 /dev/zero | tr '\0' a
  printf '\r\n\r\ndata\r\n--%s--\r\n' "$b"
} | seed "$mp/long-headers" 8224 256

# fuzz-request: 0 = POST /packaged_content, 1 = POST /license.
printf '\000{"input_content_id": 1}' > "$req/package-generated"
printf '\000{"input_content_id": "7", "key": "hyN9IKGfWKdAwFaE5pm0qg", "kid": "oW5AK5BW43HzbTSKpiu3SQ", "scheme": "cenc", "encrypt": "all", "profile": "on-demand", "segment_duration": 2.5}' > "$req/package-full"
printf '\000{"input_content_id": 3, "key": "87237d20a19f58a740c05684e699b4aa", "kid": "a16e402b-9056-e371-f36d-348aa62bb749", "scheme": "cbcs", "profile": "live", "segment_duration": 4}' > "$req/package-hex-uuid"
printf '\001{"kids": ["oW5AK5BW43HzbTSKpiu3SQ"], "type": "temporary"}' > "$req/license-one"
printf '\001{"kids": ["oW5AK5BW43HzbTSKpiu3SQ", "AAAAAAAAAAAAAAAAAAAAAA"]}' > "$req/license-two"
echo "corpus-multipart: $(ls "$mp" | wc -l) seeds, corpus-request: $(ls "$req" | wc -l) seeds"
