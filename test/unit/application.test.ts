import {
  APPLICATION_LIMITS,
  type ApplicationInput,
  applicantReportColumn,
  applicationSchema,
  CHANNEL_KINDS,
  CHANNEL_NEEDS_CONFIRMATION,
  type ChannelKind,
  MAX_REPORTED_PROBLEMS,
  parseApplication,
  receiptDate,
} from '../../domain/application';
import { isIsoInstant } from '../../domain/dates';
import { InvalidInputError, type FieldProblem } from '../../domain/validation';
import { randomResidentId, randomUscc, USCC_SET } from '../helpers/id-numbers';
import { pick, prng } from '../helpers/random';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures and generators (ID numbers come from test/helpers/id-numbers.ts, which computes check characters
// independently of the code under test)

/** A different character at a random position: always a corruption. */
function corrupt(random: () => number, value: string, alphabet: string): string {
  const i = Math.floor(random() * value.length);
  const others = alphabet.replace(value[i] ?? '', '');
  return value.slice(0, i) + pick(random, others) + value.slice(i + 1);
}

const personApplicant = {
  type: 'natural-person',
  name: '张三',
  idDocument: { kind: 'resident-id-card', number: '11010519491231002X' },
} as const;
const organisationApplicant = {
  type: 'organisation',
  organisationType: 'legal-service-institution',
  name: '江苏某某律师事务所',
  idDocument: { kind: 'unified-social-credit-code', number: '91350100M000100Y43' },
} as const;

const CHANNELS: Record<ChannelKind, ApplicationInput['channel']> = {
  'in-person': { kind: 'in-person', submittedAt: '2026-11-27T10:15:00+08:00' },
  'registered-post': { kind: 'registered-post', signedForAt: '2026-11-27T10:15:00+08:00' },
  'ordinary-mail': { kind: 'ordinary-mail', arrivedAt: '2026-11-26T16:00:00+08:00', confirmedAt: '2026-11-27T10:15:00+08:00' },
  internet: { kind: 'internet', submittedAt: '2026-11-26T22:00:00+08:00', confirmedAt: '2026-11-27T10:15:00+08:00' },
  fax: { kind: 'fax', receivedAt: '2026-11-26T18:30:00+08:00', confirmedAt: '2026-11-27T10:15:00+08:00' },
  oral: { kind: 'oral', submittedAt: '2026-11-27T10:15:00+08:00' },
};

/** A complete application; `overrides` replaces (or adds, to test unknown keys) top-level fields. */
const application = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  agencyCode: 'njzrzy',
  applicant: personApplicant,
  contact: { phone: '025-83001234', postalAddress: '南京市玄武区北京东路1号', postcode: '210008' },
  requestedItems: [{ title: '2025年某某地块规划条件', documentNumber: '宁规〔2025〕12号' }],
  provision: { form: 'paper', manner: 'post' },
  channel: CHANNELS['in-person'],
  ...overrides,
});

function problemsOf(input: unknown): FieldProblem[] {
  try {
    parseApplication(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).problems;
  }
  throw new Error('expected the application to be refused');
}
const fieldsOf = (input: unknown): string[] => problemsOf(input).map((problem) => problem.field);

// ---------------------------------------------------------------------------------------------------------------

