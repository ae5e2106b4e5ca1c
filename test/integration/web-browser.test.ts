import type { Browser, Page } from 'playwright-core';
import { nthWorkingDayAfter } from '../../domain/calendar';
import type { SupportedAction } from '../../domain/case-actions';
import { addDays, beijingDateOfMs, type IsoDate } from '../../domain/dates';
import { ACTION_LABELS } from '../../domain/roles';
import { STAGE_DEFINITIONS, type Stage } from '../../domain/stages';
import { type FieldValue, fillFields, launchChromium, openSignInPage, reloadUntil, Screenshots, signInOn, VIEWPORT } from '../helpers/browser';
import { shippedCalendar, workingDaysBefore } from '../helpers/calendar';
import { WebStack } from '../helpers/web-stack';

// The browser tests of issue 9 (deliverables 4 and 6): Debian's Chromium, driven by playwright-core, clicks through
// the web app on the real stack (dev server, worker with every activity, SQLite register, local mail capture), one
// browser context per person. Along the way it takes the README's screenshots: `UPDATE_SCREENSHOTS=1` writes them
// to docs/screenshots/, otherwise to a temporary directory.

let web: WebStack;
let browser: Browser;
let shots: Screenshots;
/** Each person's signed-in page, in their own browser context (own cookies). */
const pages = new Map<string, Page>();

beforeAll(async () => {
  [web, browser] = await Promise.all([WebStack.start({ localMailCapture: true }), launchChromium()]);
  shots = new Screenshots();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  shots?.dispose();
}, 60_000);

const today = (): IsoDate => beijingDateOfMs(Date.now());

/** The working day `n` working days before today. */
const workingDaysAgo = (n: number): IsoDate => workingDaysBefore(n, today());

/** The person's page, signed in through the sign-in page on first use. */
async function as(userId: string): Promise<Page> {
  const known = pages.get(userId);
  if (known) return known;
  const page = await signInOn(await openSignInPage(browser, web.baseUrl), userId);
  pages.set(userId, page);
  return page;
}

const APPLICANT_EMAIL = 'lisi.applicant@example.cn';
const REPLY_NUMBER = /连资规依复〔20\d\d〕\d+号/;

/** An in-person application of one item, by a natural person who wants the information by e-mail. */
const inPersonApplication = (overrides: Record<string, string> = {}): Record<string, string> => ({
  'applicant.name': '李四',
  'applicant.idDocument.number': '11010519491231002X',
  'contact.phone': '0518-85820000',
  'contact.email': APPLICANT_EMAIL,
  'requestedItems.0.title': '2025年海州区某地块国有建设用地使用权出让规划条件',
  'requestedItems.0.documentNumber': '连规〔2025〕12号',
  'provision.form': 'electronic',
  'provision.manner': 'email',
  ...overrides,
});

/** Opens 登记新申请 for in-person requests, fills it and clicks 核对: resolves on the preview. */
async function preview(page: Page, values: Record<string, string>): Promise<void> {
  await page.goto('/register?channel=in-person');
  await fillFields(page.locator('form.intake-form'), values);
  await Promise.all([page.waitForSelector('#receipt'), page.getByRole('button', { name: '核对收到申请之日和期限' }).click()]);
}

/** Clicks 登记 on the preview: resolves on the new case's page with its case number. */
async function registerPreviewed(page: Page): Promise<string> {
  await Promise.all([page.waitForURL(/\/cases\/[A-Z][A-Z0-9-]+-\d{4}-\d{6}$/), page.getByRole('button', { name: '登记', exact: true }).click()]);
  return new URL(page.url()).pathname.split('/')[2]!;
}

const stageOf = (page: Page): Promise<string> => page.locator('#case-stage strong').innerText();

/**
 * Opens the case page, fills the form of `action` (its `variant`) — fields named by their payload path — and
 * clicks 提交. Resolves on the page after the redirect, having checked its 「已办理：…」 flash and the stage.
 */
