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
  status.className = answer && answer.ok ? 'ok' : 'error';
  status.textContent = answer && answer.ok ? t('optionsSaved') : t('optionsFailed', [(answer && answer.error) || '?']);
  document.body.dataset.checked = answer && answer.ok ? 'ok' : 'error';
});
