import { z } from 'zod';
import { type IsoDate, isIsoDate, isoDateSchema } from './dates';
import {
  ENDANGERED_INTERESTS,
  EXEMPTION_GROUND_DEFINITIONS,
  EXEMPTION_GROUNDS,
  type ExemptionEvidence,
  type ExemptionGround,
  isExemptionGround,
  THIRD_PARTY_INTERESTS,
} from './exemptions';
import {
  DEFAULT_OUTCOME_RULES,
  isOutcome,
  type Outcome,
  OUTCOME_DEFINITIONS,
  type OutcomeEffect,
  OUTCOMES,
  type OutcomeRules,
  REMEDY_CLAUSE_KINDS,
  type RemedyClauseKind,
  remedyClauseOf,
  reportRowOf,
  rollUpOutcome,
} from './outcomes';
import { REPORT_ROWS } from './report-rows';

// The minimisation principle (对法定不予公开条款坚持最小化适用原则, legal.md §5) as 13 checks over one disclosure
// decision. `checkDecision` is pure and returns every violation at once, so a handler sees the whole list, and
// workflow update validators can refuse a decision (or filter to the checks their stage needs) by check id.

export const MINIMISATION_CHECKS = [
  'closed-ground-list',
  'withheld-part-basis',
  'partial-before-total',
  'article-14-evidence',
  'article-15-third-party',
  'article-16-discretion',
  'positive-outcomes-first',
  'search-record',
  'article-38-finding',
  'review-and-sign-off',
  'reasons-and-remedy',
  're-evaluation-date',
  'report-row-consistency',
] as const;
export type MinimisationCheckId = (typeof MINIMISATION_CHECKS)[number];

export interface MinimisationCheckDefinition {
  label: string;
  /** The rule the check enforces. */
  basis: string;
}

export const MINIMISATION_CHECK_DEFINITIONS: Record<MinimisationCheckId, MinimisationCheckDefinition> = {
  'closed-ground-list': { label: '不予公开理由限于法定清单，不得使用其他理由', basis: '条例第十三条' },
  'withheld-part-basis': {
    label: '每一不予公开部分载明理由类别、范围和理由',
    basis: '条例第三十六条第（三）项、第三十七条；最高人民法院关于审理政府信息公开行政案件若干问题的规定第五条',
  },
  'partial-before-total': { label: '能够区分处理的应当部分公开，整体不予公开须说明不能区分的理由', basis: '条例第三十七条' },
  'article-14-evidence': { label: '国家秘密须有定密依据，法律行政法规禁止公开须写明法律名称及条款', basis: '条例第十四条、第十七条' },
  'article-15-third-party': { label: '第三方合法权益须有书面征求意见记录或公共利益影响评估', basis: '条例第十五条、第三十二条' },
  'article-16-discretion': { label: '第十六条须说明裁量理由并核实无应当公开的规定', basis: '条例第十六条' },
  'positive-outcomes-first': { label: '优先考虑公开：已主动公开的告知获取方式、途径', basis: '条例第五条、第三十六条第（一）项' },
  'search-record': { label: '政府信息不存在须有检索记录', basis: '条例第三十六条第（四）项；最高人民法院指导案例101号' },
  'article-38-finding': { label: '需另行制作的，须认定无法通过对现有信息区分处理予以答复', basis: '条例第三十八条' },
  'review-and-sign-off': { label: '保密审查和签发记录', basis: '条例第十七条、第四十五条' },
  'reasons-and-remedy': {
    label: '说明理由并告知救济途径（不予公开的复议前置）',
    basis: '条例第三十六条、第三十七条；行政复议法第二十条、第二十三条',
  },
  're-evaluation-date': { label: '不予公开的信息须确定定期评估审查日期', basis: '条例第十八条' },
  'report-row-consistency': { label: '年度报告统计行与办理结果及所援引理由一致', basis: '国办公开办函〔2021〕30号' },
};

// ---- The decision (zod at the edges: workflow update payloads, web forms) ----

const text = z.string().max(2000);
const shortText = z.string().max(500);
const staffId = z.string().max(100);

