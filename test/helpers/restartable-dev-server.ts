import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type RunningDevServer, startDevServer } from '../../workers/dev-server';
import { freePort } from './ports';

// The dev server on a SQLite file of its own, as `gongkai start` runs it (workers/dev-server.ts), which a test can
// stop (SIGTERM, a graceful shutdown) and start again on the same file and port. What goes wrong on such a restart
// is handled here, explicitly (../shared/reference/temporal.md §1.4, §7):
// - the CLI refuses to start while its frontend port is still bound ("can't set frontend port"): `restart` waits
//   until the port can be bound again, rather than retrying the start;
// - a restarted server accepts connections before history and matching have rejoined the membership ring ("Not
//   enough hosts to serve the request", temporalio/cli#632): startDevServer is ready only once a call through each
//   service answers;
// - `--search-attribute` flags are ignored for an existing file: startDevServer registers gongkai's search
//   attributes through the operator service on every start (tests check they are listed after the restart).

export interface DevServerTimings {
  /** From SIGTERM to the process's exit. */
  stopMs: number;
  /** From the exit until the frontend port could be bound again. */
  portFreeMs: number;
  /** From the start until every service answered and the search attributes were registered. */
  startMs: number;
}

export class RestartableDevServer {
  private running: RunningDevServer | null;

  private constructor(
    running: RunningDevServer,
    readonly port: number,
    readonly dbFilename: string,
    private readonly logFile: string,
  ) {
    this.running = running;
  }

  /** Starts a dev server on a free port, its SQLite file and log in `directory`. */
  static async start(directory: string, namespace = 'default'): Promise<RestartableDevServer> {
    const port = await freePort();
    const dbFilename = join(directory, 'dev.sqlite');
    const logFile = join(directory, 'dev.log');
    const running = await startDevServer(RestartableDevServer.options(port, dbFilename, logFile, namespace));
    return new RestartableDevServer(running, port, dbFilename, logFile);
  }

  private static options(port: number, dbFilename: string, logFile: string, namespace: string) {
    return { ip: '127.0.0.1', port, uiPort: 0, namespace, dbFilename, logFile };
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running?.process.pid;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 15_000): Promise<{ stopMs: number }> {
    const started = Date.now();
    const running = this.running;
    this.running = null;
    await running?.stop(graceMs);
    return { stopMs: Date.now() - started };
  }

  /** Starts the server again on the same file and port: once the port is free, and until every service answers. */
  async restart(namespace = 'default'): Promise<Omit<DevServerTimings, 'stopMs'>> {
    if (this.running) throw new Error('the dev server is running: stop it first');
    const freeing = Date.now();
    await waitForPortFree('127.0.0.1', this.port);
    const starting = Date.now();
    this.running = await startDevServer(RestartableDevServer.options(this.port, this.dbFilename, this.logFile, namespace));
    return { portFreeMs: starting - freeing, startMs: Date.now() - starting };
  }
}

/** Resolves once `port` can be bound on `host` (as the CLI checks before it starts), or throws after `timeoutMs`. */
export async function waitForPortFree(host: string, port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problem = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => resolve(err));
      probe.listen(port, host, () => probe.close(() => resolve(null)));
    });
    if (problem === null) return;
    if (problem.code !== 'EADDRINUSE' || Date.now() > deadline) throw new Error(`${host}:${port} not free after ${timeoutMs} ms: ${problem.message}`);
    await delay(100);
  }
}
