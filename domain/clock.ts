import { z } from 'zod';
import { describeDay, nthWorkingDayAfter, type WorkingDayCalendar, workingDaysBetween } from './calendar';
import { addDays, type IsoDate, withWeekday } from './dates';

// The statutory clock (法定期限): one pure function from the rules, the calendar and the case's events to
// every current deadline with an explanation. Deadlines are derived, never stored as edited dates.

/** The periods of the Regulation, and the rules legal.md marks UNCONFIRMED, named and configurable. */
export const clockRulesSchema = z.object({
  /** Art. 30: the 补正 notice within 7 working days of receipt. */
  correctionNoticeWorkingDays: z.number().int().min(1).max(60).default(7),
  /** Art. 33(2): reply within 20 working days of receipt (or of the corrected application, Art. 30). */
  replyWorkingDays: z.number().int().min(1).max(60).default(20),
  /** Art. 33(2): extensions, approved by the head of the GIP office, total at most 20 working days. */
  maxExtensionWorkingDays: z.number().int().min(0).max(60).default(20),
  /** Arts. 32, 34: a consultee answers within 15 working days of receiving the letter; silence ends the pause then. */
  consultationAnswerWorkingDays: z.number().int().min(1).max(60).default(15),
  /**
   * UNCONFIRMED (legal.md §1.5): the pause runs from the day the consultation letter is sent. The alternative,
   * 'consultee-received', starts it on the consultee's recorded receipt date.
   */
  consultationPauseStartsOn: z.enum(['letter-sent', 'consultee-received']).default('letter-sent'),
  /** UNCONFIRMED (legal.md §1.13): a fee notice pauses the clock until payment. */
  feeNoticePausesClock: z.boolean().default(true),
  /**
   * UNCONFIRMED (legal.md §1.6): whether the time of an Art. 17(3) referral (to the competent department or the
   * 保密行政管理部门) is excluded like a consultation's under Art. 33(3). Default: it is not.
   */
  referralPausesClock: z.boolean().default(false),
});
export type ClockRules = z.output<typeof clockRulesSchema>;
export const DEFAULT_CLOCK_RULES: ClockRules = clockRulesSchema.parse({});

export type ConsultationKind = 'third-party' | 'co-maker';

/** What happened to a case, as far as the clock is concerned. Dates are Beijing calendar dates. */
export type ClockEvent =
  | { type: 'received'; on: IsoDate; basis?: string }
  | { type: 'correction-requested'; on: IsoDate; applicantDueOn?: IsoDate }
  | { type: 'correction-received'; on: IsoDate }
  | { type: 'consultation-started'; consultationId: string; kind: ConsultationKind; letterSentOn: IsoDate; consulteeReceivedOn?: IsoDate }
  | { type: 'consultation-letter-received'; consultationId: string; on: IsoDate }
  | { type: 'consultation-answered'; consultationId: string; on: IsoDate }
  | { type: 'extension-approved'; on: IsoDate; workingDays: number }
  | { type: 'agency-deadline-set'; on: IsoDate; due: IsoDate }
  | { type: 'fee-notice-sent'; on: IsoDate }
  | { type: 'fee-paid'; on: IsoDate }
  /** A pause with both ends known, e.g. recorded by hand or asked about in a what-if (`gongkai deadline --pause`). */
  | { type: 'pause'; from: IsoDate; to: IsoDate; reason: string }
  | { type: 'reply-dispatched'; on: IsoDate };

export type DeadlineKind = 'correction-notice' | 'applicant-correction' | 'consultation-answer' | 'reply';

export interface Deadline {
  kind: DeadlineKind;
  /** For consultation answers: which consultation. */
  ref?: string;
  due: IsoDate;
  /** 'open' until the act it governs happens; then 'met' or 'late'. */
  status: 'open' | 'met' | 'late';
  /** Depends on a year whose holiday notice is not loaded. */
  provisional: boolean;
  /** A pause it depends on has not ended yet; its end is projected (a silent consultee's 15th working day). */
  projected: boolean;
  explanation: string;
}

