import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PDF_FONTS, LETTER_LAYOUT, letterDateInstant, renderDocx, renderPdf } from '../../activities/letter-formats';
import type { LetterDocument } from '../../domain/letters';
import { docxText, xmlText, zipEntry } from '../helpers/docx-text';

// The DOCX and PDF renderers on realistic letters, read back the way a reader's tools read them: the DOCX's
// word/document.xml, and Debian's poppler-utils (pdftotext, pdffonts, pdftoppm) on the PDF.

const partialDisclosure: LetterDocument = {
  letterType: 'partial-disclosure',
  title: '连云港市自然资源和规划局政府信息公开申请答复书',
  documentNumber: '连资规依复〔2026〕17号',
  salutation: '张三：',
  recital: [
    '本机关于二〇二六年十一月二十七日收到您通过当面方式提出的政府信息公开申请，申请获取“海州区新浦街道朐阳门地块二〇二五年度国有建设用地使用权出让合同及其附件”。',
    '因需征求第三方意见，本机关于二〇二六年十二月一日向第三方发出征求意见书，征求意见所需时间不计算在答复期限内。',
  ],
  transition: '经审查，现答复如下：',
  decision: [
    '您申请获取的政府信息由本机关制作并保存。经检索，本机关查找到《国有建设用地使用权出让合同》（合同编号：3207012025CR0012）一份，共十二页，附件三份。',
    '其中，附件三《土地受让人身份证明材料》第二页载有受让人法定代表人的身份证号码、家庭住址及联系电话，属于个人隐私。本机关依法征求了第三方意见，第三方不同意公开，且不公开不会对公共利益造成重大影响。本机关决定对上述内容不予公开，对其余部分予以公开。',
  ],
  legalBasis: [
    '根据《中华人民共和国政府信息公开条例》第三十六条第（二）项、第三十七条之规定，本机关对可以公开的部分予以公开；根据该条例第十五条、第三十二条之规定，对涉及个人隐私的部分不予公开。',
  ],
  provision: ['本机关以纸质形式向您提供上述信息中可以公开的部分（已作区分处理），随本答复书一并邮寄。'],
  remedy: [
    '如对本答复不服，可以在收到本答复之日起六十日内向连云港市人民政府申请行政复议，或者在收到本答复之日起六个月内向连云港市海州区人民法院提起行政诉讼。其中，对不予公开的部分不服的，应当先依法申请行政复议；对行政复议决定不服的，可以依法提起行政诉讼。',
  ],
  agency: '连云港市自然资源和规划局',
  sealPlaceholder: '（印章）',
  date: '二〇二六年十二月十五日',
  attachments: ['国有建设用地使用权出让合同（部分公开）', '政府信息公开申请处理情况说明及不予公开部分的理由和依据'],
};

const correctionNotice: LetterDocument = {
  letterType: 'correction-notice',
  title: '连云港市住房和城乡建设局政府信息公开申请补正告知书',
  documentNumber: '连住建依补〔2026〕5号',
  salutation: '江苏某某建设工程有限公司：',
  recital: ['本机关于二〇二六年三月二日收到贵单位提出的政府信息公开申请，申请获取“近年来本市所有建设工程的相关文件”。'],
  transition: null,
  decision: [
    '经审查，贵单位的申请内容不明确，本机关无法据此确定所需的政府信息。请贵单位按下列要求补正：',
    '一、写明所需政府信息涉及的具体项目名称或者地址；',
    '二、写明所需政府信息的形成时间段，例如二〇二四年一月至二〇二五年十二月；',
    '三、写明所需文件的种类，例如施工许可证、竣工验收备案表。',
    '请于收到本告知书之日起十五个工作日内补正。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。',
  ],
  legalBasis: ['根据《中华人民共和国政府信息公开条例》第三十条之规定，特此告知。'],
  provision: [],
  remedy: [],
  agency: '连云港市住房和城乡建设局',
  sealPlaceholder: '（印章）',
  date: '二〇二六年三月五日',
  attachments: ['政府信息公开申请表（补正用）'],
};

