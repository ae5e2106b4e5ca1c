import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { beijingDateOfMs } from '../../domain/dates';
import { PROJECT_ROOT } from '../../workers/config';
import { connectClient } from '../../workers/connection';
import { loadConfig } from '../../workers/load-config';
import { caseViewQuery } from '../../workflows/request/messages';
import { type CliRun, expectCliRefusal, InProcessCli, STACK_TRACE } from '../helpers/fuzz-cli';
import { anyJson, hostileText, injectedApplication, injection, malformedJsonText, notAnObject, refusedApplication, unknownKey } from '../helpers/fuzz-inputs';
import { compact, FuzzTally, fuzz, RegisterRows, RUNS_PER_TARGET } from '../helpers/fuzz-run';
import { gongkai, type StackEnv, type StartedStack, startStack, stopWithCtrlC } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';
import { exampleApplication } from '../helpers/request-harness';
import { walkthroughSteps } from '../helpers/walkthrough';

// Hostile input against every CLI command (issue 11, item 3): the commander program of bin/gongkai.js parsed in this
// process (cli/main.ts buildProgram, exits turned into errors, output captured) against `gongkai start` in its own
// process — dev server, worker, register — and a sample of the same inputs run as real processes. A refused input
// exits non-zero with a message naming the option, argument or field, never a stack trace; nothing is registered,
// no workflow is started, no case changes.

let files: string;
let stack: StackEnv;
let started: StartedStack;
let env: Record<string, string>;
/** backup and restore run on an empty data directory with no Temporal answering (restore refuses while one does). */
let idleEnv: Record<string, string>;
let idleStack: StackEnv;
let rows: RegisterRows;
let client: Client;
const cli = new InProcessCli();
const tally = new FuzzTally();
const cases = { fresh: '', assigned: '', archived: '' };
let workflowsBefore = 0;
let fileCount = 0;

const USERS = ['zrzy.registrar', 'zrzy.handler1', 'zrzy.head', 'zrzy.reviewer', 'zfb.head', 'supervisor', 'admin'] as const;

/** A file with `content` in the scratch folder. */
function file(content: string | Buffer, name = `f${++fileCount}.json`): string {
  const path = join(files, name);
  writeFileSync(path, content);
  return path;
}

const runOk = async (args: string[]): Promise<string> => {
  const run = await cli.run(args, env);
  if (run.code !== 0) throw new Error(`gongkai ${args.join(' ')}: exit ${run.code}: ${run.stderr}`);
  return run.stdout.trim();
};

async function openCaseStates(): Promise<string> {
  const views = await Promise.all([cases.fresh, cases.assigned].map((n) => client.workflow.getHandle(n).query(caseViewQuery)));
  return JSON.stringify(views.map((v) => [v.caseNumber, v.stage, v.handlerId, v.timeline.length]));
}

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-fuzz-cli-'));
  stack = { dataDir: join(files, 'data'), address: `127.0.0.1:${await freePort()}` };
  idleStack = { dataDir: join(files, 'idle-data'), address: `127.0.0.1:${await freePort()}` };
  mkdirSync(idleStack.dataDir);
  started = await startStack(stack);
  env = { GONGKAI_DATA_DIR: stack.dataDir, TEMPORAL_ADDRESS: stack.address, GONGKAI_SMTP_PORT: String(stack.smtpPort) };
  idleEnv = { GONGKAI_DATA_DIR: idleStack.dataDir, TEMPORAL_ADDRESS: idleStack.address };
  const submission = () => file(JSON.stringify({ submissionId: `fuzz-cli-${++fileCount}-${Date.now()}`, application: exampleApplication }));
  cases.fresh = await runOk(['submit', submission(), '--as', 'zrzy.registrar']);
  cases.assigned = await runOk(['submit', submission(), '--as', 'zrzy.registrar']);
  cases.archived = await runOk(['submit', submission(), '--as', 'zrzy.registrar']);
  await runOk(['act', cases.assigned, 'assign-handler', '--as', 'zrzy.head', '--data', file(JSON.stringify({ handlerId: 'zrzy.handler1' }))]);
  for (const step of walkthroughSteps(beijingDateOfMs(Date.now()))) await runOk(['act', cases.archived, step.action, '--as', step.userId, '--data', file(JSON.stringify(step.data))]);
  client = await connectClient(loadConfig({ env }));
  const deadline = Date.now() + 30_000;
  while ((await client.workflow.getHandle(cases.archived).describe()).status.name === 'RUNNING' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  rows = new RegisterRows(join(stack.dataDir, 'register.sqlite'));
  await rows.settled();
  workflowsBefore = (await client.workflow.count()).count;
}, 240_000);

afterAll(async () => {
  console.log(tally.table('Fuzzed: the CLI (in-process)'));
  rows?.close();
  await client?.connection.close();
  if (started) await stopWithCtrlC(started);
  rmSync(files, { recursive: true, force: true });
}, 60_000);

test('the cases are set up: fresh (registered), assigned, archived', async () => {
  expect(JSON.parse(await openCaseStates())).toEqual([
    [cases.fresh, 'registered', null, expect.any(Number)],
    [cases.assigned, expect.any(String), 'zrzy.handler1', expect.any(Number)],
  ]);
  expect((await client.workflow.getHandle(cases.archived).describe()).status.name).toBe('COMPLETED');
});

// ---------------------------------------------------------------------------------------------------------------
// What every target checks

/** One generated command line: what is expected of it, and which field a refusal must name. */
interface CliInput {
  args: readonly string[];
  why: string;
  /** true: must be refused; false: must succeed; undefined: either, but a refusal must say why. */
  refuse: boolean | undefined;
  field?: RegExp;
  env?: 'idle';
}

