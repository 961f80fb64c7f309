// SPDX-License-Identifier: LGPL-2.1-or-later
// The vpack page: upload (drag and drop, progress), the job list kept live by
// Server-Sent Events, and Shaka Player for Ready jobs. The page never holds a
// key: it asks the service to generate one, and the player gets it from the
// license URL the service wrote into the MPD.
'use strict';

const $ = (id) => document.getElementById(id);
const streams = new Map();
let player = null;

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
    if (xhr.status !== 201) {
      $('upload-status').textContent = `Upload failed: ${reply.error ? reply.error.message : xhr.status}`;
      return;
    }
    bar.value = 1;
    $('upload-status').textContent = `Stored as input ${reply.input_content_id}; packaging…`;
    const res = await fetch('/packaged_content', {
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

function watch(job) {
  const source = new EventSource(`/packaged_content/${job.packaged_content_id}/events`);
  streams.set(job.packaged_content_id, source);
  source.addEventListener('status', (e) => {
    const update = JSON.parse(e.data);
    showJob(update);
    if (['Ready', 'Failed', 'Cancelled'].includes(update.status)) {
      source.close();
      streams.delete(job.packaged_content_id);
    }
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) streams.delete(job.packaged_content_id);
  });
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
  const res = await fetch('/packaged_content?limit=50');
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
