import type { ItemDecision, WithheldPart } from '../../domain/minimisation';
import { OUTCOMES } from '../../domain/outcomes';
import { beijingDateOf } from '../../domain/dates';
import { submitApplication } from '../../workers/intake';
import { caseViewQuery } from '../../workflows/request/messages';
import { randomSubmissionId } from '../helpers/register';
import { eventually, exampleApplication, refusal, type RequestHarness, toDisclosureDecision, useRequestHarness } from '../helpers/request-harness';

// 给不给 and 当不当 on the real time-skipping server: every disclosure outcome through the minimisation checks to
// the archive, consultations pausing the clock, Art. 35, the fee, extensions, numbering at sign-off, four eyes,
// failed delivery. With statutory-paths.test.ts, every outcome of the taxonomy is reached by its lawful path.

const harness = useRequestHarness();
let h: RequestHarness;
beforeEach(() => {
  h = harness();
});

const REACHED = new Set<string>();
const REVIEWED = { confidentialityReview: { reviewedBy: 'zrzy.reviewer', reviewedOn: '2026-11-27' } };
const notPublic = { isPublic: false };
const reEvaluateOn = '2027-12-31';

/** A case at the disclosure decision. */
async function atDecision(overrides: Record<string, unknown> = {}): Promise<string> {
  const caseNumber = await h.newCase(overrides);
  await toDisclosureDecision(h, caseNumber);
  return caseNumber;
}

async function replyAndArchive(caseNumber: string): Promise<void> {
  await expect(h.replyAndArchive(caseNumber)).resolves.toBe('COMPLETED');
}

const withheldItem = (outcome: ItemDecision['outcome'], part: WithheldPart): ItemDecision => ({
  itemId: '1',
  outcome,
  withheldParts: [part],
  notSeparableReason: '全文均属不予公开内容，无法区分处理',
  alreadyPublicCheck: notPublic,
  reEvaluateOn,
});

const article16 = (ground: WithheldPart['ground'], reason: string): WithheldPart => ({
  ground,
  scope: '全文',
  reason,
  evidence: { discretionReason: `${reason}，行使裁量不予公开`, noDisclosureRuleConfirmed: true },
});

const thirdPartyPart: WithheldPart = {
  ground: 'third-party-rights',
  scope: '附件2中自然人的身份证号码和联系电话',
  reason: '涉及第三方个人隐私，第三方不同意公开且有合理理由',
  evidence: { thirdPartyInterest: 'personal-privacy', thirdPartyConsultation: { sentOn: '2026-11-27', response: 'objected', respondedOn: '2026-11-27' } },
};

const ITEM_DECISIONS: [string, ItemDecision, string][] = [
  ['disclosed', { itemId: '1', outcome: 'disclosed', withheldParts: [] }, '三.1'],
  ['already-public', { itemId: '1', outcome: 'already-public', withheldParts: [], reason: '该信息已在市政府门户网站主动公开', alreadyPublicCheck: { isPublic: true, location: '连云港市人民政府门户网站“政策文件”栏目' } }, '三.1'],
  ['partially-disclosed', { itemId: '1', outcome: 'partially-disclosed', withheldParts: [thirdPartyPart], alreadyPublicCheck: notPublic, reEvaluateOn }, '三.2'],
  ['withheld-state-secret', withheldItem('withheld-state-secret', { ground: 'state-secret', scope: '全文', reason: '该文件已依法确定为国家秘密', evidence: { classificationReference: '秘密★10年，定密依据连保〔2025〕3号' } }), '三.3.1'],
  ['withheld-prohibited-by-law', withheldItem('withheld-prohibited-by-law', { ground: 'prohibited-by-law', scope: '全文', reason: '法律禁止公开', evidence: { prohibitingLaw: { name: '《中华人民共和国统计法》', article: '第三十九条' } } }), '三.3.2'],
  ['withheld-endangers-security-or-stability', withheldItem('withheld-endangers-security-or-stability', { ground: 'endangers-security-or-stability', scope: '附件二', reason: '公开后可能危及公共安全', evidence: { endangeredInterests: ['public-security'] } }), '三.3.3'],
  ['withheld-third-party-rights', withheldItem('withheld-third-party-rights', { ...thirdPartyPart, scope: '全文' }), '三.3.4'],
  ['withheld-internal-affairs', withheldItem('withheld-internal-affairs', article16('internal-affairs', '属于人事管理内部事务信息')), '三.3.5'],
  ['withheld-process-information', withheldItem('withheld-process-information', article16('process-information', '属于讨论记录等过程性信息')), '三.3.6'],
  ['withheld-enforcement-case-file', withheldItem('withheld-enforcement-case-file', article16('enforcement-case-file', '属于行政执法案卷信息')), '三.3.7'],
];

