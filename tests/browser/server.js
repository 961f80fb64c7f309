// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The browser tests' HTTP server: static files with HTTP Range (the on-demand
// profile's SegmentBase/sidx needs it), CORS, the MIME types DASH players expect,
// and POST /license, a W3C EME ClearKey license endpoint answering from a fixed
// key map. No dependencies beyond Node's standard library.
//
//   const srv = await startServer({ mounts: { '/content/': dir, ... }, keys: { KID_HEX: KEY_HEX } });
//   srv.port; srv.log (one entry per request); srv.licenseRequests; await srv.close();
//
// Run alone for manual checks: node server.js CONTENT_DIR [KID_HEX:KEY_HEX ...]
// serves CONTENT_DIR at /content/, the test pages at /pages/ and the players at
// /node_modules/, and prints the URL.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

const MIME = {
  '.mpd': 'application/dash+xml',
  '.mp4': 'video/mp4',
  '.m4s': 'video/mp4',
  '.m4v': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

// Media segments of an audio representation are audio/mp4: vpack names the
// representation folders/files after the track kind (audio…, a…); anything else
// under a media extension is video/mp4.
function mimeType(file) {
  const ext = path.extname(file).toLowerCase();
  const type = MIME[ext] || 'application/octet-stream';
  if (type === 'video/mp4' && /(^|[\/_.-])(audio|aud|a)\d*([\/_.-]|$)/i.test(file))
    return 'audio/mp4';
  return type;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Range, Content-Type, Authorization',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
};

function hexToB64url(hex) {
  return Buffer.from(hex, 'hex').toString('base64url');
}

function b64urlToHex(s) {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex');
}

// Parses one "bytes=" range against a file size. Returns {start, end} (inclusive),
// null for no/ignored Range, or 'unsatisfiable'.
function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null; // multi-range or junk: serve the whole file (allowed by RFC 9110)
  let start, end;
  if (m[1] === '' && m[2] === '') return null;
  if (m[1] === '') { // suffix range: the last N bytes
    const n = parseInt(m[2], 10);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = parseInt(m[1], 10);
    end = m[2] === '' ? size - 1 : Math.min(parseInt(m[2], 10), size - 1);
    if (start >= size || end < start) return 'unsatisfiable';
  }
  return { start, end };
}

function send(res, status, headers, body) {
  res.writeHead(status, Object.assign({}, CORS, headers));
  res.end(body);
}

function serveFile(req, res, file, entry) {
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      entry.status = 404;
      return send(res, 404, { 'Content-Type': 'text/plain' }, 'not found\n');
    }
    const type = mimeType(file);
    const range = parseRange(req.headers.range, st.size);
    const base = { 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' };
    if (range === 'unsatisfiable') {
      entry.status = 416;
      return send(res, 416, Object.assign(base, { 'Content-Range': `bytes */${st.size}` }), '');
    }
    let status = 200, start = 0, end = st.size - 1;
    const headers = Object.assign({}, base);
    if (range) {
      status = 206;
      ({ start, end } = range);
      headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
      entry.range = `${start}-${end}`;
    }
    headers['Content-Length'] = String(st.size === 0 ? 0 : end - start + 1);
    entry.status = status;
    res.writeHead(status, Object.assign({}, CORS, headers));
    if (req.method === 'HEAD' || st.size === 0) return res.end();
    fs.createReadStream(file, { start, end }).pipe(res);
  });
}

// W3C EME ClearKey license exchange: request {"kids": [b64url…], "type": …},
// answer {"keys": [{"kty": "oct", "kid": b64url, "k": b64url}], "type": …} with the
// keys the map knows; unknown KIDs are left out (the CDM then reports them missing).
function serveLicense(req, res, srv, entry) {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 65536) { req.destroy(); return; }
    chunks.push(c);
  });
  req.on('end', () => {
    let request;
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      entry.status = 400;
      return send(res, 400, { 'Content-Type': 'application/json' },
        JSON.stringify({ error: { code: 'bad_request', message: 'license request is not JSON' } }));
    }
    const kids = Array.isArray(request.kids) ? request.kids : [];
    const keys = [];
    for (const kid of kids) {
      const hex = b64urlToHex(String(kid));
      const key = srv.keys[hex];
      if (key) keys.push({ kty: 'oct', kid: hexToB64url(hex), k: hexToB64url(key) });
    }
    srv.licenseRequests.push({ kids: kids.map((k) => b64urlToHex(String(k))), answered: keys.length });
    entry.status = 200;
    send(res, 200, { 'Content-Type': 'application/json' },
      JSON.stringify({ keys, type: request.type || 'temporary' }));
  });
}

function handle(req, res, srv) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const entry = { method: req.method, path: url.pathname, status: 0 };
  if (req.headers.range) entry.rangeHeader = req.headers.range;
  srv.log.push(entry);
  if (req.method === 'OPTIONS') {
    entry.status = 204;
    return send(res, 204, { 'Access-Control-Max-Age': '600' }, '');
  }
  if (url.pathname === '/license') {
    if (req.method !== 'POST') {
      entry.status = 405;
      return send(res, 405, { Allow: 'POST, OPTIONS' }, '');
    }
    return serveLicense(req, res, srv, entry);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    entry.status = 405;
    return send(res, 405, { Allow: 'GET, HEAD, POST, OPTIONS' }, '');
  }
  let rel;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch (e) {
    entry.status = 400;
    return send(res, 400, {}, '');
  }
  // Longest mount prefix wins; the file must resolve inside the mount's folder.
  const prefix = Object.keys(srv.mounts).filter((p) => rel.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (!prefix) {
    entry.status = 404;
    return send(res, 404, { 'Content-Type': 'text/plain' }, 'not found\n');
  }
  const root = path.resolve(srv.mounts[prefix]);
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel.slice(prefix.length)));
  if (file !== root && !file.startsWith(root + path.sep)) {
    entry.status = 403;
    return send(res, 403, {}, '');
  }
  serveFile(req, res, file, entry);
}

function startServer({ mounts = {}, keys = {}, port = 0 } = {}) {
  const srv = {
    mounts: Object.assign({}, mounts),
    keys: Object.fromEntries(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()])),
    log: [],
    licenseRequests: [],
  };
  const sockets = new Set();
  const server = http.createServer((req, res) => handle(req, res, srv));
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      srv.port = server.address().port;
      srv.origin = `http://127.0.0.1:${srv.port}`;
      srv.close = () => new Promise((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      });
      resolve(srv);
    });
  });
}

module.exports = { startServer, mimeType, parseRange, hexToB64url, b64urlToHex };

if (require.main === module) {
  const [content, ...pairs] = process.argv.slice(2);
  const keys = {};
  for (const p of pairs) {
    const [kid, key] = p.split(':');
    keys[kid] = key;
  }
  startServer({
    mounts: {
      '/content/': content || '.',
      '/pages/': path.join(__dirname, 'pages'),
      '/node_modules/': path.join(__dirname, 'node_modules'),
    },
    keys,
    port: parseInt(process.env.PORT || '0', 10),
  }).then((srv) => {
    console.log(`serving ${content || '.'} at ${srv.origin}/content/ (pages at ${srv.origin}/pages/)`);
  });
}
