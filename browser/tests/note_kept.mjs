// Agents write notes while they talk: a note typed while the call is
// answered survives the call ending (text, result and focus), and saved,
// it goes to the call's log in the CRM.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, waitFor, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  step('connected');

  const talking = page.locator('li.call[data-state="talking"]');
  await talking.waitFor();
  const callId = await talking.getAttribute('data-call-id');
  const card = page.locator(`li.call[data-call-id="${callId}"]`);
  await card.locator('button.note-open').click();
  const form = card.locator('form.note');
  await form.locator('textarea[name="text"]').fill('Wants a quote <b>today</b>');
  // The org's values arrive from the CRM's field metadata.
  await form.locator('select[name="result"] option[value="Interested"]').waitFor({ state: 'attached' });
  await form.locator('select[name="result"]').selectOption('Interested');
  await form.locator('textarea[name="text"]').focus();
  step('typed');

  // The call ends while the note is open.
  await waitFor('ended');
  await page.locator(`li.call[data-call-id="${callId}"][data-state="ended"]`).waitFor();
  const kept = {
    forms: await page.locator('li.call form.note').count(),
    text: await form.locator('textarea[name="text"]').inputValue(),
    result: await form.locator('select[name="result"]').inputValue(),
    focused: await page.evaluate(() => document.activeElement && document.activeElement.name),
    state: await card.getAttribute('data-state'),
  };
  // The agent goes on typing where the cursor was, and saves.
  await page.keyboard.press('End');
  await page.keyboard.type(', call back at 3');
  await screenshot(page, 'panel-note-kept-after-hang-up');
  await form.locator('button[type="submit"]').click();
  await page.waitForSelector(`li.call[data-call-id="${callId}"] form.note[data-saved="true"]`);
  return {
    kept,
    status: await form.locator('.status').innerText(),
    injected: await page.locator('li.call b, li.call img').count(),
  };
});
