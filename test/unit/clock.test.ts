import { type ClockEvent, ClockRuleError, clockRulesSchema, computeClock, DEFAULT_CLOCK_RULES, isPausedOn } from '../../domain/clock';
import { shippedCalendar } from '../helpers/calendar';

const calendar = shippedCalendar();
const received = (on: string): ClockEvent => ({ type: 'received', on });
const pause = (from: string, to: string): ClockEvent => ({ type: 'pause', from, to, reason: '征求意见' });
const thirdParty = (letterSentOn: string, consulteeReceivedOn?: string, id = 'c1'): ClockEvent => ({
  type: 'consultation-started',
  consultationId: id,
  kind: 'third-party',
  letterSentOn,
  ...(consulteeReceivedOn ? { consulteeReceivedOn } : {}),
});

// Expected dates counted by hand on the notices' calendars (day N = N-th working day strictly after the start).
const CASES: {
  name: string;
  events: ClockEvent[];
  correctionNoticeDue: string;
  replyDue: string;
  replyDueExtended: string;
  provisionalYears?: number[];
}[] = [
  { name: 'legal.md example: 补正 due on a 调休 Saturday', events: [received('2025-09-25')], correctionNoticeDue: '2025-10-11', replyDue: '2025-10-29', replyDueExtended: '2025-11-26' },
  { name: 'legal.md example: across the 2026 Spring Festival', events: [received('2026-02-10')], correctionNoticeDue: '2026-02-26', replyDue: '2026-03-16', replyDueExtended: '2026-04-14' },
  { name: 'legal.md example: 中秋 and 国庆 2026 with 09-20 and 10-10 worked', events: [received('2026-09-18')], correctionNoticeDue: '2026-09-29', replyDue: '2026-10-22', replyDueExtended: '2026-11-19' },
  { name: 'T0 on a Saturday; day 40 is a make-up Sunday', events: [received('2025-03-01')], correctionNoticeDue: '2025-03-11', replyDue: '2025-03-28', replyDueExtended: '2025-04-27' },
  { name: 'T0 on a make-up Sunday (counts from Monday)', events: [received('2025-01-26')], correctionNoticeDue: '2025-02-11', replyDue: '2025-02-28', replyDueExtended: '2025-03-28' },
  { name: 'T0 on a holiday', events: [received('2025-10-03')], correctionNoticeDue: '2025-10-16', replyDue: '2025-11-04', replyDueExtended: '2025-12-02' },
  { name: 'T0 the Friday before the 2024 Spring Festival', events: [received('2024-02-09')], correctionNoticeDue: '2024-02-26', replyDue: '2024-03-14', replyDueExtended: '2024-04-12' },
  { name: 'across the year end and 元旦 2025', events: [received('2024-12-20')], correctionNoticeDue: '2024-12-31', replyDue: '2025-01-20', replyDueExtended: '2025-02-21' },
  { name: '劳动节 2024 with a make-up Saturday 05-11', events: [received('2024-04-30')], correctionNoticeDue: '2024-05-13', replyDue: '2024-05-30', replyDueExtended: '2024-06-28' },
  { name: '国庆 2024: 补正 due on make-up Saturday 10-12', events: [received('2024-09-27')], correctionNoticeDue: '2024-10-12', replyDue: '2024-10-30', replyDueExtended: '2024-11-27' },
  { name: '端午 2024 joined to a weekend', events: [received('2024-06-07')], correctionNoticeDue: '2024-06-19', replyDue: '2024-07-08', replyDueExtended: '2024-08-05' },
  {
    name: 'correction restarts the reply period from the corrected application, over 劳动节 2025',
    events: [received('2025-04-01'), { type: 'correction-requested', on: '2025-04-03' }, { type: 'correction-received', on: '2025-04-25' }],
    correctionNoticeDue: '2025-04-11', replyDue: '2025-05-27', replyDueExtended: '2025-06-25',
  },
  {
    name: 'corrected application arrives on a holiday (端午 2025)',
    events: [received('2025-05-20'), { type: 'correction-requested', on: '2025-05-22' }, { type: 'correction-received', on: '2025-06-01' }],
    correctionNoticeDue: '2025-05-29', replyDue: '2025-06-30', replyDueExtended: '2025-07-28',
  },
  { name: 'a pause across 国庆 2025', events: [received('2025-09-15'), pause('2025-09-26', '2025-10-10')], correctionNoticeDue: '2025-09-24', replyDue: '2025-10-27', replyDueExtended: '2025-11-24' },
  { name: 'overlapping pauses count once', events: [received('2026-03-02'), pause('2026-03-05', '2026-03-12'), pause('2026-03-10', '2026-03-18')], correctionNoticeDue: '2026-03-11', replyDue: '2026-04-14', replyDueExtended: '2026-05-14' },
  { name: 'a pause across the 2026 Spring Festival', events: [received('2026-01-26'), pause('2026-02-02', '2026-02-27')], correctionNoticeDue: '2026-02-04', replyDue: '2026-03-20', replyDueExtended: '2026-04-20' },
  {
    name: 'silent third party: the pause runs to the 15th working day after its receipt (06-01)',
    events: [received('2026-05-06'), thirdParty('2026-05-08', '2026-05-11')],
    correctionNoticeDue: '2026-05-14', replyDue: '2026-06-29', replyDueExtended: '2026-07-27',
  },
  {
    name: 'third party answers early: the pause ends with the answer',
    events: [received('2026-05-06'), thirdParty('2026-05-08', '2026-05-11'), { type: 'consultation-answered', consultationId: 'c1', on: '2026-05-14' }],
    correctionNoticeDue: '2026-05-14', replyDue: '2026-06-10', replyDueExtended: '2026-07-09',
  },
  {
    name: 'an answer after the 15 working days does not lengthen the pause',
    events: [received('2026-05-06'), thirdParty('2026-05-08', '2026-05-11'), { type: 'consultation-answered', consultationId: 'c1', on: '2026-06-05' }],
    correctionNoticeDue: '2026-05-14', replyDue: '2026-06-29', replyDueExtended: '2026-07-27',
  },
  {
    name: 'extension of 10 working days',
    events: [received('2025-03-03'), { type: 'extension-approved', on: '2025-03-20', workingDays: 10 }],
    correctionNoticeDue: '2025-03-12', replyDue: '2025-04-15', replyDueExtended: '2025-04-28',
  },
  {
    name: 'two extensions adding up to the maximum of 20',
    events: [received('2025-03-03'), { type: 'extension-approved', on: '2025-03-20', workingDays: 10 }, { type: 'extension-approved', on: '2025-04-15', workingDays: 10 }],
    correctionNoticeDue: '2025-03-12', replyDue: '2025-04-28', replyDueExtended: '2025-04-28',
  },
  {
    name: 'fee notice pauses the clock until payment (rule on by default)',
    events: [received('2026-03-02'), { type: 'fee-notice-sent', on: '2026-03-10' }, { type: 'fee-paid', on: '2026-03-20' }],
    correctionNoticeDue: '2026-03-11', replyDue: '2026-04-13', replyDueExtended: '2026-05-13',
  },
  { name: 'crossing into 2027, whose notice is not loaded', events: [received('2026-12-10')], correctionNoticeDue: '2026-12-21', replyDue: '2027-01-07', replyDueExtended: '2027-02-04', provisionalYears: [2027] },
  { name: 'T0 in 2023, whose notice is not loaded', events: [received('2023-12-28')], correctionNoticeDue: '2024-01-09', replyDue: '2024-01-26', replyDueExtended: '2024-02-28', provisionalYears: [2023] },
];

