// ringbridge agent panel, second part: recent calls (log status,
// playback, create after the call) and the tel: handler. Uses what
// panel.js shares on window.rbPanel.
'use strict';

(() => {
  const shared = window.rbPanel;
  if (!shared) return;
  const { api, el, msg, numberLink, hooks } = shared;
  const $ = (sel, root = document) => root.querySelector(sel);

  // ---------- recent calls ----------
  const recentTable = $('#recent');
  function fmtTime(iso) {
    const d = new Date(iso);
    return d.toLocaleString(document.documentElement.lang, { dateStyle: 'short', timeStyle: 'short' });
  }

  async function loadRecent() {
    // Never redraw under a form the agent is filling in.
    if (recentTable.querySelector('form.create, form.note')) return;
    let rows;
    try {
      rows = await api('GET', '/api/calls/recent');
    } catch (_) {
      return;
    }
    const body = recentTable.tBodies[0];
    body.replaceChildren(
      ...rows.map((c) => {
        const direction = msg('panel-direction-' + c.direction) + (c.answered ? '' : ` (${msg('panel-missed')})`);
        const linked = c.crm_linked !== false;
        const record = !linked
          ? el('span', { class: 'muted not-linked', text: msg('panel-not-linked') })
          : c.record && c.record.hidden
            ? el('span', { class: 'muted hidden-record', text: msg('panel-record-hidden') })
            : c.record
              ? el('button', { type: 'button', class: 'open link', 'data-url': c.record.url, text: c.record.name })
              : el('span', { class: 'muted', text: msg('panel-unknown') });
        // Unknown callers can still get a record after the call (once a CRM is connected).
        const create = linked && !c.record && c.number
          ? ['Contacts', 'Leads'].map((module) =>
              el('button', {
                type: 'button',
                class: 'create secondary small',
                'data-module': module,
                text: msg(module === 'Contacts' ? 'panel-create-contact' : 'panel-create-lead'),
              }),
            )
          : [];
        const log = el('span', {
          class: 'log ' + c.log,
          'data-log': c.log,
          title: c.log_error || '',
          text: msg('panel-log-' + c.log),
        });
        const play = c.recording_url
          ? el('button', { type: 'button', class: 'play secondary', 'data-src': c.recording_url, text: msg('panel-play') })
          : null;
        return el(
          'tr',
          { 'data-call-id': c.call_id, 'data-number': c.number || undefined },
          el('td', { text: fmtTime(c.started_at) }),
          el('td', { text: direction }),
          el('td', {}, c.number ? numberLink(c.number) : null),
          el(
            'td',
            { class: 'record' },
            record,
            ...create,
            el('button', { type: 'button', class: 'note-open secondary small', text: msg('panel-add-note') }),
            hooks.recentNotes.has(c.call_id) ? el('p', { class: 'note', text: hooks.recentNotes.get(c.call_id) }) : null,
          ),
          el('td', {}, log),
          el('td', {}, play),
        );
      }),
    );
    recentTable.hidden = rows.length === 0;
    $('#no-recent').hidden = rows.length > 0;
  }

  // A call that just ended reaches the log a moment later.
  let recentTimers = [];
  function refreshRecentSoon() {
    recentTimers.forEach(clearTimeout);
    recentTimers = [500, 2000, 5000].map((ms) => setTimeout(loadRecent, ms));
  }

  // ---------- tel: links ----------
  $('#register-tel').addEventListener('click', () => {
    const status = $('#tel-status');
    try {
      navigator.registerProtocolHandler('tel', `${location.origin}/panel?dial=%s`);
      status.textContent = msg('panel-saved');
    } catch (err) {
      status.textContent = err.message;
    }
  });
  const asked = new URLSearchParams(location.search).get('dial');
  if (asked) {
    $('#dial-number').value = asked.replace(/^tel:/i, '');
    $('#dial-number').focus();
  }

  hooks.refreshRecentSoon = refreshRecentSoon;
  loadRecent();
  setInterval(loadRecent, 60000);
})();
