// Pop-ups blocked and desktop notifications denied: the panel says that a
// pop cannot reach the agent by itself, and what to do — never silently
// nothing, and no "use notifications" button that cannot work.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  await browser.context.addInitScript(() => {
    window.open = () => null;
    Object.defineProperty(window.Notification, 'permission', { get: () => 'denied' });
  });
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  step('connected');

  await page.waitForSelector('#panel[data-notifications-denied="true"]', { state: 'attached' });
  await screenshot(page, 'panel-popup-and-notifications-denied');
  return {
    help: await page.innerText('#popup-help'),
    enable_button_visible: await page.isVisible('#notify-enable'),
    tabs: browser.context.pages().length,
  };
});