const TARGETS = {
  top: 'gongkai <unknown command or option>',
  submit: 'gongkai submit',
  show: 'gongkai show',
  act: 'gongkai act',
  list: 'gongkai list',
  deadline: 'gongkai deadline',
  calendarLoad: 'gongkai calendar load',
  calendarList: 'gongkai calendar list',
  report: 'gongkai report annual',
  remedyAdd: 'gongkai remedy add',
  remedyList: 'gongkai remedy list',
  mail: 'gongkai mail list',
  backup: 'gongkai backup',
  restore: 'gongkai restore',
} as const;

/** The in-process run of `input`, checked: never a stack trace; a refusal exits non-zero with a message naming the field. */
async function checkRun(input: CliInput): Promise<string> {
  const run = await cli.run(input.args, input.env === 'idle' ? idleEnv : env);
  return judge(run, input);
}

function judge(run: CliRun, input: CliInput): string {
  const what = `gongkai ${compact(input.args).slice(0, 400)} (${input.why})`;
  if (STACK_TRACE.test(`${run.stdout}\n${run.stderr}`)) throw new Error(`${what}: a stack trace: ${run.stderr.slice(0, 600)}`);
  if (input.refuse === true) return expectCliRefusal(run, what, input.field);
  if (input.refuse === false) {
    if (run.code !== 0) throw new Error(`${what}: exit ${run.code}: ${run.stderr.slice(0, 400)}`);
    return 'exit 0';
  }
  return run.code === 0 ? 'exit 0' : expectCliRefusal(run, what);
}

/** Register rows stay as they were (commands that cannot reach a case). */
const unchangedRows = {
  snapshot: () => rows.counts(),
  check: (before: Record<string, number>, after: Record<string, number>) => rows.expectSame(before, after, 'CLI input'),
};

/** Register rows, the open cases and (at the end) the workflows stay as they were (commands that could change a case). */
const unchanged = {
  snapshot: async () => ({ rows: rows.counts(), cases: await openCaseStates() }),
  check: (before: { rows: Record<string, number>; cases: string }, after: { rows: Record<string, number>; cases: string }) => {
    rows.expectSame(before.rows, after.rows, 'CLI input');
    if (before.cases !== after.cases) throw new Error(`a case changed: ${before.cases} -> ${after.cases}`);
  },
};

/** A command-line token anyone could type: options, flags, hostile text (no NUL: a process argument cannot hold one). */
const token = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('--json', '--help', '-h', '--', '-', '--as', '--data', '--x', '-x', '--as=', '--json=1', '--no-json', ''),
    hostileText({ maxLength: 60 }).map((text) => text.replace(/\0/g, '')),
  );
/** Hostile text usable as one process argument. */
const arg = (maxLength = 80): fc.Arbitrary<string> => hostileText({ maxLength }).map((text) => text.replace(/\0/g, ''));

/** Options every command refuses: unknown ones, and stray tokens where none are taken. */
const unknownOption = (): fc.Arbitrary<string> => fc.oneof(fc.constantFrom('--nope', '-z', '--as-admin', '--json-out', '--verbose'), fc.stringMatching(/^--[a-z][a-z-]{0,20}$/).filter((o) => !KNOWN_OPTIONS.includes(o)));
const KNOWN_OPTIONS = ['--json', '--help', '--as', '--data', '--update-id', '--overdue', '--due-within', '--paused', '--handler', '--agency', '--received', '--corrected', '--pause', '--calendar-dir', '--by', '--wait', '--year', '--format', '--out', '--result-date', '--remedy-year', '--kind', '--after-review', '--filed', '--result', '--decided', '--record-id', '--limit', '--ui-port'];

// ---------------------------------------------------------------------------------------------------------------
// gongkai <anything>

