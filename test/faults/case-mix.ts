import { describeDay, type WorkingDayCalendar } from '../../domain/calendar';
import type { DeadlineKind } from '../../domain/clock';
import { addDays, beijingDateOfMs, type IsoDate } from '../../domain/dates';
import { DEFAULT_REMINDER_POLICY, type GongkaiConfig, type ReminderPolicy } from '../../domain/gongkai-config';
import { generateResidentIds } from '../helpers/id-numbers';
import { exampleApplication } from '../helpers/request-harness';
import { walkthroughSteps } from '../helpers/walkthrough';

// The cases of the fault test: which are driven in which fault, how, and what each must end with. The expectations
// are written from the rules as the README and the reminder policy state them, not computed by gongkai's code.

export type FaultName = 'worker-kill' | 'server-restart' | 'smtp-outage';
export type AgencyCode = 'LYG-ZRZY' | 'LYG-ZFB' | 'LYG-SHJ';

/**
 * When the group's reminders go out (Beijing time): at 00:00 (due at once, all day), at a minute chosen when its
 * fault begins so that the wake-up timer fires while that fault is on, or never (a policy without reminders).
 */
export type ReminderTime = 'midnight' | 'in-the-fault' | 'never';

export interface CaseGroup {
  name: string;
  fault: FaultName;
  /** Submitted and acted on before the fault; submitted before and acted on while it is on; all of it while on. */
  timing: 'before' | 'acts-during' | 'during';
  /** Share of 200 cases. */
  share: number;
  agencyCode: AgencyCode;
  /** Received today; 25 working days ago (reply 5 and 补正 notice 18 working days overdue); the walkthrough's date. */
  received: 'today' | 'overdue' | 'walkthrough';
  /** How the applicant wants the information: by email (every letter to the applicant is emailed) or by post. */
  manner: 'post' | 'email';
  /** Nothing; assign a handler and find the request complete; that for every second case; the README's walkthrough. */
  acts: 'none' | 'assign' | 'assign-every-second' | 'walkthrough';
  reminders: ReminderTime;
  /** Continue as new after this many history events (the default is 4,000). */
  continueAsNewAfterEvents?: number;
  /** After this many acts, wait until the run waits to continue as new (its one-minute timer), then act on. */
  pauseAfterActs?: number;
}

export const CASE_GROUPS: CaseGroup[] = [
  { name: 'registered', fault: 'worker-kill', timing: 'during', share: 30, agencyCode: 'LYG-ZRZY', received: 'today', manner: 'post', acts: 'none', reminders: 'midnight' },
  { name: 'receipt emailed', fault: 'worker-kill', timing: 'during', share: 20, agencyCode: 'LYG-ZFB', received: 'today', manner: 'email', acts: 'none', reminders: 'midnight' },
  { name: 'assigned', fault: 'worker-kill', timing: 'during', share: 20, agencyCode: 'LYG-ZRZY', received: 'today', manner: 'post', acts: 'assign', reminders: 'midnight' },
  { name: 'overdue, reminded at once', fault: 'worker-kill', timing: 'during', share: 20, agencyCode: 'LYG-ZRZY', received: 'overdue', manner: 'post', acts: 'none', reminders: 'midnight' },
  { name: 'walked to the archive', fault: 'worker-kill', timing: 'during', share: 8, agencyCode: 'LYG-ZRZY', received: 'walkthrough', manner: 'email', acts: 'walkthrough', reminders: 'never' },
  { name: 'overdue, reminder timer due while the server is down', fault: 'server-restart', timing: 'before', share: 24, agencyCode: 'LYG-ZFB', received: 'overdue', manner: 'post', acts: 'assign-every-second', reminders: 'in-the-fault' },
  // Without reminders, the wake-up timer these cases wait on is their reply deadline's: the end of its day.
  { name: 'assigned while the server goes down', fault: 'server-restart', timing: 'acts-during', share: 20, agencyCode: 'LYG-ZRZY', received: 'today', manner: 'post', acts: 'assign', reminders: 'never' },
  { name: 'overdue, reminder timer due while SMTP is down', fault: 'smtp-outage', timing: 'before', share: 24, agencyCode: 'LYG-SHJ', received: 'overdue', manner: 'post', acts: 'assign-every-second', reminders: 'in-the-fault' },
  { name: 'overdue, registered while SMTP is down', fault: 'smtp-outage', timing: 'during', share: 14, agencyCode: 'LYG-ZRZY', received: 'overdue', manner: 'post', acts: 'none', reminders: 'midnight' },
  { name: 'receipt due while SMTP is down', fault: 'smtp-outage', timing: 'during', share: 12, agencyCode: 'LYG-ZFB', received: 'today', manner: 'email', acts: 'none', reminders: 'midnight' },
  // A run continues as new at the first turn of its main loop past 40 events, which comes once the first two acts are
  // in the register. Its receipt email cannot go out, so the run waits up to a minute for it (a real timer, which
  // fires about when SMTP comes back, before the email's next attempt) while the rest of the walkthrough's acts
  // arrive, then hands the email and those acts to the next run.
  { name: 'walked to the archive while SMTP is down, continuing as new', fault: 'smtp-outage', timing: 'during', share: 8, agencyCode: 'LYG-ZRZY', received: 'walkthrough', manner: 'email', acts: 'walkthrough', reminders: 'never', continueAsNewAfterEvents: 40, pauseAfterActs: 2 },
];

