import { caseViewQuery } from '../../workflows/request/messages';
import { remindersOfCase } from '../helpers/reminder-emails';
import { eventually, type RequestHarness, useRequestHarness } from '../helpers/request-harness';

// Reminders and escalations of scripted cases on the time-skipping server, sent by the worker to a real SMTP server
// on loopback, on the synthetic 2027 calendar (test/fixtures): what each person receives, on which day, once.

const harness = useRequestHarness({ reminders: true });
let h: RequestHarness;

beforeAll(async () => {
  h = harness();
  await h.loadSynthetic2027();
});


const remindersOf = (caseNumber: string) => remindersOfCase(h.smtp.received, caseNumber);

/** When the workflow started sending reminders: the scheduled times of its sendReminder activities (UTC). */
async function reminderSendTimes(caseNumber: string): Promise<string[]> {
  const history = await h.env.client.workflow.getHandle(caseNumber).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendReminder')
    .map((event) => new Date(Number(event.eventTime!.seconds) * 1000).toISOString());
}

const inPersonOn = (submittedAt: string) => ({ channel: { kind: 'in-person', submittedAt } });
const handler1 = 'zrzy.handler1@lyg.example.cn';
const head = 'zrzy.head@lyg.example.cn';
const supervisor = 'supervisor@lyg.example.cn';

test('a case left unanswered: the handler before and on the due day, then handler and supervisor daily, the office head from the 3rd day; nothing after dispatch', async () => {
  // Received Mon 2027-02-01. Synthetic calendar: 春节 02-06..02-14 off, Sat 02-20 a working day. 20 working days:
  // 02-02..05 (4), 02-15..19 (9), 02-20 (10), 02-22..26 (15), 03-01..05 (20) → due Fri 2027-03-05.
  const caseNumber = await h.newCase(inPersonOn('2027-02-01T09:00:00+08:00'));
  await h.acts(caseNumber, [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
  ]);
  expect((await h.act(caseNumber, 'zrzy.handler1', 'decide-scope', { decision: 'gip-request' })).replyDue).toBe('2027-03-05');
  await h.advanceTo('2027-03-10T12:00:00+08:00');
  await eventually(async () =>
    expect(remindersOf(caseNumber)).toEqual([
      [handler1, '提醒', '还有5个工作日到期', '2027-02-26'],
      [handler1, '提醒', '还有1个工作日到期', '2027-03-04'],
      [handler1, '今日到期', '今天到期', '2027-03-05'],
      [supervisor, '逾期督办', '已逾期1个工作日', '2027-03-08'],
      [handler1, '逾期督办', '已逾期1个工作日', '2027-03-08'],
      [supervisor, '逾期督办', '已逾期2个工作日', '2027-03-09'],
      [handler1, '逾期督办', '已逾期2个工作日', '2027-03-09'],
      [supervisor, '逾期督办', '已逾期3个工作日', '2027-03-10'],
      [handler1, '逾期督办', '已逾期3个工作日', '2027-03-10'],
      [head, '逾期督办', '已逾期3个工作日', '2027-03-10'],
    ]),
  );
  // Each at 08:30 Beijing time (00:30 UTC) of its day, one activity per reminder (all its recipients), each email sent at the first attempt.
  expect(await reminderSendTimes(caseNumber)).toEqual(
    ['02-26', '03-04', '03-05', '03-08', '03-09', '03-10'].map((day) => `2027-${day}T00:30:00.000Z`),
  );
  expect((await h.register.emailLedger()).filter((row) => row.case_number === caseNumber).map((row) => [row.status, row.attempts])).toEqual(
    Array(10).fill(['sent', 1]),
  );

  // The reply goes out: the reminders stop.
  await h.acts(caseNumber, [
    ['zrzy.handler1', 'record-search', { result: 'not-held', searchedOn: '2027-03-10', places: ['档案室'], keywords: ['规划条件'], reason: '经检索，本机关未制作或获取该信息' }],
    ['zrzy.handler1', 'draft-reply'],
    ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
    ['zrzy.head', 'sign-off-reply'],
    ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2027-03-10', method: 'post' }],
  ]);
  await h.advanceTo('2027-03-16T12:00:00+08:00');
  expect(remindersOf(caseNumber)).toHaveLength(10);
}, 60_000);

