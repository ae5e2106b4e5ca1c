import { existsSync, readFileSync } from 'node:fs';
import {
  AlignmentType,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Tab,
  type IParagraphOptions,
  type IRunOptions,
  TextRun,
} from 'docx';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { beijingTimeOnMs } from '../domain/dates';
import { isoDateOfWrittenDate, type LetterDocument } from '../domain/letters';

// Lays a LetterDocument out as a 公文 on A4 by GB/T 9704—2012《党政机关公文格式》: §5.2.1 天头 37 mm, 订口 28 mm, 版心
// 156 mm × 225 mm (so right 26 mm, bottom 35 mm); §5.2.2 三号仿宋; §5.2.3 22 lines of 28 characters filling the 版心;
// §7.3.1 title in 二号小标宋, centred; §7.3.2 主送机关 flush left one line below the title; §7.3.4 附件说明 one line below
// the body, two characters in, `附件：1.……`, a second attachment aligned with the first one's name; §7.3.5.1 署名
// centred over the 成文日期, the date four characters from the right; §7.5 page numbers `— 1 —` in 四号, 7 mm below
// the 版心, odd pages one character in from the right, even pages from the left. The renderers lay out the model's
// wording and never change it; they add only the `附件：` label, attachment numbers and page numbers, and move one
// element: the 附件说明, which §7.3.4 places before the signature block (the model lists attachments last).

const MM_PER_INCH = 25.4;
const POINTS_PER_INCH = 72;
const TWIPS_PER_POINT = 20;

const mmToPoints = (mm: number) => (mm / MM_PER_INCH) * POINTS_PER_INCH;

/** Page geometry and type sizes in points, shared by both formats. */
export const LETTER_LAYOUT = {
  pageWidth: mmToPoints(210),
  pageHeight: mmToPoints(297),
  marginTop: mmToPoints(37),
  marginLeft: mmToPoints(28),
  marginRight: mmToPoints(26),
  marginBottom: mmToPoints(35),
  /** 二号 */
  titleSize: 22,
  /** 三号 */
  bodySize: 16,
  /** 四号, for page numbers. */
  pageNumberSize: 14,
  /** 225 mm / 22 lines ≈ 28.95 pt: Word's 公文 grid. */
  linePitch: mmToPoints(225) / 22,
  /** 156 mm / 28 characters ≈ 15.79 pt: a 三号 character squeezed to the grid. */
  charPitch: mmToPoints(156) / 28,
  /** §7.5: the page number's dash sits 7 mm below the 版心. */
  pageNumberGap: mmToPoints(7),
} as const;

const textWidthPoints = LETTER_LAYOUT.pageWidth - LETTER_LAYOUT.marginLeft - LETTER_LAYOUT.marginRight;

/** Paragraphs of the body, in the model's order. */
function bodyParagraphs(letter: LetterDocument): string[] {
  return [
    ...letter.recital,
    ...(letter.transition == null ? [] : [letter.transition]),
    ...letter.decision,
    ...letter.legalBasis,
    ...letter.provision,
    ...letter.remedy,
  ];
}

/**
 * §7.3.1: a title that needs two lines breaks where its meaning does, after the agency's name that begins it
 * (`连云港市自然资源和规划局` / `政府信息公开申请答复书`); any other long title wraps where it must.
 */
function titleLines(letter: LetterDocument, fitsOneLine: (text: string) => boolean): string[] {
  if (fitsOneLine(letter.title)) return [letter.title];
  const rest = letter.title.slice(letter.agency.length);
  const breaksAfterAgency = letter.title.startsWith(letter.agency) && rest !== '';
  return breaksAfterAgency && fitsOneLine(letter.agency) && fitsOneLine(rest) ? [letter.agency, rest] : [letter.title];
}

/** §7.3.4: a single attachment is not numbered; several are `1.`, `2.`, … */
function attachmentLabels(letter: LetterDocument): { number: string; title: string }[] {
  const numbered = letter.attachments.length > 1;
  return letter.attachments.map((title, index) => ({ number: numbered ? `${index + 1}.` : '', title }));
}

