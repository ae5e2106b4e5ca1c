import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import type { WorkingDayCalendar } from '../domain/calendar';
import { beijingDateOfMs, beijingDateTimeOf, type IsoDate } from '../domain/dates';
import type { UserConfig } from '../domain/gongkai-config';
import { isOutcome, OUTCOME_DEFINITIONS } from '../domain/outcomes';
import { REMINDER_DEADLINE_LABELS, type ReminderDeadlineKind } from '../domain/reminders';
import { REPORT_ROW_DEFINITIONS, type ReportRowCode, reportRowFullLabel } from '../domain/report-rows';
import { actionPermissions, type PermissionRules, type Role } from '../domain/roles';
import { STAGE_DEFINITIONS, STAGES, type Stage } from '../domain/stages';
import { describeWorkingDaysLeft, DUE_SOON_WORKING_DAYS, type DueUrgency, workingDaysLeft } from '../domain/working-days-left';
import type { OpenCaseRow } from '../workers/case-list';
import { type CapturedMailEntry, readMailIndex } from '../workers/mail-capture';
import type { PageDeps } from './app';
import { type CaseService, type SignedIn, visibleAgencies } from './cases';
import { HttpError } from './errors';

// The list pages: 我的待办 (the signed-in person's open cases by reply deadline), the supervisor board, closed cases
// from the register and the local mail capture. Lists come from Temporal's visibility store (one query, no
// per-case query) and the register; how close a deadline is counts statutory working days.

/** The newest captured messages the mail page shows (each is parsed for its attachments' names). */
const MAIL_PAGE_LIMIT = 100;

