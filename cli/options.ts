import { InvalidArgumentError } from '@commander-js/extra-typings';

/**
 * A commander parser for a whole-number option in [min, max]: digits only, so `0x10`, `1e3`, ` 5` and `` are refused
 * rather than read as Number() would read them.
 */
export function wholeNumberOption(min: number, max: number, expected: string): (value: string) => number {
  return (value) => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`expected ${expected}`);
    return n;
  };
}
