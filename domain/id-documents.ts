import { z } from 'zod';
import { onlyForUnknownKind } from './validation';

/**
 * 身份证明 (Art. 29(1)): the identity documents an applicant may give, and their number checks.
 * 居民身份证 and 统一社会信用代码 carry a check character, so a typing error is caught at intake;
 * passports and other documents are only checked for length and characters.
 */

export const ID_DOCUMENT_KINDS = ['resident-id-card', 'unified-social-credit-code', 'passport', 'other'] as const;
export type IdDocumentKind = (typeof ID_DOCUMENT_KINDS)[number];

export const ID_DOCUMENT_KIND_LABELS: Record<IdDocumentKind, string> = {
  'resident-id-card': '居民身份证',
  'unified-social-credit-code': '统一社会信用代码',
  passport: '护照',
  other: '其他身份证明',
};

/** Longest number accepted before any check runs, so an oversize value is refused without being scanned further. */
export const MAX_ID_NUMBER_LENGTH = 40;
/** Longest name of an "other" document, e.g. 港澳居民来往内地通行证. */
export const MAX_ID_KIND_NAME_LENGTH = 30;

// ---------------------------------------------------------------------------------------------------------------
// 居民身份证号码 — GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check.

export const RESIDENT_ID_PROBLEMS = ['length', 'format', 'birth-date', 'check-digit'] as const;
export type ResidentIdProblem = (typeof RESIDENT_ID_PROBLEMS)[number];

export const RESIDENT_ID_PROBLEM_MESSAGES: Record<ResidentIdProblem, string> = {
  length: '居民身份证号码应为18位 / must be 18 characters',
  format: '居民身份证号码前17位应为数字、末位为数字或X / first 17 characters must be digits, the last a digit or X',
  'birth-date': '居民身份证号码中的出生日期不是有效日期 / the birth date part is not a real date',
  'check-digit': '居民身份证号码校验码不正确 / check digit does not match',
};

/** Weight of position i is 2^(17-i) mod 11 (ISO 7064 MOD 11-2). */
const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character indexed by (weighted sum mod 11); 'X' stands for 10. */
const RESIDENT_ID_CHECK_CHARS = '10X98765432';
/** No one alive was born earlier; older "birth dates" are typing errors. */
export const EARLIEST_RESIDENT_ID_BIRTH_YEAR = 1800;

/** Why `value` is not a valid 18-character 居民身份证号码, or undefined when it is. Expects upper-case 'X'. */
export function residentIdNumberProblem(value: string): ResidentIdProblem | undefined {
  if (value.length !== 18) return 'length';
  if (!/^\d{17}[\dX]$/.test(value)) return 'format';
  if (!isRealDate(Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14)))) {
    return 'birth-date';
  }
  return residentIdCheckDigit(value.slice(0, 17)) === value[17] ? undefined : 'check-digit';
}

export const isValidResidentIdNumber = (value: string): boolean => residentIdNumberProblem(value) === undefined;

/** The check digit ('0'-'9' or 'X') for the first 17 digits of a 居民身份证号码. */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('expected 17 digits');
  let sum = 0;
  RESIDENT_ID_WEIGHTS.forEach((weight, i) => (sum += Number(first17[i]) * weight));
  return RESIDENT_ID_CHECK_CHARS.charAt(sum % 11);
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < EARLIEST_RESIDENT_ID_BIRTH_YEAR || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= daysInMonth;
}

// ---------------------------------------------------------------------------------------------------------------
// 统一社会信用代码 — GB 32100-2015: 18 characters from a 31-character set, the last a weighted MOD 31 check.

/** GB 32100-2015 character set: digits and capitals without I, O, Z, S, V; a character's value is its index. */
export const UNIFIED_SOCIAL_CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export const UNIFIED_SOCIAL_CREDIT_CODE_PROBLEMS = ['length', 'charset', 'check-character'] as const;
export type UnifiedSocialCreditCodeProblem = (typeof UNIFIED_SOCIAL_CREDIT_CODE_PROBLEMS)[number];

export const UNIFIED_SOCIAL_CREDIT_CODE_PROBLEM_MESSAGES: Record<UnifiedSocialCreditCodeProblem, string> = {
  length: '统一社会信用代码应为18位 / must be 18 characters',
  charset:
    '统一社会信用代码只能由数字和除I、O、Z、S、V以外的大写字母组成 / only digits and capital letters other than I, O, Z, S, V',
  'check-character': '统一社会信用代码校验码不正确 / check character does not match',
};

/** Weight of position i is 3^i mod 31. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** Why `value` is not a valid 统一社会信用代码, or undefined when it is. Expects upper case. */
export function unifiedSocialCreditCodeProblem(value: string): UnifiedSocialCreditCodeProblem | undefined {
  if (value.length !== 18) return 'length';
  if (![...value].every((char) => UNIFIED_SOCIAL_CREDIT_CODE_CHARSET.includes(char))) return 'charset';
  return unifiedSocialCreditCodeCheckCharacter(value.slice(0, 17)) === value[17] ? undefined : 'check-character';
}

