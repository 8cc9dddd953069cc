// The console's settings page, improved where a browser can: countries
// named in the page's language, the first refused field in view, and the
// call log previewed while the templates are typed. Without it the page
// works the same (codes instead of names, a preview after saving).
(() => {
  'use strict';
  const form = document.querySelector('form[data-settings]');
  if (!form) return;

  // Countries: "DE (+49)" becomes "Germany (DE, +49)", sorted by name.
  const country = form.querySelector('select[name="default_country"]');
  if (country && typeof Intl === 'object' && Intl.DisplayNames) {
    let names = null;
    try {
      names = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'region' });
    } catch (_) { /* an unknown language: keep the codes */ }
    if (names) {
      const options = Array.from(country.options).filter((o) => o.value && !o.dataset.unknown);
      for (const option of options) {
        let name = '';
        try { name = names.of(option.value) || ''; } catch (_) { name = ''; }
        if (name && name !== option.value) {
          option.textContent = `${name} (${option.value}, ${option.dataset.dial})`;
        }
      }
      const collator = new Intl.Collator(document.documentElement.lang || 'en');
      options.sort((a, b) => collator.compare(a.textContent, b.textContent));
      const last = Array.from(country.options).filter((o) => o.dataset.unknown);
      for (const option of options.concat(last)) country.appendChild(option);
    }
  }

  // The first refused field: focused (autofocus does it too) and in view.
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) {
    if (document.activeElement !== first) first.focus({ preventScroll: true });
    first.scrollIntoView({ block: 'center' });
  }

  // The preview, asked of the server a moment after typing stops.
  const subject = document.getElementById('preview-subject');
  const description = document.getElementById('preview-description');
  const problem = document.getElementById('preview-problem');
  if (!subject || !description || !problem) return;
  const watched = ['subject', 'description', 'display_time_zone', 'default_country'];
  let timer = 0;
  let asked = 0;
  const refresh = async () => {
    const mine = ++asked;
    const body = new URLSearchParams(new FormData(form));
    let answer;
    try {
      const response = await fetch(form.dataset.preview, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch (_) {
      return; // offline: the last preview stays
    }
    if (mine !== asked) return; // a newer one is on its way
    subject.textContent = answer.subject;
    description.textContent = answer.description;
    problem.textContent = answer.problem || '';
    problem.hidden = !answer.problem;
  };
  form.addEventListener('input', (event) => {
    if (!watched.includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.addEventListener('change', (event) => {
    if (event.target.name === 'default_country') refresh();
  });
})();
