import fc from 'fast-check';
import { isSupportedAction, SUPPORTED_ACTIONS } from '../../domain/case-actions';
import { beijingDateOfMs } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { type ActionForm, actionForms, type FormContext, type FormField } from '../../web/forms';
import { caseViewQuery } from '../../workflows/request/messages';
import { CONTROL_CHARACTERS, hostileText, injectedValidText, injection, MARKUP_INJECTIONS, malformedResidentId, pathSegment, percentEncode, residentIdWithWrongCheck, unknownKey } from '../helpers/fuzz-inputs';
import { type Answer, badCredential, csrfVariant, expectEscaped, expectNoServerError, expectRefused, FormClient, type FuzzCases, FuzzTally, fuzz, RegisterRows, refusedBeforeRouting, RUNS_PER_TARGET, seedCases, workflowCount } from '../helpers/fuzz-run';
import { DEMO_PASSWORD, WebStack } from '../helpers/web-stack';

// Hostile input against every form the pages post (issue 11, item 3): sign-in and sign-out, 登记新申请, the case
// page's acts and the review and suit records — plus the pages' GET parameters. Forms are posted as a browser
// without script posts them (urlencoded, the session cookie, the signed CSRF cookie and the page's token), on the real
// stack. Every answer is a 4xx (or the page asked for), never a 5xx; the register and the cases are left alone; and
// nothing a person typed comes back into a page unescaped.

let web: WebStack;
let rows: RegisterRows;
const tally = new FuzzTally();
const cases: FuzzCases = { fresh: '', assigned: '', zfb: '', archived: '' };
let workflowsBefore = 0;

const USERS = ['zrzy.registrar', 'zrzy.handler1', 'zrzy.handler2', 'zrzy.reviewer', 'zrzy.head', 'zfb.head', 'supervisor', 'admin'] as const;
type User = (typeof USERS)[number];
const clients = new Map<string, FormClient>();
const clientOf = (user: string): FormClient => clients.get(user)!;
/** Not signed in: the sign-in page's CSRF cookie and token only. */
let anonymous: FormClient;
/** The actions each person may take on each open case, as the API says (domain/roles). */
const permitted = new Map<string, Set<string>>();

/** Who posts: a signed-in person, or someone whose session cookie is missing or bad (with a valid CSRF cookie). */
type Poster = { kind: 'user'; user: User } | { kind: 'bad-session'; why: string; token: string | undefined; csrfOf: User };
/** `likely`: the people the target is mostly about (they post half the time). */
const poster = (likely: readonly User[] = USERS): fc.Arbitrary<Poster> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...likely).map((user): Poster => ({ kind: 'user', user })) },
    { weight: 5, arbitrary: fc.constantFrom(...USERS).map((user): Poster => ({ kind: 'user', user })) },
    { weight: 1, arbitrary: fc.tuple(badCredential(), fc.constantFrom(...USERS)).map(([bad, csrfOf]): Poster => ({ kind: 'bad-session', why: bad.kind, token: bad.token, csrfOf })) },
  );
const describePoster = (p: Poster) => (p.kind === 'user' ? p.user : `bad session (${p.why})`);

type Csrf = ReturnType<typeof csrfVariant> extends fc.Arbitrary<infer C> ? C : never;

/** Posts urlencoded `pairs` (a name may repeat) with the poster's cookies and the CSRF token the variant gives. */
async function postForm(path: string, who: Poster, csrf: Csrf, pairs: readonly [string, string][], contentType?: string): Promise<Answer> {
  const owner = clientOf(who.kind === 'user' ? who.user : who.csrfOf);
  const other = clientOf(owner === clientOf('zrzy.head') ? 'zrzy.registrar' : 'zrzy.head');
  const token = csrf.token(owner.csrf, other.csrf);
  const cookies = Object.fromEntries(owner.cookies);
  if (who.kind === 'bad-session') {
    if (who.token === undefined) delete cookies[SESSION_COOKIE];
    else cookies[SESSION_COOKIE] = percentEncode(who.token);
  }
  const body = new URLSearchParams([...(token === undefined ? [] : [['_csrf', token] as [string, string]]), ...pairs]).toString();
  return owner.post(path, body, { cookies, ...(contentType ? { contentType } : {}) });
}

