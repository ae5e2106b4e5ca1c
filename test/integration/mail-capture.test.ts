import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { smtpSettingsSchema } from '../../domain/gongkai-config';
import { PROJECT_ROOT } from '../../workers/config';
import { loadConfig } from '../../workers/load-config';
import {
  MAIL_INDEX_FILE,
  type MailCapture,
  mailCaptureDirectory,
  readMailIndex,
  startMailCapture,
} from '../../workers/mail-capture';
import { createMailTransport } from '../../workers/mail-transport';
import { gongkai, type StackEnv, stopWithCtrlC } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';
import { SmtpCapture } from '../helpers/smtp-capture';

// The local mail capture as `npm start` runs it and `gongkai mail list` reads it, SMTP_URL, and the test helper's
// outage (stop, restart) — all over real SMTP on loopback.

let dataDir: string;
let capture: MailCapture;
const from = { name: '连云港市政府信息公开', address: 'gongkai@lyg.example.cn' };
const subject = '【提醒】LYG-ZRZY-2026-000001 答复期限还有5个工作日';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gongkai-mail-'));
  const port = await freePort();
  capture = await startMailCapture({ host: '127.0.0.1', port, directory: mailCaptureDirectory(dataDir) });
});

afterAll(async () => {
  await capture?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const stackEnv = (): StackEnv => ({ dataDir, address: '127.0.0.1:1' });
const gongkaiJs = join(PROJECT_ROOT, 'bin', 'gongkai.js');

test('a message sent through createMailTransport lands as an .eml file and one index line, its Chinese subject intact', async () => {
  const transport = createMailTransport(smtpSettingsSchema.parse({ port: capture.port }));
  const text = '答复期限：2026-12-25。';
  const sent = await transport.sendMail({ from, to: 'handler1@lyg.example.cn', subject, text, html: `<p>${text}</p>` });

  const { entries, unreadableLines } = readMailIndex(capture.directory);
  expect(unreadableLines).toBe(0);
  expect(entries).toEqual([
    {
      receivedAt: expect.any(String),
      messageId: sent.messageId,
      from: 'gongkai@lyg.example.cn',
      to: ['handler1@lyg.example.cn'],
      subject,
      file: expect.stringMatching(/\.eml$/),
    },
  ]);
  const entry = entries[0]!;
  expect(Math.abs(Date.parse(entry.receivedAt) - Date.now())).toBeLessThan(60_000);
  const raw = readFileSync(join(capture.directory, entry.file));
  expect(raw.toString('latin1')).toMatch(/^Subject: =\?UTF-8\?/m); // encoded-word on the wire, decoded in the index
  const parsed = await simpleParser(raw);
  expect(parsed.subject).toBe(subject);
  expect(parsed.html).toContain('2026-12-25');
});

test('gongkai mail list shows what arrived: Beijing time, recipient, subject; --json adds the Message-ID', async () => {
  const [entry] = readMailIndex(capture.directory).entries;
  const listed = await gongkai(stackEnv(), 'mail', 'list');
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  const time = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}`;
  expect(listed.stdout).toMatch(new RegExp(String.raw`^${time}  handler1@lyg\.example\.cn  ${subject}\n$`));

  const json = JSON.parse((await gongkai(stackEnv(), 'mail', 'list', '--json')).stdout);
  expect(json).toEqual([
    expect.objectContaining({ messageId: entry!.messageId, subject, file: join(capture.directory, entry!.file) }),
  ]);
}, 30_000);

test('mail list prints times in Beijing time, keeps the latest with --limit, and skips a damaged line', async () => {
  const other = mkdtempSync(join(tmpdir(), 'gongkai-mail-index-'));
  try {
    mkdirSync(mailCaptureDirectory(other));
    const line = (receivedAt: string, to: string) =>
      JSON.stringify({ receivedAt, messageId: `<${to}@x>`, from: 'a@x.cn', to: [to], subject: '逾期提醒', file: 'm.eml' });
    const index = [
      line('2026-11-26T23:59:59.000Z', 'first@x.cn'),
      '{"damaged',
      line('2026-11-27T00:30:05.000Z', 'second@x.cn'),
    ];
    writeFileSync(join(mailCaptureDirectory(other), MAIL_INDEX_FILE), `${index.join('\n')}\n`);
    const env = { dataDir: other, address: '127.0.0.1:1' };

    const all = await gongkai(env, 'mail', 'list');
    expect(all.stdout).toBe('2026-11-27 07:59:59  first@x.cn  逾期提醒\n2026-11-27 08:30:05  second@x.cn  逾期提醒\n');
    expect(all.stderr).toContain('skipped 1 unreadable line');
    const latest = await gongkai(env, 'mail', 'list', '--limit', '1');
    expect(latest.stdout).toBe('2026-11-27 08:30:05  second@x.cn  逾期提醒\n');
    expect(await gongkai(env, 'mail', 'list', '--limit', '0')).toMatchObject({ code: 1 });
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
}, 30_000);

test('SMTP_URL wins over the host and port, credentials included', async () => {
  const closedPort = await freePort();
  const url = `smtp://mailer:s3cret@127.0.0.1:${capture.port}`;
  const config = loadConfig({ env: { GONGKAI_DATA_DIR: dataDir, GONGKAI_SMTP_PORT: String(closedPort), SMTP_URL: url } });
  expect(config.smtp).toMatchObject({ port: closedPort, url });
  const to = 'supervisor@lyg.example.cn';
  const sent = await createMailTransport(config.smtp).sendMail({ from, to, subject: '经由 SMTP_URL', text: '—' });
  expect(readMailIndex(capture.directory).entries.at(-1)).toMatchObject({ messageId: sent.messageId, to: [to] });
});

test('the test helper: a send while it is stopped fails, after restart on the same port it succeeds', async () => {
  const smtp = await SmtpCapture.start();
  try {
    const transport = createMailTransport(smtpSettingsSchema.parse({ port: smtp.port }));
    const send = (text: string) =>
      transport.sendMail({ from, to: 'handler1@lyg.example.cn', subject, text, html: `<b>${text}</b>` });
    await send('before');
    await smtp.stop();
    await expect(send('during')).rejects.toThrow('ECONNREFUSED');
    await smtp.restart();
    await send('after');
    expect(smtp.received.map((m) => [m.subject, m.text?.trim(), m.html])).toEqual([
      [subject, 'before', '<b>before</b>'],
      [subject, 'after', '<b>after</b>'],
    ]);
    expect(readMailIndex(smtp.directory).entries).toHaveLength(2);
  } finally {
    await smtp.close();
  }
  expect(existsSync(smtp.directory)).toBe(false);
});

describe('gongkai start', () => {
  let startDir: string;
  beforeAll(() => (startDir = mkdtempSync(join(tmpdir(), 'gongkai-mail-start-'))));
  afterAll(() => rmSync(startDir, { recursive: true, force: true }));

  const startEnv = async (smtpPort: number) => ({
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    GONGKAI_DATA_DIR: startDir,
    GONGKAI_SMTP_PORT: String(smtpPort),
  });

  test('stops at once, naming GONGKAI_SMTP_PORT and SMTP_URL, when the capture port is taken', async () => {
    const blocker: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as AddressInfo).port)),
    );
    try {
      const child = spawn(process.execPath, [gongkaiJs, 'start', '--ui-port', '0'], { env: await startEnv(port) });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`127.0.0.1:${port} is in use`);
      expect(stderr).toMatch(/GONGKAI_SMTP_PORT.*SMTP_URL/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

  test('runs the capture beside the worker, storing under <data dir>/mail, and frees the port on Ctrl-C', async () => {
    const port = await freePort();
    const env = await startEnv(port);
    const child = spawn(process.execPath, [gongkaiJs, 'start', '--ui-port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = { child, output: () => output };
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not running after 90 s:\n${output}`)), 90_000);
        child.stdout.on('data', () => output.includes('worker running') && (clearTimeout(timer), resolve()));
        child.once('exit', (code) => reject(new Error(`exited early with ${code}:\n${output}`)));
      });
      expect(output).toContain('local mail capture ready');
      expect(output).toContain(`127.0.0.1:${port}`);
      const config = loadConfig({ env });
      const transport = createMailTransport(config.smtp);
      const sent = await transport.sendMail({ from, to: 'head@lyg.example.cn', subject: '经由 npm start', text: '—' });
      expect(readMailIndex(mailCaptureDirectory(startDir)).entries).toEqual([
        expect.objectContaining({ messageId: sent.messageId, subject: '经由 npm start' }),
      ]);
    } finally {
      expect(await stopWithCtrlC(started)).toBe(0);
    }
    // The port is free again: another capture can take it.
    const again = await startMailCapture({ host: '127.0.0.1', port, directory: join(startDir, 'again') });
    await again.close();
  }, 120_000);
});
