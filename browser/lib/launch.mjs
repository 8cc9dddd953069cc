// Starting headless Chromium for ringbridge's browser scenarios.
//
// Chromium comes from the system (CI installs the distribution's package);
// playwright-core only drives it, so nothing is downloaded at test time.
// CHROMIUM overrides the executable's path.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

// --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
// The rest keep a shared 2-core machine quiet and the runs repeatable.
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
];

/** A headless browser and a fresh context (own cookies). */
export async function launch({ locale = 'en-US', permissions = [], args = [] } = {}) {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...BASE_ARGS, ...args],
  });
  const context = await browser.newContext({ locale });
  if (permissions.length > 0) {
    await context.grantPermissions(permissions);
  }
  return {
    browser,
    context,
    async close() {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}

/**
 * A persistent context with an unpacked Manifest V3 extension loaded from
 * `extensionDir` (extensions need a persistent profile). Returns the
 * context, the extension's id and its service worker.
 */
export async function launchWithExtension(extensionDir, { locale = 'en-US' } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'rb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    locale,
    args: [
      ...BASE_ARGS,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
    ],
  });
  let [worker] = context.serviceWorkers();
  if (!worker) {
    worker = await context.waitForEvent('serviceworker', { timeout: 20000 });
  }
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
}