describe('parseApplication', () => {
  test.each(CHANNEL_KINDS)('accepts a complete application submitted via %s', (kind) => {
    const parsed = parseApplication(application({ channel: CHANNELS[kind] }));
    expect(parsed.channel.kind).toBe(kind);
    expect(parsed.applicant.name).toBe('张三');
  });

  test('normalises while parsing, and parsing its own output changes nothing', () => {
    const parsed = parseApplication(
      application({
        applicant: { ...personApplicant, name: '  张三 ', idDocument: { kind: 'resident-id-card', number: '110105 19491231 002x' } },
        contact: { phone: '０２５-８３００１２３４', email: ' zhang@example.cn ' },
        provision: { form: 'electronic', manner: 'email' },
      }),
    );
    expect(parsed.applicant).toEqual({
      type: 'natural-person',
      name: '张三',
      idDocument: { kind: 'resident-id-card', number: '11010519491231002X' },
    });
    expect(parsed.contact).toEqual({ phone: '025-83001234', email: 'zhang@example.cn' });
    expect(parseApplication(parsed)).toEqual(parsed);
  });

  test('names each field by path and Chinese label, with a Chinese and an English message', () => {
    const attempt = () =>
      parseApplication(
        application({ applicant: { ...personApplicant, idDocument: { kind: 'resident-id-card', number: '110105194912310021' } } }),
      );
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(
      '政府信息公开申请 / application: applicant.idDocument.number（证件号码）: 居民身份证号码校验码不正确 / check digit does not match',
    );
  });

  test('never repeats submitted personal data in the error', () => {
    const name = '李四'.repeat(60);
    const id = '320102199001011235';
    const phone = 'call 13912345678 now';
    const email = 'li.si.private@@example.cn';
    const address = `南京市${'\u0007'}秘密路8号`;
    const attempt = () =>
      parseApplication(
        application({
          applicant: { type: 'natural-person', name, idDocument: { kind: 'resident-id-card', number: id } },
          contact: { phone, email, postalAddress: address },
          requestedItems: [{ title: 'x', secretNote: 'do not echo me' }],
        }),
      );
    expect(attempt).toThrow(InvalidInputError);
    let message = '';
    try {
      attempt();
    } catch (error) {
      message = (error as Error).message;
      expect(JSON.stringify((error as InvalidInputError).problems)).not.toMatch(/李四|320102|13912345678|private|秘密|do not echo/);
    }
    for (const value of ['李四', id, '13912345678', 'private', '秘密', 'do not echo']) expect(message).not.toContain(value);
    expect(message).toContain('applicant.name（申请人姓名或者名称）: 不能超过100个字符 / at most 100 characters');
    expect(message).toContain('requestedItems.0.secretNote（第1项·申请公开的政府信息）: 含有不允许的字段 / unrecognized field(s): secretNote');
  });

  test('property: every problem from a range of bad inputs has a Chinese label and a bilingual message', () => {
    const bad: unknown[] = [
      null,
      'application',
      {},
      application({ agencyCode: 'nj zrzy', applicant: {}, contact: [], requestedItems: 'all of it', provision: {}, channel: {} }),
      application({ applicant: { ...organisationApplicant, organisationType: undefined, idDocument: { kind: 'passport' } } }),
      application({ requestedItems: [{}, { title: '' }, { description: 5 }], channel: { kind: 'fax', receivedAt: 'yesterday' } }),
      application({ contact: { phone: '1', email: 'no', fax: 'x', postalAddress: '', postcode: '2100' }, extra: true }),
    ];
    for (const input of bad) {
      for (const problem of problemsOf(input)) {
        expect(problem.label).toMatch(/\p{Script=Han}/u);
        expect(problem.message).toMatch(/\p{Script=Han}.* \/ [a-z0-9]/iu);
      }
    }
  });
});

describe('applicant', () => {
  test('an organisation must state its sub-type; a natural person must not', () => {
    expect(problemsOf(application({ applicant: { ...organisationApplicant, organisationType: undefined } }))).toEqual([
      {
        field: 'applicant.organisationType',
        label: '组织类别',
        message: '法人或其他组织须选择组织类别 / required for organisations',
      },
    ]);
    expect(fieldsOf(application({ applicant: { ...organisationApplicant, organisationType: 'bank' } }))).toEqual([
      'applicant.organisationType',
    ]);
    expect(fieldsOf(application({ applicant: { ...personApplicant, organisationType: 'commercial-enterprise' } }))).toEqual([
      'applicant.organisationType',
    ]);
  });

  test('居民身份证 and passports are for natural persons, 统一社会信用代码 for organisations, "other" for both', () => {
    const asPerson = (idDocument: unknown) => application({ applicant: { ...personApplicant, idDocument } });
    const asOrganisation = (idDocument: unknown) => application({ applicant: { ...organisationApplicant, idDocument } });
    expect(fieldsOf(asPerson(organisationApplicant.idDocument))).toEqual(['applicant.idDocument.kind']);
    expect(fieldsOf(asOrganisation(personApplicant.idDocument))).toEqual(['applicant.idDocument.kind']);
    expect(fieldsOf(asOrganisation({ kind: 'passport', number: 'E12345678' }))).toEqual(['applicant.idDocument.kind']);
    const other = { kind: 'other', kindName: '事业单位法人证书', number: '事证第123456号' };
    expect(parseApplication(asOrganisation(other)).applicant.idDocument).toEqual(other);
    expect(parseApplication(asPerson({ kind: 'passport', number: 'e12345678' })).applicant.idDocument).toEqual({
      kind: 'passport',
      number: 'E12345678',
    });
  });

  test('maps to its annual-report column', () => {
    expect(applicantReportColumn(parseApplication(application()).applicant)).toBe('natural-person');
    const columns = (['commercial-enterprise', 'research-institution', 'public-welfare-organisation', 'legal-service-institution', 'other-organisation'] as const).map(
      (organisationType) =>
        applicantReportColumn(parseApplication(application({ applicant: { ...organisationApplicant, organisationType } })).applicant),
    );
    expect(columns).toEqual([
      'commercial-enterprise',
      'research-institution',
      'public-welfare-organisation',
      'legal-service-institution',
      'other-organisation',
    ]);
  });
});

