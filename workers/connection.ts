import { readFileSync } from 'node:fs';
import { Client, Connection, isGrpcServiceError, type TLSConfig } from '@temporalio/client';
import { type DataConverter, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import type { CodecKeyRingSettings, TemporalSettings } from '../domain/config';
import { InvalidInputError } from '../domain/validation';
import { GONGKAI_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { RuntimeConfig } from './config';
import { AesGcmPayloadCodec } from './encryption-codec';

/** Bundled into the workflow sandbox: pass it to bundleWorkflowCode when prebuilding a bundle. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * Loaded once per workflow thread and shared by every workflow it holds: zod. A module not loaded here is evaluated
 * again for each cached workflow (the SDK's per-workflow module isolation): zod alone costs ~0.7 MiB per open case
 * (bench/RESULTS.md (d)). gongkai's domain modules cannot be shared: the SDK deep-freezes what it shares, and a frozen
 * zod schema fails on first use (zod binds its methods lazily).
 */
export const SHARED_WORKFLOW_MODULES: readonly string[] = [require.resolve('./shared-workflow-modules')];

/**
 * The one data converter of every gongkai client and worker: payloads are encrypted, and so are
 * failure messages and stack traces, which may quote personal data.
 */
export function createDataConverter(keys: CodecKeyRingSettings): DataConverter {
  return {
    payloadCodecs: [AesGcmPayloadCodec.fromSettings(keys)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

/** Connection options shared by the client (gRPC-js) and the worker (native) connections. */
export function connectionOptions(settings: TemporalSettings): { address: string; tls?: TLSConfig | true; apiKey?: string } {
  const { tls, apiKey } = settings;
  return {
    address: settings.address,
    apiKey,
    tls: tls
      ? {
          clientCertPair: {
            crt: readTlsFile('clientCertPath', tls.clientCertPath),
            key: readTlsFile('clientKeyPath', tls.clientKeyPath),
          },
          serverRootCACertificate: tls.serverRootCaPath
            ? readTlsFile('serverRootCaPath', tls.serverRootCaPath)
            : undefined,
          serverNameOverride: tls.serverName,
        }
      : apiKey
        ? true // an API key is only ever sent over TLS
        : undefined,
  };
}

type TlsFileSetting = 'clientCertPath' | 'clientKeyPath' | 'serverRootCaPath';

/**
 * The configuration names the TLS files without reading them; a missing or unreadable one is refused like any bad
 * setting, naming the setting and the path (a path is no secret), instead of the bare ENOENT of readFileSync.
 */
function readTlsFile(setting: TlsFileSetting, path: string): Buffer {
  const refuse = (message: string) =>
    new InvalidInputError('Temporal TLS settings', [{ field: `temporal.tls.${setting}`, message }]);
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (err) {
    throw refuse(`无法读取文件 / cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!content.includes('-----BEGIN ')) throw refuse(`不是 PEM 文件 / not a PEM file: ${path}`);
  return content;
}

/** How a connection authenticates, for error messages: never the key or a certificate's content. */
function describeTemporalAuth({ tls, apiKey }: TemporalSettings): string {
  if (tls) return `mTLS${tls.serverName ? `, server name ${tls.serverName}` : ''}`;
  return apiKey ? 'API key over TLS' : 'no TLS';
}

/** gRPC-js reports a refused handshake only as a missed deadline: say where to look. */
function connectionHint({ tls, apiKey }: TemporalSettings): string {
  if (tls) return ' (check the address, the client certificate and key, the server CA and the server name)';
  if (apiKey) return ' (check the address, the API key, and that the server presents a certificate this system trusts)';
  return '';
}

/**
 * The SDKs' own errors say neither what they tried to reach nor how ("Failed to connect before the deadline", or a
 * rustls error): a process refused at start names the Temporal connection, its address and its TLS mode.
 */
async function connecting<T>(
  settings: TemporalSettings,
  connect: (options: ReturnType<typeof connectionOptions>) => Promise<T>,
): Promise<T> {
  const options = connectionOptions(settings);
  try {
    return await connect(options);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const target = `${settings.address} (namespace ${settings.namespace}, ${describeTemporalAuth(settings)})`;
    throw new Error(`Temporal connection to ${target} failed: ${reason}${connectionHint(settings)}`, { cause: err });
  }
}

export async function connectClient(config: RuntimeConfig): Promise<Client> {
  const connection = await connecting(config.temporal, (options) => Connection.connect(options));
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config.codecKeys),
  });
}

export async function connectWorkerConnection(config: RuntimeConfig): Promise<NativeConnection> {
  return connecting(config.temporal, (options) => NativeConnection.connect(options));
}

const INDEXED_VALUE_TYPES: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const GRPC_ALREADY_EXISTS = 6;
const GRPC_UNIMPLEMENTED = 12;

/**
 * Registers gongkai's search attributes in the namespace, adding only the missing ones. Needed because
 * the dev server's `--search-attribute` flags are ignored when its database file already exists.
 * Returns the names it added.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly SearchAttributeKey<SearchAttributeType>[] = GONGKAI_SEARCH_ATTRIBUTES,
): Promise<string[]> {
  let existing: Record<string, unknown> = {};
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    existing = { ...listed.customAttributes, ...listed.systemAttributes };
  } catch (err) {
    // The time-skipping test server cannot list; adding then tells us what exists.
    if (!(isGrpcServiceError(err) && err.code === GRPC_UNIMPLEMENTED)) throw err;
  }
  const added: string[] = [];
  for (const key of keys) {
    const registered = existing[key.name];
    if (registered !== undefined) {
      if (registered !== INDEXED_VALUE_TYPES[key.type]) {
        throw new Error(`Search attribute ${key.name} is registered with another type; expected ${key.type}`);
      }
      continue;
    }
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: { [key.name]: INDEXED_VALUE_TYPES[key.type] },
      });
      added.push(key.name);
    } catch (err) {
      if (!(isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS)) throw err;
    }
  }
  return added;
}
