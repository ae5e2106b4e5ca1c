import type { ResultRowCode } from './report-rows';

// The closed list of grounds for withholding (不予公开) under 《中华人民共和国政府信息公开条例》 Arts. 14–16
// (legal.md §1.14). Art. 13 makes disclosure the rule and these three articles the only exceptions, so there is
// no "other" ground and no free-text ground: procedural outcomes (Arts. 30, 35, 36(4)–(7), 38, 39) are outcomes
// of their own, never a 不予公开 ground.

/** An article of 《中华人民共和国政府信息公开条例》 (2019): 条, optionally 款 and 项. */
export interface RegulationCitation {
  article: number;
  /** 款 (1-based); omitted when the article has a single paragraph. */
  paragraph?: number;
  /** 项 (1-based). */
  item?: number;
}

export const REGULATION_TITLE = '《中华人民共和国政府信息公开条例》';

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1–99 as written in citations: 7 → 七, 10 → 十, 16 → 十六, 36 → 三十六. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new RangeError('chineseNumeral supports 1-99');
  const tens = Math.floor(n / 10);
  const units = n % 10;
  const tensText = tens === 0 ? '' : tens === 1 ? '十' : `${DIGITS[tens]}十`;
  return tensText + (units === 0 ? '' : DIGITS[units]);
}

/** "第三十六条第（四）项", "第十六条第二款" — the form reply letters cite (legal.md §2.4 item 7). */
export function citeArticle(citation: RegulationCitation): string {
  const paragraph = citation.paragraph === undefined ? '' : `第${chineseNumeral(citation.paragraph)}款`;
  const item = citation.item === undefined ? '' : `第（${chineseNumeral(citation.item)}）项`;
  return `第${chineseNumeral(citation.article)}条${paragraph}${item}`;
}

/** "《中华人民共和国政府信息公开条例》第十四条" */
export const citeRegulation = (citation: RegulationCitation): string => REGULATION_TITLE + citeArticle(citation);

export const EXEMPTION_GROUNDS = [
  'state-secret',
  'prohibited-by-law',
  'endangers-security-or-stability',
  'third-party-rights',
  'internal-affairs',
  'process-information',
  'enforcement-case-file',
] as const;
export type ExemptionGround = (typeof EXEMPTION_GROUNDS)[number];

/** The records a withheld part must carry, beyond its ground, scope and reason, for its ground to stand. */
export const EXEMPTION_EVIDENCE = [
  'classification-reference',
  'law-and-article',
  'endangered-interests',
  'third-party-interest',
  'consultation-or-public-interest',
  'discretion-reason',
  'no-disclosure-rule-confirmation',
] as const;
export type ExemptionEvidence = (typeof EXEMPTION_EVIDENCE)[number];

export const EXEMPTION_EVIDENCE_LABELS: Record<ExemptionEvidence, string> = {
  'classification-reference': '定密依据（密级、定密文件或标志）',
  'law-and-article': '禁止公开的法律或者行政法规名称及条款',
  'endangered-interests': '可能危及的国家安全、公共安全、经济安全或者社会稳定及其说明',
  'third-party-interest': '受损害的第三方合法权益类型',
  'consultation-or-public-interest': '书面征求第三方意见记录或者公共利益影响评估',
  'discretion-reason': '不予公开的裁量理由',
  'no-disclosure-rule-confirmation': '已核实无法律、法规、规章规定应当公开',
};

/** The four interests of Art. 14's third limb (“三安全一稳定”). */
export const ENDANGERED_INTERESTS = [
  'national-security',
  'public-security',
  'economic-security',
  'social-stability',
] as const;
export type EndangeredInterest = (typeof ENDANGERED_INTERESTS)[number];
export const ENDANGERED_INTEREST_LABELS: Record<EndangeredInterest, string> = {
  'national-security': '国家安全',
  'public-security': '公共安全',
  'economic-security': '经济安全',
  'social-stability': '社会稳定',
};

