import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { parsePasswordHash, type ScryptHash } from '../domain/gongkai-config';

// Staff passwords, stored as `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>` (the format domain/gongkai-config.ts
// validates in the configuration file). The parameters travel with each hash, so they can be raised later
// without invalidating the hashes already issued.

export type ScryptCost = Pick<ScryptHash, 'cost' | 'blockSize' | 'parallelization'>;

/**
 * N=2^15, r=8, p=3, one of the scrypt settings OWASP's password-storage guidance lists as equivalent: about the work
 * of N=2^17, r=8, p=1 with a quarter of its memory (32 MiB), since up to four logins run at once on libuv's pool.
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { cost: 2 ** 15, blockSize: 8, parallelization: 3 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Long enough for any passphrase; longer input is refused rather than hashed, so it cannot slow a login. */
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, keyLength: number, params: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.cost,
    r: params.blockSize,
    p: params.parallelization,
    // scrypt needs 128·N·r bytes plus its buffers; Node's 32 MiB default would refuse N=2^15, r=8.
    maxmem: 2 * 128 * params.cost * params.blockSize + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(normalize(password), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** One password, one hash, whichever input method composed its characters. */
const normalize = (password: string): string => password.normalize('NFC');

function checkPasswordInput(password: string): void {
  if (password.length === 0) throw new RangeError('password must not be empty');
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new RangeError(`password longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/** A new hash with a fresh random salt: hashing one password twice gives two different hashes. */
export async function hashPassword(password: string, params: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  checkPasswordInput(password);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, params);
  const { cost, blockSize, parallelization } = params;
  const encoded = ['scrypt', cost, blockSize, parallelization, salt.toString('base64'), hash.toString('base64')];
  const text = encoded.join('$');
  // Never issue a hash the configuration would refuse.
  if (parsePasswordHash(text) === undefined) throw new RangeError('scrypt parameters outside PASSWORD_HASH_LIMITS');
  return text;
}

/** A hash of no password, checked in place of an unknown user's so that both take the same time. */
const NOBODY: ScryptHash = {
  ...DEFAULT_SCRYPT_COST,
  saltBase64: Buffer.alloc(SALT_BYTES).toString('base64'),
  hashBase64: Buffer.alloc(HASH_BYTES).toString('base64'),
};

/**
 * Whether `password` matches `storedHash`, compared in constant time. False, never an exception, for a wrong
 * password, a malformed or altered hash, or no hash at all (`undefined`: the user does not exist, and the check
 * still costs one scrypt so that a sign-in does not tell which user names exist).
 */
export async function verifyPassword(password: string, storedHash: string | undefined): Promise<boolean> {
  const parsed = storedHash === undefined ? undefined : parsePasswordHash(storedHash);
  const usable = parsed !== undefined && password.length > 0 && password.length <= MAX_PASSWORD_LENGTH;
  const { saltBase64, hashBase64, ...params } = parsed ?? NOBODY;
  const expected = Buffer.from(hashBase64, 'base64');
  const actual = await derive(usable ? password : '-', Buffer.from(saltBase64, 'base64'), expected.length, params);
  return timingSafeEqual(actual, expected) && usable;
}
