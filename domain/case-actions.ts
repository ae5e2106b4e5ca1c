import { z } from 'zod';
import { APPLICANT_TYPES } from './application';
import { instantSchema, isoDateSchema } from './dates';
import { THIRD_PARTY_INTERESTS } from './exemptions';
import { itemDecisionSchema } from './minimisation';
import { OUTCOMES } from './outcomes';
import { type Action, ROLES } from './roles';
import type { Outcome } from './outcomes';
import { type Stage, stageSchema } from './stages';

// What each action a person takes on a case carries (its payload), checked by the workflow's update
// validators, the web app's forms and the CLI alike. Free text is bounded; dates are Beijing dates.

const userId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'userId must be 1-64 of A-Z a-z 0-9 . _ -');
/** The person to make handler, as resolved from the configuration by the caller (web app, CLI). */
const handler = z.strictObject({ userId, roles: z.array(z.enum(ROLES)).min(1), agencyCode: z.string().min(1).max(64) });
const note = z.string().trim().min(1).max(2000);
const shortText = z.string().trim().min(1).max(200);
const consultationId = z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'consultationId: 1-40 of A-Z a-z 0-9 . _ -');
/**
 * A consultation letter (征求意见书), to a third party (Art. 32) or a co-maker agency (Art. 34): whom it is
 * addressed to, and for a third party which of its interests disclosure may harm. Those are optional here
 * because cases consulted before letters were produced recorded none; LETTER_FIELDS_OF_ACT requires them now.
 */
const consultationLetter = z.strictObject({
  consultationId,
  letterSentOn: isoDateSchema,
  consulteeReceivedOn: isoDateSchema.optional(),
  about: shortText,
  consulteeName: shortText.optional(),
  consulteeType: z.enum(APPLICANT_TYPES).optional(),
  interest: z.enum(THIRD_PARTY_INTERESTS).optional(),
  /** The office's contact for the consultee's answer (联系人、电话). */
  contact: shortText.optional(),
});
/** The consultee's receipt of the letter, its answer, or its silence once 15 working days have passed. */
const consultationOpinion = z.strictObject({
  consultationId,
  letterReceivedOn: isoDateSchema.optional(),
  answeredOn: isoDateSchema.optional(),
  opinion: z.enum(['consented', 'objected', 'no-response']).optional(),
});

