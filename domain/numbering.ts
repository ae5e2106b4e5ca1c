// How gongkai numbers things. Numbers are allocated by the register (gap-free, idempotent); these
// functions only say what a number looks like.

/** `LYG-ZFB-2026-000123`: readable, unique, no personal data — the workflow ID of the case. */
export function caseNumberOf(agencyCode: string, registrationYear: number, serial: number): string {
  return `${agencyCode}-${registrationYear}-${String(serial).padStart(6, '0')}`;
}

export const CASE_NUMBER_PATTERN = /^[A-Z][A-Z0-9-]{1,15}-\d{4}-\d{6}$/;

/** A document number (文号) in the agency's format, e.g. `连政办依复〔{year}〕{seq}号` → `连政办依复〔2026〕12号`. */
export function formatDocumentNumber(format: string, year: number, seq: number): string {
  if (!format.includes('{year}') || !format.includes('{seq}')) {
    throw new RangeError('a document-number format needs both {year} and {seq}');
  }
  return format.replaceAll('{year}', String(year)).replaceAll('{seq}', String(seq));
}

/** Number series: one counter each, numbers within a series never repeat or skip. */
export const caseSeries = (agencyCode: string, year: number): string => `case:${agencyCode}:${year}`;
export const documentSeries = (agencyCode: string, year: number, documentType: string): string =>
  `document:${agencyCode}:${year}:${documentType}`;
