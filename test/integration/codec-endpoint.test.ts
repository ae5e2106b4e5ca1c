import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { buildWebApp } from '../../web/app';
import { CODEC_BODY_LIMIT_BYTES } from '../../web/codec-endpoint';
import { SESSION_COOKIE } from '../../web/session';
import { startDevServer } from '../../workers/dev-server';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../workers/encryption-codec';
import { loadConfig } from '../../workers/load-config';
import { temporalCliPath } from '../../workers/tool-paths';
import { launchChromium } from '../helpers/browser';
import { generateResidentIds } from '../helpers/id-numbers';
import { freePort } from '../helpers/ports';
import { randomSubmissionId } from '../helpers/register';
import { exampleApplication } from '../helpers/request-harness';
import { TEST_CODEC_KEYS } from '../helpers/temporal-env';
import { WebStack } from '../helpers/web-stack';

// The codec endpoint (web/codec-endpoint.ts) for the Temporal Web UI and the CLI: Temporal's remote codec protocol over
// real payloads of a real case's history on the dev server, its refusals, CORS for the UI's origin, and the real Web UI
// (a dev server told where the codec is, in Chromium) showing a case's input decrypted to a signed-in GIP office head.

const execFileAsync = promisify(execFile);
const UI_ORIGIN = 'http://localhost:8233'; // a default of web.codecCorsOrigins

let web: WebStack;
let caseNumber: string;
/** Every payload of the case's history as the server stores it: encrypted. */
let storedPayloads: Payload[];
const applicant = { name: '慕容霁雯', idNumber: generateResidentIds(1, 20261128)[0]!, phone: '13900112233' };

interface PayloadJson {
  metadata: Record<string, string>;
  data: string;
}
const toJson = (p: Payload): PayloadJson => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const fromJson = (p: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});
const jsonPayload = (value: unknown): PayloadJson => ({ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(value)).toString('base64') });
const encodingOf = (p: PayloadJson) => Buffer.from(p.metadata.encoding ?? '', 'base64').toString('utf8');
const valueOf = (p: PayloadJson): unknown => JSON.parse(Buffer.from(p.data, 'base64').toString('utf8'));

/** Every Payload inside a history (objects with `metadata` and bytes `data`), wherever the event keeps it. */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const candidate = value as { metadata?: unknown; data?: unknown };
  if (candidate.data instanceof Uint8Array && candidate.metadata !== null && typeof candidate.metadata === 'object') {
    found.push({ metadata: candidate.metadata as Payload['metadata'], data: candidate.data });
    return found;
  }
  // Search attributes and patch markers (`{"id":"reply-letters"}`) are written in plain text by design and hold no
  // personal data: not payloads the codec handles.
  for (const [key, child] of Object.entries(value)) if (key !== 'searchAttributes' && key !== 'markerRecordedEventAttributes') payloadsIn(child, found);
  return found;
}

interface Answer {
  status: number;
  body: { payloads?: PayloadJson[]; error?: string; message?: string; problems?: { field: string; message: string }[] } & Record<string, unknown>;
  headers: Headers;
}

