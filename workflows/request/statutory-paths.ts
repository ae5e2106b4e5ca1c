import type { ClockEvent } from '../../domain/clock';
import { beijingDateOf } from '../../domain/dates';
import { type ActionPayload, type SupportedAction } from '../../domain/case-actions';
import { checkDecision, type DisclosureDecision, type ItemDecision, MINIMISATION_CHECK_DEFINITIONS } from '../../domain/minimisation';
import { DEFAULT_OUTCOME_RULES, type Outcome as OutcomeId, remedyClauseOf, reportRowOf, rollUpOutcome } from '../../domain/outcomes';
import type { Actor } from '../../domain/roles';
import type { CaseFile } from './case-file';
import { refuse } from './refuse';

// The statutory paths' own rules (Art. 35 reasons, the fee, consultations, referrals, the disclosure decision and
// its minimisation checks, sign-off numbering, failed delivery): what each act requires, which clock events it
// adds, and what it changes. CaseFile calls these from its validator and handler; all are synchronous.

/** The statutory paths' own rules: Art. 35 reasons, the fee, consultations, item decisions, conclusion, sign-off. */
export function checkStatutoryPath(file: CaseFile, action: SupportedAction, payload: ActionPayload<SupportedAction>, actor: Actor, strict: boolean): void {
  const today = file.today();
  switch (action) {
    case 'decide-scope': {
      if ((payload as ActionPayload<'decide-scope'>).decision === 'excessive-requests' && file.reasonsReasonable !== false) {
        throw refuse('invalid-payload', 'data.decision: 须先要求申请人说明理由并认定理由不合理（《条例》第三十五条）');
      }
      return;
    }
    case 'record-reasons-received':
      if (!file.reasonsRequested) throw refuse('wrong-stage', '尚未要求申请人说明理由');
      return;
    case 'record-dispatch':
      if (file.lettersEnabled && (payload as ActionPayload<'record-dispatch'>).method === 'email' && file.input.application.contact.email === undefined) {
        throw refuse('invalid-payload', 'data.method: 申请人未提供电子邮箱（contact.email），不能以电子邮件送达 / the application gives no contact.email');
      }
      return;
    case 'record-delivery-failed':
      if (!file.clockEvents.some((e) => e.type === 'reply-dispatched')) throw refuse('wrong-stage', '本案没有已登记的送达，无从登记送达失败');
      return;
    case 'set-later-reply-deadline': {
      if (file.reasonsReasonable !== true) throw refuse('invalid-payload', 'data.due: 须申请人说明的理由合理，方可确定延迟答复的期限（《条例》第三十五条）');
      if ((payload as ActionPayload<'set-later-reply-deadline'>).due <= today) throw refuse('invalid-payload', 'data.due: 延迟答复的期限须晚于今日');
      return;
    }
    case 'send-fee-notice':
      if (!file.input.rules.feeRuleEnabled) throw refuse('invalid-payload', '本机关未启用收费规则（《条例》第四十二条）');
      if (file.fee) throw refuse('invalid-payload', '已发出收费通知');
      return;
    case 'record-fee-payment':
      if (!file.fee || file.fee.paid) throw refuse('invalid-payload', '没有待缴的信息处理费');
      return;
    case 'record-fee-lapsed':
      if (!file.fee || file.fee.paid) throw refuse('invalid-payload', '没有待缴的信息处理费');
      if (file.fee.paymentDueOn >= today) throw refuse('clock-rule', `缴费期限（${file.fee.paymentDueOn}）尚未届满`);
      return;
    case 'record-item-decision': {
      const { item } = payload as ActionPayload<'record-item-decision'>;
      const index = Number(item.itemId);
      if (!Number.isInteger(index) || index < 1 || index > file.input.application.requestedItems.length) {
        throw refuse('invalid-payload', `data.item.itemId: 应为申请事项的序号 1-${file.input.application.requestedItems.length}`);
      }
      return;
    }
    case 'start-third-party-consultation':
    case 'start-co-maker-consultation':
      if (file.consultations[(payload as ActionPayload<'start-third-party-consultation'>).consultationId]) {
        throw refuse('invalid-payload', 'data.consultationId: 该征求意见编号已使用');
      }
      return;
    case 'record-third-party-opinion':
    case 'record-co-maker-opinion': {
      const p = payload as ActionPayload<'record-third-party-opinion'>;
      const kind = action === 'record-third-party-opinion' ? 'third-party' : 'co-maker';
      if (file.consultations[p.consultationId]?.kind !== kind) throw refuse('invalid-payload', 'data.consultationId: 没有该项征求意见');
      if (p.opinion && p.opinion !== 'no-response' && !p.answeredOn) throw refuse('invalid-payload', 'data.answeredOn: 登记意见须写明收到意见之日');
      return;
    }
    case 'notify-third-party-of-disclosure': {
      const consultation = file.consultations[(payload as ActionPayload<'notify-third-party-of-disclosure'>).consultationId];
      if (consultation?.kind !== 'third-party' || consultation.opinion !== 'objected') {
        throw refuse('invalid-payload', 'data.consultationId: 仅在第三方不同意公开时，决定公开的才须书面告知第三方');
      }
      return;
    }
    case 'refer-for-determination':
      if (file.referrals[(payload as ActionPayload<'refer-for-determination'>).referralId]) throw refuse('invalid-payload', 'data.referralId: 该报请编号已使用');
      return;
    case 'record-referral-answer': {
      const p = payload as ActionPayload<'record-referral-answer'>;
      const referral = file.referrals[p.referralId];
      if (!referral || referral.answeredOn) throw refuse('invalid-payload', 'data.referralId: 没有待答复的该项报请');
      if (p.answeredOn < referral.sentOn) throw refuse('invalid-payload', 'data.answeredOn: 答复日期不能早于报请日期');
      return;
    }
    case 'conclude-disclosure-decision':
      if (strict) {
        const open = Object.entries(file.referrals).filter(([, r]) => !r.answeredOn);
        if (open.length) throw refuse('invalid-payload', `依《条例》第十七条第三款报请确定的事项尚未答复：${open.map(([id]) => id).join('、')}`);
        buildDecision(file, payload as ActionPayload<'conclude-disclosure-decision'>, actor, undefined);
        checkThirdPartyOverrides(file);
      }
      return;
    case 'sign-off-reply':
      if (strict && file.decision) buildDecision(file, undefined, actor, { signedBy: actor.userId, signedOn: today });
      return;
    default:
      return;
  }
}

