import {
  ACTION_PERMISSIONS,
  ACTIONS,
  type Action,
  type Actor,
  actorSchema,
  authorize,
  type AuthorizationResult,
  type CaseParticipants,
  DEFAULT_PERMISSION_RULES,
  isEligibleHandler,
  NO_PARTICIPANTS,
  type PermissionRules,
  permissionRulesSchema,
  permittedActions,
  type Role,
  ROLES,
} from '../../domain/roles';
import {
  INITIAL_STAGES,
  isAllowedTransition,
  isOpenStage,
  PHASE_LABELS,
  type Stage,
  STAGE_DEFINITIONS,
  STAGE_TRANSITIONS,
  STAGES,
} from '../../domain/stages';
import { InvalidInputError, parseOrThrow } from '../../domain/validation';

const AGENCY = 'nj-ghzy';
const OTHER_AGENCY = 'nj-xwq';
// Looks like personal data on purpose: no refusal may repeat it.
const ACTOR_ID = 'zhangsan.110101';

const person = (roles: Role[], overrides: Partial<Actor> = {}): Actor => ({
  userId: ACTOR_ID,
  roles,
  agencyCode: AGENCY,
  scope: 'own-agency',
  ...overrides,
});

/** The actor is the assigned handler and has done nothing else on the reply. */
const assignedToActor: CaseParticipants = { handlerId: ACTOR_ID, drafterIds: [], reviewerIds: [] };

function check(
  actor: Actor,
  action: Action,
  caseStage: Stage,
  options: { caseAgency?: string; participants?: CaseParticipants; rules?: PermissionRules } = {},
): AuthorizationResult {
  return authorize({
    actor,
    action,
    caseStage,
    caseAgency: options.caseAgency ?? AGENCY,
    caseParticipants: options.participants ?? assignedToActor,
    rules: options.rules ?? DEFAULT_PERMISSION_RULES,
  });
}

const outcome = (result: AuthorizationResult): string => (result.ok ? 'ok' : result.code);

