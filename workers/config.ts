import { join, resolve } from 'node:path';
import { type CodecKeyRingSettings, type TemporalSettings, temporalSettingsSchema } from '../domain/config';
import { parseOrThrow } from '../domain/validation';
import { CODEC_KEY_FILE_NAME, loadCodecKeyRing } from './codec-keys';

export const PROJECT_ROOT = resolve(__dirname, '..');

export interface RuntimeConfig {
  temporal: TemporalSettings;
  /** Local state: the dev server's SQLite file, the local codec key file, later the register. */
  dataDir: string;
  codecKeys: CodecKeyRingSettings;
}

/**
 * Reads the Temporal settings from the environment, using the variable names of Temporal's own
 * tools (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*), so one
 * environment serves gongkai and the `temporal` CLI alike.
 */
export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv): TemporalSettings {
  const tlsCert = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const tlsKey = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  const raw = {
    address: env.TEMPORAL_ADDRESS || undefined,
    namespace: env.TEMPORAL_NAMESPACE || undefined,
    taskQueue: env.GONGKAI_TASK_QUEUE || undefined,
    apiKey: env.TEMPORAL_API_KEY || undefined,
    tls:
      tlsCert || tlsKey
        ? {
            clientCertPath: tlsCert,
            clientKeyPath: tlsKey,
            serverRootCaPath: env.TEMPORAL_TLS_SERVER_CA_CERT_PATH || undefined,
            serverName: env.TEMPORAL_TLS_SERVER_NAME || undefined,
          }
        : undefined,
  };
  return parseOrThrow(temporalSettingsSchema, raw, 'Temporal settings (TEMPORAL_* environment variables)');
}

export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const dataDir = resolve(env.GONGKAI_DATA_DIR || join(PROJECT_ROOT, 'data'));
  return {
    temporal: temporalSettingsFromEnv(env),
    dataDir,
    codecKeys: loadCodecKeyRing(env, join(dataDir, CODEC_KEY_FILE_NAME)),
  };
}
