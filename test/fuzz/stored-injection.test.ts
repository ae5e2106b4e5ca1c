import fc from 'fast-check';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { actionForms, type FormContext } from '../../web/forms';
import { beijingDateOfMs } from '../../domain/dates';
import { isSupportedAction } from '../../domain/case-actions';
import { launchChromium, openSignInPage, signInOn } from '../helpers/browser';
import { INJECTIONS, injectedApplication, MARKUP_INJECTIONS } from '../helpers/fuzz-inputs';
import { docxText } from '../helpers/docx-text';
import { PageWatch, pdfFlatText, withoutSpace } from '../helpers/fuzz-render';
import { FormClient, FUZZ_SEED, FuzzTally, send, stackTokens } from '../helpers/fuzz-run';
import { randomSubmissionId } from '../helpers/register';
import { exampleApplication } from '../helpers/request-harness';
import { walkthroughSteps } from '../helpers/walkthrough';
import { WebStack } from '../helpers/web-stack';

// Text that reaches a page, a letter or an email, accepted with script and template injections in it (issue 11,
// item 3): a case whose applicant, requested items, notes, reasons and comments are all injections, walked to its
// reply, delivered by email and archived; cases registered with generated injection-laden applications; and forms
// refused with injections typed into them. Every page is loaded in Chromium twice — as the app serves it (its CSP
// forbids script) and as bare HTML without any CSP, so escaping alone must keep it inert — and must show the text
// literally; letters (DOCX, PDF) and emails must carry it literally, nothing evaluated, nothing unescaped.

let web: WebStack;
let browser: Browser;
/** Pages as the app serves them, one context per person (signed in through the sign-in page). */
const served = new Map<string, { page: Page; watch: PageWatch }>();
/** A blank page, no CSP: the app's HTML is set as its content. */
let bare: { context: BrowserContext; page: Page; watch: PageWatch };
const tally = new FuzzTally();
const APPLICANT_EMAIL = 'fuzz.applicant@example.cn';

/** The injections shown back exactly as typed (zod trims text; one injection ends in a character trim removes). */
const SHOWN = INJECTIONS.filter((text) => text === text.trim());
/** Injection number `k`, tagged with where it went: every field gets its own, so a check names the field. */
const inj = (k: number, where: string): string => `${SHOWN[k % SHOWN.length]}〔${where}〕`;

const lifecycle = {
  name: inj(0, '姓名'),
  title: inj(1, '名称'),
  documentNumber: SHOWN[9 % SHOWN.length]!,
  description: `${inj(2, '描述')}\n${inj(6, '描述2')}`,
  address: inj(3, '地址'),
};
/** Every injected text of the lifecycle case, with where it went. */
const injected = new Map<string, string>(Object.entries(lifecycle).map(([field, text]) => [text, field]));

/** The walkthrough with every free-text field an injection (each its own). */
function injectedSteps(today: string) {
  let next = 7;
  const put = (field: string, text: string) => (injected.set(text, field), text);
  return walkthroughSteps(today).map((step) => {
    const data: Record<string, unknown> = { ...step.data };
    switch (step.file) {
      case '02-record-completeness-finding':
      case '03-decide-scope':
      case '08-conclude-disclosure-decision':
      case '09-draft-reply':
      case '13-archive-case':
        data.note = put(`${step.action}.note`, inj(next++, step.action));
        break;
      case '04-record-search':
        data.places = [put('places', inj(4, '检索位置')), '档案室'];
        data.keywords = [put('keywords', inj(10, '关键词'))];
        break;
      case '05-start-third-party-consultation':
        data.about = put('about', inj(11, '征求事项'));
        data.consulteeName = put('consulteeName', inj(12, '第三方'));
        data.contact = put('contact', inj(5, '联系人'));
        break;
      case '07-record-item-decision': {
        const item = structuredClone(data.item) as { withheldParts: { scope: string; reason: string }[] };
        item.withheldParts[0]!.scope = put('withheld scope', inj(13, '不予公开范围'));
        item.withheldParts[0]!.reason = put('withheld reason', inj(14, '不予公开理由'));
        data.item = item;
        break;
      }
      case '10-review-reply':
      case '11-sign-off-reply':
        data.comment = put(`${step.action}.comment`, inj(next++, step.action));
        break;
      case '12-record-dispatch':
        data.method = 'email';
        break;
    }
    return { ...step, data };
  });
}

