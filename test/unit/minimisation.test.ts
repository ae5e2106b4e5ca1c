import {
  checkDecision,
  type DisclosureDecision,
  disclosureDecisionSchema,
  type ItemDecision,
  MINIMISATION_CHECK_DEFINITIONS,
  MINIMISATION_CHECKS,
  type MinimisationCheckId,
  type WithheldPart,
} from '../../domain/minimisation';
import { outcomeRulesSchema } from '../../domain/outcomes';

// Fixtures: each `valid*` decision passes every check; failing cases change one thing in a copy.

const DECIDED_ON = '2026-03-16';

const signedAndReviewed = {
  decidedOn: DECIDED_ON,
  handledBy: 'staff-handler',
  confidentialityReview: { reviewedBy: 'staff-reviewer', reviewedOn: '2026-03-12' },
  signOff: { signedBy: 'staff-head', signedOn: '2026-03-13' },
};

const reviewOrSuit = { kind: 'review-or-suit' as const, reviewBody: '南京市人民政府', court: '南京铁路运输法院' };

const secretPart: WithheldPart = {
  ground: 'state-secret',
  scope: '全文',
  reason: '该文件已依法确定为国家秘密',
  evidence: { classificationReference: '秘密★10年，定密文件宁保〔2025〕3号' },
};

const notPublic = { isPublic: false };

const withheldSecretItem: ItemDecision = {
  itemId: 'item-1',
  outcome: 'withheld-state-secret',
  withheldParts: [secretPart],
  notSeparableReason: '全文每页均标有密级，无可公开内容',
  alreadyPublicCheck: notPublic,
  reEvaluateOn: '2027-03-16',
};

const validWithheld: DisclosureDecision = {
  ...signedAndReviewed,
  outcome: 'withheld-state-secret',
  reportRow: '三.3.1',
  items: [withheldSecretItem],
  remedy: { kind: 'review-first', reviewBody: '南京市人民政府' },
};

const validDisclosed: DisclosureDecision = {
  ...signedAndReviewed,
  outcome: 'disclosed',
  reportRow: '三.1',
  items: [{ itemId: 'item-1', outcome: 'disclosed', withheldParts: [] }],
  remedy: reviewOrSuit,
};

const thirdPartyPart: WithheldPart = {
  ground: 'third-party-rights',
  scope: '第2页第3至5行',
  reason: '涉及第三方个人隐私，第三方不同意公开且有合理理由',
  evidence: {
    thirdPartyInterest: 'personal-privacy',
    thirdPartyConsultation: { sentOn: '2026-02-20', response: 'objected', respondedOn: '2026-03-02' },
  },
};

const validPartial: DisclosureDecision = {
  ...signedAndReviewed,
  outcome: 'partially-disclosed',
  reportRow: '三.2',
  items: [
    {
      itemId: 'item-1',
      outcome: 'partially-disclosed',
      withheldParts: [thirdPartyPart],
      alreadyPublicCheck: notPublic,
      reEvaluateOn: '2026-09-16',
    },
  ],
  remedy: { ...reviewOrSuit, kind: 'review-first-for-withheld-part' },
};

/** A fully withheld item on one ground, with whatever evidence the case gives. */
function withheldOn(part: WithheldPart, outcome: ItemDecision['outcome'], row: DisclosureDecision['reportRow']): DisclosureDecision {
  return { ...validWithheld, outcome, reportRow: row, items: [{ ...withheldSecretItem, outcome, withheldParts: [part] }] };
}

const lawPart: WithheldPart = {
  ground: 'prohibited-by-law',
  scope: '全文',
  reason: '法律禁止公开',
  evidence: { prohibitingLaw: { name: '《示例法》', article: '第十条' } },
};
const validProhibitedByLaw = withheldOn(lawPart, 'withheld-prohibited-by-law', '三.3.2');

