import { readFileSync } from 'node:fs';
import {
  buildCalendar,
  describeDay,
  holidayNoticeSchema,
  isWorkingDay,
  nthWorkingDayAfter,
  workingDaysBetween,
} from '../../domain/calendar';
import { addDays, fromEpochDay, toEpochDay } from '../../domain/dates';
import { shippedCalendar, shippedNoticePath } from '../helpers/calendar';
import { prng, randomInt } from '../helpers/random';

const calendar = shippedCalendar();
const noticeJson = (year: number): Record<string, unknown> => JSON.parse(readFileSync(shippedNoticePath(year), 'utf8'));

describe('working days per year (counted from the notices by hand: 251, 248, 248)', () => {
  test.each([
    [2024, 251],
    [2025, 248],
    [2026, 248],
  ])('%i has %i working days', (year, expected) => {
    expect(workingDaysBetween(calendar, `${year - 1}-12-31`, `${year}-12-31`)).toEqual({ count: expected, provisionalYears: [] });
  });
});

describe('days of the notices', () => {
  test.each([
    ['2025-10-11', true, 'working-weekend', '国庆节、中秋节'],
    ['2025-10-08', false, 'holiday', '国庆节、中秋节'],
    ['2026-02-14', true, 'working-weekend', '春节'],
    ['2026-02-21', false, 'holiday', '春节'], // a Saturday inside the holiday
    ['2026-02-24', true, 'weekday', undefined],
    ['2026-03-07', false, 'weekend', undefined],
    ['2024-06-10', false, 'holiday', '端午节'],
    ['2024-10-12', true, 'working-weekend', '国庆节'],
  ])('%s: working %s (%s)', (date, working, kind, holiday) => {
    expect(describeDay(calendar, date)).toEqual({ date, working, kind, provisional: false, ...(holiday ? { holiday } : {}) });
  });

  test('agrees with the chinese-days package on every date of 2024, 2025 and 2026', () => {
    // chinese-days formats with local getters; pin the zone its authors assume.
    process.env.TZ = 'Asia/Shanghai';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const chineseDays = require('chinese-days') as { isWorkday(date: string): boolean };
    const disagreements: string[] = [];
    for (let day = toEpochDay('2024-01-01'); day <= toEpochDay('2026-12-31'); day++) {
      const date = fromEpochDay(day);
      if (isWorkingDay(calendar, date) !== chineseDays.isWorkday(date)) disagreements.push(date);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('provisional years', () => {
  test('a year without a notice counts Monday to Friday and every result says which year it assumed', () => {
    expect(describeDay(calendar, '2027-01-01')).toEqual({ date: '2027-01-01', working: true, kind: 'weekday', provisional: true });
    expect(describeDay(calendar, '2027-01-02').working).toBe(false);
    expect(nthWorkingDayAfter(calendar, '2026-12-28', 5)).toEqual({ date: '2027-01-04', provisionalYears: [2027] }); // 12-29, 12-30, 12-31, 01-01 (assumed), 01-04
    expect(nthWorkingDayAfter(calendar, '2026-12-01', 5)).toEqual({ date: '2026-12-08', provisionalYears: [] });
  });

  test('loading the next year changes nothing that was computed from loaded years only', () => {
    const with2027 = buildCalendar([
      ...[2024, 2025, 2026].map((y) => holidayNoticeSchema.parse(noticeJson(y))),
      holidayNoticeSchema.parse({
        ...noticeJson(2026),
        year: 2027,
        holidays: [{ name: '元旦', off: ['2027-01-01', '2027-01-03'], workingWeekends: [] }],
      }),
    ]);
    expect(nthWorkingDayAfter(with2027, '2026-12-28', 5)).toEqual({ date: '2027-01-05', provisionalYears: [] }); // 01-01 is now a holiday
    expect(nthWorkingDayAfter(with2027, '2025-09-25', 20)).toEqual(nthWorkingDayAfter(calendar, '2025-09-25', 20));
    expect(with2027.version).not.toBe(calendar.version);
  });
});

describe('arithmetic properties (over 2024-01-01 .. 2026-10-31)', () => {
  const start = toEpochDay('2024-01-01');
  const span = toEpochDay('2026-10-31') - start;
  const random = prng(20261128);
  const samples = Array.from({ length: 400 }, () => fromEpochDay(start + randomInt(random, span)));
  const ns = Array.from({ length: 400 }, () => 1 + randomInt(random, 40));

  test('the n-th working day after d is a working day, after d, and exactly n working days away', () => {
    samples.forEach((date, i) => {
      const n = ns[i]!;
      const { date: nth } = nthWorkingDayAfter(calendar, date, n);
      expect(isWorkingDay(calendar, nth)).toBe(true);
      expect(nth > date).toBe(true);
      expect(workingDaysBetween(calendar, date, nth).count).toBe(n);
      expect(workingDaysBetween(calendar, date, addDays(nth, -1)).count).toBe(n - 1);
    });
  });

  test('periods compose: day a+b after d is day b after day a', () => {
    samples.forEach((date, i) => {
      const a = ns[i]!;
      const b = ns[(i + 1) % ns.length]!;
      const dayA = nthWorkingDayAfter(calendar, date, a).date;
      expect(nthWorkingDayAfter(calendar, date, a + b).date).toBe(nthWorkingDayAfter(calendar, dayA, b).date);
    });
  });

  test('the calendar survives a JSON round trip (workflow state) with identical results', () => {
    const copy = JSON.parse(JSON.stringify(calendar));
    samples.slice(0, 50).forEach((date, i) => {
      expect(nthWorkingDayAfter(copy, date, ns[i]!)).toEqual(nthWorkingDayAfter(calendar, date, ns[i]!));
    });
  });

  test('n must be a positive integer', () => {
    expect(() => nthWorkingDayAfter(calendar, '2025-01-01', 0)).toThrow(RangeError);
    expect(() => nthWorkingDayAfter(calendar, '2025-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('a notice is validated when loaded', () => {
  const base = noticeJson(2025);
  const problems = (notice: unknown): string[] => {
    const result = holidayNoticeSchema.safeParse(notice);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const withHolidays = (holidays: unknown[]): unknown => ({ ...base, holidays });

  test('the shipped notices are valid', () => {
    for (const year of [2024, 2025, 2026]) expect(problems(noticeJson(year))).toEqual([]);
  });

  test('a day off outside the notice year is refused', () => {
    expect(problems(withHolidays([{ name: '元旦', off: ['2024-12-31', '2025-01-01'], workingWeekends: [] }]))).toEqual([
      expect.stringMatching(/^holidays\.0\.off: 2024-12-31 不在 2025 年内/),
    ]);
  });

  test('a make-up working day that is not a weekend is refused', () => {
    expect(problems(withHolidays([{ name: '春节', off: ['2025-01-28', '2025-02-04'], workingWeekends: ['2025-02-07'] }]))).toEqual([
      expect.stringMatching(/^holidays\.0\.workingWeekends\.0: 2025-02-07 不是周末/),
    ]);
  });

  test('a date entered twice is refused', () => {
    const twice = withHolidays([
      { name: '劳动节', off: ['2025-05-01', '2025-05-05'], workingWeekends: [] },
      { name: '端午节', off: ['2025-05-05', '2025-05-06'], workingWeekends: [] },
    ]);
    expect(problems(twice)).toEqual([expect.stringMatching(/^holidays\.1\.off: 2025-05-05 重复/)]);
    const offAndWorking = withHolidays([{ name: '劳动节', off: ['2025-05-01', '2025-05-05'], workingWeekends: ['2025-05-03'] }]);
    expect(problems(offAndWorking)).toEqual([expect.stringMatching(/^holidays\.0\.workingWeekends\.0: 2025-05-03 重复/)]);
  });

  test('an impossible date and a reversed range are refused', () => {
    expect(problems(withHolidays([{ name: 'x', off: ['2025-02-29', '2025-03-01'], workingWeekends: [] }]))).toEqual([
      expect.stringMatching(/^holidays\.0\.off\.0:/),
    ]);
    expect(problems(withHolidays([{ name: 'x', off: ['2025-03-03', '2025-03-01'], workingWeekends: [] }]))).toEqual([
      expect.stringMatching(/^holidays\.0\.off: 放假起止日期颠倒/),
    ]);
  });

  test('two notices for the same year are refused', () => {
    const notice = holidayNoticeSchema.parse(base);
    expect(() => buildCalendar([notice, notice])).toThrow('two holiday notices for 2025');
  });
});
