// An unknown caller: the panel says "unknown"; the agent creates a Lead
// with the short form, and the panel shows the new record.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  step('connected');

  const card = page.locator('li.call').first();
  await card.locator('.who.unknown').waitFor();
  const unknownText = await card.locator('.who.unknown').innerText();
  await screenshot(page, 'panel-unknown-caller');

  await card.locator('button.create[data-module="Leads"]').click();
  const form = card.locator('form.create');
  await form.locator('input[name="first_name"]').fill('Lin');
  await form.locator('input[name="last_name"]').fill('Chen');
  await form.locator('input[name="company"]').fill('Acme Dental');
  await screenshot(page, 'panel-create-lead-form');
  await form.locator('button[type="submit"]').click();

  await card.locator('.note').waitFor();
  await card.locator('button.open').waitFor();
  await screenshot(page, 'panel-lead-created');
  return {
    unknown: unknownText,
    note: await card.locator('.note').innerText(),
    card: await card.innerText(),
    open_url: await card.locator('button.open').getAttribute('data-url'),
  };
});
