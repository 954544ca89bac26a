// Browser tests of the municipalities' portal (run by tests/browser/portal.sh):
// headless Debian chromium, driven by playwright-core.
//
//   node portal.mjs BASE_URL PASSWORDS_FILE OUT_DIR FROM TO
//
// PASSWORDS_FILE holds the passwords of beheer@example.org (a manager of
// GM0375, Beverwijk) and team@example.org, one a line.  FROM and TO are
// the new wave's period: recent, and without contacts yet.  The manager signs in by
// keyboard (a wrong password first), uploads contacts, creates and samples
// a wave, reads the results and downloads the letter at 360x640; the team
// reads the overview and the audit log at 1280x800; both with JavaScript off.  axe-core's
// WCAG 2.1 A and AA rules run on every page type at both widths.  Every
// page visited is kept as a screenshot in OUT_DIR.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const [base, passwordsFile, outDir, from, to] = process.argv.slice(2);
const [managerPw, teamPw] = readFileSync(passwordsFile, 'utf8').split(/\s+/).filter(Boolean);
const MANAGER = 'beheer@example.org';
const TEAM = 'team@example.org';
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1280, height: 800 };
mkdirSync(outDir, { recursive: true });

let shots = 0;
function fail(what) {
  console.error(`FAIL: ${what}`);
  process.exitCode = 1;
  throw new Error(what);
}

async function shot(page, name) {
  shots++;
  await page.screenshot({ path: `${outDir}/${String(shots).padStart(2, '0')}-${name}.png`, fullPage: true });
}

async function expectText(page, text) {
  const body = await page.content();
  if (!body.includes(text)) fail(`"${text}" not on ${page.url()}`);
}

function expectPath(page, path) {
  const url = new URL(page.url());
  if (url.pathname !== path) fail(`at ${url.pathname}, not ${path}`);
}

// Presses Tab until `selector` has the focus: how a keyboard user gets there.
async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
  }
  fail(`Tab never reached ${selector} on ${page.url()}`);
}

// A click (or Enter) and the page it leads to, with its status.
async function go(page, action, status = 200) {
  const [response] = await Promise.all([page.waitForNavigation(), action()]);
  if (response.status() !== status) fail(`${page.url()}: status ${response.status()}, not ${status}`);
  return response;
}

// A page by its address, answered with `status`.
async function open(page, path, status = 200) {
  const response = await page.goto(`${base}${path}`);
  if (response.status() !== status) fail(`${path}: status ${response.status()}, not ${status}`);
}

// A page seen (kept as a screenshot), and what every portal page must be:
// no script (the portal needs none), and nothing wider than the window --
// at 360 px no sideways scrolling.
async function seen(page, width, name) {
  await shot(page, name);
  if (await page.locator('script').count() > 0) fail(`a script on ${page.url()}`);
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  if (w > width) fail(`${page.url()} is ${w} px wide at ${width} px`);
}

// Signs in by keyboard only: Tab to the fields, type, Enter.
async function keyboardSignIn(page, email, password, status = 200) {
  await page.goto(`${base}/portal`);
  expectPath(page, '/portal/login');
  await tabTo(page, '#email');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(email);
  await tabTo(page, '#password');
  await page.keyboard.type(password);
  await go(page, () => page.keyboard.press('Enter'), status);
}

async function keyboardSignOut(page) {
  await tabTo(page, 'nav.portal button[type="submit"]');
  await go(page, () => page.keyboard.press('Enter'));
  expectPath(page, '/portal/login');
}

// The charts of a results page: each drawn, within the window, and named
// by its <title> with its <desc> as the text alternative.
async function checkCharts(page, width) {
  const charts = page.locator('svg[role="img"]');
  const n = await charts.count();
  if (n < 5) fail(`${n} charts on the results page`);
  for (let i = 0; i < n; i++) {
    const chart = charts.nth(i);
    if (!(await chart.isVisible())) fail(`chart ${i} is not visible`);
    const box = await chart.boundingBox();
    if (!box || box.width < 200 || box.height < 100 || box.x + box.width > width) {
      fail(`chart ${i} is ${box ? `${box.width}x${box.height} at ${box.x}` : 'not laid out'}`);
    }
    const alt = await chart.evaluate((svg) => (svg.getAttribute('aria-labelledby') || '')
      .split(/\s+/).map((id) => document.getElementById(id)?.textContent.trim() || ''));
    if (alt.length !== 2 || !alt[0] || !/\d/.test(alt[1])) {
      fail(`chart ${i} has no text alternative with its values: ${JSON.stringify(alt)}`);
    }
  }
  // The accessible name, as assistive technology gets it.
  await page.getByRole('img', { name: /Rapportcijfer per kanaal/ }).waitFor();
  await page.getByRole('img', { name: /Prioriteitenmatrix/ }).waitFor();
}

const contactsCsv = (ids) => Buffer.from([
  'contact_id,channel,contact_at,email',
  `${ids[0]},counter,${from},${ids[0]}@example.org`,
  `${ids[1]},balie,2026-13-05,${ids[1]}@example.org`,
  `${ids[2]},counter,${to},${ids[2]}@example.org`,
  '',
].join('\n'));

