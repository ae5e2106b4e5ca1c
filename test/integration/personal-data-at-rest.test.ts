import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { simpleParser } from 'mailparser';
import { describeDay, effectiveCalendar, isWorkingDay } from '../../domain/calendar';
import { addDays, beijingDateOfMs, type IsoDate } from '../../domain/dates';
import { readHolidayNotices } from '../../workers/calendar-files';
import { PROJECT_ROOT } from '../../workers/config';
import { DEFAULT_CONFIG_PATH } from '../../workers/load-config';
import { MAIL_INDEX_FILE, mailCaptureDirectory, type CapturedMailEntry } from '../../workers/mail-capture';
import { randomResidentId } from '../helpers/id-numbers';
import { gongkai, type StackEnv, type StartedStack, startStack, stopWithCtrlC } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';
import { prng } from '../helpers/random';
import { walkthroughSteps } from '../helpers/walkthrough';
import { noticeMakingWorkingDay } from '../helpers/working-day-notice';

// Issue 11, deliverable 1: personal data is never at rest in plain text. `gongkai start` runs the embedded stack (the
// dev server on its SQLite file, the register on SQLite, the local mail capture); three applicants with distinctive
// names, valid ID numbers, phones and addresses go through the web API — two through the README's walkthrough to the
// archive (one asks for the reply by email), one left open mid-way and overdue, so that staff reminders go out. Then,
// while the stack runs (the WAL files hold the recent pages) and again after it stopped, every place the data could
// rest is searched for each applicant's data: the dev server's database, WAL and log, the register's files, every other
// file of the data directory, the process's output, the staff emails, and every workflow's ID, search attributes, memo
// and history as the server returns them (raw, undecoded). Only the mail to the applicant — outgoing mail handed to the
// SMTP server — may name them. Positive control: a client with the SDK's default (unencrypted) data converter starts a
// workflow holding a planted name on the same server, and the same scan finds it.

const PASSWORD = 'gongkai-demo';
const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));

// ---------------------------------------------------------------------------------------------------------------
// Distinctive personal data, new on every run

const SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '令狐'];
const GIVEN = '璇瑾珩琰玥瑶琦璟骁煦澍湛溪淇沅濯翎翊翱羲曦旻昀晗晟暄皓颢灏骞謇谞睿韬钧铎锴镕霁霈雯霏';

interface Applicant {
  label: string;
  name: string;
  idNumber: string;
  phone: string;
  address: string;
  email?: string;
  /** The third party consulted on the case (personal data of someone else, in an act's data). */
  consultee: string;
}