export interface CaseAct {
  userId: string;
  action: string;
  data: Record<string, unknown>;
  /** The act's idempotency key: sent again after a failure, it is applied once. */
  updateId: string;
}

export interface ExpectedEmail {
  /** User id of staff, or 'applicant'. */
  to: string;
  /** The ledger's kind: `overdue:reply`, `notice-delivery`, `reply-delivery`. */
  kind: string;
}

export interface CaseSpec {
  index: number;
  group: CaseGroup;
  submissionId: string;
  registeredBy: string;
  application: Record<string, unknown>;
  applicantEmail: string;
  acts: CaseAct[];
  expected: {
    stage: string;
    handlerId: string | null;
    emails: ExpectedEmail[];
    /** The deadlines the case still watches (its wake-up timer and reminders follow them). */
    watched: DeadlineKind[];
  };
  /** Set when its fault begins (the reminder minute is chosen then). */
  policy?: ReminderPolicy;
  /** Set once submitted. */
  caseNumber?: string;
}

const PREFIX: Record<AgencyCode, string> = { 'LYG-ZRZY': 'zrzy', 'LYG-ZFB': 'zfb', 'LYG-SHJ': 'shj' };

/** The working day `n` working days before `date`. */
export function workingDaysBefore(calendar: WorkingDayCalendar, date: IsoDate, n: number): IsoDate {
  let day = date;
  for (let counted = 0; counted < n; ) {
    day = addDays(day, -1);
    if (describeDay(calendar, day).working) counted += 1;
  }
  return day;
}

