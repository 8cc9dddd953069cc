// A caller whose CRM name is markup: the panel shows it as text, and
// nothing in it runs (no script, no image with an error handler).
import { launch } from '../lib/launch.mjs';
import { env, run, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const base = env('RB_BASE_URL');
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, base, env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });

  // The pop opens the record in a tab; it is not what this test looks at.
  browser.context.on('page', (tab) => tab.close().catch(() => {}));
  step('connected');
  const card = page.locator('li.call').first();
  await card.locator('.who strong').waitFor({ timeout: 60000 });
  // Give an injected handler every chance to run before looking.
  await page.waitForTimeout(300);
  return {
    card: await card.innerText(),
    pwned: await page.evaluate(() => window.rbPwned !== undefined),
    injected: await page.evaluate(
      () => document.querySelectorAll('#panel img, #panel script, li.call script, li.call img').length,
    ),
  };
});
