import { ACTION_PAYLOAD_SCHEMAS, SUPPORTED_ACTIONS, type SupportedAction } from '../../domain/case-actions';
import type { UserConfig } from '../../domain/gongkai-config';
import { ACTION_LABELS } from '../../domain/roles';
import { InvalidInputError } from '../../domain/validation';
import { type ActionForm, actionForms, type FormContext, type FormField, payloadFromForm } from '../../web/forms';
import { resolvePayload } from '../../workers/case-client';

const AGENCY = 'nj-ghzy';
const TODAY = '2026-11-27';

const context: FormContext = {
  handlers: [
    { value: 'li.si', label: '李四' },
    { value: 'wang.wu', label: '王五' },
  ],
  requestedItems: [
    { value: '1', label: '第1项：2025年道路改造项目招标文件' },
    { value: '2', label: '第2项：中标通知书' },
  ],
  consultationIds: ['DSF-1', 'GTZZ-1'],
  referralIds: ['BQ-1'],
  today: TODAY,
};

// The people an assignment form may name, as the configuration holds them: the case client resolves `handlerId`.
const config = {
  users: ['li.si', 'wang.wu'].map(
    (id): UserConfig => ({ id, name: id, email: `${id}@example.cn`, roles: ['handler'], agencyCode: AGENCY, scope: 'own-agency', passwordHash: 'unused' }),
  ),
};

const formOf = (action: SupportedAction, variant?: string): ActionForm => {
  const form = actionForms(action, context).find((candidate) => candidate.variant === variant);
  if (!form) throw new Error(`no form ${action} ${String(variant)}`);
  return form;
};

const fieldOf = (form: ActionForm, name: string): FormField => {
  const field = form.fields.find((candidate) => candidate.name === name);
  if (!field) throw new Error(`no field ${name} in ${form.action}`);
  return field;
};

/** What the workflow's validator receives: the form's data, with a named handler resolved as the web app does. */
const submitted = (form: ActionForm, body: Record<string, unknown>): unknown =>
  resolvePayload(config, form.action, payloadFromForm(form, body));

const accepts = (form: ActionForm, body: Record<string, unknown>): void => {
  const result = ACTION_PAYLOAD_SCHEMAS[form.action].safeParse(submitted(form, body));
  if (!result.success) throw new Error(`${form.action} ${form.variant ?? ''}: ${JSON.stringify(result.error.issues)}`);
};

const allForms = SUPPORTED_ACTIONS.flatMap((action) => actionForms(action, context));
const CHINESE = /[\u4e00-\u9fff]/;
const LATIN = /[A-Za-z]/;