describe('the permission table, action × role × stage', () => {
  // Written by hand from the design: which roles may ever take each action (default rules).
  const rolesByAction: Record<Action, Role[]> = {
    'confirm-receipt': ['registrar'],
    'assign-handler': ['registrar', 'gip-office-head'],
    'reassign-handler': ['gip-office-head'],
    'hand-over': ['handler'],
    'request-correction': ['handler'],
    'record-correction-received': ['registrar', 'handler'],
    'record-correction-lapsed': ['handler'],
    'record-completeness-finding': ['handler'],
    'request-reasons': ['handler'],
    'record-reasons-received': ['registrar', 'handler'],
    'set-later-reply-deadline': ['gip-office-head'],
    'decide-scope': ['handler'],
    'record-search': ['handler'],
    'record-item-decision': ['handler'],
    'start-third-party-consultation': ['handler'],
    'record-third-party-opinion': ['handler'],
    'start-co-maker-consultation': ['handler'],
    'record-co-maker-opinion': ['handler'],
    'notify-third-party-of-disclosure': ['handler'],
    'refer-for-determination': ['handler'],
    'record-referral-answer': ['handler'],
    'conclude-disclosure-decision': ['handler'],
    'send-fee-notice': ['handler'],
    'record-fee-payment': ['registrar', 'handler'],
    'record-fee-lapsed': ['handler'],
    'request-extension': ['handler'],
    'approve-extension': ['gip-office-head'],
    'draft-reply': ['handler'],
    'review-reply': ['reviewer'],
    'sign-off-reply': ['gip-office-head'],
    'record-dispatch': ['registrar', 'handler'],
    'record-delivery-failed': ['registrar', 'handler'],
    'record-withdrawal': ['registrar', 'handler'],
    'archive-case': ['registrar', 'handler'],
    urge: ['gip-office-head', 'supervisor'],
    'annotate-remedy': ['registrar', 'handler', 'gip-office-head'],
    'view-case': ['registrar', 'handler', 'reviewer', 'gip-office-head', 'supervisor'],
    'view-personal-data': ['registrar', 'handler', 'reviewer', 'gip-office-head'],
  };

  test('every action × role × stage: allowed exactly where the table says, else wrong role before wrong stage', () => {
    let allowed = 0;
    for (const action of ACTIONS) {
      for (const role of ROLES) {
        for (const stage of STAGES) {
          const result = check(person([role]), action, stage);
          const { roles, stages } = ACTION_PERMISSIONS[action];
          const expected = !roles.includes(role) ? 'wrong-role' : !stages.includes(stage) ? 'wrong-stage' : 'ok';
          expect([action, role, stage, outcome(result)]).toEqual([action, role, stage, expected]);
          if (result.ok) allowed += 1;
          else expect(result.message).not.toContain(ACTOR_ID);
        }
      }
    }
    expect(allowed).toBeGreaterThan(0);
  });

  test.each(ACTIONS.map((action) => [action]))('%s: the roles that may take it in some stage', (action) => {
    const rolesWithSomeStage = ROLES.filter((role) => STAGES.some((stage) => check(person([role]), action, stage).ok));
    expect(rolesWithSomeStage).toEqual(rolesByAction[action]);
  });

  test.each<[Action, Role, Stage, string]>([
    ['confirm-receipt', 'registrar', 'awaiting-confirmation', 'ok'],
    ['confirm-receipt', 'registrar', 'registered', 'wrong-stage'],
    ['assign-handler', 'gip-office-head', 'registered', 'ok'],
    ['assign-handler', 'handler', 'registered', 'wrong-role'],
    ['reassign-handler', 'gip-office-head', 'registered', 'wrong-stage'],
    ['reassign-handler', 'gip-office-head', 'sign-off', 'ok'],
    ['hand-over', 'handler', 'dispatch', 'ok'],
    ['hand-over', 'handler', 'awaiting-archive', 'wrong-stage'],
    ['request-correction', 'handler', 'completeness-check', 'ok'],
    ['request-correction', 'handler', 'awaiting-correction', 'wrong-stage'],
    ['record-correction-received', 'registrar', 'awaiting-correction', 'ok'],
    ['record-correction-received', 'registrar', 'completeness-check', 'wrong-stage'],
    ['record-correction-lapsed', 'handler', 'awaiting-correction', 'ok'],
    ['request-reasons', 'handler', 'scope-check', 'ok'],
    ['set-later-reply-deadline', 'gip-office-head', 'scope-check', 'ok'],
    ['set-later-reply-deadline', 'handler', 'scope-check', 'wrong-role'],
    ['decide-scope', 'handler', 'scope-check', 'ok'],
    ['decide-scope', 'handler', 'search', 'wrong-stage'],
    ['record-search', 'handler', 'search', 'ok'],
    ['record-item-decision', 'handler', 'disclosure-decision', 'ok'],
    ['record-item-decision', 'handler', 'drafting', 'wrong-stage'],
    ['start-third-party-consultation', 'handler', 'disclosure-decision', 'ok'],
    ['start-co-maker-consultation', 'handler', 'search', 'wrong-stage'],
    ['send-fee-notice', 'handler', 'disclosure-decision', 'ok'],
    ['send-fee-notice', 'handler', 'drafting', 'wrong-stage'],
    ['record-fee-payment', 'registrar', 'search', 'ok'],
    ['request-extension', 'handler', 'completeness-check', 'ok'],
    ['request-extension', 'handler', 'sign-off', 'ok'],
    ['request-extension', 'handler', 'awaiting-correction', 'wrong-stage'],
    ['request-extension', 'handler', 'dispatch', 'wrong-stage'],
    ['approve-extension', 'gip-office-head', 'review', 'ok'],
    ['approve-extension', 'handler', 'review', 'wrong-role'],
    ['approve-extension', 'reviewer', 'review', 'wrong-role'],
    ['approve-extension', 'supervisor', 'review', 'wrong-role'],
    ['draft-reply', 'handler', 'drafting', 'ok'],
    ['draft-reply', 'handler', 'review', 'wrong-stage'],
    ['draft-reply', 'gip-office-head', 'drafting', 'wrong-role'],
    ['review-reply', 'reviewer', 'review', 'ok'],
    ['review-reply', 'reviewer', 'drafting', 'wrong-stage'],
    ['review-reply', 'gip-office-head', 'review', 'wrong-role'],
    ['sign-off-reply', 'gip-office-head', 'sign-off', 'ok'],
    ['sign-off-reply', 'gip-office-head', 'review', 'wrong-stage'],
    ['sign-off-reply', 'reviewer', 'sign-off', 'wrong-role'],
    ['sign-off-reply', 'handler', 'sign-off', 'wrong-role'],
    ['record-dispatch', 'registrar', 'dispatch', 'ok'],
    ['record-dispatch', 'registrar', 'sign-off', 'wrong-stage'],
    ['record-delivery-failed', 'registrar', 'awaiting-archive', 'ok'],
    ['record-delivery-failed', 'handler', 'dispatch', 'wrong-stage'],
    ['record-withdrawal', 'registrar', 'awaiting-confirmation', 'ok'],
    ['record-withdrawal', 'handler', 'dispatch', 'ok'],
    ['record-withdrawal', 'registrar', 'awaiting-archive', 'wrong-stage'],
    ['archive-case', 'registrar', 'awaiting-archive', 'ok'],
    ['archive-case', 'registrar', 'archived', 'wrong-stage'],
    ['urge', 'supervisor', 'drafting', 'ok'],
    ['urge', 'supervisor', 'awaiting-archive', 'wrong-stage'],
    ['annotate-remedy', 'handler', 'archived', 'ok'],
    ['annotate-remedy', 'gip-office-head', 'awaiting-archive', 'ok'],
    ['annotate-remedy', 'handler', 'dispatch', 'wrong-stage'],
    ['view-case', 'supervisor', 'archived', 'ok'],
    ['view-case', 'admin', 'review', 'wrong-role'],
    ['view-personal-data', 'reviewer', 'awaiting-confirmation', 'ok'],
    ['view-personal-data', 'supervisor', 'review', 'wrong-role'],
  ])('%s by a %s in stage %s → %s', (action, role, stage, expected) => {
    expect(outcome(check(person([role]), action, stage))).toBe(expected);
  });

  test('every stage but the last has an action that moves the case on, beyond viewing, urging and withdrawing', () => {
    const bystanderActions: Action[] = [
      'view-case',
      'view-personal-data',
      'urge',
      'record-withdrawal',
      'hand-over',
      'reassign-handler',
    ];
    const open: Stage[] = [
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
    ];
    for (const stage of open) {
      const movers = ACTIONS.filter(
        (action) => !bystanderActions.includes(action) && ROLES.some((role) => check(person([role]), action, stage).ok),
      );
      expect([stage, movers.length > 0]).toEqual([stage, true]);
    }
  });
});

