import { createHash } from 'node:crypto';
import { beijingDateOfMs } from '../../domain/dates';
import type { ItemDecision } from '../../domain/minimisation';
import { caseViewQuery, type CaseView } from '../../workflows/request/messages';
import { pdfText } from '../helpers/pdf-text';
import { eventually, exampleApplication, refusal, type RequestHarness, toDisclosureDecision, useRequestHarness } from '../helpers/request-harness';

// 当不当 to delivery on the real time-skipping server: the signed reply is numbered, rendered (PDF, DOCX), stored in
// the register, listed on the case, and delivered — by email through a real SMTP server, or by post with its 交邮 date.

const harness = useRequestHarness();
let h: RequestHarness;
beforeEach(() => {
  h = harness();
});

const APPLICANT_EMAIL = 'zhangsan@example.com';

const partialDisclosure: ItemDecision = {
  itemId: '1',
  outcome: 'partially-disclosed',
  withheldParts: [
    {
      ground: 'third-party-rights',
      scope: '附件2中自然人的身份证号码和联系电话',
      reason: '涉及第三方个人隐私，第三方不同意公开且有合理理由',
      evidence: { thirdPartyInterest: 'personal-privacy', thirdPartyConsultation: { sentOn: '2026-11-27', response: 'objected', respondedOn: '2026-11-27' } },
    },
  ],
  alreadyPublicCheck: { isPublic: false },
  reEvaluateOn: '2027-12-31',
};

/** From the disclosure decision to the signed 部分公开 reply. */
const TO_SIGNED_PARTIAL_DISCLOSURE: [string, string, unknown?][] = [
  ['zrzy.handler1', 'record-item-decision', { item: partialDisclosure }],
  ['zrzy.handler1', 'conclude-disclosure-decision', { confidentialityReview: { reviewedBy: 'zrzy.reviewer', reviewedOn: '2026-11-27' } }],
  ['zrzy.handler1', 'draft-reply'],
  ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
  ['zrzy.head', 'sign-off-reply'],
];

/** A 部分公开 case of the example applicant (with `contact`), signed off; returns the case view once the letter is listed. */
async function signedPartialDisclosure(contact: Record<string, unknown>): Promise<{ caseNumber: string; view: CaseView }> {
  const caseNumber = await h.newCase({ contact });
  await toDisclosureDecision(h, caseNumber);
  await h.acts(caseNumber, TO_SIGNED_PARTIAL_DISCLOSURE);
  let view: CaseView | undefined;
  await eventually(async () => {
    view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
    expect(view.documents.at(-1)?.formats).toHaveLength(2);
  }, 60_000);
  return { caseNumber, view: view! };
}


const today = async (): Promise<string> => beijingDateOfMs(await h.env.currentTimeMs());

