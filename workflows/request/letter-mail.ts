import { condition, log, proxyActivities } from '@temporalio/workflow';
import type { LetterActivities } from '../../activities/letters';
import type { CaseFile } from './case-file';
import type { PendingDelivery } from './messages';

// Letters emailed to the applicant go out like reminders: the main loop starts the send and does not await it, so
// an SMTP outage retries in the background (with backoff, without limit) while deadlines and the register keep
// moving. The email ledger keeps a letter started again (after continue-as-new, a worker crash) to one email.
const { deliverLetterByEmail } = proxyActivities<LetterActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes' },
});

const SETTLE_TIMEOUT = '1 minute';

/** The case's letters being emailed: started once each, their result noted on the case. */
export class LetterMail {
  private readonly sending = new Map<string, PendingDelivery>();

  constructor(private readonly file: CaseFile) {}

  /** Starts emailing the letter; `attempt` counts its dispatches (a new one after each failed delivery). */
  send(delivery: PendingDelivery, documentNumber: string | null, attempt = 1): void {
    const { documentId, dispatchedOn } = delivery;
    if (this.sending.has(documentId)) return;
    this.sending.set(documentId, delivery);
    const { caseNumber, agencyCode } = this.file;
    deliverLetterByEmail({ caseNumber, agencyCode, documentId, documentNumber, dispatchedOn, attempt })
      .then((outcome) => this.file.recordEmailed(documentId, { on: dispatchedOn, result: outcome === 'rejected' ? 'rejected' : 'sent' }))
      .catch((err: unknown) => {
        // Not retryable (no address, letter not stored): staff deliver it another way.
        log.warn('letter email failed', { caseNumber, documentId, error: err instanceof Error ? err.message : String(err) });
        this.file.recordEmailed(documentId, { on: dispatchedOn, result: 'failed' });
      })
      .finally(() => this.sending.delete(documentId));
  }

  /** Waits a little for sends in flight before the run ends; those still going are carried and started again. */
  async settle(): Promise<void> {
    if (this.sending.size > 0) await condition(() => this.sending.size === 0, SETTLE_TIMEOUT);
  }

  /** Waits until every letter has gone out (or failed for good): an archived case still delivers what it sent. */
  async drain(): Promise<void> {
    if (this.sending.size > 0) await condition(() => this.sending.size === 0);
  }

  carried(): PendingDelivery[] {
    return [...this.sending.values()];
  }
}
