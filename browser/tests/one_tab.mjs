// Pops on ringing, answer and hang-up of one call reuse one tab; the ended
// call then leaves "Calls now" after the agent's chosen while (1 s here).
import { launch } from '../lib/launch.mjs';
import { env, run, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.evaluate(() => localStorage.setItem('rb-ended-linger-s', '1'));
  await page.reload();
  for (const trigger of ['on_ringing', 'on_answer', 'on_hangup']) {
    if (await page.isChecked(`input[name="${trigger}"]`)) continue;
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/panel/settings') && r.request().method() === 'PUT' && r.ok());
    await page.check(`input[name="${trigger}"]`);
    await saved;
  }
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });

  const popped = browser.context.waitForEvent('page', { timeout: 60000 });
  step('connected');
  await popped;
  await page.locator('li.call[data-state="ended"]').waitFor();
  const popsAtEnd = await page.evaluate(() => document.querySelector('#panel').dataset.lastPop || '');
  const pagesAtEnd = browser.context.pages().length;
  // The row leaves by itself; "no calls" shows again.
  await page.locator('li.call').waitFor({ state: 'detached', timeout: 15000 });
  await page.locator('#no-calls').waitFor({ state: 'visible' });
  return { pages: pagesAtEnd, last_pop: popsAtEnd };
});
