import { z } from 'zod';
import { APPLICANT_TYPE_LABELS } from '../domain/application';
import { ACTION_PAYLOAD_SCHEMAS, type SupportedAction } from '../domain/case-actions';
import { instantSchema, isoDateSchema } from '../domain/dates';
import { ENDANGERED_INTEREST_LABELS, EXEMPTION_GROUND_DEFINITIONS, THIRD_PARTY_INTEREST_LABELS } from '../domain/exemptions';
import { isOutcome, OUTCOME_DEFINITIONS } from '../domain/outcomes';
import { ACTION_LABELS } from '../domain/roles';
import { STAGE_DEFINITIONS } from '../domain/stages';
import { InvalidInputError } from '../domain/validation';

// The case page's action forms, derived from the payload schemas of domain/case-actions (the one definition of
// what an act carries), and the way back from a posted form to the act's `data`. Pages carry no script, so every
// form is plain HTML fields; nothing here checks a rule: the workflow's validator names any refused field.

export type FieldKind = 'text' | 'textarea' | 'lines' | 'date' | 'datetime' | 'number' | 'select' | 'checkbox';

export interface FormOption {
  value: string;
  label: string;
}

export interface FormField {
  /** Dotted path inside the payload, e.g. 'itemsToCorrect', 'item.withheldParts.0.ground', 'confidentialityReview.reviewedOn'. */
  name: string;
  /** Chinese label shown to staff. */
  label: string;
  /** 'lines' = textarea, one array element per non-empty line. */
  kind: FieldKind;
  required: boolean;
  /** For 'select' (Chinese labels). */
  options?: FormOption[];
  /** A 'select' for a list of values (`<select multiple>`); its values arrive as repeated keys. */
  multiple?: boolean;
  /** A 'select' answering yes or no (是 / 否): the payload gets true or false, and no choice leaves it out. */
  yesNo?: boolean;
  /** Short Chinese hint (format, limits). */
  hint?: string;
}

export interface ActionForm {
  action: SupportedAction;
  /** For payloads that are discriminated unions: the discriminator value this form sends; one form per variant. */
  variant?: string;
  /** Chinese title: ACTION_LABELS[action] plus the variant's Chinese label. */
  title: string;
  fields: FormField[];
}

/** What a form needs from the case and the configuration to offer choices. */
export interface FormContext {
  /** Handlers of the case's agency, for assign-handler / reassign-handler / hand-over (their payload takes `handlerId`). */
  handlers: FormOption[];
  /** The requested items' numbers and short titles, for record-item-decision's item.itemId (values '1', '2', …). */
  requestedItems: FormOption[];
  /** Consultation ids on the case (for record-*-opinion, notify-third-party-of-disclosure). */
  consultationIds: string[];
  /** Referral ids (record-referral-answer). */
  referralIds: string[];
  /** Beijing today, YYYY-MM-DD: the default value hint for dates. */
  today: string;
}

// ---- Labels ----

