import { chineseNumeral, citeArticle, citeRegulation, EXEMPTION_GROUND_DEFINITIONS, EXEMPTION_GROUNDS } from '../../domain/exemptions';
import {
  DEFAULT_OUTCOME_RULES,
  type Outcome,
  OUTCOME_DEFINITIONS,
  OUTCOMES,
  outcomeRulesSchema,
  REMEDY_CLAUSE_KINDS,
  remedyClauseOf,
  REPLY_DOCUMENT_TYPES,
  reportRowOf,
  rollUpOutcome,
  withheldOutcomeFor,
} from '../../domain/outcomes';
import {
  REPORT_COLUMN_DEFINITIONS,
  REPORT_COLUMNS,
  REPORT_ROW_DEFINITIONS,
  REPORT_ROWS,
  type ReportRowCode,
  RESULT_ROWS,
  reportRowFullLabel,
  type ResultRowCode,
} from '../../domain/report-rows';

/** The row every outcome reports into under the default rules, written out from legal.md §3.2. */
const EXPECTED_ROW: Record<Outcome, ResultRowCode> = {
  'already-public': '三.1',
  disclosed: '三.1',
  'partially-disclosed': '三.2',
  'withheld-state-secret': '三.3.1',
  'withheld-prohibited-by-law': '三.3.2',
  'withheld-endangers-security-or-stability': '三.3.3',
  'withheld-third-party-rights': '三.3.4',
  'withheld-internal-affairs': '三.3.5',
  'withheld-process-information': '三.3.6',
  'withheld-enforcement-case-file': '三.3.7',
  'special-access-regime': '三.3.8',
  'not-held': '三.4.1',
  'not-this-agency': '三.4.1',
  'requires-creation': '三.4.2',
  'unclear-after-correction': '三.4.3',
  'petition-or-complaint': '三.5.1',
  'repeat-request': '三.5.2',
  publication: '三.5.3',
  'excessive-requests': '三.5.4',
  'confirm-or-reissue': '三.5.5',
  'not-corrected': '三.6.1',
  'fee-not-paid': '三.6.2',
  withdrawn: '三.6.3',
  'other-handling': '三.6.3',
};

/** Rows no outcome reports into, and why. */
const ROWS_WITHOUT_OUTCOME: Record<Exclude<ReportRowCode, ResultRowCode>, string> = {
  一: 'intake count, by receipt date',
  二: 'carried over from last year',
  '三.7': 'sum of the result rows',
  四: 'still open at year end',
};

describe('annual-report table 三', () => {
  test('has 25 data rows, 21 of them result rows, and 7 columns ending in the total', () => {
    expect(REPORT_ROWS).toHaveLength(25);
    expect(RESULT_ROWS).toHaveLength(21);
    expect(RESULT_ROWS[0]).toBe('三.1');
    expect(RESULT_ROWS[20]).toBe('三.6.3');
    expect(REPORT_COLUMNS).toHaveLength(7);
    expect(REPORT_COLUMNS.map((c) => REPORT_COLUMN_DEFINITIONS[c].label)).toEqual([
      '自然人',
      '商业企业',
      '科研机构',
      '社会公益组织',
      '法律服务机构',
      '其他',
      '总计',
    ]);
  });

  test('prints the labels of legal.md §3.2', () => {
    expect(REPORT_ROW_DEFINITIONS['三.2'].label).toBe('（二）部分公开（区分处理的，只计这一情形，不计其他情形）');
    expect(REPORT_ROW_DEFINITIONS['三.5.5'].label).toBe('5.要求行政机关确认或重新出具已获取信息');
    expect(reportRowFullLabel('三.3.8')).toBe('三、本年度办理结果 > （三）不予公开 > 8.属于行政查询事项');
    expect(reportRowFullLabel('四')).toBe('四、结转下年度继续办理');
  });
});

