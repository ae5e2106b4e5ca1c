import { InvalidArgumentError } from '@commander-js/extra-typings';
import { wholeNumberOption } from '../../cli/options';

const parseDays = wholeNumberOption(1, 200, 'a whole number of working days, 1-200');

test('a whole-number option takes plain digits within its range', () => {
  expect(['1', '7', '200', '007'].map(parseDays)).toEqual([1, 7, 200, 7]);
  expect(wholeNumberOption(0, 65535, 'a port')('0')).toBe(0);
});

test.each(['0', '201', '0x10', '1e1', ' 5', '5 ', '5.0', '-1', '+5', '', 'Infinity', '١٢', '9999999999'])('%j is refused, saying what was expected', (text) => {
  expect(() => parseDays(text)).toThrow(InvalidArgumentError);
  expect(() => parseDays(text)).toThrow('expected a whole number of working days, 1-200');
});
