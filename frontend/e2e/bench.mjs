// `make bench ONLY=spa`'s browser half (bench/spa.py starts the platform and runs this): Debian's Chromium
// driven by playwright-core opens /dashboard as a signed-in super-admin and records, per load, the time from
// navigation start until the dashboard shows its figures, and every script the page fetched (and when).
//
// BASE_URL, SESSION (the localStorage session, JSON), ROUNDS, CHROMIUM; prints one JSON document.
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL;
const SESSION = process.env.SESSION;
const ROUNDS = Number(process.env.ROUNDS ?? '10');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Milliseconds since navigation start when the figures showed, and the summary request's own duration. */
async function load(page, url, reload) {
  const scripts = [];
  const onResponse = (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response.url());
  };
  page.on('response', onResponse);
  if (reload) await page.reload({ waitUntil: 'commit' });
  else await page.goto(url, { waitUntil: 'commit' });
  const shown = await page.waitForFunction(() => {
    const total = document.querySelector('[data-testid="total-all"]');
    return total && /\d/.test(total.textContent ?? '') ? performance.now() : null;
  }, null, { polling: 'raf', timeout: 30_000 });
  const msToData = await shown.jsonValue();
  const scriptsBeforeData = [...scripts];
  // The charts' chunk follows the figures; wait for a bar so the load is complete.
  await page.locator('.recharts-bar-rectangle').first().waitFor({ timeout: 30_000 });
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const summary = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/dashboard/summary'));
    return {
      domContentLoaded: nav.domContentLoadedEventEnd,
      summaryMs: summary.length ? summary[0].duration : null,
    };
  });
  page.off('response', onResponse);
  return { msToData, scriptsBeforeData, scriptsAll: [...scripts], ...timing };
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const result = { cold: [], warm: [] };
try {
  for (let i = -1; i < ROUNDS; i += 1) {
    // Cold: a new profile (no HTTP cache, no service worker), as on a first visit.
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: BASE });
    await context.addInitScript((session) => {
      if (!localStorage.getItem('skills.session')) localStorage.setItem('skills.session', session);
    }, SESSION);
    const page = await context.newPage();
    const cold = await load(page, '/dashboard', false);
    // Warm: the same tab loaded again (HTTP cache and the service worker's cache in place).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const warm = await load(page, '/dashboard', true);
    if (i >= 0) {
      // Round -1 only warms the platform: its functions' first invocations import their modules.
      result.cold.push(cold);
      result.warm.push(warm);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
