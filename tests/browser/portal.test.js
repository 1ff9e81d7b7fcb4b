// Browser test of the agencies' portal and the reporter's forms on the tracking page:
// a staff member logs in, sees the queue with the overdue complaint marked, opens it
// and posts a follow-up and a question; the reporter answers on the tracking page
// with the PIN. run_browser.py starts lapor and passes, besides LAPOR_WEB_URL:
//   LAPOR_PORTAL_USER, LAPOR_PORTAL_PASSWORD  a staff member of paser-dinkes
//   LAPOR_PORTAL_TID, LAPOR_PORTAL_PIN        an overdue complaint of theirs and its PIN
// Screenshots: $LAPOR_ARTIFACTS_DIR/portal-*.png.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.LAPOR_WEB_URL;
const ARTIFACTS = process.env.LAPOR_ARTIFACTS_DIR || path.join(__dirname, 'artifacts');
const CHROMIUM = process.env.LAPOR_CHROMIUM || '/usr/bin/chromium';
const USER = process.env.LAPOR_PORTAL_USER;
const PASSWORD = process.env.LAPOR_PORTAL_PASSWORD;
const TID = process.env.LAPOR_PORTAL_TID;
const PIN = process.env.LAPOR_PORTAL_PIN;

let browser;

test.before(async () => {
  assert.ok(BASE && USER && TID && PIN, 'run through run_browser.py');
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

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 },
    javaScriptEnabled: false });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) page.problems.push(msg.text());
  });
  page.on('pageerror', (err) => page.problems.push(String(err)));
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `portal-${name}.png`), fullPage: true });
}

test('staff follow up in the portal; the reporter answers with the PIN', async () => {
  const staff = await newPage();
  await staff.goto(`${BASE}/portal`);
  await staff.waitForURL(/\/portal\/masuk$/);
  await staff.getByLabel('Nama pengguna').fill(USER);
  await staff.getByLabel('Kata sandi').fill('bukan-sandinya');
  await staff.getByRole('button', { name: 'Masuk' }).click();
  await staff.getByText('Nama pengguna atau kata sandi salah.').waitFor();
  await shot(staff, '01-login-wrong');
  await staff.getByLabel('Kata sandi').fill(PASSWORD);
  await staff.getByRole('button', { name: 'Masuk' }).click();
  await staff.waitForURL(/\/portal$/);

  // The queue: the overdue complaint says so in words, not only in colour.
  const item = staff.locator('#queue li', { hasText: TID });
  await item.waitFor();
  assert.match(await item.getAttribute('class'), /overdue/);
  assert.match(await item.textContent(), /TERLAMBAT/);
  await shot(staff, '02-queue');

  await item.getByRole('link', { name: TID }).click();
  await staff.waitForURL(new RegExp(`/portal/pengaduan/${TID}`));
  await staff.getByLabel('Isi tindak lanjut').fill('Obat demam sudah dipesan dari gudang farmasi.');
  await staff.getByRole('button', { name: 'Kirim' }).first().click();
  await staff.waitForURL(/pesan=tindak-lanjut/);
  await staff.getByText('Tindak lanjut tersimpan.').waitFor();
  assert.equal(await staff.locator('#status').textContent(), 'Sedang ditindaklanjuti instansi');
  assert.match(await staff.locator('#followups').textContent(), /sudah dipesan/);
  await staff.getByLabel('Pertanyaan untuk pelapor').fill('Obat apa yang paling dibutuhkan?');
  await staff.getByRole('button', { name: 'Kirim' }).nth(1).click();
  await staff.waitForURL(/pesan=tanya/);
  await shot(staff, '03-complaint');
  assert.deepEqual(staff.problems, []);

  // The reporter, on the public tracking page, answers with the PIN.
  const citizen = await newPage();
  await citizen.goto(`${BASE}/lacak/${TID}`);
  await citizen.getByText('Obat apa yang paling dibutuhkan?').waitFor();
  await citizen.getByLabel('PIN').fill(PIN === '000000' ? '111111' : '000000');
  await citizen.getByLabel('Jawaban Anda').fill('Paracetamol sirup untuk anak.');
  await citizen.getByRole('button', { name: 'Kirim' }).click();
  await citizen.getByText('PIN tidak cocok untuk pengaduan ini.').waitFor();
  await shot(citizen, '04-tracking-wrong-pin');
  await citizen.getByLabel('PIN').fill(PIN);
  await citizen.getByLabel('Jawaban Anda').fill('Paracetamol sirup untuk anak.');
  await citizen.getByRole('button', { name: 'Kirim' }).click();
  await citizen.waitForURL(/pesan=balas/);
  await citizen.getByText('Terima kasih, keterangan Anda sudah kami terima.').waitFor();
  await shot(citizen, '05-tracking-answered');
  assert.deepEqual(citizen.problems, []);

  // The staff member sees the answer.
  await staff.goto(`${BASE}/portal/pengaduan/${TID}`);
  assert.match(await staff.locator('#replies').textContent(), /Paracetamol sirup/);
  await shot(staff, '06-complaint-with-reply');
  await staff.context().close();
  await citizen.context().close();
});
