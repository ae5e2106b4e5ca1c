import { nthWorkingDayAfter } from '../../domain/calendar';
import { addDays, beijingDateOf, type IsoDate } from '../../domain/dates';
import { SESSION_TTL_MS, sessionTokens } from '../../web/session';
import { submitApplication } from '../../workers/intake';
import { shippedCalendar } from '../helpers/calendar';
import { randomSubmissionId } from '../helpers/register';
import { exampleApplication } from '../helpers/request-harness';
import { walkthroughPayload, walkthroughSteps } from '../helpers/walkthrough';
import { WebStack } from '../helpers/web-stack';

// The JSON API end to end, table-driven (issue 9, deliverables 3 and 5): every operation in the OpenAPI document at
// /docs has rows in SUCCESS and REFUSALS — a new endpoint without them fails the suite — run against the dev server,
// a worker with every activity, the register and SMTP capture; the 503 rows against a second stack without a worker.

// ---------------------------------------------------------------------------------------------------------------
// Calls, recorded: no response anywhere in this file may be a 500.

type ApiOptions = NonNullable<Parameters<WebStack['api']>[2]>;
interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}
interface ErrorBody {
  error: string;
  message: string;
  problems?: { field: string; message: string }[];
}

let answersOfThisTest: { request: string; status: number; body: unknown }[] = [];

async function call(stack: WebStack, method: string, path: string, opts: ApiOptions = {}): Promise<Answer> {
  const answer = await stack.api(method, path, opts);
  answersOfThisTest.push({ request: `${method} ${path}`, status: answer.status, body: answer.body });
  return answer;
}

/** A download as bytes (the stack's `api` reads text). */
async function download(stack: WebStack, path: string, as: string): Promise<Answer & { bytes: Buffer }> {
  const res = await fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${await stack.tokenFor(as)}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const body: unknown = res.headers.get('content-type')?.includes('application/json') ? JSON.parse(bytes.toString('utf8')) : bytes;
  answersOfThisTest.push({ request: `GET ${path}`, status: res.status, body });
  return { status: res.status, body, headers: res.headers, bytes };
}

afterEach(() => {
  const failures = answersOfThisTest.filter((a) => a.status === 500 || (a.status > 500 && a.status !== 503));
  answersOfThisTest = [];
  expect(failures).toEqual([]);
});

// ---------------------------------------------------------------------------------------------------------------
// The stacks and the cases every row works on

let web: WebStack;
/** No worker: submissions, views and acts answer 503. */
let bare: WebStack;
/** The secret WebStack signs sessions with (test/helpers/web-stack.ts); the test 'tokens: …' checks it still is. */
const stackTokens = sessionTokens(Buffer.alloc(32, 9));

const application = (channel: Record<string, string>) => ({ ...exampleApplication, channel });
const inPersonOn = (date: IsoDate) => ({ kind: 'in-person', submittedAt: `${date}T10:00:00+08:00` });

const today = (): IsoDate => beijingDateOf(new Date().toISOString());
/** The latest receipt date before today whose `n`-th working day after is on or before `by`. */
function receivedBefore(n: number, by: IsoDate): IsoDate {
  for (let date = addDays(today(), -1); ; date = addDays(date, -1)) {
    if (nthWorkingDayAfter(shippedCalendar(), date, n).date <= by) return date;
  }
}

/** Every case number a submission in this file answered with: nothing else may appear in a list. */
const submitted = new Set<string>();
const cases = {
  /** LYG-ZRZY, registered today, no handler. */
  fresh: '',
  /** LYG-ZRZY, registered, received 25 working days ago: overdue. */
  overdue: '',
  /** LYG-ZRZY, registered, reply due two working days from today. */
  dueSoon: '',
  /** LYG-ZRZY, assigned to zrzy.handler1 (completeness-check). */
  assigned: '',
  /** LYG-ZRZY, zrzy.handler1 consulting a third party: clock paused. */
  paused: '',
  /** LYG-ZRZY, registered, for the assignment row. */
  toAssign: '',
  /** LYG-ZFB, registered. */
  zfb: '',
  /** LYG-ZRZY, the README's walkthrough to the end: archived, its workflow completed. */
  archived: '',
  /** On the stack without a worker: its workflow started, nobody runs it. */
  bare: '',
};
let dueSoonReplyDue: IsoDate;

async function submit(as: string, app: unknown): Promise<string> {
  const answer = await call(web, 'POST', '/api/submissions', { as, body: { submissionId: randomSubmissionId(), application: app } });
  if (answer.status !== 201) throw new Error(`submission failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  const { caseNumber } = answer.body as { caseNumber: string };
  submitted.add(caseNumber);
  return caseNumber;
}

async function act(caseNumber: string, as: string, action: string, data: unknown): Promise<Answer> {
  return call(web, 'POST', `/api/cases/${caseNumber}/actions`, { as, body: { action, data } });
}

async function actOk(caseNumber: string, as: string, action: string, data: unknown): Promise<Record<string, unknown>> {
  const answer = await act(caseNumber, as, action, data);
  if (answer.status !== 200) throw new Error(`${action} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body as { case: Record<string, unknown> }).case;
}

/** Walks a case of the example application through the walkthrough, up to and including the act `lastFile`. */
async function walk(caseNumber: string, lastFile: string): Promise<Record<string, unknown>> {
  let view: Record<string, unknown> = {};
  const steps = walkthroughSteps(today());
  for (const { userId, action, data } of steps.slice(0, steps.findIndex((step) => step.file === lastFile) + 1)) {
    view = await actOk(caseNumber, userId, action, data);
  }
  return view;
}

interface CaseRow {
  caseNumber: string;
  replyDue: string | null;
  paused: boolean;
  handler: string | null;
}

