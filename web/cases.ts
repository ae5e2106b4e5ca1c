import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Application } from '../domain/application';
import { actorOf, type UserConfig } from '../domain/gongkai-config';
import { isSupportedAction } from '../domain/case-actions';
import { agencyCodeOfCaseNumber } from '../domain/numbering';
import { ACTION_PERMISSIONS, type Action, type Actor, authorize, permittedActions } from '../domain/roles';
import { InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import { actOnCase, requireWorker, resolvePayload, withAnswerTimeout } from '../workers/case-client';
import { listOpenCases, type OpenCaseFilters, type OpenCaseRow, workingDayCalendar } from '../workers/case-list';
import { stuckAmong } from '../workers/stuck-cases';
import { STUCK_ALERT_KIND, type StuckCase } from '../activities/stuck-cases';
import { registrationRefused, submitApplication } from '../workers/intake';
import type { LoadedConfig } from '../workers/load-config';
import { applicationQuery, caseViewQuery, type CaseView } from '../workflows/request/messages';
import { HttpError } from './errors';

// What the web app does for a signed-in person, for the API and the pages alike: thin over Temporal and the
// register. Which agency's cases a person sees is decided here (domain/roles scopes); what a person may do to a
// case is decided by the workflow's validator, which checks again whatever this layer let through.

export interface CaseServiceDeps {
  config: LoadedConfig;
  client: Client;
  register: Register;
}

/** A signed-in person: their configuration entry and the actor the workflow checks. */
export interface SignedIn {
  user: UserConfig;
  actor: Actor;
}

export function signedInAs(config: Pick<LoadedConfig, 'users'>, userId: string | undefined): SignedIn | undefined {
  const user = userId === undefined ? undefined : config.users.find((u) => u.id === userId);
  return user ? { user, actor: actorOf(user) } : undefined;
}

/** The agencies whose cases a person sees: their own, or all for a supervisor with all-agency scope. */
export function visibleAgencies(config: Pick<LoadedConfig, 'agencies'>, actor: Actor): string[] {
  return actor.scope === 'all-agencies' ? config.agencies.map((a) => a.code) : [actor.agencyCode];
}

/** A case as staff see it: from its workflow while Temporal holds it open, else the register's record. */
type RegisterDocumentRow = NonNullable<Awaited<ReturnType<Register['readCase']>>>['documents'][number];
export type CaseRecord =
  | { source: 'workflow'; view: CaseView }
  | { source: 'register'; record: Awaited<ReturnType<Register['closedCases']>>[number] & { documents: RegisterDocumentRow[] } };

export function createCaseService({ config, client, register }: CaseServiceDeps) {
  const temporalSettings = config.temporal;
  const agencyOf = (code: string) => config.agencies.find((a) => a.code === code);

  /** Only case staff and supervisors see cases at all (domain/roles `view-case`): an admin runs the system, not cases. */
  const assertMaySeeCases = (actor: Actor): void => {
    const roles = ACTION_PERMISSIONS['view-case'].roles;
    if (!actor.roles.some((role) => roles.includes(role))) throw new HttpError(403, 'wrong-role', '查看案件仅限办案人员和督办人员 / case staff and supervisors only');
  };

  const assertVisible = (actor: Actor, agencyCode: string): void => {
    assertMaySeeCases(actor);
    if (!visibleAgencies(config, actor).includes(agencyCode)) throw new HttpError(403, 'wrong-agency', '该案件不属于您所在的机关 / not a case of your agency');
  };

  /** Is the case's workflow open? Unknown to Temporal (retention passed): the register answers. */
  const isRunning = async (caseNumber: string): Promise<boolean> => {
    try {
      return (await client.workflow.getHandle(caseNumber).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };

  const service = {
    config,

    listOpen(actor: Actor, filters: OpenCaseFilters = {}): Promise<OpenCaseRow[]> {
      assertMaySeeCases(actor);
      const agencies = visibleAgencies(config, actor);
      if (filters.agency !== undefined && !agencies.includes(filters.agency)) {
        throw new HttpError(403, 'wrong-agency', 'agency: 不能查看其他机关的案件 / not an agency you may see', [{ field: 'agency', message: '不能查看其他机关的案件 / not an agency you may see' }]);
      }
      return listOpenCases(client, register, { ...filters, agencies });
    },

    /**
     * Escalations sent (overdue reminders, `overdue:<deadline kind>` in the email ledger) for cases of the agencies
     * this person sees, newest first. Recipients are staff addresses; letters to applicants are not listed.
     */
    async escalationsSent(actor: Actor, limit = 200): Promise<{ caseNumber: string; deadlineKind: string; recipient: string; status: string; at: string }[]> {
      const agencies = visibleAgencies(config, actor);
      const rows = (await register.emailLedger()).filter((row) => row.kind.startsWith('overdue:') && row.case_number !== null && agencies.includes(agencyCodeOfCaseNumber(row.case_number!)));
      return rows
        .map((row) => ({ caseNumber: row.case_number!, deadlineKind: row.kind.slice('overdue:'.length), recipient: row.recipient, status: row.status, at: row.sent_at ?? row.reserved_at }))
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, limit);
    },

    /**
     * Cases of the agencies this person sees whose workflow task keeps failing, for the supervisor board: those the
     * workers' stuck-case check has alerted admins about (`stuck-case` in the email ledger; workers/stuck-cases.ts),
     * described again now, so that only those still stuck show — a describe per alerted case, not per open case.
     */
    async stuckCases(actor: Actor): Promise<StuckCase[]> {
      assertMaySeeCases(actor);
      const agencies = visibleAgencies(config, actor);
      // A case stuck now was alerted on today, or yesterday if today's check has not run yet.
      const recent = new Date(Date.now() - 2 * 86_400_000).toISOString();
      const alerted = new Set<string>();
      for (const row of await register.emailLedger()) {
        if (row.kind !== STUCK_ALERT_KIND || row.case_number === null || row.reserved_at < recent) continue;
        if (agencies.includes(agencyCodeOfCaseNumber(row.case_number))) alerted.add(row.case_number);
      }
      const candidates = [...alerted].map((caseNumber) => ({ caseNumber, agencyCode: agencyCodeOfCaseNumber(caseNumber) }));
      return stuckAmong(client, candidates, { namespace: temporalSettings.namespace, minAttempts: config.monitoring.stuckAfterAttempts });
    },

    /** The statutory working-day calendar (shipped notices, and those loaded into the register). */
    calendar: () => workingDayCalendar(register),

    /** The register itself, for the annual report and review and suit records (web/report-pages.ts checks who may). */
    reportRegister: (): Register => register,

    listClosed(actor: Actor, limit?: number) {
      assertMaySeeCases(actor);
      return register.closedCases({ agencies: visibleAgencies(config, actor), ...(limit ? { limit } : {}) });
    },

    /** The case view (no personal data); 404 for no case, 403 for another agency's. */
    async view(actor: Actor, caseNumber: string): Promise<CaseRecord> {
      if (await isRunning(caseNumber)) {
        await requireWorker(client, temporalSettings);
        const view = await withAnswerTimeout(client, 'the case query', () => client.workflow.getHandle(caseNumber).query(caseViewQuery));
        assertVisible(actor, view.agencyCode);
        return { source: 'workflow', view };
      }
      const stored = await register.readCase(caseNumber);
      if (!stored) throw new HttpError(404, 'not-found', `no case ${caseNumber}`);
      assertVisible(actor, stored.agency_code);
      if (stored.stage !== 'awaiting-archive' && stored.stage !== 'archived') throw new HttpError(404, 'not-found', `case ${caseNumber} is neither open nor closed`);
      const { case_number, agency_code, received_on, stage, handler_id, outcome, report_row, reply_due, dispatched_on, closed_on } = stored;
      const record = { case_number, agency_code, received_on, stage, handler_id, outcome, report_row, reply_due, dispatched_on, closed_on };
      return { source: 'register', record: { ...record, documents: stored.documents } };
    },

    /** The actions this person may take on the case now (domain/roles): the forms the case page offers. */
    permitted(actor: Actor, view: CaseView): Action[] {
      const agency = agencyOf(view.agencyCode);
      if (!agency) return [];
      // The rules the case started with (the workflow checks against those), else the configuration's.
      const rules = view.permissionRules ?? agency.permissionRules;
      return permittedActions(actor, { stage: view.stage, agencyCode: view.agencyCode, participants: { handlerId: view.handlerId, drafterIds: view.drafterIds, reviewerIds: view.reviewerIds } }, rules).filter(
        // Only acts: permissions to view are not actions, and a permission without a payload schema cannot be taken yet.
        (action) => isSupportedAction(action),
      );
    },

    /** Takes an action (the workflow decides); `updateId` makes a repeated submission act once. */
    async act(actor: Actor, caseNumber: string, input: { action: string; data?: unknown; updateId?: string }): Promise<CaseView> {
      if (!(await isRunning(caseNumber))) {
        if (await register.readCase(caseNumber)) throw new HttpError(409, 'case-closed', '案件已办结，不能再办理 / the case is closed');
        throw new HttpError(404, 'not-found', `no case ${caseNumber}`);
      }
      await requireWorker(client, temporalSettings);
      const data = resolvePayload(config, input.action, input.data ?? {});
      return withAnswerTimeout(client, `the ${input.action} update`, () => actOnCase(client, caseNumber, { action: input.action, actor, data, updateId: input.updateId ?? randomUUID() }));
    },

    /** Registers a request (registrars of the application's agency); the same submission id again returns the same case. */
    async submit(actor: Actor, submission: { submissionId: string; application: unknown }): Promise<{ caseNumber: string; created: boolean }> {
      const refused = registrationRefused(config, actor, submission.application);
      if (refused?.reason === 'wrong-role') throw new HttpError(403, refused.reason, refused.message);
      if (refused) throw new HttpError(403, refused.reason, `${refused.field}: ${refused.message}`, [{ field: refused.field, message: refused.message }]);
      await requireWorker(client, temporalSettings);
      try {
        return await submitApplication({ client, register, config }, { ...submission, registeredBy: actor.userId });
      } catch (err) {
        // The application's problems name its fields; here they sit under `application` in the body.
        if (err instanceof InvalidInputError && err.problems.some((p) => p.field !== 'submissionId')) {
          throw new InvalidInputError(err.subject, err.problems.map((p) => (p.field === 'submissionId' ? p : { ...p, field: p.field === '(root)' ? 'application' : `application.${p.field}` })));
        }
        throw err;
      }
    },

    /**
     * The application with the applicant's personal data, for those the permission table lets see it (the
     * assigned handler and the case staff of the agency): every view is written to the case's audit trail.
     */
    async application(actor: Actor, caseNumber: string): Promise<Application> {
      const found = await mayOpenPersonalData(actor, caseNumber);
      await auditView(caseNumber, actor, 'view-personal-data');
      if (found.source === 'workflow') return client.workflow.getHandle(caseNumber).query(applicationQuery) as Promise<Application>;
      return (await register.readCase(caseNumber))!.application as Application;
    },

    /** A stored letter: it names the applicant, so the same people as the application, and each download is audited. */
    async document(actor: Actor, documentId: string): Promise<{ content: Buffer; mediaType: string; fileName: string }> {
      const caseNumber = documentId.split('/')[0] ?? '';
      const stored = await register.readCase(caseNumber);
      const listed = stored?.documents.find((d) => d.document_id === documentId);
      if (!stored || !listed) throw new HttpError(404, 'not-found', `no document ${documentId}`);
      await mayOpenPersonalData(actor, caseNumber);
      const document = await register.readDocument(documentId);
      if (!document) throw new HttpError(404, 'not-found', `no document ${documentId}`);
      await auditView(caseNumber, actor, 'download-document');
      return { content: document.content, mediaType: document.mediaType, fileName: documentId.split('/').slice(1).join('-') };
    },
  };

  /**
   * The case, if this person may open its personal data (domain/roles `view-personal-data`: the assigned handler and
   * the agency's case staff — not supervisors, who watch deadlines); 403 otherwise.
   */
  async function mayOpenPersonalData(actor: Actor, caseNumber: string): Promise<CaseRecord> {
    const found = await service.view(actor, caseNumber);
    const stage = found.source === 'workflow' ? found.view.stage : (found.record.stage as CaseView['stage']);
    const agencyCode = found.source === 'workflow' ? found.view.agencyCode : found.record.agency_code;
    const participants =
      found.source === 'workflow'
        ? { handlerId: found.view.handlerId, drafterIds: found.view.drafterIds, reviewerIds: found.view.reviewerIds }
        : { handlerId: found.record.handler_id, drafterIds: [], reviewerIds: [] };
    const allowed = authorize({ actor, action: 'view-personal-data', caseStage: stage, caseAgency: agencyCode, caseParticipants: participants, rules: agencyOf(agencyCode)!.permissionRules });
    if (!allowed.ok) throw new HttpError(403, allowed.code, allowed.message);
    return found;
  }

  /** One audit-trail entry per view of personal data (who, when, what), in the register beside the case's events. */
  async function auditView(caseNumber: string, actor: Actor, action: string): Promise<void> {
    await register.recordCaseEvent({ caseNumber, eventKey: `${caseNumber}:view:${randomUUID()}`, at: new Date().toISOString(), actorId: actor.userId, action, changes: {} });
  }

  return service;
}

export type CaseService = ReturnType<typeof createCaseService>;
