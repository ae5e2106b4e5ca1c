import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { GONGKAI_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { ensureSearchAttributes } from './connection';
import { temporalCliPath } from './tool-paths';

export interface DevServerOptions {
  ip: string;
  port: number;
  /** 0 disables the Web UI. */
  uiPort: number;
  namespace: string;
  /** Persistent SQLite file; its directory is created if missing. */
  dbFilename: string;
  logFile: string;
  /** The remote codec the Web UI asks to show decrypted payloads (web/codec-endpoint.ts), as a browser reaches it. */
  uiCodecEndpoint?: string;
}

/**
 * Flags the SDK passes to the servers it starts itself (updates on), plus WAL for a file that survives
 * restarts without fsync on every write. `synchronous=NORMAL` keeps WAL crash-safe for the database's
 * consistency; the last transactions before a power cut may be lost, which Temporal's own retries absorb.
 */
export function devServerArgs(opts: DevServerOptions): string[] {
  const args = [
    'server', 'start-dev',
    '--ip', opts.ip,
    '--port', String(opts.port),
    '--namespace', opts.namespace,
    '--db-filename', opts.dbFilename,
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=NORMAL',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
    '--log-format', 'json',
    '--log-level', 'warn',
  ];
  if (opts.uiPort > 0) args.push('--ui-ip', opts.ip, '--ui-port', String(opts.uiPort), ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []));
  else args.push('--headless');
  for (const key of GONGKAI_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
  }
  return args;
}

export interface RunningDevServer {
  process: ChildProcess;
  address: string;
  /** Stops the server gracefully (SIGTERM), then forcibly after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on a persistent SQLite file and resolves once the frontend,
 * history and matching services all answer and gongkai's search attributes are registered.
 */
export async function startDevServer(opts: DevServerOptions, readyTimeoutMs = 60_000): Promise<RunningDevServer> {
  mkdirSync(dirname(opts.dbFilename), { recursive: true });
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const logFd = openSync(opts.logFile, 'a');
  // Own process group: Ctrl-C reaches only the supervisor, which stops the worker before the server.
  const child = spawn(temporalCliPath(), devServerArgs(opts), { stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${opts.ip}:${opts.port}`;

  const stop = async (graceMs = 15_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  try {
    await Promise.race([
      waitUntilReady(address, opts.namespace, readyTimeoutMs),
      exited.then((code) => {
        throw new Error(`Temporal dev server exited with code ${code} during start-up; see ${opts.logFile}`);
      }),
    ]);
  } catch (err) {
    await stop(2_000);
    throw err;
  }
  return { process: child, address, stop };
}

const GRPC_NOT_FOUND = 5;
const GRPC_UNAVAILABLE = 14;

/**
 * A dev server restarted on an existing SQLite file can accept connections before its history and
 * matching services have (re)joined the membership ring, answering "Not enough hosts to serve the
 * request" (temporalio/cli#632). So readiness is a call through each service, not a port probe:
 * describe the namespace (frontend), a missing workflow (history answers NOT_FOUND), and a task queue (matching).
 */
async function waitUntilReady(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      const svc = connection.workflowService;
      await svc.describeNamespace({ namespace });
      try {
        await svc.describeWorkflowExecution({ namespace, execution: { workflowId: '__gongkai_readiness_probe__' } });
      } catch (err) {
        if (!(isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) throw err;
      }
      await svc.describeTaskQueue({
        namespace,
        taskQueue: { name: '__gongkai_readiness_probe__' },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      await ensureSearchAttributes(connection, namespace);
      return;
    } catch (err) {
      const unavailable = isGrpcServiceError(err) && err.code === GRPC_UNAVAILABLE;
      lastProblem = err instanceof Error ? err.message : String(err);
      if (!unavailable && !/connect|ECONNREFUSED|deadline/i.test(lastProblem)) throw err;
    } finally {
      await connection?.close();
    }
    await delay(200);
  }
  throw new Error(`Temporal dev server at ${address} not ready after ${timeoutMs} ms: ${lastProblem}`);
}
