import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type GongkaiConfig, gongkaiConfigSchema } from '../domain/gongkai-config';
import { bilingualIssueMessage, type FieldProblem, InvalidInputError, parseOrThrow } from '../domain/validation';
import { CODEC_KEY_FILE_NAME, loadCodecKeyRing } from './codec-keys';
import { PROJECT_ROOT, type RuntimeConfig } from './config';

// Reads the configuration file, lays the environment over it and validates the result once, at start-up. The
// environment wins over the file, so one file serves every environment and secrets can stay out of it. The
// variables are those of workers/config.ts (Temporal's own TEMPORAL_* names), plus DATABASE_URL, SMTP_URL and
// GONGKAI_SMTP_*.

export const DEFAULT_CONFIG_PATH = join(PROJECT_ROOT, 'config', 'demo.json');

/** The validated configuration, with paths made absolute, plus the local state and payload keys of RuntimeConfig. */
export interface LoadedConfig extends GongkaiConfig, RuntimeConfig {
  /** The file it was read from. */
  configPath: string;
}

export interface LoadConfigOptions {
  /** Overrides GONGKAI_CONFIG; relative to the working directory. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

type Json = Record<string, unknown>;

/** A port given as digits becomes a number; anything else stays text, for the schema to refuse by name. */
const portNumber = (text: string): unknown => (/^\d{1,5}$/.test(text) ? Number(text) : text);
/** Likewise a count of seconds or attempts. */
const wholeNumber = (text: string): unknown => (/^\d{1,9}$/.test(text) ? Number(text) : text);
type OverridePath = readonly [section: string, field: string, subfield?: string];

/** Which variable sets which field. TLS and the API key are one choice, handled in `overlayTemporalAuth`. */
const ENV_OVERRIDES: ReadonlyArray<{ variable: string; path: OverridePath; parse?: (text: string) => unknown }> = [
  { variable: 'TEMPORAL_ADDRESS', path: ['temporal', 'address'] },
  { variable: 'TEMPORAL_NAMESPACE', path: ['temporal', 'namespace'] },
  { variable: 'GONGKAI_TASK_QUEUE', path: ['temporal', 'taskQueue'] },
  { variable: 'GONGKAI_MAX_CACHED_WORKFLOWS', path: ['temporal', 'maxCachedWorkflows'], parse: wholeNumber },
  { variable: 'DATABASE_URL', path: ['database', 'url'] },
  { variable: 'GONGKAI_SMTP_HOST', path: ['smtp', 'host'] },
  { variable: 'GONGKAI_SMTP_PORT', path: ['smtp', 'port'], parse: portNumber },
  { variable: 'GONGKAI_SMTP_USER', path: ['smtp', 'auth', 'user'] },
  { variable: 'GONGKAI_SMTP_PASSWORD', path: ['smtp', 'auth', 'pass'] },
  { variable: 'SMTP_URL', path: ['smtp', 'url'] },
  { variable: 'GONGKAI_PUBLIC_URL', path: ['web', 'publicUrl'] },
  { variable: 'GONGKAI_WEB_HOST', path: ['web', 'host'] },
  { variable: 'GONGKAI_WEB_PORT', path: ['web', 'port'], parse: portNumber },
  { variable: 'GONGKAI_METRICS_POLL_SECONDS', path: ['monitoring', 'metricsPollSeconds'], parse: wholeNumber },
  { variable: 'GONGKAI_STUCK_CHECK_SECONDS', path: ['monitoring', 'stuckCheckSeconds'], parse: wholeNumber },
  { variable: 'GONGKAI_STUCK_AFTER_ATTEMPTS', path: ['monitoring', 'stuckAfterAttempts'], parse: wholeNumber },
  { variable: 'GONGKAI_CODEC_CORS_ORIGIN', path: ['web', 'codecCorsOrigins'], parse: (text) => text.split(',').map((origin) => origin.trim()).filter(Boolean) },
];

const TEMPORAL_TLS_VARIABLES = {
  clientCertPath: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  clientKeyPath: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  serverRootCaPath: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  serverName: 'TEMPORAL_TLS_SERVER_NAME',
} as const;
type TlsField = keyof typeof TEMPORAL_TLS_VARIABLES;

/**
 * Loads the configuration from `path`, else GONGKAI_CONFIG, else config/demo.json. Throws an InvalidInputError
 * naming every refused field (`users.2.agencyCode`), with the environment variable beside fields it set; no
 * message carries a value from the file or the environment, so password hashes and SMTP passwords stay out of logs.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const explicitPath = options.path ?? (env.GONGKAI_CONFIG || undefined);
  const configPath = explicitPath === undefined ? DEFAULT_CONFIG_PATH : resolve(explicitPath);
  const subject = `Configuration ${configPath}`;
  const dataDir = resolve(env.GONGKAI_DATA_DIR || join(PROJECT_ROOT, 'data'));

  const file = readConfigFile(configPath, subject);
  const fromEnv = new Map<string, string>();
  const merged = structuredClone(file);
  for (const { variable, path, parse } of ENV_OVERRIDES) {
    const text = env[variable];
    if (!text) continue;
    setAt(merged, path, parse ? parse(text) : text);
    fromEnv.set(path.join('.'), variable);
  }
  overlayTemporalAuth(merged, env, fromEnv);
  // GONGKAI_DATA_DIR moves all local state, the register too, unless the file names the register's place itself.
  const database = section(merged, 'database');
  if (database.sqliteFile === undefined && env.GONGKAI_DATA_DIR) {
    database.sqliteFile = join(dataDir, 'register.sqlite');
    fromEnv.set('database.sqliteFile', 'GONGKAI_DATA_DIR');
  }

  const problems: FieldProblem[] = [];
  let config: GongkaiConfig | undefined;
  try {
    config = parseOrThrow(gongkaiConfigSchema, merged, subject, {
      issueMessage: bilingualIssueMessage,
      labelOf: (path) => environmentLabel(path, fromEnv),
    });
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    problems.push(...err.problems);
  }
  const codecKeys = loadCodecKeys(env, dataDir, problems);
  if (config === undefined || codecKeys === undefined || problems.length > 0) {
    throw new InvalidInputError(subject, problems);
  }

  const sqliteFile = isAbsolute(config.database.sqliteFile)
    ? config.database.sqliteFile
    : resolve(PROJECT_ROOT, config.database.sqliteFile);
  return { ...config, database: { ...config.database, sqliteFile }, configPath, dataDir, codecKeys };
}

function readConfigFile(path: string, subject: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? '找不到配置文件（可用 GONGKAI_CONFIG 指定） / file not found (set GONGKAI_CONFIG)'
        : `无法读取配置文件 / cannot read the file (${code ?? 'error'})`;
    throw new InvalidInputError(subject, [{ field: '(file)', message }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    // JSON.parse quotes the text around the error, which may be a password hash: only the position is reported.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    const where = position === undefined ? '' : ` (${lineAndColumn(text, Number(position))})`;
    throw new InvalidInputError(subject, [{ field: '(file)', message: `不是有效的 JSON / not valid JSON${where}` }]);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidInputError(subject, [{ field: '(root)', message: '应为 JSON 对象 / expected a JSON object' }]);
  }
  return json as Json;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** The object at `key` of `parent`, created when absent; a non-object is left for the schema to refuse. */
function section(parent: Json, key: string): Json {
  const existing = parent[key];
  if (existing === undefined) parent[key] = {};
  const value = parent[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function setAt(root: Json, path: OverridePath, value: unknown): void {
  const [first, second, third] = path;
  const parent = section(root, first);
  if (third === undefined) parent[second] = value;
  else section(parent, second)[third] = value;
}

/**
 * A client certificate or an API key in the environment replaces the file's way of authenticating to Temporal as a
 * whole, so a deployment can switch between mTLS and an API key without editing the file; both in the environment
 * is refused. As in workers/config.ts, the server CA and server name alone do not turn TLS on: they adjust the
 * file's mTLS settings, if any.
 */
function overlayTemporalAuth(merged: Json, env: NodeJS.ProcessEnv, fromEnv: Map<string, string>): void {
  const given = Object.entries(TEMPORAL_TLS_VARIABLES).filter(([, variable]) => env[variable]);
  const clientCertificateGiven = Boolean(env.TEMPORAL_TLS_CLIENT_CERT_PATH || env.TEMPORAL_TLS_CLIENT_KEY_PATH);
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const temporal = section(merged, 'temporal');
  const markTls = (fields: Iterable<string>) => {
    for (const field of fields) fromEnv.set(`temporal.tls.${field}`, TEMPORAL_TLS_VARIABLES[field as TlsField]);
  };
  if (clientCertificateGiven || apiKey !== undefined) {
    delete temporal.tls;
    delete temporal.apiKey;
    if (apiKey !== undefined) {
      temporal.apiKey = apiKey;
      fromEnv.set('temporal.apiKey', 'TEMPORAL_API_KEY');
    }
    if (clientCertificateGiven) {
      temporal.tls = Object.fromEntries(given.map(([field, variable]) => [field, env[variable]]));
      markTls(Object.keys(TEMPORAL_TLS_VARIABLES));
    }
  } else if (given.length > 0 && typeof temporal.tls === 'object' && temporal.tls !== null) {
    const tls = temporal.tls as Json;
    for (const [field, variable] of given) tls[field] = env[variable];
    markTls(given.map(([field]) => field));
  }
}

function environmentLabel(path: readonly PropertyKey[], fromEnv: ReadonlyMap<string, string>): string | undefined {
  const variable = fromEnv.get(path.map(String).join('.'));
  return variable === undefined ? undefined : `环境变量 ${variable}`;
}

/** The payload key ring, as workers/config.ts loads it; its problems join the file's under `codecKeys`. */
function loadCodecKeys(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  problems: FieldProblem[],
): RuntimeConfig['codecKeys'] | undefined {
  if (!env.GONGKAI_CODEC_KEYS && env.GONGKAI_ENV === 'production') {
    problems.push({
      field: 'codecKeys',
      label: '环境变量 GONGKAI_CODEC_KEYS',
      message: '生产环境必须设置 / required when GONGKAI_ENV=production (no key file is generated in production)',
    });
    return undefined;
  }
  try {
    return loadCodecKeyRing(env, join(dataDir, CODEC_KEY_FILE_NAME));
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    const source = env.GONGKAI_CODEC_KEYS ? '环境变量 GONGKAI_CODEC_KEYS' : CODEC_KEY_FILE_NAME;
    for (const problem of err.problems) {
      problems.push({ ...problem, field: `codecKeys.${problem.field}`, label: source });
    }
    return undefined;
  }
}
