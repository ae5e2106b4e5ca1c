import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Register } from '../register';

// Emails (reminders, escalations) are sent at most once per key: reserve the key in the register's email ledger,
// send, mark sent. Only a crash between the SMTP server's acceptance and the ledger update can send one twice, and
// then with the same Message-ID, so mail clients and the capture can tell it is the same message.

export interface OutgoingEmail {
  /** Idempotency key: case, kind, recipient, the deadline it concerns, the day it is for. */
  key: string;
  caseNumber: string | null;
  kind: string;
  to: string;
  /**
   * How the email ledger names the recipient when not by address: an applicant's address is personal data and stays
   * out of the register (`applicant`); staff addresses are recorded as they are.
   */
  recordedRecipient?: string;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with it (a reply letter's PDF, DOCX). */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

export type SendOutcome = 'sent' | 'already-sent' | 'rejected';

/** The Message-ID an email's key always produces. */
export function messageIdFor(key: string, domain = 'gongkai.invalid'): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

/** The text with every email address replaced by `<address>`. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+/g, '<address>');
}

/** A permanent SMTP rejection (5xx): sending again cannot succeed, so it is recorded, not retried. */
function isPermanentRejection(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export interface EmailDeps {
  register: Pick<Register, 'reserveEmail' | 'markEmail'>;
  transport: Pick<Transporter, 'sendMail'>;
  /** The sender, e.g. `{ name: '政府信息公开工作机构', address: 'gip@lyg.example.cn' }`. */
  from: { name: string; address: string };
  now?: () => Date;
}

export function createEmailActivities({ register, transport, from, now = () => new Date() }: EmailDeps) {
  return {
    /**
     * Sends one email under the ledger's policy. Returns 'already-sent' for a key sent before and 'rejected' for a
     * permanent rejection (recorded); a temporary failure (4xx, connection) throws, so Temporal retries with backoff.
     */
    async sendEmail(email: OutgoingEmail): Promise<SendOutcome> {
      const messageId = messageIdFor(email.key, from.address.split('@')[1]);
      const reservation = await register.reserveEmail({
        key: email.key,
        caseNumber: email.caseNumber,
        kind: email.kind,
        recipient: email.recordedRecipient ?? email.to,
        messageId,
        at: now().toISOString(),
      });
      if (reservation.decision === 'already-sent') return 'already-sent';
      if (reservation.decision === 'failed') return 'rejected';
      try {
        await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text, html: email.html, attachments: email.attachments, messageId });
      } catch (err) {
        // SMTP replies often quote the recipient: the address (an applicant's, personal data) stays out of the
        // ledger, the failure and the worker's logs.
        const error = withoutAddresses(err instanceof Error ? err.message : String(err));
        if (isPermanentRejection(err)) {
          await register.markEmail(email.key, { status: 'failed', error });
          return 'rejected';
        }
        await register.markEmail(email.key, { status: 'reserved', error });
        throw Object.assign(new Error(error), { responseCode: (err as { responseCode?: unknown } | null)?.responseCode, code: (err as { code?: unknown } | null)?.code });
      }
      await register.markEmail(email.key, { status: 'sent', at: now().toISOString() });
      return 'sent';
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