async function codec(path: 'decode' | 'encode', opts: { as?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; baseUrl?: string } = {}): Promise<Answer> {
  const token = opts.token ?? (opts.as ? await web.tokenFor(opts.as) : undefined);
  const res = await fetch(`${opts.baseUrl ?? web.baseUrl}/codec/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
    body: opts.rawBody ?? JSON.stringify(opts.body ?? { payloads: [] }),
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('application/json') ? JSON.parse(text) : {}, headers: res.headers };
}

async function preflight(origin: string | undefined, baseUrl = web.baseUrl): Promise<{ status: number; headers: Headers }> {
  const res = await fetch(`${baseUrl}/codec/decode`, {
    method: 'OPTIONS',
    headers: { ...(origin ? { origin } : {}), 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
  });
  return { status: res.status, headers: res.headers };
}

const decodeAuditsOf = async (n: string) => (await web.register.auditTrail(n)).filter((e) => e.action === 'decode-payloads');

beforeAll(async () => {
  web = await WebStack.start();
  const application = {
    ...exampleApplication,
    applicant: { type: 'natural-person', name: applicant.name, idDocument: { kind: 'resident-id-card', number: applicant.idNumber } },
    contact: { ...exampleApplication.contact, phone: applicant.phone },
  };
  const submitted = await web.api('POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: randomSubmissionId(), application } });
  expect(submitted.status).toBe(201);
  caseNumber = (submitted.body as { caseNumber: string }).caseNumber;
  // An act, so that the history holds an update's arguments and result and the activities it ran, too.
  expect((await web.api('POST', `/api/cases/${caseNumber}/actions`, { as: 'zrzy.head', body: { action: 'assign-handler', data: { handlerId: 'zrzy.handler1' } } })).status).toBe(200);
  const history = await web.env.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: caseNumber } });
  storedPayloads = payloadsIn(history.history?.events ?? []);
}, 180_000);

afterAll(async () => {
  await web?.close();
}, 60_000);

test('real payloads of a case history decode to the original JSON for the GIP office head, and the decode is audited without content', async () => {
  expect(storedPayloads.length).toBeGreaterThan(3);
  expect(storedPayloads.every((p) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString() === ENCRYPTED_ENCODING)).toBe(true);
  const before = (await decodeAuditsOf(caseNumber)).length;

  const answer = await codec('decode', { as: 'zrzy.head', body: { payloads: storedPayloads.map(toJson) } });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  const decoded = answer.body.payloads!;
  expect(decoded).toHaveLength(storedPayloads.length);
  expect(decoded.map(encodingOf).filter((e) => e === ENCRYPTED_ENCODING)).toEqual([]);
  // The first is the workflow's input: the case as intake started it, applicant and all.
  expect(valueOf(decoded[0]!)).toMatchObject({
    caseNumber,
    agencyCode: 'LYG-ZRZY',
    application: { applicant: { name: applicant.name, idDocument: { number: applicant.idNumber } }, contact: { phone: applicant.phone } },
  });
  // The same as the SDK's own codec makes of them.
  const sdkCodec = AesGcmPayloadCodec.fromSettings(TEST_CODEC_KEYS);
  expect(decoded).toEqual((await sdkCodec.decode(storedPayloads)).map(toJson));

  const audits = await decodeAuditsOf(caseNumber);
  expect(audits).toHaveLength(before + 1);
  expect(audits.at(-1)).toMatchObject({ case_number: caseNumber, actor_id: 'zrzy.head', action: 'decode-payloads', new_values: '{}' });
  const audited = JSON.stringify(audits);
  for (const value of Object.values(applicant)) expect(audited).not.toContain(value);
}, 60_000);

test('the Temporal CLI shows the decrypted history through the endpoint with --codec-auth, and nothing decrypted without it', async () => {
  /** The workflow's input as `temporal workflow show --output json` prints it (a payload in proto JSON), and the exit code. */
  const show = async (...extra: string[]): Promise<{ code: number; input?: PayloadJson; output: string }> => {
    const args = ['workflow', 'show', '--workflow-id', caseNumber, '--address', web.env.address, '--output', 'json', '--codec-endpoint', `${web.baseUrl}/codec`, ...extra];
    try {
      const { stdout } = await execFileAsync(temporalCliPath(), args, { timeout: 30_000 });
      const events = (JSON.parse(stdout) as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: PayloadJson[] } } }[] }).events;
      return { code: 0, input: events[0]?.workflowExecutionStartedEventAttributes?.input.payloads[0], output: stdout };
    } catch (err) {
      const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
      return { code, output: `${stdout}${stderr}` };
    }
  };
  const shown = await show('--codec-auth', `Bearer ${await web.tokenFor('zrzy.head')}`);
  expect(shown.code).toBe(0);
  expect(encodingOf(shown.input!)).toBe('json/plain');
  expect(valueOf(shown.input!)).toMatchObject({ caseNumber, application: { applicant: { name: applicant.name } } });

  // Refused (a registrar's token), the CLI retries until its timeout, then gives up showing nothing decrypted.
  const refused = await show('--codec-auth', `Bearer ${await web.tokenFor('zrzy.registrar')}`, '--command-timeout', '3s');
  expect(refused.code).not.toBe(0);
  expect(refused.output).not.toContain(applicant.name);
}, 60_000);

test('encode then decode gives back the payloads; what encode makes only the key ring opens', async () => {
  const original = [jsonPayload({ caseNumber, note: '往返测试' }), jsonPayload(null)];
  const encoded = await codec('encode', { as: 'zrzy.head', body: { payloads: original } });
  expect(encoded.status).toBe(200);
  expect(encoded.body.payloads!.map(encodingOf)).toEqual([ENCRYPTED_ENCODING, ENCRYPTED_ENCODING]);
  expect(Buffer.from(encoded.body.payloads![0]!.data, 'base64').toString('utf8')).not.toContain('往返测试');
  expect((await AesGcmPayloadCodec.fromSettings(TEST_CODEC_KEYS).decode(encoded.body.payloads!.map(fromJson))).map(toJson)).toEqual(original);

  const decoded = await codec('decode', { as: 'zrzy.head', body: encoded.body });
  expect(decoded.status).toBe(200);
  expect(decoded.body.payloads).toEqual(original);
  // A payload that was never encrypted passes through, as the SDK's codec lets it.
  expect((await codec('decode', { as: 'zrzy.head', body: { payloads: original } })).body.payloads).toEqual(original);
});

test('refusals: 401 without a valid token, 403 for every role but the GIP office head and for another agency, 400 naming the field, 413, 415', async () => {
  const body = { payloads: storedPayloads.slice(0, 1).map(toJson) };
  const expectRefusal = async (answer: Promise<Answer>, status: number, error: string, field?: string) => {
    const { status: got, body: refusal } = await answer;
    expect({ status: got, error: refusal.error }).toEqual({ status, error });
    expect(refusal.payloads).toBeUndefined();
    if (field) expect(refusal.problems?.map((p) => p.field)).toContain(field);
    for (const value of Object.values(applicant)) expect(JSON.stringify(refusal)).not.toContain(value);
  };
  await expectRefusal(codec('decode', { body }), 401, 'unauthenticated');
  await expectRefusal(codec('decode', { token: 'zrzy.head.9999999999999.nonce.forged', body }), 401, 'unauthenticated');
  await expectRefusal(codec('encode', { body }), 401, 'unauthenticated');
  for (const userId of ['zrzy.registrar', 'zrzy.handler1', 'zrzy.reviewer', 'supervisor', 'admin']) {
    await expectRefusal(codec('decode', { as: userId, body }), 403, 'wrong-role');
  }
  await expectRefusal(codec('decode', { as: 'zfb.head', body }), 403, 'wrong-agency');

  await expectRefusal(codec('decode', { as: 'zrzy.head', body: { payloads: [{ metadata: {}, data: 'not base64!' }] } }), 400, 'invalid-input', 'payloads.0.data');
  await expectRefusal(codec('decode', { as: 'zrzy.head', body: { payloads: [{ metadata: { encoding: '%%' }, data: '' }] } }), 400, 'invalid-input', 'payloads.0.metadata.encoding');
  await expectRefusal(codec('decode', { as: 'zrzy.head', body: {} }), 400, 'invalid-input', 'payloads');
  await expectRefusal(codec('decode', { as: 'zrzy.head', body: { payloads: 'x' } }), 400, 'invalid-input', 'payloads');
  await expectRefusal(codec('decode', { as: 'zrzy.head', rawBody: '{"payloads": [' }), 400, 'malformed-body');
  const tampered = toJson(storedPayloads[0]!);
  const bytes = Buffer.from(tampered.data, 'base64');
  bytes[bytes.length - 1]! ^= 1;
  await expectRefusal(codec('decode', { as: 'zrzy.head', body: { payloads: [{ ...tampered, data: bytes.toString('base64') }] } }), 400, 'invalid-input', 'payloads.0');
  await expectRefusal(codec('decode', { as: 'zrzy.head', body, headers: { 'x-namespace': 'someone-else' } }), 400, 'wrong-namespace', 'X-Namespace');
  await expectRefusal(codec('decode', { as: 'zrzy.head', rawBody: JSON.stringify({ payloads: [{ data: 'A'.repeat(CODEC_BODY_LIMIT_BYTES) }] }) }), 413, 'body-too-large');
  await expectRefusal(codec('decode', { as: 'zrzy.head', rawBody: 'payloads', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
}, 60_000);

test('the session cookie of the web app authenticates too (the UI with "include cross-origin credentials")', async () => {
  const res = await fetch(`${web.baseUrl}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: UI_ORIGIN, cookie: `${SESSION_COOKIE}=${await web.tokenFor('zrzy.head')}` },
    body: JSON.stringify({ payloads: storedPayloads.slice(0, 1).map(toJson) }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
});

