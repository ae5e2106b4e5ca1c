import { z } from 'zod';
import {
  EXEMPTION_GROUND_DEFINITIONS,
  EXEMPTION_GROUNDS,
  type ExemptionGround,
  type RegulationCitation,
} from './exemptions';
import { RESULT_ROWS, type ResultRowCode } from './report-rows';

// The closed list of final outcomes of a request (办理结果). Each outcome reports into exactly one result row
// of annual-report table 三 (legal.md §3.4), has one reply document and one kind of remedy clause.
// Several outcomes may share a row (已主动公开 and 予以公开 both count as 三.1) because their replies differ.

export const OUTCOMES = [
  'already-public',
  'disclosed',
  'partially-disclosed',
  'withheld-state-secret',
  'withheld-prohibited-by-law',
  'withheld-endangers-security-or-stability',
  'withheld-third-party-rights',
  'withheld-internal-affairs',
  'withheld-process-information',
  'withheld-enforcement-case-file',
  'special-access-regime',
  'not-held',
  'not-this-agency',
  'requires-creation',
  'unclear-after-correction',
  'petition-or-complaint',
  'repeat-request',
  'publication',
  'excessive-requests',
  'confirm-or-reissue',
  'not-corrected',
  'fee-not-paid',
  'withdrawn',
  'other-handling',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The substantive reply documents (实体处理文书), one template each. All seven Art. 14–16 refusals share one
 * document because its body is built from the cited grounds; 部分公开 has its own (Art. 37 reasons per part).
 */
export const REPLY_DOCUMENT_TYPES = [
  'already-public',
  'disclosure',
  'partial-disclosure',
  'non-disclosure',
  'special-access-regime',
  'not-held',
  'not-this-agency',
  'requires-creation',
  'unclear-after-correction',
  'petition-or-complaint',
  'repeat-request',
  'publication',
  'excessive-requests',
  'confirm-or-reissue',
  'not-corrected',
  'fee-not-paid',
  'withdrawn',
  'other-handling',
] as const;
export type ReplyDocumentType = (typeof REPLY_DOCUMENT_TYPES)[number];

/** What the reply is, in the words of the letter's variant (the letter title itself belongs to the template). */
export const REPLY_DOCUMENT_LABELS: Record<ReplyDocumentType, string> = {
  'already-public': '已主动公开告知',
  disclosure: '予以公开答复',
  'partial-disclosure': '部分公开答复',
  'non-disclosure': '不予公开答复',
  'special-access-regime': '依照有关法律、行政法规规定办理告知',
  'not-held': '政府信息不存在告知',
  'not-this-agency': '非本机关负责公开告知',
  'requires-creation': '需另行制作（加工、分析）不予提供告知',
  'unclear-after-correction': '补正后申请内容仍不明确告知',
  'petition-or-complaint': '不作为政府信息公开申请处理告知（信访、投诉、举报）',
  'repeat-request': '不予重复处理告知',
  publication: '公开出版物获取途径告知',
  'excessive-requests': '不予处理告知（申请数量、频次明显超过合理范围）',
  'confirm-or-reissue': '不予处理告知（要求确认或重新出具已获取信息）',
  'not-corrected': '不再处理告知（逾期未补正）',
  'fee-not-paid': '不再处理告知（逾期未缴纳信息处理费）',
  withdrawn: '终止办理告知（申请人撤回申请）',
  'other-handling': '其他处理告知',
};

/**
 * The remedy clause a reply carries (行政复议法 Arts. 20, 23; 行政诉讼法 Art. 46). 不予公开 must tell the
 * applicant to apply for review first (复议前置, Art. 23(1)(4) and 23(2)); a 部分公开 reply says so for its
 * withheld part only.
 */
export const REMEDY_CLAUSE_KINDS = ['review-or-suit', 'review-first', 'review-first-for-withheld-part'] as const;
export type RemedyClauseKind = (typeof REMEDY_CLAUSE_KINDS)[number];
export const REMEDY_CLAUSE_LABELS: Record<RemedyClauseKind, string> = {
  'review-or-suit': '可以申请行政复议或者提起行政诉讼',
  'review-first': '应当先申请行政复议（复议前置）',
  'review-first-for-withheld-part': '对不予公开部分应当先申请行政复议（复议前置），其余部分可以申请行政复议或者提起行政诉讼',
};

/**
 * How much of the requested information the applicant gets. The multi-item roll-up reads it; `procedural`
 * covers every outcome where no Art. 14–16 judgement was made on the information itself.
 */
export type OutcomeEffect = 'disclosed' | 'partially-disclosed' | 'withheld' | 'procedural';

/** Outcomes whose report row is not settled by the sources (legal.md §3.2, §8 q. 5), so legal staff configure it. */
export const REPORT_ROW_RULES = ['alreadyPublic', 'specialAccessRegime', 'notThisAgency'] as const;
export type ReportRowRule = (typeof REPORT_ROW_RULES)[number];

export interface OutcomeDefinition {
  label: string;
  /** The row under the default rules; see `reportRowOf` for the configured row. */
  defaultReportRow: ResultRowCode;
  /** Set when the row is UNCONFIRMED and comes from `OutcomeRules.reportRows`. */
  reportRowRule?: ReportRowRule;
  /** The articles of the Regulation the reply cites, most specific first; empty where no article governs. */
  legalBasis: readonly RegulationCitation[];
  replyDocument: ReplyDocumentType;
  /** The default clause; outcomes other than refusals may be re-configured (`OutcomeRules.remedyClauses`). */
  remedyClause: RemedyClauseKind;
  effect: OutcomeEffect;
  /** For the seven 不予公开 outcomes: the Art. 14–16 ground they report. */
  exemptionGround?: ExemptionGround;
}

const REFUSAL_CITATION: RegulationCitation = { article: 36, item: 3 };

/** One 不予公开 outcome per exemption ground; its row is the ground's row, so report row equals ground by construction. */
function withheldOutcome(ground: ExemptionGround): OutcomeDefinition {
  const definition = EXEMPTION_GROUND_DEFINITIONS[ground];
  return {
    label: `不予公开（${definition.label}）`,
    defaultReportRow: definition.reportRow,
    legalBasis: [definition.citation, REFUSAL_CITATION],
    replyDocument: 'non-disclosure',
    remedyClause: 'review-first',
    effect: 'withheld',
    exemptionGround: ground,
  };
}

export const OUTCOME_DEFINITIONS: Record<Outcome, OutcomeDefinition> = {
  'already-public': {
    label: '已主动公开',
    defaultReportRow: '三.1',
    reportRowRule: 'alreadyPublic',
    legalBasis: [{ article: 36, item: 1 }],
    replyDocument: 'already-public',
    remedyClause: 'review-or-suit',
    effect: 'disclosed',
  },
  disclosed: {
    label: '予以公开',
    defaultReportRow: '三.1',
    legalBasis: [{ article: 36, item: 2 }],
    replyDocument: 'disclosure',
    remedyClause: 'review-or-suit',
    effect: 'disclosed',
  },
  'partially-disclosed': {
    label: '部分公开',
    defaultReportRow: '三.2',
    legalBasis: [{ article: 37 }],
    replyDocument: 'partial-disclosure',
    remedyClause: 'review-first-for-withheld-part',
    effect: 'partially-disclosed',
  },
  'withheld-state-secret': withheldOutcome('state-secret'),
  'withheld-prohibited-by-law': withheldOutcome('prohibited-by-law'),
  'withheld-endangers-security-or-stability': withheldOutcome('endangers-security-or-stability'),
  'withheld-third-party-rights': withheldOutcome('third-party-rights'),
  'withheld-internal-affairs': withheldOutcome('internal-affairs'),
  'withheld-process-information': withheldOutcome('process-information'),
  'withheld-enforcement-case-file': withheldOutcome('enforcement-case-file'),
  'special-access-regime': {
    label: '属于行政查询事项（依照有关法律、行政法规的规定办理）',
    defaultReportRow: '三.3.8',
    reportRowRule: 'specialAccessRegime',
    legalBasis: [{ article: 36, item: 7 }],
    replyDocument: 'special-access-regime',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'not-held': {
    label: '政府信息不存在',
    defaultReportRow: '三.4.1',
    legalBasis: [{ article: 36, item: 4 }],
    replyDocument: 'not-held',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'not-this-agency': {
    label: '不属于本机关负责公开',
    defaultReportRow: '三.4.1',
    reportRowRule: 'notThisAgency',
    legalBasis: [{ article: 36, item: 5 }],
    replyDocument: 'not-this-agency',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'requires-creation': {
    label: '没有现成信息需要另行制作',
    defaultReportRow: '三.4.2',
    legalBasis: [{ article: 38 }],
    replyDocument: 'requires-creation',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'unclear-after-correction': {
    label: '补正后申请内容仍不明确',
    defaultReportRow: '三.4.3',
    legalBasis: [{ article: 30 }],
    replyDocument: 'unclear-after-correction',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'petition-or-complaint': {
    label: '信访举报投诉类申请',
    defaultReportRow: '三.5.1',
    legalBasis: [{ article: 39, paragraph: 1 }],
    replyDocument: 'petition-or-complaint',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'repeat-request': {
    label: '重复申请',
    defaultReportRow: '三.5.2',
    legalBasis: [{ article: 36, item: 6 }],
    replyDocument: 'repeat-request',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  publication: {
    label: '要求提供公开出版物',
    defaultReportRow: '三.5.3',
    legalBasis: [{ article: 39, paragraph: 2 }],
    replyDocument: 'publication',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'excessive-requests': {
    label: '无正当理由大量反复申请',
    defaultReportRow: '三.5.4',
    legalBasis: [{ article: 35 }],
    replyDocument: 'excessive-requests',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  // No article of the Regulation names this case (legal.md §3.2: UNCONFIRMED basis); the reply explains instead.
  'confirm-or-reissue': {
    label: '要求行政机关确认或重新出具已获取信息',
    defaultReportRow: '三.5.5',
    legalBasis: [],
    replyDocument: 'confirm-or-reissue',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'not-corrected': {
    label: '申请人无正当理由逾期不补正，不再处理',
    defaultReportRow: '三.6.1',
    legalBasis: [{ article: 30 }],
    replyDocument: 'not-corrected',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  // Art. 42 allows the fee; the later articles of 国办函〔2020〕109号 on non-payment were not visible (legal.md §1.13).
  'fee-not-paid': {
    label: '申请人逾期未按收费通知要求缴纳费用，不再处理',
    defaultReportRow: '三.6.2',
    legalBasis: [{ article: 42, paragraph: 1 }],
    replyDocument: 'fee-not-paid',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  withdrawn: {
    label: '申请人撤回申请',
    defaultReportRow: '三.6.3',
    legalBasis: [],
    replyDocument: 'withdrawn',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
  'other-handling': {
    label: '其他处理',
    defaultReportRow: '三.6.3',
    legalBasis: [],
    replyDocument: 'other-handling',
    remedyClause: 'review-or-suit',
    effect: 'procedural',
  },
};

export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);
}

/** The 不予公开 outcome that reports a ground. */
export function withheldOutcomeFor(ground: ExemptionGround): Outcome {
  const outcome = OUTCOMES.find((o) => OUTCOME_DEFINITIONS[o].exemptionGround === ground);
  if (outcome === undefined) throw new Error(`no outcome for exemption ground ${ground}`);
  return outcome;
}

// ---- Configurable rules (UNCONFIRMED in legal.md; defaults are legal.md's best reading) ----

/** Rows reserved for a single meaning: the 部分公开 counting rule and the seven Art. 14–16 ground rows. */
const RESERVED_ROWS: ReadonlySet<ResultRowCode> = new Set<ResultRowCode>([
  '三.2',
  ...EXEMPTION_GROUNDS.map((ground) => EXEMPTION_GROUND_DEFINITIONS[ground].reportRow),
]);

const configurableRowSchema = z
  .enum(RESULT_ROWS as [ResultRowCode, ...ResultRowCode[]])
  .refine((row) => !RESERVED_ROWS.has(row), '不能映射到部分公开行或第十四条至第十六条不予公开理由对应的行');

/** Outcomes whose remedy clause is fixed by 行政复议法 Art. 23 and may not be re-configured. */
const FIXED_REMEDY_OUTCOMES: ReadonlySet<Outcome> = new Set(
  OUTCOMES.filter((o) => ['withheld', 'partially-disclosed'].includes(OUTCOME_DEFINITIONS[o].effect)),
);

export const DEFAULT_REPORT_ROW_RULES: Record<ReportRowRule, ResultRowCode> = {
  /** Art. 36(1) 已主动公开: "very likely" counted as 予以公开 (legal.md §3.2). */
  alreadyPublic: '三.1',
  /** Art. 36(7) special access regime: reported as 8.属于行政查询事项 (legal.md §5 item 1). */
  specialAccessRegime: '三.3.8',
  /** Art. 36(5) not this agency: reported as 本机关不掌握相关政府信息 (legal.md §3.2). */
  notThisAgency: '三.4.1',
};

export const outcomeRulesSchema = z.object({
  reportRows: z
    .object({
      alreadyPublic: configurableRowSchema.default(DEFAULT_REPORT_ROW_RULES.alreadyPublic),
      specialAccessRegime: configurableRowSchema.default(DEFAULT_REPORT_ROW_RULES.specialAccessRegime),
      notThisAgency: configurableRowSchema.default(DEFAULT_REPORT_ROW_RULES.notThisAgency),
    })
    .default(DEFAULT_REPORT_ROW_RULES),
  /**
   * Whether 复议前置 also covers negative outcomes other than 不予公开 is UNCONFIRMED (legal.md §1.15, §8 q. 6),
   * so legal staff may switch those outcomes' clause; refusals and partial disclosures stay as the law fixes them.
   */
  remedyClauses: z
    .partialRecord(z.enum(OUTCOMES), z.enum(REMEDY_CLAUSE_KINDS))
    .default({})
    .superRefine((clauses, ctx) => {
      for (const outcome of Object.keys(clauses)) {
        if (FIXED_REMEDY_OUTCOMES.has(outcome as Outcome)) {
          ctx.addIssue({ code: 'custom', path: [outcome], message: '不予公开和部分公开的救济条款由行政复议法第二十三条确定，不能配置' });
        }
      }
    }),
});
export type OutcomeRules = z.output<typeof outcomeRulesSchema>;

export const DEFAULT_OUTCOME_RULES: OutcomeRules = { reportRows: DEFAULT_REPORT_ROW_RULES, remedyClauses: {} };

/** The one annual-report row a case with this outcome is counted in. */
export function reportRowOf(outcome: Outcome, rules: OutcomeRules = DEFAULT_OUTCOME_RULES): ResultRowCode {
  const definition = OUTCOME_DEFINITIONS[outcome];
  const rule = definition.reportRowRule;
  return rule === undefined ? definition.defaultReportRow : rules.reportRows[rule];
}

export function remedyClauseOf(outcome: Outcome, rules: OutcomeRules = DEFAULT_OUTCOME_RULES): RemedyClauseKind {
  const configured = FIXED_REMEDY_OUTCOMES.has(outcome) ? undefined : rules.remedyClauses[outcome];
  return configured ?? OUTCOME_DEFINITIONS[outcome].remedyClause;
}

// ---- Multi-item roll-up ----

/** The handler's choice when the items' outcomes do not roll up by rule. */
export interface PrimaryOutcomeChoice {
  outcome: Outcome;
  reason: string;
}

export type RollUpBasis = 'single-outcome' | 'disclosed-and-withheld' | 'handler-primary';

export type RollUpProblemCode =
  | 'no-items'
  | 'primary-outcome-required'
  | 'primary-not-among-items'
  | 'primary-reason-required'
  | 'primary-contradicts-rule';

export interface RollUpProblem {
  code: RollUpProblemCode;
  field: string;
  message: string;
}

export type RollUpResult =
  | { ok: true; outcome: Outcome; basis: RollUpBasis }
  | { ok: false; problem: RollUpProblem };

const rollUpFailure = (code: RollUpProblemCode, field: string, message: string): RollUpResult => ({
  ok: false,
  problem: { code, field, message },
});

/**
 * The case outcome from its items' outcomes: one outcome for all items → that outcome; any item partly
 * disclosed, or items disclosed and withheld together → 部分公开 (the report counts 区分处理 before anything
 * else); otherwise the handler names the primary outcome among the items', with a reason.
 */
export function rollUpOutcome(itemOutcomes: readonly Outcome[], primaryChoice?: PrimaryOutcomeChoice): RollUpResult {
  if (itemOutcomes.length === 0) return rollUpFailure('no-items', 'items', '没有申请事项，无法确定办理结果');
  const distinct = [...new Set(itemOutcomes)];
  const effects = new Set(distinct.map((o) => OUTCOME_DEFINITIONS[o].effect));
  let ruled: { outcome: Outcome; basis: RollUpBasis } | undefined;
  if (distinct.length === 1 && distinct[0] !== undefined) {
    ruled = { outcome: distinct[0], basis: 'single-outcome' };
  } else if (effects.has('partially-disclosed') || (effects.has('disclosed') && effects.has('withheld'))) {
    ruled = { outcome: 'partially-disclosed', basis: 'disclosed-and-withheld' };
  }
  if (ruled) {
    if (primaryChoice && primaryChoice.outcome !== ruled.outcome) {
      return rollUpFailure('primary-contradicts-rule', 'primaryOutcome.outcome', '办理结果已按规则确定，所指定的主要处理结果与之不符');
    }
    return { ok: true, ...ruled };
  }
  if (!primaryChoice) {
    return rollUpFailure(
      'primary-outcome-required',
      'primaryOutcome',
      '各申请事项的处理结果不同，且不能按规则归并，请承办人从中指定主要处理结果并说明理由',
    );
  }
  if (!distinct.includes(primaryChoice.outcome)) {
    return rollUpFailure('primary-not-among-items', 'primaryOutcome.outcome', '主要处理结果必须是某一申请事项的处理结果');
  }
  if (primaryChoice.reason.trim() === '') {
    return rollUpFailure('primary-reason-required', 'primaryOutcome.reason', '指定主要处理结果须说明理由');
  }
  return { ok: true, outcome: primaryChoice.outcome, basis: 'handler-primary' };
}
