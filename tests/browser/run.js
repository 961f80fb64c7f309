// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Browser tests: vpack's encrypted DASH played by Shaka Player and dash.js in
// Debian's headless Chromium, driven by playwright-core. Prints TAP.
//
//   node run.js players   generated fixture, both schemes and profiles, both players,
//                         no key / wrong key / license URL, screenshots
//   node run.js media     the real-world files of $VPACK_SHARED_MEDIA marked "play"
//
// Needs VPACK (and VPACK_PLUGIN_PATH) as the meson test env sets them, ffmpeg, and
// /usr/bin/chromium (or VPACK_CHROMIUM). Screenshots go to
// $VPACK_BUILD_ROOT/tests/browser/ (or VPACK_BROWSER_OUT). VPACK_BROWSER_KEEP=1
// keeps the temporary folder (fixtures, packages, Chromium profile);
// VPACK_PACKAGE_ARGS adds arguments to every `vpack package` (split on spaces),
// e.g. "-s pipeline.ingest=native" to try a given backend.
'use strict';

const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startServer, hexToB64url } = require('./server');
const { decodePng, pixelStats, meanAbsDiff } = require('./png');

const KID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const KEY = '3a5c7e9f1b2d4f6a8c0e2b4d6f8a1c3e';
const WRONG_KEY = 'c3e1a8f6d4b2e0c8a6f4d2b1f9e7c5a3';
const OTHER_KID = '11223344556677889900aabbccddeeff';

const START_LIMIT_MS = 20000;   // playback must start within this
const PLAY_TARGET_S = 3;        // and reach this currentTime
const NEGATIVE_WAIT_MS = 8000;  // how long a case that must not play is watched
const GLOBAL_LIMIT_MS = 280000; // below meson's 300 s timeout

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

const mode = process.argv[2] || 'players';
const here = __dirname;
const outDir = process.env.VPACK_BROWSER_OUT ||
  path.join(process.env.VPACK_BUILD_ROOT || path.join(here, '..', '..', '_build'), 'tests', 'browser');

/* ---- TAP ---- */

let tapCount = 0, tapFailed = 0;
function diag(text) {
  for (const line of String(text).split('\n')) console.log('# ' + line);
}
function ok(cond, name, details) {
  tapCount++;
  if (!cond) tapFailed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${tapCount} - ${name}`);
  if (details) diag(details);
  return cond;
}
function skip(name, why) {
  tapCount++;
  console.log(`ok ${tapCount} - ${name} # SKIP ${why}`);
}

/* ---- helpers ---- */

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, Object.assign({ maxBuffer: 64 << 20, encoding: opts.encoding || 'utf8' }, opts),
      (err, stdout, stderr) => resolve({ code: err ? (err.code || 1) : 0, stdout, stderr, err }));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function makeFixture(dir) {
  const file = path.join(dir, 'in.mp4');
  const r = await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:v', 'libx264', '-profile:v', 'high', '-bf', '2', '-g', '60', '-c:a', 'aac',
    '-t', '10', '-pix_fmt', 'yuv420p', file]);
  if (r.code !== 0) throw new Error('ffmpeg failed to make the fixture: ' + r.stderr);
  return file;
}

// Packages INPUT into dir/name; resolves {ok, dir, mpd, error}.
async function vpackPackage(input, dir, name, opts = {}) {
  const out = path.join(dir, name);
  const args = ['package', input, '-o', out, '--key', opts.key || KEY, '--kid', opts.kid || KID];
  if (opts.scheme) args.push('--scheme', opts.scheme);
  if (opts.profile) args.push('--profile', opts.profile);
  if (opts.encrypt) args.push('--encrypt', opts.encrypt);
  if (opts.licenseUrl) args.push('--license-url', opts.licenseUrl);
  if (opts.extra) args.push(...opts.extra);
  if (process.env.VPACK_PACKAGE_ARGS) args.push(...process.env.VPACK_PACKAGE_ARGS.split(/\s+/).filter(Boolean));
  const r = await run(process.env.VPACK, args);
  const mpd = path.join(out, 'stream.mpd');
  if (r.code !== 0 || !fs.existsSync(mpd))
    return { ok: false, dir: out, error: `vpack ${args.join(' ')}: exit ${r.code}\n${(r.stderr || '').trim()}` };
  return { ok: true, dir: out, mpd, name };
}