describe('refusals', () => {
  test('wrong role names the roles that may act, in Chinese', () => {
    const result = check(person(['registrar']), 'approve-extension', 'drafting');
    expect(result).toEqual({ ok: false, code: 'wrong-role', message: '「审批延长答复期限」仅限政府信息公开工作机构负责人办理' });
  });

  test('wrong stage names the current stage and where the action belongs', () => {
    const result = check(person(['handler']), 'draft-reply', 'review');
    expect(result).toEqual({
      ok: false,
      code: 'wrong-stage',
      message: '案件当前处于「审核」阶段，不能「拟写答复书」；可办理的阶段：拟稿',
    });
  });

  test('wrong agency: staff act only on their own agency’s cases', () => {
    const head = person(['gip-office-head']);
    expect(outcome(check(head, 'approve-extension', 'drafting', { caseAgency: OTHER_AGENCY }))).toBe('wrong-agency');
    expect(outcome(check(head, 'view-case', 'drafting', { caseAgency: OTHER_AGENCY }))).toBe('wrong-agency');
    const ownAgencySupervisor = person(['supervisor']);
    expect(outcome(check(ownAgencySupervisor, 'urge', 'drafting', { caseAgency: OTHER_AGENCY }))).toBe('wrong-agency');
    expect(outcome(check(ownAgencySupervisor, 'urge', 'drafting'))).toBe('ok');
  });

  test('an all-agencies supervisor oversees every agency’s cases but processes none of them', () => {
    const supervisor = person(['supervisor'], { scope: 'all-agencies' });
    const elsewhere = { caseAgency: OTHER_AGENCY };
    expect(outcome(check(supervisor, 'urge', 'scope-check', elsewhere))).toBe('ok');
    expect(outcome(check(supervisor, 'view-case', 'archived', elsewhere))).toBe('ok');
    expect(outcome(check(supervisor, 'view-personal-data', 'scope-check', elsewhere))).toBe('wrong-role');
    expect(outcome(check(supervisor, 'urge', 'archived', elsewhere))).toBe('wrong-stage');
  });

  test('all-agencies scope does not carry a supervisor’s other roles into other agencies', () => {
    const supervisingHandler = person(['supervisor', 'handler'], { scope: 'all-agencies' });
    const elsewhere = { caseAgency: OTHER_AGENCY };
    expect(outcome(check(supervisingHandler, 'draft-reply', 'drafting', elsewhere))).toBe('wrong-agency');
    expect(outcome(check(supervisingHandler, 'draft-reply', 'drafting'))).toBe('ok');
  });

  test('a handler acts only on cases assigned to them, but may view any case of the agency', () => {
    const colleague = person(['handler']);
    const assignedToOther = { participants: { handlerId: 'lisi.2', drafterIds: [], reviewerIds: [] } };
    expect(check(colleague, 'draft-reply', 'drafting', assignedToOther)).toEqual({
      ok: false,
      code: 'not-assigned',
      message: '「拟写答复书」仅限本案承办人办理',
    });
    expect(outcome(check(colleague, 'view-personal-data', 'drafting', assignedToOther))).toBe('not-assigned');
    expect(outcome(check(colleague, 'view-case', 'drafting', assignedToOther))).toBe('ok');
    expect(outcome(check(colleague, 'record-withdrawal', 'registered', { participants: NO_PARTICIPANTS }))).toBe(
      'not-assigned',
    );
  });

  test('registrar duties shared with the handler need no assignment', () => {
    const registrarAndHandler = person(['registrar', 'handler']);
    const assignedToOther = { participants: { handlerId: 'lisi.2', drafterIds: [], reviewerIds: [] } };
    expect(outcome(check(registrarAndHandler, 'record-dispatch', 'dispatch', assignedToOther))).toBe('ok');
    expect(outcome(check(registrarAndHandler, 'decide-scope', 'scope-check', assignedToOther))).toBe('not-assigned');
  });

  test('the GIP office head does not act as handler unless the case is assigned to them', () => {
    const headAndHandler = person(['gip-office-head', 'handler']);
    const assignedToOther = { participants: { handlerId: 'lisi.2', drafterIds: [], reviewerIds: [] } };
    expect(outcome(check(headAndHandler, 'record-search', 'search', assignedToOther))).toBe('not-assigned');
    expect(outcome(check(headAndHandler, 'reassign-handler', 'search', assignedToOther))).toBe('ok');
    expect(outcome(check(headAndHandler, 'record-search', 'search'))).toBe('ok');
  });
});

