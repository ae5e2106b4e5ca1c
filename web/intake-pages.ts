import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  APPLICANT_TYPE_LABELS,
  APPLICANT_TYPES,
  APPLICATION_LIMITS,
  applicationFieldLabel,
  CHANNEL_KINDS,
  CHANNEL_LABELS,
  CHANNEL_NEEDS_CONFIRMATION,
  type ChannelKind,
  channelSchema,
  ORGANISATION_TYPE_LABELS,
  ORGANISATION_TYPES,
  parseApplication,
  PERMITTED_MANNERS,
  PROVISION_FORM_LABELS,
  PROVISION_FORMS,
  PROVISION_MANNER_LABELS,
  PROVISION_MANNERS,
  RECEIPT_RULES,
  receiptDate,
} from '../domain/application';
import { computeClock } from '../domain/clock';
import { beijingDateTimeOf, isIsoInstant, withWeekday } from '../domain/dates';
import { clockRulesOf } from '../domain/gongkai-config';
import { ID_DOCUMENT_KIND_LABELS, ID_DOCUMENT_KINDS, MAX_ID_KIND_NAME_LENGTH, MAX_ID_NUMBER_LENGTH } from '../domain/id-documents';
import { type FieldProblem, InvalidInputError } from '../domain/validation';
import type { PageDeps } from './app';
import type { SignedIn } from './cases';
import { HttpError } from './errors';
import { workingCalendar } from './list-pages';

// 登记新申请: one form per channel (Art. 31 fixes the receipt date differently for each), the receipt date and
// deadlines shown before registering, then the one intake path (workers/intake.ts via the case service). Each form
// carries a submission id made when it was rendered, so a double submit registers one case.

/** Requested-item rows offered; empty rows are dropped, so an application may list one to three here. */
const ITEM_ROWS = 3;

type FieldKind = 'text' | 'email' | 'tel' | 'textarea' | 'select' | 'datetime';

interface FieldSpec {
  /** The dotted path in the application (`requestedItems.<row>.title`): problems name it, so they land on the field. */
  name: string;
  kind: FieldKind;
  required?: boolean;
  options?: readonly { value: string; label: string }[];
  maxlength?: number;
  hint?: string;
}

interface FieldView extends Omit<FieldSpec, 'options'> {
  label: string;
  inputType: string;
  value: string;
  error?: string;
  options?: { value: string; label: string; selected: boolean }[];
}

const choices = <T extends string>(values: readonly T[], labels: Record<T, string>, empty?: string) => [
  ...(empty === undefined ? [] : [{ value: '', label: empty }]),
  ...values.map((value) => ({ value, label: labels[value] })),
];

/** Each channel's time fields, read from the channel schema (in-person: submittedAt; fax: receivedAt, confirmedAt…). */
const CHANNEL_TIME_FIELDS = Object.fromEntries(
  channelSchema.options.map((option) => {
    const shape = option.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
    const fields = Object.keys(shape)
      .filter((key) => key !== 'kind')
      .map((key) => ({ key, optional: shape[key]!.safeParse(undefined).success }));
    return [option.shape.kind.value, fields];
  }),
) as Record<ChannelKind, { key: string; optional: boolean }[]>;

const MANNERS_HINT = PROVISION_FORMS.map((form) => `${PROVISION_FORM_LABELS[form]}：${PERMITTED_MANNERS[form].map((m) => PROVISION_MANNER_LABELS[m]).join('、')}`).join('；');

interface SectionSpec {
  title: string;
  hint?: string;
  /** Requested items: one row of fields per item. */
  rows?: FieldSpec[][];
  fields?: FieldSpec[];
}