export interface PauseInterval {
  reason: string;
  from: IsoDate;
  /** Last paused day, inclusive; null while the end cannot be known yet. */
  to: IsoDate | null;
  /** `to` is the latest possible end (a consultee that has not answered), not an actual one. */
  projected: boolean;
}

export interface ClockResult {
  calendarVersion: string;
  receivedOn: IsoDate;
  /** The day after which the reply period counts: receipt, or the corrected application's arrival. */
  replyCountsFrom: IsoDate | null;
  correctionNoticeDue: IsoDate;
  /** Null while it cannot be known: correction awaited, or a pause with no known end. */
  replyDue: IsoDate | null;
  /** The latest the reply could be due with every extension still available used. */
  replyDueExtended: IsoDate | null;
  extensionWorkingDaysUsed: number;
  pauses: PauseInterval[];
  deadlines: Deadline[];
  dispatchedOn: IsoDate | null;
  provisional: boolean;
  provisionalYears: number[];
  explanation: string[];
}

/** An event sequence the law does not allow (the update validators turn these into refusals). */
export class ClockRuleError extends Error {
  override readonly name = 'ClockRuleError';
}

export interface ClockOptions {
  /**
   * Refuse an extension approved after the due day it extended (default). Off when recomputing a case's stored
   * events under a newer calendar: the act was checked against the calendar of its day.
   */
  recheckTimeliness?: boolean;
}

