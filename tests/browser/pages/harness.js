// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Shared by the player pages: records player errors and events, and reports the
// <video> element's progress to the Playwright driver (run.js), which calls
// window.vpkStart(options) and then polls window.vpkState().
'use strict';

window.vpk = { errors: [], events: [], logs: [] };

function vpkVideo() {
  return document.getElementById('video');
}

function vpkError(code, message) {
  window.vpk.errors.push({ code: String(code), message: String(message || ''), t: performance.now() });
}

function vpkEvent(name, detail) {
  if (window.vpk.events.length < 200)
    window.vpk.events.push({ name, detail: detail === undefined ? '' : String(detail), t: performance.now() });
}

window.addEventListener('error', (e) => vpkError('page', e.message));
window.addEventListener('unhandledrejection', (e) => vpkError('page', e.reason && (e.reason.message || e.reason)));

window.vpkState = function () {
  const v = vpkVideo();
  const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : { totalVideoFrames: 0, droppedVideoFrames: 0 };
  const buffered = [];
  for (let i = 0; i < v.buffered.length; i++) buffered.push([v.buffered.start(i), v.buffered.end(i)]);
  return {
    currentTime: v.currentTime,
    duration: v.duration,
    frames: q.totalVideoFrames,
    dropped: q.droppedVideoFrames,
    readyState: v.readyState,
    paused: v.paused,
    ended: v.ended,
    width: v.videoWidth,
    height: v.videoHeight,
    buffered,
    mediaError: v.error ? `${v.error.code} ${v.error.message || ''}`.trim() : null,
    mediaKeys: !!v.mediaKeys,
    errors: window.vpk.errors,
    events: window.vpk.events,
  };
};

document.addEventListener('DOMContentLoaded', () => {
  const v = vpkVideo();
  for (const name of ['encrypted', 'waitingforkey', 'loadedmetadata', 'playing', 'waiting', 'ended', 'stalled'])
    v.addEventListener(name, () => vpkEvent(name, v.currentTime.toFixed(2)));
  v.addEventListener('error', () => vpkError('media', v.error ? `${v.error.code} ${v.error.message}` : 'unknown'));
});
