import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { casePageUrl, findAgency, type GongkaiConfig } from '../domain/gongkai-config';
import { reminderKey, reminderRecipients, type ReminderRecipient, type ScheduledReminder } from '../domain/reminders';
import { reminderEmailOf, reminderEmailSchema } from '../templates/email/reminder';
import { renderEmail } from '../templates/render';
import type { EmailActivities, SendOutcome } from './email';
import { countReminderEmail } from './metrics';

/** One reminder of one case, as the workflow hands it over: ids only, no personal data. */
export interface ReminderJob {
  caseNumber: string;
  agencyCode: string;
  handlerId: string | null;
  reminder: ScheduledReminder;
}

export type ReminderOutcome = Record<SendOutcome, number>;

export interface ReminderDeps {
  config: Pick<GongkaiConfig, 'agencies' | 'users' | 'web'>;
  sendEmail: EmailActivities['sendEmail'];
}

/** Reminders become emails here: recipients resolved from the configuration of the day, one email per person. */
export function createReminderActivities({ config, sendEmail }: ReminderDeps) {
  return {
    /**
     * Sends a reminder to everyone its roles reach, each under the ledger's policy. A retry after a crash or a
     * temporary SMTP failure sends only what the ledger has not recorded as sent.
     */
    async sendReminder(job: ReminderJob): Promise<ReminderOutcome> {
      const agency = findAgency(config, job.agencyCode);
      if (!agency) throw ApplicationFailure.nonRetryable(`agencyCode: no agency ${job.agencyCode} in the configuration`, 'unknown-agency');
      const recipients = new Map<string, ReminderRecipient>();
      for (const role of job.reminder.recipients) {
        for (const person of reminderRecipients(config, job.agencyCode, role, job.handlerId)) recipients.set(person.id, person);
      }
      if (recipients.size === 0) log.warn('reminder has no recipient in the configuration', { caseNumber: job.caseNumber, roles: job.reminder.recipients });
      const outcome: ReminderOutcome = { sent: 0, 'already-sent': 0, rejected: 0 };
      for (const person of recipients.values()) {
        const context = { caseNumber: job.caseNumber, agencyName: agency.name, recipientName: person.name, caseUrl: casePageUrl(config.web, job.caseNumber) };
        const result = await sendEmail({
          key: reminderKey(job.caseNumber, job.reminder, person.id),
          caseNumber: job.caseNumber,
          kind: `${job.reminder.kind}:${job.reminder.deadlineKind}`,
          to: person.email,
          ...renderEmail('reminder', reminderEmailSchema, reminderEmailOf(job.reminder, context)),
        });
        outcome[result] += 1;
        countReminderEmail({ agency: job.agencyCode, kind: job.reminder.kind, deadline: job.reminder.deadlineKind, outcome: result });
      }
      return outcome;
    },
  };
}

export type ReminderActivities = ReturnType<typeof createReminderActivities>;
