import { createLetterActivities, type ReplyLetterInput } from '../../activities/letters';
import { OUTCOME_DEFINITIONS, type Outcome } from '../../domain/outcomes';
import { caseViewQuery, type CaseView } from '../../workflows/request/messages';
import { pdfText } from '../helpers/pdf-text';
import { eventually, refusal, type RequestHarness, useRequestHarness } from '../helpers/request-harness';

// Each final outcome reached by its lawful path, on the real time-skipping server, through to the archive and
// the register's annual-report row. Outcomes of the disclosure decision (给不给) follow with that part.

const harness = useRequestHarness();
let h: RequestHarness;
beforeEach(() => {
  h = harness();
});

const REACHED = new Set<string>();
/** The reply document types whose signed letter was rendered and stored in these tests. */
const PRODUCED = new Set<string>();

/** What each outcome's reply says (its template's wording, and the facts its act recorded), in the stored PDF. */
const KEY_PHRASES: Partial<Record<Outcome, string[]>> = {
  'unclear-after-correction': ['补正后的申请内容仍不明确', '补正后仍无法确定所需信息', '二〇二六年十二月三日'],
  'not-corrected': ['向您发出补正告知书', '视为放弃申请'],
  'petition-or-complaint': ['属于信访、投诉、举报等活动', '实为投诉举报，已转信访渠道'],
  publication: ['公开出版物', '可在市图书馆查阅或向出版社购买'],
  'not-this-agency': ['不属于本机关负责公开', '负责公开该政府信息的行政机关为连云港市住房和城乡建设局'],
  'special-access-regime': ['《不动产登记暂行条例》对信息的获取有特别规定', '不动产登记资料查询依照该条例办理'],
  'confirm-or-reissue': ['确认或者重新出具', '要求对已获取的信息予以确认'],
  'excessive-requests': ['明显超过合理范围', '二〇二六年十一月三十日要求', '二〇二六年十二月二日作出了说明'],
  'other-handling': ['申请人死亡，无人承继申请'],
  'repeat-request': ['不予重复处理', '已就相同内容作出答复'],
  'not-held': ['未找到', '档案室、业务系统', '“规划条件”', '本机关未制作或获取该信息'],
  'requires-creation': ['加工、分析', '档案室、业务系统', '需对多年数据进行统计分析'],
};


/** The signed reply is listed with its PDF and DOCX, and the stored PDF says what the outcome's reply says. */
async function expectSignedReply(caseNumber: string, outcome: Outcome): Promise<void> {
  let view: CaseView | undefined;
  await eventually(async () => {
    view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
    expect(view.documents.filter((d) => d.documentId.includes('/reply/')).at(-1)?.formats).toHaveLength(2);
  }, 30_000);
  const reply = view!.documents.filter((d) => d.documentId.includes('/reply/')).at(-1)!;
  expect(reply.documentType).toBe(OUTCOME_DEFINITIONS[outcome].replyDocument);
  // No reply of the case left without its letter (a reply whose facts the case lacks is listed without formats).
  expect(view!.documents.filter((d) => d.documentId.includes('/reply/') && d.formats?.length !== 2)).toEqual([]);
  const pdf = await h.register.readDocument(`${reply.documentId}.pdf`);
  expect(pdf?.documentNumber).toBe(reply.documentNumber);
  const text = pdfText(pdf!.content).replace(/\s+/g, '');
  for (const phrase of ['政府信息公开申请答复书', ...(KEY_PHRASES[outcome] ?? ['(no key phrase for this outcome)'])]) expect(text).toContain(phrase);
  PRODUCED.add(reply.documentType);
}

