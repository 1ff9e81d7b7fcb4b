// Browser tests of intake's web pages: Playwright (playwright-core) drives Debian's
// Chromium, headless. run_browser.py starts a private lapor and passes:
//   LAPOR_WEB_URL        intake's base URL, e.g. http://127.0.0.1:41234
//   LAPOR_ARTIFACTS_DIR  where screenshots go (kept as test artifacts)
//   LAPOR_CHROMIUM       the browser (default /usr/bin/chromium)
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { chromium } = require('playwright-core');

const BASE = process.env.LAPOR_WEB_URL;
const ARTIFACTS = process.env.LAPOR_ARTIFACTS_DIR || path.join(__dirname, 'artifacts');
const CHROMIUM = process.env.LAPOR_CHROMIUM || '/usr/bin/chromium';

let browser;

test.before(async () => {
  assert.ok(BASE, 'LAPOR_WEB_URL is not set (run through run_browser.py)');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // launch() gives the browser a fresh temporary profile (--user-data-dir) each run.
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

// A page that fails the test on any Content-Security-Policy violation or page error.
async function newPage(options) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) page.problems.push(msg.text());
  });
  page.on('pageerror', (err) => page.problems.push(String(err)));
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function done(page) {
  assert.deepEqual(page.problems, [], 'the page reported problems');
  await page.context().close();
}

async function trackingId(page) {
  await page.waitForURL(/\/lapor\/terkirim\/\d{10}/);
  const id = (await page.locator('#tracking-id').textContent()).trim();
  assert.match(id, /^\d{10}$/);
  return id;
}