const PARAGRAPH_FIELDS = ['recital', 'decision', 'legalBasis', 'provision', 'remedy', 'attachments'] as const;
const TEXT_FIELDS = ['title', 'salutation', 'agency', 'sealPlaceholder', 'date'] as const;

/** A blank where the model promises wording is a template bug: refuse it rather than print a gap in a letter. */
export function assertLetterComplete(letter: LetterDocument): void {
  for (const field of TEXT_FIELDS) {
    if (letter[field].trim() === '') throw new Error(`letter.${field} is empty`);
  }
  if (letter.documentNumber != null && letter.documentNumber.trim() === '') throw new Error('letter.documentNumber is empty');
  if (letter.transition != null && letter.transition.trim() === '') throw new Error('letter.transition is empty');
  for (const field of PARAGRAPH_FIELDS) {
    letter[field].forEach((paragraph, index) => {
      if (paragraph.trim() === '') throw new Error(`letter.${field}.${index} is empty`);
    });
  }
  if (bodyParagraphs(letter).length === 0) throw new Error('letter has no body: recital, decision and the rest are all empty');
}

/**
 * The instant of the letter's 成文日期 (midnight, Beijing time), from `二〇二六年十一月二十八日` or `2026年11月28日`. Both
 * formats stamp their files with it instead of the clock, so rendering a letter again gives the same bytes.
 */
export function letterDateInstant(letter: Pick<LetterDocument, 'date'>): Date {
  const date = isoDateOfWrittenDate(letter.date);
  if (date === undefined) throw new Error('letter.date is not a date written out as 二〇二六年十一月二十八日');
  return new Date(beijingTimeOnMs(date, '00:00'));
}

// ---------------------------------------------------------------------------------------------------------------- DOCX

export interface DocxRenderOptions {
  /** The body font by name (not embedded: the reader's machine supplies it). Default 仿宋_GB2312. */
  bodyFont?: string;
  /** The title font by name. Default 方正小标宋简体. */
  titleFont?: string;
}

const twips = (points: number) => Math.round(points * TWIPS_PER_POINT);
const halfPoints = (points: number) => Math.round(points * 2);
// 28 characters a line by squeezing each 三号 character a quarter point (Word's spacing is in twentieths of a point),
// not by Word's character grid (docGrid linesAndChars, charSpace −849): LibreOffice and WPS lay that grid out as
// wider cells, and a grid-less page with exact line spacing looks the same everywhere.
const BODY_CHARACTER_SPACING = Math.floor((LETTER_LAYOUT.charPitch - LETTER_LAYOUT.bodySize) * TWIPS_PER_POINT);
const charsToTwips = (chars: number) => twips(chars * LETTER_LAYOUT.charPitch);

/** Width in grid characters: a CJK character or full-width mark is one, ASCII half. */
function gridWidth(text: string): number {
  let width = 0;
  for (const char of text) width += (char.codePointAt(0) ?? 0) < 0x2e80 ? 0.5 : 1;
  return width;
}

// Neither 仿宋_GB2312 nor 方正小标宋简体 (nor the 方正 _GBK faces many Jiangsu agencies use) ships with Windows or Office.
// The font table names a substitute Word takes when the named font is missing (w:altName) and the GB2312 character
// set (86) its fallback matching goes by.
const FONT_SUBSTITUTES: Record<string, string> = {
  '仿宋_GB2312': '仿宋',
  '方正仿宋_GBK': '仿宋',
  方正小标宋简体: '宋体',
  '方正小标宋_GBK': '宋体',
  仿宋: 'FangSong',
  宋体: 'SimSun',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fontTableXml(fonts: { name: string; substitute: string | undefined }[]): string {
  const entries = fonts.map(({ name, substitute }) =>
    [
      `<w:font w:name="${escapeXml(name)}">`,
      substitute == null ? '' : `<w:altName w:val="${escapeXml(substitute)}"/>`,
      '<w:charset w:val="86"/><w:family w:val="auto"/>',
      '<w:pitch w:val="variable"/></w:font>',
    ].join(''),
  );
  const namespace = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="${namespace}">${entries.join('')}</w:fonts>`;
}

function corePropertiesXml(title: string, created: Date): string {
  const stamp = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ',
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ',
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    `<dc:title>${escapeXml(title)}</dc:title><dc:creator>gongkai</dc:creator>`,
    `<dcterms:created xsi:type="dcterms:W3CDTF">${stamp}</dcterms:created>`,
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${stamp}</dcterms:modified>`,
    '</cp:coreProperties>',
  ].join('');
}