/** Assigns the case to zrzy.handler1; returns the case number. */
async function assignedCase(overrides: Record<string, unknown> = {}): Promise<string> {
  const caseNumber = await h.newCase(overrides);
  await h.act(caseNumber, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
  return caseNumber;
}

/** From drafting to the archive: draft, review, sign-off, dispatch, archive; then the register's record. */
async function replyAndArchive(caseNumber: string, expected: { outcome: string; reportRow: string }): Promise<void> {
  await expect(h.replyAndArchive(caseNumber)).resolves.toBe('COMPLETED');
  await eventually(async () => expect(await h.register.readCase(caseNumber)).toMatchObject({ outcome: expected.outcome, report_row: expected.reportRow, stage: 'archived' }));
  await expectSignedReply(caseNumber, expected.outcome as Outcome);
  REACHED.add(expected.outcome);
}

const search = { searchedOn: '2026-12-01', places: ['档案室', '业务系统'], keywords: ['规划条件'] };

describe('补不补 (completeness)', () => {
  test('unclear after the one correction: 补正后申请内容仍不明确 (三.4.3)', async () => {
    const caseNumber = await assignedCase();
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'record-completeness-finding', { finding: 'unclear-after-correction', reason: '无法确定所需信息' }))).type).toBe('invalid-payload');
    await h.acts(caseNumber, [
      ['zrzy.handler1', 'request-correction', { sentOn: '2026-11-30', itemsToCorrect: ['请写明所需信息的名称、文号或者便于查询的其他特征性描述'], applicantDueOn: '2026-12-10' }],
      ['zrzy.registrar', 'record-correction-received', { receivedOn: '2026-12-03' }],
    ]);
    // Only one correction notice (一次性告知).
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'request-correction', { sentOn: '2026-12-04', itemsToCorrect: ['再次补正'], applicantDueOn: '2026-12-14' }))).type).toBe('clock-rule');
    const view = await h.act(caseNumber, 'zrzy.handler1', 'record-completeness-finding', { finding: 'unclear-after-correction', reason: '补正后仍无法确定所需信息' });
    expect(view).toMatchObject({ stage: 'drafting', outcome: 'unclear-after-correction' });
    // The reply period restarted from the corrected application: 2026-12-03 + 20 working days.
    expect(view.replyDue).toBe('2026-12-31');
    await replyAndArchive(caseNumber, { outcome: 'unclear-after-correction', reportRow: '三.4.3' });
  }, 60_000);

  test('not corrected in time: deemed abandoned, 不再处理 (三.6.1), only after the period has ended', async () => {
    const start = new Date(await h.env.currentTimeMs()).toISOString();
    const caseNumber = await assignedCase({ channel: { kind: 'in-person', submittedAt: start } });
    const today = (await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).receivedOn!;
    const due = new Date(Date.parse(`${today}T00:00:00+08:00`) + 10 * 86_400_000).toISOString().slice(0, 10);
    await h.act(caseNumber, 'zrzy.handler1', 'request-correction', { sentOn: today, itemsToCorrect: ['请提供身份证明'], applicantDueOn: due });
    expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'record-correction-lapsed'))).type).toBe('clock-rule');
    await h.env.sleep('12 days');
    const view = await h.act(caseNumber, 'zrzy.handler1', 'record-correction-lapsed', { note: '逾期未补正' });
    expect(view).toMatchObject({ stage: 'drafting', outcome: 'not-corrected' });
    await replyAndArchive(caseNumber, { outcome: 'not-corrected', reportRow: '三.6.1' });
  }, 60_000);
});

