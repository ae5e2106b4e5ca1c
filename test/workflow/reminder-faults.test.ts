import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../workers/config';
import type { ActivityWorkerJob, FaultPoint } from '../helpers/activity-worker-child';
import { reminderDayOf } from '../helpers/reminder-emails';
import { eventually, type RequestHarness, useRequestHarness } from '../helpers/request-harness';

// The reminders of one scripted case while the activity worker is killed -9 three times, at three points of sending
// an email. Only the kill between the SMTP server's acceptance and the ledger's update sends one twice, with the same
// Message-ID; every other email arrives once.

const harness = useRequestHarness({ activities: false, reminders: true });
let h: RequestHarness;
let child: ChildProcess | undefined;
const deaths: (number | null | string)[] = [];
const faultsToCome: { at: FaultPoint; nth: number }[] = [
  { at: 'after-smtp-accept', nth: 1 },
  { at: 'before-smtp', nth: 2 },
  { at: 'after-ledger', nth: 2 },
];
let stopping = false;

/** Starts an activity worker process with the next fault; when it dies, the next one takes over. */
async function startActivityWorker(): Promise<void> {
  const fault = faultsToCome.shift();
  const job: ActivityWorkerJob = {
    address: h.env.address,
    taskQueue: h.config.temporal.taskQueue,
    register: h.store.settings,
    smtpPort: h.smtp.port,
    dataDir: h.config.dataDir,
    ...(fault ? { fault } : {}),
  };
  const started = spawn(process.execPath, ['--require', 'tsx/cjs', join(PROJECT_ROOT, 'test', 'helpers', 'activity-worker-child.ts'), JSON.stringify(job)], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = started;
  started.once('exit', (code, signal) => {
    deaths.push(signal ?? code);
    if (!stopping) void startActivityWorker();
  });
  const lines = createInterface({ input: started.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve());
    started.once('exit', () => reject(new Error('activity worker exited before it was ready')));
  });
}

beforeAll(async () => {
  h = harness();
  await h.loadSynthetic2027();
  await startActivityWorker();
}, 60_000);

afterAll(async () => {
  stopping = true;
  child?.kill('SIGKILL');
});


test('killed before SMTP, after SMTP accepted, after the ledger: each reminder arrives once, the one in the window twice with one Message-ID', async () => {
  const caseNumber = await h.newCase({ channel: { kind: 'in-person', submittedAt: '2027-02-01T09:00:00+08:00' } });
  await h.acts(caseNumber, [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
  ]);
  await h.advanceTo('2027-03-09T12:00:00+08:00');

  const expected = [
    ['zrzy.handler1@lyg.example.cn', '2027-02-26'],
    ['zrzy.handler1@lyg.example.cn', '2027-03-04'],
    ['zrzy.handler1@lyg.example.cn', '2027-03-05'],
    ['supervisor@lyg.example.cn', '2027-03-08'],
    ['zrzy.handler1@lyg.example.cn', '2027-03-08'],
    ['supervisor@lyg.example.cn', '2027-03-09'],
    ['zrzy.handler1@lyg.example.cn', '2027-03-09'],
  ];
  const byMessageId = () => {
    const counts = new Map<string, { to: string; day: string; count: number }>();
    for (const email of h.smtp.received.filter((e) => e.subject?.includes(caseNumber))) {
      const day = reminderDayOf(email);
      const entry = counts.get(email.messageId ?? '?') ?? { to: email.to.join(','), day, count: 0 };
      entry.count += 1;
      counts.set(email.messageId ?? '?', entry);
    }
    return [...counts.values()].sort((a, b) => a.day.localeCompare(b.day) || a.to.localeCompare(b.to));
  };
  await eventually(async () => expect(byMessageId().map(({ to, day }) => [to, day])).toEqual(expected), 30_000);
  // Three workers died by SIGKILL, one at each point.
  expect(deaths).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL']);
  // The first email was accepted by SMTP as its worker died: sent again by the next, under the same Message-ID.
  expect(byMessageId().map(({ day, count }) => [day, count])).toEqual([
    ['2027-02-26', 2],
    ['2027-03-04', 1],
    ['2027-03-05', 1],
    ['2027-03-08', 1],
    ['2027-03-08', 1],
    ['2027-03-09', 1],
    ['2027-03-09', 1],
  ]);
  const ledger = (await h.register.emailLedger()).filter((row) => row.case_number === caseNumber);
  expect(ledger.map((row) => row.status)).toEqual(Array(7).fill('sent'));
}, 120_000);
