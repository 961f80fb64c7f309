// SPDX-License-Identifier: LGPL-2.1-or-later
// The vpack page: upload (drag and drop, progress), the job list kept live by
// Server-Sent Events, and Shaka Player for Ready jobs. The page never holds a
// key: it asks the service to generate one, and the player gets it from the
// license URL the service wrote into the MPD.
//
// The API needs a token (docs/security.md). The page asks for it and keeps it in
// sessionStorage (this tab only, gone when it closes), and sends it as a Bearer
// header: no cookie, so other sites cannot make the browser act with it. The
// player needs none: /content and the MPD's license URL are public.
'use strict';

const $ = (id) => document.getElementById(id);
const streams = new Map();  // job id -> AbortController of its event stream
const TOKEN_KEY = 'vpack-api-token';
let player = null;

function token() { return sessionStorage.getItem(TOKEN_KEY); }

function withToken(headers = {}) {
  const t = token();
  return t ? { ...headers, Authorization: `Bearer ${t}` } : headers;
}

function askToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  let form = $('token-form');
  if (!form) {
    form = document.createElement('form');
    form.id = 'token-form';
    form.innerHTML = '<label>API token <input id="token" type="password" autocomplete="off" ' +
      'spellcheck="false" size="48"></label> <button type="submit">Use</button> ' +
      '<span id="token-message" role="status"></span>';
    document.querySelector('h1').after(form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('token').value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      $('token').value = '';
      form.hidden = true;
      loadJobs();
    });
  }
  $('token-message').textContent = message;
  form.hidden = false;
  $('token').focus();
}

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: withToken(options.headers) });
  if (res.status === 401) askToken('The service refused the token; enter it again.');
  return res;
}

function upload(file) {
  const form = new FormData();
  form.append('file', file, file.name);
  const xhr = new XMLHttpRequest();
  const bar = $('upload-progress');
  bar.hidden = false;
  bar.value = 0;
  $('upload-status').textContent = `Uploading ${file.name}…`;
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
  xhr.onload = async () => {
    const reply = JSON.parse(xhr.responseText || '{}');
    if (xhr.status === 401) askToken('The service refused the token; enter it again.');
    if (xhr.status !== 201) {
      $('upload-status').textContent = `Upload failed: ${reply.error ? reply.error.message : xhr.status}`;
      return;
    }
    bar.value = 1;
    $('upload-status').textContent = `Stored as input ${reply.input_content_id}; packaging…`;
    const res = await api('/packaged_content', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input_content_id: reply.input_content_id }),
    });
    const job = await res.json();
    if (!res.ok) {
      $('upload-status').textContent = `Packaging refused: ${job.error.message}`;
      return;
    }
    $('upload-status').textContent = `Job ${job.packaged_content_id} queued`;
    showJob(job);
  };
  xhr.onerror = () => { $('upload-status').textContent = 'Upload failed: network error'; };
  xhr.open('POST', '/input_content');
  for (const [name, value] of Object.entries(withToken())) xhr.setRequestHeader(name, value);
  xhr.send(form);
}

function row(job) {
  let tr = document.querySelector(`tr[data-job="${job.packaged_content_id}"]`);
  if (!tr) {
    tr = document.createElement('tr');
    tr.dataset.job = job.packaged_content_id;
    for (let i = 0; i < 5; i++) tr.appendChild(document.createElement('td'));
    $('jobs').tBodies[0].prepend(tr);
  }
  return tr;
}

function showJob(job) {
  const tr = row(job);
  const cells = tr.children;
  cells[0].textContent = job.packaged_content_id;
  cells[1].textContent = job.input_content_id;
  cells[2].textContent = job.status + (job.error ? `: ${job.error}` : '');
  cells[3].textContent = `${Math.round(job.progress * 100)} %`;
  tr.dataset.status = job.status;
  if (job.status === 'Ready' && !cells[4].firstChild) {
    const button = document.createElement('button');
    button.textContent = 'Play';
    button.className = 'play';
    button.onclick = () => play(job.url);
    cells[4].appendChild(button);
  }
  const final = ['Ready', 'Failed', 'Cancelled'].includes(job.status);
  if (!final && !streams.has(job.packaged_content_id)) watch(job);
}

// Server-Sent Events read with fetch(), since EventSource cannot send a header.
function parseEvent(block) {
  let type = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return { type, data: data.join('\n') };
}

async function watch(job) {
  const id = job.packaged_content_id;
  const controller = new AbortController();
  streams.set(id, controller);
  try {
    const res = await api(`/packaged_content/${id}/events`,
      { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
    if (!res.ok || !res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, '\n');
      for (let end; (end = buffer.indexOf('\n\n')) >= 0;) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.type !== 'status') continue;
        const update = JSON.parse(event.data);
        showJob(update);
        if (['Ready', 'Failed', 'Cancelled'].includes(update.status)) {
          controller.abort();
          return;
        }
      }
    }
  } catch (e) {
    // aborted, or the connection dropped: the list shows the last state seen
  } finally {
    streams.delete(id);
  }
}

async function play(url) {
  $('player-section').hidden = false;
  const status = $('player-status');
  if (!window.shaka) {
    status.textContent = 'This build of vpack has no player (npm ci in tests/browser).';
    return;
  }
  shaka.polyfill.installAll();
  if (!player) {
    player = new shaka.Player();
    await player.attach($('video'));
    player.addEventListener('error', (e) => { status.textContent = `Player error ${e.detail.code}`; });
  }
  try {
    await player.load(url);  // the license URL comes from the MPD
    status.textContent = `Playing ${url}`;
    await $('video').play();
  } catch (e) {
    status.textContent = `Player error ${e.code || e}`;
  }
}

async function loadJobs() {
  if (!token()) {
    askToken('Enter an API token (the service wrote one into <state-dir>/admin-token).');
    return;
  }
  const res = await api('/packaged_content?limit=50');
  if (!res.ok) return;
  const list = await res.json();
  for (const job of list.items.reverse()) showJob(job);
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer.files.length > 0) upload(e.dataTransfer.files[0]);
});
$('file').addEventListener('change', (e) => { if (e.target.files.length > 0) upload(e.target.files[0]); });
loadJobs();