/** Chinese labels of payload fields by dotted path without list indices; ACTION_FIELD_LABELS overrides per action. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  confirmedAt: '确认收到申请的时间',
  handlerId: '承办人',
  reason: '理由',
  note: '备注',
  sentOn: '发出日期',
  itemsToCorrect: '需要补正的事项',
  applicantDueOn: '补正期限（截止日期）',
  receivedOn: '收到日期',
  howToObtain: '获取公开出版物的途径',
  responsibleAgency: '负责公开该信息的机关',
  earlierCaseNumber: '此前申请的案件编号',
  law: '规定特别办理程序的法律、行政法规',
  reasonsDueOn: '说明理由的期限',
  reasonable: '申请人说明的理由合理',
  setOn: '确定日期',
  due: '延迟答复的期限',
  amountYuan: '收费金额（元）',
  paymentDueOn: '缴费期限',
  calculation: '计算依据（收费标准及数量）',
  paymentMethod: '缴费方式',
  paidOn: '缴费日期',
  'item.itemId': '申请事项',
  'item.outcome': '处理结果',
  'item.reason': '告知申请人的理由',
  'item.withheldParts.ground': '不予公开的理由类别',
  'item.withheldParts.scope': '不予公开的范围（页码、段落、字段）',
  'item.withheldParts.reason': '告知申请人的不予公开理由',
  'item.withheldParts.evidence.classificationReference': '定密依据（密级、定密文件或标志）',
  'item.withheldParts.evidence.prohibitingLaw.name': '禁止公开的法律或行政法规名称',
  'item.withheldParts.evidence.prohibitingLaw.article': '禁止公开的条款',
  'item.withheldParts.evidence.endangeredInterests': '可能危及的国家安全、公共安全、经济安全或社会稳定',
  'item.withheldParts.evidence.thirdPartyInterest': '可能受损害的第三方合法权益',
  'item.withheldParts.evidence.thirdPartyConsultation.sentOn': '书面征求第三方意见的日期',
  'item.withheldParts.evidence.thirdPartyConsultation.response': '第三方意见',
  'item.withheldParts.evidence.thirdPartyConsultation.respondedOn': '第三方答复日期',
  'item.withheldParts.evidence.publicInterestAssessment.majorImpactIfWithheld': '不公开会对公共利益造成重大影响',
  'item.withheldParts.evidence.publicInterestAssessment.reason': '公共利益影响评估理由',
  'item.withheldParts.evidence.discretionReason': '不予公开的裁量理由',
  'item.withheldParts.evidence.noDisclosureRuleConfirmed': '已核实无法律、法规、规章规定应当公开',
  'item.notSeparableReason': '不能区分处理的理由（整项不予公开时）',
  'item.alreadyPublicCheck.isPublic': '该信息已主动公开',
  'item.alreadyPublicCheck.location': '主动公开的位置（网址、栏目）',
  'item.searchRecord.searchedBy': '检索人（工作人员账号）',
  'item.searchRecord.searchedOn': '检索日期',
  'item.searchRecord.locations': '检索的系统、档案和文件',
  'item.searchRecord.keywords': '检索关键词',
  'item.creationFinding.redactionOfExistingRecordsCannotAnswer': '经认定，对现有信息区分处理无法答复',
  'item.creationFinding.reason': '需要另行制作的理由',
  'item.reEvaluateOn': '定期评估审查日期',
  consultationId: '征求意见编号',
  letterSentOn: '征求意见书发出日期',
  consulteeReceivedOn: '对方收到征求意见书的日期',
  about: '征求意见的事项',
  consulteeName: '被征求意见方名称',
  consulteeType: '被征求意见方类型',
  interest: '可能受损害的权益',
  contact: '本机关联系人及电话',
  letterReceivedOn: '对方收到征求意见书的日期',
  answeredOn: '收到意见的日期',
  opinion: '意见',
  searchedOn: '检索日期',
  places: '检索的系统、档案和文件',
  keywords: '检索关键词',
  redactionOfExistingRecordsCannotAnswer: '经认定，对现有信息区分处理无法答复',
  publicInterestReason: '不公开会对公共利益造成重大影响的理由',
  disclosedContent: '决定公开的内容',
  disclosureFrom: '公开日期',
  referralId: '报请编号',
  referredTo: '报请的主管部门或保密行政管理部门',
  question: '报请确定的事项',
  decidedOn: '决定日期',
  'confidentialityReview.reviewedBy': '保密审查人（工作人员账号）',
  'confidentialityReview.reviewedOn': '保密审查日期',
  'primaryOutcome.outcome': '主要办理结果',
  'primaryOutcome.reason': '确定主要办理结果的理由',
  requestedOn: '申请日期',
  workingDays: '延长的工作日数',
  approvedOn: '批准日期',
  refusedOn: '不予批准的日期',
  comment: '意见',
  returnTo: '退回至',
  dispatchedOn: '送达日期（交邮或签收之日）',
  method: '送达方式',
  failedOn: '送达失败的日期',
  withdrawnOn: '撤回日期',
  message: '督办内容',
};

/** Where one action means something more specific by a field than FIELD_LABELS says. */
const ACTION_FIELD_LABELS: Partial<Record<SupportedAction, Readonly<Record<string, string>>>> = {
  'reassign-handler': { handlerId: '改派给', reason: '改派理由' },
  'hand-over': { handlerId: '移交给', note: '交接说明' },
  'request-correction': { sentOn: '补正告知发出日期' },
  'record-correction-received': { receivedOn: '收到补正材料的日期' },
  'request-reasons': { sentOn: '说明理由告知书发出日期', finding: '申请数量、频次明显超过合理范围的认定' },
  'record-reasons-received': { receivedOn: '收到申请人说明理由的日期' },
  'set-later-reply-deadline': { reason: '延迟答复的理由' },
  'send-fee-notice': { sentOn: '收费通知发出日期' },
  'record-search': { reason: '认定理由' },
  'notify-third-party-of-disclosure': { consultationId: '征求第三方意见编号', sentOn: '告知书发出日期' },
  'refer-for-determination': { referralId: '报请编号（自拟）', sentOn: '报请日期' },
  'record-referral-answer': { answeredOn: '收到确定意见的日期', finding: '确定意见' },
  'request-extension': { reason: '延长理由' },
  'approve-extension': { reason: '审批理由' },
  'review-reply': { comment: '审核意见' },
  'sign-off-reply': { comment: '签发意见' },
  'record-delivery-failed': { reason: '送达失败的原因' },
  'record-withdrawal': { reason: '撤回理由' },
};

