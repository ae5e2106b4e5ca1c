import { z } from 'zod';
import { CHINESE_DATE_PATTERN, type LetterType } from '../../domain/letters';

// The context of every letter template, checked before rendering: what each `templates/letters/<type>.hbs` may use.
// Values are final text (dates written out, citations formatted, remedy clause worded) so the templates stay
// logic-less. Every value is one line: a template's lines are the letter's paragraphs, and a value must not add one.

/** One line of text: no line break or other control character; trimmed, never empty. */
export const lineSchema = z
  .string()
  .max(4000)
  .trim()
  .min(1)
  .refine(
    (value) => !/[\p{Cc}\u2028\u2029]/u.test(value),
    '须为一行文字，不能含换行或控制字符 / must be one line without control characters',
  );

/** A full sentence, ending in its full stop, so that templates never print `。。` or none. */
export const sentenceSchema = lineSchema.refine(
  (value) => /[。！？]$/.test(value),
  '须为以句号结尾的完整句子 / must be a sentence ending in 。',
);

/** A date as `chineseDate` writes it: `二〇二六年十一月二十八日`. */
export const dateTextSchema = z
  .string()
  .regex(CHINESE_DATE_PATTERN, '应为中文日期，如二〇二六年十一月二十八日 / expected a date written out by chineseDate');

/** How the letter addresses its addressee: a person, an organisation, an agency. */
export const ADDRESS_FORMS = ['您', '贵单位', '贵机关'] as const;

const numbered = z.strictObject({ ordinal: z.number().int().min(1), text: lineSchema });

/** Every letter: the agency, its number, the addressee, the date and the attachments. */
const letterFields = {
  agencyName: lineSchema,
  documentNumber: lineSchema,
  addressee: lineSchema,
  you: z.enum(ADDRESS_FORMS),
  date: dateTextSchema,
  attachments: z.array(lineSchema).max(50),
};

/** Letters to the applicant: the receipt date and the request (partials/request-received.hbs). */
const applicantFields = {
  ...letterFields,
  receivedOn: dateTextSchema,
  requests: z.array(numbered).min(1).max(100),
};

/** What happened on the way, recited in replies (partials/case-history.hbs); null where it did not happen. */
const caseHistoryFields = {
  correction: z.strictObject({ noticeSentOn: dateTextSchema, receivedOn: dateTextSchema }).nullable(),
  extension: z.strictObject({ notifiedOn: dateTextSchema, dueOn: dateTextSchema }).nullable(),
  thirdPartyConsultedOn: dateTextSchema.nullable(),
  coMakerConsultedOn: dateTextSchema.nullable(),
};

/** Replies without a cited article (none governs their outcome): the recital's history and the remedy clause. */
const replyWithoutBasisFields = {
  ...applicantFields,
  ...caseHistoryFields,
  remedy: z.array(sentenceSchema).min(1).max(3),
};
/** Replies: also the cited provisions, `《…条例》第三十六条第（二）项`. */
const replyFields = { ...replyWithoutBasisFields, legalBasis: lineSchema };

/** Art. 40: the form and manner the information is provided in, and where and when to collect or inspect it. */
const provisionSchema = z.strictObject({
  form: lineSchema,
  manner: lineSchema,
  appointment: z.strictObject({ place: lineSchema, from: dateTextSchema, until: dateTextSchema }).nullable(),
});

/** A withheld part (不予公开部分): which request, which part, why, on which ground, citing article and item. */
const withheldPartSchema = z.strictObject({
  ordinal: z.number().int().min(1),
  request: lineSchema,
  scope: lineSchema,
  reason: sentenceSchema,
  /** The ground in the Regulation's words: `涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息`. */
  ground: lineSchema,
  citation: lineSchema,
});

const searchSchema = z.strictObject({
  searchedOn: dateTextSchema,
  places: lineSchema,
  keywords: lineSchema,
});

