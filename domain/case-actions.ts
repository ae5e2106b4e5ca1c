import { z } from 'zod';
import { instantSchema, isoDateSchema } from './dates';
import { type Action, ROLES } from './roles';
import { type Stage, stageSchema } from './stages';

// What each action a person takes on a case carries (its payload), checked by the workflow's update
// validators, the web app's forms and the CLI alike. Free text is bounded; dates are Beijing dates.

const userId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'userId must be 1-64 of A-Z a-z 0-9 . _ -');
/** The person to make handler, as resolved from the configuration by the caller (web app, CLI). */
const handler = z.strictObject({ userId, roles: z.array(z.enum(ROLES)).min(1), agencyCode: z.string().min(1).max(64) });
const note = z.string().trim().min(1).max(2000);
const shortText = z.string().trim().min(1).max(200);

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
  /** The application is clear and complete (or completed): on to the scope question. */
  'record-completeness-finding': z.strictObject({ finding: z.literal('complete'), note: note.optional() }),
  /** A GIP request for this agency (the other findings arrive with the statutory paths). */
  'decide-scope': z.strictObject({ decision: z.literal('gip-request'), note: note.optional() }),
  /** The search record (who, when, where, keywords) of the 有没有 question. */
  'record-search': z.strictObject({
    searchedOn: isoDateSchema,
    places: z.array(shortText).min(1).max(20),
    keywords: z.array(shortText).min(1).max(20),
    found: z.literal(true),
  }),
  'conclude-disclosure-decision': z.strictObject({ note: note.optional() }),
  /** Art. 33(2): approved by the head of the GIP office, at most 20 working days in total. */
  'approve-extension': z.strictObject({ approvedOn: isoDateSchema, workingDays: z.number().int().min(1).max(20), reason: shortText }),
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
    case 'record-completeness-finding':
      return 'scope-check';
    case 'decide-scope':
      return 'search';
    case 'record-search':
      return 'disclosure-decision';
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