const securityPart: WithheldPart = {
  ground: 'endangers-security-or-stability',
  scope: '附件二',
  reason: '公开后可能危及公共安全',
  evidence: { endangeredInterests: ['public-security'] },
};
const validEndangers = withheldOn(securityPart, 'withheld-endangers-security-or-stability', '三.3.3');

const validThirdParty = withheldOn(thirdPartyPart, 'withheld-third-party-rights', '三.3.4');

const processPart: WithheldPart = {
  ground: 'process-information',
  scope: '第1至4页（讨论记录）',
  reason: '属于讨论记录，公开可能影响决策',
  evidence: { discretionReason: '该决策尚未作出，公开讨论记录会妨碍正常决策', noDisclosureRuleConfirmed: true },
};
const validProcess = withheldOn(processPart, 'withheld-process-information', '三.3.6');

const validNotHeld: DisclosureDecision = {
  decidedOn: DECIDED_ON,
  handledBy: 'staff-handler',
  signOff: { signedBy: 'staff-head', signedOn: '2026-03-13' },
  outcome: 'not-held',
  reportRow: '三.4.1',
  items: [
    {
      itemId: 'item-1',
      outcome: 'not-held',
      withheldParts: [],
      reason: '经检索，本机关未制作或获取该信息',
      alreadyPublicCheck: notPublic,
      searchRecord: {
        searchedBy: 'staff-handler',
        searchedOn: '2026-03-10',
        locations: ['公文交换系统', '档案室2019-2025年文书档案'],
        keywords: ['规划许可', '宁规字'],
      },
    },
  ],
  remedy: reviewOrSuit,
};

const validRequiresCreation: DisclosureDecision = {
  ...validNotHeld,
  outcome: 'requires-creation',
  reportRow: '三.4.2',
  items: [
    {
      itemId: 'item-1',
      outcome: 'requires-creation',
      withheldParts: [],
      reason: '所申请的统计汇总需要对现有信息进行加工、分析',
      alreadyPublicCheck: notPublic,
      creationFinding: { redactionOfExistingRecordsCannotAnswer: true, reason: '现有台账不含所要求的分类统计数据' },
    },
  ],
};

const validAlreadyPublic: DisclosureDecision = {
  ...validNotHeld,
  outcome: 'already-public',
  reportRow: '三.1',
  items: [
    {
      itemId: 'item-1',
      outcome: 'already-public',
      withheldParts: [],
      alreadyPublicCheck: { isPublic: true, location: 'https://www.nanjing.gov.cn/zdgk/202501/t20250110_1.html' },
    },
  ],
};

const validSpecialRegime: DisclosureDecision = {
  ...validNotHeld,
  outcome: 'special-access-regime',
  reportRow: '三.3.8',
  items: [{ itemId: 'item-1', outcome: 'special-access-regime', withheldParts: [], reason: '不动产登记资料应依照不动产登记资料查询规定办理' }],
};

/** Two items disclosed and withheld, rolled up to 部分公开: the multi-item reply. */
const validMixed: DisclosureDecision = {
  ...validPartial,
  items: [{ itemId: 'item-1', outcome: 'disclosed', withheldParts: [] }, { ...withheldSecretItem, itemId: 'item-2' }],
};

const change = (decision: DisclosureDecision, edit: (copy: DisclosureDecision) => void): DisclosureDecision => {
  const copy = structuredClone(decision);
  edit(copy);
  return copy;
};
const firstItem = (decision: DisclosureDecision): ItemDecision => decision.items[0]!;
const firstPart = (decision: DisclosureDecision): WithheldPart => firstItem(decision).withheldParts[0]!;

interface FailingCase {
  name: string;
  decision: DisclosureDecision;
  /** The fields the check must name, in order. */
  fields: string[];
}
interface CheckCases {
  failing: FailingCase[];
  passing: { name: string; decision: DisclosureDecision }[];
}

