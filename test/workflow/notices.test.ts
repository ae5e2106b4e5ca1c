import { createLetterActivities, type NoticeLetterInput } from '../../activities/letters';
import { SUPPORTED_ACTIONS } from '../../domain/case-actions';
import { beijingDateOfMs, type IsoDate } from '../../domain/dates';
import { chineseDate, isNumberedLetterType, isReplyLetterType, LETTER_TYPE_LABELS, LETTER_TYPES, type LetterType, type NoticeLetterType, noticesOf } from '../../domain/letters';
import { caseViewQuery, type CaseDocument } from '../../workflows/request/messages';
import { pdfText } from '../helpers/pdf-text';
import { eventually, exampleApplication, refusal, type RequestHarness, useRequestHarness } from '../helpers/request-harness';

// The procedural letters on the real time-skipping server: each act that issues a notice lists it on the case, and
// the main loop numbers, renders, stores and — for an applicant who asked for email — emails it through a real SMTP
// server; letters to a third party or another agency are stored for the office to send.

const harness = useRequestHarness();
let h: RequestHarness;
beforeEach(() => {
  h = harness();
});

const APPLICANT_EMAIL = 'lisi@example.com';
/** The demo agency's number series (config/demo.json): its own for three notices, the default for the rest. */
const series = (code: string): RegExp => new RegExp(`^连资规依${code}〔\\d{4}〕\\d+号$`);

const today = async (): Promise<IsoDate> => beijingDateOfMs(await h.env.currentTimeMs());
const inDays = (from: IsoDate, days: number): IsoDate => beijingDateOfMs(Date.parse(`${from}T12:00:00+08:00`) + days * 86_400_000);

/** A request received today from an applicant who asked for the information (and so the letters) by email. */
async function emailCase(): Promise<string> {
  const submittedAt = new Date(await h.env.currentTimeMs()).toISOString();
  return h.newCase({
    contact: { ...exampleApplication.contact, email: APPLICANT_EMAIL },
    provision: { form: 'electronic', manner: 'email' },
    channel: { kind: 'in-person', submittedAt },
  });
}

/** The case's document once stored (PDF and DOCX listed), and the stored PDF's text without whitespace. */
async function storedLetter(caseNumber: string, documentId: string): Promise<{ document: CaseDocument; text: string; sha256: string }> {
  let document: CaseDocument | undefined;
  await eventually(async () => {
    const view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
    document = view.documents.find((d) => d.documentId === documentId);
    expect(document?.notProduced).toBeUndefined();
    expect(document?.formats).toHaveLength(2);
  }, 30_000);
  const pdf = (await h.register.readDocument(`${documentId}.pdf`))!;
  expect(pdf.documentNumber).toBe(document!.documentNumber);
  return { document: document!, text: pdfText(pdf.content).replace(/\s+/g, ''), sha256: pdf.sha256 };
}

/** Each of `elements` is in `text`, in this order. */
function expectInOrder(text: string, elements: string[]): void {
  const positions = elements.map((element) => text.indexOf(element.replace(/\s+/g, '')));
  expect(elements.filter((_, i) => positions[i]! < 0)).toEqual([]);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}

/** From registration to the disclosure decision, everything recorded on `on`. */
const TO_DECISION = (on: IsoDate): [string, string, unknown][] => [
  ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
  ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
  ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
  ['zrzy.handler1', 'record-search', { result: 'found', searchedOn: on, places: ['档案室'], keywords: ['规划条件'] }],
];

const emailsTo = (address: string) => h.smtp.received.filter((m) => m.to.includes(address));

