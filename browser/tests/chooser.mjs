// Several records share the caller's number: nothing opens by itself; the
// panel lists them and the agent opens the one meant.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  let autoPops = 0;
  browser.context.on('page', () => autoPops++);
  step('connected');

  const chooser = page.locator('li.call .chooser').first();
  await chooser.waitFor();
  await page.waitForSelector('li.call[data-state="ended"]');
  const choices = await chooser.locator('button.open').allInnerTexts();
  const before = autoPops;
  await screenshot(page, 'panel-chooser');
  const popped = browser.context.waitForEvent('page');
  await chooser.locator('button.open').nth(1).click();
  const tab = await popped;
  return {
    choices,
    auto_pops: before,
    chosen_url: tab.url(),
    second_choice_url: await chooser.locator('button.open').nth(1).getAttribute('data-url'),
  };
});
