import { randomUUID } from 'node:crypto';
import { isSupportedAction } from '../../domain/case-actions';
import { addDays, beijingDateOfMs } from '../../domain/dates';
import { actorOf } from '../../domain/gongkai-config';
import { type Action, type CaseParticipants, permittedActions } from '../../domain/roles';
import { type Stage, STAGES } from '../../domain/stages';
import { actionForms, type FormContext } from '../../web/forms';
import { exampleApplication } from '../helpers/request-harness';
import { PageSession } from '../helpers/page-session';
import { WebStack } from '../helpers/web-stack';

// Issue 9, deliverable 5: for every stage a case can stand in and every kind of person, the case page offers
// exactly the actions domain/roles permits — computed here from the domain, not read from the web app — and
// agrees with the API's `permittedActions`. One case per stage, driven there through the JSON API.

let web: WebStack;
const today = beijingDateOfMs(Date.now());
const AGENCY = 'LYG-ZRZY';
const HANDLER = 'zrzy.handler1';

/** The people of each cell: the case's agency's staff, the all-agency supervisor, another agency, the admin. */
const PEOPLE = [
  { userId: 'zrzy.registrar', who: 'registrar' },
  { userId: HANDLER, who: 'assigned handler' },
  { userId: 'zrzy.handler2', who: 'other handler' },
  { userId: 'zrzy.reviewer', who: 'reviewer' },
  { userId: 'zrzy.head', who: 'office head' },
  { userId: 'supervisor', who: 'all-agency supervisor' },
  { userId: 'zfb.handler1', who: 'handler of another agency' },
  { userId: 'admin', who: 'admin' },
] as const;

type Act = readonly [userId: string, action: string, data?: Record<string, unknown>];

interface StagePath {
  /** T0 still to be confirmed (Art. 31): an internet request without `confirmedAt`. */
  unconfirmed?: boolean;
  acts: readonly Act[];
  /** Who has done what once the acts are done: the domain's input, checked against the workflow's view. */
  participants: CaseParticipants;
}

const assigned = (drafterIds: string[] = [], reviewerIds: string[] = []): CaseParticipants => ({ handlerId: HANDLER, drafterIds, reviewerIds });

const toSearch: Act[] = [
  ['zrzy.head', 'assign-handler', { handlerId: HANDLER }],
  [HANDLER, 'record-completeness-finding', { finding: 'complete' }],
  [HANDLER, 'decide-scope', { decision: 'gip-request' }],
];
const searched = (result: 'found' | 'not-held'): Act => [
  HANDLER,
  'record-search',
  result === 'found'
    ? { result, searchedOn: today, places: ['档案室'], keywords: ['规划条件'] }
    : { result, searchedOn: today, places: ['档案室'], keywords: ['规划条件'], reason: '经检索，本机关未制作或获取该信息' },
];
// Not held (Art. 36(4)): the reply is drafted without a disclosure decision, the shortest way to the reply stages.
const toDrafting: Act[] = [...toSearch, searched('not-held')];
const toReview: Act[] = [...toDrafting, [HANDLER, 'draft-reply']];
const toSignOff: Act[] = [...toReview, ['zrzy.reviewer', 'review-reply', { verdict: 'approve' }]];
const toDispatch: Act[] = [...toSignOff, ['zrzy.head', 'sign-off-reply']];

