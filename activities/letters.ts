import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Application } from '../domain/application';
import { ACTION_PAYLOAD_SCHEMAS, type ActionPayload, isSupportedAction, outcomeOf, type SupportedAction } from '../domain/case-actions';
import { type LetterDocument, LETTER_TYPES, type NoticeLetterType } from '../domain/letters';
import type { ClockEvent } from '../domain/clock';
import type { IsoDate } from '../domain/dates';
import type { AgencyConfig } from '../domain/gongkai-config';
import type { DisclosureDecision, ItemDecision } from '../domain/minimisation';
import { isOutcome, OUTCOME_DEFINITIONS, type ReplyDocumentType } from '../domain/outcomes';
import { InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import { RegisterError } from '../register/register';
import { buildLetterContext, type CaseHistoryFacts, type LetterFactsByType, type ReplyFacts } from '../templates/letters/builders';
import { letterText, renderLetter } from '../templates/letters/render-letter';
import { TemplateError } from '../templates/render';
import type { OutgoingEmail, SendOutcome } from './email';
import { renderDocx, renderPdf } from './letter-formats';
import { countDocumentRendered } from './metrics';

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
  /** The act that settled a procedural outcome, as validated (absent in activities scheduled before it was passed). */
  outcomeAct?: RecordedActInput | null;
  /** The latest Art. 35 reasons request and answer and the fee notice, where the case had them. */
  recitedActs?: RecordedActInput[];
}

/** An act and its payload; checked again here against ACTION_PAYLOAD_SCHEMAS before a letter recites it. */
export interface RecordedActInput {
  action: string;
  payload: unknown;
}

export type LetterResult = { status: 'produced'; formats: StoredFormat[] } | { status: 'not-produced'; reason: string };

/** A procedural letter: the act that issued it and what of the case it states (the applicant's data is read from the register). */
export interface NoticeLetterInput {
  caseNumber: string;
  agencyCode: string;
  /** `<case>/<type>/<n>`; its number, or null for the receipt (not numbered). */
  documentId: string;
  documentType: string;
  documentNumber: string | null;
  /** The day the letter bears: the act's date, or the receipt's day of issue. */
  date: IsoDate;
  receivedOn: IsoDate | null;
  /** The act that issued it; absent for the receipt. */
  act?: RecordedActInput;
  /** For the notice of disclosure despite objection: the consultation's letter and the consultee's answer. */
  consultation?: RecordedActInput;
  opinion?: RecordedActInput;
  /** The reply deadline the receipt states, or the extended one the extension notice states. */
  dueOn?: IsoDate;
}