test('an applicant who asked for email gets the receipt and each notice once, with its PDF; the consultee’s letters are stored for the office', async () => {
  const on = await today();
  const caseNumber = await emailCase();

  const receipt = await storedLetter(caseNumber, `${caseNumber}/receipt/1`);
  expect(receipt.document.documentNumber).toBeNull();
  const replyDue = (await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).replyDue!;
  expectInOrder(receipt.text, [LETTER_TYPE_LABELS.receipt, '张三：', chineseDate(on), caseNumber, chineseDate(replyDue)]);

  await h.act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
  const itemsToCorrect = ['请写明所需信息的名称或文号', '请补充身份证明复印件'];
  await h.act(caseNumber, 'zrzy.handler1', 'request-correction', { sentOn: on, itemsToCorrect, applicantDueOn: inDays(on, 15) });
  const correction = await storedLetter(caseNumber, `${caseNumber}/correction-notice/1`);
  expect(correction.document.documentNumber).toMatch(series('补'));
  expectInOrder(correction.text, [LETTER_TYPE_LABELS['correction-notice'], correction.document.documentNumber!, '张三：', ...itemsToCorrect, chineseDate(inDays(on, 15))]);

  await h.acts(caseNumber, [
    ['zrzy.registrar', 'record-correction-received', { receivedOn: on }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
    ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
    ['zrzy.handler1', 'record-search', { result: 'found', searchedOn: on, places: ['档案室'], keywords: ['规划条件'] }],
    ['zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-1', letterSentOn: on, consulteeReceivedOn: on, about: '出让合同中的企业经营信息', consulteeName: '某某置业有限公司', consulteeType: 'organisation', interest: 'commercial-secret' }],
  ]);
  const consultation = await storedLetter(caseNumber, `${caseNumber}/third-party-consultation/1`);
  expectInOrder(consultation.text, [LETTER_TYPE_LABELS['third-party-consultation'], consultation.document.documentNumber!, '某某置业有限公司：', '出让合同中的企业经营信息', '商业秘密']);
  expect(consultation.text).not.toContain('张三');
  const consultationNotice = await storedLetter(caseNumber, `${caseNumber}/consultation-notice/1`);
  expectInOrder(consultationNotice.text, [LETTER_TYPE_LABELS['consultation-notice'], '张三：', chineseDate(on)]);

  await h.acts(caseNumber, [
    ['zrzy.handler1', 'record-third-party-opinion', { consultationId: 'tp-1', answeredOn: on, opinion: 'objected' }],
    ['zrzy.handler1', 'notify-third-party-of-disclosure', { consultationId: 'tp-1', sentOn: on, publicInterestReason: '不公开可能对公共利益造成重大影响', disclosedContent: '出让合同第五条规划条件' }],
    ['zrzy.handler1', 'request-extension', { requestedOn: on, workingDays: 10, reason: '需调取历史档案' }],
    ['zrzy.head', 'approve-extension', { decision: 'approve', approvedOn: on, workingDays: 10, reason: '需调取历史档案' }],
  ]);
  const disclosure = await storedLetter(caseNumber, `${caseNumber}/third-party-disclosure-notice/1`);
  expectInOrder(disclosure.text, [LETTER_TYPE_LABELS['third-party-disclosure-notice'], '某某置业有限公司：', '出让合同第五条规划条件']);
  const extended = (await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).replyDueExtended!;
  const extension = await storedLetter(caseNumber, `${caseNumber}/extension-notice/1`);
  expectInOrder(extension.text, [LETTER_TYPE_LABELS['extension-notice'], extension.document.documentNumber!, '张三：', '需调取历史档案', chineseDate(extended)]);

  expect([consultation, consultationNotice, disclosure, extension].map((l) => l.document.documentNumber)).toEqual([
    expect.stringMatching(series('征')),
    expect.stringMatching(series('复')),
    expect.stringMatching(series('复')),
    expect.stringMatching(series('延')),
  ]);
  // Each numbered once: no two letters share a number.
  const numbers = [correction, consultation, consultationNotice, disclosure, extension].map((l) => l.document.documentNumber);
  expect(new Set(numbers).size).toBe(numbers.length);

  // The applicant's letters by email, each once, the stored PDF attached; none of the consultee's.
  const applicantLetters = [receipt, correction, consultationNotice, extension];
  await eventually(async () => expect(emailsTo(APPLICANT_EMAIL)).toHaveLength(applicantLetters.length), 30_000);
  const received = emailsTo(APPLICANT_EMAIL);
  for (const letter of applicantLetters) {
    const email = received.filter((m) => m.attachments.some((a) => a.sha256 === letter.sha256));
    expect(email).toHaveLength(1);
    expect(email[0]!.subject).toContain(LETTER_TYPE_LABELS[letter.document.documentType as LetterType]);
    if (letter.document.documentNumber) expect(email[0]!.subject).toContain(letter.document.documentNumber);
    expect(email[0]!.text).toContain('张三：');
  }
  expect(h.smtp.received.filter((m) => m.text?.includes('某某置业有限公司'))).toEqual([]);
  const view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
  for (const letter of applicantLetters) {
    expect(view.documents.find((d) => d.documentId === letter.document.documentId)?.emailed).toEqual({ on, result: 'sent' });
    const stored = (await h.register.readCase(caseNumber))?.documents.find((d) => d.document_id === `${letter.document.documentId}.pdf`);
    expect(stored).toMatchObject({ dispatched_on: on, delivery_method: 'email' });
  }
  expect(view.documents.find((d) => d.documentType === 'third-party-consultation')?.emailed).toBeUndefined();
}, 180_000);

