import { z } from 'zod';
import { CLOSED_STAGES, OPEN_STAGES, STAGE_DEFINITIONS, type Stage } from './stages';

// Who may do what, and when. Workflow update validators call `authorize` before an action enters history; the
// web app calls `permittedActions` to show only the forms a user may use now. Both read the one table below.

export const ROLES = ['registrar', 'handler', 'reviewer', 'gip-office-head', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  registrar: '登记员',
  handler: '承办人',
  reviewer: '审核人',
  'gip-office-head': '政府信息公开工作机构负责人',
  supervisor: '督办人',
  // Runs the system (users, configuration); has no part in any case.
  admin: '系统管理员',
};

/** Which agencies' cases a person may see and act on. Only supervisors may reach beyond their own agency. */
export const ACTOR_SCOPES = ['own-agency', 'all-agencies'] as const;
export type ActorScope = (typeof ACTOR_SCOPES)[number];

export const actorSchema = z
  .object({
    /** Staff account id, never a name: it appears in histories and search attributes. */
    userId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'userId must be 1-64 of A-Z a-z 0-9 . _ -'),
    roles: z.array(z.enum(ROLES)).min(1, 'at least one role'),
    agencyCode: z.string().min(1).max(64),
    scope: z.enum(ACTOR_SCOPES).default('own-agency'),
  })
  .refine((actor) => actor.scope === 'own-agency' || actor.roles.includes('supervisor'), {
    message: 'all-agencies scope is for supervisors only',
    path: ['scope'],
  });
export type Actor = z.output<typeof actorSchema>;

/** Why `actor` may not register a request to `agencyCode` (a configured agency, when known), or undefined if they may. */
export function registrationRefusal(actor: Actor, agencyCode: string | undefined): { reason: 'wrong-role' | 'wrong-agency'; message: string } | undefined {
  if (!actor.roles.includes('registrar')) return { reason: 'wrong-role', message: '登记申请仅限登记员 / registrars only' };
  if (agencyCode !== undefined && agencyCode !== actor.agencyCode) return { reason: 'wrong-agency', message: '只能登记本机关收到的申请 / only requests to your own agency' };
  return undefined;
}

export const ACTIONS = [
  'confirm-receipt',
  'assign-handler',
  'reassign-handler',
  'hand-over',
  'request-correction',
  'record-correction-received',
  'record-correction-lapsed',
  'record-completeness-finding',
  'request-reasons',
  'record-reasons-received',
  'set-later-reply-deadline',
  'decide-scope',
  'record-search',
  'record-item-decision',
  'start-third-party-consultation',
  'record-third-party-opinion',
  'start-co-maker-consultation',
  'record-co-maker-opinion',
  'notify-third-party-of-disclosure',
  'refer-for-determination',
  'record-referral-answer',
  'conclude-disclosure-decision',
  'send-fee-notice',
  'record-fee-payment',
  'record-fee-lapsed',
  'request-extension',
  'approve-extension',
  'draft-reply',
  'review-reply',
  'sign-off-reply',
  'record-dispatch',
  'record-delivery-failed',
  'record-withdrawal',
  'archive-case',
  'urge',
  'annotate-remedy',
  'view-case',
  'view-personal-data',
] as const;
export type Action = (typeof ACTIONS)[number];
export const actionSchema = z.enum(ACTIONS);

/** Verb phrases, so that a refusal reads "不能「签发答复书」". */
export const ACTION_LABELS: Record<Action, string> = {
  'confirm-receipt': '确认收到申请之日',
  'assign-handler': '分派承办人',
  'reassign-handler': '改派承办人',
  'hand-over': '移交承办',
  'request-correction': '发出补正告知',
  'record-correction-received': '登记收到补正',
  'record-correction-lapsed': '认定逾期未补正',
  'record-completeness-finding': '作出申请审查结论',
  'request-reasons': '要求说明理由',
  'record-reasons-received': '登记收到申请人说明的理由',
  'set-later-reply-deadline': '确定延迟答复的期限',
  'decide-scope': '作出职责区分判断',
  'record-search': '登记检索情况',
  'record-item-decision': '作出逐项公开决定',
  'start-third-party-consultation': '向第三方征求意见',
  'record-third-party-opinion': '登记第三方意见',
  'start-co-maker-consultation': '向共同制作机关征求意见',
  'record-co-maker-opinion': '登记共同制作机关意见',
  'notify-third-party-of-disclosure': '书面告知第三方决定公开',
  'refer-for-determination': '报请有关主管部门或保密行政管理部门确定',
  'record-referral-answer': '登记有关部门的确定意见',
  'conclude-disclosure-decision': '完成内容研判',
  'send-fee-notice': '发出收费通知',
  'record-fee-payment': '登记缴费',
  'record-fee-lapsed': '认定逾期未缴费',
  'request-extension': '申请延长答复期限',
  'approve-extension': '审批延长答复期限',
  'draft-reply': '拟写答复书',
  'review-reply': '审核答复书',
  'sign-off-reply': '签发答复书',
  'record-dispatch': '登记送达',
  'record-delivery-failed': '登记送达失败',
  'record-withdrawal': '登记撤回申请',
  'archive-case': '归档',
  urge: '督办催办',
  'annotate-remedy': '登记复议诉讼情况',
  'view-case': '查看案件',
  'view-personal-data': '查看申请人个人信息',
};

