// An agent with no ringbridge account signs in with Zoho: the sign-in
// page's button, the simulator's consent page (choosing who signs in),
// and back on ringbridge's panel, mapped to their extension.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'sign-in');
  await page.goto(env('RB_BASE_URL') + '/login');
  await page.waitForSelector('#sign-in-zoho');
  await screenshot(page, 'zoho-sign-in-button');
  await Promise.all([page.waitForSelector('button[value="accept"]'), page.click('#sign-in-zoho')]);
  const consentUrl = page.url();
  await page.selectOption('select[name="login_email"]', env('RB_ZOHO_EMAIL'));
  await screenshot(page, 'zoho-sign-in-consent');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/panel'),
    page.click('button[value="accept"]'),
  ]);
  await page.waitForSelector('#panel');
  await screenshot(page, 'zoho-sign-in-panel');
  const me = await page.evaluate(async () => (await fetch('/api/me')).json());
  return { consent_url: consentUrl, landed: new URL(page.url()).pathname, me };
});
