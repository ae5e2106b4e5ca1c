import {
  type ApplicantType,
  CHANNEL_LABELS,
  type ChannelKind,
  PROVISION_FORM_LABELS,
  PROVISION_MANNER_LABELS,
  type ProvisionForm,
  type ProvisionManner,
  type RequestedItem,
} from '../../domain/application';
import type { IsoDate } from '../../domain/dates';
import {
  EXEMPTION_GROUND_DEFINITIONS,
  type RegulationCitation,
  THIRD_PARTY_INTEREST_LABELS,
  type ThirdPartyInterest,
} from '../../domain/exemptions';
import {
  chineseDate,
  formatCitations,
  type LetterType,
  type RemedyClauseSettings,
  remedyClauseParagraphs,
} from '../../domain/letters';
import type { ItemDecision, WithheldPart } from '../../domain/minimisation';
import {
  OUTCOME_DEFINITIONS,
  type Outcome,
  type OutcomeRules,
  type RemedyClauseKind,
  remedyClauseOf,
  type ReplyDocumentType,
  withheldOutcomeFor,
} from '../../domain/outcomes';
import { InvalidInputError } from '../../domain/validation';
import type { LetterContext } from './schemas';

// How a case's facts become each letter's context: dates written out, citations formatted from the outcome
// taxonomy, the remedy clause from the agency's review bodies and court, free text made one tidy line. The wording
// itself stays in the templates; what is built here is what a template cannot compute.

// ---------------------------------------------------------------------------------------------------------------------
// Facts

/** The agency that writes: its full name, and the review bodies and court of its remedy clause. */
export interface AgencyFacts {
  name: string;
  remedy: RemedyClauseSettings;
  /** Which remedy clause the configurable outcomes carry (`outcomeRules.remedyClauses`); defaults otherwise. */
  outcomeRules?: OutcomeRules;
}

/** A person or organisation addressed: the applicant, a third party. */
export interface PartyFacts {
  type: ApplicantType;
  name: string;
}

/** Every letter: who writes, its number (allocated at sign-off), its date and attachments. */
export interface LetterHeaderFacts {
  agency: AgencyFacts;
  documentNumber: string;
  date: IsoDate;
  attachments?: readonly string[];
}

/** Letters to the applicant: the request as received (Art. 31 receipt date). */
export interface ApplicantLetterFacts extends LetterHeaderFacts {
  applicant: PartyFacts;
  requestedItems: readonly RequestedItem[];
  receivedOn: IsoDate;
}

/** What happened before the reply, recited in it; absent where it did not happen. */
export interface CaseHistoryFacts {
  /** Art. 30: the 补正 notice and the day the corrected application was received. */
  correction?: { noticeSentOn: IsoDate; receivedOn: IsoDate };
  /** Art. 33(2): the extension notice and the new reply deadline. */
  extension?: { notifiedOn: IsoDate; dueOn: IsoDate };
  /** Art. 32: the first third-party consultation letter's dispatch. */
  thirdPartyConsultedOn?: IsoDate;
  /** Art. 34: the first co-maker consultation letter's dispatch. */
  coMakerConsultedOn?: IsoDate;
}

export interface ReplyFacts extends ApplicantLetterFacts, CaseHistoryFacts {
  outcome: Outcome;
  /** The clause the decision settled (e.g. 复议前置 for a withheld item under a procedural primary outcome). */
  remedyClause?: RemedyClauseKind;
}

/** Art. 40: the form and manner of provision; a place and period where the applicant collects or inspects. */
export interface ProvisionFacts {
  form: ProvisionForm;
  manner: ProvisionManner;
  appointment?: { place: string; from: IsoDate; until: IsoDate };
}

/** Art. 36(4) "经检索": where and with which keywords the agency searched. */
export interface SearchFacts {
  searchedOn: IsoDate;
  places: readonly string[];
  keywords: readonly string[];
}