const receipt: LetterDocument = {
  letterType: 'receipt',
  title: '政府信息公开申请接收回执',
  documentNumber: null,
  salutation: '李四：',
  recital: ['您于二〇二六年十一月二十七日通过当面方式提出的政府信息公开申请，本机关已收到。登记编号为LYG-ZRZY-2026-000001。'],
  transition: null,
  decision: ['本机关将自收到申请之日起二十个工作日内予以答复；需要延长答复期限的，将另行书面告知。'],
  legalBasis: ['依据《中华人民共和国政府信息公开条例》第三十一条、第三十三条之规定，特此回执。'],
  provision: [],
  remedy: [],
  agency: '连云港市自然资源和规划局',
  sealPlaceholder: '（印章）',
  date: '二〇二六年十一月二十七日',
  attachments: [],
};

/** One paragraph of 300-odd ideographs without a single space or punctuation mark. */
const unbrokenParagraph = Array.from({ length: 9 }, (_, i) => `海州区新浦街道朐阳门片区第${'一二三四五六七八九'[i]}批棚户区改造项目国有土地上房屋征收补偿安置方案`).join('');
/** A comma that would fall at the start of the second line: its first line holds 26 characters after the indent. */
const commaAtLineStart = '本机关已逐项核对申请所列文件名称与档案目录记载的文号，确认上述文件均由本机关制作并保存。';
const longParagraphLetter: LetterDocument = { ...receipt, decision: [unbrokenParagraph, commaAtLineStart, ...receipt.decision] };

const LETTERS = { 部分公开答复书: partialDisclosure, 补正告知书: correctionNotice, 接收回执: receipt };

// ------------------------------------------------------------------------------------------------ reading them back

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'gongkai-letters-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let fileCount = 0;
function toFile(bytes: Buffer, extension: string): string {
  const path = join(workDir, `letter-${++fileCount}.${extension}`);
  writeFileSync(path, bytes);
  return path;
}

const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: 'utf8' });

// -layout: the plain mode joins a line ending in a hyphen (`LYG-` / `ZRZY-2026-000001`) to the next without it.
const pdfText = (pdf: Buffer) => run('pdftotext', ['-layout', '-enc', 'UTF-8', toFile(pdf, 'pdf'), '-']);

/** Text without line breaks and spaces (a wrapped line is the same text) and without page numbers `— N —`. */
const flatten = (text: string) => text.replace(/\s+/g, '').replace(/—\d+—/g, '');

/**
 * The letter's elements in the order the page shows them. The 附件说明 stands between the body and the signature
 * block (GB/T 9704—2012 §7.3.4); a single attachment is not numbered.
 */
function elementsOnThePage(letter: LetterDocument): [string, string][] {
  const numbered = letter.attachments.length > 1;
  return [
    ['title', letter.title],
    ...(letter.documentNumber == null ? [] : [['documentNumber', letter.documentNumber] as [string, string]]),
    ['salutation', letter.salutation],
    ...letter.recital.map((text, i): [string, string] => [`recital.${i}`, text]),
    ...(letter.transition == null ? [] : [['transition', letter.transition] as [string, string]]),
    ...letter.decision.map((text, i): [string, string] => [`decision.${i}`, text]),
    ...letter.legalBasis.map((text, i): [string, string] => [`legalBasis.${i}`, text]),
    ...letter.provision.map((text, i): [string, string] => [`provision.${i}`, text]),
    ...letter.remedy.map((text, i): [string, string] => [`remedy.${i}`, text]),
    ...letter.attachments.map((text, i): [string, string] => {
      const label = `${i === 0 ? '附件：' : ''}${numbered ? `${i + 1}.` : ''}`;
      return [`attachments.${i}`, `${label}${text}`];
    }),
    ['agency', letter.agency],
    ['sealPlaceholder', letter.sealPlaceholder],
    ['date', letter.date],
  ];
}

/** Every element found after the one before it, and nothing else on the page. */
function expectElementsInOrder(extracted: string, letter: LetterDocument): void {
  const text = flatten(extracted);
  let position = 0;
  for (const [field, wording] of elementsOnThePage(letter)) {
    const found = text.indexOf(flatten(wording), position);
    if (found < 0) {
      const anywhere = text.indexOf(flatten(wording));
      const where = anywhere < 0 ? 'is missing' : `is out of order (found at ${anywhere}, expected after ${position})`;
      throw new Error(`${field} ${where}`);
    }
    position = found + flatten(wording).length;
  }
  expect(text).toBe(elementsOnThePage(letter).map(([, wording]) => flatten(wording)).join(''));
}

interface PdfWord {
  page: number;
  xMin: number;
  xMax: number;
  yMin: number;
  text: string;
}