export const LETTER_CONTEXT_SCHEMAS = {
  // ---- procedural documents ----
  receipt: z.strictObject({
    ...applicantFields,
    documentNumber: z.null(),
    caseNumber: lineSchema,
    channel: lineSchema,
    replyDueOn: dateTextSchema,
    legalBasis: lineSchema,
  }),
  'third-party-disclosure-notice': z.strictObject({
    ...letterFields,
    receivedOn: dateTextSchema,
    about: lineSchema,
    consultedOn: dateTextSchema,
    objectedOn: dateTextSchema.nullable(),
    publicInterestReason: sentenceSchema,
    disclosedContent: lineSchema,
    disclosureFrom: dateTextSchema.nullable(),
    legalBasis: lineSchema,
    remedy: z.array(sentenceSchema).min(1).max(3),
  }),
  'correction-notice': z.strictObject({
    ...applicantFields,
    itemsToCorrect: z.array(numbered).min(1).max(30),
    dueOn: dateTextSchema,
    legalBasis: lineSchema,
  }),
  'reasons-request': z.strictObject({
    ...applicantFields,
    finding: sentenceSchema,
    reasonsDueOn: dateTextSchema.nullable(),
    legalBasis: lineSchema,
  }),
  'extension-notice': z.strictObject({
    ...applicantFields,
    reason: sentenceSchema,
    workingDays: z.number().int().min(1).max(20),
    approvedOn: dateTextSchema,
    dueOn: dateTextSchema,
    legalBasis: lineSchema,
  }),
  'third-party-consultation': z.strictObject({
    ...letterFields,
    receivedOn: dateTextSchema,
    about: lineSchema,
    interest: lineSchema,
    contact: lineSchema.nullable(),
    legalBasis: lineSchema,
  }),
  'co-maker-consultation': z.strictObject({
    ...letterFields,
    receivedOn: dateTextSchema,
    about: lineSchema,
    contact: lineSchema.nullable(),
    legalBasis: lineSchema,
  }),
  'consultation-notice': z.strictObject({
    ...applicantFields,
    /** true: a third party (Art. 32); false: the agencies that made the information together (Art. 34). */
    thirdParty: z.boolean(),
    consultedOn: dateTextSchema,
    legalBasis: lineSchema,
  }),
  'fee-notice': z.strictObject({
    ...applicantFields,
    /** Yuan with two decimals, as the fee decision states it: never computed by the template. */
    amount: z.string().regex(/^\d{1,7}\.\d{2}$/, '金额应为元，保留两位小数 / yuan with two decimals'),
    calculation: lineSchema,
    paymentMethod: lineSchema,
    paymentDueOn: dateTextSchema,
    legalBasis: lineSchema,
  }),

  // ---- replies (答复书), one per reply document type ----
  'already-public': z.strictObject({
    ...replyFields,
    publications: z.array(z.strictObject({ ordinal: z.number().int().min(1), request: lineSchema, location: lineSchema })).min(1),
  }),
  disclosure: z.strictObject({ ...replyFields, provision: provisionSchema }),
  'partial-disclosure': z.strictObject({
    ...replyFields,
    provision: provisionSchema,
    withheldParts: z.array(withheldPartSchema).min(1),
  }),
  'non-disclosure': z.strictObject({
    ...replyWithoutBasisFields,
    withheldParts: z.array(withheldPartSchema).min(1),
    notSeparable: z.array(z.strictObject({ request: lineSchema, reason: sentenceSchema })).min(1),
  }),
  'special-access-regime': z.strictObject({ ...replyFields, law: lineSchema, reason: sentenceSchema }),
  'not-held': z.strictObject({ ...replyFields, search: searchSchema, reason: sentenceSchema }),
  'not-this-agency': z.strictObject({
    ...replyFields,
    reason: sentenceSchema,
    responsibleAgency: lineSchema.nullable(),
    responsibleAgencyContact: lineSchema.nullable(),
  }),
  'requires-creation': z.strictObject({ ...replyFields, search: searchSchema, reason: sentenceSchema }),
  'unclear-after-correction': z.strictObject({
    ...replyFields,
    correction: z.strictObject({ noticeSentOn: dateTextSchema, receivedOn: dateTextSchema }),
    reason: sentenceSchema,
  }),
  'petition-or-complaint': z.strictObject({ ...replyFields, reason: sentenceSchema, channel: lineSchema.nullable() }),
  'repeat-request': z.strictObject({
    ...replyFields,
    earlierRepliedOn: dateTextSchema.nullable(),
    earlierReplyNumber: lineSchema.nullable(),
    reason: sentenceSchema,
  }),
  publication: z.strictObject({ ...replyFields, howToObtain: sentenceSchema }),
  'excessive-requests': z.strictObject({
    ...replyFields,
    reasonsRequestedOn: dateTextSchema,
    reasonsReceivedOn: dateTextSchema.nullable(),
    reason: sentenceSchema,
  }),
  'confirm-or-reissue': z.strictObject({ ...replyWithoutBasisFields, reason: sentenceSchema }),
  'not-corrected': z.strictObject({
    ...replyFields,
    correctionNotice: z.strictObject({ sentOn: dateTextSchema, dueOn: dateTextSchema }),
  }),
  'fee-not-paid': z.strictObject({
    ...replyFields,
    feeNotice: z.strictObject({
      sentOn: dateTextSchema,
      amount: z.string().regex(/^\d{1,7}\.\d{2}$/, '金额应为元，保留两位小数 / yuan with two decimals'),
      paymentDueOn: dateTextSchema,
    }),
  }),
  withdrawn: z.strictObject({ ...replyWithoutBasisFields, withdrawnOn: dateTextSchema, reason: sentenceSchema.nullable() }),
  'other-handling': z.strictObject({ ...replyWithoutBasisFields, reason: sentenceSchema }),
} as const satisfies Record<LetterType, z.ZodType>;

export type LetterContextSchemas = typeof LETTER_CONTEXT_SCHEMAS;
/** What a caller passes to render a letter of type T. */
export type LetterContext<T extends LetterType> = z.input<LetterContextSchemas[T]>;