export const ACTION_PAYLOAD_SCHEMAS = {
  /** Art. 31(2)-(3): the day the office and the applicant confirmed the application; T0 is its Beijing date. */
  'confirm-receipt': z.strictObject({ confirmedAt: instantSchema }),
  'assign-handler': z.strictObject({ handler }),
  'reassign-handler': z.strictObject({ handler, reason: shortText }),
  'hand-over': z.strictObject({ handler, note: note.optional() }),
  /** Art. 30: one notice listing every item to correct, with a reasonable period. */
  'request-correction': z.strictObject({
    sentOn: isoDateSchema,
    itemsToCorrect: z.array(shortText).min(1).max(30),
    applicantDueOn: isoDateSchema,
  }),
  'record-correction-received': z.strictObject({ receivedOn: isoDateSchema }),
  /**
   * 补不补: the application is clear and complete (or completed), or — after a correction — still unclear
   * (补正后申请内容仍不明确, row 三.4.3).
   */
  'record-completeness-finding': z.discriminatedUnion('finding', [
    z.strictObject({ finding: z.literal('complete'), note: note.optional() }),
    z.strictObject({ finding: z.literal('unclear-after-correction'), reason: note }),
  ]),
  /** Art. 30: the correction period ended without a correction: deemed abandoned (视为放弃申请, 不再处理). */
  'record-correction-lapsed': z.strictObject({ note: note.optional() }),
  /** 该不该: is it a GIP request for this agency? Every answer but the first ends in a reply without search. */
  'decide-scope': z.discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('gip-request'), note: note.optional() }),
    /** Art. 39(1): a petition, complaint or report in the form of a request (信访、投诉、举报). */
    z.strictObject({ decision: z.literal('petition-or-complaint'), reason: note }),
    /** Art. 39(2): asks for a publication (公开出版物); tell where it is obtained. */
    z.strictObject({ decision: z.literal('publication'), howToObtain: note }),
    /** Art. 36(5): not this agency's to disclose; name the responsible agency where it can be determined. */
    z.strictObject({ decision: z.literal('not-this-agency'), responsibleAgency: shortText, reason: note }),
    /** Art. 36(6): the same applicant asked the same, already answered, and asks again without good reason. */
    z.strictObject({ decision: z.literal('repeat-request'), earlierCaseNumber: z.string().regex(/^[A-Z][A-Z0-9-]{1,15}-\d{4}-\d{6}$/, 'a case number'), reason: note }),
    /** Art. 36(7): access governed by a special regime of a law or administrative regulation (行政查询事项 etc.). */
    z.strictObject({ decision: z.literal('special-access-regime'), law: shortText, reason: note }),
    /** Asks the agency to confirm or re-issue information already obtained (不予处理). */
    z.strictObject({ decision: z.literal('confirm-or-reissue'), reason: note }),
    /** Art. 35: the reasons asked for were not reasonable (不予处理, row 三.5.4). */
    z.strictObject({ decision: z.literal('excessive-requests'), reason: note }),
    /** Any other ending of the processing (其他处理, row 三.6.3), with the reason. */
    z.strictObject({ decision: z.literal('other-handling'), reason: note }),
  ]),
  /** Art. 35: the number or frequency of requests is clearly beyond a reasonable range: ask for the reasons. */
  'request-reasons': z.strictObject({
    sentOn: isoDateSchema,
    /** Why the number or frequency of requests is beyond a reasonable range: what the 说明理由告知书 states. */
    finding: note.optional(),
    reasonsDueOn: isoDateSchema.optional(),
    note: note.optional(),
  }),
  'record-reasons-received': z.strictObject({ receivedOn: isoDateSchema, reasonable: z.boolean(), note: note.optional() }),
  /** Art. 35: reasonable, but the reply cannot be made within the Art. 33 period: a later reply deadline. */
  'set-later-reply-deadline': z.strictObject({ setOn: isoDateSchema, due: isoDateSchema, reason: note }),
  /** Art. 42 (fee rule on): the fee notice; the clock pauses until payment (configurable). */
  'send-fee-notice': z.strictObject({
    sentOn: isoDateSchema,
    amountYuan: z.number().positive().max(1_000_000),
    paymentDueOn: isoDateSchema,
    /** How the amount was reached (the standard applied to the quantity), and how to pay: what the 收费通知书 states. */
    calculation: note.optional(),
    paymentMethod: shortText.optional(),
  }),
  'record-fee-payment': z.strictObject({ paidOn: isoDateSchema }),
  /** Unpaid when the payment period ended: 不再处理 (row 三.6.2). */
  'record-fee-lapsed': z.strictObject({ note: note.optional() }),
  /** 给不给: the decision on one requested item (`itemId` = its number in the application, from 1). */
  'record-item-decision': z.strictObject({ item: itemDecisionSchema }),
  /** Art. 32: the written consultation of a third party; its receipt date when known. */
  'start-third-party-consultation': consultationLetter,
  /** Art. 32: the third party's receipt of the letter, and its answer or its silence after 15 working days. */
  'record-third-party-opinion': consultationOpinion,
  /** Art. 34: consulting the other agencies that made the information jointly; silence is consent after 15 working days. */
  'start-co-maker-consultation': consultationLetter,
  'record-co-maker-opinion': consultationOpinion,
  /**
   * 有没有: the search record (who, when, where, keywords), and what it found. The first version of this payload
   * said `found: true`; running cases recorded it that way, so it is still read as `result: 'found'`.
   */
  'record-search': z.preprocess(
    (input) => {
      if (input === null || typeof input !== 'object' || 'result' in input || !('found' in input)) return input;
      const { found, ...rest } = input as { found: unknown };
      return found === true ? { ...rest, result: 'found' } : input;
    },
    z.discriminatedUnion('result', [
    z.strictObject({ result: z.literal('found'), searchedOn: isoDateSchema, places: z.array(shortText).min(1).max(20), keywords: z.array(shortText).min(1).max(20) }),
    /** Art. 36(4): after a search, the information does not exist. */
    z.strictObject({ result: z.literal('not-held'), searchedOn: isoDateSchema, places: z.array(shortText).min(1).max(20), keywords: z.array(shortText).min(1).max(20), reason: note }),
    /** Art. 38: would need creating; the finding that redacting existing records cannot answer it. */
    z.strictObject({
      result: z.literal('requires-creation'),
      searchedOn: isoDateSchema,
      places: z.array(shortText).min(1).max(20),
      keywords: z.array(shortText).min(1).max(20),
      redactionOfExistingRecordsCannotAnswer: z.literal(true),
      reason: note,
    }),
    ]),
  ),
  /** Art. 32: disclosing despite the third party's objection (public interest): the letter telling the third party. */
  'notify-third-party-of-disclosure': z.strictObject({
    consultationId,
    sentOn: isoDateSchema,
    publicInterestReason: note,
    /** What will be disclosed, and from when: what the 第三方告知书 states. */
    disclosedContent: note.optional(),
    disclosureFrom: isoDateSchema.optional(),
  }),
  /** Art. 17(3): the agency cannot determine whether it may disclose: it refers the question. */
  'refer-for-determination': z.strictObject({ referralId: consultationId, referredTo: shortText, sentOn: isoDateSchema, question: note }),
  'record-referral-answer': z.strictObject({ referralId: consultationId, answeredOn: isoDateSchema, finding: note }),
  /**
   * 给不给 concluded: every item decided, rolled up by domain/outcomes (the handler names the primary outcome
   * where the rule cannot), the 保密审查 recorded, and the minimisation checks passed.
   */
  'conclude-disclosure-decision': z.strictObject({
    decidedOn: isoDateSchema.optional(),
    confidentialityReview: z.strictObject({ reviewedBy: userId, reviewedOn: isoDateSchema }).optional(),
    primaryOutcome: z.strictObject({ outcome: z.enum(OUTCOMES), reason: note }).optional(),
    note: note.optional(),
  }),
  /** Art. 33(2): the handler asks for more time, with the reason. */
  'request-extension': z.strictObject({ requestedOn: isoDateSchema, workingDays: z.number().int().min(1).max(20), reason: shortText }),
  /** Art. 33(2): approved (or refused, with the reason) by the head of the GIP office, at most 20 working days in total. */
  // The first version had no `decision` (approval only); running cases recorded it that way.
  'approve-extension': z.preprocess(
    (input) => (input !== null && typeof input === 'object' && !('decision' in input) ? { decision: 'approve', ...input } : input),
    z.discriminatedUnion('decision', [
      z.strictObject({ decision: z.literal('approve'), approvedOn: isoDateSchema, workingDays: z.number().int().min(1).max(20), reason: shortText }),
      z.strictObject({ decision: z.literal('refuse'), refusedOn: isoDateSchema, reason: shortText }),
    ]),
  ),
  'draft-reply': z.strictObject({ note: note.optional() }),
  'review-reply': z.discriminatedUnion('verdict', [
    z.strictObject({ verdict: z.literal('approve'), comment: note.optional() }),
    z.strictObject({
      verdict: z.literal('return'),
      returnTo: z.enum(['drafting', 'disclosure-decision', 'search', 'scope-check']),
      comment: note,
    }),
  ]),
  'sign-off-reply': z.strictObject({ comment: note.optional() }),
  /** Delivery (送达): handed to the post (交邮之日) or signed for by the applicant; the clock stops. */
  'record-dispatch': z.strictObject({ dispatchedOn: isoDateSchema, method: z.enum(['in-person', 'post', 'email', 'online', 'fax']) }),
  /** Delivery failed (bounce, returned post): delivery reopens, by another method; the clock runs again. */
  'record-delivery-failed': z.strictObject({ failedOn: isoDateSchema, reason: shortText }),
  'record-withdrawal': z.strictObject({ withdrawnOn: isoDateSchema, reason: shortText }),
  'archive-case': z.strictObject({ note: note.optional() }),
  urge: z.strictObject({ message: shortText }),
} as const satisfies Partial<Record<Action, z.ZodType>>;

