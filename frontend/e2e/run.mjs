// The browser end-to-end run: Debian's Chromium driven by playwright-core against a running local platform
// (tests/e2e/test_browser.py starts one and runs this). Each step prints "ok - <step>"; the first failure
// prints its error and the run exits non-zero. Screenshots of every page go to SCREENSHOT_DIR.
//
// BASE_URL       the platform, e.g. http://127.0.0.1:8765
// SCREENSHOT_DIR where the PNGs go
// IMPORT_XLSX    a questionnaire workbook with mistakes, to show the import's row problems
// RESULT_FILE    facts for the Python side to check in the database (JSON)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as OTPAuth from 'otpauth';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8000';
const SHOTS = process.env.SCREENSHOT_DIR ?? 'e2e/output';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'a sturdy passphrase 42';
const ADMIN = 'admin@example.org';
const ENUMERATOR = 'enumerator@example.org';
const FINANCE = 'finance@example.org';
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 20_000;

mkdirSync(SHOTS, { recursive: true });
let passed = 0;

async function step(name, work) {
  try {
    await work();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}`);
    // What each open page showed when the step failed, to read beside the error.
    const pages = browser.contexts().flatMap((c) => c.pages());
    await Promise.all(pages.map((p, i) => p.screenshot({ path: join(SHOTS, `failure-${i}.png`) }).catch(() => undefined)));
    throw error;
  }
}

async function screenshot(page, name, fullPage = false) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' });
}

function totp(secret, stepsAhead = 0) {
  const generator = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
  return generator.generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, baseURL: BASE });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
  return { context, page };
}

async function signUp(page, { path = '/sign-up', name, email }) {
  await page.goto(path);
  await page.getByLabel('Full name').fill(name);
  if (email) await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/account/security?welcome=1');
  await page.getByRole('heading', { name: 'Account security' }).waitFor();
}

async function invite(page, email, role) {
  await page.goto('/users');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const link = await page.getByTestId('invitation-link').inputValue();
  if (!link.includes('/sign-up#invitation=')) throw new Error(`unexpected invitation link ${link}`);
  return link;
}

/** Answers every question the form shows (choosing the first option), including those shown by earlier answers. */
async function answerAll(page) {
  const sets = page.locator('form[aria-label="Assessment form"] fieldset');
  for (let i = 0; i < (await sets.count()); i += 1) {
    const set = sets.nth(i);
    if (await set.locator('input[type=radio], input[type=checkbox]').count()) await set.locator('label').first().click();
    else if (await set.locator('input[type=number]').count()) {
      const input = set.locator('input[type=number]');
      await input.fill((await input.getAttribute('min')) ?? '1');
    } else if (await set.locator('textarea').count()) await set.locator('textarea').fill('Tailoring and selling clothes');
  }
}

async function fillRespondent(page, name, phone) {
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Phone (WhatsApp)').fill(phone);
  await page.getByLabel('Sector').selectOption({ index: 1 });
  await page.getByLabel('Region').fill('Dakar');
}

async function apiGet(path, token) {
  const response = await fetch(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function apiSend(method, path, token, body, headers = {}) {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Whether a show-if rule holds for the answers given so far (shared/questionnaires/definition.py ShowIf). */
function shown(rule, given) {
  const value = given[rule.question];
  if (value === undefined) return false;
  if (rule.equals !== undefined && rule.equals !== null) return !Array.isArray(value) && String(value) === String(rule.equals);
  if (rule.in) return rule.in.includes(value);
  if (rule.includes) return Array.isArray(value) && value.includes(rule.includes);
  return false;
}

/** A submission of the published questionnaire made through the API, as another client of it would. */
async function submitThroughApi(token, respondent) {
  const { questionnaire, questions } = await apiGet('/api/v1/questions', token);
  const given = {};
  const answers = [];
  for (const q of questions) {
    if (q.show_if && !shown(q.show_if, given)) continue;
    const value = q.type === 'single_choice' ? q.options[0].code
      : q.type === 'multi_choice' ? [q.options[0].code]
        : q.type === 'scale' || q.type === 'numeric' ? (q.min ?? 0)
          : 'Selling vegetables at the market';
    given[q.code] = value;
    answers.push({ question_id: q.id, value });
  }
  const sectors = await apiGet('/api/v1/sectors', token);
  const body = {
    questionnaire_version_id: questionnaire.version_id,
    respondent: { ...respondent, sector: sectors.items[2 % sectors.items.length].code, region: 'Thiès' },
    answers,
    channel: 'web',
  };
  return apiSend('POST', '/api/v1/assessments/submit', token, body, { 'idempotency-key': crypto.randomUUID() });
}

/** What a respondent replies to the platform's last WhatsApp message. */
function replyTo(message, name) {
  if (/\bReply YES\b/i.test(message)) return 'YES';
  if (/What is your name/i.test(message)) return name;
  if (/Which sector/i.test(message)) return '2';
  const range = /Reply a number (-?[\d.]+)-/.exec(message);
  if (range) return range[1];
  if (/Reply with (one number|a number|the numbers)/i.test(message)) return '1';
  if (/own words/i.test(message)) return 'I repair phones';
  throw new Error(`no reply for: ${message}`);
}

/** Takes the whole WhatsApp assessment on the simulator page; answers the platform's last message. */
async function chatToTheEnd(page, name) {
  const bot = page.getByRole('list', { name: 'Conversation' }).locator('li[data-from="bot"]');
  const say = async (text) => {
    const before = await bot.count();
    await page.getByLabel('Message').fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Conversation"] li[data-from="bot"]').length > n, before);
    await page.getByRole('button', { name: 'Send' }).and(page.locator(':enabled')).waitFor();
    return (await bot.last().textContent()).replace(/^Platform: /, '');
  };
  let message = await say('HI');
  for (let turn = 0; !/Your results:/.test(message); turn += 1) {
    if (turn > 80) throw new Error(`the conversation did not end; last message: ${message}`);
    message = await say(replyTo(message, name));
  }
  return message;
}

async function accessToken(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('skills.session') ?? 'null')?.accessToken);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const facts = {};
try {
  const { page: admin } = await newPage(browser);
  let secret = '';

  await step('the first sign-up creates the super-admin', async () => {
    await admin.goto('/sign-up');
    await screenshot(admin, 'sign-up');
    await signUp(admin, { name: 'Ada Admin', email: ADMIN });
  });

  await step('2FA enrolment with a code computed from the shown secret; recovery codes shown once', async () => {
    await admin.getByRole('button', { name: /Set up two-factor/ }).click();
    secret = (await admin.getByTestId('totp-secret').textContent()).replace(/\s/g, '');
    await admin.getByRole('img', { name: /QR code/ }).waitFor();
    await screenshot(admin, 'two-factor-setup');
    await admin.getByLabel('Code from the app').fill(totp(secret));
    await admin.getByRole('button', { name: 'Turn on' }).click();
    const codes = admin.getByRole('list', { name: 'Recovery codes' });
    await codes.waitFor();
    if ((await codes.getByRole('listitem').count()) !== 10) throw new Error('expected ten recovery codes');
    await screenshot(admin, 'two-factor-recovery-codes');
    await admin.getByRole('button', { name: 'I have saved them' }).click();
    await admin.getByText('Sign-ins to this account ask for a code').waitFor();
  });

  await step('sign-out', async () => {
    await admin.getByRole('button', { name: 'Sign out' }).click();
    await admin.waitForURL('**/sign-in');
    await screenshot(admin, 'sign-in');
  });

  await step('sign-in with a code from the authenticator', async () => {
    await admin.getByLabel('Email').fill(ADMIN);
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    const code = admin.getByLabel('Authentication code');
    await code.waitFor();
    if ((await code.getAttribute('autocomplete')) !== 'one-time-code') throw new Error('code field lacks autocomplete=one-time-code');
    await screenshot(admin, 'sign-in-code');
    // The enrolment code was spent; the server accepts the next time step too.
    await code.fill(totp(secret, 1));
    await admin.getByRole('button', { name: 'Verify and sign in' }).click();
    await admin.waitForURL('**/dashboard');
  });

  await step('questionnaires: an xlsx with mistakes is refused row by row; a draft is made from the published version', async () => {
    await admin.goto('/questionnaires');
    await admin.getByLabel('File').setInputFiles(process.env.IMPORT_XLSX);
    await admin.getByRole('button', { name: 'Import' }).click();
    await admin.getByText(/problems? in the file; nothing was stored/).waitFor();
    await screenshot(admin, 'questionnaires-import-problems', true);
    await admin.getByRole('link', { name: /skills-baseline/ }).click();
    await admin.getByRole('table', { name: 'Versions' }).waitFor();
    await screenshot(admin, 'questionnaire-versions');
    await admin.getByRole('button', { name: 'New draft from this' }).click();
    await admin.waitForURL('**/versions/2');
    await admin.getByRole('button', { name: 'Publish this version' }).waitFor();
    await screenshot(admin, 'questionnaire-draft-editor');
    // Editing a question starts from its weight and option scores, so saving it unchanged keeps them.
    await admin.getByRole('button', { name: 'Edit' }).nth(1).click();
    const edit = admin.getByRole('form', { name: 'Edit question' });
    const weight = await edit.getByLabel('Weight').inputValue();
    const scores = await Promise.all((await edit.getByLabel('Score').all()).map((s) => s.inputValue()));
    if (weight === '' || scores.length < 2 || scores.some((v) => v === '') || scores.every((v) => Number(v) === 0)) {
      throw new Error(`the editor lost the question's scoring: weight ${weight}, scores ${scores}`);
    }
    await edit.scrollIntoViewIfNeeded();
    await screenshot(admin, 'questionnaire-question-editor');
    await edit.getByRole('button', { name: 'Cancel' }).click();
  });

  let enumeratorLink = '';
  let financeLink = '';
  await step('invitations for an enumerator and for finance', async () => {
    enumeratorLink = await invite(admin, ENUMERATOR, 'enumerator');
    financeLink = await invite(admin, FINANCE, 'finance');
    await screenshot(admin, 'users-and-invitations');
  });

  await step('a super-admin takes an assessment online and reads out the results', async () => {
    await admin.goto('/fieldwork');
    await fillRespondent(admin, 'Fatou Ndiaye', '+221770000001');
    await answerAll(admin);
    await admin.getByRole('button', { name: 'Finish assessment' }).click();
    await admin.getByText('Assessment stored for Fatou Ndiaye').waitFor();
    await screenshot(admin, 'fieldwork-result');
  });

  // The enumerator works on a phone, in a browser of their own.
  const { context: fieldContext, page: field } = await newPage(browser, PHONE);
  await step('the enumerator signs up through the invitation link', async () => {
    await signUp(field, { path: enumeratorLink.replace(BASE, ''), name: 'Eli Enumerator' });
    await field.getByText('Your account is ready').waitFor();
  });

  await step('online once: the service worker takes the app shell and the questionnaire', async () => {
    await field.goto('/fieldwork');
    await field.getByRole('button', { name: 'Finish assessment' }).waitFor();
    await field.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: TIMEOUT });
    await field.reload();
    await field.getByRole('button', { name: 'Finish assessment' }).waitFor();
  });

  await step('offline: the page reloads from the cache and the finished assessment waits on the device', async () => {
    await fieldContext.setOffline(true);
    await field.reload();
    await field.getByText('You are offline').waitFor();
    await fillRespondent(field, 'Moussa Diallo', '+221770000002');
    await answerAll(field);
    await field.getByRole('button', { name: 'Finish assessment' }).dblclick();
    await field.getByText('Saved on this device: Moussa Diallo').waitFor();
    const queue = field.getByRole('list', { name: 'Queued assessments' });
    await queue.getByText('Moussa Diallo').waitFor();
    if ((await queue.getByRole('listitem').count()) !== 1) throw new Error('expected one queued assessment');
    await field.evaluate(() => window.scrollTo(0, 0));
    await screenshot(field, 'fieldwork-offline-phone');
    const stored = await apiGet('/api/v1/assessments', await accessToken(field));
    if (stored.items.length !== 0) throw new Error(`nothing should be stored while offline, found ${stored.items.length}`);
  });

  await step('back online: the queue is sent, and exactly one assessment is stored however often sync runs', async () => {
    await fieldContext.setOffline(false);
    // More sync triggers than needed: each must find the queue empty or send the same key.
    await field.evaluate(() => {
      for (let i = 0; i < 3; i += 1) window.dispatchEvent(new Event('online'));
    });
    await field.getByText('Nothing waiting: every finished assessment was sent.').waitFor();
    await field.evaluate(() => window.dispatchEvent(new Event('online')));
    await field.getByRole('list', { name: 'Sent assessments' }).getByText('Moussa Diallo').waitFor();
    const stored = await apiGet('/api/v1/assessments', await accessToken(field));
    if (stored.items.length !== 1) throw new Error(`expected exactly one assessment, found ${stored.items.length}`);
    facts.enumerator = { email: ENUMERATOR, assessments: stored.items.length, respondent: stored.items[0].respondent_name };
  });

  await step('finance sees the costs page and cannot open users', async () => {
    const { page: finance } = await newPage(browser);
    await signUp(finance, { path: financeLink.replace(BASE, ''), name: 'Fin Ance' });
    const menu = finance.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Costs' }).click();
    await finance.getByRole('heading', { name: 'Cost breakdown' }).waitFor();
    await finance.getByRole('table', { name: 'Costs by group' }).waitFor();
    await finance.getByRole('table', { name: 'Requests' }).getByText('POST /api/v1/auth/signup').first().waitFor();
    await screenshot(finance, 'costs', true);
    if (await menu.getByRole('link', { name: 'Users' }).count()) throw new Error('finance must not see Users');
    await finance.goto('/users');
    await finance.getByText('This page is not available to your role').waitFor();
    await screenshot(finance, 'users-refused-to-finance');
    const response = await fetch(`${BASE}/api/v1/users`, { headers: { authorization: `Bearer ${await accessToken(finance)}` } });
    if (response.status !== 403) throw new Error(`the API must refuse finance too, got ${response.status}`);
  });

  await step('the dashboard: a submission through the API and one through the WhatsApp simulator appear without a reload', async () => {
    await admin.goto('/dashboard');
    await admin.locator('[role=status][data-status="live"]').waitFor();
    const totalNow = async () => Number((await admin.getByTestId('total-all').textContent()).replace(/\D/g, ''));
    const totalBecomes = (n) => admin.waitForFunction(
      (want) => document.querySelector('[data-testid="total-all"]')?.textContent.replace(/\D/g, '') === String(want), n);
    const before = await totalNow();
    await admin.evaluate(() => { window.sameDocument = true; });
    const latest = admin.getByTestId('latest-submissions');

    await submitThroughApi(await accessToken(admin), { name: 'Awa Diop', phone: '+221770000003' });
    await latest.getByText('Awa Diop').waitFor();
    await totalBecomes(before + 1);

    // The simulator in a second tab: each message goes through the real webhook, signed as Twilio signs.
    const chat = await admin.context().newPage();
    await chat.goto('/simulator');
    await chat.getByLabel('Respondent\'s phone').fill('+254700000042');
    await chatToTheEnd(chat, 'Wanjiru Kamau');
    await screenshot(chat, 'whatsapp-simulator');
    await chat.close();
    await latest.getByRole('row').filter({ hasText: 'Wanjiru Kamau' }).getByText('WhatsApp').waitFor();
    await totalBecomes(before + 2);
    if (!(await admin.evaluate(() => window.sameDocument === true))) throw new Error('the dashboard page was reloaded');
    await admin.locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(admin, 'dashboard', true);
  });

  await step('exports: an export runs with its progress bar fed over the WebSocket and downloads; a share link counts its downloads and is revoked', async () => {
    // What the page hears over its WebSocket, from its first frame; `until` resolves on the first frame it accepts.
    const heard = [];
    const waiting = new Set();
    admin.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
      let message;
      try {
        message = JSON.parse(String(payload));
      } catch {
        return;
      }
      heard.push(message);
      for (const w of waiting) if (w.accept(message)) w.resolve(message);
    }));
    const until = (what, accept) => {
      const earlier = heard.find(accept);
      if (earlier) return Promise.resolve(earlier);
      return new Promise((resolve, reject) => {
        const w = { accept, resolve: (m) => { waiting.delete(w); clearTimeout(timer); resolve(m); } };
        const timer = setTimeout(() => {
          waiting.delete(w);
          reject(new Error(`the page never heard ${what}; it heard ${JSON.stringify(heard)}`));
        }, TIMEOUT);
        waiting.add(w);
      });
    };
    await admin.goto('/exports');
    await admin.getByRole('heading', { name: 'Your exports' }).waitFor();
    await until('its subscription confirmed', (m) => m.type === 'subscribed' && m.topics.includes('exports'));
    // Every state a progress bar shows, from before the export starts.
    await admin.evaluate(() => {
      window.barsSeen = [];
      const look = () => document.querySelectorAll('[role="progressbar"]').forEach((b) => window.barsSeen.push(`${b.getAttribute('aria-valuenow')}/${b.getAttribute('aria-valuemax')}`));
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await admin.getByLabel('What').selectOption('answers');
    await admin.getByRole('button', { name: 'Start export' }).click();
    const row = admin.getByRole('table', { name: 'Exports' }).getByRole('row').filter({ hasText: 'Answers' }).first();
    const download = row.getByRole('button', { name: /^Download / });
    await download.waitFor();
    const ready = await until('export.ready', (m) => m.type === 'export.ready');
    const progressed = heard.filter((m) => m.type === 'export.progress' && m.export_id === ready.export_id);
    const bars = await admin.evaluate(() => window.barsSeen);
    if (bars.length === 0) throw new Error('no progress bar was shown while the export ran');
    const job = await apiGet(`/api/v1/exports/${ready.export_id}`, await accessToken(admin));
    if (job.status !== 'ready' || job.rows !== ready.total) throw new Error(`unexpected export ${JSON.stringify(job)}`);
    console.log(`  export ${job.rows} rows: ${progressed.length} export.progress and one export.ready over the WebSocket; bar states ${[...new Set(bars)].join(' ')}`);

    const [file] = await Promise.all([admin.waitForEvent('download'), download.click()]);
    const bytes = readFileSync(await file.path());
    if (bytes.length !== job.bytes || bytes.subarray(0, 2).toString() !== 'PK') throw new Error(`the downloaded file is not the export (${bytes.length} bytes)`);
    if (file.suggestedFilename() !== job.filename) throw new Error(`downloaded as ${file.suggestedFilename()}, not ${job.filename}`);
    facts.export = { id: job.id, rows: job.rows, bytes: job.bytes, filename: job.filename };

    await row.getByRole('button', { name: 'Share links' }).click();
    await admin.getByLabel('Most downloads').fill('2');
    await admin.getByRole('button', { name: 'Create link' }).click();
    const link = await admin.getByLabel('New share link (shown once)').inputValue();
    // Someone without an account follows it: 303 to the file.
    const followed = await fetch(link, { redirect: 'manual' });
    if (followed.status !== 303) throw new Error(`the share link answered ${followed.status}`);
    const shared = await fetch(followed.headers.get('location'));
    if ((await shared.arrayBuffer()).byteLength !== job.bytes) throw new Error('the shared file differs');
    await row.getByRole('button', { name: 'Share links' }).click();
    await row.getByRole('button', { name: 'Share links' }).click();
    const links = admin.getByRole('list', { name: 'Share links' });
    await links.getByText('1 of 2').waitFor();
    await screenshot(admin, 'exports', true);
    await links.getByRole('button', { name: 'Revoke' }).click();
    await links.getByText('Revoked', { exact: true }).waitFor();
    const revoked = await fetch(link, { redirect: 'manual' });
    if (revoked.status !== 410) throw new Error(`a revoked link answered ${revoked.status}`);
  });

  await step('screenshots of the pages whose APIs have landed', async () => {
    await admin.goto('/assessments');
    await admin.getByRole('table', { name: 'Assessments' }).getByText('Moussa Diallo').waitFor();
    await screenshot(admin, 'assessments');
    await admin.getByRole('link', { name: 'Fatou Ndiaye' }).click();
    await admin.getByRole('heading', { name: 'Scores by skill' }).waitFor();
    await screenshot(admin, 'assessment-detail', true);
    await admin.goto('/respondents');
    await admin.getByRole('table', { name: 'Respondents' }).getByText('Moussa Diallo').waitFor();
    await screenshot(admin, 'respondents');
    await admin.getByRole('link', { name: 'Moussa Diallo' }).click();
    await admin.getByRole('heading', { name: 'Moussa Diallo' }).waitFor();
    await screenshot(admin, 'respondent');
    await admin.goto('/reports');
    await admin.getByRole('heading', { name: 'Mean score per skill, by sector' }).waitFor();
    await admin.locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(admin, 'reports-by-sector', true);
    await admin.getByRole('tab', { name: 'By skill' }).click();
    await admin.locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(admin, 'reports-by-skill', true);
    await admin.goto('/questionnaires');
    await admin.getByRole('link', { name: /skills-baseline/ }).waitFor();
    await screenshot(admin, 'questionnaires');
    await admin.goto('/audit');
    await admin.getByRole('table', { name: 'Audit log' }).getByText('auth.login').first().waitFor();
    await screenshot(admin, 'audit-log');
  });

} finally {
  await browser.close();
  if (process.env.RESULT_FILE) writeFileSync(process.env.RESULT_FILE, JSON.stringify(facts));
}
console.log(`${passed} passed, 0 failed`);
