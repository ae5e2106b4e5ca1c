// Records request-workflow histories for the replay test. Histories are append-only: add new ones after a
// change; replace one only with a reason in the issue note and a patched() path where running cases need it.
//   npx tsx test/histories/record-request.ts <name-suffix>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { createRequestActivities } from '../../activities/request-activities';
import { readHolidayNotices } from '../../workers/calendar-files';
import { actOnCase, actorFor, resolvePayload } from '../../workers/case-client';
import { PROJECT_ROOT } from '../../workers/config';
import { submitApplication } from '../../workers/intake';
import { loadConfig } from '../../workers/load-config';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { reloadCalendarSignal } from '../../workflows/request/messages';
import { createTestStore } from '../helpers/register';
import { bundleTestWorkflows, createTimeSkippingEnv, testDataConverter } from '../helpers/temporal-env';
import { saveHistory } from './save-history';

async function main(): Promise<void> {
  const suffix = process.argv[2] ?? 'v1';
  const env = await createTimeSkippingEnv();
  const store = await createTestStore('sqlite');
  const register = await store.open();
  const taskQueue = 'record-request';
  const config = { ...loadConfig({ env: { GONGKAI_DATA_DIR: join(store.settings.sqliteFile, '..') } }), temporal: { address: '', namespace: 'default', taskQueue, maxCachedWorkflows: 500 } };
  const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleTestWorkflows(WORKFLOWS_PATH),
      activities: createRequestActivities({ register, shippedNotices: () => readHolidayNotices() }),
      dataConverter: testDataConverter(),
    });
    await worker.runUntil(async () => {
      const act = (caseNumber: string, user: string, action: string, data: unknown = {}) =>
        actOnCase(env.client, caseNumber, { action, actor: actorFor(config, user), data: resolvePayload(config, action, data) }).catch(() => undefined);
      const intake = (submissionId: string, application = example.application) =>
        submitApplication({ client: env.client, register, config }, { submissionId, application, registeredBy: 'zrzy.registrar' });

      // The whole spine to archive, with a refused act and a returned review on the way.
      const full = (await intake(`record-full-${suffix}`)).caseNumber;
      await act(full, 'zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' });
      await act(full, 'zrzy.head', 'sign-off-reply'); // refused: wrong stage
      await act(full, 'zrzy.handler1', 'request-correction', { sentOn: '2026-11-30', itemsToCorrect: ['请补充信息的文号'], applicantDueOn: '2026-12-15' });
      await act(full, 'zrzy.registrar', 'record-correction-received', { receivedOn: '2026-12-03' });
      await act(full, 'zrzy.handler1', 'record-completeness-finding', { finding: 'complete' });
      await act(full, 'zrzy.handler1', 'decide-scope', { decision: 'gip-request' });
      await act(full, 'zrzy.handler1', 'record-search', { searchedOn: '2026-12-04', places: ['档案室'], keywords: ['规划条件'], found: true });
      await act(full, 'zrzy.head', 'approve-extension', { approvedOn: '2026-12-20', workingDays: 10, reason: '需调取档案' });
      await act(full, 'zrzy.handler1', 'conclude-disclosure-decision');
      await act(full, 'zrzy.handler1', 'draft-reply');
      await act(full, 'zrzy.reviewer', 'review-reply', { verdict: 'return', returnTo: 'drafting', comment: '请补充救济途径' });
      await act(full, 'zrzy.handler1', 'draft-reply');
      await act(full, 'zrzy.reviewer', 'review-reply', { verdict: 'approve' });
      await act(full, 'zrzy.head', 'sign-off-reply');
      await act(full, 'zrzy.handler1', 'record-dispatch', { dispatchedOn: '2026-12-28', method: 'post' });
      await act(full, 'zrzy.handler1', 'archive-case');
      await env.client.workflow.getHandle(full).result();

      // Awaiting confirmation, confirmed, deadlines passing on the timer, a calendar reload.
      const online = (await intake(`record-online-${suffix}`, { ...example.application, channel: { kind: 'internet', submittedAt: '2026-11-27T22:40:00+08:00' } })).caseNumber;
      await act(online, 'zrzy.registrar', 'confirm-receipt', { confirmedAt: '2026-11-30T09:00:00+08:00' });
      await env.client.workflow.getHandle(online).signal(reloadCalendarSignal);
      await env.sleep('40 days');
      await act(online, 'zrzy.registrar', 'record-withdrawal', { withdrawnOn: '2027-01-10', reason: '申请人撤回' });
      await act(online, 'zrzy.registrar', 'assign-handler', { handlerId: 'zrzy.handler1' });
      await env.client.workflow.getHandle(online).terminate('recording complete');

      for (const caseNumber of [full, online]) {
        const file = join(__dirname, 'request', `${caseNumber.replace(/-\d{6}$/, '')}-${caseNumber === full ? 'spine-to-archive' : 'confirm-withdraw'}-${suffix}.json`);
        await saveHistory(env.client.workflow.getHandle(caseNumber), file);
      }
    });
  } finally {
    await register.close();
    await store.destroy();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
