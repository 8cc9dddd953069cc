// The agent's screen-pop setting: "when a call ends" instead of "when a
// call rings" is saved, survives a reload, and the record opens at hang-up
// (once).
import { launch } from '../lib/launch.mjs';
import { env, run, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');

  const saved = () => page.waitForResponse((r) => r.url().endsWith('/api/panel/settings') && r.request().method() === 'PUT' && r.ok());
  let done = saved();
  await page.uncheck('input[name="on_ringing"]');
  await done;
  done = saved();
  await page.check('input[name="on_hangup"]');
  await done;
  await page.reload();
  const persisted = {
    on_ringing: await page.isChecked('input[name="on_ringing"]'),
    on_answer: await page.isChecked('input[name="on_answer"]'),
    on_hangup: await page.isChecked('input[name="on_hangup"]'),
  };
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });

  const popped = browser.context.waitForEvent('page', { timeout: 60000 });
  step('connected');
  const tab = await popped;
  const stateAtPop = await page.getAttribute('li.call', 'data-state');
  await tab.waitForLoadState('domcontentloaded');
  return { persisted, state_at_pop: stateAtPop, pop_url: tab.url(), pages: browser.context.pages().length };
});