test('a notice recorded as sent on an earlier day is stored, not emailed; an applicant who chose post gets no email', async () => {
  const on = await today();
  const byEmail = await emailCase();
  await h.act(byEmail, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
  await h.act(byEmail, 'zrzy.handler1', 'request-correction', { sentOn: inDays(on, -1), itemsToCorrect: ['请写明所需信息的名称'], applicantDueOn: inDays(on, 14) });
  const earlier = await storedLetter(byEmail, `${byEmail}/correction-notice/1`);
  expect(earlier.text).toContain(chineseDate(inDays(on, -1)));

  const byPost = await h.newCase({ channel: { kind: 'in-person', submittedAt: new Date(await h.env.currentTimeMs()).toISOString() } });
  await h.act(byPost, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
  await h.act(byPost, 'zrzy.handler1', 'request-correction', { sentOn: on, itemsToCorrect: ['请写明所需信息的名称'], applicantDueOn: inDays(on, 14) });
  await storedLetter(byPost, `${byPost}/receipt/1`);
  await storedLetter(byPost, `${byPost}/correction-notice/1`);

  // Only the email applicant's receipt went out (issued today); nothing else.
  await eventually(async () => expect(emailsTo(APPLICANT_EMAIL).filter((m) => m.text?.includes(byEmail))).toHaveLength(1), 30_000);
  expect(emailsTo(APPLICANT_EMAIL).filter((m) => m.text?.includes(byEmail))[0]?.subject).toBe(LETTER_TYPE_LABELS.receipt);
  expect(emailsTo(APPLICANT_EMAIL).filter((m) => m.attachments.some((a) => a.sha256 === earlier.sha256))).toEqual([]);
  expect(h.smtp.received.filter((m) => m.text?.includes(byPost))).toEqual([]);
}, 120_000);

test('an act whose letter lacks a fact is refused naming the field, and changes nothing', async () => {
  const on = await today();
  const caseNumber = await emailCase();
  await h.acts(caseNumber, [
    ...TO_DECISION(on),
  ]);
  // The receipt's email settles first, so that nothing else changes the case while the act is refused.
  await eventually(async () => expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).documents[0]?.emailed).toEqual({ on, result: 'sent' }), 30_000);
  const before = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
  const refused = await refusal(h.act(caseNumber, 'zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-1', letterSentOn: on, about: '企业经营信息', consulteeName: '某某置业有限公司' }));
  expect(refused.type).toBe('invalid-payload');
  expect(refused.message).toContain('data.consulteeType');
  expect(refused.message).toContain('data.interest');
  expect(refused.message).not.toContain('data.consulteeName');
  const after = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
  expect(after.documents).toEqual(before.documents);
  expect(after.timeline).toEqual(before.timeline);
  expect(after.pauses).toEqual(before.pauses);
}, 120_000);

test('SMTP down: the notice waits off the loop while the case and the register go on, then arrives once', async () => {
  const on = await today();
  const caseNumber = await emailCase();
  await storedLetter(caseNumber, `${caseNumber}/receipt/1`);
  await eventually(async () => expect(emailsTo(APPLICANT_EMAIL).filter((m) => m.text?.includes(caseNumber))).toHaveLength(1), 30_000);
  await h.act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
  await h.smtp.stop();
  try {
    await h.act(caseNumber, 'zrzy.handler1', 'request-correction', { sentOn: on, itemsToCorrect: ['请写明所需信息的名称'], applicantDueOn: inDays(on, 14) });
    const notice = await storedLetter(caseNumber, `${caseNumber}/correction-notice/1`);
    await eventually(async () => expect((await h.register.emailLedger({ caseNumber })).find((e) => e.email_key === `${notice.document.documentId}:delivery:email`)?.status).toBe('reserved'));
    // The register keeps up with the case while the email waits.
    await h.act(caseNumber, 'zrzy.registrar', 'record-correction-received', { receivedOn: on });
    await eventually(async () => expect((await h.register.auditTrail(caseNumber)).map((e) => e.action)).toContain('record-correction-received'));
    expect(emailsTo(APPLICANT_EMAIL).filter((m) => m.attachments.some((a) => a.sha256 === notice.sha256))).toEqual([]);
  } finally {
    await h.smtp.restart();
  }
  const notice = await storedLetter(caseNumber, `${caseNumber}/correction-notice/1`);
  await h.env.sleep('20 minutes');
  await eventually(async () => expect(emailsTo(APPLICANT_EMAIL).filter((m) => m.attachments.some((a) => a.sha256 === notice.sha256))).toHaveLength(1), 30_000);
  await eventually(async () => expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).documents.find((d) => d.documentId === notice.document.documentId)?.emailed).toEqual({ on, result: 'sent' }));
}, 120_000);

