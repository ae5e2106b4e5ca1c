import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MailCapture, type MailCaptureOptions, startMailCapture } from '../../workers/mail-capture';

export interface CapturedEmail {
  messageId: string | undefined;
  /** Envelope recipients: who the server delivered to. */
  to: string[];
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  /** Attached files as mailparser parsed them; `checksum` is mailparser's MD5, `sha256` computed here. */
  attachments: { filename: string | undefined; contentType: string; size: number; checksum: string; sha256: string }[];
}

/**
 * The local mail capture of workers/mail-capture.ts on a free loopback port, keeping what it receives in memory too.
 * `rejectWith` makes it refuse recipients with an SMTP code (451 temporary, 550 permanent) until cleared; `stop` and
 * `restart` take the server down and bring it back on the same port (an outage).
 */
export class SmtpCapture {
  readonly received: CapturedEmail[] = [];
  rejectWith: { code: number; message: string } | null = null;

  private constructor(
    private running: MailCapture | null,
    readonly port: number,
    /** Where the capture also keeps each message (.eml and index.jsonl); removed by `close`. */
    readonly directory: string,
  ) {}

  static async start(): Promise<SmtpCapture> {
    const directory = mkdtempSync(join(tmpdir(), 'gongkai-smtp-'));
    // The handlers run only once a message arrives, by which time the capture exists.
    const ref: { capture?: SmtpCapture } = {};
    const running = await startMailCapture(SmtpCapture.options(ref, 0, directory));
    ref.capture = new SmtpCapture(running, running.port, directory);
    return ref.capture;
  }

  private static options(ref: { capture?: SmtpCapture }, port: number, directory: string): MailCaptureOptions {
    return {
      host: '127.0.0.1',
      port,
      directory,
      checkRecipient: () => ref.capture?.rejectWith ?? undefined,
      onMessage: (entry, mail) =>
        ref.capture?.received.push({
          messageId: entry.messageId ?? undefined,
          to: entry.to,
          subject: entry.subject ?? undefined,
          text: mail.text,
          html: mail.html === false ? undefined : mail.html,
          attachments: mail.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            size: a.size,
            checksum: a.checksum,
            sha256: createHash('sha256').update(a.content).digest('hex'),
          })),
        }),
      // An outage drops open sessions at once.
      closeTimeoutMs: 10,
    };
  }

  /** Stops listening: connecting fails (ECONNREFUSED) until `restart`. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    await running?.close();
  }

  /** Listens again on the same port, keeping what was received. */
  async restart(): Promise<void> {
    if (this.running) return;
    this.running = await startMailCapture(SmtpCapture.options({ capture: this }, this.port, this.directory));
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
