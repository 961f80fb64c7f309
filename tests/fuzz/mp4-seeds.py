# SPDX-License-Identifier: LGPL-2.1-or-later
"""Cuts fuzz seeds out of MP4 files: mp4-seeds.py CENC_DIR NAL_DIR FILE...

Files are read in order and share their track state, so an init segment can
come before its media segments. Seeds are named by their SHA-1.

CENC_DIR (fuzz-cenc-boxes) gets one configuration byte + a whole box for each
tenc, schm, frma, pssh, saiz, saio; and for each senc, the byte + the box +
the bytes of its fragment's samples (from trun), up to 16 KiB.

NAL_DIR (fuzz-nal) gets one configuration byte + one sample, for the first
samples of every H.264/H.265 track (fragments, or the first chunk of a
progressive file); encrypted samples keep their clear NAL prefixes, so they
are seeds too.

The configuration bytes are those that fuzz-cenc-boxes.c and fuzz-nal.c
describe.
"""
import hashlib
import os
import struct
import sys

MAX_SAMPLE_BYTES = 16384
MAX_SAMPLES_PER_TRACK = 4
SAMPLE_ENTRY_SKIP = {  # bytes between a sample entry's header and its children
    b"avc1": 78, b"avc3": 78, b"hvc1": 78, b"hev1": 78, b"encv": 78,
    b"mp4a": 28, b"enca": 28, b"ac-3": 28, b"ec-3": 28,
}
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"moof", b"traf",
              b"sinf", b"schi", b"mvex", b"edts"}
CENC_BOXES = {b"tenc", b"schm", b"frma", b"pssh", b"saiz", b"saio"}
IV_INDEX = {0: 0, 8: 1, 16: 2}
NAL_LENGTH_INDEX = {1: 0, 2: 1, 4: 2}


class Track:
    def __init__(self):
        self.codec = None       # "avc" or "hevc"
        self.nal_length = 4
        self.iv_size = 8
        self.scheme = b"cenc"
        self.sizes = []         # stsz
        self.chunk_offset = None
        self.per_chunk = 0
        self.nal_seeds = 0


