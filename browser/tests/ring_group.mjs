// A ring-group call pops for every agent it rings; when one answers, the
// other's panel says a colleague took it.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

async function agentPanel(browser, username, password, label) {
  const context = await browser.browser.newContext({ locale: 'en-US' });
  const page = watch(await context.newPage(), label);
  await signIn(page, env('RB_BASE_URL'), username, password, '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  return { context, page };
}

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const first = await agentPanel(browser, env('RB_USERNAME'), env('RB_PASSWORD'), 'first');
  const second = await agentPanel(browser, env('RB_USERNAME2'), env('RB_PASSWORD2'), 'second');
  const pops = [first, second].map((a) => a.context.waitForEvent('page', { timeout: 60000 }));
  step('connected');

  const [firstPop, secondPop] = await Promise.all(pops);
  // The first agent did not answer: the call closed with "answered elsewhere".
  const card = first.page.locator('li.call[data-state="ended"]').first();
  await card.waitFor();
  const state = await card.locator('.state').innerText();
  await first.page.bringToFront();
  await screenshot(first.page, 'panel-answered-elsewhere');
  return {
    first_pop: firstPop.url(),
    second_pop: secondPop.url(),
    first_state: state,
  };
});