test(`${TARGETS.top}: refused (or help shown), never a stack trace`, async () => {
  const COMMANDS = ['deadline', 'mail', 'calendar', 'report', 'remedy', 'backup', 'restore', 'submit', 'show', 'act', 'list', 'help'];
  const input = fc.oneof(
    // Not a command at all.
    // (With --help anywhere, commander shows the help instead.)
    fc.tuple(arg(40).filter((t) => !COMMANDS.includes(t) && !['start', 'worker', 'web', ''].includes(t) && !t.startsWith('-')), fc.array(token(), { maxLength: 3 })).map(([first, rest]): CliInput => ({ args: [first, ...rest], why: 'unknown command', refuse: rest.some((t) => t === '--help' || t === '-h') ? undefined : true, field: /unknown command|error:/ })),
    // An option the program does not have, anywhere.
    fc.tuple(fc.constantFrom('', ...COMMANDS.filter((c) => c !== 'help'), 'start', 'worker', 'web', 'calendar list', 'report annual', 'remedy list', 'mail list'), unknownOption()).map(([command, option]): CliInput => ({ args: [...command.split(' ').filter(Boolean), option], why: 'unknown option', refuse: true, field: /unknown option|error:/ })),
    // The servers with an argument they do not take, or a port that is none: refused before anything starts.
    fc.tuple(fc.constantFrom('start', 'worker', 'web'), arg(30).filter((t) => t !== '' && !t.startsWith('-'))).map(([command, extra]): CliInput => ({ args: [command, extra], why: 'server with an argument', refuse: true, field: /too many arguments|error:/ })),
    // Never a value cli/main.ts parsePort takes (digits, 0-65535), which would start the stack.
    fc.oneof(arg(20), fc.constantFrom('-1', '65536', '1.5', 'port', '99999999999', '0x10', ' 80', '8e3', '')).filter((p) => !(/^\d{1,9}$/.test(p) && Number(p) <= 65535)).map((port): CliInput => ({ args: ['start', '--ui-port', port], why: 'start with no port', refuse: true, field: /--ui-port|error:/ })),
    // Help, asked for in any way: shown, exit 0, nothing run.
    fc.tuple(fc.constantFrom('--help', '-h', 'help'), fc.constantFrom('', ...COMMANDS)).map(([help, command]): CliInput => ({ args: help === 'help' ? ['help', ...(command ? [command] : [])] : [...(command ? [command] : []), help], why: 'help', refuse: undefined })),
    fc.constant<CliInput>({ args: [], why: 'no arguments', refuse: undefined }),
  );
  await fuzz(tally, TARGETS.top, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai submit FILE [--as USER]

/**
 * What a refused submission names: a missing --as (commander, before anything is read), a file that is no JSON, an
 * --as that is no registrar of LYG-ZRZY (checked before the application), else the content's own field.
 */
function submitRefusalField(content: { why: string; field: RegExp }, as: string | undefined): RegExp {
  if (as === undefined) return /required option '--as/;
  if (as === 'zrzy.registrar') return content.field;
  return content.why === 'malformed JSON' ? /FILE|--as/ : /--as/;
}

test(`${TARGETS.submit}: every refused submission names its field, registers nothing, starts no workflow`, async () => {
  const submissionId = fc.stringMatching(/^[A-Za-z0-9._:-]{8,40}$/);
  const content = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(submissionId, refusedApplication(exampleApplication)).map(([id, r]) => ({ text: JSON.stringify({ submissionId: id, application: r.application }), why: r.reason, field: /^ {2}\S+: /m })) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(anyJson().filter((v) => typeof v !== 'string'), arg(120).filter((s) => !/^[A-Za-z0-9._:-]{8,100}$/.test(s))), injectedApplication(exampleApplication)).map(([id, application]) => ({ text: JSON.stringify({ submissionId: id, application }), why: 'submissionId invalid', field: /submissionId/ })) },
    { weight: 1, arbitrary: notAnObject().map((value) => ({ text: JSON.stringify(value), why: 'not an object', field: /submissionId|application|\(root\)/ })) },
    // Not JSON (FILE), or JSON that is no object (no submissionId).
    { weight: 2, arbitrary: malformedJsonText().map((text) => ({ text, why: 'malformed JSON', field: /FILE|submissionId|application|\(root\)/ })) },
  );
  const input = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(content, fc.option(fc.oneof(fc.constantFrom(...USERS), arg(40)), { nil: undefined })).map(([c, as]): CliInput => ({ args: ['submit', file(c.text), ...(as === undefined ? [] : ['--as', as])], why: c.why, refuse: true, field: submitRefusalField(c, as) })) },
    { weight: 1, arbitrary: fc.constantFrom(join(files ?? tmpdir(), 'no-such-file.json'), '/', '/dev/null', '/proc/self/mem', '').map((path): CliInput => ({ args: ['submit', path], why: 'not a readable JSON file', refuse: true, field: /FILE|error:/ })) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(['submit']), fc.constant(['submit', 'a.json', 'b.json']), fc.constant(['submit', 'a.json', '--as']), unknownOption().map((o) => ['submit', 'a.json', o])).map((args): CliInput => ({ args, why: 'arguments', refuse: true, field: /error:/ })) },
  );
  await fuzz(tally, TARGETS.submit, input, checkRun, { batch: 25, sequential: true, invariant: unchanged });
}, 180_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai show CASE [--json]

