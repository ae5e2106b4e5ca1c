import { actOnCase } from '../../workers/case-client';
import { submitApplication } from '../../workers/intake';
import { caseViewQuery, reloadCalendarSignal } from '../../workflows/request/messages';
import { randomSubmissionId } from '../helpers/register';
import { eventually, exampleApplication, refusal, type RequestHarness, useRequestHarness } from '../helpers/request-harness';

const harness = useRequestHarness();
let h: RequestHarness;
beforeEach(() => {
  h = harness();
});

const newCase = (overrides: Record<string, unknown> = {}, submissionId?: string) => h.newCase(overrides, submissionId);
const act = (caseNumber: string, userId: string, action: string, data: unknown = {}, updateId?: string) => h.act(caseNumber, userId, action, data, updateId);

async function updateEventsIn(caseNumber: string): Promise<number> {
  const history = await h.env.client.workflow.getHandle(caseNumber).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

test('a case runs its spine: assign, completeness, scope, search, decision, draft, review, sign-off, dispatch, archive', async () => {
  const submissionId = randomSubmissionId();
  const caseNumber = await newCase({}, submissionId);
  const steps: [string, string, unknown][] = [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
    ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
    ['zrzy.handler1', 'record-search', { searchedOn: '2026-11-30', places: ['档案室'], keywords: ['规划条件'], found: true }],
    ['zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } }],
    ['zrzy.handler1', 'conclude-disclosure-decision', { confidentialityReview: { reviewedBy: 'zrzy.reviewer', reviewedOn: '2026-11-27' } }],
    ['zrzy.handler1', 'draft-reply', {}],
    ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
    ['zrzy.head', 'sign-off-reply', {}],
    ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2026-12-10', method: 'post' }],
  ];
  const stages: string[] = [];
  for (const [user, action, data] of steps) stages.push((await act(caseNumber, user, action, data)).stage);
  expect(stages).toEqual(['completeness-check', 'scope-check', 'search', 'disclosure-decision', 'disclosure-decision', 'drafting', 'review', 'sign-off', 'dispatch', 'awaiting-archive']);

  const view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
  expect(view).toMatchObject({ receivedOn: '2026-11-27', replyDue: '2026-12-25', handlerId: 'zrzy.handler1', outcome: 'disclosed' });
  // The document number is allocated at sign-off, by an activity just after the act.
  await eventually(async () =>
    expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).documents).toEqual([
      // The receipt, issued at registration: not numbered, stored as PDF and DOCX.
      expect.objectContaining({ documentId: `${caseNumber}/receipt/1`, documentType: 'receipt', documentNumber: null, formats: [expect.objectContaining({ mediaType: 'application/pdf' }), expect.objectContaining({ documentId: `${caseNumber}/receipt/1.docx` })] }),
      expect.objectContaining({ documentId: `${caseNumber}/reply/v1`, documentType: 'disclosure', documentNumber: expect.stringMatching(/^连资规依复〔\d{4}〕\d+号$/) }),
    ]),
  );
  expect(view.deadlines.find((d) => d.kind === 'reply')?.status).toBe('met');
  expect(view.timeline.map((t) => t.action)).toEqual(['register', ...steps.map(([, action]) => action)]);

  await act(caseNumber, 'zrzy.handler1', 'archive-case');
  await expect(h.completion(caseNumber)).resolves.toBe('COMPLETED');
  expect(await h.register.readCase(caseNumber)).toMatchObject({ stage: 'archived', reply_due: '2026-12-25', dispatched_on: '2026-12-10' });
  expect((await h.register.auditTrail(caseNumber)).map((e) => e.action)).toContain('sign-off-reply');

  // Submitting the same submission again, after archiving, neither creates nor restarts the case.
  expect(await newCase({}, submissionId)).toBe(caseNumber);
  expect((await h.env.client.workflow.getHandle(caseNumber).describe()).status.name).toBe('COMPLETED');
}, 120_000);

test.each([
  ['wrong role', 'zrzy.registrar', 'decide-scope', { decision: 'gip-request' }, 'wrong-role'],
  ['wrong agency', 'shj.head', 'assign-handler', { handlerId: 'zrzy.handler1' }, 'wrong-agency'],
  ['wrong stage', 'zrzy.head', 'sign-off-reply', {}, 'wrong-stage'],
  ['malformed payload', 'zrzy.head', 'approve-extension', { approvedOn: '2026-13-01', workingDays: 25 }, 'invalid-payload'],
  ['unknown action', 'zrzy.head', 'delete-everything', {}, 'unknown-action'],
  ['a handler of another agency', 'zrzy.head', 'assign-handler', { handlerId: 'shj.handler1' }, 'invalid-payload'],
])('%s: refused with its reason, and absent from history', async (_name, user, action, data, type) => {
  const caseNumber = await newCase();
  const before = await updateEventsIn(caseNumber);
  const refused = await refusal(act(caseNumber, user, action, data));
  expect(refused.type).toBe(type);
  expect(refused.message.length).toBeGreaterThan(0);
  expect(await updateEventsIn(caseNumber)).toBe(before);
  expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).stage).toBe('registered');
}, 60_000);