class Walker:
    def __init__(self, cenc_dir, nal_dir):
        self.cenc_dir = cenc_dir
        self.nal_dir = nal_dir
        self.tracks = {}
        self.track = Track()
        self.count = {"cenc": 0, "nal": 0}

    def save(self, kind, data):
        folder = self.cenc_dir if kind == "cenc" else self.nal_dir
        name = os.path.join(folder, hashlib.sha1(data).hexdigest())
        if not os.path.exists(name):
            with open(name, "wb") as f:
                f.write(data)
            self.count[kind] += 1

    def cenc_config(self, track):
        config = IV_INDEX.get(track.iv_size, 1)
        if track.scheme == b"cbcs":
            config |= 0x4 | (0x10 if track.codec else 0)  # 1:9 for video
        return bytes([config])

    def nal_seed(self, track, sample):
        if track.codec is None or track.nal_seeds >= MAX_SAMPLES_PER_TRACK:
            return
        if not sample or len(sample) > MAX_SAMPLE_BYTES:
            return
        config = (1 if track.codec == "hevc" else 0) | NAL_LENGTH_INDEX.get(track.nal_length, 2) << 1
        config |= 0x8 if track.scheme == b"cbcs" else 0
        self.save("nal", bytes([config]) + sample)
        track.nal_seeds += 1

    def boxes(self, data, start, end):
        pos = start
        while pos + 8 <= end:
            size, kind = struct.unpack(">I4s", data[pos:pos + 8])
            header = 8
            if size == 1 and pos + 16 <= end:
                size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
                header = 16
            elif size == 0:
                size = end - pos
            if size < header or pos + size > end:
                return
            yield pos, kind, pos + header, pos + size
            pos += size

    def walk(self, data, start, end, moof=None):
        for box, kind, p, e in self.boxes(data, start, end):
            payload = data[p:e]
            if kind == b"trak":
                self.track = Track()
            elif kind == b"tkhd" and len(payload) >= 24:
                off = 20 if payload[0] == 1 else 12
                self.tracks[struct.unpack(">I", payload[off:off + 4])[0]] = self.track
            elif kind == b"stsd":
                self.walk(data, p + 8, e)
                continue
            elif kind in SAMPLE_ENTRY_SKIP:
                if kind in (b"avc1", b"avc3"):
                    self.track.codec = "avc"
                elif kind in (b"hvc1", b"hev1"):
                    self.track.codec = "hevc"
                self.walk(data, p + SAMPLE_ENTRY_SKIP[kind], e)
                continue
            elif kind == b"frma" and len(payload) >= 4:
                self.track.codec = {b"avc1": "avc", b"avc3": "avc", b"hvc1": "hevc",
                                    b"hev1": "hevc"}.get(payload[:4], self.track.codec)
            elif kind == b"avcC" and len(payload) >= 5:
                self.track.nal_length = (payload[4] & 3) + 1
            elif kind == b"hvcC" and len(payload) >= 22:
                self.track.nal_length = (payload[21] & 3) + 1
            elif kind == b"schm" and len(payload) >= 8:
                self.track.scheme = payload[4:8]
            elif kind == b"tenc" and len(payload) >= 8:
                if payload[6]:
                    self.track.iv_size = payload[7]
            elif kind == b"stsz" and len(payload) >= 12:
                fixed, count = struct.unpack(">II", payload[4:12])
                n = min(count, MAX_SAMPLES_PER_TRACK)
                self.track.sizes = [fixed] * n if fixed else \
                    list(struct.unpack(">%dI" % n, payload[12:12 + 4 * n]))
            elif kind == b"stsc" and len(payload) >= 20:
                self.track.per_chunk = struct.unpack(">I", payload[12:16])[0]
            elif kind in (b"stco", b"co64") and len(payload) >= 12:
                if struct.unpack(">I", payload[4:8])[0] > 0:
                    self.track.chunk_offset = struct.unpack(">I", payload[8:12])[0] \
                        if kind == b"stco" else struct.unpack(">Q", payload[8:16])[0]
            elif kind == b"moof":
                self.walk(data, p, e, moof=box)
                continue
            elif kind == b"traf":
                self.traf(data, p, e, moof)
                continue

            if kind in CENC_BOXES:
                self.save("cenc", self.cenc_config(self.track) + data[box:e])
            if kind in CONTAINERS:
                self.walk(data, p, e, moof)
            if kind == b"stbl":
                self.first_chunk(data, self.track)

    def first_chunk(self, data, track):
        pos = track.chunk_offset
        if pos is None:
            return
        for size in track.sizes[:max(track.per_chunk, 1)]:
            self.nal_seed(track, data[pos:pos + size])
            pos += size

    def traf(self, data, start, end, moof):
        track, base, default_size, senc, samples = Track(), moof, 0, None, b""
        for box, kind, p, e in self.boxes(data, start, end):
            payload = data[p:e]
            flags = struct.unpack(">I", payload[:4])[0] & 0xffffff if len(payload) >= 4 else 0
            if kind == b"tfhd" and len(payload) >= 8:
                track = self.tracks.get(struct.unpack(">I", payload[4:8])[0], track)
                off = 8
                if flags & 0x1:
                    base = struct.unpack(">Q", payload[off:off + 8])[0]
                    off += 8
                off += 4 if flags & 0x2 else 0
                off += 4 if flags & 0x8 else 0
                if flags & 0x10:
                    default_size = struct.unpack(">I", payload[off:off + 4])[0]
            elif kind == b"trun" and len(payload) >= 8 and base is not None:
                count = struct.unpack(">I", payload[4:8])[0]
                off, data_offset = 8, 0
                if flags & 0x1:
                    data_offset = struct.unpack(">i", payload[off:off + 4])[0]
                    off += 4
                off += 4 if flags & 0x4 else 0
                pos = base + data_offset
                for _ in range(min(count, 64)):
                    size = default_size
                    off += 4 if flags & 0x100 else 0
                    if flags & 0x200:
                        size = struct.unpack(">I", payload[off:off + 4])[0]
                        off += 4
                    off += 4 if flags & 0x400 else 0
                    off += 4 if flags & 0x800 else 0
                    sample = data[pos:pos + size]
                    self.nal_seed(track, sample)
                    if len(samples) + len(sample) <= MAX_SAMPLE_BYTES:
                        samples += sample
                    pos += size
            elif kind == b"senc":
                senc = data[box:e]
            elif kind in CENC_BOXES:
                self.save("cenc", self.cenc_config(track) + data[box:e])
        if senc is not None:
            self.save("cenc", self.cenc_config(track) + senc + samples)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    walker = Walker(sys.argv[1], sys.argv[2])
    for path in sys.argv[3:]:
        with open(path, "rb") as f:
            data = f.read()
        try:
            walker.walk(data, 0, len(data))
        except struct.error:
            pass  # a truncated box ends that file's seeds
    print("%s: %d cenc-box seeds, %d NAL seeds" %
          (" ".join(os.path.basename(p) for p in sys.argv[3:]), walker.count["cenc"],
           walker.count["nal"]))


if __name__ == "__main__":
    main()
