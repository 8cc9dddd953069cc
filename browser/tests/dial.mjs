// Click-to-call from the panel: a number shown in the recent calls, then
// the dial box. Each asks ringbridge to ring the agent, then the number.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, watch } from '../lib/harness.mjs';

async function dialled(page, number) {
  await page.waitForSelector(`#panel[data-last-dial="${number}"], #panel[data-dial-error]`, { state: 'attached' });
  const error = await page.getAttribute('#panel', 'data-dial-error');
  if (error) throw new Error(`dialling ${number} failed: ${await page.innerText('#dial-status')}`);
}

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });

  // The one call in the recent calls (the test played it before).
  const shown = page.locator('#recent tbody tr button.dial-link').first();
  await shown.waitFor();
  const number = await shown.getAttribute('data-number');
  await shown.click();
  await dialled(page, number);

  await page.fill('#dial-number', '+1 (415) 555-0199');
  await page.click('#dial-form button[type="submit"]');
  await dialled(page, '+14155550199');
  const status = await page.innerText('#dial-status');
  await screenshot(page, 'panel-dialled');

  // A tel: link handled by the panel arrives as ?dial=tel:…: ready to call,
  // not called (the agent confirms).
  await page.goto(`${env('RB_BASE_URL')}/panel?dial=${encodeURIComponent('tel:+1-415-555-0111')}`);
  const prefilled = await page.inputValue('#dial-number');
  return { status, clicked: number, prefilled };
});