async function listed(as: string, query = ''): Promise<CaseRow[]> {
  const answer = await call(web, 'GET', `/api/cases${query}`, { as });
  if (answer.status !== 200) throw new Error(`list failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body as { cases: CaseRow[] }).cases;
}

/** Visibility is eventually consistent: list until `done` holds (or 20 s pass), then return the last answer. */
async function listUntil(as: string, query: string, done: (rows: CaseRow[]) => boolean): Promise<CaseRow[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await listed(as, query);
    if (done(rows) || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const numbersOf = (rows: CaseRow[]) => rows.map((r) => r.caseNumber);

beforeAll(async () => {
  [web, bare] = await Promise.all([WebStack.start(), WebStack.start({ worker: false })]);

  cases.fresh = await submit('zrzy.registrar', application({ kind: 'in-person', submittedAt: new Date(Date.now() - 60_000).toISOString().replace('Z', '+00:00') }));
  // Received 25 working days ago: the 20-WD reply deadline passed 5 working days ago.
  cases.overdue = await submit('zrzy.registrar', application(inPersonOn(receivedBefore(25, today()))));
  dueSoonReplyDue = nthWorkingDayAfter(shippedCalendar(), today(), 2).date;
  cases.dueSoon = await submit('zrzy.registrar', application(inPersonOn(receivedBefore(20, dueSoonReplyDue))));
  cases.toAssign = await submit('zrzy.registrar', exampleApplication);
  cases.zfb = await submit('zfb.registrar', { ...exampleApplication, agencyCode: 'LYG-ZFB' });

  cases.assigned = await submit('zrzy.registrar', exampleApplication);
  await actOk(cases.assigned, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });

  // The walkthrough's dates follow the example's receipt date (2026-11-27).
  cases.paused = await submit('zrzy.registrar', exampleApplication);
  expect(await walk(cases.paused, '05-start-third-party-consultation')).toMatchObject({ paused: true });
  cases.archived = await submit('zrzy.registrar', exampleApplication);
  expect(await walk(cases.archived, '13-archive-case')).toMatchObject({ stage: 'archived' });

  // Intake without the web app: starting a workflow needs no worker, answering it does.
  const started = await submitApplication(
    { client: bare.env.client, register: bare.register, config: bare.config },
    { submissionId: randomSubmissionId(), application: exampleApplication, registeredBy: 'zrzy.registrar' },
  );
  cases.bare = started.caseNumber;

  // Exclusions below ("not listed") mean something only once every case's search attributes are visible.
  const settled = await listUntil('zrzy.head', '', (rows) =>
    [cases.fresh, cases.overdue, cases.dueSoon, cases.toAssign, cases.assigned].every((n) => rows.some((r) => r.caseNumber === n && r.replyDue !== null)) &&
    rows.some((r) => r.caseNumber === cases.paused && r.paused) &&
    rows.some((r) => r.caseNumber === cases.assigned && r.handler === 'zrzy.handler1'),
  );
  expect(settled.find((r) => r.caseNumber === cases.dueSoon)).toMatchObject({ replyDue: dueSoonReplyDue });
  answersOfThisTest = [];
}, 240_000);

afterAll(async () => {
  await Promise.all([web?.close(), bare?.close()]);
}, 60_000);

// ---------------------------------------------------------------------------------------------------------------
// The tables

/** An operation as the OpenAPI document names it: `POST /api/cases/{caseNumber}/actions`. */
type Endpoint = string;

interface SuccessRow {
  endpoint: Endpoint;
  name: string;
  run: () => Promise<void>;
}

/** What a refusal row shows; some are required of every operation that has a body, parameters or security. */
type RefusalKind = 'unauthenticated' | 'wrong-role' | 'not-assigned' | 'wrong-agency' | 'wrong-stage' | 'malformed-body' | 'body-too-large' | 'invalid-field' | 'not-found' | 'no-worker';

interface RefusalRow {
  endpoint: Endpoint;
  kind: RefusalKind;
  name: string;
  request: () => Promise<Answer>;
  status: number;
  /** The body's `error`; any string when absent. */
  error?: string;
  /** A `problems[].field` that must match: the field at fault. */
  field?: string | RegExp;
  /** What must hold afterwards (nothing registered, nothing audited…). */
  then?: () => Promise<void>;
}

const SESSION = 'POST /api/session';
const SUBMISSIONS = 'POST /api/submissions';
const LIST = 'GET /api/cases';
const VIEW = 'GET /api/cases/{caseNumber}';
const APPLICATION = 'GET /api/cases/{caseNumber}/application';
const ACTIONS = 'POST /api/cases/{caseNumber}/actions';
const DOCUMENTS = 'GET /api/documents/{*}';

/** More than BODY_LIMIT_BYTES (256 KiB) of otherwise well-formed JSON. */
const oversized = () => JSON.stringify({ submissionId: 'too-large-0001', application: { ...exampleApplication, padding: 'x'.repeat(300 * 1024) } });
const receiptOf = (caseNumber: string) => `${caseNumber}/receipt/1`;

/** GET /api/cases/{caseNumber} of an open case: what the rows read of it. */
interface OpenCaseAnswer {
  source: 'workflow';
  case: Record<string, unknown> & { timeline: { action: string }[]; documents: { documentId: string; formats?: { documentId: string }[] }[] };
  permittedActions: string[];
}

async function viewOf(caseNumber: string, as = 'zrzy.head'): Promise<OpenCaseAnswer> {
  const answer = await call(web, 'GET', `/api/cases/${caseNumber}`, { as });
  if (answer.status !== 200) throw new Error(`view failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as OpenCaseAnswer;
}

/** The receipt is rendered by an activity after registration: wait until the case lists its stored formats. */
async function storedReceipt(caseNumber: string): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const receipt = (await viewOf(caseNumber)).case.documents.find((d) => d.documentId === receiptOf(caseNumber));
    if (receipt?.formats?.length || Date.now() > deadline) return receipt?.formats?.map((f) => f.documentId) ?? [];
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The workflow completes a moment after the archiving act; from then on the register answers. */
async function closedInTemporal(caseNumber: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await web.env.client.workflow.getHandle(caseNumber).describe()).status.name === 'RUNNING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const auditedViews = async (caseNumber: string, action: string) => (await web.register.auditTrail(caseNumber)).filter((e) => e.action === action).map((e) => e.actor_id);

const SUCCESS: SuccessRow[] = [
  {
    endpoint: SESSION,
    name: 'a demo user signs in: a token valid for 12 hours that opens the API',
    run: async () => {
      const answer = await call(web, 'POST', '/api/session', { body: { userId: 'zrzy.handler1', password: 'gongkai-demo' } });
      expect(answer.status).toBe(200);
      const { token, expiresAt } = answer.body as { token: string; expiresAt: string };
      expect(token).toEqual(expect.any(String));
      expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(SESSION_TTL_MS - 60_000);
      expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(SESSION_TTL_MS);
      expect((await call(web, 'GET', '/api/cases', { token })).status).toBe(200);
    },
  },
  {
    endpoint: SUBMISSIONS,
    name: 'a registrar submits: 201 with the case number; the same submissionId again: 200, the same case',
    run: async () => {
      const body = { submissionId: randomSubmissionId(), application: exampleApplication };
      const first = await call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body });
      expect(first).toMatchObject({ status: 201, body: { caseNumber: expect.stringMatching(/^LYG-ZRZY-\d{4}-\d{6}$/), created: true } });
      const { caseNumber } = first.body as { caseNumber: string };
      submitted.add(caseNumber);
      const again = await call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body });
      expect(again).toMatchObject({ status: 200, body: { caseNumber, created: false } });
      expect((await viewOf(caseNumber)).case).toMatchObject({ caseNumber, agencyCode: 'LYG-ZRZY', stage: 'registered', receivedOn: '2026-11-27' });
    },
  },
  {
    endpoint: LIST,
    name: 'a user sees the open cases of their agency, not another agency’s',
    run: async () => {
      const own = numbersOf(await listed('zrzy.handler2'));
      expect(own).toEqual(expect.arrayContaining([cases.fresh, cases.overdue, cases.assigned, cases.paused]));
      expect(own).not.toContain(cases.zfb);
      expect(own.every((n) => submitted.has(n))).toBe(true);
      const other = numbersOf(await listed('zfb.head'));
      expect(other).toContain(cases.zfb);
      expect(other).not.toContain(cases.fresh);
    },
  },
  {
    endpoint: LIST,
    name: 'agency=: the supervisor (all agencies) lists one agency at a time',
    run: async () => {
      const zrzy = numbersOf(await listed('supervisor', '?agency=LYG-ZRZY'));
      expect(zrzy).toContain(cases.fresh);
      expect(zrzy).not.toContain(cases.zfb);
      const zfb = numbersOf(await listed('supervisor', '?agency=LYG-ZFB'));
      expect(zfb).toContain(cases.zfb);
      expect(zfb).not.toContain(cases.fresh);
    },
  },
  {
    endpoint: LIST,
    name: 'handler=: only the cases assigned to that handler',
    run: async () => {
      const mine = await listed('zrzy.head', '?handler=zrzy.handler1');
      expect(numbersOf(mine)).toEqual(expect.arrayContaining([cases.assigned, cases.paused]));
      expect(numbersOf(mine)).not.toContain(cases.fresh);
      expect(mine.every((r) => r.handler === 'zrzy.handler1')).toBe(true);
      expect(numbersOf(await listed('zrzy.head', '?handler=zrzy.handler2'))).not.toContain(cases.assigned);
    },
  },
  {
    endpoint: LIST,
    name: 'paused=true: only cases whose clock is paused (a third-party consultation)',
    run: async () => {
      const paused = await listed('zrzy.head', '?paused=true');
      expect(numbersOf(paused)).toContain(cases.paused);
      expect(numbersOf(paused)).not.toContain(cases.fresh);
      expect(paused.every((r) => r.paused)).toBe(true);
    },
  },
  {
    endpoint: LIST,
    name: 'overdue=true: a case received 25 working days ago is listed, a fresh one is not',
    run: async () => {
      const overdue = numbersOf(await listed('zrzy.head', '?overdue=true'));
      expect(overdue).toContain(cases.overdue);
      expect(overdue).not.toContain(cases.fresh);
      expect(overdue).not.toContain(cases.dueSoon);
    },
  },
  {
    endpoint: LIST,
    name: 'dueWithin=N: a reply due in 2 working days is within 5, not within 1; fresh and overdue cases are not',
    run: async () => {
      const within5 = numbersOf(await listed('zrzy.head', '?dueWithin=5'));
      expect(within5).toContain(cases.dueSoon);
      expect(within5).not.toContain(cases.fresh);
      expect(within5).not.toContain(cases.overdue);
      expect(numbersOf(await listed('zrzy.head', '?dueWithin=1'))).not.toContain(cases.dueSoon);
    },
  },
  {
    endpoint: LIST,
    name: 'overdue=false and paused=false do not list overdue or paused cases',
    run: async () => {
      expect(numbersOf(await listed('zrzy.head', '?overdue=false'))).not.toContain(cases.overdue);
      expect(numbersOf(await listed('zrzy.head', '?paused=false'))).not.toContain(cases.paused);
    },
  },
  {
    endpoint: VIEW,
    name: 'the case view, and the actions this person may take now',
    run: async () => {
      const head = await viewOf(cases.fresh, 'zrzy.head');
      expect(head).toMatchObject({ source: 'workflow', case: { caseNumber: cases.fresh, stage: 'registered', handlerId: null, receivedOn: today() } });
      expect(head.case.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'reply', due: expect.any(String), explanation: expect.any(String) })]));
      expect(head.permittedActions).toContain('assign-handler');
      expect(head.permittedActions).not.toContain('draft-reply');
      // Nothing to do for a handler before assignment; the supervisor may urge any agency's case.
      expect((await viewOf(cases.fresh, 'zrzy.handler1')).permittedActions).toEqual([]);
      expect((await viewOf(cases.fresh, 'supervisor')).permittedActions).toEqual(['urge']);
      expect((await viewOf(cases.assigned, 'zrzy.handler1')).permittedActions).toEqual(expect.arrayContaining(['request-correction', 'record-completeness-finding']));
      expect(JSON.stringify(head)).not.toContain(exampleApplication.applicant.name);
    },
  },
  {
    endpoint: VIEW,
    name: 'an archived case answers from the register: no actions, no personal data',
    run: async () => {
      await closedInTemporal(cases.archived);
      const answer = await call(web, 'GET', `/api/cases/${cases.archived}`, { as: 'zrzy.reviewer' });
      expect(answer).toMatchObject({ status: 200, body: { source: 'register', case: { case_number: cases.archived, stage: 'archived', outcome: 'partially-disclosed' }, permittedActions: [] } });
      expect(JSON.stringify(answer.body)).not.toContain(exampleApplication.applicant.name);
    },
  },
  {
    endpoint: APPLICATION,
    name: 'the assigned handler reads the application; the view is in the audit trail',
    run: async () => {
      const before = await auditedViews(cases.assigned, 'view-personal-data');
      const answer = await call(web, 'GET', `/api/cases/${cases.assigned}/application`, { as: 'zrzy.handler1' });
      expect(answer).toMatchObject({ status: 200, body: { application: { agencyCode: 'LYG-ZRZY', applicant: exampleApplication.applicant } } });
      expect(await auditedViews(cases.assigned, 'view-personal-data')).toEqual([...before, 'zrzy.handler1']);
    },
  },
  {
    endpoint: APPLICATION,
    name: 'an archived case’s application, from the register, to its handler; audited',
    run: async () => {
      await closedInTemporal(cases.archived);
      const before = await auditedViews(cases.archived, 'view-personal-data');
      const answer = await call(web, 'GET', `/api/cases/${cases.archived}/application`, { as: 'zrzy.handler1' });
      expect(answer).toMatchObject({ status: 200, body: { application: { applicant: exampleApplication.applicant } } });
      expect(await auditedViews(cases.archived, 'view-personal-data')).toEqual([...before, 'zrzy.handler1']);
    },
  },
  {
    endpoint: ACTIONS,
    name: 'the office head assigns a handler: stage completeness-check; the same updateId twice acts once',
    run: async () => {
      const body = { action: 'assign-handler', data: { handlerId: 'zrzy.handler2' }, updateId: `assign-${randomSubmissionId()}` };
      // A double click: both requests at once, then a retry.
      const [first, second] = await Promise.all([1, 2].map(() => call(web, 'POST', `/api/cases/${cases.toAssign}/actions`, { as: 'zrzy.head', body })));
      const retry = await call(web, 'POST', `/api/cases/${cases.toAssign}/actions`, { as: 'zrzy.head', body });
      for (const answer of [first, second, retry]) expect(answer).toMatchObject({ status: 200, body: { case: { stage: 'completeness-check', handlerId: 'zrzy.handler2' } } });
      const { timeline } = (await viewOf(cases.toAssign)).case;
      expect(timeline.filter((t) => t.action === 'assign-handler')).toHaveLength(1);
    },
  },
  {
    endpoint: DOCUMENTS,
    name: 'the receipt, once stored: a PDF (and a DOCX) to the case’s agency, each download audited',
    run: async () => {
      const formats = await storedReceipt(cases.fresh);
      expect(formats).toEqual(expect.arrayContaining([`${receiptOf(cases.fresh)}.pdf`, `${receiptOf(cases.fresh)}.docx`]));
      const before = await auditedViews(cases.fresh, 'download-document');
      const pdf = await download(web, `/api/documents/${receiptOf(cases.fresh)}.pdf`, 'zrzy.registrar');
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.pdf"$/);
      expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const docx = await download(web, `/api/documents/${receiptOf(cases.fresh)}.docx`, 'zrzy.reviewer');
      expect(docx.status).toBe(200);
      expect(docx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      expect(docx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      expect(await auditedViews(cases.fresh, 'download-document')).toEqual([...before, 'zrzy.registrar', 'zrzy.reviewer']);
      // A handler not assigned to the case is not its staff for personal data (domain/roles view-personal-data).
      expect((await download(web, `/api/documents/${receiptOf(cases.fresh)}.pdf`, 'zrzy.handler2')).status).toBe(403);
    },
  },
  {
    endpoint: DOCUMENTS,
    name: 'an archived case’s numbered reply, from the register',
    run: async () => {
      await closedInTemporal(cases.archived);
      // The register's view of a closed case lists its documents (ids, numbers, dispatch; no content).
      const view = await call(web, 'GET', `/api/cases/${cases.archived}`, { as: 'zrzy.reviewer' });
      const documents = (view.body as { case: { documents: { document_id: string; document_number: string | null }[] } }).case.documents;
      const reply = documents.find((d) => /\/reply\/v\d+\.pdf$/.test(d.document_id));
      expect(reply?.document_number).toMatch(/^连资规依复〔\d{4}〕\d+号$/);
      const pdf = await download(web, `/api/documents/${reply!.document_id}`, 'zrzy.reviewer');
      expect(pdf.status).toBe(200);
      expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    },
  },
];

// Tokens that must not open the API.
const expiredToken = () => stackTokens.issue('zrzy.registrar', Date.now() - SESSION_TTL_MS - 1_000).token;
const forgedToken = () => sessionTokens(Buffer.alloc(32, 1)).issue('zrzy.registrar').token;
/** A genuine token with its user id changed to someone else's. */
async function tamperedToken(): Promise<string> {
  const token = await web.tokenFor('zrzy.handler1');
  return token.replace(/^zrzy\.handler1\./, 'zrzy.registrar.');
}

const unauthenticated = (endpoint: Endpoint, method: string, path: () => string, body?: unknown): RefusalRow[] => [
  { endpoint, kind: 'unauthenticated', name: 'no token', request: () => call(web, method, path(), { body }), status: 401, error: 'unauthenticated' },
  { endpoint, kind: 'unauthenticated', name: 'not a token', request: () => call(web, method, path(), { body, headers: { authorization: 'Bearer not-a-token' } }), status: 401, error: 'unauthenticated' },
  { endpoint, kind: 'unauthenticated', name: 'expired token', request: () => call(web, method, path(), { body, token: expiredToken() }), status: 401, error: 'unauthenticated' },
  { endpoint, kind: 'unauthenticated', name: 'token signed with another secret', request: () => call(web, method, path(), { body, token: forgedToken() }), status: 401, error: 'unauthenticated' },
  { endpoint, kind: 'unauthenticated', name: 'token with its user changed', request: async () => call(web, method, path(), { body, token: await tamperedToken() }), status: 401, error: 'unauthenticated' },
  // Who calls is checked before what is sent: no schema detail reaches a caller without a token.
  { endpoint, kind: 'unauthenticated', name: 'no token and a malformed request: 401, not 400', request: () => call(web, method, `${path()}${method === 'GET' ? '?overdue=maybe' : ''}`, { ...(method === 'GET' ? {} : { body: { nonsense: true } }) }), status: 401, error: 'unauthenticated' },
];

const validSubmission = () => ({ submissionId: randomSubmissionId(), application: exampleApplication });
const badIdNumber = { ...exampleApplication.applicant, idDocument: { kind: 'resident-id-card', number: '110105194912310021' } };
let badIdSubmissionId = '';

const REFUSALS: RefusalRow[] = [
  // POST /api/session
  { endpoint: SESSION, kind: 'unauthenticated', name: 'wrong password', request: () => call(web, 'POST', '/api/session', { body: { userId: 'zrzy.head', password: 'not-the-password' } }), status: 401, error: 'unauthenticated' },
  {
    endpoint: SESSION,
    kind: 'unauthenticated',
    name: 'unknown user: the same answer as a wrong password',
    request: () => call(web, 'POST', '/api/session', { body: { userId: 'nobody', password: 'gongkai-demo' } }),
    status: 401,
    error: 'unauthenticated',
    then: async () => {
      const wrongPassword = await call(web, 'POST', '/api/session', { body: { userId: 'zrzy.head', password: 'not-the-password' } });
      const unknownUser = await call(web, 'POST', '/api/session', { body: { userId: 'nobody', password: 'gongkai-demo' } });
      expect(unknownUser.body).toEqual(wrongPassword.body);
    },
  },
  { endpoint: SESSION, kind: 'malformed-body', name: 'malformed JSON', request: () => call(web, 'POST', '/api/session', { rawBody: '{"userId": "zrzy.head", ' }), status: 400 },
  { endpoint: SESSION, kind: 'malformed-body', name: 'empty body', request: () => call(web, 'POST', '/api/session', { rawBody: '' }), status: 400 },
  { endpoint: SESSION, kind: 'body-too-large', name: 'a body over 256 KiB', request: () => call(web, 'POST', '/api/session', { rawBody: JSON.stringify({ userId: 'zrzy.head', password: 'x'.repeat(300 * 1024) }) }), status: 413 },
  { endpoint: SESSION, kind: 'invalid-field', name: 'userId of the wrong type', request: () => call(web, 'POST', '/api/session', { body: { userId: 42, password: 'gongkai-demo' } }), status: 400, field: 'userId' },
  { endpoint: SESSION, kind: 'invalid-field', name: 'password missing', request: () => call(web, 'POST', '/api/session', { body: { userId: 'zrzy.head' } }), status: 400, field: 'password' },
  { endpoint: SESSION, kind: 'invalid-field', name: 'an unknown field, named', request: () => call(web, 'POST', '/api/session', { body: { userId: 'zrzy.head', password: 'gongkai-demo', role: 'admin' } }), status: 400, field: /(^|\.)role$/ },

  // POST /api/submissions
  ...unauthenticated(SUBMISSIONS, 'POST', () => '/api/submissions', validSubmission()),
  { endpoint: SUBMISSIONS, kind: 'wrong-role', name: 'a handler submits', request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.handler1', body: validSubmission() }), status: 403, error: 'wrong-role' },
  // The supervisor sees every agency: their agency is not what stops them.
  { endpoint: SUBMISSIONS, kind: 'wrong-role', name: 'the supervisor submits', request: () => call(web, 'POST', '/api/submissions', { as: 'supervisor', body: validSubmission() }), status: 403, error: 'wrong-role' },
  {
    endpoint: SUBMISSIONS,
    kind: 'wrong-agency',
    name: 'a registrar of LYG-ZFB submits a request to LYG-ZRZY',
    request: () => call(web, 'POST', '/api/submissions', { as: 'zfb.registrar', body: validSubmission() }),
    status: 403,
    error: 'wrong-agency',
    field: /(^|\.)agencyCode$/,
  },
  { endpoint: SUBMISSIONS, kind: 'malformed-body', name: 'malformed JSON', request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', rawBody: '{"submissionId": "abc-12345", "application": {' }), status: 400 },
  { endpoint: SUBMISSIONS, kind: 'body-too-large', name: 'a body over 256 KiB', request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', rawBody: oversized() }), status: 413 },
  { endpoint: SUBMISSIONS, kind: 'invalid-field', name: 'submissionId of the wrong type', request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: 12345678, application: exampleApplication } }), status: 400, field: 'submissionId' },
  { endpoint: SUBMISSIONS, kind: 'invalid-field', name: 'application is a list', request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: randomSubmissionId(), application: [] } }), status: 400, field: 'application' },
  { endpoint: SUBMISSIONS, kind: 'invalid-field', name: 'an unknown field, named', request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: { ...validSubmission(), priority: 'high' } }), status: 400, field: /(^|\.)priority$/ },
  {
    endpoint: SUBMISSIONS,
    kind: 'invalid-field',
    name: 'an invalid ID number: the field named, no case registered',
    request: () => {
      badIdSubmissionId = randomSubmissionId();
      return call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: badIdSubmissionId, application: { ...exampleApplication, applicant: badIdNumber } } });
    },
    status: 400,
    field: /idDocument/,
    then: async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(numbersOf(await listed('zrzy.head')).filter((n) => !submitted.has(n))).toEqual([]);
      // Nothing was allocated to the submission id: the corrected submission creates its case.
      const corrected = await call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: badIdSubmissionId, application: exampleApplication } });
      expect(corrected).toMatchObject({ status: 201, body: { created: true } });
      submitted.add((corrected.body as { caseNumber: string }).caseNumber);
    },
  },
  {
    endpoint: SUBMISSIONS,
    kind: 'invalid-field',
    name: 'a receipt time in year 0226 (a typo the statutory calendar cannot count from)',
    request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: randomSubmissionId(), application: application({ kind: 'in-person', submittedAt: '0226-11-27T10:15:00+08:00' }) } }),
    status: 400,
    field: 'application.channel.submittedAt',
  },
  { endpoint: SUBMISSIONS, kind: 'invalid-field', name: 'a domain field (an unknown channel)', request: () => call(web, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: randomSubmissionId(), application: application({ kind: 'pigeon' }) } }), status: 400, field: /channel\.kind$/ },
  { endpoint: SUBMISSIONS, kind: 'no-worker', name: 'no worker runs', request: () => call(bare, 'POST', '/api/submissions', { as: 'zrzy.registrar', body: validSubmission() }), status: 503, error: 'no-worker' },

  // GET /api/cases
  ...unauthenticated(LIST, 'GET', () => '/api/cases'),
  { endpoint: LIST, kind: 'wrong-role', name: 'the admin (no case role) lists cases', request: () => call(web, 'GET', '/api/cases', { as: 'admin' }), status: 403, error: 'wrong-role' },
  { endpoint: LIST, kind: 'wrong-agency', name: 'another agency', request: () => call(web, 'GET', '/api/cases?agency=LYG-ZFB', { as: 'zrzy.head' }), status: 403, error: 'wrong-agency', field: /(^|\.)agency$/ },
  { endpoint: LIST, kind: 'invalid-field', name: 'overdue=yes', request: () => call(web, 'GET', '/api/cases?overdue=yes', { as: 'zrzy.head' }), status: 400, field: 'overdue' },
  { endpoint: LIST, kind: 'invalid-field', name: 'paused=1', request: () => call(web, 'GET', '/api/cases?paused=1', { as: 'zrzy.head' }), status: 400, field: 'paused' },
  { endpoint: LIST, kind: 'invalid-field', name: 'dueWithin=abc', request: () => call(web, 'GET', '/api/cases?dueWithin=abc', { as: 'zrzy.head' }), status: 400, field: 'dueWithin' },
  { endpoint: LIST, kind: 'invalid-field', name: 'dueWithin=0', request: () => call(web, 'GET', '/api/cases?dueWithin=0', { as: 'zrzy.head' }), status: 400, field: 'dueWithin' },
  { endpoint: LIST, kind: 'invalid-field', name: 'a handler id with a quote', request: () => call(web, 'GET', `/api/cases?handler=${encodeURIComponent("x' OR 1=1")}`, { as: 'zrzy.head' }), status: 400, field: 'handler' },
  { endpoint: LIST, kind: 'invalid-field', name: 'a lower-case agency code', request: () => call(web, 'GET', '/api/cases?agency=lyg-zrzy', { as: 'zrzy.head' }), status: 400, field: 'agency' },
  { endpoint: LIST, kind: 'invalid-field', name: 'an unknown filter, named', request: () => call(web, 'GET', '/api/cases?stage=registered', { as: 'zrzy.head' }), status: 400, field: /(^|\.)stage$/ },

  // GET /api/cases/{caseNumber}
  ...unauthenticated(VIEW, 'GET', () => `/api/cases/${cases.fresh}`),
  { endpoint: VIEW, kind: 'wrong-role', name: 'the admin (no case role) views a case of their agency', request: () => call(web, 'GET', `/api/cases/${cases.zfb}`, { as: 'admin' }), status: 403, error: 'wrong-role' },
  { endpoint: VIEW, kind: 'wrong-agency', name: 'LYG-ZFB’s office head views a LYG-ZRZY case', request: () => call(web, 'GET', `/api/cases/${cases.fresh}`, { as: 'zfb.head' }), status: 403, error: 'wrong-agency' },
  {
    endpoint: VIEW,
    kind: 'wrong-agency',
    name: 'an archived case (the register answers): LYG-ZFB’s office head',
    request: async () => {
      await closedInTemporal(cases.archived);
      return call(web, 'GET', `/api/cases/${cases.archived}`, { as: 'zfb.head' });
    },
    status: 403,
    error: 'wrong-agency',
  },
  { endpoint: VIEW, kind: 'invalid-field', name: 'not a case number', request: () => call(web, 'GET', '/api/cases/lyg-1', { as: 'zrzy.head' }), status: 400, field: 'caseNumber' },
  { endpoint: VIEW, kind: 'not-found', name: 'no such case', request: () => call(web, 'GET', '/api/cases/LYG-ZRZY-2026-999999', { as: 'zrzy.head' }), status: 404, error: 'not-found' },
  { endpoint: VIEW, kind: 'no-worker', name: 'no worker runs', request: () => call(bare, 'GET', `/api/cases/${cases.bare}`, { as: 'zrzy.head' }), status: 503, error: 'no-worker' },

  // GET /api/cases/{caseNumber}/application
  ...unauthenticated(APPLICATION, 'GET', () => `/api/cases/${cases.assigned}/application`),
  {
    endpoint: APPLICATION,
    kind: 'wrong-role',
    name: 'the supervisor oversees without personal data (not audited)',
    request: () => call(web, 'GET', `/api/cases/${cases.assigned}/application`, { as: 'supervisor' }),
    status: 403,
    error: 'wrong-role',
    then: async () => expect(await auditedViews(cases.assigned, 'view-personal-data')).not.toContain('supervisor'),
  },
  {
    endpoint: APPLICATION,
    kind: 'not-assigned',
    name: 'a handler not assigned to the case (not audited)',
    request: () => call(web, 'GET', `/api/cases/${cases.assigned}/application`, { as: 'zrzy.handler2' }),
    status: 403,
    error: 'not-assigned',
    then: async () => expect(await auditedViews(cases.assigned, 'view-personal-data')).not.toContain('zrzy.handler2'),
  },
  {
    endpoint: APPLICATION,
    kind: 'wrong-agency',
    name: 'LYG-ZFB’s registrar (not audited)',
    request: () => call(web, 'GET', `/api/cases/${cases.assigned}/application`, { as: 'zfb.registrar' }),
    status: 403,
    error: 'wrong-agency',
    then: async () => expect(await auditedViews(cases.assigned, 'view-personal-data')).not.toContain('zfb.registrar'),
  },
  {
    endpoint: APPLICATION,
    kind: 'not-assigned',
    name: 'an archived case: a handler who was not its handler',
    request: async () => {
      await closedInTemporal(cases.archived);
      return call(web, 'GET', `/api/cases/${cases.archived}/application`, { as: 'zrzy.handler2' });
    },
    status: 403,
    error: 'not-assigned',
  },
  { endpoint: APPLICATION, kind: 'invalid-field', name: 'not a case number', request: () => call(web, 'GET', '/api/cases/LYG-ZRZY-26-1/application', { as: 'zrzy.head' }), status: 400, field: 'caseNumber' },
  { endpoint: APPLICATION, kind: 'not-found', name: 'no such case', request: () => call(web, 'GET', '/api/cases/LYG-ZRZY-2026-999999/application', { as: 'zrzy.head' }), status: 404, error: 'not-found' },
  { endpoint: APPLICATION, kind: 'no-worker', name: 'no worker runs', request: () => call(bare, 'GET', `/api/cases/${cases.bare}/application`, { as: 'zrzy.registrar' }), status: 503, error: 'no-worker' },

  // POST /api/cases/{caseNumber}/actions
  ...unauthenticated(ACTIONS, 'POST', () => `/api/cases/${cases.fresh}/actions`, { action: 'assign-handler', data: { handlerId: 'zrzy.handler1' } }),
  { endpoint: ACTIONS, kind: 'wrong-role', name: 'a handler signs off', request: () => act(cases.assigned, 'zrzy.handler1', 'sign-off-reply', { comment: '同意' }), status: 403, error: 'wrong-role' },
  { endpoint: ACTIONS, kind: 'wrong-role', name: 'a registrar urges', request: () => act(cases.fresh, 'zrzy.registrar', 'urge', { message: '请尽快办理' }), status: 403, error: 'wrong-role' },
  { endpoint: ACTIONS, kind: 'not-assigned', name: 'another handler records the completeness finding', request: () => act(cases.assigned, 'zrzy.handler2', 'record-completeness-finding', { finding: 'complete' }), status: 403, error: 'not-assigned' },
  { endpoint: ACTIONS, kind: 'wrong-agency', name: 'LYG-ZFB’s office head assigns on a LYG-ZRZY case', request: () => act(cases.fresh, 'zfb.head', 'assign-handler', { handlerId: 'zfb.handler1' }), status: 403, error: 'wrong-agency' },
  { endpoint: ACTIONS, kind: 'wrong-stage', name: 'the handler drafts the reply during the completeness check', request: () => act(cases.assigned, 'zrzy.handler1', 'draft-reply', walkthroughPayload('09-draft-reply')), status: 409, error: 'wrong-stage' },
  { endpoint: ACTIONS, kind: 'wrong-stage', name: 'a handler drafts the reply on a registered case', request: () => act(cases.fresh, 'zrzy.handler1', 'draft-reply', {}), status: 409, error: 'wrong-stage' },
  {
    endpoint: ACTIONS,
    kind: 'wrong-stage',
    name: 'an act on an archived case',
    request: async () => {
      await closedInTemporal(cases.archived);
      return act(cases.archived, 'zrzy.head', 'urge', { message: '请尽快办理' });
    },
    status: 409,
    error: 'case-closed',
  },
  { endpoint: ACTIONS, kind: 'malformed-body', name: 'malformed JSON', request: () => call(web, 'POST', `/api/cases/${cases.fresh}/actions`, { as: 'zrzy.head', rawBody: '{"action": assign-handler}' }), status: 400 },
  { endpoint: ACTIONS, kind: 'body-too-large', name: 'a body over 256 KiB', request: () => call(web, 'POST', `/api/cases/${cases.fresh}/actions`, { as: 'zrzy.head', rawBody: JSON.stringify({ action: 'urge', data: { message: 'x'.repeat(300 * 1024) } }) }), status: 413 },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'an unknown action', request: () => act(cases.fresh, 'zrzy.head', 'approve-everything', {}), status: 400, field: 'action' },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'a permission that is not an action (view-case)', request: () => act(cases.fresh, 'zrzy.head', 'view-case', {}), status: 400, field: /(^|\.)action$/ },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'data is a list', request: () => act(cases.fresh, 'zrzy.head', 'assign-handler', ['zrzy.handler1']), status: 400, field: 'data' },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'an updateId with spaces', request: () => call(web, 'POST', `/api/cases/${cases.fresh}/actions`, { as: 'zrzy.head', body: { action: 'urge', data: { message: '请尽快办理' }, updateId: 'two words' } }), status: 400, field: 'updateId' },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'an unknown field, named', request: () => call(web, 'POST', `/api/cases/${cases.fresh}/actions`, { as: 'zrzy.head', body: { action: 'urge', data: { message: '请尽快办理' }, actor: 'zrzy.head' } }), status: 400, field: /(^|\.)actor$/ },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'the action’s data lacks a field', request: () => act(cases.fresh, 'zrzy.head', 'assign-handler', {}), status: 400, error: 'invalid-payload', field: 'data.handler' },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'the action’s data has an unknown field, named', request: () => act(cases.fresh, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1', priority: 'high' }), status: 400, error: 'invalid-payload', field: /^data\.priority$/ },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'a handler of another agency', request: () => act(cases.fresh, 'zrzy.head', 'assign-handler', { handlerId: 'zfb.handler1' }), status: 400, field: 'data.handler' },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'a handler who does not exist', request: () => act(cases.fresh, 'zrzy.head', 'assign-handler', { handlerId: 'nobody' }), status: 400, field: 'data.handlerId' },
  { endpoint: ACTIONS, kind: 'invalid-field', name: 'not a case number', request: () => act('LYG_ZRZY-2026-000001', 'zrzy.head', 'urge', { message: '请尽快办理' }), status: 400, field: 'caseNumber' },
  {
    endpoint: ACTIONS,
    kind: 'not-found',
    name: 'no such case; and no refused act reached the timeline',
    request: () => act('LYG-ZRZY-2026-999999', 'zrzy.head', 'urge', { message: '请尽快办理' }),
    status: 404,
    error: 'not-found',
    then: async () => {
      const fresh = (await viewOf(cases.fresh)).case;
      expect(fresh).toMatchObject({ stage: 'registered', handlerId: null });
      expect(fresh.timeline.map((t) => t.action)).toEqual(['register']);
      expect((await viewOf(cases.assigned)).case.timeline.map((t) => t.action)).toEqual(['register', 'assign-handler']);
    },
  },
  { endpoint: ACTIONS, kind: 'no-worker', name: 'no worker runs', request: () => call(bare, 'POST', `/api/cases/${cases.bare}/actions`, { as: 'zrzy.head', body: { action: 'assign-handler', data: { handlerId: 'zrzy.handler1' } } }), status: 503, error: 'no-worker' },

  // GET /api/documents/{*}
  ...unauthenticated(DOCUMENTS, 'GET', () => `/api/documents/${receiptOf(cases.fresh)}.pdf`),
  {
    endpoint: DOCUMENTS,
    kind: 'wrong-agency',
    name: 'LYG-ZFB’s office head downloads a LYG-ZRZY receipt (not audited)',
    request: async () => {
      expect(await storedReceipt(cases.fresh)).toContain(`${receiptOf(cases.fresh)}.pdf`);
      return download(web, `/api/documents/${receiptOf(cases.fresh)}.pdf`, 'zfb.head');
    },
    status: 403,
    error: 'wrong-agency',
    then: async () => expect(await auditedViews(cases.fresh, 'download-document')).not.toContain('zfb.head'),
  },
  {
    endpoint: DOCUMENTS,
    kind: 'wrong-agency',
    name: 'LYG-ZFB’s registrar downloads an archived LYG-ZRZY reply',
    request: async () => {
      await closedInTemporal(cases.archived);
      return download(web, `/api/documents/${cases.archived}/reply/v1.pdf`, 'zfb.registrar');
    },
    status: 403,
    error: 'wrong-agency',
  },
  {
    endpoint: DOCUMENTS,
    kind: 'wrong-role',
    name: 'a supervisor downloads a letter (it names the applicant: personal data, like the application)',
    request: async () => {
      expect(await storedReceipt(cases.fresh)).toContain(`${receiptOf(cases.fresh)}.pdf`);
      return download(web, `/api/documents/${receiptOf(cases.fresh)}.pdf`, 'supervisor');
    },
    status: 403,
    error: 'wrong-role',
    then: async () => expect(await auditedViews(cases.fresh, 'download-document')).not.toContain('supervisor'),
  },
  { endpoint: DOCUMENTS, kind: 'invalid-field', name: 'not a document id', request: () => download(web, `/api/documents/${receiptOf(cases.fresh)}.exe`, 'zrzy.head'), status: 400, field: 'documentId' },
  { endpoint: DOCUMENTS, kind: 'not-found', name: 'a letter the case does not have', request: () => download(web, `/api/documents/${cases.fresh}/reply/1.pdf`, 'zrzy.head'), status: 404, error: 'not-found' },
  { endpoint: DOCUMENTS, kind: 'not-found', name: 'no such case', request: () => download(web, '/api/documents/LYG-ZRZY-2026-999999/receipt/1.pdf', 'zrzy.head'), status: 404, error: 'not-found' },
];

