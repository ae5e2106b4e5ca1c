// Records a request-workflow history in which the case issues its procedural letters (receipt, 补正告知书,
// 征求意见书 and 征求意见告知书, 第三方告知书), emails the applicant's off the main loop, and re-dispatches the reply
// after a failed delivery — for the replay test. Append-only:  npx tsx test/histories/record-notices.ts <suffix: v6, …>
import { join } from 'node:path';
import { beijingDateOfMs } from '../../domain/dates';
import { exampleApplication, RequestHarness } from '../helpers/request-harness';
import { saveHistory } from './save-history';

async function main(): Promise<void> {
  const h = await RequestHarness.create();
  try {
    const now = await h.env.currentTimeMs();
    const on = beijingDateOfMs(now);
    const caseNumber = await h.newCase({
      contact: { ...exampleApplication.contact, email: 'zhangsan@example.com' },
      provision: { form: 'electronic', manner: 'email' },
      channel: { kind: 'in-person', submittedAt: new Date(now).toISOString() },
    });
    await h.acts(caseNumber, [
      ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
      ['zrzy.handler1', 'request-correction', { sentOn: on, itemsToCorrect: ['请写明所需信息的名称或文号'], applicantDueOn: beijingDateOfMs(now + 14 * 86_400_000) }],
      ['zrzy.registrar', 'record-correction-received', { receivedOn: on }],
      ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
      ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
      ['zrzy.handler1', 'record-search', { result: 'found', searchedOn: on, places: ['档案室'], keywords: ['规划条件'] }],
      ['zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-1', letterSentOn: on, consulteeReceivedOn: on, about: '出让合同中的企业经营信息', consulteeName: '某某置业有限公司', consulteeType: 'organisation', interest: 'commercial-secret' }],
      ['zrzy.handler1', 'record-third-party-opinion', { consultationId: 'tp-1', answeredOn: on, opinion: 'objected' }],
      ['zrzy.handler1', 'notify-third-party-of-disclosure', { consultationId: 'tp-1', sentOn: on, publicInterestReason: '不公开可能对公共利益造成重大影响', disclosedContent: '出让合同第五条规划条件' }],
      ['zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [], alreadyPublicCheck: { isPublic: false } } }],
      ['zrzy.handler1', 'conclude-disclosure-decision', { confidentialityReview: { reviewedBy: 'zrzy.reviewer', reviewedOn: on } }],
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
      ['zrzy.head', 'sign-off-reply'],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: on, method: 'email' }],
    ]);
    // Let the reply's email land before it is reported bounced, as it would in an office.
    for (let i = 0; i < 100 && !h.smtp.received.some((m) => m.subject?.includes('答复书')); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    await h.acts(caseNumber, [
      ['zrzy.registrar', 'record-delivery-failed', { failedOn: on, reason: '邮件被退回' }],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: on, method: 'in-person' }],
      ['zrzy.handler1', 'archive-case'],
    ]);
    await h.completion(caseNumber);
    const attached = h.smtp.received.filter((email) => email.attachments.length > 0).length;
    if (attached !== 4) throw new Error(`expected 4 letters emailed (receipt, 补正告知书, 征求意见告知书, reply), got ${attached}`);
    await saveHistory(h.env.client.workflow.getHandle(caseNumber), join(__dirname, 'request', `LYG-ZRZY-2026-notices-${process.argv[2] ?? 'v6'}.json`));
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
