import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Register } from '../../register';
import { PROJECT_ROOT } from '../../workers/config';
import { loadConfig } from '../../workers/load-config';
import { openConfiguredRegister } from '../../workers/open-register';
import { freePort } from '../helpers/ports';
import { randomSubmissionId } from '../helpers/register';
import { exampleApplication } from '../helpers/request-harness';
import { SmtpCapture } from '../helpers/smtp-capture';
import { createDevServerEnv, uniqueTaskQueue } from '../helpers/temporal-env';
import { createTestPki, type RefusedHandshake, type TestPki, TLS_SERVER_NAME, TlsFront } from '../helpers/tls-front';
import { walkthroughSteps } from '../helpers/walkthrough';
import { DEMO_PASSWORD } from '../helpers/web-stack';

// Issue 10, item 6: the worker and the web app on Temporal over TLS. The dev server (Temporal CLI v1.5.1) has no TLS
// of its own (no flag, and its server config is built in code), so an mTLS front terminates TLS before it
// (test/helpers/tls-front.ts), as a load balancer before a cluster would. `gongkai worker` and `gongkai web` run as
// deployed processes that know only the front's address and the TLS settings of docs/deployment.md.

/** A made-up key: it must never appear in any output. */
const API_KEY = 'gk-test-api-key-3f9c1d';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let front: TlsFront;
let pki: TestPki;
let dataDir: string;
let register: Register;
let baseEnv: NodeJS.ProcessEnv;
let webUrl: string;
const running: ChildProcess[] = [];

interface Run {
  child: ChildProcess;
  output: () => string;
}

function run(command: 'worker' | 'web', processEnv: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'gongkai.js'), command], {
    env: processEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** A process that must come up: resolves once its output says so. */
function runUntil(command: 'worker' | 'web', processEnv: NodeJS.ProcessEnv, ready: string): Promise<Run> {
  const started = run(command, processEnv);
  running.push(started.child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready after 90 s:\n${started.output()}`)), 90_000);
    started.child.stdout!.on('data', () => {
      if (started.output().includes(ready)) {
        clearTimeout(timer);
        resolve(started);
      }
    });
    started.child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${started.output()}`)));
  });
}

/** A process that must be refused: its exit code, its output, and the handshakes the front refused meanwhile. */
async function runRefused(
  command: 'worker' | 'web',
  processEnv: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string; refused: RefusedHandshake[] }> {
  const before = front.refused.length;
  const started = run(command, processEnv);
  running.push(started.child);
  const code = await new Promise<number | null>((resolve) => started.child.once('exit', resolve));
  return { code, output: started.output(), refused: front.refused.slice(before) };
}

/** The settings of a process with mTLS: this client certificate, our CA and the front's name. */
const withCertificate = (client: { cert: string; key: string }, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...baseEnv,
  TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert,
  TEMPORAL_TLS_CLIENT_KEY_PATH: client.key,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert,
  TEMPORAL_TLS_SERVER_NAME: TLS_SERVER_NAME,
  ...overrides,
});

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** "Temporal connection to <front> (namespace default, <how>) failed: …", as the CLI prints it. */
const connectionRefusal = (how: string): RegExp =>
  new RegExp(escapeRegExp(`gongkai: Temporal connection to ${front.address} (namespace default, ${how}) failed: `));

beforeAll(async () => {
  const pkiDir = mkdtempSync(join(tmpdir(), 'gongkai-tls-pki-'));
  pki = createTestPki(pkiDir, ['gongkai-worker', 'gongkai-web']);
  [env, smtp] = await Promise.all([createDevServerEnv(), SmtpCapture.start()]);
  front = await TlsFront.start({
    target: env.address,
    cert: readFileSync(pki.serverCert),
    key: readFileSync(pki.serverKey),
    clientCa: readFileSync(pki.caCert),
  });
  dataDir = mkdtempSync(join(tmpdir(), 'gongkai-tls-'));
  const webPort = await freePort();
  webUrl = `http://127.0.0.1:${webPort}`;
  baseEnv = {
    // No TEMPORAL_* of the shell that runs the tests: each process gets exactly the connection settings given here.
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_'))),
    TEMPORAL_ADDRESS: front.address,
    GONGKAI_DATA_DIR: dataDir,
    GONGKAI_TASK_QUEUE: uniqueTaskQueue('tls'),
    GONGKAI_SMTP_PORT: String(smtp.port),
    GONGKAI_WEB_PORT: String(webPort),
  };
  const config = loadConfig({ env: baseEnv }); // generates the data dir's keys once, before the processes read them
  register = await openConfiguredRegister(config, baseEnv);
  await Promise.all([
    runUntil('worker', withCertificate(pki.clients['gongkai-worker']!), 'worker running'),
    runUntil('web', withCertificate(pki.clients['gongkai-web']!), 'web app ready'),
  ]);
}, 120_000);

