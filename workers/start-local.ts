import { join } from 'node:path';
import type { LoadedConfig } from './load-config';
import { openConfiguredRegister } from './open-register';
import { buildWebApp } from '../web/app';
import { CODEC_PATH } from '../web/codec-endpoint';
import { loadSessionSecret } from '../web/session';
import { connectClient, connectWorkerConnection } from './connection';
import { type RunningDevServer, startDevServer } from './dev-server';
import { logger } from './logger';
import { type MailCapture, mailCaptureDirectory, startMailCapture } from './mail-capture';
import { usesLocalCapture } from './mail-transport';
import { createWorker } from './worker';
import { startWorkerServices } from './worker-services';

export interface LocalStackOptions {
  /** Web UI of the dev server; 0 to run headless. */
  uiPort: number;
}

/**
 * `npm start`: the embedded stack on one machine — the Temporal dev server on a persistent SQLite file
 * under the data directory, the register (migrated on start-up), the local mail capture unless SMTP_URL or a remote
 * SMTP host is configured, and the worker. Ctrl-C (or SIGTERM) drains the worker first, then stops the
 * server and the mail capture, so a second start resumes every case where it was.
 */
export async function runLocalStack(config: LoadedConfig, opts: LocalStackOptions): Promise<void> {
  const [host, portText] = splitAddress(config.temporal.address);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`start runs a local dev server, but TEMPORAL_ADDRESS=${config.temporal.address} is not local; run 'gongkai worker' against a cluster`);
  }
  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping');
    stopping.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const temporalDir = join(config.dataDir, 'temporal');
  let mailCapture: MailCapture | undefined;
  let server: RunningDevServer | undefined;
  const killOnExit = (): void => {
    server?.process.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  try {
    // First, because it is quick and a taken port should stop start-up before the dev server is up.
    if (usesLocalCapture(config.smtp)) mailCapture = await startLocalMailCapture(config);
    server = await startDevServer({
      ip: host === 'localhost' ? '127.0.0.1' : host,
      port: Number(portText),
      uiPort: opts.uiPort,
      namespace: config.temporal.namespace,
      dbFilename: join(temporalDir, 'dev.sqlite'),
      logFile: join(temporalDir, 'dev.log'),
      uiCodecEndpoint: `${config.web.publicUrl}${CODEC_PATH}`,
    });
    logger.info(
      { temporal: server.address, ui: opts.uiPort > 0 ? `http://${host}:${opts.uiPort}` : 'off', data: config.dataDir },
      'Temporal dev server ready',
    );
    if (stopping.signal.aborted) return;

    const register = await openConfiguredRegister(config);
    logger.info({ database: register.store.dialect }, 'register ready');
    const connection = await connectWorkerConnection(config);
    const client = await connectClient(config);
    const web = await buildWebApp({
      config,
      client,
      register,
      sessionSecret: loadSessionSecret(process.env, config.dataDir),
      ...(mailCapture ? { mailDirectory: mailCapture.directory } : {}),
      logger,
    });
    try {
      const worker = await createWorker(config, connection, register);
      const stopServices = await startWorkerServices({ config, client, register });
      try {
        await web.listen({ host: config.web.host, port: config.web.port });
        logger.info({ web: `http://${config.web.host}:${config.web.port}`, users: demoUsersOf(config) }, 'web app ready: sign in as one of these users');
        logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker running; Ctrl-C stops');
        // The SDK's runtime shuts the worker down on SIGINT/SIGTERM; our own handler covers the start-up window.
        if (!stopping.signal.aborted) {
          stopping.signal.addEventListener('abort', () => worker.getState() === 'RUNNING' && worker.shutdown(), { once: true });
          await worker.run();
        }
      } finally {
        await stopServices();
      }
    } finally {
      await web.close();
      await client.connection.close();
      await connection.close();
      await register.close();
    }
  } finally {
    try {
      await server?.stop();
    } finally {
      await mailCapture?.close();
    }
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    logger.info('stopped');
  }
}

/** The demo configuration's users (id, roles, agency) — their password is in the README; other configurations print none. */
function demoUsersOf(config: LoadedConfig): string[] | undefined {
  if (!config.configPath.endsWith(join('config', 'demo.json'))) return undefined;
  return config.users.map((u) => `${u.id} (${u.roles.join(', ')}; ${u.agencyCode})`);
}

async function startLocalMailCapture(config: LoadedConfig): Promise<MailCapture> {
  const { host, port } = config.smtp;
  try {
    const capture = await startMailCapture({ host, port, directory: mailCaptureDirectory(config.dataDir) });
    logger.info({ smtp: `${capture.host}:${capture.port}`, directory: capture.directory }, 'local mail capture ready');
    return capture;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new Error(
      `cannot start the local mail capture: ${host}:${port} is in use. Set GONGKAI_SMTP_PORT to a free port, ` +
        'or SMTP_URL to send through a real SMTP server',
      { cause: err },
    );
  }
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), address.slice(at + 1)];
}