test('the codec routes stay out of the OpenAPI document: they are no API for outside systems', async () => {
  const document = (await web.api('GET', '/docs/json')).body as { paths: Record<string, unknown> };
  expect(Object.keys(document.paths).filter((path) => path.startsWith('/codec'))).toEqual([]);
});

describe('the Temporal Web UI: CORS for its origin only, and decrypted payloads in the UI itself', () => {
  let configured: FastifyInstance;
  let configuredUrl: string;
  let uiPort: number;
  let uiOrigin: string;

  beforeAll(async () => {
    uiPort = await freePort();
    uiOrigin = `http://127.0.0.1:${uiPort}`;
    // The origins from the environment, as a deployment sets them.
    const loaded = loadConfig({ env: { GONGKAI_DATA_DIR: mkdtempSync(join(tmpdir(), 'gongkai-codec-cors-')), GONGKAI_CODEC_CORS_ORIGIN: `https://Temporal-UI.example.cn , ${uiOrigin}` } });
    expect(loaded.web.codecCorsOrigins).toEqual(['https://temporal-ui.example.cn', uiOrigin]);
    configured = await buildWebApp({ config: { ...web.config, web: loaded.web }, client: web.env.client, register: web.register, sessionSecret: Buffer.alloc(32, 9) });
    await configured.listen({ host: '127.0.0.1', port: 0 });
    configuredUrl = `http://127.0.0.1:${(configured.server.address() as { port: number }).port}`;
    rmSync(loaded.dataDir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await configured?.close();
  });

  test('a bad origin in the setting is refused by name', () => {
    expect(() => loadConfig({ env: { GONGKAI_CODEC_CORS_ORIGIN: 'http://localhost:8233/ui' } })).toThrow(/web\.codecCorsOrigins\.0/);
  });

  test('the preflight answers the configured origins only', async () => {
    const allowed = await preflight('https://temporal-ui.example.cn', configuredUrl);
    expect(allowed.status).toBe(204);
    expect(Object.fromEntries([...allowed.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': 'https://temporal-ui.example.cn',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Content-Type, X-Namespace, Authorization',
      'access-control-max-age': '600',
    });
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    for (const origin of [UI_ORIGIN, 'https://evil.example.cn', 'null', undefined]) {
      const refused = await preflight(origin, configuredUrl);
      expect({ origin, status: refused.status, allowOrigin: refused.headers.get('access-control-allow-origin') }).toEqual({ origin, status: 403, allowOrigin: null });
    }
    // The defaults: the dev server's UI under both of its names.
    expect((await preflight(UI_ORIGIN)).status).toBe(204);
    expect((await preflight('http://127.0.0.1:8233')).status).toBe(204);
    expect((await preflight('https://temporal-ui.example.cn')).status).toBe(403);
  });

  test('requests from the configured origin are answered with CORS headers, refusals too; any other origin is refused', async () => {
    const body = { payloads: storedPayloads.slice(0, 1).map(toJson) };
    const ok = await codec('decode', { as: 'zrzy.head', body, headers: { origin: uiOrigin }, baseUrl: configuredUrl });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    // The UI must be able to read why it was refused.
    const unauthenticated = await codec('decode', { body, headers: { origin: uiOrigin }, baseUrl: configuredUrl });
    expect({ status: unauthenticated.status, allowOrigin: unauthenticated.headers.get('access-control-allow-origin') }).toEqual({ status: 401, allowOrigin: uiOrigin });
    const otherOrigin = await codec('decode', { as: 'zrzy.head', body, headers: { origin: 'https://evil.example.cn' }, baseUrl: configuredUrl });
    expect({ status: otherOrigin.status, error: otherOrigin.body.error, allowOrigin: otherOrigin.headers.get('access-control-allow-origin') }).toEqual({ status: 403, error: 'origin-not-allowed', allowOrigin: null });
    expect(otherOrigin.body.payloads).toBeUndefined();
  });

  test('in the real Web UI (Chromium), a signed-in GIP office head sees the case input decrypted; without the session, ciphertext', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gongkai-codec-ui-'));
    const port = await freePort();
    const codecEndpoint = `${configuredUrl}/codec`;
    // A dev server with its UI, told where the codec is, as gongkai start tells it.
    const server = await startDevServer({ ip: '127.0.0.1', port, uiPort, namespace: 'default', dbFilename: join(dir, 'dev.sqlite'), logFile: join(dir, 'dev.log'), uiCodecEndpoint: codecEndpoint });
    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    const browser = await launchChromium();
    try {
      const settings = (await (await fetch(`${uiOrigin}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(settings.Codec.Endpoint).toBe(codecEndpoint);
      // The case's own encrypted input, as the worker's server stores it, started on the UI's server (no worker runs it).
      const started = await connection.workflowService.startWorkflowExecution({
        namespace: 'default',
        workflowId: caseNumber,
        workflowType: { name: 'requestWorkflow' },
        taskQueue: { name: 'no-worker' },
        input: { payloads: [storedPayloads[0]!] },
        requestId: randomUUID(),
        identity: 'codec-endpoint.test',
      });
      const historyPage = `${uiOrigin}/namespaces/default/workflows/${caseNumber}/${started.runId}/history`;
      const before = (await decodeAuditsOf(caseNumber)).length;

      /** The UI's history page in a fresh browser, its codec settings as a person sets them once (the UI's own keys). */
      const openHistory = async (session: string | undefined): Promise<{ page: Page; decodeStatus: number }> => {
        const context = await browser.newContext();
        if (session) await context.addCookies([{ name: SESSION_COOKIE, value: session, url: configuredUrl, httpOnly: true, sameSite: 'Strict' }]);
        const page = await context.newPage();
        await page.goto(uiOrigin);
        await page.evaluate((endpoint) => {
          const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
          storage.setItem('overrideRemoteCodecConfiguration', 'true');
          storage.setItem('endpoint', JSON.stringify(endpoint));
          storage.setItem('includeCredentials', 'true');
        }, codecEndpoint);
        const [decoded] = await Promise.all([page.waitForResponse((r) => r.url() === `${codecEndpoint}/decode` && r.request().method() === 'POST'), page.goto(historyPage)]);
        return { page, decodeStatus: decoded.status() };
      };

      const signedIn = await openHistory(await web.tokenFor('zrzy.head'));
      expect(signedIn.decodeStatus).toBe(200);
      await signedIn.page.getByText(applicant.name).first().waitFor({ timeout: 20_000 });
      expect(await signedIn.page.locator('body').innerText()).toContain(caseNumber);
      const audits = await decodeAuditsOf(caseNumber);
      expect(audits.length).toBeGreaterThan(before);
      expect(audits.at(-1)).toMatchObject({ actor_id: 'zrzy.head', action: 'decode-payloads' });

      const anonymous = await openHistory(undefined);
      expect(anonymous.decodeStatus).toBe(401);
      // The UI falls back to the stored payload: metadata `binary/encrypted` (in base64) and ciphertext.
      await anonymous.page.getByText(Buffer.from(ENCRYPTED_ENCODING).toString('base64')).first().waitFor({ timeout: 20_000 });
      expect(await anonymous.page.locator('body').innerText()).not.toContain(applicant.name);
    } finally {
      await browser.close();
      await connection.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
