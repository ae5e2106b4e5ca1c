import { caseViewQuery, reloadCalendarSignal } from '../../workflows/request/messages';
import { remindersOfCase } from '../helpers/reminder-emails';
import { eventually, type RequestHarness, useRequestHarness } from '../helpers/request-harness';

// A case received before the 2027 holiday notice is known: its deadlines are provisional (weekends only), its
// reminders say so; when the notice is loaded and the case told, the deadlines move and the reminders with them.

const harness = useRequestHarness({ reminders: true });
let h: RequestHarness;
beforeAll(() => {
  h = harness();
});

test('a provisional deadline is reminded of as provisional, and moves with the calendar when the 2027 notice is loaded', async () => {
  const caseNumber = await h.newCase({ channel: { kind: 'in-person', submittedAt: '2027-02-01T09:00:00+08:00' } });
  const before = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
  // Weekends only: the 补正 notice 7 working days on (02-10), the reply 20 (03-01).
  expect(before).toMatchObject({ provisional: true, replyDue: '2027-03-01' });
  expect(before.deadlines.find((d) => d.kind === 'correction-notice')).toMatchObject({ due: '2027-02-10', provisional: true });

  // 5 working days before 02-10: Wed 02-03. Unassigned, so the office head is told; the email says the deadline is provisional.
  await h.advanceTo('2027-02-03T12:00:00+08:00');
  await eventually(async () => expect(remindersOfCase(h.smtp.received, caseNumber)).toEqual([['zrzy.head@lyg.example.cn', '提醒', '还有5个工作日到期', '2027-02-03']]));
  const provisionalEmail = h.smtp.received.find((email) => email.subject?.includes(caseNumber))!;
  expect(provisionalEmail.subject).toContain('（临时期限）');
  expect(provisionalEmail.text).toContain('此期限为临时期限');
  expect(provisionalEmail.html).toContain('此期限为临时期限');

  await h.acts(caseNumber, [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
  ]);
  // Mon 02-15: the notice is loaded (春节 02-06..14 off, Sat 02-20 worked) and the case told.
  await h.advanceTo('2027-02-15T12:00:00+08:00');
  await h.loadSynthetic2027();
  await h.env.client.workflow.getHandle(caseNumber).signal(reloadCalendarSignal);
  await eventually(async () => expect(await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).toMatchObject({ provisional: false, replyDue: '2027-03-05' }));

  // The reply's 5-working-day reminder was due on 02-22 under the provisional calendar; now it is due on 02-26.
  await h.advanceTo('2027-02-27T12:00:00+08:00');
  await eventually(async () =>
    expect(remindersOfCase(h.smtp.received, caseNumber)).toEqual([
      ['zrzy.head@lyg.example.cn', '提醒', '还有5个工作日到期', '2027-02-03'],
      ['zrzy.handler1@lyg.example.cn', '提醒', '还有5个工作日到期', '2027-02-26'],
    ]),
  );
  const finalEmail = h.smtp.received.filter((email) => email.subject?.includes(caseNumber))[1]!;
  expect(finalEmail.subject).not.toContain('临时');
  expect(finalEmail.text).toContain('期限：2027-03-05（周五）');
}, 60_000);