/** Beijing time of `ms` as ISO-8601 with offset. */
export const beijingInstant = (ms: number): string => `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

/** `total` cases (about; every group gets at least one), in the order of CASE_GROUPS. */
export function planCases(total: number, calendar: WorkingDayCalendar, nowMs: number): CaseSpec[] {
  const today = beijingDateOfMs(nowMs);
  const overdueReceipt = `${workingDaysBefore(calendar, today, 25)}T10:00:00+08:00`;
  const idNumbers = generateResidentIds(total + CASE_GROUPS.length, 20_261_128);
  const specs: CaseSpec[] = [];
  for (const group of CASE_GROUPS) {
    const count = Math.max(1, Math.round((group.share * total) / 200));
    for (let i = 0; i < count; i++) specs.push(specOf(group, specs.length, i, idNumbers[specs.length]!, today, overdueReceipt, nowMs));
  }
  return specs;
}

function specOf(group: CaseGroup, index: number, inGroup: number, idNumber: string, today: IsoDate, overdueReceipt: string, nowMs: number): CaseSpec {
  const prefix = PREFIX[group.agencyCode];
  const submissionId = `fault-${String(index).padStart(4, '0')}`;
  const applicantEmail = `applicant${index}@example.cn`;
  const submittedAt = group.received === 'today' ? beijingInstant(nowMs - 60_000) : group.received === 'overdue' ? overdueReceipt : exampleApplication.channel.submittedAt;
  const application = {
    ...exampleApplication,
    agencyCode: group.agencyCode,
    applicant: { ...exampleApplication.applicant, idDocument: { kind: 'resident-id-card', number: idNumber } },
    contact: { ...exampleApplication.contact, email: applicantEmail },
    provision: group.manner === 'email' ? { form: 'electronic', manner: 'email' } : { form: 'paper', manner: 'post' },
    channel: { kind: 'in-person', submittedAt },
  };
  const assigned = group.acts === 'assign' || (group.acts === 'assign-every-second' && inGroup % 2 === 0);
  const handlerId = group.acts === 'walkthrough' ? 'zrzy.handler1' : assigned ? `${prefix}.handler1` : null;
  const acts: Omit<CaseAct, 'updateId'>[] =
    group.acts === 'walkthrough'
      ? walkthroughSteps(today).map(({ userId, action, data }) => ({ userId, action, data: action === 'record-dispatch' ? { ...data, method: 'email' } : data }))
      : assigned
        ? [
            { userId: `${prefix}.head`, action: 'assign-handler', data: { handlerId: `${prefix}.handler1` } },
            { userId: `${prefix}.handler1`, action: 'record-completeness-finding', data: { finding: 'complete' } },
          ]
        : [];

  const emails: ExpectedEmail[] = [];
  if (group.manner === 'email') emails.push({ to: 'applicant', kind: 'notice-delivery' });
  if (group.acts === 'walkthrough') emails.push({ to: 'applicant', kind: 'reply-delivery' });
  if (group.received === 'overdue' && group.reminders !== 'never') {
    // The policy: from the 1st working day overdue the handler and the supervisor, from the 3rd the GIP office head
    // too; before a handler is assigned, the head stands in for the handler. One email per person and deadline.
    if (assigned) {
      for (const to of [`${prefix}.handler1`, 'supervisor', `${prefix}.head`]) emails.push({ to, kind: 'overdue:reply' });
    } else {
      for (const kind of ['overdue:reply', 'overdue:correction-notice']) for (const to of [`${prefix}.head`, 'supervisor']) emails.push({ to, kind });
    }
  }
  return {
    index,
    group,
    submissionId,
    registeredBy: `${prefix}.registrar`,
    application,
    applicantEmail,
    acts: acts.map((act) => ({ ...act, updateId: `${submissionId}:${act.action}` })),
    expected: {
      stage: group.acts === 'walkthrough' ? 'archived' : assigned ? 'scope-check' : 'registered',
      handlerId,
      emails,
      // The 补正 notice deadline matters only until the request is found complete; a closed case watches nothing.
      watched: group.acts === 'walkthrough' ? [] : assigned ? ['reply'] : ['correction-notice', 'reply'],
    },
  };
}

/** The reminder policy a group's cases start with: the agency's, sent at `sendAt`, or none. */
export function policyFor(group: CaseGroup, agencyPolicy: ReminderPolicy | undefined, sendAt: string): ReminderPolicy {
  if (group.reminders === 'never') return { sendAt: '00:00', beforeDue: [], overdue: [] };
  return { ...(agencyPolicy ?? DEFAULT_REMINDER_POLICY), sendAt };
}

/** The configuration a case is submitted with: its agency's reminders replaced by the case's policy. */
export function submissionConfig<C extends Pick<GongkaiConfig, 'agencies' | 'temporal'>>(config: C, spec: CaseSpec): C {
  return { ...config, agencies: config.agencies.map((agency) => (agency.code === spec.group.agencyCode ? { ...agency, reminders: spec.policy! } : agency)) };
}