test('a refusal never repeats what the caller sent (unknown keys may carry personal data)', async () => {
  const caseNumber = await newCase();
  const refused = await refusal(act(caseNumber, 'zrzy.head', 'urge', { message: '请办理', '张三 110101199003077777': 'x' }));
  expect(refused.type).toBe('invalid-payload');
  expect(refused.message).not.toContain('110101199003077777');
  expect(refused.message).not.toContain('张三');
});

test('a forged actor (a user id with roles it does not have) cannot pass the payload check', async () => {
  const caseNumber = await newCase();
  const refused = await refusal(
    actOnCase(h.env.client, caseNumber, { action: 'assign-handler', actor: { userId: 'x', roles: ['boss'], agencyCode: 'LYG-ZRZY' } as never, data: {} }),
  );
  expect(refused.type).toBe('invalid-actor');
});

test('two concurrent acts on the same stage: exactly one succeeds', async () => {
  const caseNumber = await newCase();
  const results = await Promise.allSettled([
    act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }),
    act(caseNumber, 'zrzy.registrar', 'assign-handler', { handlerId: 'zrzy.handler2' }),
  ]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
  expect(view.timeline.filter((t) => t.action === 'assign-handler')).toHaveLength(1);
  expect(['zrzy.handler1', 'zrzy.handler2']).toContain(view.handlerId);
}, 60_000);

test('a repeated update id is applied once', async () => {
  const caseNumber = await newCase();
  await act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }, 'form-token-1');
  await act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }, 'form-token-1');
  const view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
  expect(view.timeline.filter((t) => t.action === 'assign-handler')).toHaveLength(1);
});

test('assignment, reassignment by the office head, and hand-over by the handler', async () => {
  const caseNumber = await newCase();
  await act(caseNumber, 'zrzy.registrar', 'assign-handler', { handlerId: 'zrzy.handler1' });
  expect((await refusal(act(caseNumber, 'zrzy.handler2', 'record-completeness-finding', { finding: 'complete' }))).type).toBe('not-assigned');
  expect((await act(caseNumber, 'zrzy.head', 'reassign-handler', { handlerId: 'zrzy.handler2', reason: '工作调整' })).handlerId).toBe('zrzy.handler2');
  expect((await refusal(act(caseNumber, 'zrzy.handler1', 'hand-over', { handlerId: 'zrzy.handler1' }))).type).toBe('not-assigned');
  expect((await act(caseNumber, 'zrzy.handler2', 'hand-over', { handlerId: 'zrzy.handler1', note: '休假' })).handlerId).toBe('zrzy.handler1');
  // The register follows the workflow through an activity, just after the update returns.
  await eventually(async () => expect((await h.register.readCase(caseNumber))?.handler_id).toBe('zrzy.handler1'));
});

test('awaiting confirmation: no clock until the registrar confirms T0', async () => {
  const caseNumber = await newCase({ channel: { kind: 'internet', submittedAt: '2026-11-27T22:40:00+08:00' } });
  const handle = h.env.client.workflow.getHandle(caseNumber);
  expect(await handle.query(caseViewQuery)).toMatchObject({ stage: 'awaiting-confirmation', receivedOn: null, replyDue: null });
  const view = await act(caseNumber, 'zrzy.registrar', 'confirm-receipt', { confirmedAt: '2026-11-30T09:00:00+08:00' });
  expect(view).toMatchObject({ stage: 'registered', receivedOn: '2026-11-30', replyDue: '2026-12-28' });
});

test('an extension beyond the statutory maximum is refused by the clock', async () => {
  const caseNumber = await newCase();
  await act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
  const view = await act(caseNumber, 'zrzy.head', 'approve-extension', { approvedOn: '2026-12-20', workingDays: 15, reason: '需调取档案' });
  expect(view.replyDue).toBe('2027-01-15');
  await eventually(async () => expect((await h.register.readCase(caseNumber))?.reply_due).toBe('2027-01-15')); // this act's date, not the one before
  const refused = await refusal(act(caseNumber, 'zrzy.head', 'approve-extension', { approvedOn: '2026-12-21', workingDays: 6, reason: '再次延期' }));
  expect(refused).toMatchObject({ type: 'clock-rule', message: expect.stringContaining('不得超过20个工作日') });
});

