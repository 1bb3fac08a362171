// Drives the dashboard in Debian's chromium with playwright-core (DashboardBrowserIT runs it with node):
//   node dashboard-check.mjs <url> <expected state> <screenshot.png> [table key-fragment ...]
// Waits until the page shows the state; with a table, opens that table's divergent keys and waits for each fragment.
// Prints one JSON line: {"state": ..., "keys": ..., "focusKept": ..., "consoleErrors": [...]}; exits non-zero on a timeout.
import { createRequire } from 'node:module';
const require = createRequire(process.env.PLAYWRIGHT_CORE_DIR + '/');
const { chromium } = require('playwright-core');

const [url, expected, screenshot, table, ...fragments] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(s => document.getElementById('state')?.textContent === s, expected, { timeout: 90000 });
  let keys = '', focusKept = null;
  if (table) {
    const button = page.locator(`button[data-keys="${table}"]`);
    await button.waitFor({ timeout: 60000 });
    await button.focus();
    await page.keyboard.press('Enter'); // keyboard-usable: the count is a button
    for (const f of fragments) {
      await page.waitForFunction(t => document.getElementById('keys').textContent.includes(t), f, { timeout: 60000 });
    }
    keys = await page.locator('#keys').innerText();
    await page.waitForTimeout(2500); // past the next refresh (every 2 s): the pressed button keeps the focus
    focusKept = await page.evaluate(t => document.activeElement?.dataset?.keys === t, table);
  }
  await page.waitForTimeout(500); // one more refresh: an error in it is caught too
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ state: await page.locator('#state').innerText(), keys, focusKept, consoleErrors: errors }));
} finally {
  await browser.close();
}