describe('outcome taxonomy', () => {
  test.each(OUTCOMES)('%s reports into exactly one existing result row, the expected one', (outcome) => {
    const row = reportRowOf(outcome);
    expect(row).toBe(EXPECTED_ROW[outcome]);
    expect(REPORT_ROW_DEFINITIONS[row].kind).toBe('result');
  });

  test.each(OUTCOMES)('%s has a label, a reply document, a remedy clause and a citable basis', (outcome) => {
    const definition = OUTCOME_DEFINITIONS[outcome];
    expect(definition.label).toMatch(/\p{Script=Han}/u);
    expect(REPLY_DOCUMENT_TYPES).toContain(definition.replyDocument);
    expect(REMEDY_CLAUSE_KINDS).toContain(definition.remedyClause);
    for (const citation of definition.legalBasis) {
      expect(citation.article).toBeGreaterThanOrEqual(1);
      expect(citation.article).toBeLessThanOrEqual(56);
    }
  });

  test('every result row is reached by some outcome; the other rows are documented as not outcome rows', () => {
    const reached = new Set(OUTCOMES.map((o) => reportRowOf(o)));
    for (const row of REPORT_ROWS) {
      if (reached.has(row as ResultRowCode)) continue;
      expect(Object.keys(ROWS_WITHOUT_OUTCOME)).toContain(row);
      expect(REPORT_ROW_DEFINITIONS[row].kind).not.toBe('result');
    }
    expect(reached.size).toBe(21);
  });

  test('only these outcomes have no article to cite', () => {
    expect(OUTCOMES.filter((o) => OUTCOME_DEFINITIONS[o].legalBasis.length === 0)).toEqual([
      'confirm-or-reissue',
      'withdrawn',
      'other-handling',
    ]);
  });

  test('the seven refusals: one per ground, the ground row, the refusal letter and review first', () => {
    expect(EXEMPTION_GROUNDS).toHaveLength(7);
    for (const ground of EXEMPTION_GROUNDS) {
      const outcome = withheldOutcomeFor(ground);
      expect(OUTCOME_DEFINITIONS[outcome]).toMatchObject({
        exemptionGround: ground,
        replyDocument: 'non-disclosure',
        remedyClause: 'review-first',
        effect: 'withheld',
      });
      expect(reportRowOf(outcome)).toBe(EXEMPTION_GROUND_DEFINITIONS[ground].reportRow);
    }
    expect(OUTCOME_DEFINITIONS['partially-disclosed'].remedyClause).toBe('review-first-for-withheld-part');
    expect(OUTCOME_DEFINITIONS['not-held'].remedyClause).toBe('review-or-suit');
  });

  test('cites article, 款 and 项 as reply letters do', () => {
    expect(OUTCOME_DEFINITIONS['withheld-internal-affairs'].legalBasis.map(citeArticle)).toEqual([
      '第十六条第一款',
      '第三十六条第（三）项',
    ]);
    expect(OUTCOME_DEFINITIONS['not-held'].legalBasis.map(citeRegulation)).toEqual([
      '《中华人民共和国政府信息公开条例》第三十六条第（四）项',
    ]);
    expect(citeArticle({ article: 39, paragraph: 2 })).toBe('第三十九条第二款');
    expect(citeArticle({ article: 14 })).toBe('第十四条');
    expect([1, 10, 11, 20, 42, 99].map(chineseNumeral)).toEqual(['一', '十', '十一', '二十', '四十二', '九十九']);
    expect(() => chineseNumeral(0)).toThrow(RangeError);
    expect(() => chineseNumeral(100)).toThrow(RangeError);
  });
});

