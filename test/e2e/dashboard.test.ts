import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebIfStale } from '../../src/web/build-if-stale.ts';
import {
  ADMIN,
  ANALYST,
  CHROMIUM,
  FIXTURES,
  type ServedStore,
  screenshotDir,
  serveSeededStore,
  skipReason,
} from './harness.ts';

const reason = skipReason();
/** Generous: the analysis answers behind these pages are slow on a loaded 2-core CI machine. */
const WAIT = 45_000;
if (reason) console.warn(`test/e2e skipped: ${reason}`);

describe.skipIf(reason !== undefined)('dashboard in Chromium', () => {
  let served: ServedStore;
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    await buildWebIfStale();
    [served, browser, shots] = await Promise.all([
      serveSeededStore(),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
      screenshotDir(),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  /**
   * A fresh browser profile, signed in as the admin; dialogs are recorded and dismissed. Reduced
   * motion: charts draw at once, so screenshots never catch a transition.
   */
  async function signedIn(viewport = { width: 1280, height: 900 }, user = ADMIN) {
    const context: BrowserContext = await browser.newContext({
      viewport,
      locale: 'en-GB',
      reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(served.url);
    await page.getByLabel('User name').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'All domains' }).waitFor();
    return { page, context, dialogs };
  }

  /** What a person sees on opening the page: the first screen, not the whole scroll. */
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });

  it('refuses a wrong password and says so', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(served.url);
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong user name or password');
    await shot(page, 'login');
    await context.close();
  }, 120_000);

  it('lists the domains with policy, volume, pass rate, trend and next step', async () => {
    const { page, context } = await signedIn();
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count(), { timeout: WAIT }).toBeGreaterThanOrEqual(4);
    const bank = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'bank.example.co.jp', exact: true }) });
    await expect(bank.locator('.badge').first().textContent()).resolves.toMatch(
      /Passing|Needs attention|Failing/,
    );
    await expect(bank.locator('svg.sparkline polyline').count()).resolves.toBe(1);
    await shot(page, 'domains');
    await page.getByLabel('Find a domain').fill('univ');
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain('univ.example.ac.jp');
    await context.close();
  }, 120_000);

  it('opens a domain: the chart draws the days, the senders table has reasons', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'card.example.co.jp', exact: true }).click();
    await page.getByRole('heading', { name: 'card.example.co.jp', level: 1 }).waitFor();
    const chart = page.locator('#overview .chart svg');
    await chart.waitFor();
    // ECharts draws one path per bar: a month of days gives many.
    await expect.poll(() => chart.locator('path').count(), { timeout: WAIT }).toBeGreaterThan(20);
    const senders = page.locator('#senders tbody tr');
    await expect.poll(() => senders.count(), { timeout: WAIT }).toBeGreaterThan(1);
    await expect(page.locator('#senders').textContent()).resolves.toMatch(
      /Authorised|Suspicious|Forwarder|Known service/,
    );
    // The server pages, sorts and filters the senders: one class asked, only that class shown.
    await expect(page.locator('#senders .pager').textContent()).resolves.toMatch(/1–\d+ of \d+/);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/senders?') && r.url().includes('class=authorised')),
      page.locator('#senders select[name="class"]').selectOption('authorised'),
    ]);
    await expect
      .poll(async () => [...new Set(await page.locator('#senders tbody .badge').allTextContents())], {
        timeout: WAIT,
      })
      .toEqual(['Authorised']);
    await page.locator('#senders select[name="class"]').selectOption('');
    // The chart's figures are also a table, behind a disclosure, for screen readers.
    await page.getByText('The figures of this chart as a table').click();
    await expect.poll(() => page.locator('.chart-data tbody tr').count()).toBeGreaterThan(20);
    // The rollout plan lists its steps, each with a status.
    await expect.poll(() => page.locator('#plan [data-step]').count(), { timeout: WAIT }).toBe(5);
    await expect(page.locator('#plan [data-step="reject"] .badge').textContent()).resolves.toMatch(
      /done|ready|blocked|later/,
    );
    // The store holds DEMO_DAYS of reports: the 30-day period fills the chart.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/summary?since=30d')),
      page.getByLabel('Period').selectOption('30'),
    ]);
    await expect.poll(() => chart.locator('path').count(), { timeout: WAIT }).toBeGreaterThan(20);
    await shot(page, 'domain');
    await page.locator('#senders tbody a.ip').first().click();
    await page.getByRole('heading', { name: 'Why it fails' }).waitFor();
    await expect(page.locator('.figures').first().textContent()).resolves.toContain('Messages');
    await shot(page, 'sender');
    // The owner's mark overrides the classification, and can be taken back.
    await page.getByLabel('Your classification').selectOption('forwarder');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('main .badge').first().textContent(), { timeout: WAIT })
      .toBe('Forwarder');
    await page.getByRole('button', { name: 'Remove the mark' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Remove the mark' }).count(), { timeout: WAIT })
      .toBe(0);
    await context.close();
  }, 180_000);

  it('the simulator changes its figures with the policy', async () => {
    const { page, context } = await signedIn();
    await page.goto(`${served.url}/#/domains/card.example.co.jp`);
    const rejected = page.locator('#simulator [data-figure="would_reject"] dd');
    await rejected.waitFor({ timeout: WAIT });
    const underReject = await rejected.textContent();
    expect(Number(underReject?.replace(/\D/g, ''))).toBeGreaterThan(0);
    await page.getByLabel('Policy (p)').selectOption('none');
    await expect.poll(() => rejected.textContent(), { timeout: WAIT }).toBe('0');
    await page.getByLabel('Policy (p)').selectOption('quarantine');
    const quarantined = page.locator('#simulator [data-figure="would_quarantine"] dd');
    await expect
      .poll(async () => Number((await quarantined.textContent())?.replace(/\D/g, '')), { timeout: WAIT })
      .toBeGreaterThan(0);
    await page.locator('#simulator').screenshot({ path: path.join(shots, 'simulator.png') });
    await context.close();
  }, 180_000);

  it('shows the policy history, each step with its effect, and the domain failure reports', async () => {
    const { page, context } = await signedIn();
    await page.goto(`${served.url}/#/domains/card.example.co.jp`);
    // card.example.co.jp went none -> quarantine -> back to none with pct=50 (demo/story.ts).
    const steps = page.locator('#history li[data-step]');
    await expect.poll(() => steps.count(), { timeout: WAIT }).toBe(2);
    await expect(steps.nth(0).textContent()).resolves.toMatch(/stricter.*p=none.*→.*p=quarantine/);
    await expect(steps.nth(1).textContent()).resolves.toMatch(/looser.*p=quarantine.*→.*p=none pct=50/);
    // Before and after rows: the quarantine step quarantined mail the week after it.
    await expect(steps.nth(0).locator('tbody tr').count()).resolves.toBe(2);
    const quarantined = await steps.nth(0).locator('tbody tr').nth(1).locator('td').nth(4).textContent();
    expect(Number(quarantined?.replace(/\D/g, ''))).toBeGreaterThan(0);
    // The record asked for failure reports during quarantine: grouped by sender and identity.
    const reports = page.locator('#failures [data-figure="reports"] dd');
    await reports.waitFor({ timeout: WAIT });
    expect(Number((await reports.textContent())?.replace(/\D/g, ''))).toBeGreaterThan(0);
    await expect(page.locator('#failures').textContent()).resolves.toContain('By identity used');
    await page.locator('#history').screenshot({ path: path.join(shots, 'history.png') });
    await context.close();
  }, 180_000);

  it('switches to Japanese, server words included, and keeps the choice', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'すべてのドメイン' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ja');
    // The next steps come from the server, which answers in the language asked for.
    await expect
      .poll(() => page.locator('table tbody').textContent(), { timeout: WAIT })
      .toMatch(/[\u3040-\u30ff]/);
    await shot(page, 'domains-ja');
    await page.reload();
    await page.getByRole('heading', { name: 'すべてのドメイン' }).waitFor();
    await page.getByRole('link', { name: 'card.example.co.jp', exact: true }).click();
    await page.getByRole('heading', { name: '概要' }).waitFor();
    await expect.poll(() => page.locator('#senders').textContent(), { timeout: WAIT }).toMatch(/送信元|署名/);
    await expect
      .poll(() => page.locator('#overview .chart svg path').count(), { timeout: WAIT })
      .toBeGreaterThan(20);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/senders?since=30d')),
      page.getByLabel('期間').selectOption('30'),
    ]);
    await shot(page, 'domain-ja');
    await context.close();
  }, 120_000);

  it('uploads a report by drag and drop and lists it', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Upload' }).click();
    const xml = await readFile(path.join(FIXTURES, 'upload-report.xml'), 'utf8');
    const dataTransfer = await page.evaluateHandle(
      `(() => {
        const data = new DataTransfer();
        data.items.add(new File([${JSON.stringify(xml)}], 'upload-report.xml', { type: 'application/xml' }));
        return data;
      })()`,
    );
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer });
    const result = page.locator('.upload-results li');
    await result.waitFor({ timeout: WAIT });
    await expect(result.textContent()).resolves.toContain('received');
    await expect(result.locator('[data-figure="reports"] dd').textContent()).resolves.toBe('1');
    // A file that is no report is refused with the server's reason, next to its name.
    const notes = await page.evaluateHandle(
      `(() => {
        const data = new DataTransfer();
        data.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
        return data;
      })()`,
    );
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: notes });
    const refused = page.locator('.upload-results li.error');
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toContain('notes.txt');
    await expect(refused.textContent()).resolves.toContain('not accepted');
    // A file taken but giving no report: its reason once, starting with where it was.
    const empty = await page.evaluateHandle(
      `(() => {
        const data = new DataTransfer();
        data.items.add(new File([''], 'empty.xml', { type: 'application/xml' }));
        return data;
      })()`,
    );
    await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: empty });
    const unread = page.locator('.upload-results li p.error');
    await unread.waitFor();
    await expect(unread.textContent()).resolves.toBe(
      `Could not be read: upload by ${ADMIN.username}: empty.xml: The input is empty.`,
    );
    await shot(page, 'upload');
    await page.getByRole('link', { name: 'See the reports' }).click();
    await page.getByLabel('Reporter or report ID').fill('E2E Upload Org');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect
      .poll(() => page.locator('table tbody').textContent(), { timeout: WAIT })
      .toContain('e2e-upload-0001');
    await context.close();
  }, 180_000);

  it('shows markup from a report as text and runs none of it', async () => {
    const { page, context, dialogs } = await signedIn();
    await page.goto(`${served.url}/#/reports`);
    await page.getByLabel('Reporter or report ID').fill('e2e-hostile');
    await page.getByRole('button', { name: 'Show' }).click();
    const link = page.locator('table tbody a').first();
    await expect
      .poll(() => link.textContent(), { timeout: WAIT })
      .toBe('<img src=x onerror="window.__xss=1;alert(1)">Evil Org');
    await link.click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Evil Org' }).waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      '<img src=x onerror="window.__xss=1;alert(1)">Evil Org',
    );
    await expect(page.locator('[data-field="extraContactInfo"]').textContent()).resolves.toBe(
      '<script>window.__xss=2;alert(2)</script>',
    );
    await expect(page.locator('main table').textContent()).resolves.toContain('<svg onload=window.__xss=3>');
    // Its copy sent again with other content is listed, its source as text, with a link to its bytes.
    await page.getByRole('heading', { name: 'Other copies received' }).waitFor();
    await expect(page.locator('ul.copies li').textContent()).resolves.toContain(
      '<b onclick="window.__xss=4">resent</b>.xml',
    );
    await expect(page.locator('ul.copies a').getAttribute('href')).resolves.toMatch(
      /^\/api\/reports\/\d+\/copies\/\d+\/raw$/,
    );
    await page.getByRole('button', { name: 'Show the raw report' }).click();
    await expect
      .poll(() => page.locator('pre.raw').textContent(), { timeout: WAIT })
      .toContain('&lt;img src=x');
    await shot(page, 'report-hostile');
    await expect(page.locator('main img, main script, main svg[onload], main b').count()).resolves.toBe(0);
    // The hostile From domain is a subdomain of bank.example.co.jp: the domain page lists it.
    await page.goto(`${served.url}/#/domains/bank.example.co.jp`);
    await expect
      .poll(() => page.locator('#subdomains').textContent(), { timeout: WAIT })
      .toContain('<svg onload=window.__xss=3>.bank.example.co.jp');
    await expect(page.locator('main img, main script, main svg[onload]').count()).resolves.toBe(0);
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
    expect(dialogs).toEqual([]);
    await context.close();
  }, 180_000);

  it('reports, failure reports and settings pages render; a phone-sized screen still works', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await expect.poll(() => page.locator('table tbody tr').count(), { timeout: WAIT }).toBeGreaterThan(10);
    await shot(page, 'reports');
    await page.getByRole('link', { name: 'Failure reports' }).click();
    await page.getByRole('heading', { name: 'Failure reports' }).waitFor();
    await shot(page, 'failure-reports');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    await expect
      .poll(() => page.getByRole('tabpanel').textContent(), { timeout: WAIT })
      .toContain(ADMIN.username);
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('tab', { name: 'API tokens' }).getAttribute('aria-selected'))
      .toBe('true');
    await shot(page, 'settings');
    await page.getByRole('tab', { name: 'Quarantine' }).click();
    await expect
      .poll(() => page.getByRole('tabpanel').textContent(), { timeout: WAIT })
      .toContain('mailbox/broken.xml');
    // The quarantine comes a page at a time: the pager says how many there are.
    await expect
      .poll(() => page.getByRole('tabpanel').locator('.pager').textContent())
      .toMatch(/1–\d+ of \d+/);
    await page.getByRole('button', { name: 'Read them all again' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: WAIT })
      // The seeded broken.xml, and the upload test's empty.xml when it ran first.
      .toMatch(/^0 of [12] quarantined inputs gave their reports and left the quarantine\.$/);
    await shot(page, 'settings-quarantine');
    await context.close();

    const phone = await signedIn({ width: 390, height: 844 });
    await phone.page.getByRole('link', { name: 'card.example.co.jp', exact: true }).click();
    await phone.page.locator('#overview .chart svg').waitFor();
    await shot(phone.page, 'domain-phone');
    await phone.context.close();
  }, 180_000);

  it('runs the live check of a domain and lists its findings with fixes', async () => {
    const { page, context } = await signedIn();
    await page.goto(`${served.url}/#/domains/bank.example.co.jp`);
    await page.getByRole('button', { name: 'Run the check now' }).click();
    const check = page.locator('#check');
    await expect.poll(() => check.locator('.protocols li').count(), { timeout: WAIT }).toBeGreaterThan(3);
    await expect(check.textContent()).resolves.toContain('DMARC');
    await check.screenshot({ path: path.join(shots, 'check.png') });
    await context.close();
  }, 120_000);

  it('shows a stored survey with charts by category', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Surveys' }).click();
    await page.getByRole('link', { name: 'e2e-survey' }).click();
    await page.getByRole('heading', { name: 'e2e-survey', level: 1 }).waitFor();
    const charts = page.locator('.chart svg');
    await expect.poll(() => charts.count(), { timeout: WAIT }).toBe(2);
    await expect.poll(() => charts.first().locator('path').count(), { timeout: WAIT }).toBeGreaterThan(3);
    const table = page.getByRole('table', { name: 'Results by category' });
    await expect(table.textContent()).resolves.toContain('finance');
    await expect(table.textContent()).resolves.toContain('government');
    await shot(page, 'survey');
    await context.close();
  }, 120_000);

  it('an admin adds an IMAP source that leaves mail with nothing like a report where it is, then changes it, and a Microsoft 365 one', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Mailbox sources' }).click();
    await page.getByLabel(/^Mailbox URL/).fill('imaps://admin@imap.example/INBOX');
    await page
      .getByLabel('Leave mail with nothing like a report in it where it is (a mailbox shared with people)')
      .check();
    await page.getByRole('button', { name: 'Add' }).click();
    const row = page.getByRole('row', { name: /imaps:\/\/admin@imap\.example\/INBOX/ });
    await row.waitFor({ timeout: WAIT });
    const header = await page.getByRole('columnheader').allTextContents();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[header.indexOf('Other mail left')]).toBe('✓');

    // Changed in place: the form is filled with the source, Save sends what changed.
    await row.getByRole('button', { name: 'Change' }).click();
    await page.getByText('Changing imaps://admin@imap.example/INBOX').waitFor({ timeout: WAIT });
    const archive = page.getByLabel('Archive folder');
    expect(await archive.inputValue()).toBe('Sumi/Processed');
    await archive.fill('DMARC/Done');
    await page
      .getByLabel('Leave mail with nothing like a report in it where it is (a mailbox shared with people)')
      .uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'DMARC/Done' }).waitFor({ timeout: WAIT });
    const changed = await page
      .getByRole('row', { name: /imaps:\/\/admin@imap\.example\/INBOX/ })
      .getByRole('cell')
      .allTextContents();
    expect(changed[header.indexOf('Other mail left')]).toBe('✗');
    expect(await page.getByRole('button', { name: 'Add' }).count()).toBe(1);

    // A Microsoft 365 mailbox through Microsoft Graph, signing in as an application; its secret
    // is not in the server's environment, which its state says.
    await page.getByLabel(/^Mailbox URL/).fill('graph://dmarc@example.jp/Inbox');
    await page.getByLabel(/application \(client\) ID/).fill('00000000-1111-2222-3333-444444444444');
    await page.getByLabel(/application secret/).fill('SUMI_E2E_GRAPH_SECRET');
    await page.getByLabel(/^Microsoft Entra tenant/).fill('contoso.onmicrosoft.com');
    await page.getByLabel(/its Microsoft Graph URL/).fill('https://graph.microsoft.us');
    await page.getByRole('button', { name: 'Add' }).click();
    const graph = page.getByRole('row', { name: /graph:\/\/dmarc@example\.jp\/Inbox/ });
    await graph.waitFor({ timeout: WAIT });
    const graphHeader = await page.getByRole('columnheader').allTextContents();
    const graphCells = await graph.getByRole('cell').allTextContents();
    expect(graphCells[graphHeader.indexOf('Tenant')]).toBe('contoso.onmicrosoft.com');
    expect(graphCells[graphHeader.indexOf('Microsoft Graph URL')]).toBe('https://graph.microsoft.us');
    // Its Graph URL emptied in the form: the source goes back to the global service (none shown).
    await graph.getByRole('button', { name: 'Change' }).click();
    await page.getByText('Changing graph://dmarc@example.jp/Inbox').waitFor({ timeout: WAIT });
    await page.getByLabel(/its Microsoft Graph URL/).fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(
        async () =>
          (await graph.getByRole('cell').allTextContents())[graphHeader.indexOf('Microsoft Graph URL')],
        {
          timeout: WAIT,
        },
      )
      .toBe('–');
    expect((await graph.getByRole('cell').allTextContents())[graphHeader.indexOf('Tenant')]).toBe(
      'contoso.onmicrosoft.com',
    );
    await expect
      .poll(async () => (await graph.getByRole('cell').allTextContents())[graphHeader.indexOf('Status')], {
        timeout: WAIT,
      })
      .toContain('SUMI_E2E_GRAPH_SECRET');
    await context.close();
  }, 60_000);

  it('an admin pauses a mailbox source, which keeps its settings and says it is paused, then resumes it', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Mailbox sources' }).click();
    await page.getByLabel(/^Mailbox URL/).fill('imaps://pause@imap.example/INBOX');
    await page.getByLabel('Archive folder').fill('Paused/Done');
    await page.getByRole('button', { name: 'Add' }).click();
    const row = page.getByRole('row', { name: /imaps:\/\/pause@imap\.example\/INBOX/ });
    await row.waitFor({ timeout: WAIT });
    const header = await page.getByRole('columnheader').allTextContents();
    const cell = async (name: string) =>
      (await row.getByRole('cell').allTextContents())[header.indexOf(name)];
    // Its password is not in the server's environment: it fails, noisily, until paused.
    await expect.poll(() => cell('Status'), { timeout: WAIT }).toContain('no password');
    expect(await cell('Paused')).toBe('✗');

    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByRole('button', { name: 'Resume' }).waitFor({ timeout: WAIT });
    expect(await cell('Status')).toBe('Paused');
    expect(await cell('Paused')).toBe('✓');
    expect(await cell('Paused since')).toMatch(/\d/);
    expect(await cell('Archive folder')).toBe('Paused/Done');

    await row.getByRole('button', { name: 'Resume' }).click();
    await row.getByRole('button', { name: 'Pause' }).waitFor({ timeout: WAIT });
    expect(await cell('Paused')).toBe('✗');
    await expect.poll(() => cell('Status'), { timeout: WAIT }).toContain('no password');
    await context.close();
  }, 60_000);

  it('an admin adds a user for one domain, who sees only that domain', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    const client = { username: 'client-bank', password: 'client-password-0123' };
    await page.getByLabel('User name').fill(client.username);
    await page.getByLabel('Password (or leave empty for a setup link)').fill(client.password);
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByLabel('Domains it may see (comma-separated)').fill('bank.example.co.jp');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect
      .poll(() => page.getByRole('tabpanel').textContent(), { timeout: WAIT })
      .toContain(client.username);
    await context.close();

    const other = await signedIn(undefined, client);
    // Its domain and that domain's subdomains, nothing else.
    const names = other.page.locator('table tbody a.domain-name');
    await expect.poll(() => names.count(), { timeout: WAIT }).toBeGreaterThan(0);
    for (const name of await names.allTextContents()) expect(name).toMatch(/(^|\.)bank\.example\.co\.jp$/);
    await other.page.goto(`${served.url}/#/domains/card.example.co.jp`);
    await expect
      .poll(() => other.page.locator('#overview').textContent(), { timeout: WAIT })
      .toContain('Not found.');
    await other.context.close();
  }, 180_000);

  it("an admin changes a user's role and domains in place", async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByLabel('User name').fill('auditor-jp');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByLabel('Domains it may see (comma-separated)').fill('bank.example.co.jp');
    await page.getByRole('button', { name: 'Add' }).click();
    const row = page.getByRole('row', { name: /auditor-jp/ });
    await row.waitFor({ timeout: WAIT });

    await row.getByRole('button', { name: 'Change' }).click();
    await page.getByText('Changing auditor-jp').waitFor({ timeout: WAIT });
    // The name is shown, not changed; a password is not set here.
    expect(await page.getByLabel('User name').inputValue()).toBe('auditor-jp');
    expect(await page.getByLabel('User name').isDisabled()).toBe(true);
    expect(await page.getByLabel('Password (or leave empty for a setup link)').count()).toBe(0);
    expect(await page.getByLabel('Role').inputValue()).toBe('viewer');
    await page.getByLabel('Role').selectOption('analyst');
    await page
      .getByLabel('Domains it may see (comma-separated)')
      .fill('bank.example.co.jp, card.example.co.jp');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('cell', { name: 'bank.example.co.jp, card.example.co.jp' })
      .waitFor({ timeout: WAIT });
    const header = await page.getByRole('columnheader').allTextContents();
    const cells = await page
      .getByRole('row', { name: /auditor-jp/ })
      .getByRole('cell')
      .allTextContents();
    expect(cells[header.indexOf('Role')]).toBe('Analyst');
    await context.close();
  }, 60_000);

  it('an admin previews a retention policy, then saves one that keeps what it is shown', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Retention' }).click();
    const reports = page.getByLabel('Aggregate and SMTP TLS reports: days after their period');
    await reports.waitFor({ timeout: WAIT });
    expect(await reports.inputValue()).toBe('');
    // Counted only: the demo's 90 days of reports are all older than a day, and stay.
    await reports.fill('1');
    await page.getByRole('button', { name: 'What would go now' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: WAIT })
      .toMatch(/^Would delete now: [1-9][\d,]* aggregate reports .* Nothing was deleted\.$/);
    await reports.fill('');
    await page
      .getByLabel('Failure reports: days after the mail arrived (they carry personal data)')
      .fill('36500');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: WAIT })
      .toBe('Saved: applied within a few seconds, then once a day.');
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByRole('tab', { name: 'Retention' }).click();
    await expect
      .poll(
        () =>
          page
            .getByLabel('Failure reports: days after the mail arrived (they carry personal data)')
            .inputValue(),
        {
          timeout: WAIT,
        },
      )
      .toBe('36500');
    await expect.poll(() => page.getByText(/^Last applied /).count(), { timeout: WAIT }).toBe(1);
    await shot(page, 'settings-retention');
    await context.close();
  }, 60_000);

  it('is usable from the keyboard: skip link, then the navigation', async () => {
    const { page, context } = await signedIn();
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('main');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // The session is gone on the server too: reloading does not sign back in.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  }, 120_000);

  it('lists SMTP TLS reports per domain, then one domain with its failure details', async () => {
    const { page, context } = await signedIn();
    await page.getByRole('link', { name: 'TLS reports' }).click();
    await page.getByRole('heading', { name: 'SMTP TLS reports' }).waitFor();
    await page.getByRole('link', { name: 'bank.example.co.jp', exact: true }).click();
    await page.getByRole('heading', { name: 'bank.example.co.jp', level: 1 }).waitFor();
    // The demo's backup MX served an expired certificate for two days.
    await expect
      .poll(() => page.locator('#tls-failures').textContent(), { timeout: WAIT })
      .toContain('certificate-expired');
    await expect(page.locator('#tls-reports tbody tr').count()).resolves.toBeGreaterThan(1);
    const failed = Number(
      (await page.locator('[data-figure="failed"] dd').textContent())?.replace(/\D/g, ''),
    );
    expect(failed).toBeGreaterThan(0);
    await shot(page, 'tls');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('heading', { name: '失敗の詳細' }).waitFor();
    await expect(page.locator('[data-figure="failed"] dt').textContent()).resolves.toBe('失敗したセッション');
    await context.close();
  }, 120_000);

  it('a user changes their own password: the other sessions end, the new password signs in', async () => {
    const first = await signedIn(undefined, ANALYST);
    const second = await signedIn(undefined, ANALYST);
    const next = 'e2e-analyst-new-password';
    const { page } = first;
    await page.getByRole('link', { name: ANALYST.username }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByLabel('Current password').fill(ANALYST.password);
    await page.getByLabel('New password (10 characters or more)').fill(next);
    await page.getByLabel('New password again').fill(`${next}-typo`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('differ');
    await page.getByLabel('New password again').fill(next);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: WAIT })
      .toContain('Password changed');
    await shot(page, 'account');
    // This tab goes on; the other one is signed out.
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('heading', { name: 'All domains' }).waitFor();
    await second.page.reload();
    await second.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await second.context.close();
    // Signing out is a POST carrying the new CSRF token: the session ends on the server too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await first.context.close();
    const again = await signedIn(undefined, { username: ANALYST.username, password: next });
    await again.context.close();
  }, 120_000);
});
