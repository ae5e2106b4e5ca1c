import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { beijingDateOfMs } from '../../domain/dates';
import { SESSION_COOKIE, SESSION_TTL_MS, sessionTokens } from '../../web/session';
import { hostileText } from './fuzz-inputs';
import { randomSubmissionId } from './register';
import { exampleApplication } from './request-harness';
import { walkthroughSteps } from './walkthrough';
import { DEMO_PASSWORD, type WebStack } from './web-stack';

// Running the fuzz tests (test/fuzz): a fixed seed, a number of inputs per target, a tally of what each target
// answered (printed as a table at the end of each file), HTTP against the listening app, and the invariants a
// refused input must leave alone: the register's row counts and the Temporal workflows of the task queue.

/** The seed of every property: GONGKAI_FUZZ_SEED replays another run (fast-check prints the seed of a failure). */
export const FUZZ_SEED = Number(process.env.GONGKAI_FUZZ_SEED ?? 20261128);
/** Inputs per target (the issue asks at least 1,000). */
export const RUNS_PER_TARGET = Number(process.env.GONGKAI_FUZZ_RUNS ?? 1000);

/** What one input came to: an HTTP status, or a CLI outcome such as `exit 1`. */
export type Outcome = number | string;

/** Inputs tried per target and what they came to. */
export class FuzzTally {
  private readonly targets = new Map<string, Map<string, number>>();

  count(target: string, outcome: Outcome): void {
    const outcomes = this.targets.get(target) ?? new Map<string, number>();
    outcomes.set(String(outcome), (outcomes.get(String(outcome)) ?? 0) + 1);
    this.targets.set(target, outcomes);
  }

  tried(target: string): number {
    return [...(this.targets.get(target)?.values() ?? [])].reduce((a, b) => a + b, 0);
  }

  /** A table: target, inputs tried, and how many came to each outcome. */
  table(title: string): string {
    const rows = [...this.targets].map(([target, outcomes]) => [
      target,
      String([...outcomes.values()].reduce((a, b) => a + b, 0)),
      [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([outcome, n]) => `${outcome}×${n}`).join(' '),
    ]);
    const header = ['target', 'inputs', 'outcomes'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((cell, i) => (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
    const total = rows.reduce((sum, row) => sum + Number(row[1]), 0);
    return [`${title} (seed ${FUZZ_SEED}, ${total} inputs)`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
  }
}

export interface FuzzOptions<T, S> {
  runs?: number;
  /** Inputs per batch (one fast-check run), checked at once; the invariant is checked around each batch. */
  batch?: number;
  /** Check a batch's inputs one after the other instead of at once (the in-process CLI runs one command at a time). */
  sequential?: boolean;
  /** A state refused inputs must leave alone, taken before and after each batch. */
  invariant?: { snapshot: () => Promise<S> | S; check: (before: S, after: S, batch: { input: T; outcome: Outcome }[]) => void };
}

/**
 * Checks `runs` inputs of `arbitrary` with the fixed seed, `batch` at a time; `check` throws to fail (fast-check
 * then shrinks the failing batch) and answers the outcome it saw. A failure names the target, the seed and path to
 * replay, the error, and the batch with each input's outcome (long strings cut short).
 */
export async function fuzz<T, S = never>(tally: FuzzTally, target: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => Promise<Outcome>, options: FuzzOptions<T, S> = {}): Promise<void> {
  const { runs = RUNS_PER_TARGET, batch = 1, sequential = false, invariant } = options;
  const property = fc.asyncProperty(fc.array(arbitrary, { minLength: batch, maxLength: batch }), async (inputs) => {
    const before = invariant ? await invariant.snapshot() : undefined;
    const settled: PromiseSettledResult<Outcome>[] = [];
    if (sequential) {
      for (const input of inputs) {
        const [result] = await Promise.allSettled([check(input)]);
        settled.push(result!);
        if (result!.status === 'rejected') break;
      }
    } else settled.push(...(await Promise.allSettled(inputs.map(check))));
    const outcomes = settled.map((result) => (result.status === 'fulfilled' ? result.value : 'failed'));
    outcomes.forEach((outcome) => tally.count(target, outcome));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    if (invariant) {
      try {
        invariant.check(before as S, await invariant.snapshot(), inputs.map((input, i) => ({ input, outcome: outcomes[i] ?? 'not run' })));
      } catch (err) {
        throw new Error(`${(err as Error).message}\nbatch: ${compact(inputs.map((input, i) => ({ outcome: outcomes[i], input })))}`, { cause: err });
      }
    }
  });
  const details = await fc.check(property, { seed: FUZZ_SEED, numRuns: Math.ceil(runs / batch) });
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `${target}: failed after ${details.numRuns} batch(es) of ${batch}, shrunk ${details.numShrinks} time(s); seed ${details.seed} (GONGKAI_FUZZ_SEED), path "${details.counterexamplePath}"\n` +
        `${error}\ncounterexample: ${compact(details.counterexample)}`,
    );
  }
}

/** JSON of `value` with long strings cut to their start and length, and the whole cut at 6,000 characters. */
export function compact(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > 160 ? `${v.slice(0, 120)}…(${v.length} chars)` : v));
  return text === undefined ? String(value) : text.length > 6_000 ? `${text.slice(0, 6_000)}…` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP against the listening app

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Cookies to send, by name. */
  cookies?: Record<string, string>;
}

