import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  APPLICANT_TYPE_LABELS,
  type Application,
  CHANNEL_LABELS,
  ORGANISATION_TYPE_LABELS,
  PROVISION_FORM_LABELS,
  PROVISION_MANNER_LABELS,
} from '../domain/application';
import { isSupportedAction, type SupportedAction } from '../domain/case-actions';
import type { Deadline, DeadlineKind, PauseInterval } from '../domain/clock';
import { beijingDateOfMs, beijingDateTimeOf, withWeekday } from '../domain/dates';
import { ID_DOCUMENT_KIND_LABELS } from '../domain/id-documents';
import { LETTER_TYPE_LABELS } from '../domain/letters';
import { CASE_NUMBER_PATTERN } from '../domain/numbering';
import { OUTCOME_DEFINITIONS } from '../domain/outcomes';
import { ACTION_LABELS, ACTIONS, type Action, authorize } from '../domain/roles';
import { STAGE_DEFINITIONS, STAGES, type Stage } from '../domain/stages';
import type { CaseDocument, CaseView, TimelineEntry } from '../workflows/request/messages';
import type { PageDeps } from './app';
import type { CaseRecord, SignedIn } from './cases';
import { HttpError, webErrorOf } from './errors';
import { type ActionForm, actionForms, type FormContext, type FormField, payloadFromForm } from './forms';
import type { PageContext } from './views';

// The case page: what the case is (stage, deadlines with the clock's explanation, pauses, timeline, documents) and
// one form per act this person may take now — exactly those domain/roles permits, each carrying a fresh update id
// so that a double click or a resubmitted form acts once. The workflow's validator decides; a refusal re-renders
// the page with the reasons, naming the fields.

/** Each kind of deadline the clock derives, as the case page names it. */
const DEADLINE_KIND_LABELS: Record<DeadlineKind, string> = {
  'correction-notice': '补正告知期限',
  'applicant-correction': '申请人补正期限',
  'consultation-answer': '征求意见答复期限',
  reply: '答复期限',
};

const EMAIL_RESULT_LABELS: Record<NonNullable<CaseDocument['emailed']>['result'], string> = {
  sent: '已通过电子邮件发送',
  rejected: '电子邮件被拒收，请改用其他方式送达',
  failed: '电子邮件发送失败',
};

/**
 * Item numbers offered by the item-decision form. The case view carries no personal data, and the application
 * (which would tell how many items there are) may only be read with an audit entry — not on every page view — so
 * the form offers the first ten numbers; the workflow refuses a number the application does not have.
 */
const OFFERED_ITEM_NUMBERS = 10;

/** An update id the form carries (the API's `updateId` format). */
const UPDATE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
/** A stored letter under its case: `<type>/<sequence>.<pdf|docx>` (activities/letters `formatDocumentId`). */
const DOCUMENT_PATH_PATTERN = /^[a-z-]+\/[A-Za-z0-9]+\.(pdf|docx)$/;

type Flash = NonNullable<PageContext['flash']>;
type Problem = { field: string; message: string };

/** The form a refused submission came from: shown again with what was typed and the problems beside the fields. */
interface Resubmission {
  action: SupportedAction;
  variant: string | undefined;
  body: Record<string, unknown>;
  problems: Problem[];
}

