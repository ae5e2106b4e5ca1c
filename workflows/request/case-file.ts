import { ApplicationFailure, currentUpdateInfo, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { applicantReportColumn } from '../../domain/application';
import type { WorkingDayCalendar } from '../../domain/calendar';
import { ACTION_PAYLOAD_SCHEMAS, type ActionPayload, isSupportedAction, outcomeOf, stageAfter, type SupportedAction } from '../../domain/case-actions';
import { checkDecision, type DisclosureDecision, type ItemDecision, MINIMISATION_CHECK_DEFINITIONS } from '../../domain/minimisation';
import { DEFAULT_OUTCOME_RULES, type Outcome as OutcomeId, OUTCOME_DEFINITIONS, remedyClauseOf, reportRowOf, rollUpOutcome } from '../../domain/outcomes';
import { type ClockEvent, type ClockResult, computeClock, isPausedOn } from '../../domain/clock';
import { beijingDateOf, endOfBeijingDayMs, fromEpochDay, type IsoDate } from '../../domain/dates';
import { ACTION_LABELS, actorSchema, type Actor, authorize, isEligibleHandler } from '../../domain/roles';
import { isAllowedTransition, isOpenStage, STAGE_DEFINITIONS, type Stage } from '../../domain/stages';
import { bilingualIssueMessage, fieldProblems } from '../../domain/validation';
import type { CaseEventInput } from '../../register/register';
import type { ActRequest, CarriedState, CaseView, RequestWorkflowInput, TimelineEntry } from './messages';
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

/** How many applied update ids a case remembers across continue-as-new. */
const REMEMBERED_UPDATE_IDS = 500;

/** A refused act: the caller gets `message`; `type` says why (wrong-role, wrong-stage, invalid-payload, …). */
const refuse = (type: string, message: string): ApplicationFailure => ApplicationFailure.create({ type, message, nonRetryable: true });

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
  consultations: Record<string, { kind: 'third-party' | 'co-maker'; about: string; opinion?: string; overrideNotifiedOn?: IsoDate }>;
  /** Art. 17(3) referrals, by id. */
  referrals: Record<string, { referredTo: string; sentOn: IsoDate; answeredOn?: IsoDate }>;
  reasonsRequested: boolean;
  reasonsReasonable: boolean | null;
  fee: { paymentDueOn: IsoDate; paid: boolean } | null;
  /** Document numbers to allocate (at sign-off), drained by the main loop through an activity. */
  readonly pendingNumbers: { documentId: string; documentType: string }[] = [];
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
    this.calendarReloadRequested = carried?.calendarReloadRequested ?? false;
    this.pendingNumbers.push(...(carried?.pendingNumbers ?? []));
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
    this.checkStatutoryPath(action, payload, actor, strict);
    const events = this.clockEventsFor(action, payload);
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

  /** The statutory paths' own rules: Art. 35 reasons, the fee, consultations, item decisions, conclusion, sign-off. */
  private checkStatutoryPath(action: SupportedAction, payload: ActionPayload<SupportedAction>, actor: Actor, strict: boolean): void {
    const today = this.today();
    switch (action) {
      case 'decide-scope': {
        if ((payload as ActionPayload<'decide-scope'>).decision === 'excessive-requests' && this.reasonsReasonable !== false) {
          throw refuse('invalid-payload', 'data.decision: 须先要求申请人说明理由并认定理由不合理（《条例》第三十五条）');
        }
        return;
      }
      case 'record-reasons-received':
        if (!this.reasonsRequested) throw refuse('wrong-stage', '尚未要求申请人说明理由');
        return;
      case 'record-delivery-failed':
        if (!this.clockEvents.some((e) => e.type === 'reply-dispatched')) throw refuse('wrong-stage', '本案没有已登记的送达，无从登记送达失败');
        return;
      case 'set-later-reply-deadline': {
        if (this.reasonsReasonable !== true) throw refuse('invalid-payload', 'data.due: 须申请人说明的理由合理，方可确定延迟答复的期限（《条例》第三十五条）');
        if ((payload as ActionPayload<'set-later-reply-deadline'>).due <= today) throw refuse('invalid-payload', 'data.due: 延迟答复的期限须晚于今日');
        return;
      }
      case 'send-fee-notice':
        if (!this.input.rules.feeRuleEnabled) throw refuse('invalid-payload', '本机关未启用收费规则（《条例》第四十二条）');
        if (this.fee) throw refuse('invalid-payload', '已发出收费通知');
        return;
      case 'record-fee-payment':
        if (!this.fee || this.fee.paid) throw refuse('invalid-payload', '没有待缴的信息处理费');
        return;
      case 'record-fee-lapsed':
        if (!this.fee || this.fee.paid) throw refuse('invalid-payload', '没有待缴的信息处理费');
        if (this.fee.paymentDueOn >= today) throw refuse('clock-rule', `缴费期限（${this.fee.paymentDueOn}）尚未届满`);
        return;
      case 'record-item-decision': {
        const { item } = payload as ActionPayload<'record-item-decision'>;
        const index = Number(item.itemId);
        if (!Number.isInteger(index) || index < 1 || index > this.input.application.requestedItems.length) {
          throw refuse('invalid-payload', `data.item.itemId: 应为申请事项的序号 1-${this.input.application.requestedItems.length}`);
        }
        return;
      }
      case 'start-third-party-consultation':
      case 'start-co-maker-consultation':
        if (this.consultations[(payload as ActionPayload<'start-third-party-consultation'>).consultationId]) {
          throw refuse('invalid-payload', 'data.consultationId: 该征求意见编号已使用');
        }
        return;
      case 'record-third-party-opinion':
      case 'record-co-maker-opinion': {
        const p = payload as ActionPayload<'record-third-party-opinion'>;
        const kind = action === 'record-third-party-opinion' ? 'third-party' : 'co-maker';
        if (this.consultations[p.consultationId]?.kind !== kind) throw refuse('invalid-payload', 'data.consultationId: 没有该项征求意见');
        if (p.opinion && p.opinion !== 'no-response' && !p.answeredOn) throw refuse('invalid-payload', 'data.answeredOn: 登记意见须写明收到意见之日');
        return;
      }
      case 'notify-third-party-of-disclosure': {
        const consultation = this.consultations[(payload as ActionPayload<'notify-third-party-of-disclosure'>).consultationId];
        if (consultation?.kind !== 'third-party' || consultation.opinion !== 'objected') {
          throw refuse('invalid-payload', 'data.consultationId: 仅在第三方不同意公开时，决定公开的才须书面告知第三方');
        }
        return;
      }
      case 'refer-for-determination':
        if (this.referrals[(payload as ActionPayload<'refer-for-determination'>).referralId]) throw refuse('invalid-payload', 'data.referralId: 该报请编号已使用');
        return;
      case 'record-referral-answer': {
        const p = payload as ActionPayload<'record-referral-answer'>;
        const referral = this.referrals[p.referralId];
        if (!referral || referral.answeredOn) throw refuse('invalid-payload', 'data.referralId: 没有待答复的该项报请');
        if (p.answeredOn < referral.sentOn) throw refuse('invalid-payload', 'data.answeredOn: 答复日期不能早于报请日期');
        return;
      }
      case 'conclude-disclosure-decision':
        if (strict) {
          const open = Object.entries(this.referrals).filter(([, r]) => !r.answeredOn);
          if (open.length) throw refuse('invalid-payload', `依《条例》第十七条第三款报请确定的事项尚未答复：${open.map(([id]) => id).join('、')}`);
          this.buildDecision(payload as ActionPayload<'conclude-disclosure-decision'>, actor, undefined);
          this.checkThirdPartyOverrides();
        }
        return;
      case 'sign-off-reply':
        if (strict && this.decision) this.buildDecision(undefined, actor, { signedBy: actor.userId, signedOn: today });
        return;
      default:
        return;
    }
  }

  /** Art. 32: disclosing although a third party objected needs the letter telling it why (public interest). */
  private checkThirdPartyOverrides(): void {
    const withheldForThirdParty = Object.values(this.itemDecisions).some((item) => item.withheldParts.some((part) => part.ground === 'third-party-rights'));
    const unnotified = Object.entries(this.consultations).filter(
      ([, c]) => c.kind === 'third-party' && c.opinion === 'objected' && !withheldForThirdParty && !c.overrideNotifiedOn,
    );
    if (unnotified.length) {
      throw refuse('invalid-payload', `第三方不同意公开而决定公开的，须书面告知第三方拟公开的内容和理由（《条例》第三十二条）：${unnotified.map(([id]) => id).join('、')}`);
    }
  }

  /**
   * The disclosure decision (给不给) from the items decided, rolled up, checked by domain/minimisation: refused with
   * every violation unless it passes. At conclusion the sign-off is still to come; at sign-off it is checked whole.
   */
  private buildDecision(
    conclusion: ActionPayload<'conclude-disclosure-decision'> | undefined,
    actor: Actor,
    signOff: DisclosureDecision['signOff'],
  ): { decision: DisclosureDecision; outcome: OutcomeId } {
    const base = this.decision;
    const items = this.input.application.requestedItems.map((_, i) => this.itemDecisions[String(i + 1)]);
    const missing = items.flatMap((item, i) => (item ? [] : [i + 1]));
    if (missing.length) throw refuse('invalid-payload', `尚未对第${missing.join('、')}项申请作出决定`);
    const decided = items as ItemDecision[];
    const primaryOutcome = conclusion ? conclusion.primaryOutcome : base?.primaryOutcome;
    const rolled = rollUpOutcome(decided.map((item) => item.outcome), primaryOutcome);
    if (!rolled.ok) throw refuse('invalid-payload', `data.${rolled.problem.field}: ${rolled.problem.message}`);
    const rules = this.input.rules.outcome ?? DEFAULT_OUTCOME_RULES;
    const remedy = this.input.rules.remedy;
    const decision: DisclosureDecision = {
      decidedOn: conclusion ? (conclusion.decidedOn ?? this.today()) : (base?.decidedOn ?? this.today()),
      handledBy: this.handlerId ?? actor.userId,
      outcome: rolled.outcome,
      ...(primaryOutcome ? { primaryOutcome } : {}),
      reportRow: reportRowOf(rolled.outcome, rules),
      items: decided,
      ...((conclusion ? conclusion.confidentialityReview : base?.confidentialityReview) ? { confidentialityReview: (conclusion ? conclusion.confidentialityReview : base?.confidentialityReview)! } : {}),
      ...(signOff ? { signOff } : {}),
      ...(remedy ? { remedy: { kind: remedyClauseOf(rolled.outcome, rules), reviewBody: remedy.reviewBodies.join('或'), court: remedy.court } } : {}),
    };
    const violations = checkDecision(decision, rules).filter((v) => signOff || v.field !== 'signOff');
    if (violations.length) {
      throw refuse('minimisation', violations.map((v) => `${v.field}（${MINIMISATION_CHECK_DEFINITIONS[v.check].label}）: ${v.message}`).join('；'));
    }
    return { decision, outcome: rolled.outcome };
  }

  /** The clock events an act adds. */
  private clockEventsFor(action: SupportedAction, payload: ActionPayload<SupportedAction>): ClockEvent[] {
    switch (action) {
      case 'confirm-receipt':
        return [{ type: 'received', on: beijingDateOf((payload as ActionPayload<'confirm-receipt'>).confirmedAt), basis: '经与申请人确认（《条例》第三十一条）' }];
      case 'request-correction': {
        const p = payload as ActionPayload<'request-correction'>;
        return [{ type: 'correction-requested', on: p.sentOn, applicantDueOn: p.applicantDueOn }];
      }
      case 'record-correction-received':
        return [{ type: 'correction-received', on: (payload as ActionPayload<'record-correction-received'>).receivedOn }];
      case 'approve-extension': {
        const p = payload as ActionPayload<'approve-extension'>;
        return p.decision === 'approve' ? [{ type: 'extension-approved', on: p.approvedOn, workingDays: p.workingDays }] : [];
      }
      case 'set-later-reply-deadline': {
        const p = payload as ActionPayload<'set-later-reply-deadline'>;
        return [{ type: 'agency-deadline-set', on: p.setOn, due: p.due }];
      }
      case 'send-fee-notice':
        return [{ type: 'fee-notice-sent', on: (payload as ActionPayload<'send-fee-notice'>).sentOn }];
      case 'record-fee-payment':
        return [{ type: 'fee-paid', on: (payload as ActionPayload<'record-fee-payment'>).paidOn }];
      case 'start-third-party-consultation':
      case 'start-co-maker-consultation': {
        const p = payload as ActionPayload<'start-third-party-consultation'>;
        const kind = action === 'start-third-party-consultation' ? 'third-party' : 'co-maker';
        return [{ type: 'consultation-started', consultationId: p.consultationId, kind, letterSentOn: p.letterSentOn, ...(p.consulteeReceivedOn ? { consulteeReceivedOn: p.consulteeReceivedOn } : {}) }];
      }
      case 'record-referral-answer': {
        const p = payload as ActionPayload<'record-referral-answer'>;
        const referral = this.referrals[p.referralId];
        return this.input.rules.clock.referralPausesClock && referral
          ? [{ type: 'pause', from: referral.sentOn, to: p.answeredOn, reason: '依《条例》第十七条第三款报请确定（可配置规则，待确认）' }]
          : [];
      }
      case 'record-third-party-opinion':
      case 'record-co-maker-opinion': {
        const p = payload as ActionPayload<'record-third-party-opinion'>;
        const events: ClockEvent[] = [];
        if (p.letterReceivedOn) events.push({ type: 'consultation-letter-received', consultationId: p.consultationId, on: p.letterReceivedOn });
        if (p.answeredOn) events.push({ type: 'consultation-answered', consultationId: p.consultationId, on: p.answeredOn });
        return events;
      }
      case 'record-dispatch':
        return [{ type: 'reply-dispatched', on: (payload as ActionPayload<'record-dispatch'>).dispatchedOn }];
      default:
        return [];
    }
  }

  /**
   * The handler: validates again (another act may have changed the case since this one was validated), then
   * applies the act, all synchronously. A repeated update id (also after continue-as-new) applies nothing.
   */
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
    this.clockEvents.push(...this.clockEventsFor(action, payload));
    this.stage = stageAfter(action, payload, this.stage);
    this.applyStatutoryPath(action, payload, actor, strict, at);

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
    this.outcome = outcomeOf(action, payload) ?? this.outcome;

    this.timeline.push({ at, actorId: actor.userId, action, label: ACTION_LABELS[action], ...noteOf(payload) });
    this.appliedUpdateIds = [...this.appliedUpdateIds, updateId].filter(Boolean).slice(-REMEMBERED_UPDATE_IDS);
    // Recompute first: the register must get this act's due dates, not the previous ones.
    this.changed();
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

  /** What the statutory-path acts change besides stage, clock and outcome. */
  private applyStatutoryPath(action: SupportedAction, payload: ActionPayload<SupportedAction>, actor: Actor, strict: boolean, at: string): void {
    switch (action) {
      case 'request-reasons':
        this.reasonsRequested = true;
        break;
      case 'record-reasons-received':
        this.reasonsReasonable = (payload as ActionPayload<'record-reasons-received'>).reasonable;
        break;
      case 'send-fee-notice':
        this.fee = { paymentDueOn: (payload as ActionPayload<'send-fee-notice'>).paymentDueOn, paid: false };
        break;
      case 'record-fee-payment':
        if (this.fee) this.fee = { ...this.fee, paid: true };
        break;
      case 'record-item-decision': {
        const { item } = payload as ActionPayload<'record-item-decision'>;
        this.itemDecisions = { ...this.itemDecisions, [String(Number(item.itemId))]: item };
        break;
      }
      case 'start-third-party-consultation':
      case 'start-co-maker-consultation': {
        const p = payload as ActionPayload<'start-third-party-consultation'>;
        this.consultations = { ...this.consultations, [p.consultationId]: { kind: action === 'start-co-maker-consultation' ? 'co-maker' : 'third-party', about: p.about } };
        break;
      }
      case 'record-third-party-opinion':
      case 'record-co-maker-opinion': {
        const p = payload as ActionPayload<'record-third-party-opinion'>;
        const consultation = this.consultations[p.consultationId];
        if (consultation && p.opinion) this.consultations = { ...this.consultations, [p.consultationId]: { ...consultation, opinion: p.opinion } };
        break;
      }
      case 'notify-third-party-of-disclosure': {
        const p = payload as ActionPayload<'notify-third-party-of-disclosure'>;
        const consultation = this.consultations[p.consultationId];
        if (consultation) this.consultations = { ...this.consultations, [p.consultationId]: { ...consultation, overrideNotifiedOn: p.sentOn } };
        break;
      }
      case 'refer-for-determination': {
        const p = payload as ActionPayload<'refer-for-determination'>;
        this.referrals = { ...this.referrals, [p.referralId]: { referredTo: p.referredTo, sentOn: p.sentOn } };
        break;
      }
      case 'record-referral-answer': {
        const p = payload as ActionPayload<'record-referral-answer'>;
        const referral = this.referrals[p.referralId];
        if (referral) this.referrals = { ...this.referrals, [p.referralId]: { ...referral, answeredOn: p.answeredOn } };
        break;
      }
      case 'conclude-disclosure-decision':
        if (strict) {
          const { decision, outcome } = this.buildDecision(payload as ActionPayload<'conclude-disclosure-decision'>, actor, undefined);
          this.decision = decision;
          this.outcome = outcome;
        }
        break;
      case 'draft-reply': {
        const version = this.documents.filter((d) => d.documentId.includes('/reply/')).length + 1;
        this.documents = [...this.documents, { documentId: `${this.caseNumber}/reply/v${version}`, documentType: this.replyDocumentType(), documentNumber: null, createdAt: at }];
        break;
      }
      case 'sign-off-reply': {
        if (!strict) break;
        if (this.decision) this.decision = this.buildDecision(undefined, actor, { signedBy: actor.userId, signedOn: this.today() }).decision;
        // The number is allocated now, for the signed version only: a draft returned for revision takes none.
        const signed = this.documents.at(-1);
        if (signed && this.input.rules.documentNumberFormats?.default) this.pendingNumbers.push({ documentId: signed.documentId, documentType: signed.documentType });
        break;
      }
      case 'record-delivery-failed':
        // The reply was not made: the clock runs again until a delivery succeeds.
        this.clockEvents = this.clockEvents.filter((e) => e.type !== 'reply-dispatched');
        break;
      case 'review-reply': {
        // Sent back to an earlier question: its answer, and so the outcome, is to be given again.
        const review = payload as ActionPayload<'review-reply'>;
        if (review.verdict === 'return' && review.returnTo !== 'drafting') {
          this.decision = null;
          this.outcome = null;
        }
        break;
      }
      default:
        break;
    }
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
      ...(this.stage === 'archived' ? { closed_on: fromEpochDay(Math.floor((Date.now() + 8 * 3_600_000) / 86_400_000)) } : {}),
    };
  }

  changed(): void {
    this.version += 1;
    this.clockCache = undefined;
    this.upsertSearchAttributes();
  }

  // ---- what others see -----------------------------------------------------------------------------------

  today(): IsoDate {
    return fromEpochDay(Math.floor((Date.now() + 8 * 3_600_000) / 86_400_000));
  }

  view(): CaseView {
    const clock = this.clock();
    return {
      caseNumber: this.caseNumber,
      agencyCode: this.agencyCode,
      stage: this.stage,
      stageLabel: STAGE_DEFINITIONS[this.stage].label,
      handlerId: this.handlerId,
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
      pendingNumbers: this.pendingNumbers,
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
