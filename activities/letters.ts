import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Application } from '../domain/application';
import type { ClockEvent } from '../domain/clock';
import type { IsoDate } from '../domain/dates';
import type { AgencyConfig } from '../domain/gongkai-config';
import type { DisclosureDecision } from '../domain/minimisation';
import { isOutcome, type ReplyDocumentType } from '../domain/outcomes';
import { InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import { RegisterError } from '../register/register';
import { buildLetterContext, type CaseHistoryFacts, type LetterFactsByType, type ReplyFacts } from '../templates/letters/builders';
import { letterText, renderLetter } from '../templates/letters/render-letter';
import { TemplateError } from '../templates/render';
import type { OutgoingEmail, SendOutcome } from './email';
import { renderDocx, renderPdf } from './letter-formats';

// The signed reply as the applicant receives it: its facts gathered from the case, rendered (PDF, DOCX, plain text),
// stored in the register under `<documentId>.pdf|.docx|.txt`, and delivered. Every step is idempotent by document id,
// so a retried activity stores and sends nothing twice.

/** One stored format of a letter, as the case view lists it: no personal data. */
export interface StoredFormat {
  documentId: string;
  mediaType: string;
  sha256: string;
  size: number;
}

/** What the workflow knows of the case that the reply recites (no personal data: the application comes from the register). */
export interface ReplyLetterInput {
  caseNumber: string;
  agencyCode: string;
  /** The signed reply's id (`<case>/reply/vN`), its type (domain/outcomes reply document) and number. */
  documentId: string;
  documentType: string;
  documentNumber: string;
  /** 成文日期: the day of sign-off. */
  date: IsoDate;
  outcome: string | null;
  decision: DisclosureDecision | null;
  receivedOn: IsoDate | null;
  replyDueExtended: IsoDate | null;
  clockEvents: ClockEvent[];
}

export type ReplyLetterResult = { status: 'produced'; formats: StoredFormat[] } | { status: 'not-produced'; reason: string };

export interface DeliverLetterInput {
  caseNumber: string;
  agencyCode: string;
  documentId: string;
  documentNumber: string;
  dispatchedOn: IsoDate;
}

export interface RecordLetterDeliveryInput {
  documentId: string;
  /** 交邮 date for post, 签收 date in person. */
  dispatchedOn: IsoDate;
  method: string;
}

const MEDIA_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain; charset=utf-8',
} as const;
type Extension = keyof typeof MEDIA_TYPES;
/** The formats listed on the case; the plain text is kept for the email body only. */
const LISTED_FORMATS: readonly Extension[] = ['pdf', 'docx'];

export const formatDocumentId = (documentId: string, extension: Extension): string => `${documentId}.${extension}`;

export interface LetterDeps {
  config: { agencies: readonly Pick<AgencyConfig, 'code' | 'name' | 'remedy' | 'outcomeRules' | 'deliveryAttachDocx'>[] };
  register: Pick<Register, 'storeDocument' | 'readDocument' | 'recordDelivery' | 'readCase'>;
  sendEmail: (email: OutgoingEmail) => Promise<SendOutcome>;
}

/** The case's events the reply recites: correction, extension, the first consultation of each kind. */
function historyFacts(input: ReplyLetterInput): CaseHistoryFacts {
  const events = input.clockEvents;
  const requested = events.find((e) => e.type === 'correction-requested');
  const received = events.filter((e) => e.type === 'correction-received').at(-1);
  const extension = events.find((e) => e.type === 'extension-approved');
  const consulted = (kind: string) => events.find((e) => e.type === 'consultation-started' && e.kind === kind);
  const thirdParty = consulted('third-party');
  const coMaker = consulted('co-maker');
  return {
    ...(requested && received ? { correction: { noticeSentOn: requested.on, receivedOn: received.on } } : {}),
    ...(extension && input.replyDueExtended ? { extension: { notifiedOn: extension.on, dueOn: input.replyDueExtended } } : {}),
    ...(thirdParty?.type === 'consultation-started' ? { thirdPartyConsultedOn: thirdParty.letterSentOn } : {}),
    ...(coMaker?.type === 'consultation-started' ? { coMakerConsultedOn: coMaker.letterSentOn } : {}),
  };
}