/** Art. 36(4) "经检索": who searched, when, where, with which keywords (指导案例101号). */
export const searchRecordSchema = z.object({
  searchedBy: staffId,
  searchedOn: isoDateSchema,
  /** Systems, archives and files searched. */
  locations: z.array(shortText).max(50),
  keywords: z.array(shortText).max(50),
});

/** Art. 32 written consultation of the third party (征求意见书) and its answer. */
export const thirdPartyConsultationSchema = z.object({
  sentOn: isoDateSchema,
  response: z.enum(['objected', 'consented', 'no-response']),
  respondedOn: isoDateSchema.optional(),
});

/** Art. 15 proviso: would withholding have a major impact on the public interest (不公开会对公共利益造成重大影响)? */
export const publicInterestAssessmentSchema = z.object({
  majorImpactIfWithheld: z.boolean(),
  reason: text,
});

/** What a withheld part's ground rests on; which fields are required follows the ground (`requiredEvidence`). */
export const withheldPartEvidenceSchema = z.object({
  /** Art. 14 state secret: the classification decision or marking (密级、定密依据). */
  classificationReference: shortText.optional(),
  /** Art. 14 "法律、行政法规禁止公开": the 法律 or 行政法规 and its article. */
  prohibitingLaw: z.object({ name: shortText, article: shortText }).optional(),
  /** Art. 14 third limb: which of 国家安全、公共安全、经济安全、社会稳定. */
  endangeredInterests: z.array(z.enum(ENDANGERED_INTERESTS)).max(4).optional(),
  thirdPartyInterest: z.enum(THIRD_PARTY_INTERESTS).optional(),
  thirdPartyConsultation: thirdPartyConsultationSchema.optional(),
  publicInterestAssessment: publicInterestAssessmentSchema.optional(),
  /** Art. 16: why discretion is exercised against disclosure. */
  discretionReason: text.optional(),
  /** Art. 16: the handler confirmed no 法律、法规、规章 requires disclosure of this information. */
  noDisclosureRuleConfirmed: z.boolean().optional(),
});

export const withheldPartSchema = z.object({
  ground: z.enum(EXEMPTION_GROUNDS),
  /** Which part is withheld (pages, passages, fields), so the redaction can be checked against it. */
  scope: text,
  /** The reason told to the applicant. */
  reason: text,
  evidence: withheldPartEvidenceSchema,
});

export const itemDecisionSchema = z.object({
  /** The requested item's id in the application. */
  itemId: z.string().min(1).max(64),
  outcome: z.enum(OUTCOMES),
  /** The reason told to the applicant for an outcome that provides nothing (Arts. 36(3)–(7), 38, 39…). */
  reason: text.optional(),
  withheldParts: z.array(withheldPartSchema).max(100),
  /** Art. 37: why the information cannot be separated, when the whole item is withheld. */
  notSeparableReason: text.optional(),
  /** Art. 36(1): was the information found already proactively disclosed, and where. */
  alreadyPublicCheck: z.object({ isPublic: z.boolean(), location: shortText.optional() }).optional(),
  searchRecord: searchRecordSchema.optional(),
  /** Art. 38: providing existing records, redacted where needed (Art. 37), cannot answer the request. */
  creationFinding: z.object({ redactionOfExistingRecordsCannotAnswer: z.boolean(), reason: text }).optional(),
  /** Art. 18: when withheld information is next re-evaluated. */
  reEvaluateOn: isoDateSchema.optional(),
});

export const disclosureDecisionSchema = z.object({
  /** The decision's date: the "today" of every date check (the domain never reads the clock). */
  decidedOn: isoDateSchema,
  /** The handler (承办人), as a staff id. */
  handledBy: staffId,
  outcome: z.enum(OUTCOMES),
  primaryOutcome: z.object({ outcome: z.enum(OUTCOMES), reason: text }).optional(),
  reportRow: z.enum(REPORT_ROWS),
  items: z.array(itemDecisionSchema).max(200),
  /** Art. 17 保密审查. */
  confidentialityReview: z.object({ reviewedBy: staffId, reviewedOn: isoDateSchema }).optional(),
  /** Art. 45 审核/签发, by someone other than the handler. */
  signOff: z.object({ signedBy: staffId, signedOn: isoDateSchema }).optional(),
  remedy: z
    .object({
      kind: z.enum(REMEDY_CLAUSE_KINDS),
      /** 行政复议机关 (行政复议法 Arts. 24, 27). */
      reviewBody: shortText,
      /** 人民法院; not needed when review must come first for the whole reply. */
      court: shortText.optional(),
    })
    .optional(),
});