// ---------------------------------------------------------------------------------------------------------------
// The tests

interface Operation {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
}

test('every operation in the OpenAPI document (GET /docs) has success and refusal rows', async () => {
  const docs = await call(web, 'GET', '/docs');
  expect(docs.status).toBe(200);
  const paths = (docs.body as { paths: Record<string, Record<string, Operation>> }).paths;
  const operations = Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ endpoint: `${method.toUpperCase()} ${path}`, op })));
  expect(operations.length).toBeGreaterThan(0);

  const missing: string[] = [];
  for (const { endpoint, op } of operations) {
    const kinds = new Set(REFUSALS.filter((r) => r.endpoint === endpoint).map((r) => r.kind));
    const required: RefusalKind[] = [
      ...(op.security?.length ? (['unauthenticated'] as const) : []),
      ...(op.requestBody ? (['malformed-body', 'body-too-large'] as const) : []),
      ...(op.parameters?.length ? (['invalid-field'] as const) : []),
      ...(op.parameters?.some((p) => p.in === 'path') ? (['not-found', 'wrong-agency'] as const) : []),
    ];
    if (!SUCCESS.some((r) => r.endpoint === endpoint)) missing.push(`${endpoint}: a success row`);
    if (kinds.size === 0) missing.push(`${endpoint}: a refusal row`);
    for (const kind of required) if (!kinds.has(kind)) missing.push(`${endpoint}: a ${kind} refusal row`);
  }
  expect(missing).toEqual([]);
  // And no row tests an operation the document does not describe.
  const documented = new Set(operations.map((o) => o.endpoint));
  expect([...SUCCESS, ...REFUSALS].map((r) => r.endpoint).filter((e) => !documented.has(e))).toEqual([]);
});