function chineseName(taken: Set<string>): string {
  for (;;) {
    const name = SURNAMES[randomInt(SURNAMES.length)]! + GIVEN[randomInt(GIVEN.length)]! + GIVEN[randomInt(GIVEN.length)]!;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

function newApplicants(): Applicant[] {
  const taken = new Set<string>();
  const ids = prng(randomInt(2 ** 31));
  return ['in-person, archived', 'by email, archived', 'overdue, open'].map((label, i) => ({
    label,
    name: chineseName(taken),
    idNumber: randomResidentId(ids),
    phone: `139${String(randomInt(10 ** 8)).padStart(8, '0')}`,
    address: `连云港市海州区${chineseName(taken).slice(-2)}路${100 + randomInt(900)}号${i + 1}0${randomInt(10)}室`,
    ...(i === 1 ? { email: `gk${randomUUID().slice(0, 12)}@applicant.example.cn` } : {}),
    consultee: chineseName(taken),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// The scan: a value in the forms it could take in a file, a log line or a protobuf

/**
 * The byte strings that reveal `value`: UTF-8 and UTF-16LE, JSON's \u escapes, URL encoding, and base64 at each of the
 * three alignments (JSON logs and the server's HTTP API carry bytes as base64).
 */
function formsOf(value: string): Buffer[] {
  const utf8 = Buffer.from(value, 'utf8');
  const forms = [utf8, Buffer.from(value, 'utf16le')];
  if (/[^\x20-\x7e]/.test(value)) {
    const escaped = [...value].map((c) => (c.charCodeAt(0) > 0x7e ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
    forms.push(Buffer.from(escaped), Buffer.from(escaped.toUpperCase().replace(/\\U/g, '\\u')), Buffer.from(encodeURIComponent(value)));
  }
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
    // Drop the characters that also depend on the bytes before (the shift) or after (an incomplete last group).
    const core = encoded.slice(shift === 0 ? 0 : shift + 1, Math.floor((shift + utf8.length) / 3) * 4);
    if (core.length >= 8) forms.push(Buffer.from(core));
  }
  return forms;
}

/** A place the data could rest, and its bytes. */
interface Place {
  name: string;
  bytes: Buffer;
}

const found = (places: readonly Place[], value: string): string[] => {
  const forms = formsOf(value);
  return places.filter((place) => forms.some((form) => place.bytes.includes(form))).map((place) => place.name);
};

function filesUnder(dir: string, root: string, skip: (path: string) => boolean): Place[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !skip(path))
    .map((path) => ({ name: relative(root, path), bytes: readFileSync(path) }));
}

/** Every workflow as the server returns it, undecoded: the list (IDs, search attributes, memo), descriptions, histories. */
async function serverRecords(client: Client): Promise<Place[]> {
  const service = client.workflowService;
  const namespace = client.options.namespace;
  const places: Place[] = [];
  const executions: temporal.api.workflow.v1.IWorkflowExecutionInfo[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await service.listWorkflowExecutions({ namespace, pageSize: 1000, ...(nextPageToken ? { nextPageToken } : {}) });
    places.push({ name: 'workflow list', bytes: Buffer.from(temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse.encode(page).finish()) });
    executions.push(...page.executions);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  for (const { execution } of executions) {
    const id = execution?.workflowId ?? '';
    const described = await service.describeWorkflowExecution({ namespace, execution });
    places.push({ name: `describe ${id}`, bytes: Buffer.from(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described).finish()) });
    let historyToken: Uint8Array | undefined;
    do {
      const page = await service.getWorkflowExecutionHistory({ namespace, execution, ...(historyToken ? { nextPageToken: historyToken } : {}) });
      places.push({ name: `history ${id}`, bytes: Buffer.from(temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(page).finish()) });
      historyToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (historyToken);
  }
  const schedules = await service.listSchedules({ namespace, maximumPageSize: 1000 });
  places.push({ name: 'schedule list', bytes: Buffer.from(temporal.api.workflowservice.v1.ListSchedulesResponse.encode(schedules).finish()) });
  for (const { scheduleId } of schedules.schedules) {
    const described = await service.describeSchedule({ namespace, scheduleId });
    places.push({ name: `schedule ${scheduleId}`, bytes: Buffer.from(temporal.api.workflowservice.v1.DescribeScheduleResponse.encode(described).finish()) });
  }
  return places;
}

function mailIndex(dataDir: string): CapturedMailEntry[] {
  const index = join(mailCaptureDirectory(dataDir), MAIL_INDEX_FILE);
  if (!existsSync(index)) return [];
  return readFileSync(index, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as CapturedMailEntry);
}

/** Mail to staff, decoded (bodies are base64 or quoted-printable on the wire), with its raw bytes. */
async function staffMail(dataDir: string, applicantAddresses: readonly string[]): Promise<Place[]> {
  const toStaff = mailIndex(dataDir).filter((entry) => !entry.to.some((to) => applicantAddresses.includes(to)));
  return Promise.all(
    toStaff.map(async (entry) => {
      const raw = readFileSync(join(mailCaptureDirectory(dataDir), entry.file));
      const mail = await simpleParser(raw);
      const decoded = [mail.subject ?? '', mail.text ?? '', typeof mail.html === 'string' ? mail.html : '', ...mail.attachments.map((a) => a.content.toString('utf8'))].join('\n');
      return { name: `mail ${entry.file} to ${entry.to.join(',')}`, bytes: Buffer.concat([raw, Buffer.from(decoded, 'utf8')]) };
    }),
  );
}

interface Scan {
  /** Files of the dev server (database, WAL, shared memory, log). */
  devServer: Place[];
  /** The register's database files. */
  register: Place[];
  /** Every other file under the data directory, except the mail capture. */
  otherFiles: Place[];
  processOutput: Place[];
  staffMail: Place[];
  /** What the server answers for every workflow and schedule (absent once the stack stopped). */
  server: Place[];
}

const allPlaces = (scan: Scan): Place[] => [...scan.devServer, ...scan.register, ...scan.otherFiles, ...scan.processOutput, ...scan.staffMail, ...scan.server];

// ---------------------------------------------------------------------------------------------------------------
// The run

let files: string;
let stack: StackEnv;
let started: StartedStack | undefined;
const applicants = newApplicants();
/** Case number of each applicant's case. */
const caseNumbers: string[] = [];
const plantedName = `${chineseName(new Set(applicants.map((a) => a.name)))}${randomUUID().slice(0, 4)}`;
let running: Scan;
let stopped: Scan;

const tokens = new Map<string, string>();
async function api(method: string, path: string, as: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const base = `http://127.0.0.1:${stack.webPort}`;
  let token = tokens.get(as);
  if (!token) {
    const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: as, password: PASSWORD }) });
    token = ((await res.json()) as { token: string }).token;
    tokens.set(as, token);
  }
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: type.includes('application/json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
}

async function expectOk(answer: Promise<{ status: number; body: unknown }>, what: string): Promise<Record<string, unknown>> {
  const { status, body } = await answer;
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body as Record<string, unknown>;
}

function applicationOf(applicant: Applicant, receivedOn?: IsoDate): Record<string, unknown> {
  return {
    ...example.application,
    applicant: { type: 'natural-person', name: applicant.name, idDocument: { kind: 'resident-id-card', number: applicant.idNumber } },
    contact: { phone: applicant.phone, postalAddress: applicant.address, postcode: '222000', ...(applicant.email ? { email: applicant.email } : {}) },
    ...(applicant.email ? { provision: { form: 'electronic', manner: 'email' } } : {}),
    ...(receivedOn ? { channel: { kind: 'in-person', submittedAt: `${receivedOn}T10:00:00+08:00` } } : {}),
  };
}

async function submit(applicant: Applicant, receivedOn?: IsoDate): Promise<string> {
  const answer = await expectOk(api('POST', '/api/submissions', 'zrzy.registrar', { submissionId: `at-rest-${randomUUID()}`, application: applicationOf(applicant, receivedOn) }), 'submission');
  return answer.caseNumber as string;
}

/** The README's acts on the case, up to and including `lastFile`, with the applicant's own third party. */
async function walk(caseNumber: string, applicant: Applicant, today: IsoDate, lastFile: string): Promise<void> {
  const steps = walkthroughSteps(today);
  for (const { userId, action, file, data } of steps.slice(0, steps.findIndex((step) => step.file === lastFile) + 1)) {
    const actData =
      file === '05-start-third-party-consultation'
        ? { ...data, consulteeName: applicant.consultee }
        : file === '12-record-dispatch' && applicant.email
          ? { ...data, method: 'email' }
          : data;
    await expectOk(api('POST', `/api/cases/${caseNumber}/actions`, userId, { action, data: actData }), `${caseNumber} ${action}`);
  }
}

async function until<T>(what: string, get: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function scanEverything(output: string, client: Client | undefined): Promise<Scan> {
  const dataDir = stack.dataDir;
  const temporalDir = join(dataDir, 'temporal');
  const isDevServer = (path: string) => path.startsWith(temporalDir);
  const isRegister = (path: string) => /register\.sqlite(-wal|-shm|-journal)?$/.test(path);
  const isMail = (path: string) => path.startsWith(mailCaptureDirectory(dataDir));
  return {
    devServer: filesUnder(temporalDir, dataDir, () => false),
    register: filesUnder(dataDir, dataDir, (path) => !isRegister(path)),
    otherFiles: filesUnder(dataDir, dataDir, (path) => isDevServer(path) || isRegister(path) || isMail(path)),
    processOutput: [{ name: 'gongkai start stdout/stderr', bytes: Buffer.from(output, 'utf8') }],
    staffMail: await staffMail(dataDir, applicants.flatMap((a) => (a.email ? [a.email] : []))),
    server: client ? await serverRecords(client) : [],
  };
}

/** Each applicant's data, and where the scan found it. */
function leaks(scan: Scan): Record<string, string[]> {
  const places = allPlaces(scan);
  const result: Record<string, string[]> = {};
  for (const a of applicants) {
    const values = { name: a.name, idNumber: a.idNumber, phone: a.phone, address: a.address, consultee: a.consultee, ...(a.email ? { email: a.email } : {}) };
    for (const [field, value] of Object.entries(values)) {
      const where = found(places, value);
      if (where.length > 0) result[`${a.label}: ${field}`] = where;
    }
  }
  return result;
}

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'gongkai-at-rest-'));
  // Reminders at 00:00, so the overdue case's staff emails go out at once, whatever the hour.
  const config = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  for (const agency of config.agencies) agency.reminders = { ...agency.reminders, sendAt: '00:00' };
  const configPath = join(files, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  stack = { dataDir: join(files, 'data'), address: `127.0.0.1:${await freePort()}`, configPath };
  started = await startStack(stack);

  const today = beijingDateOfMs(Date.now());
  const notice = noticeMakingWorkingDay(today);
  writeFileSync(join(files, 'notice.json'), JSON.stringify(notice));
  expect((await gongkai(stack, 'calendar', 'load', join(files, 'notice.json'))).code).toBe(0);
  const calendar = effectiveCalendar(readHolidayNotices(), [notice]);
  expect(isWorkingDay(calendar, today)).toBe(true);
  let overdueReceipt = today;
  for (let counted = 0; counted < 25; ) {
    overdueReceipt = addDays(overdueReceipt, -1);
    if (describeDay(calendar, overdueReceipt).working) counted += 1;
  }

  const [archived, emailed, open] = applicants as [Applicant, Applicant, Applicant];
  caseNumbers.push(await submit(archived), await submit(emailed), await submit(open, overdueReceipt));
  await Promise.all([
    walk(caseNumbers[0]!, archived, today, '13-archive-case'),
    walk(caseNumbers[1]!, emailed, today, '13-archive-case'),
    walk(caseNumbers[2]!, open, today, '03-decide-scope'),
  ]);
  // Staff open the application (audited) and download the reply letter, as they would.
  await expectOk(api('GET', `/api/cases/${caseNumbers[2]}/application`, 'zrzy.handler1'), 'application');

  const connection = await Connection.connect({ address: stack.address });
  try {
    const client = new Client({ connection });
    // Positive control: the SDK's default converter, no codec — on a task queue no worker polls.
    await client.workflow.start('positiveControlWithoutCodec', {
      taskQueue: 'personal-data-positive-control',
      workflowId: `positive-control-${randomUUID()}`,
      args: [{ applicant: { name: plantedName } }],
    });
    // The overdue case's staff emails, and the reply letter to the applicant who asked for email.
    await until('mail', () => mailIndex(stack.dataDir), (mail) => mail.some((m) => m.subject?.includes(caseNumbers[2]!)) && mail.some((m) => m.to.includes(emailed.email!)));
    running = await scanEverything(started.output(), client);
  } finally {
    await connection.close();
  }
  const stopping = started;
  started = undefined;
  expect(await stopWithCtrlC(stopping)).toBe(0);
  stopped = await scanEverything(stopping.output(), undefined);
}, 240_000);

afterAll(async () => {
  if (started) await stopWithCtrlC(started);
  if (files) rmSync(files, { recursive: true, force: true });
}, 60_000);

test('the scan reads the right places: case numbers (not personal) in the dev server database, the register, the server records and staff mail', () => {
  for (const scan of [running, stopped]) {
    for (const caseNumber of caseNumbers) {
      expect(found(scan.devServer.filter((p) => p.name.includes('dev.sqlite')), caseNumber).length).toBeGreaterThan(0);
      expect(found(scan.register, caseNumber).length).toBeGreaterThan(0);
    }
  }
  for (const caseNumber of caseNumbers) expect(found(running.server, caseNumber)).toEqual(expect.arrayContaining(['workflow list', `describe ${caseNumber}`, `history ${caseNumber}`]));
  // The list carries the search attributes (their names and the handler's staff id, which is no personal data).
  for (const value of ['GkStage', 'GkReplyDueAt', 'zrzy.handler1']) expect(found(running.server, value)).toContain('workflow list');
  // While running, the databases are in WAL mode and the recent pages are in the -wal files.
  expect(running.devServer.find((p) => p.name.endsWith('dev.sqlite-wal'))?.bytes.length).toBeGreaterThan(0);
  expect(running.register.find((p) => p.name.endsWith('register.sqlite-wal'))?.bytes.length).toBeGreaterThan(0);
  expect(running.devServer.map((p) => p.name)).toContain(join('temporal', 'dev.log'));
  // The overdue case's reminders went to staff, and the scan read them.
  expect(found(running.staffMail, caseNumbers[2]!).length).toBeGreaterThan(0);
  expect(running.processOutput[0]!.bytes.length).toBeGreaterThan(0);
});

test('while the stack runs, no applicant data anywhere: databases and WAL files, logs, files, staff mail, workflow IDs, search attributes, memo, histories', () => {
  expect(leaks(running)).toEqual({});
});

test('after the stack stopped, no applicant data anywhere', () => {
  expect(leaks(stopped)).toEqual({});
});

test('positive control: the same scan finds a name a client without the codec put in a workflow', () => {
  expect(found(running.devServer, plantedName).length).toBeGreaterThan(0);
  expect(found(running.server, plantedName).some((name) => name.startsWith('history positive-control-'))).toBe(true);
  // The dev server leaves its WAL behind when it stops (no checkpoint on SIGTERM): the name is in one file or the other.
  expect(found(stopped.devServer, plantedName).filter((name) => name.includes('dev.sqlite')).length).toBeGreaterThan(0);
  // The reply letter did reach the applicant who asked for email: the mail left out of the scan is real outgoing mail.
  const toApplicant = mailIndex(stack.dataDir).filter((m) => m.to.includes(applicants[1]!.email!));
  expect(toApplicant.length).toBeGreaterThan(0);
});
