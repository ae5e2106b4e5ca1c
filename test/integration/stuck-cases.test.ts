import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createEmailActivities } from '../../activities/email';
import { createStuckCaseAlerts } from '../../activities/stuck-cases';
import type { Register } from '../../register';
import { buildWebApp } from '../../web/app';
import { PROJECT_ROOT } from '../../workers/config';
import { submitApplication } from '../../workers/intake';
import { loadConfig, type LoadedConfig } from '../../workers/load-config';
import { createMailTransport } from '../../workers/mail-transport';
import { checkStuckCases, createStuckCasesGauge, findStuckCases, type StuckCheckDeps } from '../../workers/stuck-cases';
import { createActivities, WORKFLOWS_PATH } from '../../workers/worker';
import { reloadCalendarSignal } from '../../workflows/request/messages';
import { PageSession } from '../helpers/page-session';
import { freePort } from '../helpers/ports';
import { createTestStore, type TestStore } from '../helpers/register';
import { SmtpCapture } from '../helpers/smtp-capture';
import { bundleTestWorkflows, createDevServerEnv, testDataConverter, uniqueTaskQueue } from '../helpers/temporal-env';

// A case made stuck for real on the dev server: registered by the real worker (its receipt rendered), then a "bad
// deploy" — a worker whose request workflow throws a plain Error in workflow code — takes over, and a signal gives it a
// workflow task to fail, again and again. The check finds it, emails each admin once however often it runs, the
// supervisor board lists it, and the process's Prometheus endpoint reports it.

const example = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8'));
const STUCK_AFTER_ATTEMPTS = 3;
// What the failing workflow's message quotes: it must reach no email, page or metric.
const PERSONAL_DATA = ['张三', '11010519491231002X', 'bad deploy'];

let env: TestWorkflowEnvironment;
let store: TestStore;
let register: Register;
let smtp: SmtpCapture;
let config: LoadedConfig;
let web: FastifyInstance;
let baseUrl: string;
let metricsPort: number;
let dataDir: string;

beforeAll(async () => {
  // The process's own Prometheus endpoint, as GONGKAI_METRICS_ADDRESS gives a worker process (installed before anything
  // else creates the SDK runtime).
  metricsPort = await freePort();
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } });
  dataDir = mkdtempSync(join(tmpdir(), 'gongkai-stuck-'));
  [env, store, smtp] = await Promise.all([createDevServerEnv(), createTestStore('sqlite'), SmtpCapture.start()]);
  register = await store.open();
  const loaded = loadConfig({ env: { GONGKAI_DATA_DIR: dataDir, TEMPORAL_ADDRESS: env.address } });
  const admin = loaded.users.find((user) => user.id === 'admin')!;
  config = {
    ...loaded,
    // Two admins: each gets the alert, once.
    users: [...loaded.users, { ...admin, id: 'ops.admin', name: '运维值班', email: 'ops.admin@lyg.example.cn' }],
    temporal: { ...loaded.temporal, taskQueue: uniqueTaskQueue('stuck') },
    smtp: { ...loaded.smtp, host: '127.0.0.1', port: smtp.port },
    monitoring: { ...loaded.monitoring, stuckAfterAttempts: STUCK_AFTER_ATTEMPTS },
  };
  web = await buildWebApp({ config, client: env.client, register, sessionSecret: Buffer.alloc(32, 9) });
  await web.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
  await web?.close();
  await register?.close();
  await env?.teardown();
  await smtp?.close();
  await store?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const boardStuckSection = (html: string): string | undefined => /<section id="stuck"[\s\S]*?<\/section>/.exec(html)?.[0];

