// Browser tests of the questionnaire (run by tests/browser/browser.sh):
// headless Debian chromium, driven by playwright-core.
//
//   node questionnaire.mjs BASE_URL TOKENS_FILE OUT_DIR
//
// TOKENS_FILE holds one invitation token per line: 1 and 2 are answered
// by keyboard only, with JavaScript off, at 360x640, in Dutch and in
// English; 3 and 4 give the page types axe-core checks; 5 is an
// invitation of a closed wave.  Every page visited is kept as a
// screenshot in OUT_DIR.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const [base, tokensFile, outDir] = process.argv.slice(2);
const tokens = readFileSync(tokensFile, 'utf8').split(/\s+/).filter(Boolean);
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

// Presses Tab until `selector` has the focus: how a keyboard user gets there.
async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
  }
  fail(`Tab never reached ${selector} on ${page.url()}`);
}

// The next (or send) button, by keyboard, and the page it leads to.
async function next(page) {
  await tabTo(page, 'button[value="next"]');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

async function keyboardRun(browser, token, lang) {
  const en = lang === 'en';
  const ctx = await browser.newContext({
    viewport: { width: 360, height: 640 }, javaScriptEnabled: false,
  });
  const page = await ctx.newPage();
  await page.goto(`${base}/s/${token}${en ? '?lang=en' : ''}`);
  if (await page.getAttribute('html', 'lang') !== lang) fail(`the page is not in ${lang}`);
  await expectText(page, en ? 'First page' : 'Eerste pagina');
  // Nothing wider than the phone: no sideways scrolling at 360 px.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 360) fail(`the page is ${width} px wide at 360 px`);
  await shot(page, `${lang}-page1`);
  await tabTo(page, 'input[name="q.Y1"][value="yes"]');
  await page.keyboard.press('Space');
  await tabTo(page, 'input[name="q.C1"][value="paspoort"]');
  await page.keyboard.press('Space');
  await tabTo(page, 'input[name="q.MU"][value="snel"]');
  await page.keyboard.press('Space');
  await next(page);

  await expectText(page, en ? 'Second page' : 'Tweede pagina');
  await shot(page, `${lang}-page2`);
  await tabTo(page, '#i-N1');
  await page.keyboard.type('15');
  await tabTo(page, '#i-T1');
  await page.keyboard.type('1234 AB');
  await next(page);

  await expectText(page, en ? 'Only with an appointment' : 'Alleen met afspraak');
  await tabTo(page, 'input[name="q.S1"][value="1"]');
  await page.keyboard.press('Space');
  await next(page);

  // The last page: first sent without the required mark.
  await expectText(page, en ? 'Your verdict' : 'Uw oordeel');
  await next(page);
  await expectText(page, en ? 'Please answer this question' : 'Beantwoord deze vraag');
  await shot(page, `${lang}-error`);
  await tabTo(page, 'input[name="q.M1"][value="1"]');
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
  if (!(await page.isChecked('input[name="q.M1"][value="8"]'))) fail('arrow keys did not choose 8');
  await tabTo(page, '#i-O1');
  await page.keyboard.type(en ? 'Nothing, thank you.' : 'Niets, dank u.');
  await next(page);
  await expectText(page, en ? 'Thank you very much for taking part.' : 'Hartelijk dank voor het invullen.');
  await shot(page, `${lang}-thanks`);
  await ctx.close();
}

// axe-core's WCAG 2.1 A and AA rules on the page now shown.
async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
  await shot(page, `axe-${name}`);
  if (result.length > 0) fail(`axe-core on ${name}:\n  ${result.join('\n  ')}`);
}

async function axeRun(browser) {
  // Scripts are needed for axe itself; the pages forbid them (CSP), so
  // the check bypasses the CSP, as a browser extension would.
  const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, bypassCSP: true });
  const page = await ctx.newPage();
  const t = tokens[2];
  await page.goto(`${base}/s/${t}`);
  await axe(page, 'first-page');
  // A page with errors: too many choices.
  await page.check('input[name="q.MU"][value="snel"]');
  await page.check('input[name="q.MU"][value="vriendelijk"]');
  await page.check('input[name="q.MU"][value="duidelijk"]');
  await Promise.all([page.waitForNavigation(), page.click('button[value="next"]')]);
  await expectText(page, 'Kies minder antwoorden');
  await axe(page, 'errors');
  await page.uncheck('input[name="q.MU"][value="duidelijk"]');
  await page.check('input[name="q.Y1"][value="no"]');
  await Promise.all([page.waitForNavigation(), page.click('button[value="next"]')]);
  await axe(page, 'typed-answers');
  await page.fill('#i-N1', '20');
  await Promise.all([page.waitForNavigation(), page.click('button[value="next"]')]);
  await axe(page, 'last-page');
  await page.check('input[name="q.M1"][value="7"]');
  await Promise.all([page.waitForNavigation(), page.click('button[value="next"]')]);
  await expectText(page, 'Hartelijk dank');
  await axe(page, 'thanks');
  await page.goto(`${base}/s/${tokens[3]}?lang=en`);
  await axe(page, 'first-page-en');
  await page.goto(`${base}/s/AAAAAAAAAAAAAAAAAAAAAA`);
  await axe(page, 'unknown-link');
  await page.goto(`${base}/s/${tokens[4]}`);
  await expectText(page, 'gesloten');
  await axe(page, 'closed');
  await page.goto(`${base}/o/${tokens[3]}`);
  await axe(page, 'opt-out');
  await page.goto(`${base}/c/GM0001/balie-1`);
  await expectText(page, 'Eerste pagina');
  await axe(page, 'open-link');
  await page.goto(`${base}/c/GM0002`);
  await expectText(page, 'geen onderzoek');
  await axe(page, 'no-counter-survey');
  await ctx.close();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  await keyboardRun(browser, tokens[0], 'nl');
  await keyboardRun(browser, tokens[1], 'en');
  await axeRun(browser);
  console.log(`browser: ok (${shots} screenshots in ${outDir})`);
} catch (e) {
  if (!process.exitCode) console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