/**
 * docx zips every part with the clock's time; overwrite each entry's DOS date and time (local header and central
 * directory) with the letter's date. They are outside the CRC, so the archive stays valid.
 */
function stampZipEntries(zip: Buffer, date: Date): Buffer {
  const beijing = new Date(date.getTime() + 8 * 3_600_000);
  const dosDate = ((beijing.getUTCFullYear() - 1980) << 9) | ((beijing.getUTCMonth() + 1) << 5) | beijing.getUTCDate();
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error('docx produced no ZIP end-of-directory record');
  const entries = zip.readUInt16LE(endOfDirectory + 10);
  let offset = zip.readUInt32LE(endOfDirectory + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('docx produced an unreadable ZIP central directory');
    zip.writeUInt16LE(0, offset + 12);
    zip.writeUInt16LE(dosDate, offset + 14);
    const localHeader = zip.readUInt32LE(offset + 42);
    zip.writeUInt16LE(0, localHeader + 10);
    zip.writeUInt16LE(dosDate, localHeader + 12);
    offset += 46 + zip.readUInt16LE(offset + 28) + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return zip;
}

/** The letter as a Word document (A4, GB/T 9704 margins, 22 lines of 28, fonts by name). Same letter, same bytes. */
export async function renderDocx(letter: LetterDocument, options: DocxRenderOptions = {}): Promise<Buffer> {
  assertLetterComplete(letter);
  const created = letterDateInstant(letter);
  const bodyFont = options.bodyFont ?? '仿宋_GB2312';
  const titleFont = options.titleFont ?? '方正小标宋简体';
  const pageNumberFont = '宋体';
  const runFont = (name: string) => ({ ascii: name, hAnsi: name, eastAsia: name, cs: name, hint: 'eastAsia' });
  const exactLines = { line: twips(LETTER_LAYOUT.linePitch), lineRule: LineRuleType.EXACT, before: 0, after: 0 };

  const paragraph = (text: string, extra: IParagraphOptions = {}, run: IRunOptions = {}) =>
    new Paragraph({ spacing: exactLines, ...extra, children: [new TextRun({ text, ...run })] });
  const blank = () => new Paragraph({ spacing: exactLines, children: [] });
  const titleRun: IRunOptions = { font: runFont(titleFont), size: halfPoints(LETTER_LAYOUT.titleSize) };
  const indentFirstLine = { firstLine: charsToTwips(2), firstLineChars: 200 };

  const title = titleLines(letter, (text) => gridWidth(text) * LETTER_LAYOUT.titleSize <= textWidthPoints);
  const children: Paragraph[] = [
    new Paragraph({
      spacing: exactLines,
      alignment: AlignmentType.CENTER,
      keepNext: true,
      children: title.map((text, index) => new TextRun({ text, break: index === 0 ? undefined : 1, ...titleRun })),
    }),
  ];
  if (letter.documentNumber != null) {
    children.push(paragraph(letter.documentNumber, { alignment: AlignmentType.CENTER, keepNext: true }));
  }
  children.push(blank(), paragraph(letter.salutation));
  for (const text of bodyParagraphs(letter)) {
    children.push(paragraph(text, { alignment: AlignmentType.JUSTIFIED, indent: indentFirstLine }));
  }

  const attachments = attachmentLabels(letter);
  if (attachments.length > 0) {
    // Lines after the first of each entry hang under the attachment's name, past `附件：` and its number.
    const numberChars = Math.max(...attachments.map((a) => gridWidth(a.number)));
    const nameStart = charsToTwips(2 + 3 + numberChars);
    children.push(blank());
    attachments.forEach(({ number, title }, index) => {
      const lead = index === 0 ? '附件：' : '';
      const hanging = nameStart - charsToTwips(index === 0 ? 2 : 5);
      const runs = [
        new TextRun({ text: `${lead}${number}` }),
        ...(number === '' ? [] : [new TextRun({ children: [new Tab()] })]),
        new TextRun({ text: title }),
      ];
      const tabStops = [{ type: 'left' as const, position: nameStart }];
      children.push(new Paragraph({ spacing: exactLines, indent: { left: nameStart, hanging }, tabStops, children: runs }));
    });
  }

  // §7.3.5.1: the agency's name centred over the date, the date four characters in from the right.
  const dateRightIndent = 4;
  const centredOverDate = (text: string) => ({
    right: charsToTwips(Math.max(0, dateRightIndent + (gridWidth(letter.date) - gridWidth(text)) / 2)),
  });
  const right = AlignmentType.RIGHT;
  children.push(
    blank(),
    paragraph(letter.agency, { alignment: right, indent: centredOverDate(letter.agency), keepNext: true, keepLines: true }),
    paragraph(letter.sealPlaceholder, { alignment: right, indent: centredOverDate(letter.sealPlaceholder), keepNext: true }),
    paragraph(letter.date, { alignment: right, indent: { right: charsToTwips(dateRightIndent) } }),
  );

  const pageNumberFooter = (alignment: 'left' | 'right') =>
    new Footer({
      children: [
        new Paragraph({
          alignment: alignment === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
          indent: alignment === 'right' ? { right: charsToTwips(1) } : { left: charsToTwips(1) },
          children: [
            new TextRun({
              children: ['— ', PageNumber.CURRENT, ' —'],
              font: runFont(pageNumberFont),
              size: halfPoints(LETTER_LAYOUT.pageNumberSize),
            }),
          ],
        }),
      ],
    });

  const document = new Document({
    title: letter.title,
    creator: 'gongkai',
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: {
            font: runFont(bodyFont),
            size: halfPoints(LETTER_LAYOUT.bodySize),
            characterSpacing: BODY_CHARACTER_SPACING,
            language: { value: 'en-US', eastAsia: 'zh-CN' },
          },
          paragraph: { spacing: exactLines },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: twips(LETTER_LAYOUT.pageWidth), height: twips(LETTER_LAYOUT.pageHeight) },
            margin: {
              top: twips(LETTER_LAYOUT.marginTop),
              left: twips(LETTER_LAYOUT.marginLeft),
              right: twips(LETTER_LAYOUT.marginRight),
              bottom: twips(LETTER_LAYOUT.marginBottom),
              header: twips(mmToPoints(15)),
              // The footer's baseline just under the dash line 7 mm below the 版心.
              footer: twips(LETTER_LAYOUT.marginBottom - LETTER_LAYOUT.pageNumberGap - LETTER_LAYOUT.pageNumberSize * 1.2),
            },
          },
        },
        footers: { default: pageNumberFooter('right'), even: pageNumberFooter('left') },
        children,
      },
    ],
  });

  const fonts = [...new Set([bodyFont, titleFont, pageNumberFont])].map((name) => ({
    name,
    substitute: FONT_SUBSTITUTES[name],
  }));
  const zip = await Packer.toBuffer(document, false, [
    { path: 'docProps/core.xml', data: corePropertiesXml(letter.title, created) },
    { path: 'word/fontTable.xml', data: fontTableXml(fonts) },
  ]);
  return stampZipEntries(zip, created);
}