test('a case whose workflow task keeps failing: admins alerted once each, listed on the board, counted by gongkai_stuck_cases', async () => {
  const { taskQueue, namespace } = config.temporal;
  const [goodBundle, badBundle] = await Promise.all([bundleTestWorkflows(WORKFLOWS_PATH), bundleTestWorkflows(require.resolve('../workflows/stuck-request'))]);

  // Registered normally: the real workflow runs its first tasks and the receipt is rendered and stored.
  // No workflow cache, so no sticky queue: the next task goes to whichever worker polls the queue.
  const goodWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: goodBundle,
      activities: createActivities({ config, register, transport: createMailTransport(config.smtp) }),
      dataConverter: testDataConverter(),
      maxCachedWorkflows: 0,
    });
  const good = await goodWorker();
  const caseNumber = await good.runUntil(async () => {
    const { caseNumber } = await submitApplication({ client: env.client, register, config }, { submissionId: 'stuck-case-0001', application: example.application, registeredBy: 'zrzy.registrar' });
    await until('the receipt stored', async () => ((await register.readCase(caseNumber))?.documents.some((d) => d.document_type === 'receipt') ? true : undefined));
    return caseNumber;
  });
  expect(await findStuckCases(env.client, register, { namespace, minAttempts: STUCK_AFTER_ATTEMPTS })).toEqual([]);
  const supervisor = await PageSession.signIn(baseUrl, 'supervisor');
  const boardBefore = await supervisor.get('/board');
  expect(boardBefore.status).toBe(200);
  expect(boardStuckSection(boardBefore.html)).toBeUndefined();

  const transport = createMailTransport(config.smtp);
  const deps: StuckCheckDeps = {
    config,
    client: env.client,
    register,
    alerts: createStuckCaseAlerts({ config, sendEmail: createEmailActivities({ register, transport, from: config.smtp.from }).sendEmail }),
    gauge: createStuckCasesGauge(config),
  };
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  // The bad deploy takes over, and the case's next workflow task (a calendar reload) fails on every attempt.
  const bad = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: badBundle, dataConverter: testDataConverter(), maxCachedWorkflows: 0 });
  await bad.runUntil(async () => {
    await env.client.workflow.getHandle(caseNumber).signal(reloadCalendarSignal);
    const [stuck] = await until('the case stuck', async () => {
      const found = await findStuckCases(env.client, register, { namespace, minAttempts: STUCK_AFTER_ATTEMPTS });
      return found.length > 0 ? found : undefined;
    });
    expect(stuck).toEqual({
      caseNumber,
      agencyCode: 'LYG-ZRZY',
      attempts: expect.any(Number),
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      errorClass: 'Error',
      cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
    });
    expect(stuck!.attempts).toBeGreaterThanOrEqual(STUCK_AFTER_ATTEMPTS);

    // The check, twice (a second worker, or the next interval): each admin gets one email.
    const first = await checkStuckCases(deps);
    const second = await checkStuckCases(deps);
    expect(first.stuck.map((s) => s.caseNumber)).toEqual([caseNumber]);
    expect(first.emails).toEqual({ sent: 2, 'already-sent': 0, rejected: 0 });
    expect(second.emails).toEqual({ sent: 0, 'already-sent': 2, rejected: 0 });

    const alerts = smtp.received.filter((mail) => mail.subject?.includes(caseNumber));
    expect(alerts.map((mail) => mail.to.join(',')).sort()).toEqual(['admin@lyg.example.cn', 'ops.admin@lyg.example.cn']);
    for (const mail of alerts) {
      expect(mail.subject).toBe(`【系统告警】案件 ${caseNumber} 工作流任务连续失败`);
      expect(mail.text).toContain(`案件编号：${caseNumber}`);
      expect(mail.text).toMatch(/尝试次数：\d+/);
      expect(Number(/尝试次数：(\d+)/.exec(mail.text!)![1])).toBeGreaterThanOrEqual(STUCK_AFTER_ATTEMPTS);
      expect(mail.text).toMatch(/首次失败：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
      expect(mail.text).toContain('失败类型：Error（工作流代码抛出未处理的异常）');
      expect(mail.text).toContain(`${config.web.publicUrl}/cases/${caseNumber}`);
      for (const text of PERSONAL_DATA) expect(`${mail.text}${mail.html}`).not.toContain(text);
    }
    const ledger = (await register.emailLedger({ caseNumber })).filter((row) => row.kind === 'stuck-case');
    expect(ledger.map((row) => /^stuck:([^:]+):\d{4}-\d\d-\d\d:(.+)$/.exec(row.email_key)?.slice(1)).sort()).toEqual([
      [caseNumber, 'admin'],
      [caseNumber, 'ops.admin'],
    ]);

    // The supervisor board's 运行异常的案件.
    const section = boardStuckSection((await supervisor.get('/board')).html);
    expect(section).toContain('运行异常的案件（1）');
    const row = new RegExp(`<tr data-case="${caseNumber}"><td><a href="/cases/${caseNumber}">${caseNumber}</a></td><td>连云港市自然资源和规划局</td><td>\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d</td><td>(\\d+)</td><td>Error</td></tr>`).exec(section ?? '');
    expect(row).not.toBeNull();
    expect(Number(row![1])).toBeGreaterThanOrEqual(STUCK_AFTER_ATTEMPTS);
    for (const text of PERSONAL_DATA) expect(section).not.toContain(text);

    // The worker process's Prometheus endpoint: our gauge, and the SDK's own count of failed workflow tasks.
    const scraped = await scrape();
    expect(scraped).toMatch(/^gongkai_stuck_cases\{agency="LYG-ZRZY"\} 1$/m);
    expect(scraped).toMatch(/^gongkai_stuck_cases\{agency="LYG-ZFB"\} 0$/m);
    expect(scraped).toMatch(/^temporal_workflow_task_execution_failed\{[^}]*workflow_type="requestWorkflow"[^}]*\} [1-9]\d*$/m);
    for (const text of PERSONAL_DATA) expect(scraped).not.toContain(text);
  });

  // Redeployed: the retried workflow task succeeds, the case moves on, and the next check clears the gauge and the board.
  await (await goodWorker()).runUntil(async () => {
    await until('the case running again', async () => ((await findStuckCases(env.client, register, { namespace, minAttempts: 2 })).length === 0 ? true : undefined));
    expect((await checkStuckCases(deps)).stuck).toEqual([]);
  });
  transport.close();
  expect(await scrape()).toMatch(/^gongkai_stuck_cases\{agency="LYG-ZRZY"\} 0$/m);
  expect(boardStuckSection((await supervisor.get('/board')).html)).toBeUndefined();
  expect(smtp.received.filter((mail) => mail.subject?.includes(caseNumber))).toHaveLength(2);
}, 150_000);
