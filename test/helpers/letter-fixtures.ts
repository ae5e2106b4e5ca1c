import type { RequestedItem } from '../../domain/application';
import type { ExemptionGround } from '../../domain/exemptions';
import { type LetterDocument, LETTER_TYPES, type LetterType } from '../../domain/letters';
import type { ItemDecision, WithheldPart } from '../../domain/minimisation';
import { OUTCOME_DEFINITIONS, type Outcome, type ReplyDocumentType } from '../../domain/outcomes';
import {
  type AgencyFacts,
  buildLetterContext,
  type LetterFactsByType,
  type ReplyFacts,
} from '../../templates/letters/builders';
import { renderLetter } from '../../templates/letters/render-letter';
import type { LetterContext } from '../../templates/letters/schemas';

// One realistic case of 连云港市自然资源和规划局 (the demo agency), from which every letter type is built: the
// samples (docs/samples), the DOCX/PDF renderer tests and the letter tests all read these.

export const SAMPLE_AGENCY: AgencyFacts = {
  name: '连云港市自然资源和规划局',
  remedy: { reviewBodies: ['连云港市人民政府'], court: '连云港市连云区人民法院' },
};

export const SAMPLE_REQUESTED_ITEMS: readonly RequestedItem[] = [
  { title: '2025年海州区某地块国有建设用地使用权出让规划条件', documentNumber: '连规〔2025〕12号' },
  { title: '该地块规划条件论证会的专家意见及会议纪要' },
];

const applicant = { type: 'natural-person', name: '张三' } as const;
const header = (documentNumber: string) => ({ agency: SAMPLE_AGENCY, documentNumber, date: '2026-12-10' });
const toApplicant = (documentNumber: string) => ({
  ...header(documentNumber),
  applicant,
  requestedItems: SAMPLE_REQUESTED_ITEMS,
  receivedOn: '2026-11-27',
});
const reply = (outcome: Outcome): ReplyFacts => ({ ...toApplicant('连资规依复〔2026〕15号'), outcome });
const search = {
  searchedOn: '2026-12-03',
  places: ['本机关公文管理系统', '规划业务档案室', '土地出让业务系统'],
  keywords: ['海州区', '规划条件', '连规〔2025〕12号'],
};
const provision = { form: 'paper', manner: 'post' } as const;

/** A withheld part on each ground, with the evidence its ground requires (the minimisation checks pass on it). */
export const SAMPLE_WITHHELD_PARTS: Record<ExemptionGround, WithheldPart> = {
  'state-secret': {
    ground: 'state-secret',
    scope: '附件3中的测绘成果坐标数据',
    reason: '该数据已依法确定为秘密级国家秘密',
    evidence: { classificationReference: '秘密级，定密依据为测绘管理工作国家秘密范围的规定' },
  },
  'prohibited-by-law': {
    ground: 'prohibited-by-law',
    scope: '附件4中的涉密档案目录',
    reason: '档案法律对该类档案的开放有禁止性规定',
    evidence: { prohibitingLaw: { name: '中华人民共和国档案法', article: '第二十八条' } },
  },
  'endangers-security-or-stability': {
    ground: 'endangers-security-or-stability',
    scope: '附件5中重要基础设施的管线走向图',
    reason: '公开后可能被用于破坏供水管网，危及公共安全',
    evidence: { endangeredInterests: ['public-security'] },
  },
  'third-party-rights': {
    ground: 'third-party-rights',
    scope: '附件2中自然人的身份证号码和联系电话',
    reason: '涉及第三方个人隐私，第三方书面表示不同意公开且有合理理由',
    evidence: {
      thirdPartyInterest: 'personal-privacy',
      thirdPartyConsultation: { sentOn: '2026-11-30', response: 'objected', respondedOn: '2026-12-04' },
    },
  },
  'internal-affairs': {
    ground: 'internal-affairs',
    scope: '会议纪要中的人员分工安排',
    reason: '该内容属于本机关内部人事管理事项，对申请人的权利义务不产生直接影响',
    evidence: { discretionReason: '属于内部人事管理事项', noDisclosureRuleConfirmed: true },
  },
  'process-information': {
    ground: 'process-information',
    scope: '专家论证意见的讨论记录',
    reason: '该讨论记录为形成规划条件过程中的讨论意见，尚未成为正式决定',
    evidence: { discretionReason: '公开讨论记录会影响专家独立发表意见', noDisclosureRuleConfirmed: true },
  },
  'enforcement-case-file': {
    ground: 'enforcement-case-file',
    scope: '该地块违法用地查处案卷',
    reason: '该案卷属于行政执法案卷信息',
    evidence: { discretionReason: '案件尚在执行阶段', noDisclosureRuleConfirmed: true },
  },
};

