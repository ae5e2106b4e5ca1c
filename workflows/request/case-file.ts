import { currentUpdateInfo, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { applicantReportColumn } from '../../domain/application';
import type { WorkingDayCalendar } from '../../domain/calendar';
import { ACTION_PAYLOAD_SCHEMAS, type ActionPayload, isSupportedAction, missingLetterFields, outcomeOf, stageAfter, type SupportedAction } from '../../domain/case-actions';
import { LETTER_TYPE_LABELS, noticesOf } from '../../domain/letters';
import type { DisclosureDecision, ItemDecision } from '../../domain/minimisation';
import { DEFAULT_OUTCOME_RULES, type Outcome as OutcomeId, OUTCOME_DEFINITIONS, reportRowOf } from '../../domain/outcomes';
import { type ClockEvent, type ClockResult, computeClock, isPausedOn } from '../../domain/clock';
import { beijingDateOfMs, endOfBeijingDayMs, type IsoDate, withWeekday } from '../../domain/dates';
import type { ReminderDeadline } from '../../domain/reminders';
import { ACTION_LABELS, actorSchema, type Actor, authorize, isEligibleHandler } from '../../domain/roles';
import { isAllowedTransition, isOpenStage, STAGE_DEFINITIONS, type Stage } from '../../domain/stages';
import { bilingualIssueMessage, fieldProblems } from '../../domain/validation';
import type { CaseEventInput } from '../../register/register';
import type { ActRequest, CarriedState, CaseDocument, CaseView, ConsultationRecord, DocumentFormat, PendingDelivery, PendingDeliveryFailure, PendingNotice, RecordedAct, RequestWorkflowInput, TimelineEntry } from './messages';
import { refuse } from './refuse';
import { issueNotices } from './notices';
import { applyStatutoryPath, checkStatutoryPath, clockEventsFor } from './statutory-paths';
import {
  AgencyCode,
  ApplicantType,
  ClockPaused,
  HandlerId,
  NextDueAt,
  NextDueKind,
  Outcome,
  ReceivedOn,
  ReplyDueAt,
  Stage as StageAttribute,
} from '../search-attributes';

/** Acts whose checks changed after cases had taken them (see `apply`). */
const DECISION_ACTIONS: unknown[] = ['conclude-disclosure-decision', 'sign-off-reply'];

/** Acts whose dates and amounts a procedural reply recites besides the act that settled its outcome (Art. 35, Art. 42). */
const RECITED_ACTIONS: readonly SupportedAction[] = ['request-reasons', 'record-reasons-received', 'send-fee-notice'];

/** How many applied update ids a case remembers across continue-as-new. */
const REMEMBERED_UPDATE_IDS = 500;


/**
 * The state of one request and the rules that change it. Every change happens synchronously (validators and
 * the first part of the update handler), so two concurrent acts can never both pass the same check.
 */
export class CaseFile {
  readonly caseNumber: string;
  readonly agencyCode: string;
  stage: Stage;
  handlerId: string | null;
  drafterIds: string[];
  reviewerIds: string[];
  clockEvents: ClockEvent[];
  calendar: WorkingDayCalendar;
  timeline: TimelineEntry[];
  documents: CarriedState['documents'];
  appliedUpdateIds: string[];
  outcome: string | null;
  runs: number;
  /** Earlier cases of the same applicant, from the register's applicant index (repeat requests, Art. 36(6)). */
  earlierCases: string[];
  /** 给不给: the decision on each requested item (by its number), and the concluded decision. */
  itemDecisions: Record<string, ItemDecision>;
  decision: DisclosureDecision | null;
  consultations: Record<string, ConsultationRecord>;
  /** Art. 17(3) referrals, by id. */
  referrals: Record<string, { referredTo: string; sentOn: IsoDate; answeredOn?: IsoDate }>;
  reasonsRequested: boolean;
  reasonsReasonable: boolean | null;
  fee: { paymentDueOn: IsoDate; paid: boolean } | null;
  /** The act that settled a procedural outcome (`outcomeOf`): its payload holds the facts the reply states. */
  outcomeAct: RecordedAct | null;
  /** The latest act of each of RECITED_ACTIONS. */
  recitedActs: RecordedAct[];
  /** Document numbers to allocate (at sign-off), drained by the main loop through an activity. */
  readonly pendingNumbers: { documentId: string; documentType: string }[] = [];
  /** Dispatches of numbered letters to deliver by email or record in the register, drained by the main loop. */
  readonly pendingDeliveries: (PendingDelivery | PendingDeliveryFailure)[] = [];
  /** Procedural letters an act issued, and the receipt, drained by the main loop (with `noticesEnabled`). */
  readonly pendingNotices: PendingNotice[] = [];
  /** Letters are rendered, stored and delivered (patch `reply-letters`; decided once per run). */
  lettersEnabled = false;
  /** Acts issue their notices, and the receipt is issued (patch `notice-letters`; decided once per run). */
  noticesEnabled = false;
  /** Register writes still to be made, in order (the main loop drains it through an activity). */
  readonly outbox: (CaseEventInput & { archive?: boolean })[] = [];
  /** Bumped on every change: the main loop re-arms its timer when it moves. */
  version = 0;
  calendarReloadRequested = false;
  /** False until the calendar has arrived from its activity; acts wait for it. */
  ready: boolean;
  private clockCache: ClockResult | undefined;

  constructor(readonly input: RequestWorkflowInput) {
    const carried = input.carried;
    this.caseNumber = input.caseNumber;
    this.agencyCode = input.agencyCode;
    this.calendar = carried?.calendar ?? { version: 'loading', years: {} };
    this.ready = carried !== undefined;
    this.stage = carried?.stage ?? (input.receipt.status === 'received' ? 'registered' : 'awaiting-confirmation');
    this.handlerId = carried?.handlerId ?? null;
    this.drafterIds = carried?.drafterIds ?? [];
    this.reviewerIds = carried?.reviewerIds ?? [];
    this.clockEvents =
      carried?.clockEvents ??
      (input.receipt.status === 'received' ? [{ type: 'received', on: input.receipt.receivedOn, basis: input.receipt.basis }] : []);
    this.timeline = carried?.timeline ?? [{ at: input.registeredAt, actorId: input.registeredBy, action: 'register', label: '登记申请' }];
    this.documents = carried?.documents ?? [];
    this.appliedUpdateIds = carried?.appliedUpdateIds ?? [];
    this.outcome = carried?.outcome ?? null;
    this.runs = (carried?.runs ?? 0) + 1;
    this.earlierCases = carried?.earlierCases ?? [];
    this.itemDecisions = carried?.itemDecisions ?? {};
    this.decision = carried?.decision ?? null;
    this.consultations = carried?.consultations ?? {};
    this.referrals = carried?.referrals ?? {};
    this.reasonsRequested = carried?.reasonsRequested ?? false;
    this.reasonsReasonable = carried?.reasonsReasonable ?? null;
    this.fee = carried?.fee ?? null;
    this.outcomeAct = carried?.outcomeAct ?? null;
    this.recitedActs = carried?.recitedActs ?? [];
    this.calendarReloadRequested = carried?.calendarReloadRequested ?? false;
    this.pendingNumbers.push(...(carried?.pendingNumbers ?? []));
    this.pendingDeliveries.push(...(carried?.pendingDeliveries ?? []));
    this.pendingNotices.push(...(carried?.pendingNotices ?? []));
    this.outbox.push(...(carried?.outbox ?? []));
  }

  // ---- the clock -----------------------------------------------------------------------------------------

  /** The clock from the events and the calendar in state; null while T0 awaits confirmation. */
  clock(): ClockResult | null {
    if (!this.clockEvents.some((e) => e.type === 'received')) return null;
    // Acts were checked against the calendar of their day; a later calendar must not make them illegal after the fact.
    this.clockCache ??= computeClock(this.input.rules.clock, this.calendar, this.clockEvents, { recheckTimeliness: false });
    return this.clockCache;
  }

  replaceCalendar(calendar: WorkingDayCalendar): void {
    const first = !this.ready;
    this.ready = true;
    if (!first && calendar.version === this.calendar.version) return;
    this.calendar = calendar;
    this.changed();
    if (!first) {
      // The register keeps the recomputed due dates too.
      this.outbox.push({
        caseNumber: this.caseNumber,
        eventKey: `${this.caseNumber}:calendar:${calendar.version}`,
        at: new Date(Date.now()).toISOString(),
        actorId: 'system',
        action: 'recompute-deadlines',
        changes: this.registerFields(),
      });
    }
  }

  /** Open deadlines, earliest first (what the timer and the "next deadline" search attribute follow). */
  openDeadlines(): ClockResult['deadlines'] {
    const clock = this.clock();
    if (!clock || !isOpenStage(this.stage)) return [];
    return clock.deadlines.filter((d) => d.status === 'open' && this.deadlineRelevant(d.kind)).sort((a, b) => a.due.localeCompare(b.due));
  }

  /** What reminders are about: the open deadlines, and an unpaid fee's payment period (not on the clock). */
  reminderDeadlines(): ReminderDeadline[] {
    const deadlines: ReminderDeadline[] = this.openDeadlines();
    if (this.fee && !this.fee.paid && isOpenStage(this.stage)) {
      deadlines.push({ kind: 'fee-payment', due: this.fee.paymentDueOn, status: 'open', provisional: false, explanation: `缴费期限 ${withWeekday(this.fee.paymentDueOn)}：见收费通知书。` });
    }
    return deadlines;
  }

  /** The next instant a deadline's day ends after `nowMs`, or undefined: when the main loop next wakes. */
  nextWakeUpMs(nowMs: number): number | undefined {
    const ends = this.openDeadlines()
      .map((d) => endOfBeijingDayMs(d.due))
      .filter((ms) => ms > nowMs);
    return ends.length ? Math.min(...ends) : undefined;
  }

  private deadlineRelevant(kind: string): boolean {
    // The 补正 notice deadline matters only until the completeness question is settled.
    if (kind === 'correction-notice') return ['registered', 'completeness-check'].includes(this.stage);
    if (kind === 'applicant-correction') return this.stage === 'awaiting-correction';
    return true;
  }

  // ---- acts ----------------------------------------------------------------------------------------------

  /**
   * The validator: checks the actor, the action, the payload, permission (role, agency, stage, assignment,
   * separation of duties) and the clock's rules. Throws the refusal; changes nothing.
   */
  validate(request: ActRequest, strict = true, checkDates = true): { actor: Actor; action: SupportedAction; payload: ActionPayload<SupportedAction> } {
    const parsedActor = actorSchema.safeParse(request?.actor, { error: bilingualIssueMessage });
    if (!parsedActor.success) {
      throw refuse('invalid-actor', `actor: ${fieldProblems(parsedActor.error).map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    }
    const actor = parsedActor.data;
    const action = request.action;
    if (typeof action !== 'string' || !isSupportedAction(action)) {
      throw refuse('unknown-action', `action: 不支持的操作 / unsupported action (${String(action).slice(0, 40)})`);
    }
    const parsedPayload = ACTION_PAYLOAD_SCHEMAS[action].safeParse(request.data ?? {}, { error: bilingualIssueMessage });
    if (!parsedPayload.success) {
      throw refuse('invalid-payload', fieldProblems(parsedPayload.error).map((p) => `data.${p.field}: ${p.message}`).join('; '));
    }
    const payload = parsedPayload.data as ActionPayload<SupportedAction>;
    const allowed = authorize({
      actor,
      action,
      caseStage: this.stage,
      caseAgency: this.agencyCode,
      caseParticipants: { handlerId: this.handlerId, drafterIds: this.drafterIds, reviewerIds: this.reviewerIds },
      rules: this.input.rules.permissions,
    });
    if (!allowed.ok) throw refuse(allowed.code, allowed.message);
    const next = stageAfter(action, payload, this.stage);
    if (next !== this.stage && !isAllowedTransition(this.stage, next)) {
      throw refuse('wrong-stage', `不能从「${STAGE_DEFINITIONS[this.stage].label}」转到「${STAGE_DEFINITIONS[next].label}」`);
    }
    this.checkActionRules(action, payload, actor, strict, checkDates);
    return { actor, action, payload };
  }

  /** Rules beyond the permission table: who can be a handler, what the clock allows. */
  private checkActionRules(action: SupportedAction, payload: ActionPayload<SupportedAction>, actor: Actor, strict: boolean, checkDates: boolean): void {
    if (action === 'assign-handler' || action === 'reassign-handler' || action === 'hand-over') {
      const { handler } = payload as ActionPayload<'assign-handler'>;
      if (handler.userId === this.handlerId) throw refuse('same-person', '该人员已是本案承办人');
      if (!isEligibleHandler(handler, this.agencyCode)) {
        throw refuse('invalid-payload', 'data.handler: 承办人须为本机关的承办人员 / must be a handler of this agency');
      }
    }
    if (action === 'record-completeness-finding' && (payload as ActionPayload<'record-completeness-finding'>).finding === 'unclear-after-correction') {
      if (!this.clockEvents.some((e) => e.type === 'correction-received')) {
        throw refuse('invalid-payload', 'data.finding: 未经补正的申请不能认定“补正后仍不明确”，应先一次性告知补正（《条例》第三十条）');
      }
    }
    if (action === 'record-correction-lapsed') {
      const due = this.clock()?.deadlines.find((d) => d.kind === 'applicant-correction');
      if (!due || due.due >= this.today()) throw refuse('clock-rule', `补正期限${due ? `（${due.due}）` : ''}尚未届满，不能认定逾期未补正`);
    }
    if (action === 'decide-scope' && (payload as ActionPayload<'decide-scope'>).decision === 'repeat-request') {
      const earlier = (payload as Extract<ActionPayload<'decide-scope'>, { decision: 'repeat-request' }>).earlierCaseNumber;
      if (!this.earlierCases.includes(earlier)) {
        throw refuse('invalid-payload', 'data.earlierCaseNumber: 不是同一申请人此前的申请（按申请人索引）/ not an earlier case of this applicant');
      }
    }
    checkStatutoryPath(this, action, payload, actor, strict);
    if (this.noticesEnabled) {
      const missing = missingLetterFields(action, payload);
      const letter = noticesOf(action, payload)[0];
      if (missing.length > 0 && letter) {
        throw refuse('invalid-payload', missing.map((field) => `data.${field}: 出具${LETTER_TYPE_LABELS[letter]}须填写 / required for the letter`).join('; '));
      }
    }
    const events = clockEventsFor(this, action, payload);
    // What happened cannot have happened later than today (a dispatch dated tomorrow would stop the clock now).
    const today = this.today();
    for (const event of checkDates ? events : []) {
      const dates = event.type === 'consultation-started' ? [event.letterSentOn, event.consulteeReceivedOn] : event.type === 'pause' ? [event.from, event.to] : [event.on];
      if (dates.some((date) => date !== undefined && date > today)) {
        throw refuse('invalid-payload', `data: 所登记的日期不能晚于今日（${today}）/ a recorded date cannot be later than today`);
      }
    }
    // Before the calendar arrives the handler waits and validates again; the clock is checked then.
    if (events.length > 0 && this.ready) {
      try {
        computeClock(this.input.rules.clock, this.calendar, [...this.clockEvents, ...events]);
      } catch (err) {
        throw refuse('clock-rule', err instanceof Error ? err.message : String(err));
      }
    }
  }

  /** This update id was applied before (a retry, possibly after continue-as-new): answer with the case as it is. */
  alreadyApplied(): boolean {
    const updateId = currentUpdateInfo()?.id;
    return updateId !== undefined && this.appliedUpdateIds.includes(updateId);
  }

  apply(request: ActRequest): CaseView {
    const updateId = currentUpdateInfo()?.id ?? '';
    if (this.alreadyApplied()) return this.view();
    // Cases that concluded or signed off before the minimisation checks and sign-off numbering ran in the
    // workflow replay as they were.
    const strict = !DECISION_ACTIONS.includes(request?.action) || patched('disclosure-decision-checks');
    // Acts accepted before dates were checked against today replay as they were.
    const { actor, action, payload } = this.validate(request, strict, patched('no-future-dates'));
    const at = new Date(Date.now()).toISOString();
    this.clockEvents.push(...clockEventsFor(this, action, payload));
    this.stage = stageAfter(action, payload, this.stage);
    applyStatutoryPath(this, action, payload, actor, strict, at);

    switch (action) {
      case 'assign-handler':
      case 'reassign-handler':
      case 'hand-over':
        this.handlerId = (payload as ActionPayload<'assign-handler'>).handler.userId;
        break;
      // Everyone who drafted or reviewed any version of this reply stays on record: none of them may sign it off.
      case 'draft-reply':
        this.drafterIds = [...new Set([...this.drafterIds, actor.userId])];
        break;
      case 'review-reply':
        this.reviewerIds = [...new Set([...this.reviewerIds, actor.userId])];
        break;
      default:
        break;
    }
    const settled = outcomeOf(action, payload);
    this.outcome = settled ?? this.outcome;
    if (settled) this.outcomeAct = { action, payload };
    if (RECITED_ACTIONS.includes(action)) this.recitedActs = [...this.recitedActs.filter((a) => a.action !== action), { action, payload }];

    this.timeline.push({ at, actorId: actor.userId, action, label: ACTION_LABELS[action], ...noteOf(payload) });
    this.appliedUpdateIds = [...this.appliedUpdateIds, updateId].filter(Boolean).slice(-REMEMBERED_UPDATE_IDS);
    // Recompute first: the register must get this act's due dates, not the previous ones (and its notices too).
    this.changed();
    issueNotices(this, action, payload, at);
    this.outbox.push({
      caseNumber: this.caseNumber,
      // `act:` keeps a caller's update id apart from the system's own event keys (`clock`, `calendar:…`).
      eventKey: `${this.caseNumber}:act:${updateId || `${action}:${this.timeline.length}`}`,
      at,
      actorId: actor.userId,
      action,
      changes: this.registerFields(),
      archive: this.stage === 'archived',
    });
    return this.view();
  }

  /** The reply document the outcome calls for (domain/outcomes). */
  replyDocumentType(): string {
    return this.outcome ? OUTCOME_DEFINITIONS[this.outcome as OutcomeId].replyDocument : 'disclosure';
  }

  /** Records an allocated document number on the case. */
  numberDocument(documentId: string, documentNumber: string): void {
    this.documents = this.documents.map((d) => (d.documentId === documentId ? { ...d, documentNumber } : d));
    this.changed();
  }

  /** Records the stored formats of a numbered letter. */
  recordFormats(documentId: string, formats: DocumentFormat[]): void {
    this.documents = this.documents.map((d) => (d.documentId === documentId ? { ...d, formats } : d));
    this.changed();
  }

  /** Records why a letter was not produced (a field name): the case view tells staff to write it by hand. */
  recordNotProduced(documentId: string, reason: string): void {
    this.documents = this.documents.map((d) => (d.documentId === documentId ? { ...d, notProduced: reason } : d));
    this.changed();
  }

  /** Records how a letter's email to the applicant ended. */
  recordEmailed(documentId: string, emailed: NonNullable<CaseDocument['emailed']>): void {
    this.documents = this.documents.map((d) => (d.documentId === documentId ? { ...d, emailed } : d));
    this.changed();
  }

  /** The reply as last drafted — after sign-off, the signed one (its number may still be on its way): what a dispatch delivers. */
  signedReply(): CarriedState['documents'][number] | undefined {
    return this.documents.filter((d) => d.documentId.includes('/reply/')).at(-1);
  }

  /** The register's copy of the case's state (no personal data). */
  registerFields(): CaseEventInput['changes'] {
    const clock = this.clock();
    return {
      stage: this.stage,
      handler_id: this.handlerId,
      received_on: clock?.receivedOn ?? null,
      correction_notice_due: clock?.correctionNoticeDue ?? null,
      reply_due: clock?.replyDue ?? null,
      reply_due_extended: clock?.replyDueExtended ?? null,
      outcome: this.outcome,
      report_row: this.outcome ? reportRowOf(this.outcome as OutcomeId, this.input.rules.outcome ?? DEFAULT_OUTCOME_RULES) : null,
      dispatched_on: clock?.dispatchedOn ?? null,
      ...(this.stage === 'archived' ? { closed_on: this.today() } : {}),
    };
  }

  changed(): void {
    this.version += 1;
    this.clockCache = undefined;
    this.upsertSearchAttributes();
  }

  // ---- what others see -----------------------------------------------------------------------------------

  today(): IsoDate {
    return beijingDateOfMs(Date.now());
  }

  view(): CaseView {
    const clock = this.clock();
    return {
      caseNumber: this.caseNumber,
      agencyCode: this.agencyCode,
      stage: this.stage,
      stageLabel: STAGE_DEFINITIONS[this.stage].label,
      handlerId: this.handlerId,
      drafterIds: this.drafterIds,
      reviewerIds: this.reviewerIds,
      permissionRules: this.input.rules.permissions,
      receivedOn: clock?.receivedOn ?? null,
      replyDue: clock?.replyDue ?? null,
      replyDueExtended: clock?.replyDueExtended ?? null,
      deadlines: clock?.deadlines ?? [],
      pauses: clock?.pauses ?? [],
      paused: clock ? isPausedOn(clock, this.today()) : false,
      provisional: clock?.provisional ?? false,
      explanation: clock?.explanation ?? ['收到申请之日待与申请人确认（《条例》第三十一条），确认前期限不起算。'],
      calendarVersion: this.calendar.version,
      timeline: this.timeline,
      documents: this.documents,
      outcome: this.outcome,
      earlierCases: this.earlierCases,
      runs: this.runs,
    };
  }

  upsertSearchAttributes(): void {
    const clock = this.clock();
    const paused = clock ? isPausedOn(clock, this.today()) : false;
    // The next deadline still ahead; overdue ones show in the case view and in the reply-due queries.
    const next = this.openDeadlines().find((d) => endOfBeijingDayMs(d.due) > Date.now());
    const pairs: SearchAttributeUpdatePair[] = [
      { key: AgencyCode, value: this.agencyCode },
      { key: StageAttribute, value: this.stage },
      { key: HandlerId, value: this.handlerId },
      { key: Outcome, value: this.outcome },
      { key: ApplicantType, value: applicantReportColumn(this.input.application.applicant) },
      { key: ReceivedOn, value: clock ? new Date(endOfBeijingDayMs(clock.receivedOn) - 86_400_000) : null },
      // Empty while paused, and once the reply is dispatched or processing has ended: nothing runs towards it then.
      { key: ReplyDueAt, value: clock?.replyDue && !paused && !clock.dispatchedOn && isOpenStage(this.stage) ? new Date(endOfBeijingDayMs(clock.replyDue)) : null },
      { key: ClockPaused, value: paused },
      { key: NextDueAt, value: next ? new Date(endOfBeijingDayMs(next.due)) : null },
      { key: NextDueKind, value: next?.kind ?? null },
    ];
    upsertSearchAttributes(pairs);
  }

  carried(): CarriedState {
    return {
      stage: this.stage,
      handlerId: this.handlerId,
      drafterIds: this.drafterIds,
      reviewerIds: this.reviewerIds,
      clockEvents: this.clockEvents,
      calendar: this.calendar,
      timeline: this.timeline,
      documents: this.documents,
      appliedUpdateIds: this.appliedUpdateIds,
      outcome: this.outcome,
      runs: this.runs,
      earlierCases: this.earlierCases,
      itemDecisions: this.itemDecisions,
      decision: this.decision,
      consultations: this.consultations,
      referrals: this.referrals,
      reasonsRequested: this.reasonsRequested,
      reasonsReasonable: this.reasonsReasonable,
      fee: this.fee,
      outcomeAct: this.outcomeAct,
      recitedActs: this.recitedActs,
      pendingNumbers: this.pendingNumbers,
      pendingDeliveries: this.pendingDeliveries,
      pendingNotices: this.pendingNotices,
      outbox: this.outbox,
      calendarReloadRequested: this.calendarReloadRequested,
    };
  }

  historyLength(): number {
    return workflowInfo().historyLength;
  }
}

function noteOf(payload: unknown): { note?: string } {
  const record = payload as Record<string, unknown>;
  for (const key of ['note', 'comment', 'reason', 'message']) {
    if (typeof record[key] === 'string') return { note: record[key] };
  }
  return {};
}
