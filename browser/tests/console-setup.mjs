// The admin console from an empty data directory: first-run admin, the
// PBX (test connection shows model, firmware and extension count), Zoho
// through its consent page, PhoneBridge mode, users; then the dashboard
// shows a hostile name as text and its retry button queues the job again.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, step, waitFor, watch } from '../lib/harness.mjs';

const HOSTILE = '<script>window.rbPwned = 1</script>';

await run(async ({ onCleanup }) => {
  const base = env('RB_BASE_URL');
  const password = env('RB_ADMIN_PASSWORD');
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'console');

  // Nothing configured: every page leads to first-run setup.
  await page.goto(`${base}/`);
  await page.waitForURL((url) => url.pathname === '/setup');
  await page.fill('input[name="username"]', 'root');
  await page.fill('input[name="display_name"]', 'Rita Admin');
  await page.fill('input[name="password"]', password);
  await page.fill('input[name="password_confirm"]', password);
  // Setup goes on in the console.
  await Promise.all([page.waitForURL((url) => url.pathname === '/console'), page.click('form button[type="submit"]')]);
  const steps = await page.innerText('#setup-steps');

  // The PBX: test first (nothing stored), then test and save.
  await page.click('nav.console-nav a[href="/console/pbx"]');
  await page.fill('input[name="base_url"]', env('RB_PBX_URL'));
  await page.fill('input[name="client_id"]', env('RB_PBX_ID'));
  await page.fill('input[name="client_secret"]', env('RB_PBX_SECRET'));
  await Promise.all([page.waitForLoadState('load'), page.click('button[value="test"]')]);
  await page.waitForSelector('#pbx-model');
  const pbx = {
    model: await page.innerText('#pbx-model'),
    version: await page.innerText('#pbx-version'),
    extensions: await page.innerText('#pbx-extensions'),
  };
  await screenshot(page, 'console-pbx-tested');
  // The secret is not sent back: type it again to save.
  await page.fill('input[name="client_secret"]', env('RB_PBX_SECRET'));
  await Promise.all([page.waitForLoadState('load'), page.click('button[value="save"]')]);
  await page.waitForSelector('#pbx-info');

  // Zoho: the simulator's accounts server, then its consent page.
  await page.click('nav.console-nav a[href="/console/zoho"]');
  await page.selectOption('select[name="location"]', 'custom');
  await page.fill('input[name="client_id"]', env('RB_ZOHO_ID'));
  await page.fill('input[name="client_secret"]', env('RB_ZOHO_SECRET'));
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/console/zoho"] button[type="submit"]')]);
  await page.click('#zoho-consent');
  await page.waitForSelector('button[value="accept"]');
  await screenshot(page, 'console-zoho-consent');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/console/mode'),
    page.click('button[value="accept"]'),
  ]);

  // PhoneBridge; then the users page (matched by e-mail).
  await page.check('input[name="mode"][value="phonebridge"]');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/console/users'),
    page.click('form[action="/console/mode"] button[type="submit"]'),
  ]);
  await page.waitForSelector('#user-map tbody tr');
  const matched = await page.locator('#user-map .mapped', { hasText: 'Matched by e-mail' }).count();
  await screenshot(page, 'console-users');
  step('configured', { pbx, matched });

  // The test registered nothing by hand: it waits for the simulators, then
  // puts a failed job with a hostile name in the store.
  await waitFor('hostile');
  await page.goto(`${base}/console`);
  await page.waitForSelector('#failed-jobs');
  const failedText = await page.innerText('#failed-jobs');
  const pwned = await page.evaluate(() => window.rbPwned === 1);
  const scripts = await page.evaluate(() => document.querySelectorAll('script').length);
  const links = { pbx: await page.innerText('#link-pbx'), crm: await page.innerText('#link-crm') };
  await screenshot(page, 'console-dashboard');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/console'),
    page.click('#failed-jobs button[type="submit"]'),
  ]);
  return {
    steps,
    pbx,
    matched,
    shown_as_text: failedText.includes(HOSTILE),
    pwned,
    scripts,
    links,
  };
});
