// Time to render one letter, per format, for three letter types of the sample case (test/helpers/letter-fixtures.ts):
// the wording from its template (Handlebars + zod), the DOCX and the PDF of activities/letter-formats.ts — against
// the same text in a bare pdfkit document with a standard font (no CJK font parsed, subset or embedded), in a bare
// pdfkit document with the same CJK font but no 公文 layout, and in a bare `docx` document. Samples of all
// renderers are interleaved, so load from other processes falls on each alike. No server needed.
//   npx tsx bench/letter-render.ts [--letters 50]
import { readFileSync } from 'node:fs';
import { Document, Packer, Paragraph } from 'docx';
import PDFDocument from 'pdfkit';
import { DEFAULT_PDF_FONTS, renderDocx, renderPdf } from '../activities/letter-formats';
import type { LetterDocument, LetterType } from '../domain/letters';
import { letterText, renderLetter } from '../templates/letters/render-letter';
import { sampleLetterContexts } from '../test/helpers/letter-fixtures';
import { mib, ms, parseBenchArgs, printFinished, printMachine, printTable, ratio, runScript, summarise } from './kit';

const { values: args, command } = parseBenchArgs('letter-render.ts', {
  letters: { default: 50, help: 'letters of each type rendered in each way' },
});

/** A reply, a procedural notice and the receipt: what a walkthrough case issues. */
const TYPES = ['partial-disclosure', 'correction-notice', 'receipt'] as const satisfies readonly LetterType[];

function pdfToBuffer(write: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  write(doc);
  doc.end();
  return done;
}

// The same font file the letters embed, read once; pdfkit parses it again for each document given its bytes (what a
// plain pdfkit user gets; letter-formats.ts keeps its faces parsed).
const cjkFont = readFileSync(DEFAULT_PDF_FONTS.body.path);

const RENDERERS = {
  'template → letter model': async (type: LetterType) => renderLetter(type, sampleLetterContexts()[type]),
  'DOCX (letter-formats.ts)': (_type: LetterType, letter: LetterDocument) => renderDocx(letter),
  'DOCX baseline: bare docx, same text': (_type: LetterType, letter: LetterDocument) =>
    Packer.toBuffer(new Document({ sections: [{ children: letterText(letter).split('\n').map((line) => new Paragraph(line)) }] })),
  'PDF (letter-formats.ts, CJK subset embedded)': (_type: LetterType, letter: LetterDocument) => renderPdf(letter),
  'PDF baseline: bare pdfkit, same text, CJK font, no layout': (_type: LetterType, letter: LetterDocument) =>
    pdfToBuffer((doc) => doc.font(cjkFont, DEFAULT_PDF_FONTS.body.postscriptName).fontSize(16).text(letterText(letter))),
  'PDF baseline: bare pdfkit, same text, standard font (no CJK)': (_type: LetterType, letter: LetterDocument) =>
    pdfToBuffer((doc) => doc.font('Times-Roman').fontSize(16).text(letterText(letter))),
} as const;
type Renderer = keyof typeof RENDERERS;

async function main(): Promise<void> {
  printMachine(command, false);
  const letters = Object.fromEntries(TYPES.map((type) => [type, renderLetter(type, sampleLetterContexts()[type])])) as Record<(typeof TYPES)[number], LetterDocument>;

  // The first render of a process reads and parses the font files: what a freshly started worker's first letter costs.
  const cold = new Map<Renderer, number>();
  for (const name of Object.keys(RENDERERS) as Renderer[]) {
    const started = performance.now();
    await RENDERERS[name](TYPES[0], letters[TYPES[0]]);
    cold.set(name, performance.now() - started);
  }

  const samples = new Map<string, number[]>();
  const cpuSamples = new Map<string, number[]>();
  const sizes = new Map<string, number[]>();
  const cpuBefore = process.cpuUsage();
  for (let round = 0; round < args.letters; round++) {
    for (const type of TYPES) {
      for (const name of Object.keys(RENDERERS) as Renderer[]) {
        // CPU time as well as wall time: on a shared machine the wall time includes waiting for a core.
        const cpuStarted = process.cpuUsage();
        const started = performance.now();
        const out = await RENDERERS[name](type, letters[type]);
        const key = `${name}\u0000${type}`;
        samples.set(key, [...(samples.get(key) ?? []), performance.now() - started]);
        const cpuSpent = process.cpuUsage(cpuStarted);
        cpuSamples.set(key, [...(cpuSamples.get(key) ?? []), (cpuSpent.user + cpuSpent.system) / 1000]);
        if (Buffer.isBuffer(out)) sizes.set(key, [...(sizes.get(key) ?? []), out.length]);
      }
    }
  }
  const cpu = process.cpuUsage(cpuBefore);

  console.log(`\n(e) render time per letter, ms (${args.letters} letters of each type in each way, interleaved)`);
  const rows: (string | number)[][] = [];
  for (const type of TYPES) {
    for (const name of Object.keys(RENDERERS) as Renderer[]) {
      const s = summarise(samples.get(`${name}\u0000${type}`) ?? []);
      const c = summarise(cpuSamples.get(`${name}\u0000${type}`) ?? []);
      const size = sizes.get(`${name}\u0000${type}`);
      rows.push([`${type}: ${name}`, s.n, ms(s.p50), ms(s.p95), ms(s.max), ms(c.p50), ms(c.p95), size ? `${(size[0]! / 1024).toFixed(0)}` : '']);
    }
  }
  printTable(['letter: renderer', 'n', 'wall p50', 'wall p95', 'wall max', 'CPU p50', 'CPU p95', 'KiB'], rows);

  console.log('\nall three types together: p50/p95 per letter, and against the baselines');
  const all = (name: Renderer, from = samples) => summarise([...TYPES].flatMap((type) => from.get(`${name}\u0000${type}`) ?? []));
  printTable(
    ['renderer', 'n', 'wall p50', 'wall p95', 'CPU p50', 'CPU p95', 'first in process (wall)', 'gongkai / this (wall p50)', 'gongkai / this (CPU p50)'],
    (Object.keys(RENDERERS) as Renderer[]).map((name) => {
      const s = all(name);
      const c = all(name, cpuSamples);
      const format = name.startsWith('PDF') ? 'PDF (letter-formats.ts, CJK subset embedded)' : name.startsWith('DOCX') ? 'DOCX (letter-formats.ts)' : undefined;
      const wallRatio = format ? ratio(all(format).p50, s.p50) : '';
      const cpuRatio = format ? ratio(all(format, cpuSamples).p50, c.p50) : '';
      return [name, s.n, ms(s.p50), ms(s.p95), ms(c.p50), ms(c.p95), ms(cold.get(name) ?? NaN), wallRatio, cpuRatio];
    }),
  );
  const wall = [...samples.values()].flat().reduce((a, b) => a + b, 0);
  console.log(`process CPU over the measured renders: ${ms((cpu.user + cpu.system) / 1000, 0)} ms for ${ms(wall, 0)} ms of wall time; heap now ${mib(process.memoryUsage().heapUsed)} MiB, RSS ${mib(process.memoryUsage().rss)} MiB`);
  console.log('CPU is the whole process (every thread, GC helpers included) during the render; wall time includes waiting for a core.');
  printFinished();
}

runScript(main);
