import { z } from 'zod';
import { beijingDateOf, beijingDateTimeOf, isoDateSchema } from '../../domain/dates';

// The alert to admins about a stuck case (a workflow task failing again and again): its context, checked before
// rendering, and how a finding becomes that context. The wording is in stuck-case.{subject,text,html}.hbs. The failure
// is named by its class and Temporal's cause only: a failure's message may quote the application.

export const stuckCaseEmailSchema = z.strictObject({
  caseNumber: z.string().min(1),
  agencyName: z.string().min(1),
  recipientName: z.string().min(1),
  attempts: z.number().int().min(1),
  /** The first failure of the run of failures, Beijing time. */
  since: z.string().min(1),
  /** `Error`, `DeterminismViolationError`, …, or the cause where the class is not known. */
  failureClass: z.string().min(1),
  failureMeaning: z.string().min(1),
  checkedAt: z.string().min(1),
  caseUrl: z.url(),
  sentFor: isoDateSchema,
});
export type StuckCaseEmail = z.output<typeof stuckCaseEmailSchema>;

/** Temporal's workflow task failure causes (WORKFLOW_TASK_FAILED_CAUSE_…, prefix dropped) as staff read them. */
const CAUSE_MEANINGS: Record<string, string> = {
  WORKFLOW_WORKER_UNHANDLED_FAILURE: '工作流代码抛出未处理的异常',
  NON_DETERMINISTIC_ERROR: '非确定性错误：工作流代码与该案件已有的执行历史不一致，多见于不兼容的部署',
  WORKFLOW_TASK_TIMED_OUT: '工作流任务超时：worker 未在时限内完成',
};

export interface StuckCaseFinding {
  caseNumber: string;
  attempts: number;
  /** ISO instant of the first failure. */
  since: string;
  errorClass: string | null;
  cause: string | null;
}

export function stuckCaseEmailOf(
  stuck: StuckCaseFinding,
  context: { agencyName: string; recipientName: string; caseUrl: string; checkedAt: string },
): StuckCaseEmail {
  return {
    caseNumber: stuck.caseNumber,
    agencyName: context.agencyName,
    recipientName: context.recipientName,
    attempts: stuck.attempts,
    since: beijingDateTimeOf(stuck.since),
    failureClass: stuck.errorClass ?? stuck.cause ?? '未知',
    failureMeaning: (stuck.cause === null ? undefined : CAUSE_MEANINGS[stuck.cause]) ?? (stuck.cause === null ? '原因未知' : `Temporal 原因代码 ${stuck.cause}`),
    checkedAt: beijingDateTimeOf(context.checkedAt),
    caseUrl: context.caseUrl,
    sentFor: beijingDateOf(context.checkedAt),
  };
}
