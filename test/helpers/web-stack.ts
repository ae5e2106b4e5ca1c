import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Register } from '../../register';
import { buildWebApp } from '../../web/app';
import { loadConfig, type LoadedConfig } from '../../workers/load-config';
import { type MailCapture, mailCaptureDirectory, startMailCapture } from '../../workers/mail-capture';
import { createMailTransport } from '../../workers/mail-transport';
import { openConfiguredRegister } from '../../workers/open-register';
import { createActivities, WORKFLOWS_PATH } from '../../workers/worker';
import { SmtpCapture } from './smtp-capture';
import { bundleTestWorkflows, createDevServerEnv, uniqueTaskQueue } from './temporal-env';

/** The demo users' password (config/demo.json). */
export const DEMO_PASSWORD = 'gongkai-demo';

/**
 * The web app for real: the dev server, a worker with every activity, the register on SQLite in a temporary data
 * directory, a real SMTP server on loopback, and the web app listening on a free port. One per test file.
 */
export class WebStack {
  private readonly tokens = new Map<string, string>();

  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly config: LoadedConfig,
    readonly register: Register,
    readonly smtp: SmtpCapture,
    readonly app: FastifyInstance,
    readonly baseUrl: string,
    private readonly worker: Worker | undefined,
    private readonly running: Promise<void> | undefined,
    private readonly dataDir: string,
    /** The local mail capture, with `localMailCapture`. */
    readonly mailCapture: MailCapture | undefined,
  ) {}

  /**
   * `worker: false` starts no worker (503 tests). `localMailCapture: true` sends the workers' mail to the local mail
   * capture of `npm start` (workers/mail-capture.ts) instead of `smtp`, and shows it on the 本地邮件 page.
   */
  static async start({ worker = true, localMailCapture = false }: { worker?: boolean; localMailCapture?: boolean } = {}): Promise<WebStack> {
    const dataDir = mkdtempSync(join(tmpdir(), 'gongkai-web-'));
    const [env, workflowBundle, smtp] = await Promise.all([createDevServerEnv(), bundleTestWorkflows(WORKFLOWS_PATH), SmtpCapture.start()]);
    const capture = localMailCapture ? await startMailCapture({ host: '127.0.0.1', port: 0, directory: mailCaptureDirectory(dataDir) }) : undefined;
    const mailDirectory = capture?.directory;
    const processEnv = { GONGKAI_DATA_DIR: dataDir, TEMPORAL_ADDRESS: env.address };
    const loaded = loadConfig({ env: processEnv });
    const config: LoadedConfig = {
      ...loaded,
      temporal: { ...loaded.temporal, taskQueue: uniqueTaskQueue('web') },
      smtp: { ...loaded.smtp, host: '127.0.0.1', port: capture?.port ?? smtp.port },
    };
    const register = await openConfiguredRegister(config, processEnv);
    let running: Promise<void> | undefined;
    let w: Worker | undefined;
    if (worker) {
      w = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: config.temporal.taskQueue,
        workflowBundle,
        activities: createActivities({ config, register, transport: createMailTransport(config.smtp) }),
        dataConverter: env.client.options.dataConverter,
      });
      running = w.run();
    }
    const app = await buildWebApp({ config, client: env.client, register, sessionSecret: Buffer.alloc(32, 9), ...(mailDirectory ? { mailDirectory } : {}) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    return new WebStack(env, config, register, smtp, app, `http://127.0.0.1:${port}`, w, running, dataDir, capture);
  }

  async close(): Promise<void> {
    await this.app.close();
    this.worker?.shutdown();
    await this.running;
    await this.register.close();
    await this.env.teardown();
    await this.smtp.close();
    await this.mailCapture?.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A bearer token for a demo user (signed in once per user). */
  async tokenFor(userId: string): Promise<string> {
    const known = this.tokens.get(userId);
    if (known) return known;
    const res = await this.api('POST', '/api/session', { body: { userId, password: DEMO_PASSWORD } });
    if (res.status !== 200) throw new Error(`sign-in of ${userId} failed: ${res.status} ${JSON.stringify(res.body)}`);
    const token = (res.body as { token: string }).token;
    this.tokens.set(userId, token);
    return token;
  }

  /** A JSON API call; `as` signs in as that user first. */
  async api(method: string, path: string, opts: { as?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
    const token = opts.token ?? (opts.as ? await this.tokenFor(opts.as) : undefined);
    const hasBody = opts.body !== undefined || opts.rawBody !== undefined;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...opts.headers,
      },
      ...(hasBody ? { body: opts.rawBody ?? JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json')) body = text ? JSON.parse(text) : null;
    return { status: res.status, body, headers: res.headers };
  }
}