describe('hand-computed clock cases', () => {
  test.each(CASES)('$name', ({ events, correctionNoticeDue, replyDue, replyDueExtended, provisionalYears = [] }) => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, events);
    expect({ correctionNoticeDue: clock.correctionNoticeDue, replyDue: clock.replyDue, replyDueExtended: clock.replyDueExtended, provisionalYears: clock.provisionalYears }).toEqual({
      correctionNoticeDue,
      replyDue,
      replyDueExtended,
      provisionalYears,
    });
    expect(clock.provisional).toBe(provisionalYears.length > 0);
  });
});

describe('the explanation', () => {
  test('shows T0 and why, the holidays and make-up days skipped, and the calendar version', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [{ type: 'received', on: '2025-09-25', basis: '申请人当面提交（《条例》第三十一条第一项）' }]);
    const text = clock.explanation.join('\n');
    expect(text).toContain('收到申请之日（T0）：2025-09-25（周四），申请人当面提交（《条例》第三十一条第一项）');
    expect(text).toContain('国庆节、中秋节（2025-10-01至2025-10-08）');
    expect(text).toContain('调休上班日2025-09-28（周日）、2025-10-11（周六）计为工作日');
    expect(text).toContain(`日历版本：${calendar.version}`);
  });

  test('shows each pause and the working days it took out', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2025-09-15'), pause('2025-09-26', '2025-10-10')]);
    // 09-26, 09-28 (Sunday worked), 09-29, 09-30, 10-09, 10-10: six working days
    expect(clock.explanation).toContain('征求意见：2025-09-26至2025-10-10暂停计算，其间6个工作日不计入答复期限。');
  });

  test('says a result is provisional and names the missing year', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2026-12-10')]);
    expect(clock.explanation.join('\n')).toMatch(/2027年节假日安排尚未载入.*临时结果/);
    expect(clock.deadlines.find((d) => d.kind === 'reply')?.provisional).toBe(true);
    expect(clock.deadlines.find((d) => d.kind === 'correction-notice')?.provisional).toBe(false);
  });
});