const DISPATCH_METHOD_LABELS: Readonly<Record<string, string>> = {
  'in-person': '直接送达（当面签收）',
  post: '邮寄',
  email: '电子邮件',
  online: '网上送达',
  fax: '传真',
};

/** Art. 32: a consultee answers yes or no, or says nothing within 15 working days. */
const CONSULTATION_OPINION_LABELS: Readonly<Record<string, string>> = {
  consented: '同意公开',
  objected: '不同意公开',
  'no-response': '逾期未提出意见',
};

const stageLabels = Object.fromEntries(Object.entries(STAGE_DEFINITIONS).map(([stage, { label }]) => [stage, label]));
const outcomeLabels = Object.fromEntries(Object.entries(OUTCOME_DEFINITIONS).map(([outcome, { label }]) => [outcome, label]));
const groundLabels = Object.fromEntries(Object.entries(EXEMPTION_GROUND_DEFINITIONS).map(([ground, { label }]) => [ground, label]));

/** Chinese labels of enum values, by field path without indices; an enum not listed shows its raw values. */
const OPTION_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'item.outcome': outcomeLabels,
  'primaryOutcome.outcome': outcomeLabels,
  'item.withheldParts.ground': groundLabels,
  'item.withheldParts.evidence.endangeredInterests': ENDANGERED_INTEREST_LABELS,
  'item.withheldParts.evidence.thirdPartyInterest': THIRD_PARTY_INTEREST_LABELS,
  'item.withheldParts.evidence.thirdPartyConsultation.response': CONSULTATION_OPINION_LABELS,
  interest: THIRD_PARTY_INTEREST_LABELS,
  consulteeType: APPLICANT_TYPE_LABELS,
  opinion: CONSULTATION_OPINION_LABELS,
  returnTo: stageLabels,
  method: DISPATCH_METHOD_LABELS,
};

/** The Chinese name of each variant of a discriminated-union payload; a decision that is an outcome reads as one. */
const VARIANT_LABELS: Partial<Record<SupportedAction, Readonly<Record<string, string>>>> = {
  'record-completeness-finding': { complete: '申请内容明确' },
  'decide-scope': { 'gip-request': '作为政府信息公开申请处理' },
  'record-search': { found: '检索到所申请的信息' },
  'approve-extension': { approve: '同意延长', refuse: '不同意延长' },
  'review-reply': { approve: '审核通过', return: '退回' },
};