test('tokens: the stack signs with the secret the refusal rows assume, and a token opens the API', async () => {
  // Without this control, "expired token" could pass only because its signature is wrong.
  expect((await call(web, 'GET', '/api/cases', { token: stackTokens.issue('zrzy.registrar').token })).status).toBe(200);
});

describe('success', () => {
  test.each(SUCCESS.map((row) => [`${row.endpoint}: ${row.name}`, row] as const))('%s', async (_name, row) => row.run(), 60_000);
});

describe('refusal', () => {
  test.each(REFUSALS.map((row) => [`${row.endpoint} [${row.kind}] ${row.name}`, row] as const))(
    '%s',
    async (_name, row) => {
      const answer = await row.request();
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status: row.status, body: { error: row.error ?? expect.any(String), message: expect.any(String) } });
      if (row.field !== undefined) {
        const fields = (answer.body as ErrorBody).problems?.map((p) => p.field) ?? [];
        expect(fields).toContainEqual(typeof row.field === 'string' ? row.field : expect.stringMatching(row.field));
      }
      await row.then?.();
    },
    60_000,
  );
});

test('refusals before routing — a bad URL, an overlong path parameter, oversized headers — have the same JSON shape', async () => {
  const token = stackTokens.issue('zrzy.registrar').token;
  const answer = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${web.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown };
  };
  const json = 'application/json; charset=utf-8';
  expect(await answer('/api/cases/%E0%A4%A')).toEqual({ status: 400, type: json, body: { error: 'bad-url', message: expect.stringContaining('URL') } });
  expect(await answer(`/api/cases/${'A'.repeat(200)}`)).toEqual({ status: 414, type: json, body: { error: 'uri-too-long', message: expect.any(String) } });
  expect(await answer('/api/cases', { 'x-filler': 'x'.repeat(20_000) })).toEqual({ status: 431, type: json, body: { error: 'headers-too-large', message: expect.any(String) } });
  // The path is whatever the caller typed: it is not echoed.
  expect(JSON.stringify(await answer('/api/cases/%E0%A4%A-张三'))).not.toContain('张三');
});

test('/healthz answers while the process runs; /readyz is 503 naming the worker when none polls', async () => {
  expect((await fetch(`${bare.baseUrl}/healthz`)).status).toBe(200);
  const notReady = await fetch(`${bare.baseUrl}/readyz`);
  expect({ status: notReady.status, body: await notReady.json() }).toEqual({
    status: 503,
    body: { status: 'not-ready', checks: { temporal: 'ok', worker: 'no worker polls the task queue', register: 'ok' } },
  });
  const ready = await fetch(`${web.baseUrl}/readyz`);
  expect(ready.status).toBe(200);
});
