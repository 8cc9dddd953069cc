// Buttons that copy a value shown once (a new API token): the button
// names the element to copy (`data-copy="#id"`) and says "Copied" for a
// moment. Without script (or clipboard access) the value is still there
// to select by hand; the button is hidden until this file runs.
(() => {
  'use strict';
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const source = document.querySelector(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener('click', async () => {
      const text = source.textContent.trim();
      let done = false;
      try {
        await navigator.clipboard.writeText(text);
        done = true;
      } catch (_) {
        // No clipboard permission (plain http on another host): select
        // the text so Ctrl+C copies it.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        done = document.execCommand && document.execCommand('copy');
      }
      button.textContent = done ? button.dataset.copied : button.dataset.failed;
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  }
})();