describe('给不给: each disclosure outcome through the minimisation checks, sign-off and archive', () => {
  test.each(ITEM_DECISIONS)('%s', async (outcome, item, reportRow) => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item });
    const view = await h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED);
    expect(view).toMatchObject({ stage: 'drafting', outcome });
    await replyAndArchive(caseNumber);
    await eventually(async () => expect(await h.register.readCase(caseNumber)).toMatchObject({ outcome, report_row: reportRow }));
    REACHED.add(outcome);
  }, 60_000);

  test('a decision failing the minimisation checks cannot be drafted, and the refusal names every problem', async () => {
    const caseNumber = await atDecision();
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED))).message).toContain('尚未对第1项申请作出决定');
    const careless: ItemDecision = { itemId: '1', outcome: 'withheld-state-secret', withheldParts: [{ ground: 'state-secret', scope: '全文', reason: '涉密', evidence: {} }] };
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item: careless });
    const refused = await refusal(h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', {}));
    expect(refused.type).toBe('minimisation');
    for (const missing of ['classificationReference', 'notSeparableReason', 'alreadyPublicCheck', 'reEvaluateOn', 'confidentialityReview']) {
      expect(refused.message).toContain(missing);
    }
    expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).stage).toBe('disclosure-decision');
  }, 60_000);

  test('items disclosed and withheld together roll up to 部分公开; a mixed procedural case needs a named primary outcome', async () => {
    const twoItems = {
      requestedItems: [{ title: '2025年某地块规划条件' }, { title: '该地块相关会议纪要' }],
    };
    const caseNumber = await atDecision(twoItems);
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } });
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item: { ...withheldItem('withheld-process-information', article16('process-information', '属于讨论记录')), itemId: '2' } });
    expect((await h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED)).outcome).toBe('partially-disclosed');

    const mixed = await atDecision(twoItems);
    await h.act(mixed, 'zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } });
    await h.act(mixed, 'zrzy.handler1', 'record-item-decision', { item: { itemId: '2', outcome: 'not-held', withheldParts: [], reason: '经检索不存在', alreadyPublicCheck: notPublic, searchRecord: { searchedBy: 'zrzy.handler1', searchedOn: '2026-11-27', locations: ['档案室'], keywords: ['会议纪要'] } } });
    expect((await refusal(h.act(mixed, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED))).type).toBe('invalid-payload');
    const view = await h.act(mixed, 'zrzy.handler1', 'conclude-disclosure-decision', { ...REVIEWED, primaryOutcome: { outcome: 'disclosed', reason: '主要申请事项予以公开' } });
    expect(view.outcome).toBe('disclosed');
  }, 60_000);
});

describe('consultations pause the clock (Arts. 32, 34)', () => {
  test('third party answers: the reply deadline moves by exactly the paused working days', async () => {
    const caseNumber = await atDecision();
    const before = (await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).replyDue;
    expect(before).toBe('2026-12-25');
    await h.act(caseNumber, 'zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-1', letterSentOn: '2026-12-01', about: '附件中的个人信息', consulteeName: '李某', consulteeType: 'natural-person', interest: 'personal-privacy' });
    expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).replyDue).toBeNull(); // no receipt date yet
    await h.act(caseNumber, 'zrzy.handler1', 'record-third-party-opinion', { consultationId: 'tp-1', letterReceivedOn: '2026-12-02' });
    const view = await h.act(caseNumber, 'zrzy.handler1', 'record-third-party-opinion', { consultationId: 'tp-1', answeredOn: '2026-12-04', opinion: 'objected' });
    // Paused 12-01 .. 12-04 (Tue-Fri): 4 working days; 2026-12-25 + 4 working days = 2026-12-31.
    expect(view.replyDue).toBe('2026-12-31');
    expect(view.pauses).toEqual([expect.objectContaining({ from: '2026-12-01', to: '2026-12-04', projected: false })]);
  }, 60_000);

  test('a silent co-maker: the pause ends on the 15th working day after its receipt (silence = consent)', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'start-co-maker-consultation', { consultationId: 'cm-1', letterSentOn: '2026-12-01', consulteeReceivedOn: '2026-12-01', about: '共同制作的会议纪要', consulteeName: '连云港市财政局' });
    const view = await h.act(caseNumber, 'zrzy.handler1', 'record-co-maker-opinion', { consultationId: 'cm-1', opinion: 'no-response' });
    // Answer due 15 working days after 12-01: 12-22. Paused 12-01 .. 12-22: 16 working days; 12-25 + 16 = 2027-01-18 (2027 assumed Mon-Fri).
    expect(view.deadlines.find((d) => d.kind === 'consultation-answer')?.due).toBe('2026-12-22');
    expect(view.replyDue).toBe('2027-01-18');
    expect(view.provisional).toBe(true);
  }, 60_000);
});