// Runs async jobs with at most `width` at a time, keeping order.
async function pool(jobs, width) {
  const results = new Array(jobs.length);
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

function describe(st) {
  if (!st) return 'no state';
  const errs = st.errors.map((e) => `${e.code}: ${e.message}`).join('\n    ');
  const evs = st.events.map((e) => e.name + (e.detail ? `(${e.detail})` : '')).join(' ');
  return `currentTime ${st.currentTime.toFixed(2)} s, frames ${st.frames} (dropped ${st.dropped}), ` +
    `readyState ${st.readyState}, ${st.width}x${st.height}, duration ${st.duration}, ` +
    `buffered ${JSON.stringify(st.buffered.map((r) => r.map((t) => +t.toFixed(2))))}, ` +
    `mediaKeys ${st.mediaKeys}, media error ${st.mediaError}` +
    (errs ? `\n  player errors:\n    ${errs}` : '\n  player errors: none') +
    (evs ? `\n  events: ${evs}` : '');
}

// "N requests (M with Range), statuses {200: a, 206: b}" for one case's requests.
function requestSummary(entries) {
  const media = entries.filter((e) => e.path.startsWith('/content/'));
  const statuses = {};
  for (const e of media) statuses[e.status] = (statuses[e.status] || 0) + 1;
  const bad = media.filter((e) => e.status >= 400).map((e) => `${e.status} ${e.path}`).slice(0, 5);
  return `${media.length} content requests (${media.filter((e) => e.rangeHeader).length} with Range), ` +
    `statuses ${JSON.stringify(statuses)}` + (bad.length ? `; failed: ${bad.join(', ')}` : '');
}

// The test server itself: Range, CORS, MIME types and the license exchange, so a
// player failure is not the server's.
async function serverChecks(srv, dir) {
  fs.mkdirSync(path.join(dir, 'audio1'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'x.mp4'), Buffer.from('0123456789'));
  fs.writeFileSync(path.join(dir, 'audio1', 'init.mp4'), Buffer.from('a'));
  fs.writeFileSync(path.join(dir, 'stream.mpd'), '<MPD/>');
  srv.mounts['/content/self/'] = dir;
  const base = `${srv.origin}/content/self/`;
  const problems = [];
  const expect = (cond, what) => { if (!cond) problems.push(what); };
  let r = await fetch(base + 'x.mp4', { headers: { Range: 'bytes=2-5' } });
  expect(r.status === 206 && (await r.text()) === '2345' && r.headers.get('content-range') === 'bytes 2-5/10',
    `bytes=2-5 gave ${r.status} ${r.headers.get('content-range')}`);
  r = await fetch(base + 'x.mp4', { headers: { Range: 'bytes=-3' } });
  expect(r.status === 206 && (await r.text()) === '789', `bytes=-3 gave ${r.status}`);
  r = await fetch(base + 'x.mp4', { headers: { Range: 'bytes=7-' } });
  expect(r.status === 206 && (await r.text()) === '789', `bytes=7- gave ${r.status}`);
  r = await fetch(base + 'x.mp4', { headers: { Range: 'bytes=10-' } });
  expect(r.status === 416 && r.headers.get('content-range') === 'bytes */10', `bytes=10- gave ${r.status}`);
  r = await fetch(base + 'x.mp4');
  expect(r.status === 200 && r.headers.get('content-type') === 'video/mp4' &&
    r.headers.get('access-control-allow-origin') === '*' && r.headers.get('accept-ranges') === 'bytes',
  `plain GET gave ${r.status} ${r.headers.get('content-type')}`);
  r = await fetch(base + 'audio1/init.mp4');
  expect(r.headers.get('content-type') === 'audio/mp4', `audio init is ${r.headers.get('content-type')}`);
  r = await fetch(base + 'stream.mpd');
  expect(r.headers.get('content-type') === 'application/dash+xml', `MPD is ${r.headers.get('content-type')}`);
  r = await fetch(base + '..%2F..%2Fetc/passwd');
  expect(r.status === 403 || r.status === 404, `path traversal gave ${r.status}`);
  r = await fetch(`${srv.origin}/license`, { method: 'OPTIONS' });
  expect(r.status === 204 && /Content-Type/.test(r.headers.get('access-control-allow-headers')), `OPTIONS /license gave ${r.status}`);
  r = await fetch(`${srv.origin}/license`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kids: [hexToB64url(KID), hexToB64url(OTHER_KID)], type: 'temporary' }),
  });
  const lic = await r.json();
  expect(r.status === 200 && lic.keys.length === 1 && lic.keys[0].kty === 'oct' &&
    lic.keys[0].kid === hexToB64url(KID) && lic.keys[0].k === hexToB64url(KEY), `license answer ${JSON.stringify(lic)}`);
  srv.licenseRequests.length = 0;
  delete srv.mounts['/content/self/'];
  ok(problems.length === 0, 'test server: Range, CORS, MIME types, ClearKey license', problems.join('\n') || null);
}