/** Art. 15 "涉及商业秘密、个人隐私等": the kind of third-party right disclosure would harm. */
export const THIRD_PARTY_INTERESTS = ['commercial-secret', 'personal-privacy', 'other-lawful-rights'] as const;
export type ThirdPartyInterest = (typeof THIRD_PARTY_INTERESTS)[number];
export const THIRD_PARTY_INTEREST_LABELS: Record<ThirdPartyInterest, string> = {
  'commercial-secret': '商业秘密',
  'personal-privacy': '个人隐私',
  'other-lawful-rights': '其他合法权益',
};

export interface ExemptionGroundDefinition {
  /** As the ground is named in the annual report and in reply letters. */
  label: string;
  /** The statutory words the ground rests on. */
  statutoryText: string;
  citation: RegulationCitation;
  reportRow: ResultRowCode;
  /** Arts. 14 and 15 forbid disclosure ("不予公开"/"不得公开"); Art. 16 only permits withholding ("可以不予公开"). */
  discretionary: boolean;
  requiredEvidence: readonly ExemptionEvidence[];
}

// Art. 16 evidence: minimisation means Art. 16 defaults to disclosure unless a concrete reason is recorded,
// and Art. 16(2) yields to any 法律、法规、规章 requiring disclosure ("从其规定"); the check is applied to
// Art. 16(1) too because withholding internal-affairs information is equally discretionary.
const ARTICLE_16_EVIDENCE = ['discretion-reason', 'no-disclosure-rule-confirmation'] as const;

export const EXEMPTION_GROUND_DEFINITIONS: Record<ExemptionGround, ExemptionGroundDefinition> = {
  'state-secret': {
    label: '属于国家秘密',
    statutoryText: '依法确定为国家秘密的政府信息',
    citation: { article: 14 },
    reportRow: '三.3.1',
    discretionary: false,
    requiredEvidence: ['classification-reference'],
  },
  'prohibited-by-law': {
    label: '其他法律行政法规禁止公开',
    statutoryText: '法律、行政法规禁止公开的政府信息',
    citation: { article: 14 },
    reportRow: '三.3.2',
    discretionary: false,
    requiredEvidence: ['law-and-article'],
  },
  'endangers-security-or-stability': {
    label: '危及“三安全一稳定”',
    statutoryText: '公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息',
    citation: { article: 14 },
    reportRow: '三.3.3',
    discretionary: false,
    requiredEvidence: ['endangered-interests'],
  },
  'third-party-rights': {
    label: '保护第三方合法权益',
    statutoryText: '涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息',
    citation: { article: 15 },
    reportRow: '三.3.4',
    discretionary: false,
    requiredEvidence: ['third-party-interest', 'consultation-or-public-interest'],
  },
  'internal-affairs': {
    label: '属于三类内部事务信息',
    statutoryText: '行政机关的内部事务信息，包括人事管理、后勤管理、内部工作流程等方面的信息',
    citation: { article: 16, paragraph: 1 },
    reportRow: '三.3.5',
    discretionary: true,
    requiredEvidence: ARTICLE_16_EVIDENCE,
  },
  'process-information': {
    label: '属于四类过程性信息',
    statutoryText: '行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息',
    citation: { article: 16, paragraph: 2 },
    reportRow: '三.3.6',
    discretionary: true,
    requiredEvidence: ARTICLE_16_EVIDENCE,
  },
  'enforcement-case-file': {
    label: '属于行政执法案卷',
    statutoryText: '行政执法案卷信息',
    citation: { article: 16, paragraph: 2 },
    reportRow: '三.3.7',
    discretionary: true,
    requiredEvidence: ARTICLE_16_EVIDENCE,
  },
};

export function isExemptionGround(value: unknown): value is ExemptionGround {
  return typeof value === 'string' && (EXEMPTION_GROUNDS as readonly string[]).includes(value);
}
