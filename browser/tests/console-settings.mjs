// The console's settings page with Zoho connected: a Call Result is picked
// from the org's picklist, two wrong fields are both marked at once with
// the first focused, the call log preview follows the subject as it is
// typed, and the countries are named in the page's language.
import { launch } from '../lib/launch.mjs';
import { env, firstAdmin, run, screenshot } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const base = env('RB_BASE_URL');
  const password = env('RB_ADMIN_PASSWORD');
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    // The refused save answers 422 on purpose; Chromium logs that.
    if (m.type() === 'error' && !m.text().includes('status of 422')) errors.push(m.text());
  });

  await firstAdmin(page, base, password);

  await page.goto(`${base}/console/settings`);
  const missed = 'select[name="result_inbound_missed"]';
  await page.waitForSelector(missed);
  const offered = await page.$$eval(`${missed} option`, (options) => options.map((o) => o.value));
  await page.selectOption(missed, 'Requested call back');
  const germany = await page.$eval('select[name="default_country"] option[value="DE"]', (o) => o.textContent);

  // Two wrong fields, far apart on the page: both marked at once.
  await page.fill('input[name="min_talk_s"]', '-5');
  await page.fill('input[name="display_time_zone"]', 'Mars/Base');
  await Promise.all([page.waitForLoadState('load'), page.click('form[data-settings] button[type="submit"]')]);
  await page.waitForSelector('#problems');
  const marked = await page.$$eval('[aria-invalid="true"]', (fields) => fields.map((f) => f.name));
  const described = await page.$$eval('[aria-invalid="true"]', (fields) =>
    fields.every((f) => {
      const note = document.getElementById(f.getAttribute('aria-describedby'));
      return note !== null && note.textContent.trim().length > 0;
    }),
  );
  await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'min_talk_s');
  const focused = await page.evaluate(() => document.activeElement.name);
  const kept = await page.$eval(missed, (s) => s.value);
  const summary = await page.$$eval('#problems a', (links) => links.map((a) => a.getAttribute('href')));
  await screenshot(page, 'console-settings-refused');

  // The preview follows the subject while it is typed.
  const before = await page.innerText('#preview-subject');
  await page.fill('input[name="subject"]', 'Call with {name}, {handled_by}');
  await page.waitForFunction(
    (old) => document.getElementById('preview-subject').textContent !== old,
    before,
  );
  const preview = await page.innerText('#preview-subject');
  await page.fill('input[name="subject"]', 'Call with {nobody}');
  await page.waitForSelector('#preview-problem:not([hidden])');
  const previewProblem = await page.innerText('#preview-problem');
  await page.fill('input[name="subject"]', 'Call with {name}');

  // Corrected, the page saves.
  await page.fill('input[name="min_talk_s"]', '5');
  await page.fill('input[name="display_time_zone"]', 'Europe/Berlin');
  await Promise.all([page.waitForLoadState('load'), page.click('form[data-settings] button[type="submit"]')]);
  await page.waitForSelector('p.notice');
  const markedAfter = await page.locator('[aria-invalid="true"]').count();
  await screenshot(page, 'console-settings');

  return { offered, germany, marked, described, focused, kept, summary, before, preview, previewProblem, markedAfter, errors };
});