/** Roles that may be configured to sign off (签发). */
export const SIGN_OFF_ELIGIBLE_ROLES = ['gip-office-head', 'reviewer'] as const satisfies readonly Role[];

export const separationOfDutiesRulesSchema = z.object({
  /**
   * Small offices: the reviewer (审核) of a reply may also sign it off (签发). Default false: they must differ.
   * The drafter may never sign off, whatever the configuration.
   */
  reviewerMaySignOff: z.boolean().default(false),
  /** The drafter (拟稿) of a reply may also review it. Default false: a self-review is no review (Art. 45 审核). */
  drafterMayReview: z.boolean().default(false),
});
export type SeparationOfDutiesRules = z.output<typeof separationOfDutiesRulesSchema>;

/** An agency's permission rules, the parts legal.md leaves open, named and configurable. */
export const permissionRulesSchema = z.object({
  /**
   * UNCONFIRMED (legal.md §2.5: who signs, and at what level, is not in the visible Jiangsu text). Default: the
   * head of the GIP office, the one the Regulation names for extensions (Art. 33).
   */
  signOffRoles: z.array(z.enum(SIGN_OFF_ELIGIBLE_ROLES)).min(1).default(['gip-office-head']),
  separationOfDuties: separationOfDutiesRulesSchema.prefault({}),
});
export type PermissionRules = z.output<typeof permissionRulesSchema>;
export const DEFAULT_PERMISSION_RULES: PermissionRules = permissionRulesSchema.parse({});

export interface ActionPermission {
  roles: readonly Role[];
  stages: readonly Stage[];
  /**
   * A handler qualifies only on a case assigned to them. The GIP office head does not act as handler on a case
   * assigned to someone else: they reassign it (to themselves, if they hold the handler role), so that the
   * case's handler and its timeline always name the one person accountable (承办人).
   */
  handlerMustBeAssigned: boolean;
}

/** From assignment to dispatch: the stages in which a case has an assigned handler and is still open. */
const ASSIGNED_STAGES: readonly Stage[] = OPEN_STAGES.filter((stage) => stage !== 'awaiting-confirmation' && stage !== 'registered');

/**
 * Where the reply period runs and the reply is not yet signed, so it can still be lengthened (Arts. 33, 35). Not
 * while a correction is awaited: the period then restarts from the corrected application (Art. 30).
 */
const REPLY_PENDING_STAGES: readonly Stage[] = ASSIGNED_STAGES.filter((stage) => stage !== 'awaiting-correction' && stage !== 'dispatch');

/** The fee can be set once the number of items is known (per item) or the pages (per volume). */
const FEE_STAGES = ['scope-check', 'search', 'disclosure-decision'] as const satisfies readonly Stage[];

const EVERY_STAGE = [...OPEN_STAGES, ...CLOSED_STAGES] as const;
const CASE_STAFF = ['registrar', 'handler', 'reviewer', 'gip-office-head'] as const satisfies readonly Role[];

const assignedHandler = (stages: readonly Stage[]): ActionPermission => ({
  roles: ['handler'],
  stages,
  handlerMustBeAssigned: true,
});

