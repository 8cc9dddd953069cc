// The extension's background worker: the only part that holds the token
// and talks to ringbridge. Content scripts ask it to dial; it also follows
// the agent's live calls and opens the CRM record when the agent panel is
// not open in any tab — at the moments the agent chose in the panel
// (ringing, answer, hang-up; ringbridge keeps the choice per agent).
'use strict';

// The pop rule shared with the agent panel (RingbridgePop).
importScripts('pop-rules.js');

const t = (id, subs) => chrome.i18n.getMessage(id, subs) || id;

async function config() {
  const { url, token, pops } = await chrome.storage.local.get(['url', 'token', 'pops']);
  return url && token ? { url, token, pops: pops !== false } : null;
}

// Token auth only: `credentials: 'omit'` keeps ringbridge's session cookie
// out of every request, and ringbridge allows no credentials cross-origin.
async function call(method, path, body) {
  const cfg = await config();
  if (!cfg) return { ok: false, error: t('notConfigured') };
  let response;
  try {
    response = await fetch(cfg.url + path, {
      method,
      credentials: 'omit',
      headers: {
        Authorization: `Bearer ${cfg.token}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, error: String(err) };
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    return { ok: false, status: response.status, error: (data && (data.message || data.error)) || `HTTP ${response.status}` };
  }
  return { ok: true, status: response.status, body: data };
}

chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (message && message.type === 'dial' && typeof message.number === 'string') {
    call('POST', '/api/dial', { number: message.number }).then(reply);
    return true;
  }
  if (message && message.type === 'check') {
    call('GET', '/api/panel/settings').then((answer) => {
      reply(answer);
      if (answer.ok) follow();
    });
    return true;
  }
  return false;
});

// ---------- screen pops while the panel is closed ----------
let following = null;
// Each call pops at most once per trigger.
const popped = new Map();
// The agent's triggers, read from ringbridge each time the feed starts.
let triggers = { on_ringing: true, on_answer: false, on_hangup: false };

async function panelOpen(base) {
  const tabs = await chrome.tabs.query({});
  return tabs.some((tab) => tab.url && tab.url.startsWith(`${base}/panel`));
}

// Triggers each call already fired (call_id → Set), the oldest dropped.
function poppedFor(callId) {
  if (!popped.has(callId)) {
    popped.set(callId, new Set());
    if (popped.size > 300) popped.delete(popped.keys().next().value);
  }
  return popped.get(callId);
}

async function onEvent(cfg, event) {
  const matches = event.record ? event.record.matches || 1 : 0;
  const { open } = RingbridgePop.decide(event, triggers, poppedFor(event.call_id), matches);
  if (open === 'none') return;
  if (!cfg.pops || (await panelOpen(cfg.url))) return;
  // Several records share the number: the panel's chooser, not a guess.
  const url = open === 'chooser' ? `${cfg.url}/panel` : event.record.url;
  await chrome.tabs.create({ url, active: true });
}

// Reads the server-sent events with fetch (EventSource cannot send a token).
async function follow() {
  const cfg = await config();
  if (!cfg || following) return;
  const controller = new AbortController();
  following = controller;
  const chosen = await call('GET', '/api/panel/settings');
  if (chosen.ok && chosen.body) triggers = chosen.body;
  try {
    const response = await fetch(`${cfg.url}/api/calls/stream`, {
      credentials: 'omit',
      headers: { Authorization: `Bearer ${cfg.token}`, Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (data) {
          try {
            await onEvent(cfg, JSON.parse(data));
          } catch (err) {
            console.warn('ringbridge: bad event', err);
          }
        }
      }
    }
  } catch (err) {
    console.warn('ringbridge: live calls stream ended', err);
  } finally {
    if (following === controller) following = null;
  }
}

// A service worker may be stopped at any time; the alarm brings the
// stream back (at most a minute late).
chrome.alarms.create('ringbridge-follow', { periodInMinutes: 1 });
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === 'ringbridge-follow') follow();
});
chrome.runtime.onStartup.addListener(follow);
chrome.runtime.onInstalled.addListener(follow);
chrome.storage.onChanged.addListener(() => {
  following?.abort();
  following = null;
  follow();
});
// Every start of the worker (it may have been stopped while idle) resumes the feed.
follow();
