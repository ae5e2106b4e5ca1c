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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const ring = newKeyRing();
    mkdirSync(dirname(path), { recursive: true });
    try {
      // 'wx': if another process created the file first, fall through and read theirs.
      writeFileSync(path, JSON.stringify(ring, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      return ring;
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
      text = readFileSync(path, 'utf8');
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`Codec key file ${path} is not valid JSON`);
  }
  return parseOrThrow(codecKeyRingSchema, json, `Codec key file ${path}`);
}

export function newKeyRing(): CodecKeyRingSettings {
  const id = `local-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  return { activeKeyId: id, keys: { [id]: randomBytes(32).toString('base64') } };
}