test('Bahasa Indonesia, without JavaScript: place step by step, submit, track', async () => {
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(`${BASE}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  await shot(page, 'id-01-home');
  await page.getByRole('link', { name: 'Sampaikan laporan' }).first().click();
  await page.getByRole('link', { name: 'Kabupaten Paser' }).click();
  await page.getByRole('link', { name: 'Batu Sopang' }).click();
  await shot(page, 'id-02-village-step');
  await page.getByRole('link', { name: 'Samurangau' }).click();
  await page.getByRole('group', { name: 'Jenis laporan' }).getByLabel('Pengaduan').check();
  await page.getByLabel('Judul').fill('Jalan desa berlubang');
  await page.getByLabel('Isi laporan').fill('Jalan utama Desa Samurangau berlubang besar sejak tiga bulan.');
  await page.getByLabel('Kategori').selectOption('infrastruktur');
  await page.getByRole('group', { name: 'Siapa yang boleh melihat laporan ini?' })
    .getByLabel('Anonim').check();
  await page.getByLabel('Nomor telepon').fill('0812 3456 7890');
  await shot(page, 'id-03-form');
  await page.getByRole('button', { name: 'Kirim laporan' }).click();
  const id = await trackingId(page);
  assert.match(await page.textContent('main'), new RegExp(`STATUS ${id}`));
  assert.match(await page.textContent('main'), /Laporan Anda sudah diterima/);
  await shot(page, 'id-04-receipt');
  await page.getByRole('link', { name: 'Lihat perkembangan laporan' }).click();
  await page.waitForURL(new RegExp(`/lacak/${id}$`));
  assert.match(await page.textContent('#status'), /Diterima|Diteruskan|diperiksa/);
  assert.match(await page.textContent('main'), /Riwayat/);
  assert.match(await page.textContent('main'), /Jalan desa berlubang/);
  await shot(page, 'id-05-tracking');
  await done(page);
});

test('English through the flow: search by name, submit, track by the form field', async () => {
  const page = await newPage({ javaScriptEnabled: true });
  await page.goto(`${BASE}/?lang=en`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByRole('link', { name: 'Make a report' }).first().click();
  await page.getByLabel('Or search for a village or district by name').fill('Samurangau');
  await page.getByRole('button', { name: 'Search' }).click();
  await shot(page, 'en-01-search');
  await page.getByRole('link', { name: /Samurangau/ }).click();
  assert.match(page.url(), /lang=en/);
  await page.getByLabel('Suggestion').check();
  await page.getByLabel('Title').fill('More buses to the market');
  await page.getByLabel('Your report').fill('Please add a morning bus from the village to the market.');
  await page.getByLabel('Email').fill('warga@example.id');
  await page.getByRole('button', { name: 'Send the report' }).click();
  const id = await trackingId(page);
  assert.match(await page.textContent('main'), /Your report has been received/);
  assert.match(await page.textContent('main'), /What happens next\?/);
  await shot(page, 'en-02-receipt');
  await page.getByRole('link', { name: 'Track a report' }).click();
  await page.getByLabel('Tracking number (10 digits)').fill(`${id.slice(0, 4)} ${id.slice(4)}`);
  await page.getByRole('button', { name: 'Track' }).click();
  await page.waitForURL(new RegExp(`/lacak/${id}\\?lang=en$`));
  assert.match(await page.textContent('h1'), new RegExp(`Report ${id}`));
  assert.match(await page.textContent('main'), /History/);
  await shot(page, 'en-03-tracking');
  await done(page);
});

test('a bad submission shows the errors next to the fields, input kept', async () => {
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(`${BASE}/lapor?wilayah=64.01.01.2009`);
  await page.getByLabel('Judul').fill('Sampah <menumpuk>');
  await page.getByLabel('Isi laporan').fill('pendek');
  await page.getByRole('button', { name: 'Kirim laporan' }).click();
  await page.waitForSelector('#body-error');
  assert.match(await page.textContent('#body-error'), /10 sampai 5000 karakter/);
  assert.equal(await page.getAttribute('#body', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#body'), 'pendek');
  assert.equal(await page.inputValue('#title'), 'Sampah <menumpuk>');
  assert.match(await page.textContent('[role=alert]'), /Laporan belum terkirim/);
  await shot(page, 'id-06-errors');
  // The same in English.
  await page.goto(`${BASE}/lapor?wilayah=64.01.01.2009&lang=en`);
  await page.getByLabel('Title').fill('Rubbish piling up');
  await page.getByLabel('Your report').fill('short');
  await page.getByRole('button', { name: 'Send the report' }).click();
  await page.waitForSelector('#body-error');
  assert.match(await page.textContent('#body-error'), /10 to 5000 characters/);
  await shot(page, 'en-04-errors');
  await done(page);
});

test('keyboard only: Tab reaches every field and Enter sends', async () => {
  const page = await newPage({ javaScriptEnabled: true });
  await page.goto(`${BASE}/lapor?wilayah=64.01.01.2009`);
  const seen = new Set();
  for (let i = 0; i < 40 && !seen.has('submit'); i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => {
      const el = document.activeElement;
      return el.type === 'submit' ? 'submit' : el.id;
    });
    seen.add(id);
    if (id === 'title') await page.keyboard.type('Lampu jalan mati');
    if (id === 'body') await page.keyboard.type('Lampu jalan di depan sekolah mati sejak seminggu.');
  }
  for (const id of ['title', 'body', 'category', 'name', 'phone', 'email', 'submit']) {
    assert.ok(seen.has(id), `Tab never reached ${id}: ${[...seen]}`);
  }
  await page.keyboard.press('Enter');
  await trackingId(page);
  await done(page);
});

// A photo made here with libvips (Debian libvips-tools), so the test needs no file of its own.
function makePhoto(dir) {
  const raw = path.join(dir, 'foto.v');
  const grey = path.join(dir, 'foto-u8.v');
  const out = path.join(dir, 'jalan-rusak.jpg');
  execFileSync('vips', ['gaussnoise', raw, '800', '600']);
  execFileSync('vips', ['cast', raw, grey, 'uchar']);
  execFileSync('vips', ['jpegsave', grey, out]);
  return out;
}

test('a photo attached on the form (no JavaScript) shows as a thumbnail when tracking', async () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'lapor-photo-'));
  const photo = makePhoto(dir);
  const page = await newPage({ javaScriptEnabled: false });
  const thumbs = [];
  page.on('response', (r) => { if (/\/media\/[0-9a-f]{32}\/thumb$/.test(r.url())) thumbs.push(r); });
  await page.goto(`${BASE}/lapor?wilayah=64.01.01.2009`);
  await page.getByLabel('Judul').fill('Jalan rusak di depan sekolah');
  await page.getByLabel('Isi laporan').fill('Jalan di depan SD negeri rusak parah, lihat foto terlampir.');
  await page.getByLabel('Foto atau dokumen (tidak wajib)').setInputFiles(photo);
  await shot(page, 'id-07-form-with-photo');
  await page.getByRole('button', { name: 'Kirim laporan' }).click();
  const id = await trackingId(page);
  await page.getByRole('link', { name: 'Lihat perkembangan laporan' }).click();
  await page.waitForURL(new RegExp(`/lacak/${id}$`));
  const img = page.getByRole('img', { name: 'Lampiran 1' });
  await img.waitFor();
  await page.waitForLoadState('load');
  assert.ok(thumbs.length >= 1, 'the thumbnail was never requested');
  assert.equal(thumbs[0].status(), 200);
  assert.equal(thumbs[0].headers()['content-type'], 'image/jpeg');
  const box = await img.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 50, `thumbnail not shown: ${JSON.stringify(box)}`);
  const link = await page.locator('#attachments a').first().getAttribute('href');
  assert.match(link, /^\/media\/[0-9a-f]{32}$/);
  await shot(page, 'id-08-tracking-with-photo');
  await done(page);
  fs.rmSync(dir, { recursive: true, force: true });
});