// ----------------------------------------------------------------------------------------------------------------- PDF

/** A font file; a collection (.ttc) also needs the face's PostScript name. */
export interface PdfFontFile {
  path: string;
  postscriptName?: string;
}

export interface PdfRenderOptions {
  /** The agency's body font (仿宋_GB2312 or a licensed equivalent): a file path, or a face of a collection. */
  fontPath?: string | PdfFontFile;
  /** The title font (方正小标宋简体). Default: `fontPath` when given, else Noto Serif CJK SC Bold. */
  titleFontPath?: string | PdfFontFile;
}

/** Debian's fonts-noto-cjk: no free 仿宋 exists, and the Serif (宋) face is closer to it than the Sans. */
export const DEFAULT_PDF_FONTS = {
  body: { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', postscriptName: 'NotoSerifCJKsc-Regular' },
  title: { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc', postscriptName: 'NotoSerifCJKsc-Bold' },
} as const satisfies Record<string, PdfFontFile>;

// The Noto collections are 20–30 MB, and parsing a CJK face's tables costs as much as laying out and subsetting a
// whole letter: read and parse each face once per process, not once per letter (a font file replaced on disk is seen
// after a restart). pdfkit subsets the parsed face afresh for each document, so a letter's bytes do not change.
const parsedFaces = new Map<string, fontkit.Font>();

function loadFont(font: PdfFontFile, option: string): fontkit.Font {
  const key = `${font.path}\0${font.postscriptName ?? ''}`;
  const cached = parsedFaces.get(key);
  if (cached != null) return cached;
  if (!existsSync(font.path)) {
    const hint = option === 'default' ? "install Debian's fonts-noto-cjk, or give the agency's font file" : `check ${option}`;
    throw new Error(`PDF font file not found: ${font.path} (${hint})`);
  }
  const data = readFileSync(font.path);
  if (font.postscriptName == null && data.subarray(0, 4).toString('latin1') === 'ttcf') {
    throw new Error(`PDF font file ${font.path} is a font collection (${option}): name the face by its PostScript name`);
  }
  let parsed: fontkit.Font;
  try {
    const created = fontkit.create(data, font.postscriptName);
    if (created == null || !('layout' in created)) throw new Error('no such face in the file');
    // fontkit reads a face's tables lazily: read those pdfkit needs now, so a damaged file fails here, named.
    created.createSubset();
    created.layout('政府信息公开');
    parsed = created;
  } catch (err) {
    const face = font.postscriptName == null ? '' : ` (face ${font.postscriptName})`;
    throw new Error(`PDF font file ${font.path}${face} cannot be used (${option}): ${(err as Error).message}`, { cause: err });
  }
  parsedFaces.set(key, parsed);
  return parsed;
}

const asFontFile = (font: string | PdfFontFile): PdfFontFile => (typeof font === 'string' ? { path: font } : font);

function registerFont(doc: PDFKit.PDFDocument, alias: string, font: PdfFontFile, option: string): void {
  // pdfkit takes a parsed fontkit face as well as a file's bytes (PDFFontFactory.open); its typings know only the bytes.
  doc.registerFont(alias, loadFont(font, option) as unknown as Buffer);
}

/** The letter as a PDF (A4, GB/T 9704 margins, 22 lines of 28), its CJK font embedded as a subset. Same letter, same bytes. */
export async function renderPdf(letter: LetterDocument, options: PdfRenderOptions = {}): Promise<Buffer> {
  assertLetterComplete(letter);
  const created = letterDateInstant(letter);
  const L = LETTER_LAYOUT;
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: L.marginTop, left: L.marginLeft, right: L.marginRight, bottom: L.marginBottom },
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: letter.title, Creator: 'gongkai', Producer: 'gongkai (PDFKit)', CreationDate: created, ModDate: created },
  });
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  try {
    const body = options.fontPath == null ? DEFAULT_PDF_FONTS.body : asFontFile(options.fontPath);
    const bodyOption = options.fontPath == null ? 'default' : 'fontPath';
    if (options.titleFontPath != null) registerFont(doc, 'title', asFontFile(options.titleFontPath), 'titleFontPath');
    else if (options.fontPath != null) registerFont(doc, 'title', body, bodyOption);
    else registerFont(doc, 'title', DEFAULT_PDF_FONTS.title, 'default');
    registerFont(doc, 'body', body, bodyOption);
    layOutPdf(doc, letter);
  } catch (err) {
    doc.end();
    await finished.catch(() => undefined);
    throw err;
  }
  doc.end();
  return finished;
}