test('the signed reply is numbered, rendered, stored and emailed to the applicant with its PDF', async () => {
  const { caseNumber, view } = await signedPartialDisclosure({ ...exampleApplication.contact, email: APPLICANT_EMAIL });
  const reply = view.documents.at(-1)!;
  expect(reply).toMatchObject({ documentId: `${caseNumber}/reply/v1`, documentType: 'partial-disclosure' });
  expect(reply.documentNumber).toMatch(/^连资规依复〔\d{4}〕\d+号$/);
  expect(reply.formats?.map((f) => [f.documentId, f.mediaType])).toEqual([
    [`${reply.documentId}.pdf`, 'application/pdf'],
    [`${reply.documentId}.docx`, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ]);

  const pdf = await h.register.readDocument(`${reply.documentId}.pdf`);
  const docx = await h.register.readDocument(`${reply.documentId}.docx`);
  expect(pdf).toMatchObject({ mediaType: 'application/pdf', documentNumber: reply.documentNumber, sha256: reply.formats?.[0]?.sha256 });
  expect(docx?.sha256).toBe(reply.formats?.[1]?.sha256);
  expect(createHash('sha256').update(pdf!.content).digest('hex')).toBe(pdf!.sha256);
  expect(docx!.content.subarray(0, 2).toString('latin1')).toBe('PK');
  const text = pdfText(pdf!.content).replace(/\s+/g, '');
  const positions = ['连云港市自然资源和规划局政府信息公开申请答复书', reply.documentNumber!, '张三：'].map((element) => text.indexOf(element));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);

  const dispatchedOn = await today();
  await h.act(caseNumber, 'zrzy.handler1', 'record-dispatch', { dispatchedOn, method: 'email' });
  await eventually(async () => expect(h.smtp.received.filter((m) => m.to.includes(APPLICANT_EMAIL))).toHaveLength(1), 30_000);
  const email = h.smtp.received.find((m) => m.to.includes(APPLICANT_EMAIL))!;
  expect(email.subject).toContain('政府信息公开申请答复书');
  expect(email.subject).toContain(reply.documentNumber);
  expect(email.text).toContain('张三：');
  expect(email.attachments).toHaveLength(1);
  expect(email.attachments[0]).toMatchObject({ contentType: 'application/pdf', size: pdf!.content.length, sha256: pdf!.sha256 });
  expect(email.attachments[0]?.filename).toMatch(/\.pdf$/);
  await eventually(async () => {
    const stored = (await h.register.readCase(caseNumber))?.documents.find((d) => d.document_id === `${reply.documentId}.pdf`);
    expect(stored).toMatchObject({ dispatched_on: dispatchedOn, delivery_method: 'email', delivered_on: null });
  });
}, 120_000);

test('without an email address the reply cannot be emailed; by post the 交邮 date is recorded', async () => {
  const { caseNumber, view } = await signedPartialDisclosure(exampleApplication.contact);
  const reply = view.documents.at(-1)!;
  const dispatchedOn = await today();
  const refused = await refusal(h.act(caseNumber, 'zrzy.handler1', 'record-dispatch', { dispatchedOn, method: 'email' }));
  expect(refused).toMatchObject({ type: 'invalid-payload' });
  expect(refused.message).toContain('contact.email');

  const sentBefore = h.smtp.received.length;
  await h.act(caseNumber, 'zrzy.handler1', 'record-dispatch', { dispatchedOn, method: 'post' });
  await eventually(async () => {
    const documents = (await h.register.readCase(caseNumber))?.documents ?? [];
    for (const ext of ['pdf', 'docx']) {
      expect(documents.find((d) => d.document_id === `${reply.documentId}.${ext}`)).toMatchObject({ dispatched_on: dispatchedOn, delivery_method: 'post', delivered_on: null });
    }
  });
  expect(h.smtp.received).toHaveLength(sentBefore);
}, 120_000);

test('dispatched and archived right after sign-off: the reply is still numbered, stored and emailed before the archive', async () => {
  const caseNumber = await h.newCase({ contact: { ...exampleApplication.contact, email: APPLICANT_EMAIL } });
  await toDisclosureDecision(h, caseNumber);
  const dispatchedOn = await today();
  // No waiting between the acts: the main loop is still writing earlier register events when they arrive.
  await h.acts(caseNumber, [
    ...TO_SIGNED_PARTIAL_DISCLOSURE,
    ['zrzy.handler1', 'record-dispatch', { dispatchedOn, method: 'email' }],
    ['zrzy.handler1', 'archive-case'],
  ]);
  await h.completion(caseNumber);
  const emails = h.smtp.received.filter((m) => m.subject?.includes('政府信息公开申请答复书') && m.text?.includes('张三：') && m.to.includes(APPLICANT_EMAIL));
  const archived = await h.register.readCase(caseNumber);
  const pdf = archived?.documents.find((d) => d.document_id === `${caseNumber}/reply/v1.pdf`);
  expect(pdf).toMatchObject({ dispatched_on: dispatchedOn, delivery_method: 'email' });
  expect(emails.filter((m) => m.attachments.some((a) => a.sha256 === pdf?.sha256))).toHaveLength(1);
}, 120_000);