test('the calendar is reloaded on a signal and the deadlines recomputed', async () => {
  const caseNumber = await newCase({ channel: { kind: 'in-person', submittedAt: '2026-12-15T10:00:00+08:00' } });
  const handle = h.env.client.workflow.getHandle(caseNumber);
  const before = await handle.query(caseViewQuery);
  expect(before).toMatchObject({ replyDue: '2027-01-12', provisional: true }); // 2027 assumed Monday to Friday

  await h.register.saveHolidayNotice({
    year: 2027,
    loadedBy: 'admin',
    loadedAt: '2026-12-16T09:00:00+08:00',
    digest: 'test',
    notice: {
      year: 2027,
      status: 'official',
      notice: { title: '国务院办公厅关于2027年部分节假日安排的通知（测试数据）', number: null, published: '2026-11-10', url: 'https://www.gov.cn/' },
      holidays: [{ name: '元旦', off: ['2027-01-01', '2027-01-03'], workingWeekends: [] }],
    },
  });
  await handle.signal(reloadCalendarSignal);
  await h.env.sleep(1_000);
  const after = await handle.query(caseViewQuery);
  expect(after).toMatchObject({ replyDue: '2027-01-13', provisional: false });
  expect(after.calendarVersion).not.toBe(before.calendarVersion);
  await eventually(async () => expect((await h.register.readCase(caseNumber))?.reply_due).toBe('2027-01-13'));
}, 60_000);

test('the wake-up re-arms on the next deadline when one passes', async () => {
  const caseNumber = await newCase({ channel: { kind: 'in-person', submittedAt: new Date(await h.env.currentTimeMs()).toISOString() } });
  const handle = h.env.client.workflow.getHandle(caseNumber);
  const nextKind = async () => (await handle.describe()).typedSearchAttributes.getAll().find((p) => p.key.name === 'GkNextDueKind')?.value;
  await eventually(async () => expect(await nextKind()).toBe('correction-notice'));
  await h.env.sleep('14 days'); // past the 补正 notice deadline (7 working days)
  await eventually(async () => expect(await nextKind()).toBe('reply'));
  const timers = (await handle.fetchHistory()).events?.filter((e) => e.timerStartedEventAttributes) ?? [];
  expect(timers.length).toBeGreaterThanOrEqual(2);
}, 60_000);

test('a case registered late computes its clock from its real T0 and fires nothing for the past', async () => {
  const caseNumber = await newCase({ channel: { kind: 'in-person', submittedAt: '2025-06-02T10:00:00+08:00' } });
  const handle = h.env.client.workflow.getHandle(caseNumber);
  expect(await handle.query(caseViewQuery)).toMatchObject({ receivedOn: '2025-06-02', replyDue: '2025-06-30' });
  const history = await handle.fetchHistory();
  expect(history.events?.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
}, 60_000);

test('a long case continues as new, carrying its state and its applied update ids', async () => {
  // A low threshold for the test; production waits for thousands of events.
  const { caseNumber } = await submitApplication(
    { client: h.env.client, register: h.register, config: h.config, continueAsNewAfterEvents: 25 },
    { submissionId: randomSubmissionId(), application: exampleApplication, registeredBy: 'zrzy.registrar' },
  );
  const handle = h.env.client.workflow.getHandle(caseNumber);
  const { runId: firstRunId } = await handle.describe();
  await act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }, 'long-0');
  for (let i = 1; i <= 6; i++) {
    await act(caseNumber, 'zrzy.head', 'reassign-handler', { handlerId: i % 2 ? 'zrzy.handler2' : 'zrzy.handler1', reason: `第${i}次调整` }, `long-${i}`);
  }
  await h.env.sleep(1_000);
  const view = await handle.query(caseViewQuery);
  expect(view.runs).toBeGreaterThan(1);
  expect((await h.env.client.workflow.getHandle(caseNumber, firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
  expect(view.timeline.filter((t) => t.action === 'reassign-handler')).toHaveLength(6);
  expect(view.handlerId).toBe('zrzy.handler1');

  // The assignment again, with its update id, after continue-as-new: no longer allowed in this stage, yet answered
  // as the retry it is, not refused, and not applied twice.
  expect((await act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler2' }, 'long-0')).handlerId).toBe('zrzy.handler1');
  // The first act again, with its update id, after continue-as-new: applied once.
  await act(caseNumber, 'zrzy.head', 'reassign-handler', { handlerId: 'zrzy.handler2', reason: '第1次调整' }, 'long-1');
  expect((await handle.query(caseViewQuery)).timeline.filter((t) => t.action === 'reassign-handler')).toHaveLength(6);
}, 120_000);