export interface DeliverLetterInput {
  caseNumber: string;
  agencyCode: string;
  documentId: string;
  /** Null for the receipt (not numbered). */
  documentNumber: string | null;
  dispatchedOn: IsoDate;
  /** The dispatch's place among this letter's dispatches: after a failed delivery, 2 and on (its own email key). */
  attempt?: number;
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

/** What a stored letter is filed under: its case, id, type and number (null for the receipt). */
type LetterIdentity = Pick<NoticeLetterInput, 'caseNumber' | 'documentId' | 'documentType' | 'documentNumber'>;

export interface LetterDeps {
  config: { agencies: readonly Pick<AgencyConfig, 'code' | 'name' | 'remedy' | 'outcomeRules' | 'deliveryAttachDocx'>[] };
  register: Pick<Register, 'storeDocument' | 'readDocument' | 'recordDelivery' | 'recordDeliveryFailed' | 'readCase'>;
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

/** An act of `action` among the recorded ones, its payload parsed again; undefined where there is none (or it no longer parses). */
function payloadOf<A extends SupportedAction>(acts: readonly (RecordedActInput | null | undefined)[], action: A): ActionPayload<A> | undefined {
  const act = acts.filter((a) => a?.action === action).at(-1);
  if (!act || !isSupportedAction(act.action)) return undefined;
  const parsed = ACTION_PAYLOAD_SCHEMAS[action].safeParse(act.payload);
  return parsed.success ? (parsed.data as ActionPayload<A>) : undefined;
}

type ScopeDecision = ActionPayload<'decide-scope'>['decision'];
type ProceduralSearch = Exclude<ActionPayload<'record-search'>, { result: 'found' }>;

/** What a reply's facts are gathered from besides the facts every reply shares. */
interface FactSources {
  application: Application;
  decision: DisclosureDecision | null;
  clockEvents: readonly ClockEvent[];
  /** The act that settled the case's outcome (only when it settles that outcome). */
  outcomeAct: RecordedActInput | undefined;
  recitedActs: readonly RecordedActInput[];
  /** The earlier case's reply (Art. 36(6)), from the register: its date and number where it has them. */
  earlierReply: (caseNumber: string) => Promise<{ earlierRepliedOn?: IsoDate; earlierReplyNumber?: string }>;
}

type FactsOrMissing<T extends ReplyDocumentType> = LetterFactsByType[T] | string;
type FactsMapper<T extends ReplyDocumentType> = (base: ReplyFacts, sources: FactSources) => FactsOrMissing<T> | Promise<FactsOrMissing<T>>;

/** The 该不该 decision of the outcome act, where it is `decision`. */
function scopeDecision<D extends ScopeDecision>(sources: FactSources, decision: D): Extract<ActionPayload<'decide-scope'>, { decision: D }> | undefined {
  const scope = payloadOf([sources.outcomeAct], 'decide-scope');
  return scope?.decision === decision ? (scope as Extract<ActionPayload<'decide-scope'>, { decision: D }>) : undefined;
}

function searchOutcome<R extends ProceduralSearch['result']>(sources: FactSources, result: R): Extract<ProceduralSearch, { result: R }> | undefined {
  const search = payloadOf([sources.outcomeAct], 'record-search');
  return search?.result === result ? (search as Extract<ProceduralSearch, { result: R }>) : undefined;
}

/** The disclosure decision's item answering with `outcome` and the reason told to the applicant (Arts. 36(3)–(7), 38, 39). */
function itemAnswering(sources: FactSources, outcome: string): (ItemDecision & { reason: string }) | undefined {
  const item = sources.decision?.items.find((i) => i.outcome === outcome && i.reason !== undefined);
  return item as (ItemDecision & { reason: string }) | undefined;
}

/**
 * A reply answering from its 该不该 decision — or, where the disclosure decision reached the outcome for an item
 * instead, from that item's reason (`fromItem`, for replies whose facts an item decision holds).
 */
const fromScope =
  <D extends ScopeDecision, T extends ReplyDocumentType>(
    decision: D,
    facts: (base: ReplyFacts, scope: Extract<ActionPayload<'decide-scope'>, { decision: D }>) => LetterFactsByType[T],
    fromItem?: (base: ReplyFacts, item: ItemDecision & { reason: string }) => LetterFactsByType[T],
  ): FactsMapper<T> =>
  (base, sources) => {
    const scope = scopeDecision(sources, decision);
    if (scope) return facts(base, scope);
    const item = fromItem ? itemAnswering(sources, decision) : undefined;
    return item && fromItem ? fromItem(base, item) : 'outcomeAct.decide-scope';
  };

/** The reply stating only a reason: from the 该不该 decision, or from an item decided so. */
const reasonOnly = <D extends 'petition-or-complaint' | 'confirm-or-reissue' | 'other-handling'>(decision: D): FactsMapper<D> =>
  fromScope<D, D>(decision, (base, scope) => ({ ...base, reason: (scope as { reason: string }).reason }), (base, { reason }) => ({ ...base, reason }));

/**
 * Each reply's facts from the case: the disclosure decision, or the act that settled a procedural outcome and the
 * acts it recites. A fact the case does not hold is named instead (the reply is then not produced); optional facts
 * nobody records (another agency's contact, the petition channel) are left out, and the template words it without them.
 */
const REPLY_FACTS: { [T in ReplyDocumentType]: FactsMapper<T> } = {
  disclosure: (base, { application }) => ({ ...base, provision: application.provision }),
  'partial-disclosure': (base, { application, decision }) => (decision ? { ...base, items: decision.items, provision: application.provision } : 'decision'),
  'non-disclosure': (base, { decision }) => (decision ? { ...base, items: decision.items } : 'decision'),
  'already-public': (base, { decision }) => (decision ? { ...base, items: decision.items } : 'decision'),
  'not-held': (base, sources) => {
    const searched = searchOutcome(sources, 'not-held');
    if (searched) return { ...base, search: { searchedOn: searched.searchedOn, places: searched.places, keywords: searched.keywords }, reason: searched.reason };
    const item = sources.decision?.items.find((i) => i.searchRecord !== undefined);
    if (!item?.searchRecord || item.reason === undefined) return 'decision.items.searchRecord';
    const { searchedOn, locations, keywords } = item.searchRecord;
    return { ...base, search: { searchedOn, places: locations, keywords }, reason: item.reason };
  },
  'requires-creation': (base, sources) => {
    const searched = searchOutcome(sources, 'requires-creation');
    if (searched) return { ...base, search: { searchedOn: searched.searchedOn, places: searched.places, keywords: searched.keywords }, reason: searched.reason };
    const item = itemAnswering(sources, 'requires-creation');
    if (!item?.searchRecord) return 'outcomeAct.record-search';
    const { searchedOn, locations, keywords } = item.searchRecord;
    return { ...base, search: { searchedOn, places: locations, keywords }, reason: item.creationFinding?.reason ?? item.reason };
  },
  'unclear-after-correction': (base, sources) => {
    const finding = payloadOf([sources.outcomeAct], 'record-completeness-finding');
    if (finding?.finding !== 'unclear-after-correction') return 'outcomeAct.record-completeness-finding';
    // The finding is refused without a received correction, so the case recites both dates (historyFacts).
    if (!base.correction) return 'clockEvents.correction-received';
    return { ...base, correction: base.correction, reason: finding.reason };
  },
  'not-corrected': (base, sources) => {
    const requested = sources.clockEvents.filter((e) => e.type === 'correction-requested').at(-1);
    if (requested?.type !== 'correction-requested') return 'clockEvents.correction-requested';
    if (requested.applicantDueOn === undefined) return 'clockEvents.correction-requested.applicantDueOn';
    return { ...base, correctionNotice: { sentOn: requested.on, dueOn: requested.applicantDueOn } };
  },
  'special-access-regime': fromScope('special-access-regime', (base, { law, reason }) => ({ ...base, law, reason })),
  'not-this-agency': fromScope('not-this-agency', (base, { responsibleAgency, reason }) => ({ ...base, responsibleAgency, reason }), (base, { reason }) => ({ ...base, reason })),
  'petition-or-complaint': reasonOnly('petition-or-complaint'),
  publication: fromScope('publication', (base, { howToObtain }) => ({ ...base, howToObtain })),
  'confirm-or-reissue': reasonOnly('confirm-or-reissue'),
  'other-handling': reasonOnly('other-handling'),
  'repeat-request': async (base, sources) => {
    const scope = scopeDecision(sources, 'repeat-request');
    if (!scope) return 'outcomeAct.decide-scope';
    return { ...base, ...(await sources.earlierReply(scope.earlierCaseNumber)), reason: scope.reason };
  },
  'excessive-requests': (base, sources) => {
    const scope = scopeDecision(sources, 'excessive-requests');
    if (!scope) return 'outcomeAct.decide-scope';
    const requested = payloadOf(sources.recitedActs, 'request-reasons');
    if (!requested) return 'recitedActs.request-reasons.sentOn';
    const received = payloadOf(sources.recitedActs, 'record-reasons-received');
    return { ...base, reasonsRequestedOn: requested.sentOn, ...(received ? { reasonsReceivedOn: received.receivedOn } : {}), reason: scope.reason };
  },
  'fee-not-paid': (base, sources) => {
    if (!payloadOf([sources.outcomeAct], 'record-fee-lapsed')) return 'outcomeAct.record-fee-lapsed';
    const notice = payloadOf(sources.recitedActs, 'send-fee-notice');
    if (!notice) return 'recitedActs.send-fee-notice';
    return { ...base, feeNotice: { sentOn: notice.sentOn, amountYuan: notice.amountYuan, paymentDueOn: notice.paymentDueOn } };
  },
  withdrawn: (base, sources) => {
    const withdrawal = payloadOf([sources.outcomeAct], 'record-withdrawal');
    if (!withdrawal) return 'outcomeAct.record-withdrawal';
    return { ...base, withdrawnOn: withdrawal.withdrawnOn, reason: withdrawal.reason };
  },
};

type NoticeFacts<T extends NoticeLetterType> = LetterFactsByType[T] | string;
interface NoticeSources {
  input: NoticeLetterInput;
  application: Application;
  /** Agency, number and date: what every letter has. */
  header: { agency: ReplyFacts['agency']; documentNumber: string; date: IsoDate };
  receivedOn: IsoDate;
}

/** The letter to the applicant: the header and the request as received. */
const toApplicant = ({ header, application, receivedOn }: NoticeSources) => ({
  ...header,
  applicant: { type: application.applicant.type, name: application.applicant.name },
  requestedItems: application.requestedItems,
  receivedOn,
});

/** The consultee a consultation letter names, where the act named one (acts recorded before letters did not). */
function consulteeOf(act: ActionPayload<'start-third-party-consultation'> | undefined): { type: Application['applicant']['type']; name: string } | string {
  if (!act?.consulteeName) return 'act.consulteeName';
  if (!act.consulteeType) return 'act.consulteeType';
  return { type: act.consulteeType, name: act.consulteeName };
}

/** Each notice's facts from the act that issued it; a fact the act does not hold is named instead. */
const NOTICE_FACTS: { [T in NoticeLetterType]: (sources: NoticeSources) => NoticeFacts<T> } = {
  receipt: (sources) => {
    if (!sources.input.dueOn) return 'dueOn';
    return { ...toApplicant(sources), caseNumber: sources.input.caseNumber, channel: sources.application.channel.kind, replyDueOn: sources.input.dueOn };
  },
  'correction-notice': (sources) => {
    const act = payloadOf([sources.input.act], 'request-correction');
    return act ? { ...toApplicant(sources), itemsToCorrect: act.itemsToCorrect, dueOn: act.applicantDueOn } : 'act.request-correction';
  },
  'reasons-request': (sources) => {
    const act = payloadOf([sources.input.act], 'request-reasons');
    if (!act?.finding) return 'act.finding';
    return { ...toApplicant(sources), finding: act.finding, ...(act.reasonsDueOn ? { reasonsDueOn: act.reasonsDueOn } : {}) };
  },
  'extension-notice': (sources) => {
    const act = payloadOf([sources.input.act], 'approve-extension');
    if (act?.decision !== 'approve') return 'act.approve-extension';
    if (!sources.input.dueOn) return 'dueOn';
    return { ...toApplicant(sources), reason: act.reason, workingDays: act.workingDays, approvedOn: act.approvedOn, dueOn: sources.input.dueOn };
  },
  'third-party-consultation': ({ input, header, receivedOn }) => {
    const act = payloadOf([input.act], 'start-third-party-consultation');
    const thirdParty = consulteeOf(act);
    if (typeof thirdParty === 'string') return thirdParty;
    if (!act?.interest) return 'act.interest';
    return { ...header, thirdParty, receivedOn, about: act.about, interest: act.interest, ...(act.contact ? { contact: act.contact } : {}) };
  },
  'co-maker-consultation': ({ input, header, receivedOn }) => {
    const act = payloadOf([input.act], 'start-co-maker-consultation');
    if (!act?.consulteeName) return 'act.consulteeName';
    return { ...header, coMakerAgency: act.consulteeName, receivedOn, about: act.about, ...(act.contact ? { contact: act.contact } : {}) };
  },
  'consultation-notice': (sources) => {
    const kind = sources.input.act?.action === 'start-co-maker-consultation' ? 'co-maker' : 'third-party';
    const act = payloadOf([sources.input.act], kind === 'co-maker' ? 'start-co-maker-consultation' : 'start-third-party-consultation');
    return act ? { ...toApplicant(sources), consulted: kind, consultedOn: act.letterSentOn } : 'act.start-consultation';
  },
  'fee-notice': (sources) => {
    const act = payloadOf([sources.input.act], 'send-fee-notice');
    if (!act?.calculation) return 'act.calculation';
    if (!act.paymentMethod) return 'act.paymentMethod';
    return { ...toApplicant(sources), amountYuan: act.amountYuan, calculation: act.calculation, paymentMethod: act.paymentMethod, paymentDueOn: act.paymentDueOn };
  },
  'third-party-disclosure-notice': ({ input, header, receivedOn }) => {
    const act = payloadOf([input.act], 'notify-third-party-of-disclosure');
    if (!act?.disclosedContent) return 'act.disclosedContent';
    const consultation = payloadOf([input.consultation], 'start-third-party-consultation');
    if (!consultation) return 'consultation';
    const thirdParty = consulteeOf(consultation);
    if (typeof thirdParty === 'string') return `consultation.${thirdParty.slice('act.'.length)}`;
    const opinion = payloadOf([input.opinion], 'record-third-party-opinion');
    return {
      ...header,
      thirdParty,
      receivedOn,
      about: consultation.about,
      consultedOn: consultation.letterSentOn,
      ...(opinion?.opinion === 'objected' && opinion.answeredOn ? { objectedOn: opinion.answeredOn } : {}),
      publicInterestReason: act.publicInterestReason,
      disclosedContent: act.disclosedContent,
      ...(act.disclosureFrom ? { disclosureFrom: act.disclosureFrom } : {}),
    };
  },
};

/** The outcome act, where it is the act that settled `outcome` (a later act may have settled another since). */
function outcomeActFor(input: ReplyLetterInput): RecordedActInput | undefined {
  const act = input.outcomeAct;
  if (!act || !isSupportedAction(act.action)) return undefined;
  const payload = payloadOf([act], act.action);
  return payload !== undefined && outcomeOf(act.action, payload) === input.outcome ? act : undefined;
}

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

