import fc from 'fast-check';
import { SUPPORTED_ACTIONS } from '../../domain/case-actions';
import { beijingDateOfMs } from '../../domain/dates';
import { caseViewQuery } from '../../workflows/request/messages';
import { anyJson, hostileText, injectedApplication, injection, malformedJsonText, notAnObject, notAString, pathSegment, refusedApplication, unknownKey } from '../helpers/fuzz-inputs';
import { type Answer, authSchemes, badCredential, expectNoServerError, expectRefused, type FuzzCases, FuzzTally, fuzz, RegisterRows, refusedBeforeRouting, RUNS_PER_TARGET, seedCases, send, stackTokens, workflowCount } from '../helpers/fuzz-run';
import { exampleApplication } from '../helpers/request-harness';
import { walkthroughSteps } from '../helpers/walkthrough';
import { DEMO_PASSWORD, WebStack } from '../helpers/web-stack';

// Hostile input against every operation of the JSON API (issue 11, item 3), on the real stack: the dev server, a
// worker with every activity, the SQLite register, the app listening on loopback, called with fetch. Each target
// gets RUNS_PER_TARGET generated inputs; every answer must be a 4xx (or, for a read the caller may make, a 200 that
// shows only what they may see) — never a 5xx — and a refused input leaves the register's rows and the cases alone.

let web: WebStack;
let rows: RegisterRows;
const tally = new FuzzTally();
let workflowsBefore = 0;

const cases: FuzzCases = { fresh: '', assigned: '', zfb: '', archived: '' };
/** Every stored document of the cases, and the agency each belongs to. */
const documents = new Map<string, string>();
/** Stored formats of the fresh case's receipt (…/receipt/1.pdf, .docx). */
let receiptFiles: string[] = [];

const USERS = ['zrzy.registrar', 'zrzy.handler1', 'zrzy.handler2', 'zrzy.reviewer', 'zrzy.head', 'zfb.registrar', 'zfb.head', 'shj.handler1', 'supervisor', 'admin'] as const;
type User = (typeof USERS)[number];
const agencyOfUser = (user: User): string => (user === 'supervisor' ? '*' : user === 'admin' ? '' : user.startsWith('zfb.') ? 'LYG-ZFB' : user.startsWith('shj.') ? 'LYG-SHJ' : 'LYG-ZRZY');
/** Whose cases a person sees (domain/roles: case staff and supervisors; an admin none). */
const sees = (user: User, agency: string): boolean => user !== 'admin' && (agencyOfUser(user) === '*' || agencyOfUser(user) === agency);

/** A signed-in person (a token the stack's secret signed) or a credential that must not sign anyone in. */
type Caller = { kind: 'user'; user: User; scheme: string } | { kind: 'bad'; why: string; token: string | undefined; scheme: string };
const caller = (users: readonly User[] = USERS): fc.Arbitrary<Caller> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...users).map((user): Caller => ({ kind: 'user', user, scheme: 'Bearer ' })) },
    { weight: 1, arbitrary: fc.tuple(badCredential(), authSchemes()).map(([bad, scheme]): Caller => ({ kind: 'bad', why: bad.kind, token: bad.token, scheme })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...users), authSchemes().filter((s) => s !== 'Bearer ' && s !== 'Bearer  ')).map(([user, scheme]): Caller => ({ kind: 'bad', why: `scheme ${JSON.stringify(scheme)}`, token: stackTokens.issue(user).token, scheme })) },
  );
const tokens = new Map<string, string>();
function authorization(who: Caller): Record<string, string> {
  if (who.kind === 'bad') return who.token === undefined ? {} : { authorization: `${who.scheme}${who.token}` };
  let token = tokens.get(who.user);
  if (!token) tokens.set(who.user, (token = stackTokens.issue(who.user).token));
  return { authorization: `${who.scheme}${token}` };
}
const describeCaller = (who: Caller) => (who.kind === 'user' ? who.user : `bad credential (${who.why})`);

async function call(method: string, path: string, who: Caller, body?: { text: string; contentType?: string }): Promise<Answer> {
  return send(web.baseUrl, method, path, {
    headers: { ...authorization(who), ...(body ? { 'content-type': body.contentType ?? 'application/json' } : {}) },
    ...(body ? { body: body.text } : {}),
  });
}