/** How a case reaches each stage with the demo configuration. */
const PATHS: Partial<Record<Stage, StagePath>> = {
  'awaiting-confirmation': { unconfirmed: true, acts: [], participants: { handlerId: null, drafterIds: [], reviewerIds: [] } },
  registered: { acts: [], participants: { handlerId: null, drafterIds: [], reviewerIds: [] } },
  'completeness-check': { acts: toSearch.slice(0, 1), participants: assigned() },
  'awaiting-correction': {
    acts: [...toSearch.slice(0, 1), [HANDLER, 'request-correction', { sentOn: today, itemsToCorrect: ['请写明所需信息的文号'], applicantDueOn: addDays(today, 15) }]],
    participants: assigned(),
  },
  'scope-check': { acts: toSearch.slice(0, 2), participants: assigned() },
  search: { acts: toSearch, participants: assigned() },
  'disclosure-decision': { acts: [...toSearch, searched('found')], participants: assigned() },
  drafting: { acts: toDrafting, participants: assigned() },
  review: { acts: toReview, participants: assigned([HANDLER]) },
  'sign-off': { acts: toSignOff, participants: assigned([HANDLER], ['zrzy.reviewer']) },
  dispatch: { acts: toDispatch, participants: assigned([HANDLER], ['zrzy.reviewer']) },
  'awaiting-archive': { acts: [...toDispatch, [HANDLER, 'record-dispatch', { dispatchedOn: today, method: 'post' }]], participants: assigned([HANDLER], ['zrzy.reviewer']) },
  // Completed: the page is the register's read-only record. The register keeps the handler, not the reply's duties.
  archived: {
    acts: [...toSearch.slice(0, 1), [HANDLER, 'record-withdrawal', { withdrawnOn: today, reason: '申请人书面撤回申请' }], [HANDLER, 'archive-case']],
    participants: assigned(),
  },
};

/** Stages no act reaches with the demo configuration, with the reason. None today; a new stage must land in one list. */
const UNREACHABLE: Partial<Record<Stage, string>> = {};

const REACHED = STAGES.filter((stage) => PATHS[stage] !== undefined);

/** The forms' choices do not decide which forms exist: an empty context is enough to count them. */
const FORM_CONTEXT: FormContext = { handlers: [], requestedItems: [], consultationIds: [], referralIds: [], today };

/** The forms the page should show for an action, as `action` or `action:variant`; none for an act without a payload schema. */
const formKeysOf = (action: Action): string[] =>
  isSupportedAction(action) ? actionForms(action, FORM_CONTEXT).map((form) => (form.variant === undefined ? action : `${action}:${form.variant}`)) : [];

/** What the domain says for this person and case: may they open the page, and which forms. */
function expectedFromDomain(userId: string, stage: Stage): { visible: boolean; acts: Action[]; actions: Action[]; forms: string[] } {
  const user = web.config.users.find((u) => u.id === userId);
  const agency = web.config.agencies.find((a) => a.code === AGENCY);
  if (!user || !agency) throw new Error(`the demo configuration lacks ${user ? AGENCY : userId}`);
  const permitted = permittedActions(actorOf(user), { stage, agencyCode: AGENCY, participants: PATHS[stage]!.participants }, agency.permissionRules);
  // Acts: the permitted actions that have a payload (view-case and view-personal-data are permissions, not acts).
  const acts = permitted.filter((action) => isSupportedAction(action));
  const actions = acts.filter((action) => formKeysOf(action).length > 0);
  return { visible: permitted.includes('view-case'), acts, actions, forms: actions.flatMap(formKeysOf).sort() };
}

/** The act forms of a case page as `action` or `action:variant` (the timeline's rows carry data-action too: forms only). */
function pageForms(html: string): string[] {
  return [...html.matchAll(/<form\b[^>]*>/g)]
    .map(([tag]) => ({ action: /\sdata-action="([^"]*)"/.exec(tag)?.[1], variant: /\sdata-variant="([^"]*)"/.exec(tag)?.[1] }))
    .filter((form): form is { action: string; variant: string | undefined } => form.action !== undefined)
    .map(({ action, variant }) => (variant === undefined ? action : `${action}:${variant}`))
    .sort();
}

// ---------------------------------------------------------------------------------------------------------------

const caseNumbers = new Map<Stage, string>();
const browsers = new Map<string, PageSession>();