/* ---- one playback ---- */

// Opens the player page, starts playback and watches it.
// expect 'play': until currentTime >= target (or the end of a short file) with
// frames > 0, at most START_LIMIT_MS for playback to start.
// expect 'fail': NEGATIVE_WAIT_MS, or 2 s after the player reports an error.
// Returns {page, state}; the caller closes the page.
async function watchPlayback(ctx, srv, { player, mpdUrl, keys, expect, target = PLAY_TARGET_S }) {
  const page = await ctx.newPage();
  const consoleLines = [];
  page.on('console', (m) => { if (consoleLines.length < 50) consoleLines.push(`${m.type()}: ${m.text()}`.slice(0, 400)); });
  page.on('pageerror', (e) => consoleLines.push('pageerror: ' + e.message));
  await page.goto(`${srv.origin}/pages/${player}.html`, { timeout: 15000 });
  let clearKeys;
  if (keys && player === 'shaka') clearKeys = keys;
  if (keys && player === 'dashjs')
    clearKeys = Object.fromEntries(Object.entries(keys).map(([k, v]) => [hexToB64url(k), hexToB64url(v)]));
  await page.evaluate((o) => { window.vpkStart(o); }, { mpd: mpdUrl, clearKeys });

  const t0 = Date.now();
  let state = null, startedAt = 0, firstErrorAt = 0;
  for (;;) {
    await sleep(200);
    state = await page.evaluate(() => window.vpkState());
    const now = Date.now();
    if (!startedAt && state.currentTime > 0) startedAt = now;
    if (!firstErrorAt && state.errors.length) firstErrorAt = now;
    state.goal = playGoal(state, target);
    if (expect === 'play') {
      if (state.frames > 0 && (state.currentTime >= state.goal || state.ended)) break;
      if (!startedAt && now - t0 > START_LIMIT_MS) break;
      if (startedAt && now - startedAt > target * 1000 * 3 + 5000) break;
      if (firstErrorAt && now - firstErrorAt > 3000 && !startedAt) break; // failed, nothing moves
    } else {
      if (now - t0 > NEGATIVE_WAIT_MS) break;
      if (firstErrorAt && now - firstErrorAt > 2000) break;
    }
  }
  state.elapsedMs = Date.now() - t0;
  state.console = consoleLines;
  return { page, state };
}

// Files shorter than 4 s count as played at three quarters of their duration.
function playGoal(state, target) {
  const d = state.duration;
  return Number.isFinite(d) && d > 0 ? Math.min(target, d * 0.75) : target;
}

async function screenshotVideo(page, file) {
  const png = await page.locator('#video').screenshot({ timeout: 10000 });
  fs.writeFileSync(file, png);
  return decodePng(png);
}

// The source frames around time t (from t - before/fps, count of them), as RGB24
// buffers at the given size. Chromium shows the untagged fixture with BT.709
// colours: converted the same way, the frame on screen differs from its source by
// about 2 per channel on average, the next frame by about 7, a frame 2 s away by
// about 15.
async function sourceFrames(input, t, fps, before, count, width, height) {
  const t0 = Math.max(0, t - before / fps);
  const r = await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-ss', t0.toFixed(4), '-i', input,
    '-frames:v', String(count), '-an',
    '-vf', `scale=${width}:${height}:in_color_matrix=bt709:flags=bicubic+accurate_rnd+full_chroma_int`,
    '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { encoding: 'buffer' });
  const size = width * height * 3;
  const frames = [];
  if (r.code !== 0) return frames;
  for (let off = 0; off + size <= r.stdout.length; off += size)
    frames.push({ t: Math.ceil(t0 * fps - 1e-6) / fps + frames.length / fps, rgb: r.stdout.subarray(off, off + size) });
  return frames;
}