async function upload(page, ids) {
  await page.setInputFiles('#file', { name: 'contacten.csv', mimeType: 'text/csv', buffer: contactsCsv(ids) });
  await go(page, () => page.getByRole('button', { name: 'Uploaden' }).click());
  await expectText(page, 'Contacten ingelezen');
}

// A manager of GM0375 on a phone, JavaScript off: every step of a wave.
async function managerRun(browser) {
  const ctx = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await ctx.newPage();

  // A wrong password first: the error is an alert, the address stays.
  await keyboardSignIn(page, MANAGER, 'niet-het-wachtwoord', 422);
  const alert = page.getByRole('alert');
  if (!(await alert.innerText()).includes('klopt niet')) fail('the wrong password is not an alert');
  if (await page.inputValue('#email') !== MANAGER) fail('the address was not kept');
  await seen(page, PHONE.width, 'manager-wrong-password');
  await tabTo(page, '#password');
  await page.keyboard.type(managerPw);
  await go(page, () => page.keyboard.press('Enter'));
  expectPath(page, '/portal/m/GM0375');
  await expectText(page, '<h1>Gemeente Beverwijk</h1>');
  await seen(page, PHONE.width, 'manager-municipality');

  // Contacts, with the row-level feedback of the command line.
  await upload(page, ['p1', 'p2', 'p3']);
  const status = await page.getByRole('status').innerText();
  if (!status.includes('2 toegevoegd') || !status.includes('1 afgewezen')) fail(`upload: ${status}`);
  const rejects = page.getByRole('table', { name: 'Afgewezen rijen' });
  const row = await rejects.locator('tbody tr').first().locator('td').allInnerTexts();
  if (row[0].trim() !== '3' || !row[1].trim()) fail(`the rejected row: ${JSON.stringify(row)}`);
  await seen(page, PHONE.width, 'manager-upload');
  await go(page, () => page.getByRole('link', { name: 'Terug naar de metingen' }).click());

  // A new wave of the counter only, for the period of the upload.
  await page.fill('#from', from);
  await page.fill('#to', to);
  await page.uncheck('input[name="channel"][value="phone"]');
  await page.uncheck('input[name="channel"][value="email"]');
  await page.fill('#target', '2');
  await go(page, () => page.getByRole('button', { name: 'Meting aanmaken' }).click());
  const wave = new URL(page.url()).hash.slice(1);
  if (!/^w\d+$/.test(wave)) fail(`no wave in ${page.url()}`);
  const heading = page.locator(`h3#${wave}`);
  if (!(await heading.innerText()).includes(`${from} tot en met ${to} (concept)`)) {
    fail(`the new wave: ${await heading.innerText()}`);
  }
  const section = page.locator(`section[aria-labelledby="${wave}"]`);
  await seen(page, PHONE.width, 'manager-wave-created');

  // Sampled: the progress shows both contacts in the sample.
  await go(page, () => section.getByRole('button', { name: 'Steekproef trekken' }).click());
  const state = await heading.innerText();
  if (!state.includes('steekproef getrokken') && !state.includes('veldwerk')) fail(`sampled wave: ${state}`);
  const total = await section.getByRole('row', { name: /Totaal/ }).locator('td').allInnerTexts();
  if (total[0] !== '2' || total[1] !== '2') fail(`progress after sampling: ${JSON.stringify(total)}`);
  if (await section.getByRole('button', { name: 'Steekproef trekken' }).count() > 0) fail('sampled twice?');
  // The table is wider than the phone: it scrolls in its own region, by
  // keyboard too.
  const region = section.getByRole('region', { name: /Voortgang per kanaal/ });
  await tabTo(page, `section[aria-labelledby="${wave}"] [role="region"]`);
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  // Keyboard scrolling may be animated: give it a moment on a busy machine.
  let scrolled = 0;
  for (let i = 0; i < 30 && scrolled === 0; i++) {
    scrolled = await region.evaluate((el) => el.scrollLeft);
    if (scrolled === 0) await page.waitForTimeout(100);
  }
  if (scrolled === 0) fail('the progress table does not scroll');
  await seen(page, PHONE.width, 'manager-wave-sampled');

  // The results: charts with their text alternatives, then the letter.
  await go(page, () => page.getByRole('link', { name: 'Resultaten bekijken' }).click());
  await expectText(page, 'Beverwijk</h1>');
  await checkCharts(page, PHONE.width);
  await seen(page, PHONE.width, 'manager-results');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Brief op Maat (PDF)' }).click(),
  ]);
  if (!/^brief-op-maat-GM0375-\d{4}\.pdf$/.test(download.suggestedFilename())) {
    fail(`the letter is saved as ${download.suggestedFilename()}`);
  }
  const pdf = readFileSync(await download.path());
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') fail('the letter is not a PDF');

  // Signing out ends the session on the server: the old cookie, put back,
  // is sent to sign in again.
  const cookies = await ctx.cookies();
  await keyboardSignOut(page);
  await ctx.addCookies(cookies);
  await page.goto(`${base}/portal/m/GM0375`);
  expectPath(page, '/portal/login');
  await ctx.close();
}

