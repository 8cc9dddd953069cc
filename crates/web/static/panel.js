// ringbridge agent panel. No framework, no inline code (the CSP forbids
// it): live calls from the server-sent event feed, screen pops, click-to-
// call, records created for unknown callers, recent calls with playback.
'use strict';

(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const panel = $('#panel');
  if (!panel) return;

  const messages = new Map(
    [...document.querySelectorAll('#panel-messages li')].map((li) => [li.dataset.id, li.textContent]),
  );
  const msg = (id) => messages.get(id) || id;
  // A CRM module's name in the page's language (Zoho's API name otherwise).
  const moduleName = (module) => messages.get('panel-module-' + module) || module;
  const csrf = $('meta[name="csrf-token"]')?.content || '';
  // Filled by panel-recent.js.
  // `recentNotes`: what the agent did on a recent call (call_id → text),
  // kept across the recent list's redraws.
  const hooks = { refreshRecentSoon: () => {}, recentNotes: new Map() };
  const refreshRecentSoon = () => hooks.refreshRecentSoon();

  // ---------- API ----------
  class ApiError extends Error {
    constructor(status, body) {
      super((body && (body.message || body.error)) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.error;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      signIn();
      throw new ApiError(401, null);
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  function signIn() {
    location.assign('/login?next=' + encodeURIComponent('/panel'));
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('data-')) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // A number anywhere on the page: click to call it.
  function numberLink(number) {
    return el('button', {
      type: 'button',
      class: 'number dial-link',
      'data-number': number,
      title: msg('panel-call-this'),
      text: number,
    });
  }

  // ---------- settings ----------
  const settingsForm = $('#pop-settings');
  const pops = () => ({
    on_ringing: settingsForm.elements.on_ringing.checked,
    on_answer: settingsForm.elements.on_answer.checked,
    on_hangup: settingsForm.elements.on_hangup.checked,
  });
  // How long an ended call stays under "Calls now": this browser's choice.
  const LINGER_KEY = 'rb-ended-linger-s';
  const lingerSelect = settingsForm.elements.ended_linger;
  const storedLinger = localStorage.getItem(LINGER_KEY);
  if (storedLinger !== null) lingerSelect.value = storedLinger;
  // A stored value the list does not offer (set by hand) still counts.
  const lingerMs = () => Number(localStorage.getItem(LINGER_KEY) ?? lingerSelect.value) * 1000;
  settingsForm.addEventListener('change', async (e) => {
    const status = $('#settings-status');
    if (e.target === lingerSelect) {
      localStorage.setItem(LINGER_KEY, lingerSelect.value);
      status.textContent = msg('panel-saved');
      return;
    }
    try {
      await api('PUT', '/api/panel/settings', pops());
      status.textContent = msg('panel-saved');
    } catch (err) {
      status.textContent = err.message;
    }
  });
  settingsForm.addEventListener('submit', (e) => e.preventDefault());

  // ---------- screen pops ----------
  const popupHelp = $('#popup-help');

  function notify(title, body, url) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return false;
    const n = new Notification(title, { body, tag: url });
    n.onclick = () => {
      window.focus();
      window.open(url, '_blank');
      n.close();
    };
    return true;
  }

  // Opens `url` in a tab named `name`: pops for one call (or one record)
  // reuse one tab instead of opening a new one per ring. A browser that
  // blocks it gets told, honestly, and the pop becomes a desktop
  // notification where allowed.
  function pop(url, label, name) {
    const tab = window.open(url, name || 'rb-record-' + url.replace(/[^A-Za-z0-9]/g, '').slice(-40));
    if (tab && !tab.closed) {
      try {
        tab.opener = null;
      } catch (_) {
        /* cross-origin already */
      }
      panel.dataset.lastPop = url;
      return true;
    }
    panel.dataset.popupBlocked = 'true';
    popupHelp.hidden = false;
    // Notifications refused as well: say so, and what still works.
    const denied = !('Notification' in window) || Notification.permission === 'denied';
    $('#popup-denied').hidden = !denied;
    $('#popup-fallback').hidden = denied;
    $('#notify-enable').hidden = denied;
    if (denied) panel.dataset.notificationsDenied = 'true';
    notify(msg('panel-notify-title'), label, url);
    return false;
  }

  $('#notify-enable').addEventListener('click', async () => {
    if ('Notification' in window) await Notification.requestPermission();
    popupHelp.hidden = true;
  });
  $('#popup-dismiss').addEventListener('click', () => {
    popupHelp.hidden = true;
  });

  // ---------- live calls ----------
  const list = $('#live-calls');
  const calls = new Map(); // call_id -> { event, node, popped:Set, records:[] }
  const KEEP_ENDED = 5;

  async function lookup(number) {
    try {
      const found = await api('GET', '/api/lookup?number=' + encodeURIComponent(number));
      return { records: found.records || [], hidden: !!found.hidden, noGrant: !!found.no_grant };
    } catch (_) {
      return { records: [], hidden: false, noGrant: false };
    }
  }

  // A live row is two parts: what the server tells (`.summary`, redrawn on
  // every change) and what the agent is doing (`.work`: a half-typed form),
  // which no update ever touches, so nothing typed and no focus is lost.
  function liveRow(callId) {
    return el(
      'li',
      { 'data-call-id': callId },
      el('div', { class: 'summary' }),
      el('div', { class: 'work' }),
    );
  }

  function render(call) {
    const e = call.event;
    const row = call.node;
    row.className = 'call ' + e.state;
    row.dataset.state = e.state;
    const node = row.querySelector('.summary') || row;
    node.replaceChildren();
    const state = e.answered_elsewhere ? msg('panel-answered-elsewhere') : msg('panel-state-' + e.state);
    node.append(el('span', { class: 'state', text: state }));
    if (e.number) node.append(numberLink(e.number));
    const records = call.records;
    if (e.crm_linked === false) {
      // No CRM connected: nothing to match or create yet; the call is
      // logged once Zoho is connected.
      node.append(el('span', { class: 'who not-linked', text: msg('panel-not-linked') }));
    } else if (records.length === 1) {
      const r = records[0];
      node.append(
        el('span', { class: 'who' }, el('strong', { text: r.name }), ' ', el('span', { class: 'module', text: moduleName(r.module) })),
        el('button', { type: 'button', class: 'open', 'data-url': r.url, text: msg('panel-open-in-zoho') }),
      );
    } else if (records.length > 1) {
      const chooser = el('div', { class: 'chooser' }, el('p', { text: msg('panel-choose-record') }));
      for (const r of records) {
        chooser.append(
          el('button', {
            type: 'button',
            class: 'open secondary',
            'data-url': r.url,
            text: `${r.name} · ${moduleName(r.module)}${r.company ? ' · ' + r.company : ''}`,
          }),
        );
      }
      node.append(chooser);
    } else if (call.noGrant) {
      // The agent's Zoho grant is gone: nothing of the CRM, and no create.
      node.append(el('span', { class: 'who no-crm', text: msg('panel-no-crm-details') }));
    } else if (call.hidden) {
      // Their Zoho role hides the caller's record: no name, company or link.
      node.append(el('span', { class: 'who hidden-record', text: msg('panel-record-hidden') }));
    } else if (e.number) {
      node.append(
        el('span', { class: 'who unknown', text: msg('panel-unknown') }),
        el('button', { type: 'button', class: 'create secondary', 'data-module': 'Contacts', text: msg('panel-create-contact') }),
        el('button', { type: 'button', class: 'create secondary', 'data-module': 'Leads', text: msg('panel-create-lead') }),
      );
    }
    node.append(el('button', { type: 'button', class: 'note-open secondary', text: msg('panel-add-note') }));
    if (call.note) node.append(el('p', { class: 'note', text: call.note }));
  }

  // The rule is RingbridgePop's (pop-rules.js), shared with the extension.
  // With several matches the chooser is already in the row: nothing opens.
  function maybePop(call) {
    const e = call.event;
    const triggers = { ...pops(), zoho_pops: panel.dataset.zohoPops === 'true' };
    const { open } = RingbridgePop.decide(e, triggers, call.popped, call.records.length);
    if (open !== 'record') return;
    const r = call.records[0];
    pop(r.url, `${r.name} · ${e.number || ''}`, RingbridgePop.windowName(e.call_id));
  }

  function forget(call) {
    call.node.remove();
    calls.delete(call.event.call_id);
  }

  function prune() {
    const ended = [...calls.values()].filter((c) => c.event.state === 'ended');
    while (ended.length > KEEP_ENDED) forget(ended.shift());
    $('#no-calls').hidden = calls.size > 0;
  }

  async function onEvent(e) {
    let call = calls.get(e.call_id);
    // A call first seen while no CRM was connected is matched once one is.
    const linkedNow = call && call.event.crm_linked === false && e.crm_linked !== false;
    if (!call || linkedNow) {
      if (!call) {
        call = { event: e, node: liveRow(e.call_id), popped: new Set(), records: [] };
        calls.set(e.call_id, call);
        list.prepend(call.node);
      }
      if (e.number && e.crm_linked !== false) {
        const found = await lookup(e.number);
        const access = e.record ? e.record.access || 'visible' : null;
        call.records = found.records;
        call.hidden = found.hidden || access === 'hidden';
        call.noGrant = found.noGrant || access === 'no_grant';
        // The feed's own match comes first if the lookup missed it.
        if (call.records.length === 0 && access === 'visible' && !call.hidden && !call.noGrant) {
          call.records = [e.record];
        }
        if (call.noGrant) $('#no-crm-banner').hidden = false;
      }
    }
    call.event = e;
    render(call);
    maybePop(call);
    prune();
    if (e.state === 'ended') {
      refreshRecentSoon();
      leaveLater(call);
    }
  }

  // An ended call leaves "Calls now" after the chosen while, unless the
  // agent is still typing in it (then it waits for the form to go).
  function leaveLater(call) {
    if (lingerMs() <= 0 || call.leaving) return;
    call.leaving = setTimeout(function leave() {
      if (calls.get(call.event.call_id) !== call || call.event.state !== 'ended') return;
      if (call.node.querySelector('form.create, form.note[data-dirty="true"]')) {
        call.leaving = setTimeout(leave, 5000);
        return;
      }
      forget(call);
      prune();
    }, lingerMs());
  }

  // Events are handled one at a time, in order.
  let queue = Promise.resolve();
  const enqueue = (e) => {
    queue = queue.then(() => onEvent(e)).catch((err) => console.error(err));
  };

  // ---------- feed: reconnects by itself, shows when offline ----------
  const offline = $('#offline');
  let source = null;
  let retry = 1000;

  function setOnline(online) {
    offline.hidden = online;
    panel.dataset.connected = online ? 'true' : 'false';
  }

  function connect() {
    if (panel.dataset.live !== 'true' || !panel.dataset.extension) return;
    // One stream at a time (a retry timer may fire after "online" reconnected).
    if (source && source.readyState !== EventSource.CLOSED) return;
    source = new EventSource('/api/calls/stream');
    source.onopen = () => {
      retry = 1000;
      setOnline(true);
      // A new connection may be to a new generation (Zoho just connected).
      refreshRecentSoon();
    };
    source.onmessage = (m) => {
      try {
        enqueue(JSON.parse(m.data));
      } catch (err) {
        console.error('bad event', err);
      }
    };
    source.onerror = () => {
      setOnline(false);
      // EventSource retries by itself unless the server refused; then we
      // do, slower each time, after checking the session still exists.
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(async () => {
          try {
            await api('GET', '/api/me');
          } catch (_) {
            /* offline or signed out (api() redirects) */
          }
          connect();
        }, retry);
        retry = Math.min(retry * 2, 30000);
      }
    };
  }
  window.addEventListener('offline', () => setOnline(false));
  // Back online: a fresh connection (and snapshot) now, not at the
  // browser's next retry.
  window.addEventListener('online', () => {
    if (source) source.close();
    source = null;
    retry = 1000;
    connect();
  });

  // ---------- click-to-call ----------
  const dialStatus = $('#dial-status');
  async function dial(number) {
    dialStatus.textContent = '';
    delete panel.dataset.dialError;
    try {
      const placed = await api('POST', '/api/dial', { number });
      dialStatus.textContent = `${msg('panel-dial-started')} (${placed.number})`;
      panel.dataset.lastDial = placed.number;
    } catch (err) {
      dialStatus.textContent = `${msg('panel-dial-failed')} ${err.message}`;
      panel.dataset.dialError = err.code || 'error';
    }
  }
  $('#dial-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const number = $('#dial-number').value.trim();
    if (number) dial(number);
  });

  // ---------- creating records ----------
  // Every row for `number`, live and recent, now names `record`: none
  // keeps offering to create a duplicate.
  function showRecordEverywhere(number, record, except) {
    for (const other of calls.values()) {
      if (other === except || other.event.number !== number) continue;
      other.records = [record];
      other.node.querySelector('form.create')?.remove();
      render(other);
    }
    refreshRecentSoon();
  }

  function openCreateForm(call, module) {
    const node = call.node.querySelector('.work') || call.node;
    node.querySelector('form.create')?.remove();
    const form = $('#create-form').content.firstElementChild.cloneNode(true);
    form.dataset.module = module;
    node.append(form);
    form.elements.last_name.focus();
    form.querySelector('.cancel').addEventListener('click', () => form.remove());
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        const made = await api('POST', '/api/records', {
          module,
          first_name: form.elements.first_name.value,
          last_name: form.elements.last_name.value,
          company: form.elements.company.value,
          number: call.event.number,
          call_id: call.event.call_id,
        });
        call.records = [made.record];
        call.note = `${msg(made.existed ? 'panel-existed' : 'panel-created')} ${made.link ? msg('panel-link-' + made.link) : ''}`;
        form.remove();
        if (call.recent) {
          hooks.recentNotes.set(call.event.call_id, call.note);
          const r = made.record;
          call.node.replaceChildren(
            el('button', { type: 'button', class: 'open link', 'data-url': r.url, text: r.name }),
            el('p', { class: 'note', text: call.note }),
          );
        } else {
          render(call);
        }
        showRecordEverywhere(call.event.number, made.record, call);
      } catch (err) {
        submit.disabled = false;
        let p = form.querySelector('.error');
        if (!p) form.append((p = el('p', { class: 'error' })));
        p.textContent = `${msg('panel-create-failed')} ${err.message}`;
      }
    });
  }

  // ---------- notes and call results ----------
  // The org's Call Result values, asked once per page.
  let resultChoices = null;
  const callResults = () =>
    (resultChoices ??= api('GET', '/api/calls/results')
      .then((r) => r.results || [])
      .catch(() => []));

  // The note form lives in the row's `.work` part, which no update
  // redraws: what the agent types survives ringing → talking → ended.
  function openNoteForm(call) {
    const work = call.node.querySelector('.work') || call.node;
    let form = work.querySelector('form.note');
    if (form) {
      form.elements.text.focus();
      return;
    }
    form = $('#note-form').content.firstElementChild.cloneNode(true);
    work.append(form);
    const select = form.elements.result;
    callResults().then((values) => {
      for (const v of values) select.append(el('option', { value: v, text: v }));
    });
    form.elements.text.focus();
    const dirty = () => {
      form.dataset.dirty = 'true';
    };
    form.addEventListener('input', dirty);
    form.addEventListener('change', dirty);
    form.querySelector('.close-note').addEventListener('click', () => form.remove());
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const status = form.querySelector('.status');
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        await api('POST', `/api/calls/${encodeURIComponent(call.event.call_id)}/note`, {
          text: form.elements.text.value,
          result: select.value || null,
        });
        form.dataset.dirty = 'false';
        form.dataset.saved = 'true';
        status.textContent = msg('panel-note-saved');
      } catch (err) {
        const known = messages.get('panel-note-error-' + err.code);
        status.textContent =
          err.status === 409 ? msg('panel-note-busy') : known || `${msg('panel-note-failed')} ${err.message}`;
        form.dataset.saved = 'false';
      } finally {
        submit.disabled = false;
      }
    });
  }

  document.addEventListener('click', (e) => {
    const target = e.target.closest('button');
    if (!target) return;
    if (target.classList.contains('dial-link')) {
      dial(target.dataset.number);
    } else if (target.classList.contains('open')) {
      // A click: no pop-up blocker stands in the way.
      pop(target.dataset.url, target.textContent);
    } else if (target.classList.contains('note-open')) {
      const call = calls.get(target.closest('li')?.dataset.callId);
      const row = target.closest('tr');
      if (call) openNoteForm(call);
      // A recent call: the form goes into its record cell.
      else if (row) openNoteForm({ event: { call_id: row.dataset.callId }, node: target.closest('td') });
    } else if (target.classList.contains('create')) {
      const id = target.closest('li')?.dataset.callId;
      const call = id && calls.get(id);
      if (call) {
        openCreateForm(call, target.dataset.module);
      } else {
        // A call from the recent list: the form goes into its record cell.
        const row = target.closest('tr');
        if (!row) return;
        const cell = target.closest('td');
        openCreateForm(
          { event: { call_id: row.dataset.callId, number: row.dataset.number }, node: cell, records: [], recent: true },
          target.dataset.module,
        );
      }
    } else if (target.classList.contains('play')) {
      // One player; the row it plays is marked and named above it.
      const player = $('#player');
      const row = target.closest('tr');
      for (const other of document.querySelectorAll('#recent tr.playing')) {
        other.classList.remove('playing');
        other.removeAttribute('aria-current');
      }
      const nowPlaying = $('#now-playing');
      if (row) {
        row.classList.add('playing');
        row.setAttribute('aria-current', 'true');
        const cells = [...row.cells].slice(0, 3).map((c) => c.textContent.trim()).filter(Boolean);
        nowPlaying.textContent = `${msg('panel-now-playing')} ${cells.join(' · ')}`;
        nowPlaying.hidden = false;
      }
      player.hidden = false;
      player.src = target.dataset.src;
      player.play().catch(() => {
        /* autoplay refused: the controls are there */
      });
    }
  });

  // The recent-calls part (panel-recent.js) hooks in here.
  window.rbPanel = { api, el, msg, numberLink, hooks };

  connect();
})();
