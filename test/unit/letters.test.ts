import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays } from '../../domain/dates';
import { PROCEDURAL_NOTICE_LABELS } from '../../domain/gongkai-config';
import { chineseNumeral } from '../../domain/exemptions';
import {
  ADMINISTRATIVE_REVIEW_LAW_TITLE,
  CHINESE_DATE_PATTERN,
  chineseCount,
  chineseDate,
  isoDateOfWrittenDate,
  formatCitation,
  formatCitations,
  isReplyLetterType,
  LETTER_TYPE_LABELS,
  LETTER_TYPES,
  type LetterType,
  remedyClauseParagraphs,
  REVIEW_FIRST_CITATION,
} from '../../domain/letters';
import type { ItemDecision } from '../../domain/minimisation';
import { OUTCOME_DEFINITIONS, OUTCOMES, REPLY_DOCUMENT_TYPES } from '../../domain/outcomes';
import { InvalidInputError } from '../../domain/validation';
import { buildLetterContext, LETTER_CONTEXT_BUILDERS } from '../../templates/letters/builders';
import { LETTER_TEMPLATES_DIR, letterTemplateFile, letterText, renderLetter } from '../../templates/letters/render-letter';
import { LETTER_CONTEXT_SCHEMAS } from '../../templates/letters/schemas';
import { TemplateError } from '../../templates/render';
import { SAMPLE_AGENCY, sampleLetterContexts, sampleLetterFacts, sampleReplyContextFor } from '../helpers/letter-fixtures';

const contexts = sampleLetterContexts();
const facts = sampleLetterFacts();
const render = <T extends LetterType>(type: T) => renderLetter(type, contexts[type]);

/** Fails naming the first part not found after the previous one. */
function expectInOrder(text: string, parts: readonly string[]): void {
  let from = 0;
  for (const part of parts) {
    const at = text.indexOf(part, from);
    if (at < 0) {
      const anywhere = text.indexOf(part) >= 0 ? ' (it appears earlier, out of order)' : '';
      throw new Error(`expected, after position ${from}: ${part}${anywhere}\n--- text ---\n${text}`);
    }
    from = at + part.length;
  }
}

// ---------------------------------------------------------------------------------------------------------------------

describe('dates and numbers written out', () => {
  test('chineseDate: the year digit by digit, month and day counted', () => {
    expect(chineseDate('2026-11-28')).toBe('二〇二六年十一月二十八日');
    expect(chineseDate('2027-01-01')).toBe('二〇二七年一月一日');
    expect(chineseDate('2030-10-10')).toBe('二〇三〇年十月十日');
    expect(chineseDate('2026-12-31')).toBe('二〇二六年十二月三十一日');
    expect(chineseDate('2026-02-20')).toBe('二〇二六年二月二十日');
    expect(chineseDate('2026-03-21')).toBe('二〇二六年三月二十一日');
    expect(chineseDate('2026-04-30')).toBe('二〇二六年四月三十日');
    expect(chineseDate('2100-05-19')).toBe('二一〇〇年五月十九日');
  });

  test('chineseDate refuses what is not a date', () => {
    expect(() => chineseDate('2026-02-30')).toThrow(RangeError);
    expect(() => chineseDate('28.11.2026')).toThrow(RangeError);
  });

  test('every day of a leap year matches the pattern the context schemas check', () => {
    for (let day = 0; day < 366; day++) expect(chineseDate(addDays('2028-01-01', day))).toMatch(CHINESE_DATE_PATTERN);
    expect('2026年11月28日').not.toMatch(CHINESE_DATE_PATTERN);
    expect('二〇二六年十三月一日').not.toMatch(CHINESE_DATE_PATTERN);
  });

  test('chineseCount up to 999', () => {
    const expected: [number, string][] = [
      [1, '一'],
      [10, '十'],
      [11, '十一'],
      [14, '十四'],
      [20, '二十'],
      [36, '三十六'],
      [100, '一百'],
      [101, '一百零一'],
      [110, '一百一十'],
      [119, '一百一十九'],
      [250, '二百五十'],
      [999, '九百九十九'],
    ];
    for (const [n, text] of expected) expect(chineseCount(n)).toBe(text);
    for (let n = 1; n < 100; n++) expect(chineseCount(n)).toBe(chineseNumeral(n));
    expect(() => chineseCount(0)).toThrow(RangeError);
    expect(() => chineseCount(1000)).toThrow(RangeError);
    expect(() => chineseCount(2.5)).toThrow(RangeError);
  });
});

describe('citations', () => {
  test('article, paragraph and item, the item in full-width brackets', () => {
    expect(formatCitation({ article: 36, item: 2 })).toBe('《中华人民共和国政府信息公开条例》第三十六条第（二）项');
    expect(formatCitation({ article: 14 })).toBe('《中华人民共和国政府信息公开条例》第十四条');
    expect(formatCitation({ article: 16, paragraph: 2 })).toBe('《中华人民共和国政府信息公开条例》第十六条第二款');
    expect(formatCitation({ article: 100 })).toBe('《中华人民共和国政府信息公开条例》第一百条');
    expect(formatCitation(REVIEW_FIRST_CITATION, ADMINISTRATIVE_REVIEW_LAW_TITLE)).toBe('《中华人民共和国行政复议法》第二十三条第一款第（四）项');
  });

  test('several provisions of one law: the title once, repeats dropped', () => {
    expect(formatCitations([{ article: 15 }, { article: 36, item: 3 }, { article: 15 }])).toBe(
      '《中华人民共和国政府信息公开条例》第十五条、第三十六条第（三）项',
    );
    expect(() => formatCitations([])).toThrow(RangeError);
  });
});