/** The ledger's rows of a case: [recipient, status, attempts]. */
async function ledgerOf(caseNumber: string, day: string): Promise<[string, string, number][]> {
  return (await h.register.emailLedger())
    .filter((row) => row.case_number === caseNumber && row.email_key.endsWith(`:${day}`))
    .map((row): [string, string, number] => [row.recipient, row.status, row.attempts])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** A request received Mon 2027-02-01 and registered only now: its reply was due 2027-03-05, its 补正 notice 2027-02-17. */
const lateCase = (continueAsNewAfterEvents?: number) => h.newCase(inPersonOn('2027-02-01T09:00:00+08:00'), undefined, continueAsNewAfterEvents);

/** A late case, its overdue notices of today received (both deadlines, to the office head and the supervisor), then assigned and found complete. */
async function lateCaseInHand(continueAsNewAfterEvents?: number): Promise<string> {
  const caseNumber = await lateCase(continueAsNewAfterEvents);
  await eventually(async () => expect(remindersOf(caseNumber)).toHaveLength(4));
  await h.acts(caseNumber, [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
  ]);
  return caseNumber;
}

test('a case registered late: one overdue notice for today per deadline, no burst of the reminders it missed, then daily', async () => {
  await h.advanceTo('2027-03-16T12:00:00+08:00');
  const caseNumber = await lateCase();
  // Unassigned: what goes to the handler goes to the office head, who assigns; each person once per reminder.
  // Tue 03-16: the reply is 7 working days overdue, the 补正 notice 20 (02-18 … 03-16).
  await eventually(async () =>
    expect(remindersOf(caseNumber)).toEqual([
      [supervisor, '逾期督办', '已逾期20个工作日', '2027-03-16'],
      [supervisor, '逾期督办', '已逾期7个工作日', '2027-03-16'],
      [head, '逾期督办', '已逾期20个工作日', '2027-03-16'],
      [head, '逾期督办', '已逾期7个工作日', '2027-03-16'],
    ]),
  );
  // Assigned and found complete: the 补正 notice question is settled; the reply stays overdue.
  await h.acts(caseNumber, [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
  ]);
  await h.advanceTo('2027-03-17T12:00:00+08:00');
  await eventually(async () =>
    expect(remindersOf(caseNumber).slice(4)).toEqual([
      [supervisor, '逾期督办', '已逾期8个工作日', '2027-03-17'],
      [handler1, '逾期督办', '已逾期8个工作日', '2027-03-17'],
      [head, '逾期督办', '已逾期8个工作日', '2027-03-17'],
    ]),
  );
}, 60_000);

test('SMTP down for a day, then back: the day’s reminders are delivered after, once each, and the case goes on', async () => {
  await h.advanceTo('2027-03-17T13:00:00+08:00');
  const caseNumber = await lateCaseInHand();
  await h.smtp.stop();
  await h.advanceTo('2027-03-18T12:00:00+08:00');
  // Tried, refused by the closed port, retried with backoff: reserved, not sent.
  await eventually(async () =>
    expect(await ledgerOf(caseNumber, '2027-03-18')).toEqual([
      [handler1, 'reserved', expect.any(Number)],
    ]),
  );
  expect(remindersOf(caseNumber)).toHaveLength(4);
  await h.smtp.restart();
  await h.advanceTo('2027-03-18T14:00:00+08:00');
  await eventually(async () =>
    expect(remindersOf(caseNumber).slice(4)).toEqual([
      [supervisor, '逾期督办', '已逾期9个工作日', '2027-03-18'],
      [handler1, '逾期督办', '已逾期9个工作日', '2027-03-18'],
      [head, '逾期督办', '已逾期9个工作日', '2027-03-18'],
    ]),
  );
  const ledger = await ledgerOf(caseNumber, '2027-03-18');
  expect(ledger.map(([, status]) => status)).toEqual(['sent', 'sent', 'sent']);
  expect(ledger.find(([to]) => to === handler1)![2]).toBeGreaterThan(1);
  expect((await h.env.client.workflow.getHandle(caseNumber).describe()).status.name).toBe('RUNNING');
}, 60_000);

test('a permanent rejection (5xx) is recorded, not retried, and fails nothing: the next day’s reminders go out', async () => {
  await h.advanceTo('2027-03-18T15:00:00+08:00');
  const caseNumber = await lateCaseInHand();
  h.smtp.rejectWith = { code: 550, message: 'mailbox unavailable' };
  try {
    await h.advanceTo('2027-03-19T12:00:00+08:00');
    await eventually(async () =>
      expect(await ledgerOf(caseNumber, '2027-03-19')).toEqual([
        [supervisor, 'failed', 1],
        [handler1, 'failed', 1],
        [head, 'failed', 1],
      ]),
    );
  } finally {
    h.smtp.rejectWith = null;
  }
  await h.advanceTo('2027-03-22T12:00:00+08:00'); // Mon; the weekend has no reminders
  await eventually(async () =>
    expect(remindersOf(caseNumber).slice(4)).toEqual([
      [supervisor, '逾期督办', '已逾期11个工作日', '2027-03-22'],
      [handler1, '逾期督办', '已逾期11个工作日', '2027-03-22'],
      [head, '逾期督办', '已逾期11个工作日', '2027-03-22'],
    ]),
  );
  expect(await ledgerOf(caseNumber, '2027-03-19')).toEqual([
    [supervisor, 'failed', 1],
    [handler1, 'failed', 1],
    [head, 'failed', 1],
  ]);
}, 60_000);

test('continuing as new between reminders: each day’s reminders still once, none lost, none repeated', async () => {
  await h.advanceTo('2027-03-22T13:00:00+08:00');
  const caseNumber = await lateCaseInHand(40);
  await h.advanceTo('2027-03-26T12:00:00+08:00');
  const daily = (overdue: number, day: string) => [
    [supervisor, '逾期督办', `已逾期${overdue}个工作日`, day],
    [handler1, '逾期督办', `已逾期${overdue}个工作日`, day],
    [head, '逾期督办', `已逾期${overdue}个工作日`, day],
  ];
  await eventually(async () =>
    expect(remindersOf(caseNumber).slice(4)).toEqual([
      ...daily(12, '2027-03-23'),
      ...daily(13, '2027-03-24'),
      ...daily(14, '2027-03-25'),
      ...daily(15, '2027-03-26'),
    ]),
  );
  expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).runs).toBeGreaterThan(2);
}, 60_000);