describe('consultations, both kinds, with answer and with silence', () => {
  test('a silent third party: the pause runs to the 15th working day after receipt', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-silent', letterSentOn: '2026-12-01', consulteeReceivedOn: '2026-12-01', about: '企业商业信息', consulteeName: '某某科技有限公司', consulteeType: 'organisation', interest: 'commercial-secret' });
    const view = await h.act(caseNumber, 'zrzy.handler1', 'record-third-party-opinion', { consultationId: 'tp-silent', opinion: 'no-response' });
    // Paused 12-01 .. 12-22: 16 working days; 2026-12-25 + 16 = 2027-01-18.
    expect(view.replyDue).toBe('2027-01-18');
  }, 60_000);

  test('a co-maker answers: the pause ends with the answer', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'start-co-maker-consultation', { consultationId: 'cm-answer', letterSentOn: '2026-12-01', consulteeReceivedOn: '2026-12-02', about: '共同制作的批复', consulteeName: '连云港市财政局' });
    const view = await h.act(caseNumber, 'zrzy.handler1', 'record-co-maker-opinion', { consultationId: 'cm-answer', answeredOn: '2026-12-03', opinion: 'consented' });
    // Paused 12-01 .. 12-03: 3 working days; 2026-12-25 + 3 = 2026-12-30.
    expect(view.replyDue).toBe('2026-12-30');
  }, 60_000);

  test('disclosing despite a third party objection needs the letter telling the third party (public interest)', async () => {
    const caseNumber = await atDecision();
    await h.acts(caseNumber, [
      ['zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-override', letterSentOn: '2026-12-01', consulteeReceivedOn: '2026-12-01', about: '企业环境信息', consulteeName: '某某科技有限公司', consulteeType: 'organisation', interest: 'commercial-secret' }],
      ['zrzy.handler1', 'record-third-party-opinion', { consultationId: 'tp-override', answeredOn: '2026-12-03', opinion: 'objected' }],
      ['zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } }],
    ]);
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED))).message).toContain('书面告知第三方');
    await h.act(caseNumber, 'zrzy.handler1', 'notify-third-party-of-disclosure', { consultationId: 'tp-override', sentOn: '2026-12-04', publicInterestReason: '不公开会对公共利益造成重大影响', disclosedContent: '该企业2025年度排污许可执行报告' });
    expect((await h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED)).outcome).toBe('disclosed');
  }, 60_000);

  test('an Art. 17(3) referral must be answered before the decision; by default it does not pause the clock', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'refer-for-determination', { referralId: 'ref-1', referredTo: '连云港市国家保密局', sentOn: '2026-12-01', question: '该文件能否公开' });
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } });
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED))).message).toContain('ref-1');
    const answered = await h.act(caseNumber, 'zrzy.handler1', 'record-referral-answer', { referralId: 'ref-1', answeredOn: '2026-12-08', finding: '不属于国家秘密' });
    expect(answered.replyDue).toBe('2026-12-25');
    expect((await h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED)).outcome).toBe('disclosed');
  }, 60_000);
});