/** A percent-encoded path or parameter as the server reads it. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The markup injections a request carried: none of them may come back verbatim. */
const carried = (values: readonly string[]) => MARKUP_INJECTIONS.filter((inj) => values.some((value) => value.includes(inj)));

/** The status a post must get for who posts and with which token, before anything else is looked at. */
function refusedUpFront(answer: Answer, who: Poster, csrf: Csrf, what: string): number | undefined {
  if (refusedBeforeRouting(answer)) return answer.status;
  if (csrf.kind !== 'valid') return expectRefused(answer, `${what} with a ${csrf.kind} CSRF token`, [403]);
  if (who.kind === 'bad-session') return expectRefused(answer, `${what} with ${describePoster(who)}`, [401]);
  return undefined;
}

async function openCaseStates(): Promise<string> {
  const views = await Promise.all([cases.fresh, cases.assigned, cases.zfb].map((n) => web.env.client.workflow.getHandle(n).query(caseViewQuery)));
  return JSON.stringify(views.map((v) => [v.caseNumber, v.stage, v.handlerId, v.timeline.length, v.documents.length]));
}

beforeAll(async () => {
  web = await WebStack.start();
  rows = new RegisterRows(web.config.database.sqliteFile);
  Object.assign(cases, await seedCases(web, rows));
  for (const user of USERS) clients.set(user, await FormClient.signIn(web.baseUrl, user));
  anonymous = new FormClient(web.baseUrl);
  await anonymous.get('/login');
  for (const user of USERS) {
    for (const name of ['fresh', 'assigned', 'zfb'] as const) {
      const answer = await web.api('GET', `/api/cases/${cases[name]}`, { as: user });
      permitted.set(`${user} ${cases[name]}`, new Set(answer.status === 200 ? (answer.body as { permittedActions: string[] }).permittedActions : []));
    }
  }
  await rows.settled();
  workflowsBefore = await workflowCount(web, 1_000);
}, 180_000);

afterAll(async () => {
  console.log(tally.table('Fuzzed: the page forms'));
  rows?.close();
  await web?.close();
}, 60_000);

const TARGETS = {
  login: 'POST /login',
  logout: 'POST /logout',
  register: 'POST /register',
  act: 'POST /cases/{caseNumber}/act',
  remedies: 'POST /cases/{caseNumber}/remedies',
  pages: 'GET pages with hostile parameters',
} as const;

test('every person signed in, and the actions the API permits are known', () => {
  expect(clients.size).toBe(USERS.length);
  expect(permitted.get(`zrzy.head ${cases.fresh}`)).toContain('assign-handler');
});

// ---------------------------------------------------------------------------------------------------------------
// Sign-in and sign-out

/** Where `next` could send a browser after sign-in if it were not checked. */
const OFF_SITE = ['//evil.example/', 'https://evil.example/', '/\\evil.example', '/%2F%2Fevil.example', 'javascript:alert(1)', '\\\\evil.example', '/%5Cevil.example', 'http:/evil.example', '/\t/evil.example', '/cases/../../x'];