/** Words with their boxes (pdftotext -bbox); a line of Chinese without spaces is one word. */
function pdfWords(pdf: Buffer): PdfWord[] {
  const html = run('pdftotext', ['-bbox', '-enc', 'UTF-8', toFile(pdf, 'pdf'), '-']);
  const words: PdfWord[] = [];
  let page = 0;
  for (const line of html.split('\n')) {
    if (line.includes('<page ')) page++;
    const match = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*)<\/word>/.exec(line);
    if (!match) continue;
    words.push({ page, xMin: Number(match[1]), yMin: Number(match[2]), xMax: Number(match[3]), text: match[4] ?? '' });
  }
  return words;
}

const textLeft = LETTER_LAYOUT.marginLeft;
const textRight = LETTER_LAYOUT.pageWidth - LETTER_LAYOUT.marginRight;
const textBottom = LETTER_LAYOUT.pageHeight - LETTER_LAYOUT.marginBottom;

// ------------------------------------------------------------------------------------------------------------ tests

describe.each(Object.entries(LETTERS))('%s', (_name, letter) => {
  it('DOCX: every element in order in word/document.xml, and nothing else', async () => {
    expectElementsInOrder(docxText(await renderDocx(letter)), letter);
  });

  it('PDF: every element in order in pdftotext, and nothing else', async () => {
    expectElementsInOrder(pdfText(await renderPdf(letter)), letter);
  });

  it('PDF: all text inside the 版心 but the page numbers, and no line starts with closing punctuation', async () => {
    const pdf = await renderPdf(letter);
    const words = pdfWords(pdf);
    const pages = Math.max(...words.map((w) => w.page));
    for (const word of words) {
      if (word.yMin > textBottom) {
        expect(word.text).toMatch(/^(—|\d+)$/);
        continue;
      }
      expect(word.xMin).toBeGreaterThanOrEqual(textLeft - 0.5);
      expect(word.xMax).toBeLessThanOrEqual(textRight + 0.5);
    }
    const pageNumbers = words.filter((w) => w.yMin > textBottom && /^\d+$/.test(w.text)).map((w) => Number(w.text));
    expect(pageNumbers).toEqual(Array.from({ length: pages }, (_, i) => i + 1));
    const lines = pdfText(pdf).split('\n').filter((line) => line.trim() !== '');
    expect(lines.filter((line) => /^[，。、；：？！）》」』”’…]/.test(line.trim()))).toEqual([]);
  });

  it('renders the same bytes twice (no clock in either file)', async () => {
    expect((await renderPdf(letter)).equals(await renderPdf(letter))).toBe(true);
    expect((await renderDocx(letter)).equals(await renderDocx(letter))).toBe(true);
  });
});

