import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Register } from '../../register';
import { actOnCase, actorFor, resolvePayload } from '../../workers/case-client';
import { PROJECT_ROOT } from '../../workers/config';
import { submitApplication } from '../../workers/intake';
import { loadConfig, type LoadedConfig } from '../../workers/load-config';
import { createMailTransport } from '../../workers/mail-transport';
import { createActivities, WORKFLOWS_PATH } from '../../workers/worker';
import type { CaseView } from '../../workflows/request/messages';
import { createTestStore, randomSubmissionId, type TestStore } from './register';
import { SmtpCapture } from './smtp-capture';
import { bundleTestWorkflows, createTimeSkippingEnv, testDataConverter, uniqueTaskQueue } from './temporal-env';

/** Server time at which the workflow tests start (Beijing time), unless the real date is later. */
export const TESTS_START_AT = '2027-02-01T09:00:00+08:00';

/** A made-up 2027 holiday notice, so that tests of 2027 dates do not depend on the real one being published. */
export const SYNTHETIC_2027_PATH = join(PROJECT_ROOT, 'test', 'fixtures', 'calendar', 'synthetic-2027.json');

/** The example application (an in-person request to 连云港市自然资源和规划局). */
export const exampleApplication = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'application-in-person.json'), 'utf8')).application;

/**
 * Request workflows on the real time-skipping server, with the real intake path and a real SQLite register:
 * one per test file (create in beforeAll, close in afterAll).
 */
