import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type CodecKeyRingSettings, codecKeyRingSchema } from '../domain/config';
import { parseOrThrow } from '../domain/validation';

export const CODEC_KEY_FILE_NAME = 'codec-keys.json';

/**
 * The payload-encryption key ring, from the environment in production
 * (GONGKAI_CODEC_KEYS="id=base64,id2=base64", GONGKAI_CODEC_ACTIVE_KEY=id), otherwise from a key file
 * under the data directory that is generated on first start. Production never generates a key:
 * a key that only one machine knows would make every other worker unable to read the histories.
 */
export function loadCodecKeyRing(env: NodeJS.ProcessEnv, keyFilePath: string): CodecKeyRingSettings {
  if (env.GONGKAI_CODEC_KEYS) {
    const keys = Object.fromEntries(
      env.GONGKAI_CODEC_KEYS.split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => {
          const at = entry.indexOf('=');
          return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
        }),
    );
    const firstId = Object.keys(keys)[0];
    return parseOrThrow(
      codecKeyRingSchema,
      { activeKeyId: env.GONGKAI_CODEC_ACTIVE_KEY ?? firstId, keys },
      'Codec keys from GONGKAI_CODEC_KEYS / GONGKAI_CODEC_ACTIVE_KEY',
    );
  }
  if (env.GONGKAI_ENV === 'production') {
    throw new Error('GONGKAI_CODEC_KEYS is required when GONGKAI_ENV=production (no key file is generated in production)');
  }
  return readOrCreateKeyFile(keyFilePath);
}

function readOrCreateKeyFile(path: string): CodecKeyRingSettings {
  const text = readOrCreateSecretFile(path, () => JSON.stringify(newKeyRing(), null, 2) + '\n');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`Codec key file ${path} is not valid JSON`);
  }
  return parseOrThrow(codecKeyRingSchema, json, `Codec key file ${path}`);
}

/** Reads a local secret file, creating it (owner-only) with `create()` on first use; safe if two processes race. */
export function readOrCreateSecretFile(path: string, create: () => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true });
  const text = create();
  try {
    // 'wx': if another process created the file first, read theirs.
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(path, 'utf8');
  }
}

export const APPLICANT_INDEX_KEY_FILE_NAME = 'applicant-index.key';

/**
 * The secret of the applicant index (an HMAC of ID documents). From GONGKAI_APPLICANT_INDEX_KEY (base64, 32 bytes)
 * in production; locally a key file generated on first start. It must never change once cases are indexed.
 */
export function loadApplicantIndexKey(env: NodeJS.ProcessEnv, keyFilePath: string): Buffer {
  let b64 = env.GONGKAI_APPLICANT_INDEX_KEY;
  if (!b64) {
    if (env.GONGKAI_ENV === 'production') {
      throw new Error('GONGKAI_APPLICANT_INDEX_KEY is required when GONGKAI_ENV=production (no key file is generated in production)');
    }
    b64 = readOrCreateSecretFile(keyFilePath, () => randomBytes(32).toString('base64') + '\n').trim();
  }
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new Error('the applicant index key must be 32 bytes (base64)');
  return key;
}

export function newKeyRing(): CodecKeyRingSettings {
  const id = `local-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  return { activeKeyId: id, keys: { [id]: randomBytes(32).toString('base64') } };
}