// The team at 1280 wide, JavaScript off: every municipality by circle.
async function teamRun(browser) {
  const ctx = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await keyboardSignIn(page, TEAM, teamPw);
  expectPath(page, '/portal');
  await expectText(page, '<h1>Alle gemeenten</h1>');
  if (await page.locator('main h2').count() < 1) fail('no circles in the overview');
  if (await page.locator('main li a[href^="/portal/m/"]').count() < 11) fail('municipalities missing');
  await seen(page, DESKTOP.width, 'team-overview');
  await go(page, () => page.getByRole('link', { name: 'Bussum' }).click());
  expectPath(page, '/portal/m/GM0381');
  await seen(page, DESKTOP.width, 'team-municipality');
  await go(page, () => page.getByRole('link', { name: 'Resultaten bekijken' }).click());
  await checkCharts(page, DESKTOP.width);
  await seen(page, DESKTOP.width, 'team-results');
  // The audit log: the team's own page, filtered by a form without scripts.
  await go(page, () => page.getByRole('link', { name: 'Logboek' }).click());
  expectPath(page, '/portal/audit');
  await expectText(page, '<h1>Logboek</h1>');
  await page.fill('#action', 'user.sign_in');
  await page.selectOption('#municipality', '');
  await go(page, () => page.getByRole('button', { name: 'Filteren' }).click());
  await expectText(page, 'team@example.org');
  if (await page.locator('main tbody tr').count() < 1) fail('no sign-ins in the audit log');
  await seen(page, DESKTOP.width, 'team-audit');
  await keyboardSignOut(page);
  await ctx.close();
}

// axe-core's WCAG 2.1 A and AA rules on the page now shown, at both widths.
async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      });
      return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    });
    await shot(page, `axe-${name}-${size.width}`);
    if (result.length > 0) fail(`axe-core on ${name} at ${size.width} px:\n  ${result.join('\n  ')}`);
  }
}

async function axeRun(browser) {
  // Scripts are needed for axe itself; the pages forbid them (CSP), so
  // the check bypasses the CSP, as a browser extension would.
  const ctx = await browser.newContext({ viewport: PHONE, bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(`${base}/portal/login`);
  await axe(page, 'sign-in');
  await page.fill('#email', MANAGER);
  await page.fill('#password', 'niet-het-wachtwoord');
  await go(page, () => page.getByRole('button', { name: 'Aanmelden' }).click(), 422);
  await axe(page, 'sign-in-error');
  await page.fill('#password', managerPw);
  await go(page, () => page.getByRole('button', { name: 'Aanmelden' }).click());
  expectPath(page, '/portal/m/GM0375');
  await axe(page, 'municipality');
  await upload(page, ['a1', 'a2', 'a3']);
  await axe(page, 'upload');
  await page.goto(`${base}/portal/m/GM0375`);
  // A period the wrong way round: the engine's message as an alert.
  await page.fill('#from', to);
  await page.fill('#to', from);
  await go(page, () => page.getByRole('button', { name: 'Meting aanmaken' }).click(), 422);
  await page.getByRole('alert').waitFor();
  await axe(page, 'wave-error');
  await open(page, '/portal/m/GM0375/results');
  await axe(page, 'results');
  await go(page, () => page.getByRole('link', { name: 'Open antwoorden' }).click());
  await expectText(page, 'onherkenbaar gemaakt');
  await axe(page, 'open-answers');
  await open(page, '/portal/m/GM0381', 403);
  await expectText(page, 'Geen toegang');
  await axe(page, 'forbidden');
  await open(page, '/portal/m/GM0375/nergens', 404);
  await expectText(page, 'Niet gevonden');
  await axe(page, 'not-found');
  // English, by the switch on the page: the same pages, the same rules.
  await open(page, '/portal/m/GM0375/results');
  await go(page, () => page.getByRole('link', { name: 'English' }).click());
  await expectText(page, 'Mark per channel');
  await axe(page, 'results-en');
  await open(page, '/portal/m/GM0375');
  await expectText(page, 'Progress per channel');
  await axe(page, 'municipality-en');
  await go(page, () => page.getByRole('link', { name: 'Nederlands' }).click());
  await expectText(page, 'Voortgang per kanaal');
  await page.goto(`${base}/portal`);
  await go(page, () => page.getByRole('button', { name: 'Afmelden' }).click());
  await page.fill('#email', TEAM);
  await page.fill('#password', teamPw);
  await go(page, () => page.getByRole('button', { name: 'Aanmelden' }).click());
  expectPath(page, '/portal');
  await axe(page, 'overview');
  await open(page, '/portal/audit');
  await axe(page, 'audit');
  await ctx.close();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  await managerRun(browser);
  await teamRun(browser);
  await axeRun(browser);
  console.log(`portal browser: ok (${shots} screenshots in ${outDir})`);
} catch (e) {
  if (!process.exitCode) console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