describe('each procedural letter from the act that issues it (the letter activity, called as the workflow calls it)', () => {
  const consultationAct = {
    action: 'start-third-party-consultation',
    payload: { consultationId: 'tp-1', letterSentOn: '2027-02-01', about: '企业经营信息', consulteeName: '某某置业有限公司', consulteeType: 'organisation', interest: 'commercial-secret' },
  };
  /** Per letter type: what the workflow passes besides the case, and facts the letter must state. */
  const ISSUED: Record<NoticeLetterType, { facts: Partial<NoticeLetterInput>; states: string[] }> = {
    receipt: { facts: { dueOn: '2027-03-01' }, states: ['张三：', '二〇二七年三月一日'] },
    'correction-notice': {
      facts: { act: { action: 'request-correction', payload: { sentOn: '2027-02-01', itemsToCorrect: ['请写明文号'], applicantDueOn: '2027-02-16' } } },
      states: ['张三：', '请写明文号', '二〇二七年二月十六日'],
    },
    'reasons-request': {
      facts: { act: { action: 'request-reasons', payload: { sentOn: '2027-02-01', finding: '一个月内提出同类申请四十余件', reasonsDueOn: '2027-02-10' } } },
      states: ['张三：', '一个月内提出同类申请四十余件', '二〇二七年二月十日'],
    },
    'extension-notice': {
      facts: { act: { action: 'approve-extension', payload: { decision: 'approve', approvedOn: '2027-02-01', workingDays: 15, reason: '需调取历史档案' } }, dueOn: '2027-03-22' },
      states: ['张三：', '需调取历史档案', '二〇二七年三月二十二日'],
    },
    'third-party-consultation': { facts: { act: consultationAct }, states: ['某某置业有限公司：', '企业经营信息', '商业秘密'] },
    'co-maker-consultation': {
      facts: { act: { action: 'start-co-maker-consultation', payload: { consultationId: 'cm-1', letterSentOn: '2027-02-01', about: '共同制作的会议纪要', consulteeName: '连云港市财政局' } } },
      states: ['连云港市财政局：', '共同制作的会议纪要'],
    },
    'consultation-notice': { facts: { act: consultationAct }, states: ['张三：', '第三方'] },
    'fee-notice': {
      facts: { act: { action: 'send-fee-notice', payload: { sentOn: '2027-02-01', amountYuan: 610, paymentDueOn: '2027-02-20', calculation: '超出部分按件计收', paymentMethod: '银行转账' } } },
      states: ['张三：', '610.00', '超出部分按件计收', '二〇二七年二月二十日', '银行转账'],
    },
    'third-party-disclosure-notice': {
      facts: {
        act: { action: 'notify-third-party-of-disclosure', payload: { consultationId: 'tp-1', sentOn: '2027-02-05', publicInterestReason: '涉及公共利益', disclosedContent: '出让合同第五条' } },
        consultation: consultationAct,
        opinion: { action: 'record-third-party-opinion', payload: { consultationId: 'tp-1', answeredOn: '2027-02-03', opinion: 'objected' } },
      },
      states: ['某某置业有限公司：', '二〇二七年二月三日', '涉及公共利益', '出让合同第五条'],
    },
  };
  let letters: ReturnType<typeof createLetterActivities>;
  let caseNumber: string;
  beforeAll(async () => {
    h = harness();
    letters = createLetterActivities({ config: h.config, register: h.register, sendEmail: () => Promise.reject(new Error('not emailed here')) });
    caseNumber = await h.newCase();
  });

  test.each(Object.keys(ISSUED) as NoticeLetterType[])('%s', async (type) => {
    const { facts, states } = ISSUED[type];
    const input: NoticeLetterInput = {
      caseNumber,
      agencyCode: 'LYG-ZRZY',
      documentId: `${caseNumber}/${type}/activity`,
      documentType: type,
      documentNumber: isNumberedLetterType(type) ? `连资规依试〔2027〕${Object.keys(ISSUED).indexOf(type) + 1}号` : null,
      date: '2027-02-01',
      receivedOn: '2027-02-01',
      ...facts,
    };
    await expect(letters.produceNoticeLetter(input)).resolves.toMatchObject({ status: 'produced' });
    const text = pdfText((await h.register.readDocument(`${input.documentId}.pdf`))!.content).replace(/\s+/g, '');
    expectInOrder(text, [LETTER_TYPE_LABELS[type], ...(input.documentNumber ? [input.documentNumber] : []), ...states]);
    // Produced again (a retried activity): the stored letter stands.
    await expect(letters.produceNoticeLetter(input)).resolves.toMatchObject({ status: 'produced' });
  });

  test('every procedural letter type is issued by an act, or at registration', () => {
    const issued = new Set<string>(['receipt']);
    for (const action of SUPPORTED_ACTIONS) for (const type of noticesOf(action, { decision: 'approve' })) issued.add(type);
    expect([...issued].sort()).toEqual(LETTER_TYPES.filter((t) => !isReplyLetterType(t)).sort());
    expect(Object.keys(ISSUED).sort()).toEqual([...issued].sort());
  });

  test('a fact the act does not hold (an act recorded before letters were produced) is named, and nothing stored', async () => {
    const old = { ...consultationAct, payload: { consultationId: 'tp-1', letterSentOn: '2027-02-01', about: '企业经营信息' } };
    const input: NoticeLetterInput = { caseNumber, agencyCode: 'LYG-ZRZY', documentId: `${caseNumber}/third-party-consultation/old`, documentType: 'third-party-consultation', documentNumber: '连资规依试〔2027〕99号', date: '2027-02-01', receivedOn: '2027-02-01', act: old };
    await expect(letters.produceNoticeLetter(input)).resolves.toEqual({ status: 'not-produced', reason: expect.stringContaining('act.consulteeName') });
    expect(await h.register.readDocument(`${input.documentId}.pdf`)).toBeUndefined();
  });
});

