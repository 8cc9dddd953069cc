// A call from a known contact: the panel pops a tab at the contact's CRM
// record and shows who is calling.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const base = env('RB_BASE_URL');
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, base, env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  await screenshot(page, 'panel-idle');

  const popped = browser.context.waitForEvent('page', { timeout: 60000 });
  step('connected');
  const tab = await popped;
  await tab.waitForLoadState('domcontentloaded');
  const heading = await tab.textContent('h1');

  const card = page.locator('li.call').first();
  await card.locator('.who strong').waitFor();
  await page.bringToFront();
  await screenshot(page, 'panel-known-caller');
  return {
    pop_url: tab.url(),
    pop_heading: heading && heading.trim(),
    card: await card.innerText(),
  };
});
