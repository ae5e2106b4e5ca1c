import { join } from 'node:path';
import { isNumberedLetterType, isReplyLetterType, type LetterDocument, type LetterType } from '../../domain/letters';
import { parseOrThrow } from '../../domain/validation';
import { renderSections, TemplateError, TEMPLATES_DIR } from '../render';
import { LETTER_CONTEXT_SCHEMAS, type LetterContext } from './schemas';

// A letter is rendered from `letters/<type>.hbs`: one section per element of the LetterDocument, in the model's
// order, each line of a section one paragraph. The DOCX and PDF renderers lay the document out; letterText is the
// plain text for email.

export const LETTER_TEMPLATES_DIR = join(TEMPLATES_DIR, 'letters');

/** The sections of a letter template: the LetterDocument's elements, in its order. */
export const LETTER_SECTIONS = [
  'title',
  'documentNumber',
  'salutation',
  'recital',
  'transition',
  'decision',
  'legalBasis',
  'provision',
  'remedy',
  'agency',
  'sealPlaceholder',
  'date',
  'attachments',
] as const satisfies readonly Exclude<keyof LetterDocument, 'letterType'>[];
type LetterSection = (typeof LETTER_SECTIONS)[number];

export const letterTemplateFile = (type: LetterType, dir: string = LETTER_TEMPLATES_DIR): string => join(dir, `${type}.hbs`);

/**
 * The letter of `type` from its context: the context is checked against the type's schema (a missing or malformed
 * field is an error naming it), then every section rendered strict from `dir` (default: the shipped templates).
 */
export function renderLetter<T extends LetterType>(type: T, context: LetterContext<T>, dir: string = LETTER_TEMPLATES_DIR): LetterDocument {
  const data: unknown = parseOrThrow(LETTER_CONTEXT_SCHEMAS[type], context, `Letter ${type}`);
  const sections = renderSections(letterTemplateFile(type, dir), LETTER_SECTIONS, data, {
    partialsDir: join(dir, 'partials'),
    baseDir: dir,
  });
  const problem = (section: LetterSection, message: string) => new TemplateError(`${type}.hbs, section ${section}: ${message}`);

  const paragraphs = (section: LetterSection): string[] =>
    (sections.get(section) ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  const optionalLine = (section: LetterSection): string | null => {
    const lines = paragraphs(section);
    if (lines.length > 1) throw problem(section, `one line expected, the template gives ${lines.length}`);
    return lines[0] ?? null;
  };
  const line = (section: LetterSection): string => {
    const value = optionalLine(section);
    if (value === null) throw problem(section, 'must not be empty');
    return value;
  };
  const nonEmpty = (section: LetterSection): string[] => {
    const lines = paragraphs(section);
    if (lines.length === 0) throw problem(section, 'must not be empty');
    return lines;
  };

  const documentNumber = optionalLine('documentNumber');
  if (documentNumber === null && isNumberedLetterType(type)) throw problem('documentNumber', 'a numbered letter needs its number');
  const transition = optionalLine('transition');
  if (transition === null && isReplyLetterType(type)) throw problem('transition', 'a reply needs its transition (现答复如下：)');
  return {
    letterType: type,
    title: line('title'),
    documentNumber,
    salutation: line('salutation'),
    recital: nonEmpty('recital'),
    transition,
    decision: nonEmpty('decision'),
    legalBasis: paragraphs('legalBasis'),
    provision: paragraphs('provision'),
    remedy: paragraphs('remedy'),
    agency: line('agency'),
    sealPlaceholder: line('sealPlaceholder'),
    date: line('date'),
    attachments: paragraphs('attachments'),
  };
}

/** Body paragraphs start two characters in, as on the printed letter. */
const INDENT = '\u3000\u3000';
const ATTACHMENTS_LABEL = '附件：';

/** `附件：说明` for one attachment; `附件：1. 甲` and `2. 乙` aligned beneath it for several (GB/T 9704 附件说明). */
export function attachmentLines(attachments: readonly string[]): string[] {
  if (attachments.length === 1) return [`${ATTACHMENTS_LABEL}${attachments[0] ?? ''}`];
  const hanging = '\u3000'.repeat(ATTACHMENTS_LABEL.length);
  return attachments.map((title, index) => `${index === 0 ? ATTACHMENTS_LABEL : hanging}${index + 1}. ${title}`);
}

/** The letter as plain text (the email body): every element in the model's order, one paragraph a line. */
export function letterText(doc: LetterDocument): string {
  const body = [
    ...doc.recital,
    ...(doc.transition === null ? [] : [doc.transition]),
    ...doc.decision,
    ...doc.legalBasis,
    ...doc.provision,
    ...doc.remedy,
  ];
  const lines = [
    doc.title,
    ...(doc.documentNumber === null ? [] : [doc.documentNumber]),
    '',
    doc.salutation,
    ...body.map((paragraph) => INDENT + paragraph),
    // GB/T 9704—2012 §7.3.4: the attachment note follows the body, before the signature block.
    ...(doc.attachments.length === 0 ? [] : ['', ...attachmentLines(doc.attachments)]),
    '',
    doc.agency,
    doc.sealPlaceholder,
    doc.date,
  ];
  return `${lines.join('\n')}\n`;
}