/** One request as a client sends it (no redirects followed); never throws on a status. */
export async function send(baseUrl: string, method: string, path: string, options: SendOptions = {}): Promise<Answer> {
  const cookie = Object.entries(options.cookies ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...options.headers, ...(cookie ? { cookie } : {}) },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Throws unless the answer is a refusal (4xx): the message shows the status and the start of the body. */
export function expectRefused(answer: Answer, what: string, allowed?: readonly number[]): number {
  const ok = allowed ? allowed.includes(answer.status) : answer.status >= 400 && answer.status < 500;
  if (!ok) throw new Error(`${what}: expected ${allowed ? allowed.join('/') : 'a 4xx'}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer.status;
}

/**
 * A refusal before any route runs, which therefore cannot say anything about credentials or tokens: a path that is no
 * valid URL (400 bad-url), a parameter over Fastify's length (414), a path that `..` or empty segments turn into no
 * route (404), headers over Node's limit (431).
 */
export function refusedBeforeRouting(answer: Answer): boolean {
  const code = ({ 400: 'bad-url', 414: 'uri-too-long', 431: 'headers-too-large' } as Record<number, string>)[answer.status];
  return (code !== undefined && answer.text.includes(`"error":"${code}"`)) || (answer.status === 404 && answer.text.includes('no route'));
}

/** Throws on a server error (5xx): anything a caller sends is answered, refused or not. */
export function expectNoServerError(answer: Answer, what: string): number {
  if (answer.status >= 500) throw new Error(`${what}: ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer.status;
}

/** Throws if HTML holds any of `texts` verbatim (an injection not escaped). */
export function expectEscaped(html: string, texts: readonly string[], what: string): void {
  const raw = texts.filter((text) => /[<>"]/.test(text) && html.includes(text));
  if (raw.length > 0) throw new Error(`${what}: the page holds unescaped ${JSON.stringify(raw[0]).slice(0, 120)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials: valid, and every way one can be wrong

/** The secret WebStack signs sessions with (test/helpers/web-stack.ts); each fuzz file checks a token it issues opens the API. */
export const stackTokens = sessionTokens(Buffer.alloc(32, 9));
const otherSecretTokens = sessionTokens(Buffer.alloc(32, 7));

/** A bearer value or session cookie that must not sign anyone in, and why. */
export function badCredential(): fc.Arbitrary<{ kind: string; token: string | undefined }> {
  const userId = fc.constantFrom('zrzy.registrar', 'zrzy.head', 'supervisor', 'admin');
  const flip = (token: string, at: number): string => {
    const i = at % token.length;
    const c = token[i] === 'A' ? 'B' : 'A';
    return token.slice(0, i) + c + token.slice(i + 1);
  };
  return fc.oneof(
    fc.constant({ kind: 'missing', token: undefined }),
    fc.constant({ kind: 'empty', token: '' }),
    userId.map((id) => ({ kind: 'expired', token: stackTokens.issue(id, Date.now() - SESSION_TTL_MS - 1_000).token })),
    userId.map((id) => ({ kind: 'other secret', token: otherSecretTokens.issue(id).token })),
    fc.tuple(userId, fc.nat()).map(([id, at]) => ({ kind: 'tampered', token: flip(stackTokens.issue(id).token, at) })),
    fc
      .tuple(userId, userId)
      .filter(([id, other]) => id !== other)
      .map(([id, other]) => ({ kind: 'user swapped', token: [other, ...stackTokens.issue(id).token.split('.').slice(-3)].join('.') })),
    fc.tuple(userId, fc.integer({ min: 1, max: 10 ** 9 })).map(([id, later]) => {
      const parts = stackTokens.issue(id).token.split('.');
      parts[parts.length - 3] = String(Number(parts[parts.length - 3]) + later);
      return { kind: 'expiry extended', token: parts.join('.') };
    }),
    fc.constantFrom('ghost', 'admin ', 'ZRZY.HEAD', '', '../admin').map((id) => ({ kind: 'unknown user', token: stackTokens.issue(id).token })),
    fc.tuple(userId, fc.integer({ min: 1, max: 10 ** 15 })).map(([id, expires]) => ({ kind: 'forged', token: `${id}.${Date.now() + expires}.bm9uY2U.${Buffer.alloc(32, expires % 256).toString('base64url')}` })),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.-_~+/='), maxLength: 400 }).map((token) => ({ kind: 'garbage', token })),
    fc.integer({ min: 301, max: 8_000 }).map((n) => ({ kind: 'oversize', token: 'a.'.repeat(n) })),
  );
}

/** How an Authorization header may present a token: the one right scheme, and wrong ones. */
export const authSchemes = (): fc.Arbitrary<string> => fc.constantFrom('Bearer ', 'Bearer ', 'Bearer ', 'bearer ', 'Basic ', 'Bearer  ', 'Token ', '');

// ---------------------------------------------------------------------------------------------------------------
// Pages: a signed-in browser without script (cookies and the CSRF token of the last page)

export class FormClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly baseUrl: string) {}

  /** Signs `userId` in through the sign-in form (demo password). */
  static async signIn(baseUrl: string, userId: string): Promise<FormClient> {
    const client = new FormClient(baseUrl);
    await client.get('/login');
    const res = await client.post('/login', new URLSearchParams({ _csrf: client.csrf, userId, password: DEMO_PASSWORD, next: '/' }).toString());
    if (res.status !== 303 || !client.cookies.has(SESSION_COOKIE)) throw new Error(`sign-in of ${userId} failed: ${res.status}`);
    await client.get('/');
    return client;
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path, {});
  }

  post(path: string, body: string, options: { contentType?: string; cookies?: Record<string, string> } = {}): Promise<Answer> {
    return this.request('POST', path, { body, headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' }, ...(options.cookies ? { cookies: options.cookies } : {}) });
  }

  /** Sends with this client's cookies (or `cookies` instead), keeps the cookies the answer sets and the page's CSRF token. */
  async request(method: string, path: string, options: SendOptions): Promise<Answer> {
    const answer = await send(this.baseUrl, method, path, {
      ...options,
      headers: { accept: 'text/html', ...options.headers },
      cookies: options.cookies ?? Object.fromEntries(this.cookies),
    });
    if (options.cookies === undefined) {
      for (const header of answer.headers.getSetCookie()) {
        const [pair = ''] = header.split(';');
        const name = pair.slice(0, pair.indexOf('='));
        if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
        else this.cookies.set(name, pair.slice(name.length + 1));
      }
      const token = /<input type="hidden" name="_csrf" value="([^"]*)"/.exec(answer.text)?.[1];
      if (token !== undefined) this.csrf = token;
    }
    return answer;
  }
}

/** A CSRF token as a form might carry it: the page's (`validWeight` in about 10), none, forged, or another session's. */
export function csrfVariant(validWeight = 5): fc.Arbitrary<{ kind: string; token: (valid: string, others: string) => string | undefined }> {
  return fc.oneof(
    { arbitrary: fc.constant({ kind: 'valid', token: (valid: string) => valid }), weight: validWeight },
    fc.constant({ kind: 'missing', token: () => undefined }),
    fc.constant({ kind: 'empty', token: () => '' }),
    fc.constant({ kind: 'other session', token: (_valid: string, others: string) => others }),
    hostileText({ maxLength: 100 }).map((text) => ({ kind: 'forged', token: () => text })),
    fc.nat().map((at) => ({
      kind: 'tampered',
      token: (valid: string) => {
        const i = at % Math.max(1, valid.length);
        return valid.slice(0, i) + (valid[i] === 'x' ? 'y' : 'x') + valid.slice(i + 1);
      },
    })),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Invariants

/** Row counts of every table of the register (SQLite), read apart from the app's own connection. */
export class RegisterRows {
  private readonly db: SQLite.Database;
  private readonly tables: string[];

  constructor(sqliteFile: string) {
    this.db = new SQLite(sqliteFile, { readonly: true, fileMustExist: true });
    this.tables = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.tables.map((table) => [table, (this.db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n]));
  }

  /** Waits until the counts hold still for `quietMs` (the worker's activities finish), then answers them. */
  async settled(quietMs = 1_500, timeoutMs = 60_000): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    let last = JSON.stringify(this.counts());
    let since = Date.now();
    while (Date.now() - since < quietMs) {
      if (Date.now() > deadline) throw new Error(`the register did not settle within ${timeoutMs / 1000} s: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const now = JSON.stringify(this.counts());
      if (now !== last) [last, since] = [now, Date.now()];
    }
    return JSON.parse(last) as Record<string, number>;
  }

  /** Throws naming the tables whose row counts differ, with their newest rows (to tell what wrote them). */
  expectSame(before: Record<string, number>, after: Record<string, number>, what: string, except: readonly string[] = []): void {
    const changed = Object.keys({ ...before, ...after }).filter((table) => !except.includes(table) && before[table] !== after[table]);
    if (changed.length === 0) return;
    const newest = changed.map((table) => `${table}: ${compact(this.db.prepare(`SELECT * FROM "${table}" ORDER BY rowid DESC LIMIT 5`).all())}`);
    throw new Error(`${what}: register rows changed: ${changed.map((t) => `${t} ${before[t]} -> ${after[t]}`).join(', ')}\n${newest.join('\n')}`);
  }

  close(): void {
    this.db.close();
  }
}

/** Workflows on the stack's task queue (visibility); waits `settleMs` first, since visibility lags a start a little. */
export async function workflowCount(stack: WebStack, settleMs = 0): Promise<number> {
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  const { count } = await stack.env.client.workflow.count(`TaskQueue = '${stack.config.temporal.taskQueue}'`);
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// The cases every web fuzz file works on

/** LYG-ZRZY registered; LYG-ZRZY assigned to zrzy.handler1 (补不补); LYG-ZFB registered; LYG-ZRZY archived (the README's walkthrough). */
export interface FuzzCases {
  fresh: string;
  assigned: string;
  zfb: string;
  archived: string;
}

/** Registers and walks the four cases through the API, waits for the archived one to close and the register to settle. */
export async function seedCases(stack: WebStack, rows: RegisterRows): Promise<FuzzCases> {
  const post = async (path: string, user: string, body: unknown): Promise<unknown> => {
    const answer = await send(stack.baseUrl, 'POST', path, { headers: { authorization: `Bearer ${stackTokens.issue(user).token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (answer.status >= 300) throw new Error(`POST ${path} as ${user}: ${answer.status} ${answer.text}`);
    return JSON.parse(answer.text);
  };
  const submit = async (user: string, application: unknown) => ((await post('/api/submissions', user, { submissionId: randomSubmissionId(), application })) as { caseNumber: string }).caseNumber;
  const act = (caseNumber: string, user: string, action: string, data: unknown) => post(`/api/cases/${caseNumber}/actions`, user, { action, data });
  const cases: FuzzCases = {
    fresh: await submit('zrzy.registrar', exampleApplication),
    assigned: await submit('zrzy.registrar', exampleApplication),
    zfb: await submit('zfb.registrar', { ...exampleApplication, agencyCode: 'LYG-ZFB' }),
    archived: await submit('zrzy.registrar', exampleApplication),
  };
  await act(cases.assigned, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
  for (const step of walkthroughSteps(beijingDateOfMs(Date.now()))) await act(cases.archived, step.userId, step.action, step.data);
  // The workflow completes a moment after the archiving act, and its last activities write to the register.
  const deadline = Date.now() + 30_000;
  while ((await stack.env.client.workflow.getHandle(cases.archived).describe()).status.name === 'RUNNING') {
    if (Date.now() > deadline) throw new Error(`${cases.archived} still running 30 s after archiving`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await rows.settled();
  return cases;
}
