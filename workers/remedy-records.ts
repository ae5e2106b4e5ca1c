import { type RemedyResult, reportRemedyRecordSchema } from '../domain/annual-report';
import { beijingDateOfMs } from '../domain/dates';
import { type Actor, authorize, type DenialCode } from '../domain/roles';
import { STAGES, type Stage } from '../domain/stages';
import { fieldProblems, InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import type { LoadedConfig } from './load-config';

// Review and suit records (行政复议 / 行政诉讼, annual report table 四) entered on closed cases, for the web form
// (web/report-pages.ts) and `gongkai remedy` (cli/remedy.ts). Who may enter them is domain/roles `annotate-remedy`, checked against
// the register's record of the case (stage, agency, handler); the register refuses a case that is not closed.

export const REMEDY_KIND_LABELS = { review: '行政复议', suit: '行政诉讼' } as const;
export const REMEDY_RESULT_LABELS: Record<RemedyResult, string> = { upheld: '维持', corrected: '纠正', other: '其他', pending: '尚未审结' };

/** A refusal to enter a record: `status` is the HTTP answer (403 who, 404 no case, 409 the case's state). */
export class RemedyRefusal extends Error {
  override readonly name = 'RemedyRefusal';
  constructor(
    readonly status: 403 | 404 | 409,
    readonly code: DenialCode | 'not-found' | 'case-not-closed',
    message: string,
  ) {
    super(message);
  }
}

export interface RemedyEntry {
  recordId: string;
  kind: 'review' | 'suit';
  afterReview: boolean;
  filedOn: string;
  result: RemedyResult;
  decidedOn: string | null;
}

/** A record's id: a UUID by default, or one the caller chooses to update a record. */
export const REMEDY_RECORD_ID = /^[A-Za-z0-9-]{1,64}$/;

type RemedyDeps = { config: Pick<LoadedConfig, 'agencies'>; register: Pick<Register, 'readCase' | 'saveRemedyRecord'> };

/** The case as the register holds it, and whether this person may enter records on it (domain/roles). */
export async function remedyAccess({ config, register }: RemedyDeps, actor: Actor, caseNumber: string) {
  const stored = await register.readCase(caseNumber);
  if (!stored) throw new RemedyRefusal(404, 'not-found', `no case ${caseNumber}`);
  const agency = config.agencies.find((a) => a.code === stored.agency_code);
  const stage = (STAGES as readonly string[]).includes(stored.stage) ? (stored.stage as Stage) : undefined;
  if (!agency || !stage) throw new RemedyRefusal(404, 'not-found', `no case ${caseNumber}`);
  const decision = authorize({
    actor,
    action: 'annotate-remedy',
    caseStage: stage,
    caseAgency: stored.agency_code,
    caseParticipants: { handlerId: stored.handler_id, drafterIds: [], reviewerIds: [] },
    rules: agency.permissionRules,
  });
  const refusal = decision.ok ? undefined : new RemedyRefusal(decision.code === 'wrong-stage' ? 409 : 403, decision.code, decision.message);
  return { stored, stage, refusal };
}

/** Validates and saves one record (the same record id again updates it); throws RemedyRefusal or InvalidInputError. */
export async function enterRemedyRecord(deps: RemedyDeps, actor: Actor, caseNumber: string, entry: RemedyEntry, now = new Date()): Promise<void> {
  const { refusal } = await remedyAccess(deps, actor, caseNumber);
  if (refusal) throw refusal;
  // The web form's rule, for `gongkai remedy add --record-id` too: an id is no place for markup or a megabyte.
  if (!REMEDY_RECORD_ID.test(entry.recordId)) throw new InvalidInputError('Review or suit record', [{ field: 'recordId', message: '应为1-64位字母、数字或- / 1-64 of A-Z a-z 0-9 -' }]);
  const parsed = reportRemedyRecordSchema.safeParse({ ...entry, caseNumber });
  if (!parsed.success) throw new InvalidInputError('Review or suit record', fieldProblems(parsed.error));
  const record = parsed.data;
  const today = beijingDateOfMs(now.getTime());
  const future = [record.filedOn > today && 'filedOn', record.decidedOn !== null && record.decidedOn > today && 'decidedOn'].filter((f): f is string => typeof f === 'string');
  if (future.length > 0) throw new InvalidInputError('Review or suit record', future.map((field) => ({ field, message: '日期不能晚于今天 / a date after today' })));
  try {
    await deps.register.saveRemedyRecord({
      recordId: record.recordId,
      caseNumber,
      kind: record.kind,
      // Only suits come after a review.
      afterReview: record.kind === 'suit' && record.afterReview,
      filedOn: record.filedOn,
      result: record.result,
      decidedOn: record.decidedOn,
      enteredBy: actor.userId,
      enteredAt: now.toISOString(),
    });
  } catch (err) {
    if (err instanceof Error && err.name === 'RegisterError') throw new RemedyRefusal(409, 'case-not-closed', err.message);
    throw err;
  }
}
