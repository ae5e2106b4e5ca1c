import { randomUUID } from 'node:crypto';
import { addDays, beijingDateOfMs } from '../../domain/dates';
import { pdfText } from '../helpers/pdf-text';
import { exampleApplication } from '../helpers/request-harness';
import { PageSession } from '../helpers/page-session';
import { WebStack } from '../helpers/web-stack';

// The case page on the real stack (dev server, worker, register, web app on a socket), driven as a browser without
// script drives it: cookies, the CSRF token from each page, urlencoded forms, redirects not followed.

let web: WebStack;
let caseNumber: string;
const today = beijingDateOfMs(Date.now());

beforeAll(async () => {
  web = await WebStack.start();
  caseNumber = await registerCase(new Date().toISOString());
}, 180_000);
afterAll(async () => {
  await web?.close();
}, 60_000);

/** An in-person request registered through the API, received at `submittedAt` (its Beijing date is T0). */
async function registerCase(submittedAt: string): Promise<string> {
  const application = { ...exampleApplication, channel: { kind: 'in-person', submittedAt } };
  const res = await web.api('POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: `case-page-${randomUUID()}`, application } });
  expect(res.status).toBe(201);
  return (res.body as { caseNumber: string }).caseNumber;
}

const decode = (html: string): string =>
  html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decode(match[1]!) : undefined;
};

interface PageForm {
  action: string;
  variant: string | undefined;
  /** The hidden inputs (_csrf, action, variant, updateId) with their values. */
  hidden: Record<string, string>;
  /** Every field's name. */
  names: string[];
}

/** The act forms of a case page (`<form data-action=…>`). */
function actForms(html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const [, open = '', inner = ''] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = attribute(open, 'data-action');
    if (action === undefined) continue;
    const hidden: Record<string, string> = {};
    const names: string[] = [];
    for (const [tag] of inner.matchAll(/<(?:input|select|textarea)\b[^>]*>/g)) {
      const name = attribute(tag, 'name');
      if (name === undefined) continue;
      names.push(name);
      if (attribute(tag, 'type') === 'hidden') hidden[name] = attribute(tag, 'value') ?? '';
    }
    forms.push({ action, variant: attribute(open, 'data-variant'), hidden, names });
  }
  return forms;
}

function formFor(html: string, action: string): PageForm {
  const form = actForms(html).find((f) => f.action === action);
  if (!form) throw new Error(`no ${action} form on the page; forms: ${actForms(html).map((f) => f.action).join(', ')}`);
  return form;
}

/** The hidden `_csrf` of the first form on a page. */
const csrfOf = (html: string): string => attribute(/<input type="hidden" name="_csrf"[^>]*>/.exec(html)?.[0] ?? '', 'value') ?? '';

/** Signs in through the sign-in page, as a person at a browser does. */
const signIn = (userId: string): Promise<PageSession> => PageSession.signIn(web.baseUrl, userId);

const casePath = () => `/cases/${caseNumber}`;

async function caseView(as = 'zrzy.head'): Promise<{ timeline: { action: string; actorId: string }[]; handlerId: string | null; stage: string; documents: { documentType: string; formats?: { documentId: string }[] }[] }> {
  const res = await web.api('GET', `/api/cases/${caseNumber}`, { as });
  expect(res.status).toBe(200);
  return (res.body as { case: never }).case;
}

const timelineActions = async (): Promise<string[]> => (await caseView()).timeline.map((t) => t.action);

/** The text of the element with this id (tags stripped). */
const textOf = (html: string, id: string): string => decode(new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)?.[1] ?? '');