const withheldItem = (ground: ExemptionGround, outcome: Outcome): ItemDecision => ({
  itemId: '2',
  outcome,
  withheldParts: [SAMPLE_WITHHELD_PARTS[ground]],
  notSeparableReason: '会议纪要全文均为专家论证意见，无法区分出可以公开的内容',
  reEvaluateOn: '2027-12-10',
});

/** The facts of every letter type for the sample case. */
export function sampleLetterFacts(): { [T in LetterType]: LetterFactsByType[T] } {
  return {
    receipt: {
      agency: SAMPLE_AGENCY,
      date: '2026-11-27',
      applicant,
      requestedItems: SAMPLE_REQUESTED_ITEMS,
      receivedOn: '2026-11-27',
      caseNumber: 'LYG-ZRZY-2026-000001',
      channel: 'in-person',
      replyDueOn: '2026-12-25',
    },
    'third-party-disclosure-notice': {
      ...header('连资规依告〔2026〕2号'),
      thirdParty: { type: 'organisation', name: '连云港某某置业有限公司' },
      receivedOn: '2026-11-27',
      about: '2025年海州区某地块国有建设用地使用权出让规划条件及其附件',
      consultedOn: '2026-11-30',
      objectedOn: '2026-12-04',
      publicInterestReason: '该地块规划条件涉及周边两千余户居民的日照、通行等切身利益，且已引起广泛关注',
      disclosedContent: '规划条件正文及附件1《地块规划指标表》',
      disclosureFrom: '2026-12-28',
    },
    'correction-notice': {
      ...toApplicant('连资规依补〔2026〕3号'),
      itemsToCorrect: ['请写明所申请规划条件对应地块的位置或者地块编号', '请提供申请人身份证明的复印件'],
      dueOn: '2026-12-18',
    },
    'reasons-request': {
      ...toApplicant('连资规依复〔2026〕16号'),
      finding: '您于2026年11月共向本机关提出政府信息公开申请86件，涉及全市各地块的出让资料1200余项',
      reasonsDueOn: '2026-12-18',
    },
    'extension-notice': {
      ...toApplicant('连资规依延〔2026〕4号'),
      reason: '您申请的信息涉及2015年至2025年的规划档案共计三百余卷，需要逐卷检索和审查',
      workingDays: 20,
      approvedOn: '2026-12-09',
      dueOn: '2027-01-25',
    },
    'third-party-consultation': {
      ...header('连资规依征〔2026〕5号'),
      thirdParty: { type: 'organisation', name: '连云港某某置业有限公司' },
      receivedOn: '2026-11-27',
      about: '2025年海州区某地块国有建设用地使用权出让规划条件及其附件',
      interest: 'commercial-secret',
      contact: '本机关政府信息公开办公室，电话0518-85820000',
    },
    'co-maker-consultation': {
      ...header('连资规依征〔2026〕6号'),
      coMakerAgency: '连云港市住房和城乡建设局',
      receivedOn: '2026-11-27',
      about: '《关于海州区某地块开发建设有关事项的联合通知》',
      contact: '本机关政府信息公开办公室，电话0518-85820000',
    },
    'consultation-notice': { ...toApplicant('连资规依复〔2026〕18号'), consulted: 'third-party', consultedOn: '2026-11-30' },
    'fee-notice': {
      ...toApplicant('连资规依复〔2026〕19号'),
      amountYuan: 500,
      calculation: '按件计收，您本月提出的第11件至第15件申请，每件100元，共5件',
      paymentMethod: '到本机关财务室现场缴纳，或者通过江苏省非税收入缴款平台缴纳',
      paymentDueOn: '2027-01-08',
    },

    'already-public': {
      ...reply('already-public'),
      items: [
        {
          itemId: '1',
          outcome: 'already-public',
          withheldParts: [],
          alreadyPublicCheck: { isPublic: true, location: '连云港市自然资源和规划局网站“政府信息公开—规划信息”栏目（2025年6月3日发布）' },
        },
      ],
    },
    disclosure: { ...reply('disclosed'), attachments: ['连规〔2025〕12号规划条件（复印件）'], provision },
    'partial-disclosure': {
      ...reply('partially-disclosed'),
      thirdPartyConsultedOn: '2026-11-30',
      attachments: ['连规〔2025〕12号规划条件（区分处理后的复印件）'],
      provision,
      items: [
        {
          itemId: '1',
          outcome: 'partially-disclosed',
          withheldParts: [SAMPLE_WITHHELD_PARTS['third-party-rights']],
          reEvaluateOn: '2027-12-10',
        },
        withheldItem('process-information', 'withheld-process-information'),
      ],
    },
    'non-disclosure': {
      ...reply('withheld-process-information'),
      items: [withheldItem('process-information', 'withheld-process-information')],
    },
    'special-access-regime': {
      ...reply('special-access-regime'),
      law: '《不动产登记暂行条例》',
      reason: '您申请获取的是该地块的不动产登记资料，其查询有专门规定',
    },
    'not-held': {
      ...reply('not-held'),
      search,
      reason: '该地块的规划条件论证未召开专家论证会，本机关未制作相关会议纪要',
    },
    'not-this-agency': {
      ...reply('not-this-agency'),
      reason: '该地块的出让合同由连云港市海州区人民政府负责签订和保存',
      responsibleAgency: '连云港市海州区人民政府',
      responsibleAgencyContact: '电话0518-85800000',
    },
    'requires-creation': {
      ...reply('requires-creation'),
      search,
      reason: '本机关没有按地块汇总的规划条件变更统计，需要逐件查阅并统计分析',
    },
    'unclear-after-correction': {
      ...reply('unclear-after-correction'),
      correction: { noticeSentOn: '2026-11-30', receivedOn: '2026-12-04' },
      reason: '补正后的申请仍未写明地块的位置、编号或者文件名称',
    },
    'petition-or-complaint': {
      ...reply('petition-or-complaint'),
      reason: '您的申请系反映该地块施工扰民问题并要求查处',
      channel: '连云港市12345政务服务便民热线',
    },
    'repeat-request': {
      ...reply('repeat-request'),
      earlierRepliedOn: '2026-10-15',
      earlierReplyNumber: '连资规依复〔2026〕9号',
      reason: '本次申请的内容与前次申请相同，您未说明正当理由',
    },
    publication: {
      ...reply('publication'),
      howToObtain: '《连云港市国土空间总体规划（2021—2035年）》文本已由出版社公开出版，您可以通过新华书店或者连云港市图书馆获取',
    },
    'excessive-requests': {
      ...reply('excessive-requests'),
      reasonsRequestedOn: '2026-12-01',
      reasonsReceivedOn: '2026-12-08',
      reason: '您所说明的理由为“了解全市土地出让情况”，与申请的数量不相适应',
    },
    'confirm-or-reissue': {
      ...reply('confirm-or-reissue'),
      reason: '您要求本机关对已经取得的规划条件复印件加盖印章予以确认',
    },
    'not-corrected': { ...reply('not-corrected'), correctionNotice: { sentOn: '2026-11-30', dueOn: '2026-12-14' } },
    'fee-not-paid': {
      ...reply('fee-not-paid'),
      feeNotice: { sentOn: '2026-12-01', amountYuan: 500, paymentDueOn: '2026-12-29' },
    },
    withdrawn: { ...reply('withdrawn'), withdrawnOn: '2026-12-02', reason: '撤回的理由为已通过其他途径获得所需信息' },
    'other-handling': {
      ...reply('other-handling'),
      reason: '您的申请系要求本机关解释规划条件中容积率指标的确定依据，属于咨询事项，本机关已通过电话向您作出解释。',
    },
  };
}