describe('contact, requested items and provision', () => {
  test('at least one of phone, e-mail or postal address', () => {
    expect(problemsOf(application({ contact: { postcode: '210008' }, provision: { form: 'paper', manner: 'collect' } }))).toEqual([
      {
        field: 'contact',
        label: '联系方式',
        message: '联系电话、电子邮箱、通信地址至少填写一项 / give at least one of phone, email, postalAddress',
      },
    ]);
  });

  test.each([
    ['post', 'paper', 'contact.postalAddress', '以邮寄方式获取信息的，须填写通信地址 / required when the manner of provision is post'],
    ['email', 'electronic', 'contact.email', '以电子邮件方式获取信息的，须填写电子邮箱 / required when the manner of provision is email'],
    ['fax', 'paper', 'contact.fax', '以传真方式获取信息的，须填写传真号码 / required when the manner of provision is fax'],
  ])('manner %s needs its contact field', (manner, form, field, message) => {
    const problems = problemsOf(application({ contact: { phone: '13912345678' }, provision: { form, manner } }));
    expect(problems).toEqual([{ field, label: expect.any(String), message }]);
  });

  test('a malformed contact field still counts as given, and both problems are reported at once', () => {
    expect(fieldsOf(application({ contact: { phone: '12' }, provision: { form: 'paper', manner: 'post' } }))).toEqual([
      'contact.phone',
      'contact.postalAddress',
    ]);
  });

  test('form and manner must fit together', () => {
    const problems = problemsOf(application({ provision: { form: 'paper', manner: 'email' }, contact: { email: 'a@example.cn' } }));
    expect(problems).toEqual([
      {
        field: 'provision.manner',
        label: '获取方式',
        message: '提供形式为“纸质文本”的，获取方式只能是：邮寄、传真、当面领取 / form paper allows only: post, fax, collect',
      },
    ]);
    expect(parseApplication(application({ provision: { form: 'inspection', manner: 'on-site' } })).provision.manner).toBe('on-site');
  });

  test('each requested item gives a title, a document number or a description', () => {
    expect(
      problemsOf(application({ requestedItems: [{ title: '甲' }, {}] })).map((p) => [p.field, p.label]),
    ).toEqual([['requestedItems.1', '第2项·申请公开的政府信息']]);
    expect(fieldsOf(application({ requestedItems: [] }))).toEqual(['requestedItems']);
    const description = '2024年\n关于某某路拓宽工程的\t批复';
    expect(parseApplication(application({ requestedItems: [{ description }] })).requestedItems).toEqual([{ description }]);
  });
});

describe('size limits', () => {
  test('strings are bounded: the limit passes, one more fails', () => {
    const name = (length: number) => application({ applicant: { ...personApplicant, name: '张'.repeat(length) } });
    expect(parseApplication(name(APPLICATION_LIMITS.applicantNameLength)).applicant.name).toHaveLength(100);
    expect(fieldsOf(name(APPLICATION_LIMITS.applicantNameLength + 1))).toEqual(['applicant.name']);
    const description = (length: number) => application({ requestedItems: [{ description: 'x'.repeat(length) }] });
    expect(() => parseApplication(description(APPLICATION_LIMITS.itemDescriptionLength))).not.toThrow();
    expect(fieldsOf(description(APPLICATION_LIMITS.itemDescriptionLength + 1))).toEqual(['requestedItems.0.description']);
  });

  test('an oversize payload yields one problem per field, not one per character or item', () => {
    const huge = 'x'.repeat(5_000_000);
    expect(
      fieldsOf(
        application({
          agencyCode: huge,
          applicant: { ...personApplicant, name: huge, idDocument: { kind: 'resident-id-card', number: huge } },
          requestedItems: Array.from({ length: 200_000 }, () => ({})),
          channel: { kind: 'in-person', submittedAt: huge },
        }),
      ),
    ).toEqual(['agencyCode', 'applicant.name', 'applicant.idDocument.number', 'requestedItems', 'channel.submittedAt']);
  });

  test(`at most ${MAX_REPORTED_PROBLEMS} problems are listed, the rest counted`, () => {
    const problems = problemsOf(application({ requestedItems: Array.from({ length: 100 }, () => ({})) }));
    expect(problems).toHaveLength(31);
    expect(problems[30]).toEqual({ field: '(root)', message: '另有70处问题未列出 / 70 more problem(s) not listed' });
  });

  test('unknown fields are refused rather than silently dropped', () => {
    expect(problemsOf(application({ postalAdress: 'typo' }))).toEqual([
      { field: 'postalAdress', label: '政府信息公开申请', message: '含有不允许的字段 / unrecognized field(s): postalAdress' },
    ]);
  });
});