/** A caller without a valid credential gets 401 whatever else the request holds. */
function expectUnauthenticated(answer: Answer, who: Caller, what: string): number | undefined {
  if (who.kind !== 'bad') return undefined;
  if (refusedBeforeRouting(answer)) return answer.status;
  return expectRefused(answer, `${what} with ${describeCaller(who)}`, [401]);
}

/** What a refused act must leave alone: the open cases' stage, handler and timeline. */
async function openCaseStates(): Promise<string> {
  const views = await Promise.all([cases.fresh, cases.assigned, cases.zfb].map((n) => web.env.client.workflow.getHandle(n).query(caseViewQuery)));
  return JSON.stringify(views.map((v) => [v.caseNumber, v.stage, v.handlerId, v.timeline.length, v.documents.length]));
}

beforeAll(async () => {
  web = await WebStack.start();
  rows = new RegisterRows(web.config.database.sqliteFile);
  Object.assign(cases, await seedCases(web, rows));
  for (const caseNumber of Object.values(cases)) {
    const stored = await web.register.readCase(caseNumber);
    for (const d of stored?.documents ?? []) documents.set(d.document_id, stored!.agency_code);
  }
  receiptFiles = [...documents.keys()].filter((id) => id.startsWith(`${cases.fresh}/receipt/`));
  workflowsBefore = await workflowCount(web, 1_000);
}, 180_000);

afterAll(async () => {
  console.log(tally.table('Fuzzed: the JSON API'));
  rows?.close();
  await web?.close();
}, 60_000);

test('the stack signs sessions with the secret the credentials here assume, and every case is set up', async () => {
  expect((await call('GET', '/api/cases', { kind: 'user', user: 'zrzy.head', scheme: 'Bearer ' })).status).toBe(200);
  expect(receiptFiles.length).toBeGreaterThan(0);
  expect(workflowsBefore).toBe(4);
});

// ---------------------------------------------------------------------------------------------------------------
// Every operation of the OpenAPI document has a target here: a new endpoint without one fails this test.

const TARGETS = {
  session: 'POST /api/session',
  submissions: 'POST /api/submissions',
  list: 'GET /api/cases',
  view: 'GET /api/cases/{caseNumber}',
  application: 'GET /api/cases/{caseNumber}/application',
  actions: 'POST /api/cases/{caseNumber}/actions',
  documents: 'GET /api/documents/{*}',
  other: 'other routes: /healthz /readyz /docs /assets, unknown',
  codec: 'POST /codec/decode, /codec/encode, OPTIONS (web/codec-endpoint.ts)',
} as const;

