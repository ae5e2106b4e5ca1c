import type { ActionPayload, SupportedAction } from './case-actions';
import { type IsoDate, isIsoDate } from './dates';
import { REGULATION_TITLE, type RegulationCitation } from './exemptions';
import { PROCEDURAL_NOTICE_LABELS, PROCEDURAL_NOTICE_TYPES } from './gongkai-config';
import { REPLY_DOCUMENT_LABELS, REPLY_DOCUMENT_TYPES, type RemedyClauseKind, type ReplyDocumentType } from './outcomes';

// The letters a case produces — to the applicant, to a consulted third party or co-maker agency — as one typed
// model whose elements follow the order of the reply letter (legal.md §2.4). Templates (templates/letters/) fill it;
// renderers (DOCX, PDF, plain text) lay it out and never add or reorder wording, except that the attachment note
// stands between the body and the signature block, as GB/T 9704—2012 §7.3.4 places it.

/** Procedural documents beyond the numbered notices: the receipt, and the notice of disclosure despite objection. */
export const OTHER_PROCEDURAL_TYPES = ['receipt', 'third-party-disclosure-notice'] as const;

/** Every document type a case can produce: procedural notices first, then one reply per reply document type. */
export const LETTER_TYPES = [...OTHER_PROCEDURAL_TYPES, ...PROCEDURAL_NOTICE_TYPES, ...REPLY_DOCUMENT_TYPES] as const;
export type LetterType = (typeof LETTER_TYPES)[number];

/** The procedural letters: everything but the replies. */
export type NoticeLetterType = Exclude<LetterType, ReplyDocumentType>;

/** Whom a letter is addressed to: the applicant, or a consulted third party or co-maker agency. */
export type LetterAddressee = 'applicant' | 'third-party' | 'co-maker';
const ADDRESSEE_OF_NOTICE: Record<NoticeLetterType, LetterAddressee> = {
  receipt: 'applicant',
  'correction-notice': 'applicant',
  'reasons-request': 'applicant',
  'extension-notice': 'applicant',
  'consultation-notice': 'applicant',
  'fee-notice': 'applicant',
  'third-party-consultation': 'third-party',
  'third-party-disclosure-notice': 'third-party',
  'co-maker-consultation': 'co-maker',
};
export const addresseeOf = (type: LetterType): LetterAddressee => (type in ADDRESSEE_OF_NOTICE ? ADDRESSEE_OF_NOTICE[type as NoticeLetterType] : 'applicant');

/**
 * The letters an act issues, in order (the receipt is issued when the receipt date is known, not by an act of
 * this list). A consultation writes to the consultee and tells the applicant that the clock pauses (Art. 33(3)).
 */
export function noticesOf(action: SupportedAction, payload: unknown): NoticeLetterType[] {
  switch (action) {
    case 'request-correction':
      return ['correction-notice'];
    case 'request-reasons':
      return ['reasons-request'];
    case 'approve-extension':
      return (payload as ActionPayload<'approve-extension'>).decision === 'approve' ? ['extension-notice'] : [];
    case 'start-third-party-consultation':
      return ['third-party-consultation', 'consultation-notice'];
    case 'start-co-maker-consultation':
      return ['co-maker-consultation', 'consultation-notice'];
    case 'notify-third-party-of-disclosure':
      return ['third-party-disclosure-notice'];
    case 'send-fee-notice':
      return ['fee-notice'];
    default:
      return [];
  }
}

/** The date a notice of `noticesOf` bears: the day the act says it was sent (or the extension approved). */
export function noticeDateOf(action: SupportedAction, payload: unknown): IsoDate | undefined {
  const dates = payload as { sentOn?: IsoDate; letterSentOn?: IsoDate; approvedOn?: IsoDate };
  return action === 'approve-extension' ? dates.approvedOn : (dates.sentOn ?? dates.letterSentOn);
}