describe('channel timestamps', () => {
  test.each([
    ['2026-11-27T10:15:00+08:00', true],
    ['2026-11-27T02:15:00Z', true],
    ['2026-11-27T02:15:00.123456Z', true],
    ['2026-11-27T10:15+08:00', true],
    ['2028-02-29T10:15:00+08:00', true],
    ['2026-11-27T10:15:00', false],
    ['2026-11-27', false],
    ['2026-02-29T10:15:00+08:00', false],
    ['2026-11-31T10:15:00+08:00', false],
    ['2026-11-27T24:00:00+08:00', false],
    ['2026-11-27T10:60:00+08:00', false],
    ['2026-11-27T10:15:00+15:00', false],
    ['2026-11-27 10:15:00+08:00', false],
  ])('%s is an instant with offset: %s', (instant, valid) => {
    expect(isIsoInstant(instant)).toBe(valid);
  });

  test('every channel requires its own timestamp', () => {
    expect(fieldsOf(application({ channel: { kind: 'in-person' } }))).toEqual(['channel.submittedAt']);
    expect(fieldsOf(application({ channel: { kind: 'registered-post', submittedAt: '2026-11-27T10:15:00+08:00' } }))).toEqual([
      'channel.signedForAt',
      'channel.submittedAt',
    ]);
    expect(fieldsOf(application({ channel: { kind: 'ordinary-mail', confirmedAt: '2026-11-27T10:15:00+08:00' } }))).toEqual([
      'channel.arrivedAt',
    ]);
    expect(fieldsOf(application({ channel: { kind: 'telephone', submittedAt: '2026-11-27T10:15:00+08:00' } }))).toEqual([
      'channel.kind',
    ]);
  });

  test('a channel time outside 2000-2099 (a typed year like 0226) is refused, naming the field; the century’s edges pass', () => {
    for (const [kind, field, instant] of [
      ['in-person', 'submittedAt', '0226-11-27T10:15:00+08:00'],
      ['registered-post', 'signedForAt', '2926-11-27T10:15:00+08:00'],
      ['in-person', 'submittedAt', '1999-12-31T15:59:59Z'],
    ] as const) {
      expect(fieldsOf(application({ channel: { kind, [field]: instant } }))).toEqual([`channel.${field}`]);
    }
    // 2000-01-01 00:00 in Beijing is 1999-12-31T16:00Z: its Beijing date counts.
    expect(() => parseApplication(application({ channel: { kind: 'in-person', submittedAt: '1999-12-31T16:00:00Z' } }))).not.toThrow();
    expect(() => parseApplication(application({ channel: { kind: 'in-person', submittedAt: '2099-12-31T23:59:59+08:00' } }))).not.toThrow();
  });

  test.each([
    ['ordinary-mail', 'arrivedAt', '确认时间不能早于信函收到时间 / cannot precede arrivedAt'],
    ['internet', 'submittedAt', '确认时间不能早于提交时间 / cannot precede submittedAt'],
    ['fax', 'receivedAt', '确认时间不能早于传真收到时间 / cannot precede receivedAt'],
  ])('%s: confirmation cannot precede %s, compared as instants across offsets', (kind, start, message) => {
    const channel = (confirmedAt: string) => ({ kind, [start]: '2026-11-27T10:00:00+08:00', confirmedAt });
    expect(problemsOf(application({ channel: channel('2026-11-27T01:59:59Z') }))).toEqual([
      { field: 'channel.confirmedAt', label: '确认时间', message },
    ]);
    expect(() => parseApplication(application({ channel: channel('2026-11-27T02:00:00Z') }))).not.toThrow();
    expect(() => parseApplication(application({ channel: channel('2026-11-27T11:30:00+09:00') }))).not.toThrow();
  });
});

