// Renders the sample letters for readers: one PDF and one DOCX per letter type into docs/samples/, from the sample
// case of test/helpers/letter-fixtures.ts rendered by the shipped templates, and a PNG of the first page of three of
// them (pdftoppm, from Debian's poppler-utils).
//
//   npx tsx scripts/render-samples.ts [--out DIR] [--dpi N] [--png TYPE,TYPE,TYPE] [--bench N]
//
// --bench N renders every sample N times in each format and prints the time per letter and the file sizes.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { renderDocx, renderPdf } from '../activities/letter-formats';
import type { LetterDocument, LetterType } from '../domain/letters';
import { sampleLetters } from '../test/helpers/letter-fixtures';
import { PROJECT_ROOT } from '../workers/config';

/** The letter types whose first page the README shows. */
const DEFAULT_PNG_TYPES: LetterType[] = ['partial-disclosure', 'correction-notice', 'receipt'];

/** File names by letter type; a second letter of the same type gets `-2`. */
function fileNames(letters: LetterDocument[]): string[] {
  const seen = new Map<string, number>();
  return letters.map(({ letterType }) => {
    const count = (seen.get(letterType) ?? 0) + 1;
    seen.set(letterType, count);
    return count === 1 ? letterType : `${letterType}-${count}`;
  });
}

async function bench(letters: LetterDocument[], rounds: number): Promise<void> {
  for (const [format, render] of [
    ['DOCX', renderDocx],
    ['PDF', renderPdf],
  ] as const) {
    await render(letters[0] as LetterDocument); // font files read and parsed once, as a worker would
    let bytes = 0;
    const started = process.hrtime.bigint();
    for (let round = 0; round < rounds; round++) for (const letter of letters) bytes += (await render(letter)).length;
    const count = rounds * letters.length;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const perLetter = `${(ms / count).toFixed(1)} ms per letter, ${(bytes / count / 1024).toFixed(0)} KiB on average`;
    console.log(`${format}: ${count} letters, ${perLetter}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(PROJECT_ROOT, 'docs', 'samples') },
      dpi: { type: 'string', default: '60' },
      png: { type: 'string' },
      bench: { type: 'string' },
    },
  });
  const letters = sampleLetters();
  if (values.bench !== undefined) return bench(letters, Number(values.bench));

  mkdirSync(values.out, { recursive: true });
  const names = fileNames(letters);
  const pngTypes = values.png?.split(',') ?? DEFAULT_PNG_TYPES;
  const pngNames = pngTypes.filter((type) => names.includes(type));
  // Three pictures even where the chosen types are absent: the first letters fill in.
  for (const name of names) if (pngNames.length < 3 && !pngNames.includes(name)) pngNames.push(name);

  for (const [index, letter] of letters.entries()) {
    const name = names[index] ?? letter.letterType;
    const pdfPath = join(values.out, `${name}.pdf`);
    writeFileSync(pdfPath, await renderPdf(letter));
    writeFileSync(join(values.out, `${name}.docx`), await renderDocx(letter));
    const written = [`${name}.pdf`, `${name}.docx`];
    if (pngNames.includes(name)) {
      const firstPage = ['-f', '1', '-l', '1', '-singlefile'];
      execFileSync('pdftoppm', ['-png', '-r', values.dpi, ...firstPage, pdfPath, join(values.out, name)]);
      written.push(`${name}.png`);
    }
    console.log(`${relative(PROJECT_ROOT, values.out)}/${written.join(', ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