describe('separation of duties', () => {
  const head = person(['gip-office-head', 'reviewer', 'handler']);
  const allWaived: PermissionRules = {
    signOffRoles: ['gip-office-head'],
    separationOfDuties: { reviewerMaySignOff: true, drafterMayReview: true },
  };
  const drafted = (ids: string[], reviewers: string[] = []): CaseParticipants => ({
    handlerId: ids[0] ?? null,
    drafterIds: ids,
    reviewerIds: reviewers,
  });

  test('the drafter may never sign off, whatever the rules', () => {
    const expected = { ok: false, code: 'same-person', message: '拟稿人不得签发本人拟写的答复书' };
    expect(check(head, 'sign-off-reply', 'sign-off', { participants: drafted([ACTOR_ID], ['wangwu.3']) })).toEqual(
      expected,
    );
    expect(
      check(head, 'sign-off-reply', 'sign-off', { participants: drafted([ACTOR_ID], ['wangwu.3']), rules: allWaived }),
    ).toEqual(expected);
  });

  test('anyone who drafted an earlier version counts as drafter', () => {
    const participants = drafted(['lisi.2', ACTOR_ID], ['wangwu.3']);
    expect(outcome(check(head, 'sign-off-reply', 'sign-off', { participants }))).toBe('same-person');
  });

  test('the reviewer may not sign off by default; a small office may allow it', () => {
    const participants = drafted(['lisi.2'], [ACTOR_ID]);
    expect(check(head, 'sign-off-reply', 'sign-off', { participants })).toEqual({
      ok: false,
      code: 'same-person',
      message: '审核人不得签发本人审核的答复书（本机关未设定审核人可兼任签发人）',
    });
    const smallOffice = permissionRulesSchema.parse({ separationOfDuties: { reviewerMaySignOff: true } });
    expect(outcome(check(head, 'sign-off-reply', 'sign-off', { participants, rules: smallOffice }))).toBe('ok');
  });

  test('the drafter may not review by default; the rule can lift it', () => {
    const participants = drafted([ACTOR_ID]);
    expect(outcome(check(head, 'review-reply', 'review', { participants }))).toBe('same-person');
    const rules = permissionRulesSchema.parse({ separationOfDuties: { drafterMayReview: true } });
    expect(outcome(check(head, 'review-reply', 'review', { participants, rules }))).toBe('ok');
  });

  test('three different people: drafted, reviewed, signed', () => {
    const participants = drafted(['lisi.2'], ['wangwu.3']);
    expect(outcome(check(head, 'sign-off-reply', 'sign-off', { participants }))).toBe('ok');
  });
});

