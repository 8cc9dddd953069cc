// The console with the PBX and Zoho connected from the file: accounts get
// their extension from the PBX's list (one typed outside it, or another
// account's, is refused beside the form), every save says so, Disconnect
// Zoho asks first, a new API token has a copy button, the home page offers
// the extension — and at 390 px nothing is wider than the screen.
import { launch } from '../lib/launch.mjs';
import { env, firstAdmin, run, screenshot, step, waitFor, watch } from '../lib/harness.mjs';

// Fluent isolates each argument with U+2068/U+2069; the checks read the text without them.
const plain = (text) => text.replace(/[\u2068\u2069]/g, '');
const errorsOf = async (page) =>
  (await page.$$eval('ul.error li', (items) => items.map((li) => li.textContent.trim()))).map(plain);

await run(async ({ onCleanup }) => {
  const base = env('RB_BASE_URL');
  const password = env('RB_ADMIN_PASSWORD');
  const browser = await launch({ permissions: ['clipboard-read', 'clipboard-write'] });
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'accounts');
  await page.setViewportSize({ width: 1280, height: 800 });

  await firstAdmin(page, base, password);

  // Accounts: the extension is a select fed from the PBX.
  await page.goto(`${base}/admin/accounts`);
  const offered = await page.$$eval('#extension-select option', (o) => o.map((x) => x.value).filter((v) => v));
  const agentPassword = 'agent password 12345';
  const create = async (username, extension) => {
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="display_name"]', `Agent ${username}`);
    await page.selectOption('#extension-select', extension);
    await page.fill('input[name="password"]', agentPassword);
    await page.fill('input[name="password_confirm"]', agentPassword);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/accounts"] button[type="submit"]')]);
  };
  await create('ana', offered[0]);
  const created = { url: page.url(), flash: await page.innerText('#flash') };
  const flagged = plain(await page.$eval(`#extension-select option[value="${offered[0]}"]`, (o) => o.textContent));
  await screenshot(page, 'accounts');
  // The same extension again: refused, saying whose it is.
  await create('bo', offered[0]);
  const taken = await errorsOf(page);
  // A value outside the list (an old form, a hand-made request): refused.
  await page.$eval('#extension-select', (select) => {
    const option = document.createElement('option');
    option.value = '9999';
    option.textContent = '9999';
    select.appendChild(option);
  });
  await create('cy', '9999');
  const unknown = await errorsOf(page);

  // Edit: the display name and the extension; saved with a confirmation.
  await page.goto(`${base}/admin/accounts`);
  await page.click('#accounts tr:has(td:text-is("ana")) a:has-text("Edit")');
  await page.waitForSelector('#edit-form');
  await page.fill('#edit-form input[name="display_name"]', 'Ana Pereira-Silva');
  await page.selectOption('#edit-form #extension-select', offered[1]);
  await Promise.all([page.waitForLoadState('load'), page.click('#edit-form button[type="submit"]')]);
  const edited = { flash: await page.innerText('#flash'), heading: await page.innerText('h1') };

  // Disconnect Zoho asks first; Cancel keeps it connected. (The test
  // stores the console's PBX, grant and mode meanwhile, as setup would:
  // a connection from the file has no button.)
  step('accounts');
  await waitFor('zoho');
  await page.goto(`${base}/console/zoho`);
  for (let i = 0; i < 50 && (await page.locator('#zoho-connected').count()) === 0; i++) {
    await page.waitForTimeout(200);
    await page.goto(`${base}/console/zoho`);
  }
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/console/zoho/disconnect'),
    page.click('#zoho-disconnect button'),
  ]);
  const question = await page.innerText('h1');
  await screenshot(page, 'console-zoho-disconnect-confirm');
  await Promise.all([page.waitForURL((url) => url.pathname === '/console/zoho'), page.click('#zoho-disconnect-cancel')]);
  const stillConnected = (await page.locator('#zoho-connected').count()) > 0;

  // Every step stored now: setup is complete only if every extension
  // logs for an active Zoho user.
  await page.goto(`${base}/console`);
  const dashboard = {
    complete: (await page.locator('#setup-complete').count()) > 0,
    incomplete: (await page.locator('#setup-incomplete').count()) > 0,
    unmapped: (await page.locator('#unmapped-link').count()) > 0 ? plain(await page.innerText('#unmapped-link')) : '',
  };
  await screenshot(page, 'console-dashboard-setup-check');

  // A new API token: shown once, with a copy button.
  await page.goto(`${base}/`);
  const extensionLink = await page.getAttribute('#extension-download', 'href');
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/tokens"] button[type="submit"]')]);
  await page.waitForSelector('#copy-token:not([hidden])');
  const token = (await page.innerText('#new-token code.secret')).trim();
  await page.click('#copy-token');
  await page.waitForFunction(() => document.querySelector('#copy-token').textContent !== 'Copy');
  const copyLabel = await page.innerText('#copy-token');
  const clipboard = await page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
  await screenshot(page, 'home-token-copy');
  step('checked');

  // 390 px: nothing wider than the screen on the pages touched here.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = {};
  for (const path of ['/', '/console', '/console/users', '/console/zoho', '/console/zoho/disconnect', '/console/mode', '/console/settings', '/admin/accounts']) {
    await page.goto(`${base}${path}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > 390) overflow[path] = wide;
  }
  await page.goto(`${base}/console`);
  await screenshot(page, 'mobile-console');
  await page.goto(`${base}/admin/accounts`);
  await screenshot(page, 'mobile-accounts');
  await page.goto(`${base}/console/users?lang=zh-CN`);
  await screenshot(page, 'mobile-users-zh');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${base}/console?lang=zh-CN`);
  await screenshot(page, 'console-dashboard-zh');
  await page.goto(`${base}/admin/accounts`);
  await screenshot(page, 'accounts-zh');
  await page.goto(`${base}/console/users?lang=en`);
  await screenshot(page, 'console-users-gaps');

  return {
    dashboard,
    offered,
    created,
    flagged,
    taken,
    unknown,
    edited,
    question,
    stillConnected,
    extensionLink,
    token,
    copyLabel,
    clipboard,
    overflow,
  };
});