describe('receipt date T0 (Art. 31)', () => {
  const t0 = (channel: unknown) => receiptDate(parseApplication(application({ channel })));

  test('in person: the day of submission, item (一)', () => {
    expect(t0(CHANNELS['in-person'])).toEqual({
      status: 'received',
      receivedOn: '2026-11-27',
      citation: { article: 31, item: 1 },
      basis: '依据《中华人民共和国政府信息公开条例》第三十一条第（一）项，申请人当面提交政府信息公开申请的，以提交之日为收到申请之日',
    });
  });

  test('registered post: the day the agency signs, item (二)', () => {
    expect(t0({ kind: 'registered-post', signedForAt: '2026-11-30T09:00:00+08:00' })).toEqual({
      status: 'received',
      receivedOn: '2026-11-30',
      citation: { article: 31, item: 2 },
      basis: '依据《中华人民共和国政府信息公开条例》第三十一条第（二）项，申请人以邮寄方式提交政府信息公开申请的，以行政机关签收之日为收到申请之日',
    });
  });

  test('oral application filled in by the office: treated as in person', () => {
    const result = t0(CHANNELS.oral);
    expect(result).toMatchObject({ status: 'received', receivedOn: '2026-11-27', citation: { article: 31, item: 1 } });
    expect(result.status === 'received' && result.basis).toContain('第二十九条第一款');
  });

  test.each([
    ['ordinary-mail', '第三十一条第（二）项', '与申请人确认之日'],
    ['internet', '第三十一条第（三）项', '双方确认之日'],
    ['fax', '第三十一条第（三）项', '双方确认之日'],
  ] as const)('%s: the day of confirmation, not of arrival', (kind, article, rule) => {
    const result = t0(CHANNELS[kind]);
    expect(result).toMatchObject({ status: 'received', receivedOn: '2026-11-27' });
    expect(result.status === 'received' && result.basis).toContain(article);
    expect(result.status === 'received' && result.basis).toContain(rule);
  });

  test.each([
    ['ordinary-mail', { arrivedAt: '2026-11-26T16:00:00Z' }, '平常信函已于2026-11-27收到，尚待政府信息公开工作机构与申请人确认（应于收到当日确认）', 2],
    ['internet', { submittedAt: '2026-11-26T22:00:00+08:00' }, '申请已于2026-11-26通过互联网渠道提交，尚待双方确认', 3],
    ['fax', { receivedAt: '2026-11-26T23:59:00+08:00' }, '传真申请已于2026-11-26收到，尚待双方确认', 3],
  ] as const)('%s without confirmation: awaiting confirmation, no clock running', (kind, times, outstanding, item) => {
    const result = t0({ kind, ...times });
    expect(result).toEqual({
      status: 'awaiting-confirmation',
      citation: { article: 31, item },
      reason: `${outstanding}；确认之日为收到申请之日，确认前答复期限不起算（《中华人民共和国政府信息公开条例》第三十一条第（${item === 2 ? '二' : '三'}）项）。`,
    });
    expect(result).not.toHaveProperty('receivedOn');
  });

  test.each([
    ['2026-11-27T15:59:59Z', '2026-11-27'],
    ['2026-11-27T16:00:00Z', '2026-11-28'],
    ['2026-11-27T23:30:00-05:00', '2026-11-28'],
    ['2026-11-28T00:30:00+09:00', '2026-11-27'],
    ['2026-11-27T23:59:59.999+08:00', '2026-11-27'],
    ['2026-11-28T00:00:00+08:00', '2026-11-28'],
    ['2026-12-31T16:00:00Z', '2027-01-01'],
    ['2028-02-28T16:30:00Z', '2028-02-29'],
    ['2026-11-27T12:00:00-12:00', '2026-11-28'],
    ['2026-11-28T05:59:00+14:00', '2026-11-27'],
    ['2026-11-28T06:00:00+14:00', '2026-11-28'],
  ])('near midnight: %s falls on Beijing date %s', (instant, date) => {
    for (const kind of ['in-person', 'oral'] as const) {
      expect(t0({ kind, submittedAt: instant })).toMatchObject({ receivedOn: date });
    }
    expect(t0({ kind: 'registered-post', signedForAt: instant })).toMatchObject({ receivedOn: date });
    expect(t0({ kind: 'internet', submittedAt: '2026-01-01T00:00:00Z', confirmedAt: instant })).toMatchObject({ receivedOn: date });
  });
});