/** The permission table for an agency's rules. */
export function actionPermissions(rules: PermissionRules): Record<Action, ActionPermission> {
  return {
    'confirm-receipt': { roles: ['registrar'], stages: ['awaiting-confirmation'], handlerMustBeAssigned: false },
    'assign-handler': { roles: ['registrar', 'gip-office-head'], stages: ['registered'], handlerMustBeAssigned: false },
    'reassign-handler': { roles: ['gip-office-head'], stages: ASSIGNED_STAGES, handlerMustBeAssigned: false },
    'hand-over': assignedHandler(ASSIGNED_STAGES),
    'request-correction': assignedHandler(['completeness-check']),
    // Post and counters are the registrar's; online corrections reach the handler.
    'record-correction-received': {
      roles: ['registrar', 'handler'],
      stages: ['awaiting-correction'],
      handlerMustBeAssigned: true,
    },
    'record-correction-lapsed': assignedHandler(['awaiting-correction']),
    'record-completeness-finding': assignedHandler(['completeness-check']),
    'request-reasons': assignedHandler(['scope-check']),
    'record-reasons-received': {
      roles: ['registrar', 'handler'],
      stages: ['scope-check'],
      handlerMustBeAssigned: true,
    },
    // DERIVED: like an extension (Art. 33), an Art. 35 later deadline lengthens the reply period, so the same
    // person decides it.
    'set-later-reply-deadline': {
      roles: ['gip-office-head'],
      stages: REPLY_PENDING_STAGES,
      handlerMustBeAssigned: false,
    },
    'decide-scope': assignedHandler(['scope-check']),
    'record-search': assignedHandler(['search']),
    'record-item-decision': assignedHandler(['disclosure-decision']),
    'start-third-party-consultation': assignedHandler(['disclosure-decision']),
    'record-third-party-opinion': assignedHandler(['disclosure-decision']),
    'start-co-maker-consultation': assignedHandler(['disclosure-decision']),
    'record-co-maker-opinion': assignedHandler(['disclosure-decision']),
    'notify-third-party-of-disclosure': assignedHandler(['disclosure-decision']),
    'refer-for-determination': assignedHandler(['disclosure-decision']),
    'record-referral-answer': assignedHandler(['disclosure-decision']),
    'conclude-disclosure-decision': assignedHandler(['disclosure-decision']),
    'send-fee-notice': assignedHandler(FEE_STAGES),
    'record-fee-payment': { roles: ['registrar', 'handler'], stages: FEE_STAGES, handlerMustBeAssigned: true },
    'record-fee-lapsed': assignedHandler(FEE_STAGES),
    'request-extension': assignedHandler(REPLY_PENDING_STAGES),
    // Art. 33: an extension needs the consent of the head of the GIP office (政府信息公开工作机构负责人).
    'approve-extension': { roles: ['gip-office-head'], stages: REPLY_PENDING_STAGES, handlerMustBeAssigned: false },
    'draft-reply': assignedHandler(['drafting']),
    'review-reply': { roles: ['reviewer'], stages: ['review'], handlerMustBeAssigned: false },
    'sign-off-reply': { roles: rules.signOffRoles, stages: ['sign-off'], handlerMustBeAssigned: false },
    'record-dispatch': { roles: ['registrar', 'handler'], stages: ['dispatch'], handlerMustBeAssigned: true },
    // A bounce or returned post arrives after dispatch was recorded: delivery reopens.
    'record-delivery-failed': { roles: ['registrar', 'handler'], stages: ['awaiting-archive'], handlerMustBeAssigned: true },
    'record-withdrawal': { roles: ['registrar', 'handler'], stages: OPEN_STAGES, handlerMustBeAssigned: true },
    'archive-case': { roles: ['registrar', 'handler'], stages: ['awaiting-archive'], handlerMustBeAssigned: true },
    urge: { roles: ['supervisor', 'gip-office-head'], stages: OPEN_STAGES, handlerMustBeAssigned: false },
    'annotate-remedy': {
      roles: ['registrar', 'handler', 'gip-office-head'],
      stages: CLOSED_STAGES,
      handlerMustBeAssigned: true,
    },
    // The case view (stage, deadlines, timeline) carries no personal data, so colleagues and supervisors see it.
    'view-case': { roles: [...CASE_STAFF, 'supervisor'], stages: EVERY_STAGE, handlerMustBeAssigned: false },
    // Minimisation: only those who process the case see who the applicant is; supervisors oversee without it.
    'view-personal-data': { roles: CASE_STAFF, stages: EVERY_STAGE, handlerMustBeAssigned: true },
  };
}

export const ACTION_PERMISSIONS: Record<Action, ActionPermission> = actionPermissions(DEFAULT_PERMISSION_RULES);

/** Who has done what on the case's current reply, as the workflow records it. */
export interface CaseParticipants {
  /** The assigned handler (承办人); null before assignment. */
  handlerId: string | null;
  /** Everyone who drafted a version of the current reply (拟稿人). */
  drafterIds: readonly string[];
  /** Everyone who reviewed a version of the current reply (审核人). */
  reviewerIds: readonly string[];
}

export const NO_PARTICIPANTS: CaseParticipants = { handlerId: null, drafterIds: [], reviewerIds: [] };

type DutyHolders = 'drafterIds' | 'reviewerIds';