/** The facts each letter type is built from. */
export interface LetterFactsByType {
  receipt: Omit<ApplicantLetterFacts, 'documentNumber'> & { caseNumber: string; channel: ChannelKind; replyDueOn: IsoDate };
  'third-party-disclosure-notice': LetterHeaderFacts & {
    thirdParty: PartyFacts;
    receivedOn: IsoDate;
    /** The information asked for, described without naming the applicant. */
    about: string;
    consultedOn: IsoDate;
    objectedOn?: IsoDate;
    publicInterestReason: string;
    disclosedContent: string;
    disclosureFrom?: IsoDate;
  };
  'correction-notice': ApplicantLetterFacts & { itemsToCorrect: readonly string[]; dueOn: IsoDate };
  'reasons-request': ApplicantLetterFacts & { finding: string; reasonsDueOn?: IsoDate };
  'extension-notice': ApplicantLetterFacts & { reason: string; workingDays: number; approvedOn: IsoDate; dueOn: IsoDate };
  'third-party-consultation': LetterHeaderFacts & {
    thirdParty: PartyFacts;
    receivedOn: IsoDate;
    about: string;
    interest: ThirdPartyInterest;
    contact?: string;
  };
  'co-maker-consultation': LetterHeaderFacts & { coMakerAgency: string; receivedOn: IsoDate; about: string; contact?: string };
  'consultation-notice': ApplicantLetterFacts & { consulted: 'third-party' | 'co-maker'; consultedOn: IsoDate };
  'fee-notice': ApplicantLetterFacts & { amountYuan: number; calculation: string; paymentMethod: string; paymentDueOn: IsoDate };
  'already-public': ReplyFacts & { items: readonly ItemDecision[] };
  disclosure: ReplyFacts & { provision: ProvisionFacts };
  'partial-disclosure': ReplyFacts & { items: readonly ItemDecision[]; provision: ProvisionFacts };
  'non-disclosure': ReplyFacts & { items: readonly ItemDecision[] };
  'special-access-regime': ReplyFacts & { law: string; reason: string };
  'not-held': ReplyFacts & { search: SearchFacts; reason: string };
  'not-this-agency': ReplyFacts & { reason: string; responsibleAgency?: string; responsibleAgencyContact?: string };
  'requires-creation': ReplyFacts & { search: SearchFacts; reason: string };
  'unclear-after-correction': ReplyFacts & { correction: { noticeSentOn: IsoDate; receivedOn: IsoDate }; reason: string };
  'petition-or-complaint': ReplyFacts & { reason: string; channel?: string };
  'repeat-request': ReplyFacts & { earlierRepliedOn?: IsoDate; earlierReplyNumber?: string; reason: string };
  publication: ReplyFacts & { howToObtain: string };
  'excessive-requests': ReplyFacts & { reasonsRequestedOn: IsoDate; reasonsReceivedOn?: IsoDate; reason: string };
  'confirm-or-reissue': ReplyFacts & { reason: string };
  'not-corrected': ReplyFacts & { correctionNotice: { sentOn: IsoDate; dueOn: IsoDate } };
  'fee-not-paid': ReplyFacts & { feeNotice: { sentOn: IsoDate; amountYuan: number; paymentDueOn: IsoDate } };
  withdrawn: ReplyFacts & { withdrawnOn: IsoDate; reason?: string };
  'other-handling': ReplyFacts & { reason: string };
}

// ---------------------------------------------------------------------------------------------------------------------
// Text helpers

/** Free text as one line: every run of whitespace (line breaks included) becomes one space. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Free text as one sentence with its full stop: `理由` → `理由。`, `理由；` → `理由。`. */
export function asSentence(text: string): string {
  const line = oneLine(text);
  if (line === '' || /[。！？]$/.test(line)) return line;
  return `${line.replace(/[，,；;：:、.\s]+$/, '')}。`;
}