test('every operation of the OpenAPI document is a fuzz target', async () => {
  const answer = await send(web.baseUrl, 'GET', '/docs/json');
  const paths = (JSON.parse(answer.text) as { paths: Record<string, Record<string, unknown>> }).paths;
  const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
  expect(operations.sort()).toEqual(Object.values(TARGETS).filter((t) => /^(GET|POST) \/api\//.test(t)).sort());
});

// ---------------------------------------------------------------------------------------------------------------
// POST /api/session

test(`${TARGETS.session}: never signs in without the password, never a 5xx, never echoes the password`, async () => {
  type Input = { text: string; contentType: string; password?: unknown };
  const wellFormedWrong = fc
    .record({ userId: fc.oneof(fc.constantFrom(...USERS), fc.string({ minLength: 1, maxLength: 64 })), password: fc.string({ minLength: 1, maxLength: 1024 }).filter((p) => p !== DEMO_PASSWORD) })
    .map((body): Input => ({ text: JSON.stringify(body), contentType: 'application/json', password: body.password }));
  const refusedShape = fc
    .record(
      {
        userId: fc.oneof(notAString(), fc.constant(''), fc.string({ minLength: 65, maxLength: 400 }), hostileText({ maxLength: 64 })),
        password: fc.oneof(notAString(), fc.constant(''), fc.string({ minLength: 1025, maxLength: 4000 })),
        extra: anyJson(),
      },
      { requiredKeys: ['password'] },
    )
    .chain((body) => fc.tuple(fc.constant(body), unknownKey(), fc.boolean()))
    .map(([{ extra, ...body }, key, withExtra]): Input => ({ text: JSON.stringify(withExtra ? { ...body, [key]: extra } : body), contentType: 'application/json', password: body.password }));
  const input: fc.Arbitrary<Input> = fc.oneof(
    { weight: 80, arbitrary: refusedShape },
    { weight: 50, arbitrary: malformedJsonText().map((text): Input => ({ text, contentType: 'application/json' })) },
    { weight: 20, arbitrary: fc.tuple(fc.constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', ''), fc.string()).map(([contentType, text]): Input => ({ text, contentType })) },
    { weight: 10, arbitrary: fc.integer({ min: 256 * 1024 + 1, max: 400 * 1024 }).map((n): Input => ({ text: JSON.stringify({ userId: 'zrzy.head', password: 'x', pad: 'p'.repeat(n) }), contentType: 'application/json' })) },
    // Well-formed and wrong: each costs a scrypt (0.1-0.5 s on two busy cores), so only a few.
    { weight: 1, arbitrary: wellFormedWrong },
  );
  await fuzz(
    tally,
    TARGETS.session,
    input,
    async ({ text, contentType, password }) => {
      const answer = await send(web.baseUrl, 'POST', '/api/session', { headers: contentType ? { 'content-type': contentType } : {}, body: text });
      const status = expectRefused(answer, 'sign-in');
      if (typeof password === 'string' && password.length >= 12 && answer.text.includes(password)) throw new Error('the answer echoes the password');
      return status;
    },
    { batch: 4 },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// POST /api/submissions

test(`${TARGETS.submissions}: every refused submission is a 4xx that registers nothing and starts no workflow`, async () => {
  type Input = { who: Caller; text: string; contentType?: string; expect: readonly number[]; why: string };
  const submissionId = fc.stringMatching(/^[A-Za-z0-9._:-]{8,60}$/);
  const registrar: Caller = { kind: 'user', user: 'zrzy.registrar', scheme: 'Bearer ' };
  const body = (value: unknown) => JSON.stringify(value);
  const input: fc.Arbitrary<Input> = fc.oneof(
    { weight: 10, arbitrary: fc.tuple(submissionId, refusedApplication(exampleApplication)).map(([id, refused]): Input => ({ who: registrar, text: body({ submissionId: id, application: refused.application }), expect: [400], why: refused.reason })) },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(notAString(), hostileText({ maxLength: 120 }).filter((s) => !/^[A-Za-z0-9._:-]{8,100}$/.test(s))), injectedApplication(exampleApplication)).map(([id, application]): Input => ({ who: registrar, text: body({ submissionId: id, application }), expect: [400], why: 'submissionId invalid' })) },
    { weight: 1, arbitrary: fc.tuple(submissionId, injectedApplication(exampleApplication), unknownKey(), anyJson()).map(([id, application, key, value]): Input => ({ who: registrar, text: body({ submissionId: id, application, [key]: value }), expect: [400], why: 'unknown field' })) },
    { weight: 1, arbitrary: fc.oneof(submissionId.map((id) => ({ submissionId: id })), injectedApplication(exampleApplication).map((application) => ({ application }))).map((value): Input => ({ who: registrar, text: body(value), expect: [400], why: 'missing field' })) },
    { weight: 1, arbitrary: fc.tuple(submissionId, notAnObject()).map(([id, application]): Input => ({ who: registrar, text: body({ submissionId: id, application }), expect: [400], why: 'application not an object' })) },
    { weight: 2, arbitrary: malformedJsonText().map((text): Input => ({ who: registrar, text, expect: [400], why: 'malformed JSON' })) },
    { weight: 1, arbitrary: fc.tuple(submissionId, fc.integer({ min: 256 * 1024 + 1, max: 300 * 1024 })).map(([id, n]): Input => ({ who: registrar, text: body({ submissionId: id, application: { ...exampleApplication, padding: 'x'.repeat(n) } }), expect: [413], why: 'oversize body' })) },
    { weight: 1, arbitrary: fc.tuple(submissionId, fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x')).map(([id, contentType]): Input => ({ who: registrar, text: body({ submissionId: id, application: exampleApplication }), contentType, expect: [400, 415], why: 'not JSON' })) },
    { weight: 2, arbitrary: fc.tuple(submissionId, injectedApplication({ ...exampleApplication, agencyCode: 'LYG-ZFB' })).map(([id, application]): Input => ({ who: registrar, text: body({ submissionId: id, application }), expect: [403], why: "another agency's request" })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom<User>('zrzy.handler1', 'zrzy.head', 'zrzy.reviewer', 'supervisor', 'admin'), submissionId, injectedApplication(exampleApplication))
        .map(([user, id, application]): Input => ({ who: { kind: 'user', user, scheme: 'Bearer ' }, text: body({ submissionId: id, application }), expect: [403], why: 'not a registrar' })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(caller().filter((c) => c.kind === 'bad'), submissionId, injectedApplication(exampleApplication))
        .map(([who, id, application]): Input => ({ who, text: body({ submissionId: id, application }), expect: [401], why: 'no valid credential' })),
    },
  );
  await fuzz(
    tally,
    TARGETS.submissions,
    input,
    async ({ who, text, contentType, expect, why }) => expectRefused(await call('POST', '/api/submissions', who, { text, ...(contentType ? { contentType } : {}) }), `submission (${why}) by ${describeCaller(who)}`, expect),
    { batch: 8, invariant: { snapshot: () => rows.counts(), check: (before, after) => rows.expectSame(before, after, 'refused submissions') } },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// GET /api/cases

test(`${TARGETS.list}: lists only what the person may see, refuses the rest, never a 5xx`, async () => {
  const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('overdue', 'dueWithin', 'paused', 'handler', 'agency') }, { weight: 1, arbitrary: unknownKey() });
  const value = fc.oneof(fc.constantFrom('true', 'false', '1', '0', '200', '201', '-1', '1.5', 'LYG-ZRZY', 'LYG-ZFB', 'LYG-SHJ', 'zrzy.handler1', ''), hostileText({ maxLength: 80 }));
  const query = fc.oneof(
    fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) => new URLSearchParams(pairs).toString()),
    fc.constantFrom('overdue=true&overdue=false', 'dueWithin=%', 'agency=%E0%A4%A', 'handler[]=x', 'a[b][c]=1', '%00=1', '&&&=&'),
  );
  await fuzz(
    tally,
    TARGETS.list,
    fc.record({ who: caller(), query }),
    async ({ who, query: q }) => {
      const answer = await call('GET', `/api/cases${q ? `?${q}` : ''}`, who);
      const status = expectUnauthenticated(answer, who, 'list') ?? expectNoServerError(answer, `list ?${q} as ${describeCaller(who)}`);
      if (status === 200 && who.kind === 'user') {
        const listed = (JSON.parse(answer.text) as { cases: { caseNumber: string; agency: string | null }[] }).cases;
        const hidden = listed.filter((row) => !sees(who.user, row.agency ?? ''));
        if (hidden.length > 0) throw new Error(`${who.user} was shown ${hidden.map((r) => r.caseNumber).join(', ')}`);
      }
      return status;
    },
    { batch: 8, invariant: { snapshot: () => rows.counts(), check: (before, after) => rows.expectSame(before, after, 'listing') } },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// GET /api/cases/{caseNumber} and …/application

/** A case number as a path segment: the cases set up, well-formed unknown ones, anything else. */
const caseSegment = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('fresh', 'assigned', 'zfb', 'archived').map((k) => cases[k as keyof typeof cases]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('LYG-ZRZY', 'LYG-ZFB', 'LYG-SHJ', 'ZZ-NOPE'), fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 0, max: 999_999 })).map(([a, y, n]) => `${a}-${y}-${String(n).padStart(6, '0')}`) },
    { weight: 2, arbitrary: pathSegment() },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '..%2F..%2Fdocs', '%2e%2e', 'LYG-ZRZY-2026-000001%00', 'LYG-ZRZY-2026-000001;drop', 'lyg-zrzy-2026-000001', ' ') },
  );
const knownCase = (segment: string): keyof typeof cases | undefined => (Object.keys(cases) as (keyof typeof cases)[]).find((k) => cases[k] === segment);
const agencyOfCase = (name: keyof typeof cases) => (name === 'zfb' ? 'LYG-ZFB' : 'LYG-ZRZY');

test(`${TARGETS.view}: a case only to those who see its agency, 4xx for anything else`, async () => {
  await fuzz(
    tally,
    TARGETS.view,
    fc.record({ who: caller(), segment: caseSegment() }),
    async ({ who, segment }) => {
      const answer = await call('GET', `/api/cases/${segment}`, who);
      const status = expectUnauthenticated(answer, who, 'view') ?? expectNoServerError(answer, `view ${segment} as ${describeCaller(who)}`);
      const known = knownCase(segment);
      if (status === 200 && (who.kind !== 'user' || known === undefined || !sees(who.user, agencyOfCase(known)))) throw new Error(`${describeCaller(who)} was shown ${segment}`);
      return status;
    },
    { batch: 8, invariant: { snapshot: () => rows.counts(), check: (before, after) => rows.expectSame(before, after, 'views') } },
  );
}, 120_000);

test(`${TARGETS.application}: personal data only to the agency's case staff, each view audited once, nothing for a refusal`, async () => {
  await fuzz(
    tally,
    TARGETS.application,
    fc.record({ who: caller(), segment: caseSegment() }),
    async ({ who, segment }) => {
      const answer = await call('GET', `/api/cases/${segment}/application`, who);
      const status = expectUnauthenticated(answer, who, 'application') ?? expectNoServerError(answer, `application of ${segment} as ${describeCaller(who)}`);
      const known = knownCase(segment);
      if (status === 200 && (who.kind !== 'user' || known === undefined || who.user === 'supervisor' || !sees(who.user, agencyOfCase(known)))) {
        throw new Error(`${describeCaller(who)} was shown the application of ${segment}`);
      }
      return status;
    },
    {
      batch: 8,
      invariant: {
        snapshot: () => rows.counts(),
        check: (before, after, batch) => {
          rows.expectSame(before, after, 'application views', ['gk_audit_event']);
          const shown = batch.filter((b) => b.outcome === 200).length;
          if (after.gk_audit_event! - before.gk_audit_event! !== shown) throw new Error(`${shown} application(s) shown, ${after.gk_audit_event! - before.gk_audit_event!} audit entries written`);
        },
      },
    },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// POST /api/cases/{caseNumber}/actions

/** Marks a value bodyOf nests `depth` levels deep: `${DEEP}<depth>:<in a list>`. */
const DEEP = 'gk-deeply-nested:';

test(`${TARGETS.actions}: out of order, by the wrong person, with a bad payload: a 4xx, and the case is unchanged`, async () => {
  const steps = walkthroughSteps(beijingDateOfMs(Date.now()));
  /** Walkthrough acts each case is not ready for (the first the fresh and the zfb case could take, the first two the assigned one). */
  const notYet = { fresh: steps.slice(1), zfb: steps.slice(1), assigned: steps.slice(2), archived: steps } as const;
  type Input = { who: Caller; segment: string; text: string; contentType?: string; why: string };
  /** JSON text with each DEEP marker string replaced by a value nested that deep (JSON.stringify itself fails past a few thousand). */
  const bodyOf = (value: unknown) =>
    JSON.stringify(value).replace(new RegExp(`"${DEEP}(\\d+):(true|false)"`, 'g'), (_m, depth: string, inList: string) =>
      inList === 'true' ? `${'['.repeat(Number(depth))}"x"${']'.repeat(Number(depth))}` : `${'{"a":'.repeat(Number(depth))}"x"${'}'.repeat(Number(depth))}`,
    );
  const updateId = fc.option(fc.stringMatching(/^[A-Za-z0-9._:-]{1,100}$/), { nil: undefined });
  const someCase = fc.constantFrom('fresh', 'assigned', 'zfb', 'archived') as fc.Arbitrary<keyof typeof notYet>;
  /** A payload no act accepts: every act's payload is a strict object, so an unknown key is always refused. */
  const badData = fc.oneof(
    fc.tuple(fc.constantFrom(...steps.map((s) => s.data)), unknownKey().filter((k) => k !== '__proto__'), anyJson()).map(([data, key, value]) => ({ ...data, [key]: value })),
    fc.tuple(fc.constantFrom(...steps.map((s) => s.data)), fc.constantFrom('note', 'reason', 'comment', 'about', 'consulteeName'), fc.integer({ min: 2001, max: 20_000 }), unknownKey()).map(([data, field, n, key]) => ({ ...data, [field]: 'x'.repeat(n), [key]: 1 })),
    fc.tuple(fc.constantFrom(...steps.map((s) => s.data)), fc.constantFrom('note', 'handlerId', 'decision', 'finding', 'result', 'consultationId', 'dispatchedOn', 'verdict'), fc.oneof(notAString(), injection())).map(([data, field, value]) => ({ ...data, [field]: value, unexpected: true })),
    // Nested deeper than any payload (and than JSON.stringify in the payload converter can take).
    fc.tuple(fc.constantFrom(...steps.map((s) => s.data)), fc.integer({ min: 33, max: 20_000 }), fc.boolean()).map(([data, depth, inList]) => ({ ...data, note: `${DEEP}${depth}:${inList}` })),
  );
  const input: fc.Arbitrary<Input> = fc.oneof(
    // Out of order: acts of the walkthrough a case has not reached (or has passed), valid in themselves.
    {
      weight: 5,
      arbitrary: fc
        .tuple(caller(), someCase, fc.nat(), updateId)
        .map(([who, name, i, id]): Input => {
          const step = notYet[name][i % notYet[name].length]!;
          return { who, segment: cases[name], text: bodyOf({ action: step.action, data: step.data, ...(id ? { updateId: id } : {}) }), why: `${step.action} out of order on ${name}` };
        }),
    },
    // The right acts by the people the walkthrough names, with a payload no act accepts.
    {
      weight: 5,
      arbitrary: fc
        .tuple(someCase, fc.nat(), badData)
        .map(([name, i, data]): Input => {
          const step = steps[i % steps.length]!;
          return { who: { kind: 'user', user: step.userId as User, scheme: 'Bearer ' }, segment: cases[name], text: bodyOf({ action: step.action, data }), why: `${step.action} with a bad payload on ${name}` };
        }),
    },
    // Bodies the API refuses before any workflow sees them.
    {
      weight: 3,
      arbitrary: fc.tuple(caller(), someCase, fc.oneof(
        fc.record({ action: fc.oneof(hostileText({ maxLength: 60 }), notAString()), data: fc.constant({}) }),
        fc.record({ action: fc.constantFrom(...SUPPORTED_ACTIONS), data: notAnObject() }),
        fc.record({ action: fc.constantFrom(...SUPPORTED_ACTIONS), updateId: fc.oneof(notAString(), fc.string({ minLength: 101, maxLength: 300 }), injection()) }),
        fc.record({ action: fc.constantFrom(...SUPPORTED_ACTIONS), extra: anyJson() }),
        fc.record({ data: fc.constant({}) }),
      )).map(([who, name, value]): Input => ({ who, segment: cases[name], text: bodyOf(value), why: 'body refused at the edge' })),
    },
    { weight: 1, arbitrary: fc.tuple(caller(), someCase, malformedJsonText()).map(([who, name, text]): Input => ({ who, segment: cases[name], text, why: 'malformed JSON' })) },
    { weight: 1, arbitrary: fc.tuple(caller(), someCase, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x')).map(([who, name, contentType]): Input => ({ who, segment: cases[name], text: 'action=archive-case', contentType, why: 'not JSON' })) },
    // Acts on case numbers that are no open case, or no case number at all.
    { weight: 2, arbitrary: fc.tuple(caller(), caseSegment().filter((s) => knownCase(s) === undefined), fc.constantFrom(...steps)).map(([who, segment, step]): Input => ({ who, segment, text: bodyOf({ action: step.action, data: step.data }), why: 'no such case' })) },
  );
  await fuzz(
    tally,
    TARGETS.actions,
    input,
    async ({ who, segment, text, contentType, why }) => {
      const answer = await call('POST', `/api/cases/${segment}/actions`, who, { text, ...(contentType ? { contentType } : {}) });
      return expectUnauthenticated(answer, who, why) ?? expectRefused(answer, `${why} by ${describeCaller(who)}`);
    },
    {
      batch: 16,
      invariant: {
        snapshot: async () => ({ rows: rows.counts(), cases: await openCaseStates() }),
        check: (before, after) => {
          rows.expectSame(before.rows, after.rows, 'refused acts');
          if (before.cases !== after.cases) throw new Error(`a refused act changed a case: ${before.cases} -> ${after.cases}`);
        },
      },
    },
  );
}, 180_000);

// ---------------------------------------------------------------------------------------------------------------
// GET /api/documents/{*}

test(`${TARGETS.documents}: a letter only to the agency's case staff, each download audited, 4xx for anything else`, async () => {
  const real = fc.constantFrom(...documents.keys());
  const documentPath = fc.oneof(
    { weight: 4, arbitrary: real },
    { weight: 2, arbitrary: fc.tuple(real, fc.constantFrom('.txt', '.PDF', '.pdf.pdf', '.docx%00.pdf', '', '/..', '%2F..%2F..%2Fregister.sqlite')).map(([id, suffix]) => id.replace(/\.(pdf|docx)$/, '') + suffix) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(cases.zfb, cases.archived, cases.assigned, 'LYG-ZRZY-2026-999999'), fc.constantFrom('receipt/1.pdf', 'reply/v1.pdf', 'receipt/2.docx')).map(([n, rest]) => `${n}/${rest}`) },
    { weight: 2, arbitrary: fc.array(pathSegment(), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')) },
    { weight: 1, arbitrary: fc.constantFrom('', '..', '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%', 'LYG-ZRZY-2026-000001/receipt/1.pdf%00', '/'.repeat(50)) },
  );
  await fuzz(
    tally,
    TARGETS.documents,
    fc.record({ who: caller(), path: documentPath }),
    async ({ who, path }) => {
      const answer = await call('GET', `/api/documents/${path}`, who);
      const status = expectUnauthenticated(answer, who, 'download') ?? expectNoServerError(answer, `download ${path} as ${describeCaller(who)}`);
      // Letters name the applicant: the case staff of the letter's agency only (not supervisors, not admins).
      const agency = documents.get(path);
      if (status === 200 && (who.kind !== 'user' || agency === undefined || agencyOfUser(who.user) !== agency)) throw new Error(`${describeCaller(who)} downloaded ${path}`);
      return status;
    },
    {
      batch: 8,
      invariant: {
        snapshot: () => rows.counts(),
        check: (before, after, batch) => {
          rows.expectSame(before, after, 'downloads', ['gk_audit_event']);
          const downloaded = batch.filter((b) => b.outcome === 200).length;
          if (after.gk_audit_event! - before.gk_audit_event! !== downloaded) throw new Error(`${downloaded} download(s), ${after.gk_audit_event! - before.gk_audit_event!} audit entries`);
        },
      },
    },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// The rest: public endpoints with junk, unknown routes and methods

test(`${TARGETS.other}: answered without a 5xx`, async () => {
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
  const path = fc.oneof(
    fc.tuple(fc.constantFrom('/healthz', '/readyz', '/docs', '/docs/json', '/assets/app.css', '/api/session', '/api/cases'), fc.array(fc.tuple(unknownKey(), hostileText({ maxLength: 40 })), { maxLength: 3 })).map(([p, q]) => (q.length ? `${p}?${new URLSearchParams(q).toString()}` : p)),
    fc.tuple(fc.constantFrom('/assets/', '/api/', '/api/cases/', '/docs/', '/', '/api/documents/'), pathSegment()).map(([p, s]) => p + s),
    fc.constantFrom('/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e/app.ts', '/api//cases', '/api/cases/%', '/%', `/${'a/'.repeat(2000)}`, '/api/cases?x=%ZZ'),
  );
  await fuzz(
    tally,
    TARGETS.other,
    fc.record({ method, path, who: caller(), accept: fc.oneof(fc.constantFrom('application/json', 'text/html', '*/*'), fc.string({ unit: 'binary-ascii', maxLength: 30 }).filter((text) => /^[\x20-\x7e]*$/.test(text))) }),
    async ({ method: m, path: p, who, accept }) => {
      const body = m === 'GET' || m === 'HEAD' ? undefined : { text: '{}' };
      const answer = await send(web.baseUrl, m, p, { headers: { ...authorization(who), accept, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: body.text } : {}) });
      return expectNoServerError(answer, `${m} ${p}`);
    },
    { batch: 8, invariant: { snapshot: () => rows.counts(), check: (before, after) => rows.expectSame(before, after, 'other routes') } },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// The codec endpoint for the Temporal Web UI

test(`${TARGETS.codec}: decrypted payloads only to the office head of their agency, 4xx for anything else`, async () => {
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  /** The encrypted input of a case's workflow, as the Web UI sends it (proto3 JSON). */
  const encryptedInput = async (caseNumber: string) => {
    const history = await web.env.client.workflow.getHandle(caseNumber).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) throw new Error(`no input payload for ${caseNumber}`);
    return { metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(payload.data) };
  };
  const own = await encryptedInput(cases.fresh);
  const other = await encryptedInput(cases.zfb);
  const encoding = (text: string) => Buffer.from(text).toString('base64');
  const base64ish = fc.oneof(fc.base64String({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url')), hostileText({ maxLength: 40 }));
  const payload = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom({ kind: 'own', value: own as unknown }, { kind: 'other agency', value: other as unknown }) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('binary/encrypted', 'json/plain', 'binary/null', 'json/protobuf'), base64ish, fc.option(base64ish, { nil: undefined })).map(([enc, data, keyId]) => ({ kind: 'made up', value: { metadata: { encoding: encoding(enc), ...(keyId === undefined ? {} : { 'encryption-key-id': keyId }) }, data } as unknown })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(own, other), fc.nat()).map(([p, at]) => ({ kind: 'tampered', value: { ...p, data: `${p.data.slice(0, at % p.data.length)}${p.data[at % p.data.length] === 'A' ? 'B' : 'A'}${p.data.slice((at % p.data.length) + 1)}` } as unknown })) },
    { weight: 1, arbitrary: fc.oneof(anyJson(), fc.record({ metadata: anyJson(), data: anyJson() })).map((value) => ({ kind: 'junk', value })) },
  );
  const origins = web.config.web.codecCorsOrigins;
  const input = fc.record({
    who: caller(['zrzy.head', 'zrzy.head', 'zfb.head', 'zrzy.handler1', 'supervisor', 'admin']),
    method: fc.constantFrom('POST', 'POST', 'POST', 'OPTIONS'),
    path: fc.constantFrom('/codec/decode', '/codec/decode', '/codec/encode'),
    origin: fc.option(fc.oneof(fc.constantFrom(...origins), fc.constantFrom('http://evil.example', 'null', 'http://localhost:8234', `${origins[0]}.evil.example`)), { nil: undefined }),
    namespace: fc.option(fc.oneof(fc.constantFrom('', 'default', 'DEFAULT', 'other'), hostileText({ maxLength: 30 }).filter((t) => /^[\x20-\x7e]*$/.test(t))), { nil: undefined }),
    contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8') }),
    body: fc.oneof(
      { weight: 6, arbitrary: fc.array(payload, { maxLength: 4 }).map((ps) => ({ kinds: ps.map((p) => p.kind), text: JSON.stringify({ payloads: ps.map((p) => p.value) }) })) },
      { weight: 1, arbitrary: malformedJsonText().map((text) => ({ kinds: ['malformed'], text })) },
      { weight: 1, arbitrary: fc.constantFrom(1001, 5000).map((n) => ({ kinds: ['too many'], text: JSON.stringify({ payloads: Array.from({ length: n }, () => ({ data: '' })) }) })) },
      { weight: 1, arbitrary: fc.record({ payloads: anyJson(), extra: anyJson() }).map((value) => ({ kinds: ['wrong shape'], text: JSON.stringify(value) })) },
    ),
  });
  await fuzz(
    tally,
    TARGETS.codec,
    input,
    async ({ who, method, path, origin, namespace, contentType, body }) => {
      const headers = { ...authorization(who), ...(origin === undefined ? {} : { origin }), ...(namespace === undefined ? {} : { 'x-namespace': namespace }), ...(method === 'POST' ? { 'content-type': contentType } : {}) };
      const answer = await send(web.baseUrl, method, path, { headers, ...(method === 'POST' ? { body: body.text } : {}) });
      const what = `${method} ${path} by ${describeCaller(who)} from ${origin ?? 'no origin'} (${body.kinds.join(', ') || 'no payloads'})`;
      const status = expectNoServerError(answer, what);
      if (method === 'OPTIONS') {
        if (status === 204 && !origins.includes(origin ?? '')) throw new Error(`${what}: preflight allowed`);
        return status;
      }
      if (status < 300) {
        if (who.kind !== 'user' || !who.user.endsWith('.head')) throw new Error(`${what}: answered ${status}`);
        if (path.endsWith('decode') && who.user === 'zrzy.head' && body.kinds.includes('other agency')) throw new Error(`${what}: another agency's payload decoded`);
        if (path.endsWith('decode') && who.user === 'zfb.head' && body.kinds.includes('own')) throw new Error(`${what}: another agency's payload decoded`);
        if (origin !== undefined && !origins.includes(origin)) throw new Error(`${what}: answered a disallowed origin`);
      }
      return status;
    },
    {
      batch: 8,
      invariant: {
        snapshot: () => rows.counts(),
        check: (before, after, batch) => {
          rows.expectSame(before, after, 'codec calls', ['gk_audit_event']);
          const decoded = batch.filter((b) => b.outcome === 200 && b.input.path.endsWith('decode') && b.input.method === 'POST').length;
          if (decoded === 0 && after.gk_audit_event !== before.gk_audit_event) throw new Error('audit entries written with no payload decoded');
        },
      },
    },
  );
}, 120_000);

test('no refused input started a workflow', async () => {
  expect(await workflowCount(web, 1_500)).toBe(workflowsBefore);
  for (const target of Object.values(TARGETS)) expect(tally.tried(target)).toBeGreaterThanOrEqual(RUNS_PER_TARGET);
});