describe('actionForms', () => {
  test.each(SUPPORTED_ACTIONS)('%s has a form whose every field has a Chinese label', (action) => {
    const forms = actionForms(action, context);
    expect(forms.length).toBeGreaterThanOrEqual(1);
    for (const form of forms) {
      expect(form.action).toBe(action);
      expect(form.title.startsWith(ACTION_LABELS[action])).toBe(true);
      expect(new Set(form.fields.map((field) => field.name)).size).toBe(form.fields.length);
      for (const field of form.fields) {
        expect({ name: field.name, label: field.label }).toEqual({ name: field.name, label: expect.stringMatching(CHINESE) });
        // An unlabelled field falls back to its English path.
        expect({ name: field.name, hasLatin: LATIN.test(field.label) }).toEqual({ name: field.name, hasLatin: false });
      }
    }
  });

  test('a discriminated-union payload gets one form per variant, titled with the variant in Chinese', () => {
    const variants = (action: SupportedAction) => actionForms(action, context).map((form) => form.variant);
    expect(variants('decide-scope')).toEqual([
      'gip-request',
      'petition-or-complaint',
      'publication',
      'not-this-agency',
      'repeat-request',
      'special-access-regime',
      'confirm-or-reissue',
      'excessive-requests',
      'other-handling',
    ]);
    // Both are z.preprocess wrappers around their union.
    expect(variants('record-search')).toEqual(['found', 'not-held', 'requires-creation']);
    expect(variants('approve-extension')).toEqual(['approve', 'refuse']);
    expect(variants('record-completeness-finding')).toEqual(['complete', 'unclear-after-correction']);
    expect(variants('review-reply')).toEqual(['approve', 'return']);
    expect(variants('request-correction')).toEqual([undefined]);
    for (const form of allForms.filter((candidate) => candidate.variant !== undefined)) {
      expect(form.title).toMatch(new RegExp(`^${ACTION_LABELS[form.action]}：[^A-Za-z]*${CHINESE.source}`));
      // The discriminator is the form itself, never a field.
      expect(form.fields.map((field) => field.name)).not.toContain('decision');
    }
    expect(formOf('decide-scope', 'not-this-agency').title).toBe('作出职责区分判断：不属于本机关负责公开');
    expect(formOf('review-reply', 'return').title).toBe('审核答复书：退回');
  });

  test('fields follow the schema in order, kind and requiredness', () => {
    const correction = formOf('request-correction');
    expect(correction.fields.map(({ name, kind, required }) => ({ name, kind, required }))).toEqual([
      { name: 'sentOn', kind: 'date', required: true },
      { name: 'itemsToCorrect', kind: 'lines', required: true },
      { name: 'applicantDueOn', kind: 'date', required: true },
    ]);
    expect(fieldOf(correction, 'sentOn').hint).toContain(TODAY);
    expect(fieldOf(formOf('confirm-receipt'), 'confirmedAt').kind).toBe('datetime');
    expect(fieldOf(formOf('send-fee-notice'), 'amountYuan')).toMatchObject({ kind: 'number', required: true });
    expect(fieldOf(formOf('send-fee-notice'), 'calculation')).toMatchObject({ kind: 'textarea', required: false });
    expect(fieldOf(formOf('request-extension'), 'workingDays').hint).toBe('1至20的整数');
    // A yes-or-no is a choice of 是 / 否 (an unticked box could not say "no" inside an optional object).
    expect(fieldOf(formOf('record-reasons-received'), 'reasonable')).toMatchObject({ kind: 'select', yesNo: true, required: true });
    expect(fieldOf(formOf('record-item-decision'), 'item.alreadyPublicCheck.isPublic')).toMatchObject({ kind: 'select', yesNo: true, required: false });
    expect(payloadFromForm(formOf('record-item-decision'), { 'f.item.itemId': '1', 'f.item.outcome': 'withheld-third-party-rights', 'f.item.alreadyPublicCheck.isPublic': 'false' }).item).toMatchObject({ alreadyPublicCheck: { isPublic: false } });
    expect(payloadFromForm(formOf('record-reasons-received'), { 'f.receivedOn': TODAY, 'f.reasonable': 'false' })).toMatchObject({ reasonable: false });
    // …unless the schema admits only `true`.
    expect(fieldOf(formOf('record-search', 'requires-creation'), 'redactionOfExistingRecordsCannotAnswer')).toMatchObject({
      kind: 'checkbox',
      required: true,
    });

    const conclude = formOf('conclude-disclosure-decision');
    expect(conclude.fields.map((field) => field.name)).toEqual([
      'decidedOn',
      'confidentialityReview.reviewedBy',
      'confidentialityReview.reviewedOn',
      'primaryOutcome.outcome',
      'primaryOutcome.reason',
      'note',
    ]);
    // Required inside an optional object is not required of the form.
    expect(conclude.fields.every((field) => !field.required)).toBe(true);
  });

  test('record-item-decision offers the requested items and three withheld-part groups with labelled options', () => {
    const form = formOf('record-item-decision');
    expect(fieldOf(form, 'item.itemId')).toMatchObject({ kind: 'select', required: true, options: context.requestedItems });
    expect(fieldOf(form, 'item.outcome')).toMatchObject({ kind: 'select', required: true });
    expect(fieldOf(form, 'item.outcome').options).toContainEqual({ value: 'partially-disclosed', label: '部分公开' });
    const groups = new Set(form.fields.flatMap((field) => /^item\.withheldParts\.(\d+)\./.exec(field.name)?.[1] ?? []));
    expect([...groups]).toEqual(['0', '1', '2']);
    const ground = fieldOf(form, 'item.withheldParts.1.ground');
    expect(ground).toMatchObject({ kind: 'select', required: false, label: '不予公开部分2·不予公开的理由类别' });
    expect(ground.options).toContainEqual({ value: 'third-party-rights', label: '保护第三方合法权益' });
    expect(fieldOf(form, 'item.withheldParts.0.evidence.endangeredInterests')).toMatchObject({ kind: 'select', multiple: true });
    expect(fieldOf(form, 'item.withheldParts.0.evidence.thirdPartyConsultation.sentOn').kind).toBe('date');
    expect(fieldOf(form, 'item.searchRecord.keywords').kind).toBe('lines');
  });

  test('every option of a schema enum has a Chinese label', () => {
    const fromContext = new Set(['handlerId', 'item.itemId', 'consultationId', 'referralId']);
    const selects = allForms.flatMap((form) =>
      form.fields.filter((field) => field.kind === 'select' && !fromContext.has(field.name)).map((field) => ({ form, field })),
    );
    expect(selects.length).toBeGreaterThan(10);
    for (const { form, field } of selects) {
      expect(field.options?.length).toBeGreaterThan(0);
      for (const option of field.options ?? []) {
        expect({ at: `${form.action} ${field.name} ${option.value}`, label: option.label }).toEqual({
          at: `${form.action} ${field.name} ${option.value}`,
          label: expect.stringMatching(CHINESE),
        });
      }
    }
    expect(fieldOf(formOf('review-reply', 'return'), 'returnTo').options).toEqual([
      { value: 'drafting', label: '拟稿' },
      { value: 'disclosure-decision', label: '内容研判决定' },
      { value: 'search', label: '信息检索确认' },
      { value: 'scope-check', label: '职责区分判断' },
    ]);
  });

  test('assignments name a configured handler; references to a consultation or referral choose an existing one', () => {
    expect(formOf('assign-handler').fields).toEqual([{ name: 'handlerId', label: '承办人', kind: 'select', required: true, options: context.handlers }]);
    expect(formOf('reassign-handler').fields.map((field) => [field.name, field.kind, field.required])).toEqual([
      ['handlerId', 'select', true],
      ['reason', 'text', true],
    ]);
    expect(formOf('hand-over').fields.map((field) => [field.name, field.required])).toEqual([
      ['handlerId', true],
      ['note', false],
    ]);
    const idOptions = context.consultationIds.map((id) => ({ value: id, label: id }));
    for (const action of ['record-third-party-opinion', 'record-co-maker-opinion', 'notify-third-party-of-disclosure'] as const) {
      expect(fieldOf(formOf(action), 'consultationId')).toMatchObject({ kind: 'select', options: idOptions });
    }
    expect(fieldOf(formOf('record-referral-answer'), 'referralId')).toMatchObject({ kind: 'select', options: [{ value: 'BQ-1', label: 'BQ-1' }] });
    // Starting one creates its id.
    for (const action of ['start-third-party-consultation', 'start-co-maker-consultation'] as const) {
      expect(fieldOf(formOf(action), 'consultationId').kind).toBe('text');
    }
    expect(fieldOf(formOf('refer-for-determination'), 'referralId').kind).toBe('text');
  });
});