async function act(
  userId: string,
  caseNumber: string,
  action: SupportedAction,
  { variant, values = {}, stage }: { variant?: string; values?: Record<string, FieldValue>; stage: Stage },
): Promise<Page> {
  const page = await as(userId);
  await page.goto(`/cases/${caseNumber}`);
  const form = page.locator(`form[data-action="${action}"]${variant ? `[data-variant="${variant}"]` : ':not([data-variant])'}`);
  if ((await form.count()) !== 1) throw new Error(`${userId} has no form for ${action} ${variant ?? ''} on ${caseNumber}`);
  await fillFields(form, Object.fromEntries(Object.entries(values).map(([name, value]) => [`f.${name}`, value])));
  await Promise.all([
    page.waitForURL((url) => url.searchParams.has('done') || url.pathname.endsWith('/act')),
    form.getByRole('button', { name: '提交' }).click(),
  ]);
  if (new URL(page.url()).pathname.endsWith('/act')) throw new Error(`${action} refused: ${await page.locator('.flash').innerText()}`);
  expect(new URL(page.url()).search).toBe(`?done=${action}`);
  expect(await page.locator('.flash-ok').innerText()).toBe(`已办理：${ACTION_LABELS[action]}`);
  expect(await stageOf(page)).toBe(STAGE_DEFINITIONS[stage].label);
  return page;
}

/** The act forms on the page: `action` or `action:variant`. */
const formsOn = (page: Page): Promise<string[]> =>
  page.locator('form[data-action]').evaluateAll((forms) => forms.map((f) => [f.getAttribute('data-action'), f.getAttribute('data-variant')].filter(Boolean).join(':')));

/** The documents table: type, number, the download links' labels, the delivery cell. */
const documentsOn = (page: Page): Promise<{ type: string; number: string; downloads: string[]; delivery: string }[]> =>
  page.locator('table.case-documents tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell) => (cell.textContent ?? '').trim());
      const downloads = [...row.querySelectorAll('a.case-download')].map((link) => (link.textContent ?? '').trim());
      return { type: cells[0] ?? '', number: cells[1] ?? '', downloads, delivery: cells[4] ?? '' };
    }),
  );

const signedReply = async (page: Page) => (await documentsOn(page)).find((d) => d.type.includes('政府信息公开申请答复书') && REPLY_NUMBER.test(d.number));

