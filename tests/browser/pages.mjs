// SPDX-License-Identifier: Apache-2.0
// Browser scenarios for sendguard-core's pages, run by tests/browser_test.cc (which starts the
// real core, seeds it and checks this script's exit status). Drives Debian's Chromium headless
// through playwright-core. Usage: node pages.mjs SCENARIO CONFIG.json
//   ig     log in, open an auto-filed incident (linked to a near miss about the same email), assess it on the 5x5 grid and see the score
//          and reportability change, work the ENISA calculator (a refused adjustment, then SE
//          and band), edit breach form sections, be refused the ICO decision as ig_officer, record it as
//          the DPO, download the committee report (CSV), the admin page (the milter's rule set)
//   new    an IG officer files a breach that did not come by email (access to a case system) on
//          the New incident page (a refused first try keeps what was typed), then records the
//          IG assessment (number, cause, who, behaviour) on its page
//   staff  open a hold link, confirm with a reason; the same link a second time is refused
//   report-request  ask for a self-report link for config.email
//   report  open a self-report link, choose the send to config.domain, report it; the link
//          a second time is refused
//   general-report  open a self-report link and report something that was not an email
//   close-near-miss  an IG officer takes that report to closure as a near miss
//   walk    every role takes a mail-filter draft from DRAFT to CLOSED (see browser_test.cc)
//   scoped  an IG officer limited to one directorate
// Screenshots of every page go to CONFIG.artifacts.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';

const [scenario, configFile] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configFile, 'utf8'));
mkdirSync(config.artifacts, { recursive: true });

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

const browser = await chromium.launch({ executablePath: config.chromium, args: ['--no-sandbox'] });
const context = await browser.newContext({ acceptDownloads: true });
const page = await context.newPage();
const consoleErrors = [];
// Refused statuses (401, 403) are expected here; what must never appear is a blocked script or style.
page.on('console', (m) => {
  if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) consoleErrors.push(m.text());
});
const shot = (name) => page.screenshot({ path: `${config.artifacts}/${scenario}-${name}.png`, fullPage: true });

async function login(name, password) {
  await page.goto(config.base + '/login');
  await page.fill('#name', name);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
}

// Posts a form the page does not offer, as the browser would (the session's cookie and its
// form token from any form on the page), and shows the answer: what a crafted request gets.
async function postForged(url, fields) {
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  await Promise.all([page.waitForNavigation(), page.evaluate(([url, fields]) => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = url;
    for (const [k, v] of Object.entries(fields)) {
      const i = document.createElement('input');
      i.type = 'hidden';
      i.name = k;
      i.value = v;
      f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  }, [url, { ...fields, csrf }])]);
}

// A minimal SMTP server on `port` that keeps every message it is given: the core emails an
// investigating officer their link, and only the officer's mailbox may see it.
function smtpSink(port) {
  const mails = [];
  const server = net.createServer((sock) => {
    let buf = '';
    let data = null;
    sock.write('220 sink ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data !== null) {
          if (line === '.') {
            mails.push(data);
            data = null;
            sock.write('250 kept\r\n');
          } else {
            data += (line.startsWith('..') ? line.slice(1) : line) + '\n';
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') {
          data = '';
          sock.write('354 go on\r\n');
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n');
        } else {
          sock.write('250 ok\r\n');
        }
      }
    });
    sock.on('error', () => {});
  });
  server.listen(port, '127.0.0.1');
  return {
    mails,
    close: () => server.close(),
    // The first message kept so far that matches `re`, waiting up to 15 s for it.
    async find(re) {
      for (let i = 0; i < 150; ++i) {
        const m = mails.find((x) => re.test(x));
        if (m) return m;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no message matching ' + re + ' reached the sink; it has ' + mails.length);
    },
  };
}

// A screenshot for docs/IG-GUIDE.md: the part of the page from the top of `from` to the bottom
// of `to` (CSS selectors), or the page's top 800 pixels.
async function docShot(name, from = null, to = null) {
  let clip = { x: 0, y: 0, width: 1280, height: 800 };
  if (from) {
    await page.evaluate(() => window.scrollTo(0, 0));  // boxes are measured from the viewport's top
    const a = await page.locator(from).first().boundingBox();
    const b = await page.locator(to || from).first().boundingBox();
    const top = Math.max(0, a.y - 16);
    clip = { x: 0, y: top, width: 1280, height: Math.min(1400, b.y + b.height + 16 - top) };
  }
  await page.screenshot({ path: `${config.artifacts}/doc-${scenario}-${name}.png`, clip, fullPage: true });
}

// An element by its id (ids of object fields hold a dot, which a CSS #id would read as a class).
const byId = (id) => page.locator(`[id="${id}"]`);