describe('configurable sign-off', () => {
  test('an agency may let reviewers sign off instead of the office head', () => {
    const rules = permissionRulesSchema.parse({ signOffRoles: ['reviewer'] });
    expect(outcome(check(person(['reviewer']), 'sign-off-reply', 'sign-off', { rules }))).toBe('ok');
    expect(outcome(check(person(['gip-office-head']), 'sign-off-reply', 'sign-off', { rules }))).toBe('wrong-role');
  });

  test('rules default to office-head sign-off with every separation in force', () => {
    expect(permissionRulesSchema.parse({})).toEqual({
      signOffRoles: ['gip-office-head'],
      separationOfDuties: { reviewerMaySignOff: false, drafterMayReview: false },
    });
    expect(DEFAULT_PERMISSION_RULES).toEqual(permissionRulesSchema.parse({}));
  });

  test.each([
    [{ signOffRoles: [] }, 'signOffRoles'],
    [{ signOffRoles: ['registrar'] }, 'signOffRoles.0'],
    [{ signOffRoles: ['supervisor'] }, 'signOffRoles.0'],
    [{ separationOfDuties: { reviewerMaySignOff: 'yes' } }, 'separationOfDuties.reviewerMaySignOff'],
  ])('refuse %j naming %s', (input, field) => {
    const attempt = () => parseOrThrow(permissionRulesSchema, input, 'permission rules');
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(new RegExp(`\\b${field.replace(/\./g, '\\.')}:`));
  });
});

describe('permittedActions', () => {
  test('the assigned handler deciding on disclosure', () => {
    const state = { stage: 'disclosure-decision' as const, agencyCode: AGENCY, participants: assignedToActor };
    expect(permittedActions(person(['handler']), state, DEFAULT_PERMISSION_RULES)).toEqual([
      'hand-over',
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
      'record-withdrawal',
      'view-case',
      'view-personal-data',
    ]);
  });

  test('a registrar with an application whose receipt date is still to be confirmed', () => {
    const state = { stage: 'awaiting-confirmation' as const, agencyCode: AGENCY, participants: NO_PARTICIPANTS };
    expect(permittedActions(person(['registrar']), state, DEFAULT_PERMISSION_RULES)).toEqual([
      'confirm-receipt',
      'record-withdrawal',
      'view-case',
      'view-personal-data',
    ]);
  });

  test('the office head at sign-off of a reply they reviewed, default and small-office rules', () => {
    const state = {
      stage: 'sign-off' as const,
      agencyCode: AGENCY,
      participants: { handlerId: 'lisi.2', drafterIds: ['lisi.2'], reviewerIds: [ACTOR_ID] },
    };
    const head = person(['gip-office-head', 'reviewer']);
    expect(permittedActions(head, state, DEFAULT_PERMISSION_RULES)).toEqual([
      'reassign-handler',
      'set-later-reply-deadline',
      'approve-extension',
      'urge',
      'view-case',
      'view-personal-data',
    ]);
    const smallOffice = permissionRulesSchema.parse({ separationOfDuties: { reviewerMaySignOff: true } });
    expect(permittedActions(head, state, smallOffice)).toContain('sign-off-reply');
  });

  test('an all-agencies supervisor on another agency’s case; an admin on any case', () => {
    const state = { stage: 'review' as const, agencyCode: OTHER_AGENCY, participants: NO_PARTICIPANTS };
    const supervisor = person(['supervisor'], { scope: 'all-agencies' });
    expect(permittedActions(supervisor, state, DEFAULT_PERMISSION_RULES)).toEqual(['urge', 'view-case']);
    expect(permittedActions(person(['admin']), { ...state, agencyCode: AGENCY }, DEFAULT_PERMISSION_RULES)).toEqual([]);
  });
});

