import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { z } from 'zod';
import { logger } from './logger';
import { isLoopbackHost } from './mail-transport';

// The local mail capture: an SMTP server on loopback that accepts every message and keeps it on disk, the raw
// message as `<file>.eml` plus one JSON line in `index.jsonl`, so `gongkai mail list` reads the index without parsing
// mail. `npm start` runs it when no real SMTP server is configured, and the tests' SmtpCapture is built on it, so
// there is one SMTP receiver in the code base.

export const MAIL_INDEX_FILE = 'index.jsonl';

/** Where `npm start` keeps captured mail. */
export const mailCaptureDirectory = (dataDir: string): string => join(dataDir, 'mail');

/** Larger messages are refused with 552; reminders are a few KB. */
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/** One line of the index. `from` and `to` are the SMTP envelope: who sent it, who it was delivered to (Bcc too). */
export const capturedMailEntrySchema = z.object({
  receivedAt: z.iso.datetime({ offset: true }),
  /** With its angle brackets, as in the header; null when the message has none. */
  messageId: z.string().nullable(),
  from: z.string().nullable(),
  to: z.array(z.string()),
  /** Decoded (encoded-word subjects come out as Chinese text). */
  subject: z.string().nullable(),
  /** Name of the `.eml` file in the same directory. */
  file: z.string().regex(/^[\w.-]+\.eml$/),
});
export type CapturedMailEntry = z.output<typeof capturedMailEntrySchema>;

export interface SmtpRejection {
  /** 4xx temporary (the sender retries), 5xx permanent. */
  code: number;
  message: string;
}

export interface MailCaptureOptions {
  /** A loopback address; any other host is refused, since the capture accepts mail from anyone who reaches it. */
  host: string;
  /** 0 takes a free port. */
  port: number;
  directory: string;
  /** Each message once it is on disk and indexed. */
  onMessage?: (entry: CapturedMailEntry, mail: ParsedMail) => void;
  /** A rejection refuses the recipient (RCPT TO) with its code; undefined accepts. */
  checkRecipient?: (address: string) => SmtpRejection | undefined;
  /** How long `close` lets open SMTP sessions finish before it cuts them (421). */
  closeTimeoutMs?: number;
}

export interface MailCapture {
  readonly host: string;
  readonly port: number;
  readonly directory: string;
  /** Stops listening, then waits for the messages being written. */
  close(): Promise<void>;
}

const smtpError = ({ code, message }: SmtpRejection): Error =>
  Object.assign(new Error(message), { responseCode: code });

/** Starts the capture; rejects with the listener's error (e.g. code EADDRINUSE) when the port cannot be had. */
export async function startMailCapture(options: MailCaptureOptions): Promise<MailCapture> {
  if (!isLoopbackHost(options.host)) {
    throw new Error(`the mail capture listens on loopback only, not on ${options.host}`);
  }
  // Node may resolve `localhost` to ::1 while a client resolves it to 127.0.0.1; the IPv4 address is unambiguous.
  const host = options.host.toLowerCase() === 'localhost' ? '127.0.0.1' : options.host.replace(/^\[|\]$/g, '');
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });

  // Appends are chained so that index lines never interleave and `close` can wait for the last one.
  let writes: Promise<void> = Promise.resolve();
  const store = async (raw: Buffer, session: SMTPServerSession): Promise<[CapturedMailEntry, ParsedMail]> => {
    const { mailFrom, rcptTo } = session.envelope;
    const receivedAt = new Date().toISOString();
    const mail = await simpleParser(raw);
    const file = `${receivedAt.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}.eml`;
    const entry: CapturedMailEntry = {
      receivedAt,
      messageId: mail.messageId ?? null,
      from: mailFrom === false ? null : mailFrom.address,
      to: rcptTo.map((recipient) => recipient.address),
      subject: mail.subject ?? null,
      file,
    };
    const written = writes.then(async () => {
      // The .eml first: an index line always names a file that exists.
      await writeFile(join(options.directory, file), raw, { mode: 0o600 });
      await appendFile(join(options.directory, MAIL_INDEX_FILE), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    });
    writes = written.catch(() => undefined);
    await written;
    return [entry, mail];
  };

  const receive = (stream: SMTPServerDataStream, session: SMTPServerSession, done: (err?: Error | null) => void) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', done);
    stream.once('end', () => {
      if (stream.sizeExceeded) {
        return done(smtpError({ code: 552, message: 'message exceeds fixed maximum message size' }));
      }
      store(Buffer.concat(chunks), session)
        .then(([entry, mail]) => {
          options.onMessage?.(entry, mail);
          done();
        })
        .catch((err: unknown) => {
          logger.warn({ code: (err as NodeJS.ErrnoException).code }, 'mail capture could not store a message');
          done(smtpError({ code: 451, message: 'could not store the message, try again later' }));
        });
    });
  };

  const server = new SMTPServer({
    banner: 'gongkai local mail capture',
    // Loopback only and nothing leaves the machine: no TLS, and any login is accepted so that a configured
    // user and password do not stop local runs.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'local' }),
    size: MAX_MESSAGE_BYTES,
    closeTimeout: options.closeTimeoutMs ?? 2_000,
    logger: false,
    onRcptTo(address, _session, callback) {
      const rejection = options.checkRecipient?.(address.address);
      callback(rejection === undefined ? undefined : smtpError(rejection));
    },
    onData: receive,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After start-up the server reports broken client connections here; they concern that client only.
  server.on('error', (err: NodeJS.ErrnoException) =>
    logger.debug({ code: err.code }, 'mail capture: connection error'),
  );

  const { port } = server.server.address() as AddressInfo;
  return {
    host,
    port,
    directory: options.directory,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writes;
    },
  };
}

/** The index of `directory` in the order received; lines that do not parse are counted, not returned. */
export function readMailIndex(directory: string): { entries: CapturedMailEntry[]; unreadableLines: number } {
  let text: string;
  try {
    text = readFileSync(join(directory, MAIL_INDEX_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadableLines: 0 };
    throw err;
  }
  const entries: CapturedMailEntry[] = [];
  let unreadableLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      json = undefined;
    }
    const parsed = capturedMailEntrySchema.safeParse(json);
    if (parsed.success) entries.push(parsed.data);
    else unreadableLines++;
  }
  return { entries, unreadableLines };
}
