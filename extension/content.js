// On Zoho CRM pages: phone numbers become click-to-call links. A click
// asks ringbridge (through the background worker, which holds the token)
// to ring the agent's phone, then the number.
'use strict';

(() => {
  const MARK = 'ringbridge-dial';
  // A run of digits with the separators people type, optionally after + or 00.
  const CANDIDATE = /(?:\+|\b00)?\(?\d[\d\s().\-\u00a0]{5,22}\d/g;
  const DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;
  const SKIP = new Set(['SCRIPT', 'STYLE', 'TEXTAREA', 'INPUT', 'SELECT', 'OPTION', 'CODE', 'PRE', 'A', 'BUTTON']);

  const t = (id, subs) => chrome.i18n.getMessage(id, subs) || id;

  function digits(text) {
    return text.replace(/\D/g, '').length;
  }

  function isPhone(text) {
    const t = text.trim();
    const n = digits(t);
    return n >= 7 && n <= 15 && !DATE.test(t);
  }

  function toast(text, error = false) {
    const old = document.querySelector('.ringbridge-toast');
    if (old) old.remove();
    const box = document.createElement('div');
    box.className = 'ringbridge-toast' + (error ? ' error' : '');
    box.setAttribute('role', 'status');
    box.textContent = text;
    document.body.append(box);
    setTimeout(() => box.remove(), 6000);
  }

  async function dial(number) {
    toast(t('calling', [number]));
    let answer;
    try {
      answer = await chrome.runtime.sendMessage({ type: 'dial', number });
    } catch (err) {
      answer = { ok: false, error: String(err) };
    }
    if (answer && answer.ok) {
      document.documentElement.dataset.ringbridgeLastDial = answer.body.number;
      toast(t('callPlaced', [answer.body.extension, answer.body.number]));
    } else {
      toast(t('callFailed', [(answer && answer.error) || '?']), true);
    }
  }

  function link(number, text) {
    const a = document.createElement('a');
    a.className = MARK;
    a.href = 'tel:' + number.replace(/[^\d+]/g, '');
    a.dataset.ringbridgeNumber = number.trim();
    a.title = t('callWith');
    a.textContent = text;
    return a;
  }

  function linkifyText(node) {
    const text = node.nodeValue;
    CANDIDATE.lastIndex = 0;
    let match;
    let last = 0;
    const parts = [];
    while ((match = CANDIDATE.exec(text)) !== null) {
      if (!isPhone(match[0])) continue;
      parts.push(document.createTextNode(text.slice(last, match.index)));
      parts.push(link(match[0], match[0]));
      last = match.index + match[0].length;
    }
    if (parts.length === 0) return;
    parts.push(document.createTextNode(text.slice(last)));
    node.replaceWith(...parts);
  }

  function scan(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode(node) {
        for (let el = node.parentElement; el && el !== root.parentElement; el = el.parentElement) {
          if (SKIP.has(el.tagName) || el.isContentEditable || el.classList.contains('ringbridge-toast')) {
            return NodeFilter.FILTER_REJECT;
          }
        }
        return /\d{3}/.test(node.nodeValue) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      },
    });
    const found = [];
    while (walker.nextNode()) found.push(walker.currentNode);
    found.forEach(linkifyText);
  }

  document.addEventListener(
    'click',
    (e) => {
      const a = e.target.closest(`a.${MARK}, a[href^="tel:"]`);
      if (!a) return;
      e.preventDefault();
      e.stopPropagation();
      dial(a.dataset.ringbridgeNumber || decodeURIComponent(a.getAttribute('href').slice(4)));
    },
    true,
  );

  // Zoho CRM draws its pages after load and redraws them often.
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      scan(document.body);
    });
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
  scan(document.body);
})();