export type WithheldPart = z.output<typeof withheldPartSchema>;
export type ItemDecision = z.output<typeof itemDecisionSchema>;
export type DisclosureDecision = z.output<typeof disclosureDecisionSchema>;

export interface MinimisationViolation {
  check: MinimisationCheckId;
  /** Dotted path of the offending field in the decision. */
  field: string;
  message: string;
}

// ---- The checks ----

type Problem = Omit<MinimisationViolation, 'check'>;
type Check = (decision: DisclosureDecision, rules: OutcomeRules) => Problem[];
/** A check of one withheld part; `field` builds the path of a field inside that part. */
type PartCheck = (part: WithheldPart, field: (...rest: string[]) => string) => Problem[];

const blank = (value: string | undefined): boolean => value === undefined || value.trim() === '';
const problem = (field: string, message: string): Problem => ({ field, message });
const itemField = (index: number, ...rest: (string | number)[]): string => ['items', index, ...rest].join('.');

/** The effect of a known outcome; undefined for a value outside the list (reported by closed-ground-list). */
const effectOf = (outcome: Outcome): OutcomeEffect | undefined =>
  isOutcome(outcome) ? OUTCOME_DEFINITIONS[outcome].effect : undefined;

/** Items that withhold something: the whole item (不予公开) or a part of it (部分公开). */
const withholds = (item: ItemDecision): boolean => {
  const effect = effectOf(item.outcome);
  return effect === 'withheld' || effect === 'partially-disclosed';
};

/** Visits every item with its index, for checks that read items one by one. */
function perItem(decision: DisclosureDecision, visit: (item: ItemDecision, index: number) => Problem[]): Problem[] {
  return decision.items.flatMap((item, index) => visit(item, index));
}

/** Visits every withheld part with a known ground, for the ground-specific evidence checks. */
function perPart(decision: DisclosureDecision, visit: PartCheck): Problem[] {
  return perItem(decision, (item, i) =>
    withholds(item)
      ? item.withheldParts.flatMap((part, j) =>
          isExemptionGround(part.ground) ? visit(part, (...rest) => itemField(i, 'withheldParts', j, ...rest)) : [],
        )
      : [],
  );
}

/** Problems for the evidence each ground requires (exemptions.ts `requiredEvidence`). */
const EVIDENCE_CHECKS: Record<ExemptionEvidence, PartCheck> = {
  'classification-reference': (part, field) =>
    blank(part.evidence.classificationReference)
      ? [problem(field('evidence', 'classificationReference'), '以国家秘密为由不予公开，须载明依法定密的依据（密级、定密文件或标志）；不能确定的应报保密行政管理部门确定')]
      : [],
  'law-and-article': (part, field) => {
    const law = part.evidence.prohibitingLaw;
    return [
      ...(blank(law?.name)
        ? [problem(field('evidence', 'prohibitingLaw', 'name'), '须写明禁止公开的法律或者行政法规名称（地方性法规、规章和内部文件不属于此项）')]
        : []),
      ...(blank(law?.article)
        ? [problem(field('evidence', 'prohibitingLaw', 'article'), '须写明禁止公开的具体条款')]
        : []),
    ];
  },
  'endangered-interests': (part, field) =>
    (part.evidence.endangeredInterests ?? []).length === 0
      ? [problem(field('evidence', 'endangeredInterests'), '须写明公开后可能危及的国家安全、公共安全、经济安全或者社会稳定')]
      : [],
  'third-party-interest': (part, field) =>
    part.evidence.thirdPartyInterest === undefined
      ? [problem(field('evidence', 'thirdPartyInterest'), '须写明受损害的第三方合法权益类型（商业秘密、个人隐私或其他合法权益）')]
      : [],
  'consultation-or-public-interest': (part, field) => {
    const { thirdPartyConsultation: consultation, publicInterestAssessment: assessment } = part.evidence;
    const problems: Problem[] = [];
    if (!consultation && !assessment) {
      problems.push(problem(field('evidence', 'thirdPartyConsultation'), '须有书面征求第三方意见的记录或者公共利益影响评估'));
    }
    if (consultation?.response === 'consented') {
      problems.push(problem(field('evidence', 'thirdPartyConsultation', 'response'), '第三方已同意公开，应当予以公开'));
    }
    if (assessment?.majorImpactIfWithheld === true) {
      problems.push(
        problem(field('evidence', 'publicInterestAssessment', 'majorImpactIfWithheld'), '不公开会对公共利益造成重大影响的，应当予以公开并书面告知第三方'),
      );
    }
    if (assessment && blank(assessment.reason)) {
      problems.push(problem(field('evidence', 'publicInterestAssessment', 'reason'), '公共利益影响评估须说明理由'));
    }
    return problems;
  },
  'discretion-reason': (part, field) =>
    blank(part.evidence.discretionReason)
      ? [problem(field('evidence', 'discretionReason'), '第十六条为可以不予公开，须说明不予公开的具体理由，否则应当公开')]
      : [],
  'no-disclosure-rule-confirmation': (part, field) =>
    part.evidence.noDisclosureRuleConfirmed !== true
      ? [problem(field('evidence', 'noDisclosureRuleConfirmed'), '须核实并确认没有法律、法规、规章规定该信息应当公开')]
      : [],
};

