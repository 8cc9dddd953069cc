// The browser extension, loaded unpacked: configured on its options page,
// it turns the numbers on a Zoho record page into click-to-call links, and
// opens the record of a ringing call while the agent panel is closed.
import { launchWithExtension } from '../lib/launch.mjs';
import { env, run, screenshot, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const ext = await launchWithExtension(env('RB_EXTENSION_DIR'));
  onCleanup(() => ext.close());

  const options = watch(await ext.context.newPage(), 'options');
  await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
  await options.fill('#url', env('RB_BASE_URL'));
  await options.fill('#token', env('RB_TOKEN'));
  await options.click('button[type="submit"]');
  await options.waitForSelector('body[data-checked]', { state: 'attached' });
  const checked = await options.getAttribute('body', 'data-checked');
  const status = await options.innerText('#status');
  await screenshot(options, 'extension-options');
  if (checked !== 'ok') throw new Error(`the options did not connect: ${status}`);

  const crm = watch(await ext.context.newPage(), 'crm');
  await crm.goto(env('RB_RECORD_URL'));
  const link = crm.locator('a.ringbridge-dial').first();
  await link.waitFor();
  const shown = await link.innerText();
  await link.click();
  await crm.waitForSelector('html[data-ringbridge-last-dial]', { state: 'attached' });
  const dialled = await crm.getAttribute('html', 'data-ringbridge-last-dial');
  await crm.locator('.ringbridge-toast').waitFor();
  const toast = await crm.innerText('.ringbridge-toast');
  await screenshot(crm, 'extension-click-to-call');

  // No panel is open: the extension pops the caller's record at the
  // moments the agent chose (here: on answer and on hang-up, not ringing).
  const tabs = [];
  let bothPopped;
  const both = new Promise((resolve) => (bothPopped = resolve));
  ext.context.on('page', async (p) => {
    try {
      await p.waitForURL(/\/crm\/tab\//, { timeout: 60000 });
    } catch (_) {
      return;
    }
    tabs.push(p);
    if (tabs.length === 2) bothPopped();
  });
  step('configured');
  await Promise.race([
    both,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${tabs.length} of 2 pops`)), 60000)),
  ]);
  await tabs[0].waitForLoadState('domcontentloaded');
  return {
    options_status: status,
    shown,
    dialled,
    toast,
    pop_urls: tabs.map((tab) => tab.url()),
    pop_heading: (await tabs[0].textContent('h1')).trim(),
  };
});
