import { type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedEmail {
  messageId: string | undefined;
  to: string[];
  subject: string | undefined;
  text: string | undefined;
}

/**
 * A real SMTP server on loopback that keeps what it receives. `rejectWith` makes it refuse recipients with an SMTP
 * code (451 temporary, 550 permanent) until cleared.
 */
export class SmtpCapture {
  readonly received: CapturedEmail[] = [];
  rejectWith: { code: number; message: string } | null = null;
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpCapture> {
    // The handlers below run only after `listen`, by which time the capture exists.
    const ref: { capture?: SmtpCapture } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        const rejection = ref.capture?.rejectWith;
        if (!rejection) return callback();
        const err = Object.assign(new Error(rejection.message), { responseCode: rejection.code });
        return callback(err);
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            const to = mail.to ? (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a.value.map((v) => v.address ?? '')) : [];
            ref.capture?.received.push({ messageId: mail.messageId, to, subject: mail.subject, text: mail.text });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ref.capture = new SmtpCapture(server, (server as unknown as { server: { address(): AddressInfo } }).server.address().port);
    return ref.capture;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