// Opens a form section, fills it (text, date and time inputs; selects; tick lists as arrays),
// saves it and checks the page took it (no refusal shown) unless `refused` is expected.
async function saveSection(section, fields, { reason = '', refused = false } = {}) {
  const form = byId('form-' + section);
  const details = form.locator('xpath=..');
  if (!(await details.getAttribute('open') !== null)) await details.locator('summary').click();
  for (const [name, value] of Object.entries(fields)) {
    const el = byId(section + '-' + name);
    if (Array.isArray(value)) {
      for (const v of value) await el.locator(`input[value="${v}"]`).check();
    } else if ((await el.evaluate((e) => e.tagName)) === 'SELECT') {
      await el.selectOption(String(value));
    } else {
      await el.fill(String(value));
    }
  }
  if (reason) await byId(section + '-reason').fill(reason);
  await Promise.all([page.waitForNavigation(), byId('form-' + section + '-save').click()]);
  const error = (await page.locator('#error').count()) ? await page.textContent('#error') : '';
  if (refused) check(error !== '', section + ' was meant to be refused');
  else check(error === '', section + ' saved, but the page said: ' + error);
  return error;
}

// Accepts the scan's suggestion beside a field.
async function accept(section, field) {
  await byId('form-' + section).locator('xpath=..').locator('summary').click();
  await Promise.all([page.waitForNavigation(), byId('accept-' + section + '-' + field).click()]);
  check(!(await page.locator('#error').count()), 'the suggestion for ' + field + ' was accepted');
}

// Moves the case; returns the refusal shown, or ''.
async function moveTo(status, reason = '') {
  await page.selectOption('#to', status);
  if (reason) await page.fill('#reason', reason);
  await Promise.all([page.waitForNavigation(), page.click('#move')]);
  return (await page.locator('#error').count()) ? await page.textContent('#error') : '';
}

async function logout() {
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
}

