// Records request-workflow histories of the statutory paths (issue "every statutory path") for the replay test.
// Append-only, like record-request.ts:  npx tsx test/histories/record-request-v2.ts <suffix: v2, v3, …>
import { join } from 'node:path';
import { RequestHarness, toDisclosureDecision } from '../helpers/request-harness';
import { saveHistory } from './save-history';

const REVIEWED = { confidentialityReview: { reviewedBy: 'zrzy.reviewer', reviewedOn: '2026-11-27' } };

async function main(): Promise<void> {
  const h = await RequestHarness.create();
  try {
    const recorded: [string, string][] = [];
    const found = async () => {
      const caseNumber = await h.newCase();
      await toDisclosureDecision(h, caseNumber);
      return caseNumber;
    };

    // 部分公开 after a third-party objection, an extension, a returned draft, numbering at sign-off, a failed delivery.
    const partial = await found();
    await h.acts(partial, [
      ['zrzy.handler1', 'start-third-party-consultation', { consultationId: 'tp-1', letterSentOn: '2026-12-01', consulteeReceivedOn: '2026-12-02', about: '附件中的个人信息' }],
      ['zrzy.handler1', 'record-third-party-opinion', { consultationId: 'tp-1', answeredOn: '2026-12-04', opinion: 'objected' }],
      ['zrzy.handler1', 'request-extension', { requestedOn: '2026-12-18', workingDays: 10, reason: '需调取档案' }],
      ['zrzy.head', 'approve-extension', { decision: 'approve', approvedOn: '2026-12-20', workingDays: 10, reason: '需调取档案' }],
      ['zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'partially-disclosed', alreadyPublicCheck: { isPublic: false }, reEvaluateOn: '2027-12-31', withheldParts: [{ ground: 'third-party-rights', scope: '附件2中的身份证号码', reason: '涉及第三方个人隐私', evidence: { thirdPartyInterest: 'personal-privacy', thirdPartyConsultation: { sentOn: '2026-12-01', response: 'objected', respondedOn: '2026-12-04' } } }] } }],
      ['zrzy.handler1', 'conclude-disclosure-decision', REVIEWED],
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'return', returnTo: 'drafting', comment: '请写明不予公开部分的理由' }],
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
      ['zrzy.head', 'sign-off-reply'],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2026-12-28', method: 'post' }],
      ['zrzy.registrar', 'record-delivery-failed', { failedOn: '2027-01-04', reason: '邮件被退回' }],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2027-01-05', method: 'in-person' }],
      ['zrzy.handler1', 'archive-case'],
    ]);
    await h.completion(partial);
    recorded.push([partial, 'partially-disclosed']);

    // 该不该: Art. 35 reasons found unreasonable.
    const excessive = await h.newCase();
    await h.acts(excessive, [
      ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
      ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
      ['zrzy.handler1', 'request-reasons', { sentOn: '2026-11-30' }],
      ['zrzy.registrar', 'record-reasons-received', { receivedOn: '2026-12-02', reasonable: false }],
      ['zrzy.handler1', 'decide-scope', { decision: 'excessive-requests', reason: '理由不合理' }],
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
      ['zrzy.head', 'sign-off-reply'],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2026-12-10', method: 'post' }],
      ['zrzy.handler1', 'archive-case'],
    ]);
    await h.completion(excessive);
    recorded.push([excessive, 'excessive-requests']);

    // Up to the search that found the information.
    const notHeld = await found();
    await h.env.client.workflow.getHandle(notHeld).terminate('recorded up to the search');
    recorded.push([notHeld, 'search-found']);

    for (const [caseNumber, name] of recorded) {
      const file = join(__dirname, 'request', `LYG-ZRZY-2026-${name}-${process.argv[2] ?? 'v2'}.json`);
      await saveHistory(h.env.client.workflow.getHandle(caseNumber), file);
    }
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
