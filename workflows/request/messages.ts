// The request workflow's messages: what clients (web app, CLI, services inside the trust boundary) may send
// and ask. Imported by clients without the workflow body. See docs/temporal-api.md.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Application, ReceiptDate } from '../../domain/application';
import type { WorkingDayCalendar } from '../../domain/calendar';
import type { ActionPayload, SupportedAction } from '../../domain/case-actions';
import type { ClockEvent, ClockRules, Deadline, PauseInterval } from '../../domain/clock';
import type { IsoDate } from '../../domain/dates';
import type { ReminderPolicy } from '../../domain/gongkai-config';
import type { ScheduledReminder } from '../../domain/reminders';
import type { DisclosureDecision, ItemDecision } from '../../domain/minimisation';
import type { OutcomeRules } from '../../domain/outcomes';
import type { PermissionRules } from '../../domain/roles';
import type { Stage } from '../../domain/stages';
import type { CaseEventInput } from '../../register/register';

export const REQUEST_WORKFLOW_TYPE = 'requestWorkflow';

/** The agency's rules a case runs under, fixed at intake (a later configuration change does not alter open cases). */
export interface CaseRules {
  clock: ClockRules;
  permissions: PermissionRules;
  /** Absent in cases started before outcome rules were part of the input: the defaults apply. */
  outcome?: OutcomeRules;
  /** Art. 42 fee rule (UNCONFIRMED, per agency); absent means off. */
  feeRuleEnabled?: boolean;
  /** The remedy clause's review bodies and court (救济途径), from the agency's configuration. */
  remedy?: { reviewBodies: string[]; court: string };
  /** The agency's document-number formats by document type (`default` for the rest). */
  documentNumberFormats?: Partial<Record<string, string>>;
  /** Reminders and escalations; absent in cases started before they existed: the default policy applies. */
  reminders?: ReminderPolicy;
}

export interface RequestWorkflowInput {
  caseNumber: string;
  agencyCode: string;
  application: Application;
  receipt: ReceiptDate;
  /** When and by whom the case was registered (ISO instant, staff user id). */
  registeredAt: string;
  registeredBy: string;
  rules: CaseRules;
  /** History length after which the case continues as new; the server's own suggestion also triggers it. */
  continueAsNewAfterEvents?: number;
  /** Set only by continue-as-new. */
  carried?: CarriedState;
}

/** One act on the case, for the timeline. */
export interface TimelineEntry {
  at: string;
  actorId: string;
  action: string;
  label: string;
  note?: string;
}

export interface CaseDocument {
  documentId: string;
  documentType: string;
  documentNumber: string | null;
  createdAt: string;
  /** The letter as stored in the register once numbered (`<documentId>.pdf`, `.docx`); absent until then. */
  formats?: DocumentFormat[];
  /** Why the letter was not produced (the field it lacks): staff write it by hand. */
  notProduced?: string;
  /** Its email to the applicant, once the send has ended ('rejected': permanently; deliver it another way). */
  emailed?: { on: IsoDate; result: 'sent' | 'rejected' | 'failed' };
  /** Days its dispatches were found to have failed (record-delivery-failed), oldest first. */
  failedDeliveries?: IsoDate[];
}

/** A procedural letter an act issued (or the receipt), still to number, render, store and deliver. */
export interface PendingNotice {
  documentId: string;
  documentType: string;
  date: IsoDate;
  receivedOn: IsoDate | null;
  act?: RecordedAct;
  consultation?: RecordedAct;
  opinion?: RecordedAct;
  dueOn?: IsoDate;
}

/** A consultation (Art. 32, 34): its kind and subject, the letter as sent, the consultee's answer. */
export interface ConsultationRecord {
  kind: 'third-party' | 'co-maker';
  about: string;
  opinion?: string;
  overrideNotifiedOn?: IsoDate;
  /** The acts that sent the letter and recorded the answer (absent in cases consulted before letters were produced). */
  letterAct?: RecordedAct;
  opinionAct?: RecordedAct;
}

/** One stored format of a letter: its register id, media type, SHA-256 and size in bytes. */
export interface DocumentFormat {
  documentId: string;
  mediaType: string;
  sha256: string;
  size: number;
}