test(`${TARGETS.login}: a wrong or missing password, token or field is a 4xx; a right one never leaves the site`, async () => {
  const password = fc.oneof(
    { weight: 60, arbitrary: fc.constant('') },
    { weight: 60, arbitrary: fc.string({ minLength: 1025, maxLength: 3000 }) },
    // Each of these costs a scrypt (0.1-0.5 s on two busy cores): a few only.
    { weight: 1, arbitrary: hostileText({ maxLength: 200 }).filter((p) => p.length > 0 && p.length <= 1024 && p !== DEMO_PASSWORD) },
    { weight: 1, arbitrary: fc.constant(DEMO_PASSWORD) },
  );
  const input = fc.record({
    csrf: csrfVariant(),
    userId: fc.oneof(fc.constantFrom(...USERS, 'ghost'), hostileText({ maxLength: 100 })),
    password,
    next: fc.option(fc.oneof(fc.constantFrom(...OFF_SITE), hostileText({ maxLength: 100 }), fc.constantFrom('/', '/board', '/cases/LYG-ZRZY-2026-000001?done=x')), { nil: undefined }),
    repeated: fc.boolean(),
    extra: fc.array(fc.tuple(unknownKey(), hostileText({ maxLength: 50 })), { maxLength: 2 }),
    contentType: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('application/json', 'multipart/form-data; boundary=x', 'text/plain') }),
  });
  await fuzz(
    tally,
    TARGETS.login,
    input,
    async ({ csrf, userId, password: pw, next, repeated, extra, contentType }) => {
      const token = csrf.token(anonymous.csrf, clientOf('zrzy.head').csrf);
      const pairs: [string, string][] = [...(token === undefined ? [] : [['_csrf', token] as [string, string]]), ['userId', userId], ['password', pw], ...(repeated ? [['password', pw] as [string, string]] : []), ...(next === undefined ? [] : [['next', next] as [string, string]]), ...extra];
      const answer = await anonymous.post('/login', new URLSearchParams(pairs).toString(), { cookies: Object.fromEntries(anonymous.cookies), ...(contentType ? { contentType } : {}) });
      const what = `sign-in of ${JSON.stringify(userId).slice(0, 40)}`;
      // JSON is parsed (and refused as malformed) before the page's hook refuses any type but urlencoded.
      if (contentType !== undefined) return expectRefused(answer, `${what} as ${contentType}`, [400, 415]);
      if (csrf.kind !== 'valid') return expectRefused(answer, `${what} with a ${csrf.kind} CSRF token`, [403]);
      expectEscaped(answer.text, carried([userId, next ?? '']), what);
      if (pw === DEMO_PASSWORD && !repeated && (USERS as readonly string[]).includes(userId)) {
        const location = answer.headers.get('location') ?? '';
        if (answer.status !== 303 || !/^\/(?![/\\])/.test(location) || /[\s\\]/.test(location)) throw new Error(`${what}: ${answer.status} to ${JSON.stringify(location)} (next ${JSON.stringify(next)})`);
        return 'signed in, same site';
      }
      return expectRefused(answer, what, [401]);
    },
    { batch: 4 },
  );
}, 120_000);