/** The evidence check for the grounds of one article: Art. 14, 15 or 16. */
const evidenceCheckForArticle =
  (article: number): Check =>
  (decision) =>
    perPart(decision, (part, field) => {
      const ground = EXEMPTION_GROUND_DEFINITIONS[part.ground];
      if (ground.citation.article !== article) return [];
      return ground.requiredEvidence.flatMap((evidence) => EVIDENCE_CHECKS[evidence](part, field));
    });

const isValidDate = (date: IsoDate | undefined): date is IsoDate => date !== undefined && isIsoDate(date);

/** Outcomes that leave the applicant with nothing on the item and so must be explained in the letter. */
const needsItemReason = (item: ItemDecision): boolean => effectOf(item.outcome) === 'procedural';

/** Items on which information held by the agency was judged, so Art. 17 review applies. */
const needsConfidentialityReview = (item: ItemDecision): boolean =>
  item.outcome !== 'already-public' && effectOf(item.outcome) !== 'procedural' && effectOf(item.outcome) !== undefined;

/** Outcomes that deny information on a ground that would fall away if it were already public. */
const POSITIVE_FIRST_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['not-held', 'requires-creation']);

/** The remedy clause the letter needs: any withheld item brings 复议前置 for that part. */
function expectedRemedy(decision: DisclosureDecision, rules: OutcomeRules): RemedyClauseKind {
  const caseClause = remedyClauseOf(decision.outcome, rules);
  if (caseClause !== 'review-or-suit') return caseClause;
  return decision.items.some(withholds) ? 'review-first-for-withheld-part' : caseClause;
}

