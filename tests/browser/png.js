// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A tiny PNG decoder for screenshots (8-bit greyscale/RGB/RGBA, palette, not
// interlaced — what Chromium writes), and pixel statistics for the tests:
// is the picture black, how much colour does it hold, how far is it from a
// reference RGB frame.
'use strict';

const zlib = require('zlib');

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// Returns {width, height, rgb: Buffer (width*height*3)}.
function decodePng(buf) {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let off = 8, width = 0, height = 0, depth = 0, ctype = 0, interlace = 0, palette = null;
  const idat = [];
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    if (off + 12 + len > buf.length) throw new Error('truncated PNG chunk ' + type);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      ctype = data[9];
      interlace = data[12];
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    off += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[ctype];
  if (!channels || depth !== 8 || interlace !== 0)
    throw new Error(`unsupported PNG: colour type ${ctype}, depth ${depth}, interlace ${interlace}`);
  if (width === 0 || height === 0 || width * height > 64e6) throw new Error('bad PNG size');
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('short PNG data');
  const pix = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride, prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pix[row + x - channels] : 0;
      const b = y > 0 ? pix[prev + x] : 0;
      const c = x >= channels && y > 0 ? pix[prev + x - channels] : 0;
      let v;
      switch (filter) {
        case 0: v = src[x]; break;
        case 1: v = src[x] + a; break;
        case 2: v = src[x] + b; break;
        case 3: v = src[x] + ((a + b) >> 1); break;
        case 4: v = src[x] + paeth(a, b, c); break;
        default: throw new Error('bad PNG filter ' + filter);
      }
      pix[row + x] = v & 0xff;
    }
  }
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    let r, g, b;
    if (ctype === 0 || ctype === 4) {
      r = g = b = pix[i * channels];
    } else if (ctype === 3) {
      const p = pix[i] * 3;
      r = palette[p]; g = palette[p + 1]; b = palette[p + 2];
    } else {
      r = pix[i * channels]; g = pix[i * channels + 1]; b = pix[i * channels + 2];
    }
    rgb[i * 3] = r; rgb[i * 3 + 1] = g; rgb[i * 3 + 2] = b;
  }
  return { width, height, rgb };
}

// Share of pixels brighter than near-black, mean luma, and the number of distinct
// colours at 4 bits per channel.
function pixelStats(img) {
  const n = img.width * img.height;
  let bright = 0, lumaSum = 0;
  const colours = new Set();
  for (let i = 0; i < n; i++) {
    const r = img.rgb[i * 3], g = img.rgb[i * 3 + 1], b = img.rgb[i * 3 + 2];
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    lumaSum += y;
    if (Math.max(r, g, b) > 24) bright++;
    colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  return { brightShare: bright / n, meanLuma: lumaSum / n, colours: colours.size };
}

// Mean absolute difference per channel between an image and a raw RGB24 frame of
// the same size.
function meanAbsDiff(img, rgb) {
  if (rgb.length !== img.rgb.length) throw new Error('size mismatch');
  let sum = 0;
  for (let i = 0; i < rgb.length; i++) sum += Math.abs(img.rgb[i] - rgb[i]);
  return sum / rgb.length;
}

module.exports = { decodePng, pixelStats, meanAbsDiff };