/** One realistic context per letter type, built by the templates' builders from `sampleLetterFacts()`. */
export function sampleLetterContexts(): { [T in LetterType]: LetterContext<T> } {
  const facts = sampleLetterFacts();
  const build = <T extends LetterType>(type: T): LetterContext<T> => buildLetterContext(type, facts[type]);
  return Object.fromEntries(LETTER_TYPES.map((type) => [type, build(type)])) as { [T in LetterType]: LetterContext<T> };
}

/** The sample reply answering an outcome: its reply type's sample, for this outcome (a refusal on its own ground). */
export function sampleReplyContextFor(outcome: Outcome): { type: ReplyDocumentType; context: LetterContext<ReplyDocumentType> } {
  const definition = OUTCOME_DEFINITIONS[outcome];
  const all = sampleLetterFacts();
  const type = definition.replyDocument;
  const ground = definition.exemptionGround;
  if (ground !== undefined) {
    const facts = { ...all['non-disclosure'], outcome, items: [withheldItem(ground, outcome)] };
    return { type, context: buildLetterContext('non-disclosure', facts) };
  }
  return { type, context: buildLetterContext(type, { ...all[type], outcome }) };
}

/** Every letter type of the sample case rendered from the shipped templates, in LETTER_TYPES order. */
export function sampleLetters(): LetterDocument[] {
  const contexts = sampleLetterContexts();
  const render = <T extends LetterType>(type: T): LetterDocument => renderLetter(type, contexts[type]);
  return LETTER_TYPES.map((type) => render(type));
}
