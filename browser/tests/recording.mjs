// A recording plays in the panel (the audio element reaches canplay), and
// a tampered recording link is refused with a clear page.
import { launch } from '../lib/launch.mjs';
import { env, run, screenshot, signIn, watch } from '../lib/harness.mjs';

await run(async ({ onCleanup }) => {
  const browser = await launch();
  onCleanup(() => browser.close());
  const page = watch(await browser.context.newPage(), 'panel');
  await signIn(page, env('RB_BASE_URL'), env('RB_USERNAME'), env('RB_PASSWORD'), '/panel');

  const play = page.locator('#recent tbody tr button.play').first();
  await play.waitFor();
  await page.evaluate(() => {
    const player = document.querySelector('#player');
    window.rbCanPlay = new Promise((resolve, reject) => {
      player.addEventListener('canplay', () => resolve(true), { once: true });
      player.addEventListener('error', () => reject(new Error(`media error ${player.error && player.error.code}`)), {
        once: true,
      });
    });
  });
  await play.click();
  const canplay = await page.evaluate(() => window.rbCanPlay);
  const player = await page.evaluate(() => {
    const a = document.querySelector('#player');
    return { src: a.currentSrc, duration: a.duration };
  });
  // The row that plays is marked and named above the player; the player
  // is reachable from the keyboard.
  const nowPlaying = await page.innerText('#now-playing');
  const playingRows = await page.locator('#recent tbody tr.playing[aria-current="true"]').count();
  await page.focus('#recent tbody tr button.play');
  await page.keyboard.press('Tab');
  const focusedAfterPlayButton = await page.evaluate(() => document.activeElement && document.activeElement.tagName);
  await screenshot(page, 'panel-recording');

  // One character of the signature changed (not the last: its spare bits
  // may make the token malformed rather than forged).
  const chars = [...player.src];
  const at = chars.length - 10;
  chars[at] = chars[at] === 'A' ? 'B' : 'A';
  const tampered = chars.join('');
  const refusal = await page.goto(tampered);
  const refusedText = await page.innerText('body');
  await screenshot(page, 'recording-tampered');
  return {
    canplay,
    now_playing: nowPlaying,
    playing_rows: playingRows,
    focused_after_play_button: focusedAfterPlayButton,
    duration: player.duration,
    same_origin: player.src.startsWith(env('RB_BASE_URL') + '/recordings/'),
    tampered_status: refusal.status(),
    tampered_text: refusedText,
  };
});
