import { z } from 'zod';
import { type IsoDate, isoDateSchema, withWeekday } from '../../domain/dates';
import { STAGE_DEFINITIONS, stageSchema } from '../../domain/stages';

// The daily digest (每日督办) to a supervisor: its context, checked before rendering, and how an agency's lists of
// open cases become that context. Case numbers, stages and staff ids only: no applicant data. The wording lives in
// digest.{subject,text,html}.hbs beside this file.

const digestCaseSchema = z.strictObject({
  caseNumber: z.string().min(1),
  /** The stage's Chinese label, e.g. 申请审查. */
  stage: z.string().min(1),
  /** The handler's staff id, or 未分派. */
  handler: z.string().min(1),
  /** The reply deadline with its weekday, or why there is none (计时暂停). */
  replyDue: z.string().min(1),
  caseUrl: z.url(),
});

export const digestEmailSchema = z.strictObject({
  agencyCode: z.string().min(1),
  agencyName: z.string().min(1),
  recipientName: z.string().min(1),
  /** The Beijing day the digest is for. */
  day: isoDateSchema,
  dayLabel: z.string().min(1),
  dueWithinWorkingDays: z.number().int().min(1),
  overdue: z.array(digestCaseSchema),
  dueSoon: z.array(digestCaseSchema),
  paused: z.array(digestCaseSchema),
  boardUrl: z.url(),
});
export type DigestEmail = z.output<typeof digestEmailSchema>;

/** An open case as the supervisor lists have it (workers/case-list.ts OpenCaseRow). */
export interface DigestCase {
  caseNumber: string;
  stage: string | null;
  handler: string | null;
  replyDue: IsoDate | null;
}

export interface DigestLists {
  overdue: readonly DigestCase[];
  dueSoon: readonly DigestCase[];
  paused: readonly DigestCase[];
}

function stageLabel(stage: string | null): string {
  const known = stageSchema.safeParse(stage);
  return known.success ? STAGE_DEFINITIONS[known.data].label : (stage ?? '（未知）');
}

export function digestEmailOf(
  lists: DigestLists,
  context: { agencyCode: string; agencyName: string; recipientName: string; day: IsoDate; dueWithinWorkingDays: number; boardUrl: string; caseUrl: (caseNumber: string) => string },
): DigestEmail {
  const row = (c: DigestCase) => ({
    caseNumber: c.caseNumber,
    stage: stageLabel(c.stage),
    handler: c.handler ?? '未分派',
    // A paused clock has no running reply deadline (the search attribute is empty while paused).
    replyDue: c.replyDue === null ? '计时暂停，待恢复后重新计算' : withWeekday(c.replyDue),
    caseUrl: context.caseUrl(c.caseNumber),
  });
  return {
    agencyCode: context.agencyCode,
    agencyName: context.agencyName,
    recipientName: context.recipientName,
    day: context.day,
    dayLabel: withWeekday(context.day),
    dueWithinWorkingDays: context.dueWithinWorkingDays,
    overdue: lists.overdue.map(row),
    dueSoon: lists.dueSoon.map(row),
    paused: lists.paused.map(row),
    boardUrl: context.boardUrl,
  };
}
