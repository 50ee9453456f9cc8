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
// Screenshots of every page go to CONFIG.artifacts.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';

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
    check((await page.textContent('#related')).includes('BLOCKED'), 'the near miss about the same email is linked');
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
    check((await page.textContent('#kind')) === 'BREACH', 'filed as a breach');
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
