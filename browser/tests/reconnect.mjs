// The panel shows when it is offline and reconnects by itself: after the
// network comes back, the next call still pops.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });

  await browser.context.setOffline(true);
  await page.locator('#offline').waitFor();
  const banner = await page.innerText('#offline');
  await screenshot(page, 'panel-offline');
  await browser.context.setOffline(false);
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached', timeout: 45000 });
  await page.locator('#offline').waitFor({ state: 'hidden' });

  const popped = browser.context.waitForEvent('page', { timeout: 60000 });
  step('reconnected');
  const tab = await popped;
  return { banner, pop_url: tab.url() };
});
