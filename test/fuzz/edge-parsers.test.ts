import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { reportRemedyRecordSchema } from '../../domain/annual-report';
import { parseApplication } from '../../domain/application';
import { holidayNoticeSchema } from '../../domain/calendar';
import { ACTION_PAYLOAD_SCHEMAS, SUPPORTED_ACTIONS } from '../../domain/case-actions';
import { InvalidInputError } from '../../domain/validation';
import { PROJECT_ROOT } from '../../workers/config';
import { anyJson, refusedApplication, unknownKey } from '../helpers/fuzz-inputs';
import { FuzzTally, fuzz } from '../helpers/fuzz-run';
import { exampleApplication } from '../helpers/request-harness';
import { walkthroughSteps } from '../helpers/walkthrough';

// The domain's parsers at the edges (the application, every act's payload, a holiday notice, a review or suit record)
// on any JSON, without a server: they refuse — never throw anything else (and finish: a notice whose days off ran
// to 9999 once took minutes, one problem per day). A parser that threw a
// TypeError here would be a 500 in the web app and a stack trace in the CLI (a list as `provision` once was).

const tally = new FuzzTally();
afterAll(() => console.log(tally.table('Fuzzed: the domain parsers at the edges')));

/** Any JSON, or `base` with one value anywhere in it replaced by any JSON (a list where an object is, and so on). */
function aroundBase(base: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (node !== null && typeof node === 'object') for (const [key, child] of Object.entries(node)) walk(child, [...path, Array.isArray(node) ? Number(key) : key]);
  };
  walk(base, []);
  const replaced = fc.tuple(fc.constantFrom(...paths), fc.oneof(anyJson(), fc.constantFrom([], {}, [[]], [{}], null)), fc.option(unknownKey(), { nil: undefined })).map(([path, value, key]) => {
    if (path.length === 0) return value;
    const copy = structuredClone(base) as Record<string | number, unknown>;
    let node = copy;
    for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
    node[key ?? path.at(-1)!] = value;
    return copy;
  });
  return fc.oneof(anyJson(), replaced);
}

/** Runs `parse` on the input: it may return or throw InvalidInputError, nothing else. */
function refusesCleanly(what: string, parse: (input: unknown) => unknown) {
  return async (input: unknown): Promise<string> => {
    try {
      parse(input);
      return 'accepted';
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw new Error(`${what} threw ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
      return 'refused';
    }
  };
}

/** zod's safeParse must answer, not throw. */
const safeParses = (schema: { safeParse(input: unknown): { success: boolean } }) => (input: unknown) => {
  if (!schema.safeParse(input).success) throw new InvalidInputError('parse', []);
};

test('the application: refused or accepted, never another error', async () => {
  const input = fc.oneof(aroundBase(exampleApplication), refusedApplication(exampleApplication).map((r) => r.application));
  await fuzz(tally, 'domain/application parseApplication', input, refusesCleanly('parseApplication', parseApplication), { runs: 3000 });
}, 60_000);

test("every act's payload schema: refused or accepted, never another error", async () => {
  const bases = walkthroughSteps().map((step) => step.data);
  const input = fc.tuple(fc.constantFrom(...SUPPORTED_ACTIONS), fc.oneof(...bases.map(aroundBase)));
  await fuzz(tally, 'domain/case-actions ACTION_PAYLOAD_SCHEMAS', input, ([action, payload]) => refusesCleanly(action, safeParses(ACTION_PAYLOAD_SCHEMAS[action]))(payload), { runs: 3000 });
}, 60_000);

test('a holiday notice: refused or accepted, whatever its dates', async () => {
  const notice = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'calendar', 'cn-2026.json'), 'utf8'));
  const dates = fc.constantFrom('0001-01-01', '2026-01-01', '2026-12-31', '9999-12-31', '2025-12-31', '2026-02-30');
  const ranges = fc.array(fc.record({ name: fc.constant('节'), off: fc.tuple(dates, dates), workingWeekends: fc.array(dates, { maxLength: 5 }) }), { minLength: 1, maxLength: 20 }).map((holidays) => ({ ...notice, holidays }));
  await fuzz(tally, 'domain/calendar holidayNoticeSchema', fc.oneof(aroundBase(notice), ranges), refusesCleanly('holidayNoticeSchema', safeParses(holidayNoticeSchema)), { runs: 2000 });
}, 60_000);

test('a review or suit record: refused or accepted, never another error', async () => {
  const record = { recordId: 'r-1', caseNumber: 'LYG-ZRZY-2026-000001', kind: 'suit', afterReview: true, filedOn: '2026-11-02', result: 'upheld', decidedOn: '2026-11-20' };
  await fuzz(tally, 'domain/annual-report reportRemedyRecordSchema', aroundBase(record), refusesCleanly('reportRemedyRecordSchema', safeParses(reportRemedyRecordSchema)), { runs: 2000 });
}, 60_000);
