import { createTransport } from 'nodemailer';
import { createEmailActivities, messageIdFor, type OutgoingEmail } from '../../activities/email';
import type { Register } from '../../register';
import { createTestStore, randomSubmissionId, type TestStore } from '../helpers/register';
import { SmtpCapture } from '../helpers/smtp-capture';

// The email activity against a real SMTP server on loopback and a real register: sent once per key, a permanent
// rejection recorded and not retried, a temporary failure retried, and the one documented crash window.

let smtp: SmtpCapture;
let store: TestStore;
let register: Register;

beforeAll(async () => {
  [smtp, store] = await Promise.all([SmtpCapture.start(), createTestStore('sqlite')]);
  register = await store.open();
}, 60_000);

afterAll(async () => {
  await register?.close();
  await store?.destroy();
  await smtp?.close();
});

beforeEach(() => {
  smtp.received.length = 0;
  smtp.rejectWith = null;
});

const transport = () => createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
const from = { name: '连云港市自然资源和规划局政府信息公开工作机构', address: 'gip@lyg.example.cn' };

function reminder(): OutgoingEmail {
  const key = `LYG-ZRZY-2026-000001:reply-due-5wd:zrzy.handler1:2026-12-25:2026-12-18:${randomSubmissionId()}`;
  return { key, caseNumber: 'LYG-ZRZY-2026-000001', kind: 'reply-due-5wd', to: 'handler1@lyg.example.cn', subject: '【提醒】LYG-ZRZY-2026-000001 答复期限还有5个工作日', text: '答复期限：2026-12-25。' };
}

test('sent once per key, with the Message-ID its key gives; sending again sends nothing', async () => {
  const { sendEmail } = createEmailActivities({ register, transport: transport(), from });
  const email = reminder();
  expect(await sendEmail(email)).toBe('sent');
  expect(await sendEmail(email)).toBe('already-sent');
  expect(smtp.received).toEqual([
    { messageId: messageIdFor(email.key, 'lyg.example.cn'), to: ['handler1@lyg.example.cn'], subject: email.subject, text: expect.stringContaining('2026-12-25'), attachments: [] },
  ]);
  expect((await register.emailLedger()).find((row) => row.email_key === email.key)).toMatchObject({ status: 'sent', attempts: 1 });
});

test('a permanent rejection (5xx) is recorded and not tried again', async () => {
  const { sendEmail } = createEmailActivities({ register, transport: transport(), from });
  const email = reminder();
  smtp.rejectWith = { code: 550, message: 'mailbox unavailable' };
  expect(await sendEmail(email)).toBe('rejected');
  smtp.rejectWith = null;
  expect(await sendEmail(email)).toBe('rejected');
  expect(smtp.received).toEqual([]);
  expect((await register.emailLedger()).find((row) => row.email_key === email.key)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('550') });
});

test('a temporary failure (4xx) throws, so the activity is retried, and the retry delivers once', async () => {
  const { sendEmail } = createEmailActivities({ register, transport: transport(), from });
  const email = reminder();
  smtp.rejectWith = { code: 451, message: 'try again later' };
  await expect(sendEmail(email)).rejects.toThrow();
  smtp.rejectWith = null;
  expect(await sendEmail(email)).toBe('sent');
  expect(smtp.received).toHaveLength(1);
  expect((await register.emailLedger()).find((row) => row.email_key === email.key)).toMatchObject({ status: 'sent', attempts: 2 });
});

test('the one crash window: accepted by SMTP, not yet marked sent — the retry sends again with the same Message-ID', async () => {
  const email = reminder();
  // The worker dies right after the SMTP server accepted the message: the ledger is never marked.
  const crashing = createEmailActivities({
    register: { reserveEmail: register.reserveEmail, markEmail: async () => Promise.reject(new Error('worker killed')) },
    transport: transport(),
    from,
  });
  await expect(crashing.sendEmail(email)).rejects.toThrow('worker killed');
  const { sendEmail } = createEmailActivities({ register, transport: transport(), from });
  expect(await sendEmail(email)).toBe('sent');
  expect(await sendEmail(email)).toBe('already-sent');
  expect(smtp.received.map((m) => m.messageId)).toEqual([messageIdFor(email.key, 'lyg.example.cn'), messageIdFor(email.key, 'lyg.example.cn')]);
});

test('a crash before sending (after the reservation) sends exactly once when retried', async () => {
  const email = reminder();
  const failingTransport = { sendMail: async () => Promise.reject(Object.assign(new Error('connection lost'), { code: 'ECONNRESET' })) };
  await expect(createEmailActivities({ register, transport: failingTransport, from }).sendEmail(email)).rejects.toThrow('connection lost');
  const { sendEmail } = createEmailActivities({ register, transport: transport(), from });
  expect(await sendEmail(email)).toBe('sent');
  expect(smtp.received).toHaveLength(1);
});