describe('payloadFromForm', () => {
  const f = (fields: Record<string, string | string[]>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(fields).map(([name, value]) => [`f.${name}`, value]));

  interface Sample {
    action: SupportedAction;
    variant?: string;
    body: Record<string, unknown>;
    payload: unknown;
  }

  const samples: Sample[] = [
    {
      action: 'request-correction',
      body: f({ sentOn: '2026-11-20', itemsToCorrect: '请写明文件名称\r\n\r\n  请写明形成年份  \r\n', applicantDueOn: '2026-12-04' }),
      payload: { sentOn: '2026-11-20', itemsToCorrect: ['请写明文件名称', '请写明形成年份'], applicantDueOn: '2026-12-04' },
    },
    { action: 'record-correction-received', body: f({ receivedOn: '2026-11-25' }), payload: { receivedOn: '2026-11-25' } },
    { action: 'record-completeness-finding', variant: 'complete', body: f({ note: '' }), payload: { finding: 'complete' } },
    {
      action: 'record-completeness-finding',
      variant: 'unclear-after-correction',
      body: f({ reason: '补正后仍未写明所需信息的名称' }),
      payload: { finding: 'unclear-after-correction', reason: '补正后仍未写明所需信息的名称' },
    },
    { action: 'decide-scope', variant: 'gip-request', body: f({ note: '' }), payload: { decision: 'gip-request' } },
    {
      action: 'decide-scope',
      variant: 'not-this-agency',
      body: f({ responsibleAgency: '南京市住房保障和房产局', reason: '该信息由住房保障部门制作并保存' }),
      payload: { decision: 'not-this-agency', responsibleAgency: '南京市住房保障和房产局', reason: '该信息由住房保障部门制作并保存' },
    },
    {
      action: 'record-search',
      variant: 'found',
      body: f({ searchedOn: '2026-11-26', places: '公文管理系统\n档案室', keywords: '招标文件' }),
      payload: { result: 'found', searchedOn: '2026-11-26', places: ['公文管理系统', '档案室'], keywords: ['招标文件'] },
    },
    {
      action: 'record-search',
      variant: 'not-held',
      body: f({ searchedOn: '2026-11-26', places: '公文管理系统', keywords: '会议纪要\n2025', reason: '经检索未找到' }),
      payload: { result: 'not-held', searchedOn: '2026-11-26', places: ['公文管理系统'], keywords: ['会议纪要', '2025'], reason: '经检索未找到' },
    },
    {
      action: 'record-item-decision',
      body: f({
        'item.itemId': '2',
        'item.outcome': 'partially-disclosed',
        'item.reason': '',
        'item.withheldParts.0.ground': 'third-party-rights',
        'item.withheldParts.0.scope': '第3页投标人联系电话',
        'item.withheldParts.0.reason': '涉及个人隐私',
        'item.withheldParts.0.evidence.thirdPartyInterest': 'personal-privacy',
        'item.withheldParts.0.evidence.thirdPartyConsultation.sentOn': '2026-11-10',
        'item.withheldParts.0.evidence.thirdPartyConsultation.response': 'objected',
        'item.withheldParts.0.evidence.thirdPartyConsultation.respondedOn': '2026-11-18',
        'item.withheldParts.1.ground': '',
        'item.withheldParts.1.scope': '',
        'item.reEvaluateOn': '2027-11-27',
      }),
      payload: {
        item: {
          itemId: '2',
          outcome: 'partially-disclosed',
          withheldParts: [
            {
              ground: 'third-party-rights',
              scope: '第3页投标人联系电话',
              reason: '涉及个人隐私',
              evidence: {
                thirdPartyInterest: 'personal-privacy',
                thirdPartyConsultation: { sentOn: '2026-11-10', response: 'objected', respondedOn: '2026-11-18' },
              },
            },
          ],
          reEvaluateOn: '2027-11-27',
        },
      },
    },
    {
      action: 'conclude-disclosure-decision',
      body: f({ decidedOn: '2026-11-27', 'confidentialityReview.reviewedBy': 'zhao.liu', 'confidentialityReview.reviewedOn': '2026-11-26', 'primaryOutcome.outcome': '', 'primaryOutcome.reason': '', note: '' }),
      payload: { decidedOn: '2026-11-27', confidentialityReview: { reviewedBy: 'zhao.liu', reviewedOn: '2026-11-26' } },
    },
    { action: 'draft-reply', body: f({ note: '按部分公开模板拟写' }), payload: { note: '按部分公开模板拟写' } },
    { action: 'review-reply', variant: 'approve', body: f({ comment: '' }), payload: { verdict: 'approve' } },
    {
      action: 'review-reply',
      variant: 'return',
      // A forged discriminator in the body changes nothing: the form is the variant.
      body: { ...f({ returnTo: 'disclosure-decision', comment: '第2项的不予公开理由不充分' }), 'f.verdict': 'approve' },
      payload: { verdict: 'return', returnTo: 'disclosure-decision', comment: '第2项的不予公开理由不充分' },
    },
    { action: 'sign-off-reply', body: f({ comment: '同意' }), payload: { comment: '同意' } },
    { action: 'record-dispatch', body: f({ dispatchedOn: '2026-11-27', method: 'post' }), payload: { dispatchedOn: '2026-11-27', method: 'post' } },
    { action: 'archive-case', body: f({ note: '' }), payload: {} },
    {
      action: 'assign-handler',
      body: { ...f({ handlerId: 'wang.wu' }), _csrf: 'token', updateId: 'u-1' },
      payload: { handler: { userId: 'wang.wu', roles: ['handler'], agencyCode: AGENCY } },
    },
    {
      action: 'start-third-party-consultation',
      body: f({
        consultationId: 'DSF-2',
        letterSentOn: '2026-11-20',
        consulteeReceivedOn: '',
        about: '是否同意公开投标文件中的报价明细',
        consulteeName: '某建设工程有限公司',
        consulteeType: 'organisation',
        interest: 'commercial-secret',
        contact: '',
      }),
      payload: {
        consultationId: 'DSF-2',
        letterSentOn: '2026-11-20',
        about: '是否同意公开投标文件中的报价明细',
        consulteeName: '某建设工程有限公司',
        consulteeType: 'organisation',
        interest: 'commercial-secret',
      },
    },
    { action: 'confirm-receipt', body: f({ confirmedAt: '2026-11-27T10:15' }), payload: { confirmedAt: '2026-11-27T10:15:00+08:00' } },
    {
      action: 'send-fee-notice',
      body: f({ sentOn: '2026-11-20', amountYuan: '１２０.5', paymentDueOn: '2026-12-04' }),
      payload: { sentOn: '2026-11-20', amountYuan: 120.5, paymentDueOn: '2026-12-04' },
    },
    {
      action: 'record-reasons-received',
      body: f({ receivedOn: '2026-11-25', reasonable: 'false' }),
      payload: { receivedOn: '2026-11-25', reasonable: false },
    },
    {
      action: 'approve-extension',
      variant: 'approve',
      body: f({ approvedOn: '2026-11-27', workingDays: '15', reason: '涉及多个部门' }),
      payload: { decision: 'approve', approvedOn: '2026-11-27', workingDays: 15, reason: '涉及多个部门' },
    },
  ];

  test.each(samples.map((sample) => [`${sample.action} ${sample.variant ?? ''}`, sample] as const))(
    '%s: the posted form becomes a payload the schema accepts',
    (_name, { action, variant, body, payload }) => {
      const form = formOf(action, variant);
      const data = submitted(form, body);
      expect(data).toEqual(payload);
      expect(ACTION_PAYLOAD_SCHEMAS[action].safeParse(data).success).toBe(true);
    },
  );

  // A sample value each kind of field accepts, and what the fields with a pattern need.
  const SAMPLE_TEXT: Readonly<Record<string, string>> = {
    earlierCaseNumber: 'NJGHZY-2025-000042',
    consultationId: 'DSF-9',
    referralId: 'BQ-9',
    'item.searchRecord.searchedBy': 'li.si',
    'confidentialityReview.reviewedBy': 'li.si',
  };
  const sampleOf = (field: FormField): string => {
    if (field.kind === 'select') return field.options?.[0]?.value ?? '';
    const byKind: Record<Exclude<FormField['kind'], 'select'>, string> = {
      text: SAMPLE_TEXT[field.name] ?? '样例',
      textarea: '样例说明',
      lines: '第一项\n第二项',
      date: TODAY,
      datetime: '2026-11-27T09:30',
      number: '3',
      checkbox: 'on',
    };
    return byKind[field.kind];
  };
  const fill = (fields: readonly FormField[]): Record<string, unknown> =>
    Object.fromEntries(fields.map((field) => [`f.${field.name}`, sampleOf(field)]));
  const formName = (form: ActionForm) => `${form.action} ${form.variant ?? ''}`;

  test.each(allForms.map((form) => [formName(form), form] as const))('%s: only the required fields filled in is a valid payload', (_name, form) => {
    accepts(form, fill(form.fields.filter((field) => field.required)));
  });

  test.each(allForms.map((form) => [formName(form), form] as const))('%s: every field filled in is a valid payload', (_name, form) => {
    accepts(form, fill(form.fields));
  });

  test('a field left empty stays absent, so an optional field is not sent at all', () => {
    const form = formOf('request-reasons');
    const data = payloadFromForm(form, f({ sentOn: '2026-11-20', finding: '  ', reasonsDueOn: '', note: '' }));
    expect(data).toEqual({ sentOn: '2026-11-20' });
    // An empty required field is left to the workflow, which names it.
    expect(payloadFromForm(formOf('record-correction-received'), f({ receivedOn: '' }))).toEqual({});
  });

  test('a number that is not one is refused, naming data.<field>', () => {
    const form = formOf('send-fee-notice');
    const post = () => payloadFromForm(form, f({ sentOn: '2026-11-20', amountYuan: 'abc', paymentDueOn: '2026-12-04' }));
    expect(post).toThrow(InvalidInputError);
    try {
      post();
    } catch (err) {
      expect((err as InvalidInputError).problems).toEqual([{ field: 'data.amountYuan', label: '收费金额（元）', message: expect.any(String) }]);
      expect((err as Error).message).not.toContain('abc');
    }
  });

  test('an all-empty withheld-part group is dropped and the rest renumbered; none filled gives an empty list', () => {
    const form = formOf('record-item-decision');
    const part = { ground: 'internal-affairs', scope: '第5页内部审批意见', reason: '属于内部事务信息', 'evidence.discretionReason': '内部流程信息' };
    const body = f({
      'item.itemId': '1',
      'item.outcome': 'partially-disclosed',
      ...Object.fromEntries(Object.entries(part).map(([name, value]) => [`item.withheldParts.2.${name}`, value])),
      'item.withheldParts.2.evidence.noDisclosureRuleConfirmed': 'true',
      // An unticked box alone does not make a group, nor a filled one an optional object.
      'item.withheldParts.0.scope': '',
    });
    const data = payloadFromForm(form, body) as { item: { withheldParts: unknown[] } };
    expect(data.item.withheldParts).toEqual([
      {
        ground: 'internal-affairs',
        scope: '第5页内部审批意见',
        reason: '属于内部事务信息',
        evidence: { discretionReason: '内部流程信息', noDisclosureRuleConfirmed: true },
      },
    ]);
    expect(ACTION_PAYLOAD_SCHEMAS['record-item-decision'].safeParse(data).success).toBe(true);

    const disclosed = payloadFromForm(form, f({ 'item.itemId': '1', 'item.outcome': 'disclosed' }));
    expect(disclosed).toEqual({ item: { itemId: '1', outcome: 'disclosed', withheldParts: [] } });
    expect(ACTION_PAYLOAD_SCHEMAS['record-item-decision'].safeParse(disclosed).success).toBe(true);
  });

  test('a multiple select takes repeated keys; a datetime with seconds or an offset is kept as Beijing time', () => {
    const form = formOf('record-item-decision');
    const data = payloadFromForm(
      form,
      f({
        'item.itemId': '1',
        'item.outcome': 'withheld-endangers-security-or-stability',
        'item.withheldParts.0.ground': 'endangers-security-or-stability',
        'item.withheldParts.0.evidence.endangeredInterests': ['public-security', 'social-stability'],
      }),
    ) as { item: { withheldParts: { evidence: unknown }[] } };
    // A yes-or-no left unanswered stays out of the payload.
    expect(data.item.withheldParts[0]?.evidence).toEqual({ endangeredInterests: ['public-security', 'social-stability'] });

    const confirm = formOf('confirm-receipt');
    expect(payloadFromForm(confirm, f({ confirmedAt: '2026-11-27T10:15:30' }))).toEqual({ confirmedAt: '2026-11-27T10:15:30+08:00' });
    expect(payloadFromForm(confirm, f({ confirmedAt: '2026-11-27T02:15:00Z' }))).toEqual({ confirmedAt: '2026-11-27T02:15:00Z' });
  });

  test('keys that are not the form’s fields are ignored', () => {
    const form = formOf('archive-case');
    expect(payloadFromForm(form, { ...f({ note: '已整理', extra: 'x' }), _csrf: 'token', note: 'not a field key' })).toEqual({ note: '已整理' });
  });
});