/** The reply types whose facts the case holds so far; the others are written by hand until their facts are recorded. */
const REPLY_FACTS: Partial<{ [T in ReplyDocumentType]: (base: ReplyFacts, application: Application, decision: DisclosureDecision | null) => LetterFactsByType[T] | string }> = {
  disclosure: (base, application) => ({ ...base, provision: application.provision }),
  'partial-disclosure': (base, application, decision) => (decision ? { ...base, items: decision.items, provision: application.provision } : 'decision'),
  'non-disclosure': (base, _application, decision) => (decision ? { ...base, items: decision.items } : 'decision'),
  'already-public': (base, _application, decision) => (decision ? { ...base, items: decision.items } : 'decision'),
  'not-held': (base, _application, decision) => {
    const item = decision?.items.find((i) => i.searchRecord !== undefined);
    if (!item?.searchRecord || item.reason === undefined) return 'decision.items.searchRecord';
    const { searchedOn, locations, keywords } = item.searchRecord;
    return { ...base, search: { searchedOn, places: locations, keywords }, reason: item.reason };
  },
};

export function createLetterActivities({ config, register, sendEmail }: LetterDeps) {
  /**
   * The register keeps one dispatch per stored document and refuses other dates: a second dispatch after a failed
   * delivery cannot be recorded there yet, and retrying cannot change that.
   */
  const recordDelivery = async (input: Parameters<Register['recordDelivery']>[0]): Promise<void> => {
    try {
      await register.recordDelivery(input);
    } catch (err) {
      if (err instanceof RegisterError) throw ApplicationFailure.nonRetryable(err.message, 'delivery-conflict');
      throw err;
    }
  };
  const agencyOf = (code: string) => {
    const agency = config.agencies.find((a) => a.code === code);
    if (!agency) throw ApplicationFailure.nonRetryable(`agencyCode: no agency ${code} in the configuration`, 'unknown-agency');
    return agency;
  };
  const applicationOf = async (caseNumber: string): Promise<Application> => {
    const stored = await register.readCase(caseNumber);
    if (!stored) throw new Error(`caseNumber: ${caseNumber} is not in the register`);
    return stored.application as Application;
  };

  /** Stores one format unless it is stored already (then the stored one stands). */
  const store = async (input: ReplyLetterInput, extension: Extension, content: Buffer): Promise<StoredFormat> => {
    const documentId = formatDocumentId(input.documentId, extension);
    const { sha256 } = await register.storeDocument({
      documentId,
      caseNumber: input.caseNumber,
      documentType: input.documentType,
      // The register holds each document number once (unique): the PDF, the format of record, carries it.
      documentNumber: extension === 'pdf' ? input.documentNumber : null,
      mediaType: MEDIA_TYPES[extension],
      content,
      createdAt: new Date().toISOString(),
    });
    return { documentId, mediaType: MEDIA_TYPES[extension], sha256, size: content.length };
  };

  return {
    /**
     * Renders the signed reply and stores it (PDF, DOCX, plain text). A reply whose facts the case does not hold, or
     * that its template refuses, is not produced (the reason names the field), so the case goes on without it.
     */
    async produceReplyLetter(input: ReplyLetterInput): Promise<ReplyLetterResult> {
      const stored = await Promise.all(LISTED_FORMATS.map((ext) => register.readDocument(formatDocumentId(input.documentId, ext))));
      if (stored.every((doc) => doc !== undefined)) {
        return {
          status: 'produced',
          formats: stored.map((doc, i) => ({ documentId: formatDocumentId(input.documentId, LISTED_FORMATS[i]!), mediaType: doc!.mediaType, sha256: doc!.sha256, size: doc!.content.length })),
        };
      }
      const type = input.documentType as ReplyDocumentType;
      const toFacts = REPLY_FACTS[type];
      if (!toFacts) return { status: 'not-produced', reason: `documentType: no facts mapping for ${type} yet` };
      if (!isOutcome(input.outcome)) return { status: 'not-produced', reason: 'outcome: the case has no outcome' };
      if (!input.receivedOn) return { status: 'not-produced', reason: 'receivedOn: the case has no receipt date' };
      const agency = agencyOf(input.agencyCode);
      const application = await applicationOf(input.caseNumber);
      const base: ReplyFacts = {
        agency: { name: agency.name, remedy: agency.remedy, outcomeRules: agency.outcomeRules },
        documentNumber: input.documentNumber,
        date: input.date,
        applicant: { type: application.applicant.type, name: application.applicant.name },
        requestedItems: application.requestedItems,
        receivedOn: input.receivedOn,
        outcome: input.outcome,
        ...(input.decision?.remedy ? { remedyClause: input.decision.remedy.kind } : {}),
        ...historyFacts(input),
      };
      const facts = toFacts(base, application, input.decision);
      if (typeof facts === 'string') return { status: 'not-produced', reason: `${facts}: missing for the ${type} reply` };
      let letter;
      try {
        letter = renderLetter(type, buildLetterContext(type, facts as never));
      } catch (err) {
        // Field names only: the facts' values may be personal data.
        if (err instanceof InvalidInputError) return { status: 'not-produced', reason: err.problems.map((p) => p.field).join(', ') };
        if (err instanceof TemplateError) return { status: 'not-produced', reason: err.message };
        throw err;
      }
      let pdf: Buffer;
      try {
        pdf = await renderPdf(letter);
      } catch (err) {
        // No CJK font on this worker (fonts-noto-cjk not installed, or an agency font path wrong): an operator's fix,
        // not the case's; the message names the file, never a value of the letter.
        if (err instanceof Error && /font/i.test(err.message)) return { status: 'not-produced', reason: `font: ${err.message}` };
        throw err;
      }
      const docx = await renderDocx(letter);
      await store(input, 'txt', Buffer.from(letterText(letter), 'utf8'));
      return { status: 'produced', formats: [await store(input, 'pdf', pdf), await store(input, 'docx', docx)] };
    },

    /**
     * Emails the stored reply to the applicant (PDF attached, DOCX too where the agency says so; the plain text as the
     * body) under the email ledger, then records the dispatch. A permanent rejection records nothing: staff see it
     * as undelivered and deliver it another way.
     */
    async deliverLetterByEmail(input: DeliverLetterInput): Promise<SendOutcome> {
      const agency = agencyOf(input.agencyCode);
      const application = await applicationOf(input.caseNumber);
      const to = application.contact.email;
      if (to === undefined) throw ApplicationFailure.nonRetryable('contact.email: the application gives no email address', 'no-email');
      const extensions: Extension[] = agency.deliveryAttachDocx ? ['pdf', 'docx'] : ['pdf'];
      const read = async (ext: Extension) => {
        const doc = await register.readDocument(formatDocumentId(input.documentId, ext));
        if (!doc) throw ApplicationFailure.nonRetryable(`${formatDocumentId(input.documentId, ext)}: not stored`, 'letter-not-stored');
        return doc;
      };
      const text = (await read('txt')).content.toString('utf8');
      const title = text.split('\n', 1)[0] ?? '';
      const fileName = `${title}（${input.documentNumber}）`;
      const attachments = await Promise.all(extensions.map(async (ext) => ({ filename: `${fileName}.${ext}`, contentType: MEDIA_TYPES[ext], content: (await read(ext)).content })));
      const outcome = await sendEmail({
        key: `${input.documentId}:delivery:email`,
        caseNumber: input.caseNumber,
        kind: 'reply-delivery',
        to,
        subject: fileName,
        text,
        attachments,
      });
      if (outcome === 'rejected') {
        log.warn('reply letter email rejected permanently', { caseNumber: input.caseNumber, documentId: input.documentId });
        return outcome;
      }
      for (const ext of LISTED_FORMATS) {
        await recordDelivery({ documentId: formatDocumentId(input.documentId, ext), dispatchedOn: input.dispatchedOn, method: 'email', deliveredOn: null });
      }
      return outcome;
    },

    /** Post (交邮 date) and others: the dispatch as staff entered it; in person the 签收 date is also the delivery. */
    async recordLetterDelivery(input: RecordLetterDeliveryInput): Promise<void> {
      const deliveredOn = input.method === 'in-person' ? input.dispatchedOn : null;
      for (const ext of LISTED_FORMATS) {
        const documentId = formatDocumentId(input.documentId, ext);
        if (await register.readDocument(documentId)) await recordDelivery({ documentId, dispatchedOn: input.dispatchedOn, method: input.method, deliveredOn });
      }
    },
  };
}

export type LetterActivities = ReturnType<typeof createLetterActivities>;
