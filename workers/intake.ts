import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { applicantReportColumn, parseApplication, receiptDate } from '../domain/application';
import { beijingDateOf } from '../domain/dates';
import { type AgencyConfig, clockRulesOf, findAgency, type GongkaiConfig } from '../domain/gongkai-config';
import { type Actor, registrationRefusal } from '../domain/roles';
import { InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import { type RequestWorkflowInput, REQUEST_WORKFLOW_TYPE } from '../workflows/request/messages';
import { AgencyCode, Stage } from '../workflows/search-attributes';

export interface IntakeDeps {
  client: Client;
  register: Pick<Register, 'registerCase'>;
  config: Pick<GongkaiConfig, 'agencies' | 'temporal'>;
  now?: () => Date;
  /** History length after which cases continue as new (default in the workflow). */
  continueAsNewAfterEvents?: number;
}

export interface Submission {
  /** The client's id for this submission (form token, portal id): the same id always yields the same case. */
  submissionId: string;
  application: unknown;
  /** The staff user registering it (registrar), or the portal's service account. */
  registeredBy: string;
}

const SUBMISSION_ID = /^[A-Za-z0-9._:-]{8,100}$/;

/**
 * Why `actor` may not register `application` (registrars only, to their own agency), naming the field at fault, or
 * undefined. An application naming no configured agency is left to submitApplication to refuse.
 */
export function registrationRefused(config: Pick<GongkaiConfig, 'agencies'>, actor: Actor, application: unknown): { reason: 'wrong-role' | 'wrong-agency'; field: 'actor' | 'application.agencyCode'; message: string } | undefined {
  const agencyCode = (application as { agencyCode?: unknown } | null)?.agencyCode;
  const known = typeof agencyCode === 'string' && findAgency(config, agencyCode) ? agencyCode : undefined;
  const refusal = registrationRefusal(actor, known);
  return refusal && { ...refusal, field: refusal.reason === 'wrong-role' ? 'actor' : 'application.agencyCode' };
}

/**
 * The one intake path (CLI now, web app later): validate, allocate the case number in the register keyed by the
 * submission id, then start the case's workflow with the case number as workflow ID and the conflict policy
 * USE_EXISTING. A double submit or a retried call therefore yields exactly one case, whichever step it repeats.
 */
export async function submitApplication(deps: IntakeDeps, submission: Submission): Promise<{ caseNumber: string; created: boolean }> {
  if (!SUBMISSION_ID.test(submission.submissionId ?? '')) {
    throw new InvalidInputError('Submission', [{ field: 'submissionId', message: '应为8-100位字母、数字或 ._:- / expected 8-100 of A-Z a-z 0-9 . _ : -' }]);
  }
  const application = parseApplication(submission.application);
  const agency = findAgency(deps.config, application.agencyCode);
  if (!agency) {
    throw new InvalidInputError('Application', [{ field: 'agencyCode', label: '受理机关', message: '未配置的机关 / not a configured agency' }]);
  }
  const receipt = receiptDate(application);
  const registeredAt = (deps.now?.() ?? new Date()).toISOString();
  const { caseNumber, created, closed } = await deps.register.registerCase({
    agencyCode: agency.code,
    submissionId: submission.submissionId,
    registeredAt,
    registrationYear: Number(beijingDateOf(registeredAt).slice(0, 4)),
    receivedOn: receipt.status === 'received' ? receipt.receivedOn : null,
    channel: application.channel.kind,
    applicantColumn: applicantReportColumn(application.applicant),
    stage: receipt.status === 'received' ? 'registered' : 'awaiting-confirmation',
    actorId: submission.registeredBy,
    application,
    idDocument: { kind: application.applicant.idDocument.kind, number: application.applicant.idDocument.number },
  });
  // A case closed and archived long ago (perhaps past Temporal's retention) is never restarted by a resubmission.
  if (closed) return { caseNumber, created: false };
  const input: RequestWorkflowInput = {
    caseNumber,
    agencyCode: agency.code,
    application,
    receipt,
    registeredAt,
    registeredBy: submission.registeredBy,
    rules: caseRules(agency),
    ...(deps.continueAsNewAfterEvents ? { continueAsNewAfterEvents: deps.continueAsNewAfterEvents } : {}),
  };
  try {
    await deps.client.workflow.start(REQUEST_WORKFLOW_TYPE, {
      workflowId: caseNumber,
      taskQueue: deps.config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: AgencyCode, value: agency.code },
        { key: Stage, value: receipt.status === 'received' ? 'registered' : 'awaiting-confirmation' },
      ],
    });
  } catch (err) {
    // A closed run of this case (archived): the case exists, nothing to start.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { caseNumber, created };
}

/** The agency's rules for a new case, with the defaults for what the agency does not override. */
export function caseRules(agency: AgencyConfig): RequestWorkflowInput['rules'] {
  return {
    clock: clockRulesOf(agency),
    permissions: agency.permissionRules,
    outcome: agency.outcomeRules,
    feeRuleEnabled: agency.feeRuleEnabled,
    remedy: agency.remedy,
    documentNumberFormats: agency.documentNumberFormats,
    reminders: agency.reminders,
  };
}