/** A dispatch of a letter the workflow still has to carry out or record (email, or the date staff entered). */
export interface PendingDelivery {
  documentId: string;
  dispatchedOn: IsoDate;
  method: string;
}

/** A dispatch found to have failed, still to record in the register (which then takes the next dispatch). */
export interface PendingDeliveryFailure {
  documentId: string;
  failedOn: IsoDate;
}

/** Everything carried across continue-as-new (JSON-safe). */
export interface CarriedState {
  stage: Stage;
  handlerId: string | null;
  drafterIds: string[];
  reviewerIds: string[];
  clockEvents: ClockEvent[];
  calendar: WorkingDayCalendar;
  timeline: TimelineEntry[];
  documents: CaseDocument[];
  /** Update ids already applied, newest last (bounded): a repeated submission after continue-as-new is still applied once. */
  appliedUpdateIds: string[];
  outcome: string | null;
  runs: number;
  /** The fields below are absent in runs carried before they existed. */
  earlierCases?: string[];
  itemDecisions?: Record<string, ItemDecision>;
  decision?: DisclosureDecision | null;
  consultations?: Record<string, ConsultationRecord>;
  referrals?: Record<string, { referredTo: string; sentOn: IsoDate; answeredOn?: IsoDate }>;
  reasonsRequested?: boolean;
  reasonsReasonable?: boolean | null;
  fee?: { paymentDueOn: IsoDate; paid: boolean } | null;
  pendingNumbers?: { documentId: string; documentType: string }[];
  pendingDeliveries?: (PendingDelivery | PendingDeliveryFailure)[];
  pendingNotices?: PendingNotice[];
  /** Register writes not yet made: acts applied while the run waited to continue as new (for emails in flight). */
  outbox?: (CaseEventInput & { archive?: boolean })[];
  calendarReloadRequested?: boolean;
  reminders?: CarriedReminders;
  outcomeAct?: RecordedAct | null;
  recitedActs?: RecordedAct[];
}

/** An applied act as its payload was validated: what a letter recites of it (reason, law, search record, dates…). */
export interface RecordedAct {
  action: SupportedAction;
  payload: ActionPayload<SupportedAction>;
}

/** Which reminders of the current day have gone out, and those still being sent (sent again by the next run). */
export interface CarriedReminders {
  day: IsoDate | null;
  dispatched: string[];
  sending: ScheduledReminder[];
}

/** The case as staff see it: no personal data (that is the `application` query, for those allowed to see it). */
export interface CaseView {
  caseNumber: string;
  agencyCode: string;
  stage: Stage;
  stageLabel: string;
  handlerId: string | null;
  /** Staff who drafted or reviewed any version of the reply: the separation of duties keeps them from later steps. */
  drafterIds: string[];
  reviewerIds: string[];
  /** The permission rules the case runs by (the agency's when it started): what the web app offers forms from. */
  permissionRules?: PermissionRules;
  receivedOn: IsoDate | null;
  replyDue: IsoDate | null;
  replyDueExtended: IsoDate | null;
  deadlines: Deadline[];
  pauses: PauseInterval[];
  paused: boolean;
  provisional: boolean;
  /** The clock's explanation, in Chinese. */
  explanation: string[];
  calendarVersion: string;
  timeline: TimelineEntry[];
  documents: CaseDocument[];
  outcome: string | null;
  /** Earlier requests of the same applicant (case numbers), for the repeat-request question (Art. 36(6)). */
  earlierCases: string[];
  /** How many runs (continue-as-new) the case has had. */
  runs: number;
}

/** An act on the case. `actor` is the person as resolved by the web app (or the operator's CLI). */
export interface ActRequest {
  action: string;
  actor: unknown;
  data?: unknown;
}

/** Every human action goes through this update; its validator refuses what the actor may not do now. */
export const actUpdate = defineUpdate<CaseView, [ActRequest]>('act');
export const caseViewQuery = defineQuery<CaseView>('caseView');
/** The application with the applicant's personal data; callers check `view-personal-data` first. */
export const applicationQuery = defineQuery<Application>('application');
/** A newly published holiday notice was loaded: fetch the calendar again and recompute every deadline. */
export const reloadCalendarSignal = defineSignal('reloadCalendar');
