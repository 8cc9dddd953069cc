// When the browser blocks a screen pop (window.open answers null, as a
// pop-up blocker makes it), the panel says so and how to allow pop-ups,
// and pops a desktop notification instead. Headless Chromium does not
// block pop-ups itself, so the blocker is played by an init script. The page is in Chinese here, as a
// browser set to Simplified Chinese gets it.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch({ locale: 'zh-CN', permissions: ['notifications'] });
  onCleanup(() => browser.close());
  // Blocks pop-ups and records the notifications the page makes.
  await browser.context.addInitScript(() => {
    window.open = () => null;
    window.rbNotifications = [];
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.rbNotifications.push({ title, body: options && options.body });
      }
    };
  });
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  const title = await page.title();
  step('connected');

  await page.waitForSelector('#panel[data-popup-blocked="true"]', { state: 'attached' });
  await page.locator('#popup-help').waitFor();
  const help = await page.innerText('#popup-help');
  await page.waitForFunction(() => window.rbNotifications.length > 0);
  const notifications = await page.evaluate(() => window.rbNotifications);
  await screenshot(page, 'panel-popup-blocked-zh');
  const module = await page.innerText('li.call .module');
  return { title, help, notifications, module, tabs: browser.context.pages().length };
});
