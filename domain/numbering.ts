// How gongkai numbers things. Numbers are allocated by the register (gap-free, idempotent); these
// functions only say what a number looks like.

/** `LYG-ZFB-2026-000123`: readable, unique, no personal data — the workflow ID of the case. */
export function caseNumberOf(agencyCode: string, registrationYear: number, serial: number): string {
  return `${agencyCode}-${registrationYear}-${String(serial).padStart(6, '0')}`;
}

export const CASE_NUMBER_PATTERN = /^[A-Z][A-Z0-9-]{1,15}-\d{4}-\d{6}$/;

/** The agency code a case number starts with: `LYG-ZRZY-2026-000001` → `LYG-ZRZY`. */
export const agencyCodeOfCaseNumber = (caseNumber: string): string => caseNumber.replace(/-\d{4}-\d{6}$/, '');

/**
 * A document number (文号) in the agency's format: `连政办依复〔{year}〕{seq}号`, 2026, 7 → `连政办依复〔2026〕7号`
 * (GB/T 9704: full year, no leading zeros). Formats are validated with the configuration.
 */
export function formatDocumentNumber(format: string, year: number, sequence: number): string {
  if (!format.includes('{year}') || !format.includes('{seq}')) throw new RangeError('a document-number format needs both {year} and {seq}');
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError('year must have four digits');
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError('sequence must be a positive integer');
  return format.replace('{year}', String(year)).replace('{seq}', String(sequence));
}

/** Number series: one counter each, numbers within a series never repeat or skip. */
export const caseSeries = (agencyCode: string, year: number): string => `case:${agencyCode}:${year}`;
export const documentSeries = (agencyCode: string, year: number, documentType: string): string =>
  `document:${agencyCode}:${year}:${documentType}`;
