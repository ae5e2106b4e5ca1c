import { readFileSync } from 'node:fs';
import { Client, Connection, isGrpcServiceError, type TLSConfig } from '@temporalio/client';
import { type DataConverter, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import type { CodecKeyRingSettings, TemporalSettings } from '../domain/config';
import { GONGKAI_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { RuntimeConfig } from './config';
import { AesGcmPayloadCodec } from './encryption-codec';

/** Bundled into the workflow sandbox: pass it to bundleWorkflowCode when prebuilding a bundle. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

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
          clientCertPair: { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) },
          serverRootCACertificate: tls.serverRootCaPath ? readFileSync(tls.serverRootCaPath) : undefined,
          serverNameOverride: tls.serverName,
        }
      : apiKey
        ? true // an API key is only ever sent over TLS
        : undefined,
  };
}

export async function connectClient(config: RuntimeConfig): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config.temporal));
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config.codecKeys),
  });
}

export async function connectWorkerConnection(config: RuntimeConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config.temporal));
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