// Plays one case in its own page and returns its TAP line(s) as
// {good, name, details, shot}. Each case serves its package under its own prefix,
// so requests can be counted per case while another case plays.
async function runCase(ctx, srv, c, id) {
  const prefix = `/content/${id}/`;
  srv.mounts[prefix] = c.dir;
  const logStart = srv.log.length, c0 = Date.now();
  const licBefore = srv.licenseRequests.length;
  let res;
  try {
    res = await watchPlayback(ctx, srv, { player: c.player, mpdUrl: `${srv.origin}${prefix}stream.mpd`, keys: c.keys, expect: c.expect });
  } catch (e) {
    return { good: false, name: c.name, details: 'driver error: ' + (e.stack || e.message) };
  }
  const st = res.state;
  const requests = srv.log.slice(logStart).filter((e) => e.path.startsWith(prefix));
  let good, details = describe(st) +
    `\n  watched ${(st.elapsedMs / 1000).toFixed(1)} s of ${((Date.now() - c0) / 1000).toFixed(1)} s, ` +
    requestSummary(requests);
  if (c.expect === 'play') {
    good = st.frames > 0 && (st.currentTime >= st.goal || st.ended) && st.errors.length === 0;
    if (st.goal < PLAY_TARGET_S) details += `\n  goal ${st.goal.toFixed(2)} s (short file)`;
    if (c.license) {
      const lic = srv.licenseRequests.slice(licBefore);
      details += `\n  license requests: ${JSON.stringify(lic)}`;
      good = good && lic.some((l) => l.answered > 0);
    }
  } else {
    // Must not play: no decoded frame, or no progress.
    good = st.frames === 0 || st.currentTime < 0.5;
  }
  if (!good && st.console.length) details += '\n  console:\n    ' + st.console.join('\n    ');
  let shot = null;
  if (c.shot) {
    try {
      if (c.expect === 'play') await res.page.evaluate(() => document.getElementById('video').pause());
      const t = await res.page.evaluate(() => document.getElementById('video').currentTime);
      const file = path.join(outDir, `screenshot-${c.shot}.png`);
      shot = { img: await screenshotVideo(res.page, file), file, t };
    } catch (e) {
      details += `\n  screenshot failed: ${e.message}`;
    }
  }
  await res.page.close().catch(() => {});
  delete srv.mounts[prefix];
  return { good, name: c.name, details, shot };
}

// Runs cases `width` at a time and prints their TAP lines in order.
async function runCases(ctx, srv, cases, width) {
  const results = await pool(cases.map((c) => () => runCase(ctx, srv, c, `c${++caseSerial}`)), width);
  for (const r of results) ok(r.good, r.name, r.details);
  return results;
}
let caseSerial = 0;

/* ---- the player suite ---- */

