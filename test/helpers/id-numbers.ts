import { pick, prng, type Random, randomInt } from './random';

// Check characters are computed here independently of the code under test: weights from their definition
// (2^(17-i) mod 11, 3^i mod 31) and the closed-form check equations of the two standards.

/** GB 11643: the weighted sum over all 18 positions (check weight 1) must be ≡ 1 (mod 11). */
export function referenceResidentCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** The 31 characters of a 统一社会信用代码 (GB 32100: digits and capitals without I, O, Z, S, V). */
export const USCC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** GB 32100: C18 = 31 - (Σ Ci·Wi mod 31), with 31 written as 0. */
export function referenceUsccCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_SET.indexOf(first17[i] ?? '') * (3 ** i % 31);
  return USCC_SET[(31 - (sum % 31)) % 31] ?? '?';
}

const digits = (random: Random, n: number): string => Array.from({ length: n }, () => pick(random, '0123456789')).join('');

const DAY_MS = 86_400_000;
const FIRST_BIRTH_MS = Date.UTC(1900, 0, 1);
const BIRTH_SPAN_DAYS = (Date.UTC(2025, 11, 31) - FIRST_BIRTH_MS) / DAY_MS;

/** A valid 居民身份证号码: any region code, a real birth date in 1900–2025, a correct check digit. */
export function randomResidentId(random: Random): string {
  const region = pick(random, '123456789') + digits(random, 5);
  const birth = new Date(FIRST_BIRTH_MS + randomInt(random, BIRTH_SPAN_DAYS) * DAY_MS).toISOString().slice(0, 10);
  const first17 = region + birth.replace(/-/g, '') + digits(random, 3);
  return first17 + referenceResidentCheck(first17);
}

/** A valid 统一社会信用代码: 17 characters of the set and a correct check character. */
export function randomUscc(random: Random): string {
  const first17 = Array.from({ length: 17 }, () => pick(random, USCC_SET)).join('');
  return first17 + referenceUsccCheck(first17);
}

export function generateResidentIds(count: number, seed: number): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => randomResidentId(random));
}

export function generateUsccs(count: number, seed: number): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => randomUscc(random));
}