describe('DOCX layout', () => {
  let document: string;
  let styles: string;
  let fontTable: string;
  const footers = { odd: '', even: '' };
  beforeAll(async () => {
    const docx = await renderDocx(partialDisclosure);
    document = zipEntry(docx, 'word/document.xml');
    styles = zipEntry(docx, 'word/styles.xml');
    fontTable = zipEntry(docx, 'word/fontTable.xml');
    const relationships = zipEntry(docx, 'word/_rels/document.xml.rels');
    const footerFile = (type: string) => {
      const id = new RegExp(`<w:footerReference w:type="${type}" r:id="(\\w+)"`).exec(document)?.[1];
      const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="${id}"`).exec(relationships);
      return zipEntry(docx, `word/${target?.[1] ?? target?.[2]}`);
    };
    footers.odd = footerFile('default');
    footers.even = footerFile('even');
  });

  it('is A4 with the GB/T 9704 margins, in twips', () => {
    expect(document).toContain('<w:pgSz w:w="11906" w:h="16838"');
    // 天头 37 mm, 订口 28 mm, right 26 mm, bottom 35 mm
    expect(document).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
  });

  it('names the fonts: body 仿宋_GB2312 三号, title 方正小标宋简体 二号, with substitutes where they are absent', () => {
    // 三号 squeezed a quarter point a character: 28 to the line
    expect(styles).toMatch(
      /<w:rPrDefault><w:rPr><w:rFonts w:ascii="仿宋_GB2312"[^>]*w:eastAsia="仿宋_GB2312"[^>]*\/><w:spacing w:val="-5"\/><w:sz w:val="32"\/>/,
    );
    expect(document).toMatch(/<w:rFonts [^>]*w:eastAsia="方正小标宋简体"[^>]*\/><w:sz w:val="44"\/>/);
    expect(fontTable).toContain('<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/>');
    expect(fontTable).toContain('<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/>');
  });

  it('sets exact line spacing near 29 pt, a two-character first-line indent, and page numbers — N —', () => {
    expect(styles).toContain('<w:spacing w:after="0" w:before="0" w:line="580" w:lineRule="exact"/>');
    expect(document).toContain('<w:ind w:firstLine="632" w:firstLineChars="200"/>');
    expect(xmlText(footers.odd).replace(/\s/g, '')).toBe('—PAGE—');
    expect(footers.odd).toContain('<w:jc w:val="right"/>');
    expect(footers.even).toContain('<w:jc w:val="left"/>');
  });

  it('takes other font names', async () => {
    const docx = await renderDocx(correctionNotice, { bodyFont: '方正仿宋_GBK', titleFont: '方正小标宋_GBK' });
    expect(zipEntry(docx, 'word/styles.xml')).toContain('w:eastAsia="方正仿宋_GBK"');
    expect(zipEntry(docx, 'word/document.xml')).toContain('w:eastAsia="方正小标宋_GBK"');
    expect(zipEntry(docx, 'word/fontTable.xml')).toContain('<w:font w:name="方正仿宋_GBK"><w:altName w:val="仿宋"/>');
  });
});

describe('PDF fonts and pages', () => {
  const fontsOf = (pdf: Buffer) =>
    run('pdffonts', [toFile(pdf, 'pdf')])
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const columns = line.trim().split(/\s+/);
        return { name: columns[0] ?? '', embedded: columns.at(-5) };
      });

  it('embeds subsets of Noto Serif CJK SC (Debian fonts-noto-cjk) and no other font', async () => {
    const fonts = fontsOf(await renderPdf(partialDisclosure));
    expect(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['NotoSerifCJKsc-Bold', 'NotoSerifCJKsc-Regular']);
    expect(fonts.every((f) => f.embedded === 'yes')).toBe(true);
    expect(DEFAULT_PDF_FONTS.body.path).toMatch(/^\/usr\/share\/fonts\/opentype\/noto\//);
  });

  it('uses an agency-supplied font file for the body and the title', async () => {
    const fontPath = { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' };
    const pdf = await renderPdf(correctionNotice, { fontPath });
    expect(fontsOf(pdf).map((f) => f.name.replace(/^[A-Z]{6}\+/, ''))).toEqual(['NotoSansCJKsc-Regular']);
    expectElementsInOrder(pdfText(pdf), correctionNotice);
  });

  it('fails naming the font file when it is missing, or a collection without a face', async () => {
    await expect(renderPdf(receipt, { fontPath: '/srv/fonts/仿宋_GB2312.ttf' })).rejects.toThrow(
      'PDF font file not found: /srv/fonts/仿宋_GB2312.ttf (check fontPath)',
    );
    await expect(renderPdf(receipt, { titleFontPath: '/srv/fonts/方正小标宋简体.ttf' })).rejects.toThrow(
      'PDF font file not found: /srv/fonts/方正小标宋简体.ttf (check titleFontPath)',
    );
    await expect(renderPdf(receipt, { fontPath: DEFAULT_PDF_FONTS.body.path })).rejects.toThrow(
      `PDF font file ${DEFAULT_PDF_FONTS.body.path} is a font collection (fontPath): name the face by its PostScript name`,
    );
  });

  it('fails naming the font file when it is not a font, or has no face of that name', async () => {
    const notAFont = join(workDir, 'not-a-font.ttf');
    writeFileSync(notAFont, 'this is not a font file');
    await expect(renderPdf(receipt, { fontPath: notAFont })).rejects.toThrow(`PDF font file ${notAFont} cannot be used (fontPath): Unknown font format`);
    const noSuchFace = { path: DEFAULT_PDF_FONTS.body.path, postscriptName: 'FangSong_GB2312' };
    await expect(renderPdf(receipt, { titleFontPath: noSuchFace })).rejects.toThrow(
      `PDF font file ${noSuchFace.path} (face FangSong_GB2312) cannot be used (titleFontPath): no such face in the file`,
    );
  });

  it('renders a letter to the same bytes whether its fonts were parsed for it or shared with earlier letters', async () => {
    for (const other of Object.values(LETTERS)) await renderPdf(other);
    const shared = await renderPdf(receipt);
    let fresh: typeof renderPdf | undefined;
    // A module instance of its own (and of pdfkit and fontkit): nothing parsed yet.
    await jest.isolateModulesAsync(async () => {
      fresh = (await import('../../activities/letter-formats')).renderPdf;
    });
    expect((await fresh!(receipt)).equals(shared)).toBe(true);
  });

  it('wraps a long paragraph without spaces or punctuation inside the 版心, losing no character', async () => {
    const pdf = await renderPdf(longParagraphLetter);
    const lines = pdfWords(pdf).filter((w) => unbrokenParagraph.includes(w.text));
    const perLine = 28;
    expect(lines.length).toBe(Math.ceil((unbrokenParagraph.length + 2) / perLine));
    expect(lines.map((w) => w.text).join('')).toBe(unbrokenParagraph);
    for (const line of lines) expect(line.xMax).toBeLessThanOrEqual(textRight + 0.5);
    // The full lines carry 28 characters, the first 26 after its two-character indent.
    expect(lines.slice(0, -1).map((w) => [...w.text].length)).toEqual([26, ...Array<number>(lines.length - 2).fill(perLine)]);
    expectElementsInOrder(pdfText(pdf), longParagraphLetter);
  });

  it('keeps a closing mark off the start of a line (UAX #14), moving the character before it down', async () => {
    expect(commaAtLineStart.indexOf('，')).toBe(26);
    const lines = pdfWords(await renderPdf(longParagraphLetter)).filter((w) => commaAtLineStart.includes(w.text));
    expect(lines.map((w) => w.text)).toEqual([commaAtLineStart.slice(0, 25), commaAtLineStart.slice(25)]);
  });

  it('gives pdftoppm a first page to draw (the samples PNGs)', async () => {
    const path = toFile(await renderPdf(partialDisclosure), 'pdf');
    const prefix = join(workDir, 'page');
    run('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', path, prefix]);
    const pngs = readdirSync(workDir).filter((name) => name.startsWith('page') && name.endsWith('.png'));
    expect(pngs).toHaveLength(1);
    const png = readFileSync(join(workDir, pngs[0] ?? ''));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A4 at 60 dpi: 496.1 × 701.6 pixels
    expect(Math.abs(png.readUInt32BE(16) - 496)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.readUInt32BE(20) - 702)).toBeLessThanOrEqual(1);
  });
});

describe('the date that stamps both files', () => {
  it.each([
    ['二〇二六年三月五日', '2026-03-04T16:00:00.000Z'],
    ['二〇二六年十一月二十八日', '2026-11-27T16:00:00.000Z'],
    ['二〇三〇年十月三十一日', '2030-10-30T16:00:00.000Z'],
    ['二〇二七年一月十日', '2027-01-09T16:00:00.000Z'],
    ['2026年11月28日', '2026-11-27T16:00:00.000Z'],
  ])('%s is midnight in Beijing', (date, instant) => {
    expect(letterDateInstant({ date }).toISOString()).toBe(instant);
  });

  it.each(['二〇二六年十三月一日', '二〇二六年二十月一日', '二〇二六年一月四十日', '二〇二六年一月十十日', '2026-11-28'])('refuses %s', (date) => {
    expect(() => letterDateInstant({ date })).toThrow('letter.date is not a date written out');
  });

  it('is the PDF CreationDate', async () => {
    const info = run('pdfinfo', ['-isodates', toFile(await renderPdf(correctionNotice), 'pdf')]);
    expect(info).toMatch(/CreationDate:\s+2026-03-04T16:00:00Z/); // 5 March, 00:00 in Beijing
  });
});

describe('an incomplete letter', () => {
  it.each([
    ['agency', { ...receipt, agency: ' ' }, 'letter.agency is empty'],
    ['a blank paragraph', { ...partialDisclosure, decision: ['经检索，……', ''] }, 'letter.decision.1 is empty'],
    ['an empty document number', { ...partialDisclosure, documentNumber: '' }, 'letter.documentNumber is empty'],
    ['a date not written out', { ...receipt, date: '2026-11-27' }, 'letter.date is not a date written out as 二〇二六年十一月二十八日'],
  ])('is refused by both renderers: %s', async (_case, letter, message) => {
    await expect(renderDocx(letter)).rejects.toThrow(message);
    await expect(renderPdf(letter)).rejects.toThrow(message);
  });
});
