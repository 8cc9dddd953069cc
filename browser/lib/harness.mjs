// The protocol between a browser scenario (this side) and the Rust test
// that runs it (crates/ringbridge/tests/browser/support.rs).
//
// A scenario prints one JSON object per line on stdout:
//   {"step": "name", ...data}   a point the Rust side may wait for (then act:
//                               play a call, check a simulator...)
//   {"ok": true, "results": {...}}   the end, success
//   {"ok": false, "error": "..."}    the end, failure (exit code 1)
// Anything else goes to stderr. Inputs come from environment variables.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A required environment variable. */
export function env(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}

export function optionalEnv(name, fallback = undefined) {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function emit(object) {
  process.stdout.write(JSON.stringify(object) + '\n');
}

/** Tells the Rust side the scenario reached `name`. */
export function step(name, data = {}) {
  emit({ ...data, step: name });
}

/** Waits until the Rust side writes `go <name>` on stdin (after acting). */
let stdinLines = null;
export async function waitFor(name, timeoutMs = 60000) {
  if (!stdinLines) {
    stdinLines = [];
    const waiters = [];
    let buffer = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        stdinLines.push(buffer.slice(0, nl).trim());
        buffer = buffer.slice(nl + 1);
      }
      waiters.splice(0).forEach((wake) => wake());
    });
    stdinLines.waiters = waiters;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = stdinLines.indexOf(`go ${name}`);
    if (at >= 0) {
      stdinLines.splice(at, 1);
      return;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the test did not answer "${name}" in ${timeoutMs} ms`);
    await new Promise((wake) => {
      const timer = setTimeout(wake, left);
      stdinLines.waiters.push(() => {
        clearTimeout(timer);
        wake();
      });
    });
  }
}

/** Saves a PNG of `page` to $RB_SCREENSHOTS/<name>.png, if that is set. */
export async function screenshot(page, name) {
  const dir = optionalEnv('RB_SCREENSHOTS');
  if (!dir) return null;
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** First-run setup: creates the admin `root` and lands on the console. */
export async function firstAdmin(page, base, password) {
  await page.goto(`${base}/setup`);
  await page.fill('input[name="username"]', 'root');
  await page.fill('input[name="display_name"]', 'Rita Admin');
  await page.fill('input[name="password"]', password);
  await page.fill('input[name="password_confirm"]', password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/console'), page.click('form button[type="submit"]')]);
}

/** Signs in through ringbridge's login form and lands on `next`. */
export async function signIn(page, base, username, password, next = '/') {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.click('form button[type="submit"]'),
  ]);
}

/**
 * Runs a scenario: `main` gets nothing and returns the results object.
 * Failures (or a run longer than RB_SCENARIO_TIMEOUT_MS, default 90 s)
 * end the process with code 1; `cleanup` callbacks run either way.
 */
export async function run(main) {
  const limit = Number(optionalEnv('RB_SCENARIO_TIMEOUT_MS', '90000'));
  const cleanups = [];
  const onCleanup = (fn) => cleanups.push(fn);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scenario timed out after ${limit} ms`)), limit);
  });
  let code = 0;
  try {
    const results = await Promise.race([main({ onCleanup }), timeout]);
    emit({ ok: true, results: results || {} });
  } catch (err) {
    code = 1;
    console.error(err && err.stack ? err.stack : err);
    emit({ ok: false, error: String(err && err.message ? err.message : err) });
  } finally {
    clearTimeout(timer);
    for (const fn of cleanups.reverse()) {
      await Promise.resolve()
        .then(fn)
        .catch(() => {});
    }
  }
  process.exit(code);
}

/** Forwards the page's console errors and uncaught exceptions to stderr. */
export function watch(page, label = 'page') {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.error(`[${label} console.${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (err) => console.error(`[${label} error] ${err.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) console.error(`[${label}] ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return page;
}