const CHECKS: Record<MinimisationCheckId, Check> = {
  'closed-ground-list': (decision) => [
    ...(isOutcome(decision.outcome) ? [] : [problem('outcome', '办理结果不在法定结果清单内')]),
    ...perItem(decision, (item, i) => {
      if (!isOutcome(item.outcome)) return [problem(itemField(i, 'outcome'), '处理结果不在法定结果清单内')];
      if (!withholds(item) && item.withheldParts.length > 0) {
        return [problem(itemField(i, 'withheldParts'), '程序性处理结果不得援引不予公开理由；不予公开只能依据条例第十四条至第十六条')];
      }
      return item.withheldParts.flatMap((part, j) =>
        part.ground !== undefined && !isExemptionGround(part.ground)
          ? [problem(itemField(i, 'withheldParts', j, 'ground'), '不予公开理由只能从条例第十四条至第十六条的法定理由中选择，不得使用其他理由')]
          : [],
      );
    }),
  ],

  'withheld-part-basis': (decision) =>
    perItem(decision, (item, i) => {
      if (!withholds(item)) return [];
      if (item.withheldParts.length === 0) {
        return [problem(itemField(i, 'withheldParts'), '不予公开或部分公开的，须逐一载明不予公开的部分及其理由')];
      }
      return item.withheldParts.flatMap((part, j) => [
        ...(part.ground === undefined ? [problem(itemField(i, 'withheldParts', j, 'ground'), '须选择不予公开的法定理由')] : []),
        ...(blank(part.scope) ? [problem(itemField(i, 'withheldParts', j, 'scope'), '须写明不予公开的范围（页码、段落或字段）')] : []),
        ...(blank(part.reason) ? [problem(itemField(i, 'withheldParts', j, 'reason'), '须说明不予公开的理由')] : []),
      ]);
    }),

  'partial-before-total': (decision) =>
    perItem(decision, (item, i) =>
      effectOf(item.outcome) === 'withheld' && blank(item.notSeparableReason)
        ? [problem(itemField(i, 'notSeparableReason'), '整体不予公开前须说明为何不能作区分处理；能够区分处理的应当部分公开')]
        : [],
    ),

  'article-14-evidence': evidenceCheckForArticle(14),
  'article-15-third-party': evidenceCheckForArticle(15),
  'article-16-discretion': evidenceCheckForArticle(16),

  'positive-outcomes-first': (decision) =>
    perItem(decision, (item, i) => {
      const check = item.alreadyPublicCheck;
      if (item.outcome === 'already-public') {
        return check?.isPublic === true && !blank(check.location)
          ? []
          : [problem(itemField(i, 'alreadyPublicCheck', 'location'), '已主动公开的，须告知获取该信息的具体方式、途径（网址或查阅地点）')];
      }
      if (!withholds(item) && !POSITIVE_FIRST_OUTCOMES.has(item.outcome)) return [];
      if (!check) return [problem(itemField(i, 'alreadyPublicCheck'), '须先核查该信息是否已主动公开')];
      return check.isPublic
        ? [problem(itemField(i, 'outcome'), '该信息已主动公开，应当告知获取方式、途径（条例第三十六条第（一）项）')]
        : [];
    }),

  'search-record': (decision) =>
    perItem(decision, (item, i) => {
      if (item.outcome !== 'not-held') return [];
      const record = item.searchRecord;
      if (!record) return [problem(itemField(i, 'searchRecord'), '告知政府信息不存在的，须有检索记录（检索人、时间、范围、关键词）')];
      const field = (name: string): string => itemField(i, 'searchRecord', name);
      return [
        ...(blank(record.searchedBy) ? [problem(field('searchedBy'), '须记录检索人')] : []),
        ...(!isValidDate(record.searchedOn)
          ? [problem(field('searchedOn'), '须记录有效的检索日期')]
          : record.searchedOn > decision.decidedOn
            ? [problem(field('searchedOn'), '检索日期不能晚于决定日期')]
            : []),
        ...(record.locations.every(blank) ? [problem(field('locations'), '须记录检索的系统、档案或文件范围')] : []),
        ...(record.keywords.every(blank) ? [problem(field('keywords'), '须记录检索关键词')] : []),
      ];
    }),

  'article-38-finding': (decision) =>
    perItem(decision, (item, i) => {
      if (item.outcome !== 'requires-creation') return [];
      const finding = item.creationFinding;
      if (finding?.redactionOfExistingRecordsCannotAnswer !== true) {
        return [
          problem(
            itemField(i, 'creationFinding', 'redactionOfExistingRecordsCannotAnswer'),
            '须认定提供现有信息（含区分处理后）无法满足申请，方可以需另行制作为由不予提供',
          ),
        ];
      }
      return blank(finding.reason) ? [problem(itemField(i, 'creationFinding', 'reason'), '须说明现有信息无法满足申请的理由')] : [];
    }),

  'review-and-sign-off': (decision) => {
    const problems: Problem[] = [];
    const { confidentialityReview: review, signOff } = decision;
    if (decision.items.some(needsConfidentialityReview)) {
      if (!review) {
        problems.push(problem('confidentialityReview', '须有保密审查记录'));
      } else {
        if (blank(review.reviewedBy)) problems.push(problem('confidentialityReview.reviewedBy', '须记录保密审查人'));
        if (!isValidDate(review.reviewedOn)) problems.push(problem('confidentialityReview.reviewedOn', '须记录有效的保密审查日期'));
      }
    }
    if (!signOff) {
      problems.push(problem('signOff', '须有签发记录'));
      return problems;
    }
    if (blank(signOff.signedBy)) problems.push(problem('signOff.signedBy', '须记录签发人'));
    else if (signOff.signedBy === decision.handledBy) problems.push(problem('signOff.signedBy', '签发人不能是承办人本人'));
    if (!isValidDate(signOff.signedOn)) problems.push(problem('signOff.signedOn', '须记录有效的签发日期'));
    else if (review && isValidDate(review.reviewedOn) && signOff.signedOn < review.reviewedOn) {
      problems.push(problem('signOff.signedOn', '签发日期不能早于保密审查日期'));
    }
    return problems;
  },

  'reasons-and-remedy': (decision, rules) => {
    const reasons = perItem(decision, (item, i) =>
      needsItemReason(item) && blank(item.reason) ? [problem(itemField(i, 'reason'), '须向申请人说明理由')] : [],
    );
    const remedy = decision.remedy;
    if (!remedy) return [...reasons, problem('remedy', '须告知申请行政复议或者提起行政诉讼的权利、复议机关和期限')];
    const problems = [...reasons];
    if (isOutcome(decision.outcome) && remedy.kind !== expectedRemedy(decision, rules)) {
      problems.push(
        problem('remedy.kind', decision.items.some(withholds) ? '含不予公开内容的，须告知应当先申请行政复议（复议前置）' : '救济途径条款与办理结果不符'),
      );
    }
    if (blank(remedy.reviewBody)) problems.push(problem('remedy.reviewBody', '须写明行政复议机关'));
    if (remedy.kind !== 'review-first' && blank(remedy.court)) problems.push(problem('remedy.court', '须写明可以起诉的人民法院'));
    return problems;
  },

  're-evaluation-date': (decision) =>
    perItem(decision, (item, i) => {
      if (!withholds(item)) return [];
      if (!isValidDate(item.reEvaluateOn)) {
        return [problem(itemField(i, 'reEvaluateOn'), '不予公开的信息须确定定期评估审查日期')];
      }
      return item.reEvaluateOn <= decision.decidedOn
        ? [problem(itemField(i, 'reEvaluateOn'), '评估审查日期须晚于决定日期')]
        : [];
    }),

  'report-row-consistency': (decision, rules) => {
    const problems: Problem[] = [];
    const knownOutcomes = decision.items.map((item) => item.outcome).filter(isOutcome);
    if (knownOutcomes.length === decision.items.length) {
      const rolledUp = rollUpOutcome(knownOutcomes, decision.primaryOutcome);
      if (!rolledUp.ok) problems.push(problem(rolledUp.problem.field, rolledUp.problem.message));
      else if (rolledUp.outcome !== decision.outcome) problems.push(problem('outcome', '办理结果与各申请事项的处理结果归并结果不一致'));
    }
    if (isOutcome(decision.outcome) && decision.reportRow !== reportRowOf(decision.outcome, rules)) {
      problems.push(problem('reportRow', '年度报告统计行与办理结果不一致'));
    }
    problems.push(
      ...perItem(decision, (item, i) => {
        const ground: ExemptionGround | undefined = isOutcome(item.outcome)
          ? OUTCOME_DEFINITIONS[item.outcome].exemptionGround
          : undefined;
        if (ground === undefined || item.withheldParts.length === 0) return [];
        return item.withheldParts.some((part) => part.ground === ground)
          ? []
          : [problem(itemField(i, 'outcome'), '不予公开的统计类别须与所援引的不予公开理由一致')];
      }),
    );
    return problems;
  },
};

/**
 * Every minimisation violation of a decision, in check order (MINIMISATION_CHECKS), then item order.
 * An empty list means the decision may go forward. Messages are Chinese and never repeat field values.
 */
export function checkDecision(
  decision: DisclosureDecision,
  rules: OutcomeRules = DEFAULT_OUTCOME_RULES,
): MinimisationViolation[] {
  return MINIMISATION_CHECKS.flatMap((check) => CHECKS[check](decision, rules).map((p) => ({ check, ...p })));
}