describe('configurable rules (UNCONFIRMED mappings)', () => {
  test('an empty configuration gives the legal.md defaults', () => {
    expect(outcomeRulesSchema.parse({})).toEqual(DEFAULT_OUTCOME_RULES);
    expect(DEFAULT_OUTCOME_RULES.reportRows).toEqual({ alreadyPublic: '三.1', specialAccessRegime: '三.3.8', notThisAgency: '三.4.1' });
  });

  test('moves the Art. 36(7) outcome to another row', () => {
    const rules = outcomeRulesSchema.parse({ reportRows: { specialAccessRegime: '三.5.5' } });
    expect(reportRowOf('special-access-regime', rules)).toBe('三.5.5');
    expect(reportRowOf('not-this-agency', rules)).toBe('三.4.1');
    expect(reportRowOf('withheld-state-secret', rules)).toBe('三.3.1');
  });

  test.each(['三.2', '三.3.1', '三.3.7', '三.7', '四'])('refuses to map a configurable outcome to row %s', (row) => {
    const result = outcomeRulesSchema.safeParse({ reportRows: { specialAccessRegime: row } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['reportRows', 'specialAccessRegime']);
  });

  test('lets legal staff extend review-first to other negative outcomes, never relax it for refusals', () => {
    const rules = outcomeRulesSchema.parse({ remedyClauses: { 'not-held': 'review-first' } });
    expect(remedyClauseOf('not-held', rules)).toBe('review-first');
    expect(remedyClauseOf('not-this-agency', rules)).toBe('review-or-suit');

    const relaxed = outcomeRulesSchema.safeParse({ remedyClauses: { 'withheld-third-party-rights': 'review-or-suit' } });
    expect(relaxed.success).toBe(false);
    expect(relaxed.error?.issues[0]?.path).toEqual(['remedyClauses', 'withheld-third-party-rights']);
    const smuggled = { ...DEFAULT_OUTCOME_RULES, remedyClauses: { 'partially-disclosed': 'review-or-suit' as const } };
    expect(remedyClauseOf('partially-disclosed', smuggled)).toBe('review-first-for-withheld-part');
  });
});

describe('multi-item roll-up', () => {
  test('one outcome for every item is the case outcome', () => {
    expect(rollUpOutcome(['not-held', 'not-held'])).toEqual({ ok: true, outcome: 'not-held', basis: 'single-outcome' });
    expect(rollUpOutcome(['disclosed'])).toEqual({ ok: true, outcome: 'disclosed', basis: 'single-outcome' });
  });

  test.each<[Outcome[]]>([
    [['disclosed', 'withheld-state-secret']],
    [['already-public', 'withheld-third-party-rights']],
    [['partially-disclosed', 'not-held']],
    [['disclosed', 'withheld-internal-affairs', 'not-this-agency']],
  ])('%j rolls up to 部分公开', (items) => {
    expect(rollUpOutcome(items)).toEqual({ ok: true, outcome: 'partially-disclosed', basis: 'disclosed-and-withheld' });
  });

  test.each<[Outcome[]]>([
    [['disclosed', 'not-held']],
    [['disclosed', 'already-public']],
    [['withheld-state-secret', 'withheld-third-party-rights']],
    [['not-held', 'not-this-agency', 'repeat-request']],
  ])('%j needs the handler to name a primary outcome', (items) => {
    expect(rollUpOutcome(items)).toEqual({
      ok: false,
      problem: expect.objectContaining({ code: 'primary-outcome-required', field: 'primaryOutcome' }),
    });
    expect(rollUpOutcome(items, { outcome: items[1]!, reason: '第二项为申请的主要内容' })).toEqual({
      ok: true,
      outcome: items[1],
      basis: 'handler-primary',
    });
  });

  test('the primary outcome must be an item outcome, with a reason, and agree with the rule when there is one', () => {
    const items: Outcome[] = ['disclosed', 'not-held'];
    expect(rollUpOutcome(items, { outcome: 'repeat-request', reason: '理由' })).toMatchObject({
      ok: false,
      problem: { code: 'primary-not-among-items', field: 'primaryOutcome.outcome' },
    });
    expect(rollUpOutcome(items, { outcome: 'not-held', reason: '  ' })).toMatchObject({
      ok: false,
      problem: { code: 'primary-reason-required', field: 'primaryOutcome.reason' },
    });
    expect(rollUpOutcome(['disclosed', 'withheld-state-secret'], { outcome: 'disclosed', reason: '理由' })).toMatchObject({
      ok: false,
      problem: { code: 'primary-contradicts-rule' },
    });
    expect(rollUpOutcome(['disclosed', 'withheld-state-secret'], { outcome: 'partially-disclosed', reason: '理由' })).toMatchObject({
      ok: true,
      outcome: 'partially-disclosed',
    });
    expect(rollUpOutcome([])).toMatchObject({ ok: false, problem: { code: 'no-items' } });
  });

  test('over generated item lists: 部分公开 wins whenever something is disclosed and something withheld', () => {
    let seed = 20260316;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const disclosedSide = new Set<Outcome>(['already-public', 'disclosed', 'partially-disclosed']);
    const withheldSide = new Set<Outcome>([...OUTCOMES.filter((o) => o.startsWith('withheld-')), 'partially-disclosed']);
    for (let run = 0; run < 2000; run += 1) {
      const items = Array.from({ length: 1 + next(5) }, () => OUTCOMES[next(OUTCOMES.length)]!);
      const result = rollUpOutcome(items);
      const mixed = items.some((o) => disclosedSide.has(o)) && items.some((o) => withheldSide.has(o));
      if (new Set(items).size === 1) expect(result).toEqual({ ok: true, outcome: items[0], basis: 'single-outcome' });
      else if (mixed) expect(result).toMatchObject({ ok: true, outcome: 'partially-disclosed' });
      else expect(result).toMatchObject({ ok: false, problem: { code: 'primary-outcome-required' } });
    }
  });
});