export function computeClock(rules: ClockRules, calendar: WorkingDayCalendar, events: readonly ClockEvent[], options: ClockOptions = {}): ClockResult {
  const recheckTimeliness = options.recheckTimeliness ?? true;
  const received = events.find((e) => e.type === 'received');
  if (!received) throw new ClockRuleError('时钟需要收到申请之日（T0）/ the clock needs the receipt date');
  const T0 = received.on;
  const provisional = new Set<number>();
  const note = (years: number[]): boolean => (years.forEach((y) => provisional.add(y)), years.length > 0);
  const explanation: string[] = [
    `收到申请之日（T0）：${withWeekday(T0)}${received.basis ? `，${received.basis}` : ''}。各期限均自T0次日起按工作日计算，T0当日不计入；第N日指T0之后第N个工作日。`,
  ];
  const deadlines: Deadline[] = [];

  // 补正 notice: day 7 after T0.
  const correctionNotice = nthWorkingDayAfter(calendar, T0, rules.correctionNoticeWorkingDays);
  const correctionRequest = events.find((e) => e.type === 'correction-requested');
  deadlines.push({
    kind: 'correction-notice',
    due: correctionNotice.date,
    status: correctionRequest ? (correctionRequest.on <= correctionNotice.date ? 'met' : 'late') : 'open',
    provisional: note(correctionNotice.provisionalYears),
    projected: false,
    explanation: `补正告知期限 ${withWeekday(correctionNotice.date)}：T0后第${rules.correctionNoticeWorkingDays}个工作日（《条例》第三十条）${holidayNote(calendar, T0, correctionNotice.date)}。`,
  });
  explanation.push(deadlines[0]!.explanation);

  const correctionReceived = events.find((e) => e.type === 'correction-received');
  if (correctionReceived && !correctionRequest) throw new ClockRuleError('未发出补正告知，不能登记补正材料 / correction received without a request');
  if (events.filter((e) => e.type === 'correction-requested').length > 1) {
    throw new ClockRuleError('补正告知只能一次性发出（《条例》第三十条）/ only one correction request is allowed');
  }
  if (correctionRequest?.type === 'correction-requested' && correctionRequest.applicantDueOn) {
    deadlines.push({
      kind: 'applicant-correction',
      due: correctionRequest.applicantDueOn,
      status: correctionReceived ? (correctionReceived.on <= correctionRequest.applicantDueOn ? 'met' : 'late') : 'open',
      provisional: false,
      projected: false,
      explanation: `申请人补正期限 ${withWeekday(correctionRequest.applicantDueOn)}：承办人在补正告知书中确定的合理期限。`,
    });
  }

  const dispatched = events.find((e) => e.type === 'reply-dispatched');
  const replyCountsFrom = correctionRequest ? (correctionReceived?.on ?? null) : T0;
  const pauses = pauseIntervals(rules, calendar, events, note);
  for (const pause of pauses) deadlines.push(...pause.deadlines);
  const intervals = pauses.map((p) => p.interval);

  let replyDue: IsoDate | null = null;
  let replyDueExtended: IsoDate | null = null;
  let extensionUsed = 0;
  if (replyCountsFrom === null) {
    explanation.push('已发出补正告知，答复期限自收到补正后的申请之日起重新计算；尚未收到补正材料，答复期限暂不计算。');
  } else if (intervals.some((p) => p.to === null)) {
    explanation.push('征求意见期间，对方签收日期尚未登记，暂停的结束日无法确定，答复期限暂不计算。');
  } else {
    const paused = (date: IsoDate): boolean => intervals.some((p) => p.to !== null && date >= p.from && date <= p.to);
    let projected = intervals.some((p) => p.projected);
    const startText = correctionReceived ? `收到补正后申请之日 ${withWeekday(replyCountsFrom)}（《条例》第三十条，重新起算）` : 'T0';

    let base = rules.replyWorkingDays;
    let due = nthWorkingDayAfter(calendar, replyCountsFrom, base, paused);
    for (const extension of events.filter((e) => e.type === 'extension-approved')) {
      if (!Number.isInteger(extension.workingDays) || extension.workingDays < 1) {
        throw new ClockRuleError('延期天数须为正整数个工作日 / an extension is a positive number of working days');
      }
      if (extensionUsed + extension.workingDays > rules.maxExtensionWorkingDays) {
        throw new ClockRuleError(`延长答复期限合计不得超过${rules.maxExtensionWorkingDays}个工作日（《条例》第三十三条）/ extensions exceed the maximum`);
      }
      if (recheckTimeliness && extension.on > due.date) {
        throw new ClockRuleError(`延期须在答复期限届满（${due.date}）前批准 / an extension must be approved on or before the due day`);
      }
      extensionUsed += extension.workingDays;
      base += extension.workingDays;
      due = nthWorkingDayAfter(calendar, replyCountsFrom, base, paused);
    }
    const replyProvisional = note(due.provisionalYears);
    replyDue = due.date;
    const extended = nthWorkingDayAfter(calendar, replyCountsFrom, rules.replyWorkingDays + rules.maxExtensionWorkingDays, paused);
    note(extended.provisionalYears);
    replyDueExtended = extended.date;

    const pausedDays = intervals
      .filter((p) => p.to !== null && p.from <= due.date && p.to >= replyCountsFrom)
      .map((p) => `${p.from}至${p.to}`);
    let replyText =
      `答复期限 ${withWeekday(replyDue)}：${startText}后第${base}个工作日` +
      (extensionUsed ? `（法定${rules.replyWorkingDays}个工作日，经政府信息公开工作机构负责人同意延长${extensionUsed}个工作日）` : `（《条例》第三十三条）`) +
      holidayNote(calendar, replyCountsFrom, replyDue) +
      (pausedDays.length ? `；征求意见等暂停期间（${pausedDays.join('、')}）的工作日不计入（《条例》第三十三条第三款）` : '') +
      (projected ? '；尚未答复的征求意见按答复期届满推算，对方提前答复的，答复期限相应提前' : '') +
      '。';

    const art35 = [...events].reverse().find((e) => e.type === 'agency-deadline-set');
    if (art35?.type === 'agency-deadline-set') {
      replyText = `答复期限 ${withWeekday(art35.due)}：申请数量、频次明显超过合理范围，申请理由合理，行政机关于${art35.on}确定延迟答复的合理期限（《条例》第三十五条），取代原答复期限 ${replyDue}。`;
      replyDue = art35.due;
      replyDueExtended = art35.due;
      projected = false;
    }
    deadlines.push({
      kind: 'reply',
      due: replyDue,
      status: dispatched ? (dispatched.on <= replyDue ? 'met' : 'late') : 'open',
      provisional: art35 ? false : replyProvisional,
      projected,
      explanation: replyText,
    });
    explanation.push(replyText);
    if (!art35 && extensionUsed < rules.maxExtensionWorkingDays) {
      explanation.push(`如经批准延长至最长期限（合计${rules.maxExtensionWorkingDays}个工作日），答复期限为 ${withWeekday(replyDueExtended)}；延期须在 ${replyDue} 前（含当日）批准并告知申请人。`);
    }
  }

  for (const pause of pauses) explanation.push(pause.explanation);
  if (dispatched) explanation.push(`答复已于 ${withWeekday(dispatched.on)} 送出（直接送达以签收之日、邮寄以交邮之日为准），时钟停止。`);

  const provisionalYears = [...provisional].sort();
  if (provisionalYears.length) {
    explanation.push(`注意：${provisionalYears.join('、')}年节假日安排尚未载入，涉及该年的日期暂按周一至周五为工作日推算，结果为临时结果，载入后自动重算。`);
  }
  explanation.push(`日历版本：${calendar.version}。`);

  return {
    calendarVersion: calendar.version,
    receivedOn: T0,
    replyCountsFrom,
    correctionNoticeDue: correctionNotice.date,
    replyDue,
    replyDueExtended,
    extensionWorkingDaysUsed: extensionUsed,
    pauses: intervals,
    deadlines,
    dispatchedOn: dispatched?.on ?? null,
    provisional: provisionalYears.length > 0,
    provisionalYears,
    explanation,
  };
}