const variantLabel = (action: SupportedAction, variant: string): string =>
  VARIANT_LABELS[action]?.[variant] ?? (isOutcome(variant) ? OUTCOME_DEFINITIONS[variant].label : variant);

const FIELD_HINTS: Readonly<Record<string, string>> = {
  earlierCaseNumber: '如 NJGHZY-2026-000123',
  'item.searchRecord.searchedBy': '工作人员账号',
  'confidentialityReview.reviewedBy': '工作人员账号',
  'item.withheldParts.evidence.thirdPartyConsultation.respondedOn': '逾期未提出意见的可不填',
};

/** A new consultation or referral id is the handler's own short code; the case's acts refer to it later. */
const NEW_ID_HINT = '自拟编号：1-40位字母、数字或 . _ -，如 DSF-1';

// ---- Schemas as JSON Schema ----

/** The part of JSON Schema that z.toJSONSchema emits for these payloads. */
interface JsonNode {
  type?: string;
  properties?: Record<string, JsonNode>;
  required?: string[];
  items?: JsonNode;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxItems?: number;
  oneOf?: JsonNode[];
  anyOf?: JsonNode[];
}

const jsonSchemas = new Map<SupportedAction, JsonNode>();

/**
 * The payload's input JSON Schema. Dates and instants are refinements, which JSON Schema cannot carry, so they are
 * recognised by identity and marked with the standard formats. A `z.preprocess` comes out as its target schema
 * (zod emits a pipe from a transform as the pipe's output), so record-search and approve-extension stay unions.
 */
function jsonSchemaOf(action: SupportedAction): JsonNode {
  let schema = jsonSchemas.get(action);
  if (!schema) {
    schema = z.toJSONSchema(ACTION_PAYLOAD_SCHEMAS[action] as z.ZodType, {
      io: 'input',
      unrepresentable: 'any',
      override: ({ zodSchema, jsonSchema }) => {
        if ((zodSchema as unknown) === isoDateSchema) jsonSchema.format = 'date';
        if ((zodSchema as unknown) === instantSchema) jsonSchema.format = 'date-time';
      },
    }) as JsonNode;
    jsonSchemas.set(action, schema);
  }
  return schema;
}

interface Variant {
  /** The discriminator's value; undefined for a payload that is a single object. */
  value?: string;
  discriminator?: string;
  schema: JsonNode;
}

function variantsOf(action: SupportedAction): Variant[] {
  const root = jsonSchemaOf(action);
  const members = root.oneOf ?? root.anyOf;
  if (!members) {
    if (root.type !== 'object') throw new Error(`web/forms: the payload of ${action} is not an object`);
    return [{ schema: root }];
  }
  // The discriminator is the property every member fixes to a constant.
  const discriminator = Object.keys(members[0]?.properties ?? {}).find((key) =>
    members.every((member) => typeof member.properties?.[key]?.const === 'string'),
  );
  if (discriminator === undefined) throw new Error(`web/forms: the payload of ${action} is a union without a discriminator`);
  return members.map((schema) => ({ value: schema.properties?.[discriminator]?.const as string, discriminator, schema }));
}

function variantOf(action: SupportedAction, value: string | undefined): Variant {
  const variant = variantsOf(action).find((candidate) => candidate.value === value);
  if (!variant) throw new Error(`web/forms: ${action} has no form variant ${String(value)}`);
  return variant;
}

// ---- Forms ----

/** Acts that make someone the handler: the form names a configured person; workers/case-client resolves them. */
const PERSON_ACTIONS: ReadonlySet<SupportedAction> = new Set(['assign-handler', 'reassign-handler', 'hand-over']);

/**
 * Repeated groups offered for a list of objects. Pages have no script to add a group, so a fixed number is shown;
 * three withheld parts per item covers distinct grounds within one requested item (one part's scope may list
 * several passages under the same ground), and a decision needing more is recorded through the JSON API.
 */