/** Free text the template follows with its own punctuation: `附件2。` → `附件2`. */
export const asPhrase = (text: string): string => oneLine(text).replace(/[。．.，,；;：:、\s]+$/, '');

const addressFormOf = (type: ApplicantType): '您' | '贵单位' => (type === 'natural-person' ? '您' : '贵单位');

/** A requested item as the letter names it: `“标题”（文号：…）`, or its description where it has neither. */
export function requestText(item: RequestedItem): string {
  const title = item.title === undefined ? '' : `“${oneLine(item.title)}”`;
  const number = item.documentNumber === undefined ? '' : `（文号：${oneLine(item.documentNumber)}）`;
  if (item.description === undefined) return title + number;
  const description = oneLine(item.description);
  return title === '' && number === '' ? `“${description}”` : `${title}${number}，${description}`;
}

const optionalDate = (date: IsoDate | undefined): string | null => (date === undefined ? null : chineseDate(date));
const optionalPhrase = (text: string | undefined): string | null =>
  text === undefined || asPhrase(text) === '' ? null : asPhrase(text);
const yuan = (amount: number): string => {
  if (!Number.isFinite(amount) || amount <= 0) throw new RangeError('amountYuan must be a positive amount');
  return amount.toFixed(2);
};

/** Facts a letter cannot be written without, named by their field. */
function refuse(field: string, message: string): never {
  throw new InvalidInputError('Letter facts', [{ field, message }]);
}

/** The requested item an item decision is about: `itemId` is its number in the application, from 1. */
function requestOf(facts: ApplicantLetterFacts, itemId: string, field: string): string {
  const item = /^[1-9]\d*$/.test(itemId) ? facts.requestedItems[Number(itemId) - 1] : undefined;
  if (item === undefined) refuse(field, '没有该编号的申请事项 / no requested item with this number');
  return requestText(item);
}

// ---------------------------------------------------------------------------------------------------------------------
// Shared parts of the context

function headerOf(facts: LetterHeaderFacts, addressee: PartyFacts) {
  return {
    agencyName: facts.agency.name,
    documentNumber: facts.documentNumber,
    addressee: oneLine(addressee.name),
    you: addressFormOf(addressee.type),
    date: chineseDate(facts.date),
    attachments: (facts.attachments ?? []).map(oneLine),
  };
}

function applicantPartsOf(facts: ApplicantLetterFacts) {
  return {
    ...headerOf(facts, facts.applicant),
    receivedOn: chineseDate(facts.receivedOn),
    requests: facts.requestedItems.map((item, index) => ({ ordinal: index + 1, text: requestText(item) })),
  };
}

function historyOf(facts: CaseHistoryFacts) {
  const { correction, extension } = facts;
  return {
    correction:
      correction === undefined
        ? null
        : { noticeSentOn: chineseDate(correction.noticeSentOn), receivedOn: chineseDate(correction.receivedOn) },
    extension: extension === undefined ? null : { notifiedOn: chineseDate(extension.notifiedOn), dueOn: chineseDate(extension.dueOn) },
    thirdPartyConsultedOn: optionalDate(facts.thirdPartyConsultedOn),
    coMakerConsultedOn: optionalDate(facts.coMakerConsultedOn),
  };
}

/** Shared by every reply: the outcome must be one this reply answers; its remedy clause from the agency's settings. */
function replyPartsOf(type: ReplyDocumentType, facts: ReplyFacts) {
  const definition = OUTCOME_DEFINITIONS[facts.outcome];
  if (definition.replyDocument !== type) {
    throw new RangeError(`outcome ${facts.outcome} is answered by the ${definition.replyDocument} reply, not ${type}`);
  }
  const kind = facts.remedyClause ?? remedyClauseOf(facts.outcome, facts.agency.outcomeRules);
  return { ...applicantPartsOf(facts), ...historyOf(facts), remedy: remedyClauseParagraphs(kind, facts.agency.remedy) };
}

