import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AnnualReport,
  AnnualReportIdentityError,
  REMEDY_COUNT_COLUMNS,
  REMEDY_COUNT_LABELS,
  REMEDY_GROUP_LABELS,
  REMEDY_GROUPS,
  type RemedyResult,
  TABLE_FOUR_TITLE,
  TABLE_THREE_LABEL_COLUMNS,
  TABLE_THREE_TITLE,
  tableThreeRowLabels,
} from '../domain/annual-report';
import { beijingDateOfMs } from '../domain/dates';
import { REPORT_COLUMN_DEFINITIONS, REPORT_COLUMNS, REPORT_ROWS, REPORT_TABLE_HEADER_NOTE } from '../domain/report-rows';
import { ACTION_PERMISSIONS } from '../domain/roles';
import { STAGE_DEFINITIONS } from '../domain/stages';
import { InvalidInputError } from '../domain/validation';
import { enterRemedyRecord, REMEDY_KIND_LABELS, REMEDY_RESULT_LABELS, type RemedyEntry, RemedyRefusal, remedyAccess } from '../workers/remedy-records';
import { buildAnnualReport, renderAnnualReport } from '../workers/annual-report-output';
import type { PageDeps } from './app';
import { type SignedIn, visibleAgencies } from './cases';
import { HttpError } from './errors';

// 年度报告 (tables 三 and 四 of 国办公开办函〔2021〕30号, from the register) and the review and suit records staff
// enter on closed cases (复议诉讼情况), which table 四 counts. The report is for office heads (their agency) and
// supervisors (the agencies they see, or all together); records follow domain/roles `annotate-remedy`.

const REPORT_ROLES = ['gip-office-head', 'supervisor'] as const;

