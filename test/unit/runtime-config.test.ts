import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../domain/validation';
import { loadCodecKeyRing } from '../../workers/codec-keys';
import { loadConfig } from '../../workers/load-config';

const key = (): string => randomBytes(32).toString('base64');
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'gongkai-config-'));
/** The demo configuration with `env` laid over it; keys go to a temporary data directory. */
const temporalSettingsFromEnv = (env: NodeJS.ProcessEnv) => loadConfig({ env: { GONGKAI_DATA_DIR: tempDir(), ...env } }).temporal;

describe('Temporal settings', () => {
  test('default to the embedded dev server', () => {
    expect(temporalSettingsFromEnv({})).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'gongkai', maxCachedWorkflows: 500 });
  });

  test('take a cluster address, namespace, API key and mTLS paths from TEMPORAL_* variables', () => {
    expect(
      temporalSettingsFromEnv({
        TEMPORAL_ADDRESS: 'temporal.gov.internal:7233',
        TEMPORAL_NAMESPACE: 'gongkai-prod',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/gongkai/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/gongkai/client.key',
      }),
    ).toMatchObject({
      address: 'temporal.gov.internal:7233',
      namespace: 'gongkai-prod',
      tls: { clientCertPath: '/etc/gongkai/client.pem', clientKeyPath: '/etc/gongkai/client.key' },
    });
    expect(temporalSettingsFromEnv({ TEMPORAL_API_KEY: 'k' }).apiKey).toBe('k');
  });

  test.each([
    [{ TEMPORAL_ADDRESS: 'no-port' }, 'temporal.address'],
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem' }, 'temporal.tls.clientKeyPath'],
    [{ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CLIENT_CERT_PATH: '/c', TEMPORAL_TLS_CLIENT_KEY_PATH: '/k' }, 'temporal.apiKey'],
  ])('refuse %j naming the field %s', (env, field) => {
    const attempt = () => temporalSettingsFromEnv(env);
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(new RegExp(`\\b${field.replaceAll('.', '\\.')}（环境变量 `));
  });
});

describe('codec key ring', () => {
  test('locally, a key file is generated on first start (owner-only) and reused afterwards', () => {
    const file = join(tempDir(), 'data', 'codec-keys.json');
    const first = loadCodecKeyRing({}, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(first.keys[first.activeKeyId]!, 'base64')).toHaveLength(32);
    expect(loadCodecKeyRing({}, file)).toEqual(first);
  });

  test('from the environment: several keys for rotation, the active one named', () => {
    const ring = loadCodecKeyRing({ GONGKAI_CODEC_KEYS: `2026a=${key()}, 2027a=${key()}`, GONGKAI_CODEC_ACTIVE_KEY: '2027a' }, '/nonexistent');
    expect(Object.keys(ring.keys)).toEqual(['2026a', '2027a']);
    expect(ring.activeKeyId).toBe('2027a');
  });

  test('production never generates a key file', () => {
    const file = join(tempDir(), 'codec-keys.json');
    expect(() => loadCodecKeyRing({ GONGKAI_ENV: 'production' }, file)).toThrow('GONGKAI_CODEC_KEYS is required');
    expect(() => readFileSync(file)).toThrow();
  });

  test.each([
    [{ GONGKAI_CODEC_KEYS: `a=${randomBytes(16).toString('base64')}` }, 'keys.a'],
    [{ GONGKAI_CODEC_KEYS: `a=${key()}`, GONGKAI_CODEC_ACTIVE_KEY: 'b' }, 'activeKeyId'],
    [{ GONGKAI_CODEC_KEYS: `bad id!=${key()}` }, 'keys.bad id!'],
  ])('a bad key ring %# is refused naming %s, without echoing key material', (env, field) => {
    let error: unknown;
    try {
      loadCodecKeyRing(env, '/nonexistent');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems.map((p) => p.field)).toContain(field);
    const secret = env.GONGKAI_CODEC_KEYS.split('=').slice(1).join('=');
    expect((error as Error).message).not.toContain(secret);
  });

  test('a damaged key file stops start-up with the file named', () => {
    const file = join(tempDir(), 'codec-keys.json');
    writeFileSync(file, '{"activeKeyId": "x"}');
    expect(() => loadCodecKeyRing({}, file)).toThrow(/codec-keys\.json.*keys/);
  });
});

test('the runtime config puts state under GONGKAI_DATA_DIR', () => {
  const dir = tempDir();
  const config = loadConfig({ env: { GONGKAI_DATA_DIR: dir } });
  expect(config.dataDir).toBe(dir);
  expect(statSync(join(dir, 'codec-keys.json')).isFile()).toBe(true);
});
