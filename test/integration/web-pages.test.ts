import { randomUUID } from 'node:crypto';
import { nthWorkingDayAfter, workingDaysBetween } from '../../domain/calendar';
import { beijingDateOf, beijingDateTimeOf, type IsoDate, withWeekday } from '../../domain/dates';
import { OUTCOME_DEFINITIONS } from '../../domain/outcomes';
import { shippedCalendar, workingDaysBefore } from '../helpers/calendar';
import { exampleApplication } from '../helpers/request-harness';
import { type Page, PageSession } from '../helpers/page-session';
import { WebStack } from '../helpers/web-stack';

// The list pages and the intake page (issue 9, deliverable 2) through real HTTP as a browser sends it — the sign-in
// page, its cookies and CSRF tokens, urlencoded forms, no redirects followed — against the dev server, a worker,
// the register and the local mail capture.

let web: WebStack;
const supervisorId = 'supervisor';

beforeAll(async () => {
  web = await WebStack.start({ localMailCapture: true });
  // The demo configuration's supervisor sees every agency: the board test relies on it.
  expect(web.config.users.find((u) => u.id === supervisorId)).toMatchObject({ roles: ['supervisor'], scope: 'all-agencies' });
}, 180_000);

afterAll(async () => {
  await web?.close();
});

const browsers = new Map<string, PageSession>();
async function as(userId: string): Promise<PageSession> {
  const known = browsers.get(userId);
  if (known) return known;
  const browser = await PageSession.signIn(web.baseUrl, userId);
  browsers.set(userId, browser);
  return browser;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading pages

const unescapeHtml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#x60': '`', '#x3D': '=' })[entity] ?? '');

/** The value of the first hidden input named `name`. */
function hiddenValue(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name.replace(/\./g, '\\.')}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden ${name} on the page`);
  return unescapeHtml(match[1]!);
}

/** Every hidden input of the form posting to `action` (the page's header has its own sign-out form). */
function hiddenFieldsOfForm(html: string, action: string): [string, string][] {
  const forms = html.split('<form ').filter((part) => part.includes(`action="${action}"`));
  const form = forms[0]?.split('</form>')[0] ?? '';
  return [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [unescapeHtml(m[1]!), unescapeHtml(m[2]!)]);
}

/** The `<tr>` of a case, or undefined. */
const rowOf = (html: string, caseNumber: string) => new RegExp(`<tr data-case="${caseNumber}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0];

/** The `<section id="…">` of the board, up to the next section. */
function boardSection(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  if (start < 0) throw new Error(`no section #${id}`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

/** Polls a page until `ready` holds (visibility and the register catch up within seconds). */
async function pageUntil(browser: PageSession, path: string, ready: (page: Page) => boolean, timeoutMs = 20_000): Promise<Page> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await browser.get(path);
    if (ready(page) || Date.now() > deadline) return page;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Applications as the form posts them

const today = (): IsoDate => beijingDateOf(new Date().toISOString());
const nowLocal = () => beijingDateTimeOf(new Date().toISOString()).slice(0, 16).replace(' ', 'T');

/** The working day `n` working days before today. */
const workingDaysAgo = (n: number): IsoDate => workingDaysBefore(n, today());

const APPLICANT_EMAIL = 'zhangsan.applicant@example.cn';

/** An in-person application by e-mail, its second item row left empty. */
function inPersonForm(submittedAt: string, overrides: Record<string, string> = {}): [string, string][] {
  const fields: Record<string, string> = {
    'channel.kind': 'in-person',
    'applicant.type': 'natural-person',
    'applicant.organisationType': '',
    'applicant.name': '张三',
    'applicant.idDocument.kind': 'resident-id-card',
    'applicant.idDocument.kindName': '',
    'applicant.idDocument.number': '11010519491231002X',
    'contact.phone': '0518-85820000',
    'contact.email': APPLICANT_EMAIL,
    'requestedItems.0.title': '2025年海州区某地块国有建设用地使用权出让规划条件',
    'requestedItems.0.documentNumber': '连规〔2025〕12号',
    'requestedItems.1.title': '',
    'requestedItems.2.description': '2025年度本局行政许可决定目录',
    'provision.form': 'electronic',
    'provision.manner': 'email',
    'channel.submittedAt': submittedAt,
    ...overrides,
  };
  return Object.entries(fields);
}

/** Opens the form of a channel: its CSRF token and fresh submission id. */
async function openForm(browser: PageSession, channel: string): Promise<{ csrf: string; submissionId: string }> {
  const page = await browser.get(`/register?channel=${channel}`);
  expect(page.status).toBe(200);
  expect(page.html).toContain(`data-channel="${channel}"`);
  return { csrf: hiddenValue(page.html, '_csrf'), submissionId: hiddenValue(page.html, 'submissionId') };
}

/** Registers through the form without a preview; the case number from the redirect. */
async function registerThroughForm(fields: [string, string][]): Promise<string> {
  const registrar = await as('zrzy.registrar');
  const { csrf, submissionId } = await openForm(registrar, 'in-person');
  const answer = await registrar.post('/register', [['_csrf', csrf], ['submissionId', submissionId], ...fields, ['register', '1']]);
  expect(answer.status).toBe(303);
  return caseNumberOf(answer.location);
}

function caseNumberOf(location: string | null): string {
  const match = /^\/cases\/([A-Z][A-Z0-9-]+-\d{4}-\d{6})$/.exec(location ?? '');
  if (!match) throw new Error(`not a case page: ${location}`);
  return match[1]!;
}

async function act(caseNumber: string, userId: string, action: string, data: unknown): Promise<void> {
  const answer = await web.api('POST', `/api/cases/${caseNumber}/actions`, { as: userId, body: { action, data } });
  expect({ action, status: answer.status, body: answer.status === 200 ? 'ok' : answer.body }).toEqual({ action, status: 200, body: 'ok' });
}

// ---------------------------------------------------------------------------------------------------------------

/** The case registered through the form in the first test: later tests follow it. */
let registered = '';

describe('登记新申请', () => {
  test('a registrar previews the receipt date and deadlines, registers, and a double submit registers once', async () => {
    const registrar = await as('zrzy.registrar');
    const { csrf, submissionId } = await openForm(registrar, 'in-person');
    expect(submissionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await openForm(registrar, 'in-person')).submissionId).not.toBe(submissionId);

    const preview = await registrar.post('/register', [['_csrf', csrf], ['submissionId', submissionId], ...inPersonForm(nowLocal()), ['preview', '1']]);
    expect(preview.status).toBe(200);
    const t0 = today();
    const replyDue = nthWorkingDayAfter(shippedCalendar(), t0, 20).date;
    expect(preview.html).toContain(`<dd class="received-on">${withWeekday(t0)}</dd>`);
    expect(preview.html).toContain(`<dd class="reply-due">${withWeekday(replyDue)}</dd>`);
    expect(preview.html).toContain('第三十一条');
    // The preview page posts back what was typed, with the same submission id.
    const carried = hiddenFieldsOfForm(preview.html, '/register');
    expect(carried).toEqual(expect.arrayContaining([['submissionId', submissionId], ['applicant.idDocument.number', '11010519491231002X'], ['requestedItems.2.description', '2025年度本局行政许可决定目录']]));

    const first = await registrar.post('/register', [...carried, ['register', '1']]);
    expect(first.status).toBe(303);
    registered = caseNumberOf(first.location);
    expect(registered).toMatch(/^LYG-ZRZY-/);

    const again = await registrar.post('/register', [...carried, ['register', '1']]);
    expect(again).toMatchObject({ status: 303, location: first.location });

    const stored = await web.register.readCase(registered);
    // The empty middle row was dropped; the agency is the registrar's own.
    expect(stored).toMatchObject({ agency_code: 'LYG-ZRZY', received_on: t0, application: { requestedItems: [{ documentNumber: '连规〔2025〕12号' }, { description: '2025年度本局行政许可决定目录' }] } });
  }, 60_000);

  test('a channel that needs confirmation shows 待确认 for the receipt date and the reply deadline', async () => {
    const registrar = await as('zrzy.registrar');
    const { csrf, submissionId } = await openForm(registrar, 'internet');
    const fields = inPersonForm('').filter(([name]) => name !== 'channel.kind' && name !== 'channel.submittedAt');
    const preview = await registrar.post('/register', [['_csrf', csrf], ['submissionId', submissionId], ...fields, ['channel.kind', 'internet'], ['channel.submittedAt', nowLocal()], ['preview', '1']]);
    expect(preview.status).toBe(200);
    expect(preview.html).toContain('<dd class="received-on awaiting">待确认</dd>');
    expect(preview.html).toContain('<dd class="reply-due awaiting">待确认</dd>');
    expect(preview.html).toContain('尚待双方确认');
  }, 30_000);

  test('an invalid ID number: 400, the form again naming the field in Chinese, nothing registered', async () => {
    const registrar = await as('zrzy.registrar');
    const { csrf, submissionId } = await openForm(registrar, 'in-person');
    const answer = await registrar.post('/register', [['_csrf', csrf], ['submissionId', submissionId], ...inPersonForm(nowLocal(), { 'applicant.idDocument.number': '110105194912310021' }), ['register', '1']]);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain('<code>证件号码</code>');
    expect(answer.html).toContain('校验码不正确');
    // The form again, as it was typed, with the same submission id.
    expect(answer.html).toContain('name="applicant.idDocument.number" value="110105194912310021"');
    expect(hiddenValue(answer.html, 'submissionId')).toBe(submissionId);
    // Nothing was registered under that submission: the API now creates a case for it.
    const viaApi = await web.api('POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId, application: exampleApplication } });
    expect(viaApi).toMatchObject({ status: 201, body: { created: true } });
  }, 30_000);

  test('a problem in the third item row is named for that row, though the second row was empty', async () => {
    const registrar = await as('zrzy.registrar');
    const { csrf, submissionId } = await openForm(registrar, 'in-person');
    const answer = await registrar.post('/register', [['_csrf', csrf], ['submissionId', submissionId], ...inPersonForm(nowLocal(), { 'requestedItems.2.description': 'x'.repeat(2001) }), ['register', '1']]);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain('<code>第3项·特征性描述</code>');
  }, 30_000);

  test('only registrars may register', async () => {
    const handler = await as('zrzy.handler1');
    expect((await handler.get('/register')).status).toBe(403);
    const csrf = hiddenValue((await handler.get('/')).html, '_csrf');
    const posted = await handler.post('/register', [['_csrf', csrf], ['submissionId', randomUUID()], ...inPersonForm(nowLocal()), ['register', '1']]);
    expect(posted.status).toBe(403);
  }, 30_000);
});

describe('我的待办', () => {
  test('a handler’s list has the case once it is assigned to them, not before', async () => {
    expect(registered).not.toBe('');
    const head = await as('zrzy.head');
    const handler = await as('zrzy.handler1');
    // The office head assigns: the case is on their list while registered, which also shows the list is up to date.
    const headsList = await pageUntil(head, '/', (page) => rowOf(page.html, registered) !== undefined);
    expect(rowOf(headsList.html, registered)).toBeDefined();
    expect(rowOf((await handler.get('/')).html, registered)).toBeUndefined();

    await act(registered, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
    const handlersList = await pageUntil(handler, '/', (page) => rowOf(page.html, registered) !== undefined);
    const row = rowOf(handlersList.html, registered);
    expect(row).toContain(`<a href="/cases/${registered}">`);
    // Registered today: 20 working days left to the reply.
    expect(row).toContain('class="due-ok"');
    expect(row).toContain('剩余20个工作日');
    // Assigned, the case no longer waits for the head.
    const headsAfter = await pageUntil(head, '/', (page) => rowOf(page.html, registered) === undefined);
    expect(rowOf(headsAfter.html, registered)).toBeUndefined();
  }, 60_000);
});

describe('the supervisor board and overdue cases', () => {
  let overdue = '';
  /** Received 16 working days ago: the reply is due within 4 or 5 working days (5 when today is a day off). */
  let dueSoon = '';

  beforeAll(async () => {
    const received = workingDaysAgo(25);
    overdue = await registerThroughForm(inPersonForm(`${received}T10:00`));
    expect((await web.register.readCase(overdue))?.received_on).toBe(received);
    dueSoon = await registerThroughForm(inPersonForm(`${workingDaysAgo(16)}T10:00`));
  }, 60_000);

  test('a case received 25 working days ago is overdue on 我的待办 and on the board; one due within 5 working days is due soon', async () => {
    const registrar = await as('zrzy.registrar');
    // Listed from the start; its dates once the workflow has computed its clock.
    const list = await pageUntil(registrar, '/', (page) => rowOf(page.html, overdue)?.includes('due-overdue') ?? false);
    expect(rowOf(list.html, overdue)).toMatch(/^<tr data-case="[^"]+" class="due-overdue">/);
    const calendar = shippedCalendar();
    const due = nthWorkingDayAfter(calendar, workingDaysAgo(25), 20).date;
    expect(rowOf(list.html, overdue)).toContain(`<td>${due}</td>`);
    expect(rowOf(list.html, overdue)).toContain(`已逾期${workingDaysBetween(calendar, due, today()).count}个工作日`);

    const supervisor = await as(supervisorId);
    const board = await pageUntil(supervisor, '/board', (page) => rowOf(boardSection(page.html, 'overdue'), overdue) !== undefined && rowOf(boardSection(page.html, 'due-soon'), dueSoon) !== undefined);
    expect(board.status).toBe(200);
    expect(rowOf(boardSection(board.html, 'overdue'), overdue)).toBeDefined();
    expect(rowOf(boardSection(board.html, 'due-soon'), overdue)).toBeUndefined();
    expect(rowOf(boardSection(board.html, 'due-soon'), dueSoon)).toMatch(/^<tr data-case="[^"]+" class="due-soon">/);
    expect(rowOf(boardSection(board.html, 'overdue'), dueSoon)).toBeUndefined();
    // Counted for its agency (and unassigned, under 未分派).
    expect(boardSection(board.html, 'per-agency')).toMatch(/<tr data-key="LYG-ZRZY"><td>连云港市自然资源和规划局<\/td><td>\d+<\/td><td class="due-overdue">[1-9]\d*<\/td>/);
    expect(boardSection(board.html, 'per-handler')).toContain('<td>未分派</td>');
    expect(board.html).toContain('<section id="paused"');
  }, 60_000);

  test('escalations sent are on the board', async () => {
    const at = new Date().toISOString();
    const key = `${overdue}:overdue1:supervisor:reply@test:${today()}`;
    await web.register.reserveEmail({ key, caseNumber: overdue, kind: 'overdue:reply', recipient: 'supervisor@lyg.example.cn', messageId: `<${randomUUID()}@test>`, at });
    await web.register.markEmail(key, { status: 'sent', at });
    const board = await (await as(supervisorId)).get('/board');
    const escalation = rowOf(boardSection(board.html, 'escalations'), overdue);
    expect(escalation).toContain('答复申请人');
    expect(escalation).toContain('徐卫东（supervisor）');
    expect(escalation).toContain('已发送');
  }, 30_000);

  test('the board is for supervisors only', async () => {
    for (const userId of ['zrzy.handler1', 'zrzy.head', 'zrzy.registrar']) {
      const page = await (await as(userId)).get('/board');
      expect({ userId, status: page.status }).toEqual({ userId, status: 403 });
      expect(page.html).toContain('督办看板仅限督办人');
    }
  }, 30_000);
});

describe('已办结 and 本地邮件', () => {
  test('a case withdrawn and archived through the API is listed as closed, with its outcome', async () => {
    const submitted = await web.api('POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: randomUUID(), application: exampleApplication } });
    expect(submitted.status).toBe(201);
    const { caseNumber } = submitted.body as { caseNumber: string };
    await act(caseNumber, 'zrzy.registrar', 'record-withdrawal', { withdrawnOn: today(), reason: '申请人书面撤回申请' });
    await act(caseNumber, 'zrzy.registrar', 'archive-case', { note: '撤回申请书已归档' });

    const registrar = await as('zrzy.registrar');
    const closed = await pageUntil(registrar, '/closed', (page) => rowOf(page.html, caseNumber)?.includes('已归档') ?? false);
    const row = rowOf(closed.html, caseNumber);
    expect(row).toContain('已归档');
    expect(row).toContain(OUTCOME_DEFINITIONS.withdrawn.label);
    // Another agency's registrar does not see it.
    expect(rowOf((await (await as('shj.registrar')).get('/closed')).html, caseNumber)).toBeUndefined();
  }, 60_000);

  test('the local mail capture shows the receipt letter emailed to the applicant, with its attachment — to admins only', async () => {
    expect(registered).not.toBe('');
    // It holds applicants' addresses of every agency: not for case staff, nor for supervisors (no personal data).
    expect((await (await as('zrzy.handler1')).get('/mail')).status).toBe(403);
    expect((await (await as('supervisor')).get('/mail')).status).toBe(403);
    const admin = await as('admin');
    const mail = await pageUntil(admin, '/mail', (page) => page.html.includes(APPLICANT_EMAIL));
    expect(mail.status).toBe(200);
    const row = /<tr>\s*<td>[^<]+<\/td>\s*<td>[^<]*zhangsan\.applicant@example\.cn[^<]*<\/td>[\s\S]*?<\/tr>/.exec(mail.html)?.[0];
    expect(row).toBeDefined();
    expect(row).toMatch(/<ul class="attachments"><li>[^<]+\.(pdf|docx)<\/li>/);
  }, 60_000);
});

describe('odd requests get a 4xx, never a 500', () => {
  test('an asset name that is an object property (constructor) is 404', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) expect((await fetch(`${web.baseUrl}/assets/${name}`)).status).toBe(404);
    expect((await fetch(`${web.baseUrl}/assets/app.css`)).status).toBe(200);
  });

  test('a sign-in with a repeated password field is a wrong password (401), for a known user as for an unknown one', async () => {
    const session = new PageSession(web.baseUrl);
    const login = await session.get('/login');
    const csrf = /<input type="hidden" name="_csrf" value="([^"]*)"/.exec(login.html)![1]!;
    for (const userId of ['zrzy.handler1', 'nobody']) {
      const res = await session.post('/login', [['_csrf', csrf], ['userId', userId], ['password', 'gongkai-demo'], ['password', 'gongkai-demo']]);
      expect({ userId, status: res.status }).toEqual({ userId, status: 401 });
    }
  });

  test('a page form posted as JSON is refused (415) before it is read', async () => {
    const registrar = await as('zrzy.registrar');
    const page = await registrar.get('/register');
    const csrf = /<input type="hidden" name="_csrf" value="([^"]*)"/.exec(page.html)![1]!;
    const res = await fetch(`${web.baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      body: JSON.stringify({ _csrf: csrf, 'applicant.name': 12345 }),
    });
    expect(res.status).toBe(415);
  });
});