test(`${TARGETS.show}: a case that is none is refused naming it; a real one is shown`, async () => {
  const input = fc.oneof(
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(cases.fresh, cases.assigned, cases.archived), fc.boolean()).map(([n, json]): CliInput => ({ args: ['show', n, ...(json ? ['--json'] : [])], why: 'a real case', refuse: false })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('LYG-ZRZY', 'LYG-ZFB', 'ZZ'), fc.integer({ min: 900_000, max: 999_999 })).map(([a, n]): CliInput => ({ args: ['show', `${a}-2026-${n}`], why: 'no such case', refuse: true, field: /case/i })) },
    { weight: 4, arbitrary: arg(120).filter((t) => !t.startsWith('-')).map((n): CliInput => ({ args: ['show', n], why: 'hostile case', refuse: true, field: /case/i })) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(['show']), fc.constant(['show', 'a', 'b']), unknownOption().map((o) => ['show', cases.fresh, o])).map((args): CliInput => ({ args, why: 'arguments', refuse: true, field: /error:/ })) },
  );
  await fuzz(tally, TARGETS.show, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 180_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai act CASE ACTION --as USER [--data FILE] [--update-id ID] [--json]

/** What an act's refusal names, whichever check refuses first: the option, the payload field, the case, or the workflow's reason. */
const ACT_REFUSAL = /refused \([a-z-]+\)|--as|--data|data[.:]|--update-id|no open case|argument 'case'|error:/;

test(`${TARGETS.act}: out of order, by the wrong person, with a bad payload: refused naming why, the case unchanged`, async () => {
  const steps = walkthroughSteps(beijingDateOfMs(Date.now()));
  const notYet = { fresh: steps.slice(1), assigned: steps.slice(2), archived: steps };
  const someCase = fc.constantFrom('fresh', 'assigned', 'archived') as fc.Arbitrary<keyof typeof notYet>;
  const updateId = fc.option(fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,100}$/) }, { weight: 1, arbitrary: arg(120) }), { nil: undefined });
  const withUpdateId = (args: string[], id: string | undefined) => (id === undefined ? args : [...args, '--update-id', id]);
  const input = fc.oneof(
    // Acts the case has not reached (or has passed), each with its own valid data, by anyone configured.
    {
      weight: 4,
      arbitrary: fc.tuple(someCase, fc.nat(), fc.constantFrom(...USERS), updateId).map(([name, i, as, id]): CliInput => {
        const step = notYet[name][i % notYet[name].length]!;
        return { args: withUpdateId(['act', cases[name], step.action, '--as', as, '--data', file(JSON.stringify(step.data))], id), why: `${step.action} out of order on ${name}`, refuse: true, field: ACT_REFUSAL };
      }),
    },
    // The walkthrough's acts by its people, with data no act accepts (every payload is a strict object).
    {
      weight: 4,
      arbitrary: fc.tuple(someCase, fc.nat(), unknownKey().filter((k) => k !== '__proto__'), anyJson()).map(([name, i, key, value]): CliInput => {
        const step = steps[i % steps.length]!;
        return { args: ['act', cases[name], step.action, '--as', step.userId, '--data', file(JSON.stringify({ ...step.data, [key]: value }))], why: `${step.action} with an unknown field on ${name}`, refuse: true, field: ACT_REFUSAL };
      }),
    },
    { weight: 1, arbitrary: fc.tuple(someCase, arg(40).filter((a) => !a.startsWith('-')), fc.constantFrom(...USERS)).map(([name, action, as]): CliInput => ({ args: ['act', cases[name], action || 'x', '--as', as], why: 'no such action', refuse: true, field: ACT_REFUSAL })) },
    { weight: 1, arbitrary: fc.tuple(someCase, fc.constantFrom(...steps.map((s) => s.action)), arg(40).filter((a) => !(USERS as readonly string[]).includes(a))).map(([name, action, as]): CliInput => ({ args: ['act', cases[name], action, '--as', as], why: 'not a configured user', refuse: true, field: ACT_REFUSAL })) },
    { weight: 1, arbitrary: fc.tuple(someCase, fc.constantFrom(...steps.map((s) => s.action)), malformedJsonText()).map(([name, action, text]): CliInput => ({ args: ['act', cases[name], action, '--as', 'zrzy.head', '--data', file(text)], why: 'malformed --data', refuse: true, field: ACT_REFUSAL })) },
    { weight: 1, arbitrary: fc.tuple(arg(60).filter((n) => !n.startsWith('-')), fc.constantFrom(...steps)).map(([n, step]): CliInput => ({ args: ['act', n || 'x', step.action, '--as', step.userId, '--data', file(JSON.stringify(step.data))], why: 'no such case', refuse: true, field: ACT_REFUSAL })) },
    { weight: 1, arbitrary: fc.tuple(someCase, arg(120).filter((id) => !/^[A-Za-z0-9._:-]{1,100}$/.test(id))).map(([name, id]): CliInput => ({ args: ['act', cases[name], 'archive-case', '--as', 'zrzy.handler1', '--update-id', id], why: 'bad --update-id', refuse: true, field: ACT_REFUSAL })) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(['act', cases.fresh, 'assign-handler']), fc.constant(['act', cases.fresh]), unknownOption().map((o) => ['act', cases.fresh, 'assign-handler', '--as', 'zrzy.head', o])).map((args): CliInput => ({ args, why: 'arguments', refuse: true, field: ACT_REFUSAL })) },
  );
  await fuzz(tally, TARGETS.act, input, checkRun, { batch: 25, sequential: true, invariant: unchanged });
}, 240_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai list [--overdue] [--due-within N] [--paused] [--handler USER] [--agency CODE] [--json]

