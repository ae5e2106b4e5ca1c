import type { Client } from '@temporalio/client';
import { effectiveCalendar, holidayNoticeSchema, nthWorkingDayAfter, type WorkingDayCalendar } from '../domain/calendar';
import { beijingDateOf, endOfBeijingDayMs, type IsoDate } from '../domain/dates';
import type { Register } from '../register';
import { REQUEST_WORKFLOW_TYPE } from '../workflows/request/messages';
import { readHolidayNotices } from './calendar-files';

// Open cases from Temporal's visibility store, by the search attributes the workflow keeps (no personal data):
// what the CLI's `list` and the web app's lists and supervisor board show.

export interface OpenCaseFilters {
  /** Reply deadline passed. */
  overdue?: boolean;
  /** Reply due within N working days, not yet overdue. */
  dueWithin?: number;
  /** Clock paused (consultation, fee). */
  paused?: boolean;
  handler?: string;
  /** One agency; `agencies` limits to several (a user's visible agencies). */
  agency?: string;
  agencies?: readonly string[];
}

export interface OpenCaseRow {
  caseNumber: string;
  agency: string | null;
  stage: string | null;
  handler: string | null;
  receivedOn: IsoDate | null;
  replyDue: IsoDate | null;
  paused: boolean;
  next: string | null;
  nextDue: IsoDate | null;
}

// Whole seconds, no milliseconds: the SQLite visibility store compares datetimes as text.
const instant = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Values in a query: only the characters ids and codes use, so nothing can change the query's meaning. */
const quote = (value: string) => `'${value.replace(/[^A-Za-z0-9._-]/g, '')}'`;

/** The statutory working-day calendar: the shipped holiday notices, each year replaced by one loaded into the register. */
export async function workingDayCalendar(register: Pick<Register, 'holidayNotices'>): Promise<WorkingDayCalendar> {
  const loaded = (await register.holidayNotices()).map((n) => holidayNoticeSchema.parse(n));
  return effectiveCalendar(readHolidayNotices(), loaded);
}

/** The visibility query for `filters` (the due-within limit needs the calendar, from the register). */
export async function openCasesQuery(register: Pick<Register, 'holidayNotices'>, filters: OpenCaseFilters, now = new Date()): Promise<string> {
  const clauses = [`WorkflowType = '${REQUEST_WORKFLOW_TYPE}'`, `ExecutionStatus = 'Running'`];
  // true: only those; false: only the others (a case without a running reply deadline is not overdue).
  if (filters.overdue === true) clauses.push(`GkReplyDueAt < '${instant(now)}'`);
  if (filters.overdue === false) clauses.push(`(GkReplyDueAt >= '${instant(now)}' OR GkReplyDueAt IS NULL)`);
  if (filters.dueWithin) {
    const calendar = await workingDayCalendar(register);
    const today: IsoDate = beijingDateOf(now.toISOString());
    const limit = nthWorkingDayAfter(calendar, today, filters.dueWithin).date;
    // Due on `limit` or earlier: the stored instant is the end of the due day; `<` one second later avoids exact-instant comparisons.
    clauses.push(`GkReplyDueAt >= '${instant(now)}'`, `GkReplyDueAt < '${instant(new Date(endOfBeijingDayMs(limit) + 1000))}'`);
  }
  if (filters.paused !== undefined) clauses.push(`GkPaused = ${filters.paused}`);
  if (filters.handler) clauses.push(`GkHandler = ${quote(filters.handler)}`);
  if (filters.agency) clauses.push(`GkAgency = ${quote(filters.agency)}`);
  if (filters.agencies) clauses.push(filters.agencies.length ? `GkAgency IN (${filters.agencies.map(quote).join(', ')})` : 'GkAgency = \'\'');
  return clauses.join(' AND ');
}

/** Open cases matching `filters`, by reply deadline (those without one last). */
export async function listOpenCases(client: Client, register: Pick<Register, 'holidayNotices'>, filters: OpenCaseFilters, now = new Date()): Promise<OpenCaseRow[]> {
  const rows: OpenCaseRow[] = [];
  for await (const wf of client.workflow.list({ query: await openCasesQuery(register, filters, now) })) {
    const values = new Map(wf.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value as unknown]));
    const text = (name: string) => (values.get(name) == null ? null : String(values.get(name)));
    // Deadlines are stored as the instant their day ends; the receipt date as the instant it starts.
    const day = (name: string, endOfDay: boolean) => {
      const value = values.get(name);
      return value instanceof Date ? beijingDateOf(new Date(value.getTime() - (endOfDay ? 1 : 0)).toISOString()) : null;
    };
    rows.push({
      caseNumber: wf.workflowId,
      agency: text('GkAgency'),
      stage: text('GkStage'),
      handler: text('GkHandler'),
      receivedOn: day('GkReceivedOn', false),
      replyDue: day('GkReplyDueAt', true),
      paused: values.get('GkPaused') === true,
      next: text('GkNextDueKind'),
      nextDue: day('GkNextDueAt', true),
    });
  }
  return rows.sort((a, b) => (a.replyDue ?? '9999').localeCompare(b.replyDue ?? '9999'));
}