export const isValidUnifiedSocialCreditCode = (value: string): boolean =>
  unifiedSocialCreditCodeProblem(value) === undefined;

/** The check character for the first 17 characters of a 统一社会信用代码. */
export function unifiedSocialCreditCodeCheckCharacter(first17: string): string {
  const values = [...first17].map((char) => UNIFIED_SOCIAL_CREDIT_CODE_CHARSET.indexOf(char));
  if (values.length !== 17 || values.includes(-1)) throw new RangeError('expected 17 characters of the GB 32100 set');
  let sum = 0;
  USCC_WEIGHTS.forEach((weight, i) => (sum += (values[i] ?? 0) * weight));
  return UNIFIED_SOCIAL_CREDIT_CODE_CHARSET.charAt((31 - (sum % 31)) % 31);
}

// ---------------------------------------------------------------------------------------------------------------
// Documents without a check character: sanity checks only.

export const PASSPORT_NUMBER_MESSAGE = '护照号码应为5至20位字母或数字 / must be 5-20 letters or digits';
export const isPlausiblePassportNumber = (value: string): boolean => /^[A-Z0-9]{5,20}$/.test(value);

export const OTHER_ID_NUMBER_MESSAGE =
  `证件号码应为2至${MAX_ID_NUMBER_LENGTH}位文字、字母或数字 / must be 2-${MAX_ID_NUMBER_LENGTH} letters or digits`;
/** Letters (incl. Chinese, e.g. 军官证 "南字第…号"), digits, and the separators seen on printed documents. */
export const isPlausibleOtherIdNumber = (value: string): boolean =>
  value.length >= 2 &&
  value.length <= MAX_ID_NUMBER_LENGTH &&
  /^[\p{L}\p{N}](?:[\p{L}\p{N} ()（）\-/·]*[\p{L}\p{N})）])?$/u.test(value);

// ---------------------------------------------------------------------------------------------------------------
// Schemas. Numbers are normalised first: full-width characters to ASCII (NFKC), and for the checked kinds
// spaces dropped and letters upper-cased, so "3201 0219…x" typed on a phone is accepted as it was meant.

const compactUpperNumber = () =>
  z
    .string()
    .max(MAX_ID_NUMBER_LENGTH, { abort: true })
    .normalize('NFKC')
    .overwrite((value) => value.replace(/\s+/g, '').toUpperCase());

export const residentIdDocumentSchema = z.strictObject({
  kind: z.literal('resident-id-card'),
  number: compactUpperNumber().superRefine((value, ctx) => {
    const problem = residentIdNumberProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: RESIDENT_ID_PROBLEM_MESSAGES[problem] });
  }),
});

export const unifiedSocialCreditCodeDocumentSchema = z.strictObject({
  kind: z.literal('unified-social-credit-code'),
  number: compactUpperNumber().superRefine((value, ctx) => {
    const problem = unifiedSocialCreditCodeProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: UNIFIED_SOCIAL_CREDIT_CODE_PROBLEM_MESSAGES[problem] });
  }),
});

export const passportDocumentSchema = z.strictObject({
  kind: z.literal('passport'),
  number: compactUpperNumber().refine(isPlausiblePassportNumber, PASSPORT_NUMBER_MESSAGE),
});

export const otherIdDocumentSchema = z.strictObject({
  kind: z.literal('other'),
  /** What the document is, e.g. 港澳居民来往内地通行证, 事业单位法人证书. */
  kindName: z
    .string()
    .max(MAX_ID_KIND_NAME_LENGTH, { abort: true })
    .normalize('NFKC')
    .trim()
    .min(1)
    .regex(/^[^\p{Cc}]*$/u, '不能含有控制字符 / must not contain control characters'),
  number: z
    .string()
    .max(MAX_ID_NUMBER_LENGTH, { abort: true })
    .normalize('NFKC')
    .trim()
    .refine(isPlausibleOtherIdNumber, OTHER_ID_NUMBER_MESSAGE),
});

/** A natural person (自然人) proves identity with a 居民身份证, a passport or another document. */
export const naturalPersonIdDocumentSchema = z.discriminatedUnion(
  'kind',
  [residentIdDocumentSchema, passportDocumentSchema, otherIdDocumentSchema],
  {
    error: onlyForUnknownKind(
      '自然人的身份证明应为居民身份证、护照或其他身份证明 / a natural person uses resident-id-card, passport or other',
    ),
  },
);

/** An organisation (法人或其他组织) gives its 统一社会信用代码, or another document if it has none. */
export const organisationIdDocumentSchema = z.discriminatedUnion(
  'kind',
  [unifiedSocialCreditCodeDocumentSchema, otherIdDocumentSchema],
  {
    error: onlyForUnknownKind(
      '法人或其他组织的身份证明应为统一社会信用代码或其他身份证明 / an organisation uses unified-social-credit-code or other',
    ),
  },
);

export type IdDocument = z.output<typeof naturalPersonIdDocumentSchema> | z.output<typeof organisationIdDocumentSchema>;
