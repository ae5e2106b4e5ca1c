import {
  isPlausibleOtherIdNumber,
  isPlausiblePassportNumber,
  isValidResidentIdNumber,
  isValidUnifiedSocialCreditCode,
  naturalPersonIdDocumentSchema,
  organisationIdDocumentSchema,
  residentIdCheckDigit,
  residentIdNumberProblem,
  unifiedSocialCreditCodeCheckCharacter,
  unifiedSocialCreditCodeProblem,
} from '../../domain/id-documents';
import { generateResidentIds, generateUsccs, referenceResidentCheck, USCC_SET } from '../helpers/id-numbers';

const replaceAt = (value: string, i: number, char: string): string => value.slice(0, i) + char + value.slice(i + 1);

describe('居民身份证号码 (GB 11643, ISO 7064 MOD 11-2)', () => {
  test('accepts the standard’s published examples, including check digit X', () => {
    expect(residentIdNumberProblem('11010519491231002X')).toBeUndefined();
    expect(residentIdNumberProblem('440524188001010014')).toBeUndefined();
    expect(residentIdCheckDigit('11010519491231002')).toBe('X');
    expect(residentIdCheckDigit('44052418800101001')).toBe('4');
  });

  test('property: 2,000 generated numbers with a correct check digit are all valid', () => {
    const ids = generateResidentIds(2000, 11643);
    expect(ids.filter((id) => !isValidResidentIdNumber(id))).toEqual([]);
    expect(ids.some((id) => id.endsWith('X'))).toBe(true);
  });

  test('property: every single-character corruption of 300 valid numbers is rejected', () => {
    const replacements = '0123456789XxA -';
    let checked = 0;
    const accepted: string[] = [];
    for (const id of generateResidentIds(300, 1999)) {
      for (let i = 0; i < 18; i++) {
        for (const char of replacements) {
          if (char === id[i]) continue;
          checked++;
          if (isValidResidentIdNumber(replaceAt(id, i, char))) accepted.push(replaceAt(id, i, char));
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(checked).toBeGreaterThan(300 * 18 * 13);
  });

  test('names what is wrong', () => {
    expect(residentIdNumberProblem('110105194912310021')).toBe('check-digit');
    expect(residentIdNumberProblem('11010519491231002')).toBe('length');
    expect(residentIdNumberProblem('11010519491231002X1')).toBe('length');
    expect(residentIdNumberProblem('11010519491231002x')).toBe('format');
    expect(residentIdNumberProblem('1101051949123100X2')).toBe('format');
  });

  test.each([
    ['19900230', 'February 30'],
    ['19000229', '1900 is not a leap year'],
    ['19901301', 'month 13'],
    ['19900100', 'day 0'],
    ['17991231', 'before 1800'],
  ])('rejects birth date %s (%s) even with a matching check digit', (birth) => {
    const first17 = `320102${birth}123`;
    expect(residentIdNumberProblem(first17 + referenceResidentCheck(first17))).toBe('birth-date');
  });

  test('accepts 29 February of a leap year', () => {
    const first17 = '32010220000229123';
    expect(residentIdNumberProblem(first17 + referenceResidentCheck(first17))).toBeUndefined();
  });
});

describe('统一社会信用代码 (GB 32100-2015, MOD 31)', () => {
  test.each(['91350100M000100Y43', '12100000400000624D', '91110000802100433B'])('accepts published code %s', (code) => {
    expect(unifiedSocialCreditCodeProblem(code)).toBeUndefined();
  });

  test('computes the check character', () => {
    expect(unifiedSocialCreditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(unifiedSocialCreditCodeCheckCharacter('12100000400000624')).toBe('D');
  });

  test('property: 2,000 generated codes with a correct check character are all valid', () => {
    const codes = generateUsccs(2000, 32100);
    expect(codes.filter((code) => !isValidUnifiedSocialCreditCode(code))).toEqual([]);
    expect(codes.some((code) => code.endsWith('0'))).toBe(true);
  });

  test('property: every single-character corruption of 200 valid codes is rejected', () => {
    const replacements = `${USCC_SET}IOZSVa -`;
    const accepted: string[] = [];
    for (const code of generateUsccs(200, 2015)) {
      for (let i = 0; i < 18; i++) {
        for (const char of replacements) {
          if (char !== code[i] && isValidUnifiedSocialCreditCode(replaceAt(code, i, char))) accepted.push(replaceAt(code, i, char));
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  test('names what is wrong', () => {
    expect(unifiedSocialCreditCodeProblem('91350100M000100Y44')).toBe('check-character');
    expect(unifiedSocialCreditCodeProblem('91350100M000100Y4')).toBe('length');
    expect(unifiedSocialCreditCodeProblem('91350100M000I00Y43')).toBe('charset');
    expect(unifiedSocialCreditCodeProblem('91350100m000100Y43')).toBe('charset');
  });
});

describe('documents without a check character', () => {
  test.each(['E12345678', 'EA1234567', 'G1234567', 'X1234'])('passport number %s is plausible', (number) => {
    expect(isPlausiblePassportNumber(number)).toBe(true);
  });

  test.each(['E123', 'E1234567890123456789X', 'E-1234567', 'e12345678'])('passport number %s is not', (number) => {
    expect(isPlausiblePassportNumber(number)).toBe(false);
  });

  test.each(['南字第123456号', 'H12345678', '12-3456 (A)'])('other document number %s is plausible', (number) => {
    expect(isPlausibleOtherIdNumber(number)).toBe(true);
  });

  test.each(['1', '-12345', '12345\n6', 'A'.repeat(41)])('other document number %j is not', (number) => {
    expect(isPlausibleOtherIdNumber(number)).toBe(false);
  });
});

describe('identity document schemas', () => {
  test('normalise full-width characters, spaces and a lower-case x before checking', () => {
    const parsed = naturalPersonIdDocumentSchema.parse({ kind: 'resident-id-card', number: ' １１０１０５ 19491231 002ｘ ' });
    expect(parsed).toEqual({ kind: 'resident-id-card', number: '11010519491231002X' });
    expect(organisationIdDocumentSchema.parse({ kind: 'unified-social-credit-code', number: '91350100m000100y43' })).toEqual({
      kind: 'unified-social-credit-code',
      number: '91350100M000100Y43',
    });
  });

  test('a natural person cannot give a credit code, an organisation neither an ID card nor a passport', () => {
    const uscc = { kind: 'unified-social-credit-code', number: '91350100M000100Y43' };
    expect(naturalPersonIdDocumentSchema.safeParse(uscc).error?.issues[0]?.message).toMatch(/^自然人的身份证明应为/);
    for (const document of [
      { kind: 'resident-id-card', number: '11010519491231002X' },
      { kind: 'passport', number: 'E12345678' },
    ]) {
      const issue = organisationIdDocumentSchema.safeParse(document).error?.issues[0];
      expect(issue?.path).toEqual(['kind']);
      expect(issue?.message).toMatch(/^法人或其他组织的身份证明应为/);
    }
  });

  test('an "other" document needs its name', () => {
    const result = naturalPersonIdDocumentSchema.safeParse({ kind: 'other', number: 'H12345678' });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['kindName']]);
    expect(
      naturalPersonIdDocumentSchema.parse({ kind: 'other', kindName: '港澳居民来往内地通行证', number: 'H12345678' }),
    ).toEqual({ kind: 'other', kindName: '港澳居民来往内地通行证', number: 'H12345678' });
  });

  test('refuses an oversize number with a single length problem', () => {
    const result = naturalPersonIdDocumentSchema.safeParse({ kind: 'resident-id-card', number: '1'.repeat(1_000_000) });
    expect(result.error?.issues.map((issue) => issue.code)).toEqual(['too_big']);
  });
});
