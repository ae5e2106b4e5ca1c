import { z } from 'zod';

/**
 * How every gongkai process reaches Temporal. Defaults are the embedded local dev server;
 * production points `address` at a cluster and authenticates with mTLS or an API key.
 */
export const temporalSettingsSchema = z
  .object({
    address: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port')
      .default('127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    taskQueue: z.string().min(1).default('gongkai'),
    /**
     * Workflows a worker keeps in its sticky cache. A cached request workflow holds ~1.5 MiB (bench/RESULTS.md (d)); the
     * SDK's default, derived from the heap limit, let a worker with ~2,000 open cases run out of memory when they held
     * twice that. An evicted case is replayed from its history at its next task.
     */
    maxCachedWorkflows: z.number().int().min(0).max(100_000).default(500),
    tls: z
      .object({
        clientCertPath: z.string().min(1),
        clientKeyPath: z.string().min(1),
        serverRootCaPath: z.string().min(1).optional(),
        serverName: z.string().min(1).optional(),
      })
      .optional(),
    apiKey: z.string().min(1).optional(),
  })
  .refine((s) => !(s.tls && s.apiKey), { message: 'use either tls or apiKey, not both', path: ['apiKey'] });
export type TemporalSettings = z.output<typeof temporalSettingsSchema>;

/** Key id: short, printable, safe in payload metadata and file names. */
const keyIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'key id must be 1-64 of A-Z a-z 0-9 . _ -');

/** A base64 AES-256 key: exactly 32 bytes once decoded. */
const aes256KeySchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64')
  .refine((b64) => Math.floor((b64.replace(/=+$/, '').length * 3) / 4) === 32, 'expected a 32-byte (AES-256) key');

/**
 * Payload-encryption keys. New payloads are encrypted with `activeKeyId`; every listed key can decrypt,
 * which is how keys rotate: add the new key, make it active, keep the old one until no history needs it.
 */
export const codecKeyRingSchema = z
  .object({
    activeKeyId: keyIdSchema,
    keys: z.record(keyIdSchema, aes256KeySchema).refine((keys) => Object.keys(keys).length > 0, 'at least one key'),
  })
  .refine((ring) => ring.activeKeyId in ring.keys, { message: 'activeKeyId must name one of keys', path: ['activeKeyId'] });
export type CodecKeyRingSettings = z.output<typeof codecKeyRingSchema>;