async function driveTo(stage: Stage, path: StagePath): Promise<void> {
  const submittedAt = new Date().toISOString();
  const application = { ...exampleApplication, channel: path.unconfirmed ? { kind: 'internet', submittedAt } : { kind: 'in-person', submittedAt } };
  const submitted = await web.api('POST', '/api/submissions', { as: 'zrzy.registrar', body: { submissionId: `roles-${stage}-${randomUUID()}`, application } });
  if (submitted.status !== 201) throw new Error(`${stage}: submission failed: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const caseNumber = (submitted.body as { caseNumber: string }).caseNumber;
  for (const [as, action, data] of path.acts) {
    const res = await web.api('POST', `/api/cases/${caseNumber}/actions`, { as, body: { action, data: data ?? {} } });
    if (res.status !== 200) throw new Error(`${stage}: ${action} by ${as} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  caseNumbers.set(stage, caseNumber);
}

beforeAll(async () => {
  web = await WebStack.start();
  await Promise.all([
    ...REACHED.map((stage) => driveTo(stage, PATHS[stage]!)),
    ...PEOPLE.map(async ({ userId }) => browsers.set(userId, await PageSession.signIn(web.baseUrl, userId))),
  ]);
  // An archived case's workflow completes; the page then reads the register, which the archive act writes to.
  const archived = caseNumbers.get('archived');
  if (archived !== undefined) {
    const deadline = Date.now() + 30_000;
    while ((await sourceOf(archived)) !== 'register') {
      if (Date.now() > deadline) throw new Error('the archived case is still answered by its workflow after 30 s');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}, 300_000);

afterAll(async () => {
  await web?.close();
}, 60_000);

async function sourceOf(caseNumber: string): Promise<string | undefined> {
  return ((await web.api('GET', `/api/cases/${caseNumber}`, { as: 'zrzy.head' })).body as { source?: string }).source;
}

test('every stage is either reached by a case here or listed as unreachable with a reason', () => {
  expect([...REACHED, ...(Object.keys(UNREACHABLE) as Stage[])].sort()).toEqual([...STAGES].sort());
  expect(REACHED.filter((stage) => UNREACHABLE[stage] !== undefined)).toEqual([]);
});

test.each(REACHED)('the %s case stands in its stage with the participants the domain is given', async (stage) => {
  const res = await web.api('GET', `/api/cases/${caseNumbers.get(stage)!}`, { as: 'zrzy.head' });
  expect(res.status).toBe(200);
  const { source, case: found } = res.body as { source: string; case: Record<string, unknown> };
  const { participants } = PATHS[stage]!;
  if (source === 'register') {
    expect({ stage: found.stage, handlerId: found.handler_id }).toEqual({ stage, handlerId: participants.handlerId });
  } else {
    expect({ stage: found.stage, agencyCode: found.agencyCode, handlerId: found.handlerId, drafterIds: found.drafterIds, reviewerIds: found.reviewerIds }).toEqual({ stage, agencyCode: AGENCY, ...participants });
  }
});

const CELLS = REACHED.flatMap((stage) => PEOPLE.map(({ userId, who }) => ({ name: `${stage} × ${who} (${userId})`, stage, userId })));

test.each(CELLS)('$name', async ({ stage, userId }) => {
  const caseNumber = caseNumbers.get(stage)!;
  const expected = expectedFromDomain(userId, stage);
  const [page, api] = await Promise.all([browsers.get(userId)!.get(`/cases/${caseNumber}`), web.api('GET', `/api/cases/${caseNumber}`, { as: userId })]);

  if (!expected.visible) {
    expect({ page: page.status, api: api.status }).toEqual({ page: 403, api: 403 });
    expect(pageForms(page.html)).toEqual([]);
    return;
  }
  expect({ page: page.status, api: api.status }).toEqual({ page: 200, api: 200 });
  const offered = pageForms(page.html);
  // The set of actions, then one form per variant of each.
  expect([...new Set(offered.map((form) => form.split(':')[0]))].sort()).toEqual([...expected.actions].sort());
  expect(offered).toEqual(expected.forms);
  // The API names the same acts as the page; for an open case exactly the domain's acts.
  const { source, permittedActions: apiActions } = api.body as { source: string; permittedActions: Action[] };
  expect(apiActions.filter((action) => formKeysOf(action).length > 0).sort()).toEqual([...expected.actions].sort());
  if (source === 'workflow') expect(apiActions).toEqual(expected.acts);
});