afterAll(async () => {
  const live = running.filter((child) => child.exitCode === null && child.signalCode === null);
  const exited = live.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of live) child.kill('SIGINT');
  await Promise.all(exited);
  await register?.close();
  await front?.close();
  await env?.teardown();
  await smtp?.close();
  for (const dir of [dataDir, pki?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

type Answer = { status: number; body: Record<string, unknown> };

async function api(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${webUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function signIn(userId: string): Promise<string> {
  const { status, body } = await api('POST', '/api/session', { userId, password: DEMO_PASSWORD });
  expect(status).toBe(200);
  return String(body.token);
}

test('a request submitted through the web API is registered and advanced by the worker, both over mTLS', async () => {
  const submission = { submissionId: randomSubmissionId(), application: exampleApplication };
  const submitted = await api('POST', '/api/submissions', submission, await signIn('zrzy.registrar'));
  expect(submitted.status).toBe(201);
  const caseNumber = String(submitted.body.caseNumber);

  // Each act is an update the worker's workflow validates and applies, answered through the web app's connection.
  for (const { userId, action, data } of walkthroughSteps().slice(0, 2)) {
    const acted = await api('POST', `/api/cases/${caseNumber}/actions`, { action, data }, await signIn(userId));
    expect(acted.status).toBe(200);
  }
  const shown = await api('GET', `/api/cases/${caseNumber}`, undefined, await signIn('zrzy.head'));
  expect(shown.body).toMatchObject({
    source: 'workflow',
    case: { stage: 'scope-check', handlerId: 'zrzy.handler1' },
  });
  // The register learns of the acts from the worker's activities, which also reach Temporal only through the front.
  let registered = await register.readCase(caseNumber);
  for (let i = 0; i < 50 && registered?.stage !== 'scope-check'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    registered = await register.readCase(caseNumber);
  }
  expect(registered).toMatchObject({ case_number: caseNumber, stage: 'scope-check' });

  expect(front.authorisedFrom('gongkai-worker')).toBeGreaterThan(0);
  expect(front.authorisedFrom('gongkai-web')).toBeGreaterThan(0);
  expect([...front.authorised.keys()].sort()).toEqual(['gongkai-web', 'gongkai-worker']);
}, 60_000);

test('the web app is ready: Temporal answers over TLS and the worker polls its task queue', async () => {
  const ready = await api('GET', '/readyz');
  expect(ready).toEqual({
    status: 200,
    body: { status: 'ready', checks: { temporal: 'ok', worker: 'ok', register: 'ok' } },
  });
});

describe('refused at start, naming the Temporal connection', () => {
  test('a worker whose client certificate is from another CA: the front refuses the handshake', async () => {
    const { code, output, refused } = await runRefused('worker', withCertificate(pki.rogue));
    expect(code).toBe(1);
    expect(output).toMatch(connectionRefusal(`mTLS, server name ${TLS_SERVER_NAME}`));
    expect(refused.map((r) => r.code)).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  }, 60_000);

  test('a worker expecting another server name refuses the front, and says which name it expected', async () => {
    const otherName = withCertificate(pki.clients['gongkai-worker']!, { TEMPORAL_TLS_SERVER_NAME: 'temporal.other.test' });
    const { code, output, refused } = await runRefused('worker', otherName);
    expect(code).toBe(1);
    expect(output).toMatch(connectionRefusal('mTLS, server name temporal.other.test'));
    expect(output).toMatch(/NotValidForName.*temporal\.other\.test/);
    expect(refused.map((r) => r.code)).toContain('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE');
  }, 60_000);

  test('a worker with an API key and no CA of ours speaks TLS (and distrusts the front), never plain text', async () => {
    const { code, output, refused } = await runRefused('worker', { ...baseEnv, TEMPORAL_API_KEY: API_KEY });
    expect(code).toBe(1);
    expect(output).toMatch(connectionRefusal('API key over TLS'));
    expect(output).not.toContain(API_KEY);
    expect(refused.map((r) => r.code)).toContain('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');

    // The control: a worker without TLS sends plain HTTP/2, which the front sees as such.
    const plain = await runRefused('worker', baseEnv);
    expect(plain.code).toBe(1);
    expect(plain.output).toMatch(connectionRefusal('no TLS'));
    expect(plain.refused.map((r) => r.code)).toContain('ERR_SSL_WRONG_VERSION_NUMBER');
  }, 60_000);

  test('a missing certificate file is refused before any connection, naming the setting and the file', async () => {
    const missing = join(pki.dir, 'no-such-client.crt');
    const settings = withCertificate({ cert: missing, key: pki.clients['gongkai-worker']!.key });
    const { code, output, refused } = await runRefused('worker', settings);
    expect(code).toBe(1);
    expect(output).toContain(`temporal.tls.clientCertPath: 无法读取文件 / cannot read ${missing} (ENOENT)`);
    expect(refused).toEqual([]);
  }, 60_000);

  // gRPC-js (the web app's client) retries until its 10-second connect deadline: these three run side by side.
  test('web apps without a client certificate, with a rogue one, or expecting another server name', async () => {
    const before = front.refused.length;
    const webConnectionsBefore = front.authorisedFrom('gongkai-web');
    const [noCertificate, rogue, otherName] = await Promise.all([
      // An API key with our CA trusted: TLS without a client certificate, which the front demands.
      runRefused('web', { ...baseEnv, TEMPORAL_API_KEY: API_KEY, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: pki.caCert }),
      runRefused('web', withCertificate(pki.rogue)),
      runRefused('web', withCertificate(pki.clients['gongkai-web']!, { TEMPORAL_TLS_SERVER_NAME: 'temporal.other.test' })),
    ]);
    for (const { code } of [noCertificate, rogue, otherName]) expect(code).toBe(1);
    expect(noCertificate.output).toMatch(connectionRefusal('API key over TLS'));
    expect(noCertificate.output).not.toContain(API_KEY);
    expect(rogue.output).toMatch(connectionRefusal(`mTLS, server name ${TLS_SERVER_NAME}`));
    expect(otherName.output).toMatch(connectionRefusal('mTLS, server name temporal.other.test'));
    const codes = front.refused.slice(before).map((r) => r.code);
    expect(codes).toContain('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    expect(codes).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // None of them got through, not even the one holding the web app's own certificate.
    expect(front.authorisedFrom('gongkai-web')).toBe(webConnectionsBefore);
    expect([...front.authorised.keys()].sort()).toEqual(['gongkai-web', 'gongkai-worker']);
  }, 90_000);
});
