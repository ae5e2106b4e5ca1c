import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type StackEnv, startStack, stopWithCtrlC, temporalCli } from '../helpers/local-stack';
import { freePort } from '../helpers/ports';

// `gongkai start` (what `npm start` runs after setup) as a user runs it: a separate process, stopped with Ctrl-C.
let stack: StackEnv;

beforeAll(async () => {
  stack = { dataDir: mkdtempSync(join(tmpdir(), 'gongkai-start-')), address: `127.0.0.1:${await freePort()}`, metricsPort: await freePort() };
});

afterAll(() => rmSync(stack.dataDir, { recursive: true, force: true }));

test('start runs a dev server, worker and web app, stops cleanly on Ctrl-C, and a second start resumes the same data', async () => {
  const first = await startStack(stack);
  try {
    await expect(temporalCli(stack, 'workflow', 'list')).resolves.toBeDefined();
    expect(first.output()).toContain('register ready');
    expect(existsSync(join(stack.dataDir, 'register.sqlite'))).toBe(true);
    const searchAttributes = await temporalCli(stack, 'operator', 'search-attribute', 'list');
    expect(searchAttributes).toMatch(/GkStage\s+Keyword/);
    expect(searchAttributes).toMatch(/GkReplyDueAt\s+Datetime/);
    // The web app answers on its port, and the demo users it names can sign in.
    const login = await fetch(`http://127.0.0.1:${stack.webPort}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('登录');
    expect(first.output()).toContain('zrzy.registrar (registrar; LYG-ZRZY)');
    // Liveness and readiness (Temporal, a polling worker, the register), and the worker's Prometheus endpoint.
    expect((await fetch(`http://127.0.0.1:${stack.webPort}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${stack.webPort}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { temporal: 'ok', worker: 'ok', register: 'ok' } } });
    expect(await (await fetch(`http://127.0.0.1:${stack.metricsPort}/metrics`)).text()).toMatch(/^temporal_\w+/m);
    const session = await fetch(`http://127.0.0.1:${stack.webPort}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'zrzy.registrar', password: 'gongkai-demo' }) });
    expect(session.status).toBe(200);
    // A workflow on a queue no worker polls stays open: it must still be there after the restart.
    await temporalCli(stack, 'workflow', 'start', '--type', 'parked', '--task-queue', 'parking', '--workflow-id', 'parked-1');
  } finally {
    expect(await stopWithCtrlC(first)).toBe(0);
  }
  expect(first.output()).toContain('stopped');
  await expect(temporalCli(stack, 'operator', 'cluster', 'health')).rejects.toThrow(); // the server stopped too

  const second = await startStack(stack);
  try {
    const connection = await Connection.connect({ address: stack.address });
    try {
      const description = await new Client({ connection }).workflow.getHandle('parked-1').describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
    }
  } finally {
    expect(await stopWithCtrlC(second)).toBe(0);
  }
}, 240_000);
