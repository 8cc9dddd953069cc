// A transferred call pops the caller's record for the agent who receives it.
import { launch } from '../lib/launch.mjs';
import { env, run, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const context = await browser.browser.newContext({ locale: 'en-US' });
  const page = watch(await context.newPage(), 'receiver');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  const popped = context.waitForEvent('page', { timeout: 60000 });
  step('connected');
  const tab = await popped;
  const card = page.locator('li.call').first();
  await card.locator('.who strong').waitFor();
  return { pop_url: tab.url(), card: await card.innerText() };
});
