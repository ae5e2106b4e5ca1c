import { z } from 'zod';

// The stages a request passes through, one workflow per request (DESIGN.md; legal.md §2.2 and §6). The middle
// stages follow the five questions of the Jiangsu specification (补不补, 该不该, 有没有, 给不给, 当不当).
//
// 当不当 is split into four stages of its own (drafting 拟稿, review 审核, sign-off 签发, dispatch 送达) rather
// than sub-stages of one: each is done by a different person under a different permission, a supervisor's list
// must tell "waiting for sign-off" from "being drafted" through the single GkStage search attribute, and a
// reviewer or signer sends the case back to an earlier stage, which is an ordinary stage transition below.
// Consultations (Arts. 32, 34), fee notices and Art. 35 reason requests are not stages: the case stays where it
// is while the clock pauses, as the clock (clock.ts) models them.

/** The five questions of the Jiangsu specification, plus intake before them and archiving after them. */
export const PHASES = ['intake', 'completeness', 'scope', 'existence', 'disclosure', 'reply', 'archive'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  intake: '接收登记',
  completeness: '补不补',
  scope: '该不该',
  existence: '有没有',
  disclosure: '给不给',
  reply: '当不当',
  archive: '归档',
};

export const STAGES = [
  'awaiting-confirmation',
  'registered',
  'completeness-check',
  'awaiting-correction',
  'scope-check',
  'search',
  'disclosure-decision',
  'drafting',
  'review',
  'sign-off',
  'dispatch',
  'awaiting-archive',
  'archived',
] as const;
export type Stage = (typeof STAGES)[number];
export const stageSchema = z.enum(STAGES);

export interface StageDefinition {
  label: string;
  phase: Phase;
  /** What the case waits for in this stage, for the case view. */
  description: string;
}

export const STAGE_DEFINITIONS: Record<Stage, StageDefinition> = {
  'awaiting-confirmation': {
    label: '待确认',
    phase: 'intake',
    description: '平信、互联网、传真提交的申请，待与申请人确认收到申请之日（条例第三十一条）',
  },
  registered: { label: '已登记', phase: 'intake', description: '收到申请之日已确定，待分派承办人' },
  'completeness-check': { label: '申请审查', phase: 'completeness', description: '审查申请内容是否明确、是否需要补正（条例第三十条）' },
  'awaiting-correction': { label: '待补正', phase: 'completeness', description: '已一次性告知补正，等待申请人补正' },
  'scope-check': {
    label: '职责区分判断',
    phase: 'scope',
    description: '判断是否作为本机关的政府信息公开申请处理（条例第三十五条、第三十六条第五至七项、第三十九条）',
  },
  search: { label: '信息检索确认', phase: 'existence', description: '查找、检索并记录检索情况，确认信息是否存在' },
  'disclosure-decision': {
    label: '内容研判决定',
    phase: 'disclosure',
    description: '逐项决定是否公开，必要时征求第三方或共同制作机关意见',
  },
  drafting: { label: '拟稿', phase: 'reply', description: '拟写答复书' },
  review: { label: '审核', phase: 'reply', description: '审核答复书' },
  'sign-off': { label: '签发', phase: 'reply', description: '签发答复书' },
  dispatch: { label: '送达', phase: 'reply', description: '送达答复书并记录交邮或签收日期' },
  'awaiting-archive': { label: '待归档', phase: 'archive', description: '已答复或已终止办理，待整理归档' },
  archived: { label: '已归档', phase: 'archive', description: '已归档' },
};

/** The stages a new case starts in: T0 still to be confirmed (Art. 31(2)-(3)) or already fixed. */
export const INITIAL_STAGES: readonly Stage[] = ['awaiting-confirmation', 'registered'];

/** After these the reply has been made (or processing ended). */
export const CLOSED_STAGES = ['awaiting-archive', 'archived'] as const satisfies readonly Stage[];

/** The request is still being processed. */
export const OPEN_STAGES: readonly Stage[] = STAGES.filter((stage) => !(CLOSED_STAGES as readonly Stage[]).includes(stage));

export function isOpenStage(stage: Stage): boolean {
  return (OPEN_STAGES as readonly Stage[]).includes(stage);
}

/**
 * Where a case may go from each stage. A withdrawal (撤回) ends processing from any open stage, hence
 * 'awaiting-archive' everywhere. Reaching 'drafting' early means a reply without the later questions: a
 * procedural outcome (still unclear after correction, not a GIP request for this agency, information not held…).
 */
export const STAGE_TRANSITIONS: Record<Stage, readonly Stage[]> = {
  'awaiting-confirmation': ['registered', 'awaiting-archive'],
  registered: ['completeness-check', 'awaiting-archive'],
  // To drafting: still unclear after a correction (annual-report row 三.4.3).
  'completeness-check': ['awaiting-correction', 'scope-check', 'drafting', 'awaiting-archive'],
  // Back to the check once the correction arrives (a further notice is then possible); to drafting when the
  // applicant did not correct in time and the case is closed as abandoned (Art. 30; row 三.6.1).
  'awaiting-correction': ['completeness-check', 'drafting', 'awaiting-archive'],
  'scope-check': ['search', 'drafting', 'awaiting-archive'],
  // To drafting: not held (Art. 36(4)) or would need creating (Art. 38).
  search: ['disclosure-decision', 'drafting', 'awaiting-archive'],
  'disclosure-decision': ['drafting', 'awaiting-archive'],
  drafting: ['review', 'awaiting-archive'],
  // A reviewer who finds the search, scope or decision wrong sends the case back there, not only to drafting.
  review: ['sign-off', 'drafting', 'disclosure-decision', 'search', 'scope-check', 'awaiting-archive'],
  'sign-off': ['dispatch', 'drafting', 'awaiting-archive'],
  dispatch: ['awaiting-archive'],
  // A failed delivery (bounce, returned post) reopens delivery by another method.
  'awaiting-archive': ['archived', 'dispatch'],
  archived: [],
};

export function isAllowedTransition(from: Stage, to: Stage): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}