describe('consultations', () => {
  test('a silent consultee gives an answer deadline, and the reply deadline is marked projected', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2026-05-06'), thirdParty('2026-05-08', '2026-05-11')]);
    expect(clock.deadlines.find((d) => d.kind === 'consultation-answer')).toMatchObject({ ref: 'c1', due: '2026-06-01', status: 'open' });
    expect(clock.deadlines.find((d) => d.kind === 'reply')).toMatchObject({ due: '2026-06-29', projected: true });
    expect(isPausedOn(clock, '2026-05-20')).toBe(true);
    expect(isPausedOn(clock, '2026-06-02')).toBe(false);
  });

  test('before the consultee has signed for the letter, the pause has no end and the reply due date is unknown', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2026-05-06'), thirdParty('2026-05-08')]);
    expect(clock.replyDue).toBeNull();
    expect(isPausedOn(clock, '2026-09-01')).toBe(true);
    const signed = computeClock(DEFAULT_CLOCK_RULES, calendar, [
      received('2026-05-06'),
      thirdParty('2026-05-08'),
      { type: 'consultation-letter-received', consultationId: 'c1', on: '2026-05-11' },
    ]);
    expect(signed.replyDue).toBe('2026-06-29');
  });

  test('a co-maker consultation and a third-party one may overlap', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [
      received('2026-05-06'),
      thirdParty('2026-05-08', '2026-05-11', 'tp'),
      { type: 'consultation-answered', consultationId: 'tp', on: '2026-05-14' },
      { type: 'consultation-started', consultationId: 'cm', kind: 'co-maker', letterSentOn: '2026-05-12', consulteeReceivedOn: '2026-05-12' },
      { type: 'consultation-answered', consultationId: 'cm', on: '2026-05-20' },
    ]);
    // not counted: 05-08 .. 05-20 (the union); counted 05-07 = 1, then 05-21 = 2 ... 06-15 = 19, 06-16 = 20
    expect(clock.replyDue).toBe('2026-06-16');
  });

  test('the pause may start on the consultee’s receipt instead (configurable, UNCONFIRMED)', () => {
    const rules = clockRulesSchema.parse({ consultationPauseStartsOn: 'consultee-received' });
    const clock = computeClock(rules, calendar, [received('2026-05-06'), thirdParty('2026-05-08', '2026-05-11')]);
    // 05-07, 05-08 and make-up Saturday 05-09 counted; paused 05-11..06-01; 06-02 = 4 ... 06-25 = 20 (06-19 is 端午)
    expect(clock.replyDue).toBe('2026-06-25');
  });
});