describe('property: every Art. 31 channel with valid and corrupted ID checksums', () => {
  // Each case picks a Beijing date and time first, then writes that moment in some other offset; T0 must be
  // the Beijing date chosen, whatever offset the instant was written in.
  const OFFSETS = [-720, -300, -210, 0, 60, 330, 480, 540, 600, 765, 840];
  const DAY = 86_400_000;
  function instantOn(random: () => number, beijingDate: string): string {
    const offset = OFFSETS[Math.floor(random() * OFFSETS.length)] ?? 0;
    const beijingMs = Date.parse(`${beijingDate}T00:00:00Z`) + Math.floor(random() * DAY);
    const utcMs = beijingMs - 8 * 3_600_000;
    const local = new Date(utcMs + offset * 60_000).toISOString().slice(0, 23);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
  const dateFor = (random: () => number): string =>
    new Date(Date.parse('2019-05-15T00:00:00Z') + Math.floor(random() * 4000) * DAY).toISOString().slice(0, 10);

  function channelFor(kind: ChannelKind, random: () => number, day: string, confirmed: boolean): Record<string, string> {
    const at = instantOn(random, day);
    // The arrival precedes the confirmation day by 0-3 days; written in UTC so it is unambiguous.
    const earlier = new Date(Date.parse(at) - Math.floor(random() * 3 * DAY)).toISOString();
    switch (kind) {
      case 'in-person':
      case 'oral':
        return { kind, submittedAt: at };
      case 'registered-post':
        return { kind, signedForAt: at };
      case 'ordinary-mail':
        return confirmed ? { kind, arrivedAt: earlier, confirmedAt: at } : { kind, arrivedAt: at };
      case 'internet':
        return confirmed ? { kind, submittedAt: earlier, confirmedAt: at } : { kind, submittedAt: at };
      case 'fax':
        return confirmed ? { kind, receivedAt: earlier, confirmedAt: at } : { kind, receivedAt: at };
    }
  }

  test.each(CHANNEL_KINDS)('%s', (kind) => {
    const random = prng(31 + CHANNEL_KINDS.indexOf(kind));
    let received = 0;
    let awaiting = 0;
    let refused = 0;
    for (let n = 0; n < 150; n++) {
      const day = dateFor(random);
      const confirmed = random() < 0.7;
      const organisation = n % 2 === 1;
      const number = organisation ? randomUscc(random) : randomResidentId(random);
      const applicant = organisation
        ? { ...organisationApplicant, idDocument: { kind: 'unified-social-credit-code', number } }
        : { ...personApplicant, idDocument: { kind: 'resident-id-card', number } };
      const input = application({ applicant, channel: channelFor(kind, random, day, confirmed) });

      const parsed = parseApplication(input);
      expect(applicationSchema.parse(parsed)).toEqual(parsed);
      const result = receiptDate(parsed);
      if (result.status === 'received') {
        received++;
        expect(result.receivedOn).toBe(day);
        expect(result.basis).toContain('第三十一条');
      } else {
        awaiting++;
        expect(['ordinary-mail', 'internet', 'fax']).toContain(kind);
        expect(confirmed).toBe(false);
        expect(result.reason).toContain(`已于${day}`);
      }

      const corrupted = corrupt(random, number, organisation ? USCC_SET : '0123456789X');
      const bad = application({ applicant: { ...applicant, idDocument: { ...applicant.idDocument, number: corrupted } }, channel: input.channel });
      const problems = problemsOf(bad);
      refused++;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ field: 'applicant.idDocument.number', label: '证件号码' });
      expect(JSON.stringify(problems)).not.toContain(corrupted);
    }
    expect(received + awaiting).toBe(150);
    expect(refused).toBe(150);
    if (['ordinary-mail', 'internet', 'fax'].includes(kind)) expect(awaiting).toBeGreaterThan(10);
    else expect(awaiting).toBe(0);
    expect(CHANNEL_NEEDS_CONFIRMATION[kind]).toBe(awaiting > 0);
  });
});