describe('the walkthrough, by clicking', () => {
  let caseNumber = '';

  test('a registrar enters an in-person request by e-mail, checks the receipt date and deadlines, and registers it', async () => {
    const page = await openSignInPage(browser, web.baseUrl);
    expect(await page.getByRole('heading', { name: '登录' }).isVisible()).toBe(true);
    await shots.take(page, 'login');
    await signInOn(page, 'zrzy.registrar');
    pages.set('zrzy.registrar', page);

    await page.getByRole('link', { name: '登记新申请' }).click();
    await page.waitForURL((url) => url.pathname === '/register');
    await page.getByRole('link', { name: /^当面提交/ }).click();
    await page.waitForURL((url) => url.search === '?channel=in-person');
    const form = page.locator('form.intake-form[data-channel="in-person"]');
    // The fields an e-mail request needs, and the time it was handed in (Beijing time, now by default).
    expect(await form.locator('input[name="contact.email"]').getAttribute('type')).toBe('email');
    expect(await form.locator('select[name="provision.form"] option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual(['paper', 'electronic', 'inspection']);
    expect(await form.locator('select[name="provision.manner"] option[value="email"]').innerText()).toBe('电子邮件');
    const submittedAt = form.locator('input[name="channel.submittedAt"]');
    expect(await submittedAt.getAttribute('type')).toBe('datetime-local');
    expect(await submittedAt.getAttribute('required')).not.toBeNull();
    expect(await submittedAt.inputValue()).toMatch(new RegExp(`^${today()}T\\d{2}:\\d{2}$`));
    expect(await form.locator('input[name="applicant.name"]').getAttribute('required')).not.toBeNull();

    await fillFields(form, inPersonApplication());
    await page.evaluate('window.scrollTo(0, 0)');
    await shots.take(page, 'register');
    await Promise.all([page.waitForSelector('#receipt'), page.getByRole('button', { name: '核对收到申请之日和期限' }).click()]);

    // Received today (Art. 31(1)); the reply is due 20 working days later (Art. 33).
    const due = nthWorkingDayAfter(shippedCalendar(), today(), 20).date;
    expect(await page.locator('#receipt .received-on').innerText()).toContain(today());
    expect(await page.locator('#receipt .reply-due').innerText()).toContain(due);
    const summary = await page.locator('dl.summary').innerText();
    for (const shown of [APPLICANT_EMAIL, '电子数据', '电子邮件', `${today()} `]) expect(summary).toContain(shown);
    expect(await page.locator('main').innerText()).toContain('提交方式：当面提交');
    await shots.take(page, 'register-preview');

    caseNumber = await registerPreviewed(page);
    expect(caseNumber).toMatch(/^LYG-ZRZY-\d{4}-\d{6}$/);
    expect(await stageOf(page)).toBe('已登记');
    expect(await page.locator('#case-handler').innerText()).toBe('未分派');
  }, 60_000);

  test('the office head assigns the handler, who finds the case on 我的待办', async () => {
    expect(caseNumber).not.toBe('');
    const head = await act('zrzy.head', caseNumber, 'assign-handler', { values: { handlerId: 'zrzy.handler1' }, stage: 'completeness-check' });
    expect(await head.locator('#case-handler').innerText()).toContain('zrzy.handler1');

    const handler = await as('zrzy.handler1');
    await handler.goto('/');
    const row = handler.locator(`tr[data-case="${caseNumber}"]`);
    await reloadUntil(handler, async () => (await row.count()) === 1 && (await row.innerText()).includes('申请审查'), 'the case on the handler’s 我的待办');
    expect(await row.getAttribute('class')).toContain('due-ok');
    await shots.take(handler, 'todo');
    await Promise.all([handler.waitForURL((url) => url.pathname === `/cases/${caseNumber}`), row.getByRole('link', { name: caseNumber }).click()]);
    expect(await formsOn(handler)).toContain('request-correction');
  }, 60_000);

  test('the handler asks for a correction of two items; the registrar records it received', async () => {
    expect(caseNumber).not.toBe('');
    const handler = await act('zrzy.handler1', caseNumber, 'request-correction', {
      // sentOn defaults to today.
      values: { itemsToCorrect: '请写明所申请规划条件的地块编号\n请补充身份证明复印件', applicantDueOn: addDays(today(), 15) },
      stage: 'awaiting-correction',
    });
    expect(await handler.locator('tr[data-action="request-correction"]').innerText()).toContain('zrzy.handler1');
    await act('zrzy.registrar', caseNumber, 'record-correction-received', { stage: 'completeness-check' });
  }, 60_000);

  test('the handler finds it complete, in scope and found, and decides partial disclosure with a ground for the withheld part', async () => {
    expect(caseNumber).not.toBe('');
    await act('zrzy.handler1', caseNumber, 'record-completeness-finding', { variant: 'complete', stage: 'scope-check' });
    await act('zrzy.handler1', caseNumber, 'decide-scope', { variant: 'gip-request', stage: 'search' });
    const page = await act('zrzy.handler1', caseNumber, 'record-search', {
      variant: 'found',
      values: { places: '本局规划审批档案\n不动产登记信息系统', keywords: '海州区\n规划条件' },
      stage: 'disclosure-decision',
    });
    expect(await formsOn(page)).toEqual(expect.arrayContaining(['record-item-decision', 'start-third-party-consultation', 'conclude-disclosure-decision']));
    await shots.take(page, 'case-decision');

    // Item 1: partly disclosed; one part withheld to protect a third party's privacy (Art. 15), with the
    // third party's written objection (Art. 32) as the ground's evidence.
    const decided = await act('zrzy.handler1', caseNumber, 'record-item-decision', {
      values: {
        'item.itemId': '1',
        'item.outcome': 'partially-disclosed',
        'item.withheldParts.0.ground': 'third-party-rights',
        'item.withheldParts.0.scope': '附件2中自然人的身份证号码和联系电话',
        'item.withheldParts.0.reason': '涉及第三方个人隐私，第三方书面表示不同意公开',
        'item.withheldParts.0.evidence.thirdPartyInterest': 'personal-privacy',
        'item.withheldParts.0.evidence.thirdPartyConsultation.sentOn': today(),
        'item.withheldParts.0.evidence.thirdPartyConsultation.response': 'objected',
        'item.withheldParts.0.evidence.thirdPartyConsultation.respondedOn': today(),
        'item.alreadyPublicCheck.isPublic': 'false',
        'item.reEvaluateOn': addDays(today(), 365),
      },
      stage: 'disclosure-decision',
    });
    expect(await decided.locator('tr[data-action="record-item-decision"]').count()).toBe(1);

    await act('zrzy.handler1', caseNumber, 'conclude-disclosure-decision', {
      values: { 'confidentialityReview.reviewedBy': 'zrzy.reviewer', 'confidentialityReview.reviewedOn': today(), note: '第1项部分公开，附件2中第三方个人信息不予公开' },
      stage: 'drafting',
    });
    const drafted = await act('zrzy.handler1', caseNumber, 'draft-reply', { stage: 'review' });
    // The draft is listed, without a number until it is signed.
    const draft = (await documentsOn(drafted)).find((d) => d.type.includes('政府信息公开申请答复书'));
    expect(draft).toBeDefined();
    expect(draft!.number).toBe('—');
  }, 120_000);

  test('the reviewer returns the draft once, then approves the redraft; the drafter cannot sign; the office head signs and the reply gets its number', async () => {
    expect(caseNumber).not.toBe('');
    const returned = await act('zrzy.reviewer', caseNumber, 'review-reply', {
      variant: 'return',
      values: { returnTo: 'drafting', comment: '请在答复书中写明不予公开部分的范围' },
      stage: 'drafting',
    });
    expect(await returned.locator('tr[data-action="review-reply"]').innerText()).toContain('请在答复书中写明不予公开部分的范围');

    await act('zrzy.handler1', caseNumber, 'draft-reply', { values: { note: '已写明不予公开部分的范围' }, stage: 'review' });
    const approved = await act('zrzy.reviewer', caseNumber, 'review-reply', { variant: 'approve', stage: 'sign-off' });
    expect(await formsOn(approved)).not.toContain('sign-off-reply');

    // The drafter may not sign off their own reply (nor may the handler's role): no form for it.
    const handler = await as('zrzy.handler1');
    await handler.goto(`/cases/${caseNumber}`);
    expect(await stageOf(handler)).toBe('签发');
    expect(await formsOn(handler)).not.toContain('sign-off-reply');

    const signed = await act('zrzy.head', caseNumber, 'sign-off-reply', { values: { comment: '同意' }, stage: 'dispatch' });
    // Numbered and rendered by the worker after the act: reload until the reply is listed with its number and PDF.
    await reloadUntil(signed, async () => (await signedReply(signed))?.downloads.includes('PDF') ?? false, 'the numbered reply');
    const reply = (await signedReply(signed))!;
    expect(reply.type).toContain('部分公开');
    expect(reply.number).toMatch(REPLY_NUMBER);
    // Only the signed version is numbered; the returned draft took none.
    expect((await documentsOn(signed)).filter((d) => REPLY_NUMBER.test(d.number))).toHaveLength(1);

    const timeline = await signed.locator('table.case-timeline tr[data-action]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
    const walked = new Set<string | null>(['assign-handler', 'request-correction', 'record-correction-received', 'record-completeness-finding', 'decide-scope', 'record-search', 'record-item-decision', 'conclude-disclosure-decision', 'draft-reply', 'review-reply', 'sign-off-reply']);
    const acts = timeline.filter((action) => walked.has(action));
    expect(acts).toEqual([
      'assign-handler',
      'request-correction',
      'record-correction-received',
      'record-completeness-finding',
      'decide-scope',
      'record-search',
      'record-item-decision',
      'conclude-disclosure-decision',
      'draft-reply',
      'review-reply',
      'draft-reply',
      'review-reply',
      'sign-off-reply',
    ]);
    expect(await signed.locator('tr[data-action="sign-off-reply"]').innerText()).toContain('zrzy.head');
    await signed.locator('table.case-documents').scrollIntoViewIfNeeded();
    await shots.take(signed, 'case-signed');
  }, 120_000);

  test('the handler records the dispatch by e-mail, and the letter with its PDF shows on the admin’s 本地邮件', async () => {
    expect(caseNumber).not.toBe('');
    const page = await act('zrzy.handler1', caseNumber, 'record-dispatch', { values: { method: 'email' }, stage: 'awaiting-archive' });
    await reloadUntil(page, async () => (await signedReply(page))?.delivery.includes('已通过电子邮件发送') ?? false, 'the reply’s e-mail delivery');
    const number = (await signedReply(page))!.number;

    const admin = await as('admin');
    await admin.goto('/mail');
    const letter = admin.locator('table.mail-list tbody tr', { hasText: number });
    await reloadUntil(admin, async () => (await letter.count()) === 1, 'the reply letter in the mail capture');
    const cells = await letter.locator('td').allInnerTexts();
    expect(cells[1]).toBe(APPLICANT_EMAIL);
    expect(cells[2]).toContain('政府信息公开申请答复书');
    expect(cells[2]).toContain(number);
    expect(await letter.locator('ul.attachments li').allInnerTexts()).toContainEqual(expect.stringMatching(new RegExp(`政府信息公开申请答复书.*${number}.*\\.pdf$`)));
    await shots.take(admin, 'mail');
  }, 90_000);
});

describe('the supervisor board', () => {
  test('a request entered with a receipt date 25 working days ago is listed as overdue', async () => {
    const received = workingDaysAgo(25);
    const registrar = await as('zrzy.registrar');
    await preview(registrar, inPersonApplication({ 'channel.submittedAt': `${received}T10:00` }));
    expect(await registrar.locator('#receipt .received-on').innerText()).toContain(received);
    expect(await registrar.locator('#receipt .reply-due').innerText()).toContain(nthWorkingDayAfter(shippedCalendar(), received, 20).date);
    const caseNumber = await registerPreviewed(registrar);

    const supervisor = await as('supervisor');
    await supervisor.goto('/board');
    const overdueRow = supervisor.locator(`#overdue tr[data-case="${caseNumber}"]`);
    await reloadUntil(supervisor, async () => (await overdueRow.count()) === 1, 'the overdue case on the board');
    expect(await overdueRow.getAttribute('class')).toContain('due-overdue');
    expect(await overdueRow.innerText()).toContain('已逾期');
    expect(await supervisor.locator(`#due-soon tr[data-case="${caseNumber}"]`).count()).toBe(0);
    await shots.take(supervisor, 'board');
  }, 60_000);
});

describe('no script runs', () => {
  const PAYLOAD = '<script>window.__pwned=1</script>{{constructor}}';
  /** The case registered with the payload. */
  let escapedCase = '';

  test('a request whose name and description carry script and template syntax is shown literally, and no script runs', async () => {
    const registrar = await as('zrzy.registrar');
    await preview(registrar, inPersonApplication({ 'applicant.name': `王五${PAYLOAD}`, 'requestedItems.0.description': `附件${PAYLOAD}` }));
    expect(await registrar.locator('dl.summary').innerText()).toContain(`王五${PAYLOAD}`);
    expect(await registrar.locator('dl.summary').innerText()).toContain(`附件${PAYLOAD}`);
    expect(await registrar.evaluate('typeof window.__pwned')).toBe('undefined');
    // Back to the form: the values return as typed, inside the fields.
    await Promise.all([registrar.waitForSelector('form.intake-form'), registrar.getByRole('button', { name: '返回修改' }).click()]);
    expect(await registrar.locator('input[name="applicant.name"]').inputValue()).toBe(`王五${PAYLOAD}`);
    expect(await registrar.locator('textarea[name="requestedItems.0.description"]').inputValue()).toBe(`附件${PAYLOAD}`);
    await Promise.all([registrar.waitForSelector('#receipt'), registrar.getByRole('button', { name: '核对收到申请之日和期限' }).click()]);
    const caseNumber = await registerPreviewed(registrar);

    // The head urges with the same text: the timeline shows it on the case page.
    const head = await act('zrzy.head', caseNumber, 'assign-handler', { values: { handlerId: 'zrzy.handler2' }, stage: 'completeness-check' });
    await act('zrzy.head', caseNumber, 'urge', { values: { message: PAYLOAD }, stage: 'completeness-check' });
    expect(await head.locator('tr[data-action="urge"]').innerText()).toContain(PAYLOAD);

    await registrar.goto(`/cases/${caseNumber}`);
    expect(await registrar.locator('tr[data-action="urge"]').innerText()).toContain(PAYLOAD);
    await Promise.all([registrar.waitForURL((url) => url.pathname.endsWith('/application')), registrar.getByRole('link', { name: /查看申请人信息/ }).click()]);
    expect(await registrar.locator('#applicant-name').innerText()).toBe(`王五${PAYLOAD}`);
    expect(await registrar.locator('td.case-prewrap').first().innerText()).toBe(`附件${PAYLOAD}`);

    for (const [page, path] of [[registrar, `/cases/${caseNumber}/application`], [registrar, `/cases/${caseNumber}`], [head, `/cases/${caseNumber}`]] as const) {
      expect((await page.goto(path))?.status()).toBe(200);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    }
    escapedCase = caseNumber;
  }, 90_000);

  test('every page’s Content-Security-Policy forbids scripts', async () => {
    expect(escapedCase).not.toBe('');
    const registrar = await as('zrzy.registrar');
    const supervisor = await as('supervisor');
    const admin = await as('admin');
    const visits: [Page, string][] = [
      [registrar, '/login'],
      [registrar, '/'],
      [registrar, '/register'],
      [registrar, `/cases/${escapedCase}`],
      [registrar, `/cases/${escapedCase}/application`],
      [registrar, '/closed'],
      [supervisor, '/board'],
      [admin, '/mail'],
    ];
    for (const [page, path] of visits) {
      const response = await page.goto(path);
      expect({ path, status: response?.status() }).toEqual({ path, status: 200 });
      // Nothing is allowed by default, and no script-src* directive loosens that for scripts.
      const policy = (response?.headers()['content-security-policy'] ?? '').split(';').map((directive) => directive.trim());
      expect({ path, defaultNone: policy.includes("default-src 'none'") }).toEqual({ path, defaultNone: true });
      expect({ path, scriptsAllowed: policy.filter((d) => /^script-src/.test(d) && !/^script-src(-elem|-attr)? 'none'$/.test(d)) }).toEqual({ path, scriptsAllowed: [] });
    }
  }, 60_000);
});

test('the screenshots are 1366×768 PNGs', () => {
  const taken = shots.sizes();
  expect(taken.map((s) => s.name).sort()).toEqual(['board.png', 'case-decision.png', 'case-signed.png', 'login.png', 'mail.png', 'register-preview.png', 'register.png', 'todo.png']);
  for (const shot of taken) expect({ name: shot.name, size: shot.size, empty: shot.bytes < 10_000 }).toEqual({ name: shot.name, size: VIEWPORT, empty: false });
});