describe('rules the clock enforces', () => {
  test('extensions beyond 20 working days in total are refused', () => {
    expect(() =>
      computeClock(DEFAULT_CLOCK_RULES, calendar, [
        received('2025-03-03'),
        { type: 'extension-approved', on: '2025-03-20', workingDays: 15 },
        { type: 'extension-approved', on: '2025-04-01', workingDays: 6 },
      ]),
    ).toThrow(ClockRuleError);
  });

  test('an extension approved after the due day is refused; on the due day it is accepted', () => {
    const late = [received('2025-03-03'), { type: 'extension-approved', on: '2025-04-01', workingDays: 10 } as ClockEvent];
    expect(() => computeClock(DEFAULT_CLOCK_RULES, calendar, late)).toThrow(/2025-03-31/);
    const onTheDay = [received('2025-03-03'), { type: 'extension-approved', on: '2025-03-31', workingDays: 10 } as ClockEvent];
    expect(computeClock(DEFAULT_CLOCK_RULES, calendar, onTheDay).replyDue).toBe('2025-04-15');
  });

  test('recomputing stored events under a newer calendar does not re-judge an extension approved in time', () => {
    // Approved on its due day, 2025-03-31; a calendar in which that day lies after the due day must not break the case.
    const events: ClockEvent[] = [received('2025-03-03'), { type: 'extension-approved', on: '2025-03-31', workingDays: 10 }];
    const earlier = { ...calendar, version: 'test-earlier', years: { ...calendar.years, 2025: { ...calendar.years[2025]!, workingWeekends: { ...calendar.years[2025]!.workingWeekends, '2025-03-08': '测试', '2025-03-15': '测试' } } } };
    expect(() => computeClock(DEFAULT_CLOCK_RULES, earlier, events)).toThrow(ClockRuleError);
    expect(computeClock(DEFAULT_CLOCK_RULES, earlier, events, { recheckTimeliness: false }).replyDue).toBe('2025-04-11');
  });

  test('a second correction request and a correction without a request are refused', () => {
    expect(() =>
      computeClock(DEFAULT_CLOCK_RULES, calendar, [
        received('2025-04-01'),
        { type: 'correction-requested', on: '2025-04-03' },
        { type: 'correction-requested', on: '2025-04-08' },
      ]),
    ).toThrow(ClockRuleError);
    expect(() => computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2025-04-01'), { type: 'correction-received', on: '2025-04-08' }])).toThrow(ClockRuleError);
  });

  test('while a correction is awaited, the reply clock does not run', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2025-04-01'), { type: 'correction-requested', on: '2025-04-03', applicantDueOn: '2025-04-18' }]);
    expect(clock.replyDue).toBeNull();
    expect(clock.deadlines.map((d) => [d.kind, d.due, d.status])).toEqual([
      ['correction-notice', '2025-04-11', 'met'],
      ['applicant-correction', '2025-04-18', 'open'],
    ]);
  });

  test('an Art. 35 agency-set deadline replaces the reply deadline', () => {
    const clock = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2025-03-03'), { type: 'agency-deadline-set', on: '2025-03-10', due: '2025-06-30' }]);
    expect(clock.replyDue).toBe('2025-06-30');
    expect(clock.explanation.join('')).toContain('第三十五条');
  });

  test('with the fee rule off, a fee notice does not pause the clock', () => {
    const rules = clockRulesSchema.parse({ feeNoticePausesClock: false });
    const clock = computeClock(rules, calendar, [received('2026-03-02'), { type: 'fee-notice-sent', on: '2026-03-10' }]);
    expect(clock.replyDue).toBe('2026-03-30');
  });

  test('dispatch stops the clock and says whether the reply was on time', () => {
    const onTime = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2025-09-25'), { type: 'reply-dispatched', on: '2025-10-29' }]);
    expect(onTime.deadlines.find((d) => d.kind === 'reply')?.status).toBe('met');
    const late = computeClock(DEFAULT_CLOCK_RULES, calendar, [received('2025-09-25'), { type: 'reply-dispatched', on: '2025-10-30' }]);
    expect(late.deadlines.find((d) => d.kind === 'reply')?.status).toBe('late');
    expect(late.dispatchedOn).toBe('2025-10-30');
  });

  test('the clock needs a receipt date', () => {
    expect(() => computeClock(DEFAULT_CLOCK_RULES, calendar, [])).toThrow(ClockRuleError);
  });
});
