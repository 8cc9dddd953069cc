// With "recordings require sign-in" on, a recording link opened in a
// browser that is not signed in leads to the sign-in page, and after
// signing in back to the recording, which plays.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'link');
  const link = env('RB_RECORDING_URL');
  await page.goto(link);
  await page.waitForURL((url) => url.pathname === '/login');
  const loginUrl = page.url();
  await screenshot(page, 'recording-sign-in');

  await page.fill('input[name="username"]', env('RB_USERNAME'));
  await page.fill('input[name="password"]', env('RB_PASSWORD'));
  const played = page.waitForResponse((r) => r.url() === link && r.status() < 300);
  await page.click('form button[type="submit"]');
  const response = await played;
  return {
    login_url: loginUrl,
    status: response.status(),
    content_type: response.headers()['content-type'],
  };
});