/** Art. 32: disclosing although a third party objected needs the letter telling it why (public interest). */
export function checkThirdPartyOverrides(file: CaseFile): void {
  const withheldForThirdParty = Object.values(file.itemDecisions).some((item) => item.withheldParts.some((part) => part.ground === 'third-party-rights'));
  const unnotified = Object.entries(file.consultations).filter(
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
export function buildDecision(
  file: CaseFile,
  conclusion: ActionPayload<'conclude-disclosure-decision'> | undefined,
  actor: Actor,
  signOff: DisclosureDecision['signOff'],
): { decision: DisclosureDecision; outcome: OutcomeId } {
  const base = file.decision;
  const items = file.input.application.requestedItems.map((_, i) => file.itemDecisions[String(i + 1)]);
  const missing = items.flatMap((item, i) => (item ? [] : [i + 1]));
  if (missing.length) throw refuse('invalid-payload', `尚未对第${missing.join('、')}项申请作出决定`);
  const decided = items as ItemDecision[];
  const primaryOutcome = conclusion ? conclusion.primaryOutcome : base?.primaryOutcome;
  const rolled = rollUpOutcome(decided.map((item) => item.outcome), primaryOutcome);
  if (!rolled.ok) throw refuse('invalid-payload', `data.${rolled.problem.field}: ${rolled.problem.message}`);
  const rules = file.input.rules.outcome ?? DEFAULT_OUTCOME_RULES;
  const remedy = file.input.rules.remedy;
  // At sign-off the concluded decision's date and 保密审查 stand; at conclusion they come from the act.
  const decidedOn = (conclusion ? conclusion.decidedOn : base?.decidedOn) ?? file.today();
  const confidentialityReview = conclusion ? conclusion.confidentialityReview : base?.confidentialityReview;
  const decision: DisclosureDecision = {
    decidedOn,
    handledBy: file.handlerId ?? actor.userId,
    outcome: rolled.outcome,
    ...(primaryOutcome ? { primaryOutcome } : {}),
    reportRow: reportRowOf(rolled.outcome, rules),
    items: decided,
    ...(confidentialityReview ? { confidentialityReview } : {}),
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
export function clockEventsFor(file: CaseFile, action: SupportedAction, payload: ActionPayload<SupportedAction>): ClockEvent[] {
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
      const referral = file.referrals[p.referralId];
      return file.input.rules.clock.referralPausesClock && referral
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

/** What the statutory-path acts change besides stage, clock and outcome. */
export function applyStatutoryPath(file: CaseFile, action: SupportedAction, payload: ActionPayload<SupportedAction>, actor: Actor, strict: boolean, at: string): void {
  switch (action) {
    case 'request-reasons':
      file.reasonsRequested = true;
      break;
    case 'record-reasons-received':
      file.reasonsReasonable = (payload as ActionPayload<'record-reasons-received'>).reasonable;
      break;
    case 'send-fee-notice':
      file.fee = { paymentDueOn: (payload as ActionPayload<'send-fee-notice'>).paymentDueOn, paid: false };
      break;
    case 'record-fee-payment':
      if (file.fee) file.fee = { ...file.fee, paid: true };
      break;
    case 'record-item-decision': {
      const { item } = payload as ActionPayload<'record-item-decision'>;
      file.itemDecisions = { ...file.itemDecisions, [String(Number(item.itemId))]: item };
      break;
    }
    case 'start-third-party-consultation':
    case 'start-co-maker-consultation': {
      const p = payload as ActionPayload<'start-third-party-consultation'>;
      const kind = action === 'start-co-maker-consultation' ? 'co-maker' : 'third-party';
      file.consultations = { ...file.consultations, [p.consultationId]: { kind, about: p.about, letterAct: { action, payload } } };
      break;
    }
    case 'record-third-party-opinion':
    case 'record-co-maker-opinion': {
      const p = payload as ActionPayload<'record-third-party-opinion'>;
      const consultation = file.consultations[p.consultationId];
      if (consultation && p.opinion) file.consultations = { ...file.consultations, [p.consultationId]: { ...consultation, opinion: p.opinion, opinionAct: { action, payload } } };
      break;
    }
    case 'notify-third-party-of-disclosure': {
      const p = payload as ActionPayload<'notify-third-party-of-disclosure'>;
      const consultation = file.consultations[p.consultationId];
      if (consultation) file.consultations = { ...file.consultations, [p.consultationId]: { ...consultation, overrideNotifiedOn: p.sentOn } };
      break;
    }
    case 'refer-for-determination': {
      const p = payload as ActionPayload<'refer-for-determination'>;
      file.referrals = { ...file.referrals, [p.referralId]: { referredTo: p.referredTo, sentOn: p.sentOn } };
      break;
    }
    case 'record-referral-answer': {
      const p = payload as ActionPayload<'record-referral-answer'>;
      const referral = file.referrals[p.referralId];
      if (referral) file.referrals = { ...file.referrals, [p.referralId]: { ...referral, answeredOn: p.answeredOn } };
      break;
    }
    case 'conclude-disclosure-decision':
      if (strict) {
        const { decision, outcome } = buildDecision(file, payload as ActionPayload<'conclude-disclosure-decision'>, actor, undefined);
        file.decision = decision;
        file.outcome = outcome;
      }
      break;
    case 'draft-reply': {
      const version = file.documents.filter((d) => d.documentId.includes('/reply/')).length + 1;
      file.documents = [...file.documents, { documentId: `${file.caseNumber}/reply/v${version}`, documentType: file.replyDocumentType(), documentNumber: null, createdAt: at }];
      break;
    }
    case 'sign-off-reply': {
      if (!strict) break;
      if (file.decision) file.decision = buildDecision(file, undefined, actor, { signedBy: actor.userId, signedOn: file.today() }).decision;
      // The number is allocated now, for the signed version only: a draft returned for revision takes none.
      // The reply last drafted (notices issued since are listed after it).
      const signed = file.signedReply();
      if (signed && file.input.rules.documentNumberFormats?.default) file.pendingNumbers.push({ documentId: signed.documentId, documentType: signed.documentType });
      break;
    }
    case 'record-dispatch': {
      const signed = file.lettersEnabled ? file.signedReply() : undefined;
      const { dispatchedOn, method } = payload as ActionPayload<'record-dispatch'>;
      // Delivered once the letter is numbered and stored: the main loop numbers and renders before it delivers.
      if (signed) file.pendingDeliveries.push({ documentId: signed.documentId, dispatchedOn, method });
      break;
    }
    case 'record-delivery-failed': {
      // The reply was not made: the clock runs again until a delivery succeeds.
      file.clockEvents = file.clockEvents.filter((e) => e.type !== 'reply-dispatched');
      // The register takes the next dispatch in place of the failed one (runs with `notice-letters`).
      const signed = file.noticesEnabled ? file.signedReply() : undefined;
      if (signed) {
        const { failedOn } = payload as ActionPayload<'record-delivery-failed'>;
        file.documents = file.documents.map((d) => (d.documentId === signed.documentId ? { ...d, failedDeliveries: [...(d.failedDeliveries ?? []), failedOn] } : d));
        file.pendingDeliveries.push({ documentId: signed.documentId, failedOn });
      }
      break;
    }
    case 'review-reply': {
      // Sent back to an earlier question: its answer, and so the outcome, is to be given again.
      const review = payload as ActionPayload<'review-reply'>;
      if (review.verdict === 'return' && review.returnTo !== 'drafting') {
        file.decision = null;
        file.outcome = null;
        file.outcomeAct = null;
      }
      break;
    }
    default:
      break;
  }
}