export function registerReportPages(app: FastifyInstance, deps: PageDeps): void {
  const { cases } = deps;
  const config = cases.config;
  const agencyName = (code: string) => config.agencies.find((a) => a.code === code)?.name ?? code;
  const remedyDeps = () => ({ config, register: cases.reportRegister() });

  /** The year and agency asked for, checked against who asks: 400 for a bad year, 403 for an agency not theirs. */
  const reportScope = (signedIn: SignedIn, query: { year?: unknown; agency?: unknown }): { year: number; agencyCode: string | null } => {
    const { user, actor } = signedIn;
    if (!user.roles.some((role) => (REPORT_ROLES as readonly string[]).includes(role))) {
      throw new HttpError(403, 'wrong-role', '年度报告仅限政府信息公开工作机构负责人和督办人查看 / office heads and supervisors only');
    }
    const yearText = typeof query.year === 'string' ? query.year : undefined;
    const year = yearText === undefined || yearText === '' ? Number(beijingDateOfMs(Date.now()).slice(0, 4)) : /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
    if (!Number.isInteger(year) || year < 2008 || year > 2100) {
      throw new HttpError(400, 'invalid-input', 'year: 应为 2008 至 2100 之间的年份 / a year 2008-2100', [{ field: 'year', message: '应为 2008 至 2100 之间的年份 / a year 2008-2100' }]);
    }
    const allowed = visibleAgencies(config, actor);
    const agencyText = typeof query.agency === 'string' && query.agency !== '' ? query.agency : undefined;
    const all = actor.scope === 'all-agencies' && user.roles.includes('supervisor');
    if (agencyText === undefined || agencyText === 'all') {
      if (agencyText === 'all' && !all) throw new HttpError(403, 'wrong-agency', 'agency: 只能查看本机关的年度报告 / your agency only', [{ field: 'agency', message: '只能查看本机关的年度报告 / your agency only' }]);
      return { year, agencyCode: all ? null : actor.agencyCode };
    }
    if (!allowed.includes(agencyText)) throw new HttpError(403, 'wrong-agency', 'agency: 不能查看其他机关的年度报告 / not an agency you may see', [{ field: 'agency', message: '不能查看其他机关的年度报告 / not an agency you may see' }]);
    return { year, agencyCode: agencyText };
  };

  const build = (scope: { year: number; agencyCode: string | null }) =>
    buildAnnualReport(cases.reportRegister(), { ...scope, knownAgencies: config.agencies.map((a) => a.code) });

  /** An identity failure is the register's inconsistency, not the caller's: 409 with the columns and suspect cases. */
  const identityConflict = (err: AnnualReportIdentityError) =>
    new HttpError(409, 'identity-failed', `${err.year}年度报告表三勾稽关系不成立（一+二 ≠ 三.7+四），报告不予生成 / table 三 fails its identity`, err.problems.map((p) => ({ field: p.field, message: p.label ? `${p.label}：${p.message}` : p.message })));

  app.get<{ Querystring: Record<string, unknown> }>('/report', async (request, reply) => {
    const signedIn = deps.requireUser(request);
    const scope = reportScope(signedIn, request.query);
    const agencies = visibleAgencies(config, signedIn.actor).map((code) => ({ code, name: agencyName(code), selected: code === scope.agencyCode }));
    const mayChooseAll = signedIn.actor.scope === 'all-agencies' && signedIn.user.roles.includes('supervisor');
    const query = `year=${scope.year}${scope.agencyCode === null ? '&agency=all' : `&agency=${encodeURIComponent(scope.agencyCode)}`}`;
    const common = {
      title: '年度报告',
      year: scope.year,
      scopeName: scope.agencyCode === null ? '全部机关' : agencyName(scope.agencyCode),
      agencies,
      mayChooseAll,
      allSelected: scope.agencyCode === null,
      csvHref: `/report.csv?${query}`,
      xlsxHref: `/report.xlsx?${query}`,
    };
    let report: AnnualReport;
    try {
      report = await build(scope);
    } catch (err) {
      if (!(err instanceof AnnualReportIdentityError)) throw err;
      const conflict = identityConflict(err);
      return deps.page(request, reply, 'report', { ...common, failed: true, flash: { kind: 'error', text: conflict.message, problems: conflict.problems ?? [] } }, 409);
    }
    return deps.page(request, reply, 'report', { ...common, failed: false, ...reportView(report) });
  });

  const download = (format: 'csv' | 'xlsx') => async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
    const scope = reportScope(deps.requireUser(request), request.query);
    let report: AnnualReport;
    try {
      report = await build(scope);
    } catch (err) {
      throw err instanceof AnnualReportIdentityError ? identityConflict(err) : err;
    }
    const file = `annual-report-${scope.year}-${scope.agencyCode ?? 'all'}.${format}`;
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${file}"`)
      .header('cache-control', 'no-store')
      .send(await renderAnnualReport(report, format));
  };
  app.get<{ Querystring: Record<string, unknown> }>('/report.csv', download('csv'));
  app.get<{ Querystring: Record<string, unknown> }>('/report.xlsx', download('xlsx'));

  /** The remedies page: the case's records, and the form when this person may enter one. */
  const remedyPage = async (request: FastifyRequest, reply: FastifyReply, caseNumber: string, extra: { form?: Record<string, unknown>; flash?: PageFlash; status?: number } = {}) => {
    const { actor } = deps.requireUser(request);
    const access = await refusing(() => remedyAccess(remedyDeps(), actor, caseNumber));
    if (access.refusal?.status === 409) throw new HttpError(409, access.refusal.code, access.refusal.message);
    if (access.refusal) {
      // Read-only for those who see the agency's cases (colleagues, supervisors); others are refused.
      const viewers = ACTION_PERMISSIONS['view-case'].roles;
      if (!actor.roles.some((role) => viewers.includes(role)) || !visibleAgencies(config, actor).includes(access.stored.agency_code)) {
        throw new HttpError(403, access.refusal.code, access.refusal.message);
      }
    }
    const records = await cases.reportRegister().remedyRecords(caseNumber);
    return deps.page(
      request,
      reply,
      'remedy',
      {
        title: `复议诉讼情况 ${caseNumber}`,
        caseNumber,
        stage: STAGE_DEFINITIONS[access.stage].label,
        agencyName: agencyName(access.stored.agency_code),
        records: records.map((r) => ({
          kind: r.kind === 'suit' ? `${REMEDY_KIND_LABELS.suit}（${r.after_review ? '复议后起诉' : '未经复议直接起诉'}）` : REMEDY_KIND_LABELS.review,
          filedOn: r.filed_on,
          result: REMEDY_RESULT_LABELS[r.result as RemedyResult] ?? r.result,
          decidedOn: r.decided_on ?? '—',
          enteredBy: r.entered_by,
        })),
        mayEnter: access.refusal === undefined,
        refusal: access.refusal?.message,
        form: { recordId: randomUUID(), kind: 'review', result: 'pending', filedOn: '', decidedOn: '', afterReview: false, ...extra.form },
        ...(extra.flash ? { flash: extra.flash } : {}),
      },
      extra.status,
    );
  };

  app.get<{ Params: { caseNumber: string } }>('/cases/:caseNumber/remedies', (request, reply) => remedyPage(request, reply, request.params.caseNumber));

  app.post<{ Params: { caseNumber: string }; Body: Record<string, unknown> | undefined }>('/cases/:caseNumber/remedies', { preHandler: app.csrfProtection }, async (request, reply) => {
    const { actor } = deps.requireUser(request);
    const { caseNumber } = request.params;
    const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
    const body = request.body ?? {};
    const form = { recordId: text(body.recordId), kind: text(body.kind), afterReview: text(body.afterReview) === '1', filedOn: text(body.filedOn), result: text(body.result), decidedOn: text(body.decidedOn) };
    if (!/^[A-Za-z0-9-]{1,64}$/.test(form.recordId)) throw new HttpError(400, 'invalid-input', 'recordId: 表单已失效，请重新打开 / the form expired; open it again', [{ field: 'recordId', message: '表单已失效 / the form expired' }]);
    try {
      await enterRemedyRecord(remedyDeps(), actor, caseNumber, { ...form, decidedOn: form.decidedOn || null } as RemedyEntry);
    } catch (err) {
      if (err instanceof RemedyRefusal) throw new HttpError(err.status, err.code, err.message);
      if (!(err instanceof InvalidInputError)) throw err;
      // Back to the form with what was typed (the same record id: a corrected resubmission saves once).
      const problems = err.problems.map((p) => ({ field: p.field, message: p.message }));
      return remedyPage(request, reply, caseNumber, { form, flash: { kind: 'error', text: '未保存：请更正以下各项', problems }, status: 400 });
    }
    return reply.redirect(`/cases/${encodeURIComponent(caseNumber)}/remedies`, 303);
  });
}

