import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { IsoDate } from '../domain/dates';
import { casePageUrl, findAgency, type GongkaiConfig } from '../domain/gongkai-config';
import { reminderRecipients } from '../domain/reminders';
import type { Register } from '../register';
import { digestEmailOf, digestEmailSchema, type DigestLists } from '../templates/email/digest';
import { renderEmail } from '../templates/render';
import { listOpenCases } from '../workers/case-list';
import type { EmailActivities, SendOutcome } from './email';

/** One agency's digest for one Beijing day, as the digest workflow hands it over. */
export interface DailyDigestJob {
  agencyCode: string;
  day: IsoDate;
  /** The instant the lists are taken at (the workflow's start): overdue and due-soon are judged as of then. */
  asOf: string;
  dueWithinWorkingDays: number;
}

export interface DailyDigestOutcome {
  counts: Record<keyof DigestLists, number>;
  /** Per supervisor: one email each, under the ledger's policy. */
  emails: Record<SendOutcome, number>;
}

export interface DigestDeps {
  config: Pick<GongkaiConfig, 'agencies' | 'users' | 'web'>;
  register: Pick<Register, 'holidayNotices'>;
  sendEmail: EmailActivities['sendEmail'];
}

/** The ledger key of a supervisor's digest: one per agency, Beijing day and person, however often the schedule fires. */
export const digestEmailKey = (agencyCode: string, day: IsoDate, userId: string): string => `digest:${agencyCode}:${day}:${userId}`;

export function createDigestActivities({ config, register, sendEmail }: DigestDeps) {
  return {
    /**
     * Lists the agency's overdue, due-soon and paused cases from the visibility store and emails them to each of its
     * supervisors (its own and those with all-agencies scope). A retry, or a second run the same day, sends only what
     * the ledger has not recorded as sent.
     */
    async sendDailyDigest(job: DailyDigestJob): Promise<DailyDigestOutcome> {
      const agency = findAgency(config, job.agencyCode);
      if (!agency) throw ApplicationFailure.nonRetryable(`agencyCode: no agency ${job.agencyCode} in the configuration`, 'unknown-agency');
      const client = Context.current().client;
      const asOf = new Date(job.asOf);
      const [overdue, dueSoon, paused] = await Promise.all([
        listOpenCases(client, register, { agency: agency.code, overdue: true }, asOf),
        listOpenCases(client, register, { agency: agency.code, dueWithin: job.dueWithinWorkingDays }, asOf),
        listOpenCases(client, register, { agency: agency.code, paused: true }, asOf),
      ]);
      const lists: DigestLists = { overdue, dueSoon, paused };
      const outcome: DailyDigestOutcome = {
        counts: { overdue: overdue.length, dueSoon: dueSoon.length, paused: paused.length },
        emails: { sent: 0, 'already-sent': 0, rejected: 0 },
      };
      const supervisors = reminderRecipients(config, agency.code, 'supervisor', null);
      if (supervisors.length === 0) log.warn('daily digest has no supervisor in the configuration', { agencyCode: agency.code });
      for (const person of supervisors) {
        const context = {
          agencyCode: agency.code,
          agencyName: agency.name,
          recipientName: person.name,
          day: job.day,
          dueWithinWorkingDays: job.dueWithinWorkingDays,
          boardUrl: `${config.web.publicUrl}/board`,
          caseUrl: (caseNumber: string) => casePageUrl(config.web, caseNumber),
        };
        const result = await sendEmail({
          key: digestEmailKey(agency.code, job.day, person.id),
          caseNumber: null,
          kind: 'digest',
          to: person.email,
          ...renderEmail('digest', digestEmailSchema, digestEmailOf(lists, context)),
        });
        outcome.emails[result] += 1;
      }
      return outcome;
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