const REPEATED_GROUPS: Readonly<Record<string, number>> = { 'item.withheldParts': 3 };
const DEFAULT_REPEATED_GROUPS = 3;

const asOptions = (ids: readonly string[]): FormOption[] => ids.map((id) => ({ value: id, label: id }));

/** Fields whose choices come from the case rather than the schema: references to what already exists. */
const CONTEXT_CHOICES: Partial<Record<SupportedAction, Readonly<Record<string, (context: FormContext) => FormOption[]>>>> = {
  'record-item-decision': { 'item.itemId': (context) => context.requestedItems },
  'record-third-party-opinion': { consultationId: (context) => asOptions(context.consultationIds) },
  'record-co-maker-opinion': { consultationId: (context) => asOptions(context.consultationIds) },
  'notify-third-party-of-disclosure': { consultationId: (context) => asOptions(context.consultationIds) },
  'record-referral-answer': { referralId: (context) => asOptions(context.referralIds) },
};

/** The path of a field without list indices: the key of its label, options and hint. */
const labelKey = (name: string): string =>
  name
    .split('.')
    .filter((segment) => !/^\d+$/.test(segment))
    .join('.');

/** What one group of a list is called, numbered from 1 in labels: 不予公开部分2·不予公开的理由类别. */
const GROUP_LABELS: Readonly<Record<string, string>> = { 'item.withheldParts': '不予公开部分' };

/** A field's Chinese label; the bare path where none is written (the unit test fails on that). */
export function fieldLabel(action: SupportedAction, name: string): string {
  const key = labelKey(name);
  const segments = name.split('.');
  const groups = segments.flatMap((segment, at) => {
    if (!/^\d+$/.test(segment)) return [];
    const group = GROUP_LABELS[labelKey(segments.slice(0, at).join('.'))];
    return [group === undefined ? `第${Number(segment) + 1}组·` : `${group}${Number(segment) + 1}·`];
  });
  return groups.join('') + (ACTION_FIELD_LABELS[action]?.[key] ?? FIELD_LABELS[key] ?? key);
}

interface Walk {
  action: SupportedAction;
  context: FormContext;
  fields: FormField[];
}

function addFields(walk: Walk, node: JsonNode, path: string[], required: boolean): void {
  const name = path.join('.');
  const key = labelKey(name);
  const field = (kind: FieldKind, extra: Partial<FormField> = {}): void => {
    const hint = extra.hint ?? FIELD_HINTS[key];
    walk.fields.push({ name, label: fieldLabel(walk.action, name), kind, required, ...extra, ...(hint ? { hint } : {}) });
  };

  if (name === 'handler' && PERSON_ACTIONS.has(walk.action)) {
    const label = fieldLabel(walk.action, 'handlerId');
    walk.fields.push({ name: 'handlerId', label, kind: 'select', required, options: walk.context.handlers });
    return;
  }
  const choices = CONTEXT_CHOICES[walk.action]?.[key];
  if (choices) return field('select', { options: choices(walk.context) });

  switch (node.type) {
    case 'object':
      for (const [property, child] of Object.entries(node.properties ?? {})) {
        addFields(walk, child, [...path, property], required && (node.required ?? []).includes(property));
      }
      return;
    case 'array': {
      const items = node.items ?? {};
      if (items.type === 'object') {
        // A group may be left empty, so none of its fields is required of the browser.
        const groups = REPEATED_GROUPS[key] ?? DEFAULT_REPEATED_GROUPS;
        for (let index = 0; index < groups; index++) addFields(walk, items, [...path, String(index)], false);
        return;
      }
      if (items.enum) return field('select', { options: optionsOf(key, items.enum), multiple: true });
      if (items.type === 'string') {
        return field('lines', { hint: node.maxItems === undefined ? '每行一项' : `每行一项，最多${node.maxItems}项` });
      }
      break;
    }
    case 'string':
      if (node.enum) return field('select', { options: optionsOf(key, node.enum) });
      if (node.format === 'date') return field('date', { hint: `年-月-日，今日为${walk.context.today}` });
      if (node.format === 'date-time') return field('datetime', { hint: '北京时间' });
      if (key === 'consultationId' || key === 'referralId') return field('text', { hint: NEW_ID_HINT });
      // Free text of a paragraph's length (2000) gets a text area; names, references and short reasons a line.
      if (node.maxLength !== undefined && node.maxLength >= 1000) return field('textarea', { hint: `不超过${node.maxLength}字` });
      return field('text');
    case 'number':
    case 'integer':
      return field('number', { hint: numberHint(node) });
    case 'boolean':
      // A finding that can only be true is a box to tick. Any other yes-or-no is a choice of 是 / 否: an unticked box
      // could not tell "no" from "not answered", and inside an optional object "no" would be dropped as empty.
      if (node.const === true) {
        walk.fields.push({ name, label: fieldLabel(walk.action, name), kind: 'checkbox', required });
        return;
      }
      walk.fields.push({ name, label: fieldLabel(walk.action, name), kind: 'select', required, yesNo: true, options: YES_NO_OPTIONS });
      return;
  }
  throw new Error(`web/forms: no form field for ${walk.action} ${name} (${JSON.stringify(node).slice(0, 80)})`);
}