interface DutySeparation {
  /** The later duty, checked when someone tries to perform it. */
  action: Action;
  /** Those who held the earlier duty on this reply may not perform `action`. */
  earlier: DutyHolders;
  /** The rule that lifts the separation; absent when it always holds. */
  waivedBy?: keyof SeparationOfDutiesRules;
  message: string;
}

const DUTY_SEPARATIONS: readonly DutySeparation[] = [
  { action: 'sign-off-reply', earlier: 'drafterIds', message: '拟稿人不得签发本人拟写的答复书' },
  {
    action: 'sign-off-reply',
    earlier: 'reviewerIds',
    waivedBy: 'reviewerMaySignOff',
    message: '审核人不得签发本人审核的答复书（本机关未设定审核人可兼任签发人）',
  },
  {
    action: 'review-reply',
    earlier: 'drafterIds',
    waivedBy: 'drafterMayReview',
    message: '拟稿人不得审核本人拟写的答复书（本机关未设定拟稿人可兼任审核人）',
  },
];

export type DenialCode = 'wrong-role' | 'wrong-agency' | 'wrong-stage' | 'not-assigned' | 'same-person';

export type AuthorizationResult = { ok: true } | { ok: false; code: DenialCode; message: string };

export interface AuthorizationRequest {
  actor: Actor;
  action: Action;
  caseStage: Stage;
  caseAgency: string;
  caseParticipants: CaseParticipants;
  rules: PermissionRules;
}

const listRoles = (roles: readonly Role[]): string => roles.map((role) => ROLE_LABELS[role]).join('、');
const listStages = (stages: readonly Stage[]): string =>
  stages.map((stage) => STAGE_DEFINITIONS[stage].label).join('、');
const deny = (code: DenialCode, message: string): AuthorizationResult => ({ ok: false, code, message });

/**
 * May this person take this action on this case now? Checks, in order: role, agency, stage, assignment,
 * separation of duties. Messages name roles, stages and duties, never a person.
 */
export function authorize(request: AuthorizationRequest): AuthorizationResult {
  return authorizeAgainst(actionPermissions(request.rules), request);
}

function authorizeAgainst(
  table: Record<Action, ActionPermission>,
  { actor, action, caseStage, caseAgency, caseParticipants, rules }: AuthorizationRequest,
): AuthorizationResult {
  const permission = table[action];
  const actionLabel = ACTION_LABELS[action];

  const withRole = actor.roles.filter((role) => permission.roles.includes(role));
  if (withRole.length === 0) return deny('wrong-role', `「${actionLabel}」仅限${listRoles(permission.roles)}办理`);

  const inAgency = withRole.filter(
    (role) => actor.agencyCode === caseAgency || (role === 'supervisor' && actor.scope === 'all-agencies'),
  );
  if (inAgency.length === 0) return deny('wrong-agency', `该案件不属于您所在的机关，不能「${actionLabel}」`);

  if (!permission.stages.includes(caseStage)) {
    return deny(
      'wrong-stage',
      `案件当前处于「${STAGE_DEFINITIONS[caseStage].label}」阶段，不能「${actionLabel}」；可办理的阶段：${listStages(permission.stages)}`,
    );
  }

  const qualifying = inAgency.filter(
    (role) => role !== 'handler' || !permission.handlerMustBeAssigned || caseParticipants.handlerId === actor.userId,
  );
  if (qualifying.length === 0) return deny('not-assigned', `「${actionLabel}」仅限本案承办人办理`);

  for (const separation of DUTY_SEPARATIONS) {
    if (separation.action !== action) continue;
    if (separation.waivedBy !== undefined && rules.separationOfDuties[separation.waivedBy]) continue;
    if (caseParticipants[separation.earlier].includes(actor.userId)) return deny('same-person', separation.message);
  }
  return { ok: true };
}

/** What the case looks like to the permission check. */
export interface CaseState {
  stage: Stage;
  agencyCode: string;
  participants: CaseParticipants;
}

/** The actions this person may take on this case now, in ACTIONS order: the forms the web app shows. */
export function permittedActions(actor: Actor, caseState: CaseState, rules: PermissionRules): Action[] {
  const table = actionPermissions(rules);
  return ACTIONS.filter(
    (action) =>
      authorizeAgainst(table, {
        actor,
        action,
        caseStage: caseState.stage,
        caseAgency: caseState.agencyCode,
        caseParticipants: caseState.participants,
        rules,
      }).ok,
  );
}

/** Whether a person may be made a case's handler (assignment, reassignment, hand-over). */
export function isEligibleHandler(person: Pick<Actor, 'roles' | 'agencyCode'>, caseAgency: string): boolean {
  return person.roles.includes('handler') && person.agencyCode === caseAgency;
}