/** The provisions the outcome cites (OUTCOME_DEFINITIONS), title once: `《…条例》第三十六条第（二）项`. */
const outcomeBasis = (outcome: Outcome): string => formatCitations(OUTCOME_DEFINITIONS[outcome].legalBasis);

/** A reply with its outcome's cited provisions. */
const replyWithBasisOf = (type: ReplyDocumentType, facts: ReplyFacts) => ({
  ...replyPartsOf(type, facts),
  legalBasis: outcomeBasis(facts.outcome),
});

const withinBrackets = (name: string): string => (/^《.*》/.test(name) ? name : `《${name}》`);

/** The provisions a withheld part rests on: its ground's article and Art. 36(3), and a named prohibiting law. */
function withheldPartCitation(part: WithheldPart): string {
  const regulation = formatCitations(OUTCOME_DEFINITIONS[withheldOutcomeFor(part.ground)].legalBasis);
  const law = part.evidence.prohibitingLaw;
  if (part.ground !== 'prohibited-by-law' || law === undefined) return regulation;
  return `${withinBrackets(oneLine(law.name))}${oneLine(law.article)}和${regulation}`;
}

/** Every withheld part of every item, numbered through the letter. */
function withheldPartsOf(facts: ApplicantLetterFacts, items: readonly ItemDecision[]) {
  let ordinal = 0;
  return items.flatMap((item, i) =>
    item.withheldParts.map((part) => ({
      ordinal: ++ordinal,
      request: requestOf(facts, item.itemId, `items.${i}.itemId`),
      scope: asPhrase(part.scope),
      reason: asSentence(part.reason),
      ground: EXEMPTION_GROUND_DEFINITIONS[part.ground].statutoryText,
      citation: withheldPartCitation(part),
    })),
  );
}

function provisionOf(provision: ProvisionFacts) {
  const { appointment } = provision;
  if (appointment === undefined && (provision.manner === 'collect' || provision.manner === 'on-site')) {
    refuse('provision.appointment', '当面领取或现场查阅的，须写明地点和时间 / place and period required');
  }
  return {
    form: PROVISION_FORM_LABELS[provision.form],
    manner: PROVISION_MANNER_LABELS[provision.manner],
    appointment:
      appointment === undefined
        ? null
        : { place: oneLine(appointment.place), from: chineseDate(appointment.from), until: chineseDate(appointment.until) },
  };
}

function searchOf(search: SearchFacts) {
  return {
    searchedOn: chineseDate(search.searchedOn),
    places: search.places.map(oneLine).join('、'),
    keywords: search.keywords.map((keyword) => `“${oneLine(keyword)}”`).join('、'),
  };
}

const cite = (...citations: RegulationCitation[]): string => formatCitations(citations);

// ---------------------------------------------------------------------------------------------------------------------
// One builder per letter type

type Builders = { [T in LetterType]: (facts: LetterFactsByType[T]) => LetterContext<T> };