function sectionSpecs(channel: ChannelKind): SectionSpec[] {
  return [
    {
      title: '申请人',
      fields: [
        { name: 'applicant.type', kind: 'select', required: true, options: choices(APPLICANT_TYPES, APPLICANT_TYPE_LABELS) },
        { name: 'applicant.organisationType', kind: 'select', options: choices(ORGANISATION_TYPES, ORGANISATION_TYPE_LABELS, '（自然人不选）'), hint: '法人或其他组织须选择' },
        { name: 'applicant.name', kind: 'text', required: true, maxlength: APPLICATION_LIMITS.applicantNameLength },
        { name: 'applicant.idDocument.kind', kind: 'select', required: true, options: choices(ID_DOCUMENT_KINDS, ID_DOCUMENT_KIND_LABELS), hint: '自然人：居民身份证、护照或其他；组织：统一社会信用代码或其他' },
        { name: 'applicant.idDocument.kindName', kind: 'text', maxlength: MAX_ID_KIND_NAME_LENGTH, hint: '证件类型为“其他身份证明”时填写，如港澳居民来往内地通行证' },
        { name: 'applicant.idDocument.number', kind: 'text', required: true, maxlength: MAX_ID_NUMBER_LENGTH },
      ],
    },
    {
      title: '联系方式',
      hint: '联系电话、电子邮箱、通信地址至少填写一项；邮寄须填通信地址，电子邮件须填电子邮箱，传真须填传真号码。',
      fields: [
        { name: 'contact.phone', kind: 'tel', maxlength: APPLICATION_LIMITS.phoneLength },
        { name: 'contact.email', kind: 'email', maxlength: APPLICATION_LIMITS.emailLength },
        { name: 'contact.fax', kind: 'tel', maxlength: APPLICATION_LIMITS.phoneLength },
        { name: 'contact.postalAddress', kind: 'text', maxlength: APPLICATION_LIMITS.postalAddressLength },
        { name: 'contact.postcode', kind: 'text', maxlength: APPLICATION_LIMITS.postcodeLength },
      ],
    },
    {
      title: '申请公开的政府信息',
      hint: '每项至少填写名称、文号、特征性描述之一；空行不登记。',
      rows: Array.from({ length: ITEM_ROWS }, (_, row) => [
        { name: `requestedItems.${row}.title`, kind: 'text', maxlength: APPLICATION_LIMITS.itemTitleLength },
        { name: `requestedItems.${row}.documentNumber`, kind: 'text', maxlength: APPLICATION_LIMITS.itemDocumentNumberLength },
        { name: `requestedItems.${row}.description`, kind: 'textarea', maxlength: APPLICATION_LIMITS.itemDescriptionLength },
      ]),
    },
    {
      title: '政府信息的形式要求',
      fields: [
        { name: 'provision.form', kind: 'select', required: true, options: choices(PROVISION_FORMS, PROVISION_FORM_LABELS) },
        { name: 'provision.manner', kind: 'select', required: true, options: choices(PROVISION_MANNERS, PROVISION_MANNER_LABELS), hint: MANNERS_HINT },
      ],
    },
    {
      title: `提交方式：${CHANNEL_LABELS[channel]}`,
      hint: `${RECEIPT_RULES[channel].rule}。时间为北京时间。`,
      fields: CHANNEL_TIME_FIELDS[channel].map(({ key, optional }) => ({
        name: `channel.${key}`,
        kind: 'datetime' as const,
        required: !optional,
        ...(key === 'confirmedAt' ? { hint: '已与申请人确认的，填写确认时间；尚未确认的留空，确认后在案件页登记' } : {}),
      })),
    },
  ];
}

/** Every field name a form of this channel posts, besides `_csrf`, `submissionId` and the buttons. */
const fieldNames = (channel: ChannelKind): string[] => [
  'channel.kind',
  ...sectionSpecs(channel).flatMap((section) => [...(section.fields ?? []), ...(section.rows ?? []).flat()].map((field) => field.name)),
];

type FormBody = Record<string, string | string[] | undefined>;
type FormValues = Record<string, string>;