export function registerCasePages(app: FastifyInstance, deps: PageDeps): void {
  const userName = (userId: string | null): string | null => {
    if (userId === null) return null;
    const user = deps.cases.config.users.find((u) => u.id === userId);
    return user ? `${user.name}（${user.id}）` : userId;
  };

  /** What the forms can offer: the agency's handlers, item numbers, open consultations, today in Beijing. */
  const formContextOf = (view: CaseView): FormContext => ({
    handlers: deps.cases.config.users
      .filter((u) => u.agencyCode === view.agencyCode && u.roles.includes('handler'))
      .map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` })),
    requestedItems: Array.from({ length: OFFERED_ITEM_NUMBERS }, (_, i) => ({ value: String(i + 1), label: `第${i + 1}项` })),
    // The view names a consultation only through its answer deadline (once the consultee's receipt is recorded),
    // and names no referral at all: where these lists are short, the forms take the id as typed.
    consultationIds: [...new Set(view.deadlines.filter((d) => d.kind === 'consultation-answer' && d.ref !== undefined).map((d) => d.ref!))],
    referralIds: [],
    today: beijingDateOfMs(Date.now()),
  });

  /** May this person see the applicant's personal data (the link to it is shown only then)? */
  const maySeePersonalData = (signedIn: SignedIn, found: CaseRecord): boolean => {
    const stage = found.source === 'workflow' ? found.view.stage : (found.record.stage as Stage);
    const agencyCode = found.source === 'workflow' ? found.view.agencyCode : found.record.agency_code;
    const agency = deps.cases.config.agencies.find((a) => a.code === agencyCode);
    if (!agency || !(STAGES as readonly string[]).includes(stage)) return false;
    const participants =
      found.source === 'workflow'
        ? { handlerId: found.view.handlerId, drafterIds: found.view.drafterIds, reviewerIds: found.view.reviewerIds }
        : { handlerId: found.record.handler_id, drafterIds: [], reviewerIds: [] };
    return authorize({ actor: signedIn.actor, action: 'view-personal-data', caseStage: stage, caseAgency: agencyCode, caseParticipants: participants, rules: agency.permissionRules }).ok;
  };

  const renderCasePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    signedIn: SignedIn,
    caseNumber: string,
    options: { flash?: Flash; status?: number; resubmission?: Resubmission } = {},
  ): Promise<FastifyReply> => {
    const found = await deps.cases.view(signedIn.actor, caseNumber);
    const common = {
      title: `案件 ${caseNumber}`,
      caseNumber,
      applicationLink: maySeePersonalData(signedIn, found) ? `/cases/${caseNumber}/application` : null,
      ...(options.flash ? { flash: options.flash } : {}),
    };
    if (found.source === 'register') return deps.page(request, reply, 'case', { ...common, closed: closedRecordModel(found.record, userName) }, options.status);

    const { view } = found;
    const today = beijingDateOfMs(Date.now());
    const context = formContextOf(view);
    // Acts without a payload schema (annotate-remedy: closed cases, through the register) have no form here.
    const permitted = deps.cases.permitted(signedIn.actor, view).filter(isSupportedAction);
    const forms = permitted.flatMap((action) => actionForms(action, context).map((form) => formModel(form, today, options.resubmission)));
    return deps.page(
      request,
      reply,
      'case',
      {
        ...common,
        open: {
          stageLabel: view.stageLabel,
          stageDescription: STAGE_DEFINITIONS[view.stage].description,
          handler: userName(view.handlerId),
          receivedOn: view.receivedOn ? withWeekday(view.receivedOn) : null,
          replyDue: view.replyDue ? withWeekday(view.replyDue) : null,
          replyDueExtended: view.replyDueExtended && view.replyDueExtended !== view.replyDue ? withWeekday(view.replyDueExtended) : null,
          paused: view.paused,
          provisional: view.provisional,
          outcome: view.outcome ? outcomeLabel(view.outcome) : null,
          calendarVersion: view.calendarVersion,
          earlierCases: view.earlierCases,
          deadlines: view.deadlines.map((d) => deadlineModel(d, today)),
          explanation: view.explanation,
          pauses: view.pauses.map(pauseModel),
          timeline: view.timeline.map((entry) => timelineModel(entry, userName)),
          documents: view.documents.map((d) => documentModel(d, caseNumber, view.documents.filter((r) => r.documentId.includes('/reply/')).at(-1)?.documentId)),
        },
        forms,
        noForms: forms.length === 0,
      },
      options.status,
    );
  };

  app.get<{ Params: { caseNumber: string }; Querystring: { done?: string } }>('/cases/:caseNumber', async (request, reply) => {
    const signedIn = deps.requireUser(request);
    const caseNumber = caseNumberParam(request.params.caseNumber);
    const done = request.query.done;
    const flash: Flash | undefined = done !== undefined && isAction(done) ? { kind: 'ok', text: `已办理：${ACTION_LABELS[done]}` } : undefined;
    return renderCasePage(request, reply, signedIn, caseNumber, flash ? { flash } : {});
  });

  // preHandler, not onRequest: the token is a field of the urlencoded body, which is parsed only after onRequest.
  app.post<{ Params: { caseNumber: string }; Body: Record<string, unknown> | undefined }>('/cases/:caseNumber/act', { preHandler: app.csrfProtection }, async (request, reply) => {
    const signedIn = deps.requireUser(request);
    const caseNumber = caseNumberParam(request.params.caseNumber);
    const body = request.body ?? {};
    const action = oneValue(body.action) ?? '';
    const variant = oneValue(body.variant) || undefined;
    const updateId = oneValue(body.updateId) ?? '';
    if (!isSupportedAction(action)) throw new HttpError(400, 'unknown-action', 'action: 不支持的操作 / unsupported action', [{ field: 'action', message: '不支持的操作' }]);
    if (!UPDATE_ID_PATTERN.test(updateId)) throw new HttpError(400, 'invalid-input', 'updateId: 表单缺少办理编号，请重新打开案件页面 / missing update id', [{ field: 'updateId', message: '表单缺少办理编号，请重新打开案件页面' }]);

    const found = await deps.cases.view(signedIn.actor, caseNumber);
    let form: ActionForm | undefined;
    try {
      if (found.source === 'register') throw new HttpError(409, 'case-closed', '案件已办结，不能再办理 / the case is closed');
      form = actionForms(action, formContextOf(found.view)).find((f) => f.variant === variant);
      if (!form) throw new HttpError(400, 'unknown-form', `variant: 「${ACTION_LABELS[action]}」没有这种表单 / no such form`, [{ field: 'variant', message: '没有这种表单' }]);
      const data = payloadFromForm(form, body);
      await deps.cases.act(signedIn.actor, caseNumber, { action, data, updateId });
    } catch (err) {
      const { status, body: refusal } = webErrorOf(err);
      // Anything else is a fault of ours, for the error handler to log.
      if (status >= 500 && status !== 503) throw err;
      const problems = refusal.problems ?? [];
      // The flash names each field as the form labels it, beside the path the workflow named.
      const labelled = problems.map((p) => {
        const label = form?.fields.find((f) => problemConcerns(p, f))?.label;
        return label ? { field: p.field, message: `${label} — ${p.message}` } : p;
      });
      const flash: Flash = {
        kind: 'error',
        text: problems.length > 0 ? `未能办理「${ACTION_LABELS[action]}」，请核对以下各项：` : `未能办理「${ACTION_LABELS[action]}」：${refusal.message}`,
        ...(problems.length > 0 ? { problems: labelled } : {}),
      };
      return renderCasePage(request, reply, signedIn, caseNumber, { flash, status, resubmission: { action, variant, body, problems } });
    }
    return reply.redirect(`/cases/${caseNumber}?done=${action}`, 303);
  });

  app.get<{ Params: { caseNumber: string } }>('/cases/:caseNumber/application', async (request, reply) => {
    const signedIn = deps.requireUser(request);
    const caseNumber = caseNumberParam(request.params.caseNumber);
    // Checks view-personal-data and writes the audit entry before anything is shown.
    const application = await deps.cases.application(signedIn.actor, caseNumber);
    return deps.page(request, reply, 'application', { title: `申请人信息 · ${caseNumber}`, caseNumber, application: applicationModel(application) });
  });

  app.get<{ Params: { caseNumber: string; '*': string } }>('/cases/:caseNumber/documents/*', async (request, reply) => {
    const signedIn = deps.requireUser(request);
    const caseNumber = caseNumberParam(request.params.caseNumber);
    const path = request.params['*'];
    if (!DOCUMENT_PATH_PATTERN.test(path)) throw new HttpError(404, 'not-found', `no document ${caseNumber}/${path.slice(0, 60)}`);
    const document = await deps.cases.document(signedIn.actor, `${caseNumber}/${path}`);
    return reply
      .header('content-type', document.mediaType)
      .header('content-disposition', `attachment; filename="${caseNumber}-${document.fileName}"`)
      .header('cache-control', 'no-store')
      .send(document.content);
  });
}

function caseNumberParam(value: string): string {
  if (!CASE_NUMBER_PATTERN.test(value)) throw new HttpError(404, 'not-found', `no case ${value.slice(0, 40)}`);
  return value;
}

const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);

/** A urlencoded field given once (a repeated field counts as its first value). */
function oneValue(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

const outcomeLabel = (outcome: string): string => OUTCOME_DEFINITIONS[outcome as keyof typeof OUTCOME_DEFINITIONS]?.label ?? outcome;

function deadlineModel(deadline: Deadline, today: string) {
  const overdue = deadline.status === 'open' && deadline.due < today;
  const statusLabel =
    deadline.status === 'met' ? '已按期办理' : deadline.status === 'late' ? '逾期办理' : overdue ? '已逾期' : deadline.due === today ? '今日到期' : '未到期';
  return {
    kindLabel: DEADLINE_KIND_LABELS[deadline.kind],
    ref: deadline.ref ?? null,
    due: withWeekday(deadline.due),
    statusLabel,
    rowClass: overdue || deadline.status === 'late' ? 'due-overdue' : deadline.status === 'open' && deadline.due === today ? 'due-soon' : '',
    provisional: deadline.provisional,
    projected: deadline.projected,
    explanation: deadline.explanation,
  };
}

function pauseModel(pause: PauseInterval) {
  return { reason: pause.reason, from: withWeekday(pause.from), to: pause.to ? withWeekday(pause.to) : null, projected: pause.projected };
}

function timelineModel(entry: TimelineEntry, userName: (id: string | null) => string | null) {
  return { at: beijingDateTimeOf(entry.at), actor: userName(entry.actorId) ?? entry.actorId, action: entry.action, label: entry.label, note: entry.note ?? null };
}

/** `latestReplyId`: the reply as last drafted; earlier drafts were returned and are never signed. */
function documentModel(document: CaseDocument, caseNumber: string, latestReplyId: string | undefined) {
  const isReply = document.documentId.includes('/reply/');
  const downloads = (document.formats ?? []).map((format) => {
    const path = format.documentId.startsWith(`${caseNumber}/`) ? format.documentId.slice(caseNumber.length + 1) : format.documentId;
    const extension = path.split('.').at(-1) ?? '';
    return { label: extension.toUpperCase(), href: `/cases/${caseNumber}/documents/${path}`, sizeKb: Math.max(1, Math.round(format.size / 1024)) };
  });
  return {
    typeLabel: LETTER_TYPE_LABELS[document.documentType as keyof typeof LETTER_TYPE_LABELS] ?? document.documentType,
    documentNumber: document.documentNumber,
    createdAt: beijingDateTimeOf(document.createdAt),
    downloads,
    // A reply is rendered once signed and numbered; a notice as soon as its act is recorded.
    pending: downloads.length === 0 && document.notProduced === undefined && !(isReply && document.documentNumber === null),
    unsignedDraft: isReply && document.documentNumber === null ? (document.documentId === latestReplyId ? '签发后生成' : '已退回，未签发') : null,
    emailed: document.emailed ? { on: document.emailed.on, resultLabel: EMAIL_RESULT_LABELS[document.emailed.result], failed: document.emailed.result !== 'sent' } : null,
    failedDeliveries: document.failedDeliveries ?? [],
    notProduced: document.notProduced ?? null,
  };
}

function closedRecordModel(record: Extract<CaseRecord, { source: 'register' }>['record'], userName: (id: string | null) => string | null) {
  const stage = record.stage as Stage;
  return {
    stageLabel: STAGE_DEFINITIONS[stage]?.label ?? record.stage,
    handler: userName(record.handler_id),
    receivedOn: record.received_on,
    replyDue: record.reply_due,
    dispatchedOn: record.dispatched_on,
    closedOn: record.closed_on,
    outcome: record.outcome ? outcomeLabel(record.outcome) : null,
    reportRow: record.report_row,
  };
}

/** Requested dates of a form default to today where they record what happened (sentOn…), not a due date. */
const defaultsToToday = (field: FormField): boolean => {
  const last = field.name.split('.').at(-1) ?? '';
  return field.kind === 'date' && field.required && /On$/.test(last) && !/due/i.test(last);
};

function formModel(form: ActionForm, today: string, resubmission: Resubmission | undefined) {
  const again = resubmission && resubmission.action === form.action && resubmission.variant === form.variant ? resubmission : undefined;
  const anchor = `form-${form.action}${form.variant ? `-${form.variant}` : ''}`;
  return {
    action: form.action,
    variant: form.variant ?? null,
    title: form.title,
    anchor,
    updateId: randomUUID(),
    fields: form.fields.map((field) => fieldModel(field, anchor, today, again)),
  };
}

/** Does a refusal's problem (`data.<path>`, as the workflow and payloadFromForm name fields) concern this field? */
function problemConcerns(problem: Problem, field: FormField): boolean {
  // The form asks for `handlerId`; the workflow checks the person it resolves to, `handler`.
  const path = field.name === 'handlerId' && problem.field.startsWith('data.handler') && !problem.field.startsWith('data.handlerId') ? 'data.handler' : `data.${field.name}`;
  return problem.field === path || problem.field.startsWith(`${path}.`) || problem.field.startsWith(`${path}[`);
}

/**
 * References to a consultation or referral the case already has. The view names few of them (see formContextOf), so
 * they are typed, with the known ones offered as suggestions (a datalist), rather than chosen from a short list.
 */
const isIdReference = (field: FormField): boolean => field.kind === 'select' && !field.multiple && /(^|\.)(consultationId|referralId)$/.test(field.name);

function fieldModel(field: FormField, formAnchor: string, today: string, again: Resubmission | undefined) {
  const inputName = `f.${field.name}`;
  const typed = again ? again.body[inputName] : undefined;
  const typedValues = typeof typed === 'string' ? [typed] : Array.isArray(typed) ? typed.filter((v): v is string => typeof v === 'string') : undefined;
  const value = typedValues?.join('\n') ?? (defaultsToToday(field) ? today : '');
  const error = again?.problems.find((p) => problemConcerns(p, field))?.message ?? null;
  const suggestions = isIdReference(field);
  return {
    inputName,
    label: field.label,
    required: field.required,
    hint: field.hint ?? (suggestions ? '填写发起时自拟的编号' : null),
    isTextarea: field.kind === 'textarea' || field.kind === 'lines',
    isSelect: field.kind === 'select' && !suggestions,
    multiple: field.multiple === true,
    isCheckbox: field.kind === 'checkbox',
    isInput: field.kind === 'text' || field.kind === 'date' || field.kind === 'datetime' || field.kind === 'number' || suggestions,
    type: field.kind === 'datetime' ? 'datetime-local' : field.kind === 'date' || field.kind === 'number' ? field.kind : 'text',
    step: field.kind === 'number' ? 'any' : null,
    value,
    checked: field.kind === 'checkbox' && typed !== undefined,
    options: (field.options ?? []).map((option) => ({ ...option, selected: typedValues?.includes(option.value) ?? false })),
    // Unique on the page: two forms may suggest ids for the same field name.
    datalist: suggestions && (field.options ?? []).length > 0 ? `${formAnchor}-${field.name.replace(/[^A-Za-z0-9-]/g, '-')}` : null,
    error,
  };
}

function applicationModel(application: Application) {
  const { applicant, contact, provision, channel } = application;
  const channelTime = Object.entries(channel).find(([key]) => key !== 'kind' && key !== 'confirmedAt')?.[1];
  return {
    applicantType: APPLICANT_TYPE_LABELS[applicant.type],
    organisationType: applicant.type === 'organisation' ? ORGANISATION_TYPE_LABELS[applicant.organisationType] : null,
    name: applicant.name,
    idDocumentKind: applicant.idDocument.kind === 'other' ? applicant.idDocument.kindName : ID_DOCUMENT_KIND_LABELS[applicant.idDocument.kind],
    idDocumentNumber: applicant.idDocument.number,
    contact: [
      ['联系电话', contact.phone],
      ['电子邮箱', contact.email],
      ['传真号码', contact.fax],
      ['通信地址', contact.postalAddress],
      ['邮政编码', contact.postcode],
    ]
      .filter((row): row is [string, string] => row[1] !== undefined)
      .map(([label, value]) => ({ label, value })),
    requestedItems: application.requestedItems.map((item, i) => ({ number: i + 1, title: item.title ?? null, documentNumber: item.documentNumber ?? null, description: item.description ?? null })),
    provisionForm: PROVISION_FORM_LABELS[provision.form],
    provisionManner: PROVISION_MANNER_LABELS[provision.manner],
    channel: CHANNEL_LABELS[channel.kind],
    channelAt: typeof channelTime === 'string' ? beijingDateTimeOf(channelTime) : null,
    confirmedAt: 'confirmedAt' in channel && channel.confirmedAt ? beijingDateTimeOf(channel.confirmedAt) : null,
  };
}