const CASES: Record<MinimisationCheckId, CheckCases> = {
  'closed-ground-list': {
    failing: [
      {
        name: 'a ground outside Arts. 14–16',
        decision: change(validWithheld, (d) => {
          (firstPart(d) as { ground: string }).ground = 'other';
        }),
        fields: ['items.0.withheldParts.0.ground'],
      },
      {
        name: 'a procedural outcome citing a refusal ground',
        decision: change(validNotHeld, (d) => {
          firstItem(d).withheldParts = [secretPart];
        }),
        fields: ['items.0.withheldParts'],
      },
      {
        name: 'an outcome outside the list',
        decision: change(validDisclosed, (d) => {
          (firstItem(d) as { outcome: string }).outcome = 'refused';
        }),
        fields: ['items.0.outcome'],
      },
    ],
    passing: [{ name: 'an Art. 14 refusal', decision: validWithheld }],
  },

  'withheld-part-basis': {
    failing: [
      {
        name: 'a withheld part with no scope or reason',
        decision: change(validPartial, (d) => {
          firstPart(d).scope = '';
          firstPart(d).reason = ' ';
        }),
        fields: ['items.0.withheldParts.0.scope', 'items.0.withheldParts.0.reason'],
      },
      {
        name: 'a refusal with no withheld part',
        decision: change(validWithheld, (d) => {
          firstItem(d).withheldParts = [];
        }),
        fields: ['items.0.withheldParts'],
      },
    ],
    passing: [{ name: 'a partial disclosure with its redaction reasoned', decision: validPartial }],
  },

  'partial-before-total': {
    failing: [
      {
        name: 'a total refusal with no not-separable reason',
        decision: change(validWithheld, (d) => {
          delete firstItem(d).notSeparableReason;
        }),
        fields: ['items.0.notSeparableReason'],
      },
    ],
    passing: [
      { name: 'a total refusal that explains why nothing can be separated', decision: validWithheld },
      { name: 'a partial disclosure, which needs no such reason', decision: validPartial },
    ],
  },

  'article-14-evidence': {
    failing: [
      {
        name: 'a state secret without its classification reference',
        decision: change(validWithheld, (d) => {
          firstPart(d).evidence = {};
        }),
        fields: ['items.0.withheldParts.0.evidence.classificationReference'],
      },
      {
        name: '法律、行政法规禁止 without the law and article',
        decision: change(validProhibitedByLaw, (d) => {
          firstPart(d).evidence = { prohibitingLaw: { name: '', article: '' } };
        }),
        fields: ['items.0.withheldParts.0.evidence.prohibitingLaw.name', 'items.0.withheldParts.0.evidence.prohibitingLaw.article'],
      },
      {
        name: '三安全一稳定 without the interest endangered',
        decision: change(validEndangers, (d) => {
          firstPart(d).evidence = { endangeredInterests: [] };
        }),
        fields: ['items.0.withheldParts.0.evidence.endangeredInterests'],
      },
    ],
    passing: [
      { name: 'a classified document', decision: validWithheld },
      { name: 'a named law and article', decision: validProhibitedByLaw },
      { name: 'a named endangered interest', decision: validEndangers },
    ],
  },

  'article-15-third-party': {
    failing: [
      {
        name: 'neither consultation nor public-interest assessment, nor the right harmed',
        decision: change(validThirdParty, (d) => {
          firstPart(d).evidence = {};
        }),
        fields: ['items.0.withheldParts.0.evidence.thirdPartyInterest', 'items.0.withheldParts.0.evidence.thirdPartyConsultation'],
      },
      {
        name: 'the third party consented',
        decision: change(validThirdParty, (d) => {
          firstPart(d).evidence.thirdPartyConsultation!.response = 'consented';
        }),
        fields: ['items.0.withheldParts.0.evidence.thirdPartyConsultation.response'],
      },
      {
        name: 'withholding would gravely affect the public interest',
        decision: change(validThirdParty, (d) => {
          firstPart(d).evidence = {
            thirdPartyInterest: 'commercial-secret',
            publicInterestAssessment: { majorImpactIfWithheld: true, reason: '涉及公共安全' },
          };
        }),
        fields: ['items.0.withheldParts.0.evidence.publicInterestAssessment.majorImpactIfWithheld'],
      },
    ],
    passing: [
      { name: 'a written consultation the third party objected to', decision: validThirdParty },
      {
        name: 'a public-interest assessment instead of a consultation',
        decision: change(validThirdParty, (d) => {
          firstPart(d).evidence = {
            thirdPartyInterest: 'commercial-secret',
            publicInterestAssessment: { majorImpactIfWithheld: false, reason: '仅涉及个别企业经营数据，与公共利益无重大关联' },
          };
        }),
      },
    ],
  },

  'article-16-discretion': {
    failing: [
      {
        name: 'discretion used without a reason or the no-rule confirmation',
        decision: change(validProcess, (d) => {
          firstPart(d).evidence = { noDisclosureRuleConfirmed: false };
        }),
        fields: ['items.0.withheldParts.0.evidence.discretionReason', 'items.0.withheldParts.0.evidence.noDisclosureRuleConfirmed'],
      },
      {
        name: 'internal-affairs information with no reason',
        decision: change(validProcess, (d) => {
          firstItem(d).outcome = 'withheld-internal-affairs';
          d.outcome = 'withheld-internal-affairs';
          d.reportRow = '三.3.5';
          firstPart(d).ground = 'internal-affairs';
          delete firstPart(d).evidence.discretionReason;
        }),
        fields: ['items.0.withheldParts.0.evidence.discretionReason'],
      },
    ],
    passing: [{ name: 'process information with a concrete reason and the confirmation', decision: validProcess }],
  },

  'positive-outcomes-first': {
    failing: [
      {
        name: 'already public, without where',
        decision: change(validAlreadyPublic, (d) => {
          firstItem(d).alreadyPublicCheck = { isPublic: true, location: '' };
        }),
        fields: ['items.0.alreadyPublicCheck.location'],
      },
      {
        name: 'a refusal that never checked for proactive disclosure',
        decision: change(validWithheld, (d) => {
          delete firstItem(d).alreadyPublicCheck;
        }),
        fields: ['items.0.alreadyPublicCheck'],
      },
      {
        name: '不存在 for information found already public',
        decision: change(validNotHeld, (d) => {
          firstItem(d).alreadyPublicCheck = { isPublic: true, location: 'https://www.nanjing.gov.cn/' };
        }),
        fields: ['items.0.outcome'],
      },
    ],
    passing: [
      { name: 'already public, with the address', decision: validAlreadyPublic },
      { name: 'a refusal after checking it is not public', decision: validWithheld },
    ],
  },

  'search-record': {
    failing: [
      {
        name: '不存在 without a search record',
        decision: change(validNotHeld, (d) => {
          delete firstItem(d).searchRecord;
        }),
        fields: ['items.0.searchRecord'],
      },
      {
        name: 'a search record with no searcher, no keywords, and dated after the decision',
        decision: change(validNotHeld, (d) => {
          firstItem(d).searchRecord = { searchedBy: '', searchedOn: '2026-03-17', locations: ['公文交换系统'], keywords: [' '] };
        }),
        fields: ['items.0.searchRecord.searchedBy', 'items.0.searchRecord.searchedOn', 'items.0.searchRecord.keywords'],
      },
    ],
    passing: [{ name: '不存在 with who, when, where and keywords', decision: validNotHeld }],
  },

  'article-38-finding': {
    failing: [
      {
        name: 'Art. 38 without the finding',
        decision: change(validRequiresCreation, (d) => {
          delete firstItem(d).creationFinding;
        }),
        fields: ['items.0.creationFinding.redactionOfExistingRecordsCannotAnswer'],
      },
      {
        name: 'a finding with no reason',
        decision: change(validRequiresCreation, (d) => {
          firstItem(d).creationFinding = { redactionOfExistingRecordsCannotAnswer: true, reason: '' };
        }),
        fields: ['items.0.creationFinding.reason'],
      },
    ],
    passing: [{ name: 'Art. 38 with the finding that redaction cannot answer', decision: validRequiresCreation }],
  },

  'review-and-sign-off': {
    failing: [
      {
        name: 'a disclosure with no 保密审查 and no sign-off',
        decision: change(validDisclosed, (d) => {
          delete d.confidentialityReview;
          delete d.signOff;
        }),
        fields: ['confidentialityReview', 'signOff'],
      },
      {
        name: 'signed off by the handler, before the review',
        decision: change(validWithheld, (d) => {
          d.signOff = { signedBy: 'staff-handler', signedOn: '2026-03-11' };
        }),
        fields: ['signOff.signedBy', 'signOff.signedOn'],
      },
    ],
    passing: [
      { name: 'reviewed, then signed off by another person', decision: validDisclosed },
      { name: 'a procedural outcome, which needs only the sign-off', decision: validNotHeld },
    ],
  },

  'reasons-and-remedy': {
    failing: [
      {
        name: 'a negative outcome with no reason and no remedy',
        decision: change(validNotHeld, (d) => {
          delete firstItem(d).reason;
          delete d.remedy;
        }),
        fields: ['items.0.reason', 'remedy'],
      },
      {
        name: 'a refusal offering court directly (no 复议前置)',
        decision: change(validWithheld, (d) => {
          d.remedy = reviewOrSuit;
        }),
        fields: ['remedy.kind'],
      },
      {
        name: 'a withheld item under a handler-chosen primary outcome still needs 复议前置 for that part',
        decision: {
          ...validNotHeld,
          ...signedAndReviewed,
          primaryOutcome: { outcome: 'not-held', reason: '主要申请事项不存在' },
          items: [firstItem(validNotHeld), { ...withheldSecretItem, itemId: 'item-2' }],
        },
        fields: ['remedy.kind'],
      },
      {
        name: 'no review body or court named',
        decision: change(validDisclosed, (d) => {
          d.remedy = { kind: 'review-or-suit', reviewBody: '' };
        }),
        fields: ['remedy.reviewBody', 'remedy.court'],
      },
    ],
    passing: [
      { name: 'a refusal telling the applicant to apply for review first', decision: validWithheld },
      { name: 'a partial disclosure with review first for the withheld part', decision: validMixed },
    ],
  },

  're-evaluation-date': {
    failing: [
      {
        name: 'a refusal with no re-evaluation date',
        decision: change(validWithheld, (d) => {
          delete firstItem(d).reEvaluateOn;
        }),
        fields: ['items.0.reEvaluateOn'],
      },
      {
        name: 'a re-evaluation date that is not after the decision',
        decision: change(validPartial, (d) => {
          firstItem(d).reEvaluateOn = DECIDED_ON;
        }),
        fields: ['items.0.reEvaluateOn'],
      },
    ],
    passing: [{ name: 'a refusal re-evaluated in a year', decision: validWithheld }],
  },

  'report-row-consistency': {
    failing: [
      {
        name: 'a refusal reported as 予以公开',
        decision: change(validWithheld, (d) => {
          d.reportRow = '三.1';
        }),
        fields: ['reportRow'],
      },
      {
        name: 'items disclosed and withheld but the case outcome 予以公开',
        decision: change(validMixed, (d) => {
          d.outcome = 'disclosed';
          d.reportRow = '三.1';
          d.remedy = { ...reviewOrSuit, kind: 'review-first-for-withheld-part' };
        }),
        fields: ['outcome'],
      },
      {
        name: 'a refusal counted as 国家秘密 that cites a third-party ground',
        decision: change(validThirdParty, (d) => {
          firstItem(d).outcome = 'withheld-state-secret';
          d.outcome = 'withheld-state-secret';
          d.reportRow = '三.3.1';
        }),
        fields: ['items.0.outcome'],
      },
      {
        name: 'mixed procedural items with no primary outcome named',
        decision: change(validNotHeld, (d) => {
          d.items.push({ ...firstItem(d), itemId: 'item-2', outcome: 'repeat-request' });
        }),
        fields: ['primaryOutcome'],
      },
    ],
    passing: [
      { name: 'a refusal in its ground row', decision: validWithheld },
      { name: 'disclosed and withheld items as 部分公开', decision: validMixed },
      { name: 'the Art. 36(7) outcome in row 8', decision: validSpecialRegime },
    ],
  },
};

