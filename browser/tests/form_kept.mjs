// Agents type while they talk: a half-typed Create contact form survives
// the call being answered and ending, with what was typed and the focus;
// once the record exists, every row for that number names it.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, step, waitFor, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');
  await page.waitForSelector('#panel[data-connected="true"]', { state: 'attached' });
  step('connected');

  // The earlier call from the same number has ended; the new one rings.
  await page.locator('li.call[data-state="ended"] .who.unknown').waitFor();
  const ringing = page.locator('li.call[data-state="ringing"]');
  await ringing.locator('.who.unknown').waitFor();
  // The row by its call, whatever state it reaches next.
  const callId = await ringing.getAttribute('data-call-id');
  const card = page.locator(`li.call[data-call-id="${callId}"]`);
  await card.locator('button.create[data-module="Contacts"]').click();
  const form = card.locator('form.create');
  await form.locator('input[name="first_name"]').fill('Lin');
  await form.locator('input[name="last_name"]').fill('Che');
  await form.locator('input[name="last_name"]').focus();
  step('typed');

  // Answered, then over, while the form is open.
  await waitFor('ended');
  await page.locator(`li.call[data-call-id="${callId}"][data-state="ended"]`).waitFor();
  const live = card;
  const kept = {
    forms: await page.locator('li.call form.create').count(),
    first_name: await live.locator('input[name="first_name"]').inputValue(),
    last_name: await live.locator('input[name="last_name"]').inputValue(),
    focused: await page.evaluate(() => document.activeElement && document.activeElement.name),
    state: await live.getAttribute('data-state'),
  };
  // The agent goes on typing where the cursor was, and creates the contact.
  await page.keyboard.type('n');
  await screenshot(page, 'panel-form-kept-after-hang-up');
  await live.locator('button[type="submit"]').click();
  await live.locator('.note').waitFor();

  // The other row for that number, and the recent calls, name the record.
  const earlier = page.locator('li.call').nth(1);
  await earlier.locator('.who strong').waitFor();
  await page.waitForFunction(
    () => document.querySelectorAll('#recent tbody tr').length >= 2 && document.querySelectorAll('#recent tbody button.create').length === 0,
    null,
    { timeout: 30000 },
  );
  await screenshot(page, 'panel-record-everywhere');
  return {
    kept,
    earlier_row: await earlier.innerText(),
    recent_records: await page.locator('#recent tbody td.record').allInnerTexts(),
    live_create_buttons: await page.locator('li.call button.create').count(),
  };
});
