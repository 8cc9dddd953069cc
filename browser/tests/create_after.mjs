// After the call (the panel opened later): an unknown caller in the recent
// calls gets a Contact from the short form, and the panel shows it.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');

  const row = page.locator('#recent tbody tr').first();
  await row.locator('button.create[data-module="Contacts"]').click();
  const form = row.locator('form.create');
  await form.locator('input[name="first_name"]').fill('Rosa');
  await form.locator('input[name="last_name"]').fill('Marin');
  await form.locator('button[type="submit"]').click();
  await row.locator('.note').waitFor();
  await screenshot(page, 'panel-contact-created-after');
  return {
    note: await row.locator('.note').innerText(),
    open_url: await row.locator('button.open').getAttribute('data-url'),
  };
});