export class RequestHarness {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly store: TestStore,
    readonly register: Register,
    readonly config: LoadedConfig,
    /** Where the workers' reminder emails arrive: a real SMTP server on loopback. */
    readonly smtp: SmtpCapture,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
  ) {}

  /**
   * `activities: false` runs the workflows only: the test runs the activities elsewhere (another process).
   * `reminders: false` (the default) gives the agencies a policy without reminders: tests of other behaviour skip
   * weeks at a time over many open cases, and every reminder email would hold the test server's clock while it is sent.
   */
  static async create({ activities = true, reminders = false }: { activities?: boolean; reminders?: boolean } = {}): Promise<RequestHarness> {
    const [env, workflowBundle, store, smtp] = await Promise.all([
      createTimeSkippingEnv(),
      bundleTestWorkflows(WORKFLOWS_PATH),
      createTestStore('sqlite'),
      SmtpCapture.start(),
    ]);
    // The tests record acts with fixed dates up to January 2027, and no act may be dated later than the day it
    // is recorded: start the server's clock after them.
    const startAt = Date.parse(TESTS_START_AT);
    const now = await env.currentTimeMs();
    if (now < startAt) await env.sleep(startAt - now);
    const register = await store.open();
    const taskQueue = uniqueTaskQueue('request');
    const loaded = loadConfig({ env: { GONGKAI_DATA_DIR: join(store.settings.sqliteFile, '..') } });
    const config = {
      ...loaded,
      agencies: reminders ? loaded.agencies : loaded.agencies.map((agency) => ({ ...agency, reminders: { ...agency.reminders, beforeDue: [], overdue: [] } })),
      temporal: { ...loaded.temporal, taskQueue },
      smtp: { ...loaded.smtp, host: '127.0.0.1', port: smtp.port },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      ...(activities ? { activities: createActivities({ config, register, transport: createMailTransport(config.smtp) }) } : {}),
      dataConverter: testDataConverter(),
    });
    return new RequestHarness(env, store, register, config, smtp, worker, worker.run());
  }

  async close(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    await this.register.close();
    await this.store.destroy();
    await this.env.teardown();
    await this.smtp.close();
  }

  /**
   * Advances the server's clock to `instant`, a day at a time, so that each day's timers (deadlines, reminders at the
   * send time) fire on their day and the workers' activities run before the clock moves on.
   */
  async advanceTo(instant: string): Promise<void> {
    const target = Date.parse(instant);
    for (;;) {
      const now = await this.env.currentTimeMs();
      if (now >= target) return;
      await this.env.sleep(Math.min(target - now, 86_400_000));
    }
  }

  /** Loads the synthetic 2027 holiday notice (test/fixtures) into the register, as `gongkai calendar load` would. */
  async loadSynthetic2027(): Promise<void> {
    const notice = JSON.parse(readFileSync(SYNTHETIC_2027_PATH, 'utf8'));
    await this.register.saveHolidayNotice({ year: 2027, notice, digest: 'synthetic-2027', loadedBy: 'admin', loadedAt: '2026-11-28T00:00:00Z' });
  }

  /** Registers the example application (with `overrides`) through intake; returns the case number. */
  async newCase(overrides: Record<string, unknown> = {}, submissionId = randomSubmissionId(), continueAsNewAfterEvents?: number): Promise<string> {
    const { caseNumber } = await submitApplication(
      { client: this.env.client, register: this.register, config: this.config, continueAsNewAfterEvents },
      { submissionId, application: { ...exampleApplication, ...overrides }, registeredBy: 'zrzy.registrar' },
    );
    return caseNumber;
  }

  act(caseNumber: string, userId: string, action: string, data: unknown = {}, updateId?: string): Promise<CaseView> {
    return actOnCase(this.env.client, caseNumber, { action, actor: actorFor(this.config, userId), data: resolvePayload(this.config, action, data), updateId });
  }

  /**
   * Waits for the case's workflow to complete; returns its status. Never `result()`: on the time-skipping server that
   * unlocks time skipping, which jumps to every other open case's timers, and dates in later tests drift by years.
   */
  async completion(caseNumber: string): Promise<string> {
    const handle = this.env.client.workflow.getHandle(caseNumber);
    let status = '';
    await eventually(async () => {
      status = (await handle.describe()).status.name;
      if (status !== 'COMPLETED') throw new Error(`${caseNumber} is ${status}, not COMPLETED`);
    });
    return status;
  }

  /** From drafting to the archive (draft, review, sign-off, dispatch, archive), until the workflow completes. */
  async replyAndArchive(caseNumber: string): Promise<string> {
    await this.acts(caseNumber, [
      ['zrzy.handler1', 'draft-reply'],
      ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }],
      ['zrzy.head', 'sign-off-reply'],
      ['zrzy.handler1', 'record-dispatch', { dispatchedOn: '2026-12-18', method: 'post' }],
      ['zrzy.handler1', 'archive-case'],
    ]);
    return this.completion(caseNumber);
  }

  /** Runs acts in order: `[user, action, data]`. */
  async acts(caseNumber: string, steps: [string, string, unknown?][]): Promise<CaseView[]> {
    const views: CaseView[] = [];
    for (const [user, action, data] of steps) views.push(await this.act(caseNumber, user, action, data ?? {}));
    return views;
  }
}

/** One harness for the test file: created before its tests, closed after them. Call at the top of a test file. */
export function useRequestHarness(options?: Parameters<typeof RequestHarness.create>[0]): () => RequestHarness {
  let harness: RequestHarness | undefined;
  beforeAll(async () => {
    harness = await RequestHarness.create(options);
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });
  return () => harness!;
}

/** Assigned to zrzy.handler1, complete, a GIP request, the information found: the case is at the disclosure decision. */
export async function toDisclosureDecision(h: RequestHarness, caseNumber: string): Promise<void> {
  await h.acts(caseNumber, [
    ['zrzy.head', 'assign-handler', { handlerId: 'zrzy.handler1' }],
    ['zrzy.handler1', 'record-completeness-finding', { finding: 'complete' }],
    ['zrzy.handler1', 'decide-scope', { decision: 'gip-request' }],
    ['zrzy.handler1', 'record-search', { result: 'found', searchedOn: '2026-11-27', places: ['档案室'], keywords: ['规划条件'] }],
  ]);
}

/** The refusal of an update: its failure type and message. Fails the test if the update succeeded. */
export async function refusal(attempt: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await attempt;
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const cause = err.cause as { type?: string; message: string };
    return { type: cause.type, message: cause.message };
  }
  throw new Error('expected the update to be refused');
}

/** Retries an assertion for a few seconds: for what follows the workflow asynchronously (the register). */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