/** A letter's elements, in the order they appear on the page. */
export interface LetterDocument {
  letterType: LetterType;
  /** `{机关}政府信息公开申请答复书`, or the notice's own title. */
  title: string;
  /** `代字〔年份〕N号`, allocated at sign-off; null only for a document that is not numbered (the receipt). */
  documentNumber: string | null;
  /** The salutation with its colon: `张三：`, `某某有限公司：`. */
  salutation: string;
  /** Paragraphs: the receipt date and the request (and correction, extension, consultation where they happened). */
  recital: string[];
  /** `现答复如下：`, or null for a notice that answers nothing. */
  transition: string | null;
  /** Paragraphs: the decision with its facts. */
  decision: string[];
  /** Paragraphs citing article and item: `根据《中华人民共和国政府信息公开条例》第三十六条第（二）项之规定，……`. */
  legalBasis: string[];
  /** Paragraphs: how and when the information is provided; empty where nothing is provided. */
  provision: string[];
  /** Paragraphs: the remedy clause (review body, court, 60 days / 6 months, 复议前置 where required); empty for notices without one. */
  remedy: string[];
  /** The signature block: the agency's full name, above the seal. */
  agency: string;
  /** Stands where the seal (印章) is affixed. */
  sealPlaceholder: string;
  /** 成文日期 written out: `二〇二六年十一月二十八日`. */
  date: string;
  /** Attachment titles, numbered in the letter (`附件：1. ……`), printed after the body and before the signature block. */
  attachments: string[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Wording every letter shares: dates and numbers written out, citations, the remedy clause. Pure, so templates'
// builders, the workflow and tests all say it the same way.

/** Which letters carry a document number (文号): all but the receipt. */
export const UNNUMBERED_LETTER_TYPES: readonly LetterType[] = ['receipt'];
export const isNumberedLetterType = (type: LetterType): boolean => !UNNUMBERED_LETTER_TYPES.includes(type);

/** Replies answer the request (`现答复如下：`); notices tell or ask something on the way. */
export const isReplyLetterType = (type: LetterType): type is ReplyDocumentType =>
  (REPLY_DOCUMENT_TYPES as readonly string[]).includes(type);

/** What each letter is, for lists (the case view, the samples); a reply's own title names the agency. */
export const LETTER_TYPE_LABELS: Record<LetterType, string> = {
  receipt: '政府信息公开申请接收回执',
  'third-party-disclosure-notice': '政府信息依申请公开告知书（给第三方）',
  ...PROCEDURAL_NOTICE_LABELS,
  ...Object.fromEntries(
    REPLY_DOCUMENT_TYPES.map((type) => [type, `政府信息公开申请答复书（${REPLY_DOCUMENT_LABELS[type]}）`]),
  ),
} as Record<LetterType, string>;

const DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;
const digit = (d: number): string => DIGITS[d] ?? '';

/** 1–999 as counted in Chinese: 7 → 七, 10 → 十, 36 → 三十六, 100 → 一百, 101 → 一百零一, 110 → 一百一十. */
export function chineseCount(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 999) throw new RangeError('chineseCount supports 1-999');
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor(n / 10) % 10;
  const units = n % 10;
  if (hundreds === 0) {
    const tensText = tens === 0 ? '' : tens === 1 ? '十' : `${digit(tens)}十`;
    return tensText + (units === 0 ? '' : digit(units));
  }
  const rest = n % 100;
  if (rest === 0) return `${digit(hundreds)}百`;
  // Inside a larger number ten is 一十 (一百一十), and a missing ten is 零 (一百零一).
  const tensText = tens === 0 ? '零' : `${digit(tens)}十`;
  return `${digit(hundreds)}百${tensText}${units === 0 ? '' : digit(units)}`;
}

/** `2026-11-28` → `二〇二六年十一月二十八日`: the year digit by digit, month and day counted (GB/T 9704 成文日期). */
export function chineseDate(date: IsoDate): string {
  if (!isIsoDate(date)) throw new RangeError(`not a valid YYYY-MM-DD date: ${JSON.stringify(date).slice(0, 20)}`);
  const [year = '', month = '', day = ''] = date.split('-');
  const yearText = [...year].map((d) => digit(Number(d))).join('');
  return `${yearText}年${chineseCount(Number(month))}月${chineseCount(Number(day))}日`;
}

/** `二十八` → 28, `十一` → 11, `九` → 9, `28` → 28; undefined for anything else. */
function smallNumberOf(text: string): number | undefined {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const digitOf = (c: string): number | undefined => (c === '零' ? 0 : c.length === 1 && DIGITS.includes(c as never) ? DIGITS.indexOf(c as (typeof DIGITS)[number]) : undefined);
  const ten = text.indexOf('十');
  if (ten < 0) return digitOf(text);
  const tens = ten === 0 ? 1 : digitOf(text.slice(0, ten));
  const units = ten === text.length - 1 ? 0 : digitOf(text.slice(ten + 1));
  return tens === undefined || units === undefined ? undefined : tens * 10 + units;
}

/** The inverse of chineseDate: `二〇二六年十一月二十八日` (or `2026年11月28日`) → `2026-11-28`; undefined if it is none. */
export function isoDateOfWrittenDate(text: string): IsoDate | undefined {
  const match = /^\s*([〇零一二三四五六七八九]{4}|\d{4})年(.{1,3})月(.{1,3})日\s*$/u.exec(text);
  if (!match) return undefined;
  const year = [...match[1]!].map((c) => (/\d/.test(c) ? c : String(c === '零' ? 0 : DIGITS.indexOf(c as (typeof DIGITS)[number])))).join('');
  const month = smallNumberOf(match[2]!);
  const day = smallNumberOf(match[3]!);
  if (month === undefined || day === undefined) return undefined;
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return isIsoDate(date) ? date : undefined;
}

/** A date as chineseDate writes it, for checking contexts that carry dates already written out. */
export const CHINESE_DATE_PATTERN = /^[〇一二三四五六七八九]{4}年(?:十[一二]?|[一二三四五六七八九])月(?:[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])日$/;

/** The Regulation; the Administrative Review Law cited by the 复议前置 wording. */
export const ADMINISTRATIVE_REVIEW_LAW_TITLE = '《中华人民共和国行政复议法》';
/** 行政复议法 Art. 23(1)(4): "申请政府信息公开，行政机关不予公开" must go to review before court (legal.md §1.15). */
export const REVIEW_FIRST_CITATION: RegulationCitation = { article: 23, paragraph: 1, item: 4 };

/** `第三十六条第（二）项`, `第十六条第二款`, `第二十三条第一款第（四）项`. */
export function formatArticle(citation: RegulationCitation): string {
  const paragraph = citation.paragraph === undefined ? '' : `第${chineseCount(citation.paragraph)}款`;
  const item = citation.item === undefined ? '' : `第（${chineseCount(citation.item)}）项`;
  return `第${chineseCount(citation.article)}条${paragraph}${item}`;
}

/** `《中华人民共和国政府信息公开条例》第三十六条第（二）项`. */
export const formatCitation = (citation: RegulationCitation, lawTitle: string = REGULATION_TITLE): string =>
  lawTitle + formatArticle(citation);

/** Several provisions of one law, the title written once: `《…条例》第十五条、第三十六条第（三）项`; repeats dropped. */
export function formatCitations(citations: readonly RegulationCitation[], lawTitle: string = REGULATION_TITLE): string {
  if (citations.length === 0) throw new RangeError('formatCitations needs at least one citation');
  const articles = [...new Set(citations.map(formatArticle))];
  return lawTitle + articles.join('、');
}

/** The agency's configured review bodies and court (gongkai-config `remedy`). */
export interface RemedyClauseSettings {
  reviewBodies: readonly string[];
  court: string;
}

/** What the clause is about: a reply (`本答复` / `本答复书`), or the decision a notice tells of. */
export interface RemedyClauseWording {
  /** The act that can be challenged: `本答复`, `本机关公开上述政府信息的决定`. */
  act: string;
  /** The document whose receipt starts the periods: `本答复书`, `本告知书`. */
  document: string;
}
export const REPLY_REMEDY_WORDING: RemedyClauseWording = { act: '本答复', document: '本答复书' };

/** `甲`, `甲或者乙`, `甲、乙或者丙`. */
function eitherOf(names: readonly string[]): string {
  if (names.length === 0) throw new RangeError('at least one review body is needed');
  const last = names[names.length - 1] ?? '';
  return names.length === 1 ? last : `${names.slice(0, -1).join('、')}或者${last}`;
}

/**
 * The remedy clause (救济条款) as paragraphs: 60 days to apply for review to the configured body or bodies
 * (行政复议法 Art. 20), 6 months to sue in the configured court (行政诉讼法 Art. 46); where review must come first
 * (复议前置, 行政复议法 Art. 23(1)(4), with the duty to say so in 23(2)), review first and then court within 15 days
 * of the review decision (行政诉讼法 Art. 45) — for the whole reply, or for its withheld part only.
 */
export function remedyClauseParagraphs(
  kind: RemedyClauseKind,
  settings: RemedyClauseSettings,
  wording: RemedyClauseWording = REPLY_REMEDY_WORDING,
): string[] {
  const bodies = eitherOf(settings.reviewBodies);
  const reviewOrSuit = (what: string) =>
    `如对${what}不服，可以自收到${wording.document}之日起六十日内向${bodies}申请行政复议，` +
    `或者自收到${wording.document}之日起六个月内向${settings.court}提起行政诉讼。`;
  const reviewFirst = (what: string) =>
    `如对${what}不服，根据${formatCitation(REVIEW_FIRST_CITATION, ADMINISTRATIVE_REVIEW_LAW_TITLE)}的规定，` +
    `应当自收到${wording.document}之日起六十日内先向${bodies}申请行政复议；` +
    '对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。';
  switch (kind) {
    case 'review-or-suit':
      return [reviewOrSuit(wording.act)];
    case 'review-first':
      return [reviewFirst(wording.act)];
    case 'review-first-for-withheld-part':
      return [reviewFirst(`${wording.act}中不予公开的部分`), reviewOrSuit(`${wording.act}的其他内容`)];
  }
}