type PageFlash = { kind: 'ok' | 'error'; text: string; problems?: { field: string; message: string }[] };

async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RemedyRefusal) throw new HttpError(err.status, err.code, err.message);
    throw err;
  }
}

/** Both tables as printed: table 三's nested row labels merged down (rowspan), its column headers merged across. */
function reportView(report: AnnualReport) {
  const three = report.tableThree;
  const labelRows = REPORT_ROWS.map((row) => tableThreeRowLabels(row).filter((label) => label !== ''));
  const sameUpTo = (a: readonly string[] | undefined, b: readonly string[], level: number) => a !== undefined && b.slice(0, level + 1).every((label, i) => a[i] === label);
  const rows = REPORT_ROWS.map((row, index) => {
    const labels = labelRows[index]!;
    const cells = labels.flatMap((label, level) => {
      const last = level === labels.length - 1;
      if (!last && sameUpTo(labelRows[index - 1], labels, level)) return [];
      let span = 1;
      while (!last && sameUpTo(labelRows[index + span], labels, level)) span += 1;
      return [{ label, rowspan: span, colspan: last ? TABLE_THREE_LABEL_COLUMNS - level : 1 }];
    });
    return { code: row, labels: cells, values: REPORT_COLUMNS.map((column) => ({ column, count: three.cells[row][column] })) };
  });
  const parents: { label: string; colspan: number; rowspan: number }[] = [];
  for (const column of REPORT_COLUMNS) {
    const { label, parent } = REPORT_COLUMN_DEFINITIONS[column];
    const previous = parents.at(-1);
    if (parent === null) parents.push({ label, colspan: 1, rowspan: 2 });
    else if (previous && previous.label === parent && previous.rowspan === 1) previous.colspan += 1;
    else parents.push({ label: parent, colspan: 1, rowspan: 1 });
  }
  const children = REPORT_COLUMNS.filter((c) => REPORT_COLUMN_DEFINITIONS[c].parent !== null).map((c) => REPORT_COLUMN_DEFINITIONS[c].label);
  const four = report.tableFour;
  return {
    tableThreeTitle: TABLE_THREE_TITLE,
    tableFourTitle: TABLE_FOUR_TITLE,
    headerNote: REPORT_TABLE_HEADER_NOTE,
    labelColumns: TABLE_THREE_LABEL_COLUMNS,
    columnCount: REPORT_COLUMNS.length,
    parents,
    children,
    rows,
    notReceived: three.notReceived,
    remedySuitGroups: REMEDY_GROUPS.filter((g) => REMEDY_GROUP_LABELS[g].parent !== null).map((g) => REMEDY_GROUP_LABELS[g].label),
    remedyColumnCount: REMEDY_COUNT_COLUMNS.length,
    remedySuitColumnCount: REMEDY_COUNT_COLUMNS.length * 2,
    remedyHeaders: REMEDY_GROUPS.flatMap((group) => REMEDY_COUNT_COLUMNS.map((column) => ({ group, label: REMEDY_COUNT_LABELS[column] }))),
    remedyCells: REMEDY_GROUPS.flatMap((group) => REMEDY_COUNT_COLUMNS.map((column) => ({ group, column, count: four.cells[group][column] }))),
    resultDateBasis: report.resultDateBasis === 'closure' ? '办结日期' : '答复送达日期（无则办结日期）',
    remedyYearBasis: report.remedyYearBasis === 'filed' ? '本年立案' : '本年审结及尚未审结',
  };
}