test(`${TARGETS.logout}: only with the page's token; never a 5xx`, async () => {
  await fuzz(
    tally,
    TARGETS.logout,
    fc.record({ who: poster(), csrf: csrfVariant(), extra: fc.array(fc.tuple(unknownKey(), hostileText({ maxLength: 50 })), { maxLength: 2 }) }),
    async ({ who, csrf, extra }) => {
      const answer = await postForm('/logout', who, csrf, extra);
      if (csrf.kind !== 'valid') return expectRefused(answer, `sign-out with a ${csrf.kind} CSRF token`, [403]);
      if (answer.status !== 303 || answer.headers.get('location') !== '/login') throw new Error(`sign-out: ${answer.status} ${answer.headers.get('location')}`);
      return 303;
    },
    { batch: 8 },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// 登记新申请

/** The form of an in-person request as a registrar fills it in. */
const BASE_FORM: Record<string, string> = {
  'channel.kind': 'in-person',
  'applicant.type': 'natural-person',
  'applicant.name': '张三',
  'applicant.idDocument.kind': 'resident-id-card',
  'applicant.idDocument.number': '11010519491231002X',
  'contact.phone': '0518-85820000',
  'contact.postalAddress': '连云港市海州区朝阳东路1号',
  'contact.postcode': '222000',
  'requestedItems.0.title': '2025年海州区某地块国有建设用地使用权出让规划条件',
  'provision.form': 'paper',
  'provision.manner': 'post',
  'channel.submittedAt': '2026-11-27T10:15',
};

test(`${TARGETS.register}: a refused form registers nothing, shows what was typed escaped, never a 5xx`, async () => {
  type Change = (form: Record<string, string>) => void;
  const accepted: fc.Arbitrary<Change[]> = fc.array(
    fc.oneof(
      injectedValidText(100).map((t): Change => (f) => void (f['applicant.name'] = t)),
      injectedValidText(300).map((t): Change => (f) => void (f['requestedItems.0.title'] = t)),
      injectedValidText(300).map((t): Change => (f) => void (f['requestedItems.1.title'] = t)),
      injectedValidText(1000).map((t): Change => (f) => void (f['requestedItems.0.description'] = `${t}\r\n${t}`)),
      injectedValidText(200).map((t): Change => (f) => void (f['contact.postalAddress'] = t)),
    ),
    { maxLength: 3 },
  );
  const refused: fc.Arbitrary<{ why: string; change: Change }> = fc.oneof(
    fc.oneof(residentIdWithWrongCheck(), malformedResidentId()).map((n) => ({ why: 'ID number', change: (f: Record<string, string>) => void (f['applicant.idDocument.number'] = n) })),
    fc.tuple(fc.constantFrom(...CONTROL_CHARACTERS), injection()).map(([c, t]) => ({ why: 'control character in the name', change: (f: Record<string, string>) => void (f['applicant.name'] = `张${c}${t}`.slice(0, 100)) })),
    fc.integer({ min: 101, max: 5_000 }).map((n) => ({ why: 'name too long', change: (f: Record<string, string>) => void (f['applicant.name'] = '张'.repeat(n)) })),
    fc.constant({ why: 'no requested item', change: (f: Record<string, string>) => { for (const key of Object.keys(f)) if (key.startsWith('requestedItems.')) delete f[key]; } }),
    fc.constant({ why: 'paper by email', change: (f: Record<string, string>) => void (f['provision.manner'] = 'email') }),
    fc.constantFrom('yesterday', '2026-02-30T10:00', '1999-12-31T10:00', '2026-11-27T25:00', '2026-11-27').map((t) => ({ why: `submittedAt ${t}`, change: (f: Record<string, string>) => void (f['channel.submittedAt'] = t) })),
    fc.tuple(fc.constantFrom('applicant.type', 'applicant.idDocument.kind', 'provision.form', 'provision.manner'), fc.oneof(injection(), fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '' && !/^(natural-person|organisation|resident-id-card|unified-social-credit-code|passport|other|paper|electronic|inspection|post|email|fax|online|collect|on-site)$/.test(s.trim())))).map(([field, value]) => ({ why: `${field} not a choice`, change: (f: Record<string, string>) => void (f[field] = value) })),
    fc.constant({ why: 'no contact', change: (f: Record<string, string>) => { delete f['contact.phone']; delete f['contact.postalAddress']; delete f['contact.postcode']; } }),
    fc.oneof(injection(), fc.constantFrom('not-an-email', 'a@')).map((e) => ({ why: 'email malformed', change: (f: Record<string, string>) => void (f['contact.email'] = e) })),
  );
  const input = fc.record({
    who: poster(['zrzy.registrar']),
    csrf: csrfVariant(8),
    accepted,
    refused,
    button: fc.constantFrom(undefined, 'preview', 'edit'),
    previewValid: fc.boolean(),
    submissionId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{8,40}$/), hostileText({ maxLength: 120 })),
    // A repeated field counts with its first value, which the form above gives: these never undo a refusal.
    extra: fc.array(fc.tuple(fc.oneof(unknownKey(), fc.constantFrom('applicant.name', 'channel.kind', 'provision.form')), hostileText({ maxLength: 60 })), { maxLength: 3 }),
    json: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
  await fuzz(
    tally,
    TARGETS.register,
    input,
    async ({ who, csrf, accepted: changes, refused: refusal, button, previewValid, submissionId, extra, json }) => {
      const form = { ...BASE_FORM };
      for (const change of changes) change(form);
      // A preview of a valid form registers nothing either: it shows what would be registered, escaped.
      const valid = button === 'preview' && previewValid;
      if (!valid) refusal.change(form);
      const pairs: [string, string][] = [['submissionId', submissionId], ...Object.entries(form), ...(button ? [[button, '1'] as [string, string]] : []), ...extra];
      const answer = await postForm('/register', who, csrf, pairs, json ? 'application/json' : undefined);
      const what = `registration (${valid ? 'preview of a valid form' : refusal.why}) by ${describePoster(who)}`;
      if (json) return expectRefused(answer, what, [400, 415]);
      const upFront = refusedUpFront(answer, who, csrf, what);
      if (upFront !== undefined) return upFront;
      if (who.kind === 'user' && who.user !== 'zrzy.registrar') return expectRefused(answer, what, [403]);
      expectEscaped(answer.text, carried(pairs.map(([, v]) => v)), what);
      return expectRefused(answer, what, button === 'edit' || valid ? [200] : [400]);
    },
    { batch: 8, invariant: { snapshot: () => rows.counts(), check: (before, after) => rows.expectSame(before, after, 'refused registrations') } },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// The case page's acts

/** What the forms offer on a case (as web/case-pages.ts builds it): the agency's handlers, item numbers, today. */
function formContext(agencyCode: string): FormContext {
  return {
    handlers: web.config.users.filter((u) => u.agencyCode === agencyCode && u.roles.includes('handler')).map((u) => ({ value: u.id, label: u.name })),
    requestedItems: Array.from({ length: 10 }, (_, i) => ({ value: String(i + 1), label: `第${i + 1}项` })),
    consultationIds: [],
    referralIds: [],
    today: beijingDateOfMs(Date.now()),
  };
}

/** Any value a field could be posted with: hostile text, or a value of its kind. */
function fieldValue(field: FormField): fc.Arbitrary<string> {
  const ofKind =
    field.kind === 'date'
      ? fc.constantFrom(beijingDateOfMs(Date.now()), '2026-11-27')
      : field.kind === 'datetime'
        ? fc.constant('2026-11-27T10:15')
        : field.kind === 'number'
          ? fc.constantFrom('1', '20', '0.5')
          : field.kind === 'select' && field.options?.length
            ? fc.constantFrom(...field.options.map((o) => o.value))
            : field.kind === 'checkbox'
              ? fc.constant('1')
              : injectedValidText(200);
  return fc.oneof(ofKind, hostileText({ maxLength: 300 }));
}

/** A value the schema refuses for the field, when the field's kind allows one (a yes/no select or a box never refuses). */
function refusedValue(field: FormField): string | undefined {
  if (field.kind === 'date' || field.kind === 'datetime') return '2026-02-30';
  if (field.kind === 'number') return 'twenty';
  if (field.kind === 'select' && !field.yesNo) return 'zz-no-such-choice';
  if (field.kind === 'text' || field.kind === 'textarea' || field.kind === 'lines') return 'x'.repeat(6_000);
  return undefined;
}

test(`${TARGETS.act}: out of order, by the wrong person, with refused fields: a 4xx, the case unchanged, the page escaped`, async () => {
  const forms = new Map<string, ActionForm[]>();
  for (const agency of ['LYG-ZRZY', 'LYG-ZFB']) for (const action of SUPPORTED_ACTIONS) forms.set(`${agency} ${action}`, actionForms(action, formContext(agency)));
  const someCase = fc.constantFrom('fresh', 'assigned', 'zfb', 'archived') as fc.Arbitrary<keyof FuzzCases>;
  const input = fc
    .record({ who: poster(['zrzy.handler1', 'zrzy.head', 'zrzy.reviewer']), csrf: csrfVariant(8), name: someCase, action: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<string>(...SUPPORTED_ACTIONS) }, { weight: 1, arbitrary: hostileText({ maxLength: 40 }) }), pick: fc.nat(), updateId: fc.oneof({ weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{8,60}$/) }, { weight: 1, arbitrary: hostileText({ maxLength: 120 }) }), seed: fc.nat() })
    .chain((base) => {
      const agency = base.name === 'zfb' ? 'LYG-ZFB' : 'LYG-ZRZY';
      const offered = isSupportedAction(base.action) ? forms.get(`${agency} ${base.action}`)! : [];
      const form = offered[base.pick % Math.max(1, offered.length)];
      const values = form ? fc.tuple(...form.fields.map((field) => fieldValue(field))) : fc.constant([] as string[]);
      return fc.record({ base: fc.constant(base), form: fc.constant(form), values, variant: fc.oneof({ weight: 8, arbitrary: fc.constant(form?.variant) }, { weight: 1, arbitrary: hostileText({ maxLength: 40 }) }) });
    });
  await fuzz(
    tally,
    TARGETS.act,
    input,
    async ({ base: { who, csrf, name, action, updateId }, form, values, variant }) => {
      const caseNumber = cases[name];
      const fields = form?.fields ?? [];
      const posted = fields.map((field, i): [string, string] => [`f.${field.name}`, values[i] ?? '']);
      // An act this person may take now must still be refused: one of its fields gets a value the schema refuses.
      const mayTake = who.kind === 'user' && permitted.get(`${who.user} ${caseNumber}`)?.has(action);
      let spoilt = !mayTake;
      if (mayTake) {
        const at = fields.findIndex((field) => refusedValue(field) !== undefined);
        if (at >= 0) [posted[at]![1], spoilt] = [refusedValue(fields[at]!)!, true];
      }
      const id = spoilt ? updateId : '';
      const pairs: [string, string][] = [['action', action], ...(variant === undefined ? [] : [['variant', variant] as [string, string]]), ['updateId', id], ...posted];
      const answer = await postForm(`/cases/${caseNumber}/act`, who, csrf, pairs);
      const what = `${action}${variant ? `/${variant}` : ''} on ${name} by ${describePoster(who)}`;
      const upFront = refusedUpFront(answer, who, csrf, what);
      if (upFront !== undefined) return upFront;
      expectEscaped(answer.text, carried(pairs.map(([, v]) => v)), what);
      return expectRefused(answer, what);
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
// 复议诉讼情况

test(`${TARGETS.remedies}: refused records save nothing, never a 5xx`, async () => {
  const date = fc.oneof(fc.constantFrom('2026-11-01', '2026-02-30', '2099-01-01', '', '2026-11-1', 'yesterday'), hostileText({ maxLength: 40 }));
  const input = fc.record({
    who: poster(['zrzy.handler1', 'zrzy.head']),
    csrf: csrfVariant(8),
    target: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('fresh', 'zfb', 'archived', 'archived', 'archived').map((k) => cases[k as keyof FuzzCases]) }, { weight: 1, arbitrary: pathSegment() }),
    recordId: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostileText({ maxLength: 80 }) }),
    kind: fc.oneof(fc.constantFrom('review', 'suit'), hostileText({ maxLength: 20 })),
    result: fc.oneof(fc.constantFrom('upheld', 'corrected', 'other', 'pending'), hostileText({ maxLength: 20 })),
    filedOn: date,
    decidedOn: date,
    afterReview: fc.constantFrom('1', '0', '', 'yes'),
    spoil: fc.constantFrom('kind', 'result', 'filedOn', 'future'),
  });
  await fuzz(
    tally,
    TARGETS.remedies,
    input,
    async ({ who, csrf, target, recordId, kind, result, filedOn, decidedOn, afterReview, spoil }) => {
      const fields: Record<string, string> = { recordId, kind, result, filedOn, decidedOn, afterReview };
      // On the closed case a record could be saved: one field is always one the rules refuse.
      if (target === cases.archived) {
        if (spoil === 'kind') fields.kind = 'appeal';
        else if (spoil === 'result') fields.result = 'won';
        else if (spoil === 'filedOn') fields.filedOn = '2026-02-30';
        else fields.filedOn = '2099-12-31';
      }
      const answer = await postForm(`/cases/${target}/remedies`, who, csrf, Object.entries(fields));
      const what = `remedy record on ${target} by ${describePoster(who)}`;
      const upFront = refusedUpFront(answer, who, csrf, what);
      if (upFront !== undefined) return upFront;
      expectEscaped(answer.text, carried(Object.values(fields).concat(decoded(target))), what);
      return expectRefused(answer, what);
    },
    { batch: 8, invariant: { snapshot: () => rows.counts(), check: (before, after) => rows.expectSame(before, after, 'refused remedy records') } },
  );
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// The pages' GET parameters

test(`${TARGETS.pages}: answered without a 5xx, parameters never shown unescaped`, async () => {
  const value = fc.oneof(hostileText({ maxLength: 80 }), fc.constantFrom('2026', '2007', '2101', 'all', 'LYG-ZRZY', 'LYG-ZFB', 'in-person', 'assign-handler', ''));
  const caseOrJunk = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(['fresh', 'assigned', 'zfb', 'archived'] as const)).map((k) => cases[k]) }, { weight: 2, arbitrary: pathSegment() });
  const path = fc.oneof(
    fc.tuple(caseOrJunk, value).map(([n, done]) => `/cases/${n}?done=${percentEncode(done)}`),
    caseOrJunk.map((n) => `/cases/${n}/application`),
    caseOrJunk.map((n) => `/cases/${n}/remedies`),
    fc.tuple(caseOrJunk, fc.oneof(fc.constantFrom('receipt/1.pdf', 'receipt/1.docx', 'reply/v1.pdf', '../../register.sqlite'), pathSegment())).map(([n, doc]) => `/cases/${n}/documents/${doc}`),
    fc.tuple(fc.constantFrom('/report', '/report', '/report', '/report.csv', '/report.xlsx'), value, value).map(([p, year, agency]) => `${p}?year=${percentEncode(year)}&agency=${percentEncode(agency)}`),
    value.map((channel) => `/register?channel=${percentEncode(channel)}`),
    value.map((next) => `/login?next=${percentEncode(next)}`),
    fc.tuple(fc.constantFrom('/', '/board', '/closed', '/mail'), fc.array(fc.tuple(unknownKey(), value), { maxLength: 2 })).map(([p, q]) => (q.length ? `${p}?${new URLSearchParams(q).toString()}` : p)),
  );
  await fuzz(
    tally,
    TARGETS.pages,
    fc.record({ who: fc.option(fc.constantFrom(...USERS), { nil: undefined }), path }),
    async ({ who, path: p }) => {
      const client = who ? clientOf(who) : anonymous;
      const answer = await client.request('GET', p, { cookies: Object.fromEntries(client.cookies) });
      const what = `GET ${p.slice(0, 120)} as ${who ?? 'nobody'}`;
      expectNoServerError(answer, what);
      if (answer.headers.get('content-type')?.startsWith('text/html')) expectEscaped(answer.text, carried([decoded(p)]), what);
      return answer.status;
    },
    { batch: 8, invariant: { snapshot: () => rows.counts(), check: (before, after) => rows.expectSame(before, after, 'page views', ['gk_audit_event']) } },
  );
}, 120_000);

test('no refused form started a workflow or changed a case', async () => {
  expect(await workflowCount(web, 1_500)).toBe(workflowsBefore);
  for (const target of Object.values(TARGETS)) expect(tally.tried(target)).toBeGreaterThanOrEqual(RUNS_PER_TARGET);
});