export const LETTER_CONTEXT_BUILDERS: Builders = {
  receipt: (facts) => ({
    ...applicantPartsOf({ ...facts, documentNumber: '' }),
    documentNumber: null,
    caseNumber: facts.caseNumber,
    channel: CHANNEL_LABELS[facts.channel],
    replyDueOn: chineseDate(facts.replyDueOn),
    legalBasis: cite({ article: 31 }, { article: 33, paragraph: 2 }),
  }),
  'third-party-disclosure-notice': (facts) => ({
    ...headerOf(facts, facts.thirdParty),
    receivedOn: chineseDate(facts.receivedOn),
    about: asPhrase(facts.about),
    consultedOn: chineseDate(facts.consultedOn),
    objectedOn: optionalDate(facts.objectedOn),
    publicInterestReason: asSentence(facts.publicInterestReason),
    disclosedContent: asPhrase(facts.disclosedContent),
    disclosureFrom: optionalDate(facts.disclosureFrom),
    legalBasis: cite({ article: 15 }, { article: 32 }),
    remedy: remedyClauseParagraphs('review-or-suit', facts.agency.remedy, {
      act: '本机关公开上述政府信息的决定',
      document: '本告知书',
    }),
  }),
  'correction-notice': (facts) => ({
    ...applicantPartsOf(facts),
    itemsToCorrect: facts.itemsToCorrect.map((text, index) => ({ ordinal: index + 1, text: oneLine(text) })),
    dueOn: chineseDate(facts.dueOn),
    legalBasis: cite({ article: 30 }),
  }),
  'reasons-request': (facts) => ({
    ...applicantPartsOf(facts),
    finding: asSentence(facts.finding),
    reasonsDueOn: optionalDate(facts.reasonsDueOn),
    legalBasis: cite({ article: 35 }),
  }),
  'extension-notice': (facts) => ({
    ...applicantPartsOf(facts),
    reason: asSentence(facts.reason),
    workingDays: facts.workingDays,
    approvedOn: chineseDate(facts.approvedOn),
    dueOn: chineseDate(facts.dueOn),
    legalBasis: cite({ article: 33, paragraph: 2 }),
  }),
  'third-party-consultation': (facts) => ({
    ...headerOf(facts, facts.thirdParty),
    receivedOn: chineseDate(facts.receivedOn),
    about: asPhrase(facts.about),
    interest: THIRD_PARTY_INTEREST_LABELS[facts.interest],
    contact: optionalPhrase(facts.contact),
    legalBasis: cite({ article: 32 }),
  }),
  'co-maker-consultation': (facts) => ({
    ...headerOf(facts, { type: 'organisation', name: facts.coMakerAgency }),
    you: '贵机关',
    receivedOn: chineseDate(facts.receivedOn),
    about: asPhrase(facts.about),
    contact: optionalPhrase(facts.contact),
    legalBasis: cite({ article: 34 }),
  }),
  'consultation-notice': (facts) => ({
    ...applicantPartsOf(facts),
    thirdParty: facts.consulted === 'third-party',
    consultedOn: chineseDate(facts.consultedOn),
    legalBasis: cite({ article: facts.consulted === 'third-party' ? 32 : 34 }, { article: 33, paragraph: 3 }),
  }),
  'fee-notice': (facts) => ({
    ...applicantPartsOf(facts),
    amount: yuan(facts.amountYuan),
    calculation: asPhrase(facts.calculation),
    paymentMethod: asPhrase(facts.paymentMethod),
    paymentDueOn: chineseDate(facts.paymentDueOn),
    legalBasis: cite({ article: 42, paragraph: 1 }),
  }),

  'already-public': (facts) => ({
    ...replyWithBasisOf('already-public', facts),
    publications: facts.items.map((item, i) => {
      const location = item.alreadyPublicCheck?.location;
      if (item.alreadyPublicCheck?.isPublic !== true || location === undefined || oneLine(location) === '') {
        refuse(`items.${i}.alreadyPublicCheck.location`, '须写明已主动公开的位置 / where it was published');
      }
      return { ordinal: i + 1, request: requestOf(facts, item.itemId, `items.${i}.itemId`), location: oneLine(location) };
    }),
  }),
  disclosure: (facts) => ({ ...replyWithBasisOf('disclosure', facts), provision: provisionOf(facts.provision) }),
  'partial-disclosure': (facts) => ({
    ...replyWithBasisOf('partial-disclosure', facts),
    provision: provisionOf(facts.provision),
    withheldParts: withheldPartsOf(facts, facts.items),
  }),
  'non-disclosure': (facts) => ({
    ...replyPartsOf('non-disclosure', facts),
    withheldParts: withheldPartsOf(facts, facts.items),
    notSeparable: facts.items.map((item, i) => {
      if (item.notSeparableReason === undefined || oneLine(item.notSeparableReason) === '') {
        refuse(`items.${i}.notSeparableReason`, '须说明不能作区分处理的理由 / why it cannot be separated');
      }
      return { request: requestOf(facts, item.itemId, `items.${i}.itemId`), reason: asSentence(item.notSeparableReason) };
    }),
  }),
  'special-access-regime': (facts) => ({
    ...replyWithBasisOf('special-access-regime', facts),
    law: asPhrase(facts.law),
    reason: asSentence(facts.reason),
  }),
  'not-held': (facts) => ({ ...replyWithBasisOf('not-held', facts), search: searchOf(facts.search), reason: asSentence(facts.reason) }),
  'not-this-agency': (facts) => ({
    ...replyWithBasisOf('not-this-agency', facts),
    reason: asSentence(facts.reason),
    responsibleAgency: optionalPhrase(facts.responsibleAgency),
    responsibleAgencyContact: optionalPhrase(facts.responsibleAgencyContact),
  }),
  'requires-creation': (facts) => ({
    ...replyWithBasisOf('requires-creation', facts),
    search: searchOf(facts.search),
    reason: asSentence(facts.reason),
  }),
  'unclear-after-correction': (facts) => {
    const parts = replyWithBasisOf('unclear-after-correction', facts);
    return {
      ...parts,
      correction: { noticeSentOn: chineseDate(facts.correction.noticeSentOn), receivedOn: chineseDate(facts.correction.receivedOn) },
      reason: asSentence(facts.reason),
    };
  },
  'petition-or-complaint': (facts) => ({
    ...replyWithBasisOf('petition-or-complaint', facts),
    reason: asSentence(facts.reason),
    channel: optionalPhrase(facts.channel),
  }),
  'repeat-request': (facts) => ({
    ...replyWithBasisOf('repeat-request', facts),
    earlierRepliedOn: optionalDate(facts.earlierRepliedOn),
    earlierReplyNumber: optionalPhrase(facts.earlierReplyNumber),
    reason: asSentence(facts.reason),
  }),
  publication: (facts) => ({ ...replyWithBasisOf('publication', facts), howToObtain: asSentence(facts.howToObtain) }),
  'excessive-requests': (facts) => ({
    ...replyWithBasisOf('excessive-requests', facts),
    reasonsRequestedOn: chineseDate(facts.reasonsRequestedOn),
    reasonsReceivedOn: optionalDate(facts.reasonsReceivedOn),
    reason: asSentence(facts.reason),
  }),
  'confirm-or-reissue': (facts) => ({ ...replyPartsOf('confirm-or-reissue', facts), reason: asSentence(facts.reason) }),
  'not-corrected': (facts) => ({
    ...replyWithBasisOf('not-corrected', facts),
    correctionNotice: { sentOn: chineseDate(facts.correctionNotice.sentOn), dueOn: chineseDate(facts.correctionNotice.dueOn) },
  }),
  'fee-not-paid': (facts) => ({
    ...replyWithBasisOf('fee-not-paid', facts),
    feeNotice: {
      sentOn: chineseDate(facts.feeNotice.sentOn),
      amount: yuan(facts.feeNotice.amountYuan),
      paymentDueOn: chineseDate(facts.feeNotice.paymentDueOn),
    },
  }),
  withdrawn: (facts) => ({
    ...replyPartsOf('withdrawn', facts),
    withdrawnOn: chineseDate(facts.withdrawnOn),
    reason: facts.reason === undefined || oneLine(facts.reason) === '' ? null : asSentence(facts.reason),
  }),
  'other-handling': (facts) => ({ ...replyPartsOf('other-handling', facts), reason: asSentence(facts.reason) }),
};

/** The context of a letter of `type` from the case's facts. */
export function buildLetterContext<T extends LetterType>(type: T, facts: LetterFactsByType[T]): LetterContext<T> {
  return LETTER_CONTEXT_BUILDERS[type](facts);
}