// London wall-clock time `minutes` ago, as a datetime-local input wants it.
function londonMinutesAgo(minutes) {
  const t = new Date(Date.now() - minutes * 60000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(t).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

try {
  if (scenario === 'ig') {
    // Not logged in: the dashboard sends you to the login page.
    await page.goto(config.base + '/');
    check(page.url().endsWith('/login'), 'without a session the dashboard redirects to /login, got ' + page.url());
    await shot('login');
    await login('ig1', 'wrong password here');
    check((await page.textContent('#error')).includes('not right'), 'a wrong password is refused');
    await login('ig1', config.password);
    check((await page.textContent('h1')) === 'Incidents', 'logged in to the dashboard');
    const row = page.locator('#queue tbody tr', { hasText: config.incident_title });
    check((await row.count()) === 1, 'the auto-filed incident is in the queue');
    await shot('dashboard');
    await Promise.all([page.waitForNavigation(), row.locator('a').click()]);
    check((await page.textContent('#evidence')).includes('NHS_NUMBER'), 'the incident shows what the filter saw');
    check((await page.textContent('#nhs-result')).includes('Not assessed'), 'not assessed yet');
    check((await page.textContent('#related')).includes('Stopped by sendguard'), 'the near miss about the same email is linked');
    // At a glance: the number (none yet) and the deadline that matters, in London time.
    check((await page.textContent('#incident-number')) === 'not given yet', 'no incident number yet');
    check(/The 72 hours to tell the ICO: due \w{3} \d+ \w{3} \d{4} \d\d:\d\d (GMT|BST)/.test(await page.textContent('#deadline')),
          'the ICO deadline is on the page, got ' + (await page.textContent('#deadline')));
    check(!(await page.textContent('#audit')).includes('{"created_at"'), 'the audit trail shows no raw JSON');
    await shot('incident');
    // Assess: likelihood 4, impact 4 -> 16, red, reportable.
    await page.fill('#nhs_rationale', 'Twelve NHS numbers with mental health detail sent outside the council.');
    await Promise.all([page.waitForNavigation(), page.click('#cell-4-4')]);
    check((await page.textContent('#nhs-score')) === '16', 'score 16 after choosing 4 x 4');
    check((await page.textContent('#reportable')) === 'reportable to the ICO', 'reportable after 4 x 4');
    await shot('assessed');
    // A lower cell changes both.
    await Promise.all([page.waitForNavigation(), page.click('#cell-2-1')]);
    check((await page.textContent('#nhs-score')) === '2', 'score 2 after 2 x 1');
    check((await page.textContent('#reportable')) === 'not reportable', 'not reportable after 2 x 1');
    // The ENISA calculator: an adjustment outside the allowed set is refused with its reason ...
    await page.selectOption('#dpc-category-0', 'SENSITIVE');
    await page.selectOption('#dpc-adjustment-0', '1');
    await page.fill('#dpc-reason-0', 'test results');
    await page.selectOption('#enisa-enisa_ei', 'SIGNIFICANT');
    await page.selectOption('#enisa-enisa_cb_confidentiality', 'UNKNOWN_RECIPIENTS');
    await Promise.all([page.waitForNavigation(), page.click('#form-enisa-save')]);
    check((await page.textContent('#error')).includes('adjustment'), 'SENSITIVE +1 is refused: ' + (await page.textContent('#error')));
    check((await page.textContent('#enisa-result')).includes('Not computed'), 'nothing saved');
    // ... and inputs within it give SE = 4 x 0.75 + 0.5 = 3.5, high.
    await page.selectOption('#dpc-category-0', 'SENSITIVE');
    await page.selectOption('#dpc-adjustment-0', '0');
    await page.selectOption('#enisa-enisa_ei', 'SIGNIFICANT');
    await page.selectOption('#enisa-enisa_cb_confidentiality', 'UNKNOWN_RECIPIENTS');
    await page.selectOption('#enisa-enisa_cb_integrity', 'NONE_EVIDENCED');
    await page.selectOption('#enisa-enisa_cb_availability', 'RECOVERABLE_WITHOUT_DIFFICULTY');
    await page.selectOption('#enisa-enisa_cb_malicious', 'false');
    await page.fill('#enisa-enisa_rationale', 'Mental health detail to an unknown outside recipient.');
    await Promise.all([page.waitForNavigation(), page.click('#form-enisa-save')]);
    check((await page.textContent('#enisa-se')) === '3.5', 'SE 3.5, got ' + (await page.textContent('#enisa-result')));
    check((await page.textContent('#enisa-band')) === 'High', 'band High');
    await shot('enisa');
    // A breach form section, edited and saved on its own.
    await page.click('#form-s5 >> xpath=.. >> summary');
    await page.fill('#s5-s5_what_happened', 'A referral list was sent to an outside address by mistake.');
    await page.selectOption('#s5-s5_happened_before', 'NO');
    await Promise.all([page.waitForNavigation(), page.click('#form-s5-save')]);
    check((await page.inputValue('#s5-s5_what_happened')).startsWith('A referral list'), 'section 5 saved');
    check((await page.textContent('#audit')).includes('s5_what_happened'), 'the edit is in the audit trail');
    await page.click('#form-s7 >> xpath=.. >> summary');
    await page.fill('#s7-s7_individuals_affected', '12');
    await page.check('#s7-s7_subject_categories input[value=PATIENTS]');
    await Promise.all([page.waitForNavigation(), page.click('#form-s7-save')]);
    check((await page.inputValue('#s7-s7_individuals_affected')) === '12', 'section 7 saved');
    check(await page.isChecked('#s7-s7_subject_categories input[value=PATIENTS]'), 'the tick is kept');
    await page.click('#form-s7 >> xpath=.. >> summary');
    // Section 1 on a triaged breach: the council knew earlier. Without a reason the change is
    // refused, says why, and keeps what was typed; with one it is saved.
    await page.click('#form-s1 >> xpath=.. >> summary');
    await page.fill('#s1-s1_aware_local', '2026-11-20T08:30');
    await Promise.all([page.waitForNavigation(), page.click('#form-s1-save')]);
    check((await page.textContent('#error')).includes('reason'), 'a change of awareness without a reason is refused with why');
    await page.click('#form-s1 >> xpath=.. >> summary');
    check((await page.inputValue('#s1-s1_aware_local')) === '2026-11-20T08:30', 'what was typed survives the refusal');
    await page.fill('#s1-reason', 'The recipient replied on 20 November.');
    await Promise.all([page.waitForNavigation(), page.click('#form-s1-save')]);
    check(!(await page.locator('#error').count()), 'section 1 saved with a reason');
    check((await page.inputValue('#s1-s1_aware_local')) === '2026-11-20T08:30', 'the earlier awareness is kept');
    check((await page.textContent('#audit')).includes('The recipient replied on 20 November.'), 'the reason is in the audit trail');
    // The office section saves (its "logged" line is shown, not posted: the system sets it).
    await page.click('#form-office >> xpath=.. >> summary');
    await page.selectOption('#office-office_staff_letter_sent', 'YES');
    await page.fill('#office-office_next_steps', 'Refresher training for the team.');
    await Promise.all([page.waitForNavigation(), page.click('#form-office-save')]);
    check(!(await page.locator('#error').count()), 'the office section saved without an error');
    check((await page.inputValue('#office-office_next_steps')) === 'Refresher training for the team.', 'office section saved');
    check((await page.inputValue('#office-office_staff_letter_sent')) === 'YES', 'the letter answer is kept');
    await page.click('#form-office >> xpath=.. >> summary');
    await shot('breach-form');
    // The ICO decision is the DPO's: an IG officer is not offered the form, and a decision
    // posted anyway (with the session's own form token) is refused with the reason in words.
    const incidentUrl = page.url();
    check((await page.locator('#ico-form').count()) === 0, 'no ICO decision form for an IG officer');
    check((await page.textContent('#ico-decision-who')).includes('Only the DPO'), 'the page says who decides');
    await postForged(incidentUrl + '/ico-decision', { decision: 'REPORT', rationale: 'Reportable on the grid.' });
    check((await page.textContent('#error')).includes('only the DPO decides'), 'a forged decision is refused: ' +
          (await page.textContent('#error')));
    check((await page.textContent('#ico-decision')).includes('Not decided'), 'nothing recorded');
    await shot('ico-refused');
    await Promise.all([page.waitForNavigation(), page.click('#logout')]);
    check(page.url().endsWith('/login'), 'logged out');
    await login('dpo1', config.password);
    await page.goto(incidentUrl);
    await page.check('input[name=decision][value=DO_NOT_REPORT]');
    await page.fill('#rationale', 'Recipient confirmed deletion within the hour.');
    await Promise.all([page.waitForNavigation(), page.click('#decide')]);
    check((await page.textContent('#ico-decision')).includes('Do not report'), 'the DPO records the decision');
    check((await page.textContent('#audit')).includes('dpo_ico_decision'), 'the decision is in the audit trail');
    await shot('ico-decided');
    // Reports: the page and a CSV download.
    await page.goto(config.base + '/reports');
    check((await page.textContent('#report')).length > 100, 'the committee report is shown');
    check((await page.locator('#report svg').count()) > 0, 'with charts');
    await shot('reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csv = readFileSync(await download.path(), 'utf8');
    check(csv.split('\n').length > 3, 'the CSV has rows: ' + csv.slice(0, 200));
    // The admin page: the milter's live rule set and counters (read-only).
    await page.click('text=Mail filter');
    check((await page.textContent('h1')) === 'Mail filter', 'the admin page');
    if (config.milter) check((await page.textContent('#rules-version')).length > 0, 'the live rule set version');
    await shot('admin');
  } else if (scenario === 'new') {
    await login('ig1', config.password);
    await Promise.all([page.waitForNavigation(), page.click('#new-incident')]);
    check((await page.textContent('h1')) === 'A new incident', 'the New incident page');
    // A first try without a title is refused, and what was typed is still there.
    await page.selectOption('#new-kind', 'BREACH');
    await page.check('#new-s4_types input[value=UNAUTHORISED_ACCESS]');
    await page.selectOption('#new-disclosure_channel', 'SYSTEM_SHARE');
    await page.fill('#new-s1_aware_local', '2026-11-30T10:15');
    await page.fill('#new-s5_what_happened', 'A member of staff looked up a neighbour in the case system without a business need.');
    await Promise.all([page.waitForNavigation(), page.click('#form-new-save')]);
    check((await page.textContent('#error')).includes('title'), 'a missing title is refused with why');
    check((await page.inputValue('#new-s5_what_happened')).startsWith('A member of staff'), 'what was typed survives');
    check(await page.isChecked('#new-s4_types input[value=UNAUTHORISED_ACCESS]'), 'the tick survives');
    await page.fill('#new-title', 'Case system looked up without a business need');
    await Promise.all([page.waitForNavigation(), page.click('#form-new-save')]);
    check(page.url().includes('/incidents/') && !page.url().endsWith('/new'), 'filed: the incident page, got ' + page.url());
    check((await page.getAttribute('#kind', 'data-value')) === 'BREACH', 'filed as a breach');
    check(/The 72 hours to tell the ICO: due Thu 3 Dec 2026 10:15 GMT/.test(await page.textContent('#deadline')),
          'the ICO clock runs from the awareness typed, got ' + (await page.textContent('#deadline')));
    await shot('filed');
    // The IG assessment on its page: number, cause, who was involved, behaviour.
    await page.click('#form-ig >> xpath=.. >> summary');
    await page.fill('#ig-incident_number', 'IG-2026-0077');
    await page.selectOption('#ig-root_cause', 'UNAUTHORISED_ACCESS');
    await page.check('#ig-cia_categories input[value=CONFIDENTIALITY]');
    await page.selectOption('#ig-actor_type', 'COUNCIL_EMPLOYEE');
    await page.selectOption('#ig-behaviour', 'DELIBERATE');
    await Promise.all([page.waitForNavigation(), page.click('#form-ig-save')]);
    check(!(await page.locator('#error').count()), 'the IG assessment saved');
    check((await page.textContent('#incident-number')) === 'IG-2026-0077', 'the number is at the top');
    check((await page.textContent('#audit')).includes('behaviour'), 'the assessment is in the audit trail');
    await page.click('#form-ig >> xpath=.. >> summary');
    await shot('assessed');
  } else if (scenario === 'staff') {
    await page.goto(config.link);
    check((await page.textContent('h1')).includes('not been sent yet'), 'the hold page');
    await shot('hold');
    await page.check('input[name=reason][value=RECIPIENTS_CHECKED]');
    await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
    check((await page.textContent('.done')).includes('has been sent'), 'confirmed');
    await shot('sent');
    await page.goto(config.link);
    check((await page.textContent('.refused')).includes('already been sent'), 'the same link a second time is refused');
    await shot('used-link');
  } else if (scenario === 'report-request') {
    await page.goto(config.base + '/staff/report');
    await shot('request');
    await page.fill('#email', config.email);
    await Promise.all([page.waitForNavigation(), page.click('#request')]);
    check((await page.textContent('#requested')).includes('a link is on its way'), 'the link was requested');
    await shot('requested');
  } else if (scenario === 'report') {
    await page.goto(config.link);
    check((await page.textContent('h1')).includes('Which email'), 'the list of sends');
    const choice = page.locator('#report-form label', { hasText: config.domain });
    check((await choice.count()) >= 1, 'the send to ' + config.domain + ' is listed');
    await choice.first().locator('input').check();
    await page.fill('#name', 'Sam Okafor');
    await page.fill('#note', 'Sent to P Jones at the wrong council, not room 12.');
    await shot('report');
    await Promise.all([page.waitForNavigation(), page.click('#report')]);
    check((await page.textContent('#reported')).includes('has been told'), 'reported');
    await shot('reported');
    await page.goto(config.link);
    check((await page.textContent('h1')).includes('cannot be used again'), 'the link a second time is refused');
  } else if (scenario === 'general-report') {
    // A member of staff reports something that was not an email, through their emailed link.
    await page.goto(config.link);
    // With no sends on record the form is already open; otherwise it is one click away.
    if ((await page.getAttribute('#general-report', 'open')) === null) await page.click('#general-report summary');
    await page.check('#general-form input[name=type][value=LOST_INFORMATION]');
    await page.fill('#general-aware', londonMinutesAgo(90));
    await page.fill('#general-name', 'Sam Okafor');
    await page.fill('#general-what', 'A folder of case notes was left on the number 42 bus; the bus company has it.');
    await shot('form');
    await docShot('form', '#general-report');
    await Promise.all([page.waitForNavigation(), page.click('#general-report-send')]);
    check((await page.textContent('#reported')).includes('has been told'), 'reported');
    await shot('reported');
    await page.goto(config.link);
    check((await page.textContent('h1')).includes('cannot be used again'), 'the link a second time is refused');
  } else if (scenario === 'close-near-miss') {
    // The IG team takes the staff member's report to closure in the pages: a near miss (the
    // folder came back unopened), assessed, not reportable, closed.
    await login(config.user, config.password);
    const row = page.locator('#queue tbody tr', { hasText: config.title });
    check((await row.count()) === 1, 'the staff report is in the queue');
    await Promise.all([page.waitForNavigation(), row.locator('a').click()]);
    check((await page.textContent('#breach-form')).length > 0, 'the breach form');
    await byId('form-s5').locator('xpath=..').locator('summary').click();
    check((await page.inputValue('#s5-s5_what_happened')).includes('number ## bus'), 'their words, digits masked');
    await saveSection('ig', { kind: 'NEAR_MISS', incident_number: 'IG-2026-0202', root_cause: 'HUMAN_ERROR' });
    const early = await moveTo('CLOSED');
    check(early.includes('To move to closed'), 'a refused move says what it needs, in words: ' + early);
    check((await moveTo('ASSESSED')) === '', 'assessed');
    check((await moveTo('NOT_REPORTABLE')) === '', 'not reportable');
    check((await moveTo('CLOSED')) === '', 'closed');
    check((await page.getAttribute('#status', 'data-value')) === 'CLOSED', 'CLOSED');
    await shot('closed');
    await docShot('closed');
  } else if (scenario === 'walk') {
    const url = config.base + '/incidents/' + config.incident;
    const sink = smtpSink(config.smtp_port);
    const status = async () => page.getAttribute('#status', 'data-value');
    // 1. The IG officer triages: a breach, logged with a number, section 1 as found at triage,
    //    and an investigating officer, who is sent a link.
    await login('ig1', config.password);
    await page.goto(url);
    check((await page.textContent('#evidence')).includes('NHS_NUMBER'), 'what the filter saw');
    await shot('01-ig-opens-the-draft');
    await docShot('01-story', 'h1', '#evidence');
    await saveSection('ig', { kind: 'BREACH', incident_number: 'IG-2026-0101', root_cause: 'HUMAN_ERROR',
                              cia_categories: ['CONFIDENTIALITY'], disclosure_channel: 'EMAIL' });
    await saveSection('s1', { s1_name: 'Sam Okafor', s1_email: 'sam.okafor@council.example.gov.uk',
                              s1_aware_local: londonMinutesAgo(30),
                              s1_how_found_out: 'The sender confirmed the warning, then realised the address was wrong.' },
                      { reason: 'Section 1 as found at triage' });
    // The staff directory suggests the sender's line manager; accepting it sends their link.
    check((await byId('suggest-officer-investigating_officer.id').textContent()).includes(config.officer),
          'the directory suggests the line manager');
    await accept('officer', 'investigating_officer.id');
    check((await page.textContent('#notice')).includes('A link to the case was sent to ' + config.officer), 'the link is sent');
    check((await page.textContent('#officer')).includes('Lee Manager'), 'the officer is the line manager');
    check(!(await page.content()).includes('/officer/'), 'the link is not shown to the IG officer');
    const mail = await sink.find(new RegExp('/officer/[0-9a-f]{64}'));
    check(mail.includes('To: <' + config.officer + '>'), 'the link went to the officer');
    const officerLink = mail.match(/https?:\/\/\S+\/officer\/[0-9a-f]{64}/)[0];
    await shot('02-ig-assigns-the-investigating-officer');
    await docShot('02-officer-link', '#notice', '#officer');
    check((await moveTo('UNDER_INVESTIGATION')) === '', 'moved to under investigation');
    check((await status()) === 'UNDER_INVESTIGATION', 'under investigation');
    await logout();
    // 2. The investigating officer opens the link: their case only, the breach form to complete,
    //    with the scan's suggestions to accept; no IG assessment, status or ICO forms.
    await page.goto(officerLink);
    await Promise.all([page.waitForNavigation(), page.click('#open-case')]);
    check(page.url().endsWith('/incidents/' + config.incident), 'the link opens the case, got ' + page.url());
    check((await page.textContent('#who')).includes('investigating officer'), 'signed in as the investigating officer');
    check((await page.locator('#transition-form').count()) === 0, 'no status form for the officer');
    check((await byId('form-ig-save').count()) === 0, 'no IG assessment form for the officer');
    check((await page.locator('#ico-form').count()) === 0, 'no ICO decision form for the officer');
    check((await page.textContent('#clock-FORM_24H')).includes('due'), "the officer sees the form's 24 hours");
    await shot('03-officer-opens-the-link');
    await docShot('03-officer-view');
    // Section 2 from the sender and the directory, section 3's line manager from the directory.
    await byId('form-s2').locator('xpath=..').locator('summary').click();
    await docShot('04-suggestions', '[id="form-s2"]');
    await byId('form-s2').locator('xpath=..').locator('summary').click();
    for (const field of ['s2_email', 's2_name', 's2_directorate', 's2_service_area']) await accept('s2', field);
    await saveSection('s2', { s2_date_of_breach: '2026-11-20', s2_gdpr_training_last_year: 'YES' });
    check((await page.inputValue('#s2-s2_directorate')) === "Children's Services", 'the directorate from the directory');
    await accept('s3', 's3_line_manager_name');
    await accept('s3', 's3_line_manager_email');
    await saveSection('s3', { s3_head_of_service_name: 'Head of Early Help', s3_head_of_service_email: 'head.earlyhelp@council.example.gov.uk' });
    await accept('s4', 's4_types');
    await saveSection('s4', { s4_cyber_related: 'NO' });
    await saveSection('s5', { s5_what_happened: 'A referral was sent to a similarly named address at another organisation.',
                              s5_happened_before: 'NO' });
    await accept('s6', 's6_data_categories');
    await accept('s7', 's7_subject_categories');
    await accept('s7', 's7_individuals_affected');
    await saveSection('s8', { s8_potential_consequences: 'Distress to the families; possible harm if shared further.',
                              s8_actual_harm: 'None known.', s8_likelihood: 'UNLIKELY',
                              s8_likelihood_justification: 'The recipient is a professional and has been asked to delete it.' });
    await saveSection('s9', { s9_measures_in_place: 'Address autocomplete warnings; sendguard warns on outside recipients.',
                              s9_actions_taken_or_proposed: 'Deletion requested; team reminded to check recipients.' });
    check((await page.textContent('#clock-FORM_24H')).includes('(met)'), 'the completed form stops its clock: ' +
          (await page.textContent('#clock-FORM_24H')));
    // The officer proposes a cell of the grid (the IG officer confirms or changes it).
    await page.fill('#nhs_rationale', 'Proposed: health records of children, recipient a professional.');
    await Promise.all([page.waitForNavigation(), page.click('#cell-2-3')]);
    check(!(await page.locator('#error').count()), 'the officer may propose a cell');
    check((await page.textContent('#nhs-result')).includes('Score'), 'the proposal is scored');
    await shot('04-officer-completes-the-form');
    // The officer's link gives them their case, not the queue: another case is refused.
    await page.goto(config.base + '/incidents/' + config.other_incident);
    check((await page.textContent('#error')).includes('not assigned to you'), 'another case is refused in words');
    await page.goto(config.base + '/');
    check((await page.textContent('h1')) === 'My cases', 'the officer sees My cases');
    check((await page.locator('#queue tbody tr').count()) === 1, 'only their case is listed');
    await logout();
    // 3. The IG officer assesses: a refusal in words first, then the grid, containment,
    //    escalations (the SIRO and the Caldicott Guardian told), and ASSESSED.
    await login('ig1', config.password);
    await page.goto(url);
    await saveSection('containment', { containment: ['RECOVERED_OR_DESTROYED_CONFIRMED'], records_affected: 12 });
    // Saving a section that shows when the council became aware, unchanged, needs no reason.
    await saveSection('circumstances', { sf_vulnerable_children: 'true', media_interest: 'NO', ict_asset_involved: 'NO' });
    await page.fill('#nhs_rationale', 'Twelve health records to a professional outside; deletion confirmed.');
    await Promise.all([page.waitForNavigation(), page.click('#cell-2-3')]);
    check((await page.textContent('#nhs-score')) !== '', 'the grid is scored');
    await saveSection('escalations', { 'escalations.siro_informed_at': londonMinutesAgo(20),
                                       'escalations.caldicott_informed_at': londonMinutesAgo(20) });
    check((await moveTo('ASSESSED')) === '', 'assessed');
    check((await status()) === 'ASSESSED', 'ASSESSED');
    await shot('05-ig-assesses');
    await docShot('05-assessed', 'h1', '#nhs-result');
    await logout();
    // 4. The SIRO and the Caldicott Guardian see the case told to them, read it and add a note.
    for (const [user, role, note] of [['siro1', 'SIRO', 'Discussed at the weekly SIRO meeting.'],
                                      ['cg1', 'Caldicott Guardian', 'Health data: content with the handling.']]) {
      await login(user, config.password);
      check((await page.textContent('#who')).includes(role), 'signed in as the ' + role);
      const row = page.locator('#queue tbody tr', { hasText: 'IG-2026-0101' });
      check((await row.count()) === 1, 'the ' + role + ' sees the case escalated to them');
      await Promise.all([page.waitForNavigation(), row.locator('a').click()]);
      check((await page.locator('#transition-form').count()) === 0, 'no status form for the ' + role);
      await byId('form-note').locator('xpath=..').locator('summary').click();
      await page.fill('#note-text', note);
      await Promise.all([page.waitForNavigation(), page.click('#form-note-save')]);
      check((await page.textContent('#audit')).includes(note), 'the ' + role + "'s note is on the case");
      await shot('06-' + user + '-reads-the-case');
      if (user === 'siro1') await docShot('06-siro-note', '#ico-decision', '#audit');
      await logout();
    }
    // 5. The DPO decides: report to the ICO, and tell the families directly.
    await login('dpo1', config.password);
    await page.goto(url);
    await page.check('input[name=decision][value=REPORT]');
    await page.fill('#rationale', 'Health data of twelve children outside the council: reportable on the grid.');
    await Promise.all([page.waitForNavigation(), page.click('#decide')]);
    check((await page.textContent('#ico-decision')).includes('Report'), 'the DPO decided');
    await saveSection('individuals', { dpo_individuals_decision: 'COMMUNICATE_DIRECTLY',
                                       dpo_individuals_rationale: 'The families should hear it from us.' });
    await saveSection('office', { office_date_discussed_with_dpo: londonMinutesAgo(10).slice(0, 10) });
    await shot('07-dpo-decides');
    await docShot('07-dpo-decision', '#ico-decision');
    await logout();
    // 6. The IG officer reports to the ICO, records that the families were told, the ICO's
    //    outcome, an action done and the lessons, and closes the case.
    await login('ig1', config.password);
    await page.goto(url);
    await page.locator('#form-ico-submission').locator('xpath=..').locator('summary').click();
    await page.fill('#sub-at', londonMinutesAgo(5));
    await page.fill('#sub-ref', 'ICO/00123456');
    await Promise.all([page.waitForNavigation(), page.click('#form-ico-submission-save')]);
    check((await page.textContent('#ico-submissions')).includes('ICO/00123456'), 'the submission is recorded');
    check((await moveTo('REPORTED_TO_ICO')) === '', 'reported to the ICO');
    // The letters to the families: the English words (prefilled from the form) made final, a
    // letter produced as a PDF and recorded as posted; the Welsh words written and the Welsh
    // email version sent to a parent. Recording a letter records that the families were told.
    check((await page.inputValue('#letter-en-consequences')).includes('Distress to the families'), 'prefilled from section 8');
    await page.fill('#letter-en-advice', 'If anyone contacts you about this, please tell us.');
    await page.check('#letter-en-final');
    await Promise.all([page.waitForNavigation(), page.click('#letter-en-save')]);
    check((await page.textContent('#letter-en summary')).includes('final'), 'the English letter is final');
    await page.fill('#letter-name', 'Mrs Alex Example');
    await page.fill('#letter-address', '1 Sample Road\nExampletown\nEX2 2BB');
    await page.selectOption('#letter-format', 'pdf');
    await docShot('11-letters', '#letters', '#letter-form');
    const [letterPdf] = await Promise.all([page.waitForEvent('download'), page.click('#letter-post')]);
    await letterPdf.saveAs(config.artifacts + '/walk-letter-en.pdf');
    check(readFileSync(config.artifacts + '/walk-letter-en.pdf').subarray(0, 5).toString() === '%PDF-', 'the letter is a PDF');
    await page.goto(url);
    check((await page.textContent('#letters-sent')).includes('Posted'), 'the posted letter is recorded');
    check(!(await page.textContent('#letters-sent')).includes('Sample Road'), 'the address is not kept');
    await page.locator('#letter-cy summary').click();
    await page.fill('#letter-cy-nature', 'Anfonwyd atgyfeiriad i gyfeiriad tebyg mewn sefydliad arall.');
    await page.fill('#letter-cy-data', 'Manylion iechyd eich plentyn.');
    await page.fill('#letter-cy-consequences', 'Gallai hyn beri gofid i deuluoedd.');
    await page.fill('#letter-cy-measures', 'Gofynnwyd i’r derbynnydd ddileu’r neges, ac fe wnaeth hynny.');
    await page.fill('#letter-cy-advice', '');
    await page.check('#letter-cy-final');
    await Promise.all([page.waitForNavigation(), page.click('#letter-cy-save')]);
    await page.fill('#letter-name', 'Mr Rhys Example');
    await page.fill('#letter-email', 'rhys.parent@example.net');
    await page.selectOption('#letter-role', 'PARENT');
    await page.fill('#letter-person', 'Cai Example');
    await page.selectOption('#letter-language', 'cy');
    await Promise.all([page.waitForNavigation(), page.click('#letter-email-send')]);
    const welsh = await sink.find(/Annwyl Mr Rhys Example/);
    check(welsh.includes('To: <rhys.parent@example.net>'), 'the Welsh letter went to the parent');
    check(welsh.includes('fel rhiant Cai Example') && welsh.includes('Swyddog Diogelu Data') && welsh.includes('Yn gywir'),
          'the email version is in Welsh: ' + welsh);
    check((await page.textContent('#letters-sent')).includes('Emailed'), 'the emailed letter is recorded');
    await docShot('12-letters-sent', '#letters-sent');
    // The ICO report, as the PDF and as a web page.
    const [icoPdf] = await Promise.all([page.waitForEvent('download'), page.click('#ico-report-pdf')]);
    await icoPdf.saveAs(config.artifacts + '/walk-ico-report.pdf');
    check(readFileSync(config.artifacts + '/walk-ico-report.pdf').subarray(0, 5).toString() === '%PDF-', 'the ICO report is a PDF');
    const [icoHtml] = await Promise.all([page.waitForEvent('download'), page.click('#ico-report-html')]);
    const report = readFileSync(await icoHtml.path(), 'utf8');
    for (const section of ['About your organisation', 'About the breach', 'Personal data placed at risk', 'Likely consequences',
                           'Containment and recovery', 'Telling the people affected', 'Cross-border', 'ICO/00123456']) {
      check(report.includes(section), 'the ICO report has ' + section);
    }
    await saveSection('ico-outcome', { ico_outcome: 'NO_FURTHER_ACTION' });
    await page.locator('#form-action-add').locator('xpath=..').locator('summary').click();
    await page.fill('#action-description', 'Team briefing on checking recipients before sending');
    await page.fill('#action-owner-name', 'Lee Manager');
    await page.fill('#action-owner-id', config.officer);
    await page.fill('#action-due', '2026-12-20');
    await Promise.all([page.waitForNavigation(), page.click('#form-action-add-save')]);
    check((await page.textContent('#action-plan')).includes('open'), 'the action is open');
    const blocked = await moveTo('CLOSED');
    check(blocked.includes('action'), 'an open action holds the case open, in words: ' + blocked);
    await Promise.all([page.waitForNavigation(), page.click('#action-done-0-save')]);
    check((await page.textContent('#action-plan')).includes('done'), 'the action is done');
    await saveSection('lessons', { lessons_learned: 'Autocomplete picks similar names: slow down on outside addresses.' });
    await shot('08-ig-reports-and-acts');
    await docShot('08-ico-and-actions', '#ico-submissions', '#action-plan');
    check((await moveTo('CLOSED')) === '', 'closed');
    check((await status()) === 'CLOSED', 'CLOSED');
    check((await page.textContent('#closed')).includes('closed and cannot be changed'), 'the page says it is closed');
    check((await page.locator('main form.form-section button[type=submit]').count()) === 0, 'no form but the status change');
    // A change posted anyway (the section's form from before) is refused with the reason.
    await postForged(url + '/section/lessons', { lessons_learned: 'A change after closing.' });
    check((await page.textContent('#error')).toLowerCase().includes('reopen'), 'a change to a closed case is refused: ' +
          (await page.textContent('#error')));
    await shot('09-closed');
    await docShot('09-closed');
    await logout();
    // 7. The auditor reads it all and can change nothing.
    await login('aud1', config.password);
    await page.goto(url);
    check((await page.locator('main button[type=submit]:not(#logout)').count()) === 0, 'no button for the auditor');
    await shot('10-auditor-reads');
    sink.close();
  } else if (scenario === 'scoped') {
    // An IG officer limited to Children's Services: the other directorate's case is neither
    // listed nor opened.
    await login('igchildren', config.password);
    check((await page.textContent('#queue')).includes(config.mine_title), 'their directorate is listed');
    check(!(await page.textContent('#queue')).includes(config.other_title), 'the other directorate is not');
    await shot('queue');
    await page.goto(config.base + '/incidents/' + config.other_incident);
    check((await page.textContent('#error')).includes('another directorate'), 'the other directorate is refused in words');
    await shot('refused');
    await docShot('refused');
  } else {
    throw new Error('unknown scenario ' + scenario);
  }
  check(consoleErrors.length === 0, 'no Content-Security-Policy violations: ' + consoleErrors.join(' | '));
  console.log(`${scenario}: all checks passed`);
} catch (e) {
  await shot('failure').catch(() => {});
  console.error(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
