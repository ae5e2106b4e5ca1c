// Records request-workflow histories with reminders (issue "reminders and escalation") for the replay test: a case
// registered late and reminded daily until its reply, and one that continues as new between reminders.
// Append-only, like the other recorders:  npx tsx test/histories/record-reminders.ts <suffix: v4, v5, …>
import { join } from 'node:path';
import { RequestHarness } from '../helpers/request-harness';
import { saveHistory } from './save-history';

async function main(): Promise<void> {
  const h = await RequestHarness.create({ reminders: true });
  try {
    await h.loadSynthetic2027();
    const late = { channel: { kind: 'in-person', submittedAt: '2027-01-04T09:00:00+08:00' } };
    const reminded = await h.newCase(late);
    const continued = await h.newCase(late, undefined, 40);
    for (const caseNumber of [reminded, continued]) {
      await h.acts(caseNumber, [
        ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
        ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
      ]);
    }
    await h.advanceTo('2027-02-04T12:00:00+08:00');
    await h.acts(reminded, [
      ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
      ['zrzy.handler1', 'record-search', { result: 'not-held', searchedOn: '2027-02-04', places: ['档案室'], keywords: ['规划条件'], reason: '经检索，本机关未制作或获取该信息' }],
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
      ['zrzy.head', 'sign-off-reply'],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2027-02-04', method: 'post' }],
      ['zrzy.handler1', 'archive-case'],
    ]);
    await h.completion(reminded);
    await h.env.client.workflow.getHandle(continued).terminate('recorded after its reminders');
    const suffix = process.argv[2] ?? 'v4';
    await saveHistory(h.env.client.workflow.getHandle(reminded), join(__dirname, 'request', `LYG-ZRZY-2027-reminders-${suffix}.json`));
    // The last run, which began from carried state, and the one before it, which ended by continuing as new.
    const last = h.env.client.workflow.getHandle(continued);
    const history = await last.fetchHistory();
    const previousRunId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previousRunId) throw new Error('the case did not continue as new');
    await saveHistory(last, join(__dirname, 'request', `LYG-ZRZY-2027-reminders-continued-${suffix}.json`));
    await saveHistory(h.env.client.workflow.getHandle(continued, previousRunId), join(__dirname, 'request', `LYG-ZRZY-2027-reminders-continuing-${suffix}.json`));
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
