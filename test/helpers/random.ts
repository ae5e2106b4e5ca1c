/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** Small deterministic PRNG (mulberry32) so every run of a property test checks the same inputs. */
export function prng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, max). */
export const randomInt = (random: Random, max: number): number => Math.floor(random() * max);

/** A uniform character of `chars`. */
export const pick = (random: Random, chars: string): string => chars[randomInt(random, chars.length)] ?? '';
