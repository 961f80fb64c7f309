// SPDX-License-Identifier: LGPL-2.1-or-later
// The web page in Chromium: upload a generated video, watch its job reach
// Ready (live over SSE), play it with Shaka Player through /license with no
// key in the page. The page asks for the API token: the test types in the admin
// token the service wrote into its state folder. Leaves page.png in the build
// folder given as argv[2].
import { createRequire } from 'node:module';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = process.env.VPACK_SOURCE_ROOT;
const require = createRequire(path.join(root, 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');
const outDir = process.argv[2] || '.';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function startServer(state) {
  const port = await freePort();
  const extra = (process.env.VPK_TEST_SERVER_SET || '').split(' ').filter(Boolean)
    .map((s) => `--set=${s}`);
  const proc = spawn(process.env.VPACK, ['serve', `--state-dir=${state}`,
    `--listen=127.0.0.1:${port}`, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const url = await new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`vpack serve exited with ${code}`)));
    lines.on('line', (line) => {
      const m = line.match(/listening on (http:\/\/\S+?)\/?$/);
      if (m) resolve(m[1]);
    });
  });
  return { proc, url };
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'vpk-page-'));
  const video = path.join(work, 'in.mp4');
  execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i',
    'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-c:v', 'libx264',
    '-g', '50', '-c:a', 'aac', '-t', '8', '-movflags', '+faststart', video]);
  const state = path.join(work, 'state');
  const { proc, url } = await startServer(state);
  const tokenPath = path.join(state, 'admin-token');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  let failed = null;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.log(`# page: ${m.text()}`));
    await page.goto(`${url}/`);
    if ((statSync(tokenPath).mode & 0o777) !== 0o600) throw new Error('admin-token is not mode 600');
    await page.fill('#token', readFileSync(tokenPath, 'utf8').trim());
    await page.click('#token-form button');
    await page.setInputFiles('#file', video);
    const row = page.locator('#jobs tbody tr').first();
    await row.waitFor({ timeout: 60000 });
    await page.waitForSelector('#jobs tr[data-status="Ready"]', { timeout: 120000 });
    await page.click('#jobs tr[data-status="Ready"] button.play');
    await page.waitForFunction(() => {
      const v = document.getElementById('video');
      return v.currentTime >= 3 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
    }, null, { timeout: 60000 });
    const frames = await page.evaluate(() =>
      document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames);
    const keyInPage = await page.evaluate(() => document.documentElement.outerHTML
      .includes('clearKeys'));
    if (keyInPage) throw new Error('the page configured keys itself');
    await page.locator('body').screenshot({ path: path.join(outDir, 'page.png') });
    console.log(`ok 1 - page plays through /license (${frames} frames decoded)`);
  } catch (e) {
    failed = e;
    console.log(`not ok 1 - ${e.message.split('\n')[0]}`);
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
    await new Promise((resolve) => proc.on('exit', resolve));
    rmSync(work, { recursive: true, force: true });
  }
  console.log('1..1');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.log(`not ok 1 - ${e.message}`); console.log('1..1'); process.exit(1); });