export function registerIntakePages(app: FastifyInstance, deps: PageDeps): void {
  const requireRegistrar = (request: FastifyRequest): SignedIn => {
    const signedIn = deps.requireUser(request);
    if (!signedIn.user.roles.includes('registrar')) throw new HttpError(403, 'wrong-role', '登记申请仅限登记员 / registrars only');
    return signedIn;
  };
  const agencyOf = (code: string) => deps.cases.config.agencies.find((a) => a.code === code);

  const renderForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    signedIn: SignedIn,
    form: { channel: ChannelKind; values: FormValues; submissionId: string; problems?: FieldProblem[] },
    status = 200,
  ) => {
    const errors = new Map<string, string>();
    for (const problem of form.problems ?? []) if (!errors.has(problem.field)) errors.set(problem.field, problem.message);
    const view = (spec: FieldSpec): FieldView => fieldView(spec, form.values[spec.name] ?? '', errors.get(spec.name));
    return deps.page(
      request,
      reply,
      'register',
      {
        title: '登记新申请',
        agencyName: agencyOf(signedIn.user.agencyCode)?.name ?? signedIn.user.agencyCode,
        channels: CHANNEL_KINDS.map((kind) => ({ kind, label: CHANNEL_LABELS[kind], current: kind === form.channel, needsConfirmation: CHANNEL_NEEDS_CONFIRMATION[kind] })),
        channelKind: form.channel,
        submissionId: form.submissionId,
        sections: sectionSpecs(form.channel).map((section) => ({
          title: section.title,
          hint: section.hint,
          fields: section.fields?.map(view),
          rows: section.rows?.map((row, index) => ({ number: index + 1, fields: row.map(view) })),
        })),
        ...(form.problems?.length
          ? { flash: { kind: 'error' as const, text: '申请未登记：请更正以下各项后重新提交。', problems: form.problems.map((p) => ({ field: p.label ?? p.field, message: p.message })) } }
          : {}),
      },
      status,
    );
  };

  app.get<{ Querystring: { channel?: string } }>('/register', (request, reply) => {
    const signedIn = requireRegistrar(request);
    const channel = channelKindOf(request.query.channel);
    return renderForm(request, reply, signedIn, { channel, values: defaultValues(channel), submissionId: randomUUID() });
  });

  app.post<{ Body: FormBody | undefined }>('/register', { preHandler: app.csrfProtection }, async (request, reply) => {
    const signedIn = requireRegistrar(request);
    const body = request.body ?? {};
    const channel = channelKindOf(first(body['channel.kind']));
    const values = formValues(body, channel);
    const given = first(body.submissionId) ?? '';
    // A form that never registered anything keeps its id, so the corrected form still registers once.
    const submissionId = /^[A-Za-z0-9._:-]{8,100}$/.test(given) ? given : randomUUID();
    if (first(body.edit) !== undefined) return renderForm(request, reply, signedIn, { channel, values, submissionId });

    const { application, itemRows } = applicationFromForm(values, channel, signedIn.user.agencyCode);
    const refused = (err: unknown) => {
      if (!(err instanceof InvalidInputError)) throw err;
      return renderForm(request, reply, signedIn, { channel, values, submissionId, problems: onFormFields(err.problems, itemRows) }, 400);
    };
    let parsed: ReturnType<typeof parseApplication>;
    try {
      parsed = parseApplication(application);
    } catch (err) {
      return refused(err);
    }

    if (first(body.preview) !== undefined) {
      const agency = agencyOf(signedIn.user.agencyCode);
      if (!agency) throw new HttpError(403, 'wrong-agency', 'agencyCode: 您所在的机关未配置 / your agency is not configured');
      const receipt = receiptDate(parsed);
      const clock = receipt.status === 'received' ? computeClock(clockRulesOf(agency), await workingCalendar(deps.cases), [{ type: 'received', on: receipt.receivedOn, basis: receipt.basis }]) : undefined;
      return deps.page(request, reply, 'register-preview', {
        title: '登记新申请：核对',
        agencyName: agency.name,
        channelLabel: CHANNEL_LABELS[channel],
        summary: summaryOf(channel, values),
        receipt:
          receipt.status === 'received' && clock
            ? {
                received: true,
                receivedOn: withWeekday(receipt.receivedOn),
                basis: receipt.basis,
                correctionNoticeDue: withWeekday(clock.correctionNoticeDue),
                replyDue: clock.replyDue === null ? '待确认' : withWeekday(clock.replyDue),
                replyDueExtended: clock.replyDueExtended === null ? '待确认' : withWeekday(clock.replyDueExtended),
                provisional: clock.provisional,
                explanation: clock.explanation,
              }
            : { received: false, reason: receipt.status === 'awaiting-confirmation' ? receipt.reason : '' },
        hidden: [{ name: 'submissionId', value: submissionId }, ...Object.entries(values).map(([name, value]) => ({ name, value }))],
      });
    }

    try {
      const { caseNumber } = await deps.cases.submit(signedIn.actor, { submissionId, application });
      return reply.redirect(`/cases/${encodeURIComponent(caseNumber)}`, 303);
    } catch (err) {
      return refused(err);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// From the form to the application and back

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function channelKindOf(value: string | undefined): ChannelKind {
  return (CHANNEL_KINDS as readonly string[]).includes(value ?? '') ? (value as ChannelKind) : 'in-person';
}

/** The posted values of this channel's fields, as typed (re-shown on the form and carried through the preview). */
function formValues(body: FormBody, channel: ChannelKind): FormValues {
  const values: FormValues = {};
  for (const name of fieldNames(channel)) {
    const value = first(body[name]);
    if (value !== undefined && value !== '') values[name] = value;
  }
  values['channel.kind'] = channel;
  return values;
}

function defaultValues(channel: ChannelKind): FormValues {
  const [primary] = CHANNEL_TIME_FIELDS[channel];
  // The time it reached the office is most often now: the registrar corrects it for mail opened later.
  const now = beijingDateTimeOf(new Date().toISOString()).slice(0, 16).replace(' ', 'T');
  return { 'channel.kind': channel, 'applicant.type': 'natural-person', 'applicant.idDocument.kind': 'resident-id-card', ...(primary ? { [`channel.${primary.key}`]: now } : {}) };
}

/** `2026-11-27T10:15` from a datetime-local field is Beijing time; anything else goes to the schema as typed. */
function instantOf(value: string): string {
  const local = value.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return `${local}:00+08:00`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(local)) return `${local}+08:00`;
  return value;
}

/**
 * The application as the schema reads it: empty fields left out, empty item rows dropped, the agency the
 * registrar's own. `itemRows[i]` is the form row of requested item i, to put its problems back on that row.
 */
function applicationFromForm(values: FormValues, channel: ChannelKind, agencyCode: string): { application: Record<string, unknown>; itemRows: number[] } {
  const given = (name: string) => (values[name]?.trim() ? values[name] : undefined);
  const defined = (entries: Record<string, string | undefined>) => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
  const idKind = given('applicant.idDocument.kind');
  const itemRows: number[] = [];
  const requestedItems: Record<string, string>[] = [];
  for (let row = 0; row < ITEM_ROWS; row++) {
    const item = defined({
      title: given(`requestedItems.${row}.title`),
      documentNumber: given(`requestedItems.${row}.documentNumber`),
      description: given(`requestedItems.${row}.description`),
    }) as Record<string, string>;
    if (Object.keys(item).length === 0) continue;
    itemRows.push(row);
    requestedItems.push(item);
  }
  const application = {
    agencyCode,
    applicant: {
      ...defined({ type: given('applicant.type'), organisationType: given('applicant.organisationType'), name: given('applicant.name') }),
      idDocument: defined({ kind: idKind, kindName: idKind === 'other' ? given('applicant.idDocument.kindName') : undefined, number: given('applicant.idDocument.number') }),
    },
    contact: defined({
      phone: given('contact.phone'),
      email: given('contact.email'),
      fax: given('contact.fax'),
      postalAddress: given('contact.postalAddress'),
      postcode: given('contact.postcode'),
    }),
    requestedItems,
    provision: defined({ form: given('provision.form'), manner: given('provision.manner') }),
    channel: {
      kind: channel,
      ...Object.fromEntries(
        CHANNEL_TIME_FIELDS[channel].flatMap(({ key }) => {
          const value = given(`channel.${key}`);
          return value === undefined ? [] : [[key, instantOf(value)]];
        }),
      ),
    },
  };
  return { application, itemRows };
}

/** Problems renamed to the form's fields (item i → its form row) and labelled in Chinese as the form labels them. */
function onFormFields(problems: readonly FieldProblem[], itemRows: readonly number[]): FieldProblem[] {
  return problems.map((problem) => {
    const path: (string | number)[] = problem.field === '(root)' ? [] : problem.field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    if (path[0] === 'requestedItems' && typeof path[1] === 'number') path[1] = itemRows[path[1]] ?? path[1];
    const label = path.length ? applicationFieldLabel(path) : undefined;
    return { field: path.length ? path.join('.') : problem.field, message: problem.message, ...(label ? { label } : problem.label ? { label: problem.label } : {}) };
  });
}

function fieldView(spec: FieldSpec, value: string, error: string | undefined): FieldView {
  const path = spec.name.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const { options, ...rest } = spec;
  return {
    ...rest,
    label: applicationFieldLabel(path) ?? spec.name,
    inputType: spec.kind === 'datetime' ? 'datetime-local' : spec.kind,
    value,
    ...(error ? { error } : {}),
    ...(options ? { options: options.map((option) => ({ ...option, selected: option.value === value })) } : {}),
  };
}

/** What will be registered, field by field as labelled on the form (choices by their Chinese label). */
function summaryOf(channel: ChannelKind, values: FormValues): { label: string; value: string }[] {
  return sectionSpecs(channel)
    .flatMap((section) => [...(section.fields ?? []), ...(section.rows ?? []).flat()])
    .filter((spec) => values[spec.name]?.trim())
    .map((spec) => {
      const view = fieldView(spec, values[spec.name]!, undefined);
      const chosen = view.options?.find((option) => option.selected)?.label;
      const value = values[spec.name]!;
      const instant = spec.kind === 'datetime' ? instantOf(value) : undefined;
      return { label: view.label, value: chosen ?? (instant && isIsoInstant(instant) ? `${beijingDateTimeOf(instant)}（北京时间）` : value) };
    });
}