describe('the case page', () => {
  test('without sign-in a page sends the browser to /login and an act is 401', async () => {
    const browser = new PageSession(web.baseUrl);
    const page = await browser.get(casePath());
    expect(page.status).toBe(303);
    expect(page.location).toBe(`/login?next=${encodeURIComponent(casePath())}`);

    const login = await browser.get('/login');
    const act = await browser.post(`${casePath()}/act`, { _csrf: csrfOf(login.html), action: 'urge', updateId: randomUUID(), 'f.message': '请尽快办理' });
    expect(act.status).toBe(401);
    expect(await timelineActions()).not.toContain('urge');
  }, 30_000);

  test('the office head gets exactly the forms domain/roles permits: assign-handler, no sign-off', async () => {
    const head = await signIn('zrzy.head');
    const page = await head.get(casePath());
    expect(page.status).toBe(200);
    expect(page.contentType).toContain('text/html');
    const actions = new Set(actForms(page.html).map((f) => f.action));
    expect(actions).toContain('assign-handler');
    expect(actions).not.toContain('sign-off-reply');
    const { body } = await web.api('GET', `/api/cases/${caseNumber}`, { as: 'zrzy.head' });
    expect([...actions].sort()).toEqual([...(body as { permittedActions: string[] }).permittedActions].sort());

    const assign = formFor(page.html, 'assign-handler');
    expect(assign.hidden._csrf).toBeTruthy();
    expect(assign.hidden.updateId).toMatch(/^[0-9a-f-]{36}$/);
    expect(assign.names).toContain('f.handlerId');
    expect(textOf(page.html, 'case-stage')).toContain('已登记');
  }, 30_000);

  test('assigning a handler acts once, however often the same form is posted', async () => {
    const head = await signIn('zrzy.head');
    const assign = formFor((await head.get(casePath())).html, 'assign-handler');
    const body = { ...assign.hidden, 'f.handlerId': 'zrzy.handler1' };

    const first = await head.post(`${casePath()}/act`, body);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`${casePath()}?done=assign-handler`);
    const again = await head.post(`${casePath()}/act`, body);
    expect(again.status).toBe(303);

    const page = await head.get(first.location!);
    expect(page.html).toContain('已办理：分派承办人');
    expect(textOf(page.html, 'case-handler')).toContain('zrzy.handler1');
    expect((await timelineActions()).filter((a) => a === 'assign-handler')).toHaveLength(1);
    expect((await caseView()).handlerId).toBe('zrzy.handler1');
  }, 30_000);

  test('a form posted without its CSRF token is refused (403) and changes nothing', async () => {
    const head = await signIn('zrzy.head');
    const urge = formFor((await head.get(casePath())).html, 'urge');
    const withoutToken = Object.fromEntries(Object.entries(urge.hidden).filter(([name]) => name !== '_csrf'));
    const res = await head.post(`${casePath()}/act`, { ...withoutToken, 'f.message': '请尽快办理' });
    expect(res.status).toBe(403);
    expect(await timelineActions()).not.toContain('urge');
  }, 30_000);

  test('the handler asks for a correction of two items: the timeline shows it and the notice is listed', async () => {
    const handler = await signIn('zrzy.handler1');
    const page = await handler.get(casePath());
    const form = formFor(page.html, 'request-correction');
    expect(form.names).toEqual(expect.arrayContaining(['f.sentOn', 'f.itemsToCorrect', 'f.applicantDueOn']));
    // Head-only acts are not offered to the handler.
    expect(actForms(page.html).map((f) => f.action)).not.toContain('reassign-handler');

    const res = await handler.post(`${casePath()}/act`, {
      ...form.hidden,
      'f.sentOn': today,
      'f.itemsToCorrect': '请写明所申请信息的文号\r\n请补充身份证明复印件',
      'f.applicantDueOn': addDays(today, 15),
    });
    expect(res.status).toBe(303);
    const after = await handler.get(res.location!);
    expect(after.html).toContain('已办理：发出补正告知');
    expect(after.html).toMatch(/<tr data-action="request-correction">[\s\S]*?zrzy\.handler1/);
    expect(after.html).toContain('政府信息公开申请补正告知书');
    expect(textOf(after.html, 'case-stage')).toContain('待补正');
  }, 30_000);

  test('a refused act re-renders the page with 409 and the reason, and changes nothing', async () => {
    const handler = await signIn('zrzy.handler1');
    const form = formFor((await handler.get(casePath())).html, 'record-correction-lapsed');
    const res = await handler.post(`${casePath()}/act`, { ...form.hidden, 'f.note': '逾期未补正' });
    expect(res.status).toBe(409);
    expect(res.html).toContain('flash-error');
    expect(res.html).toContain('未能办理「认定逾期未补正」');
    expect(res.html).toContain('尚未届满');
    // The page is the case page again, with fresh forms.
    expect(formFor(res.html, 'record-correction-lapsed').hidden.updateId).not.toBe(form.hidden.updateId);
    expect(await timelineActions()).not.toContain('record-correction-lapsed');
  }, 30_000);

  test('an invalid value is a 400 naming the field, shown beside it with what was typed', async () => {
    const handler = await signIn('zrzy.handler1');
    const form = formFor((await handler.get(casePath())).html, 'record-correction-received');
    const res = await handler.post(`${casePath()}/act`, { ...form.hidden, 'f.receivedOn': 'yesterday' });
    expect(res.status).toBe(400);
    expect(res.html).toContain('data.receivedOn');
    expect(res.html).toMatch(/case-invalid[\s\S]*?name="f\.receivedOn" value="yesterday"/);
    expect(await timelineActions()).not.toContain('record-correction-received');
  }, 30_000);

  test('staff of another agency get 403 for the page and for an act', async () => {
    const other = await signIn('zfb.handler1');
    const page = await other.get(casePath());
    expect(page.status).toBe(403);
    const res = await other.post(`${casePath()}/act`, { _csrf: csrfOf(page.html), action: 'record-withdrawal', updateId: randomUUID(), 'f.withdrawnOn': today, 'f.reason': '撤回' });
    expect(res.status).toBe(403);
    expect(await timelineActions()).not.toContain('record-withdrawal');
  }, 30_000);

  test('viewing the applicant’s data is audited; a supervisor is refused it and gets no link', async () => {
    const handler = await signIn('zrzy.handler1');
    expect((await handler.get(casePath())).html).toContain(`href="${casePath()}/application"`);
    const before = (await web.register.auditTrail(caseNumber)).filter((e) => e.action === 'view-personal-data').length;
    const page = await handler.get(`${casePath()}/application`);
    expect(page.status).toBe(200);
    expect(textOf(page.html, 'applicant-name')).toBe(exampleApplication.applicant.name);
    const views = (await web.register.auditTrail(caseNumber)).filter((e) => e.action === 'view-personal-data');
    expect(views).toHaveLength(before + 1);
    expect(views.at(-1)!.actor_id).toBe('zrzy.handler1');

    const supervisor = await signIn('supervisor');
    const casePage = await supervisor.get(casePath());
    expect(casePage.status).toBe(200);
    expect(casePage.html).not.toContain('/application"');
    expect((await supervisor.get(`${casePath()}/application`)).status).toBe(403);
    expect((await web.register.auditTrail(caseNumber)).filter((e) => e.action === 'view-personal-data')).toHaveLength(before + 1);
  }, 30_000);

  test('the correction notice downloads as the PDF listing both items', async () => {
    const deadline = Date.now() + 30_000;
    while (!(await caseView()).documents.find((d) => d.documentType === 'correction-notice')?.formats?.length) {
      if (Date.now() > deadline) throw new Error('the correction notice was not produced within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const handler = await signIn('zrzy.handler1');
    const page = await handler.get(casePath());
    const href = /href="(\/cases\/[^"]+\/documents\/correction-notice\/[^"]+\.pdf)"/.exec(page.html)?.[1];
    expect(href).toBe(`${casePath()}/documents/correction-notice/1.pdf`);

    const pdf = await handler.get(href!);
    expect(pdf.status).toBe(200);
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    const text = pdfText(pdf.bytes).replace(/\s+/g, '');
    expect(text).toContain('请写明所申请信息的文号');
    expect(text).toContain('请补充身份证明复印件');
    expect((await web.register.auditTrail(caseNumber)).some((e) => e.action === 'download-document' && e.actor_id === 'zrzy.handler1')).toBe(true);

    const other = await signIn('zfb.handler1');
    expect((await other.get(href!)).status).toBe(403);
  }, 60_000);

  test('a closed case is shown read-only from the register, with no forms', async () => {
    const closed = await registerCase(new Date().toISOString());
    const act = (as: string, action: string, data: Record<string, unknown>) => web.api('POST', `/api/cases/${closed}/actions`, { as, body: { action, data } });
    expect((await act('zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler2' })).status).toBe(200);
    expect((await act('zrzy.handler2', 'record-withdrawal', { withdrawnOn: today, reason: '申请人撤回' })).status).toBe(200);
    expect((await act('zrzy.handler2', 'archive-case', {})).status).toBe(200);

    const handler = await signIn('zrzy.handler2');
    const deadline = Date.now() + 30_000;
    let page = await handler.get(`/cases/${closed}`);
    while (!page.html.includes('id="case-closed"')) {
      if (Date.now() > deadline) throw new Error(`the archived case is still answered by its workflow: ${page.status}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      page = await handler.get(`/cases/${closed}`);
    }
    expect(page.status).toBe(200);
    expect(textOf(page.html, 'case-stage')).toBe('已归档');
    expect(textOf(page.html, 'case-handler')).toContain('zrzy.handler2');
    expect(actForms(page.html)).toEqual([]);
  }, 60_000);

  test('an overdue deadline is highlighted', async () => {
    const old = await registerCase('2026-09-01T10:00:00+08:00');
    const head = await signIn('zrzy.head');
    const page = await head.get(`/cases/${old}`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<tr class="due-overdue">\s*<td>答复期限[\s\S]*?已逾期/);
  }, 30_000);
});
