// The extension's options: ringbridge's address and the agent's token.
'use strict';

const t = (id, subs) => chrome.i18n.getMessage(id, subs) || id;
for (const node of document.querySelectorAll('[data-i18n]')) {
  node.textContent = t(node.dataset.i18n);
}
document.documentElement.lang = chrome.i18n.getUILanguage();

const form = document.getElementById('options');
const status = document.getElementById('status');

chrome.storage.local.get(['url', 'token', 'pops']).then((saved) => {
  form.url.value = saved.url || '';
  form.token.value = saved.token || '';
  form.pops.checked = saved.pops !== false;
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const url = form.url.value.trim().replace(/\/+$/, '');
  await chrome.storage.local.set({ url, token: form.token.value.trim(), pops: form.pops.checked });
  const answer = await chrome.runtime.sendMessage({ type: 'check' });
  const ok = Boolean(answer && answer.ok);
  status.className = ok ? 'ok' : 'error';
  status.textContent = ok ? t('optionsSaved') : failure(answer);
  document.body.dataset.checked = ok ? 'ok' : (answer && answer.status) === 401 ? 'wrong-token' : 'error';
});

// What went wrong, in words that say what to do: a refused token is not a
// network problem.
function failure(answer) {
  const why = (answer && answer.error) || '?';
  if (!answer || answer.status === undefined) return t('optionsUnreachable', [why]);
  if (answer.status === 401) return t('optionsWrongToken');
  if (answer.status === 403) return t('optionsTokenScope');
  return t('optionsFailed', [why]);
}
