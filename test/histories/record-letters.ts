// Records request-workflow histories with the reply letter (rendered, stored, emailed) for the replay test.
// Append-only, like the other recorders:  npx tsx test/histories/record-letters.ts <suffix: v5, v6, …>
import { join } from 'node:path';
import { exampleApplication, RequestHarness, toDisclosureDecision } from '../helpers/request-harness';
import { saveHistory } from './save-history';

async function main(): Promise<void> {
  const h = await RequestHarness.create();
  try {
    const caseNumber = await h.newCase({ contact: { ...exampleApplication.contact, email: 'zhangsan@example.com' } });
    await toDisclosureDecision(h, caseNumber);
    await h.acts(caseNumber, [
      ['zrzy.handler1', 'record-item-decision', { item: { itemId: '1', outcome: 'disclosed', withheldParts: [], alreadyPublicCheck: { isPublic: false } } }],
      ['zrzy.handler1', 'conclude-disclosure-decision', { confidentialityReview: { reviewedBy: 'zrzy.reviewer', reviewedOn: '2026-11-27' } }],
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
      ['zrzy.head', 'sign-off-reply'],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2027-02-01', method: 'email' }],
      ['zrzy.handler1', 'archive-case'],
    ]);
    await h.completion(caseNumber);
    if (!h.smtp.received.some((email) => email.attachments.length > 0)) throw new Error('the letter was not emailed');
    await saveHistory(h.env.client.workflow.getHandle(caseNumber), join(__dirname, 'request', `LYG-ZRZY-2026-reply-letter-emailed-${process.argv[2] ?? 'v5'}.json`));
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