describe('Art. 35 and the fee', () => {
  test('reasonable reasons: the office head sets a later reply deadline, which replaces the reply deadline', async () => {
    const caseNumber = await h.newCase();
    await h.acts(caseNumber, [
      ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
      ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
    ]);
    expect((await refusal(h.act(caseNumber, 'zrzy.head', 'set-later-reply-deadline', { setOn: '2026-12-04', due: '2027-03-31', reason: '信息量大' }))).type).toBe('invalid-payload');
    await h.acts(caseNumber, [
      ['zrzy.handler1', 'request-reasons', { sentOn: '2026-11-30', finding: '申请人一个月内提出同类申请四十余件' }],
      ['zrzy.registrar', 'record-reasons-received', { receivedOn: '2026-12-02', reasonable: true }],
    ]);
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'set-later-reply-deadline', { setOn: '2026-12-04', due: '2027-03-31', reason: '信息量大' }))).type).toBe('wrong-role');
    const view = await h.act(caseNumber, 'zrzy.head', 'set-later-reply-deadline', { setOn: '2026-12-04', due: '2027-03-31', reason: '申请理由合理但信息量大' });
    expect(view.replyDue).toBe('2027-03-31');
  }, 60_000);

  test('fee rule on: the notice pauses the clock; payment resumes it; unpaid after the period, 不再处理 (三.6.2)', async () => {
    const feeConfig = { ...h.config, agencies: h.config.agencies.map((a) => (a.code === 'LYG-ZRZY' ? { ...a, feeRuleEnabled: true } : a)) };
    const today = beijingDateOf(new Date(await h.env.currentTimeMs()).toISOString());
    const inDays = (days: number) => beijingDateOf(new Date(Date.parse(`${today}T12:00:00+08:00`) + days * 86_400_000).toISOString());
    // Received a week ago: the reply period is still running when the fee notice goes out.
    const application = { ...exampleApplication, channel: { kind: 'in-person', submittedAt: `${inDays(-8)}T10:00:00+08:00` } };
    const intake = async () =>
      (await submitApplication({ client: h.env.client, register: h.register, config: feeConfig }, { submissionId: randomSubmissionId(), application, registeredBy: 'zrzy.registrar' })).caseNumber;
    const toScope = async (caseNumber: string) =>
      h.acts(caseNumber, [
        ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
        ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
      ]);

    const paid = await intake();
    await toScope(paid);
    const running = (await h.env.client.workflow.getHandle(paid).query(caseViewQuery)).replyDue!;
    expect((await h.act(paid, 'zrzy.handler1', 'send-fee-notice', { sentOn: inDays(-5), amountYuan: 610, paymentDueOn: inDays(10), calculation: '超出数量部分按件计收', paymentMethod: '银行转账' })).replyDue).toBeNull();
    expect((await refusal(h.act(paid, 'zrzy.registrar', 'record-fee-payment', { paidOn: inDays(1) }))).message).toContain('不能晚于今日');
    const resumed = await h.act(paid, 'zrzy.registrar', 'record-fee-payment', { paidOn: inDays(-2) });
    expect(resumed.replyDue! > running).toBe(true);

    const unpaid = await intake();
    await toScope(unpaid);
    await h.act(unpaid, 'zrzy.handler1', 'send-fee-notice', { sentOn: today, amountYuan: 610, paymentDueOn: inDays(10), calculation: '超出数量部分按件计收', paymentMethod: '银行转账' });
    expect((await refusal(h.act(unpaid, 'zrzy.handler1', 'record-fee-lapsed'))).type).toBe('clock-rule');
    await h.env.sleep('12 days');
    expect(await h.act(unpaid, 'zrzy.handler1', 'record-fee-lapsed', { note: '逾期未缴费' })).toMatchObject({ stage: 'drafting', outcome: 'fee-not-paid' });
    await replyAndArchive(unpaid);
    await eventually(async () => expect(await h.register.readCase(unpaid)).toMatchObject({ outcome: 'fee-not-paid', report_row: '三.6.2' }));
    REACHED.add('fee-not-paid');
  }, 60_000);

  test('the fee path is refused where the fee rule is off (the demo agencies)', async () => {
    const caseNumber = await atDecision();
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'send-fee-notice', { sentOn: '2026-12-01', amountYuan: 610, paymentDueOn: '2026-12-15', calculation: '超出数量部分按件计收', paymentMethod: '银行转账' }))).message).toContain('未启用收费规则');
  }, 60_000);
});

