// PhoneBridge mode: Zoho pops the call itself. The panel lists the call and
// names the caller, explains why it opens no tab, and opens none — not on
// ringing (Maya's default trigger), not on answer, not at the end.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const base = env('RB_BASE_URL');
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, base, env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  let tabsOpened = 0;
  browser.context.on('page', () => {
    tabsOpened += 1;
  });
  step('connected');

  const card = page.locator('li.call').first();
  await card.locator('.who strong').waitFor();
  await page.waitForSelector('li.call[data-state="ended"]', { timeout: 60000 });
  await screenshot(page, 'panel-phonebridge');
  return {
    zoho_pops: await page.getAttribute('#panel', 'data-zoho-pops'),
    note: await page.innerText('#zoho-pops-note'),
    card: await card.innerText(),
    tabs_opened: tabsOpened,
  };
});
