import type { CapturedMailEntry } from '../../workers/mail-capture';
import type { CaseSpec } from './case-mix';

// The emails the SMTP server received, counted by the email ledger's key (each key has its own Message-ID): every
// expected email arrived, none twice — except in the one window the email ledger documents (activities/email.ts):
// the SMTP server accepted the message and the sender died, or the connection was cut, before the ledger said
// 'sent'. Then the next attempt sends it again under the same Message-ID.

export interface LedgerRow {
  email_key: string;
  case_number: string | null;
  kind: string;
  recipient: string;
  message_id: string;
  status: string;
  attempts: number;
  sent_at: string | null;
}

/** Where an email accepted by SMTP may not have been marked sent: the worker's kill, the SMTP server cutting off. */
export interface CrashWindow {
  name: string;
  /** The moment of the fault (epoch ms): the kill, or the SMTP server's stop. */
  at: number;
}

export interface ExplainedDuplicate {
  window: string;
  caseNumber: string;
  kind: string;
  messageId: string;
  /** How long before the fault the SMTP server accepted the first copy. */
  acceptedBeforeMs: number;
}

export interface EmailTally {
  expected: number;
  /** Every copy of a case email the server received. */
  received: number;
  /** Distinct Message-IDs among them. */
  distinct: number;
  duplicates: ExplainedDuplicate[];
  /** Emails about no case of the test (the daily digest, if its minute came). */
  others: number;
  problems: string[];
}

const multiset = (items: string[]): string => [...items].sort().join(' | ');

export function tallyEmails(
  specs: readonly CaseSpec[],
  emailOf: (userId: string) => string,
  ledger: readonly LedgerRow[],
  captured: readonly CapturedMailEntry[],
  windows: readonly CrashWindow[],
): EmailTally {
  const problems: string[] = [];
  const caseNumbers = new Set(specs.map((spec) => spec.caseNumber!));
  const rowsByCase = new Map<string, LedgerRow[]>();
  for (const row of ledger) if (row.case_number) rowsByCase.set(row.case_number, [...(rowsByCase.get(row.case_number) ?? []), row]);
  const rowByMessageId = new Map(ledger.map((row) => [row.message_id, row]));
  const copies = new Map<string, CapturedMailEntry[]>();
  for (const entry of captured) if (entry.messageId) copies.set(entry.messageId, [...(copies.get(entry.messageId) ?? []), entry]);

  let expected = 0;
  for (const spec of specs) {
    const caseNumber = spec.caseNumber!;
    // The ledger names staff by address and the applicant as 'applicant' (their address is personal data).
    const want = spec.expected.emails.map(({ to, kind }) => `${to === 'applicant' ? 'applicant' : emailOf(to)} ${kind}`);
    expected += want.length;
    const rows = rowsByCase.get(caseNumber) ?? [];
    const have = rows.map((row) => `${row.recipient} ${row.kind}`);
    if (multiset(have) !== multiset(want)) problems.push(`${caseNumber} (${spec.group.name}): ledger has [${multiset(have)}], expected [${multiset(want)}]`);
    for (const row of rows) {
      if (row.status !== 'sent') problems.push(`${caseNumber}: ${row.email_key} is '${row.status}' in the ledger (${row.attempts} attempts)`);
      const got = copies.get(row.message_id) ?? [];
      if (got.length === 0) problems.push(`${caseNumber}: ${row.email_key} lost: never received (${row.message_id})`);
      const address = row.recipient === 'applicant' ? spec.applicantEmail : row.recipient;
      for (const entry of got) if (entry.to.join(',') !== address) problems.push(`${caseNumber}: ${row.email_key} delivered to ${entry.to.join(',')}, not ${address}`);
    }
  }

  let received = 0;
  let distinct = 0;
  let others = 0;
  const duplicates: ExplainedDuplicate[] = [];
  for (const [messageId, entries] of copies) {
    const row = rowByMessageId.get(messageId);
    const namesCase = [...caseNumbers].some((caseNumber) => entries[0]!.subject?.includes(caseNumber));
    if (!row || !row.case_number || !caseNumbers.has(row.case_number)) {
      if (namesCase || row?.case_number) problems.push(`unexpected email ${messageId} '${entries[0]!.subject}' (${row ? row.email_key : 'not in the ledger'})`);
      else others += entries.length;
      continue;
    }
    received += entries.length;
    distinct += 1;
    if (entries.length === 1) continue;
    const [first, second] = entries.map((entry) => Date.parse(entry.receivedAt)).sort((a, b) => a - b);
    // Accepted before the fault, marked sent only after it (by a later attempt, which sent it again).
    const markedAt = row.sent_at ? Date.parse(row.sent_at) : Number.NaN;
    const window = windows.find((w) => first! <= w.at && second! >= w.at && markedAt >= w.at);
    if (entries.length === 2 && window && row.attempts >= 2) {
      duplicates.push({ window: window.name, caseNumber: row.case_number, kind: row.kind, messageId, acceptedBeforeMs: window.at - first! });
    } else {
      problems.push(`${row.email_key} received ${entries.length} times (${entries.map((e) => e.receivedAt).join(', ')}; ledger attempts ${row.attempts}), outside any crash window`);
    }
  }
  return { expected, received, distinct, duplicates, others, problems };
}