describe('该不该 (is it a GIP request for this agency?)', () => {
  test.each([
    ['petition-or-complaint', { decision: 'petition-or-complaint', reason: '实为投诉举报，已转信访渠道' }, '三.5.1'],
    ['publication', { decision: 'publication', howToObtain: '可在市图书馆查阅或向出版社购买' }, '三.5.3'],
    ['not-this-agency', { decision: 'not-this-agency', responsibleAgency: '连云港市住房和城乡建设局', reason: '该信息由市住建局制作并负责公开' }, '三.4.1'],
    ['special-access-regime', { decision: 'special-access-regime', law: '《不动产登记暂行条例》', reason: '不动产登记资料查询依照该条例办理' }, '三.3.8'],
    ['confirm-or-reissue', { decision: 'confirm-or-reissue', reason: '要求对已获取的信息予以确认' }, '三.5.5'],
    ['excessive-requests', { decision: 'excessive-requests', reason: '申请人说明的理由不合理' }, '三.5.4'],
    ['other-handling', { decision: 'other-handling', reason: '申请人死亡，无人承继申请' }, '三.6.3'],
  ])('%s (%#)', async (outcome, decision, reportRow) => {
    const caseNumber = await assignedCase();
    await h.act(caseNumber, 'zrzy.handler1', 'record-completeness-finding', { finding: 'complete' });
    if (outcome === 'excessive-requests') {
      // Art. 35: only after asking for the reasons and finding them unreasonable.
      expect((await refusal(h.act(caseNumber, 'zrzy.handler1', 'decide-scope', decision))).type).toBe('invalid-payload');
      await h.acts(caseNumber, [
        ['zrzy.handler1', 'request-reasons', { sentOn: '2026-11-30', finding: '申请人一个月内提出同类申请四十余件' }],
        ['zrzy.registrar', 'record-reasons-received', { receivedOn: '2026-12-02', reasonable: false }],
      ]);
    }
    const view = await h.act(caseNumber, 'zrzy.handler1', 'decide-scope', decision);
    expect(view).toMatchObject({ stage: 'drafting', outcome });
    await replyAndArchive(caseNumber, { outcome, reportRow });
  }, 60_000);

  test('repeat request: only with an earlier case of the same applicant, found by the applicant index (三.5.2)', async () => {
    const earlier = await h.newCase();
    const other = await h.newCase({ applicant: { type: 'natural-person', name: '李四', idDocument: { kind: 'resident-id-card', number: '320102198001010016' } } });
    const elsewhere = await h.newCase({ agencyCode: 'LYG-SHJ' }); // the same applicant at another agency
    const caseNumber = await assignedCase();
    const view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
    expect(view.earlierCases).toContain(earlier);
    expect(view.earlierCases).not.toContain(other);
    expect(view.earlierCases).not.toContain(elsewhere);

    await h.act(caseNumber, 'zrzy.handler1', 'record-completeness-finding', { finding: 'complete' });
    const notTheirs = await refusal(h.act(caseNumber, 'zrzy.handler1', 'decide-scope', { decision: 'repeat-request', earlierCaseNumber: other, reason: '重复申请' }));
    expect(notTheirs).toMatchObject({ type: 'invalid-payload', message: expect.stringContaining('earlierCaseNumber') });
    expect((await h.act(caseNumber, 'zrzy.handler1', 'decide-scope', { decision: 'repeat-request', earlierCaseNumber: earlier, reason: '已就相同内容作出答复' })).outcome).toBe('repeat-request');
    await replyAndArchive(caseNumber, { outcome: 'repeat-request', reportRow: '三.5.2' });
  }, 60_000);
});

describe('有没有 (does the information exist?)', () => {
  async function searched(result: Record<string, unknown>): Promise<string> {
    const caseNumber = await assignedCase();
    await h.acts(caseNumber, [
      ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
      ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
      ['zrzy.handler1', 'record-search', { ...search, ...result }],
    ]);
    return caseNumber;
  }

  test('not held, after a recorded search (三.4.1)', async () => {
    const caseNumber = await searched({ result: 'not-held', reason: '经检索，本机关未制作或获取该信息' });
    expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).outcome).toBe('not-held');
    await replyAndArchive(caseNumber, { outcome: 'not-held', reportRow: '三.4.1' });
  }, 60_000);

  test('would need creating, with the Art. 38 finding (三.4.2); without the finding refused', async () => {
    const bare = await assignedCase();
    await h.acts(bare, [
      ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
      ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
    ]);
    expect((await refusal(h.act(bare, 'zrzy.handler1', 'record-search', { ...search, result: 'requires-creation', reason: '需要汇总加工' }))).type).toBe('invalid-payload');

    const caseNumber = await searched({ result: 'requires-creation', redactionOfExistingRecordsCannotAnswer: true, reason: '需对多年数据进行统计分析，现有记录经区分处理也无法满足' });
    await replyAndArchive(caseNumber, { outcome: 'requires-creation', reportRow: '三.4.2' });
  }, 60_000);

  test('a search that finds the information goes on to the disclosure decision', async () => {
    const caseNumber = await searched({ result: 'found' });
    expect(await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).toMatchObject({ stage: 'disclosure-decision', outcome: null });
  }, 60_000);
});