export function registerListPages(app: FastifyInstance, deps: PageDeps): void {
  const { cases } = deps;
  const config = cases.config;
  const userById = new Map(config.users.map((u) => [u.id, u]));
  const agencyName = (code: string | null) => (code === null ? '—' : (config.agencies.find((a) => a.code === code)?.name ?? code));
  const personName = (id: string | null) => (id === null ? '未分派' : (userById.get(id)?.name ?? id));

  /** Rows as the tables show them, coloured by the working days left to the reply deadline. */
  const caseRows = (rows: readonly OpenCaseRow[], calendar: WorkingDayCalendar, today: IsoDate): CaseRowView[] =>
    rows.map((row) => caseRowView(row, calendar, today, agencyName, personName));

  app.get('/', async (request, reply) => {
    const signedIn = deps.requireUser(request);
    const [rows, calendar] = await Promise.all([myOpenCases(cases, signedIn), workingCalendar(cases)]);
    const today = todayInBeijing();
    return deps.page(request, reply, 'todo', {
      title: '我的待办',
      today,
      basis: todoBasis(signedIn.user),
      rows: caseRows(rows, calendar, today),
      dueSoonWorkingDays: DUE_SOON_WORKING_DAYS,
      calendarVersion: calendar.version,
    });
  });

  app.get('/board', async (request, reply) => {
    const { user, actor } = deps.requireUser(request);
    if (!user.roles.includes('supervisor')) throw new HttpError(403, 'wrong-role', '督办看板仅限督办人查看 / the supervisor board is for supervisors only');
    const [open, calendar, escalations, stuck] = await Promise.all([cases.listOpen(actor, {}), workingCalendar(cases), cases.escalationsSent(actor), cases.stuckCases(actor)]);
    const today = todayInBeijing();
    const rows = caseRows(open, calendar, today);
    const overdue = rows.filter((r) => r.urgency === 'overdue');
    const dueSoon = rows.filter((r) => r.urgency === 'soon' && r.replyDue !== null);
    const paused = rows.filter((r) => r.paused);
    const agencies = visibleAgencies(config, actor);
    return deps.page(request, reply, 'board', {
      title: '督办看板',
      today,
      dueSoonWorkingDays: DUE_SOON_WORKING_DAYS,
      calendarVersion: calendar.version,
      totals: { open: rows.length, overdue: overdue.length, dueSoon: dueSoon.length, paused: paused.length },
      overdue,
      dueSoon,
      paused,
      perHandler: tally(rows, (r) => r.handlerId ?? '', (key) => personName(key || null)).sort((a, b) => b.overdue - a.overdue || b.open - a.open),
      perAgency: tally(rows, (r) => r.agency ?? '', (key) => agencyName(key || null), agencies),
      // 运行异常的案件: a workflow task failing again and again, so the case neither moves nor reminds (workers/stuck-cases.ts).
      stuck: stuck.map((s) => ({ caseNumber: s.caseNumber, agencyName: agencyName(s.agencyCode), since: beijingDateTimeOf(s.since), attempts: s.attempts, failure: s.errorClass ?? s.cause ?? '未知' })),
      escalations: escalations.map((e) => ({
        caseNumber: e.caseNumber,
        deadline: REMINDER_DEADLINE_LABELS[e.deadlineKind as ReminderDeadlineKind] ?? e.deadlineKind,
        recipient: recipientName(config.users, e.recipient),
        status: EMAIL_STATUS_LABELS[e.status] ?? e.status,
        at: beijingDateTimeOf(e.at),
      })),
    });
  });

  app.get('/closed', async (request, reply) => {
    const { actor } = deps.requireUser(request);
    const closed = await cases.listClosed(actor);
    return deps.page(request, reply, 'closed', {
      title: '已办结',
      rows: closed.map((row) => ({
        caseNumber: row.case_number,
        agencyName: agencyName(row.agency_code),
        stage: stageLabel(row.stage),
        handler: personName(row.handler_id),
        receivedOn: row.received_on ?? '—',
        outcome: row.outcome === null ? '—' : isOutcome(row.outcome) ? OUTCOME_DEFINITIONS[row.outcome].label : row.outcome,
        reportRow: row.report_row === null ? undefined : reportRowView(row.report_row),
        dispatchedOn: row.dispatched_on ?? '—',
        closedOn: row.closed_on ?? '—',
      })),
    });
  });

  app.get('/mail', async (request, reply) => {
    const { user } = deps.requireUser(request);
    // The capture holds applicants' addresses and letters of every agency: for those who run the system only.
    if (!user.roles.includes('admin')) throw new HttpError(403, 'wrong-role', '本地邮件仅限系统管理员查看 / admins only');
    const directory = deps.mailDirectory;
    if (!directory) {
      const { smtp } = config;
      // The host only: a URL may carry a password.
      const server = smtp.url ? new URL(smtp.url).host : `${smtp.host}:${smtp.port}`;
      return deps.page(request, reply, 'mail', { title: '本地邮件', captured: false, server });
    }
    const { entries, unreadableLines } = readMailIndex(directory);
    const newest = entries.slice(-MAIL_PAGE_LIMIT).reverse();
    const messages = await Promise.all(newest.map(async (entry) => ({ ...mailRow(entry), attachments: await attachmentNames(directory, entry) })));
    return deps.page(request, reply, 'mail', {
      title: '本地邮件',
      captured: true,
      messages,
      total: entries.length,
      shown: messages.length,
      unreadableLines,
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 我的待办: whose cases

/**
 * The open cases waiting for this person: a handler's own cases; for registrars, reviewers and office heads, their
 * agency's cases in a stage where their role has an act of that stage to do; for a supervisor, every case they see.
 */
async function myOpenCases(cases: CaseService, { user, actor }: SignedIn): Promise<OpenCaseRow[]> {
  if (user.roles.includes('supervisor')) return cases.listOpen(actor, {});
  const agency = cases.config.agencies.find((a) => a.code === user.agencyCode);
  const stages = agency ? stagesWaitingFor(user.roles, agency.permissionRules) : new Set<Stage>();
  const handles = user.roles.includes('handler');
  if (stages.size === 0 && !handles) return [];
  // A handler only: the visibility store filters by handler, so the list stays short however many cases the agency has.
  if (stages.size === 0) return cases.listOpen(actor, { handler: user.id });
  const rows = await cases.listOpen(actor, {});
  return rows.filter((row) => (handles && row.handler === user.id) || (row.stage !== null && stages.has(row.stage as Stage)));
}

/**
 * The stages in which one of these roles has an act of that stage to do, read from the agency's permission table.
 * Only acts open in a single stage count: an act open across many stages (withdrawal, urging, reassignment,
 * extensions, fees) is a standing power, not what the case waits for, and would put every case on every list. A
 * handler's acts need the case assigned to them, so handlers' cases are found by assignment instead.
 */
function stagesWaitingFor(roles: readonly Role[], rules: PermissionRules): Set<Stage> {
  const stages = new Set<Stage>();
  for (const permission of Object.values(actionPermissions(rules))) {
    const [only, ...more] = permission.stages;
    if (only === undefined || more.length > 0) continue;
    if (permission.roles.some((role) => role !== 'handler' && role !== 'supervisor' && roles.includes(role))) stages.add(only);
  }
  return stages;
}

function todoBasis(user: UserConfig): string {
  if (user.roles.includes('supervisor')) return '您可查看的全部在办案件';
  const parts: string[] = [];
  if (user.roles.includes('handler')) parts.push('由您承办的案件');
  if (user.roles.some((role) => role === 'registrar' || role === 'reviewer' || role === 'gip-office-head')) parts.push('本机关处于您的角色须办理环节的案件');
  return parts.length ? parts.join('，以及') : '您的角色不办理具体案件';
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

interface CaseRowView {
  caseNumber: string;
  agency: string | null;
  agencyName: string;
  stage: string;
  handlerId: string | null;
  handler: string;
  receivedOn: string;
  replyDue: IsoDate | null;
  urgency: DueUrgency;
  /** The row's colour: due-overdue, due-soon, due-ok. */
  dueClass: string;
  left: string;
  paused: boolean;
  next: string;
}

function caseRowView(
  row: OpenCaseRow,
  calendar: WorkingDayCalendar,
  today: IsoDate,
  agencyName: (code: string | null) => string,
  personName: (id: string | null) => string,
): CaseRowView {
  // The reply deadline decides the colour; without one (awaiting confirmation or correction, paused) the next deadline ahead.
  const due = row.replyDue ?? row.nextDue;
  const left = due === null ? undefined : workingDaysLeft(calendar, today, due);
  const nextLabel = row.next === null ? undefined : (REMINDER_DEADLINE_LABELS[row.next as ReminderDeadlineKind] ?? row.next);
  return {
    caseNumber: row.caseNumber,
    agency: row.agency,
    agencyName: agencyName(row.agency),
    stage: stageLabel(row.stage),
    handlerId: row.handler,
    handler: personName(row.handler),
    // Null also for a moment after registration, until the workflow has computed its clock.
    receivedOn: row.receivedOn ?? (row.stage === 'awaiting-confirmation' ? '待确认' : '—'),
    replyDue: row.replyDue,
    urgency: left?.urgency ?? 'ok',
    dueClass: `due-${left?.urgency ?? 'ok'}`,
    left: left === undefined ? '—' : `${row.replyDue === null ? `${nextLabel ?? '下一期限'}：` : ''}${describeWorkingDaysLeft(left)}`,
    paused: row.paused,
    next: nextLabel !== undefined && row.nextDue !== null ? `${nextLabel} ${row.nextDue}` : '—',
  };
}

interface Tally {
  key: string;
  name: string;
  open: number;
  overdue: number;
  dueSoon: number;
  paused: number;
}

/** Counts per handler or per agency; `always` lists keys that have no case too (every agency a supervisor sees). */
function tally(rows: readonly CaseRowView[], keyOf: (row: CaseRowView) => string, nameOf: (key: string) => string, always: readonly string[] = []): Tally[] {
  const byKey = new Map<string, Tally>(always.map((key) => [key, { key, name: nameOf(key), open: 0, overdue: 0, dueSoon: 0, paused: 0 }]));
  for (const row of rows) {
    const key = keyOf(row);
    const entry = byKey.get(key) ?? { key, name: nameOf(key), open: 0, overdue: 0, dueSoon: 0, paused: 0 };
    entry.open += 1;
    if (row.urgency === 'overdue') entry.overdue += 1;
    if (row.urgency === 'soon' && row.replyDue !== null) entry.dueSoon += 1;
    if (row.paused) entry.paused += 1;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

const stageLabel = (stage: string | null): string =>
  stage === null ? '—' : (STAGES as readonly string[]).includes(stage) ? STAGE_DEFINITIONS[stage as Stage].label : stage;

function reportRowView(code: string): { code: string; label: string; fullLabel: string } {
  const definition = REPORT_ROW_DEFINITIONS[code as ReportRowCode] as (typeof REPORT_ROW_DEFINITIONS)[ReportRowCode] | undefined;
  return definition ? { code, label: definition.label, fullLabel: reportRowFullLabel(code as ReportRowCode) } : { code, label: '', fullLabel: code };
}

const EMAIL_STATUS_LABELS: Record<string, string> = { sent: '已发送', reserved: '发送中', failed: '发送失败' };

/** Escalations go to staff: their name from the configuration, else the address. */
function recipientName(users: readonly UserConfig[], address: string): string {
  const user = users.find((u) => u.email.toLowerCase() === address.toLowerCase());
  return user ? `${user.name}（${user.id}）` : address;
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar and mail

const todayInBeijing = (): IsoDate => beijingDateOfMs(Date.now());

/** The statutory working-day calendar, as the case service reads it. */
export const workingCalendar = (cases: CaseService): Promise<WorkingDayCalendar> => cases.calendar();

function mailRow(entry: CapturedMailEntry) {
  return { receivedAt: beijingDateTimeOf(entry.receivedAt), to: entry.to.join('，'), subject: entry.subject ?? '（无主题）' };
}

/** The names of a captured message's attachments (the index does not list them). */
async function attachmentNames(directory: string, entry: CapturedMailEntry): Promise<string[]> {
  try {
    const mail = await simpleParser(await readFile(join(directory, entry.file)));
    return mail.attachments.map((attachment) => attachment.filename ?? '（未命名附件）');
  } catch {
    return ['（邮件文件无法读取）'];
  }
}
