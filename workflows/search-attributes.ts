import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Indexed in plain text by the server and never encrypted: no personal data here, ever.
// Within the dev server's SQLite limits (10 Keyword, 3 of each other type).

export const AgencyCode = defineSearchAttributeKey('GkAgency', SearchAttributeType.KEYWORD);
export const Stage = defineSearchAttributeKey('GkStage', SearchAttributeType.KEYWORD);
/** The handler's user id (a staff account id, not a name). */
export const HandlerId = defineSearchAttributeKey('GkHandler', SearchAttributeType.KEYWORD);
export const Outcome = defineSearchAttributeKey('GkOutcome', SearchAttributeType.KEYWORD);
export const ApplicantType = defineSearchAttributeKey('GkApplicantType', SearchAttributeType.KEYWORD);
/** Receipt date T0 (Art. 31), as midnight Beijing time. */
export const ReceivedOn = defineSearchAttributeKey('GkReceivedOn', SearchAttributeType.DATETIME);
/** End of the reply deadline's last day, Beijing time. */
export const ReplyDueAt = defineSearchAttributeKey('GkReplyDueAt', SearchAttributeType.DATETIME);
/** True while the statutory clock is paused (consultation). */
export const ClockPaused = defineSearchAttributeKey('GkPaused', SearchAttributeType.BOOL);
/** The nearest open deadline (end of its day, Beijing time) and its kind: what a reminder or escalation follows. */
export const NextDueAt = defineSearchAttributeKey('GkNextDueAt', SearchAttributeType.DATETIME);
export const NextDueKind = defineSearchAttributeKey('GkNextDueKind', SearchAttributeType.KEYWORD);

export const GONGKAI_SEARCH_ATTRIBUTES = [
  AgencyCode,
  Stage,
  HandlerId,
  Outcome,
  ApplicantType,
  ReceivedOn,
  ReplyDueAt,
  ClockPaused,
  NextDueAt,
  NextDueKind,
] as const;