export type SupportedAction = keyof typeof ACTION_PAYLOAD_SCHEMAS;
export type ActionPayload<A extends SupportedAction> = z.output<(typeof ACTION_PAYLOAD_SCHEMAS)[A]>;
export const SUPPORTED_ACTIONS = Object.keys(ACTION_PAYLOAD_SCHEMAS) as SupportedAction[];

export function isSupportedAction(action: string): action is SupportedAction {
  return Object.hasOwn(ACTION_PAYLOAD_SCHEMAS, action);
}

/**
 * Fields an act must carry for the letter it produces (domain/letters `noticesOf`) to be written: optional in the
 * payload schemas only because acts recorded before letters were produced lack them.
 */
export const LETTER_FIELDS_OF_ACT: Partial<Record<SupportedAction, readonly string[]>> = {
  'start-third-party-consultation': ['consulteeName', 'consulteeType', 'interest'],
  'start-co-maker-consultation': ['consulteeName'],
  'request-reasons': ['finding'],
  'send-fee-notice': ['calculation', 'paymentMethod'],
  'notify-third-party-of-disclosure': ['disclosedContent'],
};

/** The fields of LETTER_FIELDS_OF_ACT an act's payload leaves out (none for acts that produce no such letter). */
export function missingLetterFields(action: SupportedAction, payload: unknown): string[] {
  const given = (payload ?? {}) as Record<string, unknown>;
  return (LETTER_FIELDS_OF_ACT[action] ?? []).filter((field) => given[field] === undefined);
}