const YES_NO_OPTIONS: FormOption[] = [
  { value: 'true', label: '是' },
  { value: 'false', label: '否' },
];

function optionsOf(key: string, values: readonly unknown[]): FormOption[] {
  const labels = OPTION_LABELS[key];
  return values.map(String).map((value) => ({ value, label: labels?.[value] ?? value }));
}

function numberHint(node: JsonNode): string {
  const unit = node.type === 'integer' ? '整数' : '数字';
  if (node.minimum !== undefined && node.maximum !== undefined) return `${node.minimum}至${node.maximum}的${unit}`;
  if (node.exclusiveMinimum !== undefined && node.maximum !== undefined) {
    return `大于${node.exclusiveMinimum}、不超过${node.maximum}的${unit}`;
  }
  return unit;
}

/** The forms for one action: one per variant of a discriminated-union payload, else one. */
export function actionForms(action: SupportedAction, context: FormContext): ActionForm[] {
  return variantsOf(action).map(({ value, discriminator, schema }) => {
    const walk: Walk = { action, context, fields: [] };
    for (const [property, child] of Object.entries(schema.properties ?? {})) {
      if (property !== discriminator) addFields(walk, child, [property], (schema.required ?? []).includes(property));
    }
    return value === undefined
      ? { action, title: ACTION_LABELS[action], fields: walk.fields }
      : { action, variant: value, title: `${ACTION_LABELS[action]}：${variantLabel(action, value)}`, fields: walk.fields };
  });
}

// ---- From a posted form back to the payload ----

/** One submitted value: `filled` is false for an unticked box, which counts as empty when groups are dropped. */
class Entry {
  constructor(
    readonly value: unknown,
    readonly filled: boolean,
  ) {}
}

interface Tree {
  [segment: string]: Tree | Entry;
}

const BEIJING_OFFSET = '+08:00';

/** The field's posted strings: formbody gives a string, or a string[] for a repeated key. */
function postedStrings(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.filter((value): value is string => typeof value === 'string');
  return [];
}

