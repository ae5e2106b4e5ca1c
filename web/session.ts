import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '../workers/codec-keys';

// Who is signed in: a token `<userId>.<expires ms>.<nonce>.<HMAC>` — in the session cookie for pages, as a bearer
// token for the API. Stateless, so every web instance that shares the secret accepts it; the configuration decides
// at each request whether the user still exists and what they may do.

export const SESSION_COOKIE = 'gk_session';
/** A working day and a bit: staff sign in each morning. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SECRET_FILE_NAME = 'session-secret';

/** The signing secret: GONGKAI_SESSION_SECRET (production), else a file generated under the data directory. */
export function loadSessionSecret(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const fromEnv = env.GONGKAI_SESSION_SECRET;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('GONGKAI_SESSION_SECRET must be at least 32 characters');
    return Buffer.from(fromEnv, 'utf8');
  }
  if (env.GONGKAI_ENV === 'production') throw new Error('GONGKAI_SESSION_SECRET is required when GONGKAI_ENV=production');
  return Buffer.from(readOrCreateSecretFile(join(dataDir, SECRET_FILE_NAME), () => randomBytes(32).toString('base64')).trim(), 'utf8');
}

export interface SessionTokens {
  issue(userId: string, nowMs?: number): { token: string; expiresAt: string };
  /** The user id of a valid, unexpired token; undefined for anything else. */
  verify(token: string | undefined, nowMs?: number): string | undefined;
}

export function sessionTokens(secret: Buffer): SessionTokens {
  const mac = (text: string) => createHmac('sha256', secret).update(text).digest('base64url');
  return {
    issue(userId, nowMs = Date.now()) {
      const expires = nowMs + SESSION_TTL_MS;
      const body = `${userId}.${expires}.${randomBytes(12).toString('base64url')}`;
      return { token: `${body}.${mac(body)}`, expiresAt: new Date(expires).toISOString() };
    },
    verify(token, nowMs = Date.now()) {
      if (token === undefined || token.length > 300) return undefined;
      const parts = token.split('.');
      // The user id may itself hold dots (`zrzy.handler1`): the last three parts are expiry, nonce and MAC.
      if (parts.length < 4) return undefined;
      const signature = parts.pop()!;
      const body = parts.join('.');
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const expires = Number(parts.at(-2));
      if (!Number.isSafeInteger(expires) || expires <= nowMs) return undefined;
      return parts.slice(0, -2).join('.');
    },
  };
}