describe('the remedy clause', () => {
  const settings = { reviewBodies: ['连云港市人民政府'], court: '连云港市连云区人民法院' };

  test('review or suit: 60 days to the review body, 6 months to the court', () => {
    expect(remedyClauseParagraphs('review-or-suit', settings)).toEqual([
      '如对本答复不服，可以自收到本答复书之日起六十日内向连云港市人民政府申请行政复议，或者自收到本答复书之日起六个月内向连云港市连云区人民法院提起行政诉讼。',
    ]);
  });

  test('review first (行政复议法 Art. 23(1)(4)): review within 60 days, then court within 15 days of the review decision', () => {
    expect(remedyClauseParagraphs('review-first', settings)).toEqual([
      '如对本答复不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，应当自收到本答复书之日起六十日内先向连云港市人民政府申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。',
    ]);
  });

  test('review first for the withheld part only; the rest may go to review or court', () => {
    expect(remedyClauseParagraphs('review-first-for-withheld-part', settings)).toEqual([
      '如对本答复中不予公开的部分不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，应当自收到本答复书之日起六十日内先向连云港市人民政府申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。',
      '如对本答复的其他内容不服，可以自收到本答复书之日起六十日内向连云港市人民政府申请行政复议，或者自收到本答复书之日起六个月内向连云港市连云区人民法院提起行政诉讼。',
    ]);
  });

  test('several review bodies are alternatives', () => {
    const two = remedyClauseParagraphs('review-or-suit', { ...settings, reviewBodies: ['连云港市人民政府', '江苏省自然资源厅'] });
    expect(two[0]).toContain('向连云港市人民政府或者江苏省自然资源厅申请行政复议');
    const three = remedyClauseParagraphs('review-first', { ...settings, reviewBodies: ['甲市人民政府', '乙厅', '丙局'] });
    expect(three[0]).toContain('先向甲市人民政府、乙厅或者丙局申请行政复议');
  });

  test('a notice words it for its own decision', () => {
    expect(remedyClauseParagraphs('review-or-suit', settings, { act: '本机关公开上述政府信息的决定', document: '本告知书' })).toEqual([
      '如对本机关公开上述政府信息的决定不服，可以自收到本告知书之日起六十日内向连云港市人民政府申请行政复议，或者自收到本告知书之日起六个月内向连云港市连云区人民法院提起行政诉讼。',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('every document type has a template', () => {
  test.each([...LETTER_TYPES])('%s: a template file, a context schema, a builder, and a sample that renders', (type) => {
    expect(existsSync(letterTemplateFile(type))).toBe(true);
    expect(LETTER_CONTEXT_SCHEMAS[type]).toBeDefined();
    expect(typeof LETTER_CONTEXT_BUILDERS[type]).toBe('function');
    expect(render(type).letterType).toBe(type);
  });

  test.each([...OUTCOMES])('outcome %s is answered by a reply type with a template', (outcome) => {
    const { type, context } = sampleReplyContextFor(outcome);
    expect(REPLY_DOCUMENT_TYPES).toContain(type);
    expect(LETTER_TYPES).toContain(type);
    expect(existsSync(letterTemplateFile(type))).toBe(true);
    const doc = renderLetter(type, context);
    expect(doc.title).toBe('连云港市自然资源和规划局政府信息公开申请答复书');
    expect(doc.transition).toBe('现答复如下：');
  });

  test('no template file without its document type', () => {
    const files = ['partials', ...LETTER_TYPES.map((type) => `${type}.hbs`)];
    const shipped = readdirSync(LETTER_TEMPLATES_DIR).filter((name) => !name.endsWith('.ts'));
    expect(shipped.sort()).toEqual(files.sort());
  });
});

// Hand-written: what each letter must say, in this order, after the title and number. Replies also have the
// salutation, the recital's receipt date, 现答复如下, and the remedy clause; every letter ends agency, seal, date.
const RECEIVED = '二〇二六年十一月二十七日';
const REPLY_TITLE = '连云港市自然资源和规划局政府信息公开申请答复书';
const REVIEW_OR_SUIT =
  '如对本答复不服，可以自收到本答复书之日起六十日内向连云港市人民政府申请行政复议，或者自收到本答复书之日起六个月内向连云港市连云区人民法院提起行政诉讼。';
const REVIEW_FIRST_WORDING = '应当自收到本答复书之日起六十日内先向连云港市人民政府申请行政复议';
const LAW = '《中华人民共和国政府信息公开条例》';

interface Expected {
  title: string;
  number: string | null;
  salutation: string;
  /** Recital, decision, legal basis and provision, in order. */
  body: string[];
  remedy: string[];
}

const reply = (number: string, body: string[], remedy: string[] = [REVIEW_OR_SUIT], history: string[] = []): Expected => ({
  title: REPLY_TITLE,
  number,
  salutation: '张三：',
  body: [
    `本机关于${RECEIVED}收到您提出的政府信息公开申请`,
    '“2025年海州区某地块国有建设用地使用权出让规划条件”（文号：连规〔2025〕12号）',
    ...history,
    '现答复如下：',
    ...body,
  ],
  remedy,
});
const REPLY_NUMBER = '连资规依复〔2026〕15号';

const EXPECTED: Record<LetterType, Expected> = {
  receipt: {
    title: '政府信息公开申请接收回执',
    number: null,
    salutation: '张三：',
    body: [
      `本机关于${RECEIVED}收到您提出的政府信息公开申请`,
      '登记编号为LYG-ZRZY-2026-000001',
      '本机关将于二〇二六年十二月二十五日前作出答复',
      `${LAW}第三十一条、第三十三条第二款`,
    ],
    remedy: [],
  },
  'third-party-disclosure-notice': {
    title: '政府信息依申请公开告知书（给第三方）',
    number: '连资规依告〔2026〕2号',
    salutation: '连云港某某置业有限公司：',
    body: [
      `本机关于${RECEIVED}收到一份政府信息公开申请`,
      '本机关于二〇二六年十一月三十日就此书面征求了贵单位的意见，贵单位于二〇二六年十二月四日提出不同意公开的意见。',
      '本机关认为不公开上述政府信息可能对公共利益造成重大影响：该地块规划条件涉及周边两千余户居民的日照、通行等切身利益，且已引起广泛关注。',
      '决定公开的政府信息内容为：规划条件正文及附件1《地块规划指标表》。',
      `根据${LAW}第十五条、第三十二条的规定，现将决定公开的政府信息内容和理由书面告知贵单位。`,
    ],
    remedy: [
      '如对本机关公开上述政府信息的决定不服，可以自收到本告知书之日起六十日内向连云港市人民政府申请行政复议，或者自收到本告知书之日起六个月内向连云港市连云区人民法院提起行政诉讼。',
    ],
  },
  'correction-notice': {
    title: '政府信息公开申请补正告知书',
    number: '连资规依补〔2026〕3号',
    salutation: '张三：',
    body: [
      `本机关于${RECEIVED}收到您提出的政府信息公开申请`,
      '1. 请写明所申请规划条件对应地块的位置或者地块编号',
      '2. 请提供申请人身份证明的复印件',
      '请您于二〇二六年十二月十八日前向本机关提交补正后的申请。',
      '您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。',
      `根据${LAW}第三十条的规定`,
    ],
    remedy: [],
  },
  'reasons-request': {
    title: '政府信息公开申请说明理由告知书',
    number: '连资规依复〔2026〕16号',
    salutation: '张三：',
    body: [
      `本机关于${RECEIVED}收到您提出的政府信息公开申请`,
      '您申请公开政府信息的数量、频次明显超过合理范围。',
      '请您于二〇二六年十二月十八日前向本机关书面说明申请理由。',
      '本机关认为申请理由不合理的，将告知您不予处理',
      `根据${LAW}第三十五条的规定`,
    ],
    remedy: [],
  },
  'extension-notice': {
    title: '政府信息公开申请延期答复告知书',
    number: '连资规依延〔2026〕4号',
    salutation: '张三：',
    body: [
      `本机关于${RECEIVED}收到您提出的政府信息公开申请`,
      '经审查，您申请的信息涉及2015年至2025年的规划档案共计三百余卷，需要逐卷检索和审查。本机关不能在法定期限内作出答复。',
      '经本机关政府信息公开工作机构负责人于二〇二六年十二月九日同意，答复期限延长20个工作日，本机关将于二〇二七年一月二十五日前作出答复。',
      `根据${LAW}第三十三条第二款的规定`,
    ],
    remedy: [],
  },
  'third-party-consultation': {
    title: '政府信息公开申请征求意见书（给第三方）',
    number: '连资规依征〔2026〕5号',
    salutation: '连云港某某置业有限公司：',
    body: [
      `本机关于${RECEIVED}收到一份政府信息公开申请，申请公开的政府信息为：2025年海州区某地块国有建设用地使用权出让规划条件及其附件。`,
      '该政府信息涉及贵单位的商业秘密',
      '请贵单位自收到本征求意见书之日起十五个工作日内',
      '贵单位逾期未提出意见的，本机关将依照《中华人民共和国政府信息公开条例》的规定决定是否公开。',
      `根据${LAW}第三十二条的规定，特此征求意见。`,
    ],
    remedy: [],
  },
  'co-maker-consultation': {
    title: '政府信息公开申请征求意见书（给共同制作机关）',
    number: '连资规依征〔2026〕6号',
    salutation: '连云港市住房和城乡建设局：',
    body: [
      `本机关于${RECEIVED}收到一份政府信息公开申请`,
      '该政府信息由本机关与贵机关共同制作',
      '请贵机关自收到本征求意见书之日起十五个工作日内向本机关提出书面意见',
      '贵机关逾期未提出意见的，视为同意公开。',
      `根据${LAW}第三十四条的规定，特此征求意见。`,
    ],
    remedy: [],
  },
  'consultation-notice': {
    title: '政府信息公开申请征求意见告知书（给申请人）',
    number: '连资规依复〔2026〕18号',
    salutation: '张三：',
    body: [
      `本机关于${RECEIVED}收到您提出的政府信息公开申请`,
      '本机关已于二〇二六年十一月三十日书面征求第三方的意见。',
      '征求意见所需时间不计算在答复期限内。',
      `根据${LAW}第三十二条、第三十三条第三款的规定`,
    ],
    remedy: [],
  },
  'fee-notice': {
    title: '政府信息公开申请收费通知书',
    number: '连资规依复〔2026〕19号',
    salutation: '张三：',
    body: [
      `本机关于${RECEIVED}收到您提出的政府信息公开申请`,
      '您应缴纳信息处理费人民币500.00元，计算方法：按件计收，您本月提出的第11件至第15件申请，每件100元，共5件。',
      '请您于二〇二七年一月八日前通过以下方式缴纳：到本机关财务室现场缴纳，或者通过江苏省非税收入缴款平台缴纳。',
      '您逾期未缴纳信息处理费的，本机关将不再处理该政府信息公开申请。',
      `根据${LAW}第四十二条第一款和《政府信息公开信息处理费管理办法》的规定`,
    ],
    remedy: [],
  },
  'already-public': reply(REPLY_NUMBER, [
    '本机关已经主动公开',
    `根据${LAW}第三十六条第（一）项之规定`,
    '“2025年海州区某地块国有建设用地使用权出让规划条件”（文号：连规〔2025〕12号）：连云港市自然资源和规划局网站“政府信息公开—规划信息”栏目（2025年6月3日发布）',
  ]),
  disclosure: reply(REPLY_NUMBER, [
    '本机关决定予以公开。',
    `根据${LAW}第三十六条第（二）项之规定`,
    '本机关按照您申请的提供形式（纸质文本）和获取方式（邮寄）提供予以公开的政府信息。',
    '予以公开的政府信息随本答复书一并提供。',
  ]),
  'partial-disclosure': reply(
    REPLY_NUMBER,
    [
      '能够作区分处理',
      '1. “2025年海州区某地块国有建设用地使用权出让规划条件”（文号：连规〔2025〕12号）中不予公开的内容：附件2中自然人的身份证号码和联系电话。理由：涉及第三方个人隐私，第三方书面表示不同意公开且有合理理由。该部分属于涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息。',
      '2. “该地块规划条件论证会的专家意见及会议纪要”中不予公开的内容：专家论证意见的讨论记录。',
      `根据${LAW}第三十七条之规定`,
      `对上述第1部分内容，根据${LAW}第十五条、第三十六条第（三）项之规定，本机关不予公开。`,
      `对上述第2部分内容，根据${LAW}第十六条第二款、第三十六条第（三）项之规定，本机关不予公开。`,
      '提供予以公开的政府信息',
    ],
    [
      '如对本答复中不予公开的部分不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，应当自收到本答复书之日起六十日内先向连云港市人民政府申请行政复议；',
      '如对本答复的其他内容不服，可以自收到本答复书之日起六十日内向连云港市人民政府申请行政复议，或者自收到本答复书之日起六个月内向连云港市连云区人民法院提起行政诉讼。',
    ],
    ['因所申请的政府信息涉及第三方合法权益，本机关于二〇二六年十一月三十日书面征求了第三方的意见，征求意见所需时间不计算在答复期限内。'],
  ),
  'non-disclosure': reply(
    REPLY_NUMBER,
    [
      '依法不予公开',
      '专家论证意见的讨论记录',
      '不能作区分处理：会议纪要全文均为专家论证意见，无法区分出可以公开的内容。',
      `对上述第1部分内容，根据${LAW}第十六条第二款、第三十六条第（三）项之规定，本机关不予公开。`,
    ],
    [
      '如对本答复不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，应当自收到本答复书之日起六十日内先向连云港市人民政府申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。',
    ],
  ),
  'special-access-regime': reply(REPLY_NUMBER, [
    '《不动产登记暂行条例》对信息的获取有特别规定',
    `根据${LAW}第三十六条第（七）项之规定，请您依照《不动产登记暂行条例》的规定办理。`,
  ]),
  'not-held': reply(REPLY_NUMBER, [
    '本机关于二〇二六年十二月三日在本机关公文管理系统、规划业务档案室、土地出让业务系统中，以“海州区”、“规划条件”、“连规〔2025〕12号”为关键词进行了检索',
    `根据${LAW}第三十六条第（四）项之规定，现告知您，您申请公开的政府信息不存在。`,
  ]),
  'not-this-agency': reply(REPLY_NUMBER, [
    '不属于本机关负责公开',
    '负责公开该政府信息的行政机关为连云港市海州区人民政府（联系方式：电话0518-85800000）',
    `根据${LAW}第三十六条第（五）项之规定`,
  ]),
  'requires-creation': reply(REPLY_NUMBER, [
    '需要本机关对现有政府信息进行加工、分析才能形成',
    `根据${LAW}第三十八条之规定，本机关不予提供。`,
  ]),
  'unclear-after-correction': reply(
    REPLY_NUMBER,
    ['补正后的申请内容仍不明确', `根据${LAW}第三十条之规定`],
    [REVIEW_OR_SUIT],
    ['本机关于二〇二六年十一月三十日向您发出补正告知书，您于二〇二六年十二月四日提交了补正后的申请'],
  ),
  'petition-or-complaint': reply(REPLY_NUMBER, [
    '属于信访、投诉、举报等活动',
    `根据${LAW}第三十九条第一款之规定，本机关不作为政府信息公开申请处理，您可以通过连云港市12345政务服务便民热线提出。`,
  ]),
  'repeat-request': reply(REPLY_NUMBER, [
    '本机关已于二〇二六年十月十五日就您提出的相同政府信息公开申请作出答复（连资规依复〔2026〕9号）',
    `根据${LAW}第三十六条第（六）项之规定，本机关不予重复处理。`,
  ]),
  publication: reply(REPLY_NUMBER, [
    '公开出版物',
    `根据${LAW}第三十九条第二款之规定`,
    '您可以通过新华书店或者连云港市图书馆获取。',
  ]),
  'excessive-requests': reply(REPLY_NUMBER, [
    '本机关于二〇二六年十二月一日要求您说明申请理由，您于二〇二六年十二月八日作出了说明。',
    '本机关认为您的申请理由不合理',
    `根据${LAW}第三十五条之规定，本机关不予处理。`,
  ]),
  'confirm-or-reissue': reply(REPLY_NUMBER, ['要求本机关确认或者重新出具您已经获取的信息', '本机关不予处理。']),
  'not-corrected': reply(REPLY_NUMBER, [
    '告知您应当于二〇二六年十二月十四日前补正',
    '视为放弃申请。',
    `根据${LAW}第三十条之规定，本机关不再处理该政府信息公开申请。`,
  ]),
  'fee-not-paid': reply(REPLY_NUMBER, [
    '缴纳信息处理费人民币500.00元',
    `根据${LAW}第四十二条第一款和《政府信息公开信息处理费管理办法》的规定，本机关不再处理该政府信息公开申请。`,
  ]),
  withdrawn: reply(REPLY_NUMBER, ['您于二〇二六年十二月二日撤回了该政府信息公开申请。', '本机关终止办理该申请。']),
  'other-handling': reply(REPLY_NUMBER, ['属于咨询事项，本机关已通过电话向您作出解释。']),
};

describe('each letter says what it must, in order', () => {
  test.each([...LETTER_TYPES])('%s', (type) => {
    const expected = EXPECTED[type];
    const doc = render(type);
    expect(doc.title).toBe(expected.title);
    expect(doc.documentNumber).toBe(expected.number);
    expect(doc.salutation).toBe(expected.salutation);
    expect(doc.transition).toBe(isReplyLetterType(type) ? '现答复如下：' : null);
    expect(doc.sealPlaceholder).toBe('（印章）');
    expect(doc.remedy).toHaveLength(expected.remedy.length);
    expectInOrder(letterText(doc), [
      expected.title,
      ...(expected.number === null ? [] : [expected.number]),
      expected.salutation,
      ...expected.body,
      ...expected.remedy,
      '连云港市自然资源和规划局',
      '（印章）',
      type === 'receipt' ? RECEIVED : '二〇二六年十二月十日',
    ]);
  });

  test('a notice is titled by its label; a reply by the agency', () => {
    for (const type of LETTER_TYPES) {
      expect(render(type).title).toBe(isReplyLetterType(type) ? REPLY_TITLE : LETTER_TYPE_LABELS[type]);
    }
    expect(LETTER_TYPE_LABELS['correction-notice']).toBe(PROCEDURAL_NOTICE_LABELS['correction-notice']);
  });

  test('a legal basis cited for every reply whose outcome has one, and never an empty one', () => {
    for (const type of REPLY_DOCUMENT_TYPES) {
      const doc = render(type);
      const outcome = facts[type].outcome;
      expect(doc.legalBasis.length > 0).toBe(OUTCOME_DEFINITIONS[outcome].legalBasis.length > 0 || type === 'non-disclosure');
    }
  });

  test('the plain text in full, for one letter', () => {
    expect(letterText(render('correction-notice'))).toBe(
      [
        '政府信息公开申请补正告知书',
        '连资规依补〔2026〕3号',
        '',
        '张三：',
        '　　本机关于二〇二六年十一月二十七日收到您提出的政府信息公开申请，申请获取以下政府信息：',
        '　　1. “2025年海州区某地块国有建设用地使用权出让规划条件”（文号：连规〔2025〕12号）',
        '　　2. “该地块规划条件论证会的专家意见及会议纪要”',
        '　　经审查，您的申请需要补正。现一次性告知需要补正的事项如下：',
        '　　1. 请写明所申请规划条件对应地块的位置或者地块编号',
        '　　2. 请提供申请人身份证明的复印件',
        '　　请您于二〇二六年十二月十八日前向本机关提交补正后的申请。答复期限自本机关收到补正后的申请之日起计算。',
        '　　您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。',
        '　　根据《中华人民共和国政府信息公开条例》第三十条的规定，特此告知。',
        '',
        '连云港市自然资源和规划局',
        '（印章）',
        '二〇二六年十二月十日',
        '',
      ].join('\n'),
    );
  });

  test('attachments follow the body, before the signature block (GB/T 9704 §7.3.4), numbered when there are several', () => {
    const one = letterText(render('disclosure'));
    expect(one).toContain('\n\n附件：连规〔2025〕12号规划条件（复印件）\n\n连云港市自然资源和规划局\n（印章）\n二〇二六年十二月十日\n');
    expect(one.endsWith('二〇二六年十二月十日\n')).toBe(true);
    const two = renderLetter('disclosure', { ...contexts.disclosure, attachments: ['规划条件（复印件）', '地块规划指标表'] });
    expect(letterText(two)).toContain('附件：1. 规划条件（复印件）\n　　　2. 地块规划指标表\n\n连云港市自然资源和规划局\n');
  });

  test('the correction, consultations and extension are recited in a reply where they happened', () => {
    const doc = renderLetter('disclosure', buildLetterContext('disclosure', {
      ...facts.disclosure,
      correction: { noticeSentOn: '2026-11-30', receivedOn: '2026-12-02' },
      thirdPartyConsultedOn: '2026-12-03',
      coMakerConsultedOn: '2026-12-04',
      extension: { notifiedOn: '2026-12-20', dueOn: '2027-01-20' },
    }));
    expectInOrder(letterText(doc), [
      '本机关于二〇二六年十一月三十日向您发出补正告知书，您于二〇二六年十二月二日提交了补正后的申请，答复期限自本机关收到补正后的申请之日起计算。',
      '本机关于二〇二六年十二月三日书面征求了第三方的意见，征求意见所需时间不计算在答复期限内。',
      '本机关于二〇二六年十二月四日征求了相关行政机关的意见，征求意见所需时间不计算在答复期限内。',
      '本机关于二〇二六年十二月二十日告知您将答复期限延长至二〇二七年一月二十日。',
      '现答复如下：',
    ]);
    expect(letterText(render('disclosure'))).not.toMatch(/补正告知书|征求了|延长至/);
  });

  test('collection in person names the place and the period', () => {
    const doc = renderLetter('disclosure', buildLetterContext('disclosure', {
      ...facts.disclosure,
      provision: { form: 'paper', manner: 'collect', appointment: { place: '本机关政务服务窗口（连云港市海州区朝阳东路1号）', from: '2026-12-14', until: '2026-12-25' } },
    }));
    expect(doc.provision).toEqual([
      '本机关按照您申请的提供形式（纸质文本）和获取方式（当面领取）提供予以公开的政府信息。',
      '请您于二〇二六年十二月十四日至二〇二六年十二月二十五日的工作时间，携带本答复书和身份证明到本机关政务服务窗口（连云港市海州区朝阳东路1号）当面领取。',
    ]);
    expect(() => buildLetterContext('disclosure', { ...facts.disclosure, provision: { form: 'inspection', manner: 'on-site' } })).toThrow(
      /provision\.appointment/,
    );
  });

  test('an organisation is addressed as 贵单位', () => {
    const doc = renderLetter('not-held', buildLetterContext('not-held', { ...facts['not-held'], applicant: { type: 'organisation', name: '某某律师事务所' } }));
    expect(doc.salutation).toBe('某某律师事务所：');
    expect(doc.recital[0]).toBe('本机关于二〇二六年十一月二十七日收到贵单位提出的政府信息公开申请，申请获取以下政府信息：');
  });
});

describe('复议前置 exactly where the law requires it', () => {
  test.each([...OUTCOMES])('outcome %s', (outcome) => {
    const { type, context } = sampleReplyContextFor(outcome);
    const text = letterText(renderLetter(type, context));
    const effect = OUTCOME_DEFINITIONS[outcome].effect;
    if (effect === 'withheld') {
      expect(text).toContain(`如对本答复不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，${REVIEW_FIRST_WORDING}`);
      expect(text).not.toContain('六个月内');
    } else if (effect === 'partially-disclosed') {
      expect(text).toContain(`如对本答复中不予公开的部分不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，${REVIEW_FIRST_WORDING}`);
      expect(text).toContain('如对本答复的其他内容不服，可以自收到本答复书之日起六十日内向连云港市人民政府申请行政复议，或者自收到本答复书之日起六个月内向连云港市连云区人民法院提起行政诉讼。');
    } else {
      expect(text).not.toContain('先向');
      expect(text).not.toContain('行政复议法');
      expect(text).toContain(REVIEW_OR_SUIT);
    }
  });

  test('the non-disclosure reply cites each outcome’s own ground', () => {
    const cited = OUTCOMES.filter((o) => OUTCOME_DEFINITIONS[o].effect === 'withheld').map((outcome) => {
      const { type, context } = sampleReplyContextFor(outcome);
      return renderLetter(type, context).legalBasis[0];
    });
    expect(cited).toEqual([
      `对上述第1部分内容，根据${LAW}第十四条、第三十六条第（三）项之规定，本机关不予公开。`,
      `对上述第1部分内容，根据《中华人民共和国档案法》第二十八条和${LAW}第十四条、第三十六条第（三）项之规定，本机关不予公开。`,
      `对上述第1部分内容，根据${LAW}第十四条、第三十六条第（三）项之规定，本机关不予公开。`,
      `对上述第1部分内容，根据${LAW}第十五条、第三十六条第（三）项之规定，本机关不予公开。`,
      `对上述第1部分内容，根据${LAW}第十六条第一款、第三十六条第（三）项之规定，本机关不予公开。`,
      `对上述第1部分内容，根据${LAW}第十六条第二款、第三十六条第（三）项之规定，本机关不予公开。`,
      `对上述第1部分内容，根据${LAW}第十六条第二款、第三十六条第（三）项之规定，本机关不予公开。`,
    ]);
  });

  test('no procedural notice carries it', () => {
    for (const type of LETTER_TYPES.filter((t) => !isReplyLetterType(t))) expect(letterText(render(type))).not.toContain('先向');
  });

  test('an agency that configures review first for another outcome gets it in that reply', () => {
    const context = buildLetterContext('not-held', {
      ...facts['not-held'],
      agency: { ...SAMPLE_AGENCY, outcomeRules: { reportRows: { alreadyPublic: '三.1', specialAccessRegime: '三.3.8', notThisAgency: '三.4.1' }, remedyClauses: { 'not-held': 'review-first' } } },
    });
    expect(letterText(renderLetter('not-held', context))).toContain(REVIEW_FIRST_WORDING);
  });

  test('a builder refuses an outcome its reply does not answer', () => {
    expect(() => buildLetterContext('not-held', { ...facts['not-held'], outcome: 'disclosed' })).toThrow(
      'outcome disclosed is answered by the disclosure reply, not not-held',
    );
  });
});

describe('a missing field fails loudly, naming it', () => {
  test('a field left out of the context', () => {
    const withoutProvision: Partial<typeof contexts.disclosure> = { ...contexts.disclosure };
    delete withoutProvision.provision;
    expect(() => renderLetter('disclosure', withoutProvision as never)).toThrow(InvalidInputError);
    expect(() => renderLetter('disclosure', withoutProvision as never)).toThrow(/provision/);
  });

  test('a field set to null that must have a value, and a date not written out', () => {
    expect(() => renderLetter('correction-notice', { ...contexts['correction-notice'], dueOn: null as never })).toThrow(/dueOn/);
    expect(() => renderLetter('correction-notice', { ...contexts['correction-notice'], dueOn: '2026-12-18' })).toThrow(/dueOn/);
    expect(() => renderLetter('non-disclosure', { ...contexts['non-disclosure'], withheldParts: [] })).toThrow(/withheldParts/);
    expect(() => renderLetter('disclosure', { ...contexts.disclosure, remedy: [] })).toThrow(/remedy/);
  });

  test('an unknown field, which a misspelt one would be', () => {
    expect(() => renderLetter('receipt', { ...contexts.receipt, recievedOn: RECEIVED } as never)).toThrow(/recievedOn/);
  });

  test('the builders name the decision field they miss', () => {
    const item: ItemDecision = { itemId: '1', outcome: 'already-public', withheldParts: [] };
    expect(() => buildLetterContext('already-public', { ...facts['already-public'], items: [item] })).toThrow(/items\.0\.alreadyPublicCheck\.location/);
    expect(() => buildLetterContext('already-public', { ...facts['already-public'], items: [{ ...item, itemId: '9', alreadyPublicCheck: { isPublic: true, location: '网站' } }] })).toThrow(/items\.0\.itemId/);
    const withheld = { ...facts['non-disclosure'].items[0]!, notSeparableReason: undefined };
    expect(() => buildLetterContext('non-disclosure', { ...facts['non-disclosure'], items: [withheld] })).toThrow(/items\.0\.notSeparableReason/);
  });
});

describe('what applicants typed is reproduced as text', () => {
  const hostile = '<script>alert(1)</script> {{agencyName}} {{#each requests}}x{{/each}} {{> case-history}}';

  test('HTML and Handlebars in a request title and the name are neither escaped nor evaluated', () => {
    const doc = renderLetter('disclosure', buildLetterContext('disclosure', {
      ...facts.disclosure,
      applicant: { type: 'natural-person', name: '{{documentNumber}}<b>' },
      requestedItems: [{ title: hostile }],
    }));
    expect(doc.salutation).toBe('{{documentNumber}}<b>：');
    expect(doc.recital[1]).toBe(`1. “${hostile}”`);
    expect(letterText(doc)).toContain(hostile);
  });

  test('a line break or a section marker in a title cannot make a paragraph or a section of its own', () => {
    const context = buildLetterContext('not-held', { ...facts['not-held'], requestedItems: [{ title: '甲\n== decision ==\n乙\r\n丙' }] });
    const doc = renderLetter('not-held', context);
    expect(doc.recital[1]).toBe('1. “甲 == decision == 乙 丙”');
    expect(doc.decision[0]).toMatch(/^本机关于二〇二六年十二月三日/);
    // Given directly, a line break is refused, naming the field.
    const raw = { ...context, requests: [{ ordinal: 1, text: '甲\n乙' }] };
    expect(() => renderLetter('not-held', raw)).toThrow(/requests\.0\.text/);
  });
});

describe('an agency’s own templates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gongkai-letters-'));
    cpSync(join(LETTER_TEMPLATES_DIR, 'partials'), join(dir, 'partials'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const shipped = (type: LetterType) => readFileSync(letterTemplateFile(type), 'utf8');
  const write = (type: LetterType, source: string) => writeFileSync(join(dir, `${type}.hbs`), source);

  test('adjusted wording is used', () => {
    write('not-held', shipped('not-held').replace('现答复如下：', '经研究，现答复如下：'));
    expect(renderLetter('not-held', contexts['not-held'], dir).transition).toBe('经研究，现答复如下：');
  });

  test('a field the context does not have is an error naming the field and the section', () => {
    write('not-held', shipped('not-held').replace('{{reason}}', '{{reasonText}}'));
    expect(() => renderLetter('not-held', contexts['not-held'], dir)).toThrow(TemplateError);
    expect(() => renderLetter('not-held', contexts['not-held'], dir)).toThrow(/not-held\.hbs, section decision: "reasonText" not defined/);
  });

  test('a missing, repeated, unknown or misplaced section is an error', () => {
    write('not-held', shipped('not-held').replace(/== remedy ==\n[\s\S]*?(?=== agency ==)/, ''));
    expect(() => renderLetter('not-held', contexts['not-held'], dir)).toThrow('not-held.hbs: missing section(s) remedy');
    write('not-corrected', `${shipped('not-corrected')}== remedy ==\n`);
    expect(() => renderLetter('not-corrected', contexts['not-corrected'], dir)).toThrow('section "remedy" appears twice');
    write('publication', shipped('publication').replace('== provision ==', '== provisions =='));
    expect(() => renderLetter('publication', contexts.publication, dir)).toThrow('unknown section "provisions"');
    write('withdrawn', shipped('withdrawn').replace('== title ==', '== titel ==\n== title =='));
    expect(() => renderLetter('withdrawn', contexts.withdrawn, dir)).toThrow('unknown section "titel"');
    const swapped = shipped('fee-not-paid').replace('== agency ==\n{{agencyName}}\n== sealPlaceholder ==\n（印章）', '== sealPlaceholder ==\n（印章）\n== agency ==\n{{agencyName}}');
    write('fee-not-paid', swapped);
    expect(() => renderLetter('fee-not-paid', contexts['fee-not-paid'], dir)).toThrow('section "sealPlaceholder" out of order');
  });

  test('text outside a section, an empty required element or two lines where one belongs are errors', () => {
    write('not-held', `写在外面的字\n${shipped('not-held')}`);
    expect(() => renderLetter('not-held', contexts['not-held'], dir)).toThrow('text before the first section marker');
    write('disclosure', shipped('disclosure').replace('== documentNumber ==\n{{documentNumber}}', '== documentNumber =='));
    expect(() => renderLetter('disclosure', contexts.disclosure, dir)).toThrow('disclosure.hbs, section documentNumber: a numbered letter needs its number');
    write('publication', shipped('publication').replace('现答复如下：\n', ''));
    expect(() => renderLetter('publication', contexts.publication, dir)).toThrow('section transition: a reply needs its transition');
    write('withdrawn', shipped('withdrawn').replace('== title ==\n', '== title ==\n第一行\n'));
    expect(() => renderLetter('withdrawn', contexts.withdrawn, dir)).toThrow('section title: one line expected, the template gives 2');
  });

  test('a custom helper is refused: the templates stay logic-less', () => {
    write('other-handling', shipped('other-handling').replace('{{reason}}', '{{upper reason}}'));
    expect(() => renderLetter('other-handling', contexts['other-handling'], dir)).toThrow(
      /other-handling\.hbs, section decision: .*unknown helper upper/,
    );
  });
});

test('a date written out reads back as the date chineseDate wrote; anything else is no date', () => {
  expect(isoDateOfWrittenDate('二〇二六年十一月二十八日')).toBe('2026-11-28');
  expect(isoDateOfWrittenDate('二〇二七年一月十日')).toBe('2027-01-10');
  expect(isoDateOfWrittenDate('2026年3月5日')).toBe('2026-03-05');
  for (const date of ['2026-01-01', '2026-02-28', '2026-12-31', '2030-10-31']) expect(isoDateOfWrittenDate(chineseDate(date))).toBe(date);
  for (const text of ['二〇二六年二月三十日', '二〇二六年十三月一日', '二〇二六年一月十十日', '2026-11-28']) expect(isoDateOfWrittenDate(text)).toBeUndefined();
});