test(`${TARGETS.list}: a filter that is none is refused naming its option; valid filters list`, async () => {
  const dueWithin = fc.oneof(fc.integer({ min: 1, max: 200 }).map(String), arg(20));
  const handler = fc.oneof(fc.constantFrom('zrzy.handler1', 'zrzy.handler2', 'nobody'), arg(60));
  const agency = fc.oneof(fc.constantFrom('LYG-ZRZY', 'LYG-ZFB', 'LYG-SHJ'), arg(40));
  const input = fc
    .record({ overdue: fc.boolean(), paused: fc.boolean(), json: fc.boolean(), dueWithin: fc.option(dueWithin, { nil: undefined }), handler: fc.option(handler, { nil: undefined }), agency: fc.option(agency, { nil: undefined }) })
    .map(({ overdue, paused, json, dueWithin: d, handler: h, agency: a }): CliInput => {
      const badDue = d !== undefined && !(/^\d{1,9}$/.test(d) && Number(d) >= 1 && Number(d) <= 200);
      const badHandler = h !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(h);
      const badAgency = a !== undefined && !/^[A-Z][A-Z0-9-]{1,31}$/.test(a);
      // A value starting with '-' reads as an option: commander refuses it as a missing argument.
      const dash = [d, h, a].some((v) => v?.startsWith('-'));
      const args = ['list', ...(overdue ? ['--overdue'] : []), ...(paused ? ['--paused'] : []), ...(json ? ['--json'] : []), ...(d === undefined ? [] : ['--due-within', d]), ...(h === undefined ? [] : ['--handler', h]), ...(a === undefined ? [] : ['--agency', a])];
      const refuse = badDue || badHandler || badAgency;
      return { args, why: refuse ? 'a filter that is none' : 'valid filters', refuse: refuse || (dash ? undefined : false), field: /--due-within|--handler|--agency|error:/ };
    });
  await fuzz(tally, TARGETS.list, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 180_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai deadline --received D [--corrected D] [--pause A:B]... [--calendar-dir DIR] [--json]

test(`${TARGETS.deadline}: dates that are none are refused naming the option; valid ones are computed`, async () => {
  const date = fc.oneof({ weight: 3, arbitrary: fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) }, { weight: 2, arbitrary: fc.oneof(fc.constantFrom('2026-02-30', '2026-13-01', '26-01-05', '2026-1-5', '', '0000-00-00', '9999-12-31'), arg(30)) });
  const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
  const input = fc
    .record({ received: fc.option(date, { nil: undefined }), corrected: fc.option(date, { nil: undefined }), pauses: fc.array(fc.tuple(date, date), { maxLength: 2 }), json: fc.boolean(), calendarDir: fc.option(fc.constantFrom('no-such-dir', 'empty-dir', 'junk-dir'), { nil: undefined }) })
    .map(({ received, corrected, pauses, json, calendarDir }): CliInput => {
      const args = ['deadline', ...(received === undefined ? [] : ['--received', received]), ...(corrected === undefined ? [] : ['--corrected', corrected]), ...pauses.flatMap(([a, b]) => ['--pause', `${a}:${b}`]), ...(json ? ['--json'] : []), ...(calendarDir === undefined ? [] : ['--calendar-dir', join(files, calendarDir)])];
      const bad =
        received === undefined ||
        !isDate(received) ||
        (corrected !== undefined && (!isDate(corrected) || corrected < received)) ||
        pauses.some(([a, b]) => !isDate(a) || !isDate(b) || b < a || a < received) ||
        calendarDir === 'no-such-dir' ||
        calendarDir === 'junk-dir';
      // Years far from the shipped notices are computed as provisional; an empty folder means no notice at all.
      return { args, why: bad ? 'a date or folder that is none' : 'valid dates', refuse: bad ? true : undefined, field: /--received|--corrected|--pause|calendar|error:|gongkai:/ };
    });
  mkdirSync(join(files, 'empty-dir'), { recursive: true });
  mkdirSync(join(files, 'junk-dir'), { recursive: true });
  writeFileSync(join(files, 'junk-dir', 'cn-2026.json'), '{"year": 2026, "holidays": "<script>"}');
  await fuzz(tally, TARGETS.deadline, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai calendar load FILE [--by USER] [--wait S], gongkai calendar list [--json]

test(`${TARGETS.calendarLoad}: a notice that is none is refused naming its field before anything is stored`, async () => {
  const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'calendar', 'cn-2026.json'), 'utf8')) as Record<string, unknown> & { holidays: Record<string, unknown>[] };
  type Notice = typeof base;
  const spoil: fc.Arbitrary<{ why: string; apply: (n: Notice) => unknown }> = fc.oneof(
    fc.oneof(notAnObject(), fc.constantFrom(1999, 3000, 2026.5, '2026', null)).filter((year) => year !== 2026).map((year) => ({ why: 'year', apply: (n: Notice) => ({ ...n, year }) })),
    fc.constantFrom('year', 'status', 'notice', 'holidays').map((key) => ({ why: `no ${key}`, apply: (n: Notice) => Object.fromEntries(Object.entries(n).filter(([k]) => k !== key)) })),
    fc.oneof(injection(), fc.constantFrom('draft', '')).map((status) => ({ why: 'status', apply: (n: Notice) => ({ ...n, status }) })),
    fc.tuple(fc.nat(), fc.constantFrom('2026-02-30', '2025-12-31', '2027-01-01', 'x', '9999-12-31', '0001-01-01'), fc.boolean()).map(([i, day, start]) => ({
      why: `day off ${day}`,
      apply: (n: Notice) => ({ ...n, holidays: n.holidays.map((h, j) => (j === i % n.holidays.length ? { ...h, off: start ? [day, (h.off as string[])[1]] : [(h.off as string[])[0], day] } : h)) }),
    })),
    fc.constant({ why: 'a range from 2026 to 9999', apply: (n: Notice) => ({ ...n, holidays: [{ name: '元旦', off: ['2026-01-01', '9999-12-31'], workingWeekends: [] }] }) }),
    fc.constant({ why: 'no holidays', apply: (n: Notice) => ({ ...n, holidays: [] }) }),
    fc.integer({ min: 21, max: 200 }).map((k) => ({ why: `${k} holidays`, apply: (n: Notice) => ({ ...n, holidays: Array.from({ length: k }, () => n.holidays[0]) }) })),
    fc.oneof(fc.integer({ min: 201, max: 5000 }).map((k) => 'x'.repeat(k)), fc.constant('')).map((title) => ({ why: 'title', apply: (n: Notice) => ({ ...n, notice: { ...(n.notice as object), title } }) })),
    fc.oneof(injection().filter((text) => !/^[a-z]+:/.test(text)), fc.constantFrom('not a url', '', '//no-scheme')).map((url) => ({ why: 'url', apply: (n: Notice) => ({ ...n, notice: { ...(n.notice as object), url } }) })),
    fc.constantFrom('2026-01-05', '2026-01-06').map((day) => ({ why: 'a make-up day that is no weekend', apply: (n: Notice) => ({ ...n, holidays: [{ ...n.holidays[0], workingWeekends: [day] }] }) })),
    fc.constant({ why: 'a day off twice', apply: (n: Notice) => ({ ...n, holidays: [n.holidays[0], n.holidays[0]] }) }),
  );
  const injected = fc.tuple(injection(), fc.nat()).map(([text, i]) => (n: Notice) => ({ ...n, holidays: n.holidays.map((h, j) => (j === i % n.holidays.length ? { ...h, name: text.slice(0, 40) } : h)) }));
  const input = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.option(injected, { nil: undefined }), spoil, fc.option(fc.oneof(fc.constantFrom(...USERS), arg(40)), { nil: undefined })).map(([inject, s, by]): CliInput => ({ args: ['calendar', 'load', file(JSON.stringify(s.apply(inject ? (inject(base) as Notice) : base))), ...(by === undefined ? [] : ['--by', by]), '--wait', '0'], why: s.why, refuse: true, field: /^ {2}\S+: |year|holidays|notice|status/m })) },
    { weight: 2, arbitrary: malformedJsonText().map((text): CliInput => ({ args: ['calendar', 'load', file(text)], why: 'malformed JSON', refuse: true, field: /not readable JSON|^ {2}\S+: /m })) },
    { weight: 1, arbitrary: fc.oneof(arg(20), fc.constantFrom('-1', '3601', '1.5', 'forever', '0x10', ' 5', '1e2')).filter((w) => !(/^\d{1,9}$/.test(w) && Number(w) <= 3600)).map((wait): CliInput => ({ args: ['calendar', 'load', file('{}'), '--wait', wait], why: 'bad --wait', refuse: true, field: /--wait|error:/ })) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(['calendar', 'load']), fc.constant(['calendar', 'load', '/no/such/file.json']), fc.constant(['calendar']), unknownOption().map((o) => ['calendar', 'load', 'x.json', o])).map((args): CliInput => ({ args, why: 'arguments', refuse: args.length === 1 ? undefined : true, field: /error:|not readable|gongkai:/ })) },
  );
  await fuzz(tally, TARGETS.calendarLoad, input, checkRun, { batch: 25, sequential: true, invariant: unchanged });
}, 120_000);