function layOutPdf(doc: PDFKit.PDFDocument, letter: LetterDocument): void {
  const L = LETTER_LAYOUT;
  const left = L.marginLeft;
  const width = textWidthPoints;
  // Every line advances one grid pitch whatever the font's own ascent and descent; characters are squeezed to 28 a
  // line. pdfkit breaks lines by UAX #14, so it breaks between ideographs and never puts a closing mark at a line start.
  const gapFor = (size: number) => {
    doc.fontSize(size);
    return L.linePitch - doc.currentLineHeight(true);
  };
  const bodyText = { width, lineGap: 0, characterSpacing: L.charPitch - L.bodySize };
  const setBody = () => {
    doc.font('body');
    bodyText.lineGap = gapFor(L.bodySize);
  };
  const blankLine = () => {
    doc.y += L.linePitch;
  };
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensureLines = (lines: number) => {
    if (doc.y + (lines - 1) * L.linePitch + doc.currentLineHeight(true) > bottom()) doc.addPage();
  };

  doc.font('title').fontSize(L.titleSize);
  const title = titleLines(letter, (text) => doc.widthOfString(text) <= width);
  // One call per line: pdfkit would measure a line ending in '\n' with the newline's glyph and centre it off.
  doc.y = L.marginTop;
  const titleGap = gapFor(L.titleSize);
  for (const line of title) doc.text(line, left, doc.y, { width, align: 'center', lineGap: titleGap });
  setBody();
  if (letter.documentNumber != null) doc.text(letter.documentNumber, left, doc.y, { ...bodyText, align: 'center' });
  blankLine();
  doc.text(letter.salutation, left, doc.y, bodyText);
  for (const paragraph of bodyParagraphs(letter)) {
    doc.text(paragraph, left, doc.y, { ...bodyText, indent: 2 * L.charPitch, align: 'justify' });
  }

  const attachments = attachmentLabels(letter);
  if (attachments.length > 0) {
    blankLine();
    const label = '附件：';
    const labelX = left + 2 * L.charPitch;
    const numberX = labelX + doc.widthOfString(label, bodyText) + bodyText.characterSpacing;
    const numberWidths = attachments.map((a) => (a.number === '' ? 0 : doc.widthOfString(`${a.number} `, bodyText)));
    const numberWidth = Math.max(...numberWidths);
    const nameX = numberX + numberWidth;
    attachments.forEach(({ number, title }, index) => {
      ensureLines(1);
      const y = doc.y;
      if (index === 0) doc.text(label, labelX, y, { ...bodyText, width: undefined, lineBreak: false });
      if (number !== '') doc.text(number, numberX, y, { ...bodyText, width: undefined, lineBreak: false });
      doc.text(title, nameX, y, { ...bodyText, width: left + width - nameX });
    });
  }

  // §7.3.5.1: the agency's name centred over the date, the date four characters in from the right; kept on one page.
  blankLine();
  ensureLines(3);
  const right = left + width;
  const dateWidth = doc.widthOfString(letter.date, bodyText);
  const dateX = right - 4 * L.charPitch - dateWidth;
  const centreX = dateX + dateWidth / 2;
  for (const line of [letter.agency, letter.sealPlaceholder, letter.date]) {
    const lineWidth = doc.widthOfString(line, bodyText);
    if (lineWidth >= width) {
      doc.text(line, left, doc.y, { ...bodyText, align: 'right' });
      continue;
    }
    const x = line === letter.date ? dateX : Math.min(right - lineWidth, Math.max(left, centreX - lineWidth / 2));
    const y = doc.y;
    doc.text(line, x, y, { ...bodyText, width: undefined, lineBreak: false });
    doc.y = y + L.linePitch; // pdfkit advances only lines it wraps
  }

  addPageNumbers(doc);
}

/** §7.5: `— N —` in 四号, 7 mm below the 版心; odd pages one character in from the right, even pages from the left. */
function addPageNumbers(doc: PDFKit.PDFDocument): void {
  const L = LETTER_LAYOUT;
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    const pageNumber = index + 1;
    const text = `— ${pageNumber} —`;
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing below the bottom margin would otherwise start a new page
    doc.font('body').fontSize(L.pageNumberSize);
    const textWidth = doc.widthOfString(text);
    const oneCharacter = L.pageNumberSize;
    const x = pageNumber % 2 === 1 ? doc.page.width - L.marginRight - oneCharacter - textWidth : L.marginLeft + oneCharacter;
    doc.text(text, x, doc.page.height - L.marginBottom + L.pageNumberGap, { lineBreak: false });
    doc.page.margins.bottom = savedBottom;
  }
}
