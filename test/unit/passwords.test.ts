import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parsePasswordHash } from '../../domain/gongkai-config';
import { DEFAULT_SCRYPT_COST, hashPassword, type ScryptCost, verifyPassword } from '../../workers/passwords';

// The smallest cost the configuration accepts keeps these tests fast; one test uses the default.
const FAST: ScryptCost = { cost: 2 ** 14, blockSize: 8, parallelization: 1 };

// Computed with Python's hashlib.scrypt (OpenSSL), not with the code under test: salt = bytes 0..15, N=2^14, r=8, p=1.
const GONGKAI_DEMO_REFERENCE = 'scrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk=';
// Same salt and cost, password "café-公开" with é composed (U+00E9).
const CAFE_REFERENCE = 'scrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw==$s9J+LXGr7OeWKA6CHMCWHmkxg40PtVpa07BMpfvqmOI=';

/** `hash` with the character at `index` of its `part` (4 = salt, 5 = hash) replaced by another base64 character. */
function tamper(hash: string, part: 4 | 5, index = 3): string {
  const parts = hash.split('$');
  const text = parts[part]!;
  const replacement = text[index] === 'A' ? 'B' : 'A';
  parts[part] = text.slice(0, index) + replacement + text.slice(index + 1);
  return parts.join('$');
}

describe('hashPassword / verifyPassword', () => {
  test('a hash verifies against its password and no other', async () => {
    const hash = await hashPassword('正确的马电池订书钉', FAST);
    await expect(verifyPassword('正确的马电池订书钉', hash)).resolves.toBe(true);
    await expect(verifyPassword('正确的马电池订书针', hash)).resolves.toBe(false);
    await expect(verifyPassword('正确的马电池订书钉 ', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  test('the default cost is OWASP N=2^15, r=8, p=3, written into the hash with 16 bytes of salt', async () => {
    const hash = await hashPassword('gongkai-demo');
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(DEFAULT_SCRYPT_COST).toEqual({ cost: 32768, blockSize: 8, parallelization: 3 });
    await expect(verifyPassword('gongkai-demo', hash)).resolves.toBe(true);
  });

  test('verifies hashes made by another scrypt implementation (format and parameters as documented)', async () => {
    await expect(verifyPassword('gongkai-demo', GONGKAI_DEMO_REFERENCE)).resolves.toBe(true);
    await expect(verifyPassword('gongkai-demO', GONGKAI_DEMO_REFERENCE)).resolves.toBe(false);
  });

  test('the same password typed composed or decomposed (é as U+00E9 or e + U+0301) is the same password', async () => {
    await expect(verifyPassword('caf\u00e9-公开', CAFE_REFERENCE)).resolves.toBe(true);
    await expect(verifyPassword('cafe\u0301-公开', CAFE_REFERENCE)).resolves.toBe(true);
  });

  test('each hash has its own salt: one password hashed twice gives two hashes, both valid', async () => {
    const first = await hashPassword('gongkai-demo', FAST);
    const second = await hashPassword('gongkai-demo', FAST);
    expect(first).not.toBe(second);
    expect(first.split('$')[4]).not.toBe(second.split('$')[4]);
    await expect(verifyPassword('gongkai-demo', first)).resolves.toBe(true);
    await expect(verifyPassword('gongkai-demo', second)).resolves.toBe(true);
  });

  test('a tampered hash is refused: changed hash, salt or cost', async () => {
    const reference = GONGKAI_DEMO_REFERENCE;
    await expect(verifyPassword('gongkai-demo', tamper(reference, 5))).resolves.toBe(false);
    await expect(verifyPassword('gongkai-demo', tamper(reference, 4))).resolves.toBe(false);
    const withCost = (cost: string) => reference.replace('scrypt$16384$8$1$', `scrypt$${cost}$`);
    await expect(verifyPassword('gongkai-demo', withCost('32768$8$1'))).resolves.toBe(false);
    await expect(verifyPassword('gongkai-demo', withCost('16384$8$2'))).resolves.toBe(false);
  });

  test.each([
    ['another scheme', 'bcrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk='],
    ['a cost below 2^14', 'scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk='],
    [
      'a cost that is no power of two',
      'scrypt$20000$8$1$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk=',
    ],
    [
      'a memory cost above the limit',
      'scrypt$1048576$32$1$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk=',
    ],
    ['a short salt', 'scrypt$16384$8$1$AAECAwQFBgc=$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk='],
    ['a short hash', 'scrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3'],
    ['a missing part', 'scrypt$16384$8$AAECAwQFBgcICQoLDA0ODw==$pC5ruoWYn37lMVl3VVP6dcCdV5eHVurwgvkog6Ju2vk='],
    ['the plain password', 'gongkai-demo'],
    ['nothing', ''],
  ])('a stored hash with %s is refused, never thrown on', async (_what, stored) => {
    expect(parsePasswordHash(stored)).toBeUndefined();
    await expect(verifyPassword('gongkai-demo', stored)).resolves.toBe(false);
  });

  test('an unknown user (no stored hash) is refused after the same work as a known one', async () => {
    await expect(verifyPassword('gongkai-demo', undefined)).resolves.toBe(false);
    await expect(verifyPassword('', undefined)).resolves.toBe(false);
  });

  test('refuses to hash an empty password or with a cost the configuration would refuse', async () => {
    await expect(hashPassword('', FAST)).rejects.toThrow(RangeError);
    await expect(hashPassword('x'.repeat(1025), FAST)).rejects.toThrow(RangeError);
    await expect(hashPassword('gongkai-demo', { cost: 2 ** 10, blockSize: 8, parallelization: 1 })).rejects.toThrow(
      'PASSWORD_HASH_LIMITS',
    );
  });
});

describe('scripts/hash-password.ts', () => {
  const root = join(__dirname, '..', '..');
  const run = (stdin: string) =>
    execFileSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/hash-password.ts'], {
      cwd: root,
      input: stdin,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });

  test('prints a hash of the password read from stdin, without the trailing newline', async () => {
    const output = run('gongkai-demo\n');
    expect(output).toMatch(/^scrypt\$32768\$8\$3\$\S+\n$/);
    await expect(verifyPassword('gongkai-demo', output.trim())).resolves.toBe(true);
  }, 30_000);

  test('refuses a password shorter than 8 characters', () => {
    expect(() => run('short\n')).toThrow(/at least 8 characters/);
  }, 30_000);
});