test(`${TARGETS.calendarList}: lists, or refuses what it does not take`, async () => {
  const input = fc.oneof(
    fc.boolean().map((json): CliInput => ({ args: ['calendar', 'list', ...(json ? ['--json'] : [])], why: 'list', refuse: false })),
    fc.array(fc.oneof(token(), unknownOption()), { minLength: 1, maxLength: 3 }).filter((extra) => !extra.every((t) => t === '--json') && !extra.some((t) => ['--help', '-h'].includes(t))).map((extra): CliInput => ({ args: ['calendar', 'list', ...extra], why: 'extra', refuse: extra.every((t) => ['--json', '--', ''].includes(t)) ? undefined : true, field: /error:/ })),
  );
  await fuzz(tally, TARGETS.calendarList, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai report annual --year Y [--agency A] [--format F] [--out FILE] [--result-date B] [--remedy-year B]

test(`${TARGETS.report}: a year, agency or choice that is none is refused naming its option`, async () => {
  const input = fc
    .record({
      year: fc.option(fc.oneof(fc.constantFrom('2026', '2025', '2008', '2100'), fc.constantFrom('2007', '2101', '26', '2026.0', '+2026', ' 2026', 'MMXXVI'), arg(10)), { nil: undefined }),
      agency: fc.option(fc.oneof(fc.constantFrom('LYG-ZRZY', 'LYG-ZFB'), arg(40)), { nil: undefined }),
      format: fc.option(fc.oneof(fc.constantFrom('csv', 'json', 'xlsx'), arg(10)), { nil: undefined }),
      out: fc.option(fc.oneof(fc.constant('report.out'), arg(30).map((n) => n.replace(/[/\\]/g, '_').slice(0, 40))), { nil: undefined }),
      resultDate: fc.option(fc.oneof(fc.constantFrom('reply-or-closure', 'closure'), arg(20)), { nil: undefined }),
      remedyYear: fc.option(fc.oneof(fc.constantFrom('filed', 'decided'), arg(20)), { nil: undefined }),
    })
    .map(({ year, agency, format, out, resultDate, remedyYear }): CliInput => {
      const outPath = out === undefined ? undefined : join(files, 'reports', out === '' || out === '.' || out === '..' ? 'x' : out);
      const args = ['report', 'annual', ...(year === undefined ? [] : ['--year', year]), ...(agency === undefined ? [] : ['--agency', agency]), ...(format === undefined ? [] : ['--format', format]), ...(outPath === undefined ? [] : ['--out', outPath]), ...(resultDate === undefined ? [] : ['--result-date', resultDate]), ...(remedyYear === undefined ? [] : ['--remedy-year', remedyYear])];
      const bad =
        year === undefined ||
        !/^\d{4}$/.test(year) ||
        Number(year) < 2008 ||
        Number(year) > 2100 ||
        (agency !== undefined && !['LYG-ZRZY', 'LYG-ZFB', 'LYG-SHJ'].includes(agency)) ||
        (format !== undefined && !['csv', 'json', 'xlsx'].includes(format)) ||
        (format === 'xlsx' && out === undefined) ||
        (resultDate !== undefined && !['reply-or-closure', 'closure'].includes(resultDate)) ||
        (remedyYear !== undefined && !['filed', 'decided'].includes(remedyYear));
      return { args, why: bad ? 'an option that is none' : 'a report', refuse: bad, field: /--year|--agency|agency|--format|--out|--result-date|--remedy-year|error:/ };
    });
  mkdirSync(join(files, 'reports'), { recursive: true });
  await fuzz(tally, TARGETS.report, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 180_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai remedy add CASE --kind K --filed D --result R [--decided D] [--record-id ID] [--after-review] --as USER

test(`${TARGETS.remedyAdd}: a record that is none is refused naming its field, nothing saved`, async () => {
  const today = beijingDateOfMs(Date.now());
  const input = fc
    .record({
      target: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('archived', 'archived', 'fresh').map((k) => cases[k as keyof typeof cases]) }, { weight: 1, arbitrary: arg(60).filter((n) => !n.startsWith('-') && n !== '') }),
      kind: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('review', 'suit') }, { weight: 1, arbitrary: arg(20) }),
      result: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('upheld', 'corrected', 'other', 'pending') }, { weight: 1, arbitrary: arg(20) }),
      filed: fc.oneof({ weight: 4, arbitrary: fc.constant('2026-11-02') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('2026-02-30', '2099-01-01', '2026-1-1'), arg(20)) }),
      decided: fc.option(fc.oneof(fc.constant(today), fc.constantFrom('2026-02-30', '2099-01-01'), arg(20)), { nil: undefined }),
      recordId: fc.option(fc.oneof(fc.uuid(), arg(80)), { nil: undefined }),
      afterReview: fc.boolean(),
      as: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...USERS) }, { weight: 1, arbitrary: arg(30) }),
      spoil: fc.constantFrom('filed-future', 'filed-impossible', 'record-id', 'decided-pending'),
    })
    .map((r): CliInput => {
      // On the closed case a record could be saved: one thing is always one the rules refuse — including a record id
      // the web form would refuse (1-64 of A-Z a-z 0-9 -).
      const fields = { ...r };
      if (r.target === cases.archived) {
        if (r.spoil === 'filed-future') fields.filed = '2099-12-31';
        else if (r.spoil === 'filed-impossible') fields.filed = '2026-02-30';
        else if (r.spoil === 'decided-pending') [fields.result, fields.decided] = ['pending', today];
        else if (fields.recordId === undefined || /^[A-Za-z0-9-]{1,64}$/.test(fields.recordId)) fields.recordId = `${fields.recordId ?? 'x'}<script>`;
      }
      const args = ['remedy', 'add', fields.target, '--kind', fields.kind, '--filed', fields.filed, '--result', fields.result, ...(fields.decided === undefined ? [] : ['--decided', fields.decided]), ...(fields.recordId === undefined ? [] : ['--record-id', fields.recordId]), ...(fields.afterReview ? ['--after-review'] : []), '--as', fields.as];
      return { args, why: `remedy on ${fields.target === cases.archived ? 'the closed case' : fields.target}`, refuse: true, field: /--kind|kind|--filed|filedOn|--result|result|--decided|decidedOn|--record-id|recordId|--as|refused|no case|error:/ };
    });
  await fuzz(tally, TARGETS.remedyAdd, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

test(`${TARGETS.remedyList}: a case that is none is refused naming it; a real one is listed`, async () => {
  const input = fc.oneof(
    fc.tuple(fc.constantFrom(cases.archived, cases.fresh), fc.boolean()).map(([n, json]): CliInput => ({ args: ['remedy', 'list', n, ...(json ? ['--json'] : [])], why: 'a real case', refuse: false })),
    arg(80).filter((n) => !n.startsWith('-') && n !== '').map((n): CliInput => ({ args: ['remedy', 'list', n], why: 'no such case', refuse: true, field: /no case/ })),
    fc.oneof(fc.constant(['remedy', 'list']), unknownOption().map((o) => ['remedy', 'list', cases.archived, o])).map((args): CliInput => ({ args, why: 'arguments', refuse: true, field: /error:/ })),
  );
  await fuzz(tally, TARGETS.remedyList, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai mail list [--limit N] [--json]

test(`${TARGETS.mail}: a limit that is none is refused naming it`, async () => {
  const input = fc.record({ limit: fc.option(fc.oneof(fc.integer({ min: 1, max: 10_000 }).map(String), fc.constantFrom('0', '-1', '1.5', 'all', '1e3', ''), arg(20)), { nil: undefined }), json: fc.boolean() }).map(({ limit, json }): CliInput => {
    const bad = limit !== undefined && !(/^\d{1,9}$/.test(limit) && Number(limit) >= 1); // digits only: not 1e3, 0x10 or ' 5'
    return { args: ['mail', 'list', ...(limit === undefined ? [] : ['--limit', limit]), ...(json ? ['--json'] : [])], why: bad ? 'a limit that is none' : 'list', refuse: bad, field: /--limit|error:/ };
  });
  await fuzz(tally, TARGETS.mail, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// gongkai backup [--out DIR], gongkai restore DIR — on a data directory with nothing to back up, no Temporal answering

test(`${TARGETS.backup}: refused with the reason when there is nothing to back up; never a stack trace`, async () => {
  const input = fc.oneof(
    { weight: 4, arbitrary: fc.option(arg(40).map((n) => n.replace(/[/\\]/g, '_').replace(/^\.+$/, 'x') || 'x'), { nil: undefined }).map((out): CliInput => ({ args: ['backup', ...(out === undefined ? [] : ['--out', join(files, 'backups', out)])], why: 'no database to back up', refuse: true, field: /register\.sqlite|already exists|gongkai:/, env: 'idle' })) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(['backup', '--out']), fc.constant(['backup', 'extra']), unknownOption().map((o) => ['backup', o])).map((args): CliInput => ({ args, why: 'arguments', refuse: true, field: /error:/, env: 'idle' })) },
  );
  await fuzz(tally, TARGETS.backup, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

test(`${TARGETS.restore}: a directory that is no intact backup is refused naming what is wrong, nothing moved`, async () => {
  const manifest = fc.oneof(
    malformedJsonText(),
    anyJson().map((v) => JSON.stringify(v)),
    fc.record({ format: fc.oneof(fc.constant('gongkai-backup/1'), arg(20)), createdAt: fc.constant(new Date().toISOString()), files: fc.array(fc.record({ name: fc.oneof(fc.constantFrom('register.sqlite', 'temporal/dev.sqlite', '../../etc/passwd', '/etc/shadow', 'codec-keys.json'), arg(30)), kind: fc.constantFrom('sqlite', 'key', 'other'), bytes: fc.oneof(fc.nat(), fc.integer()), sha256: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), arg(10)) }), { maxLength: 4 }) }).map((m) => JSON.stringify(m)),
  );
  const input = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(manifest, fc.boolean()).map(([text, withFiles]): CliInput => {
      const dir = mkdtempSync(join(files, 'restore-'));
      writeFileSync(join(dir, 'manifest.json'), text);
      // Files of the right names whose checksums the manifest cannot match (its digests are random or absent).
      if (withFiles) {
        writeFileSync(join(dir, 'register.sqlite'), 'not a database');
        mkdirSync(join(dir, 'temporal'));
        writeFileSync(join(dir, 'temporal', 'dev.sqlite'), 'not a database');
      }
      return { args: ['restore', dir], why: 'not an intact backup', refuse: true, field: /manifest|does not match|missing|gongkai:/, env: 'idle' };
    }) },
    { weight: 1, arbitrary: fc.oneof(arg(60).filter((d) => !d.startsWith('-') && d !== ''), fc.constantFrom('/', '/etc', '/nonexistent', '.')).map((dir): CliInput => ({ args: ['restore', dir], why: 'no backup there', refuse: true, field: /manifest|gongkai:/, env: 'idle' })) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(['restore']), fc.constant(['restore', 'a', 'b']), unknownOption().map((o) => ['restore', 'a', o])).map((args): CliInput => ({ args, why: 'arguments', refuse: true, field: /error:/, env: 'idle' })) },
  );
  await fuzz(tally, TARGETS.restore, input, checkRun, { batch: 25, sequential: true, invariant: unchangedRows });
}, 120_000);

// ---------------------------------------------------------------------------------------------------------------
// The same inputs as real processes: the exit code and the message as an operator sees them

test('a sample of refused inputs, run as real processes, exits non-zero with the same message and no stack trace', async () => {
  const samples: CliInput[] = [
    { args: ['nope'], why: 'unknown command', refuse: true, field: /unknown command 'nope'/ },
    { args: ['show'], why: 'missing argument', refuse: true, field: /missing required argument 'case'/ },
    { args: ['list', '--due-within', 'soon'], why: 'bad option value', refuse: true, field: /--due-within/ },
    { args: ['list', '--handler', "x' OR 1=1"], why: 'a handler that is none', refuse: true, field: /--handler/ },
    { args: ['deadline', '--received', '2026-02-30'], why: 'impossible date', refuse: true, field: /--received/ },
    { args: ['report', 'annual', '--year', '1999'], why: 'year out of range', refuse: true, field: /--year/ },
    { args: ['report', 'annual', '--year', '2026', '--format', 'xlsx'], why: 'xlsx without --out', refuse: true, field: /--out/ },
    { args: ['report', 'annual', '--year', '2026', '--agency', '<script>'], why: 'unknown agency', refuse: true, field: /agency/ },
    { args: ['remedy', 'add', cases.archived, '--kind', 'appeal', '--filed', '2026-11-02', '--result', 'upheld', '--as', 'zrzy.head'], why: 'kind not a choice', refuse: true, field: /--kind/ },
    { args: ['remedy', 'add', cases.archived, '--kind', 'review', '--filed', '2026-11-02', '--result', 'pending', '--record-id', '<b>x</b>', '--as', 'zrzy.handler1'], why: 'record id', refuse: true, field: /recordId|--record-id/ },
    { args: ['remedy', 'list', 'LYG-ZRZY-2026-999999'], why: 'no such case', refuse: true, field: /no case/ },
    { args: ['mail', 'list', '--limit', '0'], why: 'limit 0', refuse: true, field: /--limit/ },
    { args: ['submit', file('{"submissionId": "x"'), '--as', 'zrzy.registrar'], why: 'malformed JSON', refuse: true, field: /FILE/ },
    { args: ['submit', file(JSON.stringify({ submissionId: 'fuzz-cli-real-0002', application: exampleApplication })), '--as', 'zrzy.handler1'], why: 'not a registrar', refuse: true, field: /--as: 登记申请仅限登记员/ },
    { args: ['submit', file(JSON.stringify({ submissionId: 'fuzz-cli-real-0001', application: { ...exampleApplication, applicant: { ...exampleApplication.applicant, idDocument: { kind: 'resident-id-card', number: '110105194912310021' } } } })), '--as', 'zrzy.registrar'], why: 'ID check digit', refuse: true, field: /applicant\.idDocument\.number/ },
    { args: ['show', '<script>alert(1)</script>'], why: 'hostile case', refuse: true, field: /case/i },
    { args: ['act', cases.fresh, 'sign-off-reply', '--as', 'zrzy.head', '--data', file('{"comment":"同意"}')], why: 'out of order', refuse: true, field: /refused \(wrong-stage\)/ },
    { args: ['act', cases.fresh, 'assign-handler', '--as', 'nobody'], why: 'unknown user', refuse: true, field: /--as/ },
    { args: ['calendar', 'load', file(JSON.stringify({ year: 2026, status: 'official', notice: { title: 'x', number: null, published: '2025-11-04', url: 'https://www.gov.cn/' }, holidays: [{ name: '元旦', off: ['2026-01-01', '9999-12-31'], workingWeekends: [] }] }))], why: 'a range to 9999', refuse: true, field: /holidays\.0\.off/ },
    { args: ['restore', join(files, 'no-such-backup')], why: 'no backup', refuse: true, field: /manifest/, env: 'idle' },
    { args: ['start', '--ui-port', 'http'], why: 'no port', refuse: true, field: /--ui-port/ },
  ];
  // Four processes at a time: each compiles the CLI through tsx (seconds on a busy machine).
  const reals: CliRun[] = [];
  for (let i = 0; i < samples.length; i += 4) reals.push(...(await Promise.all(samples.slice(i, i + 4).map((input) => gongkai(input.env === 'idle' ? idleStack : stack, ...input.args)))));
  for (const [i, input] of samples.entries()) {
    const real = reals[i]!;
    tally.count('real processes (bin/gongkai.js)', judge(real, input));
    const inProcess = await cli.run(input.args, input.env === 'idle' ? idleEnv : env);
    // The harness is the program bin/gongkai.js runs: same exit code, same first line of the message.
    expect({ args: input.args, code: inProcess.code, message: inProcess.stderr.split('\n')[0] }).toEqual({ args: input.args, code: real.code, message: real.stderr.split('\n')[0] });
  }
}, 180_000);

test('nothing registered, no workflow started', async () => {
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect((await client.workflow.count()).count).toBe(workflowsBefore);
  for (const target of Object.values(TARGETS)) expect(tally.tried(target)).toBeGreaterThanOrEqual(RUNS_PER_TARGET);
});