describe('actors', () => {
  test('scope defaults to the own agency', () => {
    expect(actorSchema.parse({ userId: 'u1', roles: ['handler'], agencyCode: AGENCY })).toEqual({
      userId: 'u1',
      roles: ['handler'],
      agencyCode: AGENCY,
      scope: 'own-agency',
    });
  });

  test.each([
    [{ userId: 'u1', roles: ['handler'], agencyCode: AGENCY, scope: 'all-agencies' }, 'scope'],
    [{ userId: 'u1', roles: [], agencyCode: AGENCY }, 'roles'],
    [{ userId: 'u1', roles: ['clerk'], agencyCode: AGENCY }, 'roles.0'],
    [{ userId: '张三', roles: ['handler'], agencyCode: AGENCY }, 'userId'],
  ])('refuse %j naming %s', (input, field) => {
    const attempt = () => parseOrThrow(actorSchema, input, 'actor');
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(new RegExp(`\\b${field.replace(/\./g, '\\.')}:`));
  });

  test('a refused user id is not echoed', () => {
    expect(() => parseOrThrow(actorSchema, { userId: '张三', roles: ['handler'], agencyCode: AGENCY }, 'actor')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('张三') }),
    );
  });

  test('only a handler of the case’s agency may be made its handler', () => {
    expect(isEligibleHandler({ roles: ['handler'], agencyCode: AGENCY }, AGENCY)).toBe(true);
    expect(isEligibleHandler({ roles: ['handler'], agencyCode: OTHER_AGENCY }, AGENCY)).toBe(false);
    expect(isEligibleHandler({ roles: ['gip-office-head', 'reviewer'], agencyCode: AGENCY }, AGENCY)).toBe(false);
  });
});

describe('stages', () => {
  test('当不当 is four stages of its own, in order', () => {
    const replyStages = STAGES.filter((stage) => STAGE_DEFINITIONS[stage].phase === 'reply');
    expect(replyStages.map((stage) => STAGE_DEFINITIONS[stage].label)).toEqual(['拟稿', '审核', '签发', '送达']);
    expect(PHASE_LABELS.reply).toBe('当不当');
  });

  test.each<[Stage, Stage, boolean]>([
    ['awaiting-confirmation', 'registered', true],
    ['awaiting-confirmation', 'completeness-check', false],
    ['completeness-check', 'awaiting-correction', true],
    ['awaiting-correction', 'completeness-check', true],
    ['awaiting-correction', 'scope-check', false],
    ['scope-check', 'drafting', true],
    ['search', 'drafting', true],
    ['review', 'search', true],
    ['review', 'sign-off', true],
    ['drafting', 'sign-off', false],
    ['sign-off', 'drafting', true],
    ['sign-off', 'review', false],
    ['dispatch', 'drafting', false],
    ['dispatch', 'awaiting-archive', true],
    ['awaiting-archive', 'archived', true],
    ['awaiting-archive', 'dispatch', true],
    ['archived', 'awaiting-archive', false],
  ])('%s → %s allowed: %s', (from, to, allowed) => {
    expect(isAllowedTransition(from, to)).toBe(allowed);
  });

  test('archived is the only stage with no way out', () => {
    expect(STAGES.filter((stage) => STAGE_TRANSITIONS[stage].length === 0)).toEqual(['archived']);
  });

  test('a withdrawal can end processing from every open stage, and only open stages are open', () => {
    expect(STAGES.filter((stage) => isOpenStage(stage))).toEqual(STAGES.slice(0, 11));
    for (const stage of STAGES.slice(0, 11)) {
      expect([stage, isAllowedTransition(stage, 'awaiting-archive')]).toEqual([stage, true]);
    }
  });

  test('every stage is reachable from a new case, and every stage can reach archived', () => {
    const reachable = new Set<Stage>(INITIAL_STAGES);
    for (let grew = true; grew; ) {
      grew = false;
      for (const from of [...reachable]) {
        for (const to of STAGE_TRANSITIONS[from]) {
          if (!reachable.has(to)) {
            reachable.add(to);
            grew = true;
          }
        }
      }
    }
    expect(STAGES.filter((stage) => !reachable.has(stage))).toEqual([]);

    const reachesArchive = new Set<Stage>(['archived']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const stage of STAGES) {
        if (!reachesArchive.has(stage) && STAGE_TRANSITIONS[stage].some((to) => reachesArchive.has(to))) {
          reachesArchive.add(stage);
          grew = true;
        }
      }
    }
    expect(STAGES.filter((stage) => !reachesArchive.has(stage))).toEqual([]);
  });

  test('no stage transitions to itself', () => {
    expect(STAGES.filter((stage) => STAGE_TRANSITIONS[stage].includes(stage))).toEqual([]);
  });
});
