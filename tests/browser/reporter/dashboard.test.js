// Browser test of the reporter's dashboard: headless Chromium loads it with data,
// finds charts and tables, no script errors or CSP violations, and keeps a
// screenshot. Run through run_dashboard.py (LAPOR_REPORTER_URL, LAPOR_ARTIFACTS_DIR).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.LAPOR_REPORTER_URL;
const ARTIFACTS = process.env.LAPOR_ARTIFACTS_DIR || path.join(__dirname, 'artifacts');
const CHROMIUM = process.env.LAPOR_CHROMIUM || '/usr/bin/chromium';

let browser;

test.before(async () => {
  assert.ok(BASE, 'LAPOR_REPORTER_URL is not set (run through run_dashboard.py)');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
});

test.after(async () => {
  if (browser) await browser.close();
});

async function load(url, viewport) {
  const context = await browser.newContext({ viewport, javaScriptEnabled: false });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  const response = await page.goto(url);
  assert.equal(response.status(), 200);
  return { page, problems, context };
}

test('the dashboard shows charts and tables, in Bahasa Indonesia first', async () => {
  const { page, problems, context } = await load(`${BASE}/dasbor`, { width: 1024, height: 800 });
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  assert.match(await page.title(), /Dasbor pengaduan/);
  assert.ok((await page.locator('svg.chart').count()) >= 5, 'five charts');
  const cards = await page.locator('.card b').first().textContent();
  assert.equal(cards.trim(), '9');
  const body = await page.locator('body').innerText();
  assert.match(body, /Kabupaten Paser/);
  assert.doesNotMatch(body, /<b>tebal<\/b>x/);
  // A chart is drawn with real size.
  const box = await page.locator('svg.chart').first().boundingBox();
  assert.ok(box && box.width > 200 && box.height > 50, JSON.stringify(box));
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone, in English', async () => {
  const { page, problems, context } = await load(`${BASE}/?lang=en`, { width: 360, height: 740 });
  assert.match(await page.locator('h1').textContent(), /dashboard/);
  // Nothing wider than the screen: the charts scale down.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 380, `page is ${wide}px wide`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone-en.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