describe('the 13 minimisation checks', () => {
  test('are 13 distinct ids, each with a Chinese label and a legal basis', () => {
    expect(new Set(MINIMISATION_CHECKS).size).toBe(13);
    for (const check of MINIMISATION_CHECKS) {
      expect(MINIMISATION_CHECK_DEFINITIONS[check].label).toMatch(/\p{Script=Han}/u);
      expect(MINIMISATION_CHECK_DEFINITIONS[check].basis).not.toBe('');
    }
  });

  describe.each(MINIMISATION_CHECKS)('%s', (check) => {
    const cases = CASES[check];

    test.each(cases.failing.map((c) => [c.name, c] as const))('fails: %s', (_name, failing) => {
      const violations = checkDecision(failing.decision);
      expect(violations.filter((v) => v.check === check).map((v) => v.field)).toEqual(failing.fields);
      for (const violation of violations) expect(violation.message).toMatch(/\p{Script=Han}/u);
    });

    test.each(cases.passing.map((c) => [c.name, c] as const))('passes: %s', (_name, passing) => {
      expect(checkDecision(passing.decision)).toEqual([]);
    });
  });
});

describe('checkDecision', () => {
  test('returns every violation, in check order, not only the first', () => {
    const sloppy = change(validWithheld, (d) => {
      firstItem(d).notSeparableReason = '';
      firstPart(d).evidence = {};
      delete firstItem(d).reEvaluateOn;
      delete d.remedy;
    });
    expect(checkDecision(sloppy).map((v) => [v.check, v.field])).toEqual([
      ['partial-before-total', 'items.0.notSeparableReason'],
      ['article-14-evidence', 'items.0.withheldParts.0.evidence.classificationReference'],
      ['reasons-and-remedy', 'remedy'],
      ['re-evaluation-date', 'items.0.reEvaluateOn'],
    ]);
  });

  test('follows the configured report row and remedy rules', () => {
    const rules = outcomeRulesSchema.parse({
      reportRows: { specialAccessRegime: '三.5.5' },
      remedyClauses: { 'special-access-regime': 'review-first' },
    });
    expect(checkDecision(validSpecialRegime, rules).map((v) => v.field)).toEqual(['remedy.kind', 'reportRow']);
    const reconfigured = change(validSpecialRegime, (d) => {
      d.reportRow = '三.5.5';
      d.remedy = { kind: 'review-first', reviewBody: '南京市人民政府' };
    });
    expect(checkDecision(reconfigured, rules)).toEqual([]);
  });

  test('never repeats what the handler wrote in its messages', () => {
    const marker = '张三丰110101199003071234';
    const decision = change(validThirdParty, (d) => {
      firstPart(d).scope = marker;
      firstPart(d).evidence = { discretionReason: marker };
      firstItem(d).notSeparableReason = ' ';
      d.handledBy = marker;
      d.signOff = { signedBy: marker, signedOn: '2026-03-13' };
    });
    const violations = checkDecision(decision);
    expect(violations.length).toBeGreaterThan(2);
    for (const v of violations) expect(v.message).not.toContain(marker);
  });

  test('the decision schema accepts the fixtures and refuses a ground outside the list', () => {
    for (const decision of [validWithheld, validPartial, validMixed, validNotHeld, validRequiresCreation, validAlreadyPublic]) {
      expect(disclosureDecisionSchema.safeParse(decision).success).toBe(true);
    }
    const other = change(validWithheld, (d) => {
      (firstPart(d) as { ground: string }).ground = 'other';
    });
    const result = disclosureDecisionSchema.safeParse(other);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['items', 0, 'withheldParts', 0, 'ground']);
  });
});