function entryOf(form: ActionForm, field: FormField, raw: unknown): Entry | undefined {
  const posted = postedStrings(raw).map((value) => value.replace(/\r\n?/g, '\n').trim());
  if (field.kind === 'checkbox') return posted.length > 0 ? new Entry(true, true) : new Entry(false, false);
  if (field.kind === 'lines' || field.multiple) {
    const values = posted.flatMap((value) => value.split('\n')).map((line) => line.trim()).filter((line) => line !== '');
    return values.length > 0 ? new Entry(values, true) : undefined;
  }
  const value = posted.filter((text) => text !== '').at(-1);
  if (value === undefined) return undefined;
  if (field.yesNo) return new Entry(value === 'true', true);
  switch (field.kind) {
    case 'number': {
      // NFKC turns full-width digits from a Chinese input method into ASCII ones.
      const text = value.normalize('NFKC');
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
        throw new InvalidInputError(`Form ${form.action}`, [
          { field: `data.${field.name}`, label: field.label, message: '应为数字 / expected a number' },
        ]);
      }
      return new Entry(Number(text), true);
    }
    case 'datetime':
      // <input type="datetime-local"> sends Beijing wall-clock time without seconds or offset.
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return new Entry(`${value}:00${BEIJING_OFFSET}`, true);
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)) return new Entry(value + BEIJING_OFFSET, true);
      return new Entry(value, true);
    default:
      return new Entry(value, true);
  }
}

/** Puts `entry` at `path`, creating the objects on the way even for an empty field: they are what the form offered. */
function place(tree: Tree, path: readonly string[], entry: Entry | undefined): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    if (entry !== undefined) tree[head] = entry;
    return;
  }
  const next = tree[head];
  const child: Tree = next === undefined || next instanceof Entry ? {} : next;
  tree[head] = child;
  place(child, rest, entry);
}

/**
 * Builds the value of `node` from the posted entries under it. An optional object nothing was filled in is left
 * out (an unticked box alone does not fill it), as is a group of a list; a required one is kept, so the workflow
 * reports the fields missing inside it rather than the object. What the form offers no field for stays absent
 * (the `handler` of an assignment, which the form asks for as `handlerId`).
 */
function assemble(node: JsonNode, posted: Tree | Entry | undefined, required: boolean): Entry | undefined {
  if (posted === undefined || posted instanceof Entry) return posted;
  if (node.type === 'object') {
    const value: Record<string, unknown> = {};
    let filled = false;
    const properties = node.properties ?? {};
    for (const [property, child] of Object.entries(properties)) {
      const entry = assemble(child, posted[property], (node.required ?? []).includes(property));
      if (entry === undefined) continue;
      value[property] = entry.value;
      filled ||= entry.filled;
    }
    // Fields the form adds beside the schema (handlerId, which the case client turns into `handler`).
    for (const [property, entry] of Object.entries(posted)) {
      if (Object.hasOwn(properties, property) || !(entry instanceof Entry)) continue;
      value[property] = entry.value;
      filled ||= entry.filled;
    }
    return filled || required ? new Entry(value, filled) : undefined;
  }
  if (node.type === 'array' && node.items?.type === 'object') {
    const groups = Object.keys(posted)
      .filter((index) => /^\d+$/.test(index))
      .sort((a, b) => Number(a) - Number(b))
      .map((index) => assemble(node.items ?? {}, posted[index], false))
      .filter((group) => group !== undefined)
      .map((group) => group.value);
    return groups.length > 0 || required ? new Entry(groups, groups.length > 0) : undefined;
  }
  return undefined;
}

/**
 * The payload `data` from a submitted form. `body` is the urlencoded body as @fastify/formbody parses it; field
 * values arrive under `f.<field name>`. Empty values are left out, 'lines' become string[], 'number' a number,
 * 'checkbox' true or false, datetime-local values Beijing instants; an all-empty group of a list is dropped and the
 * rest renumbered; the variant's discriminator is set from `form.variant`. A value that cannot be coerced throws
 * InvalidInputError naming `data.<path>`; every other check is the workflow's.
 */
export function payloadFromForm(form: ActionForm, body: Record<string, unknown>): Record<string, unknown> {
  const { discriminator, schema } = variantOf(form.action, form.variant);
  const posted: Tree = {};
  for (const field of form.fields) {
    place(posted, field.name.split('.'), entryOf(form, field, body[`f.${field.name}`]));
  }
  const data = (assemble(schema, posted, true)?.value ?? {}) as Record<string, unknown>;
  return discriminator === undefined ? data : { [discriminator]: form.variant, ...data };
}