async function playersSuite(ctx, srv, tmp, fixture) {
  await serverChecks(srv, path.join(tmp, 'self'));
  const input = await fixture;
  const licenseUrl = `${srv.origin}/license`;
  const variants = [
    { name: 'cbcs-live', scheme: 'cbcs', profile: 'live' },
    { name: 'cbcs-on-demand', scheme: 'cbcs', profile: 'on-demand' },
    { name: 'cenc-live', scheme: 'cenc', profile: 'live' },
    { name: 'cenc-on-demand', scheme: 'cenc', profile: 'on-demand' },
    // Every track encrypted: cbcs audio is whole-block with a constant IV (empty senc entries).
    { name: 'cbcs-live-all', scheme: 'cbcs', profile: 'live', encrypt: 'all' },
    { name: 'cbcs-live-laurl', scheme: 'cbcs', profile: 'live', licenseUrl },
    { name: 'cenc-on-demand-laurl', scheme: 'cenc', profile: 'on-demand', licenseUrl },
    // Matroska: native declines it, so the gst backend ingests and fragments it.
    { name: 'mkv-gst-cbcs-live', scheme: 'cbcs', profile: 'live', matroska: true },
  ];
  // Every stage by Bento4's tools, as the original service: only when they are there.
  const bento4 = process.env.VPACK_BENTO4_DIR;
  if (bento4) {
    variants.push({ name: 'bento4-cbcs-live', scheme: 'cbcs', profile: 'live', extra: [
      '-s', 'pipeline.ingest=bento4', '-s', 'pipeline.fragment=bento4',
      '-s', 'pipeline.encrypt=bento4', '-s', 'pipeline.package=bento4',
      '-s', `bento4.tools_dir=${bento4}`] });
  } else {
    skip('Shaka and dash.js play an all-bento4 package', 'VPACK_BENTO4_DIR is not set (Bento4 is not packaged by Debian)');
  }
  const mkv = path.join(tmp, 'in.mkv');
  const remux = await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', input, '-c', 'copy', mkv]);
  if (remux.code !== 0) throw new Error('ffmpeg failed to remux the fixture: ' + remux.stderr);
  const t0 = Date.now();
  const pkgs = {};
  const results = await pool(variants.map((v) => () => vpackPackage(v.matroska ? mkv : input, tmp, v.name, v)), 2);
  results.forEach((r, i) => { pkgs[variants[i].name] = r; });
  diag(`${variants.length} packages made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const v of variants) ok(pkgs[v.name].ok, `vpack package ${v.name}`, pkgs[v.name].ok ? null : pkgs[v.name].error);

  // The license-URL packages must name the URL in both forms (DESIGN §3).
  for (const name of ['cbcs-live-laurl', 'cenc-on-demand-laurl']) {
    const what = `${name}: MPD carries clearkey:Laurl and dashif:Laurl = ${licenseUrl}`;
    if (!pkgs[name].ok) { ok(false, what, 'not packaged'); continue; }
    const mpd = fs.readFileSync(pkgs[name].mpd, 'utf8');
    const found = {};
    for (const m of mpd.matchAll(/<(\w+):Laurl\b[^>]*>\s*([^<]+?)\s*</g)) found[m[1]] = m[2];
    const nsOk = mpd.includes('http://dashif.org/guidelines/clearKey') && mpd.includes('https://dashif.org/CPS');
    const good = nsOk && Object.values(found).filter((u) => u === licenseUrl).length >= 2 &&
      mpd.includes('e2719d58-a985-b3c9-781a-b030af78d30e');
    ok(good, what, good ? null : `found Laurl elements ${JSON.stringify(found)}, namespaces ok: ${nsOk}\n` +
      mpd.split('\n').filter((l) => /ContentProtection|Laurl|pssh/.test(l)).join('\n'));
  }

  const keys = { [KID]: KEY };
  const wrong = { [KID]: WRONG_KEY };
  const named = (c) => Object.assign(c, {
    dir: pkgs[c.pkg].dir,
    name: c.expect === 'play'
      ? `${c.player} plays ${c.pkg} ${c.license ? 'with the license URL from the MPD (no key in the page)' : 'with the key'}`
      : `${c.player} does not play ${c.pkg} with ${c.label}`,
  });
  const usable = (list) => list.map(named).filter((c) => {
    if (pkgs[c.pkg].ok) return true;
    ok(false, c.name, 'not packaged');
    return false;
  });
  // Keys in the page, and cases that must not play: two at a time.
  const shots = {};
  const pageKeyCases = usable([
    { player: 'shaka', pkg: 'cbcs-live', keys, expect: 'play', shot: 'shaka-cbcs-live-key' },
    { player: 'shaka', pkg: 'cbcs-on-demand', keys, expect: 'play' },
    { player: 'shaka', pkg: 'cenc-live', keys, expect: 'play' },
    { player: 'shaka', pkg: 'cenc-on-demand', keys, expect: 'play' },
    { player: 'dashjs', pkg: 'cbcs-live', keys, expect: 'play' },
    { player: 'dashjs', pkg: 'cenc-on-demand', keys, expect: 'play' },
    { player: 'dashjs', pkg: 'cenc-live', keys, expect: 'play' },
    { player: 'dashjs', pkg: 'cbcs-on-demand', keys, expect: 'play' },
    { player: 'shaka', pkg: 'mkv-gst-cbcs-live', keys, expect: 'play' },
    { player: 'shaka', pkg: 'cbcs-live-all', keys, expect: 'play' },
    { player: 'dashjs', pkg: 'cbcs-live-all', keys, expect: 'play' },
    ...(bento4 ? [{ player: 'shaka', pkg: 'bento4-cbcs-live', keys, expect: 'play' },
                  { player: 'dashjs', pkg: 'bento4-cbcs-live', keys, expect: 'play' }] : []),
    { player: 'shaka', pkg: 'cbcs-live', keys: null, expect: 'fail', label: 'no key', shot: 'shaka-cbcs-live-nokey' },
    { player: 'dashjs', pkg: 'cbcs-live', keys: null, expect: 'fail', label: 'no key' },
    { player: 'shaka', pkg: 'cenc-on-demand', keys: wrong, expect: 'fail', label: 'the wrong key' },
    { player: 'dashjs', pkg: 'cenc-on-demand', keys: wrong, expect: 'fail', label: 'the wrong key' },
    { player: 'shaka', pkg: 'cbcs-live', keys: wrong, expect: 'fail', label: 'the wrong key' },
    { player: 'dashjs', pkg: 'cbcs-live', keys: wrong, expect: 'fail', label: 'the wrong key' },
    { player: 'shaka', pkg: 'cenc-live', keys: { [OTHER_KID]: KEY }, expect: 'fail', label: 'a key for another KID only' },
  ]);
  for (const r of await runCases(ctx, srv, pageKeyCases, 2)) if (r.shot) shots[pageKeyCases.find((c) => c.name === r.name).shot] = r.shot;
  // The license URL from the MPD: one at a time, so license requests are this case's.
  await runCases(ctx, srv, usable([
    { player: 'shaka', pkg: 'cbcs-live-laurl', keys: null, expect: 'play', license: true },
    { player: 'dashjs', pkg: 'cbcs-live-laurl', keys: null, expect: 'play', license: true },
    { player: 'shaka', pkg: 'cenc-on-demand-laurl', keys: null, expect: 'play', license: true },
    { player: 'dashjs', pkg: 'cenc-on-demand-laurl', keys: null, expect: 'play', license: true },
  ]), 1);

  // Screenshots: the keyed picture is the source picture, the key-less one is black.
  const keyed = shots['shaka-cbcs-live-key'], nokey = shots['shaka-cbcs-live-nokey'];
  if (keyed) {
    const s = pixelStats(keyed.img);
    const { width, height } = keyed.img;
    // The frame shown is within a frame or two of currentTime.
    let best = null;
    for (const f of await sourceFrames(input, keyed.t, 30, 4, 9, width, height)) {
      const d = meanAbsDiff(keyed.img, f.rgb);
      if (!best || d < best.d) best = { d, t: f.t };
    }
    const good = s.brightShare > 0.5 && s.colours >= 32 && best !== null && best.d < 5;
    ok(good, `screenshot of the keyed Shaka playback shows the source picture (${keyed.file})`,
      `at currentTime ${keyed.t.toFixed(3)} s: ${width}x${height}, ` +
      `${(s.brightShare * 100).toFixed(1)} % non-black, mean luma ${s.meanLuma.toFixed(1)}, ${s.colours} colours; ` +
      (best ? `mean abs difference ${best.d.toFixed(2)} from the source frame at ${best.t.toFixed(3)} s (needs < 5)`
        : 'no source frame from ffmpeg'));
  } else {
    ok(false, 'screenshot of the keyed Shaka playback shows the source picture', 'no screenshot');
  }
  if (nokey) {
    const s = pixelStats(nokey.img);
    ok(s.brightShare < 0.01, `screenshot of the key-less Shaka playback is black (${nokey.file})`,
      `${(s.brightShare * 100).toFixed(2)} % non-black, mean luma ${s.meanLuma.toFixed(1)}, ${s.colours} colours`);
  } else {
    ok(false, 'screenshot of the key-less Shaka playback is black', 'no screenshot');
  }
}

/* ---- the real-world media suite ---- */

// Files of the media README's table whose last column says "play".
function playableMedia(dir) {
  const readme = path.join(dir, 'README.md');
  if (!fs.existsSync(readme)) return [];
  const files = [];
  for (const line of fs.readFileSync(readme, 'utf8').split('\n')) {
    const cols = line.split('|').map((c) => c.trim());
    if (cols.length < 4 || !/\.(mp4|mov|m4v)$/i.test(cols[1])) continue;
    if (/\bplay\b/i.test(cols[cols.length - 2])) files.push(cols[1]);
  }
  return files;
}

async function mediaSuite(ctx, srv, tmp, mediaDir) {
  const files = playableMedia(mediaDir).filter((f) => fs.existsSync(path.join(mediaDir, f)));
  if (!files.length) {
    skip('real-world media', `no files marked "play" in ${mediaDir}/README.md`);
    return;
  }
  const names = files.map((f) => f.replace(/\.[^.]+$/, ''));
  const pkgs = await pool(files.map((f, i) => () => vpackPackage(path.join(mediaDir, f), tmp, names[i])), 2);
  const cases = [];
  files.forEach((f, i) => {
    const name = `shaka plays ${f} with the key`;
    if (ok(pkgs[i].ok, `vpack package ${f}`, pkgs[i].ok ? null : pkgs[i].error))
      cases.push({ player: 'shaka', dir: pkgs[i].dir, keys: { [KID]: KEY }, expect: 'play', name });
    else
      ok(false, name, 'not packaged');
  });
  await runCases(ctx, srv, cases, 2);
}

/* ---- main ---- */

async function main() {
  if (mode !== 'players' && mode !== 'media') {
    console.log(`Bail out! unknown suite '${mode}' (players or media)`);
    return 1;
  }
  if (!process.env.VPACK) {
    console.log('Bail out! VPACK is not set (run through meson test)');
    return 1;
  }
  const mediaDir = process.env.VPACK_SHARED_MEDIA || path.join(here, '..', '..', '..', 'shared', 'media');
  if (mode === 'media' && !fs.existsSync(mediaDir)) {
    console.log(`1..1\nok 1 - real-world media # SKIP ${mediaDir} is absent`);
    return 0;
  }
  const chromium = process.env.VPACK_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) {
    /* The project installs these itself: missing means a broken install, not a skip. */
    console.log(`Bail out! no Chromium at ${chromium} (tools/install-deps.sh installs it)`);
    return 1;
  }
  for (const m of ['playwright-core', 'shaka-player', 'dashjs']) {
    if (!fs.existsSync(path.join(here, 'node_modules', m, 'package.json'))) {
      console.log(`Bail out! no ${m} in ${path.join(here, 'node_modules')} (tools/install-npm.sh installs it)`);
      return 1;
    }
  }
  if ((await run('ffmpeg', ['-version'])).code !== 0) {
    console.log('Bail out! no ffmpeg (tools/install-deps.sh installs it)');
    return 1;
  }
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpack-browser-'));
  let srv = null, ctx = null;
  const cleanup = async () => {
    if (ctx) await ctx.close().catch(() => {});
    ctx = null;
    if (srv) await srv.close().catch(() => {});
    srv = null;
    if (!process.env.VPACK_BROWSER_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
    else diag(`kept ${tmp}`);
  };
  let aborting = false;
  const abort = (why) => {
    if (aborting) return;
    aborting = true;
    if (why) console.log(`Bail out! ${why}`);
    cleanup().finally(() => process.exit(1));
  };
  process.on('SIGTERM', () => abort('SIGTERM'));
  process.on('SIGINT', () => abort('SIGINT'));
  process.on('uncaughtException', (e) => abort(`uncaught exception: ${e.stack || e}`));
  process.stdout.on('error', () => abort(null)); // the reader went away (EPIPE)
  const watchdog = setTimeout(() => abort(`the suite took more than ${GLOBAL_LIMIT_MS / 1000} s`), GLOBAL_LIMIT_MS);

  // The fixture is encoded while Chromium starts.
  const fixture = mode === 'players' ? makeFixture(tmp) : null;
  if (fixture) fixture.catch(() => {}); // awaited (and reported) by the suite
  try {
    srv = await startServer({
      mounts: { '/pages/': path.join(here, 'pages'), '/node_modules/': path.join(here, 'node_modules') },
      keys: { [KID]: KEY },
    });
    process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
    const { chromium: pw } = require('playwright-core');
    ctx = await pw.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: chromium,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 800, height: 480 },
      deviceScaleFactor: 1,
      timeout: 30000,
    });
    diag(`chromium ${ctx.browser() ? ctx.browser().version() : ''} at ${chromium}, server ${srv.origin}, output ${outDir}`);
    if (mode === 'media') await mediaSuite(ctx, srv, tmp, mediaDir);
    else await playersSuite(ctx, srv, tmp, fixture);
  } catch (e) {
    ok(false, 'browser suite ran to the end', e.stack || e.message);
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
  console.log(`1..${tapCount}`);
  return tapFailed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.log(`Bail out! ${e.stack || e}`);
  process.exit(1);
});