test('a failed delivery, then another dispatch: the register keeps the new one; a second email goes out under its own key', async () => {
  const on = await today();
  const caseNumber = await emailCase();
  await h.acts(caseNumber, [
    ...TO_DECISION(on),
    ['zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [], alreadyPublicCheck: { isPublic: false } } }],
    ['zrzy.handler1', 'conclude-disclosure-decision', { confidentialityReview: { reviewedBy: 'zrzy.reviewer', reviewedOn: on } }],
    ['zrzy.handler1', 'draft-reply'],
    ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
    ['zrzy.head', 'sign-off-reply'],
  ]);
  const reply = await storedLetter(caseNumber, `${caseNumber}/reply/v1`);
  const emailsOfReply = () => emailsTo(APPLICANT_EMAIL).filter((m) => m.attachments.some((a) => a.sha256 === reply.sha256));
  const registered = async () => (await h.register.readCase(caseNumber))?.documents.find((d) => d.document_id === `${reply.document.documentId}.pdf`);

  await h.act(caseNumber, 'zrzy.handler1', 'record-dispatch', { dispatchedOn: on, method: 'email' });
  await eventually(async () => expect(await registered()).toMatchObject({ dispatched_on: on, delivery_method: 'email', delivery_failed_on: null }), 30_000);
  expect(emailsOfReply()).toHaveLength(1);

  // The mailbox bounced it; the office emails it again, then — bounced again — hands it over in person.
  await h.act(caseNumber, 'zrzy.registrar', 'record-delivery-failed', { failedOn: on, reason: '邮件被退回' });
  await eventually(async () => expect(await registered()).toMatchObject({ delivery_failed_on: on }), 30_000);
  await h.act(caseNumber, 'zrzy.handler1', 'record-dispatch', { dispatchedOn: on, method: 'email' });
  await eventually(async () => expect(emailsOfReply()).toHaveLength(2), 30_000);
  await eventually(async () => expect(await registered()).toMatchObject({ dispatched_on: on, delivery_method: 'email', delivery_failed_on: null }), 30_000);
  const keys = (await h.register.emailLedger({ caseNumber })).map((e) => e.email_key).filter((key) => key.startsWith(reply.document.documentId));
  expect(keys).toEqual([`${reply.document.documentId}:delivery:email`, `${reply.document.documentId}:delivery:email:2`]);

  await h.act(caseNumber, 'zrzy.registrar', 'record-delivery-failed', { failedOn: on, reason: '邮件被退回' });
  const handed = await h.act(caseNumber, 'zrzy.handler1', 'record-dispatch', { dispatchedOn: on, method: 'in-person' });
  expect(handed.stage).toBe('awaiting-archive');
  await eventually(async () => expect(await registered()).toMatchObject({ dispatched_on: on, delivery_method: 'in-person', delivered_on: on, delivery_failed_on: null }), 30_000);
  expect(emailsOfReply()).toHaveLength(2);
}, 120_000);