describe('当不当: extension, review, sign-off, delivery', () => {
  test('extension: refused by the head with a reason; too late and too long refused by the clock; wrong role refused', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'request-extension', { requestedOn: '2026-12-18', workingDays: 10, reason: '需调取档案' });
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'approve-extension', { approvedOn: '2026-12-20', workingDays: 10, reason: '需调取档案' }))).type).toBe('wrong-role');
    const refusedView = await h.act(caseNumber, 'zrzy.head', 'approve-extension', { decision: 'refuse', refusedOn: '2026-12-20', reason: '理由不充分' });
    expect(refusedView.replyDue).toBe('2026-12-25');
    expect((await refusal(h.act(caseNumber, 'zrzy.head', 'approve-extension', { approvedOn: '2026-12-28', workingDays: 5, reason: '逾期审批' }))).message).toContain('2026-12-25');
    expect((await refusal(h.act(caseNumber, 'zrzy.head', 'approve-extension', { approvedOn: '2026-12-20', workingDays: 21, reason: '过长' }))).type).toBe('invalid-payload');
    expect((await h.act(caseNumber, 'zrzy.head', 'approve-extension', { approvedOn: '2026-12-24', workingDays: 20, reason: '需调取档案' })).replyDue).toBe('2027-01-22');
  }, 60_000);

  test('returned for revision, then signed: one document number, no gap; the drafter and reviewer cannot sign', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } });
    await h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED);
    await h.acts(caseNumber, [
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'return', returnTo: 'drafting', comment: '请补充救济途径的表述' }],
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
    ]);
    // Four eyes: the reviewer may not sign off what they reviewed (default rule), nor may the drafter.
    const reviewerAsSigner = { ...h.config, users: h.config.users.map((u) => (u.id === 'zrzy.reviewer' ? { ...u, roles: [...u.roles, 'gip-office-head' as const] } : u)) };
    const { actOnCase, actorFor } = await import('../../workers/case-client');
    expect((await refusal(actOnCase(h.env.client, caseNumber, { action: 'sign-off-reply', actor: actorFor(reviewerAsSigner, 'zrzy.reviewer') }))).type).toBe('same-person');
    const year = Number(beijingDateOf(new Date(await h.env.currentTimeMs()).toISOString()).slice(0, 4));
    const before = await h.register.allocateDocumentNumber({ agencyCode: 'LYG-ZRZY', year, documentType: 'default', format: '连资规依复〔{year}〕{seq}号', key: `probe-before-${caseNumber}`, at: new Date().toISOString() });
    await h.act(caseNumber, 'zrzy.head', 'sign-off-reply');
    await eventually(async () => {
      const documents = (await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).documents.filter((d) => d.documentId.includes('/reply/'));
      expect(documents.map((d) => [d.documentId.slice(-3), d.documentNumber])).toEqual([
        ['/v1', null],
        ['/v2', `连资规依复〔${year}〕${before.value + 1}号`],
      ]);
    });
  }, 60_000);

  test('a failed delivery reopens delivery and the clock; a second delivery closes it', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } });
    await h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED);
    await h.acts(caseNumber, [
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
      ['zrzy.head', 'sign-off-reply'],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2026-12-10', method: 'post' }],
    ]);
    const failed = await h.act(caseNumber, 'zrzy.registrar', 'record-delivery-failed', { failedOn: '2026-12-15', reason: '邮件被退回' });
    expect(failed).toMatchObject({ stage: 'dispatch' });
    expect(failed.deadlines.find((d) => d.kind === 'reply')?.status).toBe('open');
    const delivered = await h.act(caseNumber, 'zrzy.handler1', 'record-dispatch', { dispatchedOn: '2026-12-16', method: 'in-person' });
    expect(delivered).toMatchObject({ stage: 'awaiting-archive' });
    expect(delivered.deadlines.find((d) => d.kind === 'reply')?.status).toBe('met');

    // A withdrawn case was never sent: no delivery to fail.
    const withdrawn = await atDecision();
    await h.act(withdrawn, 'zrzy.registrar', 'record-withdrawal', { withdrawnOn: '2026-12-01', reason: '申请人撤回' });
    expect((await refusal(h.act(withdrawn, 'zrzy.registrar', 'record-delivery-failed', { failedOn: '2026-12-15', reason: '退回' }))).type).toBe('wrong-stage');
  }, 60_000);

  test('a reviewer sending the case back to an earlier question clears the outcome, which is decided again', async () => {
    const caseNumber = await atDecision();
    await h.act(caseNumber, 'zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } });
    await h.act(caseNumber, 'zrzy.handler1', 'conclude-disclosure-decision', REVIEWED);
    await h.act(caseNumber, 'zrzy.handler1', 'draft-reply');
    const returned = await h.act(caseNumber, 'zrzy.reviewer', 'review-reply', { verdict: 'return', returnTo: 'search', comment: '检索范围不全，请补充检索' });
    expect(returned).toMatchObject({ stage: 'search', outcome: null });
    const notHeld = await h.act(caseNumber, 'zrzy.handler1', 'record-search', { result: 'not-held', searchedOn: '2026-12-02', places: ['档案室', '业务系统'], keywords: ['规划条件'], reason: '经补充检索，该信息不存在' });
    expect(notHeld).toMatchObject({ stage: 'drafting', outcome: 'not-held' });
  }, 60_000);
});

test('every outcome of the taxonomy has a test reaching it (here, or in statutory-paths.test.ts, which checks its own)', () => {
  const here = [...REACHED];
  const procedural = [
    'unclear-after-correction', 'not-corrected', 'petition-or-complaint', 'publication', 'not-this-agency', 'special-access-regime',
    'confirm-or-reissue', 'excessive-requests', 'repeat-request', 'not-held', 'requires-creation', 'withdrawn', 'other-handling',
  ];
  const untested = OUTCOMES.filter((outcome) => !here.includes(outcome) && !procedural.includes(outcome));
  expect(untested).toEqual([]);
});
