import { beijingDateOf } from '../domain/dates';
import { casePageUrl, findAgency, type GongkaiConfig } from '../domain/gongkai-config';
import { stuckCaseEmailOf, stuckCaseEmailSchema, type StuckCaseFinding } from '../templates/email/stuck-case';
import { renderEmail } from '../templates/render';
import type { EmailActivities, SendOutcome } from './email';

// A stuck case becomes one email to each admin (domain/roles `admin`: who runs the system), at most once a day per
// case and admin: the email ledger keeps the key `stuck:<case>:<Beijing day>:<user id>`. Called by the stuck-case check
// of every worker process (workers/stuck-cases.ts), not by a workflow: it must work when workflow tasks do not.

/** A case whose pending workflow task has failed `attempts` times in a row (no personal data). */
export interface StuckCase extends StuckCaseFinding {
  agencyCode: string | null;
}

export const stuckAlertKey = (caseNumber: string, day: string, userId: string): string => `stuck:${caseNumber}:${day}:${userId}`;
export const STUCK_ALERT_KIND = 'stuck-case';

export interface StuckCaseAlertDeps {
  config: Pick<GongkaiConfig, 'agencies' | 'users' | 'web'>;
  sendEmail: EmailActivities['sendEmail'];
}

export function createStuckCaseAlerts({ config, sendEmail }: StuckCaseAlertDeps) {
  return {
    /**
     * Emails every admin about `stuck`, each under the ledger's policy: a second check on the same Beijing day sends
     * nothing again. A temporary SMTP failure throws (the next check tries again); a permanent one is recorded.
     */
    async alertStuckCase(stuck: StuckCase, now = new Date()): Promise<Record<SendOutcome, number>> {
      const checkedAt = now.toISOString();
      const day = beijingDateOf(checkedAt);
      const agency = stuck.agencyCode === null ? undefined : findAgency(config, stuck.agencyCode);
      const outcome: Record<SendOutcome, number> = { sent: 0, 'already-sent': 0, rejected: 0 };
      for (const admin of config.users.filter((user) => user.roles.includes('admin'))) {
        const context = { agencyName: agency?.name ?? stuck.agencyCode ?? '未知机关', recipientName: admin.name, caseUrl: casePageUrl(config.web, stuck.caseNumber), checkedAt };
        const result = await sendEmail({
          key: stuckAlertKey(stuck.caseNumber, day, admin.id),
          caseNumber: stuck.caseNumber,
          kind: STUCK_ALERT_KIND,
          to: admin.email,
          ...renderEmail('stuck-case', stuckCaseEmailSchema, stuckCaseEmailOf(stuck, context)),
        });
        outcome[result] += 1;
      }
      return outcome;
    },
  };
}