/** The stage an action moves the case to, where it moves it at all (payload-dependent moves are resolved here too). */
export function stageAfter<A extends SupportedAction>(action: A, payload: ActionPayload<A>, current: Stage): Stage {
  switch (action) {
    case 'confirm-receipt':
      return 'registered';
    case 'assign-handler':
      return 'completeness-check';
    case 'request-correction':
      return 'awaiting-correction';
    case 'record-correction-received':
      return 'completeness-check';
    case 'record-fee-lapsed':
      return 'drafting';
    case 'record-delivery-failed':
      return 'dispatch';
    case 'record-completeness-finding':
    case 'decide-scope':
    case 'record-search':
    case 'record-correction-lapsed': {
      if (outcomeOf(action, payload)) return 'drafting';
      return action === 'record-completeness-finding' ? 'scope-check' : action === 'decide-scope' ? 'search' : 'disclosure-decision';
    }
    case 'conclude-disclosure-decision':
      return 'drafting';
    case 'draft-reply':
      return 'review';
    case 'review-reply': {
      const review = payload as ActionPayload<'review-reply'>;
      return review.verdict === 'approve' ? 'sign-off' : stageSchema.parse(review.returnTo);
    }
    case 'sign-off-reply':
      return 'dispatch';
    case 'record-dispatch':
    case 'record-withdrawal':
      return 'awaiting-archive';
    case 'archive-case':
      return 'archived';
    default:
      return current;
  }
}

/**
 * The final outcome an act settles, where it settles one: the procedural answers of 补不补, 该不该 and
 * 有没有 (the reply then says so without a disclosure decision), and withdrawal.
 */
export function outcomeOf<A extends SupportedAction>(action: A, payload: ActionPayload<A>): Outcome | undefined {
  switch (action) {
    case 'record-completeness-finding':
      return (payload as ActionPayload<'record-completeness-finding'>).finding === 'unclear-after-correction' ? 'unclear-after-correction' : undefined;
    case 'record-correction-lapsed':
      return 'not-corrected';
    case 'decide-scope': {
      const { decision } = payload as ActionPayload<'decide-scope'>;
      return decision === 'gip-request' ? undefined : decision;
    }
    case 'record-search': {
      const { result } = payload as ActionPayload<'record-search'>;
      return result === 'found' ? undefined : result;
    }
    case 'record-withdrawal':
      return 'withdrawn';
    case 'record-fee-lapsed':
      return 'fee-not-paid';
    default:
      return undefined;
  }
}