type EventOf<T extends ClockEvent['type']> = Extract<ClockEvent, { type: T }>;

function findEvent<T extends ClockEvent['type']>(
  events: readonly ClockEvent[],
  type: T,
  where: (event: EventOf<T>) => boolean = () => true,
): EventOf<T> | undefined {
  return events.find((e): e is EventOf<T> => e.type === type && where(e as EventOf<T>));
}

/** Whether the clock stands still on `date` (a consultation or fee pause covers it, or has no end yet). */
export function isPausedOn(clock: Pick<ClockResult, 'pauses' | 'dispatchedOn'>, date: IsoDate): boolean {
  if (clock.dispatchedOn !== null) return false;
  return clock.pauses.some((p) => date >= p.from && (p.to === null || date <= p.to));
}

interface DerivedPause {
  interval: PauseInterval;
  deadlines: Deadline[];
  explanation: string;
}

/** Consultations (Arts. 32, 34) and, if the rule is on, an unpaid fee notice: days not counted (Art. 33(3)). */
function pauseIntervals(
  rules: ClockRules,
  calendar: WorkingDayCalendar,
  events: readonly ClockEvent[],
  note: (years: number[]) => boolean,
): DerivedPause[] {
  const pauses: DerivedPause[] = [];
  for (const start of events) {
    if (start.type !== 'consultation-started') continue;
    const id = start.consultationId;
    const who = start.kind === 'third-party' ? '征求第三方意见（《条例》第三十二条）' : '征求共同制作机关意见（《条例》第三十四条）';
    const receivedOn =
      start.consulteeReceivedOn ?? findEvent(events, 'consultation-letter-received', (e) => e.consultationId === id)?.on;
    const answered = findEvent(events, 'consultation-answered', (e) => e.consultationId === id);
    const from = rules.consultationPauseStartsOn === 'letter-sent' ? start.letterSentOn : receivedOn;
    if (!from) {
      pauses.push({
        interval: { reason: who, from: start.letterSentOn, to: null, projected: false },
        deadlines: [],
        explanation: `${who}：征求意见书于 ${start.letterSentOn} 发出，对方签收日期尚未登记。`,
      });
      continue;
    }
    const deadlines: Deadline[] = [];
    let answerDue: IsoDate | undefined;
    if (receivedOn) {
      const due = nthWorkingDayAfter(calendar, receivedOn, rules.consultationAnswerWorkingDays);
      answerDue = due.date;
      deadlines.push({
        kind: 'consultation-answer',
        ref: id,
        due: due.date,
        status: answered ? (answered.on <= due.date ? 'met' : 'late') : 'open',
        provisional: note(due.provisionalYears),
        projected: false,
        explanation: `${who}答复期限 ${withWeekday(due.date)}：对方 ${receivedOn} 收到征求意见书后第${rules.consultationAnswerWorkingDays}个工作日${start.kind === 'co-maker' ? '，逾期未提出意见的视为同意公开' : '，逾期未答复的由行政机关依照《条例》决定'}。`,
      });
    }
    // The pause ends with the answer, or at the latest when the answer period runs out (silence).
    let to: IsoDate | null = null;
    let endNote = '';
    if (answered && (!answerDue || answered.on <= answerDue)) {
      to = answered.on;
      endNote = '（收到答复）';
    } else if (answerDue) {
      to = answerDue;
      endNote = answered ? '（对方逾期答复，暂停至答复期届满）' : '（对方尚未答复，按答复期届满推算）';
    }
    const projected = to !== null && !answered;
    if (to === null) {
      pauses.push({ interval: { reason: who, from, to, projected }, deadlines, explanation: `${who}：自 ${from} 起暂停计算，对方签收日期尚未登记。` });
      continue;
    }
    const notCounted = workingDaysBetween(calendar, addDays(from, -1), to).count;
    pauses.push({
      interval: { reason: who, from, to, projected },
      deadlines,
      explanation: `${who}：${from}至${to}${endNote}暂停计算，其间${notCounted}个工作日不计入答复期限。`,
    });
  }
  for (const pause of events) {
    if (pause.type !== 'pause') continue;
    if (pause.to < pause.from) throw new ClockRuleError(`暂停结束日早于开始日 / pause ends before it starts: ${pause.from}..${pause.to}`);
    const notCounted = workingDaysBetween(calendar, addDays(pause.from, -1), pause.to).count;
    pauses.push({
      interval: { reason: pause.reason, from: pause.from, to: pause.to, projected: false },
      deadlines: [],
      explanation: `${pause.reason}：${pause.from}至${pause.to}暂停计算，其间${notCounted}个工作日不计入答复期限。`,
    });
  }
  if (rules.feeNoticePausesClock) {
    const notice = events.find((e) => e.type === 'fee-notice-sent');
    if (notice) {
      const paid = events.find((e) => e.type === 'fee-paid');
      const to = paid?.on ?? null;
      pauses.push({
        interval: { reason: '收费通知（缴费期间不计入）', from: notice.on, to, projected: false },
        deadlines: [],
        explanation: to
          ? `收费通知：${notice.on}至${to}（缴费之日）暂停计算（可配置规则，待确认）。`
          : `收费通知：自 ${notice.on} 起暂停计算，至申请人缴费之日（可配置规则，待确认）。`,
      });
    }
  }
  return pauses;
}

/** Holidays and 调休 working weekends inside (from, to], for the explanation. */
function holidayNote(calendar: WorkingDayCalendar, from: IsoDate, to: IsoDate): string {
  const holidays = new Map<string, IsoDate[]>();
  const makeUps: string[] = [];
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) {
    const info = describeDay(calendar, day);
    if (info.kind === 'holiday' && info.holiday) holidays.set(info.holiday, [...(holidays.get(info.holiday) ?? []), day]);
    if (info.kind === 'working-weekend') makeUps.push(withWeekday(day));
  }
  const parts: string[] = [];
  if (holidays.size) {
    parts.push(
      `，跳过法定节假日${[...holidays].map(([name, days]) => `${name}（${days[0]}${days.length > 1 ? `至${days.at(-1)}` : ''}）`).join('、')}`,
    );
  }
  if (makeUps.length) parts.push(`，调休上班日${makeUps.join('、')}计为工作日`);
  return parts.join('') || '，期间无法定节假日';
}