async function api(method: string, path: string, user: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const answer = await send(web.baseUrl, method, path, {
    headers: { authorization: `Bearer ${stackTokens.issue(user).token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (answer.status >= 300) throw new Error(`${method} ${path} as ${user}: ${answer.status} ${answer.text.slice(0, 400)}`);
  return { status: answer.status, json: answer.headers.get('content-type')?.includes('json') ? JSON.parse(answer.text) : answer.text };
}

const submit = async (application: unknown) => ((await api('POST', '/api/submissions', 'zrzy.registrar', { submissionId: randomSubmissionId(), application })).json as { caseNumber: string }).caseNumber;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Opens `path` as `user` in Chromium, as the app serves it, and checks it. */
async function servedPage(user: string, path: string, texts: readonly string[]): Promise<void> {
  let known = served.get(user);
  if (!known) {
    const page = await signInOn(await openSignInPage(browser, web.baseUrl), user);
    known = { page, watch: new PageWatch(page) };
    served.set(user, known);
  }
  const response = await known.page.goto(path);
  if (!response || response.status() >= 400) throw new Error(`${path} as ${user}: ${response?.status()}`);
  await known.watch.expectInert(`${path} as ${user} (served)`, texts);
  tally.count('pages in Chromium as served (CSP on)', response.status());
}

/** Sets the app's HTML as a blank page's content, no CSP: an unescaped injection would run. */
async function bareHtml(html: string, where: string, texts: readonly string[]): Promise<void> {
  // A fresh window each time (setContent keeps the window, and so whatever an earlier page's script set on it).
  await bare.page.goto('about:blank');
  await bare.page.setContent(html, { waitUntil: 'load' });
  await bare.watch.expectInert(`${where} (bare HTML, no CSP)`, texts);
  tally.count('pages in Chromium as bare HTML (no CSP)', 'inert');
}

beforeAll(async () => {
  [web, browser] = await Promise.all([WebStack.start(), launchChromium()]);
  const context = await browser.newContext({ javaScriptEnabled: true });
  const page = await context.newPage();
  // Nothing outside is fetched for bare HTML (its stylesheet link, any image an injection would add).
  await page.route('**/*', (route) => route.abort());
  bare = { context, page, watch: new PageWatch(page) };
}, 180_000);

afterAll(async () => {
  console.log(tally.table('Fuzzed: injected text in pages, letters and emails'));
  await browser?.close();
  await web?.close();
}, 60_000);

// ---------------------------------------------------------------------------------------------------------------

test('the page check can fail: markup set unescaped into bare HTML runs, and is caught', async () => {
  for (const text of MARKUP_INJECTIONS.slice(0, 4)) {
    await expect(bareHtml(`<!doctype html><html><body><p>${text}</p></body></html>`, 'a page that does not escape', [])).rejects.toThrow(/dialog|__gkFired|injected/);
  }
  await expect(bareHtml('<!doctype html><html><body><p>&lt;b&gt;</p></body></html>', 'an escaped page', ['<script>'])).rejects.toThrow(/not shown literally/);
});

let lifecycleCase = '';

test('a case of injections throughout, walked to its emailed reply: pages inert in Chromium with the text literal', async () => {
  lifecycleCase = await submit({
    ...exampleApplication,
    applicant: { ...exampleApplication.applicant, name: lifecycle.name },
    contact: { phone: '0518-85820000', email: APPLICANT_EMAIL, postalAddress: lifecycle.address },
    requestedItems: [{ title: lifecycle.title, documentNumber: lifecycle.documentNumber, description: lifecycle.description }],
    provision: { form: 'electronic', manner: 'email' },
  });
  const steps = injectedSteps(beijingDateOfMs(Date.now()));
  for (const step of steps.slice(0, -1)) await api('POST', `/api/cases/${lifecycleCase}/actions`, step.userId, { action: step.action, data: step.data });

  // Open (awaiting archiving): the timeline shows the notes the case view holds, the application page the applicant.
  const view = (await api('GET', `/api/cases/${lifecycleCase}`, 'zrzy.handler1')).json as { case: { timeline: { note?: string | null }[] } };
  const notes = view.case.timeline.map((t) => t.note ?? '').filter((note) => [...injected.keys()].some((text) => note.includes(text)));
  expect(notes.length).toBeGreaterThanOrEqual(3);
  await servedPage('zrzy.handler1', `/cases/${lifecycleCase}`, notes);
  await servedPage('zrzy.handler1', `/cases/${lifecycleCase}/application`, [lifecycle.name, lifecycle.title, lifecycle.documentNumber, lifecycle.description, lifecycle.address]);
  for (const path of [`/cases/${lifecycleCase}`, `/cases/${lifecycleCase}/application`]) {
    const html = await (await FormClient.signIn(web.baseUrl, 'zrzy.handler1')).get(path);
    await bareHtml(html.text, path, path.endsWith('application') ? [lifecycle.name, lifecycle.address] : notes);
  }
  for (const [user, path] of [['zrzy.head', '/'], ['supervisor', '/board']] as const) await servedPage(user, path, []);

  const last = steps.at(-1)!;
  await api('POST', `/api/cases/${lifecycleCase}/actions`, last.userId, { action: last.action, data: last.data });
  await until('the archived case closes', async () => ((await web.env.client.workflow.getHandle(lifecycleCase).describe()).status.name === 'RUNNING' ? undefined : true));
  for (const [user, path] of [['zrzy.handler1', `/cases/${lifecycleCase}`], ['zrzy.handler1', `/cases/${lifecycleCase}/application`], ['zrzy.head', '/closed'], ['zrzy.head', `/cases/${lifecycleCase}/remedies`]] as const) {
    await servedPage(user, path, path.endsWith('application') ? [lifecycle.name] : []);
  }
}, 180_000);

test("the case's letters carry the injected text literally in DOCX and PDF; the reply's email carries it as text", async () => {
  const stored = await until('the reply letter is stored', async () => {
    const record = await web.register.readCase(lifecycleCase);
    return record?.documents.some((d) => /\/reply\/.*\.pdf$/.test(d.document_id)) ? record : undefined;
  });
  const letters = [...new Set(stored.documents.map((d) => d.document_id.replace(/\.(pdf|docx|txt)$/, '')))];
  let withName = 0;
  for (const letter of letters) {
    const [txt, docx, pdf] = await Promise.all(['txt', 'docx', 'pdf'].map((ext) => web.register.readDocument(`${letter}.${ext}`)));
    if (!txt || !docx || !pdf) continue;
    const text = txt.content.toString('utf8');
    const inLetter = [...injected.keys()].filter((t) => text.includes(t.split('\n')[0]!));
    if (inLetter.includes(lifecycle.name)) withName += 1;
    // Nothing evaluated: a template expression, `${…}` and markup stay as typed; the DOCX's XML escapes the markup.
    const word = docxText(docx.content);
    const printed = pdfFlatText(pdf.content);
    for (const t of inLetter) {
      const line = t.split('\n')[0]!;
      if (!word.includes(line)) throw new Error(`${letter}.docx lacks the ${injected.get(t)} as typed: ${JSON.stringify(line)}`);
      if (!printed.includes(withoutSpace(line))) throw new Error(`${letter}.pdf lacks the ${injected.get(t)} as typed: ${JSON.stringify(line)}`);
    }
    const xml = docx.content.toString('latin1');
    expect(xml.includes('<script')).toBe(false);
    tally.count('letters (TXT, DOCX, PDF)', `${inLetter.length} injected text(s)`);
  }
  // The receipt and the reply are addressed to the applicant by name.
  expect(withName).toBeGreaterThanOrEqual(2);

  const delivered = await until('the reply is emailed to the applicant', async () => web.smtp.received.find((m) => m.to.includes(APPLICANT_EMAIL) && m.attachments.some((a) => a.filename?.endsWith('.pdf')) && (m.text ?? '').includes(lifecycle.title)));
  expect(delivered.text).toContain(lifecycle.name);
  for (const mail of web.smtp.received) {
    const raw = MARKUP_INJECTIONS.filter((t) => mail.html?.includes(t) || mail.subject?.includes(t));
    if (raw.length > 0) throw new Error(`an email's HTML or subject holds ${JSON.stringify(raw[0])} unescaped`);
    tally.count('emails (text literal, HTML escaped)', mail.html === undefined ? 'text only' : 'text and escaped HTML');
  }
}, 180_000);

test('generated injection-laden applications: their pages inert in Chromium, their receipts literal', async () => {
  const base = { ...exampleApplication, contact: { ...exampleApplication.contact, email: APPLICANT_EMAIL } };
  const applications = fc.sample(injectedApplication(base).filter((a) => JSON.stringify(a) !== JSON.stringify(base)), { seed: FUZZ_SEED, numRuns: 12 });
  const client = await FormClient.signIn(web.baseUrl, 'zrzy.registrar');
  const numbers: string[] = [];
  for (const application of applications) numbers.push(await submit(application));
  for (const [i, application] of applications.entries()) {
    const a = application as { applicant: { name: string }; contact: { postalAddress?: string }; requestedItems: { title?: string; description?: string }[] };
    // As the schema stores them: NFC, trimmed.
    const texts = [a.applicant.name, a.requestedItems[0]?.title, a.requestedItems[0]?.description, a.contact.postalAddress].filter((t): t is string => t !== undefined).map((t) => t.normalize('NFC').trim());
    const path = `/cases/${numbers[i]}/application`;
    const page = await client.get(path);
    if (page.status !== 200) throw new Error(`${path}: ${page.status}`);
    await bareHtml(page.text, path, texts);
    if (i < 6) await servedPage('zrzy.registrar', path, texts);
  }
  // The receipts (回执) name the applicant: literal in the DOCX.
  for (const [i, caseNumber] of numbers.slice(0, 8).entries()) {
    const docx = await until(`the receipt of ${caseNumber}`, async () => (await web.register.readDocument(`${caseNumber}/receipt/1.docx`)) ?? undefined);
    const name = (applications[i] as { applicant: { name: string } }).applicant.name.normalize('NFC').trim();
    expect(docxText(docx.content)).toContain(name);
    tally.count('letters (TXT, DOCX, PDF)', 'receipt DOCX, name literal');
  }
}, 180_000);

test('refused forms show what was typed back escaped: sign-in, 登记新申请, a case act', async () => {
  const registrar = await FormClient.signIn(web.baseUrl, 'zrzy.registrar');
  const handler = await FormClient.signIn(web.baseUrl, 'zrzy.handler1');
  const anonymous = new FormClient(web.baseUrl);
  await anonymous.get('/login');
  const form = (csrf: string, pairs: [string, string][]) => new URLSearchParams([['_csrf', csrf], ...pairs]).toString();

  // Sign-in: the user id typed is shown again (each attempt costs a scrypt: a few).
  for (const text of SHOWN.filter((t) => t.length <= 64 && /[<>"]/.test(t)).slice(0, 3)) {
    const answer = await anonymous.post('/login', form(anonymous.csrf, [['userId', text], ['password', 'wrong password']]));
    expect(answer.status).toBe(401);
    await bareHtml(answer.text, 'sign-in refused', [text]);
  }

  // 登记新申请: refused (an ID number with a wrong check digit), and previewed — every field typed back.
  const fields = (text: string, idNumber: string): [string, string][] => [
    ['channel.kind', 'in-person'],
    ['applicant.type', 'natural-person'],
    ['applicant.name', text.slice(0, 100)],
    ['applicant.idDocument.kind', 'resident-id-card'],
    ['applicant.idDocument.number', idNumber],
    ['contact.postalAddress', text.slice(0, 200)],
    ['requestedItems.0.title', text],
    ['requestedItems.0.description', `${text}\n${text}`],
    ['provision.form', 'paper'],
    ['provision.manner', 'post'],
    ['channel.submittedAt', '2026-11-27T10:15'],
  ];
  for (const text of SHOWN) {
    const refused = await registrar.post('/register', form(registrar.csrf, [['submissionId', randomSubmissionId()], ...fields(text, '110105194912310021')]));
    expect(refused.status).toBe(400);
    await bareHtml(refused.text, `register refused (${text.slice(0, 20)})`, [text.slice(0, 100)]);
    const preview = await registrar.post('/register', form(registrar.csrf, [['submissionId', randomSubmissionId()], ...fields(text, '11010519491231002X'), ['preview', '1']]));
    expect(preview.status).toBe(200);
    await bareHtml(preview.text, `register preview (${text.slice(0, 20)})`, [text.slice(0, 100)]);
  }

  // A case act refused with injections in its text fields: the case page shows the form again with them.
  const assigned = await submit(exampleApplication);
  await api('POST', `/api/cases/${assigned}/actions`, 'zrzy.head', { action: 'assign-handler', data: { handlerId: 'zrzy.handler1' } });
  const { permittedActions } = (await api('GET', `/api/cases/${assigned}`, 'zrzy.handler1')).json as { permittedActions: string[] };
  const context: FormContext = { handlers: [], requestedItems: [{ value: '1', label: '第1项' }], consultationIds: [], referralIds: [], today: beijingDateOfMs(Date.now()) };
  const offered = permittedActions.filter(isSupportedAction).flatMap((action) => actionForms(action, context));
  // Forms with a date (refused as 2026-02-30) and a text field (where the injection goes).
  const refusable = offered.filter((f) => f.fields.some((x) => x.kind === 'date') && f.fields.some((x) => ['text', 'textarea', 'lines'].includes(x.kind)));
  expect(refusable.length).toBeGreaterThan(0);
  await handler.get(`/cases/${assigned}`);
  for (const [i, text] of SHOWN.entries()) {
    const chosen = refusable[i % refusable.length]!;
    const pairs: [string, string][] = [['action', chosen.action], ...(chosen.variant ? [['variant', chosen.variant] as [string, string]] : []), ['updateId', `fuzz-${i}-${Date.now()}`]];
    for (const field of chosen.fields) {
      if (field.kind === 'date') pairs.push([`f.${field.name}`, '2026-02-30']);
      else if (['text', 'textarea', 'lines'].includes(field.kind)) pairs.push([`f.${field.name}`, text]);
    }
    const answer = await handler.post(`/cases/${assigned}/act`, form(handler.csrf, pairs));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    await bareHtml(answer.text, `${chosen.action} refused (${text.slice(0, 20)})`, [text]);
  }
}, 180_000);

test('every kind of injection went through a page, a letter and an email', () => {
  expect(tally.tried('pages in Chromium as served (CSP on)')).toBeGreaterThanOrEqual(10);
  expect(tally.tried('pages in Chromium as bare HTML (no CSP)')).toBeGreaterThanOrEqual(2 * SHOWN.length);
  expect(tally.tried('letters (TXT, DOCX, PDF)')).toBeGreaterThanOrEqual(3);
  expect(tally.tried('emails (text literal, HTML escaped)')).toBeGreaterThanOrEqual(1);
});
