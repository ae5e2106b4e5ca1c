import { join } from 'node:path';
import type { LoadedConfig } from './load-config';
import { openConfiguredRegister } from './open-register';
import { connectWorkerConnection } from './connection';
import { type RunningDevServer, startDevServer } from './dev-server';
import { logger } from './logger';
import { createWorker } from './worker';

export interface LocalStackOptions {
  /** Web UI of the dev server; 0 to run headless. */
  uiPort: number;
}

/**
 * `npm start`: the embedded stack on one machine — the Temporal dev server on a persistent SQLite file
 * under the data directory, the register (migrated on start-up), and the worker. Ctrl-C (or SIGTERM) drains the worker first, then stops the
 * server, so a second start resumes every case where it was.
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
  let server: RunningDevServer | undefined;
  const killOnExit = (): void => {
    server?.process.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  try {
    server = await startDevServer({
      ip: host === 'localhost' ? '127.0.0.1' : host,
      port: Number(portText),
      uiPort: opts.uiPort,
      namespace: config.temporal.namespace,
      dbFilename: join(temporalDir, 'dev.sqlite'),
      logFile: join(temporalDir, 'dev.log'),
    });
    logger.info(
      { temporal: server.address, ui: opts.uiPort > 0 ? `http://${host}:${opts.uiPort}` : 'off', data: config.dataDir },
      'Temporal dev server ready',
    );
    if (stopping.signal.aborted) return;

    const register = await openConfiguredRegister(config);
    logger.info({ database: register.store.dialect }, 'register ready');
    const connection = await connectWorkerConnection(config);
    try {
      const worker = await createWorker(config, connection, register);
      logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker running; Ctrl-C stops');
      // The SDK's runtime shuts the worker down on SIGINT/SIGTERM; our own handler covers the start-up window.
      if (!stopping.signal.aborted) {
        stopping.signal.addEventListener('abort', () => worker.getState() === 'RUNNING' && worker.shutdown(), { once: true });
        await worker.run();
      }
    } finally {
      await connection.close();
      await register.close();
    }
  } finally {
    await server?.stop();
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    logger.info('stopped');
  }
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), address.slice(at + 1)];
}