test('withdrawal by the applicant before dispatch: 终止办理 (三.6.3), archived without a reply', async () => {
  const caseNumber = await assignedCase();
  const view = await h.act(caseNumber, 'zrzy.registrar', 'record-withdrawal', { withdrawnOn: '2026-12-01', reason: '申请人书面撤回申请' });
  expect(view).toMatchObject({ stage: 'awaiting-archive', outcome: 'withdrawn' });
  await h.act(caseNumber, 'zrzy.handler1', 'archive-case');
  await eventually(async () => expect(await h.register.readCase(caseNumber)).toMatchObject({ outcome: 'withdrawn', report_row: '三.6.3', stage: 'archived' }));
  // The receipt only: a withdrawn request gets no reply.
  expect((await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery)).documents.map((d) => d.documentType)).toEqual(['receipt']);
  REACHED.add('withdrawn');
}, 60_000);

describe('replies the workflow does not draft in these paths, rendered by the letter activity from the acts', () => {
  // A withdrawal closes the case without a draft, and the demo agencies keep the fee rule off: the activity is called
  // as the workflow would call it, on a registered case, to show it recites the acts and invents nothing.
  let letters: ReturnType<typeof createLetterActivities>;
  let caseNumber: string;
  let input: Omit<ReplyLetterInput, 'documentId' | 'documentType' | 'documentNumber' | 'outcome'>;
  beforeAll(async () => {
    h = harness();
    letters = createLetterActivities({
      config: h.config,
      register: h.register,
      sendEmail: () => Promise.reject(new Error('these replies are not emailed')),
    });
    caseNumber = await assignedCase();
    const view = await h.env.client.workflow.getHandle(caseNumber).query(caseViewQuery);
    input = { caseNumber, agencyCode: view.agencyCode, date: '2026-12-10', decision: null, receivedOn: view.receivedOn, replyDueExtended: null, clockEvents: [] };
  });
  const reply = (type: string, serial: number) => ({ documentId: `${caseNumber}/reply/${type}`, documentType: type, documentNumber: `连资规依复〔2026〕${9000 + serial}号`, outcome: type });
  const storedText = async (documentId: string) => pdfText((await h.register.readDocument(`${documentId}.pdf`))!.content).replace(/\s+/g, '');

  test('withdrawn: the date and reason of the record-withdrawal act', async () => {
    const withdrawn = reply('withdrawn', 1);
    const outcomeAct = { action: 'record-withdrawal', payload: { withdrawnOn: '2026-12-01', reason: '申请人书面撤回申请' } };
    await expect(letters.produceReplyLetter({ ...input, ...withdrawn, outcomeAct })).resolves.toMatchObject({ status: 'produced', formats: [{ mediaType: 'application/pdf' }, {}] });
    const text = await storedText(withdrawn.documentId);
    for (const phrase of ['您于二〇二六年十二月一日撤回了该政府信息公开申请', '申请人书面撤回申请', '本机关终止办理该申请']) expect(text).toContain(phrase);
    PRODUCED.add('withdrawn');
  }, 60_000);

  test('fee not paid: the fee notice act recited; without it the reply is not produced and names the missing act', async () => {
    const feeNotPaid = reply('fee-not-paid', 2);
    const outcomeAct = { action: 'record-fee-lapsed', payload: {} };
    await expect(letters.produceReplyLetter({ ...input, ...feeNotPaid, outcomeAct })).resolves.toEqual({ status: 'not-produced', reason: expect.stringContaining('send-fee-notice') });
    const recitedActs = [{ action: 'send-fee-notice', payload: { sentOn: '2026-12-01', amountYuan: 500, paymentDueOn: '2026-12-29' } }];
    await expect(letters.produceReplyLetter({ ...input, ...feeNotPaid, outcomeAct, recitedActs })).resolves.toMatchObject({ status: 'produced' });
    const text = await storedText(feeNotPaid.documentId);
    for (const phrase of ['二〇二六年十二月一日向您发出收费通知书', '二〇二六年十二月二十九日前缴纳信息处理费人民币500.00元', '不再处理']) expect(text).toContain(phrase);
    PRODUCED.add('fee-not-paid');
  }, 60_000);

  test('an act that did not settle the outcome is not recited: the reply names the act it lacks', async () => {
    const publication = reply('publication', 3);
    const outcomeAct = { action: 'decide-scope', payload: { decision: 'other-handling', reason: '其他处理' } };
    await expect(letters.produceReplyLetter({ ...input, ...publication, outcomeAct })).resolves.toEqual({ status: 'not-produced', reason: expect.stringContaining('outcomeAct.decide-scope') });
    expect(await h.register.readDocument(`${publication.documentId}.pdf`)).toBeUndefined();
  }, 60_000);

  test('an outcome the disclosure decision reached for an item: the reply states that item’s reason and search', async () => {
    const decided = (outcome: Outcome, item: Record<string, unknown>) => ({
      decidedOn: '2026-12-08',
      handledBy: 'zrzy.handler1',
      outcome,
      reportRow: '三.6.3' as const,
      items: [{ itemId: '1', outcome, withheldParts: [], ...item }],
    });
    const other = reply('other-handling', 4);
    await expect(letters.produceReplyLetter({ ...input, ...other, decision: decided('other-handling', { reason: '申请人已通过诉讼程序获取该信息' }) })).resolves.toMatchObject({ status: 'produced' });
    expect(await storedText(other.documentId)).toContain('申请人已通过诉讼程序获取该信息');

    const creation = reply('requires-creation', 5);
    const searchRecord = { searchedBy: 'zrzy.handler1', searchedOn: '2026-12-02', locations: ['业务系统'], keywords: ['年度统计'] };
    const creationDecision = decided('requires-creation', { reason: '需加工', searchRecord, creationFinding: { redactionOfExistingRecordsCannotAnswer: true, reason: '需对多年数据进行统计分析' } });
    await expect(letters.produceReplyLetter({ ...input, ...creation, decision: creationDecision })).resolves.toMatchObject({ status: 'produced' });
    const creationText = await storedText(creation.documentId);
    for (const phrase of ['业务系统', '“年度统计”', '需对多年数据进行统计分析']) expect(creationText).toContain(phrase);

    // Facts no item decision holds (the law of a special access regime) are still named.
    const special = reply('special-access-regime', 6);
    await expect(letters.produceReplyLetter({ ...input, ...special, decision: decided('special-access-regime', { reason: '属于不动产登记资料查询' }) })).resolves.toEqual({ status: 'not-produced', reason: expect.stringContaining('outcomeAct.decide-scope') });
  }, 60_000);
});

test('every procedural outcome reached has its reply produced', () => {
  const replies = [...REACHED].map((outcome) => OUTCOME_DEFINITIONS[outcome as Outcome].replyDocument);
  expect(replies.filter((type) => !PRODUCED.has(type))).toEqual([]);
  expect([...PRODUCED].sort()).toEqual([...new Set([...replies, 'fee-not-paid'])].sort());
});

test('the procedural outcomes above were each reached', () => {
  expect([...REACHED].sort()).toEqual(
    [
      'unclear-after-correction',
      'not-corrected',
      'petition-or-complaint',
      'publication',
      'not-this-agency',
      'special-access-regime',
      'confirm-or-reissue',
      'excessive-requests',
      'repeat-request',
      'not-held',
      'requires-creation',
      'withdrawn',
      'other-handling',
    ].sort(),
  );
});