  /** The earlier case's signed reply: its dispatch (the day the reply was made) and number, where the register has them. */
  const earlierReply = async (caseNumber: string): Promise<{ earlierRepliedOn?: IsoDate; earlierReplyNumber?: string }> => {
    const earlier = await register.readCase(caseNumber);
    const reply = earlier?.documents.filter((d) => d.document_id.includes('/reply/') && d.document_number !== null).at(-1);
    const repliedOn = reply?.dispatched_on ?? earlier?.dispatched_on ?? null;
    return { ...(repliedOn ? { earlierRepliedOn: repliedOn } : {}), ...(reply?.document_number ? { earlierReplyNumber: reply.document_number } : {}) };
  };

  /** Stores one format unless it is stored already (then the stored one stands). */
  const store = async (input: LetterIdentity, extension: Extension, content: Buffer): Promise<StoredFormat> => {
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

  /** The letter's listed formats when all are stored already (a retried activity): they stand as stored. */
  const storedFormats = async (input: LetterIdentity): Promise<LetterResult | undefined> => {
    const stored = await Promise.all(LISTED_FORMATS.map((ext) => register.readDocument(formatDocumentId(input.documentId, ext))));
    if (!stored.every((doc) => doc !== undefined)) return undefined;
    return {
      status: 'produced',
      formats: stored.map((doc, i) => ({ documentId: formatDocumentId(input.documentId, LISTED_FORMATS[i]!), mediaType: doc!.mediaType, sha256: doc!.sha256, size: doc!.content.length })),
    };
  };

  /** Renders the letter from its template (PDF, DOCX, plain text) and stores the three; the plain text first, the PDF of record last but one. */
  const renderAndStore = async <T extends LetterDocument['letterType']>(input: LetterIdentity, type: T, facts: LetterFactsByType[T]): Promise<LetterResult> => {
    let letter;
    try {
      letter = renderLetter(type, buildLetterContext(type, facts));
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
    for (const format of ['pdf', 'docx'] as const) countDocumentRendered({ document_type: type, format });
    await store(input, 'txt', Buffer.from(letterText(letter), 'utf8'));
    return { status: 'produced', formats: [await store(input, 'pdf', pdf), await store(input, 'docx', docx)] };
  };

  return {
    /**
     * Renders the signed reply and stores it (PDF, DOCX, plain text). A reply whose facts the case does not hold, or
     * that its template refuses, is not produced (the reason names the field), so the case goes on without it.
     */
    async produceReplyLetter(input: ReplyLetterInput): Promise<LetterResult> {
      const stored = await storedFormats(input);
      if (stored) return stored;
      const type = input.documentType as ReplyDocumentType;
      const toFacts = REPLY_FACTS[type] as FactsMapper<ReplyDocumentType> | undefined;
      if (!toFacts) return { status: 'not-produced', reason: `documentType: ${type} is not a reply document` };
      if (!isOutcome(input.outcome)) return { status: 'not-produced', reason: 'outcome: the case has no outcome' };
      // The draft answered an outcome the case no longer has (e.g. withdrawn since): the template would refuse it.
      if (OUTCOME_DEFINITIONS[input.outcome].replyDocument !== type) return { status: 'not-produced', reason: `outcome: ${input.outcome} is not answered by the ${type} reply` };
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
      const facts = await toFacts(base, {
        application,
        decision: input.decision,
        clockEvents: input.clockEvents,
        outcomeAct: outcomeActFor(input),
        recitedActs: input.recitedActs ?? [],
        earlierReply,
      });
      if (typeof facts === 'string') return { status: 'not-produced', reason: `${facts}: missing for the ${type} reply` };
      return renderAndStore(input, type, facts as LetterFactsByType[ReplyDocumentType]);
    },

    /**
     * Renders and stores a procedural letter (PDF, DOCX, plain text): the receipt, or the notice an act issued. Like
     * the reply, one whose facts the act does not hold is not produced, and the reason names the field.
     */
    async produceNoticeLetter(input: NoticeLetterInput): Promise<LetterResult> {
      const stored = await storedFormats(input);
      if (stored) return stored;
      const type = input.documentType as NoticeLetterType;
      const toFacts = NOTICE_FACTS[type] as ((sources: NoticeSources) => NoticeFacts<NoticeLetterType>) | undefined;
      if (!toFacts || !LETTER_TYPES.includes(type)) return { status: 'not-produced', reason: `documentType: ${type} is not a procedural letter` };
      if (!input.receivedOn) return { status: 'not-produced', reason: 'receivedOn: the case has no receipt date' };
      const agency = agencyOf(input.agencyCode);
      const application = await applicationOf(input.caseNumber);
      const facts = toFacts({
        input,
        application,
        header: { agency: { name: agency.name, remedy: agency.remedy, outcomeRules: agency.outcomeRules }, documentNumber: input.documentNumber ?? '', date: input.date },
        receivedOn: input.receivedOn,
      });
      if (typeof facts === 'string') return { status: 'not-produced', reason: `${facts}: missing for the ${type} letter` };
      return renderAndStore(input, type, facts);
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
      const fileName = input.documentNumber === null ? title : `${title}（${input.documentNumber}）`;
      const attachments = await Promise.all(extensions.map(async (ext) => ({ filename: `${fileName}.${ext}`, contentType: MEDIA_TYPES[ext], content: (await read(ext)).content })));
      const outcome = await sendEmail({
        key: `${input.documentId}:delivery:email${(input.attempt ?? 1) > 1 ? `:${input.attempt}` : ''}`,
        caseNumber: input.caseNumber,
        kind: input.documentId.includes('/reply/') ? 'reply-delivery' : 'notice-delivery',
        to,
        recordedRecipient: 'applicant',
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

    /** The dispatch failed (bounced, returned): the register then takes the next dispatch in its place. */
    async recordLetterDeliveryFailed(input: { documentId: string; failedOn: IsoDate }): Promise<void> {
      for (const ext of LISTED_FORMATS) {
        const documentId = formatDocumentId(input.documentId, ext);
        if (await register.readDocument(documentId)) await register.recordDeliveryFailed({ documentId, failedOn: input.failedOn });
      }
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
