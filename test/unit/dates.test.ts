import { beijingDateOf, beijingDateTimeOf, beijingTimeOnMs, dayOfWeek, endOfBeijingDayMs, isIsoDate } from '../../domain/dates';

// Expected instants are written as UTC strings (Beijing is UTC+8, no daylight saving) and read by Date.parse,
// which is not the code under test.
const utc = (iso: string): number => Date.parse(iso);

describe('beijingDateOf', () => {
  test.each([
    ['2026-11-27T10:15:00+08:00', '2026-11-27'],
    ['2026-11-27T23:59:59.999+08:00', '2026-11-27'],
    ['2026-11-27T15:59:59Z', '2026-11-27'], // 23:59:59 in Beijing
    ['2026-11-27T16:00:00Z', '2026-11-28'], // midnight in Beijing
    ['2026-11-27T23:30:00-05:00', '2026-11-28'], // still the 27th in New York, 12:30 on the 28th in Beijing
    ['2026-11-28T00:30:00+09:00', '2026-11-27'], // already the 28th in Tokyo, 23:30 on the 27th in Beijing
    ['2026-11-28T01:00:00+09:00', '2026-11-28'],
    ['2025-12-31T16:00:00Z', '2026-01-01'],
    ['2024-02-28T16:00Z', '2024-02-29'],
  ])('%s falls on %s in Beijing', (instant, date) => {
    expect(beijingDateOf(instant)).toBe(date);
  });

  test.each([
    ['2026-11-27T10:15:00+0800', 'offset without a colon'],
    ['2026-11-27T10:15:00', 'no offset'],
    ['2026-11-27', 'a date, not an instant'],
    ['2026-02-30T10:15:00+08:00', 'February 30 (Date.parse would roll it over to March 2)'],
    ['2025-02-29T10:15:00+08:00', '29 February of a common year'],
    ['2026-11-27T24:00:00+08:00', 'hour 24'],
    ['2026-11-27 10:15:00+08:00', 'space instead of T'],
    ['', 'empty'],
  ])('refuses %j (%s) with a RangeError that does not repeat it', (instant) => {
    let thrown: unknown;
    try {
      beijingDateOf(instant);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    if (instant) expect((thrown as RangeError).message).not.toContain(instant);
  });
});

describe('endOfBeijingDayMs', () => {
  test('is midnight at the start of the next Beijing day', () => {
    expect(endOfBeijingDayMs('1970-01-01')).toBe(16 * 3_600_000);
    expect(endOfBeijingDayMs('2026-11-27')).toBe(utc('2026-11-27T16:00:00Z'));
    expect(endOfBeijingDayMs('2024-02-28')).toBe(utc('2024-02-28T16:00:00Z'));
    expect(endOfBeijingDayMs('2025-12-31')).toBe(utc('2025-12-31T16:00:00Z'));
  });

  test('refuses a date that does not exist', () => {
    expect(() => endOfBeijingDayMs('2025-02-29')).toThrow(RangeError);
  });
});

describe('beijingTimeOnMs', () => {
  test('is the given time of day in Beijing', () => {
    expect(beijingTimeOnMs('1970-01-01', '08:00')).toBe(0);
    expect(beijingTimeOnMs('2026-11-27', '09:30')).toBe(utc('2026-11-27T01:30:00Z'));
    expect(beijingTimeOnMs('2026-01-01', '00:00')).toBe(utc('2025-12-31T16:00:00Z'));
    expect(beijingTimeOnMs('2026-11-27', '23:59')).toBe(utc('2026-11-27T15:59:00Z'));
  });

  test.each(['9:30', '09:30:00', '0930', ''])('refuses time of day %j', (hhmm) => {
    expect(() => beijingTimeOnMs('2026-11-27', hhmm)).toThrow(RangeError);
  });

  test('refuses a date that does not exist', () => {
    expect(() => beijingTimeOnMs('2026-04-31', '09:30')).toThrow(RangeError);
  });
});

describe('dayOfWeek (0 = Sunday)', () => {
  test.each([
    ['1970-01-01', 4], // Thursday
    ['1969-12-31', 3], // Wednesday, before the epoch
    ['2000-01-01', 6], // Saturday
    ['2024-02-29', 4], // Thursday
    ['2025-10-11', 6], // Saturday (a make-up working day)
    ['2026-11-27', 5], // Friday
  ])('%s is day %i', (date, day) => {
    expect(dayOfWeek(date)).toBe(day);
  });
});

describe('isIsoDate', () => {
  test.each([
    ['2024-02-29', true], // leap year
    ['2000-02-29', true], // divisible by 400
    ['2026-11-27', true],
    ['2025-02-29', false], // common year
    ['1900-02-29', false], // divisible by 100, not by 400
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-11-00', false],
    ['2026-1-27', false],
    ['2026-11-27T10:15:00+08:00', false],
    ['', false],
  ])('%j is a date: %s', (value, valid) => {
    expect(isIsoDate(value)).toBe(valid);
  });
});

test('an instant as Beijing wall-clock time', () => {
  expect(beijingDateTimeOf('2026-11-27T00:30:05Z')).toBe('2026-11-27 08:30:05');
  expect(beijingDateTimeOf('2026-12-31T23:59:59+08:00')).toBe('2026-12-31 23:59:59');
  expect(beijingDateTimeOf('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00:00');
});
